/*
 * waitq: a min-heap of (time, index) pairs: the closed model's connections that think before
 * their next request, the earliest first, so that the worker's wait ends when one is ready.
 */
#ifndef SOAPLOAD_WAITQ_H
#define SOAPLOAD_WAITQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t at;
    uint32_t index;
} sl_waitq_entry_t;

typedef struct {
    sl_waitq_entry_t *e;
    size_t n, cap;
} sl_waitq_t;

/** Allocates room for cap entries. Returns 0 or -1 (no memory). */
int sl_waitq_init(sl_waitq_t *q, size_t cap);
/** Frees the entries. */
void sl_waitq_free(sl_waitq_t *q);
/** Adds an entry. Returns 0, or -1 when the queue is full. */
int sl_waitq_push(sl_waitq_t *q, uint64_t at, uint32_t index);
/** The earliest time, or UINT64_MAX when empty. */
uint64_t sl_waitq_next(const sl_waitq_t *q);
/** Removes the earliest entry into *out. Returns 0, or -1 when empty. */
int sl_waitq_pop(sl_waitq_t *q, sl_waitq_entry_t *out);

#endif
