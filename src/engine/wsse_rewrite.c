/*
 * wsse_rewrite: each request's envelope parsed with libxml2, given its WS-Addressing headers,
 * signed (core/wsse_sign.c) and encrypted (core/wsse_encrypt.c), and written out again into a
 * buffer that trades places with the request's.
 */
#include "engine/wsse_rewrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "core/wsse_encrypt.h"
#include "core/wsse_keys.h"
#include "core/wsse_sign.h"
#include "core/wsse_verify.h"
#include "engine/transport.h"
#include "engine/wsa.h"

struct sl_wsse_rewriter {
    const sl_config_t *cfg;   /* the run's: --wsa and what its headers name */
    sl_wsse_signer_t *signer; /* --wsse-sign-key, or NULL */
    sl_wsse_encrypter_t *enc; /* --wsse-encrypt-cert, or NULL */
    sl_buf_t spare;           /* the rewritten body's buffer, traded with the request's */
    int xmlsec_held;          /* sl_xmlsec_acquire succeeded */
};

/* The key's password from where o says, as a new string the caller wipes and frees; *pw stays
 * NULL when there is none. Returns 0, or -1 with err. */
static int read_password(const sl_wsse_opts_t *o, char **pw, char *err, size_t errlen)
{
    *pw = NULL;
    if (o->key_password_env == NULL && o->key_password_file == NULL)
        return 0;
    *pw = sl_transport_read_secret(o->key_password_env, o->key_password_file,
                                   "--wsse-sign-key-password-env", "--wsse-sign-key-password-file",
                                   err, errlen);
    return *pw != NULL ? 0 : -1;
}

static void wipe_free(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

int sl_wsse_rewrite_check(sl_wsse_opts_t *o, char *err, size_t errlen)
{
    char *pw = NULL;
    if (sl_wsse_opts_signing(o) && read_password(o, &pw, err, errlen) != 0)
        return -1;
    int rc = sl_wsse_keys_check(o, pw, err, errlen);
    wipe_free(pw);
    return rc;
}

/* The signer of o's key. Returns it, or NULL with err. */
static sl_wsse_signer_t *open_signer(const sl_wsse_opts_t *o, char *err, size_t errlen)
{
    EVP_PKEY *pkey;
    X509 *cert;
    int alg;
    char *pw;
    if (read_password(o, &pw, err, errlen) != 0)
        return NULL;
    int rc = sl_wsse_keys_load(o, pw, &pkey, &cert, &alg, err, errlen);
    wipe_free(pw);
    if (rc != 0)
        return NULL;
    sl_wsse_signer_t *sg = sl_wsse_sign_open(pkey, cert, alg, o->key_ref, o->ttl_ns, err, errlen);
    X509_free(cert);
    return sg;
}

sl_wsse_rewriter_t *sl_wsse_rewrite_open(const sl_config_t *cfg, char *err, size_t errlen)
{
    const sl_wsse_opts_t *o = &cfg->wsse;
    sl_wsse_rewriter_t *rw = calloc(1, sizeof(*rw));
    if (rw == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    rw->cfg = cfg;
    if (sl_xmlsec_acquire() != 0) { /* libxml2 too, which --wsa alone needs */
        snprintf(err, errlen, "cannot initialise xmlsec");
        free(rw);
        return NULL;
    }
    rw->xmlsec_held = 1;
    if (sl_wsse_opts_signing(o) && (rw->signer = open_signer(o, err, errlen)) == NULL)
        goto Error;
    if (o->encrypt_cert != NULL &&
        (rw->enc = sl_wsse_encrypt_open(o->encrypt_cert, o->encrypt_alg, err, errlen)) == NULL)
        goto Error;
    return rw;
Error:
    sl_wsse_rewrite_close(rw);
    return NULL;
}

void sl_wsse_rewrite_close(sl_wsse_rewriter_t *rw)
{
    if (rw == NULL)
        return;
    sl_wsse_sign_close(rw->signer);
    sl_wsse_encrypt_close(rw->enc);
    sl_buf_free(&rw->spare);
    int held = rw->xmlsec_held;
    free(rw);
    if (held)
        sl_xmlsec_release();
}

/* The header elements the script asked to sign (wsse_sign_parts: "{ns}Local", "Local" in any
 * namespace, or "#Id", a wsu:Id) after the nfound already in out. Returns how many there are
 * then, or -1 with err naming a part the request lacks. */
static int script_parts(const sl_wsse_rewriter_t *rw, const sl_wsse_envelope_t *e, xmlNodePtr *out,
                        int nfound, int cap, char *err, size_t errlen)
{
    const sl_wsse_opts_t *o = &rw->cfg->wsse;
    for (int i = 0; i < o->nsign_parts; i++) {
        int n = sl_wsse_find_parts(e, o->sign_parts[i], out + nfound, cap - nfound);
        if (n == 0) {
            snprintf(err, errlen, "wsse_sign_parts: the request has no header %s to sign",
                     o->sign_parts[i]);
            return -1;
        }
        nfound += n;
    }
    return nfound;
}

/* Rewrites the envelope in `in` into out: WS-Addressing headers (--wsa), then the signature
 * (--wsse-sign-key), then the encryption. Returns 0, or -1 with why in err. */
static int rewrite(sl_wsse_rewriter_t *rw, const sl_request_t *req, const char *in, size_t len,
                   sl_buf_t *out, char *err, size_t errlen)
{
    int rc = -1, nextra = 0;
    xmlNodePtr extra[SL_WSA_HEADERS + SL_WSSE_MAX_PARTS];
    sl_wsse_envelope_t e;
    xmlDocPtr doc =
        len <= INT32_MAX ? xmlReadMemory(in, (int)len, NULL, NULL, XML_PARSE_NONET) : NULL;
    if (sl_wsse_envelope(doc, &e, err, errlen) != 0)
        goto Done;
    if (rw->cfg->wsse.wsa) {
        if (sl_wsa_add(doc, e.header, rw->cfg, req, extra) != 0) {
            snprintf(err, errlen, "wsa: out of memory");
            goto Done;
        }
        nextra = SL_WSA_HEADERS;
    }
    if (rw->signer != NULL &&
        ((nextra = script_parts(rw, &e, extra, nextra, (int)(sizeof(extra) / sizeof(extra[0])), err,
                                errlen)) < 0 ||
         sl_wsse_sign_doc(rw->signer, doc, &e, extra, nextra, err, errlen) != 0))
        goto Done;
    if (rw->enc != NULL &&
        sl_wsse_encrypt_body(rw->enc, doc, sl_wsse_security(doc, &e), e.body, err, errlen) != 0)
        goto Done;
    rc = sl_wsse_write_doc(doc, out, err, errlen);
Done:
    xmlFreeDoc(doc);
    return rc;
}

int sl_wsse_rewrite_request(sl_wsse_rewriter_t *rw, sl_request_t *req, char *err, size_t errlen)
{
    size_t len;
    const char *body = sl_request_body(req, &len);
    if (rewrite(rw, req, body, len, &rw->spare, err, errlen) != 0)
        return -1;
    sl_request_release_body(req);
    sl_buf_t t = req->body; /* the buffers trade places: no copy, both keep their room */
    req->body = rw->spare;
    rw->spare = t;
    return 0;
}
