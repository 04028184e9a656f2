/*
 * wsse_keys: the signing key and certificate (and the other certificates of the WS-Security
 * options) read with OpenSSL: PEM or PKCS#12, the password from the environment or a file and
 * never prompted for (the caller reads it: engine/wsse_rewrite.c), the key checked against the
 * certificate and the algorithm. soapload's parent checks them before anything is sent; each
 * worker loads them once; soapload-mock loads them to sign its answers.
 */
#include "core/wsse_keys.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OpenSSL's password callback: the configured password, or none (OpenSSL's default callback
 * would prompt on the terminal). */
static int password_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *pw = u;
    if (pw == NULL)
        return 0;
    int n = (int)strlen(pw);
    if (n > size)
        n = size;
    memcpy(buf, pw, (size_t)n);
    return n;
}

/* Reads the whole file into a memory BIO; NULL with err. */
static BIO *read_file(const char *path, const char *flag, char *err, size_t errlen)
{
    BIO *f = BIO_new_file(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s %s: cannot open it", flag, path);
        return NULL;
    }
    BIO *mem = BIO_new(BIO_s_mem());
    char chunk[4096];
    int n;
    while (mem != NULL && (n = BIO_read(f, chunk, sizeof(chunk))) > 0)
        BIO_write(mem, chunk, n);
    BIO_free(f);
    if (mem == NULL)
        snprintf(err, errlen, "out of memory");
    return mem;
}

/* Whether the BIO's content starts (after white space) with a PEM line. */
static int is_pem(BIO *b)
{
    char *data;
    long n = BIO_get_mem_data(b, &data);
    long i = 0;
    while (i < n && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    return n - i >= 10 && memcmp(data + i, "-----BEGIN", 10) == 0;
}

/* The key (and with PKCS#12 the certificate) of o. Returns 0, or -1 with err. */
static int load_key(const sl_wsse_opts_t *o, const char *pw, EVP_PKEY **pkey, X509 **cert,
                    char *err, size_t errlen)
{
    BIO *b = read_file(o->key, "--wsse-sign-key", err, errlen);
    if (b == NULL)
        return -1;
    if (is_pem(b)) {
        char *data;
        long n = BIO_get_mem_data(b, &data);
        int encrypted = memmem(data, (size_t)n, "ENCRYPTED", 9) != NULL;
        *pkey = PEM_read_bio_PrivateKey(b, NULL, password_cb, (void *)pw);
        if (*pkey == NULL)
            snprintf(err, errlen, "--wsse-sign-key %s: %s", o->key,
                     encrypted && pw == NULL ? "the key is encrypted: give its password with "
                                               "--wsse-sign-key-password-env or -file"
                     : encrypted             ? "cannot decrypt the key: wrong password"
                                             : "no private key in this PEM file");
    } else {
        PKCS12 *p12 = d2i_PKCS12_bio(b, NULL);
        if (p12 == NULL) {
            snprintf(err, errlen, "--wsse-sign-key %s: neither a PEM key nor PKCS#12", o->key);
        } else if (!PKCS12_parse(p12, pw != NULL ? pw : "", pkey, cert, NULL)) {
            *pkey = NULL;
            snprintf(err, errlen, "--wsse-sign-key %s: cannot open the PKCS#12 file: %s", o->key,
                     pw == NULL ? "it needs a password (--wsse-sign-key-password-env or -file)"
                                : "wrong password");
        }
        PKCS12_free(p12);
    }
    BIO_free(b);
    ERR_clear_error();
    return *pkey != NULL ? 0 : -1;
}

static X509 *load_cert(const char *path, const char *flag, char *err, size_t errlen)
{
    BIO *b = read_file(path, flag, err, errlen);
    if (b == NULL)
        return NULL;
    X509 *c = is_pem(b) ? PEM_read_bio_X509(b, NULL, password_cb, NULL) : d2i_X509_bio(b, NULL);
    BIO_free(b);
    ERR_clear_error();
    if (c == NULL)
        snprintf(err, errlen, "%s %s: no X.509 certificate in it (PEM or DER)", flag, path);
    return c;
}

int sl_wsse_keys_load(const sl_wsse_opts_t *o, const char *pw, EVP_PKEY **pkey, X509 **cert,
                      int *alg, char *err, size_t errlen)
{
    *pkey = NULL;
    *cert = NULL;
    if (load_key(o, pw, pkey, cert, err, errlen) != 0)
        goto Error;
    if (o->cert != NULL) { /* the given certificate wins over a PKCS#12 file's */
        X509_free(*cert);
        if ((*cert = load_cert(o->cert, "--wsse-sign-cert", err, errlen)) == NULL)
            goto Error;
    }
    if (*cert == NULL) {
        snprintf(err, errlen,
                 "--wsse-sign-key %s holds no certificate: give it with --wsse-sign-cert", o->key);
        goto Error;
    }
    if (X509_check_private_key(*cert, *pkey) != 1) {
        ERR_clear_error();
        snprintf(err, errlen, "--wsse-sign-key %s does not match the certificate %s", o->key,
                 o->cert != NULL ? o->cert : "in it");
        goto Error;
    }
    int type = EVP_PKEY_base_id(*pkey);
    *alg = o->alg != SL_WSSE_ALG_AUTO ? o->alg
           : type == EVP_PKEY_EC      ? SL_WSSE_ALG_ECDSA_SHA256
                                      : SL_WSSE_ALG_RSA_SHA256;
    if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC) {
        snprintf(err, errlen, "--wsse-sign-key %s: an RSA or EC key is needed", o->key);
        goto Error;
    }
    if ((type == EVP_PKEY_EC) != (*alg == SL_WSSE_ALG_ECDSA_SHA256)) {
        snprintf(err, errlen, "--wsse-sign-alg %s needs an %s key; %s holds an %s key",
                 *alg == SL_WSSE_ALG_ECDSA_SHA256 ? "ecdsa-sha256"
                 : *alg == SL_WSSE_ALG_RSA_SHA1   ? "rsa-sha1"
                                                  : "rsa-sha256",
                 type == EVP_PKEY_EC ? "RSA" : "EC", o->key, type == EVP_PKEY_EC ? "EC" : "RSA");
        goto Error;
    }
    if (o->key_ref == SL_WSSE_REF_SKI && X509_get0_subject_key_id(*cert) == NULL) {
        snprintf(err, errlen, "--wsse-key-ref ski: the certificate has no subject key identifier");
        goto Error;
    }
    return 0;
Error:
    EVP_PKEY_free(*pkey);
    X509_free(*cert);
    *pkey = NULL;
    *cert = NULL;
    return -1;
}

int sl_wsse_keys_check(sl_wsse_opts_t *o, const char *pw, char *err, size_t errlen)
{
    EVP_PKEY *pkey;
    X509 *cert;
    int alg;
    if (o->verify_cert != NULL) {
        if ((cert = load_cert(o->verify_cert, "--wsse-verify-cert", err, errlen)) == NULL)
            return -1;
        X509_free(cert);
    }
    if (o->verify_ca != NULL) {
        if ((cert = load_cert(o->verify_ca, "--wsse-verify-ca", err, errlen)) == NULL)
            return -1;
        X509_free(cert);
    }
    if (o->encrypt_cert != NULL) { /* RSA-OAEP key transport needs an RSA key */
        if ((cert = load_cert(o->encrypt_cert, "--wsse-encrypt-cert", err, errlen)) == NULL)
            return -1;
        int rsa = X509_get0_pubkey(cert) != NULL &&
                  EVP_PKEY_base_id(X509_get0_pubkey(cert)) == EVP_PKEY_RSA;
        X509_free(cert);
        if (!rsa) {
            snprintf(err, errlen,
                     "--wsse-encrypt-cert %s: the key transport (RSA-OAEP) needs an RSA key",
                     o->encrypt_cert);
            return -1;
        }
    }
    if (!sl_wsse_opts_signing(o))
        return 0;
    if (sl_wsse_keys_load(o, pw, &pkey, &cert, &alg, err, errlen) != 0)
        return -1;
    o->alg = alg; /* the summary names it; the workers find the same */
    EVP_PKEY_free(pkey);
    X509_free(cert);
    return 0;
}
