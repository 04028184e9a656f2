/*
 * h1conn: the HTTP/1.1 keep-alive fast path. libcurl opens each connection (CONNECT_ONLY, on
 * the worker's multi handle and epoll); the engine then takes its socket, writes each request
 * (a head prepared once, patched per request, and the body) and reads each answer with
 * engine/h1resp.c, driven by the worker's epoll. One connection per slot of the worker. A
 * request the fast path does not take (another host, HEAD, a header that changes
 * the framing) goes through libcurl's full path, and its slot stays there (so that a slot
 * holds one connection at a time); so does every run that is not plain http/1.1
 * without HTTP authentication. When a request ends, the worker gets what libcurl's path would
 * have told it: the CURLcode of a failure and its message, the status, the bytes written.
 * https too (HTTP/1.1 by ALPN): libcurl makes the TLS connection, the fast path reads and
 * writes its OpenSSL session; a connection without one (libcurl on another TLS library)
 * hands its request back to libcurl's path.
 */
#ifndef SOAPLOAD_H1CONN_H
#define SOAPLOAD_H1CONN_H

#include <curl/curl.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "engine/h1head.h"
#include "engine/transport.h"

/* How a request on the fast path ended. */
typedef struct {
    CURLcode rc;                /* CURLE_OK, or the code libcurl's path gives for the failure */
    const char *message;        /* its message, "" when OK */
    const char *protocol_error; /* soapload's own reason to reject the response, or NULL */
    int status_seen;            /* a status line arrived */
    int resend_refused;         /* a reused connection closed without an answer */
    long status;                /* of the final response, 0 without one */
    uint64_t uploaded;          /* bytes of the body written */
    uint64_t first_byte_ns;     /* when the answer's first byte came, 0 without one */
    int fallback; /* https: the connection gave no TLS session to use; nothing was written:
                     the request goes to libcurl's path (the slot with it) */
} sl_h1_done_t;

/* Called just before a request's first byte is written, from local port `port`; opened: the
 * connection was opened for it, its TLS handshake took tls_us (0: plain http). */
typedef void (*sl_h1_sent_fn)(void *owner, int port, int opened, uint64_t tls_us);
/* Called when a request ends; d lives until the call returns. */
typedef void (*sl_h1_done_fn)(void *owner, const sl_h1_done_t *d);

typedef struct sl_h1conn sl_h1conn_t;

typedef struct {
    const sl_config_t *cfg;
    const sl_transport_t *transport;
    CURLM *multi;
    int ep;
    sl_h1head_t head; /* the request heads */
    sl_h1conn_t *conns;
    int nconns;
    sl_h1conn_t **by_fd; /* the connections whose socket was taken, by descriptor */
    size_t fd_cap;
    sl_h1conn_t *first, *last; /* requests in flight, by deadline */
    char *rbuf;                /* what one recv reads, for all connections */
    sl_h1_sent_fn on_sent;
    sl_h1_done_fn on_done;
    int trace;          /* keep first-byte times */
    int https;          /* the URL's scheme: TLS sessions read and written with OpenSSL */
    uint64_t opened;    /* connections the fast path opened */
    uint64_t fallbacks; /* https connections without a TLS session to use: libcurl's path */
} sl_h1_t;

/** Whether the run may take the fast path at all: --fast-path on, an http:// URL or an
 * https:// one with libcurl on OpenSSL, HTTP/1.1, no HTTP authentication. */
int sl_h1_usable(const sl_config_t *cfg);
/** Prepares the fast path for n connections on a worker's multi handle and epoll, with its
 * default header list (kept by the caller, read once). Returns 0, or -1 with err. */
int sl_h1_open(sl_h1_t *h, const sl_config_t *cfg, const sl_transport_t *t, CURLM *multi, int ep,
               const struct curl_slist *defaults, int n, sl_h1_sent_fn on_sent,
               sl_h1_done_fn on_done, char *err, size_t errlen);
/** Connection i (0 <= i < n). */
sl_h1conn_t *sl_h1_conn(sl_h1_t *h, int i);
/** Starts a request on c for `owner`: method (NULL or "": POST), request()'s path (NULL: the
 * URL's), the request's own header list (NULL: the defaults), a flow's Cookie value (NULL:
 * none), the body (kept by the caller
 * until it ends); the answer's
 * body and head go to resp_body and resp_head (NULL: not kept). Returns 0 when the fast path
 * took it (it ends through on_done, perhaps before this returns), -1 when libcurl's path
 * must. */
int sl_h1_start(sl_h1conn_t *c, void *owner, const char *method, const char *path,
                const struct curl_slist *headers, const char *cookie, const char *body, size_t len,
                sl_buf_t *resp_body, sl_buf_t *resp_head);
/** Abandons c's request if one is in flight, closing its connection, without on_done. */
void sl_h1_cancel(sl_h1conn_t *c);
/** Closes c's connection whatever its state (its slot goes to libcurl's path for good). */
void sl_h1_drop(sl_h1conn_t *c);
/** Handles an epoll event on descriptor fd. Returns 1 when fd is the fast path's. */
int sl_h1_event(sl_h1_t *h, int fd, uint32_t events);
/** Takes a transfer that libcurl finished (from curl_multi_info_read). Returns 1 when it was
 * one of the fast path's connects. */
int sl_h1_connected(sl_h1_t *h, CURL *easy, CURLcode rc);
/** The earliest deadline of a request in flight, or UINT64_MAX. */
uint64_t sl_h1_next_deadline(const sl_h1_t *h);
/** Ends the requests whose deadline is past as timeouts. */
void sl_h1_expire(sl_h1_t *h, uint64_t now);
/** Closes the connections and frees everything (before the multi handle is cleaned up). */
void sl_h1_close(sl_h1_t *h);

#endif
