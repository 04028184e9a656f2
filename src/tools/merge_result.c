/*
 * merge_result: the arithmetic of merging result files into one result exactly: counts and
 * histogram buckets added, the operations by name, intervals placed on one timeline of
 * absolute seconds (tools/timeline.c), the flows' counts and durations added, failure reasons
 * and tag values added under their bounds, one segment row per file and every run the result
 * holds.
 */
#include "tools/merge_result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/load.h"
#include "core/scenario.h"
#include "core/segment.h"
#include "output/report.h"
#include "tools/merge_validation.h"
#include "tools/timeline.h"

/* The operations of all files, by name in the order first seen, added up exactly. */
static int merge_operations(sl_resultfile_t *out, const sl_resultfile_t *in, int n, char *err,
                            size_t errlen)
{
    sl_run_t *run = &out->run;
    sl_config_t *cfg = &out->cfg;
    for (int f = 0; f < n; f++)
        for (int i = 0; i < in[f].run.nops; i++) {
            const char *name = in[f].cfg.op_names[i];
            if (sl_config_operation(cfg, name, strlen(name)) < 0 &&
                sl_config_add_operation(cfg, name, in[f].cfg.op_weights[i], err, errlen) != 0)
                return -1;
        }
    if (cfg->nops == 0)
        return 0;
    if ((run->ops = sl_opstats_new(cfg->nops)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    run->nops = cfg->nops;
    for (int f = 0; f < n; f++)
        for (int i = 0; i < in[f].run.nops; i++) {
            const char *name = in[f].cfg.op_names[i];
            int k = sl_config_operation(cfg, name, strlen(name));
            sl_counts_add(&run->ops[k].counts, &in[f].run.ops[i].counts);
            sl_hist_merge(run->ops[k].from_due, in[f].run.ops[i].from_due);
            sl_hist_merge(run->ops[k].service, in[f].run.ops[i].service);
        }
    return 0;
}

/* The scenarios (the same in every file, merge_check saw to it), their weights renumbered
 * to the merged operations (each of the first file's is among them). */
static int merge_scenarios(sl_resultfile_t *out, const sl_resultfile_t *first, char *err,
                           size_t errlen)
{
    const sl_scenarios_t *from = first->cfg.scenarios;
    if (from == NULL)
        return 0;
    sl_scenarios_t *ss = malloc(sizeof(*ss));
    if (ss == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *ss = *from;
    for (int i = 0; i < ss->n; i++) {
        memset(ss->s[i].weights, 0, sizeof(ss->s[i].weights));
        for (int k = 0; k < first->cfg.nops; k++) {
            const char *name = first->cfg.op_names[k];
            int j = sl_config_operation(&out->cfg, name, strlen(name));
            if (j >= 0)
                ss->s[i].weights[j] = from->s[i].weights[k];
        }
    }
    out->cfg.scenarios = ss;
    return 0;
}

/* The flows (the same in every file, merge_check saw to it): the first file's definitions, their
 * steps renumbered to the merged operations, and every file's counts and duration histograms
 * added up exactly. */
static int merge_flows(sl_resultfile_t *out, const sl_resultfile_t *in, int n, char *err,
                       size_t errlen)
{
    const sl_flows_t *from = in[0].cfg.flows;
    sl_run_t *run = &out->run;
    if (from == NULL)
        return 0;
    if ((out->cfg.flows = malloc(sizeof(*out->cfg.flows))) == NULL ||
        (run->flows = sl_flow_stats_new(from->n)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *out->cfg.flows = *from;
    run->nflows = from->n;
    for (int i = 0; i < from->n; i++)
        for (int s = 0; s < from->f[i].nsteps; s++) {
            const char *name = in[0].cfg.op_names[from->f[i].steps[s].op];
            out->cfg.flows->f[i].steps[s].op = sl_config_operation(&out->cfg, name, strlen(name));
        }
    for (int f = 0; f < n; f++)
        for (int i = 0; i < run->nflows; i++) {
            sl_flow_stats_t *dst = &run->flows[i];
            const sl_flow_stats_t *src = &in[f].run.flows[i];
            dst->scheduled += src->scheduled;
            dst->completed += src->completed;
            dst->failed += src->failed;
            dst->interrupted += src->interrupted;
            dst->not_started += src->not_started;
            for (int s = 0; s < SL_FLOW_MAX_STEPS; s++) {
                dst->interrupted_at[s] += src->interrupted_at[s];
                dst->retried_at[s] += src->retried_at[s];
                for (int r = 0; r < SL_FLOW_REASONS; r++)
                    dst->failed_at[s][r] += src->failed_at[s][r];
            }
            sl_hist_merge(dst->duration, src->duration);
        }
    return 0;
}

/* A file's per-operation latency over time added into the merged one, at its offset. */
static int merge_opseries(sl_run_t *run, const sl_resultfile_t *r, const int *map, int64_t off)
{
    const sl_opseries_t *s = &r->run.series;
    if (s->nops == 0 || run->nops == 0)
        return 0;
    if (run->series.nops == 0 && sl_opseries_init(&run->series, run->nops) != 0)
        return -1;
    sl_opseries_coarsen(&run->series, s->slot_s);
    for (uint32_t i = 0; i < s->nslots; i++)
        for (int op = 0; op < s->nops; op++) {
            const uint32_t *c = sl_opseries_cell(s, i, op);
            for (uint32_t b = 0; b < SL_OPSERIES_BUCKETS; b++)
                if (c[b] != 0 &&
                    sl_opseries_add_bucket(&run->series, map[op],
                                           (uint64_t)off + (uint64_t)i * s->slot_s, b, c[b]) != 0)
                    return -1;
        }
    return 0;
}

/* Every run the merged result holds, into out->parts (run.runs points there): a file's own
 * runs when it is a merge, else the file. */
static int merge_runs(sl_resultfile_t *out, const sl_resultfile_t *in, int n)
{
    size_t k = 0, total = 0;
    for (int f = 0; f < n; f++)
        total += in[f].nparts > 0 ? in[f].nparts : 1;
    if ((out->parts = calloc(total, sizeof(*out->parts))) == NULL)
        return -1;
    for (int f = 0; f < n; f++) {
        const sl_resultfile_t *r = &in[f];
        for (size_t i = 0; i < r->nparts; i++)
            out->parts[k++] = r->parts[i];
        if (r->nparts == 0)
            out->parts[k++] = (sl_segment_t){.started_at_us = r->started_at_us,
                                             .nworkers = r->run.nworkers,
                                             .counts = r->run.counts,
                                             .segment = r->cfg.segment,
                                             .nsegments = r->cfg.nsegments};
    }
    out->nparts = k;
    out->run.runs = out->parts;
    out->run.nruns = k;
    return 0;
}

/* The merged settings: the first file's, with the load of all of them (added up by
 * add_file); the totals empty, started at t0_us. */
static int merged_settings(sl_resultfile_t *out, const sl_resultfile_t *in, int n, int64_t t0_us,
                           char *err, size_t errlen)
{
    sl_run_t *run = &out->run;
    int nworkers = 0;
    for (int f = 0; f < n; f++)
        nworkers += in[f].run.nworkers;
    out->cfg = in[0].cfg;
    out->cfg.url = strdup(in[0].cfg.url);
    out->cfg.id_element = strdup(in[0].cfg.id_element);
    out->cfg.nops = 0;         /* merge_operations makes the merged list */
    out->cfg.scenarios = NULL; /* merge_scenarios copies them, in that list's numbering */
    out->cfg.flows = NULL;     /* and merge_flows the flows */
    memset(out->cfg.op_names, 0, sizeof(out->cfg.op_names));
    out->script = strdup(in[0].script);
    out->cfg.script_path = out->script;
    out->cfg.rate = out->cfg.connections = out->cfg.workers = 0;
    out->cfg.segment = out->cfg.nsegments = 0; /* the merged result is the whole schedule */
    out->cfg.start_at_us = 0;
    out->cfg.schema_path = NULL; /* the first validating file's, a copy of its own */
    out->cfg.validate_pct = 0;
    out->segments = calloc((size_t)n, sizeof(*out->segments));
    run->latency = calloc(1, sizeof(sl_hist_t));
    run->service = calloc(1, sizeof(sl_hist_t));
    run->lateness = calloc(1, sizeof(sl_hist_t));
    run->tls_handshake = calloc(1, sizeof(sl_hist_t));
    run->workers = nworkers ? calloc((size_t)nworkers, sizeof(*run->workers)) : NULL;
    if (out->cfg.url == NULL || out->cfg.id_element == NULL || out->script == NULL ||
        out->segments == NULL || run->latency == NULL || run->service == NULL ||
        run->lateness == NULL || run->tls_handshake == NULL || (nworkers && run->workers == NULL)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sl_hist_reset(run->latency);
    sl_hist_reset(run->service);
    sl_hist_reset(run->lateness);
    sl_hist_reset(run->tls_handshake);
    out->started_at_us = t0_us;
    run->started_at.tv_sec = (time_t)(t0_us / 1000000);
    run->started_at.tv_nsec = (long)(t0_us % 1000000 * 1000);
    return 0;
}

/* The running sums of add_file that are not in the merged result itself. */
typedef struct {
    double end_s;   /* the latest end, in seconds from t0 */
    double sending; /* the longest a file was sending */
    double share;   /* of one schedule: 1/N per segment, 1 per run */
} merge_sums_t;

/* File r (the f-th) added into out: its load into the settings, its totals, workers and
 * validation, and its segment row. */
static int add_file(sl_resultfile_t *out, const sl_resultfile_t *r, int f, int64_t t0_us,
                    merge_sums_t *sums, char *err, size_t errlen)
{
    sl_run_t *run = &out->run;
    sl_segment_t *g = &out->segments[f];
    out->cfg.rate += r->cfg.closed ? 0 : r->mean_rate; /* each file its share of the load */
    sums->share += sl_load_share(&r->cfg);
    out->cfg.connections += r->cfg.connections;
    out->cfg.workers += r->cfg.workers;
    if (r->cfg.timeout_ns > out->cfg.timeout_ns)
        out->cfg.timeout_ns = r->cfg.timeout_ns;
    if (sl_merge_validation_add(&out->cfg, &run->validation, &r->cfg, &r->run.validation) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sl_counts_add(&run->counts, &r->run.counts);
    sl_hist_merge(run->latency, r->run.latency);
    sl_hist_merge(run->service, r->run.service);
    sl_hist_merge(run->lateness, r->run.lateness);
    if (r->run.tls_handshake != NULL)
        sl_hist_merge(run->tls_handshake, r->run.tls_handshake);
    run->conns_opened += r->run.conns_opened;
    run->conns_reused += r->run.conns_reused;
    run->path_fast += r->run.path_fast;
    run->path_full += r->run.path_full;
    memcpy(run->workers + run->nworkers, r->run.workers,
           (size_t)r->run.nworkers * sizeof(*run->workers));
    run->nworkers += r->run.nworkers;
    run->max_in_flight += r->run.max_in_flight;
    run->interrupted |= r->run.interrupted;
    run->workers_died += r->run.workers_died;
    g->source = r->source;
    g->started_at_us = r->started_at_us;
    g->offset_s = sl_timeline_offset(r, t0_us);
    g->nworkers = r->run.nworkers;
    g->sending_s = r->sending_s;
    g->counts = r->run.counts;
    g->segment = r->cfg.segment;
    g->nsegments = r->cfg.nsegments;
    g->has_clock = r->run.clock.probes > 0;
    g->clock_offset_ms = r->run.clock.offset_ms;
    g->clock_uncertainty_ms = r->run.clock.uncertainty_ms;
    double end = (double)(r->started_at_us - t0_us) / 1e6 + r->run.elapsed_s;
    if (end > sums->end_s)
        sums->end_s = end;
    if (r->sending_s > sums->sending)
        sums->sending = r->sending_s;
    return 0;
}

/* The reasons and latency over time, their operations numbered as merged; the tag values of
 * all files, folded to the bounds again. */
static int merge_reasons_tags(sl_resultfile_t *out, const sl_resultfile_t *in, int n, int64_t t0_us,
                              char *err, size_t errlen)
{
    sl_run_t *run = &out->run;
    for (int f = 0; f < n; f++) {
        int map[SL_MAX_OPERATIONS];
        for (int i = 0; i < SL_MAX_OPERATIONS; i++)
            map[i] = -1;
        for (int i = 0; i < in[f].run.nops; i++)
            map[i] = sl_config_operation(&out->cfg, in[f].cfg.op_names[i],
                                         strlen(in[f].cfg.op_names[i]));
        sl_reasons_merge_map(&run->reasons, &in[f].run.reasons, map);
        if (merge_opseries(run, &in[f], map, sl_timeline_offset(&in[f], t0_us)) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    for (int f = 0; f < n; f++)
        for (int i = 0; i < in[f].run.tags.n; i++)
            if (sl_tags_add(&run->tags, in[f].run.tags.items[i].name, in[f].run.tags.items[i].value,
                            in[f].run.tags.items[i].other, in[f].run.tags.items[i].stats) < 0) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
    if (sl_tags_fold(&run->tags) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int sl_merge_result(sl_resultfile_t *out, const sl_resultfile_t *in, int n, char *err,
                    size_t errlen)
{
    sl_run_t *run = &out->run;
    int64_t t0_us = INT64_MAX;
    merge_sums_t sums = {0};
    memset(out, 0, sizeof(*out));
    for (int f = 0; f < n; f++)
        if (in[f].started_at_us < t0_us)
            t0_us = in[f].started_at_us;
    if (merged_settings(out, in, n, t0_us, err, errlen) != 0)
        return -1;
    for (int f = 0; f < n; f++)
        if (add_file(out, &in[f], f, t0_us, &sums, err, errlen) != 0)
            return -1;
    if (out->cfg.nstages > 0) { /* the one shape, at the load of all the files together */
        out->cfg.rate = in[0].cfg.rate * sums.share;
        for (int i = 0; i < out->cfg.nstages; i++)
            out->cfg.stages[i].target *= sums.share;
    }
    if (merge_operations(out, in, n, err, errlen) != 0 ||
        merge_scenarios(out, &in[0], err, errlen) != 0 ||
        merge_flows(out, in, n, err, errlen) != 0 ||
        merge_reasons_tags(out, in, n, t0_us, err, errlen) != 0)
        return -1;
    run->elapsed_s = sums.end_s;
    run->t0_ns = 1;
    if (sums.sending * 1e9 < (double)out->cfg.duration_ns) /* every segment stopped early */
        run->stopped_ns = 1 + (uint64_t)llround(sums.sending * 1e9);
    out->sending_s = sl_report_sending_s(&out->cfg, run);
    run->segments = out->segments;
    run->nsegments = (size_t)n;
    if (merge_runs(out, in, n) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return sl_timeline_merge(out, in, n, t0_us, err, errlen);
}
