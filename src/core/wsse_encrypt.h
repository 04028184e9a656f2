/*
 * wsse_encrypt: a request's Body encrypted the WS-Security way (SOAP Message Security 1.1 and the
 * X.509 Token Profile, as WSS4J, CXF and WCF expect it): the Body's content in an
 * xenc:EncryptedData (Type Content, AES-256-GCM or AES-128-CBC under a fresh session key), and in
 * the wsse:Security header an xenc:EncryptedKey holding that key under RSA-OAEP to the
 * recipient's certificate (named by issuer and serial) with an xenc:ReferenceList pointing at
 * the EncryptedData.
 */
#ifndef SOAPLOAD_WSSE_ENCRYPT_H
#define SOAPLOAD_WSSE_ENCRYPT_H

#include <stddef.h>

#include <libxml/tree.h>

typedef struct sl_wsse_encrypter sl_wsse_encrypter_t;

/** Reads the recipient's PEM certificate (its key must be RSA); alg is an SL_WSSE_ENC_*.
 * Returns an encrypter the caller closes, or NULL with err. */
sl_wsse_encrypter_t *sl_wsse_encrypt_open(const char *cert_path, int alg, char *err, size_t errlen);
/** Frees it. NULL is allowed. */
void sl_wsse_encrypt_close(sl_wsse_encrypter_t *e);

/** Encrypts body's content in doc and puts the EncryptedKey first in sec, the wsse:Security
 * header: prepended, as WS-Security asks, so that a receiver processing the header in order
 * decrypts before it verifies a signature made before the encryption. Returns 0, or -1 with
 * err. */
int sl_wsse_encrypt_body(sl_wsse_encrypter_t *e, xmlDocPtr doc, xmlNodePtr sec, xmlNodePtr body,
                         char *err, size_t errlen);

#endif
