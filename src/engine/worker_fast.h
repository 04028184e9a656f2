/*
 * worker_fast: a worker's glue to the HTTP/1.1 fast path (engine/h1conn.h): a connection of
 * its own for each slot, each request handed to it when it takes it, and its ends fed into
 * the accounting of libcurl's path (worker_send.c's send count, worker_done.c's completion).
 */
#ifndef SOAPLOAD_WORKER_FAST_H
#define SOAPLOAD_WORKER_FAST_H

#include <stddef.h>

#include "engine/worker_state.h"

/** Opens the fast path for every slot when the run may take it (sl_h1_usable). Returns 0, or
 * -1 with w->err. */
int sl_worker_fast_open(sl_worker_t *w);
/** Hands the request on slot s (its body: body[0..len), kept until it ends) to the fast path.
 * Returns 1 when it took it (it may have ended already), 0 when libcurl's path must send it:
 * the slot then stays with libcurl, its fast connection closed. */
int sl_worker_fast_start(sl_worker_t *w, sl_slot_t *s, const char *body, size_t len);

#endif
