/*
 * schedule: the open model's arithmetic. Global request k (0-based) is intended to leave at
 * start + k / rate; worker w of n takes k = w, w + n, w + 2n, ... so that all workers together
 * follow one uniform schedule.
 */
#ifndef SOAPLOAD_SCHEDULE_H
#define SOAPLOAD_SCHEDULE_H

#include <stdint.h>

/** Requests scheduled in `duration_ns` at `rate` per second: every k with k / rate < duration. */
uint64_t sl_schedule_total(double rate, uint64_t duration_ns);
/** How many of `total` requests worker w (0-based) of n sends. */
uint64_t sl_schedule_worker_count(uint64_t total, int w, int n);
/** Global index of worker w's j-th request (0-based). */
uint64_t sl_schedule_global_index(uint64_t j, int w, int n);
/** Intended offset from the start, in ns, of global request k. With burst > 1 the requests
 * come in groups of `burst` due at the same instant, one group every burst / rate seconds:
 * the same average rate, sent together (as the seed tool's users did to prove concurrency). */
uint64_t sl_schedule_offset_ns(uint64_t k, double rate, uint32_t burst);

#endif
