/*
 * concurrency: what proves that requests really left in parallel. From one record per request
 * (when it was written, when it ended, on which connection of which worker) it derives the
 * exact number of requests in flight over time, the share of requests sent while another was
 * in flight, and the tightest bursts: the shortest windows holding requests from several
 * workers on distinct connections.
 */
#ifndef SOAPLOAD_CONCURRENCY_H
#define SOAPLOAD_CONCURRENCY_H

#include <stddef.h>
#include <stdint.h>

/* One request as a worker saw it; 32 bytes, written to the spool as they are. */
typedef struct {
    uint64_t sent_ns;   /* monotonic; 0: never written to a socket */
    uint64_t done_ns;   /* monotonic: response complete, failed or cancelled */
    uint64_t seq;       /* the worker's sequence number */
    uint16_t port;      /* local port of the connection */
    uint16_t worker;    /* 0-based worker index */
    uint32_t custom_id; /* 1: the script chose the ID (the engine keeps it on the side) */
} sl_sendrec_t;

#define SL_BURSTS_SHOWN 5
#define SL_BURST_MAX_REQUESTS 16

typedef struct {
    uint64_t span_ns; /* from the first send of the window to its last */
    size_t count;     /* requests in the window (at most SL_BURST_MAX_REQUESTS shown) */
    sl_sendrec_t requests[SL_BURST_MAX_REQUESTS];
} sl_burst_t;

typedef struct {
    uint64_t max; /* most requests in flight at once during that second */
    double mean;  /* time-weighted mean */
} sl_flight_second_t;

typedef struct {
    uint64_t sends;              /* records with a send time */
    uint64_t in_flight_max;      /* exact, across all workers */
    double in_flight_mean;       /* time-weighted, from the first send to the last end */
    uint64_t sent_while_busy;    /* sends that found at least one other request in flight */
    uint64_t connections;        /* distinct (worker, local port) pairs */
    sl_flight_second_t *seconds; /* nseconds entries, second 0 starting at t0 */
    size_t nseconds;
    sl_burst_t bursts[SL_BURSTS_SHOWN];
    int nbursts;
} sl_concurrency_t;

/** Analyzes n records (reordered in place). t0 is the run's start; a burst needs at least
 * min_requests requests on distinct connections from at least min_workers workers. Returns 0,
 * or -1 when out of memory. Free with sl_concurrency_free. */
int sl_concurrency_analyze(sl_sendrec_t *recs, size_t n, uint64_t t0, int min_requests,
                           int min_workers, sl_concurrency_t *out);
void sl_concurrency_free(sl_concurrency_t *c);

#endif
