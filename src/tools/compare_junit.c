/*
 * compare_junit: soapload compare --junit: a test case per threshold on the change and one for
 * the --fail-on-significant gate, in the run's JUnit format, so CI shows a comparison as it
 * shows a run.
 */
#include "tools/compare_junit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/junit.h"
#include "tools/compare_format.h"

int sl_compare_write_junit(sl_outfile_t *f, const sl_change_limit_t *limits, int nlimits, int gate,
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
        if (sl_compare_unmeasured(l, why, sizeof(why)) != NULL) {
            snprintf(k->message, sizeof(k->message), "%.95s: not measured: %.130s", l->text, why);
            snprintf(k->detail, sizeof(k->detail), "not measured: %.200s", why);
            continue;
        }
        sl_compare_format_value(l->metric, l->base, vb, sizeof(vb));
        sl_compare_format_value(l->metric, l->next, vn, sizeof(vn));
        sl_compare_format_change(l->metric, l->base, l->next, ch, sizeof(ch));
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
