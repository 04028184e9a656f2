/*
 * crossburst: one sort by send time; from each send a walk back through the window finds the
 * smallest and the largest burst it ends. The smallest ones give the count (the most that do
 * not overlap: the earliest-ending first, as in interval scheduling) and the tightest listed;
 * the largest one ever found is listed too.
 */
#include "core/crossburst.h"

#include <stdlib.h>
#include <string.h>

/* how far back one walk may look, whatever the window: bounds the work at high rates */
#define WALK_MAX 65536

static int by_sent(const void *a, const void *b)
{
    const sl_xrec_t *x = a, *y = b;
    if (x->sent_ns != y->sent_ns)
        return x->sent_ns < y->sent_ns ? -1 : 1;
    if (x->segment != y->segment)
        return x->segment < y->segment ? -1 : 1;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return x->conn < y->conn ? -1 : x->conn > y->conn;
}

static int same_conn(const sl_xrec_t *a, const sl_xrec_t *b)
{
    if (a->segment != b->segment || a->pid != b->pid)
        return 0;
    return a->conn != 0 || b->conn != 0 ? a->conn == b->conn : a->port == b->port;
}

/* Walks back from r[i]'s send through the window: every request still in flight at it, on a
 * connection not taken yet, due within the window of the others, joins (latest first, into
 * members). With `smallest`, it stops as soon as the rule holds. Returns how many joined and
 * their distinct segments in *nseg. */
static size_t walk(const sl_xrec_t *r, size_t i, const sl_xrule_t *rule, int smallest,
                   size_t *members, int *nseg)
{
    int64_t at = r[i].sent_ns, due_lo = 0, due_hi = 0;
    uint16_t segs[SL_XBURST_MEMBERS_MAX];
    size_t n = 0, steps = 0;
    int ns = 0;
    for (size_t j = i + 1; j-- > 0 && n < SL_XBURST_MEMBERS_MAX && steps++ < WALK_MAX;) {
        if (at - r[j].sent_ns > rule->window_ns)
            break;
        if (r[j].done_ns <= at) /* ended before r[i] was sent: not in flight with it */
            continue;
        int64_t lo = due_lo, hi = due_hi;
        if (r[j].due_ns != 0) {
            lo = lo == 0 || r[j].due_ns < lo ? r[j].due_ns : lo;
            hi = hi == 0 || r[j].due_ns > hi ? r[j].due_ns : hi;
            if (hi - lo > rule->window_ns) /* due apart: sent together only by catching up */
                continue;
        }
        int taken = 0, seen = 0;
        for (size_t k = 0; k < n && !taken; k++)
            taken = same_conn(&r[members[k]], &r[j]);
        if (taken)
            continue;
        for (int k = 0; k < ns && !seen; k++)
            seen = segs[k] == r[j].segment;
        if (!seen)
            segs[ns++] = r[j].segment;
        members[n++] = j;
        due_lo = lo;
        due_hi = hi;
        if (smallest && (int)n >= rule->min_requests && ns >= rule->min_segments)
            break;
    }
    *nseg = ns;
    return n;
}

static int holds(const sl_xrule_t *rule, size_t n, int nseg)
{
    return (int)n >= rule->min_requests && nseg >= rule->min_segments;
}

static void fill(sl_xburst_t *b, const sl_xrec_t *r, const size_t *members, size_t n, int nseg)
{
    memset(b, 0, sizeof(*b));
    b->count = n;
    b->segments = nseg;
    b->span_ns = r[members[0]].sent_ns - r[members[n - 1]].sent_ns;
    b->shown = n < SL_XBURST_MAX_SHOWN ? n : SL_XBURST_MAX_SHOWN;
    for (size_t q = 0; q < b->shown; q++) /* in send order, from the first */
        b->members[q] = r[members[n - 1 - q]];
}

typedef struct {
    int64_t span;
    size_t last;
} cand_t;

static int by_span(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    if (x->span != y->span)
        return x->span < y->span ? -1 : 1;
    return x->last < y->last ? -1 : x->last > y->last;
}

int sl_crossburst_find(sl_xrec_t *recs, size_t n, const sl_xrule_t *rule, sl_xproof_t *out)
{
    size_t members[SL_XBURST_MEMBERS_MAX], m = 0, ncand = 0;
    uint16_t segs[SL_XBURST_MEMBERS_MAX];
    memset(out, 0, sizeof(*out));
    if (rule->window_ns <= 0 || rule->min_requests < 2 || rule->min_segments < 2)
        return -1;
    /* only what was written to a socket and ended can be proven in flight with another */
    for (size_t i = 0; i < n; i++)
        if (recs[i].sent_ns != 0 && recs[i].done_ns > recs[i].sent_ns)
            recs[m++] = recs[i];
    out->sends = m;
    if (m == 0)
        return 0;
    qsort(recs, m, sizeof(*recs), by_sent);
    for (size_t i = 0; i < m; i++) { /* distinct segments, up to the bound of a burst */
        int seen = 0;
        for (int k = 0; k < out->nsegments && !seen; k++)
            seen = segs[k] == recs[i].segment;
        if (!seen && out->nsegments < SL_XBURST_MEMBERS_MAX)
            segs[out->nsegments++] = recs[i].segment;
    }
    cand_t *cands = malloc(m * sizeof(*cands));
    if (cands == NULL)
        return -1;
    int64_t last_counted = INT64_MIN;
    for (size_t i = 0; i < m; i++) {
        int nseg;
        size_t k = walk(recs, i, rule, 1, members, &nseg);
        if (!holds(rule, k, nseg))
            continue;
        int64_t first = recs[members[k - 1]].sent_ns;
        cands[ncand++] = (cand_t){recs[i].sent_ns - first, i};
        if (first > last_counted) { /* the earliest-ending burst that overlaps none counted */
            out->bursts++;
            last_counted = recs[i].sent_ns;
        }
        k = walk(recs, i, rule, 0, members, &nseg);
        int64_t span = recs[i].sent_ns - recs[members[k - 1]].sent_ns;
        sl_xburst_t *big = &out->largest;
        if (k > big->count || (k == big->count && nseg > big->segments) ||
            (k == big->count && nseg == big->segments && span < big->span_ns))
            fill(big, recs, members, k, nseg);
    }
    /* the tightest first; one that overlaps a burst already listed in time is left out */
    qsort(cands, ncand, sizeof(*cands), by_span);
    for (size_t c = 0; c < ncand && out->ntightest < SL_XBURSTS_SHOWN; c++) {
        int64_t last = recs[cands[c].last].sent_ns, first = last - cands[c].span;
        int overlaps = 0;
        for (int b = 0; b < out->ntightest && !overlaps; b++) {
            const sl_xburst_t *p = &out->tightest[b];
            int64_t p_first = p->members[0].sent_ns, p_last = p_first + p->span_ns;
            overlaps = !(last < p_first || first > p_last);
        }
        if (overlaps)
            continue;
        int nseg;
        size_t k = walk(recs, cands[c].last, rule, 1, members, &nseg);
        fill(&out->tightest[out->ntightest++], recs, members, k, nseg);
    }
    free(cands);
    return 0;
}
