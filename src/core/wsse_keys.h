/*
 * wsse_keys: the keys and certificates of the WS-Security options, read and checked with
 * OpenSSL alone (no xmlsec: the parent uses it before it forks).
 */
#ifndef SOAPLOAD_WSSE_KEYS_H
#define SOAPLOAD_WSSE_KEYS_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>

#include "core/wsse_opts.h"

/** Loads the signing key and its certificate (PEM, or PKCS#12 with the certificate; pw is the
 * key's password, read by the caller from where o says, or NULL), checks that they match and what
 * algorithm they make (*alg, an SL_WSSE_ALG_* other than auto). The caller frees both. Returns 0,
 * or -1 with err naming the problem. */
int sl_wsse_keys_load(const sl_wsse_opts_t *o, const char *pw, EVP_PKEY **pkey, X509 **cert,
                      int *alg, char *err, size_t errlen);

/** The parent's check before anything is sent: the signing key and certificate as above,
 * (pw as above), --wsse-verify-cert and --wsse-encrypt-cert (an RSA key) readable as certificates.
 * Sets o->alg from the key when it is "auto". Returns 0, or -1 with the problem in err. */
int sl_wsse_keys_check(sl_wsse_opts_t *o, const char *pw, char *err, size_t errlen);

#endif
