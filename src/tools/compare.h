/*
 * compare: a baseline result and a new one (each a single or a merged result file) side by
 * side: rate, error rate and latency percentiles with their change, a rank test saying whether
 * the latency change is larger than chance, thresholds on the change ("p99 +10%") and a page
 * with both percentile spectra on one chart.
 */
#ifndef SOAPLOAD_COMPARE_H
#define SOAPLOAD_COMPARE_H

#include <stddef.h>

#include "core/threshold.h"

#define SL_COMPARE_MAX_LIMITS 32

/* A limit on the change of one metric from the baseline to the new result. */
typedef struct {
    char text[96];             /* as written, trimmed */
    char metric[32];           /* a name sl_threshold_measure knows */
    int sign;                  /* +1: bounds an increase, -1: a decrease */
    double limit;              /* in the base unit, or in percent when relative */
    int relative;              /* "%" on a latency or a rate: percent of the baseline */
    char unit[8];              /* as written */
    double base, next, change; /* measured; change = next - base, in the base unit */
    int no_samples;            /* a latency metric and a result without samples: it fails */
    int passed;
} sl_change_limit_t;

/** Parses "METRIC +N[UNIT]" or "METRIC -N[UNIT]": "p99 +10%" (relative), "p99 +5ms",
 * "error_rate +0.5%" (percentage points), "rate -5%". Returns 0, or -1 with err. */
int sl_compare_parse_limit(const char *text, sl_change_limit_t *out, char *err, size_t errlen);
/** Evaluates l against the two results' metrics; returns l->passed. */
int sl_compare_evaluate_limit(sl_change_limit_t *l, const sl_metrics_t *base,
                              const sl_metrics_t *next);

/** `soapload compare BASELINE.json NEW.json [--threshold 'p99 +10%']... [--html OUT]`:
 * argv[0] is "compare". Returns the exit code: 0, 3 when a threshold on the change failed,
 * 2 for usage errors and unreadable files. */
int sl_compare_main(int argc, char **argv);

#endif
