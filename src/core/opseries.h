/*
 * opseries: latency over time per operation: for each (time slot, operation) a compact
 * histogram of the latency from due time, 8 buckets per power of two (each at most 12.5%
 * wide). Slots are 1 s long until the run outgrows SL_OPSERIES_CELLS / operations of them; then
 * neighbouring slots merge and a slot is 2 s long (then 4 s, ...), so that memory stays bounded
 * whatever the run's length. Histograms add up exactly: the workers' go to the parent once, at
 * the end, and soapload merge adds those of result files.
 */
#ifndef SOAPLOAD_OPSERIES_H
#define SOAPLOAD_OPSERIES_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define SL_OPSERIES_SUB 8       /* buckets per power of two */
#define SL_OPSERIES_BUCKETS 200 /* 0..7 us one each, then 8 per power of two up to 2^27 us */
#define SL_OPSERIES_CELLS 4096  /* (slot, operation) histograms at most: 3.2 MB */
#define SL_OPSERIES_MAX_US ((1ULL << 27) - 1) /* larger values count in the last bucket */

typedef struct {
    int nops;
    uint32_t slot_s;    /* seconds per slot: 1, doubled as the run outgrows max_slots */
    uint32_t max_slots; /* SL_OPSERIES_CELLS / nops */
    uint32_t nslots;    /* slots holding data (0..nslots-1) */
    uint32_t cap;       /* slots allocated */
    uint32_t *counts;   /* [slot][op][bucket] */
} sl_opseries_t;

/** Sets s up for nops operations (1..SL_OPSERIES_CELLS), empty; nothing is allocated yet.
 * Returns 0, or -1 when nops is out of range. */
int sl_opseries_init(sl_opseries_t *s, int nops);
/** Frees what s holds (an empty series stays usable after sl_opseries_init). */
void sl_opseries_free(sl_opseries_t *s);
/** Counts `n` latencies of `us` of operation op in the slot of `second` (since the start).
 * Returns 0, or -1 when out of memory or op is out of range. */
int sl_opseries_record(sl_opseries_t *s, int op, uint64_t second, uint64_t us, uint32_t n);
/** Adds `n` to bucket b of operation op in the slot of `second`. Returns 0 or -1. */
int sl_opseries_add_bucket(sl_opseries_t *s, int op, uint64_t second, uint32_t b, uint32_t n);
/** Makes slots at least slot_s seconds long (a power of two), merging neighbours. */
void sl_opseries_coarsen(sl_opseries_t *s, uint32_t slot_s);
/** The bucket of a latency, and the highest latency a bucket holds. */
uint32_t sl_opseries_bucket(uint64_t us);
uint64_t sl_opseries_bucket_high(uint32_t b);
/** The histogram of (slot, op): SL_OPSERIES_BUCKETS counts, or NULL past the data. */
const uint32_t *sl_opseries_cell(const sl_opseries_t *s, uint32_t slot, int op);
/** Latencies in the cell, and the highest value of the bucket holding percentile p (0..100)
 * of them (0 when empty): an upper bound, at most 12.5% above the true value. */
uint64_t sl_opseries_count(const uint32_t *cell);
uint64_t sl_opseries_percentile(const uint32_t *cell, double p);
/** Appends s to out: u32 nops, slot_s, nslots, entries; then per non-zero bucket u32 slot,
 * u16 op, u16 bucket, u32 count. Returns 0, or -1 when out of memory. */
int sl_opseries_encode(const sl_opseries_t *s, sl_buf_t *out);
/** Adds an encoded series into s (the same number of operations). Returns 0, or -1 when the
 * data is malformed or out of memory (s may then hold a part of it). */
int sl_opseries_decode_add(sl_opseries_t *s, const uint8_t *p, size_t len);

#endif
