/*
 * test_h1resp: the fast path's reading of HTTP/1.x responses (engine/h1resp.c): a head in
 * pieces, Content-Length, chunked bodies split anywhere (trailers consumed), the connection's
 * fate (Connection: close, HTTP/1.0, a body up to the close), interim 1xx heads skipped, and
 * libcurl's refusals: two different Content-Length values, a header line over 100 KiB.
 */
#include "unit.h"
#include "engine/h1resp.h"

#include <stdlib.h>

/* Feeds a whole response one byte at a time; returns the decoded body's length (-1: error),
 * with its bytes in body. */
static long feed_bytewise(const char *resp, char *body, int *status)
{
    sl_h1resp_t r;
    size_t n = strlen(resp), have = 0, blen = 0;
    long head = 0;
    char buf[4096];
    for (size_t i = 0; i < n; i++) {
        buf[have++] = resp[i];
        if (head == 0) {
            head = sl_h1resp_head(&r, buf, have, 0);
            if (head < 0)
                return -1;
            if (head > 0 && r.interim) {
                memmove(buf, buf + head, have - (size_t)head);
                have -= (size_t)head;
                head = 0;
                continue;
            }
            if (head > 0) {
                *status = r.status;
                have = 0;
                if (sl_h1resp_empty(&r))
                    return 0;
            }
            continue;
        }
        size_t take = have, extra;
        memcpy(body + blen, buf, have);
        int rc = sl_h1resp_body(&r, body + blen, &take, &extra);
        blen += take;
        have = 0;
        if (rc < 0)
            return -1;
        if (rc == 1)
            return (long)blen;
    }
    return r.until_close ? (long)blen : -2;
}

int main(void)
{
    sl_h1resp_t r;
    char body[4096];
    int status = 0;

    const char *cl = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5\r\n\r\nhello";
    CHECK(sl_h1resp_head(&r, cl, 20, 0) == 0); /* more needed */
    long n = sl_h1resp_head(&r, cl, strlen(cl), 0);
    CHECK(n == (long)strlen(cl) - 5);
    CHECK_EQ_U(r.status, 200);
    CHECK(r.has_length && r.length == 5 && r.keep_alive && !r.chunked);
    CHECK(feed_bytewise(cl, body, &status) == 5 && memcmp(body, "hello", 5) == 0);

    const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\n";
    CHECK(feed_bytewise(ch, body, &status) == 19 && memcmp(body, "abc0123456789abcdef", 19) == 0);
    n = sl_h1resp_head(&r, ch, strlen(ch), 0);
    CHECK(n > 0 && r.chunked && r.keep_alive);
    {
        char copy[256];
        size_t len = strlen(ch) - (size_t)n, extra;
        memcpy(copy, ch + n, len);
        memcpy(copy + len, "HTTP", 4); /* a byte after the body's end */
        len += 4;
        CHECK(sl_h1resp_body(&r, copy, &len, &extra) == 1);
        CHECK(len == 19 && extra == 4);
    }
    const char *badchunk = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    CHECK(feed_bytewise(badchunk, body, &status) == -1);

    /* interim heads are skipped: the final status counts */
    const char *interim =
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        "HTTP/1.1 500 Oops\r\nContent-Length: 2\r\n\r\nno";
    CHECK(feed_bytewise(interim, body, &status) == 2 && status == 500);

    /* the connection's fate */
    const char *closes = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    CHECK(sl_h1resp_head(&r, closes, strlen(closes), 0) > 0 && !r.keep_alive);
    CHECK(sl_h1resp_empty(&r));
    const char *old = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
    CHECK(sl_h1resp_head(&r, old, strlen(old), 0) > 0 && !r.keep_alive);
    const char *old_keep = "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n";
    CHECK(sl_h1resp_head(&r, old_keep, strlen(old_keep), 0) > 0 && r.keep_alive);
    const char *to_close = "HTTP/1.1 200 OK\r\n\r\nall of it";
    n = sl_h1resp_head(&r, to_close, strlen(to_close), 0);
    CHECK(n > 0 && r.until_close && !r.keep_alive);
    const char *nobody = "HTTP/1.1 204 No Content\r\n\r\n";
    CHECK(sl_h1resp_head(&r, nobody, strlen(nobody), 0) > 0 && sl_h1resp_empty(&r));
    CHECK(sl_h1resp_head(&r, cl, strlen(cl), 1) > 0 && sl_h1resp_empty(&r)); /* HEAD */

    /* libcurl's refusals, and what is not HTTP */
    const char *dup = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello";
    CHECK(sl_h1resp_head(&r, dup, strlen(dup), 0) == -1 && r.error == SL_H1RESP_E_LENGTHS);
    const char *same = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello";
    CHECK(sl_h1resp_head(&r, same, strlen(same), 0) > 0 && r.length == 5);
    const char *ssh = "SSH-2.0-OpenSSH_9.2 definitely not HTTP\r\n\r\n";
    CHECK(sl_h1resp_head(&r, ssh, strlen(ssh), 0) == -1 && r.error == SL_H1RESP_E_HEAD);
    size_t big = 200 * 1024;
    char *line = malloc(big + 64);
    int k = snprintf(line, 64, "HTTP/1.1 200 OK\r\nX-Big: ");
    memset(line + k, 'a', big);
    CHECK(sl_h1resp_head(&r, line, (size_t)k + big, 0) == -1 && r.error == SL_H1RESP_E_LINE);
    memcpy(line + k + big, "\r\nContent-Length: 0\r\n\r\n", 24);
    CHECK(sl_h1resp_head(&r, line, (size_t)k + big + 24, 0) == -1 && r.error == SL_H1RESP_E_LINE);
    free(line);
    return check_report();
}
