/*
 * h1resp: an HTTP/1.x response's head and body framing, on picohttpparser.
 */
#include "engine/h1resp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELDS 256

static int name_is(const struct phr_header *h, const char *name)
{
    size_t n = strlen(name);
    return h->name != NULL && h->name_len == n && strncasecmp(h->name, name, n) == 0;
}

/* Whether the comma-separated value v[0..n) holds the token tok (any case). */
static int has_token(const char *v, size_t n, const char *tok)
{
    size_t t = strlen(tok);
    for (size_t i = 0; i < n;) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        size_t e = j;
        while (e > i && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - i == t && strncasecmp(v + i, tok, t) == 0)
            return 1;
        i = j;
    }
    return 0;
}

/* Whether a line of buf[0..len) is longer than libcurl takes. */
static int line_too_long(const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = (size_t)((nl != NULL ? nl : end) - p);
        if (l > SL_H1RESP_LINE_MAX)
            return 1;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return 0;
}

/* Content-Length's value; -1 when it is not a number. */
static int64_t parse_length(const char *v, size_t n)
{
    int64_t x = 0;
    size_t i = 0;
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (i == n)
        return -1;
    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
        if (x > (INT64_MAX - 9) / 10)
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    return i == n ? x : -1;
}

/* The framing of the body from the head's fields. Returns 0 or -1 with r->error. */
static int read_fields(sl_h1resp_t *r, const struct phr_header *f, size_t nf, int minor)
{
    int conn_close = 0, conn_keep = 0;
    for (size_t i = 0; i < nf; i++) {
        if (name_is(&f[i], "Content-Length")) {
            int64_t v = parse_length(f[i].value, f[i].value_len);
            if (v < 0) {
                r->error = SL_H1RESP_E_HEAD;
                return -1;
            }
            if (r->has_length && (uint64_t)v != r->length) {
                r->error = SL_H1RESP_E_LENGTHS;
                return -1;
            }
            r->has_length = 1;
            r->length = (uint64_t)v;
        } else if (name_is(&f[i], "Transfer-Encoding")) {
            r->chunked = has_token(f[i].value, f[i].value_len, "chunked");
        } else if (name_is(&f[i], "Connection")) {
            conn_close |= has_token(f[i].value, f[i].value_len, "close");
            conn_keep |= has_token(f[i].value, f[i].value_len, "keep-alive");
        }
    }
    r->keep_alive = minor >= 1 ? !conn_close : conn_keep && !conn_close;
    return 0;
}

long sl_h1resp_head(sl_h1resp_t *r, const char *buf, size_t len, int no_body)
{
    struct phr_header fields[MAX_FIELDS];
    size_t nf = MAX_FIELDS;
    int minor = 0, status = 0;
    const char *msg;
    size_t msg_len;
    memset(r, 0, sizeof(*r));
    int n = phr_parse_response(buf, len, &minor, &status, &msg, &msg_len, fields, &nf, 0);
    if (n == -2) {
        if (len > SL_H1RESP_LINE_MAX && line_too_long(buf, len)) {
            r->error = SL_H1RESP_E_LINE;
            return -1;
        }
        if (len > SL_H1RESP_HEAD_MAX) {
            r->error = SL_H1RESP_E_HEAD;
            return -1;
        }
        return 0;
    }
    if (n < 0 || status < 100 || status > 999) {
        r->error = SL_H1RESP_E_HEAD;
        return -1;
    }
    if ((size_t)n > SL_H1RESP_LINE_MAX && line_too_long(buf, (size_t)n)) {
        r->error = SL_H1RESP_E_LINE;
        return -1;
    }
    r->status = status;
    if (status < 200 && status != 101) { /* 100 Continue, 102, 103: another head follows */
        r->interim = 1;
        return n;
    }
    if (read_fields(r, fields, nf, minor) != 0)
        return -1;
    if (no_body || status == 101 || status == 204 || status == 304) {
        r->chunked = 0;
        r->has_length = 1;
        r->length = 0;
        if (status == 101)
            r->keep_alive = 0;
    } else if (r->chunked) {
        r->has_length = 0;
    } else if (!r->has_length) {
        r->until_close = 1;
        r->keep_alive = 0;
    }
    r->left = r->has_length ? r->length : 0;
    r->dec.consume_trailer = 1;
    return n;
}

int sl_h1resp_empty(const sl_h1resp_t *r)
{
    return r->has_length && r->length == 0;
}

int sl_h1resp_body(sl_h1resp_t *r, char *data, size_t *n, size_t *extra)
{
    *extra = 0;
    if (r->chunked) {
        size_t sz = *n;
        ssize_t rest = phr_decode_chunked(&r->dec, data, &sz);
        *n = sz;
        if (rest == -1) {
            r->error = SL_H1RESP_E_CHUNK;
            return -1;
        }
        if (rest == -2)
            return 0;
        *extra = (size_t)rest;
        return 1;
    }
    if (r->until_close)
        return 0;
    if (*n >= r->left) {
        *extra = *n - (size_t)r->left;
        *n = (size_t)r->left;
        r->left = 0;
        return 1;
    }
    r->left -= *n;
    return 0;
}
