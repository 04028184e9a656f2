/*
 * worker_fast: the fast path's two callbacks speak the worker's language: "about to be
 * written" is what on_prereq counts for libcurl (with a new TLS connection's handshake time),
 * "ended" is what libcurl's CURLMSG_DONE is, and "no TLS session to use" hands the request
 * to libcurl's path as worker_send.c would have.
 */
#include "engine/worker_fast.h"

#include <limits.h>
#include <stdio.h>

#include "core/hist.h"
#include "engine/worker_count.h"
#include "engine/worker_done.h"

static void fast_sent(void *owner, int port, int opened, uint64_t tls_us)
{
    sl_slot_t *s = owner;
    sl_conns_sent_fast(&s->w->conns, port, opened, &s->tconn);
    if (opened && tls_us > 0) /* as sl_conns_sent records libcurl's */
        sl_hist_record(s->w->conns.handshake, tls_us);
    sl_worker_count_sent(s->w, s, port);
}

/* The fast path's connection had no TLS session to use: the request, not written, goes
 * through libcurl's path, and the slot stays there. */
static void fast_fallback(sl_slot_t *s)
{
    size_t len;
    const char *body = sl_request_body(&s->req, &len);
    s->fast = 0;
    s->h1 = NULL;
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_multi_add_handle(s->w->multi, s->easy);
}

/* A request on the fast path ended: the same accounting as libcurl's. */
static void fast_done(void *owner, const sl_h1_done_t *d)
{
    sl_slot_t *s = owner;
    if (d->fallback) {
        fast_fallback(s);
        return;
    }
    s->fast_status = d->status;
    s->fast_up = (curl_off_t)d->uploaded;
    s->status_seen = d->status_seen;
    s->protocol_error = d->protocol_error;
    if (s->first_byte_ns == 0)
        s->first_byte_ns = d->first_byte_ns;
    snprintf(s->errbuf, sizeof(s->errbuf), "%s", d->message);
    if (d->resend_refused) { /* as on_prereq refuses libcurl's resend */
        sl_worker_count_refused(s->w, s);
        s->prereqs = 2;
    }
    sl_worker_done_complete(s->w, s, d->rc);
}

int sl_worker_fast_open(sl_worker_t *w)
{
    if (!sl_h1_usable(w->cfg))
        return 0;
    if (sl_h1_open(&w->h1, w->cfg, &w->transport, w->multi, w->ep, w->headers, w->nslots, fast_sent,
                   fast_done, w->err, sizeof(w->err)) != 0)
        return -1;
    w->fast = 1;
    w->h1.trace = w->a->trace_fd >= 0;
    for (int i = 0; i < w->nslots; i++) {
        w->slots[i].h1 = sl_h1_conn(&w->h1, i);
        /* https: the fast path's TLS connections sit idle in libcurl's one cache, and a connect
         * of this handle (a request on libcurl's path) prunes those older than its own max age:
         * busy sessions would be shut under the fast path's requests */
        if (w->h1.https)
            curl_easy_setopt(w->slots[i].easy, CURLOPT_MAXAGE_CONN, LONG_MAX);
    }
    return 0;
}

int sl_worker_fast_start(sl_worker_t *w, sl_slot_t *s, const char *body, size_t len)
{
    s->fast = 0;
    if (s->h1 == NULL)
        return 0;
    s->fast = 1;
    if (sl_h1_start(s->h1, s, s->req.method, s->req.path.len > 0 ? s->req.path.data : NULL,
                    s->own_headers, s->cookie_set ? s->cookie.data : NULL, body, len, &s->resp_body,
                    w->want_resp_headers ? &s->resp_head : NULL) == 0)
        return 1;
    s->fast = 0;
    sl_h1_drop(s->h1); /* libcurl's path from now on: one connection per slot at a time */
    s->h1 = NULL;
    return 0;
}
