/*
 * test_concurrency: in-flight counts, the busy share and the bursts on hand-made timelines.
 */
#include "unit.h"
#include "core/concurrency.h"

#define MS 1000000ULL
#define T0 1000000000000ULL

static sl_sendrec_t rec(double sent_ms, double done_ms, uint16_t worker, uint16_t port,
                        uint32_t seq)
{
    return (sl_sendrec_t){
        T0 + (uint64_t)(sent_ms * MS), T0 + (uint64_t)(done_ms * MS), seq, port, worker, 0};
}

int main(void)
{
    /* sequential requests: never more than one in flight, no burst */
    sl_sendrec_t seq[] = {rec(0, 1, 0, 100, 1), rec(2, 3, 1, 200, 1), rec(4, 5, 0, 100, 2),
                          rec(6, 7, 1, 200, 2)};
    sl_concurrency_t c;
    CHECK(sl_concurrency_analyze(seq, 4, T0, 4, 2, &c) == 0);
    CHECK_EQ_U(c.sends, 4);
    CHECK_EQ_U(c.in_flight_max, 1);
    CHECK_EQ_U(c.sent_while_busy, 0);
    CHECK_EQ_U(c.connections, 2);
    CHECK_EQ_U(c.nbursts, 0);
    /* busy 4 ms of 7: mean 4/7 */
    CHECK(c.in_flight_mean > 0.571 && c.in_flight_mean < 0.572);
    sl_concurrency_free(&c);

    /* a burst of 4 on 4 connections of 2 workers within 0.3 ms, then a looser one */
    sl_sendrec_t b[] = {
        rec(10.0, 12, 0, 1001, 1),     rec(10.1, 12, 0, 1002, 2),
        rec(10.2, 12, 1, 2001, 1),     rec(10.3, 12, 1, 2002, 2),
        rec(20.0, 21, 0, 1001, 3),     rec(21.0, 25, 0, 1002, 4),
        rec(22.0, 25, 1, 2001, 3),     rec(23.0, 25, 1, 2002, 4),
        {0, T0 + 30 * MS, 5, 0, 1, 0}, /* never sent (a failed connect): left out */
    };
    b[3].seq = 5000000000ULL; /* a worker's 5 billionth request keeps its number whole */
    CHECK(sl_concurrency_analyze(b, 9, T0, 4, 2, &c) == 0);
    CHECK_EQ_U(c.sends, 8);
    CHECK_EQ_U(c.in_flight_max, 4);
    CHECK_EQ_U(c.sent_while_busy, 3 + 2); /* 3 in the first burst, 2 more from 22 ms on */
    CHECK_EQ_U(c.connections, 4);
    CHECK(c.nbursts == 2);
    CHECK_EQ_U(c.bursts[0].span_ns, 300000);
    CHECK_EQ_U(c.bursts[0].count, 4);
    CHECK_EQ_U(c.bursts[0].requests[0].port, 1001);
    CHECK_EQ_U(c.bursts[0].requests[3].port, 2002);
    CHECK_EQ_U(c.bursts[0].requests[3].seq, 5000000000ULL);
    CHECK_EQ_U(c.bursts[1].span_ns, 3 * MS);
    CHECK_EQ_U(c.nseconds, 1);
    CHECK_EQ_U(c.seconds[0].max, 4);
    sl_concurrency_free(&c);

    /* 4 requests within 0.1 ms but from one worker only: no burst by the definition */
    sl_sendrec_t one[] = {rec(1.00, 2, 0, 1, 1), rec(1.03, 2, 0, 2, 2), rec(1.06, 2, 0, 3, 3),
                          rec(1.09, 2, 0, 4, 4)};
    CHECK(sl_concurrency_analyze(one, 4, T0, 4, 2, &c) == 0);
    CHECK_EQ_U(c.nbursts, 0);
    CHECK_EQ_U(c.in_flight_max, 4);
    sl_concurrency_free(&c);

    /* 2 workers but the same connection twice: 3 distinct connections are not enough */
    sl_sendrec_t reuse[] = {rec(1.00, 1.01, 0, 1, 1), rec(1.02, 1.03, 0, 1, 2),
                            rec(1.04, 2, 1, 7, 1), rec(1.05, 2, 1, 8, 2)};
    CHECK(sl_concurrency_analyze(reuse, 4, T0, 4, 2, &c) == 0);
    CHECK_EQ_U(c.nbursts, 0);
    sl_concurrency_free(&c);

    CHECK(sl_concurrency_analyze(NULL, 0, T0, 4, 2, &c) == 0);
    CHECK_EQ_U(c.sends, 0);
    return check_report();
}
