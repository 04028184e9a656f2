/*
 * wsse_sign: the WS-Security X.509 signature of one SOAP message (OASIS WS-Security SOAP Message
 * Security 1.1, X.509 Token Profile 1.1): a wsse:Security header with a BinarySecurityToken (or
 * another key reference), a Timestamp and a ds:Signature over the Body, the Timestamp and any
 * further parts the caller names (exclusive C14N, RSA-SHA256, RSA-SHA1 or ECDSA-SHA256 by the
 * key), made by libxmlsec1 on libxml2 and OpenSSL. soapload's workers sign every request with it
 * (engine/wsse_rewrite.c), soapload-mock every answer. Also the envelope's parts that both need
 * (Header, Body, the Security block) and the document written back into a buffer.
 */
#ifndef SOAPLOAD_WSSE_SIGN_H
#define SOAPLOAD_WSSE_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/buf.h"

typedef struct sl_wsse_signer sl_wsse_signer_t;

/** The parts of a parsed SOAP 1.1 or 1.2 envelope. */
typedef struct {
    xmlNodePtr env, header, body; /* header: made (empty) when the envelope had none */
    int soap12;
} sl_wsse_envelope_t;

/** A signer for pkey (taken over: freed by the signer, also when this fails) with the
 * certificate cert (read, not kept); alg an SL_WSSE_ALG_* other than auto, key_ref an
 * SL_WSSE_REF_*, ttl_ns the Timestamp's lifetime. Acquires xmlsec (see core/wsse_verify.h).
 * Returns a signer the caller closes, or NULL with err. */
sl_wsse_signer_t *sl_wsse_sign_open(EVP_PKEY *pkey, X509 *cert, int alg, int key_ref,
                                    uint64_t ttl_ns, char *err, size_t errlen);
/** Frees the signer and releases xmlsec. NULL is allowed. */
void sl_wsse_sign_close(sl_wsse_signer_t *sg);

/** Finds the envelope's parts in doc, giving it a Header when it has none. Returns 0, or -1
 * with err (not a SOAP 1.1 or 1.2 Envelope, no Body). */
int sl_wsse_envelope(xmlDocPtr doc, sl_wsse_envelope_t *e, char *err, size_t errlen);
/** The envelope's wsse:Security header block, made (mustUnderstand) when missing. */
xmlNodePtr sl_wsse_security(xmlDocPtr doc, const sl_wsse_envelope_t *e);

/** The elements of e's Header (its children, the Security block aside) that part names:
 * "{namespace}LocalName", "LocalName" in any namespace, or "#Id", the one whose wsu:Id is Id;
 * at most cap into out. Returns how many. */
int sl_wsse_find_parts(const sl_wsse_envelope_t *e, const char *part, xmlNodePtr *out, int cap);

/** Signs the envelope e of doc: a Timestamp, the key's token and a ds:Signature over the Body,
 * the Timestamp and the nextra elements of extra (each given a wsu:Id unless it has one), in
 * the Security block. Returns 0, or -1 with err. */
int sl_wsse_sign_doc(sl_wsse_signer_t *sg, xmlDocPtr doc, const sl_wsse_envelope_t *e,
                     xmlNodePtr *extra, int nextra, char *err, size_t errlen);

/** Parses the SOAP message in (len bytes), signs it as sl_wsse_sign_doc does and writes it into
 * out (cleared first). Returns 0, or -1 with err. */
int sl_wsse_sign_text(sl_wsse_signer_t *sg, const char *in, size_t len, sl_buf_t *out, char *err,
                      size_t errlen);

/** Writes doc into out (cleared first), without an XML declaration. Returns 0, or -1 with err
 * (out of memory). */
int sl_wsse_write_doc(xmlDocPtr doc, sl_buf_t *out, char *err, size_t errlen);

#endif
