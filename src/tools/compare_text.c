/*
 * compare_text: soapload compare's summary on stdout: both results' rows side by side with their
 * change, each flow's, the rank test's verdict, each threshold on the change and the result.
 */
#include "tools/compare_text.h"

#include "tools/compare_format.h"

void sl_compare_print(FILE *out, const sl_resultfile_t *b, const sl_resultfile_t *n,
                      const sl_metrics_t *mb, const sl_metrics_t *mn, const sl_ranktest_t *rt,
                      const sl_change_limit_t *limits, int nlimits, int gate)
{
    char vb[48], vn[48], ch[48], why[256], label[48];
    fprintf(out, "Comparison      baseline %s\n                new      %s\n", b->source,
            n->source);
    fprintf(out, "%-16s%14s %14s %16s\n", "", "baseline", "new", "change");
    for (size_t i = 0; i < SL_COMPARE_NROWS; i++) {
        double x, y;
        sl_threshold_measure(sl_compare_rows[i], mb, &x);
        sl_threshold_measure(sl_compare_rows[i], mn, &y);
        sl_compare_format_value(sl_compare_rows[i], x, vb, sizeof(vb));
        sl_compare_format_value(sl_compare_rows[i], y, vn, sizeof(vn));
        sl_compare_format_change(sl_compare_rows[i], x, y, ch, sizeof(ch));
        fprintf(out, "  %-14s%14s %14s %16s\n", sl_compare_rows[i], vb, vn, ch);
    }
    for (int k = 0; sl_compare_flow_row(mb, mn, k, 0, label, vb, vn, ch, sizeof(vb)) == 0; k++)
        for (size_t r = 0; r < SL_COMPARE_NFLOW_ROWS; r++) {
            if (k == 0 && r == 0)
                fprintf(out, "Flows           duration from the first step's due time to the "
                             "last answer; failed: not completed\n");
            sl_compare_flow_row(mb, mn, k, r, label, vb, vn, ch, sizeof(vb));
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
        sl_compare_format_value(l->metric, l->base, vb, sizeof(vb));
        sl_compare_format_value(l->metric, l->next, vn, sizeof(vn));
        sl_compare_format_change(l->metric, l->base, l->next, ch, sizeof(ch));
        if (sl_compare_unmeasured(l, why, sizeof(why)) != NULL)
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
