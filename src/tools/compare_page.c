/*
 * compare_page: soapload compare --html: the rows and the verdict as a table, and both results'
 * latency percentile spectra on one SVG chart.
 */
#include "tools/compare_page.h"

#include <math.h>
#include <stdint.h>

#include "core/duration.h"
#include "core/hist.h"
#include "tools/compare_format.h"

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

void sl_compare_write_page(FILE *out, const sl_resultfile_t *b, const sl_resultfile_t *n,
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
    for (size_t i = 0; i < SL_COMPARE_NROWS; i++) {
        double x, y;
        sl_threshold_measure(sl_compare_rows[i], mb, &x);
        sl_threshold_measure(sl_compare_rows[i], mn, &y);
        sl_compare_format_value(sl_compare_rows[i], x, vb, sizeof(vb));
        sl_compare_format_value(sl_compare_rows[i], y, vn, sizeof(vn));
        sl_compare_format_change(sl_compare_rows[i], x, y, ch, sizeof(ch));
        fprintf(out, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", sl_compare_rows[i],
                vb, vn, ch);
    }
    for (int k = 0; sl_compare_flow_row(mb, mn, k, 0, label, vb, vn, ch, sizeof(vb)) == 0; k++)
        for (size_t r = 0; r < SL_COMPARE_NFLOW_ROWS; r++) {
            sl_compare_flow_row(mb, mn, k, r, label, vb, vn, ch, sizeof(vb));
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
        sl_compare_format_change(l->metric, l->base, l->next, ch, sizeof(ch));
        fprintf(out, "<p class=\"%s\">threshold %s ", l->passed ? "pass" : "fail",
                l->passed ? "pass" : "FAIL");
        html_text(out, l->text);
        if (sl_compare_unmeasured(l, why, sizeof(why)) != NULL) {
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
