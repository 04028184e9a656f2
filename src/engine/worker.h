/*
 * worker: one forked worker process: its Lua state builds the requests, libcurl's multi
 * interface (driven by epoll) sends them at the paced times, and the results go to the parent.
 */
#ifndef SOAPLOAD_WORKER_H
#define SOAPLOAD_WORKER_H

#include <stddef.h>

#include "core/config.h"
#include "engine/board.h"

typedef struct {
    const sl_config_t *cfg;
    const char *script_text;
    size_t script_len;
    int index; /* 0-based */
    int nworkers;
    int connections; /* this worker's share */
    int report_fd;   /* to the parent */
    int control_fd;  /* from the parent: the start time, then 's' to stop; EOF: parent gone */
    int trace_fd;    /* -1, or this worker's part of the trace (see board.h) */
    sl_board_worker_t *board; /* this worker's slot of the shared board */
    int spool_fd;             /* the parent's file of sl_sendrec_t records (O_APPEND) */
    int ids_fd;               /* the parent's file of the scripts' own IDs (O_APPEND) */
    uint64_t spool_cap;       /* records this worker may add to it */
    int64_t realtime_offset;  /* CLOCK_REALTIME - CLOCK_MONOTONIC, the same for every worker */
} sl_worker_args_t;

/** Runs a worker to its end. Returns the process's exit status. */
int sl_worker_main(const sl_worker_args_t *args);

#endif
