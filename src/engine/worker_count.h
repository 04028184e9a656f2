/*
 * worker_count: a request leaving, counted (see worker_count.c).
 */
#ifndef SOAPLOAD_WORKER_COUNT_H
#define SOAPLOAD_WORKER_COUNT_H

#include "engine/worker_state.h"

/** Counts the request on slot s as sent from local port local_port (libcurl's path calls it
 * just before it writes; the fast path too). */
void sl_worker_count_sent(sl_worker_t *w, sl_slot_t *s, int local_port);
/** Counts a resend of the request on slot s that soapload refused (the reused connection
 * closed without an answer after it was written). */
void sl_worker_count_refused(sl_worker_t *w, sl_slot_t *s);

#endif
