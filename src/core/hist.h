/*
 * hist: a log-linear latency histogram in the manner of HdrHistogram: 3 significant digits
 * from 1 us to 60 s in a fixed array, so that histograms from many workers and many runs
 * merge exactly by adding counts. Values are microseconds.
 */
#ifndef SOAPLOAD_HIST_H
#define SOAPLOAD_HIST_H

#include <stddef.h>
#include <stdint.h>

#define SL_HIST_MAX_US 60000000ULL /* larger values are clamped to this and counted apart */
#define SL_HIST_SUB_BITS 11        /* 2048 sub-buckets: 3 significant digits */
#define SL_HIST_BUCKETS 16
#define SL_HIST_LEN ((SL_HIST_BUCKETS + 1) << (SL_HIST_SUB_BITS - 1))

typedef struct {
    uint64_t total;
    uint64_t clamped; /* values above SL_HIST_MAX_US */
    uint64_t min, max;
    uint32_t lo, hi; /* the range of indices ever touched, to keep resets and walks short */
    uint64_t counts[SL_HIST_LEN];
} sl_hist_t;

/** Empties h; a histogram must be reset once before its first use. */
void sl_hist_reset(sl_hist_t *h);
/** Records one value (us). */
void sl_hist_record(sl_hist_t *h, uint64_t us);
/** Records `count` values at `us`. */
void sl_hist_record_n(sl_hist_t *h, uint64_t us, uint64_t count);
/** Adds every count of src to dst. */
void sl_hist_merge(sl_hist_t *dst, const sl_hist_t *src);
/** sl_hist_merge unless the total (or clamped) would pass 2^64 - 1. Returns 0, or -1 (dst
 * unchanged): no bucket can overflow when the total does not. */
int sl_hist_merge_checked(sl_hist_t *dst, const sl_hist_t *src);
/** The value at percentile p (0..100): the highest value equivalent to the bucket holding it,
 * as HdrHistogram reports. 0 when empty. */
uint64_t sl_hist_percentile(const sl_hist_t *h, double p);
double sl_hist_mean(const sl_hist_t *h);
double sl_hist_stdev(const sl_hist_t *h);

/** Index of the bucket holding `us`, and the bucket's lowest / highest equivalent value. */
uint32_t sl_hist_index(uint64_t us);
uint64_t sl_hist_value_at(uint32_t index);
uint64_t sl_hist_highest_equivalent(uint32_t index);

/** Serializes h sparsely (header, then (index, count) pairs of the non-zero buckets) into buf.
 * Returns the bytes written, or the bytes needed when cap is too small. */
size_t sl_hist_encode(const sl_hist_t *h, uint8_t *buf, size_t cap);
/** Adds an encoded histogram to h. Returns the bytes consumed, or 0 when the data is bad. */
size_t sl_hist_decode_add(sl_hist_t *h, const uint8_t *buf, size_t len);

#endif
