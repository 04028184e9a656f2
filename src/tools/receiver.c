/*
 * receiver: the small upload server of soapload merge --listen. A connection goes through
 * C_HEAD (reading its head), C_BODY (its body into a spool file, when the handler takes it),
 * C_WRITE (the answer, as far as the socket takes it) and C_DRAIN (what the client still sends
 * is read away after the answer, so that a refused body does not turn the answer into a reset).
 */
#include "tools/receiver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/monotime.h"

#define MAX_CLIENTS 64
#define HEAD_TIMEOUT_NS 10000000000ULL     /* from accept to the end of the request's head */
#define IDLE_TIMEOUT_NS 20000000000ULL     /* no byte of a body for this long */
#define REQUEST_TIMEOUT_NS 300000000000ULL /* from accept to the answer's last byte */
#define DRAIN_NS 2000000000ULL             /* reading what a client still sends after the answer */

enum { C_FREE, C_HEAD, C_BODY, C_WRITE, C_DRAIN };

typedef struct sl_receiver_conn conn_t;

struct sl_receiver_conn {
    sl_receiver_t *server;
    int fd, state, body_fd;
    uint64_t since_ns, heard_ns;
    char in[SL_HTTPHEAD_MAX];
    size_t inlen, head_len;
    sl_httphead_t head;
    uint64_t body_left;
    char part[512];  /* the spool file the body goes to */
    sl_buf_t out;    /* the answer's head, and its body unless `doc` */
    const char *doc; /* a served document after the head, borrowed */
    size_t doclen, off;
    char peer[64];
};

struct sl_receiver {
    int listen_fd;
    char url[128];
    char spool[256];
    uint64_t max_body;
    unsigned parts;
    sl_receiver_handler_t handler;
    conn_t clients[MAX_CLIENTS];
};

/* "IPv4:PORT" or "[IPv6]:PORT", numeric only: what listens must not depend on a resolver. */
static int open_listener(sl_receiver_t *l, const char *addr, char *err, size_t errlen)
{
    char host[64];
    const char *colon = strrchr(addr, ':');
    size_t hlen = colon ? (size_t)(colon - addr) : 0;
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM},
                    *ai = NULL;
    if (addr[0] == '[' && hlen >= 2 && addr[hlen - 1] == ']')
        snprintf(host, sizeof(host), "%.*s", (int)hlen - 2, addr + 1);
    else
        snprintf(host, sizeof(host), "%.*s", (int)hlen, addr);
    if (colon == NULL || hlen == 0 || hlen >= sizeof(host) || colon[1] == '\0' ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1) || atol(colon + 1) > 65535 ||
        getaddrinfo(host, colon + 1, &hints, &ai) != 0) {
        if (ai)
            freeaddrinfo(ai);
        snprintf(err, errlen,
                 "bad value '%s' for --listen: it wants ADDR:PORT, an IPv4 address or an [IPv6] "
                 "one in brackets, e.g. 0.0.0.0:8080",
                 addr);
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
        snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(errno));
        return -1;
    }
    int port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                              : ((struct sockaddr_in *)&sa)->sin_port);
    snprintf(l->url, sizeof(l->url), "http://%.*s:%d", (int)hlen, addr, port);
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

static void client_close(conn_t *c)
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
static void client_write(conn_t *c)
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
    c->since_ns = sl_monotime_ns();
}

/* The answer: text (a line and a newline) or a document borrowed until it is written. */
static void client_answer(conn_t *c, int status, const char *type, const char *doc, size_t len,
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

void sl_receiver_answer_text(conn_t *c, int status, const char *fmt, ...)
{
    char text[4200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    client_answer(c, status, "text/plain; charset=utf-8", NULL, 0, text);
}

void sl_receiver_answer(conn_t *c, int status, const char *type, const char *doc, size_t len)
{
    client_answer(c, status, type, doc, len, NULL);
}

void sl_receiver_answer_copy(conn_t *c, int status, const char *type, const char *text)
{
    client_answer(c, status, type, NULL, 0, text);
}

const char *sl_receiver_peer(const conn_t *c)
{
    return c->peer;
}

/* ---- requests ---------------------------------------------------------------------------- */

/* The body is complete in c->part: the handler answers; the file goes unless it moved it. */
static void body_done(conn_t *c)
{
    char part[sizeof(c->part)];
    close(c->body_fd);
    c->body_fd = -1;
    memcpy(part, c->part, sizeof(part)); /* the answer may close c */
    c->server->handler.on_body(c->server->handler.ctx, c, part);
    unlink(part);
}

void sl_receiver_take(conn_t *c, const char *log_prefix, const char *what)
{
    const sl_httphead_t *h = &c->head;
    sl_receiver_t *l = c->server;
    if (h->chunked || !h->has_length) {
        sl_receiver_answer_text(c, 411, "send %s with a Content-Length", what);
        return;
    }
    if (h->content_length > l->max_body) {
        fprintf(stderr, "%s: refused %s of %llu bytes from %s: over %llu\n", log_prefix, what,
                (unsigned long long)h->content_length, c->peer, (unsigned long long)l->max_body);
        sl_receiver_answer_text(c, 413, "%s is at most %llu bytes; this one has %llu", what,
                                (unsigned long long)l->max_body,
                                (unsigned long long)h->content_length);
        return;
    }
    if (h->content_length == 0) {
        sl_receiver_answer_text(c, 400, "an empty body: not %s", what);
        return;
    }
    snprintf(c->part, sizeof(c->part), "%s/upload-%u.part", l->spool, l->parts++);
    c->body_fd = open(c->part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (c->body_fd < 0) {
        sl_receiver_answer_text(c, 500, "cannot spool the body: %s", strerror(errno));
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
    size_t extra = c->inlen - c->head_len; /* body bytes that came with the head */
    if (extra > c->body_left)
        extra = (size_t)c->body_left;
    if (extra > 0 && write(c->body_fd, c->in + c->head_len, extra) != (ssize_t)extra) {
        sl_receiver_answer_text(c, 500, "cannot spool the body: %s", strerror(errno));
        return;
    }
    c->body_left -= extra;
    if (c->body_left == 0)
        body_done(c);
}

static void read_head(conn_t *c)
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
    if (end < 0) {
        sl_receiver_answer_text(c, 400, "%s", err);
        return;
    }
    c->head_len = (size_t)end;
    c->server->handler.on_head(c->server->handler.ctx, c, &c->head);
}

static void read_body(conn_t *c)
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
    c->heard_ns = sl_monotime_ns();
    if (write(c->body_fd, buf, (size_t)n) != n) {
        sl_receiver_answer_text(c, 500, "cannot spool the result: %s", strerror(errno));
        return;
    }
    c->body_left -= (uint64_t)n;
    if (c->body_left == 0)
        body_done(c);
}

static void drain(conn_t *c)
{
    char buf[16384];
    ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        client_close(c);
}

/* ---- the loop ---------------------------------------------------------------------------- */

static void expire(conn_t *c, uint64_t now)
{
    if (c->state == C_HEAD && now - c->since_ns > HEAD_TIMEOUT_NS)
        sl_receiver_answer_text(c, 408, "the request's head took more than %llu s",
                                HEAD_TIMEOUT_NS / 1000000000ULL);
    else if (c->state == C_BODY &&
             (now - c->heard_ns > IDLE_TIMEOUT_NS || now - c->since_ns > REQUEST_TIMEOUT_NS))
        sl_receiver_answer_text(c, 408, "the body came too slowly");
    else if ((c->state == C_WRITE && now - c->since_ns > REQUEST_TIMEOUT_NS) ||
             (c->state == C_DRAIN && now - c->since_ns > DRAIN_NS))
        client_close(c);
}

/* Whether a newcomer can be taken: a slot is free or held by one that may be dropped. */
static int has_room(const sl_receiver_t *l)
{
    for (int i = 0; i < MAX_CLIENTS; i++) {
        int state = l->clients[i].state;
        if (state == C_FREE || state == C_HEAD || state == C_DRAIN)
            return 1;
    }
    return 0;
}

/* A free slot, or the oldest connection that has shown no token yet (a slow or idle one). */
static conn_t *free_slot(sl_receiver_t *l)
{
    conn_t *oldest = NULL;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        conn_t *c = &l->clients[i];
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

/* A slot is made (a connection dropped) only for a newcomer already accepted: never for none,
 * nor by dropping the one just taken. */
static void accept_clients(sl_receiver_t *l)
{
    while (has_room(l)) {
        struct sockaddr_storage sa;
        socklen_t alen = sizeof(sa);
        int fd = accept4(l->listen_fd, (struct sockaddr *)&sa, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        conn_t *c = free_slot(l);
        c->fd = fd;
        c->server = l;
        c->state = C_HEAD;
        c->since_ns = c->heard_ns = sl_monotime_ns();
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
void sl_receiver_serve(sl_receiver_t *l, uint64_t wait_ns, int accepting)
{
    struct pollfd pfd[MAX_CLIENTS + 1];
    int who[MAX_CLIENTS + 1], n = 0;
    uint64_t now = sl_monotime_ns();
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (l->clients[i].state != C_FREE)
            expire(&l->clients[i], now);
    /* with every slot taking a body or writing an answer, newcomers wait in the kernel's
     * backlog: polling the listening socket would return at once, again and again */
    if (accepting && has_room(l)) {
        pfd[n] = (struct pollfd){.fd = l->listen_fd, .events = POLLIN};
        who[n++] = -1;
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        conn_t *c = &l->clients[i];
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
        conn_t *c = &l->clients[who[k]];
        switch (c->state) {
        case C_HEAD:
            read_head(c);
            break;
        case C_BODY:
            read_body(c);
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

/* ---- the server -------------------------------------------------------------------------- */

sl_receiver_t *sl_receiver_open(const char *addr, const char *spool, uint64_t max_body,
                                const sl_receiver_handler_t *handler, char *err, size_t errlen)
{
    sl_receiver_t *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    l->listen_fd = -1;
    for (int i = 0; i < MAX_CLIENTS; i++)
        l->clients[i].fd = l->clients[i].body_fd = -1;
    snprintf(l->spool, sizeof(l->spool), "%s", spool);
    l->max_body = max_body;
    l->handler = *handler;
    if (open_listener(l, addr, err, errlen) != 0) {
        sl_receiver_close(l);
        return NULL;
    }
    return l;
}

const char *sl_receiver_url(const sl_receiver_t *s)
{
    return s->url;
}

int sl_receiver_busy(const sl_receiver_t *s)
{
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (s->clients[i].state == C_WRITE)
            return 1;
    return 0;
}

void sl_receiver_close(sl_receiver_t *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < MAX_CLIENTS; i++)
        client_close(&s->clients[i]);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    free(s);
}
