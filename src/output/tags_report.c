/*
 * tags_report: the per-tag-value table of the summary.
 */
#include "output/tags_report.h"

#include <stdlib.h>

#include "output/ops_report.h"
#include "core/threshold.h"

sl_metrics_t *sl_tags_metrics(const sl_run_t *run, sl_metrics_t *m)
{
    const sl_tags_t *t = &run->tags;
    if (t->n == 0)
        return NULL;
    sl_metrics_t *tm = calloc((size_t)t->n, sizeof(*tm));
    if (tm == NULL)
        return NULL;
    for (int i = 0; i < t->n; i++)
        tm[i] = (sl_metrics_t){.counts = &t->items[i].stats->counts,
                               .latency = t->items[i].stats->from_due,
                               .service = t->items[i].stats->service,
                               .duration_s = m->duration_s};
    m->ntags = t->n;
    m->tags = t->items;
    m->tag_metrics = tm;
    return tm;
}

int sl_tags_report_check(const sl_run_t *run, char *err, size_t errlen)
{
    if (run->tags.n == 0)
        return 0;
    if (run->tags_partial) {
        snprintf(err, errlen, "a worker died before it reported its tags' results");
        return -1;
    }
    return sl_tags_check(&run->tags, err, errlen);
}

void sl_tags_report_print(FILE *out, const sl_run_t *run)
{
    const sl_tags_t *t = &run->tags;
    char err[512];
    uint64_t folded = 0;
    if (t->n == 0)
        return;
    fprintf(out, "Tags               value        scheduled       sent         ok  exp_fault"
                 "     failed       p50       p90       p99       max  svc p99\n");
    for (int i = 0; i < t->n; i++) {
        const sl_tag_t *e = &t->items[i];
        if (e->other)
            folded += e->stats->counts.scheduled;
        fprintf(out, "  %-16s %-12s", e->name, e->value);
        sl_ops_report_cells(out, e->stats);
    }
    if (folded > 0)
        fprintf(out,
                "  (other): %llu requests whose tag values lay past the %d kept (or names past "
                "the %d kept) were folded\n",
                (unsigned long long)folded, SL_TAGS_MAX_PAIRS, SL_TAGS_MAX_NAMES);
    if (sl_tags_report_check(run, err, sizeof(err)) != 0)
        fprintf(out, "ACCOUNTING ERROR: %s\n", err);
}
