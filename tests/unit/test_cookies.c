/*
 * test_cookies: the jar of soapload.cookies keeps what Set-Cookie sets, sends it back on the
 * paths it names, and drops it when Max-Age, Expires or the server says so.
 */
#include <stdlib.h>

#include "unit.h"
#include "core/cookies.h"

static const char *header(sl_cookie_jar_t *jar, const char *path, time_t now)
{
    static char out[SL_COOKIES_HEADER_CAP];
    sl_cookies_header(jar, path, now, out, sizeof(out));
    return out;
}

int main(void)
{
    sl_cookie_jar_t *jar = NULL;
    time_t now = 1800000000;
    char path[256];

    /* no Set-Cookie: no jar at all */
    CHECK(sl_cookies_take(&jar, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n", 43, now) == 0);
    CHECK(jar == NULL);
    CHECK(sl_cookies_header(NULL, "/", now, path, sizeof(path)) == 0);

    const char *h = "HTTP/1.1 200 OK\r\n"
                    "Set-Cookie: SLSESSION=abc.123; Path=/; HttpOnly\r\n"
                    "set-cookie:  theme = dark \r\n"
                    "Set-Cookie: api=1; Path=/api\r\n"
                    "Set-Cookie: short=x; Max-Age=10\r\n"
                    "Set-Cookie: old=y; Expires=Wed, 09 Jun 2021 10:18:14 GMT\r\n"
                    "Set-Cookie: later=z; Expires=Fri, 01 Jan 2100 00:00:00 GMT\r\n"
                    "Set-Cookie: novalue\r\n"
                    "\r\n";
    CHECK(sl_cookies_take(&jar, h, strlen(h), now) == 7);
    CHECK(jar != NULL);
    CHECK_STR(header(jar, "/soap/endpoint", now),
              "SLSESSION=abc.123; theme=dark; short=x; later=z");
    /* Path: a prefix of the request's path ending at a '/' */
    CHECK_STR(header(jar, "/api", now), "SLSESSION=abc.123; theme=dark; api=1; short=x; later=z");
    CHECK_STR(header(jar, "/api/v1", now),
              "SLSESSION=abc.123; theme=dark; api=1; short=x; later=z");
    CHECK_STR(header(jar, "/apis", now), "SLSESSION=abc.123; theme=dark; short=x; later=z");
    /* Max-Age: gone 10 s later */
    CHECK_STR(header(jar, "/", now + 10), "SLSESSION=abc.123; theme=dark; later=z");
    /* a new value replaces the old one in its place; Max-Age=0 deletes */
    h = "Set-Cookie: SLSESSION=def.456; Path=/\nSet-Cookie: theme=; Max-Age=0\n";
    CHECK(sl_cookies_take(&jar, h, strlen(h), now) == 2);
    CHECK_STR(header(jar, "/", now + 10), "SLSESSION=def.456; later=z");
    /* an Expires in the past deletes too */
    h = "Set-Cookie: later=gone; Expires=Thu, 01 Jan 1970 00:00:01 GMT\r\n";
    CHECK(sl_cookies_take(&jar, h, strlen(h), now) == 1);
    CHECK_STR(header(jar, "/", now + 10), "SLSESSION=def.456");
    /* a Cookie header that does not fit: the cookies that do */
    char small[20];
    CHECK_EQ_U(sl_cookies_header(jar, "/", now, small, sizeof(small)), 17);
    CHECK_EQ_U(sl_cookies_header(jar, "/", now, small, 10), 0);
    /* a full jar keeps what it holds */
    for (int i = 0; i < SL_COOKIES_MAX + 5; i++) {
        char line[64];
        int n = snprintf(line, sizeof(line), "Set-Cookie: c%d=%d\r\n", i, i);
        CHECK(sl_cookies_take(&jar, line, (size_t)n, now) == 1);
    }
    CHECK(strstr(header(jar, "/", now), "c29=29") != NULL); /* with SLSESSION and api: 32 */
    CHECK(strstr(header(jar, "/", now), "c30=30") == NULL);
    CHECK(strncmp(header(jar, "/", now), "SLSESSION=def.456; c0=0", 23) == 0);
    sl_cookies_free(jar);

    /* the path of a request */
    sl_cookies_request_path("", "http://127.0.0.1:8000/soap/endpoint?x=1", path, sizeof(path));
    CHECK_STR(path, "/soap/endpoint");
    sl_cookies_request_path("/api/v2?q", "http://h/soap", path, sizeof(path));
    CHECK_STR(path, "/api/v2");
    sl_cookies_request_path("https://other:8443", "http://h/soap", path, sizeof(path));
    CHECK_STR(path, "/");
    sl_cookies_request_path("relative/path", "http://h/soap", path, sizeof(path));
    CHECK_STR(path, "/");
    return check_report();
}
