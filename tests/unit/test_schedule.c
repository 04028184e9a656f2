/*
 * test_schedule: the open model's arithmetic, durations and the accounting equations.
 */
#include "unit.h"
#include "core/counts.h"
#include "core/duration.h"
#include "core/schedule.h"

int main(void)
{
    CHECK_EQ_U(sl_schedule_total(1000, 10000000000ULL), 10000);
    CHECK_EQ_U(sl_schedule_total(10000, 10000000000ULL), 100000);
    CHECK_EQ_U(sl_schedule_total(3, 1000000000ULL), 3);
    CHECK_EQ_U(sl_schedule_total(2.5, 1000000000ULL), 3); /* k = 0, 1, 2 all before 1 s */
    CHECK_EQ_U(sl_schedule_total(0.5, 1000000000ULL), 1);

    /* workers split the schedule without gaps or overlaps */
    uint64_t total = 10001, sum = 0;
    for (int w = 0; w < 3; w++)
        sum += sl_schedule_worker_count(total, w, 3);
    CHECK_EQ_U(sum, total);
    CHECK_EQ_U(sl_schedule_worker_count(total, 0, 3), 3334);
    CHECK_EQ_U(sl_schedule_worker_count(2, 5, 8), 0);
    CHECK_EQ_U(sl_schedule_global_index(4, 1, 3), 13);

    CHECK_EQ_U(sl_schedule_offset_ns(0, 1000, 1), 0);
    CHECK_EQ_U(sl_schedule_offset_ns(1, 1000, 1), 1000000);
    CHECK_EQ_U(sl_schedule_offset_ns(9999, 1000, 1), 9999000000ULL);
    CHECK_EQ_U(sl_schedule_offset_ns(1, 3, 1), 333333333);
    CHECK_EQ_U(sl_schedule_offset_ns(3000000000ULL, 3, 1), 1000000000000000000ULL);
    /* bursts of 4 at 1000/s: 0-3 at 0 ms, 4-7 at 4 ms, ... the same average rate */
    CHECK_EQ_U(sl_schedule_offset_ns(3, 1000, 4), 0);
    CHECK_EQ_U(sl_schedule_offset_ns(4, 1000, 4), 4000000);
    CHECK_EQ_U(sl_schedule_offset_ns(9999, 1000, 4), 9996000000ULL);

    uint64_t ns = 0;
    CHECK(sl_duration_parse("10", &ns) == 0 && ns == 10000000000ULL);
    CHECK(sl_duration_parse("10s", &ns) == 0 && ns == 10000000000ULL);
    CHECK(sl_duration_parse("250ms", &ns) == 0 && ns == 250000000ULL);
    CHECK(sl_duration_parse("1.5m", &ns) == 0 && ns == 90000000000ULL);
    CHECK(sl_duration_parse("100us", &ns) == 0 && ns == 100000ULL);
    CHECK(sl_duration_parse("0", &ns) == -1);
    CHECK(sl_duration_parse("-1s", &ns) == -1);
    CHECK(sl_duration_parse("5 s", &ns) == -1);
    CHECK(sl_duration_parse("abc", &ns) == -1);
    CHECK(sl_duration_parse("", &ns) == -1);
    uint64_t b = 0;
    CHECK(sl_size_parse("64k", &b) == 0 && b == 65536);
    CHECK(sl_size_parse("4m", &b) == 0 && b == 4194304);
    CHECK(sl_size_parse("0", &b) == -1);
    CHECK(sl_size_parse("-5", &b) == -1);
    CHECK(sl_size_parse("5x", &b) == -1);

    sl_counts_t c = {.scheduled = 10, .sent = 8, .not_sent = 1, .script_errors_before_send = 1};
    char err[200];
    c.results[SL_R_OK] = 6;
    c.results[SL_R_TIMEOUT] = 1;
    c.results[SL_R_CANCELLED] = 1;
    CHECK(sl_counts_check(&c, err, sizeof(err)) == 0);
    CHECK_EQ_U(sl_counts_failed(&c), 2);
    c.results[SL_R_OK] = 5;
    CHECK(sl_counts_check(&c, err, sizeof(err)) == -1);
    CHECK(strstr(err, "sent 8") != NULL);
    sl_counts_t sum2 = {0};
    sl_counts_add(&sum2, &c);
    sl_counts_add(&sum2, &c);
    CHECK_EQ_U(sum2.scheduled, 20);
    CHECK_EQ_U(sum2.results[SL_R_TIMEOUT], 2);
    CHECK_STR(sl_result_name(SL_R_ID_MISMATCH), "id_mismatch");
    /* sums past 2^64 - 1: refused, never wrapped into equations that hold */
    sl_counts_t huge = {.scheduled = 1ULL << 63, .not_sent = 1ULL << 63};
    CHECK(sl_counts_check(&huge, err, sizeof(err)) == 0);
    sl_counts_t sum3 = huge;
    CHECK(sl_counts_add_checked(&sum3, &huge) == -1);
    CHECK_EQ_U(sum3.scheduled, 1ULL << 63); /* unchanged */
    CHECK(sl_counts_add_checked(&sum3, &c) == 0);
    CHECK_EQ_U(sum3.scheduled, (1ULL << 63) + 10);
    sl_counts_t wrap = {.scheduled = 0, .sent = 1ULL << 63, .not_sent = 1ULL << 63};
    wrap.results[SL_R_OK] = 1ULL << 63;
    CHECK(sl_counts_check(&wrap, err, sizeof(err)) == -1);
    CHECK(strstr(err, "overflow") != NULL);
    CHECK(sl_counts_differ(&c, &c) == NULL);
    CHECK_STR(sl_counts_differ(&c, &huge), "scheduled");
    return check_report();
}
