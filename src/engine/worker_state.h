/*
 * worker_state: the inside of one worker (sl_worker_t) and of its connection slots, shared by
 * the files that make up a worker: its loop (worker_loop.c), sending (worker_send.c),
 * completion (worker_done.c), the record of what happened (worker_record.c), libcurl's
 * sockets (worker_sock.c) and the glue (worker.c). Nothing outside them includes it.
 */
#ifndef SOAPLOAD_WORKER_STATE_H
#define SOAPLOAD_WORKER_STATE_H

#include <curl/curl.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/concurrency.h"
#include "core/hist.h"
#include "core/mix.h"
#include "core/opseries.h"
#include "core/opstats.h"
#include "core/reasons.h"
#include "core/rest.h"
#include "core/scenario.h"
#include "core/scenario_plan.h"
#include "core/tags.h"
#include "core/waitq.h"
#include "core/wsse_decrypt.h"
#include "core/wsse_verify.h"
#include "engine/board.h"
#include "engine/conns.h"
#include "engine/flow_run.h"
#include "engine/goaway.h"
#include "engine/h1conn.h"
#include "engine/head.h"
#include "engine/request.h"
#include "engine/script.h"
#include "engine/transport.h"
#include "engine/validate.h"
#include "engine/worker.h"
#include "engine/wsse_rewrite.h"

#define SL_WORKER_NEVER UINT64_MAX
/* past the timeout, before in-flight requests are cancelled */
#define SL_WORKER_DRAIN_GRACE_NS 1000000000ULL

typedef struct sl_worker sl_worker_t;

/* Closed-model scenarios: each scenario's users in this worker (engine/worker_users.h). A user
 * is a request in flight or a pause after one; slots are taken by whichever scenario has a
 * user to start. */
typedef struct {
    int n;                            /* scenarios; 0: no closed-model scenarios */
    int next;                         /* the scenario that starts a user first, next time */
    sl_mix_t mix[SL_MAX_SCENARIOS];   /* each one's operations (with soapload.operations) */
    uint64_t taken[SL_MAX_SCENARIOS]; /* requests each has taken here */
    uint64_t in_flight[SL_MAX_SCENARIOS], thinking[SL_MAX_SCENARIOS];
} sl_users_t;

typedef struct sl_slot {
    CURL *easy;
    sl_worker_t *w;
    struct sl_slot *next_free;
    uint64_t seq;
    uint64_t due_ns, sent_ns, first_byte_ns;
    int local_port;
    int busy;
    int too_large;
    int custom_id; /* request() gave the ID */
    int prereqs;
    char errbuf[CURL_ERROR_SIZE]; /* libcurl's message for a failed transfer */
    const char *protocol_error;   /* soapload's own reason to reject a response, or NULL */
    int content_length_seen;
    int status_seen;           /* a status line arrived */
    curl_off_t content_length; /* calls of on_prereq for this transfer: a second one is a resend */
    sl_board_conn_t *bc;       /* the shared copy of what is in flight here */
    sl_trace_conn_t tconn;     /* its connection and stream, for the trace (conn 0: unsent) */
    int custom_url, custom_method;
    int cookie_set;                 /* CURLOPT_COOKIE is set on its handle (soapload.cookies) */
    int op;                         /* the operation (soapload.operations) of the request, or -1 */
    int sc;                         /* closed-model scenarios: the scenario whose user it is */
    uint32_t flow1;                 /* soapload.flows: 1 + the flow whose step it is; 0: none */
    struct curl_slist *own_headers; /* when request() gave headers of its own */
    sl_request_t req;
    sl_buf_t resp_body, resp_head;
    sl_buf_t cookie;           /* the Cookie value set on its handle, for the fast path */
    sl_goaway_stream_t goaway; /* --http 2: its stream, refused by a GOAWAY or not */
    sl_h1conn_t *h1;           /* --fast-path: its connection there, or NULL */
    int fast;                  /* the request in flight took the fast path */
    long fast_status;          /* the fast path's answer: its status, body bytes written */
    curl_off_t fast_up;
} sl_slot_t;

struct sl_worker {
    const sl_worker_args_t *a;
    const sl_config_t *cfg;
    sl_script_t *script;
    CURLM *multi;
    int ep;
    pid_t pid;
    sl_slot_t *slots;
    sl_slot_t *free_slots;
    sl_goaway_t goaway;
    uint64_t in_flight, max_in_flight;
    uint64_t t0, t_end, drain_deadline;
    sl_scenario_plan_t plan;       /* open model: this worker's schedule over its scenarios */
    int due_op, due_sc;            /* open model: the operation and scenario of the entry taken */
    uint64_t next_j;               /* open model: schedule entries taken so far */
    sl_rest_t rest;                /* after an abort: the schedule's rest, added to its seconds */
    sl_scenario_plan_t *rest_plan; /* with --trace: where the rest starts, for its lines */
    uint64_t abort_ns;
    uint64_t seq; /* the last sequence number used */
    uint64_t curl_deadline;
    int sending_over, stop_requested, abort_requested;
    sl_head_t head;             /* the run's header lines (engine/head.h) */
    struct curl_slist *headers; /* the same, as libcurl takes them */
    CURLU *url; /* the run's URL, parsed once: libcurl copies it rather than parse each request */
    sl_buf_t body_head, body_tail; /* the built-in request around the escaped ID */
    int want_resp_headers;
    char id_prefix[32];
    size_t id_prefix_len;
    sl_counts_t *counts; /* on the shared board: exact at every moment */
    sl_counts_t second_counts;
    sl_board_worker_t *board;
    uint64_t closed_retry_at; /* closed model: after request() failed, try again then */
    sl_waitq_t thinking;      /* closed model: connections pausing before their next request */
    sl_users_t users;         /* closed model: the scenarios' users here */
    uint64_t think_rng;
    uint64_t second, second_in_flight_max;
    sl_hist_t *latency, *service, *lateness;
    sl_hist_t *second_latency; /* completions of the current second */
    sl_hist_t *second_service; /* their service times (in second_latency's allocation) */
    int64_t realtime_offset;   /* CLOCK_REALTIME - CLOCK_MONOTONIC, for absolute times */
    sl_sendrec_t spool[2048];  /* records not yet written to the spool */
    size_t nspool;
    sl_buf_t spool_ids; /* the scripts' own IDs of those records, not yet written */
    uint64_t spooled;
    sl_buf_t second_buf;
    int script_error_sent;
    sl_reasons_t reasons; /* why requests failed, sent with the final report */
    int nops;             /* soapload.operations; 0: the single request() */
    sl_mix_t mix;         /* which operation each request is */
    sl_op_stats_t *ops;   /* the results of each */
    sl_opseries_t series; /* their latency over time, sent with the final report */
    sl_tags_t tags;       /* results per tag value, for requests that carry tags */
    int nslots;           /* requests in flight at most: connections x --streams */
    sl_transport_t transport;
    sl_conns_t conns;           /* how the sent requests found their connection */
    sl_flowrun_t *flows;        /* soapload.flows: the schedule starts flows; NULL: requests */
    uint64_t grace_end;         /* flows: when the steps of flows under way stop (after sending) */
    sl_wsse_rewriter_t *signer; /* --wsse-sign-key: every request is signed, or NULL */
    sl_wsse_verifier_t *verifier;   /* --wsse-verify-cert: every response's signature checked */
    sl_wsse_decrypter_t *decrypter; /* --wsse-sign-key: responses encrypted to it decrypted */
    sl_buf_t decrypted;             /* a decrypted response, traded with the slot's buffer */
    sl_validate_t *validate;        /* --validate schema, or NULL */
    sl_h1_t h1;                     /* --fast-path: plain HTTP/1.1 without libcurl's transfers */
    int fast;                       /* h1 is open */
    char err[8192];
};

#endif
