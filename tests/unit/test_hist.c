/*
 * test_hist: bucket arithmetic, percentiles against exact answers, lossless merge and
 * encoding, clamping.
 */
#include <stdlib.h>

#include "unit.h"
#include "core/hist.h"

static sl_hist_t *fresh(void)
{
    sl_hist_t *h = calloc(1, sizeof(*h));
    sl_hist_reset(h);
    return h;
}

int main(void)
{
    /* every value maps to a bucket whose range holds it, within 1/1024 */
    for (uint64_t v = 0; v < SL_HIST_MAX_US; v = v * 3 / 2 + 1) {
        uint32_t i = sl_hist_index(v);
        CHECK(i < SL_HIST_LEN);
        CHECK(sl_hist_value_at(i) <= v && v <= sl_hist_highest_equivalent(i));
        CHECK((double)(sl_hist_highest_equivalent(i) - sl_hist_value_at(i)) <= v / 1024.0 + 1);
    }
    for (uint64_t v = 0; v < 2048; v++)
        CHECK_EQ_U(sl_hist_index(v), v); /* exact below 2048 us */

    sl_hist_t *h = fresh();
    for (uint64_t v = 1; v <= 1000; v++)
        sl_hist_record(h, v);
    CHECK_EQ_U(h->total, 1000);
    CHECK_EQ_U(sl_hist_percentile(h, 50), 500);
    CHECK_EQ_U(sl_hist_percentile(h, 99), 990);
    CHECK_EQ_U(sl_hist_percentile(h, 99.9), 999);
    CHECK_EQ_U(sl_hist_percentile(h, 100), 1000);
    CHECK_EQ_U(h->min, 1);
    CHECK((sl_hist_mean(h) - 500.5) < 0.01 && (sl_hist_mean(h) - 500.5) > -0.01);

    /* two halves merged equal the whole */
    sl_hist_t *a = fresh(), *b = fresh(), *m = fresh();
    for (uint64_t v = 1; v <= 100000; v += 7)
        sl_hist_record(v % 2 ? a : b, v * 13);
    sl_hist_merge(m, a);
    sl_hist_merge(m, b);
    CHECK_EQ_U(m->total, a->total + b->total);
    sl_hist_t *whole = fresh();
    for (uint64_t v = 1; v <= 100000; v += 7)
        sl_hist_record(whole, v * 13);
    CHECK(memcmp(whole->counts, m->counts, sizeof(m->counts)) == 0);
    CHECK_EQ_U(sl_hist_percentile(m, 99.9), sl_hist_percentile(whole, 99.9));

    /* encoding round-trips exactly */
    size_t need = sl_hist_encode(m, NULL, 0);
    uint8_t *buf = malloc(need);
    CHECK_EQ_U(sl_hist_encode(m, buf, need), need);
    sl_hist_t *d = fresh();
    CHECK_EQ_U(sl_hist_decode_add(d, buf, need), need);
    CHECK(memcmp(d->counts, m->counts, sizeof(m->counts)) == 0);
    CHECK_EQ_U(d->min, m->min);
    CHECK_EQ_U(d->max, m->max);
    CHECK_EQ_U(sl_hist_decode_add(d, buf, need - 1), 0); /* truncated: refused */
    buf[36] = 0xff;
    buf[37] = 0xff; /* an index out of range: refused */
    CHECK_EQ_U(sl_hist_decode_add(d, buf, need), 0);

    /* values beyond 60 s are clamped and counted */
    sl_hist_t *c = fresh();
    sl_hist_record(c, 120000000ULL);
    CHECK_EQ_U(c->clamped, 1);
    CHECK_EQ_U(sl_hist_percentile(c, 50), SL_HIST_MAX_US);

    /* reset empties */
    sl_hist_reset(m);
    CHECK_EQ_U(m->total, 0);
    CHECK_EQ_U(sl_hist_percentile(m, 99), 0);
    for (size_t i = 0; i < SL_HIST_LEN; i++)
        if (m->counts[i] != 0)
            CHECK(0);
    free(h);
    free(a);
    free(b);
    free(m);
    free(whole);
    free(buf);
    free(d);
    free(c);
    return check_report();
}
