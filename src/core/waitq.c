/*
 * waitq: a binary heap in one array.
 */
#include "core/waitq.h"

#include <stdlib.h>

int sl_waitq_init(sl_waitq_t *q, size_t cap)
{
    q->n = 0;
    q->cap = cap;
    q->e = calloc(cap > 0 ? cap : 1, sizeof(*q->e));
    return q->e != NULL ? 0 : -1;
}

void sl_waitq_free(sl_waitq_t *q)
{
    free(q->e);
    q->e = NULL;
    q->n = q->cap = 0;
}

int sl_waitq_push(sl_waitq_t *q, uint64_t at, uint32_t index)
{
    if (q->n == q->cap)
        return -1;
    size_t i = q->n++;
    while (i > 0 && q->e[(i - 1) / 2].at > at) {
        q->e[i] = q->e[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    q->e[i] = (sl_waitq_entry_t){at, index};
    return 0;
}

uint64_t sl_waitq_next(const sl_waitq_t *q)
{
    return q->n > 0 ? q->e[0].at : UINT64_MAX;
}

int sl_waitq_pop(sl_waitq_t *q, sl_waitq_entry_t *out)
{
    if (q->n == 0)
        return -1;
    *out = q->e[0];
    sl_waitq_entry_t last = q->e[--q->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->n)
            break;
        if (c + 1 < q->n && q->e[c + 1].at < q->e[c].at)
            c++;
        if (q->e[c].at >= last.at)
            break;
        q->e[i] = q->e[c];
        i = c;
    }
    if (q->n > 0)
        q->e[i] = last;
    return 0;
}
