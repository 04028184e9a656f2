/*
 * segment: one global schedule split over N processes (machines, pods). Global request k
 * belongs to segment k mod N; within a segment its workers split the segment's requests as a
 * single process does (worker w of n takes the segment's j-th requests with j mod n = w).
 * Every due-time formula (uniform, bursts, stages, Poisson) takes the global index k that
 * sl_segment_request_index returns, so that N segments together follow exactly the one
 * schedule a single process would. Also the absolute start (--start-at) and its parser.
 */
#ifndef SOAPLOAD_SEGMENT_H
#define SOAPLOAD_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/config_types.h"

#define SL_MAX_SEGMENTS 100000
#define SL_MAX_START_AHEAD_US (24LL * 3600 * 1000000) /* --start-at at most this far ahead */

/** Parses "I/N" (0 <= I < N <= SL_MAX_SEGMENTS). Returns 0, or -1. */
int sl_segment_parse(const char *s, int *index, int *count);
/** The global index of a segment's s-th request (0-based, counted over the segment's
 * workers as sl_schedule_global_index does): s * n + i; s itself when n <= 1. The one place
 * where the split is made: every due-time formula and the operation mix take the index it
 * returns. */
uint64_t sl_segment_global_index(uint64_t s, int i, int n);
/** The global index of worker w's (of nworkers) j-th request in this process's segment. */
uint64_t sl_segment_request_index(const sl_config_t *cfg, uint64_t j, int w, int nworkers);
/** How many of a schedule's `total` global requests worker w of nworkers of this segment
 * sends. */
uint64_t sl_segment_worker_count(const sl_config_t *cfg, uint64_t total, int w, int nworkers);
/** How many of `total` global requests segment i of n takes. */
uint64_t sl_segment_count(uint64_t total, int i, int n);
/** Connections of segment i of n out of `total`, as evenly as they go (0 when total < n). */
int sl_segment_connections(int total, int i, int n);
/** The seed of a segmented run without --seed: the same in every segment started at
 * start_us (the schedule's Poisson draws must agree), from 1 to 2^53 - 1. Each segment's
 * workers still draw streams of their own: worker w of segment I uses index
 * I * SL_MAX_WORKERS + w. */
uint64_t sl_segment_shared_seed(int64_t start_us);
/** Parses a time: RFC 3339 with a zone ("2026-11-27T15:30:00Z", "...T16:30:00.25+01:00") or
 * epoch seconds with an optional fraction ("1795793400.5"). Returns 0 and microseconds since
 * the epoch in *us, or -1. */
int sl_segment_parse_time(const char *s, int64_t *us);
/** Checks a start time against `now_us`: not in the past, at most 24 h ahead. Returns 0, or -1
 * with why in err. */
int sl_segment_check_start(int64_t start_us, int64_t now_us, char *err, size_t errlen);

#endif
