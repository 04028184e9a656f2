/*
 * test_httphead: the request heads soapload merge --listen reads: complete or not yet, the
 * fields it keeps, the malformed ones refused, and the bearer token's comparison.
 */
#include "unit.h"
#include "core/httphead.h"

#include <stdlib.h>

static long parse(const char *s, sl_httphead_t *h, char *err)
{
    return sl_httphead_parse(s, strlen(s), h, err, 256);
}

int main(void)
{
    sl_httphead_t h;
    char err[256];
    const char *post = "POST /results HTTP/1.1\r\nHost: x\r\ncontent-length:  1234 \r\n"
                       "Authorization: Bearer s3cret\r\nExpect: 100-continue\r\n\r\n{\"body";
    CHECK_EQ_U(parse(post, &h, err), strlen(post) - 6);
    CHECK_STR(h.method, "POST");
    CHECK_STR(h.path, "/results");
    CHECK(h.has_length && h.content_length == 1234);
    CHECK(h.expect_continue && !h.chunked);
    CHECK_STR(h.authorization, "Bearer s3cret");
    CHECK(sl_httphead_bearer_is(&h, "s3cret"));
    CHECK(!sl_httphead_bearer_is(&h, "s3cre"));
    CHECK(!sl_httphead_bearer_is(&h, "s3cret2"));
    CHECK(!sl_httphead_bearer_is(&h, "S3cret"));

    /* not complete yet: every prefix of the head */
    size_t head = strlen(post) - 6;
    for (size_t n = 0; n < head; n++)
        CHECK(sl_httphead_parse(post, n, &h, err, sizeof(err)) == 0);

    /* bare LF line ends; no token; chunked */
    CHECK_EQ_U(parse("GET /status HTTP/1.0\nTransfer-Encoding: chunked\n\n", &h, err), 49);
    CHECK_STR(h.method, "GET");
    CHECK(h.chunked && !h.has_length && h.authorization[0] == '\0');
    CHECK(!sl_httphead_bearer_is(&h, ""));
    CHECK(!sl_httphead_bearer_is(&h, "x"));

    /* the same Content-Length twice is one; two different ones are refused */
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", &h, err) > 0);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", &h, err) ==
          -1);
    CHECK_STR(err, "two different Content-Length fields");

    const char *bad[] = {
        "POST / HTTP/2\r\n\r\n",
        "POST /\r\n\r\n",
        "POST x HTTP/1.1\r\n\r\n",
        "\r\n\r\n",
        "POST / HTTP/1.1\r\nno colon\r\n\r\n",
        "POST / HTTP/1.1\r\n folded: x\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "POST / HTTP/1.1\r\nA: b\rc\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long r = parse(bad[i], &h, err);
        if (r != -1)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        CHECK(r == -1);
    }

    /* a head that never ends is refused once it passes the limit, not waited on */
    char *big = malloc(SL_HTTPHEAD_MAX + 64);
    memset(big, 'a', SL_HTTPHEAD_MAX + 63);
    memcpy(big, "POST / HTTP/1.1\r\nX: ", 20);
    big[SL_HTTPHEAD_MAX + 63] = '\0';
    CHECK(sl_httphead_parse(big, SL_HTTPHEAD_MAX - 1, &h, err, sizeof(err)) == 0);
    CHECK(sl_httphead_parse(big, SL_HTTPHEAD_MAX, &h, err, sizeof(err)) == -1);
    CHECK_STR(err, "the request's head is longer than 8192 bytes");
    /* a long Authorization is refused rather than cut */
    memcpy(big + 17, "Authorization: Bearer ", 22);
    memcpy(big + 1000, "\r\n\r\n", 5);
    CHECK(parse(big, &h, err) == -1);
    CHECK_STR(err, "the Authorization field is too long");
    free(big);

    return check_report();
}
