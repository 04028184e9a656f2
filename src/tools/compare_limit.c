/*
 * compare_limit: the thresholds on the change ("p99 +10%"): read from the command line and
 * measured on both results the way thresholds measure a run, so that "p99" means the same thing
 * in a run, a merge and a comparison.
 */
#include "tools/compare_limit.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sl_compare_is_latency_metric(const char *metric)
{
    return strcmp(sl_threshold_base_unit(metric), "us") == 0;
}

/* "{op=NAME}" or "{TAG=VALUE}" at s into l; *n grows by its length. Returns 0 or -1. */
static int parse_scope(const char *s, sl_change_limit_t *l, size_t *n)
{
    size_t name = strcspn(s + 1, "=}"), value = s[1 + name] == '=' ? strcspn(s + 2 + name, "}") : 0;
    if (s[1 + name] != '=' || s[2 + name + value] != '}' || name == 0 || value == 0)
        return -1;
    if (name == 2 && strncmp(s + 1, "op", 2) == 0) {
        if (value >= sizeof(l->operation))
            return -1;
        memcpy(l->operation, s + 4, value);
    } else {
        if (name > SL_TAGS_MAX_TEXT || value > SL_TAGS_MAX_TEXT)
            return -1;
        memcpy(l->tag_name, s + 1, name);
        memcpy(l->tag_value, s + 2 + name, value);
    }
    *n += 3 + name + value;
    return strncmp(l->metric, "lateness_", 9) == 0 ? -1 : 0; /* measured for the run only */
}

int sl_compare_is_flow_metric(const char *metric)
{
    return strncmp(metric, "flow_", 5) == 0;
}

int sl_compare_is_ratio_metric(const char *metric)
{
    return strcmp(metric, "error_rate") == 0 || strcmp(metric, "flow_failure_rate") == 0;
}

/* A flow's metric (out->metric) names its flow ({flow=NAME}, in out->tag_value); after
 * flow_duration{flow=NAME} comes the percentile ("p95", "max"), read from p + *n into the
 * metric's name as thresholds name it ("flow_duration_p95"). Returns 0 or -1. */
static int parse_flow(const char *p, size_t *n, sl_change_limit_t *out)
{
    size_t k = *n, len = strlen(out->metric);
    if (!sl_compare_is_flow_metric(out->metric))
        return 0;
    if (strcmp(out->tag_name, "flow") != 0)
        return -1;
    if (strcmp(out->metric, "flow_duration") != 0)
        return 0;
    while (isspace((unsigned char)p[k]))
        k++;
    out->metric[len++] = '_';
    while ((isalnum((unsigned char)p[k]) || p[k] == '.') && len < sizeof(out->metric) - 1)
        out->metric[len++] = p[k++];
    out->metric[len] = '\0';
    *n = k;
    return 0;
}

int sl_compare_parse_limit(const char *text, sl_change_limit_t *out, char *err, size_t errlen)
{
    static const char form[] = "it wants METRIC +N[UNIT] or METRIC -N[UNIT], e.g. 'p99 +10%', "
                               "'p99 +5ms', 'error_rate +0.5%', 'rate -5%'";
    const char *p = text;
    size_t n = 0;
    char *end;
    memset(out, 0, sizeof(*out));
    while (isspace((unsigned char)*p))
        p++;
    snprintf(out->text, sizeof(out->text), "%s", p);
    for (size_t k = strlen(out->text); k > 0 && isspace((unsigned char)out->text[k - 1]); k--)
        out->text[k - 1] = '\0';
    while (p[n] != '\0' && !isspace((unsigned char)p[n]) && p[n] != '+' && p[n] != '-' &&
           p[n] != '{')
        n++;
    if (n == 0 || n >= sizeof(out->metric)) {
        snprintf(err, errlen, "bad threshold on the change '%s': %s", out->text, form);
        return -1;
    }
    memcpy(out->metric, p, n);
    out->metric[n] = '\0';
    if (p[n] == '{' && parse_scope(p + n, out, &n) != 0) {
        snprintf(err, errlen,
                 "bad threshold on the change '%s': a scope is {op=NAME} or {TAG=VALUE}, e.g. "
                 "'p99{op=GetOrder} +10%%', 'p99{scenario=rampup} +5ms'",
                 out->text);
        return -1;
    }
    if (parse_flow(p, &n, out) != 0) {
        snprintf(err, errlen,
                 "bad threshold on the change '%s': a flow's metric names its flow, as in "
                 "'flow_duration{flow=checkout} p95 +20%%' or 'flow_failure_rate{flow=checkout} "
                 "+1%%'",
                 out->text);
        return -1;
    }
    sl_counts_t zero = {0};
    sl_metrics_t names = {.counts = &zero, .duration_s = 1};
    double ignored;
    if (sl_threshold_measure(out->metric, &names, &ignored) != 0) {
        snprintf(err, errlen, "bad threshold on the change '%s': unknown metric '%s' (one of: %s)",
                 out->text, out->metric, sl_threshold_metrics());
        return -1;
    }
    p += n;
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '+' && *p != '-') {
        snprintf(err, errlen, "bad threshold on the change '%s': no + or - before the limit; %s",
                 out->text, form);
        return -1;
    }
    out->sign = *p == '+' ? 1 : -1;
    p++;
    errno = 0;
    out->limit = strtod(p, &end);
    if (end == p || errno != 0 || !isfinite(out->limit) || out->limit < 0 || *p == '+' ||
        *p == '-') {
        snprintf(err, errlen, "bad threshold on the change '%s': %s", out->text, form);
        return -1;
    }
    while (isspace((unsigned char)*end))
        end++;
    snprintf(out->unit, sizeof(out->unit), "%s", end);
    const char *u = out->unit;
    int latency = sl_compare_is_latency_metric(out->metric);
    int ratio = sl_compare_is_ratio_metric(out->metric);
    if (strlen(end) >= sizeof(out->unit))
        u = "?";
    if (strcmp(u, "%") == 0) {
        if (ratio)
            out->limit /= 100; /* percentage points of the error rate */
        else
            out->relative = 1;
    } else if (latency && (u[0] == '\0' || strcmp(u, "ms") == 0)) {
        out->limit *= 1000; /* a bare latency is ms, as in thresholds */
    } else if (latency && strcmp(u, "s") == 0) {
        out->limit *= 1e6;
    } else if (!(latency && strcmp(u, "us") == 0) && !(u[0] == '\0' && !latency) &&
               !(strcmp(u, "/s") == 0 && strstr(out->metric, "rate") != NULL && !ratio)) {
        snprintf(err, errlen, "bad threshold on the change '%s': unit '%s' does not fit %s",
                 out->text, out->unit, out->metric);
        return -1;
    }
    return 0;
}

/* A limit on a flow's metric: that flow's results in each. */
static int evaluate_flow_limit(sl_change_limit_t *l, const sl_metrics_t *base,
                               const sl_metrics_t *next)
{
    const sl_flow_stats_t *b = sl_threshold_flow(base, l->tag_value),
                          *n = sl_threshold_flow(next, l->tag_value);
    l->missing = b == NULL ? 1 : n == NULL ? 2 : 0;
    l->no_samples = 0;
    if (l->missing)
        return l->passed = 0;
    sl_threshold_measure_flow(l->metric, b, &l->base);
    sl_threshold_measure_flow(l->metric, n, &l->next);
    l->change = l->next - l->base;
    if (strncmp(l->metric, "flow_duration_", 14) == 0) /* no flow completed: no duration */
        l->no_samples = b->duration->total == 0 ? 1 : n->duration->total == 0 ? 2 : 0;
    else if (strcmp(l->metric, "flow_failure_rate") == 0) /* no flow scheduled: no rate */
        l->no_samples = b->scheduled == 0 ? 1 : n->scheduled == 0 ? 2 : 0;
    return l->no_samples ? (l->passed = 0) : -1;
}

/* Whether the change l measured passes its limit. */
static int within_limit(const sl_change_limit_t *l)
{
    double moved = l->sign * l->change; /* > 0: in the direction the limit bounds */
    if (l->relative) {
        double pct = l->base != 0 ? moved / fabs(l->base) * 100 : moved > 0 ? INFINITY : 0;
        return !(pct > l->limit);
    }
    return !(moved > l->limit);
}

int sl_compare_evaluate_limit(sl_change_limit_t *l, const sl_metrics_t *base,
                              const sl_metrics_t *next)
{
    if (sl_compare_is_flow_metric(l->metric)) {
        int settled = evaluate_flow_limit(l, base, next);
        return settled >= 0 ? settled : (l->passed = within_limit(l));
    }
    const sl_metrics_t *b = sl_threshold_scope(l->operation, l->tag_name, l->tag_value, base),
                       *n = sl_threshold_scope(l->operation, l->tag_name, l->tag_value, next);
    l->missing = b == NULL ? 1 : n == NULL ? 2 : 0;
    l->no_samples = 0;
    if (l->missing) /* a scope only one result has: nothing to compare */
        return l->passed = 0;
    base = b;
    next = n;
    sl_threshold_measure(l->metric, base, &l->base);
    sl_threshold_measure(l->metric, next, &l->next);
    l->change = l->next - l->base;
    const sl_hist_t *hb = sl_threshold_histogram(l->metric, base),
                    *hn = sl_threshold_histogram(l->metric, next);
    l->no_samples = hb != NULL && hb->total == 0 ? 1 : hn != NULL && hn->total == 0 ? 2 : 0;
    if (l->no_samples) /* a change from or to nothing measured is no evidence of a pass */
        return l->passed = 0;
    return l->passed = within_limit(l);
}

int sl_compare_slower(const sl_metrics_t *base, const sl_metrics_t *next, const sl_ranktest_t *rt)
{
    return base->latency->total > 0 && next->latency->total > 0 && rt->significant && rt->a > 0.5;
}
