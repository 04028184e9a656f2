/*
 * ranktest: one walk over the buckets in ascending order. For each bucket, the new values in
 * it rank above every baseline value in lower buckets and tie with the baseline values in it:
 * U = sum(new[i] * (base below i + base[i] / 2)). The variance of U under "no difference",
 * corrected for ties, is n1 n2 / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1))), t the values
 * of both samples in a bucket.
 */
#include "core/ranktest.h"

#include <math.h>

int sl_ranktest_hist(const sl_hist_t *base, const sl_hist_t *next, sl_ranktest_t *out)
{
    out->a = 0.5;
    out->u = out->z = 0;
    out->p = 1;
    out->significant = 0;
    if (base->total == 0 || next->total == 0)
        return -1;
    uint32_t lo = base->lo < next->lo ? base->lo : next->lo;
    uint32_t hi = base->hi > next->hi ? base->hi : next->hi;
    double n1 = (double)base->total, n2 = (double)next->total, n = n1 + n2;
    double below = 0, u = 0, ties = 0;
    for (uint32_t i = lo; i <= hi; i++) {
        double b = (double)base->counts[i], c = (double)next->counts[i], t = b + c;
        if (t == 0)
            continue;
        u += c * (below + b / 2);
        below += b;
        ties += t * t * t - t;
    }
    double var = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1)));
    out->u = u;
    out->a = u / (n1 * n2);
    if (var > 0) {
        out->z = (u - n1 * n2 / 2) / sqrt(var);
        out->p = erfc(fabs(out->z) / sqrt(2.0));
    }
    out->significant = out->p < SL_RANKTEST_ALPHA && fabs(out->a - 0.5) >= SL_RANKTEST_MIN_EFFECT;
    return 0;
}
