/*
 * flows_report: per-flow results in the summary and the JSON.
 */
#include "output/flows_report.h"

#include <stdio.h>

#include "core/hist_json.h"
#include "core/json.h"
#include "output/ops_report.h"

static const char *step_name(const sl_config_t *cfg, const sl_flow_def_t *f, int s)
{
    return cfg->op_names[f->steps[s].op];
}

void sl_flows_report_print(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    char err[256];
    if (run->nflows == 0 || cfg->flows == NULL)
        return;
    fprintf(out, "Flows           scheduled  completed     failed interrupted not started"
                 "       p50       p90       p99       max\n");
    for (int i = 0; i < run->nflows; i++) {
        const sl_flow_stats_t *st = &run->flows[i];
        const sl_flow_def_t *f = &cfg->flows->f[i];
        fprintf(out, "  %-13s %10llu %10llu %10llu %11llu %11llu", f->name,
                (unsigned long long)st->scheduled, (unsigned long long)st->completed,
                (unsigned long long)st->failed, (unsigned long long)st->interrupted,
                (unsigned long long)st->not_started);
        sl_ops_report_latency_cell(out, st->duration, 50);
        sl_ops_report_latency_cell(out, st->duration, 90);
        sl_ops_report_latency_cell(out, st->duration, 99);
        sl_ops_report_latency_cell(out, st->duration, 100);
        fprintf(out, "\n");
        for (int s = 0; s < f->nsteps; s++) {
            const char *sep = ": ";
            for (int r = 0; r < SL_FLOW_REASONS; r++) {
                if (st->failed_at[s][r] == 0)
                    continue;
                if (sep[0] == ':')
                    fprintf(out, "    failed at %s", step_name(cfg, f, s));
                fprintf(out, "%s%s %llu", sep, sl_flow_reason_name(r),
                        (unsigned long long)st->failed_at[s][r]);
                sep = ", ";
            }
            if (sep[0] == ',')
                fprintf(out, "\n");
            if (st->retried_at[s] > 0)
                fprintf(out, "    retried at %s: %llu (each a request of its own)\n",
                        step_name(cfg, f, s), (unsigned long long)st->retried_at[s]);
            if (st->interrupted_at[s] > 0)
                fprintf(out, "    interrupted at %s: %llu\n", step_name(cfg, f, s),
                        (unsigned long long)st->interrupted_at[s]);
        }
    }
    for (int i = 0; i < run->nflows; i++)
        if (sl_flow_stats_check(&run->flows[i], cfg->flows->f[i].name, err, sizeof(err)) != 0)
            fprintf(out, "ACCOUNTING ERROR: %s\n", err);
    if (run->flows_partial)
        fprintf(out, "ACCOUNTING ERROR: a worker died before it reported its flows' results: the "
                     "flows above are the other workers'\n");
}

void sl_flows_report_json(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    fprintf(out, "  \"flows\": [");
    for (int i = 0; cfg->flows != NULL && i < run->nflows; i++) {
        const sl_flow_stats_t *st = &run->flows[i];
        const sl_flow_def_t *f = &cfg->flows->f[i];
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        sl_json_string(out, f->name);
        fprintf(out,
                ", \"weight\": %.17g, \"scheduled\": %llu, \"completed\": %llu, \"failed\": "
                "%llu, \"interrupted\": %llu, \"not_started\": %llu,\n     \"duration_us\": ",
                f->weight, (unsigned long long)st->scheduled, (unsigned long long)st->completed,
                (unsigned long long)st->failed, (unsigned long long)st->interrupted,
                (unsigned long long)st->not_started);
        sl_hist_json_write(out, st->duration); /* with its buckets: merged exactly */
        fprintf(out, ",\n     \"steps\": [");
        for (int s = 0; s < f->nsteps; s++) {
            fprintf(out, "%s{\"name\": ", s ? ", " : "");
            sl_json_string(out, step_name(cfg, f, s));
            fprintf(out, ", \"interrupted\": %llu, \"retried\": %llu, \"failed\": {",
                    (unsigned long long)st->interrupted_at[s],
                    (unsigned long long)st->retried_at[s]);
            for (int r = 0, n = 0; r < SL_FLOW_REASONS; r++)
                if (st->failed_at[s][r] > 0)
                    fprintf(out, "%s\"%s\": %llu", n++ ? ", " : "", sl_flow_reason_name(r),
                            (unsigned long long)st->failed_at[s][r]);
            fprintf(out, "}}");
        }
        fprintf(out, "]}");
    }
    fprintf(out, "%s],\n", run->nflows > 0 ? "\n  " : "");
}

int sl_flows_report_check(const sl_run_t *run, char *err, size_t errlen)
{
    char name[32];
    if (run->flows_partial) {
        snprintf(err, errlen, "a worker's flow results were lost");
        return -1;
    }
    for (int i = 0; i < run->nflows; i++) {
        snprintf(name, sizeof(name), "%d", i + 1);
        if (sl_flow_stats_check(&run->flows[i], name, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int sl_flows_report_all_completed(const sl_run_t *run)
{
    for (int i = 0; i < run->nflows; i++)
        if (run->flows[i].completed != run->flows[i].scheduled)
            return 0;
    return 1;
}
