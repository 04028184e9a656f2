/*
 * threshold: pass/fail criteria in the spirit of k6 ("p99 < 50ms", "error_rate < 0.01",
 * "rate >= 995"), parsed once and evaluated against the run's metrics.
 */
#ifndef SOAPLOAD_THRESHOLD_H
#define SOAPLOAD_THRESHOLD_H

#include <stddef.h>

#include "core/counts.h"
#include "core/hist.h"

#define SL_MAX_THRESHOLDS 32

typedef enum { SL_OP_LT, SL_OP_LE, SL_OP_GT, SL_OP_GE, SL_OP_EQ, SL_OP_NE } sl_op_t;

typedef struct {
    char text[96];   /* as the user wrote it, trimmed */
    char metric[32]; /* e.g. "p99", "service_p99", "error_rate", "rate" */
    sl_op_t op;
    double value;    /* latency metrics in us, rates in /s, ratios as fractions */
    double measured; /* filled by sl_threshold_evaluate */
    int passed;
} sl_threshold_t;

typedef struct {
    sl_threshold_t items[SL_MAX_THRESHOLDS];
    int n;
} sl_threshold_set_t;

/* What thresholds are measured against. */
typedef struct {
    const sl_counts_t *counts;
    const sl_hist_t *latency, *service, *lateness;
    double duration_s;
} sl_metrics_t;

/** Parses one threshold and appends it to set. Returns 0, or -1 with a message naming the
 * problem in err. */
int sl_threshold_parse(sl_threshold_set_t *set, const char *text, char *err, size_t errlen);
/** Evaluates every threshold. Returns the number that failed. */
int sl_threshold_evaluate(sl_threshold_set_t *set, const sl_metrics_t *m);
/** The metric names understood, for messages and --help. */
const char *sl_threshold_metrics(void);
/** Measures one metric; returns 0, or -1 when the name is unknown. With NULL histograms in m
 * it only checks the name. */
int sl_threshold_measure(const char *metric, const sl_metrics_t *m, double *out);
/** The text of an operator. */
const char *sl_threshold_op(sl_op_t op);

#endif
