/*
 * test_ranktest: the Mann-Whitney test over histograms: against U counted pair by pair on a
 * small sample with ties, for identical and for separated samples, a tiny shift that many
 * samples make "unlikely by chance" but that is too small to count, and empty histograms.
 */
#include <math.h>
#include <stdlib.h>

#include "core/ranktest.h"
#include "unit.h"

static void fill(sl_hist_t *h, const uint64_t *v, size_t n)
{
    sl_hist_reset(h);
    for (size_t i = 0; i < n; i++)
        sl_hist_record(h, v[i]);
}

int main(void)
{
    sl_hist_t *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
    sl_ranktest_t r;

    /* U by hand: new {3,4,5} over base {1,2,3,3}: 3 beats 1 and 2 and ties twice (3), 4 and 5
     * beat all four: U = 11 of 12 pairs; one tie group of 3 values */
    static const uint64_t base[] = {1, 2, 3, 3}, next[] = {3, 4, 5};
    fill(a, base, 4);
    fill(b, next, 3);
    CHECK(sl_ranktest_hist(a, b, &r) == 0);
    CHECK(fabs(r.u - 11) < 1e-12);
    CHECK(fabs(r.a - 11.0 / 12) < 1e-12);
    double var = 4.0 * 3 / 12 * (8 - 24.0 / 42);
    CHECK(fabs(r.z - 5 / sqrt(var)) < 1e-12);
    CHECK(fabs(r.p - erfc(5 / sqrt(var) / sqrt(2))) < 1e-12);
    CHECK(!r.significant); /* 7 values prove nothing */
    /* the other way round: the mirror image */
    CHECK(sl_ranktest_hist(b, a, &r) == 0);
    CHECK(fabs(r.a - 1.0 / 12) < 1e-12 && r.z < 0);

    /* the same histogram: no change at all */
    sl_hist_reset(a);
    for (uint64_t v = 100; v < 5000; v += 7)
        sl_hist_record(a, v);
    CHECK(sl_ranktest_hist(a, a, &r) == 0);
    CHECK(r.a == 0.5 && r.z == 0 && r.p == 1 && !r.significant);

    /* every new value above every baseline value: A = 1, significant */
    sl_hist_reset(b);
    for (uint64_t v = 0; v < 700; v++)
        sl_hist_record(b, 5100 + v * 3);
    CHECK(sl_ranktest_hist(a, b, &r) == 0);
    CHECK(r.a == 1.0 && r.z > 20 && r.p < 1e-12 && r.significant);

    /* a shift of 1% of the range over 10,000 values each: p is small, the effect is not */
    sl_hist_reset(a);
    sl_hist_reset(b);
    for (uint64_t i = 0; i < 100000; i++) {
        sl_hist_record(a, 1000 + i % 1000);
        sl_hist_record(b, 1010 + i % 1000);
    }
    CHECK(sl_ranktest_hist(a, b, &r) == 0);
    CHECK(r.p < SL_RANKTEST_ALPHA);
    CHECK(fabs(r.a - 0.51) < 0.001);
    CHECK(!r.significant);

    /* all values in one bucket on both sides: no variance, no difference */
    sl_hist_reset(a);
    sl_hist_reset(b);
    sl_hist_record_n(a, 42, 10);
    sl_hist_record_n(b, 42, 20);
    CHECK(sl_ranktest_hist(a, b, &r) == 0);
    CHECK(r.a == 0.5 && r.p == 1 && !r.significant);

    /* an empty side */
    sl_hist_reset(b);
    CHECK(sl_ranktest_hist(a, b, &r) == -1);
    CHECK(r.a == 0.5 && r.p == 1 && !r.significant);

    free(a);
    free(b);
    return check_report();
}
