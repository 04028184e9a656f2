/*
 * compare_limit: a threshold on the change from a baseline result to a new one ("p99 +10%"):
 * its parse, its evaluation on both results' metrics, and the --fail-on-significant gate.
 */
#ifndef SOAPLOAD_COMPARE_LIMIT_H
#define SOAPLOAD_COMPARE_LIMIT_H

#include <stddef.h>

#include "core/ranktest.h"
#include "core/threshold.h"

#define SL_COMPARE_MAX_LIMITS 32

/* A limit on the change of one metric from the baseline to the new result. */
typedef struct {
    char text[96];      /* as written, trimmed */
    char metric[32];    /* a name sl_threshold_measure knows */
    char operation[72]; /* "p99{op=NAME} +10%": that operation's results; "": totals */
    char tag_name[SL_TAGS_MAX_TEXT + 1]; /* "p99{scenario=NAME} +10%": that tag value's */
    char tag_value[SL_TAGS_MAX_TEXT + 1];
    int missing;               /* 1: the baseline, 2: the new result has no such scope */
    int sign;                  /* +1: bounds an increase, -1: a decrease */
    double limit;              /* in the base unit, or in percent when relative */
    int relative;              /* "%" on a latency or a rate: percent of the baseline */
    char unit[8];              /* as written */
    double base, next, change; /* measured; change = next - base, in the base unit */
    int no_samples;            /* a latency metric and a result without samples: it fails */
    int passed;
} sl_change_limit_t;

/** Parses "METRIC[{op=NAME}|{TAG=VALUE}] +N[UNIT]" or "... -N[UNIT]": "p99 +10%" (relative),
 * "p99 +5ms", "error_rate +0.5%" (percentage points), "rate -5%", "p99{op=GetOrder} +10%", and a
 * flow's: "flow_duration{flow=NAME} p95 +20%", "flow_failure_rate{flow=NAME} +1%" (points).
 * Returns 0, or -1 with err. */
int sl_compare_parse_limit(const char *text, sl_change_limit_t *out, char *err, size_t errlen);
/** Evaluates l against the two results' metrics (with their operations' and tag values', see
 * sl_threshold_scope, and their flows'); returns l->passed. A scope (or flow) one result lacks
 * fails (l->missing), and so does a flow metric without completed (or scheduled) flows. */
int sl_compare_evaluate_limit(sl_change_limit_t *l, const sl_metrics_t *base,
                              const sl_metrics_t *next);

/** Whether the rank test rt of base against next says the latency is significantly slower
 * (both have samples). The gate of --fail-on-significant. */
int sl_compare_slower(const sl_metrics_t *base, const sl_metrics_t *next, const sl_ranktest_t *rt);
/** Whether metric is a latency (measured in us). */
int sl_compare_is_latency_metric(const char *metric);
/** Whether metric is a flow's ("flow_..."; it names its flow in {flow=NAME}). */
int sl_compare_is_flow_metric(const char *metric);
/** Whether metric is a ratio: its % are percentage points, not percent of the baseline. */
int sl_compare_is_ratio_metric(const char *metric);

#endif
