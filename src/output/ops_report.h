/*
 * ops_report: the summary's table of per-operation results (soapload.operations): counts by
 * outcome, latency from due time and service time, and a check that the operations add up
 * to the totals.
 */
#ifndef SOAPLOAD_OPS_REPORT_H
#define SOAPLOAD_OPS_REPORT_H

#include <stdio.h>

#include "core/config.h"
#include "engine/run.h"

/** Prints one latency column: percentile p of h (100: its max), or "-" when h is empty. */
void sl_ops_report_latency_cell(FILE *out, const sl_hist_t *h, double p);
/** Prints the columns a row of the operations or tags table shares (scheduled, sent, ok,
 * exp_fault, failed, p50, p90, p99, max, svc p99) and the line's end. */
void sl_ops_report_cells(FILE *out, const sl_op_stats_t *st);
/** Prints the table (nothing when the run has no operations). */
void sl_ops_report_print(FILE *out, const sl_config_t *cfg, const sl_run_t *run);
/** The metrics of each operation for thresholds ("p99{op=NAME}"), set into m (which must hold
 * the totals already): an array the caller frees, or NULL without operations or memory. */
struct sl_metrics *sl_ops_metrics(const sl_config_t *cfg, const sl_run_t *run,
                                  struct sl_metrics *m);
/** Checks each operation's equations and that the operations add up to the totals (cfg, for
 * the names in messages, may be NULL). Returns 0 (also without operations), or -1 with what
 * broke in err. */
int sl_ops_report_check(const sl_config_t *cfg, const sl_run_t *run, char *err, size_t errlen);

#endif
