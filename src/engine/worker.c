/*
 * worker: the event loop. Request j of this worker is due at t0 + offset(global index); when
 * it is due and a connection slot is free it is built (Lua or the built-in echo body) and
 * handed to libcurl. Latency is measured from the due time (corrected for coordinated
 * omission) and from the moment libcurl starts writing the request (service time).
 */
#include "engine/worker.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/check.h"
#include "core/concurrency.h"
#include "core/envelope.h"
#include "core/fault.h"
#include "core/headers.h"
#include "core/hist.h"
#include "core/plan.h"
#include "core/scenario.h"
#include "core/scenario_plan.h"
#include "core/schedule.h"
#include "core/waitq.h"
#include "core/mix.h"
#include "core/opseries.h"
#include "core/opstats.h"
#include "core/tags.h"
#include "core/reasons.h"
#include "core/rest.h"
#include "engine/proto.h"
#include "core/wsse_decrypt.h"
#include "core/wsse_verify.h"
#include "engine/lua_mtom.h"
#include "engine/wsse_rewrite.h"
#include "core/segment.h"
#include "core/version.h"
#include "engine/conns.h"
#include "engine/flow_run.h"
#include "engine/goaway.h"
#include "engine/script.h"
#include "engine/transport.h"
#include "engine/validate.h"
#include "core/xml.h"

#define NEVER UINT64_MAX
#define MAX_EVENTS 256
#define ID_CAP 512
/* past the timeout, before in-flight requests are cancelled */
#define DRAIN_GRACE_NS 1000000000ULL
/* closed model: the pause after request() raised, before the next call */
#define CLOSED_RETRY_NS 1000000ULL

typedef struct worker worker_t;

typedef struct slot {
    CURL *easy;
    worker_t *w;
    struct slot *next_free;
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
    uint32_t flow1;                 /* soapload.flows: 1 + the flow whose step it is; 0: none */
    struct curl_slist *own_headers; /* when request() gave headers of its own */
    sl_request_t req;
    sl_buf_t resp_body, resp_head;
    sl_goaway_stream_t goaway; /* --http 2: its stream, refused by a GOAWAY or not */
} slot_t;

struct worker {
    const sl_worker_args_t *a;
    const sl_config_t *cfg;
    sl_script_t *script;
    CURLM *multi;
    int ep;
    pid_t pid;
    slot_t *slots;
    slot_t *free_slots;
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
    struct curl_slist *headers;
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
    char err[8192];
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    if (interrupted) /* a second signal: stop at once */
        _exit(128 + sig);
    interrupted = sig;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- libcurl callbacks ---------------------------------------------------------------- */

/* What epoll knows of each socket, by descriptor. libcurl drops a keep-alive connection's
 * socket from its watch list when a transfer ends and asks for it again when the next one
 * waits for its answer: for the sockets it opened through open_sock, the registration stays
 * (reading only) while the connection idles, so that each request costs no epoll_ctl. An
 * idle socket that turns readable (the server closed it) is dropped from epoll then; libcurl
 * checks a connection before it reuses it, as before. close_sock forgets the descriptor. */
#define SOCK_OWN 0x100u     /* opened by open_sock: only close_sock closes it */
#define SOCK_WATCHED 0x200u /* libcurl watches it now */
#define SOCK_REG 0x400u     /* registered in epoll, with the EPOLLIN/EPOLLOUT bits below */
#define SOCK_EVENTS (EPOLLIN | EPOLLOUT)
static uint32_t *sock_state;
static size_t sock_cap;

static uint32_t *sock_of(curl_socket_t fd, int grow)
{
    if (fd < 0)
        return NULL;
    if ((size_t)fd >= sock_cap) {
        size_t cap = sock_cap ? sock_cap : 64;
        while (cap <= (size_t)fd)
            cap *= 2;
        uint32_t *p = grow ? realloc(sock_state, cap * sizeof(*p)) : NULL;
        if (p == NULL)
            return NULL;
        memset(p + sock_cap, 0, (cap - sock_cap) * sizeof(*p));
        sock_state = p;
        sock_cap = cap;
    }
    return &sock_state[fd];
}

static curl_socket_t open_sock(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)clientp;
    (void)purpose;
    curl_socket_t fd = socket(a->family, a->socktype, a->protocol);
    uint32_t *st = sock_of(fd, 1);
    if (st != NULL)
        *st = SOCK_OWN;
    return fd;
}

static int close_sock(void *clientp, curl_socket_t fd)
{
    (void)clientp;
    uint32_t *st = sock_of(fd, 0);
    if (st != NULL)
        *st = 0; /* closing it takes it out of epoll: it was never duplicated */
    return close(fd);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    (void)socketp;
    worker_t *w = userp;
    uint32_t *st = sock_of(fd, 1);
    uint32_t old = st != NULL ? *st : 0;
    struct epoll_event ev = {.data.fd = fd};
    if (what == CURL_POLL_REMOVE) {
        if ((old & (SOCK_OWN | SOCK_REG)) == (SOCK_OWN | SOCK_REG)) { /* idles: keep reading */
            ev.events = EPOLLIN;
            if ((old & SOCK_EVENTS) != EPOLLIN)
                epoll_ctl(w->ep, EPOLL_CTL_MOD, fd, &ev);
            *st = SOCK_OWN | SOCK_REG | EPOLLIN;
            return 0;
        }
        epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL);
        if (st != NULL)
            *st = old & SOCK_OWN;
        return 0;
    }
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    if (!(old & SOCK_REG)) {
        if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
            epoll_ctl(w->ep, EPOLL_CTL_MOD, fd, &ev);
    } else if ((old & SOCK_EVENTS) != ev.events) {
        epoll_ctl(w->ep, EPOLL_CTL_MOD, fd, &ev);
    }
    if (st != NULL)
        *st = (old & SOCK_OWN) | SOCK_WATCHED | SOCK_REG | ev.events;
    return 0;
}

/* An event on a socket that libcurl does not watch (an idle connection that the server
 * closed, or that sent something unasked): out of epoll until libcurl asks for it again.
 * Returns 1 when the event is for nobody. */
static int sock_idle_event(worker_t *w, int fd)
{
    uint32_t *st = sock_of(fd, 0);
    if (st == NULL || (*st & (SOCK_REG | SOCK_WATCHED)) != SOCK_REG)
        return 0;
    epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL);
    *st &= SOCK_OWN;
    return 1;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    worker_t *w = userp;
    w->curl_deadline = timeout_ms < 0 ? NEVER : now_ns() + (uint64_t)timeout_ms * 1000000ULL;
    return 0;
}

/* Called by libcurl just before it writes the request: the send time and the local port. */
static int on_prereq(void *clientp, char *primary_ip, char *local_ip, int primary_port,
                     int local_port)
{
    (void)primary_ip;
    (void)local_ip;
    (void)primary_port;
    slot_t *s = clientp;
    worker_t *w = s->w;
    if (s->prereqs++ > 0 && sl_goaway_resend(&s->goaway, local_port)) {
        /* never processed: written again, counted once as sent. This connection counts the
         * write (it may have opened it; its stream takes a place there), while the trace and
         * the concurrency analysis keep the first write's time, port and stream, which go
         * together */
        sl_trace_conn_t again = {0, 0};
        w->board->resent_unprocessed++;
        sl_conns_sent(&w->conns, s->easy, local_port, &again);
        return CURL_PREREQFUNC_OK;
    }
    if (s->prereqs - s->goaway.resends > 1) {
        /* libcurl wants to write this request again: the reused connection closed after it
         * was written, without an answer. The server may have processed it; a SOAP call is
         * not idempotent, so it is not sent twice: it ends as a read failure. */
        w->counts->retried++;
        w->second_counts.retried++;
        if (s->op >= 0)
            w->ops[s->op].counts.retried++;
        return CURL_PREREQFUNC_ABORT;
    }
    s->sent_ns = now_ns();
    s->goaway.port = local_port;
    sl_conns_sent(&w->conns, s->easy, local_port, &s->tconn);
    s->local_port = local_port;
    s->bc->port = (uint16_t)local_port;
    s->bc->sent_ns = s->sent_ns;
    w->counts->sent++;
    w->second_counts.sent++;
    if (s->op >= 0)
        w->ops[s->op].counts.sent++;
    return CURL_PREREQFUNC_OK;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    slot_t *s = userp;
    size_t len = size * n;
    if (s->resp_body.len + len > s->w->cfg->max_body) {
        s->too_large = 1;
        return 0; /* aborts the transfer: counted as too_large */
    }
    return sl_buf_append(&s->resp_body, data, len) == 0 ? len : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
    slot_t *s = userp;
    size_t len = size * n;
    if (len > 15 && strncasecmp(data, "Content-Length:", 15) == 0) {
        /* libcurl 7.88 takes the last of several; different values make the length unknown */
        char *end;
        curl_off_t v = (curl_off_t)strtoll(data + 15, &end, 10);
        if (s->content_length_seen && v != s->content_length) {
            s->protocol_error = "two Content-Length headers with different values";
            return 0; /* aborts the transfer: counted as protocol */
        }
        s->content_length_seen = 1;
        s->content_length = v;
    } else if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        s->content_length_seen = 0; /* a new response (after 1xx) */
        s->status_seen = 1;
    }
    if (s->first_byte_ns == 0 && s->w->a->trace_fd >= 0)
        s->first_byte_ns = now_ns();
    if (s->w->want_resp_headers && s->resp_head.len < 65536)
        sl_buf_append(&s->resp_head, data, len);
    return len;
}

/* ---- setup ---------------------------------------------------------------------------- */

/* Appends `line` unless one of the n `over` lines names the same header. */
static struct curl_slist *append_unless(struct curl_slist *h, const char *line,
                                        const char *const *over, int n)
{
    return sl_header_named_in(line, over, n) ? h : curl_slist_append(h, line);
}

/* soapload's own headers, then the user's (core/headers.h). */
static struct curl_slist *default_headers(const sl_config_t *cfg)
{
    char ct[SL_HEADER_LINE_CAP];
    const char *lines[SL_MAX_HEADERS + 3];
    struct curl_slist *h = NULL;
    int n = sl_headers_for_run(cfg, lines, SL_MAX_HEADERS + 3, ct);
    /* User-Agent in the list rather than CURLOPT_USERAGENT, which libcurl formats anew for
     * each request; Accept with it, so that the head keeps libcurl's order */
    const char *own[2] = {"User-Agent: soapload/" SL_VERSION, "Accept: */*"};
    for (int i = 0; i < 2; i++)
        if (!sl_header_named_in(own[i], (const char *const *)cfg->headers, cfg->nheaders))
            h = curl_slist_append(h, own[i]);
    for (int i = 0; i < n; i++)
        h = curl_slist_append(h, lines[i]);
    return h;
}

/* The run's URL on a handle: parsed once when libcurl could, else as text. */
static void set_url(worker_t *w, CURL *e)
{
    if (w->url != NULL)
        curl_easy_setopt(e, CURLOPT_CURLU, w->url);
    else
        curl_easy_setopt(e, CURLOPT_URL, w->cfg->url);
}

static int setup_slot(worker_t *w, slot_t *s)
{
    const sl_config_t *cfg = w->cfg;
    s->w = w;
    s->easy = curl_easy_init();
    if (s->easy == NULL)
        return -1;
    CURL *e = s->easy;
    set_url(w, e);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, w->headers);
    curl_easy_setopt(e, CURLOPT_PRIVATE, s);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, s);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(cfg->timeout_ns / 1000000ULL));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROXY, ""); /* no proxy, and no *_proxy lookups per request */
    /* nor no_proxy lookups */
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cfg->max_body);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_sock);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, close_sock);
    sl_transport_easy(&w->transport, cfg, e);
    return cfg->http2 ? sl_goaway_watch(&w->goaway, e, &s->goaway) : 0;
}

/* The signing key as a decryption key for responses encrypted to it. Returns 0, or -1 with
 * w->err. */
static int open_decrypter(worker_t *w)
{
    const sl_wsse_opts_t *o = &w->cfg->wsse;
    char *pw = NULL;
    if ((o->key_password_env != NULL || o->key_password_file != NULL) &&
        (pw = sl_transport_read_secret(
             o->key_password_env, o->key_password_file, "--wsse-sign-key-password-env",
             "--wsse-sign-key-password-file", w->err, sizeof(w->err))) == NULL)
        return -1;
    w->decrypter = sl_wsse_decrypt_open(o->key, pw, "--wsse-sign-key", w->err, sizeof(w->err));
    if (pw != NULL) {
        explicit_bzero(pw, strlen(pw));
        free(pw);
    }
    return w->decrypter != NULL ? 0 : -1;
}

static int setup(worker_t *w)
{
    const sl_config_t *cfg = w->cfg;
    int n = w->nslots = w->a->connections * cfg->streams;
    w->pid = getpid();
    w->id_prefix_len = sl_segment_id_prefix(cfg->nsegments > 0, cfg->segment, (int)w->pid,
                                            w->id_prefix, sizeof(w->id_prefix));
    w->latency = calloc(1, sizeof(sl_hist_t));
    w->service = calloc(1, sizeof(sl_hist_t));
    w->lateness = calloc(1, sizeof(sl_hist_t));
    w->second_latency = calloc(2, sizeof(sl_hist_t)); /* and second_service after it */
    w->slots = calloc((size_t)n, sizeof(slot_t));
    w->think_rng = (cfg->seed + (uint64_t)w->a->index + 1) * 0x9E3779B97F4A7C15ULL | 1;
    w->headers = default_headers(cfg);
    w->multi = curl_multi_init();
    w->url = curl_url();
    if (w->url != NULL && curl_url_set(w->url, CURLUPART_URL, cfg->url, 0) != CURLUE_OK) {
        curl_url_cleanup(w->url); /* libcurl tells what is wrong with it, per request */
        w->url = NULL;
    }
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    if (!w->latency || !w->service || !w->lateness || !w->second_latency || !w->slots ||
        !w->headers || !w->multi || w->ep < 0 || sl_waitq_init(&w->thinking, (size_t)n) != 0) {
        snprintf(w->err, sizeof(w->err), "cannot set up the worker: %s", strerror(errno));
        return -1;
    }
    sl_hist_reset(w->latency);
    sl_hist_reset(w->service);
    sl_hist_reset(w->lateness);
    w->second_service = w->second_latency + 1;
    sl_hist_reset(w->second_latency);
    sl_hist_reset(w->second_service);
    if (sl_conns_init(&w->conns, w->a->trace_fd >= 0) != 0) {
        snprintf(w->err, sizeof(w->err), "cannot set up the worker: out of memory");
        return -1;
    }
    if (sl_transport_open(&w->transport, cfg, w->err, sizeof(w->err)) != 0)
        return -1;
    if (sl_wsse_opts_rewrites(&cfg->wsse) &&
        (w->signer = sl_wsse_rewrite_open(cfg, w->err, sizeof(w->err))) == NULL)
        return -1;
    if (cfg->wsse.key != NULL && open_decrypter(w) != 0)
        return -1;
    if (cfg->wsse.verify_cert != NULL &&
        (w->verifier = sl_wsse_verify_open(cfg->wsse.verify_cert, "--wsse-verify-cert", 0,
                                           (double)SL_WSSE_DEFAULT_TTL_NS / 1e9, w->err,
                                           sizeof(w->err))) == NULL)
        return -1;
    if (cfg->wsse.verify_ca != NULL &&
        (w->verifier = sl_wsse_verify_open_ca(cfg->wsse.verify_ca, "--wsse-verify-ca", 0,
                                              (double)SL_WSSE_DEFAULT_TTL_NS / 1e9, w->err,
                                              sizeof(w->err))) == NULL)
        return -1;
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    sl_transport_multi(cfg, w->multi, w->a->connections);
    for (int i = n - 1; i >= 0; i--) {
        w->slots[i].bc = sl_board_conn(w->board, i);
        if (setup_slot(w, &w->slots[i]) != 0) {
            snprintf(w->err, sizeof(w->err), "cannot create a libcurl handle");
            return -1;
        }
        w->slots[i].next_free = w->free_slots;
        w->free_slots = &w->slots[i];
    }
    w->curl_deadline = NEVER;

    /* the built-in request: a fixed head and tail around the escaped ID */
    sl_buf_t inner = {0};
    sl_buf_t env = {0};
    sl_envelope_echo_append(&inner, cfg->id_element, "\x01", 1);
    sl_envelope_append(&env, cfg->soap_version, inner.data, inner.len);
    char *mark = strchr(env.data, '\x01');
    sl_buf_append(&w->body_head, env.data, (size_t)(mark - env.data));
    sl_buf_append(&w->body_tail, mark + 1, env.len - (size_t)(mark + 1 - env.data));
    sl_buf_free(&inner);
    sl_buf_free(&env);
    return 0;
}

/* ---- the trace ------------------------------------------------------------------------ */

static void trace_flush(worker_t *w)
{
    sl_board_trace_flush(w->board, w->a->trace_fd); /* an error stays on the board */
}

static void trace_line(worker_t *w, int op, uint32_t flow1, const char *id, size_t id_len,
                       int local_port, uint64_t due, uint64_t sent, uint64_t first_byte,
                       uint64_t done, long status, const sl_trace_conn_t *tc, const char *outcome)
{
    const char *operation = op >= 0 ? w->cfg->op_names[op] : "";
    char line[SL_TRACE_LINE_MAX];
    sl_trace_flow_t flow, *tf = NULL;
    if (w->a->trace_fd < 0)
        return;
    if (flow1 != 0) { /* a flow's step: the flow is still at it (its end comes after the line) */
        const sl_flow_run_t *r = &w->flows->pool.v[flow1 - 1];
        flow = (sl_trace_flow_t){w->cfg->flows->f[r->flow].name, r->number, r->step + 1, r->tries};
        tf = &flow;
    }
    size_t n =
        sl_trace_format(line, sizeof(line), w->realtime_offset, id, id_len, (int)w->pid, local_port,
                        due, sent, first_byte, done, status, operation, tc, outcome, tf);
    if (n == 0) { /* an ID too long for the line buffer */
        char *big = malloc(2 * id_len + SL_TRACE_LINE_MAX);
        if (big == NULL)
            return;
        n = sl_trace_format(big, 2 * id_len + SL_TRACE_LINE_MAX, w->realtime_offset, id, id_len,
                            (int)w->pid, local_port, due, sent, first_byte, done, status, operation,
                            tc, outcome, tf);
        sl_board_trace_add(w->board, w->a->trace_fd, big, n);
        free(big);
        return;
    }
    sl_board_trace_add(w->board, w->a->trace_fd, line, n);
}

/* A line without a connection: the request was never sent. */
static void trace_unsent(worker_t *w, int op, uint32_t flow1, const char *id, size_t id_len,
                         uint64_t due, const char *outcome)
{
    trace_line(w, op, flow1, id, id_len, 0, due, 0, 0, 0, 0, NULL, outcome);
}

/* ---- the spool of send records, for the concurrency analysis --------------------------------- */

/* Whole records in one write: O_APPEND keeps workers apart. */
static void append_all(int fd, const char *p, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, p + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
}

static void spool_flush(worker_t *w)
{
    append_all(w->a->spool_fd, (const char *)w->spool, w->nspool * sizeof(sl_sendrec_t));
    w->nspool = 0;
    if (w->spool_ids.len > 0 && w->a->ids_fd >= 0)
        append_all(w->a->ids_fd, w->spool_ids.data, w->spool_ids.len);
    sl_buf_clear(&w->spool_ids);
}

static void spool_add(worker_t *w, const slot_t *s, uint64_t done)
{
    if (w->a->spool_fd < 0 || w->spooled >= w->a->spool_cap)
        return;
    w->spooled++;
    w->spool[w->nspool++] = (sl_sendrec_t){.sent_ns = s->sent_ns,
                                           .done_ns = done,
                                           .seq = s->seq,
                                           .port = (uint16_t)s->local_port,
                                           .worker = (uint16_t)w->a->index,
                                           .custom_id = (uint32_t)s->custom_id};
    if (s->custom_id) { /* the ID as sent, for the few requests the report lists */
        sl_idrec_t h = {.seq = s->seq,
                        .worker = (uint16_t)w->a->index,
                        .len = (uint16_t)(s->req.id.len < 65535 ? s->req.id.len : 65535)};
        if (sl_buf_append(&w->spool_ids, (const char *)&h, sizeof(h)) != 0 ||
            sl_buf_append(&w->spool_ids, s->req.id.data, h.len) != 0)
            w->spool[w->nspool - 1].custom_id = 0;
    }
    if (w->nspool == sizeof(w->spool) / sizeof(w->spool[0]))
        spool_flush(w);
}

/* ---- reporting ------------------------------------------------------------------------ */

static void report_script_error(worker_t *w, const char *msg)
{
    if (w->script_error_sent)
        return; /* the first one tells the story; the counts tell how many */
    w->script_error_sent = 1;
    sl_proto_send(w->a->report_fd, SL_MSG_SCRIPT_ERROR, msg, strlen(msg), NULL, 0);
}

static void flush_second(worker_t *w)
{
    uint64_t rest_k = w->second - w->rest.first_second;
    if (w->rest.per_second != NULL && w->second >= w->rest.first_second &&
        rest_k < w->rest.nseconds) { /* per-second scheduled is by due time, aborted or not */
        w->second_counts.scheduled += w->rest.per_second[rest_k];
        w->second_counts.not_sent += w->rest.per_second[rest_k];
    }
    sl_msg_interval_t m = {
        .second = w->second, .counts = w->second_counts, .in_flight_max = w->second_in_flight_max};
    const sl_hist_t *hs[2] = {w->second_latency, w->second_service};
    sl_buf_clear(&w->second_buf);
    for (int i = 0; i < 2; i++) {
        size_t need = sl_hist_encode(hs[i], NULL, 0);
        if (sl_buf_reserve(&w->second_buf, need) == 0)
            w->second_buf.len +=
                sl_hist_encode(hs[i], (uint8_t *)w->second_buf.data + w->second_buf.len, need);
    }
    sl_proto_send(w->a->report_fd, SL_MSG_INTERVAL, &m, sizeof(m), w->second_buf.data,
                  w->second_buf.len);
    sl_hist_reset(w->second_latency);
    sl_hist_reset(w->second_service);
    memset(&w->second_counts, 0, sizeof(w->second_counts));
    if (w->a->trace_fd >= 0)
        trace_flush(w);
    if (w->nspool > 0)
        spool_flush(w);
    w->second_in_flight_max = w->in_flight;
    w->second++;
}

static void count_result(worker_t *w, sl_result_t r)
{
    w->counts->results[r]++;
    w->second_counts.results[r]++;
}

/* ---- sending -------------------------------------------------------------------------- */

static size_t format_id(worker_t *w, uint64_t seq, char *out)
{
    char digits[24];
    int n = 0;
    memcpy(out, w->id_prefix, w->id_prefix_len);
    do {
        digits[n++] = (char)('0' + seq % 10);
        seq /= 10;
    } while (seq > 0);
    for (int i = 0; i < n; i++)
        out[w->id_prefix_len + (size_t)i] = digits[n - 1 - i];
    return w->id_prefix_len + (size_t)n;
}

/* Sets request()'s headers, method and path on the slot's handle. Returns 0, or -1 with the
 * reason in w->err when libcurl cannot make a URL of the path. */
static int apply_request_options(worker_t *w, slot_t *s)
{
    CURL *e = s->easy;
    if (s->own_headers != NULL) {
        curl_slist_free_all(s->own_headers);
        s->own_headers = NULL;
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, w->headers);
    }
    if (s->req.nheaders > 0) { /* request()'s headers replace the defaults of the same name */
        const char *mine[SL_MAX_REQUEST_HEADERS];
        int n = 0;
        struct curl_slist *h = NULL;
        const char *p = s->req.headers.data;
        for (int i = 0; i < s->req.nheaders; i++, p += strlen(p) + 1)
            mine[n++] = p;
        for (struct curl_slist *d = w->headers; d != NULL; d = d->next)
            h = append_unless(h, d->data, mine, n);
        for (int i = 0; i < n; i++)
            h = curl_slist_append(h, mine[i]);
        s->own_headers = h;
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    }
    if (s->req.method[0] != '\0' || s->custom_method) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, s->req.method[0] ? s->req.method : NULL);
        s->custom_method = s->req.method[0] != '\0';
    }
    if (s->req.path.len > 0 || s->custom_url) {
        s->custom_url = 0;
        set_url(w, e);
        if (s->req.path.len > 0) {
            CURLU *u = curl_url();
            char *full = NULL;
            CURLUcode rc =
                u == NULL ? CURLUE_OUT_OF_MEMORY : curl_url_set(u, CURLUPART_URL, w->cfg->url, 0);
            if (rc == CURLUE_OK) /* relative to the URL */
                rc = curl_url_set(u, CURLUPART_URL, s->req.path.data, 0);
            if (rc == CURLUE_OK)
                rc = curl_url_get(u, CURLUPART_URL, &full, 0);
            if (rc == CURLUE_OK && full != NULL &&
                curl_easy_setopt(e, CURLOPT_URL, full) == CURLE_OK) {
                curl_easy_setopt(e, CURLOPT_CURLU, NULL); /* else libcurl takes w->url */
                s->custom_url = 1;
            } else
                snprintf(w->err, sizeof(w->err),
                         "request() returned a path that is no URL (%s): \"%.200s\"",
                         rc != CURLUE_OK ? curl_url_strerror(rc) : "rejected by libcurl",
                         s->req.path.data);
            curl_free(full);
            curl_url_cleanup(u);
            if (!s->custom_url)
                return -1;
        }
    }
    return 0;
}

/* soapload.cookies: the Cookie header of a flow's step, from its flow's jar (none: unset). */
static void set_cookie(worker_t *w, slot_t *s)
{
    char path[1024], value[SL_COOKIES_HEADER_CAP];
    const char *c = NULL;
    if (s->flow1 != 0) {
        sl_cookies_request_path(s->req.path.len > 0 ? s->req.path.data : "", w->cfg->url, path,
                                sizeof(path));
        c = sl_flowrun_cookie(w->flows, s->flow1 - 1, path, value, sizeof(value));
    }
    if (c != NULL || s->cookie_set)
        curl_easy_setopt(s->easy, CURLOPT_COOKIE, c); /* (libcurl copies it) */
    s->cookie_set = c != NULL;
}

/* Counts a request that ended before any byte of it was written. */
static void count_before_send(worker_t *w, sl_result_t r)
{
    w->counts->before_send[r]++;
    w->second_counts.before_send[r]++;
}

/* The trace's outcome of a request that failed before it was written: "connect_before_send";
 * --reconcile reads every outcome that is not a result kind as "nothing went out". */
static const char *before_send_outcome(sl_result_t r, char *buf, size_t len)
{
    snprintf(buf, len, "%s_before_send", sl_result_name(r));
    return buf;
}

/* The operation of the request being dispatched, or -1 without operations. The open model
 * takes the run's global index of the schedule entry (the same mix whatever the workers);
 * the closed model this worker's own sequence, shifted per worker so that the workers do not
 * all start the cycle together. */
static int pick_op(worker_t *w)
{
    if (w->nops == 0)
        return -1;
    if (w->cfg->closed && w->flows == NULL) /* a flow's step: its flow says which */
        return sl_mix_of(
            &w->mix, w->seq - 1 + (uint64_t)w->a->index * w->mix.cycle / (uint64_t)w->a->nworkers);
    return w->due_op;
}

/* The results of scenario sc (the tag scenario=NAME), or NULL in a run without scenarios. */
static sl_op_stats_t *scenario_stats(worker_t *w, int sc)
{
    const sl_scenarios_t *ss = w->cfg->scenarios;
    if (ss == NULL || w->cfg->closed)
        return NULL;
    const char *name = ss->s[sc].name;
    int i = sl_tags_slot(&w->tags, SL_SCENARIO_TAG, strlen(SL_SCENARIO_TAG), name, strlen(name));
    return i < 0 ? NULL : w->tags.items[i].stats; /* out of memory: the tags do not add up */
}

/* Counts a request of the entry being dispatched that ended before it took a slot (its tags
 * are not counted as it ends) in its scenario's results; `failure` says how. */
static void scenario_unsent(worker_t *w, int script_error, sl_result_t failure)
{
    sl_op_stats_t *t = scenario_stats(w, w->due_sc);
    if (t == NULL)
        return;
    t->counts.scheduled++;
    if (script_error)
        t->counts.script_errors_before_send++;
    else
        t->counts.before_send[failure]++;
}

/* Tags the request with scenario=NAME in a run with scenarios. Returns 0, or -1 with w->err
 * when request() gave a tag of that name itself. */
static int tag_scenario(worker_t *w, slot_t *s, int built_in)
{
    const sl_scenarios_t *ss = w->cfg->scenarios;
    if (ss == NULL)
        return 0;
    if (built_in) {
        sl_buf_clear(&s->req.tags);
        s->req.ntags = 0;
    }
    const char *p = s->req.tags.data, *name = ss->s[w->due_sc].name;
    for (int k = 0; k < s->req.ntags; k++) {
        if (strcmp(p, SL_SCENARIO_TAG) == 0) {
            snprintf(w->err, sizeof(w->err),
                     "request(): the tag %s is soapload's own in a run with scenarios (it "
                     "holds the scenario's name)",
                     SL_SCENARIO_TAG);
            return -1;
        }
        p += strlen(p) + 1;
        p += strlen(p) + 1;
    }
    if (sl_buf_append(&s->req.tags, SL_SCENARIO_TAG, sizeof(SL_SCENARIO_TAG)) == 0 &&
        sl_buf_append(&s->req.tags, name, strlen(name) + 1) == 0)
        s->req.ntags++;
    return 0;
}

/* The last steps of the body built on slot s, after request(): the signature (it covers what
 * is sent) and the packing of attachments. Returns 0, or -1 after counting it as a script
 * error before the send. */
static int finish_body(worker_t *w, slot_t *s, uint64_t due_ns, int attached)
{
    int rc = 0;
    if (w->signer != NULL) {
        struct timespec a, b; /* the CPU it costs, reported per request */
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
        rc = sl_wsse_rewrite_request(w->signer, w->script, &s->req, w->err, sizeof(w->err));
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        if (rc == 0 && sl_wsse_opts_signing(&w->cfg->wsse)) {
            w->counts->wsse_signed++;
            w->counts->wsse_sign_cpu_ns +=
                (uint64_t)((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
        }
    }
    if (rc == 0 && attached && (rc = sl_mtom_pack(w->script, &s->req, w->cfg->soap_version)) != 0)
        snprintf(w->err, sizeof(w->err), "soapload.attach: out of memory packing the parts");
    if (rc == 0)
        return 0;
    w->counts->script_errors_before_send++;
    w->second_counts.script_errors_before_send++;
    if (s->op >= 0)
        w->ops[s->op].counts.script_errors_before_send++;
    scenario_unsent(w, 1, SL_R_OK);
    report_script_error(w, w->err);
    trace_unsent(w, s->op, s->flow1, s->req.id.data, s->req.id.len, due_ns,
                 "script_error_before_send");
    sl_script_release_body(w->script, &s->req);
    return -1;
}

/* Builds and starts one request due at due_ns. Returns 1 when it took a connection slot, 0
 * when the request ended before (request() raised, or no memory for its body). */
static int dispatch(worker_t *w, uint64_t due_ns)
{
    slot_t *s = w->free_slots;
    char id[ID_CAP];
    size_t id_len = format_id(w, ++w->seq, id);
    int attached = 0; /* request() made attachments: sent as MTOM */
    w->board->last_seq = w->seq;

    sl_buf_clear(&s->req.id);
    s->op = pick_op(w);
    if (s->op >= 0)
        w->ops[s->op].counts.scheduled++;
    if (s->op >= 0 || sl_script_has_request(w->script)) {
        sl_buf_append(&s->req.id, id, id_len);
        sl_mtom_reset(); /* soapload.attach's parts are this request's */
        if ((s->op >= 0
                 ? sl_script_op_request(w->script, s->op, w->seq, &s->req, w->err, sizeof(w->err))
                 : sl_script_request(w->script, w->seq, &s->req, w->err, sizeof(w->err))) != 0) {
            w->counts->script_errors_before_send++;
            w->second_counts.script_errors_before_send++;
            if (s->op >= 0)
                w->ops[s->op].counts.script_errors_before_send++;
            scenario_unsent(w, 1, SL_R_OK);
            report_script_error(w, w->err);
            trace_unsent(w, s->op, s->flow1, id, id_len, due_ns, "script_error_before_send");
            return 0;
        }
        attached = sl_mtom_count() > 0;
        int no_room = attached && sl_mtom_header(&s->req, w->cfg->soap_version) != 0;
        if (no_room)
            snprintf(w->err, sizeof(w->err),
                     "soapload.attach: no room for the multipart Content-Type header");
        if (no_room || apply_request_options(w, s) != 0 || tag_scenario(w, s, 0) != 0) {
            w->counts->script_errors_before_send++;
            w->second_counts.script_errors_before_send++;
            if (s->op >= 0)
                w->ops[s->op].counts.script_errors_before_send++;
            scenario_unsent(w, 1, SL_R_OK);
            report_script_error(w, w->err);
            trace_unsent(w, s->op, s->flow1, s->req.id.data, s->req.id.len, due_ns,
                         "script_error_before_send");
            sl_script_release_body(w->script, &s->req);
            return 0;
        }
        s->custom_id = s->req.id.len != id_len || memcmp(s->req.id.data, id, id_len) != 0;
    } else {
        s->custom_id = 0;
        sl_buf_t *b = &s->req.body;
        sl_buf_clear(b);
        s->req.check_id = 1;
        if (sl_buf_append(&s->req.id, id, id_len) != 0 ||
            sl_buf_append(b, w->body_head.data, w->body_head.len) != 0 ||
            sl_buf_reserve(b, sl_xml_escaped_len(id, id_len)) != 0) {
            char name[64];
            count_before_send(w, SL_R_OTHER);
            scenario_unsent(w, 0, SL_R_OTHER);
            trace_unsent(w, s->op, s->flow1, id, id_len, due_ns,
                         before_send_outcome(SL_R_OTHER, name, sizeof(name)));
            return 0;
        }
        b->len += sl_xml_escape(id, id_len, b->data + b->len);
        tag_scenario(w, s, 1); /* no request(): the only tag */
        if (sl_buf_append(b, w->body_tail.data, w->body_tail.len) != 0) {
            char name[64];
            count_before_send(w, SL_R_OTHER);
            scenario_unsent(w, 0, SL_R_OTHER);
            trace_unsent(w, s->op, s->flow1, id, id_len, due_ns,
                         before_send_outcome(SL_R_OTHER, name, sizeof(name)));
            return 0;
        }
    }
    if ((w->signer != NULL || attached) && finish_body(w, s, due_ns, attached) != 0)
        return 0;
    if (w->flows != NULL && w->flows->any_cookies)
        set_cookie(w, s);
    w->free_slots = s->next_free;
    s->busy = 1;
    s->seq = w->seq;
    s->due_ns = due_ns;
    s->sent_ns = 0;
    s->first_byte_ns = 0;
    s->local_port = 0;
    s->too_large = 0;
    s->prereqs = 0;
    sl_goaway_reset(&s->goaway);
    s->tconn = (sl_trace_conn_t){0, 0};
    s->errbuf[0] = '\0';
    s->protocol_error = NULL;
    s->content_length_seen = 0;
    s->status_seen = 0;
    /* what the parent needs should this worker die with the request in flight */
    sl_board_conn_t *bc = s->bc;
    bc->seq = w->seq;
    bc->op = s->op;
    bc->due_ns = due_ns;
    bc->sent_ns = 0;
    bc->port = 0;
    bc->id_len = (uint16_t)(s->req.id.len < SL_BOARD_ID_CAP ? s->req.id.len : SL_BOARD_ID_CAP);
    memcpy(bc->id, s->req.id.data, bc->id_len);
    __atomic_store_n(&bc->busy, 1, __ATOMIC_RELEASE);
    sl_buf_clear(&s->resp_body);
    sl_buf_clear(&s->resp_head);
    size_t body_len; /* request()'s string is not copied: released in finish() */
    const char *body = sl_request_body(&s->req, &body_len);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_multi_add_handle(w->multi, s->easy);
    if (++w->in_flight > w->max_in_flight)
        w->max_in_flight = w->in_flight;
    if (w->in_flight > w->second_in_flight_max)
        w->second_in_flight_max = w->in_flight;
    return 1;
}

/* ---- completing ----------------------------------------------------------------------- */

static sl_result_t transport_result(slot_t *s, CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return SL_R_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return SL_R_TIMEOUT;
    case CURLE_SEND_ERROR:
        return SL_R_WRITE;
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        return SL_R_READ;
    case CURLE_PARTIAL_FILE:
        return SL_R_TRUNCATED;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return SL_R_PROTOCOL;
    case CURLE_FILESIZE_EXCEEDED:
        return SL_R_TOO_LARGE;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return SL_R_TLS;
    case CURLE_WRITE_ERROR:
        return s->too_large ? SL_R_TOO_LARGE : SL_R_OTHER;
    default:
        return SL_R_OTHER;
    }
}

static sl_result_t check_response(worker_t *w, slot_t *s, long status, char *reason,
                                  size_t reason_len)
{
    if (w->decrypter != NULL && s->resp_body.len > 0) { /* encrypted to the signing key */
        int d = sl_wsse_decrypt(w->decrypter, s->resp_body.data, s->resp_body.len, &w->decrypted,
                                reason, reason_len);
        if (d < 0)
            return SL_R_SIGNATURE;
        if (d == 1) {
            sl_buf_t t = s->resp_body;
            s->resp_body = w->decrypted;
            w->decrypted = t;
        }
    }
    sl_result_t r =
        sl_check_response(status, s->resp_body.data, s->resp_body.len, w->cfg->id_element,
                          s->req.id.data, s->req.id.len, s->req.check_id);
    if (r == SL_R_OK && w->verifier != NULL) { /* a bad signature fails whatever the hook says */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        if (sl_wsse_verify(w->verifier, s->resp_body.data, s->resp_body.len,
                           (double)now.tv_sec + (double)now.tv_nsec / 1e9, reason,
                           reason_len) != SL_WSSE_SIG_VALID)
            return SL_R_SIGNATURE;
    }
    if (r == SL_R_OK && w->validate != NULL &&
        sl_validate_body(w->validate, s->resp_body.data, s->resp_body.len, reason, reason_len))
        return SL_R_SCHEMA;
    if ((r != SL_R_OK && r != SL_R_SOAP_FAULT) || !sl_script_has_op_response(w->script, s->op))
        return r;
    /* a response hook that takes a fifth parameter sees Faults too: it may expect one */
    sl_fault_t fault;
    int is_fault =
        r == SL_R_SOAP_FAULT &&
        sl_fault_parse(s->resp_body.data ? s->resp_body.data : "", s->resp_body.len, &fault) == 1;
    if (r == SL_R_SOAP_FAULT && (!is_fault || !sl_script_op_sees_faults(w->script, s->op)))
        return r;
    int verdict;
    if (s->flow1 != 0) /* a flow's step: its response() gets the flow's variables */
        sl_flowrun_use(w->flows, w->script, s->flow1 - 1);
    int rc = sl_script_response(
        w->script, s->op, status, s->resp_head.data ? s->resp_head.data : "", s->resp_head.len,
        s->resp_body.data ? s->resp_body.data : "", s->resp_body.len, s->req.id.data,
        is_fault ? &fault : NULL, &verdict, reason, reason_len, w->err, sizeof(w->err));
    sl_script_use_vars(w->script, SL_SCRIPT_NO_VARS);
    if (rc != 0) {
        report_script_error(w, w->err);
        return SL_R_SCRIPT_ERROR;
    }
    switch (verdict) {
    case SL_VERDICT_FAIL:
        return SL_R_CHECK_FAILED;
    case SL_VERDICT_PASS:
        return SL_R_OK;
    case SL_VERDICT_EXPECTED_FAULT:
        if (is_fault)
            return SL_R_EXPECTED_FAULT;
        snprintf(reason, reason_len,
                 "response() returned \"expected_fault\" for a response without a SOAP Fault");
        return SL_R_CHECK_FAILED;
    default: /* nothing declared: a Fault stays one */
        return r;
    }
}

static void release(worker_t *w, slot_t *s)
{
    curl_multi_remove_handle(w->multi, s->easy);
    w->in_flight--;
    s->busy = 0;
    if (w->cfg->has_think && !w->sending_over) { /* it thinks before it is free again */
        uint64_t pause = sl_delay_draw_ns(&w->cfg->think, &w->think_rng);
        if (sl_waitq_push(&w->thinking, now_ns() + pause, (uint32_t)(s - w->slots)) == 0)
            return;
    }
    s->next_free = w->free_slots;
    w->free_slots = s;
}

/* Closed model: connections whose think time is over are free again. */
static void wake_thinkers(worker_t *w, uint64_t now)
{
    sl_waitq_entry_t e;
    while (sl_waitq_next(&w->thinking) <= now && sl_waitq_pop(&w->thinking, &e) == 0) {
        w->slots[e.index].next_free = w->free_slots;
        w->free_slots = &w->slots[e.index];
    }
}

/* Closed model: this worker's share of the connections the stages open at `now`. */
static uint64_t closed_allowed(const worker_t *w, uint64_t now)
{
    int all = sl_config_connections_at(w->cfg, now > w->t0 ? now - w->t0 : 0);
    int n = w->a->nworkers, i = w->a->index;
    return (uint64_t)(all / n + (i < all % n));
}

/* Why a request failed, in words, for the "Top failure reasons", per operation; the first
 * failure of each reason keeps its response body (or libcurl's message) as a sample. */
static void add_reason(worker_t *w, const slot_t *s, sl_result_t r, CURLcode rc, long status,
                       const char *reason)
{
    char text[SL_REASON_TEXT];
    const char *why = text;
    int transport = 0;
    switch (r) {
    case SL_R_CHECK_FAILED: /* response() returned false, reason */
    case SL_R_SIGNATURE:    /* the signature check's reason */
    case SL_R_SCHEMA:       /* the first error of the validation */
        why = reason;
        break;
    case SL_R_SOAP_FAULT:
        sl_reasons_fault_text(s->resp_body.data, s->resp_body.len, text, sizeof(text));
        break;
    case SL_R_HTTP_STATUS:
        snprintf(text, sizeof(text), "HTTP %ld", status);
        break;
    case SL_R_ID_MISMATCH:
        why = "the response does not echo the request's ID";
        break;
    case SL_R_MALFORMED:
        why = "the response is not well-formed XML";
        break;
    case SL_R_TOO_LARGE:
        why = "the response body exceeded --max-body";
        transport = 1;
        break;
    case SL_R_CONNECT:
    case SL_R_TIMEOUT:
    case SL_R_WRITE:
    case SL_R_READ:
    case SL_R_TRUNCATED:
    case SL_R_PROTOCOL:
    case SL_R_TLS:
    case SL_R_OTHER: /* libcurl's message for its error code: the same text for the same cause */
        why = curl_easy_strerror(rc);
        transport = 1;
        break;
    default: /* ok, or a kind that is its own reason */
        return;
    }
    sl_reason_t *e = sl_reasons_add_op(&w->reasons, s->op, r, why, 1);
    if (e == NULL || e->has_sample)
        return;
    if (transport) /* no response: the sample is libcurl's own message, details included */
        sl_reasons_sample(e, 0, s->errbuf, strlen(s->errbuf), 0);
    else
        sl_reasons_sample(e, status, s->resp_body.data, s->resp_body.len, 0);
}

/* Counts a request that carried tags as it ends: each tag value's results get what an
 * operation's would (scheduled, sent, how it ended, bytes, both latencies). */
static void count_tags(worker_t *w, const slot_t *s, sl_result_t r, uint64_t done, long status)
{
    const char *p = s->req.tags.data;
    curl_off_t up = 0;
    if (s->sent_ns != 0 &&
        (curl_easy_getinfo(s->easy, CURLINFO_SIZE_UPLOAD_T, &up) != CURLE_OK || up < 0))
        up = 0;
    for (int k = 0; k < s->req.ntags; k++) {
        size_t nlen = strlen(p);
        const char *v = p + nlen + 1;
        size_t vlen = strlen(v);
        int i = sl_tags_slot(&w->tags, p, nlen, v, vlen);
        p = v + vlen + 1;
        if (i < 0) /* out of memory: the tag results then say they do not add up */
            continue;
        sl_op_stats_t *t = w->tags.items[i].stats;
        t->counts.scheduled++;
        int refused = s->prereqs - 1 - s->goaway.resends; /* resends soapload refused */
        t->counts.retried += refused > 0 ? (uint64_t)refused : 0;
        if (s->sent_ns == 0) {
            t->counts.before_send[r]++;
            continue;
        }
        t->counts.sent++;
        t->counts.results[r]++;
        t->counts.bytes_sent += (uint64_t)up;
        if (status > 0) { /* a response came */
            t->counts.bytes_received += s->resp_body.len;
            sl_hist_record(t->from_due, (done - s->due_ns) / 1000);
            sl_hist_record(t->service, (done - s->sent_ns) / 1000);
        }
    }
}

/* Ends the request on slot s with result r: the trace line, then the board, then the counts,
 * so that a worker dying in between leaves the parent a line for it and counts that add up. */
static void finish(worker_t *w, slot_t *s, sl_result_t r, uint64_t done, long status)
{
    char name[64];
    const char *outcome = sl_result_name(r);
    if (s->sent_ns == 0)
        outcome = before_send_outcome(r, name, sizeof(name));
    sl_conns_done(s->easy, &s->tconn);
    trace_line(w, s->op, s->flow1, s->req.id.data, s->req.id.len, s->local_port, s->due_ns,
               s->sent_ns, s->first_byte_ns, done, status, &s->tconn, outcome);
    __atomic_store_n(&s->bc->busy, 0, __ATOMIC_RELEASE);
    if (s->sent_ns == 0) {
        count_before_send(w, r);
        if (s->op >= 0)
            w->ops[s->op].counts.before_send[r]++;
    } else {
        curl_off_t up = 0;
        if (curl_easy_getinfo(s->easy, CURLINFO_SIZE_UPLOAD_T, &up) != CURLE_OK || up < 0)
            up = 0;
        w->counts->bytes_sent += (uint64_t)up;
        w->second_counts.bytes_sent += (uint64_t)up;
        count_result(w, r);
        if (s->op >= 0) {
            w->ops[s->op].counts.bytes_sent += (uint64_t)up;
            w->ops[s->op].counts.results[r]++;
        }
    }
    if (s->req.ntags > 0)
        count_tags(w, s, r, done, status);
    spool_add(w, s, done ? done : now_ns());
    release(w, s);
    if (s->req.body_ref > 0)
        sl_script_release_body(w->script, &s->req);
    if (s->flow1 != 0 && s->sent_ns != 0 && w->flows->any_cookies && s->resp_head.len > 0)
        sl_flowrun_take_cookies(w->flows, s->flow1 - 1, s->resp_head.data, s->resp_head.len);
    if (s->flow1 != 0) { /* its flow goes on, ends or fails with it */
        uint32_t flow = s->flow1 - 1;
        s->flow1 = 0;
        sl_flowrun_step_done(w->flows, w->script, flow, (int)r, done ? done : now_ns());
    }
}

static void complete(worker_t *w, slot_t *s, CURLcode rc)
{
    uint64_t now = now_ns();
    sl_result_t r;
    long status = 0;
    char reason[SL_REASON_TEXT] = "";
    if (rc != CURLE_OK && sl_goaway_requeue(&s->goaway)) {
        /* a GOAWAY left it unprocessed and libcurl gave up: on a new connection, same ID */
        curl_multi_remove_handle(w->multi, s->easy);
        s->errbuf[0] = '\0';
        if (curl_multi_add_handle(w->multi, s->easy) == CURLM_OK)
            return;
    }
    if (rc == CURLE_OK) {
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        w->counts->bytes_received += s->resp_body.len;
        w->second_counts.bytes_received += s->resp_body.len;
        r = check_response(w, s, status, reason, sizeof(reason));
        uint64_t sent = s->sent_ns ? s->sent_ns : s->due_ns;
        sl_hist_record(w->latency, (now - s->due_ns) / 1000);
        sl_hist_record(w->second_latency, (now - s->due_ns) / 1000);
        sl_hist_record(w->service, (now - sent) / 1000);
        if (s->op >= 0) {
            w->ops[s->op].counts.bytes_received += s->resp_body.len;
            sl_hist_record(w->ops[s->op].from_due, (now - s->due_ns) / 1000);
            sl_hist_record(w->ops[s->op].service, (now - sent) / 1000);
            /* a full memory loses a point of the chart, not a count */
            (void)sl_opseries_record(&w->series, s->op, (now - w->t0) / 1000000000ULL,
                                     (now - s->due_ns) / 1000, 1);
        }
        sl_hist_record(w->second_service, (now - sent) / 1000);
    } else if (s->prereqs - s->goaway.resends > 1) {
        r = SL_R_READ; /* closed without an answer after it was written: resend refused */
        snprintf(s->errbuf, sizeof(s->errbuf),
                 "the reused connection closed without an answer after the request was written; "
                 "libcurl's resend refused");
    } else if (rc == CURLE_OUT_OF_MEMORY && s->status_seen) {
        /* libcurl refuses a response header line longer than its limit (100 KiB in 7.88)
         * with "out of memory": the response, not the machine, is at fault */
        s->protocol_error = "a response header line longer than libcurl accepts (100 KiB)";
        r = SL_R_PROTOCOL;
        snprintf(s->errbuf, sizeof(s->errbuf), "%s", s->protocol_error);
    } else if (s->protocol_error != NULL) {
        r = SL_R_PROTOCOL;
        snprintf(s->errbuf, sizeof(s->errbuf), "%s", s->protocol_error);
    } else {
        r = transport_result(s, rc);
        if (s->errbuf[0] == '\0')
            snprintf(s->errbuf, sizeof(s->errbuf), "%s", curl_easy_strerror(rc));
    }
    if (rc != CURLE_OK && w->board->first_error[r][0] == '\0')
        snprintf(w->board->first_error[r], SL_BOARD_ERROR_CAP, "%.*s", SL_BOARD_ERROR_CAP - 1,
                 s->errbuf);
    if (s->sent_ns != 0)
        sl_hist_record(w->lateness, s->sent_ns > s->due_ns ? (s->sent_ns - s->due_ns) / 1000 : 0);
    add_reason(w, s, r, rc, status, reason);
    finish(w, s, r, now, status);
}

static void collect(worker_t *w)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        slot_t *s;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
        complete(w, s, m->data.result);
    }
}

static void cancel_in_flight(worker_t *w)
{
    for (int i = 0; i < w->nslots; i++) {
        slot_t *s = &w->slots[i];
        if (s->busy)
            finish(w, s, SL_R_CANCELLED, 0, 0);
    }
}

/* ---- the loop ------------------------------------------------------------------------- */

/* The due time of the worker's next schedule entry, or NEVER when its schedule is over. */
static uint64_t next_due(const worker_t *w)
{
    return w->plan.next_due == SL_PROFILE_END ? NEVER : w->t0 + w->plan.next_due;
}

/* --send-window T: requests leave only on a grid of step T from t0, each at the first point of
 * the grid at or after its due time (late by less than T, never early), so that a worker
 * wakes at most once per T to send. T divides a second (config.c), so the ends of the run's
 * seconds are points of the grid; t_end, where the schedule ends, is one too. The latest point
 * at or before `now`: send_due's limit. */
static uint64_t window_floor(const worker_t *w, uint64_t now)
{
    uint64_t step = w->cfg->send_window_ns;
    if (step == 0 || now < w->t0 || now >= w->t_end)
        return now;
    return w->t0 + (now - w->t0) / step * step;
}

static uint64_t window_ceil(const worker_t *w, uint64_t due)
{
    uint64_t step = w->cfg->send_window_ns;
    if (step == 0 || due == NEVER || due <= w->t0)
        return due;
    uint64_t b = w->t0 + (due - w->t0 + step - 1) / step * step;
    return b < w->t_end ? b : w->t_end;
}

/* soapload.flows: starts the flows due by `now` and sends their steps due by then, in due
 * order; after sending stops, only steps of flows under way, until the grace period ends. */
static void send_flows_due(worker_t *w, uint64_t now)
{
    if (w->sending_over && (now >= w->grace_end || interrupted || w->stop_requested))
        sl_flowrun_close(w->flows, w->script); /* (a Ctrl-C in the grace period ends it) */
    if (w->cfg->closed && !w->sending_over && now < w->t_end) { /* the users the stages allow */
        /* (a worker holds 65,536 users at most: more never start) */
        for (uint64_t users = closed_allowed(w, now);
             sl_flowrun_active(w->flows) < users && w->flows->pool.nfree > 0;)
            sl_flowrun_start(w->flows, w->script, w->flows->user_offset + w->flows->pool.started,
                             now);
    }
    while (w->free_slots != NULL) {
        uint64_t start = w->sending_over || w->cfg->closed ? NEVER : next_due(w), step;
        if (start >= w->t_end)
            start = NEVER;
        uint32_t flow;
        int took;
        if (start <= now && start < sl_flowrun_next_due(w->flows)) {
            const sl_plan_t *pl = &w->plan.plan[w->plan.cur];
            sl_flowrun_start(w->flows, w->script,
                             sl_segment_request_index(w->cfg, pl->j, w->a->index, w->a->nworkers),
                             start);
            sl_scenario_plan_advance(&w->plan);
            w->board->next_j = ++w->next_j;
        } else if ((took = sl_flowrun_take(w->flows, w->script, now, &flow, &w->due_op, &step,
                                           w->err, sizeof(w->err))) < 0) {
            report_script_error(w, w->err); /* when() raised */
            sl_flowrun_step_done(w->flows, w->script, flow, SL_FLOW_SCRIPT_ERROR, now_ns());
        } else if (took) {
            w->counts->scheduled++;
            w->second_counts.scheduled++;
            w->free_slots->flow1 = flow + 1;
            took = dispatch(w, step);
            sl_script_use_vars(w->script, SL_SCRIPT_NO_VARS);
            if (!took) { /* request() raised: nothing was sent, and the slot is still free */
                w->free_slots->flow1 = 0;
                sl_flowrun_step_done(w->flows, w->script, flow, SL_FLOW_SCRIPT_ERROR, now_ns());
            }
        } else {
            break;
        }
    }
}

/* Sends what is due by `now`. Returns when nothing more is, or no slot is free. */
static void send_due(worker_t *w, uint64_t now)
{
    if (w->flows != NULL) {
        send_flows_due(w, now);
        return;
    }
    if (w->sending_over)
        return;
    if (w->cfg->closed) {
        if (now < w->closed_retry_at)
            return;
        wake_thinkers(w, now);
        uint64_t allowed = closed_allowed(w, now);
        while (w->free_slots != NULL && now < w->t_end && w->in_flight + w->thinking.n < allowed) {
            w->counts->scheduled++;
            w->second_counts.scheduled++;
            if (!dispatch(w, now_ns())) {
                /* request() raised: no slot was taken. Try again in a millisecond rather than
                 * spin on a script that always fails. */
                w->closed_retry_at = now_ns() + CLOSED_RETRY_NS;
                return;
            }
        }
        return;
    }
    while (w->free_slots != NULL) {
        uint64_t due = next_due(w);
        if (due > now || due >= w->t_end)
            break;
        w->due_op = sl_scenario_plan_op(&w->plan);
        w->due_sc = w->plan.cur;
        sl_scenario_plan_advance(&w->plan);
        w->next_j++;
        w->second_counts.scheduled++;
        dispatch(w, due);
        w->board->next_j = w->next_j;
    }
}

/* On an abort, the rest of the schedule is not sent: counted from the schedule's formulas
 * (sl_rest_count), not walked entry by entry, so that the answers in flight are read on time
 * however long the rest; each second gets its share as flush_second closes it (those after
 * the drain in finish_rest). A trace's line per entry is written after the drain. Returns 0,
 * or -1 when out of memory (the caller walks the rest then). */
static int abort_rest(worker_t *w, uint64_t now)
{
    sl_rest_t *r = &w->rest;
    if (sl_rest_count(r, &w->plan, w->second, now > w->t0 ? now - w->t0 : 0, w->cfg->duration_ns) !=
        0)
        return -1;
    if (w->a->trace_fd >= 0 && (w->rest_plan = malloc(sizeof(*w->rest_plan))) == NULL) {
        sl_rest_free(r);
        return -1;
    }
    if (w->rest_plan != NULL)
        *w->rest_plan = w->plan; /* (shares the profiles and mixes of w->plan) */
    w->abort_ns = now;
    w->board->aborted += r->after;
    for (int i = 0; i < w->plan.n; i++) {
        sl_op_stats_t *t = scenario_stats(w, i);
        if (t != NULL) {
            t->counts.scheduled += r->per_scenario[i];
            t->counts.not_sent += r->per_scenario[i];
        }
    }
    for (int op = 0; op < w->nops; op++) {
        w->ops[op].counts.scheduled += r->per_op[op];
        w->ops[op].counts.not_sent += r->per_op[op];
    }
    w->plan.j += r->total;
    w->plan.next_due = SL_PROFILE_END;
    w->counts->scheduled = w->plan.j;
    w->counts->not_sent = r->total;
    return 0;
}

/* After the drain: the trace's lines of the aborted rest, then the seconds of the rest that
 * came after the worker's last. */
static void finish_rest(worker_t *w)
{
    sl_scenario_plan_t *p = w->rest_plan;
    if (w->rest.per_second == NULL)
        return;
    for (; p != NULL && p->next_due < w->cfg->duration_ns; sl_scenario_plan_advance(p)) {
        uint64_t due = w->t0 + p->next_due;
        trace_unsent(w, sl_scenario_plan_op(p), 0, "", 0, due,
                     due > w->abort_ns ? "aborted" : "not_sent");
    }
    while (w->second - w->rest.first_second < w->rest.nseconds)
        flush_second(w);
    if (w->a->trace_fd >= 0)
        trace_flush(w);
    free(w->rest_plan);
    w->rest_plan = NULL;
    sl_rest_free(&w->rest);
}

/* Closes the schedule: what was due and not sent is counted as not sent; on an abort (a failed
 * threshold) the rest of the schedule too, as not sent for that reason. */
static void end_sending(worker_t *w, uint64_t now, int abort)
{
    w->sending_over = 1;
    if (w->flows != NULL) { /* what was due and not started; the flows under way go on */
        w->flows->stopping = 1;
        while (!w->cfg->closed && next_due(w) <= now && next_due(w) < w->t_end) {
            const sl_plan_t *pl = &w->plan.plan[w->plan.cur];
            sl_flowrun_not_started(
                w->flows, sl_segment_request_index(w->cfg, pl->j, w->a->index, w->a->nworkers));
            sl_scenario_plan_advance(&w->plan);
        }
        w->grace_end = interrupted || w->stop_requested || abort ? now : now + w->cfg->grace_ns;
        w->drain_deadline = w->grace_end + w->cfg->timeout_ns + DRAIN_GRACE_NS;
        return;
    }
    if (!w->cfg->closed && !(abort && abort_rest(w, now) == 0)) {
        uint64_t from = w->next_j, due, until = abort ? UINT64_MAX - 1 : now;
        /* on an interrupt only what was due by now counts as scheduled */
        while ((due = next_due(w)) <= until && due < w->t_end) {
            int op = sl_scenario_plan_op(&w->plan);
            sl_op_stats_t *t = scenario_stats(w, w->plan.cur);
            w->board->aborted += due > now;
            if (w->a->trace_fd >= 0)
                trace_unsent(w, op, 0, "", 0, due, due > now ? "aborted" : "not_sent");
            if (op >= 0) {
                w->ops[op].counts.scheduled++;
                w->ops[op].counts.not_sent++;
            }
            if (t != NULL) {
                t->counts.scheduled++;
                t->counts.not_sent++;
            }
            sl_scenario_plan_advance(&w->plan);
        }
        due = w->plan.j;
        w->second_counts.scheduled += due - from;
        w->counts->scheduled = due;
        w->counts->not_sent = due - from;
        w->second_counts.not_sent += due - from;
    }
    w->drain_deadline = now + w->cfg->timeout_ns + DRAIN_GRACE_NS;
}

static uint64_t next_wake(worker_t *w, uint64_t now)
{
    uint64_t wake = w->curl_deadline;
    uint64_t next_second = w->t0 + (w->second + 1) * 1000000000ULL;
    if (next_second < wake)
        wake = next_second;
    if (!w->sending_over) {
        if (w->t_end < wake)
            wake = w->t_end;
        if (w->cfg->closed && w->free_slots != NULL && w->closed_retry_at > now &&
            w->closed_retry_at < wake)
            wake = w->closed_retry_at;
        if (w->cfg->closed && sl_waitq_next(&w->thinking) < wake)
            wake = sl_waitq_next(&w->thinking);
        if (w->cfg->closed && w->cfg->nstages > 0 && now >= w->t0) {
            uint64_t grow = sl_config_connections_grow(w->cfg, now - w->t0);
            if (grow != UINT64_MAX && w->t0 + grow < wake)
                wake = w->t0 + grow;
        }
        if (!w->cfg->closed && w->free_slots != NULL) {
            uint64_t due = window_ceil(w, next_due(w));
            if (due < wake)
                wake = due;
        }
    } else if (w->drain_deadline < wake) {
        wake = w->drain_deadline;
    }
    if (w->flows != NULL) { /* a flow's next step, or the end of the grace period */
        uint64_t step = w->free_slots != NULL ? sl_flowrun_next_due(w->flows) : NEVER;
        if (!w->sending_over && step != NEVER) /* --send-window: on its grid, as requests */
            step = window_ceil(w, step);
        if (step < wake)
            wake = step;
        if (w->sending_over && !w->flows->closed && w->grace_end < wake)
            wake = w->grace_end;
    }
    return wake < now ? now : wake;
}

/* epoll_pwait2 (Linux 5.11) wakes to the nanosecond; where it is missing (older kernels,
 * valgrind) epoll_wait does, rounded up to the millisecond. */
static int wait_events(worker_t *w, struct epoll_event *evs, uint64_t wait_ns)
{
    static int have_pwait2 = 1;
    if (have_pwait2) {
        struct timespec ts = {.tv_sec = (time_t)(wait_ns / 1000000000ULL),
                              .tv_nsec = (long)(wait_ns % 1000000000ULL)};
        int n = epoll_pwait2(w->ep, evs, MAX_EVENTS, &ts, NULL);
        if (n >= 0 || errno != ENOSYS)
            return n;
        have_pwait2 = 0;
    }
    uint64_t ms = (wait_ns + 999999) / 1000000;
    return epoll_wait(w->ep, evs, MAX_EVENTS, ms > 60000 ? 60000 : (int)ms);
}

static int read_control(worker_t *w)
{
    char c;
    ssize_t n = read(w->a->control_fd, &c, 1);
    if (n == 0)
        return -1; /* the parent is gone */
    if (n == 1 && c == 's')
        w->stop_requested = 1;
    if (n == 1 && c == 'a') /* a threshold failed: stop sending, let what is in flight end */
        w->abort_requested = 1;
    return 0;
}

static void run_loop(worker_t *w)
{
    struct epoll_event evs[MAX_EVENTS];
    struct epoll_event cev = {.events = EPOLLIN, .data.fd = w->a->control_fd};
    int running;
    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->a->control_fd, &cev);

    for (;;) {
        uint64_t now = now_ns();
        int again = 0;
        if ((interrupted || w->stop_requested) && !w->sending_over) {
            end_sending(w, now, 0);
            cancel_in_flight(w);
        }
        if (w->abort_requested && !w->sending_over)
            end_sending(w, now, 1);
        if (now >= w->curl_deadline) {
            w->curl_deadline = NEVER;
            curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            collect(w);
        }
        /* a second's due requests are sent (and counted in it) before it is closed, however
         * late this loop woke: per-second counts are by due time */
        for (uint64_t end; now >= (end = w->t0 + (w->second + 1) * 1000000000ULL);) {
            if (!w->cfg->closed)
                send_due(w, end - 1);
            flush_second(w);
        }
        send_due(w, window_floor(w, now));
        /* new requests: start writing them right away. libcurl asked for 0 ms after `now`
         * was read, so the clock is read again: else the loop would go round once more
         * through an epoll wait of 0 before writing them */
        if (w->curl_deadline != NEVER && w->curl_deadline <= now_ns()) {
            uint64_t in_flight = w->in_flight;
            w->curl_deadline = NEVER;
            curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            collect(w);
            /* answered at once: the freed connections take what is due after a look at the
             * other connections' events, without waiting */
            again = w->in_flight < in_flight;
        }
        now = now_ns();
        if (!w->sending_over && now >= w->t_end && w->cfg->send_window_ns > 0)
            send_due(w, now); /* the last window's requests, held since its start */
        if (!w->sending_over && now >= w->t_end)
            end_sending(w, now, 0);
        if (w->sending_over && w->in_flight == 0 &&
            (w->flows == NULL || sl_flowrun_active(w->flows) == 0))
            break;
        if (w->sending_over && now >= w->drain_deadline) {
            cancel_in_flight(w);
            break;
        }

        int n = wait_events(w, evs, again ? 0 : next_wake(w, now) - now);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == w->a->control_fd) {
                if (read_control(w) != 0)
                    _exit(1); /* orphaned: nobody would read the results */
                continue;
            }
            if (sock_idle_event(w, fd))
                continue;
            int flags = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(w->multi, fd, flags, &running);
        }
        if (n > 0)
            collect(w);
    }
    flush_second(w);
    finish_rest(w);
}

static void cleanup(worker_t *w)
{
    sl_validate_free(w->validate);
    for (int i = 0; w->slots != NULL && i < w->nslots; i++) {
        slot_t *s = &w->slots[i];
        if (s->easy != NULL)
            curl_easy_cleanup(s->easy);
        curl_slist_free_all(s->own_headers);
        sl_buf_free(&s->req.body);
        sl_buf_free(&s->req.headers);
        sl_buf_free(&s->req.tags);
        sl_buf_free(&s->req.path);
        sl_buf_free(&s->req.id);
        sl_buf_free(&s->resp_body);
        sl_buf_free(&s->resp_head);
    }
    if (w->multi != NULL)
        curl_multi_cleanup(w->multi);
    curl_slist_free_all(w->headers);
    curl_url_cleanup(w->url);
    if (w->ep >= 0)
        close(w->ep);
    sl_buf_free(&w->body_head);
    sl_buf_free(&w->body_tail);
    free(w->slots);
    free(w->latency);
    free(w->service);
    free(w->lateness);
    free(w->second_latency);
    sl_conns_free(&w->conns);
    sl_goaway_free(&w->goaway);
    sl_transport_close(&w->transport);
    sl_wsse_rewrite_close(w->signer);
    sl_wsse_verify_close(w->verifier);
    sl_wsse_decrypt_close(w->decrypter);
    sl_buf_free(&w->decrypted);
    sl_buf_free(&w->second_buf);
    sl_buf_free(&w->spool_ids);
    sl_waitq_free(&w->thinking);
    if (w->flows != NULL)
        sl_flowrun_free(w->flows, w->script);
    free(w->flows);
    sl_script_close(w->script);
    sl_opstats_free(w->ops, w->nops);
    sl_opseries_free(&w->series);
    sl_tags_free(&w->tags);
    sl_mix_free(&w->mix);
    sl_scenario_plan_free(&w->plan);
    free(w->rest_plan);
    sl_rest_free(&w->rest);
}

static int send_final(worker_t *w)
{
    sl_msg_final_t m = {
        .counts = *w->counts, .max_in_flight = w->max_in_flight, .last_seq = w->seq};
    sl_buf_t hists = {0};
    const sl_hist_t *hs[3] = {w->latency, w->service, w->lateness};
    for (int i = 0; i < 3; i++) {
        size_t need = sl_hist_encode(hs[i], NULL, 0);
        if (sl_buf_reserve(&hists, need) != 0)
            return -1;
        hists.len += sl_hist_encode(hs[i], (uint8_t *)hists.data + hists.len, need);
    }
    int rc = 0;
    if (w->reasons.n > 0 || w->reasons.other > 0) /* before the final report: it ends the worker */
        rc = sl_proto_send(w->a->report_fd, SL_MSG_REASONS, &w->reasons, sizeof(w->reasons), NULL,
                           0);
    if (rc == 0 && w->nops > 0) { /* before the final report too */
        sl_buf_t ops = {0};
        rc = sl_opstats_encode(w->ops, w->nops, &ops);
        if (rc == 0)
            rc = sl_proto_send(w->a->report_fd, SL_MSG_OPS, ops.data, ops.len, NULL, 0);
        sl_buf_clear(&ops);
        if (rc == 0 && sl_opseries_encode(&w->series, &ops) == 0) /* the chart's part */
            rc = sl_proto_send(w->a->report_fd, SL_MSG_OPSERIES, ops.data, ops.len, NULL, 0);
        sl_buf_free(&ops);
    }
    if (rc == 0 && w->tags.n > 0) { /* before the final report too */
        sl_buf_t tags = {0};
        rc = sl_tags_encode(&w->tags, &tags);
        if (rc == 0)
            rc = sl_proto_send(w->a->report_fd, SL_MSG_TAGS, tags.data, tags.len, NULL, 0);
        sl_buf_free(&tags);
    }
    if (rc == 0 && w->flows != NULL) /* before the final report too */
        rc = sl_flowrun_report(w->flows, w->a->report_fd);
    if (rc == 0)
        rc = sl_conns_report(&w->conns, w->a->report_fd);
    if (rc == 0 && w->validate != NULL) {
        sl_validate_stats_t v = sl_validate_stats(w->validate);
        rc = sl_proto_send(w->a->report_fd, SL_MSG_VALIDATION, &v, sizeof(v), NULL, 0);
    }
    if (rc == 0)
        rc = sl_proto_send(w->a->report_fd, SL_MSG_FINAL, &m, sizeof(m), hists.data, hists.len);
    sl_buf_free(&hists);
    return rc;
}

int sl_worker_main(const sl_worker_args_t *a)
{
    worker_t w = {.a = a, .cfg = a->cfg, .ep = -1, .board = a->board, .counts = &a->board->counts};
    struct sigaction sa = {.sa_handler = on_signal};
    uint64_t t0;
    int status = 1;

    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the parent */
    prctl(PR_SET_TIMERSLACK, 1UL);    /* wake on the due time, not 50 us later */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (setup(&w) != 0)
        goto Failed;
    w.script = sl_script_load(a->cfg->script_path, a->script_text, a->script_len, a->cfg, w.err,
                              sizeof(w.err));
    if (w.script == NULL)
        goto Failed;
    sl_script_watch(w.script, a->report_fd, a->index + 1);
    sl_script_publish(w.script, a->cfg, a->index + 1, w.pid);
    sl_script_seed(
        w.script, sl_script_worker_seed(a->cfg->seed, a->index + a->cfg->segment * SL_MAX_WORKERS));
    if (a->cfg->nops > 0) {
        w.nops = a->cfg->nops;
        if (sl_script_operations(w.script, a->cfg, w.err, sizeof(w.err)) != 0 ||
            sl_mix_init(&w.mix, a->cfg->op_weights, a->cfg->nops, w.err, sizeof(w.err)) != 0)
            goto Failed;
        if ((w.ops = sl_opstats_new(w.nops)) == NULL || sl_opseries_init(&w.series, w.nops) != 0) {
            snprintf(w.err, sizeof(w.err), "out of memory for %d operations' results", w.nops);
            goto Failed;
        }
    }
    if (sl_script_init(w.script, a->cfg->script_args, a->cfg->nargs, w.err, sizeof(w.err)) != 0)
        goto Failed;
    if (a->cfg->validate_pct > 0 &&
        (w.validate = sl_validate_new(a->cfg->schema, a->cfg->validate_pct)) == NULL) {
        snprintf(w.err, sizeof(w.err), "out of memory for the schema validation");
        goto Failed;
    }
    w.want_resp_headers = sl_script_has_response(w.script);
    if (!a->cfg->closed) {
        if (sl_scenario_plan_init(&w.plan, a->cfg, a->index, a->nworkers, w.err, sizeof(w.err)) !=
            0)
            goto Failed;
        for (int i = 0; a->cfg->scenarios != NULL && i < a->cfg->scenarios->n; i++)
            scenario_stats(&w, i); /* each scenario's results first, whatever the other tags */
    }
    if (a->cfg->flows != NULL) { /* room for a flow per second of steps at 1,000 flows/s */
        if ((w.flows = calloc(1, sizeof(*w.flows))) == NULL ||
            sl_flowrun_init(w.flows, a->cfg, 65536, w.think_rng, a->board->flows, w.err,
                            sizeof(w.err)) != 0) {
            if (w.err[0] == '\0')
                snprintf(w.err, sizeof(w.err), "out of memory for the flows");
            goto Failed;
        }
        w.flows->loop = a->cfg->closed; /* virtual users, each running flows in a loop */
        w.want_resp_headers |= w.flows->any_cookies; /* their Set-Cookie lines */
        w.flows->user_offset = (uint64_t)a->index * w.flows->mix.cycle / (uint64_t)a->nworkers;
    }
    for (int i = 0; i < w.nops; i++)
        w.want_resp_headers |= sl_script_has_op_response(w.script, i);
    sl_proto_send(a->report_fd, SL_MSG_READY, NULL, 0, NULL, 0);

    /* the parent answers with the common start time once every worker is ready */
    ssize_t n;
    while ((n = read(a->control_fd, &t0, sizeof(t0))) < 0 && errno == EINTR)
        ;
    if (n != sizeof(t0))
        goto Done; /* the parent gave up (another worker failed): send nothing */
    w.t0 = t0;
    w.realtime_offset = a->realtime_offset;
    w.t_end = t0 + a->cfg->duration_ns;
    uint64_t now = now_ns();
    int told = 0; /* until a start hours ahead (--start-at), a stop from the parent ends the wait */
    while (now + 2000000ULL < t0 && !interrupted && !told) {
        struct pollfd p = {.fd = a->control_fd, .events = POLLIN};
        uint64_t ms = (t0 - now) / 1000000ULL - 1;
        told = poll(&p, 1, ms > 1000 ? 1000 : (int)ms) > 0; /* run_loop reads what it says */
        now = now_ns();
    }
    if (now < t0 && !told) {
        struct timespec ts = {.tv_sec = (time_t)((t0 - now) / 1000000000ULL),
                              .tv_nsec = (long)((t0 - now) % 1000000000ULL)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !interrupted)
            ;
    }
    run_loop(&w);
    a->board->stop_signal = (int)interrupted; /* the parent tells a stop it asked for */
    status = send_final(&w) == 0 ? 0 : 1;
    goto Done;
Failed:
    sl_proto_send(a->report_fd, SL_MSG_FAILED, w.err, strlen(w.err), NULL, 0);
Done:
    cleanup(&w);
    return status;
}
