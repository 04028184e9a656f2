/*
 * abort: --abort-on-fail. The thresholds of the whole run are evaluated at each second the
 * workers have reported, on the results so far; one that has failed at every evaluation for
 * the given time stops the run: the parent tells the workers to stop sending, what is in
 * flight ends, the rest of the schedule is counted as not sent (aborted).
 */
#ifndef SOAPLOAD_ABORT_H
#define SOAPLOAD_ABORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/counts.h"
#include "core/hist.h"
#include "core/threshold.h"
#include "engine/run.h"

typedef struct {
    sl_run_t *run;
    sl_threshold_set_t set; /* the thresholds evaluated live (copies) */
    uint64_t delay_s;
    sl_counts_t counts;                       /* the reported seconds added up */
    sl_hist_t *latency;                       /* latency from due over those seconds */
    int64_t failing_since[SL_MAX_THRESHOLDS]; /* first second of a failing streak, or -1 */
    sl_second_cb next; /* the callback it stands in front of (--progress), or NULL */
    void *next_data;
} sl_abort_t;

/** With --abort-on-fail: takes the thresholds that can be measured during the run (the whole
 * run's counts, rates and latency from due; not service_, lateness_, {op=} or tag thresholds,
 * which are evaluated at the end only). Returns 0 (also when off), or -1 with err when none of
 * them can be, or out of memory. */
int sl_abort_init(sl_abort_t *a, const sl_config_t *cfg, const sl_threshold_set_t *checks,
                  char *err, size_t errlen);
/** Puts the evaluation in front of run->on_second (set that first); nothing when off. */
void sl_abort_attach(sl_abort_t *a, sl_run_t *run);
/** Frees what sl_abort_init allocated. */
void sl_abort_free(sl_abort_t *a);

#endif
