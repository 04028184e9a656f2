/*
 * board: what each worker has done, kept in memory shared with the parent (MAP_SHARED, made
 * before fork) so that it survives the worker's death. Each worker writes only its own slot,
 * with plain stores: its counts, how far it got in its schedule, the request in flight on each
 * of its connections, and the trace lines it has not yet written to its part of the trace.
 * The parent reads a slot only after the worker has exited (waitpid orders the reads), except
 * for sl_board_live, which reads each count while the worker runs.
 */
#ifndef SOAPLOAD_BOARD_H
#define SOAPLOAD_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "core/counts.h"
#include "core/flow.h"

#define SL_BOARD_ID_CAP 512    /* bytes of a request's ID kept for its trace line */
#define SL_BOARD_TAIL 65536    /* trace bytes a worker keeps before writing its part */
#define SL_TRACE_LINE_MAX 2048 /* a trace line longer than this is written on its own */
#define SL_BOARD_ERROR_CAP 160 /* bytes kept of a transport error's message */

/* The request in flight on one connection. */
typedef struct {
    uint64_t seq, due_ns;
    uint64_t sent_ns;   /* 0 until libcurl starts writing it */
    uint64_t traced_at; /* the worker's trace bytes when its line began; UINT64_MAX: none yet */
    uint64_t next_j;    /* open model: the schedule's entries taken, this one included */
    uint32_t busy;
    int32_t op; /* soapload.operations index, or -1 */
    uint16_t port, id_len;
    char id[SL_BOARD_ID_CAP];
} sl_board_conn_t;

/* One worker's slot; its connections follow it. */
typedef struct {
    sl_counts_t counts;          /* exact at every moment */
    uint64_t next_j;             /* open model: schedule entries taken so far */
    uint64_t last_seq;           /* the last sequence number used */
    uint64_t trace_committed;    /* bytes of the worker's part that hold whole lines */
    uint64_t trace_len;          /* bytes of tail[] not yet in the part */
    int trace_errno;             /* the first write error of the part, or 0 */
    int stop_signal;             /* the signal that stopped the worker, or 0 */
    uint64_t aborted;            /* open model: not sent because the run was aborted */
    uint64_t resent_unprocessed; /* written again after a GOAWAY left them unprocessed */
    char first_error[SL_R_COUNT][SL_BOARD_ERROR_CAP]; /* libcurl's first message per kind */
    sl_flow_live_t flows[SL_FLOW_MAX]; /* soapload.flows: each flow's counts so far */
    char tail[SL_BOARD_TAIL];
} sl_board_worker_t;

/* A script's own ID of a spooled send record (custom_id set): this header, then len bytes. */
typedef struct {
    uint64_t seq;
    uint16_t worker, len;
    uint32_t pad;
} sl_idrec_t;

typedef struct {
    void *mem;
    size_t size, stride;
    int nworkers, conns;
    int *part_fds; /* one trace part per worker (unnamed files), or NULL without a trace */
} sl_board_t;

/** Maps the board for nworkers workers of at most conns connections each and, when
 * with_trace, opens one unnamed trace part per worker. Returns 0, or -1 with err. */
int sl_board_create(sl_board_t *b, int nworkers, int conns, int with_trace, char *err,
                    size_t errlen);
/** Unmaps the board and closes the parts. */
void sl_board_free(sl_board_t *b);
/** Worker i's slot. */
sl_board_worker_t *sl_board_worker(const sl_board_t *b, int i);
/** Connection c of a worker's slot. */
sl_board_conn_t *sl_board_conn(sl_board_worker_t *w, int c);

/** Parent side, while the workers run: sums each worker's counts into *counts and its busy
 * connections into *in_flight; an open-model worker's scheduled requests are those it took
 * from its schedule so far (the ones due and not taken join, as not sent, when sending ends).
 * Each count is read whole and only grows; counts read together may be a request apart. */
void sl_board_live(const sl_board_t *b, sl_counts_t *counts, uint64_t *in_flight);
/** Parent side, while the workers run: sums the counts of the first n flows of every worker
 * into flows[0..n) (zeroed first). */
void sl_board_live_flows(const sl_board_t *b, int n, sl_flow_live_t *flows);

/* The connection a request was sent on, for its trace line. */
typedef struct {
    uint32_t conn;   /* the worker's connection number, 1 for the first it opened */
    uint32_t stream; /* HTTP/2: the stream ID (1, 3, 5...); HTTP/1: the request's number on
                      * its connection (1, 2, 3...) */
} sl_trace_conn_t;

/* The flow a request is a step of, for its trace line. */
typedef struct {
    const char *name; /* the flow's name (letters, digits, '_', '-', '.': no quoting) */
    uint64_t number;  /* the worker's number of that flow, from 1 (with the pid: one flow) */
    int step;         /* the step, from 1 */
    uint32_t retry;   /* 0: the step's request; 1, 2...: its retries */
} sl_trace_flow_t;

/* The header of --trace (without its newline). The last four columns came with flows: readers
 * accept the trace without them too (SL_TRACE_HEADER_V1). */
#define SL_TRACE_HEADER_V1                                                                         \
    "id,worker_pid,local_port,due,sent,first_byte,done,status,operation,conn,stream,outcome"
#define SL_TRACE_HEADER SL_TRACE_HEADER_V1 ",flow,flow_number,step,retry"

/** The bytes of trace a worker has made so far, in its part and its tail. */
static inline uint64_t sl_board_trace_bytes(const sl_board_worker_t *w)
{
    return __atomic_load_n(&w->trace_committed, __ATOMIC_ACQUIRE) +
           __atomic_load_n(&w->trace_len, __ATOMIC_ACQUIRE);
}

/** Formats one trace line (the CSV of --trace, with its newline) into out (cap bytes, at
 * least SL_TRACE_LINE_MAX); times are monotonic (0: none), written as wall clock; operation
 * is the request's soapload.operations name (NULL or "": none; names need no quoting); tc is
 * NULL for a request never sent; tf is NULL for a request of no flow (the flow columns stay
 * empty). Returns its length, or 0 when it does not fit. */
size_t sl_trace_format(char *out, size_t cap, int64_t realtime_offset, const char *id,
                       size_t id_len, int pid, int port, uint64_t due, uint64_t sent,
                       uint64_t first_byte, uint64_t done, long status, const char *operation,
                       const sl_trace_conn_t *tc, const char *outcome, const sl_trace_flow_t *tf);
/** Worker side: adds a line to the tail, writing the tail to the part first when it is full.
 * Returns 0, or -1 once the part could not be written (trace_errno says why). */
int sl_board_trace_add(sl_board_worker_t *w, int part_fd, const char *line, size_t len);
/** Worker side: writes the tail to the part. Returns 0 or -1 (trace_errno). */
int sl_board_trace_flush(sl_board_worker_t *w, int part_fd);
/** Parent side, after worker i exited: cuts its part to the committed lines and appends the
 * tail it left. Returns 0, or -1 with errno. */
int sl_board_trace_salvage(sl_board_t *b, int i);
/** Parent side: appends worker i's part to fd. Returns 0, or -1 with errno. */
int sl_board_trace_copy(sl_board_t *b, int i, int fd);

#endif
