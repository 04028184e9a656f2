/*
 * ops_report: the per-operation table of the summary.
 */
#include "output/ops_report.h"

#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/threshold.h"

void sl_ops_report_latency_cell(FILE *out, const sl_hist_t *h, double p)
{
    char v[32];
    if (h->total == 0) {
        fprintf(out, " %9s", "-");
        return;
    }
    sl_duration_format_us(p >= 100 ? (double)h->max : (double)sl_hist_percentile(h, p), v,
                          sizeof(v));
    fprintf(out, " %9s", v);
}

void sl_ops_report_cells(FILE *out, const sl_op_stats_t *st)
{
    const sl_counts_t *c = &st->counts;
    uint64_t failed = sl_counts_failed(c) - c->results[SL_R_CANCELLED];
    fprintf(out, " %10llu %10llu %10llu %10llu %10llu", (unsigned long long)c->scheduled,
            (unsigned long long)c->sent, (unsigned long long)c->results[SL_R_OK],
            (unsigned long long)c->results[SL_R_EXPECTED_FAULT], (unsigned long long)failed);
    sl_ops_report_latency_cell(out, st->from_due, 50);
    sl_ops_report_latency_cell(out, st->from_due, 90);
    sl_ops_report_latency_cell(out, st->from_due, 99);
    sl_ops_report_latency_cell(out, st->from_due, 100);
    sl_ops_report_latency_cell(out, st->service, 99);
    fprintf(out, "\n");
}

sl_metrics_t *sl_ops_metrics(const sl_config_t *cfg, const sl_run_t *run, sl_metrics_t *m)
{
    if (run->nops == 0)
        return NULL;
    sl_metrics_t *ops = calloc((size_t)run->nops, sizeof(*ops));
    if (ops == NULL)
        return NULL;
    for (int i = 0; i < run->nops; i++)
        ops[i] = (sl_metrics_t){.counts = &run->ops[i].counts,
                                .latency = run->ops[i].from_due,
                                .service = run->ops[i].service,
                                .duration_s = m->duration_s};
    m->nops = run->nops;
    m->op_names = (const char *const *)cfg->op_names;
    m->op_metrics = ops;
    return ops;
}

int sl_ops_report_check(const sl_config_t *cfg, const sl_run_t *run, char *err, size_t errlen)
{
    sl_counts_t sum = {0};
    char why[256];
    for (int i = 0; i < run->nops; i++) {
        if (sl_counts_check(&run->ops[i].counts, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "operation %s: %s", cfg ? cfg->op_names[i] : "?", why);
            return -1;
        }
        sl_counts_add(&sum, &run->ops[i].counts);
    }
    if (run->ops_partial) {
        snprintf(err, errlen, "a worker died before it reported its operations' results");
        return -1;
    }
    const sl_counts_t *t = &run->counts;
    if (sum.scheduled != t->scheduled || sum.sent != t->sent || sum.not_sent != t->not_sent ||
        memcmp(sum.results, t->results, sizeof(sum.results)) != 0 ||
        memcmp(sum.before_send, t->before_send, sizeof(sum.before_send)) != 0 ||
        sum.script_errors_before_send != t->script_errors_before_send) {
        snprintf(err, errlen,
                 "the operations do not add up to the totals (scheduled %llu of %llu, sent %llu "
                 "of %llu)",
                 (unsigned long long)sum.scheduled, (unsigned long long)t->scheduled,
                 (unsigned long long)sum.sent, (unsigned long long)t->sent);
        return -1;
    }
    return 0;
}

void sl_ops_report_print(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    char err[512];
    if (run->nops == 0)
        return;
    fprintf(out, "Operations         weight  scheduled       sent         ok  exp_fault     failed"
                 "       p50       p90       p99       max  svc p99\n");
    for (int i = 0; i < run->nops; i++) {
        const sl_op_stats_t *o = &run->ops[i];
        const sl_counts_t *c = &o->counts;
        if (cfg->scenarios != NULL) /* each scenario has its own weights: the Model lines */
            fprintf(out, "  %-16s %6s", cfg->op_names[i], "-");
        else
            fprintf(out, "  %-16s %6g", cfg->op_names[i], cfg->op_weights[i]);
        sl_ops_report_cells(out, o);
        int any = 0;
        for (int r = 0; r < SL_R_COUNT; r++) {
            if (r == SL_R_OK || r == SL_R_EXPECTED_FAULT || c->results[r] == 0)
                continue;
            fprintf(out, "%s%s %llu", any ? ", " : "    failures: ", sl_result_name((sl_result_t)r),
                    (unsigned long long)c->results[r]);
            any = 1;
        }
        for (int r = 0; r < SL_R_COUNT; r++) {
            if (c->before_send[r] == 0)
                continue;
            fprintf(out, "%s%s before send %llu",
                    any ? ", " : "    failures: ", sl_result_name((sl_result_t)r),
                    (unsigned long long)c->before_send[r]);
            any = 1;
        }
        if (c->not_sent + c->script_errors_before_send > 0) {
            fprintf(out, "%snot sent %llu, script errors before send %llu",
                    any ? ", " : "    failures: ", (unsigned long long)c->not_sent,
                    (unsigned long long)c->script_errors_before_send);
            any = 1;
        }
        if (any)
            fprintf(out, "\n");
    }
    if (sl_ops_report_check(cfg, run, err, sizeof(err)) != 0)
        fprintf(out, "ACCOUNTING ERROR: %s\n", err);
}
