/*
 * handler: soapload-mock's answers. POST to the endpoint: the SOAP contract (soap.c), the
 * UsernameToken check when one is demanded (wsse.c), counted (stats.c), signed when asked
 * (core/wsse_sign.c), stamped with the server's clock, optionally after a drawn delay (delay.c);
 * GET ?wsdl; GET /stats and POST /stats/reset; 405 and 404 for the rest. Runs on the server thread
 * that owns the connection.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/delay.h"
#include "server.h"
#include "sessions.h"
#include "soap.h"
#include "mtom.h"
#include "wsse.h"

typedef struct {
    h2o_handler_t super;
    const sl_mock_server_t *server;
} handler_t;

/* A response waiting for its artificial delay; lives in the request's pool. */
typedef struct {
    h2o_timeout_entry_t entry;
    const sl_mock_server_t *server;
    sl_mock_thread_t *th;
    h2o_req_t *req;
    int status;
    const char *reason;
    const char *content_type;
    h2o_iovec_t body;
} pending_t;

static sl_mock_thread_t *thread_of(h2o_req_t *req)
{
    return (sl_mock_thread_t *)((char *)req->conn->ctx - offsetof(sl_mock_thread_t, ctx));
}

/* Response header names that are no h2o token; static, so that no answer copies them. */
static h2o_iovec_t time_name = {H2O_STRLIT("x-soapload-mock-time")};
static const char server_name[] = "soapload-mock";

/* Appends n headers to the answer's and returns them for the caller to fill. The answer's
 * headers start empty: they then take one pool allocation of exactly n entries. */
static h2o_header_t *add_headers(h2o_req_t *req, size_t n)
{
    h2o_headers_t *hs = &req->res.headers;
    if (hs->capacity == 0) {
        hs->entries = h2o_mem_alloc_pool(&req->pool, n * sizeof(h2o_header_t));
        hs->capacity = n;
    } else {
        h2o_vector_reserve(&req->pool, hs, hs->size + n);
    }
    h2o_header_t *h = hs->entries + hs->size;
    hs->size += n;
    return h;
}

/* Sends an answer: its status, body and `extra` headers that the caller filled at h, then
 * Content-Type and Server (h2o's own Server header is off: h2o 2.2.5 formats it with sprintf
 * on every response). `h` comes from add_headers(req, extra + 2). */
static void send_answer(h2o_req_t *req, h2o_header_t *h, size_t extra, int status,
                        const char *reason, const char *content_type, const char *body, size_t len)
{
    h[extra] = (h2o_header_t){&H2O_TOKEN_CONTENT_TYPE->buf, NULL,
                              h2o_iovec_init(content_type, strlen(content_type))};
    h[extra + 1] = (h2o_header_t){&H2O_TOKEN_SERVER->buf, NULL,
                                  h2o_iovec_init(server_name, sizeof(server_name) - 1)};
    req->res.status = status;
    req->res.reason = reason;
    req->res.content_length = len; /* else h2o sends it chunked */
    h2o_send_inline(req, body, len);
}

static void respond(h2o_req_t *req, int status, const char *reason, const char *content_type,
                    const char *body, size_t len)
{
    send_answer(req, add_headers(req, 2), 0, status, reason, content_type, body, len);
}

/* An answer of the SOAP endpoint, stamped with X-Soapload-Mock-Time: the wall clock
 * (CLOCK_REALTIME) when the answer leaves, as seconds since the epoch with microseconds, so
 * that a client can estimate its clock offset from the server's. Formatted by hand (printf
 * would cost more than the rest of the answer), the seconds' digits once per second per
 * thread. */
static void respond_soap(sl_mock_thread_t *th, h2o_req_t *req, int status, const char *reason,
                         const char *content_type, const char *body, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != th->stamp_sec || th->stamp_sec_len == 0) {
        char digits[20];
        uint64_t sec = (uint64_t)ts.tv_sec;
        size_t n = 0;
        do {
            digits[n++] = (char)('0' + sec % 10);
            sec /= 10;
        } while (sec > 0);
        th->stamp_sec_len = 0;
        while (n > 0)
            th->stamp_text[th->stamp_sec_len++] = digits[--n];
        th->stamp_text[th->stamp_sec_len++] = '.';
        th->stamp_sec = ts.tv_sec;
    }
    size_t stamp_len = th->stamp_sec_len + 6;
    char *out = h2o_mem_alloc_pool(&req->pool, stamp_len);
    uint32_t usec = (uint32_t)(ts.tv_nsec / 1000);
    memcpy(out, th->stamp_text, th->stamp_sec_len);
    for (size_t i = stamp_len; i > th->stamp_sec_len; i--) {
        out[i - 1] = (char)('0' + usec % 10);
        usec /= 10;
    }
    h2o_header_t *h = add_headers(req, 3);
    h[0] = (h2o_header_t){&time_name, NULL, h2o_iovec_init(out, stamp_len)};
    send_answer(req, h, 1, status, reason, content_type, body, len);
}

static void on_delay_done(h2o_timeout_entry_t *entry)
{
    pending_t *p = (pending_t *)entry;
    respond_soap(p->th, p->req, p->status, p->reason, p->content_type, p->body.base, p->body.len);
    sl_stats_end(p->server->stats);
}

/* The request went away (client closed) before its delay ran out. */
static void on_pending_dispose(void *obj)
{
    pending_t *p = obj;
    if (h2o_timeout_is_linked(&p->entry)) {
        h2o_timeout_unlink(&p->entry);
        sl_stats_end(p->server->stats);
    }
}

static void respond_later(const sl_mock_server_t *srv, sl_mock_thread_t *th, h2o_req_t *req,
                          uint32_t ms, int status, const char *reason, const char *content_type,
                          const char *body, size_t len)
{
    if (th->delays[ms] == NULL) {
        th->delays[ms] = malloc(sizeof(h2o_timeout_t));
        if (th->delays[ms] == NULL) {
            respond_soap(th, req, status, reason, content_type, body, len);
            sl_stats_end(srv->stats);
            return;
        }
        h2o_timeout_init(th->ctx.loop, th->delays[ms], ms);
    }
    pending_t *p = h2o_mem_alloc_shared(&req->pool, sizeof(*p), on_pending_dispose);
    memset(p, 0, sizeof(*p));
    p->entry.cb = on_delay_done;
    p->server = srv;
    p->th = th;
    p->req = req;
    p->status = status;
    p->reason = reason;
    p->content_type = content_type;
    p->body = h2o_strdup(&req->pool, body, len);
    h2o_timeout_link(th->ctx.loop, th->delays[ms], &p->entry);
}

static const sl_outcome_t outcome_of[] = {
    [SL_SOAP_ECHO] = SL_OUT_ECHO,
    [SL_SOAP_FAULT_CLIENT] = SL_OUT_FAULT_CLIENT,
    [SL_SOAP_FAULT_VERSION] = SL_OUT_FAULT_VERSION,
    [SL_SOAP_FAULT_INJECTED] = SL_OUT_FAULT_INJECTED,
    [SL_SOAP_BAD_MEDIA_TYPE] = SL_OUT_BAD_MEDIA_TYPE,
    [SL_SOAP_FAULT_SECURITY] = SL_OUT_FAULT_SECURITY,
    [SL_SOAP_FAULT_TRIGGER] = SL_OUT_FAULT_TRIGGER,
    [SL_SOAP_FAULT_SESSION] = SL_OUT_FAULT_SESSION,
};

static unsigned how_of(h2o_req_t *req)
{
    return (req->version >= 0x200 ? SL_REQ_HTTP2 : 0u) |
           (req->input.scheme == &H2O_URL_SCHEME_HTTPS ? SL_REQ_TLS : 0u);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --sessions: a valid request's answer becomes Login's token, Logout's end, or a Fault for a
 * call without a live token. */
static void answer_session(const sl_mock_server_t *srv, h2o_req_t *req,
                           const sl_session_call_t *call, sl_soap_reply_t *reply, char *buf)
{
    if (call->kind == SL_SESSION_LOGIN) {
        char token[SL_SESSION_TOKEN_CAP];
        if (sl_sessions_login(srv->sessions, mono_s(), token) == 0) {
            sl_soap_session_answer(reply, buf, "Login", token, srv->id_name);
            /* the token as a cookie too, for clients that keep a session by its cookies */
            char *v = h2o_mem_alloc_pool(&req->pool,
                                         sizeof(SL_SESSION_COOKIE) + 16 + SL_SESSION_TOKEN_CAP);
            int n = sprintf(v, SL_SESSION_COOKIE "=%s; Path=/", token);
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_SET_COOKIE, NULL, v, (size_t)n);
        } else
            sl_soap_session_fault(reply, buf, "login refused", srv->id_name);
    } else if (sl_sessions_use(srv->sessions, call, mono_s()) != 0) {
        sl_soap_session_fault(reply, buf, "invalid session", srv->id_name);
    } else if (call->kind == SL_SESSION_LOGOUT) {
        sl_soap_session_answer(reply, buf, "Logout", NULL, srv->id_name);
    }
}

/* --wsse-sign-key: the answer signed by this thread's signer into its own buffer (a signed
 * answer outgrows SL_SOAP_REPLY_CAP); left as it is when it cannot be signed. */
static void sign_answer(sl_mock_thread_t *th, const char **answer, size_t *len)
{
    char why[300];
    if (sl_wsse_sign_text(th->signer, *answer, *len, &th->signed_answer, why, sizeof(why)) == 0) {
        *answer = th->signed_answer.data;
        *len = th->signed_answer.len;
    }
}

static void handle_soap(const sl_mock_server_t *srv, sl_mock_thread_t *th, h2o_req_t *req)
{
    char buf[SL_SOAP_REPLY_CAP];
    sl_soap_reply_t reply;
    ssize_t ct = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    h2o_iovec_t media = ct >= 0 ? req->headers.entries[ct].value : h2o_iovec_init("", 0);
    int inject = srv->opt->fault_rate > 0 && sl_rand01(&th->rng) < srv->opt->fault_rate;

    h2o_iovec_t body = req->entity;
    sl_mtom_root_t root; /* MTOM: the envelope is the root part; the attachments are not read */
    if (sl_mtom_is_multipart(media.base, media.len) &&
        sl_mtom_root(media.base, media.len, body.base, body.len, &root) == 0) {
        media = h2o_iovec_init(root.type, strlen(root.type));
        body = h2o_iovec_init(root.body, root.len);
    }
    sl_session_call_t call;
    int session = srv->sessions != NULL && sl_sessions_read_call(body.base, body.len, &call) == 0;
    int own_op = session && call.kind != SL_SESSION_OTHER; /* Login, Logout: in no WSDL */
    for (ssize_t c = -1; session && !call.has_token && call.kind != SL_SESSION_LOGIN &&
                         (c = h2o_find_header(&req->headers, H2O_TOKEN_COOKIE, c)) >= 0;)
        sl_sessions_cookie_token(req->headers.entries[c].value.base,
                                 req->headers.entries[c].value.len, &call);

    char undecryptable[300] = ""; /* --wsse-decrypt-key: why the Body could not be decrypted */
    if (srv->dec != NULL) {
        sl_buf_t plain = {0};
        int d = sl_wsse_decrypt(srv->dec, body.base, body.len, &plain, undecryptable,
                                sizeof(undecryptable));
        if (d == 1 && (body.base = h2o_mem_alloc_pool(&req->pool, plain.len)) != NULL) {
            memcpy(body.base, plain.data, plain.len);
            body.len = plain.len;
        }
        sl_buf_free(&plain);
    }

    sl_stats_begin(srv->stats);
    sl_soap_answer(media.base, media.len, body.base, body.len, srv->id_name,
                   own_op ? NULL : srv->ops, inject && !own_op, &reply, buf);
    if (session && reply.outcome == SL_SOAP_ECHO)
        answer_session(srv, req, &call, &reply, buf);
    if (srv->wsse != NULL &&
        (reply.outcome == SL_SOAP_ECHO || reply.outcome == SL_SOAP_FAULT_INJECTED)) {
        char why[200];
        sl_wsse_result_t w =
            sl_wsse_check(body.base, body.len, srv->wsse, time(NULL), why, sizeof(why));
        if (w != SL_WSSE_OK)
            sl_soap_security_fault(&reply, buf, sl_wsse_fault_code(w), why, srv->id_name);
    }
    if (undecryptable[0] != '\0' && reply.outcome != SL_SOAP_BAD_MEDIA_TYPE)
        sl_soap_security_fault(&reply, buf, "FailedCheck", undecryptable, srv->id_name);
    if (srv->sig != NULL &&
        (reply.outcome == SL_SOAP_ECHO || reply.outcome == SL_SOAP_FAULT_INJECTED)) {
        char why[300];
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        sl_wsse_sig_t v =
            sl_wsse_verify(srv->sig, body.base, body.len,
                           (double)now.tv_sec + (double)now.tv_nsec / 1e9, why, sizeof(why));
        sl_stats_note_signature(srv->stats, th->index, (int)v);
        if (v != SL_WSSE_SIG_VALID)
            sl_soap_security_fault(&reply, buf, sl_wsse_verify_fault_code(v), why, srv->id_name);
    }
    if (srv->opt->ntriggers > 0 && /* no walk at all without --fault-when */
        (reply.outcome == SL_SOAP_ECHO || reply.outcome == SL_SOAP_FAULT_INJECTED)) {
        int k = sl_ops_find_trigger(body.base, body.len, srv->opt->triggers, srv->opt->ntriggers);
        if (k >= 0)
            sl_soap_trigger_fault(&reply, buf, &srv->opt->triggers[k], srv->id_name);
    }
    sl_stats_record(srv->stats, th->index, outcome_of[reply.outcome], req->entity.len, how_of(req),
                    reply.id, reply.id_len);
    const char *answer = buf;
    size_t answer_len = reply.body_len;
    if (th->signer != NULL && reply.outcome != SL_SOAP_BAD_MEDIA_TYPE) /* that one is text */
        sign_answer(th, &answer, &answer_len);
    if (srv->opt->has_delay && reply.outcome != SL_SOAP_BAD_MEDIA_TYPE) {
        uint32_t ms = sl_delay_draw(&srv->opt->delay, &th->rng);
        if (ms > 0) {
            respond_later(srv, th, req, ms, reply.status, reply.reason, reply.content_type, answer,
                          answer_len);
            return;
        }
    }
    respond_soap(th, req, reply.status, reply.reason, reply.content_type, answer, answer_len);
    sl_stats_end(srv->stats);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    const sl_mock_server_t *srv = ((handler_t *)self)->server;
    sl_mock_thread_t *th = thread_of(req);
    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    h2o_iovec_t path = h2o_iovec_init(req->path.base, path_len);
    h2o_iovec_t query =
        req->query_at != SIZE_MAX
            ? h2o_iovec_init(req->path.base + req->query_at + 1, req->path.len - req->query_at - 1)
            : h2o_iovec_init("", 0);
    int is_post = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST"));
    int is_get = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET"));

    if (h2o_memis(path.base, path.len, srv->opt->path, srv->path_len)) {
        if (is_post) {
            handle_soap(srv, th, req);
        } else if (is_get && h2o_memis(query.base, query.len, H2O_STRLIT("wsdl"))) {
            sl_stats_record(srv->stats, th->index, SL_OUT_WSDL, 0, how_of(req), NULL, 0);
            respond(req, 200, "OK", "text/xml; charset=utf-8", srv->wsdl, srv->wsdl_len);
        } else {
            static const char msg[] = "soapload-mock: POST a SOAP envelope here, or GET ?wsdl\n";
            sl_stats_record(srv->stats, th->index, SL_OUT_BAD_METHOD, req->entity.len, how_of(req),
                            NULL, 0);
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL,
                           H2O_STRLIT("POST, GET"));
            respond(req, 405, "Method Not Allowed", "text/plain; charset=utf-8", msg,
                    sizeof(msg) - 1);
        }
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/stats")) && is_get) {
        char json[8192];
        sl_stats_snapshot_t snap;
        sl_stats_read(srv->stats, &snap);
        size_t len = sl_stats_json(&snap, srv->opt->threads, json, sizeof(json));
        if (srv->sessions != NULL && len > 3) { /* "sessions" goes before the closing "\n}\n" */
            sl_sessions_snapshot_t ss;
            sl_sessions_read(srv->sessions, mono_s(), &ss);
            len -= 3;
            len += (size_t)snprintf(json + len, sizeof(json) - len, ",\n  \"sessions\": ");
            size_t n = sl_sessions_json(&ss, json + len, sizeof(json) - len - 4);
            len += n;
            len += (size_t)snprintf(json + len, sizeof(json) - len, "\n}\n");
        }
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                       H2O_STRLIT("no-store"));
        respond(req, 200, "OK", "application/json", json, len);
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/stats/reset")) && is_post) {
        sl_stats_reset(srv->stats);
        if (srv->sessions != NULL)
            sl_sessions_reset(srv->sessions);
        respond(req, 200, "OK", "application/json", H2O_STRLIT("{\"reset\": true}\n"));
    } else {
        static const char msg[] = "soapload-mock: no such path\n";
        sl_stats_record(srv->stats, th->index, SL_OUT_NOT_FOUND, req->entity.len, how_of(req), NULL,
                        0);
        respond(req, 404, "Not Found", "text/plain; charset=utf-8", msg, sizeof(msg) - 1);
    }
    return 0;
}

void sl_mock_handler_register(h2o_pathconf_t *pathconf, const sl_mock_server_t *server)
{
    handler_t *h = (handler_t *)h2o_create_handler(pathconf, sizeof(*h));
    h->super.on_req = on_req;
    h->server = server;
}
