/*
 * test_flow: a flow's state machine (steps in order, think times from the answer, repeats,
 * failures that end or do not end it, retries, interruptions, a user's next flow) and the
 * accounting that ends every flow in one place, across an encode/decode to the parent.
 */
#include <stdlib.h>

#include "unit.h"
#include "core/flow.h"
#include "core/threshold.h"

#define MS 1000000ULL

static sl_flows_t two_flows(void)
{
    char err[200];
    sl_flows_t fs = {0};
    CHECK(sl_flows_add(&fs, "order", 3, err, sizeof(err)) == 0);
    fs.f[0].nsteps = 3;
    for (int i = 0; i < 3; i++)
        fs.f[0].steps[i] = (sl_flow_step_t){.op = i, .times = 1};
    fs.f[0].steps[1].times = 2; /* the middle step twice */
    fs.f[0].steps[2].has_think = 1;
    fs.f[0].steps[2].think = (sl_delay_t){SL_DELAY_FIXED, 250, 0}; /* 250 ms */
    CHECK(sl_flows_add(&fs, "browse", 1, err, sizeof(err)) == 1);
    fs.f[1].nsteps = 1;
    fs.f[1].steps[0] = (sl_flow_step_t){.op = 3, .times = 1, .retry_max = 2};
    fs.f[1].steps[0].retry_on = 1ULL << SL_R_TIMEOUT;
    CHECK(sl_flows_add(&fs, "order", 1, err, sizeof(err)) == -1); /* named twice */
    CHECK(sl_flows_add(&fs, "bad name", 1, err, sizeof(err)) == -1);
    CHECK_EQ_U(sl_flows_find(&fs, "browse", 6), 1);
    return fs;
}

int main(void)
{
    sl_flows_t fs = two_flows();
    sl_flow_stats_t *st = sl_flow_stats_new(2);
    sl_flow_pool_t p;
    uint64_t rng = 42;
    char err[300];
    CHECK(st != NULL && sl_flow_pool_init(&p, 2) == 0);

    /* order: steps 0, 1, 1, 2; each due at the previous answer, the last 250 ms after it */
    int a = sl_flow_start(&p, &fs, st, 0, 1000 * MS, &rng);
    CHECK(a >= 0);
    CHECK_EQ_U(sl_flow_op(&p, &fs, (uint32_t)a), 0);
    CHECK_EQ_U(sl_flow_step_done(&p, &fs, st, (uint32_t)a, 1, 0, 1010 * MS, &rng), SL_FLOW_NEXT);
    CHECK_EQ_U(p.v[a].due, 1010 * MS);
    CHECK_EQ_U(sl_flow_op(&p, &fs, (uint32_t)a), 1);
    CHECK_EQ_U(sl_flow_step_done(&p, &fs, st, (uint32_t)a, 1, 0, 1020 * MS, &rng), SL_FLOW_NEXT);
    CHECK_EQ_U(sl_flow_op(&p, &fs, (uint32_t)a), 1); /* times = 2 */
    CHECK_EQ_U(sl_flow_step_done(&p, &fs, st, (uint32_t)a, 1, 0, 1030 * MS, &rng), SL_FLOW_NEXT);
    CHECK_EQ_U(sl_flow_op(&p, &fs, (uint32_t)a), 2);
    CHECK_EQ_U(p.v[a].due, 1280 * MS); /* the think time, from the answer */
    CHECK_EQ_U(sl_flow_step_done(&p, &fs, st, (uint32_t)a, 1, 0, 1300 * MS, &rng),
               SL_FLOW_COMPLETED);
    CHECK_EQ_U(st[0].completed, 1);
    CHECK_EQ_U(st[0].duration->max / 1000, 300); /* from the first due time to the last answer */
    sl_flow_release(&p, (uint32_t)a);

    /* a failure ends the flow at its step, with its reason */
    a = sl_flow_start(&p, &fs, st, 0, 2000 * MS, &rng);
    CHECK_EQ_U(sl_flow_step_done(&p, &fs, st, (uint32_t)a, 1, 0, 2001 * MS, &rng), SL_FLOW_NEXT);
    CHECK_EQ_U(sl_flow_step_done(&p, &fs, st, (uint32_t)a, 0, SL_R_SOAP_FAULT, 2002 * MS, &rng),
               SL_FLOW_FAILED);
    CHECK_EQ_U(st[0].failed_at[1][SL_R_SOAP_FAULT], 1);
    /* a user's next flow in the same slot: counted as scheduled again */
    sl_flow_restart(&p, &fs, st, (uint32_t)a, 1, 2002 * MS, &rng);
    CHECK_EQ_U(st[1].scheduled, 1);
    CHECK_EQ_U(sl_flow_op(&p, &fs, (uint32_t)a), 3);
    /* retry on timeout, twice at most; another kind is not retried */
    CHECK_EQ_U(sl_flow_step_done(&p, &fs, st, (uint32_t)a, 0, SL_R_TIMEOUT, 2003 * MS, &rng),
               SL_FLOW_NEXT);
    CHECK_EQ_U(sl_flow_step_done(&p, &fs, st, (uint32_t)a, 0, SL_R_TIMEOUT, 2004 * MS, &rng),
               SL_FLOW_NEXT);
    CHECK_EQ_U(st[1].retried_at[0], 2);
    CHECK_EQ_U(sl_flow_step_done(&p, &fs, st, (uint32_t)a, 0, SL_R_TIMEOUT, 2005 * MS, &rng),
               SL_FLOW_FAILED);
    CHECK_EQ_U(st[1].failed_at[0][SL_R_TIMEOUT], 1);
    sl_flow_release(&p, (uint32_t)a);

    /* the pool holds 2: a third start is not started; an interrupt ends at the step */
    int b = sl_flow_start(&p, &fs, st, 0, 3000 * MS, &rng);
    int c = sl_flow_start(&p, &fs, st, 0, 3000 * MS, &rng);
    CHECK(b >= 0 && c >= 0 && b != c);
    CHECK(sl_flow_start(&p, &fs, st, 0, 3000 * MS, &rng) == -1);
    CHECK_EQ_U(st[0].not_started, 1);
    CHECK_EQ_U(sl_flow_step_done(&p, &fs, st, (uint32_t)b, 1, 0, 3001 * MS, &rng), SL_FLOW_NEXT);
    sl_flow_interrupt(&p, st, (uint32_t)b);
    sl_flow_interrupt(&p, st, (uint32_t)c);
    CHECK_EQ_U(st[0].interrupted_at[1], 1);
    CHECK_EQ_U(st[0].interrupted_at[0], 1);
    CHECK_EQ_U(p.active, 0);
    for (int i = 0; i < 2; i++)
        CHECK(sl_flow_stats_check(&st[i], fs.f[i].name, err, sizeof(err)) == 0);
    CHECK_EQ_U(st[0].scheduled, 5);

    /* the parent adds the workers' reports: twice this one, exactly */
    sl_buf_t b1 = {0};
    sl_flow_stats_t *sum = sl_flow_stats_new(2);
    CHECK(sl_flow_stats_encode(st, 2, &b1) == 0);
    CHECK(sl_flow_stats_decode_add(sum, 2, (const uint8_t *)b1.data, b1.len) == 0);
    CHECK(sl_flow_stats_decode_add(sum, 2, (const uint8_t *)b1.data, b1.len) == 0);
    CHECK_EQ_U(sum[0].scheduled, 2 * st[0].scheduled);
    CHECK_EQ_U(sum[1].retried_at[0], 4);
    CHECK_EQ_U(sum[0].duration->total, 2);
    CHECK(sl_flow_stats_check(&sum[0], "order", err, sizeof(err)) == 0);
    /* the live copies on the board: each worker's published counts, added by the parent */
    sl_flow_live_t live[2][2], live_sum[2] = {{0}};
    sl_flow_stats_publish(st, 2, live[0]);
    sl_flow_stats_publish(sum, 2, live[1]);
    sl_flow_live_add(live_sum, live[0], 2);
    sl_flow_live_add(live_sum, live[1], 2);
    CHECK_EQ_U(live_sum[0].scheduled, 3 * st[0].scheduled);
    CHECK_EQ_U(live_sum[0].completed, 3 * st[0].completed);
    CHECK_EQ_U(live_sum[1].failed, 3 * st[1].failed);
    CHECK_EQ_U(live_sum[0].not_started + live_sum[0].interrupted,
               3 * (st[0].not_started + st[0].interrupted));
    /* a report of other flows, or cut short, is refused (the parent says it is partial) */
    CHECK(sl_flow_stats_decode_add(sum, 1, (const uint8_t *)b1.data, b1.len) == -1);
    CHECK(sl_flow_stats_decode_add(sum, 2, (const uint8_t *)b1.data, b1.len - 1) == -1);
    sum[0].completed++; /* a broken sum is told */
    CHECK(sl_flow_stats_check(&sum[0], "order", err, sizeof(err)) == -1);
    CHECK(strstr(err, "flow order: scheduled") != NULL);
    /* thresholds on flows: 4 of "order"'s 5 did not complete, its one completed took 300 ms */
    sl_threshold_set_t set = {0};
    CHECK(sl_threshold_parse(&set, "flow_duration{flow=order} p95 < 2s", err, sizeof(err)) == 0);
    CHECK_STR(set.items[0].metric, "flow_duration_p95");
    CHECK(set.items[0].value == 2e6);
    CHECK(sl_threshold_parse(&set, "flow_failure_rate{flow=order} < 90%", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&set, "flow_failure_rate{flow=browse} < 1%", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&set, "flow_failure_rate < 1%", err, sizeof(err)) == -1);
    CHECK(strstr(err, "is a flow's") != NULL);
    const char *names[] = {"order", "browse"};
    CHECK(sl_threshold_check_flows(&set, names, 2, err, sizeof(err)) == 0);
    CHECK(sl_threshold_check_flows(&set, names, 1, err, sizeof(err)) == -1);
    sl_counts_t zero = {0};
    sl_metrics_t m = {
        .counts = &zero, .duration_s = 1, .nflows = 2, .flow_names = names, .flows = st};
    CHECK_EQ_U(sl_threshold_evaluate(&set, &m), 1);
    CHECK(set.items[0].passed && set.items[1].passed && !set.items[2].passed);
    CHECK(set.items[1].measured > 0.79 && set.items[1].measured < 0.81); /* 4 of 5 not completed */
    sl_buf_free(&b1);
    sl_flow_stats_free(sum, 2);
    sl_flow_stats_free(st, 2);
    sl_flow_pool_free(&p);
    return check_report();
}
