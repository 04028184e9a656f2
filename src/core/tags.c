/*
 * tags: the bounded table of per-tag-value results, its fold and its encoding between a worker
 * and its parent.
 */
#include "core/tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_of(const char *name, size_t nlen, const char *value, size_t vlen, int other)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)other;
    for (size_t i = 0; i < nlen; i++)
        h = (h ^ (unsigned char)name[i]) * 1099511628211ULL;
    h = (h ^ 0xffu) * 1099511628211ULL; /* "a"+"bc" is not "ab"+"c" */
    for (size_t i = 0; i < vlen; i++)
        h = (h ^ (unsigned char)value[i]) * 1099511628211ULL;
    return h;
}

static int find(const sl_tags_t *t, uint64_t h, const char *name, size_t nlen, const char *value,
                size_t vlen, int other)
{
    for (int i = 0; i < t->n; i++) {
        const sl_tag_t *e = &t->items[i];
        if (e->hash == h && e->other == other && strlen(e->name) == nlen &&
            memcmp(e->name, name, nlen) == 0 && strlen(e->value) == vlen &&
            memcmp(e->value, value, vlen) == 0)
            return i;
    }
    return -1;
}

static int append(sl_tags_t *t, const char *name, size_t nlen, const char *value, size_t vlen,
                  int other, uint64_t h)
{
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 16;
        sl_tag_t *items = realloc(t->items, sizeof(*items) * (size_t)cap);
        if (items == NULL)
            return -1;
        t->items = items;
        t->cap = cap;
    }
    sl_tag_t *e = &t->items[t->n];
    memset(e, 0, sizeof(*e));
    if ((e->stats = sl_opstats_new(1)) == NULL)
        return -1;
    memcpy(e->name, name, nlen);
    memcpy(e->value, value, vlen);
    e->other = other;
    e->hash = h;
    return t->n++;
}

static size_t cut(size_t len)
{
    return len > SL_TAGS_MAX_TEXT ? SL_TAGS_MAX_TEXT : len;
}

/* The entry of (name, value, other), created when missing. */
static int get(sl_tags_t *t, const char *name, size_t nlen, const char *value, size_t vlen,
               int other)
{
    nlen = cut(nlen);
    vlen = cut(vlen);
    uint64_t h = hash_of(name, nlen, value, vlen, other);
    int i = find(t, h, name, nlen, value, vlen, other);
    return i >= 0 ? i : append(t, name, nlen, value, vlen, other, h);
}

/* Whether a pair or fold of that name is in t (the global fold aside). */
static int has_name(const sl_tags_t *t, const char *name, size_t nlen)
{
    for (int i = 0; i < t->n; i++)
        if (t->items[i].other < 2 && strlen(t->items[i].name) == nlen &&
            memcmp(t->items[i].name, name, nlen) == 0)
            return 1;
    return 0;
}

int sl_tags_slot(sl_tags_t *t, const char *name, size_t nlen, const char *value, size_t vlen)
{
    nlen = cut(nlen);
    vlen = cut(vlen);
    uint64_t h = hash_of(name, nlen, value, vlen, 0);
    int i = find(t, h, name, nlen, value, vlen, 0);
    if (i >= 0)
        return i;
    int known = has_name(t, name, nlen);
    if (!known && t->names >= SL_TAGS_MAX_NAMES)
        return get(t, SL_TAGS_OTHER, strlen(SL_TAGS_OTHER), SL_TAGS_OTHER, strlen(SL_TAGS_OTHER),
                   2);
    if (t->pairs >= SL_TAGS_MAX_PAIRS) {
        i = get(t, name, nlen, SL_TAGS_OTHER, strlen(SL_TAGS_OTHER), 1);
        t->names += i >= 0 && !known;
        return i;
    }
    if ((i = append(t, name, nlen, value, vlen, 0, h)) >= 0) {
        t->pairs++;
        t->names += !known;
    }
    return i;
}

/* Results added from files (soapload merge) may be anything: a sum that would overflow is
 * left out and remembered, for sl_tags_check to refuse. */
static void add_stats(sl_tags_t *t, sl_op_stats_t *dst, const sl_op_stats_t *src)
{
    if (sl_counts_add_checked(&dst->counts, &src->counts) != 0 ||
        sl_hist_merge_checked(dst->from_due, src->from_due) != 0 ||
        sl_hist_merge_checked(dst->service, src->service) != 0)
        t->overflow = 1;
}

int sl_tags_add(sl_tags_t *t, const char *name, const char *value, int other,
                const sl_op_stats_t *src)
{
    int i = get(t, name, strlen(name), value, strlen(value), other);
    if (i >= 0)
        add_stats(t, t->items[i].stats, src);
    return i;
}

void sl_tags_free(sl_tags_t *t)
{
    for (int i = 0; i < t->n; i++)
        sl_opstats_free(t->items[i].stats, 1);
    free(t->items);
    *t = (sl_tags_t){0};
}

/* ---- the fold ------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    uint64_t requests;
} name_total_t;

static const sl_tags_t *sort_tags; /* qsort has no context argument */

static int by_requests(const void *a, const void *b)
{
    const sl_tag_t *x = &sort_tags->items[*(const int *)a], *y = &sort_tags->items[*(const int *)b];
    if (x->stats->counts.scheduled != y->stats->counts.scheduled)
        return x->stats->counts.scheduled > y->stats->counts.scheduled ? -1 : 1;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : strcmp(x->value, y->value);
}

static int by_name_total(const void *a, const void *b)
{
    const name_total_t *x = a, *y = b;
    if (x->requests != y->requests)
        return x->requests > y->requests ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int in_order(const void *a, const void *b)
{
    const sl_tag_t *x = a, *y = b;
    if (x->other == 2 || y->other == 2)
        return x->other == 2 ? (y->other == 2 ? 0 : 1) : -1;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    if (x->other != y->other)
        return x->other - y->other;
    return strcmp(x->value, y->value);
}

static int kept_name(const name_total_t *names, int n, const char *name)
{
    for (int i = 0; i < n && i < SL_TAGS_MAX_NAMES; i++)
        if (strcmp(names[i].name, name) == 0)
            return 1;
    return 0;
}

int sl_tags_fold(sl_tags_t *t)
{
    int rc = -1, nnames = 0, *order = NULL;
    name_total_t *names = calloc((size_t)(t->n ? t->n : 1), sizeof(*names));
    sl_tags_t out = {0};
    order = calloc((size_t)(t->n ? t->n : 1), sizeof(*order));
    if (names == NULL || order == NULL)
        goto Cleanup;
    for (int i = 0; i < t->n; i++) { /* the requests of each name */
        const sl_tag_t *e = &t->items[i];
        int k = 0;
        if (e->other == 2)
            continue;
        while (k < nnames && strcmp(names[k].name, e->name) != 0)
            k++;
        if (k == nnames)
            names[nnames++].name = e->name;
        names[k].requests += e->stats->counts.scheduled;
    }
    qsort(names, (size_t)nnames, sizeof(*names), by_name_total);
    for (int i = 0; i < t->n; i++)
        order[i] = i;
    sort_tags = t;
    qsort(order, (size_t)t->n, sizeof(*order), by_requests);
    int pairs = 0;
    for (int k = 0; k < t->n; k++) {
        const sl_tag_t *e = &t->items[order[k]];
        int i;
        if (e->other == 2 || !kept_name(names, nnames, e->name))
            i = sl_tags_add(&out, SL_TAGS_OTHER, SL_TAGS_OTHER, 2, e->stats);
        else if (e->other == 1 || pairs >= SL_TAGS_MAX_PAIRS)
            i = sl_tags_add(&out, e->name, SL_TAGS_OTHER, 1, e->stats);
        else
            i = (pairs++, sl_tags_add(&out, e->name, e->value, 0, e->stats));
        if (i < 0)
            goto Cleanup;
    }
    if (out.n > 1) /* qsort wants a base even for no entries */
        qsort(out.items, (size_t)out.n, sizeof(*out.items), in_order);
    out.overflow |= t->overflow;
    sl_tags_free(t);
    *t = out;
    out = (sl_tags_t){0};
    rc = 0;
Cleanup:
    sl_tags_free(&out);
    free(names);
    free(order);
    return rc;
}

/* ---- encoding ------------------------------------------------------------------------- */

static int put_text(sl_buf_t *out, const char *s)
{
    uint8_t len = (uint8_t)strlen(s);
    return sl_buf_append(out, (const char *)&len, 1) == 0 && sl_buf_append(out, s, len) == 0 ? 0
                                                                                             : -1;
}

int sl_tags_encode(const sl_tags_t *t, sl_buf_t *out)
{
    uint32_t n = (uint32_t)t->n;
    if (sl_buf_append(out, (const char *)&n, sizeof(n)) != 0)
        return -1;
    for (int i = 0; i < t->n; i++) {
        const sl_tag_t *e = &t->items[i];
        uint8_t other = (uint8_t)e->other;
        if (put_text(out, e->name) != 0 || put_text(out, e->value) != 0 ||
            sl_buf_append(out, (const char *)&other, 1) != 0)
            return -1;
        size_t at = out->len;
        uint32_t len = 0;
        if (sl_buf_append(out, (const char *)&len, sizeof(len)) != 0 ||
            sl_opstats_encode(e->stats, 1, out) != 0)
            return -1;
        len = (uint32_t)(out->len - at - sizeof(len));
        memcpy(out->data + at, &len, sizeof(len));
    }
    return 0;
}

static int get_text(const uint8_t *p, size_t len, size_t *off, char *s)
{
    if (*off >= len || p[*off] > SL_TAGS_MAX_TEXT || len - *off - 1 < p[*off])
        return -1;
    size_t n = p[*off];
    memcpy(s, p + *off + 1, n);
    s[n] = '\0';
    *off += 1 + n;
    return 0;
}

int sl_tags_decode_add(sl_tags_t *t, const uint8_t *p, size_t len)
{
    uint32_t n, elen;
    size_t off = sizeof(n);
    char name[SL_TAGS_MAX_TEXT + 1], value[SL_TAGS_MAX_TEXT + 1];
    if (len < sizeof(n))
        return -1;
    memcpy(&n, p, sizeof(n));
    for (uint32_t k = 0; k < n; k++) {
        if (get_text(p, len, &off, name) != 0 || get_text(p, len, &off, value) != 0 ||
            len - off < 1 + sizeof(elen) || p[off] > 2)
            return -1;
        int other = p[off++];
        memcpy(&elen, p + off, sizeof(elen));
        off += sizeof(elen);
        if (len - off < elen)
            return -1;
        int i = get(t, name, strlen(name), value, strlen(value), other);
        if (i < 0 || sl_opstats_decode_add(t->items[i].stats, 1, p + off, elen) != 0)
            return -1;
        off += elen;
    }
    return off == len ? 0 : -1;
}

int sl_tags_check(const sl_tags_t *t, char *err, size_t errlen)
{
    char why[256];
    if (t->overflow) {
        snprintf(err, errlen, "the tags' counts add up to more than 2^64 - 1: they overflow");
        return -1;
    }
    for (int i = 0; i < t->n; i++)
        if (sl_counts_check(&t->items[i].stats->counts, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "tag %s=%s: %s", t->items[i].name, t->items[i].value, why);
            return -1;
        }
    return 0;
}
