/*
 * wsse_rewrite: each request's envelope rewritten before it is sent: the WS-Addressing headers
 * (--wsa, engine/wsa.c), the WS-Security X.509 signature (--wsse-sign-key, core/wsse_sign.c)
 * over them, the Body, the Timestamp and the header parts the script names (wsse_sign_parts),
 * then the Body's encryption (--wsse-encrypt-cert, core/wsse_encrypt.c). The key is loaded once
 * per worker, its password read here; each request is parsed, rewritten and written out again,
 * so the signature covers exactly the bytes sent.
 */
#ifndef SOAPLOAD_WSSE_REWRITE_H
#define SOAPLOAD_WSSE_REWRITE_H

#include <stddef.h>

#include "core/config.h"
#include "core/wsse_opts.h"
#include "engine/request.h"

typedef struct sl_wsse_rewriter sl_wsse_rewriter_t;

/** The parent's check of the WS-Security files before anything is sent (core/wsse_keys.h's,
 * with the key's password read from where o says). Sets o->alg from the key when it is "auto".
 * Returns 0, or -1 with err. */
int sl_wsse_rewrite_check(sl_wsse_opts_t *o, char *err, size_t errlen);

/** Initialises libxml2 and xmlsec in this process (a worker, after fork) and loads the key
 * when cfg signs; cfg (its --wsa settings and the signed parts) must outlive the rewriter.
 * Returns a rewriter the caller closes, or NULL with err. */
sl_wsse_rewriter_t *sl_wsse_rewrite_open(const sl_config_t *cfg, char *err, size_t errlen);
/** Frees the rewriter and releases xmlsec. NULL is allowed. */
void sl_wsse_rewrite_close(sl_wsse_rewriter_t *rw);

/** Rewrites req's body in place: WS-Addressing headers (--wsa), the signature
 * (--wsse-sign-key), then the Body's encryption (--wsse-encrypt-cert). request()'s string is let go
 * and the new body becomes the request's own buffer. Returns 0, or -1 with err (the body is no SOAP
 * envelope, a part to sign is missing, or xmlsec failed). */
int sl_wsse_rewrite_request(sl_wsse_rewriter_t *rw, sl_request_t *req, char *err, size_t errlen);

#endif
