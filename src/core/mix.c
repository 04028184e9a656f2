/*
 * mix: weights are scaled by the smallest power of ten that makes them whole (or rounded to a
 * cycle of at most SL_MIX_MAX_CYCLE by largest remainders), divided by their greatest common
 * divisor, and laid out once.
 */
#include "core/mix.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Whole-number weights in the same proportions, summing to at most SL_MIX_MAX_CYCLE. */
static void whole_weights(sl_mix_t *m, const double *w, double sum)
{
    for (double scale = 1; scale <= 1e6; scale *= 10) {
        int whole = sum * scale <= SL_MIX_MAX_CYCLE;
        for (int i = 0; i < m->n && whole; i++)
            whole = fabs(w[i] * scale - round(w[i] * scale)) < 1e-9 * scale;
        if (whole) {
            for (int i = 0; i < m->n; i++)
                m->weight[i] = (uint64_t)llround(w[i] * scale);
            return;
        }
    }
    /* largest remainders: each gets its floor, the biggest fractions get the rest */
    double exact[SL_MAX_OPERATIONS];
    uint64_t given = 0;
    for (int i = 0; i < m->n; i++) {
        exact[i] = w[i] / sum * SL_MIX_MAX_CYCLE;
        m->weight[i] = (uint64_t)floor(exact[i]);
        given += m->weight[i];
    }
    while (given < SL_MIX_MAX_CYCLE) {
        int best = 0;
        for (int i = 1; i < m->n; i++)
            if (exact[i] - (double)m->weight[i] > exact[best] - (double)m->weight[best])
                best = i;
        m->weight[best]++;
        given++;
    }
}

int sl_mix_weight_ok(double w)
{
    return isfinite(w) && w >= 0;
}

int sl_mix_check(const double *weights, int n, char *err, size_t errlen)
{
    double sum = 0;
    if (n < 1 || n > SL_MAX_OPERATIONS) {
        snprintf(err, errlen, "a mix has 1 to %d operations, not %d", SL_MAX_OPERATIONS, n);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (!sl_mix_weight_ok(weights[i])) {
            snprintf(err, errlen, "operation %d: weight %g is not a number >= 0", i + 1,
                     weights[i]);
            return -1;
        }
        sum += weights[i];
    }
    if (!(sum > 0)) {
        snprintf(err, errlen, "every operation has weight 0: nothing would be sent");
        return -1;
    }
    return 0;
}

int sl_mix_init(sl_mix_t *m, const double *weights, int n, char *err, size_t errlen)
{
    double sum = 0;
    memset(m, 0, sizeof(*m));
    if (sl_mix_check(weights, n, err, errlen) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        sum += weights[i];
    m->n = n;
    whole_weights(m, weights, sum);
    uint64_t g = 0, total = 0;
    for (int i = 0; i < n; i++)
        g = gcd(g, m->weight[i]);
    for (int i = 0; i < n; i++)
        total += m->weight[i] /= g;
    m->cycle = (uint32_t)total;
    m->pick = malloc(m->cycle);
    if (m->pick == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* smooth weighted round-robin: each step every operation earns its weight, the richest
     * is picked and pays the whole cycle */
    int64_t credit[SL_MAX_OPERATIONS] = {0};
    for (uint32_t step = 0; step < m->cycle; step++) {
        int best = 0;
        for (int i = 0; i < n; i++) {
            credit[i] += (int64_t)m->weight[i];
            if (credit[i] > credit[best])
                best = i;
        }
        credit[best] -= (int64_t)m->cycle;
        m->pick[step] = (uint8_t)best;
    }
    return 0;
}

int sl_mix_of(const sl_mix_t *m, uint64_t k)
{
    return m->pick[k % m->cycle];
}

void sl_mix_free(sl_mix_t *m)
{
    free(m->pick);
    m->pick = NULL;
}
