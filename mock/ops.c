/*
 * ops: a tag walker (start, end and empty-element tags; comments, CDATA sections, processing
 * instructions and declarations skipped; '>' inside quoted attribute values respected) and the
 * two readings made with it: the operation names of a WSDL, and the operation a request calls.
 */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { TAG_START, TAG_END, TAG_EMPTY } tag_kind_t;

typedef struct {
    tag_kind_t kind;
    sl_span_t qname;
    const char *attrs, *end; /* after the name; the closing '>' */
} tag_t;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *past(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    for (; p + n <= end; p++)
        if (memcmp(p, lit, n) == 0)
            return p + n;
    return end;
}

/* The next tag at or after *p; 0 at the end of the document. */
static int next_tag(const char **p, const char *end, tag_t *t)
{
    const char *q = *p;
    while ((q = memchr(q, '<', (size_t)(end - q))) != NULL) {
        size_t left = (size_t)(end - q);
        if (left >= 4 && memcmp(q, "<!--", 4) == 0) {
            q = past(q + 4, end, "-->");
        } else if (left >= 9 && memcmp(q, "<![CDATA[", 9) == 0) {
            q = past(q + 9, end, "]]>");
        } else if (left >= 2 && q[1] == '?') {
            q = past(q + 2, end, "?>");
        } else if (left >= 2 && q[1] == '!') {
            q = past(q + 2, end, ">");
        } else {
            break;
        }
    }
    if (q == NULL || q >= end)
        return 0;
    t->kind = q[1] == '/' ? TAG_END : TAG_START;
    const char *name = q + (t->kind == TAG_END ? 2 : 1), *n = name;
    while (n < end && !is_space(*n) && *n != '>' && *n != '/')
        n++;
    t->qname = (sl_span_t){name, (size_t)(n - name)};
    t->attrs = n;
    char quote = 0;
    for (; n < end && (quote || *n != '>'); n++)
        if (quote ? *n == quote : (*n == '"' || *n == '\''))
            quote = quote ? 0 : *n;
    if (n >= end)
        return 0;
    t->end = n;
    if (t->kind == TAG_START && n > t->attrs && n[-1] == '/')
        t->kind = TAG_EMPTY;
    *p = n + 1;
    return 1;
}

static sl_span_t local_of(sl_span_t q)
{
    const char *colon = memchr(q.ptr, ':', q.len);
    return colon == NULL ? q : (sl_span_t){colon + 1, q.len - (size_t)(colon + 1 - q.ptr)};
}

static int span_is(sl_span_t s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

/* The value of attribute `name` (qualified name as written) of a start tag. */
static int attr_of(const tag_t *t, const char *name, size_t name_len, sl_span_t *value)
{
    const char *p = t->attrs;
    while (p < t->end) {
        while (p < t->end && (is_space(*p) || *p == '/'))
            p++;
        const char *an = p;
        while (p < t->end && *p != '=' && !is_space(*p))
            p++;
        size_t an_len = (size_t)(p - an);
        while (p < t->end && (is_space(*p) || *p == '='))
            p++;
        if (p >= t->end || (*p != '"' && *p != '\''))
            return -1;
        char q = *p++;
        const char *v = p;
        while (p < t->end && *p != q)
            p++;
        if (an_len == name_len && memcmp(an, name, name_len) == 0) {
            *value = (sl_span_t){v, (size_t)(p - v)};
            return 0;
        }
        p++;
    }
    return -1;
}

/* A name the answer can carry as written: XML name characters only (bytes from 0x80 on are
 * taken as UTF-8 letters), not starting with a digit, '-' or '.'. */
static int plain_name(sl_span_t n)
{
    if (n.len == 0 || (n.ptr[0] >= '0' && n.ptr[0] <= '9') || n.ptr[0] == '-' || n.ptr[0] == '.')
        return 0;
    for (size_t i = 0; i < n.len; i++) {
        unsigned char c = (unsigned char)n.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c >= 0x80))
            return 0;
    }
    return 1;
}

/* A namespace URI the answer can carry as written between double quotes: no markup, quote,
 * entity reference or control character. */
static int plain_uri(sl_span_t u)
{
    for (size_t i = 0; i < u.len; i++) {
        unsigned char c = (unsigned char)u.ptr[i];
        if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '\'' || c == '&')
            return 0;
    }
    return 1;
}

int sl_ops_has(const sl_ops_t *ops, sl_span_t name)
{
    for (size_t i = 0; i < ops->count; i++)
        if (span_is(name, ops->names[i]))
            return 1;
    return 0;
}

const char *sl_ops_answer(const sl_ops_t *ops, sl_span_t name, char *out)
{
    if (sl_ops_has(ops, name)) {
        snprintf(out, SL_OPS_MAX_NAME + 9, "%.*sResponse", (int)name.len, name.ptr);
        return out;
    }
    for (size_t i = 0; i < ops->nelements; i++)
        if (span_is(name, ops->elements[i]))
            return strcpy(out, ops->answers[i]);
    return NULL;
}

/* A name kept when it is one the answer can carry and fits. */
static int copy_name(char *dst, sl_span_t n)
{
    if (!plain_name(n) || n.len > SL_OPS_MAX_NAME)
        return -1;
    memcpy(dst, n.ptr, n.len);
    dst[n.len] = '\0';
    return 0;
}

typedef struct {
    char name[SL_OPS_MAX_NAME + 1], element[SL_OPS_MAX_NAME + 1];
} message_t;

/* The element of the first part of each message (wsdl:message/wsdl:part element="p:E"). */
static size_t read_messages(const char *wsdl, size_t len, message_t *m, size_t cap)
{
    const char *p = wsdl, *end = wsdl + len;
    tag_t t;
    size_t n = 0;
    message_t *in = NULL;
    sl_span_t v;
    while (next_tag(&p, end, &t)) {
        sl_span_t local = local_of(t.qname);
        if (span_is(local, "message")) {
            in = NULL;
            if (t.kind == TAG_START && n < cap && attr_of(&t, "name", 4, &v) == 0 &&
                copy_name(m[n].name, v) == 0)
                in = &m[n++];
        } else if (in != NULL && span_is(local, "part") && t.kind != TAG_END &&
                   in->element[0] == '\0' && attr_of(&t, "element", 7, &v) == 0) {
            (void)copy_name(in->element, local_of(v));
        }
    }
    return n;
}

static const char *element_of(const message_t *m, size_t n, sl_span_t qname)
{
    sl_span_t name = local_of(qname);
    for (size_t i = 0; i < n; i++)
        if (span_is(name, m[i].name))
            return m[i].element[0] ? m[i].element : NULL;
    return NULL;
}

/* Each portType operation whose input element is not an operation's name: its element and
 * the element that answers it. */
static void read_elements(const char *wsdl, size_t len, sl_ops_t *ops)
{
    size_t cap = 2 * SL_OPS_MAX, n;
    message_t *m = calloc(cap, sizeof(*m));
    if (m == NULL || (n = read_messages(wsdl, len, m, cap)) == 0) {
        free(m);
        return;
    }
    const char *p = wsdl, *end = wsdl + len, *in = NULL, *out = NULL;
    char op[SL_OPS_MAX_NAME + 1] = "";
    int port_type = 0;
    tag_t t;
    sl_span_t v;
    while (next_tag(&p, end, &t)) {
        sl_span_t local = local_of(t.qname);
        if (span_is(local, "portType"))
            port_type = t.kind == TAG_START;
        if (!port_type)
            continue;
        if (span_is(local, "operation") && t.kind == TAG_START) {
            in = out = NULL;
            if (attr_of(&t, "name", 4, &v) != 0 || copy_name(op, v) != 0)
                op[0] = '\0';
        } else if ((span_is(local, "input") || span_is(local, "output")) && t.kind != TAG_END &&
                   attr_of(&t, "message", 7, &v) == 0) {
            *(span_is(local, "input") ? &in : &out) = element_of(m, n, v);
        } else if (span_is(local, "operation") && t.kind == TAG_END && op[0] && in != NULL &&
                   ops->nelements < SL_OPS_MAX) {
            sl_span_t e = {in, strlen(in)};
            char answer[SL_OPS_MAX_NAME + 9];
            if (sl_ops_answer(ops, e, answer) != NULL)
                continue; /* named after an operation, or seen already */
            snprintf(ops->answers[ops->nelements], SL_OPS_MAX_NAME + 1, "%s",
                     out != NULL ? out : op);
            if (out == NULL && strlen(op) + 8 <= SL_OPS_MAX_NAME)
                strcat(ops->answers[ops->nelements], "Response");
            strcpy(ops->elements[ops->nelements++], in);
        }
    }
    free(m);
}

int sl_ops_read(const char *wsdl, size_t len, sl_ops_t *ops, char *err, size_t errlen)
{
    const char *p = wsdl, *end = wsdl + len;
    tag_t t;
    ops->count = 0;
    while (next_tag(&p, end, &t)) {
        sl_span_t name;
        if (t.kind == TAG_END || !span_is(local_of(t.qname), "operation") ||
            attr_of(&t, "name", 4, &name) != 0 || sl_ops_has(ops, name))
            continue;
        if (!plain_name(name) || name.len > SL_OPS_MAX_NAME || ops->count == SL_OPS_MAX) {
            snprintf(err, errlen,
                     "operation '%.*s' is not a name of at most %d bytes, or the WSDL has over %d "
                     "operations",
                     (int)(name.len > 64 ? 64 : name.len), name.ptr, SL_OPS_MAX_NAME, SL_OPS_MAX);
            return -1;
        }
        memcpy(ops->names[ops->count], name.ptr, name.len);
        ops->names[ops->count++][name.len] = '\0';
    }
    if (ops->count == 0) {
        snprintf(err, errlen, "the WSDL names no operation (no <operation name=\"...\">)");
        return -1;
    }
    ops->nelements = 0;
    read_elements(wsdl, len, ops);
    return 0;
}

/* The namespace bound to `prefix` (len 0: the default namespace) by the innermost of tags[0..n). */
static int namespace_of(const tag_t *tags, int n, sl_span_t prefix, sl_ops_call_t *call)
{
    char name[SL_OPS_MAX_NAME + 8];
    int len = snprintf(name, sizeof(name), "xmlns%s%.*s", prefix.len ? ":" : "", (int)prefix.len,
                       prefix.ptr);
    if (len < 0 || (size_t)len >= sizeof(name))
        return -1;
    for (int i = n - 1; i >= 0; i--)
        if (attr_of(&tags[i], name, (size_t)len, &call->ns) == 0)
            return 0;
    call->ns = (sl_span_t){"", 0};
    return prefix.len == 0 ? 0 : -1; /* an unbound prefix is not well-formed */
}

int sl_ops_find_call(const char *doc, size_t len, sl_ops_call_t *call)
{
    const char *p = doc, *end = doc + len;
    tag_t path[3], t; /* the root, its Body, the operation */
    int depth = 0;
    while (next_tag(&p, end, &t)) {
        if (t.kind == TAG_END) {
            if (--depth < 0)
                return -1; /* not what the XML scanner accepted: read nothing from it */
            continue;
        }
        if (depth < 3)
            path[depth] = t;
        if (depth == 2 && span_is(local_of(path[1].qname), "Body")) {
            sl_span_t local = local_of(t.qname);
            sl_span_t prefix = {t.qname.ptr,
                                local.ptr == t.qname.ptr ? 0 : t.qname.len - local.len - 1};
            call->local = local;
            if (namespace_of(path, 3, prefix, call) != 0 || !plain_name(local) ||
                !plain_uri(call->ns))
                return -1;
            return 0;
        }
        if (t.kind == TAG_START)
            depth++;
    }
    return -1;
}

int sl_ops_find_trigger(const char *doc, size_t len, const sl_ops_trigger_t *trig, int n)
{
    const char *p = doc, *end = doc + len;
    tag_t t;
    while (next_tag(&p, end, &t)) {
        if (t.kind != TAG_START)
            continue;
        sl_span_t local = local_of(t.qname);
        for (int i = 0; i < n; i++) {
            if (local.len != trig[i].name_len || memcmp(local.ptr, trig[i].name, local.len) != 0)
                continue;
            const char *a = t.end + 1, *b = memchr(a, '<', (size_t)(end - a));
            if (b == NULL)
                b = end;
            while (a < b && is_space(*a))
                a++;
            while (b > a && is_space(b[-1]))
                b--;
            if ((size_t)(b - a) == trig[i].value_len &&
                memcmp(a, trig[i].value, trig[i].value_len) == 0)
                return i;
        }
    }
    return -1;
}
