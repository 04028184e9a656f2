/*
 * receiver: a small HTTP/1.1 server, one thread and poll(2), that takes uploads into spool files
 * and serves small answers and borrowed documents; soapload merge --listen decides what each
 * request gets. Every connection is bounded: its head to SL_HTTPHEAD_MAX bytes within 10 s, its
 * body to the cap given with a time limit, at most 64 at once (a newcomer then drops the oldest
 * one that is still sending its head), one request per connection.
 */
#ifndef SOAPLOAD_RECEIVER_H
#define SOAPLOAD_RECEIVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/httphead.h"

typedef struct sl_receiver sl_receiver_t;
typedef struct sl_receiver_conn sl_receiver_conn_t;

typedef struct {
    /* A complete head: answer (sl_receiver_answer*) or take the body (sl_receiver_take). */
    void (*on_head)(void *ctx, sl_receiver_conn_t *c, const sl_httphead_t *h);
    /* A body taken is complete in the spool file at path: answer. The file is removed after
     * the call unless the handler renamed it. */
    void (*on_body)(void *ctx, sl_receiver_conn_t *c, const char *path);
    void *ctx;
} sl_receiver_handler_t;

/** Listens on addr ("IPv4:PORT" or "[IPv6]:PORT", numeric; port 0: any free one); bodies go to
 * files in the folder spool, at most max_body bytes each (413 above). Returns the server, or
 * NULL with the problem in err. */
sl_receiver_t *sl_receiver_open(const char *addr, const char *spool, uint64_t max_body,
                                const sl_receiver_handler_t *handler, char *err, size_t errlen);
/** "http://ADDR:PORT" with the port bound. */
const char *sl_receiver_url(const sl_receiver_t *s);
/** Waits up to wait_ns (at most 250 ms) for what is ready and serves it; accepts new
 * connections only when accepting is set. Time-outs are enforced here. */
void sl_receiver_serve(sl_receiver_t *s, uint64_t wait_ns, int accepting);
/** Whether some answer is still being written. */
int sl_receiver_busy(const sl_receiver_t *s);
/** Closes every connection and the listening socket, removes unfinished spool files. */
void sl_receiver_close(sl_receiver_t *s);

/** Answers with doc[0..len) (borrowed until written) and closes after it. */
void sl_receiver_answer(sl_receiver_conn_t *c, int status, const char *type, const char *doc,
                        size_t len);
/** Answers with a copy of text and a newline. */
void sl_receiver_answer_copy(sl_receiver_conn_t *c, int status, const char *type, const char *text);
/** Answers with a line of text (and a newline), text/plain. */
void sl_receiver_answer_text(sl_receiver_conn_t *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** From on_head: takes the body (Content-Length; a chunked one is refused with 411, an empty
 * one with 400, one over the cap with 413 and a line "LOG_PREFIX: refused WHAT of N bytes..."
 * on stderr); `what` names it in the answers ("a result"). */
void sl_receiver_take(sl_receiver_conn_t *c, const char *log_prefix, const char *what);
/** The client's address, "ADDR:PORT". */
const char *sl_receiver_peer(const sl_receiver_conn_t *c);

#endif
