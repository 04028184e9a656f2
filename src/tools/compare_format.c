/*
 * compare_format: a comparison's figures as text, shared by its summary, its page and its JUnit
 * report: a value in its metric's unit, a change (percent, or points for a ratio), why a limit
 * was not measured, and the rows both results are shown in.
 */
#include "tools/compare_format.h"

#include <stdio.h>
#include <string.h>

#include "core/duration.h"

void sl_compare_format_value(const char *metric, double v, char *buf, size_t cap)
{
    if (sl_compare_is_latency_metric(metric))
        sl_duration_format_us(v, buf, cap);
    else if (sl_compare_is_ratio_metric(metric))
        snprintf(buf, cap, "%.3f%%", v * 100);
    else if (strstr(metric, "rate") != NULL)
        snprintf(buf, cap, "%.1f/s", v);
    else
        snprintf(buf, cap, "%.0f", v);
}

void sl_compare_format_change(const char *metric, double base, double next, char *buf, size_t cap)
{
    double d = next - base;
    if (sl_compare_is_ratio_metric(metric))
        snprintf(buf, cap, "%+.3f points", d * 100);
    else if (base != 0)
        snprintf(buf, cap, "%+.1f%%", d / base * 100);
    else if (d == 0)
        snprintf(buf, cap, "+0.0%%");
    else
        snprintf(buf, cap, "%s (from 0)", d > 0 ? "up" : "down");
}

const char *sl_compare_unmeasured(const sl_change_limit_t *l, char *buf, size_t cap)
{
    const char *which =
        (l->missing ? l->missing : l->no_samples) == 1 ? "the baseline" : "the new result";
    if (l->missing && sl_compare_is_flow_metric(l->metric))
        snprintf(buf, cap, "%s has no flow '%s'", which, l->tag_value);
    else if (l->no_samples && sl_compare_is_flow_metric(l->metric))
        snprintf(buf, cap, "%s has no %s flow '%s'", which,
                 strcmp(l->metric, "flow_failure_rate") == 0 ? "scheduled" : "completed",
                 l->tag_value);
    else if (l->missing && l->operation[0] != '\0')
        snprintf(buf, cap, "%s has no operation '%s'", which, l->operation);
    else if (l->missing)
        snprintf(buf, cap, "%s has no request tagged %s=%s", which, l->tag_name, l->tag_value);
    else if (l->no_samples)
        snprintf(buf, cap, "%s has no latency samples", which);
    else
        return NULL;
    return buf;
}

const char *const sl_compare_rows[SL_COMPARE_NROWS] = {"rate", "error_rate", "p50", "p90",
                                                       "p99",  "p99.9",      "max"};

/* Each flow's rows: its duration percentiles and its failure rate. */
static const char *const flow_rows[SL_COMPARE_NFLOW_ROWS] = {
    "flow_duration_p50", "flow_duration_p95", "flow_duration_p99", "flow_failure_rate"};

int sl_compare_flow_row(const sl_metrics_t *mb, const sl_metrics_t *mn, int k, size_t row,
                        char *label, char *vb, char *vn, char *ch, size_t cap)
{
    const char *name = NULL;
    if (k < mb->nflows)
        name = mb->flow_names[k];
    else
        for (int i = 0, extra = k - mb->nflows; i < mn->nflows && name == NULL; i++)
            if (sl_threshold_flow(mb, mn->flow_names[i]) == NULL && extra-- == 0)
                name = mn->flow_names[i];
    if (name == NULL)
        return -1;
    const char *m = flow_rows[row];
    const sl_flow_stats_t *b = sl_threshold_flow(mb, name), *n = sl_threshold_flow(mn, name);
    int duration = strncmp(m, "flow_duration_", 14) == 0;
    double x = 0, y = 0;
    snprintf(label, cap, "%.9s %s", name, duration ? m + 14 : "failed");
    int hb = b != NULL && (duration ? b->duration->total : b->scheduled) > 0,
        hn = n != NULL && (duration ? n->duration->total : n->scheduled) > 0;
    if (hb)
        sl_threshold_measure_flow(m, b, &x);
    if (hn)
        sl_threshold_measure_flow(m, n, &y);
    if (hb)
        sl_compare_format_value(m, x, vb, cap);
    else
        snprintf(vb, cap, "-");
    if (hn)
        sl_compare_format_value(m, y, vn, cap);
    else
        snprintf(vn, cap, "-");
    if (hb && hn)
        sl_compare_format_change(m, x, y, ch, cap);
    else
        snprintf(ch, cap, "-");
    return 0;
}
