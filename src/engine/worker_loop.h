/*
 * worker_loop: a worker's event loop: what is due is sent (open model: the schedule; closed:
 * the connections the stages allow; flows: their steps), libcurl's sockets and timer are
 * served, seconds are closed, and sending ends at the run's end, on a stop or an abort.
 */
#ifndef SOAPLOAD_WORKER_LOOP_H
#define SOAPLOAD_WORKER_LOOP_H

#include "engine/worker_state.h"

/** The SIGINT/SIGTERM handler: the loop stops sending; a second signal ends the process. */
void sl_worker_loop_on_signal(int sig);
/** The signal that stopped the worker, or 0. */
int sl_worker_loop_interrupted(void);
/** Runs the loop from w->t0 until sending is over and nothing is in flight (or the drain's
 * deadline passed), then closes the last second. */
void sl_worker_loop_run(sl_worker_t *w);

#endif
