/*
 * h1resp: the reading of one HTTP/1.x response from the bytes of a connection, for the fast
 * path (engine/h1conn.c): its head (status, the body's framing, whether the connection stays
 * open) by picohttpparser, then its body: Content-Length, chunked (decoded in place) or up to
 * the connection's end. No sockets; the rules are libcurl's where it is strict (two different
 * Content-Length values, a header line over 100 KiB, interim 1xx responses skipped).
 */
#ifndef SOAPLOAD_H1RESP_H
#define SOAPLOAD_H1RESP_H

#include <stddef.h>
#include <stdint.h>

#include "engine/picohttp.h"

#define SL_H1RESP_LINE_MAX (100 * 1024) /* libcurl's CURL_MAX_HTTP_HEADER: longer fails */
#define SL_H1RESP_HEAD_MAX (1024 * 1024)

/* Why a response cannot be read. */
typedef enum {
    SL_H1RESP_OK = 0,
    SL_H1RESP_E_HEAD,    /* not an HTTP/1.x head, or a malformed one */
    SL_H1RESP_E_LENGTHS, /* two Content-Length fields with different values */
    SL_H1RESP_E_LINE,    /* a header line longer than SL_H1RESP_LINE_MAX */
    SL_H1RESP_E_CHUNK,   /* a malformed chunk */
} sl_h1resp_error_t;

typedef struct {
    int status;      /* of the head read last */
    int interim;     /* that head was a 1xx (not 101): another head follows */
    int keep_alive;  /* the connection may carry the next request after this response */
    int chunked;     /* the body is chunked */
    int until_close; /* the body ends with the connection */
    uint64_t left;   /* Content-Length: body bytes still to come */
    uint64_t length; /* the body's announced length (Content-Length), when has_length */
    int has_length;
    sl_h1resp_error_t error;
    struct phr_chunked_decoder dec;
} sl_h1resp_t;

/** Parses the head at buf[0..len) into r (reset first); no_body: the request was HEAD.
 * Returns the head's length when it is complete (r->interim: a 1xx to skip, then parse the
 * next head), 0 when more bytes are needed, -1 with r->error. */
long sl_h1resp_head(sl_h1resp_t *r, const char *buf, size_t len, int no_body);

/** Whether the body is over before any of its bytes (no body, or Content-Length 0). */
int sl_h1resp_empty(const sl_h1resp_t *r);

/** Takes the body bytes data[0..*n), which it may rewrite (chunks decoded in place): on
 * return *n is the body's bytes at the start of data and *extra the bytes after the body's
 * end. Returns 1 when the body is complete, 0 when more is to come, -1 with r->error. */
int sl_h1resp_body(sl_h1resp_t *r, char *data, size_t *n, size_t *extra);

#endif
