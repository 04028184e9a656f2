/*
 * test_segment: N segments of n workers each take every global request exactly once, the
 * connections split evenly, the IDs carry the segment, and the start time parser.
 */
#include "unit.h"
#include "core/config.h"
#include "core/load.h"
#include "core/plan.h"
#include "core/profile.h"
#include "core/segment.h"

#include <stdlib.h>

/* Every k in [0, total) taken once by the N segments' workers together, each worker's
 * requests in increasing order. */
static void check_partition(uint64_t total, int nseg, int nworkers)
{
    unsigned char *seen = calloc((size_t)total + 1, 1);
    uint64_t taken = 0, per_segment = 0;
    int ok = seen != NULL;
    for (int i = 0; ok && i < nseg; i++) {
        sl_config_t cfg = {.segment = i, .nsegments = nseg};
        uint64_t in_segment = 0;
        for (int w = 0; w < nworkers; w++) {
            uint64_t n = sl_segment_worker_count(&cfg, total, w, nworkers), last = 0;
            in_segment += n;
            for (uint64_t j = 0; j < n; j++) {
                uint64_t k = sl_segment_request_index(&cfg, j, w, nworkers);
                if (k >= total || seen[k] || (j > 0 && k <= last) || (int)(k % (uint64_t)nseg) != i)
                    ok = 0;
                else
                    seen[k] = 1;
                last = k;
                taken++;
            }
        }
        if (in_segment != sl_segment_count(total, i, nseg))
            ok = 0;
        per_segment += in_segment;
    }
    CHECK(ok);
    CHECK_EQ_U(taken, total);
    CHECK_EQ_U(per_segment, total);
    free(seen);
}

int main(void)
{
    for (uint64_t total = 0; total < 40; total += 7)
        for (int nseg = 1; nseg <= 5; nseg++)
            for (int nw = 1; nw <= 3; nw++)
                check_partition(total, nseg, nw);
    check_partition(10001, 4, 3);

    /* not segmented: the index and counts are a single process's */
    sl_config_t plain = {0};
    CHECK_EQ_U(sl_segment_request_index(&plain, 4, 1, 3), 13);
    CHECK_EQ_U(sl_segment_worker_count(&plain, 10, 0, 3), 4);
    sl_config_t seg = {.segment = 2, .nsegments = 4, .rate = 1000};
    CHECK_EQ_U(sl_segment_request_index(&seg, 0, 0, 2), 2);
    CHECK_EQ_U(sl_segment_request_index(&seg, 0, 1, 2), 6);
    CHECK_EQ_U(sl_segment_request_index(&seg, 1, 0, 2), 10);
    CHECK(sl_load_rate(&seg) == 250);

    /* connections as evenly as they go */
    CHECK_EQ_U(sl_segment_connections(10, 0, 4), 3);
    CHECK_EQ_U(sl_segment_connections(10, 1, 4), 3);
    CHECK_EQ_U(sl_segment_connections(10, 2, 4), 2);
    CHECK_EQ_U(sl_segment_connections(10, 3, 4), 2);

    /* (a segment's ID prefix, S<I>-P<pid>-R: unit_test_reqid) */

    int i = -1, n = -1;
    CHECK(sl_segment_parse("0/1", &i, &n) == 0 && i == 0 && n == 1);
    CHECK(sl_segment_parse("3/4", &i, &n) == 0 && i == 3 && n == 4);
    CHECK(sl_segment_parse("4/4", &i, &n) == -1);
    CHECK(sl_segment_parse("0/0", &i, &n) == -1);
    CHECK(sl_segment_parse("1", &i, &n) == -1);
    CHECK(sl_segment_parse("-1/3", &i, &n) == -1);
    CHECK(sl_segment_parse("1/3x", &i, &n) == -1);
    CHECK(sl_segment_parse("0/100001", &i, &n) == -1);

    int64_t us = 0;
    CHECK(sl_segment_parse_time("2026-11-27T15:30:00Z", &us) == 0 && us == 1795793400000000LL);
    CHECK(sl_segment_parse_time("2026-11-27T16:30:00.25+01:00", &us) == 0 &&
          us == 1795793400250000LL);
    CHECK(sl_segment_parse_time("2026-11-27T10:00:00-05:30", &us) == 0 && us == 1795793400000000LL);
    CHECK(sl_segment_parse_time("1795793400.5", &us) == 0 && us == 1795793400500000LL);
    CHECK(sl_segment_parse_time("1795793400", &us) == 0 && us == 1795793400000000LL);
    CHECK(sl_segment_parse_time("2026-11-27T15:30:00", &us) == -1); /* no zone */
    CHECK(sl_segment_parse_time("2026-02-30T15:30:00Z", &us) == -1);
    CHECK(sl_segment_parse_time("tomorrow", &us) == -1);
    CHECK(sl_segment_parse_time("-5", &us) == -1);
    char err[128];
    CHECK(sl_segment_check_start(2000000, 1000000, err, sizeof(err)) == 0);
    CHECK(sl_segment_check_start(1000000, 2000000, err, sizeof(err)) == -1);
    CHECK(sl_segment_check_start(SL_MAX_START_AHEAD_US + 2, 1, err, sizeof(err)) == -1);
    /* the plan: 3 segments of 2 workers each walk one Poisson schedule with bursts of 3 (and
     * a uniform one), every global entry once, each at the single walk's due time */
    sl_profile_t prof;
    sl_stage_t stages[2] = {{1000000000ULL, 300}, {1000000000ULL, 50}};
    CHECK(sl_profile_init(&prof, 0, stages, 2, err, sizeof(err)) == 0);
    for (int poisson = 0; poisson <= 1; poisson++) {
        uint64_t due[1000], nd = 0, taken = 0, total = 0, same = 1;
        sl_plan_t all, pl;
        for (sl_plan_init(&all, &prof, 3, poisson, 42, 0, 1);
             all.next_due != SL_PROFILE_END && nd < 1000; sl_plan_advance(&all))
            due[nd++] = all.next_due;
        for (int g = 0; g < 3; g++)
            for (int w = 0; w < 2; w++) {
                total += sl_plan_segment_total(&prof, 3, poisson, 42, w, 2, g, 3);
                for (sl_plan_init_segment(&pl, &prof, 3, poisson, 42, w, 2, g, 3);
                     pl.next_due != SL_PROFILE_END; sl_plan_advance(&pl)) {
                    uint64_t k = sl_segment_global_index(pl.j * 2 + (uint64_t)w, g, 3);
                    same &= k < nd && due[k] == pl.next_due;
                    taken++;
                }
            }
        CHECK(nd > 100 && nd < 1000);
        CHECK(same);
        CHECK_EQ_U(taken, nd);
        CHECK_EQ_U(total, nd);
    }
    return check_report();
}
