/*
 * worker_record: what a worker keeps of each request: its trace line, its send record in the
 * spool, the per-second counts and histograms sent to the parent, the first script error, and
 * the results of its scenario.
 */
#ifndef SOAPLOAD_WORKER_RECORD_H
#define SOAPLOAD_WORKER_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/counts.h"
#include "core/opstats.h"
#include "engine/worker_state.h"

/** Writes the trace lines kept on the board to this worker's part (an error stays on the
 * board). */
void sl_worker_record_trace_flush(sl_worker_t *w);
/** Adds a request's trace line (nothing without --trace); tc may be NULL (not sent). */
void sl_worker_record_trace_line(sl_worker_t *w, int op, uint32_t flow1, const char *id,
                                 size_t id_len, int local_port, uint64_t due, uint64_t sent,
                                 uint64_t first_byte, uint64_t done, long status,
                                 const sl_trace_conn_t *tc, const char *outcome);
/** A trace line without a connection: the request was never sent. */
void sl_worker_record_unsent(sl_worker_t *w, int op, uint32_t flow1, const char *id, size_t id_len,
                             uint64_t due, const char *outcome);
/** Adds slot s's send record (and its own ID, if the script gave one) to the spool. */
void sl_worker_record_spool(sl_worker_t *w, const sl_slot_t *s, uint64_t done);
/** Sends the parent the first script error's message (msg, the caller's); later ones are
 * only counted. */
void sl_worker_record_script_error(sl_worker_t *w, const char *msg);
/** Counts a request of slot s that request(), signing or packing failed before its send, with
 * the message in w->err: the counts, its operation's and scenario's, the trace line. */
void sl_worker_record_script_error_before_send(sl_worker_t *w, const sl_slot_t *s, const char *id,
                                               size_t id_len, uint64_t due_ns);
/** Closes the current second: its counts and histograms go to the parent. */
void sl_worker_record_second(sl_worker_t *w);
/** Counts a sent request's result r. */
void sl_worker_record_result(sl_worker_t *w, sl_result_t r);
/** Counts a request that ended with r before any byte of it was written. */
void sl_worker_record_before_send(sl_worker_t *w, sl_result_t r);
/** "connect_before_send" (into buf) for r: the trace's outcome of a request not written.
 * Returns buf. */
const char *sl_worker_record_outcome(sl_result_t r, char *buf, size_t len);
/** The results of scenario sc (the tag scenario=NAME), or NULL in a run without scenarios.
 * Owned by the worker's tags. */
sl_op_stats_t *sl_worker_record_scenario(sl_worker_t *w, int sc);
/** Counts, in its scenario's results, a request of the entry being dispatched that ended
 * before it took a slot; script_error, else `failure`, says how. */
void sl_worker_record_scenario_unsent(sl_worker_t *w, int script_error, sl_result_t failure);

#endif
