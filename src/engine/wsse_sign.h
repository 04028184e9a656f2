/*
 * wsse_sign: signing every request with an X.509 key (OASIS WS-Security SOAP Message Security
 * 1.1, X.509 Token Profile 1.1): a wsse:Security header with a BinarySecurityToken, a Timestamp
 * and a ds:Signature over the Body and the Timestamp (exclusive C14N), made by libxmlsec1 on
 * libxml2 and OpenSSL. The key and certificate are loaded once per worker; each request is
 * parsed, signed and written out again, so the signature covers exactly the bytes sent. With
 * --wsa the same pass adds the WS-Addressing headers (engine/wsa.c), signed with the rest, and
 * with --wsse-encrypt-cert it encrypts the Body after signing.
 */
#ifndef SOAPLOAD_WSSE_SIGN_H
#define SOAPLOAD_WSSE_SIGN_H

#include <stddef.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/wsse_opts.h"
#include "engine/script.h"

typedef struct sl_wsse_signer sl_wsse_signer_t;

/** Initialises libxml2 and xmlsec in this process (a worker, after fork) and loads the key
 * when cfg signs; cfg (its --wsa settings) must outlive the signer. Returns a signer the caller
 * closes, or NULL with err. */
sl_wsse_signer_t *sl_wsse_sign_open(const sl_config_t *cfg, char *err, size_t errlen);
/** Frees the signer and releases xmlsec. NULL is allowed. */
void sl_wsse_sign_close(sl_wsse_signer_t *sg);

/** Rewrites req's body in place: WS-Addressing headers (--wsa), the signature
 * (--wsse-sign-key), then the Body's encryption (--wsse-encrypt-cert). request()'s string is let go
 * and the new body becomes the request's own buffer. Returns 0, or -1 with err (the body is no SOAP
 * envelope, or xmlsec failed). */
int sl_wsse_sign_request(sl_wsse_signer_t *sg, sl_script_t *script, sl_request_t *req, char *err,
                         size_t errlen);

#endif
