/*
 * test_opseries: latency over time per operation: the bucket layout (each bucket at most 12.5%
 * wide), percentiles as bucket upper bounds, the bound on memory (slots merge and widen), and
 * encode / decode adding up exactly, also between series of other slot widths.
 */
#include <stdlib.h>

#include "core/opseries.h"
#include "unit.h"

int main(void)
{
    sl_opseries_t s, t;

    /* buckets: exact below 8 us, then 8 per power of two, contiguous and at most 12.5% wide */
    CHECK_EQ_U(sl_opseries_bucket(0), 0);
    CHECK_EQ_U(sl_opseries_bucket(7), 7);
    CHECK_EQ_U(sl_opseries_bucket(8), 8);
    CHECK_EQ_U(sl_opseries_bucket(SL_OPSERIES_MAX_US), SL_OPSERIES_BUCKETS - 1);
    CHECK_EQ_U(sl_opseries_bucket(UINT64_MAX), SL_OPSERIES_BUCKETS - 1);
    for (uint32_t b = 1; b < SL_OPSERIES_BUCKETS; b++) {
        uint64_t lo = sl_opseries_bucket_high(b - 1) + 1, hi = sl_opseries_bucket_high(b);
        CHECK_EQ_U(sl_opseries_bucket(lo), b);
        CHECK_EQ_U(sl_opseries_bucket(hi), b);
        CHECK(hi - lo + 1 <= lo / 8 + 1);
    }
    CHECK_EQ_U(sl_opseries_bucket_high(SL_OPSERIES_BUCKETS - 1), SL_OPSERIES_MAX_US);

    /* percentiles of one cell: 99 values of 100 us and one of 10 ms */
    CHECK(sl_opseries_init(&s, 3) == 0);
    CHECK(sl_opseries_record(&s, 1, 0, 100, 99) == 0);
    CHECK(sl_opseries_record(&s, 1, 0, 10000, 1) == 0);
    CHECK(sl_opseries_record(&s, 2, 5, 2000, 4) == 0);
    CHECK(sl_opseries_record(&s, 3, 0, 1, 1) == -1); /* no such operation */
    const uint32_t *c = sl_opseries_cell(&s, 0, 1);
    CHECK_EQ_U(sl_opseries_count(c), 100);
    uint64_t p50 = sl_opseries_percentile(c, 50), p100 = sl_opseries_percentile(c, 100);
    CHECK(p50 >= 100 && p50 <= 100 + 100 / 8);
    CHECK_EQ_U(sl_opseries_percentile(c, 99), p50);
    CHECK(p100 >= 10000 && p100 <= 10000 + 10000 / 8);
    CHECK_EQ_U(sl_opseries_count(sl_opseries_cell(&s, 0, 0)), 0);
    CHECK_EQ_U(s.nslots, 6);
    CHECK(sl_opseries_cell(&s, 6, 0) == NULL);

    /* bounded: a run longer than the cells allow merges neighbouring slots */
    CHECK(sl_opseries_init(&t, 64) == 0);
    uint32_t max = t.max_slots;
    CHECK_EQ_U(max, SL_OPSERIES_CELLS / 64);
    for (uint64_t sec = 0; sec < 10 * max; sec++)
        CHECK(sl_opseries_record(&t, (int)(sec % 64), sec, 1000, 1) == 0);
    CHECK(t.nslots <= max && t.cap <= max);
    CHECK_EQ_U(t.slot_s, 16); /* 10 * max seconds in at most max slots */
    uint64_t total = 0;
    for (uint32_t i = 0; i < t.nslots; i++)
        for (int op = 0; op < 64; op++)
            total += sl_opseries_count(sl_opseries_cell(&t, i, op));
    CHECK_EQ_U(total, 10 * max);
    /* second 17 (op 17) sits in slot 1 of 16 s */
    CHECK_EQ_U(sl_opseries_count(sl_opseries_cell(&t, 1, 17)), 1);
    sl_opseries_free(&t);

    /* encode, decode: adds up exactly, into a series of the same or finer slots */
    sl_buf_t b = {0};
    CHECK(sl_opseries_encode(&s, &b) == 0);
    CHECK(sl_opseries_init(&t, 3) == 0);
    CHECK(sl_opseries_decode_add(&t, (const uint8_t *)b.data, b.len) == 0);
    CHECK(sl_opseries_decode_add(&t, (const uint8_t *)b.data, b.len) == 0);
    CHECK_EQ_U(sl_opseries_count(sl_opseries_cell(&t, 0, 1)), 200);
    CHECK_EQ_U(sl_opseries_count(sl_opseries_cell(&t, 5, 2)), 8);
    sl_opseries_coarsen(&s, 4); /* 4 s slots: second 5 is in slot 1 */
    CHECK_EQ_U(s.nslots, 2);
    CHECK_EQ_U(sl_opseries_count(sl_opseries_cell(&s, 1, 2)), 4);
    sl_buf_t b4 = {0};
    CHECK(sl_opseries_encode(&s, &b4) == 0);
    CHECK(sl_opseries_decode_add(&t, (const uint8_t *)b4.data, b4.len) == 0);
    CHECK_EQ_U(t.slot_s, 4);
    CHECK_EQ_U(sl_opseries_count(sl_opseries_cell(&t, 0, 1)), 300);
    CHECK_EQ_U(sl_opseries_count(sl_opseries_cell(&t, 1, 2)), 12);
    /* malformed: cut short, another number of operations */
    CHECK(sl_opseries_decode_add(&t, (const uint8_t *)b.data, b.len - 1) == -1);
    sl_opseries_t u;
    CHECK(sl_opseries_init(&u, 2) == 0);
    CHECK(sl_opseries_decode_add(&u, (const uint8_t *)b.data, b.len) == -1);
    CHECK(sl_opseries_init(&u, 0) == -1);

    sl_buf_free(&b);
    sl_buf_free(&b4);
    sl_opseries_free(&s);
    sl_opseries_free(&t);
    return check_report();
}
