/*
 * json: a recursive-descent parser over a byte range into an arena. Values are 16 bytes. A
 * first pass counts each container's values (a scan of brackets, commas and strings), so that
 * the second allocates each container's vector in the arena once, when it opens, and parses the
 * values straight into it: no stack of values beside the tree, whose peak was as large as the
 * tree itself. Strings are decoded straight into the arena. The tree then costs at most 16
 * bytes per value, and a value takes at least 2 bytes of text ("0,"): at most 8 times the text,
 * plus 4 bytes per container for the counts while parsing. Numbers keep an exact uint64
 * instead of the double when they are non-negative integers, because result files carry
 * 64-bit counts (and most of their numbers are such counts, read without strtod). The
 * writer's one shared piece, a string literal, is here too.
 */
#include "core/json.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_MIN (64u * 1024)
#define BLOCK_MAX (4u * 1024 * 1024)

typedef struct block {
    struct block *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
} block_t;

/* The root and the blocks it owns, freed together. */
typedef struct {
    block_t *blocks;
    size_t nblocks;
    sl_json_t root;
} doc_t;

typedef struct {
    const char *s;
    size_t len, pos;
    char *err;
    size_t errlen;
    int failed;
    doc_t *doc;
    uint32_t *counts; /* values of each container, in the order they open (pass one) */
    size_t ncounts, next;
} parser_t;

static void fail(parser_t *p, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    if (p->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errlen, "at byte %zu: %s", p->pos, msg);
    p->failed = 1;
}

static void skip_space(parser_t *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static int peek(const parser_t *p)
{
    return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

/* n bytes from the arena, aligned to `align` (a power of 2 up to max_align_t's), or NULL. */
static void *arena_alloc(parser_t *p, size_t n, size_t align)
{
    block_t *b = p->doc->blocks;
    size_t at = b != NULL ? (b->used + align - 1) & ~(align - 1) : 0;
    if (b == NULL || at > b->cap || b->cap - at < n) {
        size_t cap = BLOCK_MIN << (p->doc->nblocks < 6 ? p->doc->nblocks : 6);
        if (cap > BLOCK_MAX)
            cap = BLOCK_MAX;
        if (cap < n)
            cap = n;
        if ((b = malloc(sizeof(*b) + cap)) == NULL) {
            fail(p, "out of memory");
            return NULL;
        }
        b->cap = cap;
        b->used = 0;
        b->next = p->doc->blocks;
        p->doc->blocks = b;
        p->doc->nblocks++;
        at = 0;
    }
    b->used = at + n;
    return b->data + at;
}

/* Gives back the end of the last allocation, p, of which only `keep` bytes are used. */
static void arena_shrink(parser_t *p, const void *at, size_t keep)
{
    block_t *b = p->doc->blocks;
    b->used = (size_t)((const unsigned char *)at - b->data) + keep;
}

/* Pass one: the number of values of each container (an object's members), in the order the
 * containers open. Only brackets, commas and strings matter here; pass two checks the grammar
 * and fails where the text is not JSON, before it could read a count this scan got wrong. A scan
 * deeper than pass two reads stops: pass two fails there. Returns 0, or -1 (out of memory). */
static int count_values(parser_t *p)
{
    size_t open[SL_JSON_MAX_DEPTH + 1], cap = 0, depth = 0;
    int seen[SL_JSON_MAX_DEPTH + 1] = {0}; /* a value in the innermost container yet */
    for (size_t i = 0; i < p->len; i++) {
        unsigned char c = (unsigned char)p->s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':')
            continue;
        if (c == ']' || c == '}') {
            depth -= depth > 0;
            continue;
        }
        if (c == ',') {
            if (depth > 0)
                p->counts[open[depth - 1]]++;
            continue;
        }
        if (depth > 0 && !seen[depth - 1]) { /* the first value of the innermost container */
            seen[depth - 1] = 1;
            p->counts[open[depth - 1]]++;
        }
        if (c == '"') { /* to its closing quote: brackets inside are text */
            for (i++; i < p->len && p->s[i] != '"'; i++)
                i += p->s[i] == '\\';
        } else if (c == '[' || c == '{') {
            if (depth == SL_JSON_MAX_DEPTH + 1)
                return 0;
            if (p->ncounts == cap) {
                cap = cap ? cap * 2 : 1024;
                uint32_t *n = realloc(p->counts, cap * sizeof(*n));
                if (n == NULL)
                    return -1;
                p->counts = n;
            }
            p->counts[p->ncounts] = 0;
            seen[depth] = 0;
            open[depth++] = p->ncounts++;
        }
    }
    return 0;
}

static int literal(parser_t *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
        fail(p, "unexpected character");
        return -1;
    }
    p->pos += n;
    return 0;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int parse_number(parser_t *p, sl_json_t *v)
{
    size_t start = p->pos;
    int integer = 1, negative = 0;
    if (peek(p) == '-') {
        negative = 1;
        p->pos++;
    }
    if (peek(p) == '0') {
        p->pos++;
        if (is_digit(peek(p))) {
            fail(p, "a number with a leading zero");
            return -1;
        }
    } else if (is_digit(peek(p))) {
        while (is_digit(peek(p)))
            p->pos++;
    } else {
        fail(p, "a '-' without digits");
        return -1;
    }
    if (peek(p) == '.') {
        integer = 0;
        p->pos++;
        if (!is_digit(peek(p))) {
            fail(p, "no digit after the decimal point");
            return -1;
        }
        while (is_digit(peek(p)))
            p->pos++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        integer = 0;
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-')
            p->pos++;
        if (!is_digit(peek(p))) {
            fail(p, "no digit in the exponent");
            return -1;
        }
        while (is_digit(peek(p)))
            p->pos++;
    }
    v->type = SL_JSON_NUMBER;
    if (integer && !negative) {
        uint64_t u = 0;
        int fits = 1;
        for (size_t i = start; i < p->pos; i++) {
            unsigned d = (unsigned)(p->s[i] - '0');
            if (u > (UINT64_MAX - d) / 10) {
                fits = 0;
                break;
            }
            u = u * 10 + d;
        }
        if (fits) {
            v->is_u64 = 1;
            v->u64 = u;
            return 0;
        }
    }
    char buf[64];
    size_t n = p->pos - start;
    if (n < sizeof(buf)) { /* longer numbers are not ours; strtod needs a NUL */
        memcpy(buf, p->s + start, n);
        buf[n] = '\0';
        v->number = strtod(buf, NULL);
    } else {
        char *copy = malloc(n + 1);
        if (copy == NULL) {
            fail(p, "out of memory");
            return -1;
        }
        memcpy(copy, p->s + start, n);
        copy[n] = '\0';
        v->number = strtod(copy, NULL);
        free(copy);
    }
    return 0;
}

static int hex4(parser_t *p, unsigned *out)
{
    unsigned v = 0;
    if (p->len - p->pos < 4) {
        fail(p, "a \\u escape cut short");
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char)p->s[p->pos + (size_t)i];
        v <<= 4;
        if (is_digit(c))
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else {
            fail(p, "a \\u escape with a non-hex digit");
            return -1;
        }
    }
    p->pos += 4;
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The length of a valid UTF-8 sequence starting at s[0..n), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t need;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        need = 2;
        cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        need = 3;
        cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        need = 4;
        cp = s[0] & 0x07;
    } else
        return 0;
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return need;
}

/* A string at p->pos (the opening quote) into v: decoded into the arena, NUL-terminated. */
static int parse_string(parser_t *p, sl_json_t *v)
{
    p->pos++; /* the quote */
    size_t start = p->pos;
    /* the decoded text is never longer than the source */
    while (p->pos < p->len && p->s[p->pos] != '"') {
        if (p->s[p->pos] == '\\')
            p->pos++;
        p->pos++;
    }
    if (p->pos >= p->len) {
        p->pos = start;
        fail(p, "a string without its closing quote");
        return -1;
    }
    size_t end = p->pos;
    char *out = arena_alloc(p, end - start + 1, 1), *o = out;
    if (out == NULL)
        return -1;
    p->pos = start;
    while (p->pos < end) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c < 0x20) {
            fail(p, "a control character in a string");
            return -1;
        }
        if (c != '\\') {
            size_t n = utf8_len((const unsigned char *)p->s + p->pos, end - p->pos);
            if (n == 0) {
                fail(p, "invalid UTF-8 in a string");
                return -1;
            }
            memcpy(o, p->s + p->pos, n);
            o += n;
            p->pos += n;
            continue;
        }
        p->pos++;
        char e = p->s[p->pos++];
        unsigned cp, lo;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            *o++ = e;
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u':
            if (hex4(p, &cp) != 0)
                return -1;
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                fail(p, "a lone low surrogate");
                return -1;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                    fail(p, "a high surrogate without its low half");
                    return -1;
                }
                p->pos += 2;
                if (hex4(p, &lo) != 0)
                    return -1;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    fail(p, "a high surrogate without its low half");
                    return -1;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += put_utf8(o, cp); /* \uXXXX is 6 bytes, at most 3 out; a pair 12, 4 out */
            break;
        default:
            p->pos--;
            fail(p, "an unknown escape");
            return -1;
        }
    }
    *o = '\0';
    p->pos = end + 1;
    arena_shrink(p, out, (size_t)(o - out) + 1);
    v->type = SL_JSON_STRING;
    v->len = (uint32_t)(o - out);
    v->string = out;
    return 0;
}

static int parse_value(parser_t *p, int depth, sl_json_t *v);

/* An array or object into v; the opening bracket is at p->pos. Its vector (an object's names
 * before each value) is allocated as it opens, as long as pass one counted, and filled in
 * place. */
static int parse_container(parser_t *p, int depth, int object, sl_json_t *v)
{
    char close = object ? '}' : ']';
    size_t n = 0, want = p->next < p->ncounts ? p->counts[p->next] : 0;
    sl_json_t *items = NULL;
    p->next++;
    v->type = object ? SL_JSON_OBJECT : SL_JSON_ARRAY;
    p->pos++;
    skip_space(p);
    if (peek(p) == close) {
        p->pos++;
        return 0;
    }
    want *= object ? 2 : 1;
    if ((items = arena_alloc(p, want * sizeof(*items), alignof(sl_json_t))) == NULL)
        return -1;
    memset(items, 0, want * sizeof(*items));
    v->items = items;
    for (;;) {
        skip_space(p);
        if (n + (object ? 2 : 1) > want) { /* not as pass one counted: no JSON here */
            fail(p, "unexpected character");
            return -1;
        }
        if (object) {
            if (peek(p) != '"') {
                fail(p, "a member name must be a string");
                return -1;
            }
            if (parse_string(p, &items[n++]) != 0)
                return -1;
            skip_space(p);
            if (peek(p) != ':') {
                fail(p, "a ':' after a member name");
                return -1;
            }
            p->pos++;
        }
        if (parse_value(p, depth + 1, &items[n++]) != 0)
            return -1;
        skip_space(p);
        if (peek(p) == ',') {
            p->pos++;
            skip_space(p);
            if (peek(p) == close) {
                fail(p, "a trailing comma");
                return -1;
            }
            continue;
        }
        if (peek(p) == close) {
            p->pos++;
            break;
        }
        fail(p, object ? "a ',' or '}' expected" : "a ',' or ']' expected");
        return -1;
    }
    if (n != want) {
        fail(p, "unexpected character");
        return -1;
    }
    v->len = (uint32_t)(object ? n / 2 : n);
    return 0;
}

static int parse_value(parser_t *p, int depth, sl_json_t *v)
{
    if (depth > SL_JSON_MAX_DEPTH) {
        fail(p, "nested deeper than %d", SL_JSON_MAX_DEPTH);
        return -1;
    }
    skip_space(p);
    switch (peek(p)) {
    case '{':
        return parse_container(p, depth, 1, v);
    case '[':
        return parse_container(p, depth, 0, v);
    case '"':
        return parse_string(p, v);
    case 't':
        v->type = SL_JSON_TRUE;
        return literal(p, "true");
    case 'f':
        v->type = SL_JSON_FALSE;
        return literal(p, "false");
    case 'n':
        v->type = SL_JSON_NULL;
        return literal(p, "null");
    case -1:
        fail(p, "the text ends where a value was expected");
        return -1;
    default:
        if (peek(p) == '-' || is_digit(peek(p)))
            return parse_number(p, v);
        fail(p, "unexpected character");
        return -1;
    }
}

static void free_doc(doc_t *doc)
{
    while (doc->blocks != NULL) {
        block_t *next = doc->blocks->next;
        free(doc->blocks);
        doc->blocks = next;
    }
    free(doc);
}

sl_json_t *sl_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    parser_t p = {.s = text, .len = len, .err = err, .errlen = errlen};
    if (len > UINT32_MAX) { /* lengths are 32 bits; soapload's files are far smaller */
        fail(&p, "a text of more than %u bytes", UINT32_MAX);
        return NULL;
    }
    if ((p.doc = calloc(1, sizeof(*p.doc))) == NULL) {
        fail(&p, "out of memory");
        return NULL;
    }
    if (count_values(&p) != 0) {
        free(p.counts);
        free(p.doc);
        fail(&p, "out of memory");
        return NULL;
    }
    int rc = parse_value(&p, 1, &p.doc->root);
    free(p.counts);
    if (rc == 0) {
        skip_space(&p);
        if (p.pos == p.len)
            return &p.doc->root;
        fail(&p, "something after the value");
    }
    free_doc(p.doc);
    return NULL;
}

void sl_json_free(sl_json_t *root)
{
    if (root != NULL)
        free_doc((doc_t *)(void *)((char *)root - offsetof(doc_t, root)));
}

const sl_json_t *sl_json_get(const sl_json_t *v, const char *key)
{
    if (v == NULL || v->type != SL_JSON_OBJECT)
        return NULL;
    for (uint32_t i = 0; i < v->len; i++)
        if (strcmp(v->items[2 * (size_t)i].string, key) == 0)
            return &v->items[2 * (size_t)i + 1];
    return NULL;
}

const sl_json_t *sl_json_item(const sl_json_t *v, size_t i)
{
    if (v == NULL || (v->type != SL_JSON_ARRAY && v->type != SL_JSON_OBJECT) || i >= v->len)
        return NULL;
    return v->type == SL_JSON_ARRAY ? &v->items[i] : &v->items[2 * i + 1];
}

const char *sl_json_key(const sl_json_t *v, size_t i)
{
    if (v == NULL || v->type != SL_JSON_OBJECT || i >= v->len)
        return NULL;
    return v->items[2 * i].string;
}

double sl_json_number(const sl_json_t *v)
{
    return v->is_u64 ? (double)v->u64 : v->number;
}

const char *sl_json_type_name(sl_json_type_t t)
{
    static const char *const names[] = {"null",     "false",    "true",     "a number",
                                        "a string", "an array", "an object"};
    return names[t];
}

void sl_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}
