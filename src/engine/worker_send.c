/*
 * worker_send: request j of this worker leaves when it is due and a slot is free: built by the
 * script (engine/build.h) or from the built-in body's fixed head and tail, its header lines
 * composed by engine/head.h as --dry-run composes them, then handed to libcurl. Latency runs
 * from the due time; service time from on_prereq, when libcurl starts writing.
 */
#include "engine/worker_send.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cookies.h"
#include "core/monotime.h"
#include "core/reqid.h"
#include "core/xml.h"
#include "engine/build.h"
#include "engine/head.h"
#include "engine/lua_mtom.h"
#include "engine/worker_count.h"
#include "engine/worker_fast.h"
#include "engine/worker_record.h"
#include "engine/worker_sock.h"
#include "engine/worker_users.h"

#define ID_CAP 512

/* Called by libcurl just before it writes the request: the send time and the local port. */
static int on_prereq(void *clientp, char *primary_ip, char *local_ip, int primary_port,
                     int local_port)
{
    (void)primary_ip;
    (void)local_ip;
    (void)primary_port;
    sl_slot_t *s = clientp;
    sl_worker_t *w = s->w;
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
        sl_worker_count_refused(w, s);
        return CURL_PREREQFUNC_ABORT;
    }
    sl_conns_sent(&w->conns, s->easy, local_port, &s->tconn);
    sl_worker_count_sent(w, s, local_port);
    return CURL_PREREQFUNC_OK;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    sl_slot_t *s = userp;
    size_t len = size * n;
    if (s->resp_body.len + len > s->w->cfg->max_body) {
        s->too_large = 1;
        return 0; /* aborts the transfer: counted as too_large */
    }
    return sl_buf_append(&s->resp_body, data, len) == 0 ? len : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
    sl_slot_t *s = userp;
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
        s->first_byte_ns = sl_monotime_ns();
    if (s->w->want_resp_headers && s->resp_head.len < 65536)
        sl_buf_append(&s->resp_head, data, len);
    return len;
}

/* The run's URL on a handle: parsed once when libcurl could, else as text. */
static void set_url(sl_worker_t *w, CURL *e)
{
    if (w->url != NULL)
        curl_easy_setopt(e, CURLOPT_CURLU, w->url);
    else
        curl_easy_setopt(e, CURLOPT_URL, w->cfg->url);
}

int sl_worker_send_setup_slot(sl_worker_t *w, sl_slot_t *s)
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
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, sl_worker_sock_open);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, sl_worker_sock_close);
    sl_transport_easy(&w->transport, cfg, e);
    return cfg->http2 ? sl_goaway_watch(&w->goaway, e, &s->goaway) : 0;
}

/* The request's ID: the worker's prefix, made once, and the sequence number's digits. */
static size_t format_id(sl_worker_t *w, uint64_t seq, char *out)
{
    memcpy(out, w->id_prefix, w->id_prefix_len);
    return sl_reqid_append_seq(out, w->id_prefix_len, seq);
}

/* Sets request()'s headers, method and path on the slot's handle. Returns 0, or -1 with the
 * reason in w->err when libcurl cannot make a URL of the path. */
static int apply_request_options(sl_worker_t *w, sl_slot_t *s)
{
    CURL *e = s->easy;
    if (s->own_headers != NULL) {
        curl_slist_free_all(s->own_headers);
        s->own_headers = NULL;
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, w->headers);
    }
    if (s->req.nheaders > 0) { /* request()'s headers replace the run's of the same name */
        sl_head_t head;
        struct curl_slist *h = NULL;
        sl_head_compose(&head, &w->head, &s->req);
        for (int i = 0; i < head.n; i++)
            h = curl_slist_append(h, head.line[i]);
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
static void set_cookie(sl_worker_t *w, sl_slot_t *s)
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
    sl_buf_clear(&s->cookie);
    if (c != NULL && sl_buf_append(&s->cookie, c, strlen(c)) != 0 && s->h1 != NULL) {
        sl_h1_drop(s->h1); /* no room for the fast path's copy: libcurl's path then */
        s->h1 = NULL;
    }
    s->cookie_set = c != NULL;
}

/* The operation of the request being dispatched, or -1 without operations. The open model
 * takes the run's global index of the schedule entry (the same mix whatever the workers);
 * the closed model this worker's own sequence, shifted per worker so that the workers do not
 * all start the cycle together. */
static int pick_op(sl_worker_t *w)
{
    if (w->nops == 0)
        return -1;
    if (w->users.n > 0) /* closed-model scenarios: the user's scenario's mix */
        return sl_worker_users_op(w);
    if (w->cfg->closed && w->flows == NULL) /* a flow's step: its flow says which */
        return sl_mix_of(
            &w->mix, w->seq - 1 + (uint64_t)w->a->index * w->mix.cycle / (uint64_t)w->a->nworkers);
    return w->due_op;
}

/* Tags the request with scenario=NAME in a run with scenarios. Returns 0, or -1 with w->err
 * when request() gave a tag of that name itself. */
static int tag_scenario(sl_worker_t *w, sl_slot_t *s, int built_in)
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
static int finish_body(sl_worker_t *w, sl_slot_t *s, uint64_t due_ns, int attached)
{
    int rc = 0;
    if (w->signer != NULL) {
        uint64_t cpu = sl_monotime_cpu_ns(); /* the CPU it costs, reported per request */
        rc = sl_wsse_rewrite_request(w->signer, &s->req, w->err, sizeof(w->err));
        if (rc == 0 && sl_wsse_opts_signing(&w->cfg->wsse)) {
            w->counts->wsse_signed++;
            w->counts->wsse_sign_cpu_ns += sl_monotime_cpu_ns() - cpu;
        }
    }
    if (rc == 0 && attached && (rc = sl_mtom_pack(&s->req, w->cfg->soap_version)) != 0)
        snprintf(w->err, sizeof(w->err), "soapload.attach: out of memory packing the parts");
    if (rc == 0)
        return 0;
    sl_worker_record_script_error_before_send(w, s, s->req.id.data, s->req.id.len, due_ns);
    sl_request_release_body(&s->req);
    return -1;
}

/* The body of request() on slot s, with its options on the handle. Returns 0, or -1 after
 * counting it as a script error before the send. */
static int build_scripted(sl_worker_t *w, sl_slot_t *s, const char *id, size_t id_len,
                          uint64_t due_ns, int *attached)
{
    sl_buf_append(&s->req.id, id, id_len);
    int rc = sl_build_call(w->script, s->op, w->seq, &s->req, w->cfg->soap_version, attached,
                           w->err, sizeof(w->err));
    if (rc == SL_BUILD_HOOK_FAILED) {
        sl_worker_record_script_error_before_send(w, s, id, id_len, due_ns);
        return -1;
    }
    if (rc != 0 || apply_request_options(w, s) != 0 || tag_scenario(w, s, 0) != 0) {
        sl_worker_record_script_error_before_send(w, s, s->req.id.data, s->req.id.len, due_ns);
        sl_request_release_body(&s->req);
        return -1;
    }
    s->custom_id = s->req.id.len != id_len || memcmp(s->req.id.data, id, id_len) != 0;
    return 0;
}

/* Counts the built-in request that found no memory for its body. Returns -1. */
static int builtin_failed(sl_worker_t *w, sl_slot_t *s, const char *id, size_t id_len,
                          uint64_t due_ns)
{
    char name[64];
    sl_worker_record_before_send(w, SL_R_OTHER);
    sl_worker_record_scenario_unsent(w, 0, SL_R_OTHER);
    sl_worker_record_unsent(w, s->op, s->flow1, id, id_len, due_ns,
                            sl_worker_record_outcome(SL_R_OTHER, name, sizeof(name)));
    return -1;
}

/* The built-in request on slot s: a fixed head and tail around the escaped ID. Returns 0, or
 * -1 after counting it. */
static int build_builtin(sl_worker_t *w, sl_slot_t *s, const char *id, size_t id_len,
                         uint64_t due_ns)
{
    s->custom_id = 0;
    sl_buf_t *b = &s->req.body;
    sl_buf_clear(b);
    s->req.check_id = 1;
    if (sl_buf_append(&s->req.id, id, id_len) != 0 ||
        sl_buf_append(b, w->body_head.data, w->body_head.len) != 0 ||
        sl_buf_reserve(b, sl_xml_escaped_len(id, id_len)) != 0)
        return builtin_failed(w, s, id, id_len, due_ns);
    b->len += sl_xml_escape(id, id_len, b->data + b->len);
    tag_scenario(w, s, 1); /* no request(): the only tag */
    if (sl_buf_append(b, w->body_tail.data, w->body_tail.len) != 0)
        return builtin_failed(w, s, id, id_len, due_ns);
    return 0;
}

/* Takes slot s for its built request due at due_ns and hands it to libcurl. */
static void start(sl_worker_t *w, sl_slot_t *s, uint64_t due_ns)
{
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
    bc->traced_at = UINT64_MAX;
    bc->next_j = w->next_j; /* the worker's own next_j reaches the board only after this */
    bc->port = 0;
    bc->id_len = (uint16_t)(s->req.id.len < SL_BOARD_ID_CAP ? s->req.id.len : SL_BOARD_ID_CAP);
    memcpy(bc->id, s->req.id.data, bc->id_len);
    __atomic_store_n(&bc->busy, 1, __ATOMIC_RELEASE);
    sl_buf_clear(&s->resp_body);
    sl_buf_clear(&s->resp_head);
    size_t body_len; /* request()'s string is not copied: released in finish() */
    const char *body = sl_request_body(&s->req, &body_len);
    if (++w->in_flight > w->max_in_flight)
        w->max_in_flight = w->in_flight;
    if (w->in_flight > w->second_in_flight_max)
        w->second_in_flight_max = w->in_flight;
    if (sl_worker_fast_start(w, s, body, body_len)) /* (it may have ended already) */
        return;
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_multi_add_handle(w->multi, s->easy);
}

int sl_worker_send_dispatch(sl_worker_t *w, uint64_t due_ns)
{
    sl_slot_t *s = w->free_slots;
    char id[ID_CAP];
    size_t id_len = format_id(w, ++w->seq, id);
    int attached = 0; /* request() made attachments: sent as MTOM */
    w->board->last_seq = w->seq;

    sl_buf_clear(&s->req.id);
    s->op = pick_op(w);
    if (s->op >= 0)
        w->ops[s->op].counts.scheduled++;
    if (s->op >= 0 || sl_script_has_request(w->script)) {
        if (build_scripted(w, s, id, id_len, due_ns, &attached) != 0)
            return 0;
    } else if (build_builtin(w, s, id, id_len, due_ns) != 0) {
        return 0;
    }
    if ((w->signer != NULL || attached) && finish_body(w, s, due_ns, attached) != 0)
        return 0;
    if (w->flows != NULL && w->flows->any_cookies)
        set_cookie(w, s);
    start(w, s, due_ns);
    return 1;
}
