/*
 * stats: the mock's counters. Each server thread owns one slot and is its only writer; a
 * request's counts and its ID are recorded in one step under the slot's own lock, which only a
 * reset or a reader ever contends, so a reset or a /stats read sees every request whole. Request
 * IDs go into a sharded set (distinct and duplicate counts) bounded by a memory ceiling and,
 * optionally, a log file for offline reconciliation.
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
    SL_OUT_FAULT_SECURITY,
    SL_OUT_BAD_MEDIA_TYPE,
    SL_OUT_BAD_METHOD,
    SL_OUT_NOT_FOUND,
    SL_OUT_WSDL,
    SL_OUT_FAULT_TRIGGER, /* --fault-when */
    SL_OUT_FAULT_SESSION, /* --sessions: a refused login or an invalid token */
    SL_OUT_COUNT
} sl_outcome_t;

/* How a request travelled (flags). */
#define SL_REQ_HTTP2 1u
#define SL_REQ_TLS 2u

/* The smallest --id-memory: a 64-slot table per shard. */
#define SL_STATS_MIN_ID_MEMORY (64u * 1024u)

typedef struct sl_stats sl_stats_t;

typedef struct {
    int threads;
    const char *id_log; /* NULL: no log */
    size_t id_memory;   /* ceiling of the ID set's tables in bytes; 0: no ID set (--no-ids) */
} sl_stats_config_t;

/* Everything the counters say at one instant. */
typedef struct {
    uint64_t by_outcome[SL_OUT_COUNT];
    uint64_t requests; /* the sum of by_outcome */
    uint64_t bytes;
    uint64_t http1, http2, tls;
    uint64_t ids;           /* IDs received */
    uint64_t distinct;      /* distinct IDs kept in the set */
    uint64_t dups;          /* IDs found in the set again */
    uint64_t untracked;     /* IDs not found in a full set and not added: duplicates unknown */
    uint64_t set_bytes;     /* what the set's tables hold now */
    uint64_t set_max_bytes; /* what they may grow to (--id-memory rounded down); 0: no set */
    uint64_t max_distinct;  /* the distinct IDs they hold at most (3/4 of the slots); 0: no set */
    uint64_t accepted, open, max_open;
    uint64_t in_progress, max_in_progress;
    uint64_t signatures[4]; /* --wsse-verify-cert: valid, invalid, missing, expired */
    const char *tracking;   /* "exact", "partial" (untracked > 0) or "off" */
} sl_stats_snapshot_t;

/** Creates the counters. The ID log is opened for appending (never truncated); see
 * sl_stats_log_existing. Returns NULL with a message in err on failure. */
sl_stats_t *sl_stats_create(const sl_stats_config_t *cfg, char *err, size_t errlen);
/** Flushes the ID log and frees everything. */
void sl_stats_destroy(sl_stats_t *st);
/** Bytes the ID log already held when it was opened (0 when new or when there is no log). */
uint64_t sl_stats_log_existing(const sl_stats_t *st);

/** Counts one request of thread `t`: its outcome, `bytes` of request body, how it travelled
 * (SL_REQ_* flags) and its ID (len 0: none) into the set and the log, as one step that a reset
 * or a reader never splits. */
void sl_stats_record(sl_stats_t *st, int t, sl_outcome_t outcome, size_t bytes, unsigned how,
                     const char *id, size_t id_len);
/** Notes the verdict (sl_wsse_sig_t) on the signature of thread t's next request: counted
 * with it by sl_stats_record. Only thread t calls it. */
void sl_stats_note_signature(sl_stats_t *st, int t, int verdict);
/** Writes thread t's buffered part of the ID log to the file; only thread t, or anyone once
 * every server thread has stopped, may call it. */
void sl_stats_flush_log(sl_stats_t *st, int t);

/** A request entered / left the handler (delayed responses stay in progress). */
void sl_stats_begin(sl_stats_t *st);
void sl_stats_end(sl_stats_t *st);
/** Thread t accepted a connection / a connection closed. */
void sl_stats_conn_open(sl_stats_t *st, int t);
void sl_stats_conn_close(sl_stats_t *st);

/** Reads every counter at one instant (no request is half counted). */
void sl_stats_read(sl_stats_t *st, sl_stats_snapshot_t *s);
/** Renders a snapshot as JSON into buf; returns the length (0 when cap is too small). */
size_t sl_stats_json(const sl_stats_snapshot_t *s, int threads, char *buf, size_t cap);
/** Zeroes every counter and forgets the IDs seen, at one instant with respect to every request
 * (the ID log is left as it is). */
void sl_stats_reset(sl_stats_t *st);

/** Name of an outcome as it appears in the JSON. */
const char *sl_outcome_name(sl_outcome_t o);

#endif
