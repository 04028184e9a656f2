/*
 * flows_report: the results of soapload.flows: the summary's Flows table (per flow: scheduled
 * = completed + failed + interrupted + not started, failures by step and reason, the duration
 * of completed flows) and the JSON's "flows".
 */
#ifndef SOAPLOAD_FLOWS_REPORT_H
#define SOAPLOAD_FLOWS_REPORT_H

#include <stdio.h>

#include "core/config.h"
#include "engine/run.h"

/** Prints the Flows table (nothing without flows). */
void sl_flows_report_print(FILE *out, const sl_config_t *cfg, const sl_run_t *run);
/** Writes `  "flows": [...],\n` (an empty list without flows). */
void sl_flows_report_json(FILE *out, const sl_config_t *cfg, const sl_run_t *run);
/** Checks each flow's equation. Returns 0, or -1 with the first broken one in err. */
int sl_flows_report_check(const sl_run_t *run, char *err, size_t errlen);
/** Whether every scheduled flow completed. */
int sl_flows_report_all_completed(const sl_run_t *run);

#endif
