/*
 * wsse_sig: the mock's check of a request's WS-Security X.509 signature (OASIS SOAP Message
 * Security 1.1): a ds:Signature in the wsse:Security header that covers the Body and the
 * Timestamp (by wsu:Id), verified by xmlsec with the public key of a certificate given on the
 * command line, and a Timestamp that has not expired.
 */
#ifndef SOAPLOAD_MOCK_WSSE_SIG_H
#define SOAPLOAD_MOCK_WSSE_SIG_H

#include <stddef.h>
#include <time.h>

typedef enum {
    SL_SIG_VALID,
    SL_SIG_INVALID, /* a signature that does not verify or does not cover Body and Timestamp */
    SL_SIG_MISSING, /* no wsse:Security header with a ds:Signature */
    SL_SIG_EXPIRED, /* the Timestamp's Expires has passed, or Created lies ahead */
    SL_SIG_COUNT
} sl_sig_result_t;

typedef struct sl_sig_verifier sl_sig_verifier_t;

/** Initialises libxml2 and xmlsec (before any server thread starts) and loads the public key
 * of the certificate in cert_path (PEM). max_ahead_s: how far Created may lie ahead of the
 * clock. Returns NULL with err. */
sl_sig_verifier_t *sl_sig_open(const char *cert_path, double max_ahead_s, char *err, size_t errlen);
/** Frees it. NULL is allowed. */
void sl_sig_close(sl_sig_verifier_t *v);

/** Checks the signature of the SOAP message doc at time now; safe from several threads at once.
 * Writes the reason of anything but SL_SIG_VALID into why. */
sl_sig_result_t sl_sig_verify(const sl_sig_verifier_t *v, const char *doc, size_t len, double now,
                              char *why, size_t whylen);

/** The wsse fault code of a result other than SL_SIG_VALID. */
const char *sl_sig_fault_code(sl_sig_result_t r);

/** The result's name in /stats ("valid", "invalid", "missing", "expired"). */
const char *sl_sig_name(sl_sig_result_t r);

#endif
