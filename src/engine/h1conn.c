/*
 * h1conn: the fast path's connections: opened by libcurl, then written and read here.
 * libcurl 7.88 finds a CONNECT_ONLY connection for curl_easy_send/recv by walking its whole
 * connection cache on every call, and closes one that its own last use left idle for 118 s
 * (CURLOPT_MAXAGE_CONN) while it prunes: so once connected, plain http's socket is taken from
 * libcurl (its close callback leaves it open) and read and written here with writev and recv.
 * Failures carry the CURLcode that libcurl's path gives for the same event, so that the
 * worker counts and words them the same way.
 */
#include "engine/h1conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "engine/h1resp.h"

#define NEVER UINT64_MAX
#define READ_CHUNK 65536
#define RESP_HEAD_CAP 65536         /* as much of the answer's head as the worker keeps */
#define IDLE_CHECK_NS 1000000000ULL /* rest after which a connection is looked at before use */

enum { DOWN, CONNECTING, IDLE, BUSY };

struct sl_h1conn {
    sl_h1_t *h;
    void *owner;
    CURL *easy;       /* the CONNECT_ONLY handle, made at the first connect */
    int fd;           /* taken from libcurl, -1 while down */
    uint32_t events;  /* what epoll watches on fd */
    uint64_t used_ns; /* when its last request ended */
    int taking;       /* the close callback leaves fd open */
    int state;
    int port;
    uint64_t requests; /* requests written on this connection */
    /* the request in flight */
    sl_buf_t head;       /* its own head (its header list), or the tail after prefix */
    struct iovec iov[3]; /* what is left to write */
    int niov;
    size_t head_len, body_len; /* bytes of the head (prefix included) and of the body */
    size_t written;            /* of head and body */
    int no_body;               /* HEAD: no body in the answer */
    uint64_t deadline;
    sl_h1conn_t *prev, *next; /* in the deadline list */
    sl_buf_t *resp_body, *resp_head;
    sl_buf_t in; /* the start of the answer's head, when it came in pieces */
    sl_h1resp_t resp;
    int head_done;
    uint64_t received; /* bytes of the answer */
    uint64_t first_byte_ns;
    char message[CURL_ERROR_SIZE];
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int sl_h1_usable(const sl_config_t *cfg)
{
    return cfg->fast_path && strncasecmp(cfg->url, "http://", 7) == 0 && !cfg->http2 &&
           cfg->streams <= 1 && cfg->auth == SL_AUTH_NONE;
}

/* ---- connections ----------------------------------------------------------------------- */

static int close_cb(void *clientp, curl_socket_t fd)
{
    sl_h1conn_t *c = clientp;
    if (c->taking && fd == c->fd)
        return 0; /* taken: the fast path closes it */
    return close(fd);
}

static int make_easy(sl_h1conn_t *c)
{
    const sl_h1_t *h = c->h;
    CURL *e = c->easy = curl_easy_init();
    if (e == NULL)
        return -1;
    curl_easy_setopt(e, CURLOPT_CURLU, h->head.url);
    curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, c);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->message);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(h->cfg->timeout_ns / 1000000ULL));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, close_cb);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, c);
    sl_transport_easy(h->transport, h->cfg, e);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    return 0;
}

static void unlink_deadline(sl_h1conn_t *c)
{
    sl_h1_t *h = c->h;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else if (h->first == c)
        h->first = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    else if (h->last == c)
        h->last = c->prev;
    c->prev = c->next = NULL;
}

/* Closes the connection (or drops the connect under way). */
static void conn_down(sl_h1conn_t *c)
{
    sl_h1_t *h = c->h;
    if (c->state == CONNECTING)
        curl_multi_remove_handle(h->multi, c->easy); /* closes the socket it was opening */
    if (c->fd >= 0) {
        h->by_fd[c->fd] = NULL;
        close(c->fd); /* and out of epoll with it */
        c->fd = -1;
    }
    c->taking = 0;
    c->state = DOWN;
}

/* The events epoll reports for c's socket: changed only when they change (a syscall). */
static void watch(sl_h1conn_t *c, uint32_t events)
{
    if (c->events == events)
        return;
    struct epoll_event ev = {.events = events, .data.fd = c->fd};
    epoll_ctl(c->h->ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->events = events;
}

/* Ends the request in flight: the connection stays for the next one when keep is set. */
static void end_request(sl_h1conn_t *c, sl_h1_done_t *d, int keep)
{
    unlink_deadline(c);
    c->used_ns = now_ns();
    size_t body_written = c->written > c->head_len ? c->written - c->head_len : 0;
    d->uploaded = body_written < c->body_len ? body_written : c->body_len;
    d->first_byte_ns = c->first_byte_ns;
    if (d->message == NULL)
        d->message = "";
    if (keep) {
        c->state = IDLE;
    } else {
        conn_down(c);
    }
    c->h->on_done(c->owner, d);
}

static void fail(sl_h1conn_t *c, CURLcode rc, const char *message)
{
    sl_h1_done_t d = {.rc = rc, .message = message, .status_seen = c->resp.status != 0};
    end_request(c, &d, 0);
}

/* The connection closed (or was reset) before the answer was whole. */
static void closed_early(sl_h1conn_t *c, int reset)
{
    if (c->received == 0 && c->requests > 1) { /* libcurl would write it again: refused */
        sl_h1_done_t d = {.rc = CURLE_SEND_ERROR, .resend_refused = 1};
        end_request(c, &d, 0);
        return;
    }
    if (c->head_done && c->resp.chunked) {
        fail(c, CURLE_PARTIAL_FILE, "transfer closed with outstanding read data remaining");
    } else if (c->head_done && !c->resp.until_close) {
        snprintf(c->message, sizeof(c->message),
                 "transfer closed with %llu bytes remaining to read",
                 (unsigned long long)c->resp.left);
        fail(c, CURLE_PARTIAL_FILE, c->message);
    } else if (reset) {
        fail(c, CURLE_RECV_ERROR, "Recv failure: Connection reset by peer");
    } else {
        fail(c, CURLE_GOT_NOTHING, "Empty reply from server");
    }
}

static void fail_parse(sl_h1conn_t *c)
{
    sl_h1_done_t d = {.status_seen = c->resp.status != 0};
    switch (c->resp.error) {
    case SL_H1RESP_E_LENGTHS: /* as the worker's header callback refuses them */
        d.rc = CURLE_WRITE_ERROR;
        d.protocol_error = "two Content-Length headers with different values";
        break;
    case SL_H1RESP_E_LINE: /* libcurl says "out of memory" for it */
        d.rc = CURLE_OUT_OF_MEMORY;
        d.status_seen = 1;
        break;
    case SL_H1RESP_E_CHUNK:
        d.rc = CURLE_RECV_ERROR;
        d.message = "Malformed encoding found in chunked-encoding";
        break;
    default:
        d.rc = CURLE_WEIRD_SERVER_REPLY;
        d.message = "Invalid response head (not HTTP/1.x)";
        break;
    }
    end_request(c, &d, 0);
}

static void too_large(sl_h1conn_t *c)
{
    fail(c, CURLE_FILESIZE_EXCEEDED, "Maximum file size exceeded");
}

/* The answer is whole. */
static void answered(sl_h1conn_t *c, int extra)
{
    sl_h1_done_t d = {.rc = CURLE_OK, .status = c->resp.status, .status_seen = 1};
    int keep = c->resp.keep_alive && !extra && c->niov == 0;
    if (keep)
        watch(c, EPOLLIN);
    end_request(c, &d, keep);
}

/* Body bytes at the end of resp_body (n of them, not yet counted in its len). Returns 1 when
 * the request ended. */
static int take_body(sl_h1conn_t *c, size_t n)
{
    sl_buf_t *b = c->resp_body;
    size_t extra;
    int rc = sl_h1resp_body(&c->resp, b->data + b->len, &n, &extra);
    b->len += n;
    b->data[b->len] = '\0';
    if (rc < 0) {
        fail_parse(c);
        return 1;
    }
    if (b->len > c->h->cfg->max_body) {
        too_large(c);
        return 1;
    }
    if (rc == 1) {
        answered(c, extra > 0);
        return 1;
    }
    return 0;
}

/* Body bytes p[0..n) of the answer. Returns 1 when the request ended. */
static int body_bytes(sl_h1conn_t *c, const char *p, size_t n)
{
    if (n == 0)
        return 0;
    if (sl_buf_reserve(c->resp_body, n) != 0) {
        fail(c, CURLE_OUT_OF_MEMORY, "out of memory");
        return 1;
    }
    memcpy(c->resp_body->data + c->resp_body->len, p, n);
    return take_body(c, n);
}

/* Bytes data[0..n) of the answer while its head is not whole: parsed where they are when no
 * part of the head came before, else after what c->in holds. Returns 1 when the request
 * ended, else 0 (the head is whole and the body's bytes that came with it were taken, or the
 * head's start is in c->in until more comes). */
static int head_bytes(sl_h1conn_t *c, const char *data, size_t n)
{
    const char *p = data;
    size_t len = n;
    if (c->in.len > 0) {
        if (sl_buf_append(&c->in, data, n) != 0) {
            fail(c, CURLE_OUT_OF_MEMORY, "out of memory");
            return 1;
        }
        p = c->in.data;
        len = c->in.len;
    }
    for (;;) {
        long hl = sl_h1resp_head(&c->resp, p, len, c->no_body);
        if (hl < 0) {
            fail_parse(c);
            return 1;
        }
        if (hl == 0) {           /* the head's start waits in c->in */
            if (c->in.len > 0) { /* p is in it, after the interim heads */
                memmove(c->in.data, p, len);
                c->in.len = len;
                c->in.data[len] = '\0';
            } else if (sl_buf_append(&c->in, p, len) != 0) {
                fail(c, CURLE_OUT_OF_MEMORY, "out of memory");
                return 1;
            }
            return 0;
        }
        if (c->resp_head != NULL && c->resp_head->len < RESP_HEAD_CAP)
            sl_buf_append(c->resp_head, p, (size_t)hl);
        p += hl;
        len -= (size_t)hl;
        if (c->resp.interim)
            continue;
        c->head_done = 1;
        if (c->resp.has_length && c->resp.length > c->h->cfg->max_body) {
            too_large(c);
        } else if (sl_h1resp_empty(&c->resp)) {
            answered(c, len > 0);
        } else if (body_bytes(c, p, len) == 0) {
            sl_buf_clear(&c->in);
            return 0;
        }
        return 1;
    }
}

/* Reads what the socket has, through the worker's one read buffer. */
static void on_readable(sl_h1conn_t *c)
{
    char *buf = c->h->rbuf;
    for (;;) {
        ssize_t n = recv(c->fd, buf, READ_CHUNK, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            if (n == 0 && c->head_done && c->resp.until_close)
                answered(c, 1);
            else
                closed_early(c, n < 0);
            return;
        }
        if (c->first_byte_ns == 0 && c->h->trace)
            c->first_byte_ns = now_ns();
        c->received += (uint64_t)n;
        if ((c->head_done ? body_bytes(c, buf, (size_t)n) : head_bytes(c, buf, (size_t)n)) != 0)
            return;
        if ((size_t)n < READ_CHUNK)
            return; /* (level-triggered: more comes as another event) */
    }
}

/* Whether bytes of an answer wait to be read. */
static int answer_waits(sl_h1conn_t *c)
{
    char b;
    return recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/* Writes what is left of the request, with one writev: the socket's events bring the rest.
 * Returns 0, or -1 when the request ended (a write failure, or an early answer). */
static int write_more(sl_h1conn_t *c)
{
    while (c->niov > 0) {
        ssize_t n = writev(c->fd, c->iov, c->niov);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            watch(c, EPOLLIN | EPOLLOUT);
            return 0;
        }
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET) && answer_waits(c)) {
            on_readable(c); /* the server answered (and closed) before it read the body */
            return -1;
        }
        if (n < 0) {
            if (c->written == 0 && c->requests > 1) { /* as libcurl: it would write it again */
                sl_h1_done_t d = {.rc = CURLE_SEND_ERROR, .resend_refused = 1};
                end_request(c, &d, 0);
                return -1;
            }
            snprintf(c->message, sizeof(c->message), "Send failure: %s", strerror(errno));
            fail(c, CURLE_SEND_ERROR, c->message);
            return -1;
        }
        c->written += (size_t)n;
        size_t k = (size_t)n;
        int i = 0;
        while (i < c->niov && k >= c->iov[i].iov_len)
            k -= c->iov[i++].iov_len;
        memmove(c->iov, c->iov + i, (size_t)(c->niov - i) * sizeof(c->iov[0]));
        c->niov -= i;
        if (c->niov > 0) { /* the rest when the socket takes more, an answer read before */
            c->iov[0].iov_base = (char *)c->iov[0].iov_base + k;
            c->iov[0].iov_len -= k;
            watch(c, EPOLLIN | EPOLLOUT);
            return 0;
        }
        watch(c, EPOLLIN);
    }
    return 0;
}

/* The connection is up: the request goes out. */
static void send_request(sl_h1conn_t *c)
{
    c->state = BUSY;
    c->requests++;
    c->h->on_sent(c->owner, c->port, c->requests == 1);
    write_more(c);
}

int sl_h1_connected(sl_h1_t *h, CURL *easy, CURLcode rc)
{
    sl_h1conn_t *c = NULL;
    if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c) != CURLE_OK || c == NULL ||
        c < h->conns || c >= h->conns + h->nconns || c->easy != easy)
        return 0;
    if (c->state != CONNECTING)
        return 1;
    curl_socket_t fd = CURL_SOCKET_BAD;
    long port = 0;
    if (rc == CURLE_OK &&
        (curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd == CURL_SOCKET_BAD))
        rc = CURLE_COULDNT_CONNECT;
    if (rc != CURLE_OK) {
        c->state = DOWN;
        curl_multi_remove_handle(h->multi, easy);
        if (c->message[0] == '\0')
            snprintf(c->message, sizeof(c->message), "%s", curl_easy_strerror(rc));
        fail(c, rc, c->message);
        return 1;
    }
    curl_easy_getinfo(easy, CURLINFO_LOCAL_PORT, &port);
    if ((size_t)fd >= h->fd_cap) {
        size_t cap = h->fd_cap ? h->fd_cap : 64;
        while (cap <= (size_t)fd)
            cap *= 2;
        sl_h1conn_t **p = realloc(h->by_fd, cap * sizeof(*p));
        if (p == NULL) {
            c->state = DOWN;
            curl_multi_remove_handle(h->multi, easy);
            fail(c, CURLE_OUT_OF_MEMORY, "out of memory");
            return 1;
        }
        memset(p + h->fd_cap, 0, (cap - h->fd_cap) * sizeof(*p));
        h->by_fd = p;
        h->fd_cap = cap;
    }
    c->fd = fd;
    c->taking = 1;
    c->state = DOWN;
    curl_multi_remove_handle(h->multi, easy); /* libcurl lets go; the socket stays open */
    c->port = (int)port;
    h->by_fd[fd] = c;
    h->opened++;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
        epoll_ctl(h->ep, EPOLL_CTL_MOD, fd, &ev);
    c->events = EPOLLIN;
    send_request(c);
    return 1;
}

/* ---- the worker's calls ---------------------------------------------------------------- */

int sl_h1_open(sl_h1_t *h, const sl_config_t *cfg, const sl_transport_t *t, CURLM *multi, int ep,
               const struct curl_slist *defaults, int n, sl_h1_sent_fn on_sent,
               sl_h1_done_fn on_done, char *err, size_t errlen)
{
    memset(h, 0, sizeof(*h));
    h->cfg = cfg;
    h->transport = t;
    h->multi = multi;
    h->ep = ep;
    h->on_sent = on_sent;
    h->on_done = on_done;
    if (sl_h1head_open(&h->head, cfg->url, defaults) != 0) {
        snprintf(err, errlen, "--fast-path: cannot take the URL apart: %s", cfg->url);
        return -1;
    }
    h->conns = calloc((size_t)n, sizeof(*h->conns));
    if (h->conns == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    h->nconns = n;
    for (int i = 0; i < n; i++) {
        h->conns[i].h = h;
        h->conns[i].fd = -1;
    }
    if ((h->rbuf = malloc(READ_CHUNK)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

sl_h1conn_t *sl_h1_conn(sl_h1_t *h, int i)
{
    return &h->conns[i];
}

/* Whether an idle connection's server closed it (or said something unasked) where epoll has
 * not told yet. Looked at, as libcurl looks at every connection it reuses, only after a
 * second of rest: by then a server's idle timeout may have closed it just now. */
static int idle_closed(sl_h1conn_t *c, uint64_t now)
{
    char b;
    if (now - c->used_ns < IDLE_CHECK_NS)
        return 0;
    ssize_t n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

int sl_h1_start(sl_h1conn_t *c, void *owner, const char *method, const char *path,
                const struct curl_slist *headers, const char *cookie, const char *body, size_t len,
                sl_buf_t *resp_body, sl_buf_t *resp_head)
{
    sl_h1_t *h = c->h;
    const char *m = method != NULL && method[0] != '\0' ? method : "POST";
    int kind = sl_h1head_render(&h->head, m, path, headers, cookie, len, &c->head);
    if (kind < 0)
        return -1;
    c->owner = owner;
    c->niov = 0;
    c->head_len = c->head.len;
    if (kind == SL_H1HEAD_PREFIX) {
        c->iov[c->niov++] = (struct iovec){h->head.prefix.data, h->head.prefix.len};
        c->head_len += h->head.prefix.len;
    }
    c->iov[c->niov++] = (struct iovec){c->head.data, c->head.len};
    if (len > 0)
        c->iov[c->niov++] = (struct iovec){(void *)body, len};
    c->body_len = len;
    c->written = 0;
    c->no_body = 0;
    c->resp_body = resp_body;
    c->resp_head = resp_head;
    sl_buf_clear(&c->in);
    memset(&c->resp, 0, sizeof(c->resp));
    c->head_done = 0;
    c->received = 0;
    c->first_byte_ns = 0;
    c->message[0] = '\0';
    uint64_t now = now_ns();
    c->deadline = now + h->cfg->timeout_ns;
    c->prev = h->last; /* one timeout for all: the list stays in deadline order */
    c->next = NULL;
    if (h->last != NULL)
        h->last->next = c;
    else
        h->first = c;
    h->last = c;
    if (c->state == IDLE && idle_closed(c, now))
        conn_down(c);
    if (c->state == IDLE) {
        send_request(c);
        return 0;
    }
    c->state = CONNECTING;
    c->requests = 0;
    if ((c->easy == NULL && make_easy(c) != 0) ||
        curl_multi_add_handle(h->multi, c->easy) != CURLM_OK) {
        c->state = DOWN;
        fail(c, CURLE_OUT_OF_MEMORY, "cannot start a connection");
    }
    return 0;
}

void sl_h1_cancel(sl_h1conn_t *c)
{
    if (c->state != BUSY && c->state != CONNECTING)
        return;
    unlink_deadline(c);
    conn_down(c);
}

void sl_h1_drop(sl_h1conn_t *c)
{
    sl_h1_cancel(c);
    if (c->state == IDLE)
        conn_down(c);
}

int sl_h1_event(sl_h1_t *h, int fd, uint32_t events)
{
    if (fd < 0 || (size_t)fd >= h->fd_cap || h->by_fd[fd] == NULL)
        return 0;
    sl_h1conn_t *c = h->by_fd[fd];
    void *owner = c->owner;
    if (c->state != BUSY) { /* idle: the server closed it, or said something unasked */
        conn_down(c);
        return 1;
    }
    /* the answer first: one that comes while the body is written (an early error) ends the
     * upload there, as libcurl ends it */
    if ((events & EPOLLIN) || ((events & (EPOLLHUP | EPOLLERR)) && c->niov == 0))
        on_readable(c);
    if (c->state == BUSY && c->owner == owner && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) &&
        c->niov > 0)
        write_more(c);
    return 1;
}

uint64_t sl_h1_next_deadline(const sl_h1_t *h)
{
    return h->first != NULL ? h->first->deadline : NEVER;
}

void sl_h1_expire(sl_h1_t *h, uint64_t now)
{
    while (h->first != NULL && h->first->deadline <= now) {
        sl_h1conn_t *c = h->first;
        snprintf(c->message, sizeof(c->message),
                 c->state == CONNECTING
                     ? "Connection timed out after %llu milliseconds"
                     : "Operation timed out after %llu milliseconds with %llu bytes received",
                 (unsigned long long)(h->cfg->timeout_ns / 1000000ULL),
                 (unsigned long long)c->received);
        fail(c, CURLE_OPERATION_TIMEDOUT, c->message);
    }
}

void sl_h1_close(sl_h1_t *h)
{
    for (int i = 0; h->conns != NULL && i < h->nconns; i++) {
        sl_h1conn_t *c = &h->conns[i];
        conn_down(c);
        if (c->easy != NULL)
            curl_easy_cleanup(c->easy);
        sl_buf_free(&c->head);
        sl_buf_free(&c->in);
    }
    free(h->conns);
    free(h->by_fd);
    free(h->rbuf);
    sl_h1head_close(&h->head);
    memset(h, 0, sizeof(*h));
}
