/*
 * wsse_decrypt: decrypting the XML Encryption parts of a SOAP message (a Body encrypted as
 * WS-Security does it: EncryptedData with an RSA-OAEP EncryptedKey) with the recipient's
 * private key, by xmlsec: soapload-mock's --wsse-decrypt-key, and soapload's responses
 * encrypted to its signing key.
 */
#ifndef SOAPLOAD_WSSE_DECRYPT_H
#define SOAPLOAD_WSSE_DECRYPT_H

#include <stddef.h>

#include "core/buf.h"

typedef struct sl_wsse_decrypter sl_wsse_decrypter_t;

/** Loads the private key at key_path, PEM or PKCS#12, with password (NULL: none); flag names
 * the option in err. Acquires xmlsec. Returns NULL with err. */
sl_wsse_decrypter_t *sl_wsse_decrypt_open(const char *key_path, const char *password,
                                          const char *flag, char *err, size_t errlen);
/** Frees it and releases xmlsec. NULL is allowed. */
void sl_wsse_decrypt_close(sl_wsse_decrypter_t *d);

/** Decrypts every xenc:EncryptedData of the message doc and writes the message as it then is
 * into out; safe from several threads at once. Returns 1 when something was decrypted, 0 when
 * nothing was encrypted (out untouched), -1 with why when a part cannot be decrypted. */
int sl_wsse_decrypt(const sl_wsse_decrypter_t *d, const char *doc, size_t len, sl_buf_t *out,
                    char *why, size_t whylen);

#endif
