/*
 * worker_done: the end of a request: libcurl's completion read into a result (transport
 * failures, the response checks, the signature and schema checks, response()'s verdict), the
 * failure's reason, the counts by operation and tag, and the slot freed.
 */
#ifndef SOAPLOAD_WORKER_DONE_H
#define SOAPLOAD_WORKER_DONE_H

#include "engine/worker_state.h"

/** Ends every request libcurl has completed. */
void sl_worker_done_collect(sl_worker_t *w);
/** Ends the request on slot s as libcurl's transfer result rc says (the fast path's too:
 * engine/worker_fast.c), or sends it again on a new connection after a GOAWAY. */
void sl_worker_done_complete(sl_worker_t *w, sl_slot_t *s, CURLcode rc);
/** Ends every request in flight as cancelled. */
void sl_worker_done_cancel(sl_worker_t *w);

#endif
