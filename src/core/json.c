/*
 * json: a recursive-descent parser over a byte range, one malloc per value. Numbers keep an
 * exact uint64 beside the double, because result files carry 64-bit counts.
 */
#include "core/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    size_t len, pos;
    char *err;
    size_t errlen;
    int failed;
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

static sl_json_t *new_value(parser_t *p, sl_json_type_t type)
{
    sl_json_t *v = calloc(1, sizeof(*v));
    if (v == NULL)
        fail(p, "out of memory");
    else
        v->type = type;
    return v;
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

static sl_json_t *parse_number(parser_t *p)
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
            return NULL;
        }
    } else if (is_digit(peek(p))) {
        while (is_digit(peek(p)))
            p->pos++;
    } else {
        fail(p, "a '-' without digits");
        return NULL;
    }
    if (peek(p) == '.') {
        integer = 0;
        p->pos++;
        if (!is_digit(peek(p))) {
            fail(p, "no digit after the decimal point");
            return NULL;
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
            return NULL;
        }
        while (is_digit(peek(p)))
            p->pos++;
    }
    char buf[64];
    size_t n = p->pos - start;
    sl_json_t *v = new_value(p, SL_JSON_NUMBER);
    if (v == NULL)
        return NULL;
    if (n < sizeof(buf)) { /* longer numbers are not ours; strtod needs a NUL */
        memcpy(buf, p->s + start, n);
        buf[n] = '\0';
        v->number = strtod(buf, NULL);
    } else {
        char *copy = malloc(n + 1);
        if (copy == NULL) {
            fail(p, "out of memory");
            free(v);
            return NULL;
        }
        memcpy(copy, p->s + start, n);
        copy[n] = '\0';
        v->number = strtod(copy, NULL);
        free(copy);
    }
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
        v->is_u64 = fits;
        v->u64 = fits ? u : 0;
    }
    return v;
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

/* A string at p->pos (the opening quote); returns a malloc'd NUL-terminated copy. */
static char *parse_string(parser_t *p, size_t *outlen)
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
        return NULL;
    }
    size_t end = p->pos;
    char *out = malloc(end - start + 1), *o = out;
    if (out == NULL) {
        fail(p, "out of memory");
        return NULL;
    }
    p->pos = start;
    while (p->pos < end) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c < 0x20) {
            fail(p, "a control character in a string");
            goto Error;
        }
        if (c != '\\') {
            size_t n = utf8_len((const unsigned char *)p->s + p->pos, end - p->pos);
            if (n == 0) {
                fail(p, "invalid UTF-8 in a string");
                goto Error;
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
                goto Error;
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                fail(p, "a lone low surrogate");
                goto Error;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                    fail(p, "a high surrogate without its low half");
                    goto Error;
                }
                p->pos += 2;
                if (hex4(p, &lo) != 0)
                    goto Error;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    fail(p, "a high surrogate without its low half");
                    goto Error;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += put_utf8(o, cp); /* \uXXXX is 6 bytes, at most 3 out; a pair 12, 4 out */
            break;
        default:
            p->pos--;
            fail(p, "an unknown escape");
            goto Error;
        }
    }
    *o = '\0';
    p->pos = end + 1;
    *outlen = (size_t)(o - out);
    return out;
Error:
    free(out);
    return NULL;
}

static sl_json_t *parse_value(parser_t *p, int depth);

/* An array or object; the opening bracket is at p->pos. */
static sl_json_t *parse_container(parser_t *p, int depth, int object)
{
    char close = object ? '}' : ']';
    sl_json_t *v = new_value(p, object ? SL_JSON_OBJECT : SL_JSON_ARRAY), **tail;
    if (v == NULL)
        return NULL;
    tail = &v->child;
    p->pos++;
    skip_space(p);
    if (peek(p) == close) {
        p->pos++;
        return v;
    }
    for (;;) {
        char *key = NULL;
        size_t klen;
        skip_space(p);
        if (object) {
            if (peek(p) != '"') {
                fail(p, "a member name must be a string");
                goto Error;
            }
            if ((key = parse_string(p, &klen)) == NULL)
                goto Error;
            skip_space(p);
            if (peek(p) != ':') {
                free(key);
                fail(p, "a ':' after a member name");
                goto Error;
            }
            p->pos++;
        }
        sl_json_t *item = parse_value(p, depth + 1);
        if (item == NULL) {
            free(key);
            goto Error;
        }
        item->key = key;
        *tail = item;
        tail = &item->next;
        v->len++;
        skip_space(p);
        if (peek(p) == ',') {
            p->pos++;
            skip_space(p);
            if (peek(p) == close) {
                fail(p, "a trailing comma");
                goto Error;
            }
            continue;
        }
        if (peek(p) == close) {
            p->pos++;
            return v;
        }
        fail(p, object ? "a ',' or '}' expected" : "a ',' or ']' expected");
        goto Error;
    }
Error:
    sl_json_free(v);
    return NULL;
}

static sl_json_t *parse_value(parser_t *p, int depth)
{
    sl_json_t *v;
    if (depth > SL_JSON_MAX_DEPTH) {
        fail(p, "nested deeper than %d", SL_JSON_MAX_DEPTH);
        return NULL;
    }
    skip_space(p);
    switch (peek(p)) {
    case '{':
        return parse_container(p, depth, 1);
    case '[':
        return parse_container(p, depth, 0);
    case '"':
        if ((v = new_value(p, SL_JSON_STRING)) != NULL &&
            (v->string = parse_string(p, &v->len)) == NULL) {
            free(v);
            v = NULL;
        }
        return v;
    case 't':
        return literal(p, "true") == 0 ? new_value(p, SL_JSON_TRUE) : NULL;
    case 'f':
        return literal(p, "false") == 0 ? new_value(p, SL_JSON_FALSE) : NULL;
    case 'n':
        return literal(p, "null") == 0 ? new_value(p, SL_JSON_NULL) : NULL;
    case -1:
        fail(p, "the text ends where a value was expected");
        return NULL;
    default:
        if (peek(p) == '-' || is_digit(peek(p)))
            return parse_number(p);
        fail(p, "unexpected character");
        return NULL;
    }
}

sl_json_t *sl_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    parser_t p = {.s = text, .len = len, .err = err, .errlen = errlen};
    sl_json_t *v = parse_value(&p, 1);
    if (v == NULL)
        return NULL;
    skip_space(&p);
    if (p.pos != p.len) {
        fail(&p, "something after the value");
        sl_json_free(v);
        return NULL;
    }
    return v;
}

void sl_json_free(sl_json_t *v)
{
    while (v != NULL) {
        sl_json_t *next = v->next;
        sl_json_free(v->child); /* depth bounded by the parser */
        free(v->string);
        free(v->key);
        free(v);
        v = next;
    }
}

const sl_json_t *sl_json_get(const sl_json_t *v, const char *key)
{
    if (v == NULL || v->type != SL_JSON_OBJECT)
        return NULL;
    for (const sl_json_t *m = v->child; m != NULL; m = m->next)
        if (strcmp(m->key, key) == 0)
            return m;
    return NULL;
}

const char *sl_json_type_name(sl_json_type_t t)
{
    static const char *const names[] = {"null",     "false",    "true",     "a number",
                                        "a string", "an array", "an object"};
    return names[t];
}
