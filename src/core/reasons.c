/*
 * reasons: a linear table: at most SL_REASONS_MAX entries, looked up by (kind, text) on each
 * failure. Failures are the rare path, and a run that fails every request finds its few
 * distinct reasons in the first slots.
 */
#include "core/reasons.h"

#include <stdio.h>
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

static void add_clean(sl_reasons_t *r, uint32_t kind, const char *text, uint64_t count)
{
    for (uint32_t i = 0; i < r->n; i++) {
        if (r->items[i].kind == kind && strcmp(r->items[i].text, text) == 0) {
            r->items[i].count += count;
            return;
        }
    }
    if (r->n == SL_REASONS_MAX) {
        r->other += count;
        return;
    }
    sl_reason_t *e = &r->items[r->n++];
    e->kind = kind;
    e->count = count;
    snprintf(e->text, sizeof(e->text), "%s", text);
}

void sl_reasons_add(sl_reasons_t *r, sl_result_t kind, const char *text, uint64_t count)
{
    char buf[SL_REASON_TEXT];
    clean(text != NULL ? text : "", buf, sizeof(buf));
    add_clean(r, (uint32_t)kind, buf, count);
}

void sl_reasons_merge(sl_reasons_t *dst, const sl_reasons_t *src)
{
    for (uint32_t i = 0; i < src->n && i < SL_REASONS_MAX; i++)
        add_clean(dst, src->items[i].kind, src->items[i].text, src->items[i].count);
    dst->other += src->other;
}

int sl_reasons_merge_bytes(sl_reasons_t *dst, const void *bytes, size_t len)
{
    sl_reasons_t r;
    if (len != sizeof(r))
        return -1;
    memcpy(&r, bytes, sizeof(r));
    if (r.n > SL_REASONS_MAX)
        return -1;
    for (uint32_t i = 0; i < r.n; i++)
        if (r.items[i].kind >= SL_R_COUNT ||
            memchr(r.items[i].text, '\0', sizeof(r.items[i].text)) == NULL)
            return -1;
    sl_reasons_merge(dst, &r);
    return 0;
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
