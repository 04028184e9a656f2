/*
 * merge: the reader of result files and the arithmetic of merging them. Reading is strict:
 * every field the writer puts in a result is required with its type (tools/resultfield.c), so
 * that a file that is not ours, or was edited into something else, is refused by name rather
 * than half-merged.
 */
#include "tools/merge.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/exitcode.h"
#include "core/json.h"
#include "core/scenario.h"
#include "core/segment.h"
#include "core/subargs.h"
#include "core/threshold.h"
#include "output/html.h"
#include "output/junit.h"
#include "output/ops_report.h"
#include "output/tags_report.h"
#include "output/outfile.h"
#include "output/report.h"
#include "output/results.h"
#include "tools/crossproof.h"
#include "tools/resultcheck.h"
#include "tools/merge_validation.h"
#include "tools/resultfield.h"
#include "tools/timeline.h"

#define MAX_RESULT_BYTES (1ULL << 30) /* a 1-hour run's file is a few MB */

/* "connections": opened, reused, the TLS handshake histogram. A file from a soapload before
 * it was written has none: its counts stay 0 and its histogram NULL. */
static int read_connections(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen)
{
    const sl_json_t *c = sl_json_get(doc, "connections");
    if (c == NULL)
        return 0;
    if (c->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "connections is %s, not an object", sl_json_type_name(c->type));
        return -1;
    }
    if (sl_resultfield_u64(c, "opened", "connections", &run->conns_opened, err, errlen) != 0 ||
        sl_resultfield_u64(c, "reused", "connections", &run->conns_reused, err, errlen) != 0 ||
        (run->tls_handshake = sl_resultfield_hist(c, "tls_handshake", err, errlen)) == NULL)
        return -1;
    return 0;
}

/* The optional settings of a segmented or --start-at run: segment "I/N" and the clock's
 * offset against the server. */
static int read_segment(const sl_json_t *s, sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_json_t *seg = sl_json_get(s, "segment"), *off = sl_json_get(s, "clock_offset_ms"),
                    *unc = sl_json_get(s, "clock_offset_uncertainty_ms");
    if (seg != NULL && (seg->type != SL_JSON_STRING ||
                        sl_segment_parse(seg->string, &r->cfg.segment, &r->cfg.nsegments) != 0)) {
        snprintf(err, errlen, "settings.segment is not \"I/N\" with 0 <= I < N");
        return -1;
    }
    if (off != NULL && off->type == SL_JSON_NUMBER && unc != NULL && unc->type == SL_JSON_NUMBER) {
        r->run.clock.probes = 1;
        r->run.clock.offset_ms = sl_json_number(off);
        r->run.clock.uncertainty_ms = sl_json_number(unc);
    }
    return 0;
}

/* "runs" of a merged file (absent in a run's; a merge written before it has only its
 * "segments", one per file given): the start, segment, workers and counts of each run it
 * holds, which sl_resultcheck_distinct compares. */
static int read_parts(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen)
{
    const char *name = sl_json_get(doc, "runs") != NULL ? "runs" : "segments";
    const sl_json_t *list = sl_json_get(doc, name);
    char where[64];
    if (list == NULL)
        return 0;
    if (list->type != SL_JSON_ARRAY) {
        snprintf(err, errlen, "%s is %s, not an array", name, sl_json_type_name(list->type));
        return -1;
    }
    if (list->len > 0 && (r->parts = calloc(list->len, sizeof(*r->parts))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < list->len; i++) {
        const sl_json_t *o = sl_json_item(list, i);
        sl_segment_t *g = &r->parts[i];
        snprintf(where, sizeof(where), "%s[%zu]", name, i);
        if (sl_resultfield_time_us(o, "started_at_us", where, &g->started_at_us, err, errlen) !=
                0 ||
            sl_resultfield_int(o, "workers", where, &g->nworkers, err, errlen) != 0)
            return -1;
        const sl_json_t *seg = sl_json_get(o, "segment");
        if (seg != NULL && (seg->type != SL_JSON_STRING ||
                            sl_segment_parse(seg->string, &g->segment, &g->nsegments) != 0)) {
            snprintf(err, errlen, "%s.segment is not \"I/N\" with 0 <= I < N", where);
            return -1;
        }
        snprintf(where + strlen(where), sizeof(where) - strlen(where), ".counts");
        if (sl_resultfield_counts(
                sl_resultfield_get(o, "counts", SL_JSON_OBJECT, where, err, errlen), where,
                &g->counts, err, errlen) != 0)
            return -1;
        r->nparts = i + 1;
    }
    return 0;
}

/* Segments of one split schedule: the same N, each I once. */
static int same_split(const sl_resultfile_t *in, int n, char *err, size_t errlen)
{
    for (int f = 0; f < n; f++) {
        if ((in[f].cfg.nsegments > 0) != (in[0].cfg.nsegments > 0) ||
            in[f].cfg.nsegments != in[0].cfg.nsegments) {
            snprintf(err, errlen,
                     "%s is segment %d/%d, but %s is %s%d/%d: these results do not merge",
                     in[f].source, in[f].cfg.segment, in[f].cfg.nsegments, in[0].source,
                     in[0].cfg.nsegments ? "segment " : "not segmented, ", in[0].cfg.segment,
                     in[0].cfg.nsegments);
            return -1;
        }
        for (int g = 0; g < f && in[f].cfg.nsegments > 0; g++)
            if (in[g].cfg.segment == in[f].cfg.segment) {
                snprintf(err, errlen, "%s and %s are both segment %d/%d: each segment once",
                         in[g].source, in[f].source, in[f].cfg.segment, in[f].cfg.nsegments);
                return -1;
            }
    }
    return 0;
}

static int read_scenario_stage(const sl_json_t *o, sl_stage_t *st, const char *where, char *err,
                               size_t errlen);

/* The open model's shape, "stages_from" and "stages" (absent: a constant rate; a -R A:B ramp is
 * one stage from A), as the run's configuration holds stages: the rate they start from (given
 * when not 0), each stage's duration and target. The closed model's are not read back. */
static int read_stages(const sl_json_t *s, sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_json_t *list = sl_json_get(s, "stages");
    sl_config_t *cfg = &r->cfg;
    char where[64];
    double from;
    if (list == NULL || sl_json_get(s, "model") == NULL ||
        strcmp(sl_json_get(s, "model")->string, "open") != 0)
        return 0;
    if (list->type != SL_JSON_ARRAY || list->len == 0 || list->len > SL_MAX_STAGES) {
        snprintf(err, errlen, "settings.stages is not an array of 1 to %d stages", SL_MAX_STAGES);
        return -1;
    }
    if (sl_resultfield_double(s, "stages_from", "settings", &from, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < list->len; i++) {
        sl_stage_t st;
        snprintf(where, sizeof(where), "settings.stages[%zu]", i);
        if (read_scenario_stage(sl_json_item(list, i), &st, where, err, errlen) != 0)
            return -1;
        cfg->stages[i].duration_ns = st.duration_ns;
        cfg->stages[i].target = st.target;
    }
    cfg->nstages = (int)list->len;
    cfg->rate = from;
    if (from > 0)
        sl_optset_add(&cfg->given, SL_OPT_RATE);
    sl_profile_t p;
    char why[256];
    if (sl_config_profile(cfg, &p, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "settings.stages: %s", why);
        return -1;
    }
    return 0;
}

static int read_settings(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen)
{
    sl_config_t *cfg = &r->cfg;
    const sl_json_t *s = sl_resultfield_get(doc, "settings", SL_JSON_OBJECT, "", err, errlen);
    const char *script, *url, *model, *soap, *id;
    double rate, duration, timeout;
    if (s == NULL ||
        (script = sl_resultfield_string(s, "script", "settings", err, errlen)) == NULL ||
        (url = sl_resultfield_string(s, "url", "settings", err, errlen)) == NULL ||
        (model = sl_resultfield_string(s, "model", "settings", err, errlen)) == NULL ||
        (soap = sl_resultfield_string(s, "soap_version", "settings", err, errlen)) == NULL ||
        (id = sl_resultfield_string(s, "id_element", "settings", err, errlen)) == NULL ||
        sl_resultfield_double(s, "rate", "settings", &rate, err, errlen) != 0 ||
        sl_resultfield_double(s, "duration_s", "settings", &duration, err, errlen) != 0 ||
        sl_resultfield_double(s, "timeout_s", "settings", &timeout, err, errlen) != 0 ||
        sl_resultfield_int(s, "connections", "settings", &cfg->connections, err, errlen) != 0 ||
        sl_resultfield_int(s, "workers", "settings", &cfg->workers, err, errlen) != 0 ||
        sl_resultfield_int(s, "burst", "settings", &cfg->burst, err, errlen) != 0 ||
        sl_resultfield_u64(s, "seed", "settings", &cfg->seed, err, errlen) != 0 ||
        sl_resultfield_time_us(s, "started_at_us", "settings", &r->started_at_us, err, errlen) != 0)
        return -1;
    if (strcmp(model, "open") != 0 && strcmp(model, "closed") != 0) {
        snprintf(err, errlen, "settings.model is \"%s\", not \"open\" or \"closed\"", model);
        return -1;
    }
    if (strcmp(soap, "1.1") != 0 && strcmp(soap, "1.2") != 0) {
        snprintf(err, errlen, "settings.soap_version is \"%s\", not \"1.1\" or \"1.2\"", soap);
        return -1;
    }
    if (duration <= 0 || duration > 1e9 || timeout > 1e9 || rate > SL_MAX_RATE * 1e3) {
        snprintf(err, errlen, "settings: duration_s %g, timeout_s %g or rate %g out of range",
                 duration, timeout, rate);
        return -1;
    }
    if ((r->script = strdup(script)) == NULL || (cfg->url = strdup(url)) == NULL ||
        (cfg->id_element = strdup(id)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (read_segment(s, r, err, errlen) != 0 || read_stages(s, r, err, errlen) != 0)
        return -1;
    if (sl_json_get(s, "send_window_s") != NULL) { /* absent from files before --send-window */
        double window;
        if (sl_resultfield_double(s, "send_window_s", "settings", &window, err, errlen) != 0)
            return -1;
        if (window > (double)SL_MAX_SEND_WINDOW_NS / 1e9) {
            snprintf(err, errlen, "settings.send_window_s is %g: more than %g", window,
                     (double)SL_MAX_SEND_WINDOW_NS / 1e9);
            return -1;
        }
        cfg->send_window_ns = (uint64_t)llround(window * 1e9);
    }
    cfg->script_path = r->script;
    cfg->closed = strcmp(model, "closed") == 0;
    cfg->soap_version = strcmp(soap, "1.2") == 0 ? 12 : 11;
    r->mean_rate = rate;
    if (cfg->nstages == 0) /* with stages: their start, set by read_stages */
        cfg->rate = rate;
    cfg->duration_ns = (uint64_t)llround(duration * 1e9);
    cfg->timeout_ns = (uint64_t)llround(timeout * 1e9);
    r->run.started_at.tv_sec = (time_t)(r->started_at_us / 1000000);
    r->run.started_at.tv_nsec = (long)(r->started_at_us % 1000000 * 1000);
    return 0;
}

/* A second's latency histogram (since soapload kept them), read as the totals' are (into h,
 * the file's scratch histogram) and kept sparse; it must agree with the second's count and
 * max. */
static int read_second_hist(const sl_json_t *s, sl_second_t *sec, sl_hist_t *h, char *err,
                            size_t errlen)
{
    if (sl_resultfield_hist_into(s, "latency", h, err, errlen) != 0)
        return -1;
    if (h->total != sec->completed || h->max != sec->max) {
        snprintf(err, errlen,
                 "latency.histogram holds %llu values up to %llu us, but count is "
                 "%llu and max %llu",
                 (unsigned long long)h->total, (unsigned long long)h->max,
                 (unsigned long long)sec->completed, (unsigned long long)sec->max);
        return -1;
    }
    size_t need = sl_hist_encode(h, NULL, 0);
    if ((sec->hist_enc = malloc(need)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sec->hist_enc_len = sl_hist_encode(h, sec->hist_enc, need);
    return 0;
}

static int read_seconds(const sl_json_t *doc, sl_run_t *run, sl_hist_t *scratch, char *err,
                        size_t errlen)
{
    const sl_json_t *iv = sl_resultfield_get(doc, "intervals", SL_JSON_ARRAY, "", err, errlen);
    char where[64];
    size_t i = 0;
    if (iv == NULL)
        return -1;
    if (iv->len > 0 && (run->seconds = calloc(iv->len, sizeof(*run->seconds))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (const sl_json_t *s; (s = sl_json_item(iv, (size_t)i)) != NULL; i++) {
        sl_second_t *sec = &run->seconds[i];
        const sl_json_t *lat;
        run->nseconds = i + 1; /* counted now: a second refused below is freed with the rest */
        snprintf(where, sizeof(where), "intervals[%zu]", i);
        if (s->type != SL_JSON_OBJECT) {
            snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(s->type));
            return -1;
        }
        if (sl_resultfield_u64(s, "second", where, &sec->second, err, errlen) != 0 ||
            sl_resultfield_u64(s, "in_flight_max", where, &sec->in_flight_max, err, errlen) != 0 ||
            (lat = sl_resultfield_get(s, "latency", SL_JSON_OBJECT, where, err, errlen)) == NULL)
            return -1;
        snprintf(where + strlen(where), sizeof(where) - strlen(where), ".latency");
        if (sl_resultfield_u64(lat, "count", where, &sec->completed, err, errlen) != 0 ||
            sl_resultfield_u64(lat, "p50", where, &sec->p50, err, errlen) != 0 ||
            sl_resultfield_u64(lat, "p90", where, &sec->p90, err, errlen) != 0 ||
            sl_resultfield_u64(lat, "p99", where, &sec->p99, err, errlen) != 0 ||
            sl_resultfield_u64(lat, "max", where, &sec->max, err, errlen) != 0)
            return -1;
        const sl_json_t *target = sl_json_get(s, "target"); /* since load shapes */
        if (target != NULL &&
            (target->type != SL_JSON_NUMBER ||
             !(sl_json_number(target) >= 0 && sl_json_number(target) <= SL_MAX_RATE * 1e3))) {
            snprintf(err, errlen, "intervals[%zu].target is not a rate from 0 to %g", i,
                     SL_MAX_RATE * 1e3);
            return -1;
        }
        sec->target = target != NULL ? sl_json_number(target) : 0;
        if (sl_json_get(lat, "histogram") != NULL &&
            read_second_hist(s, sec, scratch, err, errlen) != 0) {
            char why[512];
            snprintf(why, sizeof(why), "%s", err);
            snprintf(err, errlen, "intervals[%zu]: %.400s", i, why);
            return -1;
        }
        snprintf(where, sizeof(where), "intervals[%zu].counts", i);
        if (sl_resultfield_counts(
                sl_resultfield_get(s, "counts", SL_JSON_OBJECT, where, err, errlen), where,
                &sec->counts, err, errlen) != 0)
            return -1;
        if (i > 0 && sec->second <= run->seconds[i - 1].second) { /* a merge's: with gaps */
            snprintf(err, errlen,
                     "intervals[%zu] is second %llu: the seconds must go up (0, 1, 2...)", i,
                     (unsigned long long)sec->second);
            return -1;
        }
    }
    return 0;
}

/* "intervals", with one histogram to read each second's into. */
static int read_intervals(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen)
{
    sl_hist_t *scratch = calloc(1, sizeof(*scratch));
    if (scratch == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = read_seconds(doc, run, scratch, err, errlen);
    free(scratch);
    return rc;
}

/* One value of "tags", added into tags. */
static int read_tag(const sl_json_t *o, sl_tags_t *tags, const char *where, char *err,
                    size_t errlen)
{
    const char *name, *value;
    const sl_json_t *lat;
    char sub[96];
    int other, rc = -1;
    sl_op_stats_t st = {0};
    snprintf(sub, sizeof(sub), "%s.counts", where);
    if (o->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(o->type));
        return -1;
    }
    if ((name = sl_resultfield_string(o, "name", where, err, errlen)) == NULL ||
        (value = sl_resultfield_string(o, "value", where, err, errlen)) == NULL ||
        sl_resultfield_bool(o, "other", where, &other, err, errlen) != 0 ||
        sl_resultfield_counts(sl_resultfield_get(o, "counts", SL_JSON_OBJECT, where, err, errlen),
                              sub, &st.counts, err, errlen) != 0 ||
        (lat = sl_resultfield_get(o, "latency", SL_JSON_OBJECT, where, err, errlen)) == NULL ||
        (st.from_due = sl_resultfield_hist(lat, "from_due", err, errlen)) == NULL ||
        (st.service = sl_resultfield_hist(lat, "service", err, errlen)) == NULL)
        goto Cleanup;
    if (strlen(name) > SL_TAGS_MAX_TEXT || strlen(value) > SL_TAGS_MAX_TEXT) {
        snprintf(err, errlen, "%s: a tag name or value longer than %d bytes", where,
                 SL_TAGS_MAX_TEXT);
        goto Cleanup;
    }
    other = other ? (strcmp(name, SL_TAGS_OTHER) == 0 ? 2 : 1) : 0;
    if (sl_tags_add(tags, name, value, other, &st) < 0) {
        snprintf(err, errlen, "out of memory");
        goto Cleanup;
    }
    rc = 0;
Cleanup:
    free(st.from_due);
    free(st.service);
    return rc;
}

/* "tags" (absent in files written before tags existed: none): each value added into run->tags;
 * merging the files folds them to the bounds again. */
static int read_tags(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen)
{
    const sl_json_t *tags = sl_json_get(doc, "tags"), *values;
    char where[64];
    int i = 0;
    if (tags == NULL)
        return 0;
    if ((values = sl_resultfield_get(tags, "values", SL_JSON_ARRAY, "tags", err, errlen)) == NULL)
        return -1;
    /* each value costs two full histograms (278 KB) until the merge folds them: no more than a
     * run keeps (its pairs, each name's fold and the fold of names) */
    if (values->len > SL_TAGS_MAX_PAIRS + SL_TAGS_MAX_NAMES + 1) {
        snprintf(err, errlen, "tags.values lists %u values, more than a run keeps (%d)",
                 (unsigned)values->len, SL_TAGS_MAX_PAIRS + SL_TAGS_MAX_NAMES + 1);
        return -1;
    }
    for (const sl_json_t *o; (o = sl_json_item(values, (size_t)i)) != NULL; i++) {
        snprintf(where, sizeof(where), "tags.values[%d]", i);
        if (read_tag(o, &run->tags, where, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* "operations" (absent in files written before operations existed: none). */
static int read_operations(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_json_t *ops = sl_json_get(doc, "operations");
    sl_run_t *run = &r->run;
    char where[64];
    int i = 0;
    if (ops == NULL)
        return 0;
    if (ops->type != SL_JSON_ARRAY) {
        snprintf(err, errlen, "operations is %s, not an array", sl_json_type_name(ops->type));
        return -1;
    }
    if (ops->len > SL_MAX_OPERATIONS) {
        snprintf(err, errlen, "operations lists %u, more than %d", (unsigned)ops->len,
                 SL_MAX_OPERATIONS);
        return -1;
    }
    if (ops->len == 0)
        return 0;
    if ((run->ops = calloc(ops->len, sizeof(*run->ops))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (const sl_json_t *o; (o = sl_json_item(ops, (size_t)i)) != NULL; i++) {
        const char *name;
        double weight;
        const sl_json_t *lat;
        snprintf(where, sizeof(where), "operations[%d]", i);
        if (o->type != SL_JSON_OBJECT) {
            snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(o->type));
            return -1;
        }
        if ((name = sl_resultfield_string(o, "name", where, err, errlen)) == NULL ||
            sl_resultfield_double(o, "weight", where, &weight, err, errlen) != 0)
            return -1;
        if (sl_config_add_operation(&r->cfg, name, weight, err, errlen) != 0)
            return -1;
        run->nops = i + 1;
        sl_op_stats_t *st = &run->ops[i];
        char sub[96];
        snprintf(sub, sizeof(sub), "%s.counts", where);
        if (sl_resultfield_counts(
                sl_resultfield_get(o, "counts", SL_JSON_OBJECT, where, err, errlen), sub,
                &st->counts, err, errlen) != 0 ||
            (lat = sl_resultfield_get(o, "latency", SL_JSON_OBJECT, where, err, errlen)) == NULL ||
            (st->from_due = sl_resultfield_hist(lat, "from_due", err, errlen)) == NULL ||
            (st->service = sl_resultfield_hist(lat, "service", err, errlen)) == NULL)
            return -1;
    }
    return 0;
}

static int read_workers(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen)
{
    const sl_json_t *ws = sl_resultfield_get(doc, "workers", SL_JSON_ARRAY, "", err, errlen);
    char where[64];
    int i = 0;
    if (ws == NULL)
        return -1;
    if (ws->len > SL_MAX_WORKERS) {
        snprintf(err, errlen, "workers lists %u workers, more than %d", (unsigned)ws->len,
                 SL_MAX_WORKERS);
        return -1;
    }
    if (ws->len > 0 && (run->workers = calloc(ws->len, sizeof(*run->workers))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (const sl_json_t *w; (w = sl_json_item(ws, (size_t)i)) != NULL; i++) {
        sl_worker_report_t *wr = &run->workers[i];
        int pid;
        snprintf(where, sizeof(where), "workers[%d]", i);
        if (w->type != SL_JSON_OBJECT) {
            snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(w->type));
            return -1;
        }
        if (sl_resultfield_int(w, "pid", where, &pid, err, errlen) != 0 ||
            sl_resultfield_bool(w, "died", where, &wr->died, err, errlen) != 0 ||
            sl_resultfield_u64(w, "last_seq", where, &wr->last_seq, err, errlen) != 0 ||
            sl_resultfield_u64(w, "max_in_flight", where, &wr->max_in_flight, err, errlen) != 0)
            return -1;
        wr->pid = (pid_t)pid;
        wr->ready = wr->finished = 1;
        snprintf(where + strlen(where), sizeof(where) - strlen(where), ".counts");
        if (sl_resultfield_counts(
                sl_resultfield_get(w, "counts", SL_JSON_OBJECT, where, err, errlen), where,
                &wr->counts, err, errlen) != 0)
            return -1;
        run->nworkers = i + 1;
    }
    return 0;
}

/* One stage of settings.scenarios[i].stages (or settings.stages): a duration and a target
 * rate. */
static int read_scenario_stage(const sl_json_t *o, sl_stage_t *st, const char *where, char *err,
                               size_t errlen)
{
    double d;
    if (o->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(o->type));
        return -1;
    }
    if (sl_resultfield_double(o, "duration_s", where, &d, err, errlen) != 0 ||
        sl_resultfield_double(o, "target", where, &st->target, err, errlen) != 0)
        return -1;
    if (d > 1e9 || st->target > SL_MAX_RATE * 1e3) { /* the files' sums stay finite */
        snprintf(err, errlen, "%s: duration_s %g or target %g out of range", where, d, st->target);
        return -1;
    }
    st->duration_ns = (uint64_t)llround(d * 1e9);
    return 0;
}

/* One scenario as sl_shape_scenarios_json writes it. Its profile comes back as the script
 * gave it: a rate (the profile starts at it and holds it for one stage) or stages from 0. */
static int read_scenario(const sl_json_t *o, const sl_config_t *cfg, sl_scenario_t *sc,
                         const char *where, char *err, size_t errlen)
{
    const char *name, *arrival;
    const sl_json_t *stages, *ops;
    double start, from;
    char sub[96], why[256];
    int i = 0;
    if (o->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(o->type));
        return -1;
    }
    if ((name = sl_resultfield_string(o, "name", where, err, errlen)) == NULL ||
        sl_resultfield_double(o, "start_s", where, &start, err, errlen) != 0 ||
        (arrival = sl_resultfield_string(o, "arrival", where, err, errlen)) == NULL ||
        sl_resultfield_int(o, "burst", where, &sc->burst, err, errlen) != 0 ||
        sl_resultfield_double(o, "stages_from", where, &from, err, errlen) != 0 ||
        (stages = sl_resultfield_get(o, "stages", SL_JSON_ARRAY, where, err, errlen)) == NULL ||
        (ops = sl_resultfield_get(o, "operations", SL_JSON_OBJECT, where, err, errlen)) == NULL)
        return -1;
    if (!sl_scenario_name_ok(name)) {
        snprintf(err, errlen, "%s.name \"%.80s\" is not a scenario name", where, name);
        return -1;
    }
    snprintf(sc->name, sizeof(sc->name), "%s", name);
    if (strcmp(arrival, "uniform") != 0 && strcmp(arrival, "poisson") != 0) {
        snprintf(err, errlen, "%s.arrival is \"%.40s\", not \"uniform\" or \"poisson\"", where,
                 arrival);
        return -1;
    }
    sc->arrival = strcmp(arrival, "poisson") == 0 ? SL_ARRIVAL_POISSON : SL_ARRIVAL_UNIFORM;
    if (start > 1e9 || sc->burst < 1 || stages->len == 0 || stages->len > SL_MAX_STAGES) {
        snprintf(err, errlen, "%s: start_s %g, burst %d or %u stages out of range", where, start,
                 sc->burst, (unsigned)stages->len);
        return -1;
    }
    sc->start_ns = (uint64_t)llround(start * 1e9);
    for (const sl_json_t *s; (s = sl_json_item(stages, (size_t)i)) != NULL; i++) {
        snprintf(sub, sizeof(sub), "%s.stages[%d]", where, i);
        if (read_scenario_stage(s, &sc->stages[i], sub, err, errlen) != 0)
            return -1;
    }
    sc->nstages = i;
    if (from > 0) { /* a rate for a duration */
        if (sc->nstages != 1 || sc->stages[0].target != from) {
            snprintf(err, errlen, "%s: stages_from %g is neither 0 nor one stage's constant rate",
                     where, from);
            return -1;
        }
        sc->has_rate = 1;
        sc->rate = from;
        sc->duration_ns = sc->stages[0].duration_ns;
        sc->nstages = 0;
    }
    snprintf(sub, sizeof(sub), "%s.operations", where);
    for (size_t j = 0; j < ops->len; j++) {
        const char *op = sl_json_key(ops, j);
        int k = sl_config_operation(cfg, op, strlen(op));
        if (k < 0) {
            snprintf(err, errlen, "%s: \"%.80s\" is not in operations", sub, op);
            return -1;
        }
        if (sl_resultfield_double(ops, op, sub, &sc->weights[k], err, errlen) != 0)
            return -1;
    }
    sl_profile_t p;
    if (sl_scenario_profile(sc, &p, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %s", where, why);
        return -1;
    }
    return 0;
}

/* "settings.scenarios" (absent in a run without them, and in files written before them),
 * after the operations, which their weights name. */
static int read_scenarios(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_json_t *list = sl_json_get(sl_json_get(doc, "settings"), "scenarios");
    char where[64];
    int i = 0;
    if (list == NULL)
        return 0;
    if (list->type != SL_JSON_ARRAY || list->len == 0 || list->len > SL_MAX_SCENARIOS) {
        snprintf(err, errlen, "settings.scenarios is not an array of 1 to %d scenarios",
                 SL_MAX_SCENARIOS);
        return -1;
    }
    sl_scenarios_t *ss = calloc(1, sizeof(*ss));
    if (ss == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->cfg.scenarios = ss;
    for (const sl_json_t *o; (o = sl_json_item(list, (size_t)i)) != NULL; i++) {
        snprintf(where, sizeof(where), "settings.scenarios[%d]", i);
        if (read_scenario(o, &r->cfg, &ss->s[i], where, err, errlen) != 0)
            return -1;
        for (int j = 0; j < i; j++)
            if (strcmp(ss->s[j].name, ss->s[i].name) == 0) {
                snprintf(err, errlen, "%s: the name %s is used twice", where, ss->s[i].name);
                return -1;
            }
        ss->n = i + 1;
    }
    return 0;
}

/* A reason's operation: "" (or none, in files written before reasons had one) is -1. */
static int reason_op(const sl_json_t *o, const sl_config_t *cfg, const char *where, int *op,
                     char *err, size_t errlen)
{
    const sl_json_t *v = sl_json_get(o, "operation");
    *op = -1;
    if (v == NULL)
        return 0;
    if (v->type != SL_JSON_STRING) {
        snprintf(err, errlen, "%s.operation is %s, not a string", where,
                 sl_json_type_name(v->type));
        return -1;
    }
    if (v->string[0] != '\0' && (*op = sl_config_operation(cfg, v->string, v->len)) < 0) {
        snprintf(err, errlen, "%s.operation \"%.100s\" is not in operations", where, v->string);
        return -1;
    }
    return 0;
}

/* A reason's sample (absent or null: none). */
static int read_sample(const sl_json_t *o, sl_reason_t *e, const char *where, char *err,
                       size_t errlen)
{
    const sl_json_t *v = sl_json_get(o, "sample"), *body;
    char sub[96];
    int status;
    uint64_t bytes;
    if (v == NULL || v->type == SL_JSON_NULL)
        return 0;
    snprintf(sub, sizeof(sub), "%s.sample", where);
    if (v->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "%s is %s, not an object", sub, sl_json_type_name(v->type));
        return -1;
    }
    if (sl_resultfield_int(v, "status", sub, &status, err, errlen) != 0 ||
        sl_resultfield_u64(v, "bytes", sub, &bytes, err, errlen) != 0 ||
        (body = sl_resultfield_get(v, "body", SL_JSON_STRING, sub, err, errlen)) == NULL)
        return -1;
    if (e != NULL)
        sl_reasons_sample(e, status, body->string, strlen(body->string), bytes);
    return 0;
}

static int read_reasons(const sl_json_t *doc, const sl_config_t *cfg, sl_reasons_t *reasons,
                        char *err, size_t errlen)
{
    const sl_json_t *fr =
                        sl_resultfield_get(doc, "failure_reasons", SL_JSON_OBJECT, "", err, errlen),
                    *list;
    uint64_t other;
    int i = 0;
    if (fr == NULL ||
        sl_resultfield_u64(fr, "other", "failure_reasons", &other, err, errlen) != 0 ||
        (list = sl_resultfield_get(fr, "reasons", SL_JSON_ARRAY, "failure_reasons", err, errlen)) ==
            NULL)
        return -1;
    for (const sl_json_t *r; (r = sl_json_item(list, (size_t)i)) != NULL; i++) {
        char where[64];
        const char *kind, *text;
        uint64_t count;
        int op;
        snprintf(where, sizeof(where), "failure_reasons.reasons[%d]", i);
        if (r->type != SL_JSON_OBJECT) {
            snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(r->type));
            return -1;
        }
        if ((kind = sl_resultfield_string(r, "kind", where, err, errlen)) == NULL ||
            (text = sl_resultfield_string(r, "reason", where, err, errlen)) == NULL ||
            sl_resultfield_u64(r, "count", where, &count, err, errlen) != 0 ||
            reason_op(r, cfg, where, &op, err, errlen) != 0)
            return -1;
        int k = sl_resultfield_result(kind);
        if (k < 0) {
            snprintf(err, errlen, "%s.kind is \"%s\", not a result soapload knows", where, kind);
            return -1;
        }
        if (read_sample(r, sl_reasons_add_op(reasons, op, (sl_result_t)k, text, count), where, err,
                        errlen) != 0)
            return -1;
    }
    /* the other reasons by operation and kind (files before them: `other` alone) */
    const sl_json_t *by = sl_json_get(fr, "other_reasons");
    uint64_t split = 0;
    i = 0;
    if (by != NULL && by->type != SL_JSON_ARRAY) {
        snprintf(err, errlen, "failure_reasons.other_reasons is %s, not an array",
                 sl_json_type_name(by->type));
        return -1;
    }
    for (const sl_json_t *r; (r = sl_json_item(by, (size_t)i)) != NULL; i++) {
        char where[64];
        const char *kind;
        uint64_t count;
        int op, k;
        snprintf(where, sizeof(where), "failure_reasons.other_reasons[%d]", i);
        if (r->type != SL_JSON_OBJECT) {
            snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(r->type));
            return -1;
        }
        if ((kind = sl_resultfield_string(r, "kind", where, err, errlen)) == NULL ||
            sl_resultfield_u64(r, "count", where, &count, err, errlen) != 0 ||
            reason_op(r, cfg, where, &op, err, errlen) != 0)
            return -1;
        if ((k = sl_resultfield_result(kind)) < 0) {
            snprintf(err, errlen, "%s.kind is \"%s\", not a result soapload knows", where, kind);
            return -1;
        }
        reasons->other_by[op + 1][k] += count;
        split += count;
    }
    if (by != NULL && split != other) {
        snprintf(err, errlen,
                 "failure_reasons.other_reasons add up to %llu, not failure_reasons.other (%llu)",
                 (unsigned long long)split, (unsigned long long)other);
        return -1;
    }
    reasons->other += other;
    return 0;
}

/* "op_intervals" (absent in files written before it: no series) into the file's own
 * operation numbering and slot width. */
static int read_opseries(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_json_t *oi = sl_json_get(doc, "op_intervals"), *ops;
    sl_opseries_t *s = &r->run.series;
    uint64_t slot_s;
    const char *layout;
    int i = 0;
    if (oi == NULL || r->run.nops == 0)
        return 0;
    if (oi->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "op_intervals is %s, not an object", sl_json_type_name(oi->type));
        return -1;
    }
    if (sl_resultfield_u64(oi, "slot_s", "op_intervals", &slot_s, err, errlen) != 0 ||
        (layout = sl_resultfield_string(oi, "layout", "op_intervals", err, errlen)) == NULL ||
        (ops = sl_resultfield_get(oi, "operations", SL_JSON_ARRAY, "op_intervals", err, errlen)) ==
            NULL)
        return -1;
    if (strcmp(layout, "log8") != 0 || slot_s == 0 || slot_s > 1U << 30 ||
        (slot_s & (slot_s - 1)) != 0) {
        snprintf(err, errlen,
                 "op_intervals: layout \"%.40s\" with slot_s %llu is not one soapload "
                 "writes",
                 layout, (unsigned long long)slot_s);
        return -1;
    }
    if (sl_opseries_init(s, r->run.nops) != 0) {
        snprintf(err, errlen, "op_intervals: %d operations", r->run.nops);
        return -1;
    }
    sl_opseries_coarsen(s, (uint32_t)slot_s);
    for (const sl_json_t *o; (o = sl_json_item(ops, (size_t)i)) != NULL; i++) {
        char where[64];
        const char *name;
        const sl_json_t *slots;
        int op, j = 0;
        snprintf(where, sizeof(where), "op_intervals.operations[%d]", i);
        if ((name = sl_resultfield_string(o, "name", where, err, errlen)) == NULL ||
            (slots = sl_resultfield_get(o, "slots", SL_JSON_ARRAY, where, err, errlen)) == NULL)
            return -1;
        if ((op = sl_config_operation(&r->cfg, name, strlen(name))) < 0) {
            snprintf(err, errlen, "%s.name \"%.100s\" is not in operations", where, name);
            return -1;
        }
        for (const sl_json_t *sl; (sl = sl_json_item(slots, (size_t)j)) != NULL; j++) {
            char sub[96];
            uint64_t slot;
            const sl_json_t *bk;
            snprintf(sub, sizeof(sub), "%s.slots[%d]", where, j);
            if (sl_resultfield_u64(sl, "slot", sub, &slot, err, errlen) != 0 ||
                (bk = sl_resultfield_get(sl, "buckets", SL_JSON_ARRAY, sub, err, errlen)) == NULL)
                return -1;
            for (size_t k = 0; k < bk->len; k += 2) {
                const sl_json_t *b = sl_json_item(bk, k), *c = sl_json_item(bk, k + 1);
                if (c == NULL || b->type != SL_JSON_NUMBER || !b->is_u64 ||
                    c->type != SL_JSON_NUMBER || !c->is_u64 || b->u64 >= SL_OPSERIES_BUCKETS ||
                    c->u64 > UINT32_MAX || slot > 10000000 ||
                    sl_opseries_add_bucket(s, op, slot * slot_s, (uint32_t)b->u64,
                                           (uint32_t)c->u64) != 0) {
                    snprintf(err, errlen, "%s.buckets: not pairs of a bucket below %d and a count",
                             sub, SL_OPSERIES_BUCKETS);
                    return -1;
                }
            }
        }
    }
    return 0;
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    struct stat st;
    if (f == NULL) {
        snprintf(err, errlen, "cannot read it: %s", strerror(errno));
        return NULL;
    }
    /* a file's own size (and a byte to see its end), not the doubling's up to twice that */
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size < MAX_RESULT_BYTES && (buf = malloc((size_t)st.st_size + 1)) != NULL)
        cap = (size_t)st.st_size + 1;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_RESULT_BYTES) {
                snprintf(err, errlen, "larger than %llu bytes: not a result file",
                         (unsigned long long)MAX_RESULT_BYTES);
                goto Error;
            }
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                snprintf(err, errlen, "out of memory");
                goto Error;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "cannot read it: %s", strerror(errno));
        goto Error;
    }
    fclose(f);
    *len = n;
    return buf;
Error:
    fclose(f);
    free(buf);
    return NULL;
}

int sl_resultfile_load(sl_resultfile_t *r, const char *path, char *err, size_t errlen)
{
    char msg[512];
    size_t len = 0;
    sl_json_t *doc = NULL;
    const char *schema;
    int rc = -1;
    memset(r, 0, sizeof(*r));
    if ((r->source = strdup(path)) == NULL) {
        snprintf(msg, sizeof(msg), "out of memory");
        goto Done;
    }
    char *text = read_file(path, &len, msg, sizeof(msg));
    if (text == NULL)
        goto Done;
    char why[256];
    doc = sl_json_parse(text, len, why, sizeof(why));
    free(text);
    if (doc == NULL) {
        snprintf(msg, sizeof(msg), "not a soapload result: not JSON (%s)", why);
        goto Done;
    }
    if (doc->type != SL_JSON_OBJECT || sl_json_get(doc, "schema") == NULL ||
        sl_json_get(doc, "schema")->type != SL_JSON_STRING) {
        snprintf(msg, sizeof(msg), "not a soapload result: no \"schema\" field");
        goto Done;
    }
    schema = sl_json_get(doc, "schema")->string;
    if (strcmp(schema, SL_RESULTS_SCHEMA) != 0) {
        snprintf(msg, sizeof(msg), "schema \"%.100s\" is not %s%s", schema, SL_RESULTS_SCHEMA,
                 strncmp(schema, "soapload-results/", 17) == 0
                     ? ": written by another version of soapload"
                     : ": not a soapload result");
        goto Done;
    }
    sl_run_t *run = &r->run;
    const sl_json_t *lat;
    if (read_settings(doc, r, msg, sizeof(msg)) != 0 ||
        sl_resultfield_counts(
            sl_resultfield_get(doc, "summary", SL_JSON_OBJECT, "", msg, sizeof(msg)), "summary",
            &run->counts, msg, sizeof(msg)) != 0 ||
        sl_resultfield_seconds(doc, "sending_s", "", &r->sending_s, msg, sizeof(msg)) != 0 ||
        sl_resultfield_seconds(doc, "elapsed_s", "", &run->elapsed_s, msg, sizeof(msg)) != 0 ||
        sl_resultfield_u64(doc, "max_in_flight", "", &run->max_in_flight, msg, sizeof(msg)) != 0 ||
        sl_resultfield_bool(doc, "interrupted", "", &run->interrupted, msg, sizeof(msg)) != 0 ||
        sl_resultfield_int(doc, "workers_died", "", &run->workers_died, msg, sizeof(msg)) != 0 ||
        (lat = sl_resultfield_get(doc, "latency", SL_JSON_OBJECT, "", msg, sizeof(msg))) == NULL)
        goto Done;
    if ((run->latency = sl_resultfield_hist(lat, "from_due", msg, sizeof(msg))) == NULL ||
        (run->service = sl_resultfield_hist(lat, "service", msg, sizeof(msg))) == NULL ||
        (run->lateness = sl_resultfield_hist(lat, "send_lateness", msg, sizeof(msg))) == NULL ||
        read_connections(doc, run, msg, sizeof(msg)) != 0 ||
        read_intervals(doc, run, msg, sizeof(msg)) != 0 ||
        read_workers(doc, run, msg, sizeof(msg)) != 0 ||
        read_operations(doc, r, msg, sizeof(msg)) != 0 ||
        read_scenarios(doc, r, msg, sizeof(msg)) != 0 ||
        read_tags(doc, run, msg, sizeof(msg)) != 0 ||
        read_reasons(doc, &r->cfg, &run->reasons, msg, sizeof(msg)) != 0 ||
        read_opseries(doc, r, msg, sizeof(msg)) != 0 || read_parts(doc, r, msg, sizeof(msg)) != 0 ||
        sl_merge_validation_read(doc, &r->cfg, &run->validation, msg, sizeof(msg)) != 0)
        goto Done;
    /* the rates divide by the time it was sending: a run stopped early sent for less */
    run->t0_ns = 1;
    if (r->sending_s * 1e9 < (double)r->cfg.duration_ns)
        run->stopped_ns = 1 + (uint64_t)llround(r->sending_s * 1e9);
    rc = 0;
Done:
    sl_json_free(doc);
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", path, msg);
    return rc;
}

void sl_resultfile_free(sl_resultfile_t *r)
{
    sl_run_free(&r->run);
    sl_config_free(&r->cfg);
    free(r->script);
    free(r->source);
    free(r->segments);
    free(r->parts);
    memset(r, 0, sizeof(*r));
}

/* ---- merging --------------------------------------------------------------------------- */

/* A scenario's weight of the operation named `name` in cfg's numbering (0: not in it). */
static double scenario_weight(const sl_config_t *cfg, const sl_scenario_t *sc, const char *name)
{
    int k = sl_config_operation(cfg, name, strlen(name));
    return k < 0 ? 0 : sc->weights[k];
}

/* What differs between two scenarios of the same name, or NULL: the same schedule and mix. */
static const char *scenario_differs(const sl_config_t *ca, const sl_scenario_t *a,
                                    const sl_config_t *cb, const sl_scenario_t *b)
{
    if (a->start_ns != b->start_ns)
        return "start";
    if (a->has_rate != b->has_rate || a->nstages != b->nstages ||
        (a->has_rate && (a->rate != b->rate || a->duration_ns != b->duration_ns)))
        return "rate or stages";
    for (int i = 0; i < a->nstages; i++)
        if (a->stages[i].duration_ns != b->stages[i].duration_ns ||
            a->stages[i].target != b->stages[i].target)
            return "stages";
    if (a->arrival != b->arrival)
        return "arrival";
    if (a->burst != b->burst)
        return "burst";
    for (int k = 0; k < ca->nops; k++)
        if (a->weights[k] != scenario_weight(cb, b, ca->op_names[k]))
            return "operations";
    for (int k = 0; k < cb->nops; k++)
        if (b->weights[k] != scenario_weight(ca, a, cb->op_names[k]))
            return "operations";
    return NULL;
}

/* The scenarios of two files: the same names (sorted by name, as the run sorts them), each
 * with the same schedule and mix. */
static int same_scenarios(const sl_resultfile_t *a, const sl_resultfile_t *b, char *err,
                          size_t errlen)
{
    const sl_scenarios_t *sa = a->cfg.scenarios, *sb = b->cfg.scenarios;
    char la[512] = "none", lb[512] = "none";
    if (sa != NULL && sb != NULL && sa->n == sb->n) {
        int i = 0;
        while (i < sa->n && strcmp(sa->s[i].name, sb->s[i].name) == 0)
            i++;
        if (i == sa->n) {
            for (i = 0; i < sa->n; i++) {
                const char *what = scenario_differs(&a->cfg, &sa->s[i], &b->cfg, &sb->s[i]);
                if (what != NULL) {
                    snprintf(err, errlen,
                             "%s: settings.scenarios differ from %s's: scenario %s has another "
                             "%s: these results do not merge",
                             b->source, a->source, sa->s[i].name, what);
                    return -1;
                }
            }
            return 0;
        }
    } else if (sa == NULL && sb == NULL)
        return 0;
    for (int f = 0; f < 2; f++) {
        const sl_scenarios_t *ss = f ? sb : sa;
        char *l = f ? lb : la;
        size_t size = sizeof(la), used = 0;
        for (int i = 0; ss != NULL && i < ss->n && used < size; i++)
            used += (size_t)snprintf(l + used, size - used, "%s%s", i ? ", " : "", ss->s[i].name);
    }
    snprintf(err, errlen,
             "%s: settings.scenarios are %s, but %s has %s: these results do not merge", b->source,
             lb, a->source, la);
    return -1;
}

/* Two open-model shapes differ: their start or a stage (a constant rate has none). */
static int stages_differ(const sl_config_t *a, const sl_config_t *b)
{
    if (a->nstages != b->nstages || (a->nstages > 0 && a->rate != b->rate))
        return 1;
    for (int i = 0; i < a->nstages; i++)
        if (a->stages[i].duration_ns != b->stages[i].duration_ns ||
            a->stages[i].target != b->stages[i].target)
            return 1;
    return 0;
}

/* "from 0: 1 s to 200, 1 s to 200", for a message. */
static void stages_text(const sl_config_t *cfg, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, cfg->nstages ? "from %g:" : "none", cfg->rate);
    for (int i = 0; i < cfg->nstages && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s %g s to %g", i ? "," : "",
                                 (double)cfg->stages[i].duration_ns / 1e9, cfg->stages[i].target);
}

static int same_settings(const sl_resultfile_t *a, const sl_resultfile_t *b, char *err,
                         size_t errlen)
{
    const char *what = NULL;
    char va[256], vb[256];
    if (strcmp(a->cfg.url, b->cfg.url) != 0) {
        what = "url";
        snprintf(va, sizeof(va), "%s", a->cfg.url);
        snprintf(vb, sizeof(vb), "%s", b->cfg.url);
    } else if (a->cfg.closed != b->cfg.closed) {
        what = "model";
        snprintf(va, sizeof(va), "%s", a->cfg.closed ? "closed" : "open");
        snprintf(vb, sizeof(vb), "%s", b->cfg.closed ? "closed" : "open");
    } else if (a->cfg.soap_version != b->cfg.soap_version) {
        what = "soap_version";
        snprintf(va, sizeof(va), "%s", a->cfg.soap_version == 12 ? "1.2" : "1.1");
        snprintf(vb, sizeof(vb), "%s", b->cfg.soap_version == 12 ? "1.2" : "1.1");
    } else if (a->cfg.duration_ns != b->cfg.duration_ns) {
        what = "duration_s";
        snprintf(va, sizeof(va), "%g", (double)a->cfg.duration_ns / 1e9);
        snprintf(vb, sizeof(vb), "%g", (double)b->cfg.duration_ns / 1e9);
    } else if (stages_differ(&a->cfg, &b->cfg)) {
        what = "stages";
        stages_text(&a->cfg, va, sizeof(va));
        stages_text(&b->cfg, vb, sizeof(vb));
    } else if (a->cfg.send_window_ns != b->cfg.send_window_ns) {
        what = "send_window_s";
        snprintf(va, sizeof(va), "%g", (double)a->cfg.send_window_ns / 1e9);
        snprintf(vb, sizeof(vb), "%g", (double)b->cfg.send_window_ns / 1e9);
    }
    if (what == NULL)
        return same_scenarios(a, b, err, errlen);
    snprintf(err, errlen, "%s: settings.%s is %s, but %s has %s: these results do not merge",
             b->source, what, vb, a->source, va);
    return -1;
}

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

/* The scenarios (the same in every file, same_scenarios saw to it), their weights renumbered
 * to the merged operations. */
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
    for (int i = 0; i < ss->n; i++)
        for (int k = 0; k < out->cfg.nops; k++)
            ss->s[i].weights[k] = scenario_weight(&first->cfg, &from->s[i], out->cfg.op_names[k]);
    out->cfg.scenarios = ss;
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

int sl_resultfile_mergeable(const sl_resultfile_t *in, int n, char *err, size_t errlen)
{
    for (int f = 1; f < n; f++)
        if (same_settings(&in[0], &in[f], err, errlen) != 0)
            return -1;
    return same_split(in, n, err, errlen) != 0 || sl_resultcheck_distinct(in, n, err, errlen) != 0
               ? -1
               : 0;
}

int sl_resultfile_merge(sl_resultfile_t *out, const sl_resultfile_t *in, int n, char *err,
                        size_t errlen)
{
    sl_run_t *run = &out->run;
    int64_t t0_us = INT64_MAX;
    double end_s = 0, sending = 0, share = 0; /* of one schedule: 1/N per segment, 1 per run */
    int nworkers = 0;
    memset(out, 0, sizeof(*out));
    for (int f = 0; f < n; f++) {
        if (in[f].started_at_us < t0_us)
            t0_us = in[f].started_at_us;
        nworkers += in[f].run.nworkers;
    }
    /* the settings: the first file's, with the load of all of them */
    out->cfg = in[0].cfg;
    out->cfg.url = strdup(in[0].cfg.url);
    out->cfg.id_element = strdup(in[0].cfg.id_element);
    out->cfg.nops = 0;         /* merge_operations makes the merged list */
    out->cfg.scenarios = NULL; /* merge_scenarios copies them, in that list's numbering */
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
    for (int f = 0; f < n; f++) {
        const sl_resultfile_t *r = &in[f];
        sl_segment_t *g = &out->segments[f];
        out->cfg.rate += r->cfg.closed ? 0 : r->mean_rate; /* each file its share of the load */
        share += sl_segment_share(&r->cfg);
        out->cfg.connections += r->cfg.connections;
        out->cfg.workers += r->cfg.workers;
        if (r->cfg.timeout_ns > out->cfg.timeout_ns)
            out->cfg.timeout_ns = r->cfg.timeout_ns;
        if (sl_merge_validation_add(&out->cfg, &run->validation, &r->cfg, &r->run.validation) !=
            0) {
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
        if (end > end_s)
            end_s = end;
        if (r->sending_s > sending)
            sending = r->sending_s;
    }
    if (out->cfg.nstages > 0) { /* the one shape, at the load of all the files together */
        out->cfg.rate = in[0].cfg.rate * share;
        for (int i = 0; i < out->cfg.nstages; i++)
            out->cfg.stages[i].target *= share;
    }
    if (merge_operations(out, in, n, err, errlen) != 0 ||
        merge_scenarios(out, &in[0], err, errlen) != 0)
        return -1;
    for (int f = 0; f < n; f++) { /* the reasons, their operations numbered as merged */
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
    for (int f = 0; f < n; f++) /* the tag values of all files, folded to the bounds again */
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
    run->elapsed_s = end_s;
    run->t0_ns = 1;
    if (sending * 1e9 < (double)out->cfg.duration_ns) /* every segment stopped early */
        run->stopped_ns = 1 + (uint64_t)llround(sending * 1e9);
    out->sending_s = sl_report_sending_s(&out->cfg, run);
    run->segments = out->segments;
    run->nsegments = (size_t)n;
    if (merge_runs(out, in, n) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return sl_timeline_merge(out, in, n, t0_us, err, errlen);
}

/* ---- the subcommand -------------------------------------------------------------------- */

/* soapload merge's own flags and operands (the result files), as sl_merge_main reads them */
typedef struct {
    sl_threshold_set_t *checks;
    const char *json, *html, *junit;
    const char **paths;
    int npaths, quiet, allow_gaps;
} merge_args_t;

static int set_threshold(void *opts, const char *flag, const char *value, char *err, size_t errlen)
{
    (void)flag;
    return sl_threshold_parse(((merge_args_t *)opts)->checks, value, err, errlen);
}

static int add_path(void *opts, const char *flag, const char *value, char *err, size_t errlen)
{
    merge_args_t *m = opts;
    (void)flag, (void)err, (void)errlen;
    m->paths[m->npaths++] = value;
    return 0;
}

static const sl_subarg_t merge_flags[] = {
    {"--json", NULL, "FILE", offsetof(merge_args_t, json), NULL,
     "write the merged result (schema " SL_RESULTS_SCHEMA ")"},
    {"--html", NULL, "FILE", offsetof(merge_args_t, html), NULL, "write the merged HTML report"},
    {"--junit", NULL, "FILE", offsetof(merge_args_t, junit), NULL,
     "write a JUnit XML report (as a run's --junit)"},
    {"--threshold", NULL, "EXPR", 0, set_threshold,
     "pass/fail on the merged result, e.g. 'p99 < 50ms' (repeatable)"},
    {"-t", NULL, "EXPR", 0, set_threshold, NULL},
    {"--allow-gaps", NULL, NULL, offsetof(merge_args_t, allow_gaps), NULL,
     "merge results that were not running at the same time (the\n"
     "                      seconds between are left out of the timeline)"},
    {"--quiet", "-q", NULL, offsetof(merge_args_t, quiet), NULL, "print no summary"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: soapload merge RESULT.json... [--json OUT] [--html OUT] [--junit OUT] "
            "[--threshold EXPR]... [--allow-gaps]\n"
            "       soapload merge --trace TRACE.csv... [RESULT.json...] [--id-log ID-LOG] "
            "[--window T]\n"
            "       soapload merge --listen ADDR:PORT --expect N ...  (see --listen --help)\n"
            "Merges result files (--json of soapload runs with the same url, model, SOAP "
            "version\nand duration, e.g. the segments of one distributed run) into one result: "
            "counts\nand histograms added exactly, intervals on one timeline, one row per "
            "file.\n");
    sl_subargs_usage(out, merge_flags);
    fprintf(out, "Exit codes: 0 pass, 1 requests failed, 2 usage or unreadable input, 3 a "
                 "threshold failed, 4 a worker died or the accounting broke.\n");
}

static void segment_lines(FILE *out, const sl_resultfile_t *m)
{
    fprintf(out, "Merged %zu result%s (%s) on one timeline from the earliest start\n",
            m->run.nsegments, m->run.nsegments == 1 ? "" : "s", SL_RESULTS_SCHEMA);
    for (size_t i = 0; i < m->run.nsegments; i++) {
        const sl_segment_t *g = &m->run.segments[i];
        char when[64], day[32];
        struct tm tm;
        time_t secs = (time_t)(g->started_at_us / 1000000);
        gmtime_r(&secs, &tm);
        strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
        snprintf(when, sizeof(when), "%s.%06lld", day, (long long)(g->started_at_us % 1000000));
        fprintf(out,
                "Segment %-3zu     %s: started %s UTC (second %lld), %d worker%s, scheduled "
                "%llu, sent %llu, ok %llu\n",
                i + 1, g->source, when, (long long)g->offset_s, g->nworkers,
                g->nworkers == 1 ? "" : "s", (unsigned long long)g->counts.scheduled,
                (unsigned long long)g->counts.sent, (unsigned long long)g->counts.results[SL_R_OK]);
        if (g->nsegments > 0)
            fprintf(out, "                segment %d/%d", g->segment, g->nsegments);
        if (g->nsegments > 0 && g->has_clock)
            fprintf(out, ", clock offset %+.3f ms +- %.3f ms against the server",
                    g->clock_offset_ms, g->clock_uncertainty_ms);
        if (g->nsegments > 0)
            fprintf(out, "\n");
    }
    size_t have = m->run.nsegments;
    if (have > 0 && m->run.segments[0].nsegments > 0) {
        int of = m->run.segments[0].nsegments;
        if ((int)have == of)
            fprintf(out, "Segments        all %d of the split schedule: the whole schedule\n", of);
        else
            fprintf(out,
                    "Segments        %zu of %d: the merged result covers only their share of "
                    "the schedule\n",
                    have, of);
    }
}

/* The merged JSON once, in memory, for --json and the HTML report; each written whole. */
static int write_outputs(const sl_resultfile_t *m, const sl_threshold_set_t *checks,
                         sl_outfile_t *json, sl_outfile_t *html)
{
    char *doc = NULL, *page = NULL, err[4096];
    size_t len = 0, page_len = 0;
    int rc = -1;
    FILE *mem = open_memstream(&doc, &len);
    if (mem == NULL || sl_results_write_json(mem, &m->cfg, &m->run, checks) != 0 ||
        fclose(mem) != 0) {
        fprintf(stderr, "soapload merge: cannot build the results: out of memory\n");
        goto Done;
    }
    rc = 0;
    if (json->path != NULL && sl_outfile_write(json, doc, len, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload merge: %s\n", err);
        rc = -1;
    }
    if (html->path != NULL) {
        mem = open_memstream(&page, &page_len);
        if (mem == NULL || sl_html_write(mem, doc, len) != 0 || fclose(mem) != 0) {
            fprintf(stderr, "soapload merge: cannot write %s: out of memory\n", html->path);
            rc = -1;
        } else if (sl_outfile_write(html, page, page_len, err, sizeof(err)) != 0) {
            fprintf(stderr, "soapload merge: %s\n", err);
            rc = -1;
        }
    }
Done:
    free(doc);
    free(page);
    return rc;
}

int sl_merge_main(int argc, char **argv)
{
    sl_threshold_set_t checks = {0};
    sl_outfile_t json = {.fd = -1}, html = {.fd = -1}, junit = {.fd = -1};
    sl_resultfile_t *in = calloc((size_t)argc, sizeof(*in)), merged;
    merge_args_t args = {.checks = &checks};
    char err[4096];
    int n = 0, code = SL_EXIT_USAGE;
    memset(&merged, 0, sizeof(merged));
    if (in == NULL) {
        fprintf(stderr, "soapload merge: out of memory\n");
        return SL_EXIT_INTERNAL;
    }
    args.paths = (const char **)calloc((size_t)argc, sizeof(*args.paths));
    if (args.paths == NULL) {
        fprintf(stderr, "soapload merge: out of memory\n");
        free(in);
        return SL_EXIT_INTERNAL;
    }
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--trace") == 0) { /* the proof across segments, from traces */
            free(in);
            free(args.paths);
            return sl_crossproof_main(argc, argv);
        }
    /* a closed pipe on stdout fails the summary's write (exit 4), and the files are still
     * written, as in a run */
    signal(SIGPIPE, SIG_IGN);
    switch (sl_subargs_parse(merge_flags, argc, argv, &args, add_path, err, sizeof(err))) {
    case SL_SUBARGS_HELP:
        usage(stdout);
        code = SL_EXIT_OK;
        goto Done;
    case SL_SUBARGS_OK:
        break;
    default:
        fprintf(stderr, "soapload merge: %s\n", err);
        goto Usage;
    }
    const char **paths = args.paths, *json_path = args.json, *html_path = args.html,
               *junit_path = args.junit;
    int npaths = args.npaths, quiet = args.quiet, allow_gaps = args.allow_gaps;
    if (npaths == 0) {
        fprintf(stderr, "soapload merge: no result files given\n");
        goto Usage;
    }
    for (n = 0; n < npaths; n++)
        if (sl_resultfile_load(&in[n], paths[n], err, sizeof(err)) != 0) {
            n++; /* freed below with the others */
            fprintf(stderr, "soapload merge: %s\n", err);
            goto Done;
        } else if (sl_resultcheck_file(&in[n], err, sizeof(err)) != 0) {
            n++;
            fprintf(stderr, "soapload merge: %s: the result does not add up\n", err);
            code = SL_EXIT_INTERNAL; /* as for a run whose accounting broke */
            goto Done;
        }
    if (sl_resultcheck_sum(in, n, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload merge: %s\n", err);
        code = SL_EXIT_INTERNAL;
        goto Done;
    }
    if (sl_resultfile_mergeable(in, n, err, sizeof(err)) != 0 ||
        sl_timeline_check_overlap(in, n, allow_gaps, err, sizeof(err)) != 0 ||
        sl_resultfile_merge(&merged, in, n, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload merge: %s\n", err);
        goto Done;
    }
    if (sl_threshold_check_operations(&checks, (const char *const *)merged.cfg.op_names,
                                      merged.cfg.nops, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload merge: %s\n", err);
        goto Done;
    }
    if ((json_path && sl_outfile_prepare(&json, json_path, 0644, err, sizeof(err)) != 0) ||
        (html_path && sl_outfile_prepare(&html, html_path, 0644, err, sizeof(err)) != 0) ||
        (junit_path && sl_outfile_prepare(&junit, junit_path, 0644, err, sizeof(err)) != 0)) {
        fprintf(stderr, "soapload merge: %s\n", err);
        goto Done;
    }
    sl_metrics_t metrics = {.counts = &merged.run.counts,
                            .latency = merged.run.latency,
                            .service = merged.run.service,
                            .lateness = merged.run.lateness,
                            .duration_s = merged.sending_s};
    sl_metrics_t *op_metrics = sl_ops_metrics(&merged.cfg, &merged.run, &metrics);
    sl_metrics_t *tag_metrics = sl_tags_metrics(&merged.run, &metrics);
    sl_threshold_evaluate(&checks, &metrics);
    free(tag_metrics);
    free(op_metrics);
    code = sl_report_exit_code(&merged.run, &checks);
    if (!quiet) {
        segment_lines(stdout, &merged);
        sl_report_print(stdout, &merged.cfg, &merged.run, &checks);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "soapload merge: cannot write the summary to stdout: %s\n",
                    strerror(errno));
            code = SL_EXIT_INTERNAL;
        }
    }
    if ((json_path || html_path) && write_outputs(&merged, &checks, &json, &html) != 0)
        code = SL_EXIT_INTERNAL;
    if (junit_path &&
        sl_junit_write_file(&junit, &merged.cfg, &merged.run, &checks, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload merge: %s\n", err);
        code = SL_EXIT_INTERNAL;
    }
    goto Done;
Usage:
    fprintf(stderr, "Try 'soapload merge --help'.\n");
Done:
    sl_outfile_close(&json);
    sl_outfile_close(&html);
    sl_outfile_close(&junit);
    sl_resultfile_free(&merged);
    for (int i = 0; i < n; i++)
        sl_resultfile_free(&in[i]);
    free(in);
    free(args.paths);
    return code;
}
