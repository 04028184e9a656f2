/*
 * plan: one worker's share of the open model's schedule, whatever its shape: a constant rate,
 * a ramp, stages, bursts, uniform or Poisson arrivals. Global request k is due where the
 * profile's integral reaches k (uniform) or the sum of k + 1 unit exponential draws (Poisson);
 * with bursts, k is due with the first of its group (k - k % burst). Worker w of n takes
 * k = w, w + n, ...; a Poisson walk draws every k so that all workers follow one sequence.
 */
#ifndef SOAPLOAD_PLAN_H
#define SOAPLOAD_PLAN_H

#include <stdint.h>

#include "core/profile.h"

typedef struct {
    const sl_profile_t *profile;
    uint32_t burst;
    int poisson;
    int w, n;
    /* --segment I/N: this process's segment of the global schedule; 0/0: all of it */
    int seg, nseg;
    uint64_t total; /* uniform: requests in all */
    sl_poisson_t walk;
    uint64_t group_due; /* Poisson: the due offset of the current burst group */
    uint64_t j;         /* the worker's entries taken so far */
    uint64_t next_due;  /* offset of entry j, or SL_PROFILE_END when the schedule is over */
} sl_plan_t;

/** Starts worker w of n on the profile (which must outlive the plan). seed matters only for
 * Poisson arrivals. */
void sl_plan_init(sl_plan_t *pl, const sl_profile_t *p, uint32_t burst, int poisson, uint64_t seed,
                  int w, int n);
/** sl_plan_init for worker w of n of segment seg of nseg (--segment): global request k of the
 * one schedule belongs to segment k mod nseg, and the segment's workers split its requests. */
void sl_plan_init_segment(sl_plan_t *pl, const sl_profile_t *p, uint32_t burst, int poisson,
                          uint64_t seed, int w, int n, int seg, int nseg);
/** sl_plan_worker_total for worker w of n of segment seg of nseg. */
uint64_t sl_plan_segment_total(const sl_profile_t *p, uint32_t burst, int poisson, uint64_t seed,
                               int w, int n, int seg, int nseg);
/** Moves to the worker's next entry: pl->j grows by one and pl->next_due is its offset. */
void sl_plan_advance(sl_plan_t *pl);
/** The due offset of the worker's entry j of a uniform (not Poisson) plan, or SL_PROFILE_END
 * past its last: it never decreases with j. */
uint64_t sl_plan_due_of(const sl_plan_t *pl, uint64_t j);
/** How many entries worker w of n has in all (a Poisson schedule is walked to its end). */
uint64_t sl_plan_worker_total(const sl_profile_t *p, uint32_t burst, int poisson, uint64_t seed,
                              int w, int n);

#endif
