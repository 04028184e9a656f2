/*
 * worker_count: a request leaving, counted: sent (its time and local port on the slot and the
 * board) or a resend refused. Both paths call it, libcurl's (worker_send.c) and the fast one
 * (worker_fast.c), so that their counts are one.
 */
#include "engine/worker_count.h"

#include "core/monotime.h"

void sl_worker_count_refused(sl_worker_t *w, sl_slot_t *s)
{
    w->counts->retried++;
    w->second_counts.retried++;
    if (s->op >= 0)
        w->ops[s->op].counts.retried++;
}

void sl_worker_count_sent(sl_worker_t *w, sl_slot_t *s, int local_port)
{
    s->sent_ns = sl_monotime_ns();
    s->goaway.port = local_port;
    s->local_port = local_port;
    s->bc->port = (uint16_t)local_port;
    s->bc->sent_ns = s->sent_ns;
    w->counts->sent++;
    w->second_counts.sent++;
    if (s->op >= 0)
        w->ops[s->op].counts.sent++;
}
