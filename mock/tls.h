/*
 * tls: soapload-mock's TLS context (OpenSSL, as h2o 2.2.5 uses it): the certificate chain and
 * key from files, TLS 1.2 and 1.3, ALPN offering h2 then http/1.1, so that one listener
 * serves HTTPS and HTTP/2 over TLS, and optionally client certificates (mutual TLS).
 */
#ifndef SOAPLOAD_MOCK_TLS_H
#define SOAPLOAD_MOCK_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/** Makes a server context from a PEM certificate chain and a PEM private key; with
 * `client_ca_file` (may be NULL) it demands a client certificate that this CA signed. Returns it
 * (the caller owns it: SSL_CTX_free), or NULL with a message naming the file and OpenSSL's
 * reason in err. */
SSL_CTX *sl_mock_tls_create(const char *cert_file, const char *key_file, const char *client_ca_file,
                            char *err, size_t errlen);

#endif
