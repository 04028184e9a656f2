/*
 * rest: a uniform entry's due time is a function of its index alone and grows with it, so
 * how many entries fall before a time is a bisection; which operations a range of entries
 * takes repeats with the mix's cycle, so a range is one period counted and multiplied.
 */
#include "core/rest.h"

#include <stdlib.h>
#include <string.h>

#include "core/segment.h"

#define SECOND 1000000000ULL

/* The worker's entries of plan pl (of scenario start `start`) due before offset t: pl->j (those
 * taken) and the untaken ones below `total` found by bisection. */
static uint64_t before(const sl_plan_t *pl, uint64_t start, uint64_t total, uint64_t t)
{
    if (t <= start)
        return pl->j;
    uint64_t lo = pl->j, hi = total;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (sl_plan_due_of(pl, mid) < t - start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Adds the operations of the worker's entries j0 <= j < j1 to per_op: entry j is global request
 * off + j * stride, whose pick repeats every C / gcd(stride, C) entries. */
static void count_ops(const sl_mix_t *m, uint64_t off, uint64_t stride, uint64_t j0, uint64_t j1,
                      uint64_t *per_op)
{
    uint64_t c = m->cycle, n = j1 - j0, period = c / gcd(stride % c, c), times = 1, tail = 0;
    off %= c;
    stride %= c;
    if (n > 2 * period) {
        times = n / period;
        tail = n % period;
        n = period;
    }
    uint64_t one[SL_MAX_OPERATIONS] = {0};
    for (uint64_t j = j0; j < j0 + n; j++)
        one[m->pick[(off + (j % c) * stride) % c]]++;
    for (int o = 0; o < m->n; o++)
        per_op[o] += one[o] * times;
    for (uint64_t j = j0; times > 1 && j < j0 + tail; j++) /* (the pattern restarts at j0) */
        per_op[m->pick[(off + (j % c) * stride) % c]]++;
}

int sl_rest_count(sl_rest_t *r, const sl_scenario_plan_t *sp, uint64_t second, uint64_t now_ns,
                  uint64_t end_ns)
{
    memset(r, 0, sizeof(*r));
    uint64_t last = (end_ns + SECOND - 1) / SECOND; /* the seconds the schedule reaches */
    r->first_second = second;
    r->nseconds = last > second ? last - second : 1;
    if ((r->per_second = calloc(r->nseconds, sizeof(*r->per_second))) == NULL)
        return -1;
    const sl_config_t *cfg = sp->cfg;
    for (int i = 0; i < sp->n; i++) {
        const sl_plan_t *pl = &sp->plan[i];
        uint64_t start = sp->start_ns[i];
        if (pl->next_due == SL_PROFILE_END)
            continue;
        if (pl->poisson) { /* its arrivals are drawn in turn: no formula reaches them */
            sl_plan_t c = *pl;
            for (; c.next_due != SL_PROFILE_END && start + c.next_due < end_ns;
                 sl_plan_advance(&c)) {
                uint64_t at = start + c.next_due, s = at / SECOND;
                r->per_second[s > second ? s - second : 0]++;
                r->after += at > now_ns;
                r->per_scenario[i]++;
                if (sp->nops > 0)
                    r->per_op[sl_mix_of(&sp->mix[i],
                                        sl_segment_request_index(cfg, c.j, sp->w, sp->nworkers))]++;
            }
            r->total += r->per_scenario[i];
            continue;
        }
        uint64_t total =
            sl_plan_segment_total(pl->profile, pl->burst, 0, 0, pl->w, pl->n, pl->seg, pl->nseg);
        uint64_t end_j = before(pl, start, total, end_ns), prev = pl->j;
        r->per_scenario[i] = end_j - pl->j;
        r->total += end_j - pl->j;
        r->after += end_j - before(pl, start, end_j, now_ns + 1);
        for (uint64_t k = 0; k < r->nseconds; k++) {
            uint64_t upto = before(pl, start, end_j, (second + k + 1) * SECOND);
            r->per_second[k] += upto - prev;
            prev = upto;
        }
        r->per_second[r->nseconds - 1] += end_j - prev; /* (none: the last second reaches end) */
        if (sp->nops > 0 && end_j > pl->j) {
            uint64_t k0 = sl_segment_request_index(cfg, 0, sp->w, sp->nworkers);
            uint64_t k1 = sl_segment_request_index(cfg, 1, sp->w, sp->nworkers);
            count_ops(&sp->mix[i], k0, k1 - k0, pl->j, end_j, r->per_op);
        }
    }
    return 0;
}

void sl_rest_free(sl_rest_t *r)
{
    free(r->per_second);
    r->per_second = NULL;
}
