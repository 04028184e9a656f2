/*
 * cookies: the small cookie jar of one flow (open model) or one virtual user (closed model),
 * for soapload.cookies. It keeps name=value pairs from Set-Cookie response headers and gives
 * the Cookie header of a later request. Supported: Path (a prefix of the request's path),
 * Max-Age and Expires (a cookie past them is dropped; Max-Age <= 0 or an Expires in the past
 * deletes it). Not supported: Domain (a flow talks to one service: every cookie goes back to
 * it), Secure, SameSite, the default path of RFC 6265 (a cookie without Path is sent on every
 * path).
 */
#ifndef SOAPLOAD_COOKIES_H
#define SOAPLOAD_COOKIES_H

#include <stddef.h>
#include <time.h>

#define SL_COOKIES_MAX 32          /* cookies in one jar: a new one past that replaces none */
#define SL_COOKIES_HEADER_CAP 8192 /* the Cookie header's value at most */

typedef struct sl_cookie_jar sl_cookie_jar_t;

/** Takes the Set-Cookie lines of a response's header block (lines "Name: value" ending in
 * CRLF or LF, any case) into *jar, created when the first cookie comes (*jar NULL: empty).
 * `now` is the wall clock, for Max-Age and Expires. Returns the number of Set-Cookie lines
 * taken, or -1 when out of memory. */
int sl_cookies_take(sl_cookie_jar_t **jar, const char *head, size_t len, time_t now);

/** Writes the Cookie header's value for a request to `path` at `now` ("a=1; b=2", the
 * cookies in the order they were first set) into out. Returns its length (0: no cookie, or
 * none that fits cap). */
size_t sl_cookies_header(sl_cookie_jar_t *jar, const char *path, time_t now, char *out, size_t cap);

/** The path of a request (up to '?' or '#') into out: `target` a full URL, an absolute path,
 * or empty (then the path of `base`, the run's URL). A relative path is taken as "/". */
void sl_cookies_request_path(const char *target, const char *base, char *out, size_t cap);

void sl_cookies_free(sl_cookie_jar_t *jar);

#endif
