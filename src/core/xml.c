/*
 * xml: a single-pass, non-allocating scanner for the XML that SOAP uses. Strict where it
 * matters to a load test (balanced tags, valid entity references, no DTD), lenient where
 * it does not (names accept any UTF-8 byte, the encoding declaration is not checked).
 */
#include "core/xml.h"

#include <string.h>

typedef struct {
    const char *doc;
    size_t len;
    size_t pos;
    sl_xml_scan_t *s;
    sl_span_t stack[SL_XML_MAX_DEPTH]; /* qualified names of the open elements */
    int depth;
    int capture_depth; /* depth of the wanted element while inside it, else 0 */
    int found;
} scanner_t;

static int fail(scanner_t *sc, const char *why)
{
    if (!(sc->s->flags & SL_XML_MALFORMED)) {
        sc->s->flags |= SL_XML_MALFORMED;
        sc->s->error = why;
        sc->s->error_at = sc->pos;
    }
    return -1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int starts(const scanner_t *sc, const char *lit)
{
    size_t n = strlen(lit);
    return sc->len - sc->pos >= n && memcmp(sc->doc + sc->pos, lit, n) == 0;
}

static void skip_space(scanner_t *sc)
{
    while (sc->pos < sc->len && is_space(sc->doc[sc->pos]))
        sc->pos++;
}

/* memchr finds each candidate first byte (vectorized), so a 1 MB comment costs what reading it
 * does (glibc's memmem took 0.7 ms there, a memcmp at each byte 2 ms) */
const char *sl_xml_find_bytes(const char *hay, size_t len, const char *needle, size_t n)
{
    const char *at = hay, *stop = hay + len;
    while ((size_t)(stop - at) >= n &&
           (at = memchr(at, needle[0], (size_t)(stop - at) - n + 1)) != NULL) {
        if (memcmp(at, needle, n) == 0)
            return at;
        at++;
    }
    return NULL;
}

/* Moves past the next occurrence of `end`; -1 when the document ends first. */
static int skip_past(scanner_t *sc, const char *end, const char *why)
{
    size_t n = strlen(end);
    const char *at =
        sc->pos <= sc->len ? sl_xml_find_bytes(sc->doc + sc->pos, sc->len - sc->pos, end, n) : NULL;
    if (at != NULL) {
        sc->pos = (size_t)(at - sc->doc) + n;
        return 0;
    }
    return fail(sc, why);
}

static int parse_name(scanner_t *sc, sl_span_t *name)
{
    size_t start = sc->pos;
    if (sc->pos >= sc->len || !is_name_start((unsigned char)sc->doc[sc->pos]))
        return fail(sc, "expected a name");
    while (sc->pos < sc->len && is_name_char((unsigned char)sc->doc[sc->pos]))
        sc->pos++;
    name->ptr = sc->doc + start;
    name->len = sc->pos - start;
    return 0;
}

static sl_span_t local_name(sl_span_t q)
{
    const char *colon = memchr(q.ptr, ':', q.len);
    if (colon == NULL)
        return q;
    return (sl_span_t){colon + 1, q.len - (size_t)(colon + 1 - q.ptr)};
}

static sl_span_t prefix_of(sl_span_t q)
{
    const char *colon = memchr(q.ptr, ':', q.len);
    return (sl_span_t){q.ptr, colon == NULL ? 0 : (size_t)(colon - q.ptr)};
}

static int span_eq(sl_span_t a, const char *b, size_t blen)
{
    return a.len == blen && memcmp(a.ptr, b, blen) == 0;
}

static void capture(scanner_t *sc, const char *p, size_t n)
{
    sl_xml_scan_t *s = sc->s;
    if (s->id_len + n + 1 > s->id_cap) {
        s->flags |= SL_XML_ID_TOO_LONG;
        return;
    }
    memcpy(s->id + s->id_len, p, n);
    s->id_len += n;
}

static size_t utf8_encode(unsigned long cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* At '&': checks the reference and, when `out` is given, decodes it there. Returns the
 * decoded length, or -1. Only the five predefined entities exist: there is no DTD. */
static int parse_reference(scanner_t *sc, char out[4])
{
    static const struct {
        const char *name;
        char c;
    } predefined[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
    sc->pos++;
    if (sc->pos < sc->len && sc->doc[sc->pos] == '#') {
        unsigned long cp = 0;
        int hex = 0, digits = 0;
        sc->pos++;
        if (sc->pos < sc->len && sc->doc[sc->pos] == 'x') {
            hex = 1;
            sc->pos++;
        }
        for (; sc->pos < sc->len && sc->doc[sc->pos] != ';'; sc->pos++, digits++) {
            char c = sc->doc[sc->pos];
            int v;
            if (c >= '0' && c <= '9')
                v = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                v = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                v = c - 'A' + 10;
            else
                return fail(sc, "bad character reference");
            cp = cp * (hex ? 16 : 10) + (unsigned long)v;
            if (cp > 0x10FFFF)
                return fail(sc, "character reference out of range");
        }
        if (sc->pos >= sc->len || digits == 0)
            return fail(sc, "bad character reference");
        sc->pos++;
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail(sc, "character reference names no character");
        return (int)utf8_encode(cp, out);
    }
    for (size_t i = 0; i < sizeof(predefined) / sizeof(predefined[0]); i++) {
        if (starts(sc, predefined[i].name)) {
            sc->pos += strlen(predefined[i].name);
            out[0] = predefined[i].c;
            return 1;
        }
    }
    return fail(sc, "undeclared entity reference");
}

static int parse_text(scanner_t *sc)
{
    while (sc->pos < sc->len && sc->doc[sc->pos] != '<') {
        size_t run = sc->pos;
        while (sc->pos < sc->len && sc->doc[sc->pos] != '<' && sc->doc[sc->pos] != '&')
            sc->pos++;
        if (sc->depth == 0) {
            for (size_t i = run; i < sc->pos; i++)
                if (!is_space(sc->doc[i]))
                    return fail(sc, "text outside the root element");
        }
        if (sc->capture_depth)
            capture(sc, sc->doc + run, sc->pos - run);
        if (sc->pos < sc->len && sc->doc[sc->pos] == '&') {
            char buf[4];
            int n = parse_reference(sc, buf);
            if (n < 0)
                return -1;
            if (sc->depth == 0)
                return fail(sc, "reference outside the root element");
            if (sc->capture_depth)
                capture(sc, buf, (size_t)n);
        }
    }
    return 0;
}

static int parse_attributes(scanner_t *sc, sl_span_t qname, int *self_closing)
{
    sl_span_t prefix = prefix_of(qname);
    for (;;) {
        size_t before = sc->pos;
        skip_space(sc);
        if (sc->pos >= sc->len)
            return fail(sc, "unterminated start tag");
        if (sc->doc[sc->pos] == '>') {
            sc->pos++;
            *self_closing = 0;
            return 0;
        }
        if (starts(sc, "/>")) {
            sc->pos += 2;
            *self_closing = 1;
            return 0;
        }
        if (sc->pos == before)
            return fail(sc, "attributes must be separated by white space");
        sl_span_t name;
        if (parse_name(sc, &name) != 0)
            return -1;
        skip_space(sc);
        if (sc->pos >= sc->len || sc->doc[sc->pos] != '=')
            return fail(sc, "attribute without a value");
        sc->pos++;
        skip_space(sc);
        if (sc->pos >= sc->len || (sc->doc[sc->pos] != '"' && sc->doc[sc->pos] != '\''))
            return fail(sc, "attribute value not quoted");
        char quote = sc->doc[sc->pos++];
        size_t value_start = sc->pos;
        while (sc->pos < sc->len && sc->doc[sc->pos] != quote) {
            if (sc->doc[sc->pos] == '<')
                return fail(sc, "'<' in an attribute value");
            if (sc->doc[sc->pos] == '&') {
                char buf[4];
                if (parse_reference(sc, buf) < 0)
                    return -1;
            } else {
                sc->pos++;
            }
        }
        if (sc->pos >= sc->len)
            return fail(sc, "unterminated attribute value");
        sl_span_t value = {sc->doc + value_start, sc->pos - value_start};
        sc->pos++;
        if (sc->depth == 0) { /* namespace of the root element, for the SOAP version */
            int binds = prefix.len == 0
                            ? span_eq(name, "xmlns", 5)
                            : name.len == 6 + prefix.len && memcmp(name.ptr, "xmlns:", 6) == 0 &&
                                  memcmp(name.ptr + 6, prefix.ptr, prefix.len) == 0;
            if (binds)
                sc->s->root_ns = value;
        }
    }
}

static void trim_capture(sl_xml_scan_t *s)
{
    size_t start = 0, end = s->id_len;
    while (start < end && is_space(s->id[start]))
        start++;
    while (end > start && is_space(s->id[end - 1]))
        end--;
    memmove(s->id, s->id + start, end - start);
    s->id_len = end - start;
    s->id[s->id_len] = '\0';
}

static int parse_start_tag(scanner_t *sc)
{
    sl_span_t qname, local;
    int self_closing;
    sc->pos++; /* '<' */
    if (parse_name(sc, &qname) != 0)
        return -1;
    local = local_name(qname);
    if (sc->depth == 0) {
        if (sc->s->root_local.ptr != NULL)
            return fail(sc, "more than one root element");
        sc->s->root_local = local;
    }
    if (parse_attributes(sc, qname, &self_closing) != 0)
        return -1;
    if (sc->capture_depth)
        sc->s->flags |= SL_XML_ID_COMPLEX;
    if (sc->depth == 2 && span_eq(local, "Fault", 5) &&
        span_eq(local_name(sc->stack[1]), "Body", 4))
        sc->s->flags |= SL_XML_FAULT;
    int wanted =
        !sc->found && sc->s->want.len != 0 && span_eq(local, sc->s->want.ptr, sc->s->want.len);
    if (wanted) {
        sc->found = 1;
        sc->s->flags |= SL_XML_ID_FOUND;
        sc->s->id_len = 0;
    }
    if (self_closing) {
        if (wanted && sc->s->id_cap > 0)
            sc->s->id[0] = '\0';
        return 0;
    }
    if (sc->depth == SL_XML_MAX_DEPTH)
        return fail(sc, "elements nested too deeply");
    sc->stack[sc->depth++] = qname;
    if (wanted)
        sc->capture_depth = sc->depth;
    return 0;
}

static int parse_end_tag(scanner_t *sc)
{
    sl_span_t qname;
    sc->pos += 2; /* "</" */
    if (parse_name(sc, &qname) != 0)
        return -1;
    skip_space(sc);
    if (sc->pos >= sc->len || sc->doc[sc->pos] != '>')
        return fail(sc, "unterminated end tag");
    sc->pos++;
    if (sc->depth == 0)
        return fail(sc, "end tag without a start tag");
    sl_span_t open = sc->stack[sc->depth - 1];
    if (!span_eq(qname, open.ptr, open.len))
        return fail(sc, "end tag does not match its start tag");
    if (sc->capture_depth == sc->depth) {
        sc->capture_depth = 0;
        if (sc->s->id_cap > 0)
            trim_capture(sc->s);
    }
    sc->depth--;
    return 0;
}

/* Comments, processing instructions, CDATA and declarations: everything after '<' that is not
 * a tag. Returns 1 when the construct was not one of these. */
static int parse_markup(scanner_t *sc)
{
    if (starts(sc, "<!--"))
        return skip_past(sc, "-->", "unterminated comment");
    if (starts(sc, "<?"))
        return skip_past(sc, "?>", "unterminated processing instruction");
    if (starts(sc, "<![CDATA[")) {
        if (sc->depth == 0)
            return fail(sc, "CDATA outside the root element");
        size_t start = sc->pos + 9;
        sc->pos = start;
        if (skip_past(sc, "]]>", "unterminated CDATA section") != 0)
            return -1;
        if (sc->capture_depth)
            capture(sc, sc->doc + start, sc->pos - 3 - start);
        return 0;
    }
    if (starts(sc, "<!DOCTYPE") || starts(sc, "<!ENTITY")) {
        sc->s->flags |= SL_XML_DOCTYPE;
        return fail(sc, "DTDs and entity declarations are not allowed");
    }
    if (starts(sc, "<!"))
        return fail(sc, "unknown markup declaration");
    return 1;
}

int sl_xml_scan(const char *doc, size_t len, sl_xml_scan_t *s)
{
    scanner_t sc = {.doc = doc, .len = len, .s = s};
    s->flags = 0;
    s->id_len = 0;
    s->error = NULL;
    s->error_at = 0;
    s->root_local = (sl_span_t){NULL, 0};
    s->root_ns = (sl_span_t){NULL, 0};
    if (s->id_cap > 0)
        s->id[0] = '\0';
    if (len >= 3 && memcmp(doc, "\xEF\xBB\xBF", 3) == 0)
        sc.pos = 3;

    while (sc.pos < sc.len) {
        if (doc[sc.pos] != '<') {
            if (parse_text(&sc) != 0)
                return -1;
            continue;
        }
        int r = parse_markup(&sc);
        if (r < 0)
            return -1;
        if (r == 0)
            continue;
        if (sc.pos + 1 < sc.len && doc[sc.pos + 1] == '/')
            r = parse_end_tag(&sc);
        else if (sc.depth == 0 && s->root_local.ptr != NULL)
            r = fail(&sc, "content after the root element");
        else
            r = parse_start_tag(&sc);
        if (r != 0)
            return -1;
    }
    if (s->root_local.ptr == NULL)
        return fail(&sc, "no root element");
    if (sc.depth != 0)
        return fail(&sc, "document ends inside an element");
    if (s->flags & SL_XML_ID_TOO_LONG) {
        s->id_len = 0;
        if (s->id_cap > 0)
            s->id[0] = '\0';
    }
    return 0;
}

size_t sl_xml_escaped_len(const char *s, size_t n)
{
    size_t out = n;
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&':
            out += 4;
            break;
        case '<':
        case '>':
            out += 3;
            break;
        case '"':
        case '\'':
            out += 5;
            break;
        }
    }
    return out;
}

size_t sl_xml_escape(const char *s, size_t n, char *out)
{
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        }
        if (rep == NULL) {
            *o++ = s[i];
        } else {
            size_t r = strlen(rep);
            memcpy(o, rep, r);
            o += r;
        }
    }
    return (size_t)(o - out);
}
