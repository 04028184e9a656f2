/*
 * test_opstats: per-operation results survive the worker-to-parent encoding exactly, add up
 * when several workers' messages are decoded into one, and a malformed or mismatched message
 * is refused.
 */
#include <stdlib.h>

#include "unit.h"
#include "core/opstats.h"

int main(void)
{
    sl_op_stats_t *w = sl_opstats_new(3), *parent = sl_opstats_new(3);
    CHECK(w != NULL && parent != NULL);
    for (int i = 0; i < 3; i++) {
        w[i].counts.scheduled = w[i].counts.sent = (uint64_t)(i + 1) * 10;
        w[i].counts.results[SL_R_OK] = (uint64_t)(i + 1) * 10 - 1;
        w[i].counts.results[SL_R_EXPECTED_FAULT] = 1;
        for (uint64_t v = 1; v <= (uint64_t)(i + 1) * 10; v++) {
            sl_hist_record(w[i].from_due, v * 100 * (uint64_t)(i + 1));
            sl_hist_record(w[i].service, v * 50);
        }
    }
    sl_buf_t msg = {0};
    CHECK(sl_opstats_encode(w, 3, &msg) == 0);
    /* two workers sent the same: the parent holds twice each count and bucket */
    CHECK(sl_opstats_decode_add(parent, 3, (const uint8_t *)msg.data, msg.len) == 0);
    CHECK(sl_opstats_decode_add(parent, 3, (const uint8_t *)msg.data, msg.len) == 0);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_U(parent[i].counts.sent, 2 * w[i].counts.sent);
        CHECK_EQ_U(parent[i].counts.results[SL_R_EXPECTED_FAULT], 2);
        CHECK_EQ_U(parent[i].from_due->total, 2 * w[i].from_due->total);
        CHECK_EQ_U(parent[i].service->total, 2 * w[i].service->total);
        CHECK_EQ_U(sl_hist_percentile(parent[i].from_due, 99),
                   sl_hist_percentile(w[i].from_due, 99));
        CHECK_EQ_U(parent[i].from_due->max, w[i].from_due->max);
    }
    /* another number of operations, a cut message, trailing bytes: refused */
    CHECK(sl_opstats_decode_add(parent, 2, (const uint8_t *)msg.data, msg.len) == -1);
    CHECK(sl_opstats_decode_add(parent, 3, (const uint8_t *)msg.data, msg.len - 3) == -1);
    CHECK(sl_opstats_decode_add(parent, 3, (const uint8_t *)msg.data, 2) == -1);
    sl_buf_append(&msg, "x", 1);
    sl_op_stats_t *fresh = sl_opstats_new(3);
    CHECK(sl_opstats_decode_add(fresh, 3, (const uint8_t *)msg.data, msg.len) == -1);
    sl_opstats_free(fresh, 3);
    sl_buf_free(&msg);
    sl_opstats_free(w, 3);
    sl_opstats_free(parent, 3);
    return check_report();
}
