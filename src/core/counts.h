/*
 * counts: the accounting of a run. Every scheduled request ends in exactly one place:
 *   scheduled = sent + not_sent + failed_before_send + script_errors_before_send
 *   sent      = the sum of results[] (ok, expected_fault, each failure kind, cancelled)
 * "sent" means written to a socket: libcurl began writing the request. A request handed to
 * libcurl that failed before any byte was written (connect refused, DNS, TLS handshake, a
 * timeout or a cancel while connecting) is counted, by kind, in before_send[].
 * Workers keep one, the parent adds them up, the report states both equations.
 */
#ifndef SOAPLOAD_COUNTS_H
#define SOAPLOAD_COUNTS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    SL_R_OK,
    /* a SOAP Fault that the script's response hook declared expected: a success */
    SL_R_EXPECTED_FAULT,
    SL_R_HTTP_STATUS,  /* a response whose status is not 2xx (and that is no SOAP Fault) */
    SL_R_SOAP_FAULT,   /* a response holding a SOAP Fault */
    SL_R_ID_MISMATCH,  /* a well-formed response that does not echo the request's ID */
    SL_R_MALFORMED,    /* a 2xx response whose body is not well-formed XML */
    SL_R_CHECK_FAILED, /* the script's response() hook marked it failed */
    SL_R_SIGNATURE,    /* --wsse-verify-cert: the response's signature is bad or missing */
    SL_R_SCHEMA,       /* --validate schema: the body breaks the schema (--schema) */
    SL_R_SCRIPT_ERROR, /* the script's response() hook raised an error */
    SL_R_CONNECT,      /* could not connect */
    SL_R_TIMEOUT,      /* no complete response within the timeout */
    SL_R_WRITE,        /* the request could not be sent whole */
    SL_R_READ,         /* the connection failed while reading the response */
    SL_R_TRUNCATED,    /* the response ended before its announced length */
    SL_R_PROTOCOL,     /* not a valid HTTP response */
    SL_R_TOO_LARGE,    /* the response body exceeded --max-body */
    SL_R_TLS,          /* the TLS handshake or the server's certificate failed */
    SL_R_OTHER,        /* any other transport error */
    SL_R_CANCELLED,    /* still in flight when the run ended or was interrupted */
    SL_R_WORKER_DIED,  /* sent by a worker that died before it reported how it ended */
    SL_R_COUNT
} sl_result_t;

typedef struct {
    uint64_t scheduled;
    uint64_t sent;                       /* written to a socket */
    uint64_t not_sent;                   /* due but never sent: the client fell behind */
    uint64_t script_errors_before_send;  /* request() raised an error: nothing was sent */
    uint64_t results[SL_R_COUNT];        /* how each sent request ended */
    uint64_t before_send[SL_R_COUNT];    /* failed before any byte was written, by kind */
    uint64_t retried;                    /* resends that libcurl attempted and soapload refused */
    uint64_t bytes_sent, bytes_received; /* request and response bodies */
    uint64_t wsse_signed;                /* requests signed (--wsse-sign-key) */
    uint64_t wsse_sign_cpu_ns;           /* the worker's CPU time spent signing them */
} sl_counts_t;

/** Adds src into dst. */
void sl_counts_add(sl_counts_t *dst, const sl_counts_t *src);
/** Requests that were sent and did not end well (every result but ok and expected_fault). */
uint64_t sl_counts_failed(const sl_counts_t *c);
/** Requests that ended well: ok and expected_fault. */
uint64_t sl_counts_succeeded(const sl_counts_t *c);
/** Requests that failed before any byte was written (the sum of before_send[]). */
uint64_t sl_counts_failed_before_send(const sl_counts_t *c);
/** Adds src into dst unless a sum would pass 2^64 - 1. Returns 0, or -1 (dst unchanged). */
int sl_counts_add_checked(sl_counts_t *dst, const sl_counts_t *src);
/** The name of the first count that differs between a and b ("sent", "timeout"...), or NULL. */
const char *sl_counts_differ(const sl_counts_t *a, const sl_counts_t *b);
/** Checks both equations, their sums included (a sum past 2^64 - 1 is an error). Returns 0, or
 * -1 with the broken one written into err. */
int sl_counts_check(const sl_counts_t *c, char *err, size_t errlen);
/** The snake_case name of a result, as the summary and JSON print it. */
const char *sl_result_name(sl_result_t r);

#endif
