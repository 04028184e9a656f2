/*
 * httphead: the head of an HTTP/1.x request (request line and header fields), parsed from the
 * bytes received so far, for the small servers that take uploads (soapload merge --listen).
 * Pure: no sockets. Only what such a server needs is kept: method, path, Content-Length,
 * chunked or not, Expect: 100-continue and the Authorization field's value.
 */
#ifndef SOAPLOAD_HTTPHEAD_H
#define SOAPLOAD_HTTPHEAD_H

#include <stddef.h>
#include <stdint.h>

#define SL_HTTPHEAD_MAX 8192 /* bytes of a request line and its header fields */

typedef struct {
    char method[16];
    char path[256];
    int has_length;          /* a Content-Length field was given */
    uint64_t content_length; /* its value */
    int chunked;             /* Transfer-Encoding was given (only chunked exists for requests) */
    int expect_continue;     /* Expect: 100-continue */
    char authorization[512]; /* the Authorization field's value, "" when absent */
} sl_httphead_t;

/** Parses the head at the start of buf[0..len) into h (zeroed first). Returns the head's length
 * including its closing blank line when it is complete, 0 when more bytes are needed (and len is
 * below SL_HTTPHEAD_MAX), or -1 with the reason in err (a malformed line, a head longer than
 * SL_HTTPHEAD_MAX, two different Content-Length values, a field too long to keep). */
long sl_httphead_parse(const char *buf, size_t len, sl_httphead_t *h, char *err, size_t errlen);

/** Whether the Authorization value is "Bearer TOKEN" with exactly this token, compared in a time
 * that does not depend on where they differ. */
int sl_httphead_bearer_is(const sl_httphead_t *h, const char *token);

#endif
