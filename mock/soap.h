/*
 * soap: the mock's request/response contract, free of any server code. Given the media type
 * and body of a POST, it decides the SOAP answer: an echo of the request ID, or a Fault of the
 * right version with the HTTP status the SOAP 1.1/1.2 bindings prescribe.
 */
#ifndef SOAPLOAD_MOCK_SOAP_H
#define SOAPLOAD_MOCK_SOAP_H

#include <stddef.h>

#include "core/soapns.h"
#include "core/xml.h"
#include "ops.h"

#define SL_ECHO_NS "urn:soapload:echo"
#define SL_SESSION_NS "urn:soapload:session"
#define SL_SOAP_MAX_ID 256 /* longest request ID accepted, in bytes */
#define SL_SOAP_REPLY_CAP (2048 + 6 * SL_SOAP_MAX_ID)

typedef enum {
    SL_SOAP_ECHO,           /* 200, the ID echoed */
    SL_SOAP_FAULT_CLIENT,   /* the sender's mistake: malformed XML, no ID, DTD */
    SL_SOAP_FAULT_VERSION,  /* the envelope's namespace is not the content type's version */
    SL_SOAP_FAULT_INJECTED, /* a Server/Receiver fault asked for by --fault-rate */
    SL_SOAP_BAD_MEDIA_TYPE, /* 415: neither text/xml nor application/soap+xml */
    SL_SOAP_FAULT_SECURITY, /* a WS-Security fault: the UsernameToken was refused */
    SL_SOAP_FAULT_TRIGGER,  /* a Client/Sender fault asked for by --fault-when */
    SL_SOAP_FAULT_SESSION   /* --sessions: a Client/Sender fault for a refused login or token */
} sl_soap_outcome_t;

typedef struct {
    sl_soap_outcome_t outcome;
    int version; /* 11 or 12; 0 when the media type was not SOAP */
    int status;
    const char *reason;
    const char *content_type;
    size_t body_len; /* bytes written to the caller's reply buffer */
    char id[SL_SOAP_MAX_ID + 1];
    size_t id_len; /* 0 when no ID was found */
} sl_soap_reply_t;

/** Answers one SOAP POST. `id_name` is the local name of the element that carries the ID;
 * `ops` (NULL: the echo operation) the operations of a user's WSDL: the request's Body must
 * then call one of them, Op, and the answer is an OpResponse in Op's namespace carrying the ID;
 * `inject_fault` turns a valid request into a Server/Receiver fault (the ID is still read).
 * Writes the response body into reply_buf (SL_SOAP_REPLY_CAP bytes). */
void sl_soap_answer(const char *media_type, size_t media_type_len, const char *body, size_t len,
                    sl_span_t id_name, const sl_ops_t *ops, int inject_fault,
                    sl_soap_reply_t *reply, char *reply_buf);

/** Turns `reply` (whose version and ID sl_soap_answer set) into a WS-Security fault: SOAP 1.1
 * faultcode wsse:`wsse_code` (HTTP 500), SOAP 1.2 Sender with Subcode wsse:`wsse_code` (400). */
void sl_soap_security_fault(sl_soap_reply_t *r, char *reply_buf, const char *wsse_code,
                            const char *text, sl_span_t id_name);

/** Turns `reply` (whose version and ID sl_soap_answer set) into the Client (SOAP 1.1, HTTP 500)
 * or Sender (SOAP 1.2, HTTP 400) fault of a --fault-when trigger, its faultstring naming the
 * trigger: "fault triggered by NAME=VALUE (--fault-when)". */
void sl_soap_trigger_fault(sl_soap_reply_t *r, char *reply_buf, const sl_ops_trigger_t *trigger,
                           sl_span_t id_name);

/** Turns `reply` (whose version and ID sl_soap_answer set) into the Client (SOAP 1.1, HTTP 500)
 * or Sender (SOAP 1.2, HTTP 400) fault of --sessions, its faultstring `text`. */
void sl_soap_session_fault(sl_soap_reply_t *r, char *reply_buf, const char *text,
                           sl_span_t id_name);

/** Turns `reply` (whose version and ID sl_soap_answer set) into the answer of a session
 * operation `op` ("Login", "Logout"): <s:OpResponse xmlns:s="urn:soapload:session"> holding
 * <s:Token> when `token` is not NULL, then the ID element. */
void sl_soap_session_answer(sl_soap_reply_t *r, char *reply_buf, const char *op, const char *token,
                            sl_span_t id_name);

/** Writes the WSDL of the echo operation for `url` (the endpoint's address) into buf.
 * Returns the length, or 0 when cap is too small. */
size_t sl_soap_wsdl(const char *url, sl_span_t id_name, char *buf, size_t cap);

#endif
