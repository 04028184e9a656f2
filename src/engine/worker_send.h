/*
 * worker_send: sending one request: its ID, request() or the built-in body, the options on
 * libcurl's handle (the head from engine/head.h, method, path, cookie), the signature and
 * attachments, then the handle into the multi; and the transfer's callbacks (the send time,
 * the response's body and header lines).
 */
#ifndef SOAPLOAD_WORKER_SEND_H
#define SOAPLOAD_WORKER_SEND_H

#include <stdint.h>

#include "engine/worker_state.h"

/** Makes slot s's easy handle with the run's options. Returns 0, or -1 (no handle, or the
 * GOAWAY watch failed). */
int sl_worker_send_setup_slot(sl_worker_t *w, sl_slot_t *s);
/** Builds and starts one request due at due_ns on the first free slot (there must be one).
 * Returns 1 when it took the slot, 0 when the request ended before (counted: request() raised,
 * or no memory for its body). */
int sl_worker_send_dispatch(sl_worker_t *w, uint64_t due_ns);

#endif
