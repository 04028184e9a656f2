/*
 * httphead: the head of an HTTP/1.x request, parsed from the bytes received so far. Lines end in
 * CRLF or LF (RFC 9112 lets a server accept a bare LF); obsolete line folding is refused.
 */
#include "core/httphead.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The end of the head (past its blank line) in buf[0..len), or 0 when not there yet. */
static size_t head_end(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\n') {
            if (i + 1 < len && buf[i + 1] == '\n')
                return i + 2;
            if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
                return i + 3;
        }
    return 0;
}

/* Copies s[0..n) into dst (cap bytes with its NUL). Returns 0, or -1 when it does not fit. */
static int copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

static int request_line(const char *s, size_t n, sl_httphead_t *h, char *err, size_t errlen)
{
    const char *sp1 = memchr(s, ' ', n), *sp2;
    if (sp1 == NULL || (sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - s))) == NULL) {
        snprintf(err, errlen, "the request line is not METHOD PATH HTTP/1.x");
        return -1;
    }
    size_t vlen = n - (size_t)(sp2 + 1 - s);
    if (vlen != 8 || (memcmp(sp2 + 1, "HTTP/1.1", 8) != 0 && memcmp(sp2 + 1, "HTTP/1.0", 8) != 0)) {
        snprintf(err, errlen, "the request line is not METHOD PATH HTTP/1.x");
        return -1;
    }
    if (copy(h->method, sizeof(h->method), s, (size_t)(sp1 - s)) != 0 ||
        copy(h->path, sizeof(h->path), sp1 + 1, (size_t)(sp2 - sp1 - 1)) != 0 ||
        h->method[0] == '\0' || h->path[0] != '/') {
        snprintf(err, errlen, "the request line's method or path is empty or too long");
        return -1;
    }
    return 0;
}

static int content_length(const char *v, size_t n, sl_httphead_t *h, char *err, size_t errlen)
{
    uint64_t x = 0;
    if (n == 0 || n > 18 || strspn(v, "0123456789") < n) {
        snprintf(err, errlen, "Content-Length is not a number of bytes");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        x = x * 10 + (uint64_t)(v[i] - '0');
    if (h->has_length && h->content_length != x) { /* a smuggling attempt or a broken proxy */
        snprintf(err, errlen, "two different Content-Length fields");
        return -1;
    }
    h->has_length = 1;
    h->content_length = x;
    return 0;
}

static int field(const char *s, size_t n, sl_httphead_t *h, char *err, size_t errlen)
{
    const char *colon = memchr(s, ':', n);
    if (s[0] == ' ' || s[0] == '\t' || colon == NULL || colon == s) {
        snprintf(err, errlen, "a header field is not NAME: VALUE");
        return -1;
    }
    size_t nlen = (size_t)(colon - s);
    const char *v = colon + 1, *end = s + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);
    if (nlen == 14 && strncasecmp(s, "Content-Length", 14) == 0)
        return content_length(v, vlen, h, err, errlen);
    if (nlen == 17 && strncasecmp(s, "Transfer-Encoding", 17) == 0)
        h->chunked = 1;
    else if (nlen == 6 && strncasecmp(s, "Expect", 6) == 0)
        h->expect_continue = vlen == 12 && strncasecmp(v, "100-continue", 12) == 0;
    else if (nlen == 13 && strncasecmp(s, "Authorization", 13) == 0 &&
             copy(h->authorization, sizeof(h->authorization), v, vlen) != 0) {
        snprintf(err, errlen, "the Authorization field is too long");
        return -1;
    }
    return 0;
}

long sl_httphead_parse(const char *buf, size_t len, sl_httphead_t *h, char *err, size_t errlen)
{
    memset(h, 0, sizeof(*h));
    size_t end = head_end(buf, len);
    if (end == 0 || end > SL_HTTPHEAD_MAX) {
        if (len < SL_HTTPHEAD_MAX && end == 0)
            return 0;
        snprintf(err, errlen, "the request's head is longer than %d bytes", SL_HTTPHEAD_MAX);
        return -1;
    }
    if (memchr(buf, '\0', end) != NULL) {
        snprintf(err, errlen, "a NUL byte in the request's head");
        return -1;
    }
    for (size_t at = 0, line = 0; at < end; line++) {
        const char *s = buf + at, *nl = memchr(s, '\n', end - at);
        size_t n = (size_t)(nl - s), next = at + n + 1;
        if (n > 0 && s[n - 1] == '\r')
            n--;
        if (n == 0)
            break; /* the blank line */
        if (memchr(s, '\r', n) != NULL) {
            snprintf(err, errlen, "a bare CR in the request's head");
            return -1;
        }
        if ((line == 0 ? request_line(s, n, h, err, errlen) : field(s, n, h, err, errlen)) != 0)
            return -1;
        at = next;
    }
    if (h->method[0] == '\0') {
        snprintf(err, errlen, "no request line");
        return -1;
    }
    return (long)end;
}

int sl_httphead_bearer_is(const sl_httphead_t *h, const char *token)
{
    const char *v = h->authorization;
    size_t tlen = strlen(token), vlen = strlen(v);
    if (vlen < 7 || strncasecmp(v, "Bearer ", 7) != 0 || vlen - 7 != tlen)
        return 0;
    unsigned char diff = 0;
    for (size_t i = 0; i < tlen; i++)
        diff |= (unsigned char)(v[7 + i] ^ token[i]);
    return diff == 0;
}
