/*
 * results: JSON by hand (fprintf): the structure is fixed and small, and no JSON library is
 * needed to write it. Histograms are written as [index, count] pairs of the non-empty buckets
 * with the layout that makes the indices meaningful, so that files merge exactly.
 */
#include "output/results.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "core/hist_json.h"
#include "core/load.h"
#include "core/segment.h"
#include "core/version.h"
#include "engine/run_spool.h"
#include "output/flows_report.h"
#include "output/reasons_report.h"
#include "output/report.h"
#include "output/shape.h"
#include "output/wsse_report.h"

static void counts_json(FILE *out, const sl_counts_t *c)
{
    fprintf(out,
            "{\"scheduled\": %llu, \"sent\": %llu, \"not_sent\": %llu, "
            "\"script_errors_before_send\": %llu, \"ok\": %llu, \"failed\": %llu, "
            "\"bytes_sent\": %llu, \"bytes_received\": %llu, \"results\": {",
            (unsigned long long)c->scheduled, (unsigned long long)c->sent,
            (unsigned long long)c->not_sent, (unsigned long long)c->script_errors_before_send,
            (unsigned long long)c->results[SL_R_OK],
            (unsigned long long)(sl_counts_failed(c) - c->results[SL_R_CANCELLED]),
            (unsigned long long)c->bytes_sent, (unsigned long long)c->bytes_received);
    for (int r = 0; r < SL_R_COUNT; r++)
        fprintf(out, "%s\"%s\": %llu", r ? ", " : "", sl_result_name((sl_result_t)r),
                (unsigned long long)c->results[r]);
    fprintf(out, "}, \"failed_before_send\": %llu, \"before_send\": {",
            (unsigned long long)sl_counts_failed_before_send(c));
    for (int r = 0; r < SL_R_COUNT; r++)
        fprintf(out, "%s\"%s\": %llu", r ? ", " : "", sl_result_name((sl_result_t)r),
                (unsigned long long)c->before_send[r]);
    fprintf(out, "}, \"resends_refused\": %llu}", (unsigned long long)c->retried);
}

/* "tags": results per tag value (core/tags.h), each name's values adding up to the requests
 * that carried it; "other" marks the fold of values (or names) past the bounds. */
static void tags_json(FILE *out, const sl_run_t *run)
{
    fprintf(out, "  \"tags\": {\"max_pairs\": %d, \"max_names\": %d, \"values\": [",
            SL_TAGS_MAX_PAIRS, SL_TAGS_MAX_NAMES);
    for (int i = 0; i < run->tags.n; i++) {
        const sl_tag_t *e = &run->tags.items[i];
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        sl_json_string(out, e->name);
        fprintf(out, ", \"value\": ");
        sl_json_string(out, e->value);
        fprintf(out, ", \"other\": %s, \"counts\": ", e->other ? "true" : "false");
        counts_json(out, &e->stats->counts);
        fprintf(out, ",\n     \"latency\": {\"from_due\": ");
        sl_hist_json_write(out, e->stats->from_due);
        fprintf(out, ",\n      \"service\": ");
        sl_hist_json_write(out, e->stats->service);
        fprintf(out, "}}");
    }
    fprintf(out, "%s]},\n", run->tags.n ? "\n  " : "");
}

/* A second's latency histogram, when it is kept: its min and buckets after p50...max, so that
 * merged seconds add bucket by bucket. */
static void second_hist_json(FILE *out, const sl_run_t *run, const sl_second_t *s)
{
    static sl_hist_t h; /* zeroed: a reset on it touches no bucket */
    static int warned;
    sl_hist_reset(&h);
    int rc = sl_run_second_hist(run, s, &h);
    if (rc < 0 && !warned++) /* its counts stay; merge then has no buckets to add for it */
        fprintf(stderr,
                "soapload: second %lld's latency histogram could not be read back from its "
                "file: the JSON's intervals lack its buckets\n",
                (long long)s->second);
    if (rc != 0)
        return;
    fprintf(out, ", \"min\": %llu, ", (unsigned long long)(h.total ? h.min : 0));
    sl_hist_json_buckets(out, &h);
}

static void concurrency_json(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    const sl_concurrency_t *c = &run->concurrency;
    double dur = sl_report_sending_s(cfg, run);
    if (!run->analyzed)
        return;
    fprintf(
        out,
        "  \"concurrency\": {\"sends\": %llu, \"in_flight_max\": %llu, \"in_flight_mean\": %.4f, "
        "\"sent_while_busy\": %llu, \"sent_while_busy_share\": %.6f, \"connections\": %llu, "
        "\"partial\": %s,\n    \"seconds\": [",
        (unsigned long long)c->sends, (unsigned long long)c->in_flight_max, c->in_flight_mean,
        (unsigned long long)c->sent_while_busy,
        c->sends ? (double)c->sent_while_busy / (double)c->sends : 0.0,
        (unsigned long long)c->connections, run->analysis_partial ? "true" : "false");
    for (size_t i = 0; i < c->nseconds; i++)
        fprintf(out, "%s{\"max\": %llu, \"mean\": %.4f}", i ? ", " : "",
                (unsigned long long)c->seconds[i].max, c->seconds[i].mean);
    fprintf(out, "],\n    \"workers\": [");
    for (int i = 0; i < run->nworkers; i++)
        fprintf(out, "%s{\"pid\": %d, \"sent\": %llu, \"rate\": %.3f}", i ? ", " : "",
                (int)run->workers[i].pid, (unsigned long long)run->workers[i].counts.sent,
                (double)run->workers[i].counts.sent / dur);
    fprintf(out, "],\n    \"bursts\": [");
    for (int b = 0; b < c->nbursts; b++) {
        const sl_burst_t *bu = &c->bursts[b];
        fprintf(out, "%s\n      {\"span_us\": %.3f, \"requests\": [", b ? "," : "",
                (double)bu->span_ns / 1e3);
        for (size_t k = 0; k < bu->count; k++) {
            const sl_sendrec_t *r = &bu->requests[k];
            int pid = (int)run->workers[r->worker].pid;
            int64_t us = ((int64_t)r->sent_ns + run->realtime_offset) / 1000;
            char id[512];
            fprintf(out, "%s{\"sent_us\": %lld, \"port\": %u, \"pid\": %d, \"id\": ", k ? ", " : "",
                    (long long)us, r->port, pid);
            sl_json_string(out, sl_run_request_id(run, r, id, sizeof(id)));
            fprintf(out, "}");
        }
        fprintf(out, "]}");
    }
    fprintf(out, "\n    ]},\n");
}

/* How the sent requests found their connection, and the TLS handshakes of the new ones. */
static void connections_json(FILE *out, const sl_run_t *run)
{
    fprintf(out,
            "  \"connections\": {\"opened\": %llu, \"reused\": %llu, \"by_path\": {\"fast\": %llu, "
            "\"full\": %llu}, \"tls_handshake\": ",
            (unsigned long long)run->conns_opened, (unsigned long long)run->conns_reused,
            (unsigned long long)run->path_fast, (unsigned long long)run->path_full);
    static sl_hist_t empty; /* zeroed: an empty histogram once reset */
    if (run->tls_handshake == NULL)
        sl_hist_reset(&empty);
    sl_hist_json_write(out, run->tls_handshake != NULL ? run->tls_handshake : &empty);
    fprintf(out, "},\n");
}

/* A merged result (soapload merge): one row per input file, in the order given. */
static void segments_json(FILE *out, const sl_run_t *run)
{
    if (run->nsegments == 0)
        return;
    fprintf(out, "  \"segments\": [");
    for (size_t i = 0; i < run->nsegments; i++) {
        const sl_segment_t *g = &run->segments[i];
        fprintf(out, "%s\n    {\"index\": %zu, \"source\": ", i ? "," : "", i + 1);
        sl_json_string(out, g->source);
        fprintf(out,
                ", \"started_at_us\": %lld, \"offset_s\": %lld, \"workers\": %d, "
                "\"sending_s\": %.6f, ",
                (long long)g->started_at_us, (long long)g->offset_s, g->nworkers, g->sending_s);
        if (g->nsegments > 0)
            fprintf(out, "\"segment\": \"%d/%d\", ", g->segment, g->nsegments);
        if (g->has_clock)
            fprintf(out, "\"clock_offset_ms\": %.3f, \"clock_offset_uncertainty_ms\": %.3f, ",
                    g->clock_offset_ms, g->clock_uncertainty_ms);
        fprintf(out, "\"counts\": ");
        counts_json(out, &g->counts);
        fprintf(out, "}");
    }
    fprintf(out, "\n  ],\n");
}

/* A merged result: every run it holds, those of merged files given to it included (their
 * start, segment, workers and counts), by which a later merge refuses one run twice. */
static void runs_json(FILE *out, const sl_run_t *run)
{
    if (run->nruns == 0)
        return;
    fprintf(out, "  \"runs\": [");
    for (size_t i = 0; i < run->nruns; i++) {
        const sl_segment_t *g = &run->runs[i];
        fprintf(out, "%s\n    {\"started_at_us\": %lld, \"workers\": %d, ", i ? "," : "",
                (long long)g->started_at_us, g->nworkers);
        if (g->nsegments > 0)
            fprintf(out, "\"segment\": \"%d/%d\", ", g->segment, g->nsegments);
        fprintf(out, "\"counts\": ");
        counts_json(out, &g->counts);
        fprintf(out, "}");
    }
    fprintf(out, "\n  ],\n");
}

/* A segmented or --start-at run: settings.segment "I/N", settings.global_rate, and the clock's
 * offset against the server (null when it could not be measured). */
static void segment_json(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    if (cfg->nsegments > 0)
        fprintf(out, ", \"segment\": \"%d/%d\", \"global_rate\": %.3f, \"global_connections\": %d",
                cfg->segment, cfg->nsegments, sl_load_global_mean_rate(cfg),
                cfg->global_connections);
    if (cfg->start_at_us > 0)
        fprintf(out, ", \"start_at_us\": %lld", (long long)cfg->start_at_us);
    if (cfg->nsegments == 0 && cfg->start_at_us == 0)
        return;
    if (run->clock.probes > 0)
        fprintf(out,
                ", \"clock_offset_ms\": %.3f, \"clock_offset_uncertainty_ms\": %.3f, "
                "\"clock_source\": \"%s\", \"clock_probes\": %d",
                run->clock.offset_ms, run->clock.uncertainty_ms, run->clock.source,
                run->clock.probes);
    else
        fprintf(out, ", \"clock_offset_ms\": null, \"clock_offset_uncertainty_ms\": null");
}

/* Every reason kept, most frequent first, with its operation ("" without operations) and its
 * sample (null when none); `other` counts failures past the bound, `other_reasons` splits
 * them by operation and kind, so that per operation and kind the counts add up to the
 * failures. */
static void reasons_json(FILE *out, const sl_config_t *cfg, const sl_reasons_t *r)
{
    const sl_reason_t *all[SL_REASONS_MAX];
    int n = sl_reasons_sorted(r, all, SL_REASONS_MAX), any = 0;
    fprintf(out,
            "  \"failure_reasons\": {\"max_distinct\": %d, \"sample_bytes\": %d, \"other\": %llu, "
            "\"reasons\": [",
            SL_REASONS_MAX, SL_REASON_SAMPLE, (unsigned long long)r->other);
    for (int i = 0; i < n; i++) {
        const sl_reason_t *e = all[i];
        fprintf(out, "%s\n    {\"operation\": ", i ? "," : "");
        sl_json_string(out, sl_reasons_op_name(cfg, e->op));
        fprintf(out, ", \"kind\": \"%s\", \"count\": %llu, \"reason\": ",
                sl_result_name((sl_result_t)e->kind), (unsigned long long)e->count);
        sl_json_string(out, e->text);
        if (e->has_sample) {
            fprintf(out,
                    ",\n     \"sample\": {\"status\": %d, \"truncated\": %s, \"bytes\": %llu, "
                    "\"body\": ",
                    (int)e->sample.status, e->sample.bytes > e->sample.len ? "true" : "false",
                    (unsigned long long)e->sample.bytes);
            sl_json_string(out, e->sample.body);
            fprintf(out, "}}");
        } else {
            fprintf(out, ", \"sample\": null}");
        }
    }
    fprintf(out, "%s], \"other_reasons\": [", n ? "\n  " : "");
    for (int o = -1; o < SL_MAX_OPERATIONS; o++)
        for (int k = 0; k < SL_R_COUNT; k++) {
            if (r->other_by[o + 1][k] == 0)
                continue;
            fprintf(out, "%s\n    {\"operation\": ", any++ ? "," : "");
            sl_json_string(out, sl_reasons_op_name(cfg, o));
            fprintf(out, ", \"kind\": \"%s\", \"count\": %llu}", sl_result_name((sl_result_t)k),
                    (unsigned long long)r->other_by[o + 1][k]);
        }
    fprintf(out, "%s]},\n", any ? "\n  " : "");
}

/* "op_intervals": per operation, per slot of the run (slot_s seconds from the start, by the
 * time a response came), the count, p50 and p99 of the latency from due time (bucket upper
 * bounds) and the compact histogram they come from as [bucket, count, ...] (core/opseries.h),
 * which soapload merge adds exactly. Only slots with responses are listed. */
static void opseries_json(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    const sl_opseries_t *s = &run->series;
    fprintf(out, "  \"op_intervals\": {\"slot_s\": %u, \"layout\": \"log8\", \"operations\": [",
            s->nops > 0 ? s->slot_s : 1);
    for (int op = 0; op < s->nops; op++) {
        int first = 1;
        fprintf(out, "%s\n    {\"name\": ", op ? "," : "");
        sl_json_string(out, sl_reasons_op_name(cfg, op));
        fprintf(out, ", \"slots\": [");
        for (uint32_t i = 0; i < s->nslots; i++) {
            const uint32_t *c = sl_opseries_cell(s, i, op);
            uint64_t n = sl_opseries_count(c);
            if (n == 0)
                continue;
            fprintf(out,
                    "%s\n      {\"slot\": %u, \"count\": %llu, \"p50\": %llu, \"p99\": %llu, "
                    "\"buckets\": [",
                    first ? "" : ",", i, (unsigned long long)n,
                    (unsigned long long)sl_opseries_percentile(c, 50),
                    (unsigned long long)sl_opseries_percentile(c, 99));
            for (uint32_t b = 0, any = 0; b < SL_OPSERIES_BUCKETS; b++)
                if (c[b] != 0)
                    fprintf(out, "%s%u,%u", any++ ? "," : "", b, c[b]);
            fprintf(out, "]}");
            first = 0;
        }
        fprintf(out, "%s]}", first ? "" : "\n    ");
    }
    fprintf(out, "%s]},\n", s->nops > 0 ? "\n  " : "");
}

/* The load shape in the settings: arrivals, think time, and the stages with where they
 * start (the rate or the connections); "rate" above is the mean target rate. */
static void shape_json(FILE *out, const sl_config_t *cfg)
{
    fprintf(out, ", \"arrival\": \"%s\"",
            cfg->arrival == SL_ARRIVAL_POISSON ? "poisson" : "uniform");
    if (cfg->has_think)
        fprintf(out, ", \"think\": {\"kind\": \"%s\", \"a_ms\": %.3f, \"b_ms\": %.3f}",
                cfg->think.kind == SL_DELAY_FIXED     ? "fixed"
                : cfg->think.kind == SL_DELAY_UNIFORM ? "uniform"
                : cfg->think.kind == SL_DELAY_EXP     ? "exp"
                                                      : "normal",
                cfg->think.a_ms, cfg->think.b_ms);
    sl_shape_scenarios_json(out, cfg);
    if (cfg->nstages == 0 && !cfg->ramp)
        return;
    int n = cfg->nstages > 0 ? cfg->nstages : 1;
    double from = cfg->closed ? cfg->start_connections : cfg->rate;
    if (!cfg->closed && cfg->nstages > 0 && !sl_config_was_set(cfg, SL_OPT_RATE))
        from = 0;
    fprintf(out, ", \"stages_from\": %.3f, \"stages\": [", from);
    for (int i = 0; i < n; i++) {
        const sl_config_stage_t *st = cfg->nstages > 0 ? &cfg->stages[i] : NULL;
        fprintf(out, "%s{\"duration_s\": %.6f, \"%s\": %.3f}", i ? ", " : "",
                (double)(st ? st->duration_ns : cfg->duration_ns) / 1e9,
                cfg->closed ? "connections" : "target",
                st == NULL    ? cfg->rate_end
                : cfg->closed ? st->connections
                              : st->target);
    }
    fprintf(out, "]");
}

/* "settings": what the run was asked to do. */
static void settings_json(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    double dur = (double)cfg->duration_ns / 1e9;
    fprintf(out, "  \"settings\": {\"script\": ");
    sl_json_string(out, cfg->script_path);
    fprintf(out, ", \"url\": ");
    sl_json_string(out, cfg->url);
    fprintf(out,
            ", \"model\": \"%s\", \"rate\": %.3f, \"duration_s\": %.6f, \"connections\": %d, "
            "\"workers\": %d, \"timeout_s\": %.6f, \"burst\": %d, \"soap_version\": \"%s\", "
            "\"id_element\": ",
            cfg->closed ? "closed" : "open", sl_load_mean_rate(cfg), dur, cfg->connections,
            cfg->workers, (double)cfg->timeout_ns / 1e9, cfg->burst,
            cfg->soap_version == 12 ? "1.2" : "1.1");
    sl_json_string(out, cfg->id_element);
    fprintf(out, ", \"send_window_s\": %.6f", (double)cfg->send_window_ns / 1e9);
    shape_json(out, cfg);
    fprintf(out, ", \"seed\": %llu, \"started_at_us\": %lld", (unsigned long long)cfg->seed,
            (long long)run->started_at.tv_sec * 1000000LL + run->started_at.tv_nsec / 1000);
    segment_json(out, cfg, run);
    fprintf(out, "},\n");
}

/* "summary" and what follows it up to the latency: the counts, rates and how the run ended. */
static void summary_json(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    double sending = sl_report_sending_s(cfg, run);
    fprintf(out, "  \"summary\": ");
    counts_json(out, &run->counts);
    fprintf(out,
            ",\n  \"rates\": {\"target\": %.3f, \"sent\": %.3f, \"ok\": %.3f},\n"
            "  \"sending_s\": %.6f,\n  \"elapsed_s\": %.6f,\n  \"max_in_flight\": %llu,\n"
            "  \"interrupted\": %s,\n  \"workers_died\": %d,\n",
            sl_load_mean_rate(cfg), (double)run->counts.sent / sending,
            (double)run->counts.results[SL_R_OK] / sending, sending, run->elapsed_s,
            (unsigned long long)run->max_in_flight, run->interrupted ? "true" : "false",
            run->workers_died);
    if (run->aborted) { /* --abort-on-fail: when, why, and what it left not sent */
        fprintf(out, "  \"aborted\": {\"at_s\": %.6f, \"not_sent\": %llu, \"reason\": ",
                run->aborted_at_s, (unsigned long long)run->aborted_not_sent);
        sl_json_string(out, run->abort_reason);
        fprintf(out, "},\n");
    } else {
        fprintf(out, "  \"aborted\": null,\n");
    }
    fprintf(out, "  \"resent_unprocessed\": %llu,\n", (unsigned long long)run->resent_unprocessed);
    sl_wsse_report_json(out, cfg, &run->counts);
    if (cfg->validate_pct > 0) { /* --validate schema: what it found and cost */
        fprintf(out, "  \"validation\": {\"schema\": ");
        sl_json_string(out, cfg->schema_path);
        fprintf(out,
                ", \"sample_pct\": %g, \"validated\": %llu, \"violations\": %llu, "
                "\"cpu_us_per_response\": %.3f},\n",
                cfg->validate_pct, (unsigned long long)run->validation.validated,
                (unsigned long long)run->counts.results[SL_R_SCHEMA],
                run->validation.validated > 0
                    ? (double)run->validation.cpu_ns / 1e3 / (double)run->validation.validated
                    : 0.0);
    }
}

/* "intervals": each second's counts, latency and target. */
static void intervals_json(FILE *out, const sl_run_t *run)
{
    fprintf(out, "  \"intervals\": [");
    for (size_t i = 0; i < run->nseconds; i++) {
        const sl_second_t *s = &run->seconds[i];
        fprintf(out,
                "%s\n    {\"second\": %llu, \"in_flight_max\": %llu, \"latency\": {\"count\": "
                "%llu, \"p50\": %llu, \"p90\": %llu, \"p99\": %llu, \"max\": %llu",
                i ? "," : "", (unsigned long long)s->second, (unsigned long long)s->in_flight_max,
                (unsigned long long)s->completed, (unsigned long long)s->p50,
                (unsigned long long)s->p90, (unsigned long long)s->p99, (unsigned long long)s->max);
        second_hist_json(out, run, s);
        fprintf(out, "}, \"target\": %.3f, \"counts\": ", s->target);
        counts_json(out, &s->counts);
        fprintf(out, "}");
    }
}

/* "workers" (closing the intervals before) and "operations": each one's counts. */
static void workers_and_ops_json(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    fprintf(out, "\n  ],\n  \"workers\": [");
    for (int i = 0; i < run->nworkers; i++) {
        const sl_worker_report_t *w = &run->workers[i];
        fprintf(out,
                "%s\n    {\"index\": %d, \"pid\": %d, \"died\": %s, \"last_seq\": %llu, "
                "\"max_in_flight\": %llu, \"counts\": ",
                i ? "," : "", i + 1, (int)w->pid, w->died ? "true" : "false",
                (unsigned long long)w->last_seq, (unsigned long long)w->max_in_flight);
        counts_json(out, &w->counts);
        if (w->stuck[0] != '\0') { /* killed where it hung: what its threads were doing */
            fprintf(out, ", \"stuck\": ");
            sl_json_string(out, w->stuck);
        }
        fprintf(out, "}");
    }
    fprintf(out, "\n  ],\n  \"operations\": [");
    for (int i = 0; i < run->nops; i++) { /* soapload.operations: they add up to the summary */
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        sl_json_string(out, cfg->op_names[i]);
        fprintf(out, ", \"weight\": %.17g, \"counts\": ", cfg->op_weights[i]);
        counts_json(out, &run->ops[i].counts);
        fprintf(out, ",\n     \"latency\": {\"from_due\": ");
        sl_hist_json_write(out, run->ops[i].from_due);
        fprintf(out, ",\n      \"service\": ");
        sl_hist_json_write(out, run->ops[i].service);
        fprintf(out, "}}");
    }
    fprintf(out, "%s],\n", run->nops ? "\n  " : "");
}

/* "thresholds" and "verdict", the end of the document. */
static void verdict_json(FILE *out, const sl_run_t *run, const sl_threshold_set_t *checks)
{
    fprintf(out, "  \"thresholds\": [");
    for (int i = 0; checks != NULL && i < checks->n; i++) {
        const sl_threshold_t *t = &checks->items[i];
        fprintf(out, "%s\n    {\"threshold\": ", i ? "," : "");
        sl_json_string(out, t->text);
        if (t->operation[0] != '\0') {
            fprintf(out, ", \"operation\": ");
            sl_json_string(out, t->operation);
        }
        if (t->tag_name[0] != '\0') {
            fprintf(out, ", \"tag\": {\"name\": ");
            sl_json_string(out, t->tag_name);
            fprintf(out, ", \"value\": ");
            sl_json_string(out, t->tag_value);
            fprintf(out, "}");
        }
        char v[48];
        sl_threshold_format_measured(t, v, sizeof(v));
        char mb[32] = "null", mu[32] = "null"; /* JSON has no NaN: nothing was measured */
        if (!isnan(t->measured)) {
            snprintf(mb, sizeof(mb), "%.6g", t->measured);
            snprintf(mu, sizeof(mu), "%.6g", sl_threshold_measured_in_unit(t));
        }
        /* value and measured in the metric's base unit, for tools; the limit's own unit too */
        fprintf(out,
                ", \"metric\": \"%s\", \"op\": \"%s\", \"value\": %.6g, \"measured\": %s, "
                "\"base_unit\": \"%s\", \"unit\": \"%s\", \"measured_in_unit\": %s, "
                "\"measured_text\": \"%s\", \"passed\": %s}",
                t->metric, sl_threshold_op(t->op), t->value, mb, sl_threshold_base_unit(t->metric),
                t->unit, mu, v, t->passed ? "true" : "false");
    }
    /* the run's verdict, as the summary prints it and the exit code says: the HTML report
     * shows this one instead of deciding again */
    int code = sl_report_exit_code(run, checks);
    fprintf(out, "\n  ],\n  \"verdict\": {\"passed\": %s, \"exit_code\": %d, \"text\": ",
            code == 0 ? "true" : "false", code);
    sl_json_string(out, sl_report_verdict(code, checks, run->aborted));
    fprintf(out, "}\n}\n");
}

int sl_results_write_json(FILE *out, const sl_config_t *cfg, const sl_run_t *run,
                          const sl_threshold_set_t *checks)
{
    fprintf(out, "{\n  \"schema\": \"%s\",\n  \"soapload\": \"%s\",\n", SL_RESULTS_SCHEMA,
            SL_VERSION);
    settings_json(out, cfg, run);
    summary_json(out, cfg, run);
    fprintf(out, "  \"latency\": {\n    \"from_due\": ");
    sl_hist_json_write(out, run->latency);
    fprintf(out, ",\n    \"service\": ");
    sl_hist_json_write(out, run->service);
    fprintf(out, ",\n    \"send_lateness\": ");
    sl_hist_json_write(out, run->lateness);
    fprintf(out, "\n  },\n");
    connections_json(out, run);
    intervals_json(out, run);
    workers_and_ops_json(out, cfg, run);
    sl_flows_report_json(out, cfg, run);
    tags_json(out, run);
    segments_json(out, run);
    runs_json(out, run);
    concurrency_json(out, cfg, run);
    reasons_json(out, cfg, &run->reasons);
    opseries_json(out, cfg, run);
    verdict_json(out, run, checks);
    return ferror(out) ? -1 : 0;
}
