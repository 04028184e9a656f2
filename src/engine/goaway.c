/*
 * goaway: reads libcurl's verbose text for two facts of an HTTP/2 connection: "Using Stream ID:
 * N" (a transfer's stream) and "GOAWAY, error=E, last_stream=L" (logged by a transfer of the
 * connection that received it). Every other message is ignored; nothing is printed. With a
 * libcurl whose text differs, nothing is marked and such requests stay failures, as before.
 */
#include "engine/goaway.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Marks the streams of the connection on `port` above last as refused. */
static void refuse_above(sl_goaway_t *g, int port, unsigned last)
{
    for (int i = 0; i < g->n; i++) {
        sl_goaway_stream_t *s = g->streams[i];
        /* 0: written to libcurl but no stream opened yet, so never on the wire; known only
         * once libcurl's text has named stream IDs (else every stream would look so) */
        if (s->port == port && (s->stream_id > last || (s->stream_id == 0 && g->ids_seen)))
            s->refused = 1;
    }
}

void sl_goaway_text(sl_goaway_stream_t *s, const char *data, size_t size)
{
    char text[160];
    const char *at;
    unsigned id, last;
    if (size < 16)
        return;
    size = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
    memcpy(text, data, size);
    text[size] = '\0';
    if (sscanf(text, "Using Stream ID: %u", &id) == 1) {
        s->stream_id = id;
        s->all->ids_seen = 1;
    } else if (strncmp(text, "Received 101, Switching to HTTP/2", 33) == 0) {
        s->stream_id = 1; /* h2c by Upgrade: the request that asked is stream 1 */
    } else if ((at = strstr(text, "GOAWAY, error=")) != NULL &&
               (at = strstr(at, "last_stream=")) != NULL &&
               sscanf(at, "last_stream=%u", &last) == 1 && s->port > 0 && !s->refused) {
        /* a refused transfer still has the port of the connection it left: the GOAWAY it
         * logs (another connection's, read while it looks for one) is not that one's */
        refuse_above(s->all, s->port, last);
    }
}

static int on_debug(CURL *e, curl_infotype type, char *data, size_t size, void *userp)
{
    (void)e;
    if (type == CURLINFO_TEXT)
        sl_goaway_text(userp, data, size);
    return 0;
}

int sl_goaway_watch(sl_goaway_t *g, CURL *e, sl_goaway_stream_t *s)
{
    if (g->n == g->cap) {
        int cap = g->cap ? 2 * g->cap : 64;
        sl_goaway_stream_t **p = realloc(g->streams, (size_t)cap * sizeof(*p));
        if (p == NULL)
            return -1;
        g->streams = p;
        g->cap = cap;
    }
    g->streams[g->n++] = s;
    memset(s, 0, sizeof(*s));
    s->all = g;
    curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(e, CURLOPT_DEBUGDATA, s);
    curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
    return 0;
}

void sl_goaway_reset(sl_goaway_stream_t *s)
{
    s->stream_id = 0;
    s->port = 0;
    s->refused = 0;
    s->resends = 0;
    s->requeues = 0;
}

int sl_goaway_resend(sl_goaway_stream_t *s, int port)
{
    if (s->all == NULL || !s->refused || s->resends >= SL_GOAWAY_MAX_RESENDS)
        return 0;
    s->refused = 0;
    s->resends++;
    s->stream_id = 0;
    s->port = port;
    return 1;
}

int sl_goaway_requeue(sl_goaway_stream_t *s)
{
    /* bounded: a connection that cannot be made again ends the transfer before it is written,
     * and nothing else would stop handing it back */
    if (s->all == NULL || !s->refused || s->requeues >= SL_GOAWAY_MAX_RESENDS ||
        s->resends >= SL_GOAWAY_MAX_RESENDS)
        return 0;
    s->requeues++;
    s->stream_id = 0;
    s->port = 0;
    return 1;
}

void sl_goaway_free(sl_goaway_t *g)
{
    free(g->streams);
    memset(g, 0, sizeof(*g));
}
