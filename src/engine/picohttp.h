/*
 * picohttp: the prototypes of picohttpparser, the HTTP/1.x parser inside h2o, as Debian's
 * libh2o-evloop (2.2.5) exports them from its shared library without installing a header of
 * their own. Declared here from the library's documented interface (h2o's
 * deps/picohttpparser/picohttpparser.h): the two structures must keep its layout. Only
 * engine/h1resp.c includes this.
 */
#ifndef SOAPLOAD_PICOHTTP_H
#define SOAPLOAD_PICOHTTP_H

#include <stddef.h>
#include <sys/types.h>

/* One header field of a parsed head; name NULL for a folded continuation line. */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

/** Parses a response head at the start of buf[0..len). Returns the head's length when it is
 * complete, -2 when more bytes are needed, -1 when it is malformed. *num_headers is the room
 * in headers on entry, the fields found on return; last_len is the length of the previous
 * call's buffer (0 the first time). The pointers point into buf. */
int phr_parse_response(const char *buf, size_t len, int *minor_version, int *status,
                       const char **msg, size_t *msg_len, struct phr_header *headers,
                       size_t *num_headers, size_t last_len);

/* The state of a chunked body's decoding; zero-filled before the first call. */
struct phr_chunked_decoder {
    size_t bytes_left_in_chunk;
    char consume_trailer; /* 1: the trailer fields after the last chunk are consumed too */
    char _hex_count;
    char _state;
};

/** Decodes the chunked bytes buf[0..*bufsz) in place: on return the first *bufsz bytes of buf
 * are body. Returns -2 while the body goes on, -1 on a malformed chunk, else the number of
 * bytes after the body's end that were left undecoded at the tail of buf. */
ssize_t phr_decode_chunked(struct phr_chunked_decoder *decoder, char *buf, size_t *bufsz);

#endif
