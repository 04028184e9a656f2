/*
 * opstats: per-operation results, and their encoding between a worker and its parent.
 */
#include "core/opstats.h"

#include <stdlib.h>
#include <string.h>

sl_op_stats_t *sl_opstats_new(int n)
{
    sl_op_stats_t *ops = calloc((size_t)(n > 0 ? n : 1), sizeof(*ops));
    if (ops == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        ops[i].from_due = calloc(1, sizeof(sl_hist_t)); /* reset reads it: zeroed first */
        ops[i].service = calloc(1, sizeof(sl_hist_t));
        if (ops[i].from_due == NULL || ops[i].service == NULL) {
            sl_opstats_free(ops, i + 1);
            return NULL;
        }
        sl_hist_reset(ops[i].from_due);
        sl_hist_reset(ops[i].service);
    }
    return ops;
}

void sl_opstats_free(sl_op_stats_t *ops, int n)
{
    if (ops == NULL)
        return;
    for (int i = 0; i < n; i++) {
        free(ops[i].from_due);
        free(ops[i].service);
    }
    free(ops);
}

static int append_hist(sl_buf_t *out, const sl_hist_t *h)
{
    size_t need = sl_hist_encode(h, NULL, 0);
    if (sl_buf_reserve(out, need) != 0)
        return -1;
    out->len += sl_hist_encode(h, (uint8_t *)out->data + out->len, need);
    return 0;
}

int sl_opstats_encode(const sl_op_stats_t *ops, int n, sl_buf_t *out)
{
    uint32_t count = (uint32_t)n;
    if (sl_buf_append(out, (const char *)&count, sizeof(count)) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (sl_buf_append(out, (const char *)&ops[i].counts, sizeof(sl_counts_t)) != 0 ||
            append_hist(out, ops[i].from_due) != 0 || append_hist(out, ops[i].service) != 0)
            return -1;
    return 0;
}

int sl_opstats_decode_add(sl_op_stats_t *ops, int n, const uint8_t *p, size_t len)
{
    uint32_t count;
    size_t off = sizeof(count), used;
    if (len < sizeof(count))
        return -1;
    memcpy(&count, p, sizeof(count));
    if (count != (uint32_t)n)
        return -1;
    for (int i = 0; i < n; i++) {
        sl_counts_t c;
        if (len - off < sizeof(c))
            return -1;
        memcpy(&c, p + off, sizeof(c));
        off += sizeof(c);
        sl_counts_add(&ops[i].counts, &c);
        if ((used = sl_hist_decode_add(ops[i].from_due, p + off, len - off)) == 0)
            return -1;
        off += used;
        if ((used = sl_hist_decode_add(ops[i].service, p + off, len - off)) == 0)
            return -1;
        off += used;
    }
    return off == len ? 0 : -1;
}
