/*
 * exposition: a run's numbers in the Prometheus text format 0.0.4, or in OpenMetrics 1.0.0:
 * what GET /metrics answers (output/metrics.c serves it).
 */
#ifndef SOAPLOAD_EXPOSITION_H
#define SOAPLOAD_EXPOSITION_H

#include <stdint.h>
#include <stdio.h>

#include "core/counts.h"
#include "core/flow.h"
#include "core/hist.h"
#include "core/opstats.h"
#include "core/tags.h"

/* What one exposition shows. */
typedef struct {
    const char *segment; /* the segment label's value, printed as it is ("" for one process) */
    const sl_counts_t *counts;
    uint64_t in_flight;
    int has_target;       /* open model: target_rate is set */
    double target_rate;   /* requests per second */
    double achieved_rate; /* sent in the last complete second (the run's own, once over) */
    int finished;         /* the summary is out: these are the final numbers */
    const sl_hist_t *latency, *service;
    /* Breakdowns (NULL/0 when not known): each operation's results, in the families above
     * with operation="NAME"; each tag value's, the scenarios' (tag scenario=NAME) in the
     * soapload_scenario_* families, the others in soapload_tag_*. Bounded: at most
     * SL_MAX_OPERATIONS operations and SL_TAGS_MAX_PAIRS tag values (plus their folds). */
    int nops;
    const char *const *op_names;
    const sl_op_stats_t *ops;
    const sl_tags_t *tags;
    /* soapload.flows: while the run goes on, each flow's counts so far (flows_live); once it
     * is over, the results the workers sent at their end (flows), with their durations */
    int nflows;
    const sl_flows_t *flow_defs;
    const sl_flow_stats_t *flows;
    const sl_flow_live_t *flows_live;
} sl_exposition_t;

/** Writes the exposition of v to out (with its breakdowns: see sl_exposition_t): the Prometheus
 * text format 0.0.4, or OpenMetrics 1.0.0 (counter families without "_total", a "# UNIT" per
 * histogram, "# EOF" at the end) when openmetrics is set. Buckets (le, seconds): 0.0005 .. 10 and
 * +Inf, cumulative; a sample counts under le when the whole of its histogram bucket lies at or
 * below it. Returns 0, or -1 on a write error. */
int sl_exposition_write(FILE *out, const sl_exposition_t *v, int openmetrics);

#endif
