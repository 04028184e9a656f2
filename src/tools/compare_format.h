/*
 * compare_format: a comparison's figures as text, shared by its summary, its page and its JUnit
 * report.
 */
#ifndef SOAPLOAD_COMPARE_FORMAT_H
#define SOAPLOAD_COMPARE_FORMAT_H

#include <stddef.h>

#include "core/threshold.h"
#include "tools/compare_limit.h"

/* The totals' rows every comparison shows, and the rows of each flow. */
#define SL_COMPARE_NROWS 7
#define SL_COMPARE_NFLOW_ROWS 4
/* The totals' metrics, in the order they are shown: rate, error rate, latency percentiles. */
extern const char *const sl_compare_rows[SL_COMPARE_NROWS];

/** Writes v, a value of metric, into buf in the metric's unit ("1.2ms", "0.500%", "99.5/s"). */
void sl_compare_format_value(const char *metric, double v, char *buf, size_t cap);
/** Writes the change from base to next into buf: "+12.5%", "+0.250 points" for a ratio, "up
 * (from 0)". */
void sl_compare_format_change(const char *metric, double base, double next, char *buf, size_t cap);
/** Why l was not measured, written into buf (and returned), or NULL when it was. */
const char *sl_compare_unmeasured(const sl_change_limit_t *l, char *buf, size_t cap);
/** Row `row` (< SL_COMPARE_NFLOW_ROWS) of the k-th flow of both results (the baseline's flows,
 * then the new result's that the baseline lacks): its label and the values and change as text
 * ("-" where a result has no such flow, or no completed flow to time), each in a buffer of cap.
 * Returns 0, or -1 past the last flow. */
int sl_compare_flow_row(const sl_metrics_t *mb, const sl_metrics_t *mn, int k, size_t row,
                        char *label, char *vb, char *vn, char *ch, size_t cap);

#endif
