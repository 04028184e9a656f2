/*
 * concurrency: one sort by send time, one sweep over sends and ends for the in-flight curve,
 * and a two-pointer sweep for the bursts (each start gets its shortest qualifying window; the
 * shortest windows that do not overlap are kept).
 */
#include "core/concurrency.h"

#include <stdlib.h>
#include <string.h>

static int by_sent(const void *a, const void *b)
{
    const sl_sendrec_t *x = a, *y = b;
    return x->sent_ns < y->sent_ns ? -1 : x->sent_ns > y->sent_ns;
}

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- in flight -------------------------------------------------------------------------- */

/* Adds `level` held from a to b to the per-second means and maxima. */
static void hold(sl_concurrency_t *c, uint64_t t0, uint64_t a, uint64_t b, uint64_t level)
{
    if (b <= a || a < t0)
        return;
    for (uint64_t s = (a - t0) / 1000000000ULL; s < c->nseconds; s++) {
        uint64_t start = t0 + s * 1000000000ULL, end = start + 1000000000ULL;
        uint64_t lo = a > start ? a : start, hi = b < end ? b : end;
        if (hi <= lo)
            break;
        c->seconds[s].mean += (double)level * (double)(hi - lo) / 1e9;
        if (level > c->seconds[s].max)
            c->seconds[s].max = level;
        if (b <= end)
            break;
    }
}

static int sweep_in_flight(sl_concurrency_t *c, const sl_sendrec_t *r, size_t n, uint64_t t0)
{
    uint64_t *ends = malloc((n ? n : 1) * sizeof(*ends));
    if (ends == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        ends[i] = r[i].done_ns > r[i].sent_ns ? r[i].done_ns : r[i].sent_ns;
    qsort(ends, n, sizeof(*ends), by_u64);

    uint64_t level = 0, last = r[0].sent_ns, area_start = r[0].sent_ns;
    double area = 0;
    size_t i = 0, j = 0;
    while (i < n || j < n) {
        /* an end and a send at the same instant: the end first, the connection is free */
        int send = i < n && (j >= n || r[i].sent_ns < ends[j]);
        uint64_t t = send ? r[i].sent_ns : ends[j];
        area += (double)level * (double)(t - last);
        hold(c, t0, last, t, level);
        last = t;
        if (send) {
            c->sent_while_busy += level > 0;
            if (++level > c->in_flight_max)
                c->in_flight_max = level;
            i++;
        } else {
            level--;
            j++;
        }
    }
    c->in_flight_mean = last > area_start ? area / (double)(last - area_start) : 0;
    free(ends);
    return 0;
}

/* ---- connections and bursts --------------------------------------------------------------- */

typedef struct {
    uint32_t *keys; /* worker << 16 | port, plus one so that 0 means empty */
    uint32_t *counts;
    size_t cap;
} counter_t;

static uint32_t *slot(counter_t *m, uint32_t key)
{
    size_t i = (key * 2654435761u) & (m->cap - 1);
    while (m->keys[i] != 0 && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    m->keys[i] = key;
    return &m->counts[i];
}

static uint32_t conn_key(const sl_sendrec_t *r)
{
    return ((uint32_t)r->worker << 16 | r->port) + 1;
}

typedef struct {
    uint64_t span;
    size_t from, to;
} window_t;

static int by_span(const void *a, const void *b)
{
    const window_t *x = a, *y = b;
    if (x->span != y->span)
        return x->span < y->span ? -1 : 1;
    return x->from < y->from ? -1 : x->from > y->from;
}

static int find_bursts(sl_concurrency_t *c, const sl_sendrec_t *r, size_t n, int min_requests,
                       int min_workers)
{
    counter_t conns = {0}, workers = {0}, all = {0};
    window_t *wins = NULL;
    size_t nwins = 0, cap = 16;
    int rc = -1;
    while (cap < 2 * n)
        cap *= 2;
    conns.cap = workers.cap = all.cap = cap;
    conns.keys = calloc(cap, sizeof(uint32_t));
    conns.counts = calloc(cap, sizeof(uint32_t));
    workers.keys = calloc(cap, sizeof(uint32_t));
    workers.counts = calloc(cap, sizeof(uint32_t));
    all.keys = calloc(cap, sizeof(uint32_t));
    all.counts = calloc(cap, sizeof(uint32_t));
    wins = malloc((n ? n : 1) * sizeof(*wins));
    if (!conns.keys || !conns.counts || !workers.keys || !workers.counts || !all.keys ||
        !all.counts || !wins)
        goto Done;
    for (size_t i = 0; i < n; i++)
        if ((*slot(&all, conn_key(&r[i])))++ == 0)
            c->connections++;

    /* window [i, j): distinct connections and workers in it */
    size_t j = 0;
    int nconn = 0, nwork = 0;
    for (size_t i = 0; i < n; i++) {
        while (j < n && (nconn < min_requests || nwork < min_workers)) {
            if ((*slot(&conns, conn_key(&r[j])))++ == 0)
                nconn++;
            if ((*slot(&workers, (uint32_t)r[j].worker + 1))++ == 0)
                nwork++;
            j++;
        }
        if (nconn < min_requests || nwork < min_workers)
            break;
        wins[nwins++] = (window_t){r[j - 1].sent_ns - r[i].sent_ns, i, j};
        if (--*slot(&conns, conn_key(&r[i])) == 0)
            nconn--;
        if (--*slot(&workers, (uint32_t)r[i].worker + 1) == 0)
            nwork--;
    }
    qsort(wins, nwins, sizeof(*wins), by_span);
    for (size_t k = 0; k < nwins && c->nbursts < SL_BURSTS_SHOWN; k++) {
        int overlaps = 0;
        for (int b = 0; b < c->nbursts && !overlaps; b++) {
            const sl_burst_t *p = &c->bursts[b];
            overlaps = !(r[wins[k].to - 1].sent_ns < p->requests[0].sent_ns ||
                         r[wins[k].from].sent_ns > p->requests[p->count - 1].sent_ns);
        }
        if (overlaps)
            continue;
        sl_burst_t *b = &c->bursts[c->nbursts++];
        b->span_ns = wins[k].span;
        b->count = wins[k].to - wins[k].from;
        if (b->count > SL_BURST_MAX_REQUESTS)
            b->count = SL_BURST_MAX_REQUESTS;
        memcpy(b->requests, &r[wins[k].from], b->count * sizeof(sl_sendrec_t));
    }
    rc = 0;
Done:
    free(conns.keys);
    free(conns.counts);
    free(workers.keys);
    free(workers.counts);
    free(all.keys);
    free(all.counts);
    free(wins);
    return rc;
}

int sl_concurrency_analyze(sl_sendrec_t *recs, size_t n, uint64_t t0, int min_requests,
                           int min_workers, sl_concurrency_t *out)
{
    memset(out, 0, sizeof(*out));
    /* only what reached a socket counts: a failed connect never sent anything */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (recs[i].sent_ns != 0)
            recs[m++] = recs[i];
    out->sends = m;
    if (m == 0)
        return 0;
    qsort(recs, m, sizeof(*recs), by_sent);
    uint64_t last = 0;
    for (size_t i = 0; i < m; i++)
        if (recs[i].done_ns > last)
            last = recs[i].done_ns;
    if (last > t0) {
        out->nseconds = (size_t)((last - t0) / 1000000000ULL) + 1;
        out->seconds = calloc(out->nseconds, sizeof(*out->seconds));
        if (out->seconds == NULL)
            return -1;
    }
    if (sweep_in_flight(out, recs, m, t0) != 0)
        return -1;
    return find_bursts(out, recs, m, min_requests, min_workers);
}

void sl_concurrency_free(sl_concurrency_t *c)
{
    free(c->seconds);
    c->seconds = NULL;
    c->nseconds = 0;
}
