/*
 * tags_report: the summary's table of results per tag value (core/tags.h): counts by outcome,
 * latency from due time and service time, the fold past the bounds, and the metrics that
 * thresholds naming a tag ("p99{tier=gold}") are measured against.
 */
#ifndef SOAPLOAD_TAGS_REPORT_H
#define SOAPLOAD_TAGS_REPORT_H

#include <stdio.h>

#include "engine/run.h"

/** Prints the table (nothing when no request carried tags). */
void sl_tags_report_print(FILE *out, const sl_run_t *run);
/** The metrics of each tag value for thresholds, set into m (which must hold the totals
 * already): an array the caller frees, or NULL without tags or memory. */
struct sl_metrics *sl_tags_metrics(const sl_run_t *run, struct sl_metrics *m);
/** Checks each tag value's equations, and that no worker's tag results were lost. Returns 0
 * (also without tags), or -1 with what broke in err. */
int sl_tags_report_check(const sl_run_t *run, char *err, size_t errlen);

#endif
