/*
 * test_concurrency: in-flight counts, the busy share and the bursts on hand-made timelines. A
 * burst is listed only when it is real concurrency: in flight together, within the 1 ms window.
 */
#include "unit.h"
#include "core/concurrency.h"

#define MS 1000000ULL
#define T0 1000000000000ULL

static sl_sendrec_t rec(double sent_ms, double done_ms, uint16_t worker, uint16_t port,
                        uint32_t seq)
{
    return (sl_sendrec_t){.sent_ns = T0 + (uint64_t)(sent_ms * MS),
                          .done_ns = T0 + (uint64_t)(done_ms * MS),
                          .seq = seq,
                          .port = port,
                          .worker = worker};
}

/* the closed model: nothing is due, any requests in flight together may make a burst */
static const sl_burst_rule_t closed = {.min_requests = 4, .min_workers = 2};

int main(void)
{
    /* sequential requests: never more than one in flight, no burst */
    sl_sendrec_t seq[] = {rec(0, 1, 0, 100, 1), rec(2, 3, 1, 200, 1), rec(4, 5, 0, 100, 2),
                          rec(6, 7, 1, 200, 2)};
    sl_concurrency_t c;
    CHECK(sl_concurrency_analyze(seq, 4, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.sends, 4);
    CHECK_EQ_U(c.in_flight_max, 1);
    CHECK_EQ_U(c.sent_while_busy, 0);
    CHECK_EQ_U(c.connections, 2);
    CHECK_EQ_U(c.nbursts, 0);
    /* busy 4 ms of 7: mean 4/7 */
    CHECK(c.in_flight_mean > 0.571 && c.in_flight_mean < 0.572);
    sl_concurrency_free(&c);

    /* a burst of 4 on 4 connections of 2 workers within 0.3 ms; then 4 in flight together
       from 2 workers, but their sends spread over 3 ms: more than the window, no burst */
    sl_sendrec_t b[] = {
        rec(10.0, 12, 0, 1001, 1),
        rec(10.1, 12, 0, 1002, 2),
        rec(10.2, 12, 1, 2001, 1),
        rec(10.3, 12, 1, 2002, 2),
        rec(20.0, 21, 0, 1001, 3),
        rec(21.0, 25, 0, 1002, 4),
        rec(22.0, 25, 1, 2001, 3),
        rec(23.0, 25, 1, 2002, 4),
        {.done_ns = T0 + 30 * MS, .seq = 5, .worker = 1}, /* never sent: left out */
    };
    b[3].seq = 5000000000ULL; /* a worker's 5 billionth request keeps its number whole */
    CHECK(sl_concurrency_analyze(b, 9, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.sends, 8);
    CHECK_EQ_U(c.in_flight_max, 4);
    CHECK_EQ_U(c.sent_while_busy, 3 + 2); /* 3 in the first burst, 2 more from 22 ms on */
    CHECK_EQ_U(c.connections, 4);
    CHECK(c.nbursts == 1);
    CHECK_EQ_U(c.bursts[0].span_ns, 300000);
    CHECK_EQ_U(c.bursts[0].count, 4);
    CHECK_EQ_U(c.bursts[0].requests[0].port, 1001);
    CHECK_EQ_U(c.bursts[0].requests[3].port, 2002);
    CHECK_EQ_U(c.bursts[0].last_sent_ns, T0 + 10.3 * MS);
    CHECK_EQ_U(c.bursts[0].requests[3].seq, 5000000000ULL);
    CHECK_EQ_U(c.nseconds, 1);
    CHECK_EQ_U(c.seconds[0].max, 4);
    sl_concurrency_free(&c);

    /* 4 requests within 0.1 ms but from one worker only: no burst by the definition */
    sl_sendrec_t one[] = {rec(1.00, 2, 0, 1, 1), rec(1.03, 2, 0, 2, 2), rec(1.06, 2, 0, 3, 3),
                          rec(1.09, 2, 0, 4, 4)};
    CHECK(sl_concurrency_analyze(one, 4, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.nbursts, 0);
    CHECK_EQ_U(c.in_flight_max, 4);
    sl_concurrency_free(&c);

    /* 2 workers but the same connection twice: 3 distinct connections are not enough */
    sl_sendrec_t reuse[] = {rec(1.00, 1.01, 0, 1, 1), rec(1.02, 1.03, 0, 1, 2),
                            rec(1.04, 2, 1, 7, 1), rec(1.05, 2, 1, 8, 2)};
    CHECK(sl_concurrency_analyze(reuse, 4, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.nbursts, 0);
    sl_concurrency_free(&c);

    /* 300 req/s uniform, each answered in 0.2 ms: sequential, never a burst, although any
       4.5 ms holds 4 requests from 2 workers on distinct connections */
    sl_sendrec_t uniform[12];
    for (int i = 0; i < 12; i++)
        uniform[i] = rec(i * 3.333, i * 3.333 + 0.2, (uint16_t)(i % 2), (uint16_t)(100 + i % 4),
                         (uint32_t)(i / 2 + 1));
    CHECK(sl_concurrency_analyze(uniform, 12, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.in_flight_max, 1);
    CHECK_EQ_U(c.nbursts, 0);
    sl_concurrency_free(&c);

    /* 4 sends from 2 workers within 0.3 ms, but the first ended before the last left: not in
       flight together, no burst */
    sl_sendrec_t apart[] = {rec(5.0, 5.05, 0, 1, 1), rec(5.1, 6, 1, 2, 1), rec(5.2, 6, 0, 3, 2),
                            rec(5.3, 6, 1, 4, 2)};
    CHECK(sl_concurrency_analyze(apart, 4, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.in_flight_max, 3);
    CHECK_EQ_U(c.nbursts, 0);
    sl_concurrency_free(&c);

    /* a worker stalled, then released 3 requests at once while the other worker's request had
       already ended: 3 in flight from one worker is no burst */
    sl_sendrec_t stall[] = {rec(7.0, 7.1, 1, 9, 1), rec(7.5, 8, 0, 1, 1), rec(7.5, 8, 0, 2, 2),
                            rec(7.5, 8, 0, 3, 3)};
    CHECK(sl_concurrency_analyze(stall, 4, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.nbursts, 0);
    sl_concurrency_free(&c);

    /* the same connection in flight twice at one instant (its next request left before the
       worker saw the first end): counted once, so 3 connections make no burst */
    sl_sendrec_t twice[] = {rec(1.00, 2, 0, 1, 1), rec(1.02, 2, 0, 1, 2), rec(1.04, 2, 1, 7, 1),
                            rec(1.05, 2, 1, 8, 2)};
    CHECK(sl_concurrency_analyze(twice, 4, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.nbursts, 0);
    sl_concurrency_free(&c);

    /* 300 req/s uniform over 4 workers: worker 0 stalled and released its requests 1, 2 and 3
       (due at 0, 13.3 and 26.7 ms) together at 27 ms, while worker 1's request 2 (due at
       16.7 ms) was in flight. In flight together, on 4 connections of 2 workers: but due
       apart, caught up, not concurrent by the schedule: no burst in the open model */
    const sl_burst_rule_t uniform300 = {
        .min_requests = 4, .min_workers = 2, .rate = 300, .burst = 1, .nworkers = 4};
    sl_sendrec_t caught_up[] = {rec(26.9, 28, 1, 9, 2), rec(27.0, 28, 0, 1, 1),
                                rec(27.01, 28, 0, 2, 2), rec(27.02, 28, 0, 3, 3)};
    CHECK(sl_concurrency_analyze(caught_up, 4, T0, &uniform300, &c) == 0);
    CHECK_EQ_U(c.in_flight_max, 4);
    CHECK_EQ_U(c.nbursts, 0);
    sl_concurrency_free(&c);
    CHECK(sl_concurrency_analyze(caught_up, 4, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.nbursts, 1); /* the same records, with nothing due: in flight together */
    sl_concurrency_free(&c);

    /* the window's edge (1 ms, inclusive): sends spanning exactly 1.0 ms make a burst; 1 ns
       more, or 0.5 ms apart (a 1.5 ms span), make none */
    sl_sendrec_t edge[] = {rec(10.0, 15, 0, 1, 1), rec(10.25, 15, 1, 2, 1), rec(10.5, 15, 0, 3, 2),
                           rec(11.0, 15, 1, 4, 2)};
    CHECK(sl_concurrency_analyze(edge, 4, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.nbursts, 1);
    CHECK_EQ_U(c.nbursts ? c.bursts[0].span_ns : 0, SL_BURST_WINDOW_NS);
    sl_concurrency_free(&c);
    edge[3].sent_ns += 1;
    CHECK(sl_concurrency_analyze(edge, 4, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.nbursts, 0);
    CHECK_EQ_U(c.in_flight_max, 4);
    sl_concurrency_free(&c);
    sl_sendrec_t half[] = {rec(20.0, 25, 0, 1, 1), rec(20.5, 25, 1, 2, 1), rec(21.0, 25, 0, 3, 2),
                           rec(21.5, 25, 1, 4, 2)};
    CHECK(sl_concurrency_analyze(half, 4, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.nbursts, 0);
    CHECK_EQ_U(c.in_flight_max, 4);
    sl_concurrency_free(&c);
    CHECK_EQ_U(SL_BURST_WINDOW_NS, MS); /* what README and the summary say */

    /* the same edge for due times: 4000 req/s over 2 workers, worker w's request s due at
       ((s - 1) * 2 + w) * 0.25 ms. Sent within 0.3 ms, in flight together: due over exactly
       1.0 ms (global 0, 1, 2, 4) is a burst, due over 1.25 ms (global 0, 1, 2, 5) is none */
    const sl_burst_rule_t r4000 = {
        .min_requests = 4, .min_workers = 2, .rate = 4000, .burst = 1, .nworkers = 2};
    sl_sendrec_t due_edge[] = {rec(2.0, 5, 0, 1, 1), rec(2.1, 5, 1, 2, 1), rec(2.2, 5, 0, 3, 2),
                               rec(2.3, 5, 0, 4, 3)};
    CHECK(sl_concurrency_analyze(due_edge, 4, T0, &r4000, &c) == 0);
    CHECK_EQ_U(c.nbursts, 1);
    sl_concurrency_free(&c);
    due_edge[3] = rec(2.3, 5, 1, 4, 3);
    CHECK(sl_concurrency_analyze(due_edge, 4, T0, &r4000, &c) == 0);
    CHECK_EQ_U(c.nbursts, 0);
    sl_concurrency_free(&c);

    /* the default run: 1000 req/s in bursts of 4 over 4 workers, so worker w's request s is
       due at (s - 1) * 4 ms with the other workers' request s; each burst listed once, the
       tightest first, none overlapping */
    const sl_burst_rule_t seeded = {
        .min_requests = 4, .min_workers = 2, .rate = 1000, .burst = 4, .nworkers = 4};
    sl_sendrec_t seed[40];
    for (int i = 0; i < 40; i++) {
        int burst = i / 4, w = i % 4;
        double spread = 0.01 * (burst % 5 + 1); /* burst 0 spans 0.03 ms, burst 4 0.15 ms */
        seed[i] = rec(burst * 4.0 + w * spread, burst * 4.0 + 1, (uint16_t)w, (uint16_t)(50 + w),
                      (uint32_t)(burst + 1));
    }
    CHECK(sl_concurrency_analyze(seed, 40, T0, &seeded, &c) == 0);
    CHECK_EQ_U(c.nbursts, SL_BURSTS_SHOWN);
    CHECK_EQ_U(c.bursts[0].count, 4);
    CHECK_EQ_U(c.bursts[0].span_ns, 30000);
    CHECK_EQ_U(c.bursts[0].requests[0].seq, 1);
    CHECK_EQ_U(c.bursts[0].requests[0].worker, 0);
    CHECK_EQ_U(c.bursts[0].requests[3].worker, 3);
    CHECK_EQ_U(c.bursts[1].span_ns, 30000);
    CHECK_EQ_U(c.bursts[1].requests[0].seq, 6);
    for (int k = 1; k < SL_BURSTS_SHOWN; k++) /* spans 0.03, 0.03, 0.06, 0.06, 0.09 ms */
        CHECK(c.bursts[k].span_ns >= c.bursts[k - 1].span_ns && c.bursts[k].span_ns < 100000);
    sl_concurrency_free(&c);

    /* a busy random timeline (closed model, 3 workers x 8 connections): every listed burst
       meets the definition, and its span is that of the requests listed */
    static sl_sendrec_t busy[20000];
    uint64_t free_at[3][8] = {{0}};
    uint32_t seqs[3] = {0};
    uint64_t now = T0, rnd = 12345;
    for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
        rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
        now += (rnd >> 33) % 200000; /* up to 0.2 ms apart */
        int w = (int)((rnd >> 20) % 3), k = (int)((rnd >> 24) % 8);
        if (free_at[w][k] > now) /* one request at a time on a connection */
            now = free_at[w][k];
        uint64_t done = now + 1000 + (rnd >> 40) % 3000000;
        free_at[w][k] = done;
        busy[i] = (sl_sendrec_t){.sent_ns = now,
                                 .done_ns = done,
                                 .seq = ++seqs[w],
                                 .port = (uint16_t)(k + 1),
                                 .worker = (uint16_t)w};
    }
    CHECK(sl_concurrency_analyze(busy, sizeof(busy) / sizeof(busy[0]), T0, &closed, &c) == 0);
    CHECK_EQ_U(c.nbursts, SL_BURSTS_SHOWN);
    for (int k = 0; k < c.nbursts; k++) {
        const sl_burst_t *bu = &c.bursts[k];
        uint64_t last = bu->requests[bu->count - 1].sent_ns;
        int workers_seen[3] = {0}, nworkers = 0;
        CHECK(bu->count >= 4);
        CHECK_EQ_U(bu->span_ns, last - bu->requests[0].sent_ns);
        CHECK_EQ_U(bu->last_sent_ns, last);
        CHECK(bu->span_ns <= SL_BURST_WINDOW_NS);
        for (size_t q = 0; q < bu->count; q++) {
            CHECK(bu->requests[q].done_ns > last); /* in flight at the last send */
            nworkers += !workers_seen[bu->requests[q].worker]++;
            for (size_t o = 0; o < q; o++)
                CHECK(bu->requests[o].worker != bu->requests[q].worker ||
                      bu->requests[o].port != bu->requests[q].port);
        }
        CHECK(nworkers >= 2);
    }
    sl_concurrency_free(&c);

    CHECK(sl_concurrency_analyze(NULL, 0, T0, &closed, &c) == 0);
    CHECK_EQ_U(c.sends, 0);
    return check_report();
}
