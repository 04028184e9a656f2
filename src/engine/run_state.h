/*
 * run_state: what a run gathers (sl_run_t: counts, histograms, seconds, the workers'
 * reports, the send records' analysis), the types that the parent's side of a run
 * (run.c, run_spool.c) fills and the outputs read.
 */
#ifndef SOAPLOAD_RUN_STATE_H
#define SOAPLOAD_RUN_STATE_H

#include <stddef.h>
#include <poll.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/concurrency.h"
#include "core/config.h"
#include "core/counts.h"
#include "core/flow.h"
#include "core/hist.h"
#include "core/opseries.h"
#include "core/opstats.h"
#include "core/tags.h"
#include "core/reasons.h"
#include "engine/clock.h"
#include "engine/proto.h"
#include "engine/validate.h"

/* Workers still running this long past the run's longest possible end (duration + timeout)
 * are stuck: they are killed. */
#define SL_RUN_OVERRUN_S 10

typedef struct {
    pid_t pid;
    int ready, finished;
    int died;           /* exited, was killed or stopped before its schedule ended */
    int wait_status;    /* from waitpid */
    int stop_signal;    /* a signal stopped it early though the parent did not stop the run */
    sl_counts_t counts; /* the final report, or the sum of the seconds it reported */
    uint64_t max_in_flight, last_seq;
    char stuck[512]; /* killed at the overrun deadline: what its threads were doing */
} sl_worker_report_t;

/* One second of the run, merged over the workers. */
typedef struct {
    uint64_t second;
    sl_counts_t counts;          /* what happened in it */
    uint64_t in_flight_max;      /* the sum of the workers' maxima */
    uint64_t completed;          /* latency samples */
    uint64_t p50, p90, p99, max; /* latency from due time, us */
    double target;               /* open model: requests due in it by the schedule's integral */
    int reported;                /* workers that reported it */
    sl_hist_t *hist;             /* until every worker has reported it */
    uint8_t *hist_enc;           /* then its latency from due, sparse (sl_hist_encode) for the
                                    results; NULL: not known (a result file without it), or
                                    spilled (hist_at) */
    size_t hist_enc_len;
    uint64_t hist_at; /* a run's finished second: 1 + where its hist_enc_len bytes sit in
                         run->seconds_fd (engine/run_spool.h); 0: not there */
} sl_second_t;

/* One input file of a merged result (soapload merge): a segment of a distributed run, or one
 * run of several. */
typedef struct {
    const char *source;    /* the file's path, as given */
    int64_t started_at_us; /* its settings.started_at_us */
    int64_t offset_s;      /* where its second 0 sits on the merged timeline */
    int nworkers;          /* its workers, in order among the merged workers */
    double sending_s;      /* its own sending time */
    sl_counts_t counts;    /* its summary */

    /* a segment of a split run: its settings.segment I/N (0/0: none), its clock's offset */
    int segment, nsegments, has_clock;
    double clock_offset_ms, clock_uncertainty_ms;
} sl_segment_t;
/* A script's own ID of a request that the analysis lists (a burst member). */
typedef struct {
    uint64_t seq;
    int worker;
    char *id;
} sl_run_id_t;

/* Called once per second of the run, as soon as every worker has reported it. */
typedef void (*sl_second_cb)(const sl_second_t *second, void *data);

typedef struct sl_run sl_run_t;
#define SL_RUN_GUEST_FDS 32 /* descriptors a guest may add to the parent's poll */
/* A guest in the parent's poll loop (the --metrics server), optional. */
typedef struct sl_run_guest {
    /* Adds at most SL_RUN_GUEST_FDS descriptors to pfd; returns how many. */
    int (*fds)(struct sl_run_guest *g, struct pollfd *pfd);
    /* After each poll, with the revents of what fds() added (n of them) and the run so far
     * (sl_run_live reads its exact counts). */
    void (*serve)(struct sl_run_guest *g, const struct pollfd *pfd, int n, const sl_run_t *run);
    /* Each worker's second: the encoded histograms after its sl_msg_interval_t. */
    void (*second)(struct sl_run_guest *g, const uint8_t *hists, size_t len);
} sl_run_guest_t;

struct sl_run {
    int nworkers;
    int connections_per_worker;
    sl_worker_report_t *workers;
    sl_counts_t counts;
    sl_hist_t *latency, *service, *lateness;
    uint64_t conns_opened, conns_reused; /* sent requests on a new / an already open connection */
    uint64_t path_fast, path_full;       /* sent requests written by the fast path / by libcurl */
    sl_hist_t *tls_handshake; /* us, one per new TLS connection; NULL in an older result file */
    sl_second_t *seconds;     /* one per second of the run */
    size_t nseconds;
    size_t seconds_cap;      /* room in seconds[], grown by doubling */
    sl_hist_t *second_spare; /* a finished second's histogram, reset, for the next one */
    sl_second_cb on_second;  /* optional: set before sl_run */
    void *on_second_data;
    uint64_t max_in_flight;     /* the sum of the workers' maxima: an upper bound */
    double elapsed_s;           /* from the common start to the last final report */
    struct timespec started_at; /* wall clock of the start, for people */
    int interrupted;
    int workers_died;
    char *first_script_error; /* traceback of the first script error seen, or NULL */
    uint64_t t0_ns;           /* the common start, CLOCK_MONOTONIC */
    uint64_t stopped_ns;      /* when the parent stopped the run early (CLOCK_MONOTONIC), or 0 */
    int64_t realtime_offset;  /* CLOCK_REALTIME - CLOCK_MONOTONIC, as the workers use it */
    int spool_fd;             /* the send records, during the run */
    int ids_fd;               /* the scripts' own IDs of send records, during the run */
    int seconds_fd;           /* the finished seconds' histograms (when seconds_open), until
                                 sl_run_free: the parent's memory stays flat over a long run */
    int seconds_open;         /* seconds_fd is open; 0 in a result read back or merged */
    int seconds_failed;       /* a write to it failed: the later seconds stay in memory */
    uint64_t seconds_len;     /* bytes written to it */
    sl_run_id_t *listed_ids;  /* the own IDs of the requests in concurrency.bursts */
    size_t nlisted_ids;
    sl_concurrency_t concurrency;
    int analyzed;         /* concurrency holds the analysis */
    int analysis_partial; /* the run sent more than the spool keeps: the analysis covers a part */
    uint64_t script_error_reports;
    sl_reasons_t reasons; /* why requests failed, merged from the workers' final reports */
    sl_opseries_t series; /* per-operation latency over time (nops > 0), from their reports */
    const sl_segment_t
        *segments; /* a merged result: the files it was made of (borrowed), else NULL */
    size_t nsegments;
    const sl_segment_t *runs; /* a merged result: every run it holds, a merge's own runs in */
    size_t nruns;             /* place of the merge (borrowed): no run is merged twice */

    /* --segment I/N: the IDs are S<I>-P<pid>-R<seq>; the clock's offset measured before */
    int segmented, segment;
    sl_clock_offset_t clock;

    char trace_error[512];             /* why the --trace file is incomplete, or "" */
    char first_error[SL_R_COUNT][160]; /* the first transport error message per kind, or "" */
    int nops;                          /* soapload.operations (names in the config), or 0 */
    sl_op_stats_t *ops;                /* their results, merged from the workers' reports */
    int ops_partial;                   /* a worker died before it sent its operations' results */
    sl_tags_t tags;                    /* results per tag value (core/tags.h), folded at the end */
    int tags_partial;                  /* a worker died before it sent its tags' results */
    int nflows;                        /* soapload.flows (names in the config), or 0 */
    sl_flow_stats_t *flows;            /* their results, merged from the workers' reports */
    int flows_partial;                 /* a worker died before it sent its flows' results */
    sl_run_guest_t *guest;             /* optional: set before sl_run */
    const void *live_board;            /* the workers' board while they run, else NULL */

    /* --abort-on-fail (engine/abort.c sets abort_requested from on_second, the pump tells the
     * workers): when, why, and how many scheduled requests it left not sent */
    int abort_requested, aborted;
    double aborted_at_s;       /* from the start */
    uint64_t aborted_not_sent; /* part of counts.not_sent */
    char abort_reason[384];
    /* HTTP/2: requests written again because a GOAWAY left them unprocessed (engine/goaway.c);
     * each is counted once, as sent and by how it ended the second time */
    uint64_t resent_unprocessed;
    sl_validate_stats_t validation; /* --validate schema: the bodies validated, their CPU time */
};

#endif
