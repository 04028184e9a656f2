/*
 * wsse_verify: checking the WS-Security X.509 signature of a SOAP message (OASIS SOAP Message
 * Security 1.1) with xmlsec: a ds:Signature in the wsse:Security header that covers the Body
 * (and the Timestamp, when one is required or present) by wsu:Id, verified with the public key
 * of a given certificate, and a Timestamp that has not expired. Used by soapload-mock on
 * requests and by soapload on responses. Also the one place that starts and stops libxml2 and
 * xmlsec in a process (the signer shares it).
 */
#ifndef SOAPLOAD_WSSE_VERIFY_H
#define SOAPLOAD_WSSE_VERIFY_H

#include <stddef.h>

typedef enum {
    SL_WSSE_SIG_VALID,
    SL_WSSE_SIG_INVALID, /* does not verify, or does not cover what it must */
    SL_WSSE_SIG_MISSING, /* no wsse:Security header with a ds:Signature */
    SL_WSSE_SIG_EXPIRED, /* the Timestamp's Expires has passed, or Created lies ahead */
    SL_WSSE_SIG_COUNT
} sl_wsse_sig_t;

typedef struct sl_wsse_verifier sl_wsse_verifier_t;

/** Starts libxml2 and xmlsec in this process (counted: as many sl_xmlsec_release calls stop
 * them). Call before any thread uses them. Returns 0, or -1. */
int sl_xmlsec_acquire(void);
void sl_xmlsec_release(void);
/** xmlsec's last complaint on this thread ("" when none). */
const char *sl_xmlsec_last_error(void);

/** Loads the public key of the PEM certificate at cert_path (flag names the option in err).
 * need_timestamp: a signed Timestamp is required (else checked only when present);
 * max_ahead_s: how far Created may lie ahead of the clock. Acquires xmlsec. Returns NULL with
 * err. */
sl_wsse_verifier_t *sl_wsse_verify_open(const char *cert_path, const char *flag, int need_timestamp,
                                        double max_ahead_s, char *err, size_t errlen);
/** The same, verifying each message with the key of its own X.509 BinarySecurityToken, whose
 * certificate must chain to the PEM CA certificate(s) at ca_path. */
sl_wsse_verifier_t *sl_wsse_verify_open_ca(const char *ca_path, const char *flag,
                                           int need_timestamp, double max_ahead_s, char *err,
                                           size_t errlen);
/** Frees it and releases xmlsec. NULL is allowed. */
void sl_wsse_verify_close(sl_wsse_verifier_t *v);

/** Checks the signature of the SOAP message doc at time now (seconds since the epoch); safe
 * from several threads at once. Writes the reason of anything but SL_WSSE_SIG_VALID into why. */
sl_wsse_sig_t sl_wsse_verify(const sl_wsse_verifier_t *v, const char *doc, size_t len, double now,
                             char *why, size_t whylen);

/** The wsse fault code of a result other than SL_WSSE_SIG_VALID. */
const char *sl_wsse_verify_fault_code(sl_wsse_sig_t r);
/** The result's name ("valid", "invalid", "missing", "expired"). */
const char *sl_wsse_verify_name(sl_wsse_sig_t r);

#endif
