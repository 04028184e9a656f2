/*
 * rest: the part of a worker's open-model schedule it has not taken yet, counted without
 * walking it entry by entry: per second of due time, per scenario and per operation. What an
 * abort (--abort-on-fail) counts as not sent, at a cost that does not grow with the rest.
 */
#ifndef SOAPLOAD_REST_H
#define SOAPLOAD_REST_H

#include <stdint.h>

#include "core/scenario.h"
#include "core/scenario_plan.h"

typedef struct {
    uint64_t first_second; /* the second per_second[0] counts */
    uint64_t nseconds;
    uint64_t *per_second; /* the rest's entries by the second they are due in */
    uint64_t per_scenario[SL_MAX_SCENARIOS];
    uint64_t per_op[SL_MAX_OPERATIONS]; /* with operations only */
    uint64_t total;                     /* due before the end */
    uint64_t after;                     /* of them, due after the `now` given */
} sl_rest_t;

/** Counts the entries of sp from its next one on that are due before `end_ns` (offsets from
 * the run's start), by the second they are due in from `second` on (an entry due earlier, late
 * already, counts in `second`), by scenario and operation, and how many are due after
 * `now_ns`. Uniform schedules by bisection over due times; a Poisson one draws its arrivals
 * (no more). Returns 0, or -1 when out of memory. Free with sl_rest_free. */
int sl_rest_count(sl_rest_t *r, const sl_scenario_plan_t *sp, uint64_t second, uint64_t now_ns,
                  uint64_t end_ns);
void sl_rest_free(sl_rest_t *r);

#endif
