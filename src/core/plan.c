/*
 * plan: a uniform entry's offset is computed from its index alone; a Poisson walk steps
 * through every global index up to the worker's next one.
 */
#include "core/plan.h"

#include <string.h>

#include "core/schedule.h"
#include "core/segment.h"

static uint64_t uniform_due(const sl_plan_t *pl, uint64_t k)
{
    if (k >= pl->total)
        return SL_PROFILE_END;
    if (pl->burst > 1)
        k -= k % pl->burst;
    return sl_profile_time_of(pl->profile, (long double)k);
}

/* Draws global indices up to and including the worker's entry j. */
static uint64_t poisson_due(sl_plan_t *pl, uint64_t k)
{
    uint64_t t = 0;
    while (pl->walk.k <= k) {
        uint64_t at = pl->walk.k;
        t = sl_poisson_next(&pl->walk, pl->profile);
        if (t == SL_PROFILE_END) {
            pl->walk.k = UINT64_MAX; /* over: no more draws */
            return SL_PROFILE_END;
        }
        if (at % pl->burst == 0)
            pl->group_due = t;
    }
    return pl->group_due;
}

static void compute(sl_plan_t *pl)
{
    uint64_t k =
        sl_segment_global_index(sl_schedule_global_index(pl->j, pl->w, pl->n), pl->seg, pl->nseg);
    if (pl->poisson)
        pl->next_due = pl->next_due == SL_PROFILE_END ? SL_PROFILE_END : poisson_due(pl, k);
    else
        pl->next_due = uniform_due(pl, k);
}

void sl_plan_init(sl_plan_t *pl, const sl_profile_t *p, uint32_t burst, int poisson, uint64_t seed,
                  int w, int n)
{
    sl_plan_init_segment(pl, p, burst, poisson, seed, w, n, 0, 0);
}

void sl_plan_init_segment(sl_plan_t *pl, const sl_profile_t *p, uint32_t burst, int poisson,
                          uint64_t seed, int w, int n, int seg, int nseg)
{
    memset(pl, 0, sizeof(*pl));
    pl->seg = seg;
    pl->nseg = nseg;
    pl->profile = p;
    pl->burst = burst > 0 ? burst : 1;
    pl->poisson = poisson;
    pl->w = w;
    pl->n = n;
    pl->total = sl_profile_total(p);
    sl_poisson_init(&pl->walk, seed);
    compute(pl);
}

uint64_t sl_plan_due_of(const sl_plan_t *pl, uint64_t j)
{
    return uniform_due(
        pl, sl_segment_global_index(sl_schedule_global_index(j, pl->w, pl->n), pl->seg, pl->nseg));
}

void sl_plan_advance(sl_plan_t *pl)
{
    if (pl->next_due == SL_PROFILE_END)
        return;
    pl->j++;
    compute(pl);
}

uint64_t sl_plan_worker_total(const sl_profile_t *p, uint32_t burst, int poisson, uint64_t seed,
                              int w, int n)
{
    return sl_plan_segment_total(p, burst, poisson, seed, w, n, 0, 0);
}

uint64_t sl_plan_segment_total(const sl_profile_t *p, uint32_t burst, int poisson, uint64_t seed,
                               int w, int n, int seg, int nseg)
{
    if (!poisson)
        return sl_schedule_worker_count(sl_segment_count(sl_profile_total(p), seg, nseg), w, n);
    sl_plan_t pl;
    sl_plan_init_segment(&pl, p, burst, poisson, seed, w, n, seg, nseg);
    while (pl.next_due != SL_PROFILE_END)
        sl_plan_advance(&pl);
    return pl.j;
}
