/*
 * opseries: a flat array of small histograms, grown a slot at a time, halved in length (and
 * doubled in slot width) when it would pass its bound.
 */
#include "core/opseries.h"

#include <stdlib.h>
#include <string.h>

int sl_opseries_init(sl_opseries_t *s, int nops)
{
    memset(s, 0, sizeof(*s));
    if (nops < 1 || nops > SL_OPSERIES_CELLS)
        return -1;
    s->nops = nops;
    s->slot_s = 1;
    s->max_slots = SL_OPSERIES_CELLS / (uint32_t)nops;
    return 0;
}

void sl_opseries_free(sl_opseries_t *s)
{
    free(s->counts);
    s->counts = NULL;
    s->nslots = s->cap = 0;
}

uint32_t sl_opseries_bucket(uint64_t us)
{
    if (us > SL_OPSERIES_MAX_US)
        us = SL_OPSERIES_MAX_US;
    if (us < SL_OPSERIES_SUB)
        return (uint32_t)us;
    uint32_t o = 63 - (uint32_t)__builtin_clzll(us); /* 3..26 */
    return SL_OPSERIES_SUB + (o - 3) * SL_OPSERIES_SUB + (uint32_t)((us >> (o - 3)) & 7);
}

uint64_t sl_opseries_bucket_high(uint32_t b)
{
    if (b < SL_OPSERIES_SUB)
        return b;
    uint32_t o = (b - SL_OPSERIES_SUB) / SL_OPSERIES_SUB + 3, sub = (b - SL_OPSERIES_SUB) % 8;
    return ((uint64_t)(8 + sub) << (o - 3)) + (1ULL << (o - 3)) - 1;
}

static size_t cell_len(const sl_opseries_t *s)
{
    return (size_t)s->nops * SL_OPSERIES_BUCKETS;
}

void sl_opseries_coarsen(sl_opseries_t *s, uint32_t slot_s)
{
    size_t cl = cell_len(s);
    while (s->slot_s < slot_s) {
        uint32_t n = (s->nslots + 1) / 2;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t *d = s->counts + (size_t)i * cl, *a = s->counts + (size_t)(2 * i) * cl;
            if (i > 0)
                memcpy(d, a, cl * sizeof(*d));
            if (2 * i + 1 < s->nslots)
                for (size_t k = 0; k < cl; k++)
                    d[k] += a[cl + k];
        }
        if (s->counts != NULL && s->nslots > n)
            memset(s->counts + (size_t)n * cl, 0, (size_t)(s->nslots - n) * cl * sizeof(uint32_t));
        s->nslots = n;
        s->slot_s *= 2;
    }
}

/* The histogram of (second, op), the slots grown (or made coarser) to hold it; NULL when
 * out of memory. */
static uint32_t *cell_at(sl_opseries_t *s, int op, uint64_t second)
{
    if (op < 0 || op >= s->nops)
        return NULL;
    while (second / s->slot_s >= s->max_slots) {
        if (s->slot_s >= 1U << 30) /* no run lasts that long: the data is bad */
            return NULL;
        sl_opseries_coarsen(s, s->slot_s * 2);
    }
    uint32_t slot = (uint32_t)(second / s->slot_s);
    size_t cl = cell_len(s);
    if (slot >= s->cap) {
        uint32_t cap = s->cap ? s->cap : 16;
        while (cap <= slot)
            cap *= 2;
        if (cap > s->max_slots)
            cap = s->max_slots;
        uint32_t *c = realloc(s->counts, (size_t)cap * cl * sizeof(*c));
        if (c == NULL)
            return NULL;
        memset(c + (size_t)s->cap * cl, 0, (size_t)(cap - s->cap) * cl * sizeof(*c));
        s->counts = c;
        s->cap = cap;
    }
    if (slot >= s->nslots)
        s->nslots = slot + 1;
    return s->counts + (size_t)slot * cl + (size_t)op * SL_OPSERIES_BUCKETS;
}

int sl_opseries_add_bucket(sl_opseries_t *s, int op, uint64_t second, uint32_t b, uint32_t n)
{
    uint32_t *c;
    if (b >= SL_OPSERIES_BUCKETS || (c = cell_at(s, op, second)) == NULL)
        return -1;
    c[b] += n;
    return 0;
}

int sl_opseries_record(sl_opseries_t *s, int op, uint64_t second, uint64_t us, uint32_t n)
{
    return sl_opseries_add_bucket(s, op, second, sl_opseries_bucket(us), n);
}

const uint32_t *sl_opseries_cell(const sl_opseries_t *s, uint32_t slot, int op)
{
    if (slot >= s->nslots || op < 0 || op >= s->nops)
        return NULL;
    return s->counts + (size_t)slot * cell_len(s) + (size_t)op * SL_OPSERIES_BUCKETS;
}

uint64_t sl_opseries_count(const uint32_t *cell)
{
    uint64_t t = 0;
    for (uint32_t b = 0; cell != NULL && b < SL_OPSERIES_BUCKETS; b++)
        t += cell[b];
    return t;
}

uint64_t sl_opseries_percentile(const uint32_t *cell, double p)
{
    uint64_t total = sl_opseries_count(cell), seen = 0;
    if (total == 0)
        return 0;
    /* the smallest value with at least p% of the values at or below it */
    double want = p / 100.0 * (double)total;
    uint64_t rank = want < 1 ? 1 : (uint64_t)want;
    if ((double)rank < want)
        rank++;
    for (uint32_t b = 0; b < SL_OPSERIES_BUCKETS; b++) {
        seen += cell[b];
        if (seen >= rank)
            return sl_opseries_bucket_high(b);
    }
    return sl_opseries_bucket_high(SL_OPSERIES_BUCKETS - 1);
}

static int put(sl_buf_t *out, const void *p, size_t n)
{
    return sl_buf_append(out, p, n);
}

int sl_opseries_encode(const sl_opseries_t *s, sl_buf_t *out)
{
    uint32_t head[4] = {(uint32_t)s->nops, s->slot_s, s->nslots, 0};
    size_t at = out->len;
    if (put(out, head, sizeof(head)) != 0)
        return -1;
    for (uint32_t slot = 0; slot < s->nslots; slot++)
        for (int op = 0; op < s->nops; op++) {
            const uint32_t *c = sl_opseries_cell(s, slot, op);
            for (uint32_t b = 0; b < SL_OPSERIES_BUCKETS; b++) {
                if (c[b] == 0)
                    continue;
                uint16_t ob[2] = {(uint16_t)op, (uint16_t)b};
                if (put(out, &slot, 4) != 0 || put(out, ob, 4) != 0 || put(out, &c[b], 4) != 0)
                    return -1;
                head[3]++;
            }
        }
    memcpy(out->data + at, head, sizeof(head));
    return 0;
}

int sl_opseries_decode_add(sl_opseries_t *s, const uint8_t *p, size_t len)
{
    uint32_t head[4];
    if (len < sizeof(head))
        return -1;
    memcpy(head, p, sizeof(head));
    if ((int)head[0] != s->nops || head[1] == 0 || head[1] > 1U << 30 ||
        (head[1] & (head[1] - 1)) != 0 || (len - sizeof(head)) / 12 != head[3] ||
        (len - sizeof(head)) % 12 != 0)
        return -1;
    sl_opseries_coarsen(s, head[1]);
    p += sizeof(head);
    for (uint32_t i = 0; i < head[3]; i++, p += 12) {
        uint32_t slot, count;
        uint16_t ob[2];
        memcpy(&slot, p, 4);
        memcpy(ob, p + 4, 4);
        memcpy(&count, p + 8, 4);
        if (slot >= head[2] ||
            sl_opseries_add_bucket(s, ob[0], (uint64_t)slot * head[1], ob[1], count) != 0)
            return -1;
    }
    return 0;
}
