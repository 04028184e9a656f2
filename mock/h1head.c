/*
 * h1head: the head lines of an HTTP/1.1 answer by copying, the same bytes as h2o's sprintf.
 */
#include "h1head.h"

#include <string.h>

static char *put(char *at, const char *s, size_t n)
{
    memcpy(at, s, n);
    return at + n;
}

#define PUT_LIT(at, lit) put(at, lit, sizeof(lit) - 1)

long sl_h1head_format(char *out, size_t cap, int status, const char *reason, const char *date,
                      const char *connection, size_t content_length)
{
    char digits[24];
    size_t ndigits = 0;
    if (status < 100 || status > 999)
        return -1;
    if (content_length != SIZE_MAX) {
        size_t v = content_length;
        do {
            digits[sizeof(digits) - ++ndigits] = (char)('0' + v % 10);
            v /= 10;
        } while (v > 0);
    }
    size_t reason_len = strlen(reason), date_len = strlen(date), conn_len = strlen(connection);
    size_t len = sizeof("HTTP/1.1 200 \r\nDate: \r\nConnection: \r\n") - 1 + reason_len + date_len +
                 conn_len +
                 (content_length != SIZE_MAX ? sizeof("Content-Length: \r\n") - 1 + ndigits : 0);
    if (len >= cap)
        return -1;
    char *at = PUT_LIT(out, "HTTP/1.1 ");
    *at++ = (char)('0' + status / 100);
    *at++ = (char)('0' + status / 10 % 10);
    *at++ = (char)('0' + status % 10);
    *at++ = ' ';
    at = put(at, reason, reason_len);
    at = PUT_LIT(at, "\r\nDate: ");
    at = put(at, date, date_len);
    at = PUT_LIT(at, "\r\nConnection: ");
    at = put(at, connection, conn_len);
    at = PUT_LIT(at, "\r\n");
    if (content_length != SIZE_MAX) {
        at = PUT_LIT(at, "Content-Length: ");
        at = put(at, digits + sizeof(digits) - ndigits, ndigits);
        at = PUT_LIT(at, "\r\n");
    }
    *at = '\0';
    return (long)len;
}
