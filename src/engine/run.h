/*
 * run: the parent's side of a run: forks the workers, starts them together, gathers their
 * messages, merges counts and histograms, and notices workers that die.
 */
#ifndef SOAPLOAD_RUN_H
#define SOAPLOAD_RUN_H

#include <stddef.h>

#include "core/config.h"
#include "engine/run_spool.h"
#include "engine/run_state.h"

/** Runs the load; the trace lines (when trace_fd is not -1) are appended to trace_fd at the
 * end, those of a worker that died included. Returns 0 when the run took place or was
 * interrupted (look at workers_died, interrupted, trace_error), or -1 when it could not start:
 * then err holds why (a worker's script or init error, fork failure). */
int sl_run(const sl_config_t *cfg, const char *script_text, size_t script_len, int trace_fd,
           sl_run_t *run, char *err, size_t errlen);
/** During sl_run (from a guest): sums the workers' exact counts so far and the requests in
 * flight now into *counts and *in_flight. Returns 0, or -1 when no worker runs. */
int sl_run_live(const sl_run_t *run, sl_counts_t *counts, uint64_t *in_flight);
/** During sl_run (from a guest): sums the workers' counts of the first n flows so far into
 * flows[0..n). Returns 0, or -1 when no worker runs. */
int sl_run_live_flows(const sl_run_t *run, int n, sl_flow_live_t *flows);
/** Frees what sl_run allocated. */
void sl_run_free(sl_run_t *run);

#endif
