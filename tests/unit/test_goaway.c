/*
 * test_goaway: which requests a GOAWAY marks as never processed, from the texts libcurl 7.88
 * logs ("Using Stream ID: N (easy handle P)", "recveived GOAWAY, error=E, last_stream=L"): only
 * the streams of the connection that received it, above last_stream_id; never from a transfer
 * that is between connections (refused, or handed back), whose port is stale; streams without
 * an ID only once libcurl's text is known to name IDs; resends and hand-backs bounded.
 */
#include "unit.h"
#include "engine/goaway.h"

static void text(sl_goaway_stream_t *s, const char *t)
{
    sl_goaway_text(s, t, strlen(t));
}

/* Transfer s written on the connection of local port `port`, as stream `id` (0: none yet). */
static void on_conn(sl_goaway_stream_t *s, int port, unsigned id)
{
    char t[64];
    sl_goaway_reset(s);
    s->port = port;
    if (id > 0) {
        snprintf(t, sizeof(t), "Using Stream ID: %u (easy handle 0x1)\n", id);
        text(s, t);
    }
}

int main(void)
{
    sl_goaway_t g = {0};
    sl_goaway_stream_t a[4], b[2];
    CURL *e = curl_easy_init();
    for (int i = 0; i < 4; i++)
        CHECK(sl_goaway_watch(&g, e, &a[i]) == 0);
    for (int i = 0; i < 2; i++)
        CHECK(sl_goaway_watch(&g, e, &b[i]) == 0);

    /* without a stream ID ever named (another libcurl's text), a stream without one is not
     * taken for unopened: nothing but the IDs above last_stream_id would be */
    on_conn(&a[0], 1000, 0);
    text(&a[0], "recveived GOAWAY, error=0, last_stream=1\n");
    CHECK(!a[0].refused);

    /* connection 1000 holds streams 1, 3, 5 and one not opened yet; 2000 holds stream 7 */
    on_conn(&a[0], 1000, 1);
    on_conn(&a[1], 1000, 3);
    on_conn(&a[2], 1000, 5);
    on_conn(&a[3], 1000, 0);
    on_conn(&b[0], 2000, 7);
    text(&a[0], "recveived GOAWAY, error=0, last_stream=3\n");
    CHECK(!a[0].refused);
    CHECK(!a[1].refused);
    CHECK(a[2].refused);
    CHECK(a[3].refused);
    CHECK(!b[0].refused); /* another connection: 7 > 3, but not this GOAWAY's */

    /* a refused transfer still has 1000's port: a GOAWAY it logs while it looks for a new
     * connection (another one's, last_stream 0) says nothing of 1000's streams 1 and 3, which
     * the server may have processed */
    text(&a[2], "recveived GOAWAY, error=0, last_stream=0\n");
    CHECK(!a[0].refused);
    CHECK(!a[1].refused);

    /* written again on connection 3000: counted once as resent, then on 3000 */
    CHECK(sl_goaway_resend(&a[2], 3000) == 1);
    CHECK(!a[2].refused);
    CHECK_EQ_U(a[2].port, 3000);
    CHECK(sl_goaway_resend(&a[0], 3000) == 0); /* never refused: not written again */

    /* handed back (libcurl gave up): on no connection, so what it logs marks nothing */
    CHECK(sl_goaway_requeue(&a[3]) == 1);
    CHECK_EQ_U(a[3].port, 0);
    text(&a[3], "recveived GOAWAY, error=0, last_stream=0\n");
    CHECK(!a[0].refused);
    CHECK(!a[1].refused);
    /* at most SL_GOAWAY_MAX_RESENDS hand-backs, whatever happens in between */
    CHECK(sl_goaway_requeue(&a[3]) == 1);
    CHECK(sl_goaway_requeue(&a[3]) == 1);
    CHECK(sl_goaway_requeue(&a[3]) == 0);
    CHECK(sl_goaway_requeue(&a[0]) == 0); /* never refused */

    /* and at most SL_GOAWAY_MAX_RESENDS resends */
    on_conn(&b[1], 4000, 1);
    for (int i = 0; i < SL_GOAWAY_MAX_RESENDS; i++) {
        text(&b[1], "recveived GOAWAY, error=0, last_stream=0\n");
        CHECK(b[1].refused);
        CHECK(sl_goaway_resend(&b[1], 4001 + i) == 1);
        text(&b[1], "Using Stream ID: 1 (easy handle 0x1)\n");
    }
    text(&b[1], "recveived GOAWAY, error=0, last_stream=0\n");
    CHECK(sl_goaway_resend(&b[1], 5000) == 0);

    /* h2c by Upgrade: the request that asked is stream 1 */
    on_conn(&b[0], 6000, 0);
    text(&b[0], "Received 101, Switching to HTTP/2\n");
    CHECK_EQ_U(b[0].stream_id, 1);

    curl_easy_cleanup(e);
    sl_goaway_free(&g);
    return check_report();
}
