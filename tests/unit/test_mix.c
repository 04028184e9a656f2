/*
 * test_mix: a weighted mix of operations is exact over the run, not random drift.
 */
#include <stdlib.h>

#include "unit.h"
#include "core/mix.h"

static void count(const sl_mix_t *m, uint64_t from, uint64_t n, uint64_t *out)
{
    memset(out, 0, SL_MAX_OPERATIONS * sizeof(*out));
    for (uint64_t k = from; k < from + n; k++)
        out[sl_mix_of(m, k)]++;
}

int main(void)
{
    char err[200];
    sl_mix_t m;
    uint64_t c[SL_MAX_OPERATIONS];

    /* 70/25/5 of 10,000: exactly 7,000/2,500/500, and in any 20 in a row exactly 14/5/1 */
    double orders[] = {70, 25, 5};
    CHECK(sl_mix_init(&m, orders, 3, err, sizeof(err)) == 0);
    CHECK_EQ_U(m.cycle, 20);
    count(&m, 0, 10000, c);
    CHECK_EQ_U(c[0], 7000);
    CHECK_EQ_U(c[1], 2500);
    CHECK_EQ_U(c[2], 500);
    count(&m, 13, 20, c);
    CHECK_EQ_U(c[0], 14);
    CHECK_EQ_U(c[1], 5);
    CHECK_EQ_U(c[2], 1);
    /* any prefix stays within one request of the exact share */
    for (uint64_t n = 1; n <= 200; n++) {
        count(&m, 0, n, c);
        for (int i = 0; i < 3; i++) {
            double exact = (double)n * orders[i] / 100;
            CHECK((double)c[i] > exact - 1 && (double)c[i] < exact + 1);
        }
    }
    /* workers taking k = w, w + n, ... add up to the same exact mix */
    uint64_t sum[3] = {0};
    for (int w = 0; w < 3; w++)
        for (uint64_t k = (uint64_t)w; k < 10000; k += 3)
            sum[sl_mix_of(&m, k)]++;
    CHECK_EQ_U(sum[0], 7000);
    CHECK_EQ_U(sum[1], 2500);
    CHECK_EQ_U(sum[2], 500);
    sl_mix_free(&m);

    /* fractions as shares of the rate */
    double shares[] = {0.7, 0.25, 0.05};
    CHECK(sl_mix_init(&m, shares, 3, err, sizeof(err)) == 0);
    CHECK_EQ_U(m.cycle, 20);
    sl_mix_free(&m);

    /* thirds: deterministically close; over 3,000 exactly 1,000 each */
    double thirds[] = {1.0 / 3, 1.0 / 3, 1.0 / 3};
    CHECK(sl_mix_init(&m, thirds, 3, err, sizeof(err)) == 0);
    count(&m, 0, 3000, c);
    CHECK_EQ_U(c[0], 1000);
    CHECK_EQ_U(c[1], 1000);
    CHECK_EQ_U(c[2], 1000);
    sl_mix_free(&m);

    /* one operation, and a weight of 0 that is never picked */
    double zero[] = {1, 0};
    CHECK(sl_mix_init(&m, zero, 2, err, sizeof(err)) == 0);
    count(&m, 0, 100, c);
    CHECK_EQ_U(c[0], 100);
    CHECK_EQ_U(c[1], 0);
    sl_mix_free(&m);

    double bad[] = {1, -1};
    CHECK(sl_mix_init(&m, bad, 2, err, sizeof(err)) == -1);
    CHECK(strstr(err, "operation 2") != NULL);
    double none[] = {0, 0};
    CHECK(sl_mix_init(&m, none, 2, err, sizeof(err)) == -1);
    return check_report();
}
