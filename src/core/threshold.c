/*
 * threshold: "METRIC OP VALUE[UNIT]". Latency metrics take us, ms or s (a bare number is ms,
 * as people say "p99 < 50"); ratios take a fraction or a percentage ("1%").
 */
#include "core/threshold.h"
#include "core/scenario.h" /* SL_SCENARIO_TAG */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char metrics_help[] =
    "p50, p90, p99, p99.9, max, mean (latency from due time), service_p50, service_p99, "
    "service_max (service time), lateness_p99, lateness_max, rate (sent/s), ok_rate, "
    "error_rate, failed, not_sent, script_errors; per flow: flow_duration{flow=NAME} p95 "
    "(p50, max, mean, ...), flow_failure_rate{flow=NAME}, flow_completed{flow=NAME}";

const char *sl_threshold_metrics(void)
{
    return metrics_help;
}

static int is_latency(const char *m)
{
    return m[0] == 'p' || strncmp(m, "flow_duration_", 14) == 0 || strcmp(m, "max") == 0 ||
           strcmp(m, "mean") == 0 || strncmp(m, "service_", 8) == 0 ||
           strncmp(m, "lateness_", 9) == 0;
}

/* h NULL: only checks the name (and gives 0). */
static int percentile_of(const char *m, const sl_hist_t *h, double *out)
{
    char *end;
    double p = 0;
    if (strcmp(m, "max") != 0 && strcmp(m, "mean") != 0) {
        if (m[0] != 'p' || !isdigit((unsigned char)m[1]))
            return -1;
        p = strtod(m + 1, &end);
        if (*end != '\0' || p <= 0 || p > 100)
            return -1;
    }
    if (h == NULL)
        *out = 0;
    else if (strcmp(m, "max") == 0)
        *out = (double)h->max;
    else if (strcmp(m, "mean") == 0)
        *out = sl_hist_mean(h);
    else
        *out = (double)sl_hist_percentile(h, p);
    return 0;
}

/* A flow's metric; st NULL: only checks the name (and gives 0). Failures are every scheduled
 * flow that did not complete: failed, interrupted or not started. */
int sl_threshold_measure_flow(const char *m, const sl_flow_stats_t *st, double *out)
{
    if (strncmp(m, "flow_duration_", 14) == 0)
        return percentile_of(m + 14, st != NULL ? st->duration : NULL, out);
    if (strcmp(m, "flow_failure_rate") == 0)
        *out = st == NULL || st->scheduled == 0
                   ? 0
                   : (double)(st->scheduled - st->completed) / (double)st->scheduled;
    else if (strcmp(m, "flow_completed") == 0)
        *out = st == NULL ? 0 : (double)st->completed;
    else
        return -1;
    return 0;
}

const sl_flow_stats_t *sl_threshold_flow(const sl_metrics_t *m, const char *name)
{
    for (int k = 0; k < m->nflows; k++)
        if (strcmp(m->flow_names[k], name) == 0)
            return &m->flows[k];
    return NULL;
}

int sl_threshold_measure(const char *m, const sl_metrics_t *x, double *out)
{
    if (strncmp(m, "flow_", 5) == 0) /* per flow only: evaluated with its flow's results */
        return sl_threshold_measure_flow(m, NULL, out);
    const sl_counts_t *c = x->counts;
    double failed = (double)(c->scheduled - sl_counts_succeeded(c));
    if (strncmp(m, "service_", 8) == 0)
        return percentile_of(m + 8, x->service, out);
    if (strncmp(m, "lateness_", 9) == 0)
        return percentile_of(m + 9, x->lateness, out);
    if (strcmp(m, "rate") == 0)
        *out = (double)c->sent / x->duration_s;
    else if (strcmp(m, "ok_rate") == 0)
        *out = (double)c->results[SL_R_OK] / x->duration_s;
    else if (strcmp(m, "error_rate") == 0) /* everything scheduled that did not end well */
        *out = c->scheduled ? failed / (double)c->scheduled : 0;
    else if (strcmp(m, "failed") == 0)
        *out = failed;
    else if (strcmp(m, "not_sent") == 0)
        *out = (double)c->not_sent;
    else if (strcmp(m, "script_errors") == 0)
        *out = (double)(c->script_errors_before_send + c->results[SL_R_SCRIPT_ERROR]);
    else
        return percentile_of(m, x->latency, out);
    return 0;
}

const sl_hist_t *sl_threshold_histogram(const char *metric, const sl_metrics_t *m)
{
    if (!is_latency(metric))
        return NULL;
    if (strncmp(metric, "service_", 8) == 0)
        return m->service;
    if (strncmp(metric, "lateness_", 9) == 0)
        return m->lateness;
    return m->latency;
}

const char *sl_threshold_base_unit(const char *metric)
{
    if (is_latency(metric))
        return "us";
    if (strcmp(metric, "rate") == 0 || strcmp(metric, "ok_rate") == 0)
        return "/s";
    return "";
}

double sl_threshold_measured_in_unit(const sl_threshold_t *t)
{
    if (t->scale <= 0)
        return t->measured;
    return t->scale < 1 ? t->measured * (1 / t->scale) : t->measured / t->scale;
}

void sl_threshold_format_measured(const sl_threshold_t *t, char *buf, size_t cap)
{
    if (isnan(t->measured)) /* nothing to measure: no request of that operation or tag value,
                               or no latency sample at all */
        snprintf(buf, cap, "%s", t->no_samples ? "no samples" : "no requests");
    else
        snprintf(buf, cap, "%.6g%s", sl_threshold_measured_in_unit(t), t->unit);
}

const char *sl_threshold_op(sl_op_t op)
{
    static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!="};
    return ops[op];
}

/* The message for a threshold not of the form METRIC OP VALUE. Returns -1. */
static int bad_form(const char *text, char *err, size_t errlen)
{
    snprintf(err, errlen,
             "bad threshold '%s': expected METRIC OP VALUE, e.g. 'p99 < 50ms', "
             "'error_rate < 0.01', 'rate >= 995', or one operation's: 'p99{op=GetOrder} < 20ms', "
             "or one tag value's: 'p99{tier=gold} < 20ms' (OP: < <= > >= == !=)",
             text);
    return -1;
}

/* "{TAG=VALUE}" at *pp into t (past it in *pp), and after flow_duration{flow=X} its percentile
 * ("p95") into t->metric. Returns 0, or -1 with err. */
static int parse_tag_scope(const char **pp, sl_threshold_t *t, const char *text, char *err,
                           size_t errlen)
{
    const char *p = *pp;
    size_t nlen = strcspn(p + 1, "=}"), vlen = p[1 + nlen] == '=' ? strcspn(p + 2 + nlen, "}") : 0;
    if (p[1 + nlen] != '=' || p[2 + nlen + vlen] != '}' || nlen == 0 || nlen > SL_TAGS_MAX_TEXT ||
        vlen > SL_TAGS_MAX_TEXT)
        return bad_form(text, err, errlen);
    memcpy(t->tag_name, p + 1, nlen);
    memcpy(t->tag_value, p + 2 + nlen, vlen);
    p += 3 + nlen + vlen;
    if (strncmp(t->metric, "lateness_", 9) == 0) {
        snprintf(err, errlen,
                 "bad threshold '%s': send lateness is measured for the run, not per tag", text);
        return -1;
    }
    if (strcmp(t->metric, "flow_duration") == 0) { /* flow_duration{flow=X} p95 < 2s */
        while (isspace((unsigned char)*p))
            p++;
        size_t n = strlen(t->metric);
        t->metric[n++] = '_';
        while (*p && (isalnum((unsigned char)*p) || *p == '.') && n < sizeof(t->metric) - 1)
            t->metric[n++] = *p++;
        t->metric[n] = '\0';
    }
    *pp = p;
    return 0;
}

/* "{op=NAME}" at *pp into t->operation (past it in *pp). Returns 0, or -1 with err. */
static int parse_op_scope(const char **pp, sl_threshold_t *t, const char *text, char *err,
                          size_t errlen)
{
    const char *p = *pp;
    size_t len = strcspn(p + 4, "}");
    if (p[4 + len] != '}' || len == 0 || len >= sizeof(t->operation))
        return bad_form(text, err, errlen);
    memcpy(t->operation, p + 4, len);
    t->operation[len] = '\0';
    *pp = p + 4 + len + 1;
    if (strncmp(t->metric, "lateness_", 9) == 0) {
        snprintf(err, errlen,
                 "bad threshold '%s': send lateness is measured for the run, not per operation",
                 text);
        return -1;
    }
    return 0;
}

/* The metric's name at *pp and its scope, if any: one operation's results (p99{op=PlaceOrder})
 * or one tag value's (p99{tier=gold}); *pp is moved past them. Returns 0, or -1 with err. */
static int parse_metric(const char **pp, sl_threshold_t *t, const char *text, char *err,
                        size_t errlen)
{
    const char *p = *pp;
    size_t n = 0;
    while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '.') &&
           n < sizeof(t->metric) - 1)
        t->metric[n++] = *p++;
    t->metric[n] = '\0';
    *pp = p;
    if (*p == '{' && strncmp(p, "{op=", 4) != 0)
        return parse_tag_scope(pp, t, text, err, errlen);
    if (strncmp(p, "{op=", 4) == 0)
        return parse_op_scope(pp, t, text, err, errlen);
    return 0;
}

/* The comparison at *pp (after blanks) into t->op, *pp moved past it. Returns 0 or -1. */
static int parse_comparison(const char **pp, sl_threshold_t *t)
{
    const char *p = *pp;
    while (isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "<=", 2) == 0)
        t->op = SL_OP_LE, p += 2;
    else if (strncmp(p, ">=", 2) == 0)
        t->op = SL_OP_GE, p += 2;
    else if (strncmp(p, "==", 2) == 0)
        t->op = SL_OP_EQ, p += 2;
    else if (strncmp(p, "!=", 2) == 0)
        t->op = SL_OP_NE, p += 2;
    else if (*p == '<')
        t->op = SL_OP_LT, p++;
    else if (*p == '>')
        t->op = SL_OP_GT, p++;
    else
        return -1;
    *pp = p;
    return 0;
}

/* The value at p into t->value and its unit as written into u (cap ucap), with nothing after
 * them. Returns 0 or -1. */
static int parse_value(const char *p, sl_threshold_t *t, char *u, size_t ucap)
{
    char *end;
    size_t ul = 0;
    while (isspace((unsigned char)*p))
        p++;
    if (!(isdigit((unsigned char)*p) || *p == '.'))
        return -1;
    t->value = strtod(p, &end);
    if (end == p || !isfinite(t->value))
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    while (*end && !isspace((unsigned char)*end) && ul < ucap - 1)
        u[ul++] = *end++;
    u[ul] = '\0';
    while (isspace((unsigned char)*end))
        end++;
    return *end != '\0' ? -1 : 0;
}

/* Whether t names a metric that is measured, and a flow's metric its flow. Returns 0, or -1
 * with err. */
static int check_metric(const sl_threshold_t *t, const char *text, char *err, size_t errlen)
{
    if (strncmp(t->metric, "flow_", 5) == 0 && strcmp(t->tag_name, "flow") != 0) {
        snprintf(
            err, errlen,
            "bad threshold '%s': %s is a flow's: name it, as in "
            "'flow_duration{flow=checkout} p95 < 2s' or 'flow_failure_rate{flow=checkout} < 1%%'",
            text, t->metric);
        return -1;
    }
    sl_counts_t zero = {0};
    double probe;
    sl_metrics_t names_only = {.counts = &zero, .duration_s = 1}; /* no histograms: names only */
    if (sl_threshold_measure(t->metric, &names_only, &probe) != 0) {
        snprintf(err, errlen, "bad threshold '%s': unknown metric '%s' (known: %s)", text,
                 t->metric, metrics_help);
        return -1;
    }
    return 0;
}

/* The unit u (cap ucap; a bare latency becomes "ms") into t->scale and t->unit, and t->value
 * into the metric's base unit. Returns 0, or -1 with err when u does not fit the metric. */
static int apply_unit(sl_threshold_t *t, char *u, size_t ucap, const char *text, char *err,
                      size_t errlen)
{
    int fits = 1;
    t->scale = 1;
    if (is_latency(t->metric)) {
        if (u[0] == '\0')
            snprintf(u, ucap, "ms"); /* a bare number is ms: measured values say so */
        if (strcmp(u, "ms") == 0)
            t->scale = 1e3;
        else if (strcmp(u, "s") == 0)
            t->scale = 1e6;
        else if (strcmp(u, "us") != 0)
            fits = 0;
    } else if (strcmp(t->metric, "error_rate") == 0 ||
               strcmp(t->metric, "flow_failure_rate") == 0) {
        if (strcmp(u, "%") == 0)
            t->scale = 0.01;
        else if (u[0] != '\0')
            fits = 0;
    } else if (u[0] != '\0' && !(strcmp(u, "/s") == 0 && strstr(t->metric, "rate") != NULL)) {
        fits = 0;
    }
    if (!fits) {
        snprintf(err, errlen, "bad threshold '%s': unit '%s' does not fit metric '%s'", text, u,
                 t->metric);
        return -1;
    }
    t->value = t->scale < 1 ? t->value / (1 / t->scale) : t->value * t->scale; /* 1% is 1/100 */
    snprintf(t->unit, sizeof(t->unit), "%s", u);
    return 0;
}

int sl_threshold_parse(sl_threshold_set_t *set, const char *text, char *err, size_t errlen)
{
    sl_threshold_t t;
    const char *p = text;
    char u[8] = "";
    memset(&t, 0, sizeof(t));
    if (set->n == SL_MAX_THRESHOLDS) {
        snprintf(err, errlen, "too many thresholds (at most %d)", SL_MAX_THRESHOLDS);
        return -1;
    }
    while (isspace((unsigned char)*p))
        p++;
    snprintf(t.text, sizeof(t.text), "%s", p);
    for (size_t len = strlen(t.text); len > 0 && isspace((unsigned char)t.text[len - 1]);)
        t.text[--len] = '\0';
    if (parse_metric(&p, &t, text, err, errlen) != 0)
        return -1;
    if (parse_comparison(&p, &t) != 0 || parse_value(p, &t, u, sizeof(u)) != 0)
        return bad_form(text, err, errlen);
    if (check_metric(&t, text, err, errlen) != 0 ||
        apply_unit(&t, u, sizeof(u), text, err, errlen) != 0)
        return -1;
    set->items[set->n++] = t;
    return 0;
}

static const char *named(const sl_threshold_t *t, const char *kind)
{
    if (strcmp(kind, "operation") == 0)
        return t->operation[0] != '\0' ? t->operation : NULL;
    return strcmp(t->tag_name, SL_SCENARIO_TAG) == 0 ? t->tag_value : NULL;
}

/* Every name of `kind` a threshold gives is one of names[0..n): a name that cannot match is
 * refused before anything is sent, whatever its kind. */
static int check_names(const sl_threshold_set_t *set, const char *kind, const char *table,
                       const char *const *names, int n, char *err, size_t errlen)
{
    for (int i = 0; i < set->n; i++) {
        const sl_threshold_t *t = &set->items[i];
        const char *name = named(t, kind);
        int k = 0;
        while (name != NULL && k < n && strcmp(names[k], name) != 0)
            k++;
        if (name == NULL || k < n)
            continue;
        size_t len = (size_t)snprintf(err, errlen, "threshold '%s' names %s '%s', which ", t->text,
                                      kind, name);
        if (n == 0 && len < errlen)
            len +=
                (size_t)snprintf(err + len, errlen - len, "needs %s: the script has none", table);
        else if (len < errlen)
            len +=
                (size_t)snprintf(err + len, errlen - len, "the script does not define (%ss:", kind);
        for (k = 0; k < n && len < errlen; k++)
            len += (size_t)snprintf(err + len, errlen - len, " %s", names[k]);
        if (n && len < errlen)
            snprintf(err + len, errlen - len, ")");
        return -1;
    }
    return 0;
}

int sl_threshold_check_flows(const sl_threshold_set_t *set, const char *const *names, int n,
                             char *err, size_t errlen)
{
    for (int i = 0; i < set->n; i++) {
        const sl_threshold_t *t = &set->items[i];
        int k = 0;
        if (strncmp(t->metric, "flow_", 5) != 0)
            continue;
        while (k < n && strcmp(names[k], t->tag_value) != 0)
            k++;
        if (k < n)
            continue;
        size_t len = (size_t)snprintf(
            err, errlen, "threshold '%s' names flow '%s', which %s", t->text, t->tag_value,
            n ? "the script does not define (flows:" : "needs soapload.flows: the script has none");
        for (k = 0; k < n && len < errlen; k++)
            len += (size_t)snprintf(err + len, errlen - len, " %s", names[k]);
        if (n && len < errlen)
            snprintf(err + len, errlen - len, ")");
        return -1;
    }
    return 0;
}

int sl_threshold_check_operations(const sl_threshold_set_t *set, const char *const *names, int n,
                                  char *err, size_t errlen)
{
    return check_names(set, "operation", "soapload.operations", names, n, err, errlen);
}

int sl_threshold_check_scenarios(const sl_threshold_set_t *set, const char *const *names, int n,
                                 char *err, size_t errlen)
{
    return check_names(set, "scenario", "soapload.scenarios", names, n, err, errlen);
}

const sl_metrics_t *sl_threshold_scope(const char *operation, const char *tag_name,
                                       const char *tag_value, const sl_metrics_t *m)
{
    if (operation != NULL && operation[0] != '\0') {
        for (int k = 0; k < m->nops; k++)
            if (strcmp(m->op_names[k], operation) == 0)
                return &m->op_metrics[k];
        return NULL;
    }
    if (tag_name != NULL && tag_name[0] != '\0') {
        for (int k = 0; k < m->ntags; k++)
            if (strcmp(m->tags[k].name, tag_name) == 0 && strcmp(m->tags[k].value, tag_value) == 0)
                return &m->tag_metrics[k];
        return NULL;
    }
    return m;
}

int sl_threshold_evaluate(sl_threshold_set_t *set, const sl_metrics_t *m)
{
    int failed = 0;
    for (int i = 0; i < set->n; i++) {
        sl_threshold_t *t = &set->items[i];
        double v = 0;
        const sl_metrics_t *of = m;
        t->no_samples = 0;
        if (strncmp(t->metric, "flow_", 5) == 0) {
            int k = 0;
            while (k < m->nflows && strcmp(m->flow_names[k], t->tag_value) != 0)
                k++;
            if (k == m->nflows || sl_threshold_measure_flow(t->metric, &m->flows[k], &v) != 0 ||
                m->flows[k].scheduled == 0 || /* no such flow ran, or none completed: */
                (strncmp(t->metric, "flow_duration_", 14) == 0 &&
                 m->flows[k].duration->total == 0)) { /* it cannot pass */
                t->measured = NAN;
                t->passed = 0;
                failed++;
                continue;
            }
            of = NULL;
        } else if ((of = sl_threshold_scope(t->operation, t->tag_name, t->tag_value, m)) ==
                   NULL) { /* no request of that operation or tag value: it cannot pass */
            t->measured = NAN;
            t->passed = 0;
            failed++;
            continue;
        }
        if (of != NULL) {
            const sl_hist_t *h = sl_threshold_histogram(t->metric, of);
            t->no_samples = h != NULL && h->total == 0;
            if (t->no_samples) { /* no latency was measured (nothing answered): no evidence */
                t->measured = NAN;
                t->passed = 0;
                failed++;
                continue;
            }
            sl_threshold_measure(t->metric, of, &v);
        }
        t->measured = v;
        switch (t->op) {
        case SL_OP_LT:
            t->passed = v < t->value;
            break;
        case SL_OP_LE:
            t->passed = v <= t->value;
            break;
        case SL_OP_GT:
            t->passed = v > t->value;
            break;
        case SL_OP_GE:
            t->passed = v >= t->value;
            break;
        case SL_OP_EQ:
            t->passed = v == t->value;
            break;
        case SL_OP_NE:
            t->passed = v != t->value;
            break;
        }
        failed += !t->passed;
    }
    return failed;
}
