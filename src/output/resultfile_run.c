/*
 * resultfile_run: the run's own record in a result file read back: the connections, the
 * one-second intervals (each with its histogram), the workers and, in a merged file, the runs
 * it holds.
 */
#include "output/resultfile_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/segment.h"
#include "output/resultfield.h"

/* "connections": opened, reused, by path (fast, full), the TLS handshake histogram. A file from a
 * soapload before it was written has none: its counts stay 0 and its histogram NULL. */
int sl_resultfile_read_connections(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen)
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
    const sl_json_t *p = sl_json_get(c, "by_path"); /* (newer than the rest) */
    if (p != NULL &&
        (sl_resultfield_u64(p, "fast", "connections.by_path", &run->path_fast, err, errlen) != 0 ||
         sl_resultfield_u64(p, "full", "connections.by_path", &run->path_full, err, errlen) != 0))
        return -1;
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
int sl_resultfile_read_intervals(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen)
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

int sl_resultfile_read_workers(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen)
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

/* "runs" of a merged file (absent in a run's; a merge written before it has only its
 * "segments", one per file given): the start, segment, workers and counts of each run it
 * holds, which sl_resultcheck_distinct compares. */
int sl_resultfile_read_parts(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen)
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
