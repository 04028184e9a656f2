/*
 * proto: the messages a worker sends its parent over a pipe, framed as
 * {u32 type, u32 length, payload}. Both ends run on one machine: host byte order.
 */
#ifndef SOAPLOAD_PROTO_H
#define SOAPLOAD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/counts.h"

enum {
    SL_MSG_READY = 1,    /* the script loaded and init() ran: waiting for the start time */
    SL_MSG_FAILED,       /* could not start: payload is the message */
    SL_MSG_SCRIPT_ERROR, /* the first script error of this worker: payload is the traceback */
    SL_MSG_INTERVAL,     /* sl_msg_interval_t, then the second's encoded latency, service */
    SL_MSG_FINAL,        /* sl_msg_final_t, then the encoded latency, service, lateness */
    SL_MSG_REASONS,      /* sl_reasons_t (core/reasons.h): why requests failed; before FINAL */
    SL_MSG_OPS,          /* per-operation results (core/opstats.h encoding); before FINAL */
    SL_MSG_CONNS,        /* sl_msg_conns_t, then the encoded TLS handshake times; before FINAL */
    SL_MSG_TAGS,         /* per-tag-value results (core/tags.h encoding); before FINAL */
    SL_MSG_OPSERIES,     /* per-operation latency over time (core/opseries.h); before FINAL */
    SL_MSG_FLOWS,        /* per-flow results (core/flow.h encoding); before FINAL */
    SL_MSG_VALIDATION    /* sl_validate_stats_t (engine/validate.h); before FINAL */
};

/* How the sent requests found their connection (CURLINFO_NUM_CONNECTS at the send). */
typedef struct {
    uint64_t opened; /* requests that opened a new connection */
    uint64_t reused; /* requests sent on a connection already open */
    uint64_t fast;   /* requests written by the fast path (engine/h1conn.h) */
    uint64_t full;   /* requests written by libcurl */
} sl_msg_conns_t;

typedef struct {
    uint64_t second;        /* 0 for the first second after the start */
    sl_counts_t counts;     /* what happened in that second */
    uint64_t in_flight_max; /* most requests in flight at once in that second */
} sl_msg_interval_t;

typedef struct {
    sl_counts_t counts;
    uint64_t max_in_flight;
    uint64_t last_seq; /* sequence numbers 1..last_seq were all used */
} sl_msg_final_t;

/** Writes one message (a, then b, as its payload) to a blocking fd. Returns 0 or -1. */
int sl_proto_send(int fd, uint32_t type, const void *a, size_t alen, const void *b, size_t blen);

typedef struct {
    sl_buf_t buf;
    size_t off; /* start of the first unconsumed byte */
} sl_proto_reader_t;

/** Reads what a non-blocking fd has. Returns 1 when data came, 0 when none is ready, -1 at
 * end of file or on an error. */
int sl_proto_fill(sl_proto_reader_t *r, int fd);
/** Takes the next whole message, if any: returns 1 and points *payload into the reader's
 * buffer (valid until the next fill), else 0. */
int sl_proto_next(sl_proto_reader_t *r, uint32_t *type, const uint8_t **payload, uint32_t *len);

#endif
