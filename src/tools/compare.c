/*
 * compare: both files are read with the merge's reader (one owner for the result format);
 * every metric is measured the way thresholds measure it, so that "p99" means the same thing
 * in a run, a merge and a comparison.
 */
#include "tools/compare.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/duration.h"
#include "core/exitcode.h"
#include "core/ranktest.h"
#include "core/subargs.h"
#include "output/outfile.h"
#include "output/junit.h"
#include "output/ops_report.h"
#include "output/report.h"
#include "output/tags_report.h"
#include "output/resultfile.h"

/* ---- limits on the change -------------------------------------------------------------- */

static int is_latency_metric(const char *metric)
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

static int is_flow_metric(const char *metric)
{
    return strncmp(metric, "flow_", 5) == 0;
}

/* A ratio: its % are percentage points, not percent of the baseline. */
static int is_ratio_metric(const char *metric)
{
    return strcmp(metric, "error_rate") == 0 || strcmp(metric, "flow_failure_rate") == 0;
}

/* A flow's metric (out->metric) names its flow ({flow=NAME}, in out->tag_value); after
 * flow_duration{flow=NAME} comes the percentile ("p95", "max"), read from p + *n into the
 * metric's name as thresholds name it ("flow_duration_p95"). Returns 0 or -1. */
static int parse_flow(const char *p, size_t *n, sl_change_limit_t *out)
{
    size_t k = *n, len = strlen(out->metric);
    if (!is_flow_metric(out->metric))
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
    int latency = is_latency_metric(out->metric);
    int ratio = is_ratio_metric(out->metric);
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
    if (is_flow_metric(l->metric)) {
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

/* ---- printing -------------------------------------------------------------------------- */

static void format_value(const char *metric, double v, char *buf, size_t cap)
{
    if (is_latency_metric(metric))
        sl_duration_format_us(v, buf, cap);
    else if (is_ratio_metric(metric))
        snprintf(buf, cap, "%.3f%%", v * 100);
    else if (strstr(metric, "rate") != NULL)
        snprintf(buf, cap, "%.1f/s", v);
    else
        snprintf(buf, cap, "%.0f", v);
}

static void format_change(const char *metric, double base, double next, char *buf, size_t cap)
{
    double d = next - base;
    if (is_ratio_metric(metric))
        snprintf(buf, cap, "%+.3f points", d * 100);
    else if (base != 0)
        snprintf(buf, cap, "%+.1f%%", d / base * 100);
    else if (d == 0)
        snprintf(buf, cap, "+0.0%%");
    else
        snprintf(buf, cap, "%s (from 0)", d > 0 ? "up" : "down");
}

/* Why a limit was not measured, or NULL when it was. */
static const char *unmeasured(const sl_change_limit_t *l, char *buf, size_t cap)
{
    const char *which =
        (l->missing ? l->missing : l->no_samples) == 1 ? "the baseline" : "the new result";
    if (l->missing && is_flow_metric(l->metric))
        snprintf(buf, cap, "%s has no flow '%s'", which, l->tag_value);
    else if (l->no_samples && is_flow_metric(l->metric))
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

static const char *const rows[] = {"rate", "error_rate", "p50", "p90", "p99", "p99.9", "max"};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* Each flow's rows: its duration percentiles and its failure rate. */
static const char *const flow_rows[] = {"flow_duration_p50", "flow_duration_p95",
                                        "flow_duration_p99", "flow_failure_rate"};
#define NFLOW_ROWS (sizeof(flow_rows) / sizeof(flow_rows[0]))

/* Row `row` of the k-th flow of both results (the baseline's flows, then the new result's that
 * the baseline lacks): its label and the values and change as text ("-" where a result has no
 * such flow, or no completed flow to time). Returns 0, or -1 past the last flow. */
static int flow_row(const sl_metrics_t *mb, const sl_metrics_t *mn, int k, size_t row, char *label,
                    char *vb, char *vn, char *ch, size_t cap)
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
        format_value(m, x, vb, cap);
    else
        snprintf(vb, cap, "-");
    if (hn)
        format_value(m, y, vn, cap);
    else
        snprintf(vn, cap, "-");
    if (hb && hn)
        format_change(m, x, y, ch, cap);
    else
        snprintf(ch, cap, "-");
    return 0;
}

static void print_comparison(FILE *out, const sl_resultfile_t *b, const sl_resultfile_t *n,
                             const sl_metrics_t *mb, const sl_metrics_t *mn,
                             const sl_ranktest_t *rt, const sl_change_limit_t *limits, int nlimits,
                             int gate)
{
    char vb[48], vn[48], ch[48], why[256], label[48];
    fprintf(out, "Comparison      baseline %s\n                new      %s\n", b->source,
            n->source);
    fprintf(out, "%-16s%14s %14s %16s\n", "", "baseline", "new", "change");
    for (size_t i = 0; i < NROWS; i++) {
        double x, y;
        sl_threshold_measure(rows[i], mb, &x);
        sl_threshold_measure(rows[i], mn, &y);
        format_value(rows[i], x, vb, sizeof(vb));
        format_value(rows[i], y, vn, sizeof(vn));
        format_change(rows[i], x, y, ch, sizeof(ch));
        fprintf(out, "  %-14s%14s %14s %16s\n", rows[i], vb, vn, ch);
    }
    for (int k = 0; flow_row(mb, mn, k, 0, label, vb, vn, ch, sizeof(vb)) == 0; k++)
        for (size_t r = 0; r < NFLOW_ROWS; r++) {
            if (k == 0 && r == 0)
                fprintf(out, "Flows           duration from the first step's due time to the "
                             "last answer; failed: not completed\n");
            flow_row(mb, mn, k, r, label, vb, vn, ch, sizeof(vb));
            fprintf(out, "  %-14s%14s %14s %16s\n", label, vb, vn, ch);
        }
    if (mb->latency->total == 0 || mn->latency->total == 0) {
        fprintf(out, "Latency change  not tested: a result has no latency samples\n");
    } else {
        const char *dir = rt->a > 0.5 ? "slower" : rt->a < 0.5 ? "faster" : "neither";
        fprintf(out,
                "Latency change  %s: P(new > baseline) = %.3f (0.5: no change), Mann-Whitney "
                "z = %+.2f, p = %.3g\n",
                rt->significant ? "SIGNIFICANT" : "not significant", rt->a, rt->z, rt->p);
        if (rt->significant)
            fprintf(out,
                    "                new is %s beyond run-to-run noise (p < %g, |A - 0.5| >= "
                    "%g)\n",
                    dir, SL_RANKTEST_ALPHA, SL_RANKTEST_MIN_EFFECT);
        else
            fprintf(out,
                    "                within run-to-run noise (significant needs p < %g and "
                    "|A - 0.5| >= %g)\n",
                    SL_RANKTEST_ALPHA, SL_RANKTEST_MIN_EFFECT);
    }
    int failed = 0;
    for (int i = 0; i < nlimits; i++) {
        const sl_change_limit_t *l = &limits[i];
        format_value(l->metric, l->base, vb, sizeof(vb));
        format_value(l->metric, l->next, vn, sizeof(vn));
        format_change(l->metric, l->base, l->next, ch, sizeof(ch));
        if (unmeasured(l, why, sizeof(why)) != NULL)
            fprintf(out, "Threshold       FAIL %-20s not measured: %s\n", l->text, why);
        else
            fprintf(out, "Threshold       %-4s %-20s baseline %s, new %s, change %s\n",
                    l->passed ? "pass" : "FAIL", l->text, vb, vn, ch);
        failed += !l->passed;
    }
    int slower = gate && sl_compare_slower(mb, mn, rt);
    if (gate)
        fprintf(out, "Gate            --fail-on-significant: %s\n",
                slower ? "FAIL, the latency is significantly slower"
                       : "pass, the latency is not significantly slower");
    fprintf(out, "Result          %s\n",
            failed            ? "FAIL: a threshold on the change failed"
            : slower          ? "FAIL: the latency is significantly slower"
            : nlimits || gate ? "PASS: every threshold on the change held"
                              : "compared (no thresholds given)");
}

/* ---- the page -------------------------------------------------------------------------- */

static void html_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

#define CHART_W 760
#define CHART_H 380
#define PAD_L 70
#define PAD_B 40
#define PAD_T 20
#define PAD_R 20
#define SPECTRUM_DECADES 5 /* 0% .. 99.999% at most */

/* One spectrum: percentile p at x = log10(1 / (1 - p)), as HdrHistogram plots them, over
 * `decades` decades. */
static void spectrum(FILE *out, const sl_hist_t *h, int decades, double ymax, const char *color)
{
    double w = CHART_W - PAD_L - PAD_R, ht = CHART_H - PAD_T - PAD_B;
    double top = log10((double)h->total); /* beyond 1/total the percentiles are all the max */
    if (top > decades)
        top = decades;
    fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", color);
    for (double x = 0; x <= top + 1e-9; x += 0.02) {
        double p = 100 * (1 - pow(10, -x));
        double v = (double)sl_hist_percentile(h, p);
        fprintf(out, "%.1f,%.1f ", PAD_L + x / decades * w, PAD_T + ht - v / ymax * ht);
    }
    fprintf(out, "%.1f,%.1f\"/>\n", PAD_L + top / decades * w,
            PAD_T + ht - (double)h->max / ymax * ht);
}

static void write_page(FILE *out, const sl_resultfile_t *b, const sl_resultfile_t *n,
                       const sl_metrics_t *mb, const sl_metrics_t *mn, const sl_ranktest_t *rt,
                       const sl_change_limit_t *limits, int nlimits)
{
    char vb[48], vn[48], ch[48], tick[32], why[256], label[48];
    double ymax =
        (double)(mb->latency->max > mn->latency->max ? mb->latency->max : mn->latency->max);
    double w = CHART_W - PAD_L - PAD_R, ht = CHART_H - PAD_T - PAD_B;
    uint64_t most =
        mb->latency->total > mn->latency->total ? mb->latency->total : mn->latency->total;
    int decades = (int)ceil(log10((double)(most > 10 ? most : 10)));
    if (decades > SPECTRUM_DECADES)
        decades = SPECTRUM_DECADES;
    if (ymax < 1)
        ymax = 1;
    ymax *= 1.05;
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<title>soapload compare</title>\n<style>body{font:14px sans-serif;margin:2em}"
                 "table{border-collapse:collapse}td,th{padding:3px 10px;text-align:right;"
                 "border-bottom:1px solid #ddd}td:first-child,th:first-child{text-align:left}"
                 ".fail{color:#b91c1c;font-weight:bold}</style></head><body>\n"
                 "<h1>soapload compare</h1>\n<p>baseline <b style=\"color:#2563eb\">");
    html_text(out, b->source);
    fprintf(out, "</b>, new <b style=\"color:#dc2626\">");
    html_text(out, n->source);
    fprintf(out, "</b></p>\n<table id=\"changes\"><tr><th></th><th>baseline</th><th>new</th>"
                 "<th>change</th></tr>\n");
    for (size_t i = 0; i < NROWS; i++) {
        double x, y;
        sl_threshold_measure(rows[i], mb, &x);
        sl_threshold_measure(rows[i], mn, &y);
        format_value(rows[i], x, vb, sizeof(vb));
        format_value(rows[i], y, vn, sizeof(vn));
        format_change(rows[i], x, y, ch, sizeof(ch));
        fprintf(out, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", rows[i], vb, vn,
                ch);
    }
    for (int k = 0; flow_row(mb, mn, k, 0, label, vb, vn, ch, sizeof(vb)) == 0; k++)
        for (size_t r = 0; r < NFLOW_ROWS; r++) {
            flow_row(mb, mn, k, r, label, vb, vn, ch, sizeof(vb));
            fprintf(out, "<tr><td>flow ");
            html_text(out, label);
            fprintf(out, "</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", vb, vn, ch);
        }
    fprintf(out,
            "</table>\n<p id=\"verdict\">Latency change: <b>%s</b>: P(new &gt; baseline) = "
            "%.3f, Mann-Whitney z = %+.2f, p = %.3g (significant needs p &lt; %g and "
            "|A &minus; 0.5| &ge; %g)</p>\n",
            rt->significant ? "significant" : "not significant", rt->a, rt->z, rt->p,
            SL_RANKTEST_ALPHA, SL_RANKTEST_MIN_EFFECT);
    for (int i = 0; i < nlimits; i++) {
        const sl_change_limit_t *l = &limits[i];
        format_change(l->metric, l->base, l->next, ch, sizeof(ch));
        fprintf(out, "<p class=\"%s\">threshold %s ", l->passed ? "pass" : "fail",
                l->passed ? "pass" : "FAIL");
        html_text(out, l->text);
        if (unmeasured(l, why, sizeof(why)) != NULL) {
            fprintf(out, ": not measured: ");
            html_text(out, why);
            fprintf(out, "</p>\n");
        } else {
            fprintf(out, ": change %s</p>\n", ch);
        }
    }
    fprintf(out,
            "<h2>Latency from due time by percentile</h2>\n<svg id=\"spectrum\" "
            "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
            "%d\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
            CHART_W, CHART_H, CHART_W, CHART_H);
    static const char *const xlabels[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
    for (int d = 0; d <= decades; d++) {
        double x = PAD_L + (double)d / decades * w;
        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
                x, PAD_T, x, PAD_T + ht, x, PAD_T + ht + 16, xlabels[d]);
    }
    for (int k = 0; k <= 4; k++) {
        double v = ymax / 1.05 * k / 4, y = PAD_T + ht - v / ymax * ht;
        sl_duration_format_us(v, tick, sizeof(tick));
        fprintf(out,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
                PAD_L, y, PAD_L + w, y, PAD_L - 6, y + 4, tick);
    }
    fprintf(out,
            "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">percentile"
            "</text>\n",
            PAD_L + w / 2, CHART_H - 4);
    if (mb->latency->total > 0)
        spectrum(out, mb->latency, decades, ymax, "#2563eb");
    if (mn->latency->total > 0)
        spectrum(out, mn->latency, decades, ymax, "#dc2626");
    fprintf(out,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#2563eb\">baseline</text>"
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#dc2626\">new</text>\n</svg>\n"
            "</body></html>\n",
            PAD_L + 10, PAD_T + 14, PAD_L + 80, PAD_T + 14);
}

/* ---- JUnit ------------------------------------------------------------------------------ */

/* --junit: a case per threshold on the change (measured values and the limit in a failure)
 * and one for the --fail-on-significant gate, in the run's JUnit format. */
static int write_junit(sl_outfile_t *f, const sl_change_limit_t *limits, int nlimits, int gate,
                       const sl_metrics_t *mb, const sl_metrics_t *mn, const sl_ranktest_t *rt,
                       char *err, size_t errlen)
{
    sl_junit_case_t cases[SL_COMPARE_MAX_LIMITS + 1];
    char vb[32], vn[32], ch[48], why[256], *doc = NULL;
    size_t len = 0;
    int n = 0, rc = -1;
    for (int i = 0; i < nlimits; i++, n++) {
        const sl_change_limit_t *l = &limits[i];
        sl_junit_case_t *k = &cases[n];
        memset(k, 0, sizeof(*k));
        k->classname = "soapload.compare";
        snprintf(k->name, sizeof(k->name), "%.95s", l->text);
        k->failed = !l->passed;
        if (unmeasured(l, why, sizeof(why)) != NULL) {
            snprintf(k->message, sizeof(k->message), "%.95s: not measured: %.130s", l->text, why);
            snprintf(k->detail, sizeof(k->detail), "not measured: %.200s", why);
            continue;
        }
        format_value(l->metric, l->base, vb, sizeof(vb));
        format_value(l->metric, l->next, vn, sizeof(vn));
        format_change(l->metric, l->base, l->next, ch, sizeof(ch));
        snprintf(k->detail, sizeof(k->detail), "baseline %s, new %s, change %s; limit %.95s", vb,
                 vn, ch, l->text);
        if (k->failed)
            snprintf(k->message, sizeof(k->message), "%.95s: baseline %s, new %s, change %s",
                     l->text, vb, vn, ch);
    }
    if (gate) {
        sl_junit_case_t *k = &cases[n++];
        memset(k, 0, sizeof(*k));
        k->classname = "soapload.compare";
        snprintf(k->name, sizeof(k->name), "latency not significantly slower");
        k->failed = sl_compare_slower(mb, mn, rt);
        snprintf(k->detail, sizeof(k->detail),
                 "P(new > baseline) = %.3f, Mann-Whitney z = %+.2f, p = %.3g", rt->a, rt->z, rt->p);
        if (k->failed)
            snprintf(k->message, sizeof(k->message),
                     "the latency is significantly slower: P(new > baseline) = %.3f, p = %.3g",
                     rt->a, rt->p);
    }
    FILE *mem = open_memstream(&doc, &len);
    if (mem == NULL ||
        sl_junit_write(mem, "soapload compare", 0, (int64_t)time(NULL) * 1000000, NULL, 0, cases,
                       n) != 0 ||
        fclose(mem) != 0)
        snprintf(err, errlen, "cannot write %s: out of memory", f->path);
    else
        rc = sl_outfile_write(f, doc, len, err, errlen);
    free(doc);
    return rc;
}

/* ---- the subcommand -------------------------------------------------------------------- */

/* soapload compare's own flags and operands (the two result files), as sl_compare_main reads
 * them */
typedef struct {
    sl_change_limit_t *limits;
    const char *paths[2], *html, *junit;
    int npaths, nlimits, gate;
} compare_args_t;

static int add_limit(void *opts, const char *flag, const char *value, char *err, size_t errlen)
{
    compare_args_t *c = opts;
    (void)flag;
    if (c->nlimits == SL_COMPARE_MAX_LIMITS) {
        snprintf(err, errlen, "more than %d thresholds", SL_COMPARE_MAX_LIMITS);
        return -1;
    }
    return sl_compare_parse_limit(value, &c->limits[c->nlimits++], err, errlen);
}

static int add_path(void *opts, const char *flag, const char *value, char *err, size_t errlen)
{
    compare_args_t *c = opts;
    (void)flag;
    if (c->npaths == 2) {
        snprintf(err, errlen,
                 "more than two result files (%s): compare takes BASELINE.json NEW.json; merge "
                 "segments first",
                 value);
        return -1;
    }
    c->paths[c->npaths++] = value;
    return 0;
}

static const sl_subarg_t compare_flags[] = {
    {"--threshold", NULL, "'METRIC +N[UNIT]'", 0, add_limit,
     "fail when METRIC rose more than N (-N: fell more than N);\n"
     "                     % is relative for latencies and rates, percentage points for "
     "error_rate\n"
     "                     METRIC{op=NAME} or METRIC{TAG=VALUE} (a scenario: {scenario=NAME}): "
     "that\n"
     "                     operation's or tag value's results, e.g. 'p99{op=GetOrder} +10%'\n"
     "                     flow_duration{flow=NAME} pN, flow_failure_rate{flow=NAME} (points)\n"
     "                     or flow_completed{flow=NAME}: a flow's, e.g.\n"
     "                     'flow_duration{flow=order} p95 +20%'"},
    {"-t", NULL, "EXPR", 0, add_limit, NULL},
    {"--fail-on-significant", NULL, NULL, offsetof(compare_args_t, gate), NULL,
     "fail when the rank test finds the latency significantly slower"},
    {"--html", NULL, "FILE", offsetof(compare_args_t, html), NULL,
     "write a page with both percentile spectra on one chart"},
    {"--junit", NULL, "FILE", offsetof(compare_args_t, junit), NULL,
     "write a JUnit XML report: a test case per threshold (and the gate)"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: soapload compare BASELINE.json NEW.json [--threshold 'p99 +10%%']... "
            "[--fail-on-significant] [--html OUT] [--junit OUT]\n"
            "Prints the change in rate, error rate and latency percentiles from BASELINE to NEW "
            "(each a\nresult of a run or of soapload merge), and whether the latency change is "
            "larger than\nrun-to-run noise (a Mann-Whitney rank test over the two histograms).\n");
    sl_subargs_usage(out, compare_flags);
    fprintf(out, "Exit codes: 0 compared, 2 usage or unreadable input, 3 a threshold on the change "
                 "failed\n(or, with --fail-on-significant, the latency is significantly "
                 "slower).\n");
}

/* The totals' metrics and each operation's and tag value's (arrays the caller frees), and each
 * flow's, named in names[0..SL_FLOW_MAX) (the caller's, as long as m). */
static void metrics_of(const sl_resultfile_t *r, sl_metrics_t *m, sl_metrics_t **ops,
                       sl_metrics_t **tags, const char **names)
{
    memset(m, 0, sizeof(*m));
    for (int i = 0; i < r->run.nflows; i++)
        names[i] = r->cfg.flows->f[i].name;
    m->nflows = r->run.nflows;
    m->flow_names = names;
    m->flows = r->run.flows;
    m->counts = &r->run.counts;
    m->latency = r->run.latency;
    m->service = r->run.service;
    m->lateness = r->run.lateness;
    m->duration_s = r->sending_s;
    *ops = sl_ops_metrics(&r->cfg, &r->run, m);
    *tags = sl_tags_metrics(&r->run, m);
}

/* A limit's scope that neither result has is a mistake in the command line, not a result. */
static int check_scope(const sl_change_limit_t *l, const sl_metrics_t *mb, const sl_metrics_t *mn,
                       char *err, size_t errlen)
{
    if (is_flow_metric(l->metric)) {
        if (sl_threshold_flow(mb, l->tag_value) != NULL ||
            sl_threshold_flow(mn, l->tag_value) != NULL)
            return 0;
        snprintf(err, errlen, "threshold '%s' names flow '%s', which neither result has", l->text,
                 l->tag_value);
        return -1;
    }
    if (sl_threshold_scope(l->operation, l->tag_name, l->tag_value, mb) != NULL ||
        sl_threshold_scope(l->operation, l->tag_name, l->tag_value, mn) != NULL)
        return 0;
    if (l->operation[0] != '\0')
        snprintf(err, errlen, "threshold '%s' names operation '%s', which neither result has",
                 l->text, l->operation);
    else
        snprintf(err, errlen,
                 "threshold '%s' names tag %s=%s, which no request of either "
                 "result carried",
                 l->text, l->tag_name, l->tag_value);
    return -1;
}

int sl_compare_main(int argc, char **argv)
{
    sl_change_limit_t limits[SL_COMPARE_MAX_LIMITS];
    sl_resultfile_t files[2];
    sl_outfile_t html = {.fd = -1};
    compare_args_t args = {.limits = limits};
    sl_outfile_t junit = {.fd = -1};
    char err[4096];
    int loaded = 0, code = SL_EXIT_USAGE;
    sl_metrics_t *scoped[4] = {NULL, NULL, NULL, NULL}; /* ops and tags of each file */
    /* a closed pipe on stdout fails the summary's write (exit 4), and the files are still
     * written, as in a run */
    signal(SIGPIPE, SIG_IGN);
    switch (sl_subargs_parse(compare_flags, argc, argv, &args, add_path, err, sizeof(err))) {
    case SL_SUBARGS_HELP:
        usage(stdout);
        return SL_EXIT_OK;
    case SL_SUBARGS_OK:
        break;
    default:
        fprintf(stderr, "soapload compare: %s\n", err);
        goto Usage;
    }
    const char *const *paths = args.paths, *html_path = args.html, *junit_path = args.junit;
    int npaths = args.npaths, nlimits = args.nlimits, gate = args.gate;
    if (npaths != 2) {
        fprintf(stderr, "soapload compare: it takes two result files, BASELINE.json NEW.json\n");
        goto Usage;
    }
    for (; loaded < 2; loaded++)
        if (sl_resultfile_load(&files[loaded], paths[loaded], err, sizeof(err)) != 0) {
            loaded++;
            fprintf(stderr, "soapload compare: %s\n", err);
            goto Done;
        }
    if ((html_path && sl_outfile_prepare(&html, html_path, 0644, err, sizeof(err)) != 0) ||
        (junit_path && sl_outfile_prepare(&junit, junit_path, 0644, err, sizeof(err)) != 0)) {
        fprintf(stderr, "soapload compare: %s\n", err);
        goto Done;
    }
    sl_metrics_t mb, mn;
    sl_ranktest_t rt;
    const char *flow_names[2][SL_FLOW_MAX];
    metrics_of(&files[0], &mb, &scoped[0], &scoped[1], flow_names[0]);
    metrics_of(&files[1], &mn, &scoped[2], &scoped[3], flow_names[1]);
    for (int i = 0; i < nlimits; i++)
        if (check_scope(&limits[i], &mb, &mn, err, sizeof(err)) != 0) {
            fprintf(stderr, "soapload compare: %s\n", err);
            goto Done;
        }
    sl_ranktest_hist(mb.latency, mn.latency, &rt);
    code = SL_EXIT_OK;
    for (int i = 0; i < nlimits; i++)
        if (!sl_compare_evaluate_limit(&limits[i], &mb, &mn))
            code = SL_EXIT_THRESHOLD;
    if (gate && sl_compare_slower(&mb, &mn, &rt))
        code = SL_EXIT_THRESHOLD;
    print_comparison(stdout, &files[0], &files[1], &mb, &mn, &rt, limits, nlimits, gate);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "soapload compare: cannot write to stdout: %s\n", strerror(errno));
        code = SL_EXIT_INTERNAL;
    }
    if (html_path != NULL) {
        char *page = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&page, &len);
        if (mem == NULL) {
            fprintf(stderr, "soapload compare: cannot write %s: out of memory\n", html_path);
            code = SL_EXIT_INTERNAL;
        } else {
            write_page(mem, &files[0], &files[1], &mb, &mn, &rt, limits, nlimits);
            if (fclose(mem) != 0) {
                fprintf(stderr, "soapload compare: cannot write %s: out of memory\n", html_path);
                code = SL_EXIT_INTERNAL;
            } else if (sl_outfile_write(&html, page, len, err, sizeof(err)) != 0) {
                fprintf(stderr, "soapload compare: %s\n", err);
                code = SL_EXIT_INTERNAL;
            }
        }
        free(page);
    }
    if (junit_path != NULL &&
        write_junit(&junit, limits, nlimits, gate, &mb, &mn, &rt, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload compare: %s\n", err);
        code = SL_EXIT_INTERNAL;
    }
    goto Done;
Usage:
    fprintf(stderr, "Try 'soapload compare --help'.\n");
Done:
    for (int i = 0; i < 4; i++)
        free(scoped[i]);
    sl_outfile_close(&html);
    sl_outfile_close(&junit);
    for (int i = 0; i < loaded; i++)
        sl_resultfile_free(&files[i]);
    return code;
}
