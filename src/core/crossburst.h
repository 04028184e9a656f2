/*
 * crossburst: the proof of concurrency across machines. From the requests of several
 * segments (each a process, perhaps on a machine of its own), put on one timeline, it finds
 * bursts: requests from at least two segments that were in flight together (the last of them
 * was sent before the first of them ended), sent within a window of each other, on distinct
 * connections, and due within the window of each other when their due times are known (so
 * that requests due apart and sent together only because one process stalled are no burst).
 */
#ifndef SOAPLOAD_CROSSBURST_H
#define SOAPLOAD_CROSSBURST_H

#include <stddef.h>
#include <stdint.h>

/* One request of one segment's trace; times in ns since the epoch on the common timeline. */
typedef struct {
    int64_t due_ns;  /* 0: not known (the closed model has no due times) */
    int64_t sent_ns; /* 0: never written to a socket */
    int64_t done_ns; /* 0: never ended */
    uint64_t ref;    /* the caller's: where to find the request's line again */
    int32_t pid;
    uint32_t conn;    /* the process's number of the connection (0: not known) */
    uint16_t port;    /* local port (0: not known) */
    uint16_t segment; /* S<I> */
} sl_xrec_t;

#define SL_XBURSTS_SHOWN 5
#define SL_XBURST_MAX_SHOWN 16    /* requests kept per listed burst */
#define SL_XBURST_MEMBERS_MAX 256 /* a burst is counted up to this many requests */

/* What makes a burst. */
typedef struct {
    int64_t window_ns; /* sends (and due times) within this of each other */
    int min_requests;  /* at least this many requests (>= 2) */
    int min_segments;  /* from at least this many segments (>= 2) */
} sl_xrule_t;

typedef struct {
    int64_t span_ns;                        /* from its first send to its last */
    size_t count;                           /* its requests */
    int segments;                           /* the distinct segments among them */
    size_t shown;                           /* requests kept below, at most SL_XBURST_MAX_SHOWN */
    sl_xrec_t members[SL_XBURST_MAX_SHOWN]; /* in send order */
} sl_xburst_t;

typedef struct {
    uint64_t sends;      /* requests that were sent and ended */
    int nsegments;       /* distinct segments among them */
    uint64_t bursts;     /* the most bursts that share no request and do not overlap in time */
    sl_xburst_t largest; /* the most requests in flight together in one window (count 0: none) */
    sl_xburst_t tightest[SL_XBURSTS_SHOWN]; /* the smallest bursts, tightest first, disjoint */
    int ntightest;
} sl_xproof_t;

/** Finds the bursts among n records (reordered in place) by rule. A smallest burst ends at a
 * send and holds the fewest requests before it that satisfy the rule; the largest holds every
 * request in flight at that send, sent and due within the window before it, one per connection.
 * Returns 0, or -1 when out of memory or the rule is not valid (window <= 0, fewer than 2
 * requests or segments). */
int sl_crossburst_find(sl_xrec_t *recs, size_t n, const sl_xrule_t *rule, sl_xproof_t *out);

#endif
