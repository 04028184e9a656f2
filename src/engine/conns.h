/*
 * conns: how a worker's sent requests found their connection: opened for them or reused, the
 * TLS handshake time of each new connection, and (with a trace) each request's connection
 * number and stream. From libcurl's transfer info, read when libcurl is about to write.
 */
#ifndef SOAPLOAD_CONNS_H
#define SOAPLOAD_CONNS_H

#include <curl/curl.h>
#include <stdint.h>

#include "core/hist.h"
#include "engine/board.h"
#include "engine/proto.h"

typedef struct {
    sl_msg_conns_t counts;
    sl_hist_t *handshake; /* us, from the TCP connect to the end of the TLS handshake */
    uint32_t *port_conn;  /* with a trace: the connection number on each local port, and */
    uint32_t *port_sent;  /* the requests sent on it so far; NULL without a trace */
    uint32_t nconns;      /* connections opened so far */
} sl_conns_t;

/** Allocates the handshake histogram and, when with_trace, the tables of the trace's
 * numbers. Returns 0 or -1 (out of memory). */
int sl_conns_init(sl_conns_t *c, int with_trace);
/** Called when libcurl is about to write the request of easy handle e from local port `port`:
 * counts it as opened or reused, records a new connection's TLS handshake, and numbers its
 * connection and its place on it into *tc (left zero without a trace). */
void sl_conns_sent(sl_conns_t *c, CURL *e, int port, sl_trace_conn_t *tc);
/** The fast path's sl_conns_sent (engine/h1conn.h): opened says whether the connection was
 * opened for this request. */
void sl_conns_sent_fast(sl_conns_t *c, int port, int opened, sl_trace_conn_t *tc);
/** Called when the request of e ended: a place on an HTTP/2 connection becomes its stream ID
 * (the client's streams are odd and opened in the order libcurl writes the requests). */
void sl_conns_done(CURL *e, sl_trace_conn_t *tc);
/** Sends SL_MSG_CONNS with the counts and the encoded histogram. Returns 0 or -1. */
int sl_conns_report(const sl_conns_t *c, int fd);
/** Frees what sl_conns_init allocated. */
void sl_conns_free(sl_conns_t *c);

#endif
