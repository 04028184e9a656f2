/*
 * test_crossburst: the proof across segments on hand-made timelines. A burst needs requests of
 * at least two segments in flight together, sent and due within the window, on distinct
 * connections; requests of one segment alone, one after another's end, spread over more than
 * the window or due apart are no burst.
 */
#include "unit.h"
#include "core/crossburst.h"

#define US 1000LL
#define MS 1000000LL
#define T0 1795793400000000000LL /* 2026-11-27, in ns since the epoch */

static sl_xrec_t rec(int segment, int pid, int conn, double due_ms, double sent_ms, double done_ms)
{
    return (sl_xrec_t){.due_ns = due_ms < 0 ? 0 : T0 + (int64_t)(due_ms * MS),
                       .sent_ns = sent_ms < 0 ? 0 : T0 + (int64_t)(sent_ms * MS),
                       .done_ns = done_ms < 0 ? 0 : T0 + (int64_t)(done_ms * MS),
                       .pid = pid,
                       .conn = (uint32_t)conn,
                       .port = (uint16_t)(40000 + pid * 10 + conn),
                       .segment = (uint16_t)segment};
}

static const sl_xrule_t one_ms = {.window_ns = MS, .min_requests = 2, .min_segments = 2};

int main(void)
{
    sl_xproof_t p;

    /* two segments, sent 0.2 ms apart, both in flight at the second send: one burst */
    sl_xrec_t a[] = {rec(1, 20, 1, 10, 10.2, 15), rec(0, 10, 1, 10, 10.0, 15)};
    CHECK(sl_crossburst_find(a, 2, &one_ms, &p) == 0);
    CHECK_EQ_U(p.sends, 2);
    CHECK_EQ_U(p.nsegments, 2);
    CHECK_EQ_U(p.bursts, 1);
    CHECK_EQ_U(p.largest.count, 2);
    CHECK_EQ_U(p.largest.segments, 2);
    CHECK_EQ_U(p.largest.span_ns, 200 * US);
    CHECK_EQ_U(p.ntightest, 1);
    CHECK_EQ_U(p.tightest[0].shown, 2);
    CHECK_EQ_U(p.tightest[0].members[0].segment, 0); /* in send order */
    CHECK_EQ_U(p.tightest[0].members[1].segment, 1);

    /* the first ended before the second was sent: never in flight together */
    sl_xrec_t b[] = {rec(0, 10, 1, 10, 10.0, 10.1), rec(1, 20, 1, 10, 10.2, 15)};
    CHECK(sl_crossburst_find(b, 2, &one_ms, &p) == 0);
    CHECK_EQ_U(p.bursts, 0);
    CHECK_EQ_U(p.largest.count, 0);
    CHECK_EQ_U(p.ntightest, 0);
    /* ended at the very instant of the other's send: not in flight together either */
    b[0].done_ns = b[1].sent_ns;
    CHECK(sl_crossburst_find(b, 2, &one_ms, &p) == 0);
    CHECK_EQ_U(p.bursts, 0);

    /* sent 2 ms apart: more than the window; a 3 ms window takes them */
    sl_xrec_t c[] = {rec(0, 10, 1, -1, 10.0, 20), rec(1, 20, 1, -1, 12.0, 20)};
    CHECK(sl_crossburst_find(c, 2, &one_ms, &p) == 0);
    CHECK_EQ_U(p.bursts, 0);
    sl_xrule_t three_ms = one_ms;
    three_ms.window_ns = 3 * MS;
    CHECK(sl_crossburst_find(c, 2, &three_ms, &p) == 0);
    CHECK_EQ_U(p.bursts, 1);
    CHECK_EQ_U(p.largest.span_ns, 2 * MS);

    /* the window's edge (inclusive): sent exactly 1.0 ms apart is a burst, 1 ns more is none;
       0.5 ms apart under a 0.4 ms window none; the same for due times */
    sl_xrec_t edge[] = {rec(0, 10, 1, -1, 10.0, 20), rec(1, 20, 1, -1, 11.0, 20)};
    CHECK(sl_crossburst_find(edge, 2, &one_ms, &p) == 0);
    CHECK_EQ_U(p.bursts, 1);
    CHECK_EQ_U(p.largest.span_ns, MS);
    edge[1].sent_ns += 1;
    CHECK(sl_crossburst_find(edge, 2, &one_ms, &p) == 0);
    CHECK_EQ_U(p.bursts, 0);
    sl_xrec_t half[] = {rec(0, 10, 1, -1, 10.0, 20), rec(1, 20, 1, -1, 10.5, 20)};
    sl_xrule_t short_window = one_ms;
    short_window.window_ns = 400 * US;
    CHECK(sl_crossburst_find(half, 2, &short_window, &p) == 0);
    CHECK_EQ_U(p.bursts, 0);
    sl_xrec_t due_edge[] = {rec(0, 10, 1, 10.0, 12.0, 20), rec(1, 20, 1, 11.0, 12.1, 20)};
    CHECK(sl_crossburst_find(due_edge, 2, &one_ms, &p) == 0);
    CHECK_EQ_U(p.bursts, 1);
    due_edge[1].due_ns += 1;
    CHECK(sl_crossburst_find(due_edge, 2, &one_ms, &p) == 0);
    CHECK_EQ_U(p.bursts, 0);

    /* two processes of one segment in flight together: concurrency, but not across segments */
    sl_xrec_t d[] = {rec(0, 10, 1, 10, 10.0, 15), rec(0, 11, 1, 10, 10.1, 15)};
    CHECK(sl_crossburst_find(d, 2, &one_ms, &p) == 0);
    CHECK_EQ_U(p.nsegments, 1);
    CHECK_EQ_U(p.bursts, 0);

    /* due 10 ms apart, sent together because one process caught up after a stall: no burst */
    sl_xrec_t e[] = {rec(0, 10, 1, 0, 10.0, 15), rec(1, 20, 1, 10, 10.1, 15)};
    CHECK(sl_crossburst_find(e, 2, &one_ms, &p) == 0);
    CHECK_EQ_U(p.bursts, 0);

    /* two streams on one connection count once: the largest burst has 2 connections, 3 sends
       skipped to 2 (the later stream of connection 1 is taken, the earlier one left out) */
    sl_xrec_t f[] = {rec(0, 10, 1, 10, 10.0, 15), rec(0, 10, 1, 10, 10.1, 15),
                     rec(1, 20, 1, 10, 10.2, 15)};
    CHECK(sl_crossburst_find(f, 3, &one_ms, &p) == 0);
    CHECK_EQ_U(p.bursts, 1);
    CHECK_EQ_U(p.largest.count, 2);
    CHECK_EQ_U(p.largest.span_ns, 100 * US);

    /* three instants 20 ms apart, each with 2 requests of each of 2 segments: every instant a
       burst of 4 (the largest), and one smallest burst each that overlaps no other; not sent,
       and sent but never ended, are left out */
    sl_xrec_t g[14];
    int k = 0;
    for (int t = 0; t < 3; t++)
        for (int s = 0; s < 2; s++)
            for (int w = 0; w < 2; w++) {
                double at = 20.0 * t + 0.05 * (2 * s + w);
                g[k++] = rec(s, 10 * (s + 1) + w, 1, 20.0 * t, at, at + 5);
            }
    g[k++] = rec(0, 10, 2, 40, -1, 45);    /* never sent */
    g[k++] = rec(1, 20, 2, 40, 40.01, -1); /* never ended (its worker died) */
    CHECK(sl_crossburst_find(g, (size_t)k, &one_ms, &p) == 0);
    CHECK_EQ_U(p.sends, 12);
    CHECK_EQ_U(p.bursts, 3);
    CHECK_EQ_U(p.largest.count, 4);
    CHECK_EQ_U(p.largest.segments, 2);
    CHECK_EQ_U(p.largest.span_ns, 150 * US);
    CHECK_EQ_U(p.ntightest, 3);
    for (int i = 0; i < p.ntightest; i++) {
        CHECK_EQ_U(p.tightest[i].count, 2); /* the second process of 0, the first of 1 */
        CHECK_EQ_U(p.tightest[i].span_ns, 50 * US);
        CHECK_EQ_U(p.tightest[i].members[0].segment, 0);
        CHECK_EQ_U(p.tightest[i].members[1].segment, 1);
    }

    /* at least 3 segments: the same instants hold only 2 */
    sl_xrule_t three = one_ms;
    three.min_segments = three.min_requests = 3;
    CHECK(sl_crossburst_find(g, 12, &three, &p) == 0);
    CHECK_EQ_U(p.bursts, 0);
    sl_xrec_t h[] = {rec(0, 10, 1, 10, 10.0, 15), rec(1, 20, 1, 10, 10.1, 15),
                     rec(2, 30, 1, 10, 10.3, 15)};
    CHECK(sl_crossburst_find(h, 3, &three, &p) == 0);
    CHECK_EQ_U(p.bursts, 1);
    CHECK_EQ_U(p.largest.segments, 3);
    CHECK_EQ_U(p.tightest[0].span_ns, 300 * US);

    /* a rule that proves nothing is refused */
    sl_xrule_t bad = one_ms;
    bad.min_segments = 1;
    CHECK(sl_crossburst_find(h, 3, &bad, &p) == -1);
    bad = one_ms;
    bad.window_ns = 0;
    CHECK(sl_crossburst_find(h, 3, &bad, &p) == -1);
    CHECK(sl_crossburst_find(NULL, 0, &one_ms, &p) == 0 && p.bursts == 0);
    return check_report();
}
