/*
 * concurrency: one sort by send time, one sweep over sends and ends for the in-flight curve,
 * and, for the bursts, a look back from each send over the window limit for the requests still
 * in flight at that instant (each send gets the smallest burst it ends; the tightest bursts
 * that do not overlap are kept).
 */
#include "core/concurrency.h"

#include "core/schedule.h"

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
    size_t last; /* the burst's last send */
} window_t;

static int by_span(const void *a, const void *b)
{
    const window_t *x = a, *y = b;
    if (x->span != y->span)
        return x->span < y->span ? -1 : 1;
    return x->last < y->last ? -1 : x->last > y->last;
}

/* How far back from a send the search for its burst looks, at most: more sends than this
 * within SL_BURST_WINDOW_NS (a rate above 4 million per second) are not searched. */
#define SCAN_MAX 4096
/* The most requests one burst may need before it has enough workers. */
#define MEMBERS_MAX 256

/* When the schedule had r due; 0 in the closed model. */
static uint64_t due_ns(const sl_sendrec_t *r, uint64_t t0, const sl_burst_rule_t *rule)
{
    if (rule->rate <= 0 || r->seq == 0)
        return 0;
    uint64_t k = sl_schedule_global_index((uint64_t)r->seq - 1, r->worker, rule->nworkers);
    return t0 + sl_schedule_offset_ns(k, rule->rate, (uint32_t)rule->burst);
}

/* The smallest burst whose last send is r[i]: going back from it, every earlier send within the
 * window that is still in flight at r[i]'s send, on a connection not yet taken, due within the
 * window of the others, until there are min_requests of them from min_workers workers. Writes
 * their indices (latest first) to members; returns how many, or 0 when r[i] ends no burst. */
static size_t burst_ending_at(const sl_sendrec_t *r, size_t i, uint64_t t0,
                              const sl_burst_rule_t *rule, size_t *members)
{
    uint64_t at = r[i].sent_ns, due_lo = due_ns(&r[i], t0, rule), due_hi = due_lo;
    size_t n = 0;
    int nworkers = 0;
    if (r[i].done_ns <= at)
        return 0;
    for (size_t j = i + 1, steps = 0; j-- > 0 && steps < SCAN_MAX && n < MEMBERS_MAX; steps++) {
        if (at - r[j].sent_ns > SL_BURST_WINDOW_NS)
            break;
        if (r[j].done_ns <= at) /* ended before r[i] left: not in flight together */
            continue;
        uint64_t due = due_ns(&r[j], t0, rule);
        uint64_t lo = due < due_lo ? due : due_lo, hi = due > due_hi ? due : due_hi;
        if (hi - lo > SL_BURST_WINDOW_NS) /* due apart: together only by catching up */
            continue;
        int new_conn = 1, new_worker = 1;
        for (size_t k = 0; k < n; k++) {
            const sl_sendrec_t *m = &r[members[k]];
            if (m->worker == r[j].worker) {
                new_worker = 0;
                new_conn = new_conn && m->port != r[j].port;
            }
        }
        if (!new_conn)
            continue;
        members[n++] = j;
        nworkers += new_worker;
        due_lo = lo;
        due_hi = hi;
        if ((int)n >= rule->min_requests && nworkers >= rule->min_workers)
            return n;
    }
    return 0;
}

static int find_bursts(sl_concurrency_t *c, const sl_sendrec_t *r, size_t n, uint64_t t0,
                       const sl_burst_rule_t *rule)
{
    counter_t all = {0};
    window_t *wins = NULL;
    size_t nwins = 0, cap = 16, members[MEMBERS_MAX];
    int rc = -1;
    while (cap < 2 * n)
        cap *= 2;
    all.cap = cap;
    all.keys = calloc(cap, sizeof(uint32_t));
    all.counts = calloc(cap, sizeof(uint32_t));
    wins = malloc((n ? n : 1) * sizeof(*wins));
    if (!all.keys || !all.counts || !wins)
        goto Done;
    for (size_t i = 0; i < n; i++)
        if ((*slot(&all, conn_key(&r[i])))++ == 0)
            c->connections++;

    for (size_t i = 0; i < n; i++) {
        size_t m = burst_ending_at(r, i, t0, rule, members);
        if (m > 0)
            wins[nwins++] = (window_t){r[i].sent_ns - r[members[m - 1]].sent_ns, i};
    }
    /* the tightest first; a window that overlaps one already kept in time is left out */
    qsort(wins, nwins, sizeof(*wins), by_span);
    for (size_t k = 0; k < nwins && c->nbursts < SL_BURSTS_SHOWN; k++) {
        uint64_t last = r[wins[k].last].sent_ns, first = last - wins[k].span;
        int overlaps = 0;
        for (int b = 0; b < c->nbursts && !overlaps; b++) {
            const sl_burst_t *p = &c->bursts[b];
            overlaps = !(last < p->requests[0].sent_ns || first > p->last_sent_ns);
        }
        if (overlaps)
            continue;
        size_t m = burst_ending_at(r, wins[k].last, t0, rule, members);
        sl_burst_t *b = &c->bursts[c->nbursts++];
        b->span_ns = wins[k].span;
        b->last_sent_ns = last;
        b->count = m < SL_BURST_MAX_REQUESTS ? m : SL_BURST_MAX_REQUESTS;
        for (size_t q = 0; q < b->count; q++) /* in send order */
            b->requests[q] = r[members[m - 1 - q]];
    }
    rc = 0;
Done:
    free(all.keys);
    free(all.counts);
    free(wins);
    return rc;
}

int sl_concurrency_analyze(sl_sendrec_t *recs, size_t n, uint64_t t0, const sl_burst_rule_t *rule,
                           sl_concurrency_t *out)
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
    return find_bursts(out, recs, m, t0, rule);
}

void sl_concurrency_free(sl_concurrency_t *c)
{
    free(c->seconds);
    c->seconds = NULL;
    c->nseconds = 0;
}
