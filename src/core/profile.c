/*
 * profile: within a stage from rate r0 to r1 over D seconds, the integral from the stage's
 * start is r0 t + (r1 - r0) t^2 / (2 D); reaching x more requests takes
 * t = 2x / (r0 + sqrt(r0^2 + 2 (r1 - r0) x / D)), a form that stays exact when r0 = r1 and when
 * r0 is 0. long double keeps nanoseconds exact over any run that fits in 64 bits of requests.
 */
#include "core/profile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int sl_profile_rate_ok(double r)
{
    return isfinite(r) && r >= 0 && r <= SL_MAX_RATE;
}

int sl_profile_init(sl_profile_t *p, double start_rate, const sl_stage_t *stages, int n, char *err,
                    size_t errlen)
{
    double from[SL_MAX_STAGES];
    if (!sl_profile_rate_ok(start_rate)) {
        memset(p, 0, sizeof(*p));
        snprintf(err, errlen, "the starting rate %g is not a rate from 0 to %d/s", start_rate,
                 SL_MAX_RATE);
        return -1;
    }
    for (int i = 0; i < n && i < SL_MAX_STAGES; i++)
        from[i] = i == 0 ? start_rate : stages[i - 1].target;
    return sl_profile_init_steps(p, from, stages, n, err, errlen);
}

int sl_profile_init_steps(sl_profile_t *p, const double *from, const sl_stage_t *stages, int n,
                          char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    if (n < 1 || n > SL_MAX_STAGES) {
        snprintf(err, errlen, "a load profile has 1 to %d stages, not %d", SL_MAX_STAGES, n);
        return -1;
    }
    p->nstages = n;
    p->start_rate = from[0];
    for (int i = 0; i < n; i++) {
        const sl_stage_t *s = &stages[i];
        double r0 = from[i];
        if (s->duration_ns == 0) {
            snprintf(err, errlen, "stage %d has no duration", i + 1);
            return -1;
        }
        if (!sl_profile_rate_ok(r0)) {
            snprintf(err, errlen, "stage %d: starting rate %g is not a rate from 0 to %d/s", i + 1,
                     r0, SL_MAX_RATE);
            return -1;
        }
        if (!sl_profile_rate_ok(s->target)) {
            snprintf(err, errlen, "stage %d: target %g is not a rate from 0 to %d/s", i + 1,
                     s->target, SL_MAX_RATE);
            return -1;
        }
        if (p->start_ns[i] > UINT64_MAX / 2 - s->duration_ns) {
            snprintf(err, errlen, "stage %d: the stages last too long", i + 1);
            return -1;
        }
        p->stages[i] = *s;
        p->from[i] = r0;
        p->start_ns[i + 1] = p->start_ns[i] + s->duration_ns;
        long double d = (long double)s->duration_ns / 1e9L;
        p->count_at[i + 1] = p->count_at[i] + (r0 + s->target) / 2.0L * d;
    }
    if (p->count_at[n] <= 0) {
        snprintf(err, errlen, "the load profile sends no request: every rate is 0");
        return -1;
    }
    return 0;
}

uint64_t sl_profile_duration(const sl_profile_t *p)
{
    return p->start_ns[p->nstages];
}

static double stage_start_rate(const sl_profile_t *p, int i)
{
    return p->from[i];
}

long double sl_profile_integral(const sl_profile_t *p, uint64_t t_ns)
{
    for (int i = 0; i < p->nstages; i++) {
        if (t_ns >= p->start_ns[i + 1])
            continue;
        long double r0 = stage_start_rate(p, i), r1 = p->stages[i].target;
        long double d = (long double)p->stages[i].duration_ns / 1e9L;
        long double t = (long double)(t_ns - p->start_ns[i]) / 1e9L;
        return p->count_at[i] + r0 * t + (r1 - r0) * t * t / (2 * d);
    }
    return p->count_at[p->nstages];
}

double sl_profile_rate_at(const sl_profile_t *p, uint64_t t_ns)
{
    for (int i = 0; i < p->nstages; i++) {
        if (t_ns >= p->start_ns[i + 1])
            continue;
        double r0 = stage_start_rate(p, i), r1 = p->stages[i].target;
        return r0 + (r1 - r0) * (double)(t_ns - p->start_ns[i]) / (double)p->stages[i].duration_ns;
    }
    return p->stages[p->nstages - 1].target;
}

uint64_t sl_profile_time_of(const sl_profile_t *p, long double x)
{
    if (x <= 0)
        return 0;
    for (int i = 0; i < p->nstages; i++) {
        if (x > p->count_at[i + 1])
            continue;
        long double r0 = stage_start_rate(p, i), r1 = p->stages[i].target;
        long double d = (long double)p->stages[i].duration_ns / 1e9L;
        long double rest = x - p->count_at[i];
        long double disc = r0 * r0 + 2 * (r1 - r0) * rest / d;
        long double t = 2 * rest / (r0 + sqrtl(disc > 0 ? disc : 0));
        uint64_t off = (uint64_t)llroundl(t * 1e9L);
        if (off > p->stages[i].duration_ns)
            off = p->stages[i].duration_ns;
        uint64_t at = p->start_ns[i] + off;
        return at < p->start_ns[p->nstages] ? at : SL_PROFILE_END;
    }
    return SL_PROFILE_END;
}

uint64_t sl_profile_total(const sl_profile_t *p)
{
    /* every k below the integral over the whole run: its ceiling (a rate of 0 at the end does
     * not let the next request in at the instant the integral stops growing) */
    long double all = p->count_at[p->nstages];
    uint64_t k = (uint64_t)floorl(all);
    return all - (long double)k > 1e-9L ? k + 1 : k;
}

/* ---- Poisson arrivals ------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void sl_poisson_init(sl_poisson_t *c, uint64_t seed)
{
    c->k = 0;
    c->sum = 0;
    c->rng = seed;
}

uint64_t sl_poisson_next(sl_poisson_t *c, const sl_profile_t *p)
{
    /* a uniform draw in (0, 1], then an exponential one with mean 1 */
    double u = (double)((splitmix64(&c->rng) >> 11) + 1) / 9007199254740992.0;
    c->sum += -logl((long double)u);
    c->k++;
    return sl_profile_time_of(p, c->sum);
}
