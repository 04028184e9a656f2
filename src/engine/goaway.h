/*
 * goaway: HTTP/2 streams that a server's GOAWAY left unprocessed (RFC 9113 6.8: those above its
 * last_stream_id were never processed and may be retried). libcurl 7.88 does not say which
 * transfers they were: it fails them (or wants to write them again) like requests on a
 * connection that died. Its verbose text does say each transfer's stream ID and the GOAWAY's
 * last_stream_id; this module reads them, so that the worker can send those requests again
 * (once in the counts, with the same ID) instead of counting the server's refusal as a failure.
 */
#ifndef SOAPLOAD_GOAWAY_H
#define SOAPLOAD_GOAWAY_H

#include <stddef.h>

#include <curl/curl.h>

#define SL_GOAWAY_MAX_RESENDS 3 /* a request refused more often than this fails */

typedef struct sl_goaway sl_goaway_t;

/* One transfer's stream, as its slot keeps it. */
typedef struct {
    sl_goaway_t *all;
    unsigned stream_id; /* 0: not known */
    int port;           /* the local port of its connection (0: not on one) */
    int refused;        /* a GOAWAY said the server did not process it */
    int resends;        /* times libcurl wrote it again after a GOAWAY refused it */
    int requeues;       /* times the worker handed it back to libcurl after a GOAWAY */
} sl_goaway_stream_t;

/* A worker's streams, to mark those of a connection that got a GOAWAY. */
struct sl_goaway {
    sl_goaway_stream_t **streams;
    int n, cap;
    int ids_seen; /* libcurl's text named a stream ID: its dialect is the one read here */
};

/** Watches transfer e (an --http 2 run): libcurl's verbose text goes to a callback that keeps
 * its stream ID and marks the streams a GOAWAY refused. Returns 0, or -1 when out of memory. */
int sl_goaway_watch(sl_goaway_t *g, CURL *e, sl_goaway_stream_t *s);
/** Reads one of libcurl's informational texts (len bytes, not terminated) that transfer s
 * logged: its stream ID, or a GOAWAY received on its connection. A GOAWAY counts only when s
 * is on a connection (written there and not refused since, so that its port names the
 * connection); then the streams of that connection above last_stream_id are marked refused,
 * and so are those with no stream yet once libcurl's text is known to name stream IDs. */
void sl_goaway_text(sl_goaway_stream_t *s, const char *text, size_t len);
/** A new request on the stream's transfer: nothing known yet. */
void sl_goaway_reset(sl_goaway_stream_t *s);
/** Whether a request that was written once may be written again (on connection `port`): 1
 * when a GOAWAY refused it and it was sent again fewer than SL_GOAWAY_MAX_RESENDS times (it is
 * then counted as resent), else 0. */
int sl_goaway_resend(sl_goaway_stream_t *s, int port);
/** libcurl gave up on a request a GOAWAY refused: 1 when the worker may hand it back for a
 * new connection (fewer than SL_GOAWAY_MAX_RESENDS times so far; the stream is then on no
 * connection until written again), else 0 (it ends by what failed). */
int sl_goaway_requeue(sl_goaway_stream_t *s);
/** Frees the list (not the streams, which the slots own). */
void sl_goaway_free(sl_goaway_t *g);

#endif
