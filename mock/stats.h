/*
 * stats: the mock's counters. Each server thread owns one slot and is its only writer, so
 * counting is exact without locks; readers sum the slots. Request IDs go into a sharded set
 * (distinct and duplicate counts) and, optionally, a log file for offline reconciliation.
 */
#ifndef SOAPLOAD_MOCK_STATS_H
#define SOAPLOAD_MOCK_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Outcomes of the requests counted; /stats itself is not counted. */
typedef enum {
    SL_OUT_ECHO,
    SL_OUT_FAULT_CLIENT,
    SL_OUT_FAULT_VERSION,
    SL_OUT_FAULT_INJECTED,
    SL_OUT_BAD_MEDIA_TYPE,
    SL_OUT_BAD_METHOD,
    SL_OUT_NOT_FOUND,
    SL_OUT_WSDL,
    SL_OUT_COUNT
} sl_outcome_t;

typedef struct sl_stats sl_stats_t;

/** Creates the counters for `threads` writers; `id_log` (may be NULL) is a file that receives
 * every ID, one per line. Returns NULL with a message in err on failure. */
sl_stats_t *sl_stats_create(int threads, const char *id_log, char *err, size_t errlen);
/** Flushes the ID log and frees everything. */
void sl_stats_destroy(sl_stats_t *st);

/** Counts one request of thread `t` with `outcome` and `bytes` of request body. */
void sl_stats_count(sl_stats_t *st, int t, sl_outcome_t outcome, size_t bytes);
/** Records a received request ID (thread `t`): set, duplicates, log. */
void sl_stats_id(sl_stats_t *st, int t, const char *id, size_t len);
/** Writes thread t's buffered part of the ID log to the file. */
void sl_stats_flush_log(sl_stats_t *st, int t);

/** A request entered / left the handler (delayed responses stay in progress). */
void sl_stats_begin(sl_stats_t *st);
void sl_stats_end(sl_stats_t *st);
/** A connection was accepted / closed. */
void sl_stats_conn_open(sl_stats_t *st);
void sl_stats_conn_close(sl_stats_t *st);

/** Renders the counters as JSON into buf; returns the length (0 when cap is too small). */
size_t sl_stats_json(sl_stats_t *st, char *buf, size_t cap);
/** Zeroes every counter and forgets the IDs seen (the ID log is left as it is). */
void sl_stats_reset(sl_stats_t *st);
/** Totals for the shutdown line: requests, distinct IDs, duplicates, max in progress,
 * connections accepted. */
void sl_stats_totals(sl_stats_t *st, uint64_t *requests, uint64_t *distinct, uint64_t *dups,
                     uint64_t *max_in_progress, uint64_t *accepted);

/** Name of an outcome as it appears in the JSON. */
const char *sl_outcome_name(sl_outcome_t o);

#endif
