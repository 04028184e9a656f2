/*
 * reasons: a linear table: at most SL_REASONS_MAX entries, looked up by (operation, kind,
 * text) on each failure. Failures are the rare path, and a run that fails every request finds its
 * few distinct reasons in the first slots.
 */
#include "core/reasons.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xml.h"

/* Copies text into out as a reason: one line, at most cap - 1 bytes, whole UTF-8 sequences. */
static void clean(const char *text, char *out, size_t cap)
{
    size_t n = 0;
    while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
        text++;
    for (const unsigned char *p = (const unsigned char *)text; *p && n + 1 < cap; p++)
        out[n++] = (char)(*p < 0x20 || *p == 0x7f ? ' ' : *p);
    /* a cut inside a multi-byte sequence: drop its lead and continuation bytes */
    if (text[n] != '\0' && n > 0 && ((unsigned char)out[n - 1] & 0x80)) {
        size_t k = n;
        while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0xC0) {
            unsigned char lead = (unsigned char)out[k - 1];
            size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (n - (k - 1) < want)
                n = k - 1;
        }
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    if (n == 0)
        snprintf(out, cap, "(none given)");
}

/* The length of the valid UTF-8 sequence at p (at most n bytes), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t want;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        want = 2;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        want = 3;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        want = 4;
    else
        return 0;
    if (n < want)
        return 0;
    for (size_t i = 1; i < want; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    /* overlong three- and four-byte forms, surrogates, beyond U+10FFFF */
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0) ||
        (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
        return 0;
    return want;
}

static int op_ok(int op)
{
    return op >= -1 && op < SL_MAX_OPERATIONS;
}

static sl_reason_t *add_clean(sl_reasons_t *r, int op, uint32_t kind, const char *text,
                              uint64_t count)
{
    if (!op_ok(op) || kind >= SL_R_COUNT)
        return NULL;
    for (uint32_t i = 0; i < r->n; i++) {
        sl_reason_t *e = &r->items[i];
        if (e->op == op && e->kind == kind && strcmp(e->text, text) == 0) {
            e->count += count;
            return e;
        }
    }
    if (r->n == SL_REASONS_MAX) {
        r->other += count;
        r->other_by[op + 1][kind] += count;
        return NULL;
    }
    sl_reason_t *e = &r->items[r->n++];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->op = op;
    e->count = count;
    snprintf(e->text, sizeof(e->text), "%s", text);
    return e;
}

sl_reason_t *sl_reasons_add_op(sl_reasons_t *r, int op, sl_result_t kind, const char *text,
                               uint64_t count)
{
    char buf[SL_REASON_TEXT];
    clean(text != NULL ? text : "", buf, sizeof(buf));
    return add_clean(r, op, (uint32_t)kind, buf, count);
}

void sl_reasons_add(sl_reasons_t *r, sl_result_t kind, const char *text, uint64_t count)
{
    sl_reasons_add_op(r, -1, kind, text, count);
}

void sl_reasons_sample(sl_reason_t *e, long status, const char *body, size_t len, uint64_t bytes)
{
    if (e == NULL || e->has_sample)
        return;
    sl_reason_sample_t *s = &e->sample;
    const unsigned char *p = (const unsigned char *)(body != NULL ? body : "");
    if (body == NULL)
        len = 0;
    size_t n = 0, i = 0;
    while (i < len && n < SL_REASON_SAMPLE) {
        size_t k = p[i] == 0 ? 0 : utf8_len(p + i, len - i);
        if (k == 0) { /* a NUL or a byte that is no UTF-8: one '?' */
            s->body[n++] = '?';
            i++;
            continue;
        }
        if (n + k > SL_REASON_SAMPLE) /* a sequence straddling the cut: left out */
            break;
        memcpy(s->body + n, p + i, k);
        n += k;
        i += k;
    }
    s->body[n] = '\0';
    s->len = (uint32_t)n;
    s->bytes = bytes > len ? bytes : len;
    s->status = (int32_t)status;
    e->has_sample = 1;
}

void sl_reasons_merge_map(sl_reasons_t *dst, const sl_reasons_t *src, const int *opmap)
{
    for (uint32_t i = 0; i < src->n && i < SL_REASONS_MAX; i++) {
        const sl_reason_t *s = &src->items[i];
        int op = s->op >= 0 && opmap != NULL ? opmap[s->op] : s->op;
        sl_reason_t *e = add_clean(dst, op, s->kind, s->text, s->count);
        if (e != NULL && !e->has_sample && s->has_sample) {
            e->sample = s->sample;
            e->has_sample = 1;
        }
    }
    for (int o = -1; o < SL_MAX_OPERATIONS; o++)
        for (int k = 0; k < SL_R_COUNT; k++) {
            uint64_t c = src->other_by[o + 1][k];
            if (c == 0)
                continue;
            int op = o >= 0 && opmap != NULL ? opmap[o] : o;
            if (op_ok(op))
                dst->other_by[op + 1][k] += c;
        }
    dst->other += src->other; /* a result file older than other_by may hold it unsplit */
}

void sl_reasons_merge(sl_reasons_t *dst, const sl_reasons_t *src)
{
    sl_reasons_merge_map(dst, src, NULL);
}

int sl_reasons_merge_bytes(sl_reasons_t *dst, const void *bytes, size_t len)
{
    sl_reasons_t *r;
    int rc = -1;
    if (len != sizeof(*r) || (r = malloc(sizeof(*r))) == NULL) /* 80 KB: not on the stack */
        return -1;
    memcpy(r, bytes, sizeof(*r));
    if (r->n > SL_REASONS_MAX)
        goto cleanup;
    for (uint32_t i = 0; i < r->n; i++) {
        const sl_reason_t *e = &r->items[i];
        if (e->kind >= SL_R_COUNT || !op_ok(e->op) ||
            memchr(e->text, '\0', sizeof(e->text)) == NULL ||
            (e->has_sample &&
             (e->sample.len > SL_REASON_SAMPLE || e->sample.body[e->sample.len] != '\0' ||
              memchr(e->sample.body, '\0', e->sample.len) != NULL)))
            goto cleanup;
    }
    uint64_t other = 0;
    for (int o = 0; o <= SL_MAX_OPERATIONS; o++)
        for (int k = 0; k < SL_R_COUNT; k++)
            other += r->other_by[o][k];
    if (other != r->other)
        goto cleanup;
    sl_reasons_merge(dst, r);
    rc = 0;
cleanup:
    free(r);
    return rc;
}

int sl_reasons_sorted(const sl_reasons_t *r, const sl_reason_t **out, int max)
{
    int n = 0;
    for (uint32_t i = 0; i < r->n && n < max; i++) {
        /* insertion sort: stable, and the table is small */
        const sl_reason_t *e = &r->items[i];
        int k = n++;
        while (k > 0 && out[k - 1]->count < e->count) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = e;
    }
    /* the table may hold more than max: keep the largest ones */
    for (uint32_t i = (uint32_t)n; i < r->n && max > 0; i++) {
        const sl_reason_t *e = &r->items[i];
        if (e->count <= out[max - 1]->count)
            continue;
        int k = max - 1;
        while (k > 0 && out[k - 1]->count < e->count) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = e;
    }
    return n;
}

uint64_t sl_reasons_total(const sl_reasons_t *r)
{
    uint64_t t = r->other;
    for (uint32_t i = 0; i < r->n; i++)
        t += r->items[i].count;
    return t;
}

uint64_t sl_reasons_count(const sl_reasons_t *r, int op, sl_result_t kind)
{
    uint64_t t = 0;
    if (kind >= SL_R_COUNT || op < -2 || op >= SL_MAX_OPERATIONS)
        return 0;
    for (uint32_t i = 0; i < r->n; i++)
        if (r->items[i].kind == (uint32_t)kind && (op == -2 || r->items[i].op == op))
            t += r->items[i].count;
    for (int o = -1; o < SL_MAX_OPERATIONS; o++)
        if (op == -2 || o == op)
            t += r->other_by[o + 1][kind];
    return t;
}

/* The decoded text of the first element named `name`, or "" when there is none. */
static void element_text(const char *body, size_t len, const char *name, char *out, size_t cap)
{
    sl_xml_scan_t s = {.want = {name, strlen(name)}, .id = out, .id_cap = cap};
    out[0] = '\0';
    sl_xml_scan(body, len, &s);
    out[(s.flags & SL_XML_ID_FOUND) && s.id_len < cap ? s.id_len : 0] = '\0';
}

void sl_reasons_fault_text(const char *body, size_t len, char *out, size_t cap)
{
    char code[1024], text[1024]; /* longer ones come back empty: cut by sl_reasons_add */
    body = body != NULL ? body : "";
    element_text(body, len, "faultcode", code, sizeof(code));
    element_text(body, len, "faultstring", text, sizeof(text));
    if (code[0] == '\0' && text[0] == '\0') { /* SOAP 1.2 */
        element_text(body, len, "Value", code, sizeof(code));
        element_text(body, len, "Text", text, sizeof(text));
    }
    if (code[0] == '\0' && text[0] == '\0')
        snprintf(out, cap, "SOAP Fault");
    else if (code[0] == '\0' || text[0] == '\0')
        snprintf(out, cap, "%s", code[0] ? code : text);
    else
        snprintf(out, cap, "%s: %s", code, text);
}
