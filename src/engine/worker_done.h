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
/** Ends every request in flight as cancelled. */
void sl_worker_done_cancel(sl_worker_t *w);

#endif
