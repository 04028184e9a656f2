/*
 * results: the machine-readable result file (--json): settings, summary, one-second
 * intervals, and the latency histograms serialized losslessly so that files can be merged.
 * Schema "soapload-results/1", documented in docs/outputs.md.
 */
#ifndef SOAPLOAD_RESULTS_H
#define SOAPLOAD_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "core/json.h" /* sl_json_string */
#include "engine/run.h"
#include "core/threshold.h"

#define SL_RESULTS_SCHEMA "soapload-results/1"

/** Writes the results of `run` as JSON to out. `checks` may be NULL. Returns 0, or -1 when
 * the write failed. */
int sl_results_write_json(FILE *out, const sl_config_t *cfg, const sl_run_t *run,
                          const sl_threshold_set_t *checks);

#endif
