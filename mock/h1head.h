/*
 * h1head: the first lines of an HTTP/1.1 answer as h2o 2.2.5 writes them (status line, Date,
 * Connection and, when known, Content-Length), formatted without printf. h2o_fmt.c hands h2o's
 * own formatting of these lines to it.
 */
#ifndef SOAPLOAD_MOCK_H1HEAD_H
#define SOAPLOAD_MOCK_H1HEAD_H

#include <stddef.h>
#include <stdint.h>

/* The two formats h2o 2.2.5's HTTP/1 answers use (lib/http1.c, flatten_headers): with a
 * Content-Length, and without (chunked). */
#define SL_H1HEAD_FMT_LENGTH                                                                       \
    "HTTP/1.1 %d %s\r\nDate: %s\r\nConnection: %s\r\nContent-Length: %zu\r\n"
#define SL_H1HEAD_FMT_CHUNKED "HTTP/1.1 %d %s\r\nDate: %s\r\nConnection: %s\r\n"

/** Writes "HTTP/1.1 STATUS REASON\r\nDate: DATE\r\nConnection: CONNECTION\r\n", then
 * "Content-Length: N\r\n" unless content_length is SIZE_MAX, and a NUL, into out: the same
 * bytes as sprintf with the formats above. Returns the length without the NUL, or -1 (nothing
 * written) when status is not 100..999 or the text and its NUL do not fit in cap bytes. */
long sl_h1head_format(char *out, size_t cap, int status, const char *reason, const char *date,
                      const char *connection, size_t content_length);

#endif
