/*
 * resultcheck: the equations of a result file read back, and the overflow-checked sums of
 * merging several (see resultcheck.h).
 */
#include "tools/resultcheck.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int sl_resultcheck_add(sl_counts_t *dst, const sl_counts_t *src, const char *source,
                       const char *what, char *err, size_t errlen)
{
    if (sl_counts_add_checked(dst, src) == 0)
        return 0;
    snprintf(err, errlen,
             "%s: %s: added to the files before it, a count passes 2^64 - 1: "
             "the counts overflow",
             source, what);
    return -1;
}

/* Every count of part is at most the whole's: the requests of a second, a tag value or a
 * histogram are some of the run's. NULL, or the name of the first count that is larger. */
static const char *larger_count(const sl_counts_t *part, const sl_counts_t *whole)
{
    if (part->scheduled > whole->scheduled)
        return "scheduled";
    if (part->sent > whole->sent)
        return "sent";
    if (part->not_sent > whole->not_sent)
        return "not_sent";
    if (part->script_errors_before_send > whole->script_errors_before_send)
        return "script_errors_before_send";
    for (int r = 0; r < SL_R_COUNT; r++) {
        if (part->results[r] > whole->results[r])
            return sl_result_name((sl_result_t)r);
        if (part->before_send[r] > whole->before_send[r])
            return "before_send";
    }
    if (part->bytes_sent > whole->bytes_sent)
        return "bytes_sent";
    return part->bytes_received > whole->bytes_received ? "bytes_received" : NULL;
}

/* A counts object's own two equations, and no count above the summary's. */
static int check_part(const sl_resultfile_t *r, const sl_counts_t *c, const char *what, char *err,
                      size_t errlen)
{
    char why[256];
    const char *larger;
    if (sl_counts_check(c, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %s: %s", r->source, what, why);
        return -1;
    }
    if ((larger = larger_count(c, &r->run.counts)) != NULL) {
        snprintf(err, errlen, "%s: %s: its %s is more than the summary's: not a part of it",
                 r->source, what, larger);
        return -1;
    }
    return 0;
}

/* Parts that together are the whole (the workers, the operations): their sum is the summary. */
static int check_sum(const sl_resultfile_t *r, const sl_counts_t *sum, const char *what, char *err,
                     size_t errlen)
{
    const char *differs = sl_counts_differ(sum, &r->run.counts);
    if (differs == NULL)
        return 0;
    snprintf(err, errlen, "%s: the %s' counts do not add up to the summary's: %s differs",
             r->source, what, differs);
    return -1;
}

/* A histogram holds at most the requests that ended: sent ones. */
static int check_hist(const sl_resultfile_t *r, const sl_hist_t *h, const char *what, char *err,
                      size_t errlen)
{
    if (h == NULL || h->total <= r->run.counts.sent)
        return 0;
    snprintf(err, errlen, "%s: %s holds %llu latencies, more than the %llu requests sent",
             r->source, what, (unsigned long long)h->total, (unsigned long long)r->run.counts.sent);
    return -1;
}

/* *sum += v, or -1 when that would pass 2^64 - 1. */
static int add_u64(uint64_t *sum, uint64_t v)
{
    if (*sum + v < *sum)
        return -1;
    *sum += v;
    return 0;
}

/* The failure reasons count failures the file has: per kind, the reasons listed and the other
 * reasons of that kind (their sums checked) are at most the requests that ended so (sent or
 * before send); the other reasons of a file written before they were split, at most all. */
static int check_reasons(const sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_reasons_t *rs = &r->run.reasons;
    const sl_counts_t *c = &r->run.counts;
    uint64_t all = 0, listed = 0, split = 0;
    for (int k = 0; k < SL_R_COUNT; k++) {
        uint64_t n = 0, ended = c->results[k] + c->before_send[k];
        int wraps = ended < c->results[k] || all + ended < all;
        all += ended;
        for (uint32_t i = 0; i < rs->n; i++)
            if (rs->items[i].kind == (uint32_t)k)
                wraps |= add_u64(&n, rs->items[i].count);
        for (int o = 0; o <= SL_MAX_OPERATIONS; o++)
            wraps |= add_u64(&n, rs->other_by[o][k]);
        if (wraps || n > ended) {
            snprintf(err, errlen,
                     "%s: failure_reasons: the reasons of kind %s count more failures than the "
                     "%llu the summary has%s",
                     r->source, sl_result_name((sl_result_t)k), (unsigned long long)ended,
                     wraps ? " (their sum overflows)" : "");
            return -1;
        }
        listed += n;
    }
    for (int o = 0; o <= SL_MAX_OPERATIONS; o++)
        for (int k = 0; k < SL_R_COUNT; k++)
            split += rs->other_by[o][k];
    /* other_by is bounded above, so split cannot wrap; an unsplit `other` comes on top */
    if (rs->other > split &&
        (listed + (rs->other - split) < listed || listed + (rs->other - split) > all)) {
        snprintf(err, errlen,
                 "%s: failure_reasons.other (%llu) counts more failures than the summary has",
                 r->source, (unsigned long long)rs->other);
        return -1;
    }
    return 0;
}

int sl_resultcheck_file(const sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_run_t *run = &r->run;
    sl_counts_t sum = {0};
    char what[160], why[256];
    if (sl_counts_check(&run->counts, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: summary: %s", r->source, why);
        return -1;
    }
    if (check_hist(r, run->latency, "latency.from_due", err, errlen) != 0 ||
        check_hist(r, run->service, "latency.service", err, errlen) != 0 ||
        check_hist(r, run->lateness, "latency.send_lateness", err, errlen) != 0)
        return -1;
    for (int i = 0; i < run->nworkers; i++) {
        snprintf(what, sizeof(what), "workers[%d].counts", i);
        if (check_part(r, &run->workers[i].counts, what, err, errlen) != 0 ||
            sl_resultcheck_add(&sum, &run->workers[i].counts, r->source, what, err, errlen) != 0)
            return -1;
    }
    if (run->nworkers > 0 && check_sum(r, &sum, "workers", err, errlen) != 0)
        return -1;
    sum = (sl_counts_t){0};
    for (int i = 0; i < run->nops; i++) {
        snprintf(what, sizeof(what), "operations[%d].counts", i);
        if (check_part(r, &run->ops[i].counts, what, err, errlen) != 0 ||
            sl_resultcheck_add(&sum, &run->ops[i].counts, r->source, what, err, errlen) != 0)
            return -1;
    }
    if (run->nops > 0 && check_sum(r, &sum, "operations", err, errlen) != 0)
        return -1;
    for (int i = 0; i < run->nops; i++) {
        snprintf(what, sizeof(what), "operations[%d].latency", i);
        if (check_hist(r, run->ops[i].from_due, what, err, errlen) != 0 ||
            check_hist(r, run->ops[i].service, what, err, errlen) != 0)
            return -1;
    }
    for (int i = 0; i < run->nflows; i++) /* scheduled = completed + failed + ...; by step */
        if (sl_flow_stats_check(&run->flows[i], r->cfg.flows->f[i].name, why, sizeof(why)) != 0 ||
            run->flows[i].duration->total != run->flows[i].completed) {
            snprintf(err, errlen, "%s: flows[%d]: %s", r->source, i,
                     run->flows[i].duration->total != run->flows[i].completed
                         ? "duration_us.count is not the completed flows"
                         : why);
            return -1;
        }
    sum = (sl_counts_t){0};
    for (size_t i = 0; i < r->nparts; i++)
        if (sl_resultcheck_add(&sum, &r->parts[i].counts, r->source, "segments", err, errlen) != 0)
            return -1;
    if (r->nparts > 0 && check_sum(r, &sum, "segments", err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < run->nseconds; i++) {
        const sl_second_t *s = &run->seconds[i];
        const char *larger = larger_count(&s->counts, &run->counts);
        /* no equations: a request sent in one second may end in the next */
        if (larger != NULL) {
            snprintf(err, errlen,
                     "%s: intervals[%zu].counts: its %s is more than the summary's: not a part "
                     "of it",
                     r->source, i, larger);
            return -1;
        }
        if (s->completed > run->counts.sent || s->in_flight_max > run->max_in_flight) {
            snprintf(err, errlen,
                     "%s: intervals[%zu]: latency.count %llu or in_flight_max %llu is more than "
                     "the run's (sent %llu, max_in_flight %llu)",
                     r->source, i, (unsigned long long)s->completed,
                     (unsigned long long)s->in_flight_max, (unsigned long long)run->counts.sent,
                     (unsigned long long)run->max_in_flight);
            return -1;
        }
    }
    for (int i = 0; i < run->tags.n; i++) {
        const sl_tag_t *e = &run->tags.items[i];
        snprintf(what, sizeof(what), "tag %s=%s", e->name, e->value);
        /* the fold of other names counts a request once per name it carried: no part */
        if (e->other != 2 && check_part(r, &e->stats->counts, what, err, errlen) != 0)
            return -1;
        if (check_hist(r, e->stats->from_due, what, err, errlen) != 0 ||
            check_hist(r, e->stats->service, what, err, errlen) != 0)
            return -1;
    }
    return check_reasons(r, err, errlen);
}

int sl_resultcheck_sum(const sl_resultfile_t *in, int n, char *err, size_t errlen)
{
    sl_counts_t counts = {0};
    uint64_t lat = 0, svc = 0, late = 0, tls = 0, opened = 0, reused = 0, in_flight = 0;
    int died = 0, conns = 0, workers = 0, reported = 0;
    for (int f = 0; f < n; f++) {
        const sl_run_t *run = &in[f].run;
        /* the merged settings and worker list are ints: the files' sums must fit one */
        if (in[f].cfg.connections > INT_MAX - conns || in[f].cfg.workers > INT_MAX - workers ||
            run->nworkers > INT_MAX - reported) {
            snprintf(err, errlen,
                     "%s: added to the files before it, settings.connections, settings.workers "
                     "or the workers listed pass %d: they overflow",
                     in[f].source, INT_MAX);
            return -1;
        }
        conns += in[f].cfg.connections;
        workers += in[f].cfg.workers;
        reported += run->nworkers;
        if (sl_resultcheck_add(&counts, &run->counts, in[f].source, "summary", err, errlen) != 0)
            return -1;
        if (add_u64(&lat, run->latency->total) | add_u64(&svc, run->service->total) |
                add_u64(&late, run->lateness->total) |
                add_u64(&tls, run->tls_handshake ? run->tls_handshake->total : 0) |
                add_u64(&opened, run->conns_opened) | add_u64(&reused, run->conns_reused) |
                add_u64(&in_flight, run->max_in_flight) ||
            run->workers_died > INT_MAX - died) {
            snprintf(err, errlen,
                     "%s: added to the files before it, a histogram's count, the connections, "
                     "max_in_flight or workers_died pass their largest value: they overflow",
                     in[f].source);
            return -1;
        }
        died += run->workers_died;
    }
    return 0;
}

/* One run that a file holds, for sl_resultcheck_distinct: its start, segment, workers (their
 * pids hashed) and counts. Segments started together by --start-at share the start and may
 * share the counts, never the segment; two runs on one machine never share their pids. */
typedef struct {
    int64_t started_at_us;
    int segment, nsegments;
    uint64_t pids;
    const sl_counts_t *counts;
    int file;
} held_run_t;

static uint64_t hash_pids(const sl_worker_report_t *w, int n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (int i = 0; i < n; i++)
        h = (h ^ (uint64_t)(uint32_t)w[i].pid) * 1099511628211ULL;
    return h;
}

/* The same run: all but the file. */
static int same_run(const held_run_t *x, const held_run_t *y)
{
    return x->started_at_us == y->started_at_us && x->segment == y->segment &&
           x->nsegments == y->nsegments && x->pids == y->pids &&
           memcmp(x->counts, y->counts, sizeof(*x->counts)) == 0;
}

static int by_run(const void *a, const void *b)
{
    const held_run_t *x = a, *y = b;
    if (x->started_at_us != y->started_at_us)
        return x->started_at_us < y->started_at_us ? -1 : 1;
    if (x->segment != y->segment || x->nsegments != y->nsegments)
        return x->segment != y->segment ? x->segment - y->segment : x->nsegments - y->nsegments;
    if (x->pids != y->pids)
        return x->pids < y->pids ? -1 : 1;
    int c = memcmp(x->counts, y->counts, sizeof(*x->counts));
    return c != 0 ? c : x->file - y->file;
}

/* The runs in[f] holds into runs (k of them so far): itself, or a merged file's parts with
 * their slices of its workers. */
static int held_runs(const sl_resultfile_t *in, int f, held_run_t *runs, size_t *k, char *err,
                     size_t errlen)
{
    const sl_resultfile_t *r = &in[f];
    int w = 0;
    if (r->nparts == 0) {
        runs[(*k)++] = (held_run_t){r->started_at_us, r->cfg.segment,
                                    r->cfg.nsegments, hash_pids(r->run.workers, r->run.nworkers),
                                    &r->run.counts,   f};
        return 0;
    }
    for (size_t i = 0; i < r->nparts; i++) {
        const sl_segment_t *g = &r->parts[i];
        if (g->nworkers > r->run.nworkers - w) {
            snprintf(err, errlen, "%s: its segments' workers are more than its workers", r->source);
            return -1;
        }
        runs[(*k)++] = (held_run_t){g->started_at_us, g->segment,
                                    g->nsegments,     hash_pids(r->run.workers + w, g->nworkers),
                                    &g->counts,       f};
        w += g->nworkers;
    }
    return 0;
}

int sl_resultcheck_distinct(const sl_resultfile_t *in, int n, char *err, size_t errlen)
{
    size_t k = 0, total = 0;
    for (int f = 0; f < n; f++)
        total += in[f].nparts > 0 ? in[f].nparts : 1;
    held_run_t *runs = malloc((total ? total : 1) * sizeof(*runs));
    if (runs == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int f = 0; f < n; f++)
        if (held_runs(in, f, runs, &k, err, errlen) != 0) {
            free(runs);
            return -1;
        }
    /* sorted, a run held twice sits next to itself: n log n, whatever the files hold */
    qsort(runs, k, sizeof(*runs), by_run);
    for (size_t i = 1; i < k; i++) {
        const held_run_t *a = &runs[i - 1], *b = &runs[i];
        if (!same_run(a, b))
            continue;
        char day[32];
        time_t secs = (time_t)(a->started_at_us / 1000000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
        if (a->file == b->file)
            snprintf(err, errlen,
                     "%s holds the run started at %s.%06lld UTC twice (scheduled %llu, sent "
                     "%llu): a merge must not count a run twice",
                     in[a->file].source, day, (long long)(a->started_at_us % 1000000),
                     (unsigned long long)a->counts->scheduled, (unsigned long long)a->counts->sent);
        else
            snprintf(err, errlen,
                     "%s and %s hold the same run, started at %s.%06lld UTC (scheduled %llu, sent "
                     "%llu): a merge must not count a run twice (the same file given twice?)",
                     in[a->file].source, in[b->file].source, day,
                     (long long)(a->started_at_us % 1000000),
                     (unsigned long long)a->counts->scheduled, (unsigned long long)a->counts->sent);
        free(runs);
        return -1;
    }
    free(runs);
    return 0;
}
