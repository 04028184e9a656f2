/*
 * tls: the server context. h2o drives the handshake itself when h2o_accept is given a context
 * (h2o_accept_ctx_t.ssl_ctx), and picks HTTP/2 when ALPN selected "h2".
 */
#include "tls.h"

#include <stdio.h>

#include <h2o.h>
#include <openssl/err.h>

/* Names what failed, with OpenSSL's first queued reason. */
static SSL_CTX *fail(SSL_CTX *ctx, const char *what, const char *file, char *err, size_t errlen)
{
    char reason[256];
    unsigned long e = ERR_get_error();
    if (e != 0)
        ERR_error_string_n(e, reason, sizeof(reason));
    else
        snprintf(reason, sizeof(reason), "unknown reason");
    snprintf(err, errlen, "%s %s: %s", what, file, reason);
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return NULL;
}

SSL_CTX *sl_mock_tls_create(const char *cert_file, const char *key_file, const char *client_ca_file,
                            char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        return fail(NULL, "cannot make a TLS context for", cert_file, err, errlen);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1)
        return fail(ctx, "cannot use the certificate (--tls-cert)", cert_file, err, errlen);
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1)
        return fail(ctx, "cannot use the private key (--tls-key)", key_file, err, errlen);
    if (SSL_CTX_check_private_key(ctx) != 1)
        return fail(ctx, "the private key does not match the certificate: --tls-key", key_file, err,
                    errlen);
    if (client_ca_file != NULL) {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(client_ca_file);
        if (names == NULL || SSL_CTX_load_verify_locations(ctx, client_ca_file, NULL) != 1) {
            sk_X509_NAME_pop_free(names, X509_NAME_free);
            return fail(ctx, "cannot use the client CA (--tls-client-ca)", client_ca_file, err,
                        errlen);
        }
        SSL_CTX_set_client_CA_list(ctx, names); /* the context owns the list now */
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
    return ctx;
}
