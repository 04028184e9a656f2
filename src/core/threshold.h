/*
 * threshold: pass/fail criteria in the spirit of k6 ("p99 < 50ms", "error_rate < 0.01",
 * "rate >= 995"), parsed once and evaluated against the run's metrics.
 */
#ifndef SOAPLOAD_THRESHOLD_H
#define SOAPLOAD_THRESHOLD_H

#include <stddef.h>

#include "core/counts.h"
#include "core/flow.h"
#include "core/hist.h"
#include "core/tags.h"

#define SL_MAX_THRESHOLDS 32

typedef enum { SL_OP_LT, SL_OP_LE, SL_OP_GT, SL_OP_GE, SL_OP_EQ, SL_OP_NE } sl_op_t;

typedef struct {
    char text[96];      /* as the user wrote it, trimmed */
    char metric[32];    /* e.g. "p99", "service_p99", "error_rate", "rate" */
    char operation[72]; /* "p99{op=PlaceOrder}": that operation's results only; "": totals */
    char tag_name[SL_TAGS_MAX_TEXT + 1]; /* "p99{tier=gold}": that tag value's results only */
    char tag_value[SL_TAGS_MAX_TEXT + 1];
    sl_op_t op;
    double value;    /* in the base unit: latency in us, rates in /s, ratios as fractions */
    char unit[8];    /* the limit's own unit, as written ("ms" for a bare latency, "%") */
    double scale;    /* base units per unit: 1000 for "ms", 0.01 for "%", 1 otherwise */
    double measured; /* filled by sl_threshold_evaluate, in the base unit; NaN: not measured */
    int no_samples;  /* a latency metric over an empty histogram: not measured, so it fails */
    int passed;
} sl_threshold_t;

typedef struct {
    sl_threshold_t items[SL_MAX_THRESHOLDS];
    int n;
} sl_threshold_set_t;

/* What thresholds are measured against. */
typedef struct sl_metrics {
    const sl_counts_t *counts;
    const sl_hist_t *latency, *service, *lateness;
    double duration_s;
    /* soapload.operations: each one's own metrics (no lateness), for "{op=NAME}" */
    int nops;
    const char *const *op_names;
    const struct sl_metrics *op_metrics;
    /* results per tag value (core/tags.h): each one's own metrics, for "{NAME=VALUE}" */
    int ntags;
    const sl_tag_t *tags;
    const struct sl_metrics *tag_metrics;
    /* soapload.flows: each one's results, for "flow_duration{flow=NAME} p95", "flow_..." */
    int nflows;
    const char *const *flow_names;
    const sl_flow_stats_t *flows;
} sl_metrics_t;

/** Parses one threshold and appends it to set. Returns 0, or -1 with a message naming the
 * problem in err. */
int sl_threshold_parse(sl_threshold_set_t *set, const char *text, char *err, size_t errlen);
/** Checks that every threshold naming an operation names one of the n in names. Returns 0, or
 * -1 with a message naming the threshold and the known operations in err. */
int sl_threshold_check_operations(const sl_threshold_set_t *set, const char *const *names, int n,
                                  char *err, size_t errlen);
/** Checks that every flow threshold names one of the n flows in names. Returns 0, or -1 with
 * a message naming the threshold and the flows in err. */
int sl_threshold_check_flows(const sl_threshold_set_t *set, const char *const *names, int n,
                             char *err, size_t errlen);
/** Checks that every threshold on a scenario's tag ("p99{scenario=NAME}") names one of the n
 * scenarios in names (the tag is the run's own: no script sets it). Returns 0, or -1 with a
 * message naming the threshold and the known scenarios in err. */
int sl_threshold_check_scenarios(const sl_threshold_set_t *set, const char *const *names, int n,
                                 char *err, size_t errlen);
/** The metrics a threshold's scope selects in m: one operation's (operation not ""), one tag
 * value's (tag_name not ""), else m itself; NULL when m has no such operation or value. */
const sl_metrics_t *sl_threshold_scope(const char *operation, const char *tag_name,
                                       const char *tag_value, const sl_metrics_t *m);
/** Evaluates every threshold. Returns the number that failed. */
int sl_threshold_evaluate(sl_threshold_set_t *set, const sl_metrics_t *m);
/** The metric names understood, for messages and --help. */
const char *sl_threshold_metrics(void);
/** The histogram a latency metric reads in m (NULL for other metrics or when m has none). */
const sl_hist_t *sl_threshold_histogram(const char *metric, const sl_metrics_t *m);
/** Measures one metric; returns 0, or -1 when the name is unknown. With NULL histograms in m
 * it only checks the name. */
int sl_threshold_measure(const char *metric, const sl_metrics_t *m, double *out);
/** Measures flow metric `metric` ("flow_duration_p95", "flow_failure_rate", "flow_completed")
 * on one flow's results st (NULL: only checks the name, giving 0). Returns 0, or -1 for a name
 * it does not know. */
int sl_threshold_measure_flow(const char *metric, const sl_flow_stats_t *st, double *out);
/** The results of the flow named `name` in m, or NULL when m has no such flow. */
const sl_flow_stats_t *sl_threshold_flow(const sl_metrics_t *m, const char *name);
/** The base unit of a metric: "us" for latency, "/s" for rates, "" for ratios and counts. */
const char *sl_threshold_base_unit(const char *metric);
/** The measured value in the limit's own unit (e.g. 0.215 for 215 us against "50ms"). */
double sl_threshold_measured_in_unit(const sl_threshold_t *t);
/** Writes the measured value with the limit's own unit, e.g. "0.215ms", "0.3%", "998.4/s". */
void sl_threshold_format_measured(const sl_threshold_t *t, char *buf, size_t cap);
/** The text of an operator. */
const char *sl_threshold_op(sl_op_t op);

#endif
