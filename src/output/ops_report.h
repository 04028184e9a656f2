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

/** Prints the table (nothing when the run has no operations). */
void sl_ops_report_print(FILE *out, const sl_config_t *cfg, const sl_run_t *run);
/** Checks each operation's equations and that the operations add up to the totals. Returns
 * 0, or -1 with what broke in err. */
int sl_ops_report_check(const sl_config_t *cfg, const sl_run_t *run, char *err, size_t errlen);

#endif
