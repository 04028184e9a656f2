/*
 * hist: bucket arithmetic after HdrHistogram (Gil Tene's design; this is our own code).
 * Bucket b covers [2048 << (b-1), 2048 << b) in 1024 steps of 1 << b; bucket 0 covers
 * 0..2047 in steps of 1. The relative error of any recorded value is below 1/1024.
 */
#include "core/hist.h"

#include <math.h>
#include <string.h>

#define HALF (1u << (SL_HIST_SUB_BITS - 1))

void sl_hist_reset(sl_hist_t *h)
{
    if (h->total > 0 || h->hi != 0)
        memset(&h->counts[h->lo], 0, (h->hi - h->lo + 1) * sizeof(h->counts[0]));
    h->total = h->clamped = h->max = 0;
    h->min = UINT64_MAX;
    h->lo = SL_HIST_LEN - 1;
    h->hi = 0;
}

uint32_t sl_hist_index(uint64_t v)
{
    /* the position of the highest set bit of (v | 2047) decides the bucket */
    int bucket = 63 - __builtin_clzll(v | ((1u << SL_HIST_SUB_BITS) - 1)) - (SL_HIST_SUB_BITS - 1);
    uint32_t sub = (uint32_t)(v >> bucket);
    return ((uint32_t)bucket + 1) * HALF + (sub - HALF);
}

uint64_t sl_hist_value_at(uint32_t index)
{
    int bucket = (int)(index / HALF) - 1;
    uint64_t sub = index % HALF + HALF;
    if (bucket < 0) {
        sub -= HALF;
        bucket = 0;
    }
    return sub << bucket;
}

uint64_t sl_hist_highest_equivalent(uint32_t index)
{
    int bucket = (int)(index / HALF) - 1;
    if (bucket < 0)
        bucket = 0;
    return sl_hist_value_at(index) + (1ULL << bucket) - 1;
}

void sl_hist_record_n(sl_hist_t *h, uint64_t us, uint64_t count)
{
    if (count == 0)
        return;
    if (us > SL_HIST_MAX_US) {
        us = SL_HIST_MAX_US;
        h->clamped += count;
    }
    uint32_t i = sl_hist_index(us);
    h->counts[i] += count;
    h->total += count;
    if (us < h->min)
        h->min = us;
    if (us > h->max)
        h->max = us;
    if (i < h->lo)
        h->lo = i;
    if (i > h->hi)
        h->hi = i;
}

void sl_hist_record(sl_hist_t *h, uint64_t us)
{
    sl_hist_record_n(h, us, 1);
}

int sl_hist_merge_checked(sl_hist_t *dst, const sl_hist_t *src)
{
    if (dst->total + src->total < dst->total || dst->clamped + src->clamped < dst->clamped)
        return -1;
    sl_hist_merge(dst, src);
    return 0;
}

void sl_hist_merge(sl_hist_t *dst, const sl_hist_t *src)
{
    if (src->total == 0)
        return;
    for (uint32_t i = src->lo; i <= src->hi; i++)
        dst->counts[i] += src->counts[i];
    dst->total += src->total;
    dst->clamped += src->clamped;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    if (src->lo < dst->lo)
        dst->lo = src->lo;
    if (src->hi > dst->hi)
        dst->hi = src->hi;
}

uint64_t sl_hist_percentile(const sl_hist_t *h, double p)
{
    if (h->total == 0)
        return 0;
    if (p >= 100.0)
        return h->max;
    /* the epsilon keeps 99.9% of 1000 at 999, not at 1000 through rounding */
    uint64_t want = (uint64_t)ceil(p / 100.0 * (double)h->total - 1e-9);
    if (want == 0)
        want = 1;
    uint64_t seen = 0;
    for (uint32_t i = h->lo; i <= h->hi; i++) {
        seen += h->counts[i];
        if (seen >= want) {
            uint64_t v = sl_hist_highest_equivalent(i);
            return v > h->max ? h->max : v; /* never report beyond what was seen */
        }
    }
    return h->max;
}

static double midpoint(uint32_t i)
{
    return ((double)sl_hist_value_at(i) + (double)sl_hist_highest_equivalent(i)) / 2.0;
}

double sl_hist_mean(const sl_hist_t *h)
{
    if (h->total == 0)
        return 0;
    double sum = 0;
    for (uint32_t i = h->lo; i <= h->hi; i++)
        if (h->counts[i])
            sum += midpoint(i) * (double)h->counts[i];
    return sum / (double)h->total;
}

double sl_hist_stdev(const sl_hist_t *h)
{
    if (h->total == 0)
        return 0;
    double mean = sl_hist_mean(h), sq = 0;
    for (uint32_t i = h->lo; i <= h->hi; i++) {
        if (h->counts[i]) {
            double d = midpoint(i) - mean;
            sq += d * d * (double)h->counts[i];
        }
    }
    return sqrt(sq / (double)h->total);
}

/* Encoding: u64 total, clamped, min, max, u32 pairs; then pairs of (u32 index, u64 count).
 * Host byte order: it travels between processes of one machine and into files that the JSON
 * writer re-encodes. */
size_t sl_hist_encode(const sl_hist_t *h, uint8_t *buf, size_t cap)
{
    uint32_t pairs = 0;
    if (h->total > 0)
        for (uint32_t i = h->lo; i <= h->hi; i++)
            pairs += h->counts[i] != 0;
    size_t need = 4 * 8 + 4 + (size_t)pairs * 12;
    if (need > cap)
        return need;
    uint64_t head[4] = {h->total, h->clamped, h->min, h->max};
    memcpy(buf, head, sizeof(head));
    memcpy(buf + 32, &pairs, 4);
    uint8_t *p = buf + 36;
    if (h->total > 0) {
        for (uint32_t i = h->lo; i <= h->hi; i++) {
            if (h->counts[i] == 0)
                continue;
            memcpy(p, &i, 4);
            memcpy(p + 4, &h->counts[i], 8);
            p += 12;
        }
    }
    return need;
}

size_t sl_hist_decode_add(sl_hist_t *h, const uint8_t *buf, size_t len)
{
    uint64_t head[4];
    uint32_t pairs;
    if (len < 36)
        return 0;
    memcpy(head, buf, sizeof(head));
    memcpy(&pairs, buf + 32, 4);
    if ((len - 36) / 12 < pairs)
        return 0;
    uint64_t sum = 0;
    for (uint32_t k = 0; k < pairs; k++) {
        uint32_t i;
        uint64_t c;
        memcpy(&i, buf + 36 + 12 * (size_t)k, 4);
        memcpy(&c, buf + 40 + 12 * (size_t)k, 8);
        if (i >= SL_HIST_LEN)
            return 0;
        sum += c;
    }
    if (sum != head[0])
        return 0;
    for (uint32_t k = 0; k < pairs; k++) {
        uint32_t i;
        uint64_t c;
        memcpy(&i, buf + 36 + 12 * (size_t)k, 4);
        memcpy(&c, buf + 40 + 12 * (size_t)k, 8);
        h->counts[i] += c;
        if (i < h->lo)
            h->lo = i;
        if (i > h->hi)
            h->hi = i;
    }
    if (head[0] > 0) {
        h->total += head[0];
        h->clamped += head[1];
        if (head[2] < h->min)
            h->min = head[2];
        if (head[3] > h->max)
            h->max = head[3];
    }
    return 36 + (size_t)pairs * 12;
}
