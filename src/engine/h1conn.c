/*
 * h1conn: the fast path's connections: opened by libcurl, then written and read here.
 * libcurl 7.88 finds a CONNECT_ONLY connection for curl_easy_send/recv by walking its whole
 * connection cache on every call, and closes one that its own last use left idle for 118 s
 * (CURLOPT_MAXAGE_CONN) while it prunes: so once connected, plain http's socket is taken from
 * libcurl (its close callback leaves it open) and read and written here with writev and recv.
 * https: libcurl does the connect and the TLS handshake with every TLS option of the run
 * (ALPN offers http/1.1 only), and its OpenSSL session (CURLINFO_TLS_SSL_PTR, read in the
 * connect's pre-request callback, while the connection is still the handle's) is read and
 * written here with SSL_read and SSL_write on the socket itself (SSL_set_fd: libcurl's own
 * BIO would call into the transfer that has ended). The session stays libcurl's: the handle
 * stays in the multi handle until the connection ends, when removing it closes the session
 * (close_notify, SSL_free); the socket stays the fast path's, as for plain http.
 * Failures carry the CURLcode that libcurl's path gives for the same event, so that the
 * worker counts and words them the same way.
 */
#include "engine/h1conn.h"

#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
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
#define TLS_RECORD 16384            /* a request up to this size is one TLS record */

enum { DOWN, CONNECTING, IDLE, BUSY };

struct sl_h1conn {
    sl_h1_t *h;
    void *owner;
    CURL *easy;       /* the CONNECT_ONLY handle, made at the first connect */
    int fd;           /* taken from libcurl, -1 while down */
    uint32_t events;  /* what epoll watches on fd */
    uint64_t used_ns; /* when its last request ended */
    int taking;       /* the close callback leaves fd open */
    int added;        /* easy is in the multi handle */
    int state;
    /* https */
    SSL *ssl;           /* libcurl's TLS session on fd (NULL: plain http, or none yet) */
    int lost;           /* libcurl closed the session itself (it pruned the connection) */
    int closing;        /* conn_down is closing the session */
    int read_wants_out; /* SSL_read waits for the socket to take bytes */
    int write_wants_in; /* SSL_write waits for bytes from the socket */
    uint64_t tls_us;    /* the handshake of the connection's opening, us */
    sl_buf_t tx;        /* a small request's head and body in one piece: one TLS record */
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

/* Whether libcurl's TLS is OpenSSL's, whose sessions the fast path can read and write. */
static int tls_openssl(void)
{
    const char *v = curl_version_info(CURLVERSION_NOW)->ssl_version;
    return v != NULL && strncmp(v, "OpenSSL/", 8) == 0;
}

int sl_h1_usable(const sl_config_t *cfg)
{
    int https = strncasecmp(cfg->url, "https://", 8) == 0;
    return cfg->fast_path && (strncasecmp(cfg->url, "http://", 7) == 0 || https) &&
           (!https || tls_openssl()) && !cfg->http2 && cfg->streams <= 1 &&
           cfg->auth == SL_AUTH_NONE;
}

/* ---- connections ----------------------------------------------------------------------- */

static int close_cb(void *clientp, curl_socket_t fd)
{
    sl_h1conn_t *c = clientp;
    if (c->taking && fd == c->fd) { /* taken: the fast path closes it */
        if (c->ssl != NULL && !c->closing) {
            /* libcurl closed the TLS session itself (its cache found the connection dead or
             * old): never touched again; the socket's events tell the fast path, soon */
            c->lost = 1;
            shutdown(fd, SHUT_RDWR);
        }
        c->ssl = NULL;
        return 0;
    }
    return close(fd);
}

/* The connect's pre-request callback: the connection is still the handle's, so libcurl
 * gives its TLS session (after the connect ends, it no longer does). */
static int tls_prereq(void *clientp, char *primary_ip, char *local_ip, int primary_port,
                      int local_port)
{
    (void)primary_ip;
    (void)local_ip;
    (void)primary_port;
    (void)local_port;
    sl_h1conn_t *c = clientp;
    struct curl_tlssessioninfo *tsi = NULL;
    c->ssl = NULL;
    if (curl_easy_getinfo(c->easy, CURLINFO_TLS_SSL_PTR, &tsi) == CURLE_OK && tsi != NULL &&
        tsi->backend == CURLSSLBACKEND_OPENSSL)
        c->ssl = tsi->internals;
    return CURL_PREREQFUNC_OK;
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
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1); /* ALPN http/1.1 */
    if (h->https) {
        curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, tls_prereq);
        curl_easy_setopt(e, CURLOPT_PREREQDATA, c);
        /* the connection stays in libcurl's cache, idle as far as libcurl knows: its
         * connects do not close it for age */
        curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, LONG_MAX);
    }
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
    if (c->fd >= 0)
        h->by_fd[c->fd] = NULL;
    if (c->added) {
        /* connecting: closes the socket it was opening; https: libcurl closes the TLS session
         * (close_notify, SSL_free) and leaves the socket (taken) */
        c->closing = 1;
        curl_multi_remove_handle(h->multi, c->easy);
        c->closing = 0;
        c->added = 0;
    }
    if (c->fd >= 0) {
        close(c->fd); /* and out of epoll with it */
        c->fd = -1;
    }
    c->ssl = NULL;
    c->lost = 0;
    c->read_wants_out = c->write_wants_in = 0;
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
    /* (bytes after it inside the TLS session: something unasked, as bytes after it in the
     * socket would be) */
    int keep = c->resp.keep_alive && !extra && c->niov == 0 &&
               (c->ssl == NULL || !SSL_has_pending(c->ssl));
    c->read_wants_out = c->write_wants_in = 0;
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

/* Bytes buf[0..n) of the answer. Returns 1 when the request ended. */
static int got_bytes(sl_h1conn_t *c, const char *buf, size_t n)
{
    if (c->first_byte_ns == 0 && c->h->trace)
        c->first_byte_ns = now_ns();
    c->received += (uint64_t)n;
    return c->head_done ? body_bytes(c, buf, n) : head_bytes(c, buf, n);
}

/* The server ended the connection (reset: not in order). */
static void got_end(sl_h1conn_t *c, int reset)
{
    if (!reset && c->head_done && c->resp.until_close)
        answered(c, 1);
    else
        closed_early(c, reset);
}

/* Reads what the socket has, through the worker's one read buffer. */
static void plain_readable(sl_h1conn_t *c)
{
    char *buf = c->h->rbuf;
    for (;;) {
        ssize_t n = recv(c->fd, buf, READ_CHUNK, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            got_end(c, n < 0);
            return;
        }
        if (got_bytes(c, buf, (size_t)n) != 0)
            return;
        if ((size_t)n < READ_CHUNK)
            return; /* (level-triggered: more comes as another event) */
    }
}

/* ---- https: libcurl's TLS session, read and written here ------------------------------- */

/* What epoll watches for a TLS connection: its answer always; the socket taking bytes while
 * the request is written, or while a read must write (a key update's answer). */
static void tls_watch(sl_h1conn_t *c)
{
    int out = c->read_wants_out || (c->niov > 0 && !c->write_wants_in);
    watch(c, out ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* OpenSSL's error e in libcurl's words: "OpenSSL/3.0.19: error:0A000126:SSL routines::..." */
static void tls_error_text(unsigned long e, char *out, size_t len)
{
    int n = snprintf(out, len, "%s: ", curl_version_info(CURLVERSION_NOW)->ssl_version);
    if (n >= 0 && (size_t)n < len)
        ERR_error_string_n(e, out + n, len - (size_t)n);
}

/* Whether SSL_read's result e (err: its errno, se: the first error queued) is the end of the
 * stream: close_notify, or the TCP connection's end without it, which libcurl's path takes as
 * the end too (a body then short of its length is a truncation). */
static int tls_is_end(int e, int err, unsigned long se)
{
    return e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && se == 0 && err == 0) ||
           (e == SSL_ERROR_SSL && ERR_GET_LIB(se) == ERR_LIB_SSL &&
            ERR_GET_REASON(se) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
}

/* SSL_read failed (not for want of bytes, not the end). */
static void tls_read_failed(sl_h1conn_t *c, int e, int err, unsigned long se)
{
    if (e == SSL_ERROR_SYSCALL && se == 0) { /* the socket's error: reset */
        errno = err;
        closed_early(c, 1);
        return;
    }
    if (c->received == 0 && c->requests > 1) { /* libcurl would write it again: refused */
        sl_h1_done_t d = {.rc = CURLE_RECV_ERROR, .resend_refused = 1};
        end_request(c, &d, 0);
        return;
    }
    char text[200];
    tls_error_text(se, text, sizeof(text));
    snprintf(c->message, sizeof(c->message), "OpenSSL SSL_read: %s, errno %d", text, err);
    fail(c, CURLE_RECV_ERROR, c->message);
}

/* Reads what the session has: until it wants more from the socket, since what it already
 * holds (SSL_has_pending) wakes no epoll. */
static void tls_readable(sl_h1conn_t *c)
{
    char *buf = c->h->rbuf;
    for (;;) {
        ERR_clear_error();
        int n = SSL_read(c->ssl, buf, READ_CHUNK);
        if (n > 0) {
            if (c->read_wants_out) {
                c->read_wants_out = 0;
                tls_watch(c);
            }
            if (got_bytes(c, buf, (size_t)n) != 0)
                return;
            continue;
        }
        int err = errno;
        int e = SSL_get_error(c->ssl, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            if (c->read_wants_out != (e == SSL_ERROR_WANT_WRITE)) {
                c->read_wants_out = e == SSL_ERROR_WANT_WRITE;
                tls_watch(c);
            }
            return;
        }
        unsigned long se = ERR_peek_error();
        if (tls_is_end(e, err, se))
            got_end(c, 0);
        else
            tls_read_failed(c, e, err, se);
        return;
    }
}

/* An idle TLS connection's socket has bytes: a message of the session (a ticket, a key
 * update) leaves it usable; anything else (data, close_notify, the end) closes it. */
static int tls_idle_alive(sl_h1conn_t *c)
{
    char b;
    ERR_clear_error();
    int n = SSL_read(c->ssl, &b, 1);
    return n <= 0 && SSL_get_error(c->ssl, n) == SSL_ERROR_WANT_READ;
}

static void on_readable(sl_h1conn_t *c)
{
    if (c->ssl != NULL)
        tls_readable(c);
    else
        plain_readable(c);
}

/* Whether bytes of an answer wait to be read. */
static int answer_waits(sl_h1conn_t *c)
{
    char b;
    return (c->ssl != NULL && SSL_has_pending(c->ssl)) ||
           recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/* The iovecs lost their first n bytes. */
static void iov_advance(sl_h1conn_t *c, size_t n)
{
    c->written += n;
    int i = 0;
    while (i < c->niov && n >= c->iov[i].iov_len)
        n -= c->iov[i++].iov_len;
    memmove(c->iov, c->iov + i, (size_t)(c->niov - i) * sizeof(c->iov[0]));
    c->niov -= i;
    if (c->niov > 0) {
        c->iov[0].iov_base = (char *)c->iov[0].iov_base + n;
        c->iov[0].iov_len -= n;
    }
}

/* Writes what is left of the request into the TLS session, a piece at a time (partial writes:
 * each returns once a record is out). Returns 0, or -1 when the request ended. */
static int tls_write_more(sl_h1conn_t *c)
{
    while (c->niov > 0) {
        size_t len = c->iov[0].iov_len < INT_MAX ? c->iov[0].iov_len : INT_MAX;
        ERR_clear_error();
        int n = SSL_write(c->ssl, c->iov[0].iov_base, (int)len);
        if (n > 0) {
            c->write_wants_in = 0;
            iov_advance(c, (size_t)n);
            continue;
        }
        int err = errno;
        int e = SSL_get_error(c->ssl, n);
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
            c->write_wants_in = e == SSL_ERROR_WANT_READ;
            tls_watch(c);
            return 0;
        }
        unsigned long se = ERR_peek_error();
        if (e == SSL_ERROR_SYSCALL && se == 0 && (err == EPIPE || err == ECONNRESET) &&
            answer_waits(c)) {
            tls_readable(c); /* the server answered (and closed) before it read the body */
            return -1;
        }
        if (c->written == 0 && c->requests > 1) { /* as libcurl: it would write it again */
            sl_h1_done_t d = {.rc = CURLE_SEND_ERROR, .resend_refused = 1};
            end_request(c, &d, 0);
            return -1;
        }
        char text[200];
        if (e == SSL_ERROR_SYSCALL && se == 0) {
            snprintf(c->message, sizeof(c->message), "Send failure: %s", strerror(err));
        } else {
            tls_error_text(se, text, sizeof(text));
            snprintf(c->message, sizeof(c->message), "SSL_write() error: %s", text);
        }
        fail(c, CURLE_SEND_ERROR, c->message);
        return -1;
    }
    tls_watch(c);
    return 0;
}

/* Writes what is left of the request, with one writev: the socket's events bring the rest.
 * Returns 0, or -1 when the request ended (a write failure, or an early answer). */
static int write_more(sl_h1conn_t *c)
{
    if (c->ssl != NULL)
        return tls_write_more(c);
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
        iov_advance(c, (size_t)n);
        if (c->niov > 0) { /* the rest when the socket takes more, an answer read before */
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
    c->h->on_sent(c->owner, c->port, c->requests == 1, c->requests == 1 ? c->tls_us : 0);
    write_more(c);
}

/* The TLS connection is up on fd: its session, if libcurl gave one that speaks http/1.1,
 * is read and written on fd from now on. Returns 0, or -1 when there is none (libcurl's TLS
 * is not OpenSSL's). */
static int tls_take(sl_h1conn_t *c, int fd)
{
    const unsigned char *alpn = NULL;
    unsigned alpn_len = 0;
    if (c->ssl == NULL)
        return -1;
    SSL_get0_alpn_selected(c->ssl, &alpn, &alpn_len);
    if (alpn_len > 0 && !(alpn_len == 8 && memcmp(alpn, "http/1.1", 8) == 0))
        return -1;
    /* libcurl's BIO reads through the transfer that ended: the socket's own instead (the
     * session frees it) */
    if (SSL_set_fd(c->ssl, fd) != 1)
        return -1;
    SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* one recv for as many records as came, rather than two (header, then body) per record:
     * the bytes it holds beyond them are SSL_has_pending's */
    SSL_set_read_ahead(c->ssl, 1);
    curl_off_t connect_us = 0, tls_us = 0;
    c->tls_us = 0;
    if (curl_easy_getinfo(c->easy, CURLINFO_CONNECT_TIME_T, &connect_us) == CURLE_OK &&
        curl_easy_getinfo(c->easy, CURLINFO_APPCONNECT_TIME_T, &tls_us) == CURLE_OK && tls_us > 0 &&
        tls_us >= connect_us)
        c->tls_us = (uint64_t)(tls_us - connect_us);
    return 0;
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
        c->ssl = NULL;
        curl_multi_remove_handle(h->multi, easy);
        c->added = 0;
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
            c->ssl = NULL;
            curl_multi_remove_handle(h->multi, easy);
            c->added = 0;
            fail(c, CURLE_OUT_OF_MEMORY, "out of memory");
            return 1;
        }
        memset(p + h->fd_cap, 0, (cap - h->fd_cap) * sizeof(*p));
        h->by_fd = p;
        h->fd_cap = cap;
    }
    if (h->https && tls_take(c, fd) != 0) { /* libcurl's path takes the request */
        c->state = DOWN;
        c->ssl = NULL;
        curl_multi_remove_handle(h->multi, easy); /* closes the connection */
        c->added = 0;
        h->fallbacks++;
        sl_h1_done_t d = {.fallback = 1};
        end_request(c, &d, 0);
        return 1;
    }
    c->fd = fd;
    c->taking = 1;
    c->state = DOWN;
    if (!h->https) {
        curl_multi_remove_handle(h->multi, easy); /* libcurl lets go; the socket stays open */
        c->added = 0;
    }
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
    h->https = strncasecmp(cfg->url, "https://", 8) == 0;
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
    if (c->lost)
        return 1;
    if (now - c->used_ns < IDLE_CHECK_NS)
        return 0;
    if (c->ssl != NULL && SSL_has_pending(c->ssl))
        return !tls_idle_alive(c);
    ssize_t n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0 && c->ssl != NULL)
        return !tls_idle_alive(c);
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
    if (h->https && c->niov > 1 && c->head_len + len <= TLS_RECORD) {
        /* one TLS record (one write) rather than one per piece */
        sl_buf_clear(&c->tx);
        for (int i = 0; i < c->niov; i++)
            if (sl_buf_append(&c->tx, c->iov[i].iov_base, c->iov[i].iov_len) != 0)
                return -1;
        c->iov[0] = (struct iovec){c->tx.data, c->tx.len};
        c->niov = 1;
    }
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
    c->ssl = NULL;
    c->tls_us = 0;
    if ((c->easy == NULL && make_easy(c) != 0) ||
        curl_multi_add_handle(h->multi, c->easy) != CURLM_OK) {
        c->state = DOWN;
        fail(c, CURLE_OUT_OF_MEMORY, "cannot start a connection");
        return 0;
    }
    c->added = 1;
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
    if (c->lost) { /* libcurl closed its TLS session: the connection is gone, and an answer
                    * that ends at close was cut, not ended */
        if (c->state == BUSY)
            closed_early(c, 0);
        else
            conn_down(c);
        return 1;
    }
    if (c->state != BUSY) { /* idle: the server closed it, or said something unasked */
        if (c->ssl == NULL || !(events & EPOLLIN) || !tls_idle_alive(c))
            conn_down(c);
        return 1;
    }
    /* the answer first: one that comes while the body is written (an early error) ends the
     * upload there, as libcurl ends it */
    uint32_t hup = events & (EPOLLHUP | EPOLLERR);
    if ((events & EPOLLIN) || (hup && c->niov == 0) || ((events & EPOLLOUT) && c->read_wants_out))
        on_readable(c);
    if (c->state == BUSY && c->owner == owner && c->niov > 0 &&
        (c->write_wants_in ? (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0
                           : (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0))
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
        sl_buf_free(&c->tx);
    }
    free(h->conns);
    free(h->by_fd);
    free(h->rbuf);
    sl_h1head_close(&h->head);
    memset(h, 0, sizeof(*h));
}
