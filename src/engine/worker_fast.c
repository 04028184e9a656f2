/*
 * worker_fast: the fast path's two callbacks speak the worker's language: "about to be
 * written" is what on_prereq counts for libcurl, "ended" is what libcurl's CURLMSG_DONE is.
 */
#include "engine/worker_fast.h"

#include <stdio.h>

#include "engine/worker_done.h"
#include "engine/worker_count.h"

static void fast_sent(void *owner, int port, int opened)
{
    sl_slot_t *s = owner;
    sl_conns_sent_fast(&s->w->conns, port, opened, &s->tconn);
    sl_worker_count_sent(s->w, s, port);
}

/* A request on the fast path ended: the same accounting as libcurl's. */
static void fast_done(void *owner, const sl_h1_done_t *d)
{
    sl_slot_t *s = owner;
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
    for (int i = 0; i < w->nslots; i++)
        w->slots[i].h1 = sl_h1_conn(&w->h1, i);
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
