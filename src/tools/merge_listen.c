/*
 * merge_listen: soapload merge --listen. One thread and poll(2). A segment POSTs its result to
 * /results with the bearer token; the body goes to a file in a private spool folder as it comes
 * (memory stays bounded whatever the size), and once complete it is read with merge's own reader
 * and accepted only when it is a result of segment I/N with N the expected count, the first of
 * its segment, and merges with those already in. When all N are in, or the deadline after the
 * first has passed, soapload merge runs on the spooled files exactly as on files named on its
 * command line; the merged JSON and HTML are then served for --serve-for.
 * Every connection is bounded: its head to 8 KiB within 10 s, its body to 64 MiB with a time
 * limit, at most 64 at once (a newcomer then drops the oldest that has not shown a token).
 */
#include "tools/merge_listen.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/duration.h"
#include "core/exitcode.h"
#include "core/httphead.h"
#include "core/threshold.h"
#include "output/outfile.h"
#include "tools/merge.h"
#include "tools/resultcheck.h"
#include "tools/timeline.h"

#define MAX_CLIENTS 64
#define MAX_EXPECT 1000                    /* segments, as render.sh allows */
#define MAX_TOKEN 256                      /* characters of the bearer token */
#define HEAD_TIMEOUT_NS 10000000000ULL     /* from accept to the end of the request's head */
#define IDLE_TIMEOUT_NS 20000000000ULL     /* no byte of a body for this long */
#define REQUEST_TIMEOUT_NS 300000000000ULL /* from accept to the answer's last byte */
#define DRAIN_NS 2000000000ULL             /* reading what a client still sends after the answer */
#define DEADLINE_DEFAULT_NS 120000000000ULL

enum { C_FREE, C_HEAD, C_BODY, C_WRITE, C_DRAIN };

typedef struct {
    int fd, state, body_fd;
    uint64_t since_ns, heard_ns;
    char in[SL_HTTPHEAD_MAX];
    size_t inlen;
    sl_httphead_t head;
    uint64_t body_left;
    char part[512];  /* the spool file the body goes to */
    sl_buf_t out;    /* the answer's head, and its body unless `doc` */
    const char *doc; /* a served document after the head, borrowed */
    size_t doclen, off;
    char peer[64];
} client_t;

typedef struct {
    /* the options */
    const char *addr;
    int expect;
    uint64_t deadline_ns, serve_for_ns;
    char token[MAX_TOKEN + 1]; /* "" without --token-file */
    const char *json_path, *html_path;
    int allow_gaps; /* --allow-gaps, passed on to merge too */
    /* the state */
    int listen_fd;
    char url[128];
    client_t clients[MAX_CLIENTS];
    unsigned parts;
    char spool[256];
    unsigned char *have;
    int nhave;
    uint64_t first_ns;
    sl_resultfile_t ref; /* the first accepted: each later one must merge with it */
    int merged, code;
    char *json_doc, *html_doc;
    size_t json_len, html_len;
} listener_t;

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: soapload merge --listen ADDR:PORT --expect N [--deadline T] "
            "[--token-file FILE]\n"
            "                      [--serve-for T] [--json OUT] [--html OUT] [--threshold "
            "EXPR]... [-q]\n"
            "                      [--allow-gaps]\n"
            "Receives the result files of N segments (soapload --segment I/N --json-to URL) over "
            "HTTP,\nPOST /results, and merges them as `soapload merge FILE...` does.\n"
            "  --listen ADDR:PORT  where to listen: an IPv4 address or an [IPv6] one, e.g. "
            "0.0.0.0:8080\n"
            "  --expect N          the segments 0/N to N-1/N, each once (1 to %d)\n"
            "  --deadline T        after the first result, wait at most T for the others "
            "(default 2m);\n"
            "                      then merge those in, name the missing, exit 4\n"
            "  --token-file FILE   accept only requests with 'Authorization: Bearer TOKEN', "
            "TOKEN the\n"
            "                      first line of FILE\n"
            "  --serve-for T       then serve GET /merged.json and /report.html for T "
            "(default 0)\n"
            "A result is at most %llu bytes (413 above). GET /status tells what arrived.\n"
            "Exit codes: those of soapload merge; 4 also when a segment was missing at the "
            "deadline;\n130 interrupted before the merge.\n",
            MAX_EXPECT, SL_LISTEN_MAX_RESULT);
}

int sl_merge_listen_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--listen") == 0)
            return 1;
    return 0;
}

/* The first line of path, which must be 1 to 256 visible ASCII characters. */
static int read_token(const char *path, char *token, char *err, size_t errlen)
{
    char buf[MAX_TOKEN + 3];
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read --token-file %s: %s", path, strerror(errno));
        return -1;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    n = strcspn(buf, "\r\n");
    buf[n] = '\0';
    int ok = n > 0 && n <= MAX_TOKEN;
    for (size_t i = 0; ok && i < n; i++)
        ok = buf[i] > ' ' && buf[i] < 127;
    if (!ok) {
        snprintf(err, errlen,
                 "--token-file %s: its first line must be the token, 1 to %d visible ASCII "
                 "characters",
                 path, MAX_TOKEN);
        return -1;
    }
    memcpy(token, buf, n + 1);
    return 0;
}

/* "IPv4:PORT" or "[IPv6]:PORT", numeric only: what listens must not depend on a resolver. */
static int open_listener(listener_t *l, char *err, size_t errlen)
{
    char host[64];
    const char *colon = strrchr(l->addr, ':');
    size_t hlen = colon ? (size_t)(colon - l->addr) : 0;
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM},
                    *ai = NULL;
    if (l->addr[0] == '[' && hlen >= 2 && l->addr[hlen - 1] == ']')
        snprintf(host, sizeof(host), "%.*s", (int)hlen - 2, l->addr + 1);
    else
        snprintf(host, sizeof(host), "%.*s", (int)hlen, l->addr);
    if (colon == NULL || hlen == 0 || hlen >= sizeof(host) || colon[1] == '\0' ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1) || atol(colon + 1) > 65535 ||
        getaddrinfo(host, colon + 1, &hints, &ai) != 0) {
        if (ai)
            freeaddrinfo(ai);
        snprintf(err, errlen,
                 "bad value '%s' for --listen: it wants ADDR:PORT, an IPv4 address or an [IPv6] "
                 "one in brackets, e.g. 0.0.0.0:8080",
                 l->addr);
        return -1;
    }
    struct sockaddr_storage sa;
    socklen_t alen = (socklen_t)ai->ai_addrlen;
    memcpy(&sa, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    int one = 1;
    l->listen_fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->listen_fd < 0 ||
        setsockopt(l->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(l->listen_fd, (struct sockaddr *)&sa, alen) != 0 ||
        listen(l->listen_fd, SOMAXCONN) != 0 ||
        getsockname(l->listen_fd, (struct sockaddr *)&sa, &alen) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", l->addr, strerror(errno));
        return -1;
    }
    int port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                              : ((struct sockaddr_in *)&sa)->sin_port);
    snprintf(l->url, sizeof(l->url), "http://%.*s:%d", (int)hlen, l->addr, port);
    return 0;
}

/* ---- answers ----------------------------------------------------------------------------- */

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

static void client_close(client_t *c)
{
    if (c->body_fd >= 0) {
        close(c->body_fd);
        unlink(c->part);
    }
    if (c->fd >= 0)
        close(c->fd);
    sl_buf_free(&c->out);
    memset(c, 0, sizeof(*c));
    c->fd = c->body_fd = -1;
}

/* Writes what the socket takes; once all is out, stops sending and reads what is left. */
static void client_write(client_t *c)
{
    size_t total = c->out.len + c->doclen;
    while (c->off < total) {
        const char *p = c->off < c->out.len ? c->out.data + c->off : c->doc + (c->off - c->out.len);
        size_t n = c->off < c->out.len ? c->out.len - c->off : total - c->off;
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (w <= 0) {
            client_close(c);
            return;
        }
        c->off += (size_t)w;
    }
    /* the client may still be sending a body that was refused: read it away before closing, so
     * that the answer is not lost to a reset */
    shutdown(c->fd, SHUT_WR);
    c->state = C_DRAIN;
    c->since_ns = now_ns();
}

/* The answer: text (a line and a newline) or a document borrowed until it is written. */
static void client_answer(client_t *c, int status, const char *type, const char *doc, size_t len,
                          const char *text)
{
    char head[256];
    size_t tlen = text ? strlen(text) + 1 : 0;
    if (c->body_fd >= 0) {
        close(c->body_fd);
        unlink(c->part);
        c->body_fd = -1;
    }
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                     "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                     status, reason(status), type, doc ? len : tlen,
                     status == 401 ? "WWW-Authenticate: Bearer\r\n" : "");
    sl_buf_clear(&c->out);
    if (sl_buf_append(&c->out, head, (size_t)n) != 0 ||
        (text &&
         (sl_buf_append(&c->out, text, tlen - 1) != 0 || sl_buf_append(&c->out, "\n", 1) != 0))) {
        client_close(c);
        return;
    }
    c->doc = doc;
    c->doclen = doc ? len : 0;
    c->off = 0;
    c->state = C_WRITE;
    client_write(c);
}

static void answer_text(client_t *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void answer_text(client_t *c, int status, const char *fmt, ...)
{
    char text[4200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    client_answer(c, status, "text/plain; charset=utf-8", NULL, 0, text);
}

/* GET /status: what arrived, as JSON. */
static void answer_status(listener_t *l, client_t *c)
{
    sl_buf_t b = {0};
    char num[64];
    int n = snprintf(num, sizeof(num), "{\"expect\":%d,\"received\":%d,\"missing\":[", l->expect,
                     l->nhave);
    int ok = sl_buf_append(&b, num, (size_t)n) == 0;
    for (int i = 0, first = 1; ok && i < l->expect; i++)
        if (!l->have[i]) {
            n = snprintf(num, sizeof(num), "%s%d", first ? "" : ",", i);
            ok = sl_buf_append(&b, num, (size_t)n) == 0;
            first = 0;
        }
    if (l->merged)
        n = snprintf(num, sizeof(num), "],\"merged\":true,\"exit_code\":%d}", l->code);
    else
        n = snprintf(num, sizeof(num), "],\"merged\":false,\"exit_code\":null}");
    ok = ok && sl_buf_append(&b, num, (size_t)n) == 0;
    if (ok)
        client_answer(c, 200, "application/json", NULL, 0, b.data);
    else
        client_close(c);
    sl_buf_free(&b);
}

static void answer_get(listener_t *l, client_t *c)
{
    const char *p = c->head.path;
    int json = strcmp(p, "/merged.json") == 0, html = strcmp(p, "/report.html") == 0;
    if (strcmp(p, "/status") == 0)
        answer_status(l, c);
    else if (!json && !html)
        answer_text(c, 404,
                    "no %.200s here: POST /results, GET /status, /merged.json, "
                    "/report.html",
                    p);
    else if (!l->merged)
        answer_text(c, 503, "not merged yet: %d of %d results received", l->nhave, l->expect);
    else if ((json ? l->json_doc : l->html_doc) == NULL)
        answer_text(c, 404, "the merge wrote no %s", json ? "JSON" : "HTML report");
    else
        client_answer(c, 200, json ? "application/json" : "text/html; charset=utf-8",
                      json ? l->json_doc : l->html_doc, json ? l->json_len : l->html_len, NULL);
}

/* ---- receiving a result ------------------------------------------------------------------ */

/* Why a complete body in c->part is not taken, into msg with its status; 0 when it is. */
static int check_result(listener_t *l, const char *part, sl_resultfile_t *r, char *msg,
                        size_t msglen)
{
    char err[4096];
    if (sl_resultfile_load(r, part, err, sizeof(err)) != 0) {
        size_t skip = strlen(part) + 2; /* "PART: why": the spool's name says nothing */
        snprintf(msg, msglen, "%s", strlen(err) > skip ? err + skip : err);
        return 400;
    }
    int seg = r->cfg.segment, of = r->cfg.nsegments;
    free(r->source); /* the name it will have, in the messages */
    if (asprintf(&r->source, "seg-%d.json", seg) < 0) {
        r->source = NULL;
        snprintf(msg, msglen, "out of memory");
        return 500;
    }
    if (sl_resultcheck_file(r, err, sizeof(err)) != 0) {
        snprintf(msg, msglen, "%s: the result does not add up", err);
        return 400;
    }
    if (of == 0) {
        snprintf(msg, msglen, "the result names no segment: run each segment with --segment I/N");
        return 400;
    }
    if (of != l->expect) {
        snprintf(msg, msglen,
                 "segment %d/%d is not one of the %d segments this merge expects (--expect %d)",
                 seg, of, l->expect, l->expect);
        return 400;
    }
    if (l->have[seg]) {
        snprintf(msg, msglen, "segment %d/%d was received already: each segment once", seg, of);
        return 409;
    }
    /* what merge would refuse at the end is refused now, to the sender */
    sl_resultfile_t pair[2] = {l->ref, *r};
    if (l->nhave > 0 &&
        (sl_resultfile_mergeable(pair, 2, err, sizeof(err)) != 0 ||
         sl_timeline_check_overlap(pair, 2, l->allow_gaps, err, sizeof(err)) != 0)) {
        snprintf(msg, msglen, "segment %d/%d does not merge with those received: %s", seg, of, err);
        return 409;
    }
    return 0;
}

/* The body is complete in c->part: accepted (renamed to seg-I.json) or refused. */
static void accept_result(listener_t *l, client_t *c)
{
    sl_resultfile_t r;
    char msg[4300], path[600];
    close(c->body_fd);
    c->body_fd = -1;
    int status = check_result(l, c->part, &r, msg, sizeof(msg));
    if (status == 0) {
        snprintf(path, sizeof(path), "%s/%s", l->spool, r.source);
        if (rename(c->part, path) != 0) {
            snprintf(msg, sizeof(msg), "cannot keep the result: %s", strerror(errno));
            status = 500;
        }
    }
    if (status != 0) {
        fprintf(stderr, "soapload merge: refused a result from %s: %s\n", c->peer, msg);
        unlink(c->part);
        sl_resultfile_free(&r);
        answer_text(c, status, "%s", msg);
        return;
    }
    int seg = r.cfg.segment;
    l->have[seg] = 1;
    if (l->nhave++ == 0) {
        l->first_ns = now_ns();
        l->ref = r;
    } else
        sl_resultfile_free(&r);
    fprintf(stderr, "soapload merge: segment %d/%d received from %s (%d of %d)\n", seg, l->expect,
            c->peer, l->nhave, l->expect);
    answer_text(c, 201, "segment %d/%d received (%d of %d)", seg, l->expect, l->nhave, l->expect);
}

/* POST /results: the head is in; the body goes to a spool file. */
static void start_post(listener_t *l, client_t *c, size_t head_len)
{
    const sl_httphead_t *h = &c->head;
    if (l->token[0] != '\0' && !sl_httphead_bearer_is(h, l->token)) {
        answer_text(c, 401,
                    "a result needs the header Authorization: Bearer TOKEN with the "
                    "merge's token");
        fprintf(stderr, "soapload merge: refused a request from %s: no or a wrong token\n",
                c->peer);
        return;
    }
    if (l->merged) {
        answer_text(c, 409, "the results were merged already");
        return;
    }
    if (h->chunked || !h->has_length) {
        answer_text(c, 411, "send the result with a Content-Length");
        return;
    }
    if (h->content_length > SL_LISTEN_MAX_RESULT) {
        answer_text(c, 413, "a result is at most %llu bytes; this one has %llu",
                    SL_LISTEN_MAX_RESULT, (unsigned long long)h->content_length);
        fprintf(stderr, "soapload merge: refused a result of %llu bytes from %s: over %llu\n",
                (unsigned long long)h->content_length, c->peer, SL_LISTEN_MAX_RESULT);
        return;
    }
    if (h->content_length == 0) {
        answer_text(c, 400, "an empty body: not a soapload result");
        return;
    }
    snprintf(c->part, sizeof(c->part), "%s/upload-%u.part", l->spool, l->parts++);
    c->body_fd = open(c->part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (c->body_fd < 0) {
        answer_text(c, 500, "cannot spool the result: %s", strerror(errno));
        return;
    }
    if (h->expect_continue) {
        static const char go[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (send(c->fd, go, sizeof(go) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) != sizeof(go) - 1) {
            client_close(c);
            return;
        }
    }
    c->body_left = h->content_length;
    c->state = C_BODY;
    size_t extra = c->inlen - head_len; /* body bytes that came with the head */
    if (extra > c->body_left)
        extra = (size_t)c->body_left;
    if (extra > 0 && write(c->body_fd, c->in + head_len, extra) != (ssize_t)extra) {
        answer_text(c, 500, "cannot spool the result: %s", strerror(errno));
        return;
    }
    c->body_left -= extra;
    if (c->body_left == 0)
        accept_result(l, c);
}

static void read_head(listener_t *l, client_t *c)
{
    char err[256];
    ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        client_close(c);
        return;
    }
    c->inlen += (size_t)n;
    long end = sl_httphead_parse(c->in, c->inlen, &c->head, err, sizeof(err));
    if (end == 0)
        return;
    if (end < 0)
        answer_text(c, 400, "%s", err);
    else if (strcmp(c->head.method, "POST") == 0 && strcmp(c->head.path, "/results") == 0)
        start_post(l, c, (size_t)end);
    else if (strcmp(c->head.method, "GET") == 0)
        answer_get(l, c);
    else
        answer_text(c, 405, "POST /results, or GET /status, /merged.json, /report.html");
}

static void read_body(listener_t *l, client_t *c)
{
    char buf[65536];
    size_t want = c->body_left < sizeof(buf) ? (size_t)c->body_left : sizeof(buf);
    ssize_t n = recv(c->fd, buf, want, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) { /* the sender gave up: nothing to answer */
        client_close(c);
        return;
    }
    c->heard_ns = now_ns();
    if (write(c->body_fd, buf, (size_t)n) != n) {
        answer_text(c, 500, "cannot spool the result: %s", strerror(errno));
        return;
    }
    c->body_left -= (uint64_t)n;
    if (c->body_left == 0)
        accept_result(l, c);
}

static void drain(client_t *c)
{
    char buf[16384];
    ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        client_close(c);
}

/* ---- the loop ---------------------------------------------------------------------------- */

static void expire(client_t *c, uint64_t now)
{
    if (c->state == C_HEAD && now - c->since_ns > HEAD_TIMEOUT_NS)
        answer_text(c, 408, "the request's head took more than %llu s",
                    HEAD_TIMEOUT_NS / 1000000000ULL);
    else if (c->state == C_BODY &&
             (now - c->heard_ns > IDLE_TIMEOUT_NS || now - c->since_ns > REQUEST_TIMEOUT_NS))
        answer_text(c, 408, "the body came too slowly");
    else if ((c->state == C_WRITE && now - c->since_ns > REQUEST_TIMEOUT_NS) ||
             (c->state == C_DRAIN && now - c->since_ns > DRAIN_NS))
        client_close(c);
}

/* A free slot, or the oldest connection that has shown no token yet (a slow or idle one). */
static client_t *free_slot(listener_t *l)
{
    client_t *oldest = NULL;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_t *c = &l->clients[i];
        if (c->state == C_FREE)
            return c;
        if ((c->state == C_HEAD || c->state == C_DRAIN) &&
            (oldest == NULL || c->since_ns < oldest->since_ns))
            oldest = c;
    }
    if (oldest != NULL)
        client_close(oldest);
    return oldest;
}

static void accept_clients(listener_t *l)
{
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t alen = sizeof(sa);
        client_t *c = free_slot(l);
        if (c == NULL)
            return;
        int fd = accept4(l->listen_fd, (struct sockaddr *)&sa, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        c->fd = fd;
        c->state = C_HEAD;
        c->since_ns = c->heard_ns = now_ns();
        char host[INET6_ADDRSTRLEN] = "?";
        int port = 0;
        if (sa.ss_family == AF_INET6) {
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, host, sizeof(host));
            port = ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
        } else if (sa.ss_family == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, host, sizeof(host));
            port = ntohs(((struct sockaddr_in *)&sa)->sin_port);
        }
        snprintf(c->peer, sizeof(c->peer), "%s:%d", host, port);
    }
}

/* One round: poll, then serve whatever is ready; at most `wait_ns` of waiting. */
static void serve_once(listener_t *l, uint64_t wait_ns, int accepting)
{
    struct pollfd pfd[MAX_CLIENTS + 1];
    int who[MAX_CLIENTS + 1], n = 0;
    uint64_t now = now_ns();
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (l->clients[i].state != C_FREE)
            expire(&l->clients[i], now);
    if (accepting) {
        pfd[n] = (struct pollfd){.fd = l->listen_fd, .events = POLLIN};
        who[n++] = -1;
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_t *c = &l->clients[i];
        if (c->state == C_FREE)
            continue;
        pfd[n] = (struct pollfd){.fd = c->fd, .events = c->state == C_WRITE ? POLLOUT : POLLIN};
        who[n++] = i;
    }
    int timeout = (int)(wait_ns / 1000000ULL) + 1;
    if (timeout > 250) /* time-outs are checked at least four times a second */
        timeout = 250;
    if (poll(pfd, (nfds_t)n, timeout) <= 0)
        return;
    for (int k = 0; k < n; k++) {
        if (pfd[k].revents == 0)
            continue;
        if (who[k] < 0) {
            accept_clients(l);
            continue;
        }
        client_t *c = &l->clients[who[k]];
        switch (c->state) {
        case C_HEAD:
            read_head(l, c);
            break;
        case C_BODY:
            read_body(l, c);
            break;
        case C_WRITE:
            client_write(c);
            break;
        case C_DRAIN:
            drain(c);
            break;
        default:
            break;
        }
    }
}

/* ---- the merge --------------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    struct stat st;
    if (f == NULL)
        return NULL;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (1LL << 30) &&
        (buf = malloc((size_t)st.st_size + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)st.st_size, f);
        buf[*len] = '\0';
    }
    fclose(f);
    return buf;
}

/* soapload merge on the spooled files with the options given; then the outputs to serve. */
static int run_merge(listener_t *l, char **pass, int npass)
{
    char **argv = calloc((size_t)(l->expect + npass + 6), sizeof(*argv));
    char json[300], html[300];
    int argc = 0, code = SL_EXIT_INTERNAL;
    if (argv == NULL)
        return code;
    argv[argc++] = "merge";
    for (int i = 0; i < l->expect; i++)
        if (l->have[i] && asprintf(&argv[argc++], "%s/seg-%d.json", l->spool, i) < 0)
            goto Done;
    for (int i = 0; i < npass; i++)
        argv[argc++] = pass[i];
    snprintf(json, sizeof(json), "%s/merged.json", l->spool);
    snprintf(html, sizeof(html), "%s/report.html", l->spool);
    if (l->json_path == NULL) { /* the merge's own files in the spool, to serve them */
        argv[argc++] = "--json";
        argv[argc++] = json;
    }
    if (l->html_path == NULL) {
        argv[argc++] = "--html";
        argv[argc++] = html;
    }
    fflush(stderr);
    code = sl_merge_main(argc, argv);
    fflush(stdout);
    l->json_doc = slurp(l->json_path ? l->json_path : json, &l->json_len);
    l->html_doc = slurp(l->html_path ? l->html_path : html, &l->html_len);
Done:
    for (int i = 1; i <= l->nhave && i < argc; i++)
        free(argv[i]);
    free(argv);
    return code;
}

static void name_missing(const listener_t *l)
{
    fprintf(stderr, "soapload merge: %d of %d results in %s after the first: missing segment",
            l->nhave, l->expect, "the deadline");
    fprintf(stderr, "%s", l->expect - l->nhave == 1 ? "" : "s");
    for (int i = 0, first = 1; i < l->expect; i++)
        if (!l->have[i]) {
            fprintf(stderr, "%s%d/%d", first ? " " : ", ", i, l->expect);
            first = 0;
        }
    fprintf(stderr, "; merging the %d received\n", l->nhave);
}

static void remove_spool(const listener_t *l)
{
    DIR *d = opendir(l->spool);
    struct dirent *e;
    char path[600];
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", l->spool, e->d_name);
            unlink(path);
        }
    if (d != NULL)
        closedir(d);
    rmdir(l->spool);
}

/* ---- the subcommand ---------------------------------------------------------------------- */

/* Takes the listener's own options out of argv; the rest (--json, --html, --threshold, -q)
 * goes to soapload merge. Returns 0, 1 for --help, or -1 with the problem in err. */
static int parse_args(listener_t *l, int argc, char **argv, char **pass, int *npass, char *err,
                      size_t errlen)
{
    const char *token_file = NULL;
    sl_threshold_set_t checks = {0};
    l->deadline_ns = DEADLINE_DEFAULT_NS;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = strcmp(a, "--listen") == 0 || strcmp(a, "--expect") == 0 ||
                    strcmp(a, "--deadline") == 0 || strcmp(a, "--token-file") == 0 ||
                    strcmp(a, "--serve-for") == 0 || strcmp(a, "--json") == 0 ||
                    strcmp(a, "--html") == 0 || strcmp(a, "--threshold") == 0 ||
                    strcmp(a, "-t") == 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return 1;
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0 || strcmp(a, "--allow-gaps") == 0) {
            l->allow_gaps |= a[2] == 'a';
            pass[(*npass)++] = argv[i];
            continue;
        }
        if (!takes) {
            snprintf(err, errlen,
                     a[0] == '-' ? "unknown option %s"
                                 : "%s: with --listen the results arrive over HTTP, not as files",
                     a);
            return -1;
        }
        if (v == NULL) {
            snprintf(err, errlen, "%s needs a value", a);
            return -1;
        }
        i++;
        if (strcmp(a, "--listen") == 0)
            l->addr = v;
        else if (strcmp(a, "--expect") == 0) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*v < '1' || *v > '9' || *end != '\0' || n > MAX_EXPECT) {
                snprintf(err, errlen,
                         "bad value '%s' for --expect: a count of segments from 1 "
                         "to %d",
                         v, MAX_EXPECT);
                return -1;
            }
            l->expect = (int)n;
        } else if (strcmp(a, "--deadline") == 0 || strcmp(a, "--serve-for") == 0) {
            uint64_t *slot = a[2] == 'd' ? &l->deadline_ns : &l->serve_for_ns;
            if (strcmp(v, "0") == 0 && a[2] == 's')
                *slot = 0;
            else if (sl_duration_parse(v, slot) != 0 || *slot > 24 * 3600000000000ULL) {
                snprintf(err, errlen,
                         "bad value '%s' for %s: a duration up to 24h, such as 90s "
                         "or 2m",
                         v, a);
                return -1;
            }
        } else if (strcmp(a, "--token-file") == 0)
            token_file = v;
        else {
            sl_outfile_t f = {.fd = -1};
            if (strcmp(a, "--json") == 0 || strcmp(a, "--html") == 0) {
                *(a[2] == 'j' ? &l->json_path : &l->html_path) = v;
                /* a file that cannot be written is told now, not after the run */
                int bad = sl_outfile_prepare(&f, v, 0644, err, errlen) != 0;
                sl_outfile_close(&f);
                if (bad)
                    return -1;
            } else if (sl_threshold_parse(&checks, v, err, errlen) != 0)
                return -1;
            pass[(*npass)++] = argv[i - 1];
            pass[(*npass)++] = argv[i];
        }
    }
    if (l->addr == NULL || l->expect == 0) {
        snprintf(err, errlen, "--listen needs --expect N: the number of segments");
        return -1;
    }
    return token_file != NULL ? read_token(token_file, l->token, err, errlen) : 0;
}

static int make_spool(listener_t *l, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(l->spool, sizeof(l->spool), "%s/soapload-merge-XXXXXX",
             tmp && *tmp && strlen(tmp) < 200 ? tmp : "/tmp");
    if (mkdtemp(l->spool) == NULL) {
        snprintf(err, errlen, "cannot make a folder for the results received (%s): %s", l->spool,
                 strerror(errno));
        l->spool[0] = '\0';
        return -1;
    }
    return 0;
}

int sl_merge_listen_main(int argc, char **argv)
{
    listener_t l = {.listen_fd = -1};
    char **pass = calloc((size_t)argc, sizeof(*pass)), err[4096];
    int npass = 0, code = SL_EXIT_USAGE;
    for (int i = 0; i < MAX_CLIENTS; i++)
        l.clients[i].fd = l.clients[i].body_fd = -1;
    if (pass == NULL) {
        fprintf(stderr, "soapload merge: out of memory\n");
        return SL_EXIT_INTERNAL;
    }
    int parsed = parse_args(&l, argc, argv, pass, &npass, err, sizeof(err));
    if (parsed == 1) {
        usage(stdout);
        free(pass);
        return SL_EXIT_OK;
    }
    if (parsed != 0 || (l.have = calloc((size_t)l.expect, 1)) == NULL ||
        open_listener(&l, err, sizeof(err)) != 0 || make_spool(&l, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload merge: %s\nTry 'soapload merge --listen --help'.\n", err);
        goto Done;
    }
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll returns */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr,
            "soapload merge: listening on %s/results for %d result%s (segments 0/%d to "
            "%d/%d)%s\n",
            l.url, l.expect, l.expect == 1 ? "" : "s", l.expect, l.expect - 1, l.expect,
            l.token[0] ? ", token required" : "");
    for (uint64_t left = l.deadline_ns; !stop_signal && l.nhave < l.expect && left > 0;) {
        serve_once(&l, left, 1);
        uint64_t since = l.nhave > 0 ? now_ns() - l.first_ns : 0;
        left = since < l.deadline_ns ? l.deadline_ns - since : 0;
    }
    if (stop_signal) {
        fprintf(stderr,
                "soapload merge: interrupted with %d of %d results received: nothing "
                "merged\n",
                l.nhave, l.expect);
        code = SL_EXIT_INTERRUPTED;
        goto Done;
    }
    if (l.nhave < l.expect)
        name_missing(&l);
    code = run_merge(&l, pass, npass);
    if (l.nhave < l.expect && code != SL_EXIT_USAGE)
        code = SL_EXIT_INTERNAL;
    l.code = code;
    l.merged = 1;
    if (l.serve_for_ns > 0)
        fprintf(stderr,
                "soapload merge: exit code %d; serving %s/merged.json and "
                "/report.html for %.0f s\n",
                code, l.url, (double)l.serve_for_ns / 1e9);
    for (uint64_t t0 = now_ns(), t; !stop_signal && (t = now_ns() - t0) < l.serve_for_ns;)
        serve_once(&l, l.serve_for_ns - t, 1);
    /* the answers still on their way (the last segment's 201) get a moment more */
    for (uint64_t t0 = now_ns(); now_ns() - t0 < DRAIN_NS;) {
        int busy = 0;
        for (int i = 0; i < MAX_CLIENTS; i++)
            busy |= l.clients[i].state == C_WRITE;
        if (!busy)
            break;
        serve_once(&l, DRAIN_NS, 0);
    }
Done:
    for (int i = 0; i < MAX_CLIENTS; i++)
        client_close(&l.clients[i]);
    if (l.listen_fd >= 0)
        close(l.listen_fd);
    if (l.spool[0] != '\0')
        remove_spool(&l);
    if (l.nhave > 0)
        sl_resultfile_free(&l.ref);
    free(l.have);
    free(l.json_doc);
    free(l.html_doc);
    free(pass);
    return code;
}
