/*
 * concurrency: one sort by send time, one sweep over sends and ends for the in-flight curve,
 * and, for the bursts, a second sweep that keeps the requests in flight in a list and looks back
 * from each send over the window limit through them (each send gets the smallest burst it ends;
 * the tightest bursts that do not overlap are kept).
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

/* A request's end (its send, if it never ended after it), for the sweeps in time order. */
typedef struct {
    uint64_t done;
    uint32_t index;
} end_t;

static int by_done(const void *a, const void *b)
{
    const end_t *x = a, *y = b;
    return x->done < y->done ? -1 : x->done > y->done;
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

static void sweep_in_flight(sl_concurrency_t *c, const sl_sendrec_t *r, const end_t *ends, size_t n,
                            uint64_t t0)
{
    uint64_t level = 0, last = r[0].sent_ns, area_start = r[0].sent_ns;
    double area = 0;
    size_t i = 0, j = 0;
    while (i < n || j < n) {
        /* an end and a send at the same instant: the end first, the connection is free */
        int send = i < n && (j >= n || r[i].sent_ns < ends[j].done);
        uint64_t t = send ? r[i].sent_ns : ends[j].done;
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

/* The most requests one burst may need before it has enough workers. */
#define MEMBERS_MAX 256
#define NONE UINT32_MAX

/* When the schedule had r due; 0 in the closed model. */
static uint64_t due_ns(const sl_sendrec_t *r, uint64_t t0, const sl_burst_rule_t *rule)
{
    if ((rule->rate <= 0 && rule->profile == NULL) || r->seq == 0)
        return 0;
    uint64_t k = sl_schedule_global_index((uint64_t)r->seq - 1, r->worker, rule->nworkers);
    if (rule->profile != NULL) {
        uint64_t at =
            sl_profile_time_of(rule->profile, (long double)(k - k % (uint64_t)rule->burst));
        return at == SL_PROFILE_END ? 0 : t0 + at;
    }
    return t0 + sl_schedule_offset_ns(k, rule->rate, (uint32_t)rule->burst);
}

/* The smallest burst whose last send is r[i]: going back from it, every earlier send within the
 * window that is still in flight at r[i]'s send, on a connection not yet taken, due within the
 * window of the others, until there are min_requests of them from min_workers workers. The
 * walk goes back through `prev` (the requests in flight, in send order) or, without it, through
 * every send. Writes the indices (latest first) to members; returns how many, or 0 when r[i]
 * ends no burst. */
static size_t burst_ending_at(const sl_sendrec_t *r, size_t i, uint64_t t0,
                              const sl_burst_rule_t *rule, const uint32_t *prev, size_t *members)
{
    uint64_t at = r[i].sent_ns, due_lo = due_ns(&r[i], t0, rule), due_hi = due_lo;
    size_t n = 0;
    int nworkers = 0;
    if (r[i].done_ns <= at)
        return 0;
    for (size_t j = i; n < MEMBERS_MAX; j = prev ? prev[j] : j - 1) {
        if (at - r[j].sent_ns > SL_BURST_WINDOW_NS)
            break;
        uint64_t due = due_ns(&r[j], t0, rule);
        uint64_t lo = due < due_lo ? due : due_lo, hi = due > due_hi ? due : due_hi;
        int new_conn = 1, new_worker = 1;
        for (size_t k = 0; k < n; k++) {
            const sl_sendrec_t *m = &r[members[k]];
            if (m->worker == r[j].worker) {
                new_worker = 0;
                new_conn = new_conn && m->port != r[j].port;
            }
        }
        /* in flight together; due together, not only sent together by catching up */
        if (r[j].done_ns > at && hi - lo <= SL_BURST_WINDOW_NS && new_conn) {
            members[n++] = j;
            nworkers += new_worker;
            due_lo = lo;
            due_hi = hi;
            if ((int)n >= rule->min_requests && nworkers >= rule->min_workers)
                return n;
        }
        if (prev ? prev[j] == NONE : j == 0)
            break;
    }
    return 0;
}

/* Sweeps the sends in order, keeping the requests in flight in a list in send order, and notes
 * the burst that each send ends; then keeps the tightest that do not overlap. */
static int find_bursts(sl_concurrency_t *c, const sl_sendrec_t *r, const end_t *ends, size_t n,
                       uint64_t t0, const sl_burst_rule_t *rule)
{
    counter_t all = {0};
    window_t *wins = malloc((n ? n : 1) * sizeof(*wins));
    uint32_t *prev = malloc((n ? n : 1) * sizeof(*prev));
    uint32_t *next = malloc((n ? n : 1) * sizeof(*next));
    size_t nwins = 0, cap = 16, members[MEMBERS_MAX];
    int rc = -1;
    while (cap < 2 * n)
        cap *= 2;
    all.cap = cap;
    all.keys = calloc(cap, sizeof(uint32_t));
    all.counts = calloc(cap, sizeof(uint32_t));
    if (!all.keys || !all.counts || !wins || !prev || !next)
        goto Done;
    for (size_t i = 0; i < n; i++)
        if ((*slot(&all, conn_key(&r[i])))++ == 0)
            c->connections++;

    uint32_t tail = NONE;
    for (size_t i = 0, e = 0; i < n; i++) {
        /* what ended by this send (at the same instant too) is no longer in flight */
        for (; e < n && ends[e].done <= r[i].sent_ns; e++) {
            uint32_t x = ends[e].index;
            if (x >= i || r[x].done_ns <= r[x].sent_ns) /* never in the list */
                continue;
            if (prev[x] != NONE)
                next[prev[x]] = next[x];
            if (next[x] != NONE)
                prev[next[x]] = prev[x];
            else
                tail = prev[x];
        }
        if (r[i].done_ns <= r[i].sent_ns)
            continue;
        prev[i] = tail;
        next[i] = NONE;
        if (tail != NONE)
            next[tail] = (uint32_t)i;
        tail = (uint32_t)i;
        size_t m = burst_ending_at(r, i, t0, rule, prev, members);
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
        /* the same walk over every send, skipping what had ended, finds the same members */
        size_t m = burst_ending_at(r, wins[k].last, t0, rule, NULL, members);
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
    free(prev);
    free(next);
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
        if (out->seconds == NULL) {
            out->nseconds = 0;
            return -1;
        }
    }
    end_t *ends = m < UINT32_MAX ? malloc(m * sizeof(*ends)) : NULL;
    if (ends == NULL) {
        sl_concurrency_free(out);
        return -1;
    }
    for (size_t i = 0; i < m; i++)
        ends[i] = (end_t){recs[i].done_ns > recs[i].sent_ns ? recs[i].done_ns : recs[i].sent_ns,
                          (uint32_t)i};
    qsort(ends, m, sizeof(*ends), by_done);
    sweep_in_flight(out, recs, ends, m, t0);
    int rc = find_bursts(out, recs, ends, m, t0, rule);
    free(ends);
    if (rc != 0)
        sl_concurrency_free(out);
    return rc;
}

void sl_concurrency_free(sl_concurrency_t *c)
{
    free(c->seconds);
    c->seconds = NULL;
    c->nseconds = 0;
}
