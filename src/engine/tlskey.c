/*
 * tlskey: the client certificate and key, and the CA file, read with OpenSSL as libcurl will
 * read them (PEM), with a pass phrase callback that hands over the given password or fails:
 * OpenSSL's default would prompt on the terminal, once per connection of every worker.
 */
#include "engine/tlskey.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "engine/transport.h"

typedef struct {
    const char *password; /* NULL: none was given */
    int asked;            /* the key is encrypted: OpenSSL asked for its pass phrase */
} pass_t;

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
    pass_t *p = u;
    (void)rwflag;
    p->asked = 1;
    if (p->password == NULL)
        return -1; /* fail, never read the terminal */
    size_t len = strlen(p->password);
    if (len > (size_t)size)
        return -1;
    memcpy(buf, p->password, len);
    return (int)len;
}

/* OpenSSL's last error, for a message. */
static const char *ssl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r != NULL ? r : "no PEM data";
}

static int check_pair(const sl_config_t *cfg, const char *password, char *err, size_t errlen)
{
    const char *key_file = cfg->key != NULL ? cfg->key : cfg->cert;
    const char *key_flag = cfg->key != NULL ? "--key" : "--cert";
    int rc = -1;
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    /* an encrypted PEM block asks for a pass phrase whatever it holds: the callback, never
     * OpenSSL's prompt (libcurl decrypts a certificate with the key's password too) */
    pass_t pass = {.password = password};
    BIO *b = BIO_new_file(cfg->cert, "r");
    if (b != NULL)
        cert = PEM_read_bio_X509(b, NULL, pass_cb, &pass);
    if (cert == NULL) {
        if (pass.asked && password == NULL)
            snprintf(err, errlen,
                     "--cert %s: the certificate is encrypted: give its password with "
                     "--key-password-file FILE or --key-password-env NAME",
                     cfg->cert);
        else
            snprintf(err, errlen, "--cert %s: no PEM certificate in it (%s)", cfg->cert,
                     ssl_reason());
        goto Done;
    }
    BIO_free(b);
    ERR_clear_error();
    pass.asked = 0;
    if ((b = BIO_new_file(key_file, "r")) != NULL)
        key = PEM_read_bio_PrivateKey(b, NULL, pass_cb, &pass);
    if (key == NULL) {
        if (pass.asked && password == NULL)
            snprintf(err, errlen,
                     "%s %s: the key is encrypted: give its password with --key-password-file "
                     "FILE or --key-password-env NAME",
                     key_flag, key_file);
        else if (pass.asked)
            snprintf(err, errlen, "%s %s: the key cannot be decrypted with the password of %s",
                     key_flag, key_file,
                     cfg->key_password_file != NULL ? "--key-password-file" : "--key-password-env");
        else if (cfg->key == NULL)
            snprintf(err, errlen, "--cert %s holds no private key: give it with --key FILE",
                     cfg->cert);
        else
            snprintf(err, errlen, "--key %s: no PEM private key in it (%s)", key_file,
                     ssl_reason());
        goto Done;
    }
    if (X509_check_private_key(cert, key) != 1) {
        snprintf(err, errlen, "%s %s is not the key of the certificate in --cert %s", key_flag,
                 key_file, cfg->cert);
        goto Done;
    }
    rc = 0;
Done:
    BIO_free(b);
    X509_free(cert);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return rc;
}

/* --cacert: its blocks read as OpenSSL reads a CA file, with the callback where OpenSSL would
 * ask for a pass phrase (an encrypted certificate block: OpenSSL 1.1 prompts on the terminal,
 * 3.0 tries an empty one; libcurl then fails every request as tls). */
static int check_cacert(const sl_config_t *cfg, char *err, size_t errlen)
{
    pass_t pass = {.password = NULL};
    BIO *b = BIO_new_file(cfg->cacert, "r");
    STACK_OF(X509_INFO) *info = b != NULL ? PEM_X509_INFO_read_bio(b, NULL, pass_cb, &pass) : NULL;
    int certs = 0;
    for (int i = 0; info != NULL && i < sk_X509_INFO_num(info); i++)
        certs += sk_X509_INFO_value(info, i)->x509 != NULL;
    if (pass.asked)
        snprintf(err, errlen,
                 "--cacert %s: it holds an encrypted PEM block (OpenSSL would ask for its pass "
                 "phrase); a CA file holds the CA certificates as they are, PEM, not encrypted",
                 cfg->cacert);
    else if (certs == 0)
        snprintf(err, errlen, "--cacert %s: no PEM certificate in it (%s)", cfg->cacert,
                 info == NULL ? ssl_reason() : "no CERTIFICATE block");
    sk_X509_INFO_pop_free(info, X509_INFO_free);
    BIO_free(b);
    ERR_clear_error();
    return !pass.asked && certs > 0 ? 0 : -1;
}

int sl_tlskey_check(const sl_config_t *cfg, char *err, size_t errlen)
{
    if (cfg->cacert != NULL && check_cacert(cfg, err, errlen) != 0)
        return -1;
    if (cfg->cert == NULL)
        return 0;
    sl_transport_t t;
    if (sl_transport_open(&t, cfg, err, errlen) != 0) {
        sl_transport_close(&t);
        return -1;
    }
    int rc = check_pair(cfg, t.key_password, err, errlen);
    sl_transport_close(&t);
    return rc;
}
