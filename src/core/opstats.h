/*
 * opstats: the results of one named operation (soapload.operations): its counts, which keep
 * both equations of core/counts.h on their own, and its latency histograms from due time and
 * service time. Workers keep one per operation and send them to the parent in one message
 * (SL_MSG_OPS), which adds them up exactly; the per-operation figures add up to the totals.
 */
#ifndef SOAPLOAD_OPSTATS_H
#define SOAPLOAD_OPSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/counts.h"
#include "core/hist.h"

typedef struct {
    sl_counts_t counts;
    sl_hist_t *from_due, *service; /* latency, us */
} sl_op_stats_t;

/** Allocates n operations' results, empty. Returns NULL when out of memory. */
sl_op_stats_t *sl_opstats_new(int n);
/** Frees what sl_opstats_new made (NULL is fine). */
void sl_opstats_free(sl_op_stats_t *ops, int n);
/** Appends n operations' results to out: u32 n, then per operation its counts and both
 * histograms encoded. Returns 0, or -1 when out of memory. */
int sl_opstats_encode(const sl_op_stats_t *ops, int n, sl_buf_t *out);
/** Adds an encoded message of n operations into ops. Returns 0, or -1 when it is malformed
 * or holds another number of operations (ops may then hold a part of it). */
int sl_opstats_decode_add(sl_op_stats_t *ops, int n, const uint8_t *p, size_t len);

#endif
