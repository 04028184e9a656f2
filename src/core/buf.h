/*
 * buf: a growable byte buffer, the one container the engine needs.
 */
#ifndef SOAPLOAD_BUF_H
#define SOAPLOAD_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len, cap;
} sl_buf_t;

/** Makes room for `more` bytes past len (plus a NUL). Returns 0, or -1 when out of memory. */
int sl_buf_reserve(sl_buf_t *b, size_t more);
/** Appends n bytes and keeps the data NUL-terminated. Returns 0 or -1. */
int sl_buf_append(sl_buf_t *b, const void *p, size_t n);
/** Frees the storage. */
void sl_buf_free(sl_buf_t *b);

static inline void sl_buf_clear(sl_buf_t *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

#endif
