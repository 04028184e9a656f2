/*
 * h1head: the fast path's request heads, written as libcurl writes them: a prefix made once
 * from the run's URL and the worker's default header list, and per request the rest
 * (Content-Length); a request with a method, a path or headers of its own gets a head of its
 * own. A header that changes the framing or the target (Host, Content-Length,
 * Transfer-Encoding, a non-empty Expect), HEAD, or a path to another host is left to libcurl.
 */
#ifndef SOAPLOAD_H1HEAD_H
#define SOAPLOAD_H1HEAD_H

#include <curl/curl.h>
#include <stddef.h>

#include "core/buf.h"

enum { SL_H1HEAD_OWN = 0, SL_H1HEAD_PREFIX = 1 };

typedef struct {
    CURLU *url;
    char target[2048];                 /* the URL's path and query */
    char host[512];                    /* "Host: h:p\r\n" */
    char hostname[256], port[16];      /* the URL's, to tell whether a path leaves them */
    const struct curl_slist *defaults; /* the worker's header list (the caller keeps it) */
    sl_buf_t prefix;                   /* the default head up to Content-Length, or empty */
    int prefix_has_ct;                 /* the default headers name Content-Type */
} sl_h1head_t;

/** Takes the URL apart and makes the prefix. Returns 0, or -1 when libcurl cannot parse it. */
int sl_h1head_open(sl_h1head_t *h, const char *url, const struct curl_slist *defaults);
/** Writes into b the head of a request (method "POST" or request()'s; path NULL: the URL's;
 * headers NULL: the defaults; cookie: CURLOPT_COOKIE's value, or NULL) with a body of
 * body_len bytes. Returns SL_H1HEAD_PREFIX when the
 * head is h->prefix then b, SL_H1HEAD_OWN when it is b alone, -1 when libcurl's path must write
 * it. */
int sl_h1head_render(const sl_h1head_t *h, const char *method, const char *path,
                     const struct curl_slist *headers, const char *cookie, size_t body_len,
                     sl_buf_t *b);
/** Frees the prefix and the parsed URL. */
void sl_h1head_close(sl_h1head_t *h);

#endif
