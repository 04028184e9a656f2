/*
 * concurrency: what proves that requests really left in parallel. From one record per request
 * (when it was written, when it ended, on which connection of which worker) it derives the
 * exact number of requests in flight over time, the share of requests sent while another was
 * in flight, and the tightest bursts.
 *
 * A burst is real concurrency: at least min_requests requests on distinct connections, from at
 * least min_workers worker processes, all in flight together at one instant (the last of them
 * was sent before the first of them ended), their sends within SL_BURST_WINDOW_NS, and, in the
 * open model, due within SL_BURST_WINDOW_NS of each other by the schedule. Requests spread over
 * more than the window, sent one after another's end, or due apart and sent together only
 * because a worker stalled and then caught up, are no burst.
 */
#ifndef SOAPLOAD_CONCURRENCY_H
#define SOAPLOAD_CONCURRENCY_H

#include <stddef.h>
#include <stdint.h>

#include "core/profile.h"

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
#define SL_BURST_WINDOW_NS 1000000ULL /* a burst's sends (and due times) lie within 1 ms */

/* What makes a burst. */
typedef struct {
    int min_requests; /* at least this many requests, on distinct connections */
    int min_workers;  /* from at least this many workers */
    double rate;      /* open model: the schedule's rate; 0: closed model, nothing is due */
    int burst;        /* open model: requests due together (1: uniform) */
    int nworkers;     /* open model: the workers that share the schedule */
    const sl_profile_t *profile; /* open model with stages or a ramp: due times from it */
} sl_burst_rule_t;

typedef struct {
    uint64_t span_ns;      /* from the burst's first send to its last */
    uint64_t last_sent_ns; /* its last send */
    size_t count;          /* requests in the burst, at most SL_BURST_MAX_REQUESTS kept */
    sl_sendrec_t requests[SL_BURST_MAX_REQUESTS]; /* in send order */
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

/** Analyzes n records (reordered in place). t0 is the run's start (of the schedule, in the open
 * model: worker w's request seq is due at t0 + the offset of its global index). Returns 0, or
 * -1 when out of memory. Free with sl_concurrency_free. */
int sl_concurrency_analyze(sl_sendrec_t *recs, size_t n, uint64_t t0, const sl_burst_rule_t *rule,
                           sl_concurrency_t *out);
void sl_concurrency_free(sl_concurrency_t *c);

#endif
