/*
 * xmltree: a recursive-descent-free parser (an explicit stack of open elements) that copies
 * names and decoded text into an arena. Namespaces are resolved when an element's start tag
 * ends, so that declarations anywhere in the tag apply to it and its attributes.
 */
#include "core/xmltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xml.h"

#define XML_NS "http://www.w3.org/XML/1998/namespace"

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
} chunk_t;

struct sl_xtree {
    chunk_t *chunks;
    sl_xnode_t *root;
};

typedef struct {
    const char *doc;
    size_t len, pos;
    sl_xtree_t *t;
    const char *error;
    size_t error_at;
    char *text; /* text of the innermost open element, being gathered */
    size_t text_len, text_cap;
    sl_xnode_t *open[SL_XTREE_MAX_DEPTH];
    size_t text_mark[SL_XTREE_MAX_DEPTH]; /* text_len when each open element started */
    int depth;
} parser_t;

static void *arena(sl_xtree_t *t, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (t->chunks == NULL || t->chunks->cap - t->chunks->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        chunk_t *c = malloc(sizeof(*c) + cap);
        if (c == NULL)
            return NULL;
        c->next = t->chunks;
        c->used = 0;
        c->cap = cap;
        t->chunks = c;
    }
    void *p = t->chunks->data + t->chunks->used;
    t->chunks->used += n;
    memset(p, 0, n);
    return p;
}

static char *arena_str(sl_xtree_t *t, const char *s, size_t n)
{
    char *p = arena(t, n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int fail(parser_t *p, const char *why)
{
    if (p->error == NULL) {
        p->error = why;
        p->error_at = p->pos;
    }
    return -1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_name_char(unsigned char c, int first)
{
    if (c >= 0x80 || c == '_' || c == ':' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
        return 1;
    return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

static int starts(const parser_t *p, const char *lit)
{
    size_t n = strlen(lit);
    return p->len - p->pos >= n && memcmp(p->doc + p->pos, lit, n) == 0;
}

static void skip_space(parser_t *p)
{
    while (p->pos < p->len && is_space(p->doc[p->pos]))
        p->pos++;
}

/* Moves past the next occurrence of `end`; when the document ends first, fails at the last
 * place `end` could have started, as a scan would. */
static int skip_past(parser_t *p, const char *end, const char *why)
{
    size_t n = strlen(end);
    const char *at =
        p->pos <= p->len ? sl_xml_find_bytes(p->doc + p->pos, p->len - p->pos, end, n) : NULL;
    if (at != NULL) {
        p->pos = (size_t)(at - p->doc) + n;
        return 0;
    }
    if (p->pos + n <= p->len)
        p->pos = p->len - n + 1;
    return fail(p, why);
}

static int parse_name(parser_t *p, size_t *start, size_t *n)
{
    *start = p->pos;
    if (p->pos >= p->len || !is_name_char((unsigned char)p->doc[p->pos], 1))
        return fail(p, "expected a name");
    while (p->pos < p->len && is_name_char((unsigned char)p->doc[p->pos], 0))
        p->pos++;
    *n = p->pos - *start;
    return 0;
}

static size_t utf8_encode(unsigned long cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* At '&': decodes one reference into out (4 bytes at most). Returns its length or -1. */
static int parse_reference(parser_t *p, char out[4])
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    p->pos++;
    if (p->pos < p->len && p->doc[p->pos] == '#') {
        unsigned long cp = 0;
        int hex = ++p->pos < p->len && p->doc[p->pos] == 'x', digits = 0;
        p->pos += (size_t)hex;
        for (; p->pos < p->len && p->doc[p->pos] != ';'; p->pos++, digits++) {
            char c = p->doc[p->pos];
            int d = c >= '0' && c <= '9'          ? c - '0'
                    : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
            if (d < 0 || digits > 8)
                return fail(p, "bad character reference");
            cp = cp * (hex ? 16 : 10) + (unsigned long)d;
        }
        if (p->pos >= p->len || digits == 0 || cp == 0 || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return fail(p, "bad character reference");
        p->pos++;
        return (int)utf8_encode(cp, out);
    }
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        if (starts(p, named[i].name)) {
            p->pos += strlen(named[i].name);
            out[0] = named[i].c;
            return 1;
        }
    }
    return fail(p, "undeclared entity reference");
}

static int add_text(parser_t *p, const char *s, size_t n)
{
    if (p->text_len + n + 1 > p->text_cap) {
        size_t cap = p->text_cap ? p->text_cap : 256;
        while (cap < p->text_len + n + 1)
            cap *= 2;
        char *t = realloc(p->text, cap);
        if (t == NULL)
            return fail(p, "out of memory");
        p->text = t;
        p->text_cap = cap;
    }
    memcpy(p->text + p->text_len, s, n);
    p->text_len += n;
    return 0;
}

static int parse_text(parser_t *p)
{
    while (p->pos < p->len && p->doc[p->pos] != '<') {
        size_t run = p->pos;
        while (p->pos < p->len && p->doc[p->pos] != '<' && p->doc[p->pos] != '&')
            p->pos++;
        if (p->depth == 0) {
            for (size_t i = run; i < p->pos; i++)
                if (!is_space(p->doc[i]))
                    return fail(p, "text outside the root element");
        } else if (add_text(p, p->doc + run, p->pos - run) != 0) {
            return -1;
        }
        if (p->pos < p->len && p->doc[p->pos] == '&') {
            char buf[4];
            int n = parse_reference(p, buf);
            if (n < 0)
                return -1;
            if (p->depth == 0)
                return fail(p, "reference outside the root element");
            if (add_text(p, buf, (size_t)n) != 0)
                return -1;
        }
    }
    return 0;
}

/* The namespace a prefix (n bytes) stands for, looking outward from element e. */
static const char *resolve(const sl_xnode_t *e, const char *prefix, size_t n)
{
    if (n == 3 && memcmp(prefix, "xml", 3) == 0)
        return XML_NS;
    for (; e != NULL; e = e->parent)
        for (int i = 0; i < e->nns; i++)
            if (strlen(e->ns_prefixes[i]) == n && memcmp(e->ns_prefixes[i], prefix, n) == 0)
                return e->ns_uris[i];
    return n == 0 ? "" : NULL;
}

/* Splits a qualified name into its local part and the namespace of its prefix. */
static int qualify(parser_t *p, const sl_xnode_t *scope, const char *name, int is_attr,
                   const char **local, const char **ns)
{
    const char *colon = strchr(name, ':');
    if (colon == NULL) {
        *local = name;
        *ns = is_attr ? "" : resolve(scope, "", 0);
        return 0;
    }
    if (colon == name || colon[1] == '\0' || strchr(colon + 1, ':') != NULL)
        return fail(p, "bad qualified name");
    *local = colon + 1;
    *ns = resolve(scope, name, (size_t)(colon - name));
    return *ns != NULL ? 0 : fail(p, "undeclared namespace prefix");
}

typedef struct {
    const char *name, *value;
} raw_attr_t;

static int parse_start_tag(parser_t *p)
{
    raw_attr_t raw[256];
    int nraw = 0, nns = 0, self_closing = 0;
    size_t start, n;
    p->pos++; /* '<' */
    if (parse_name(p, &start, &n) != 0)
        return -1;
    sl_xnode_t *e = arena(p->t, sizeof(*e));
    if (e == NULL || (e->name = arena_str(p->t, p->doc + start, n)) == NULL)
        return fail(p, "out of memory");
    e->parent = p->depth > 0 ? p->open[p->depth - 1] : NULL;
    for (;;) {
        size_t before = p->pos;
        skip_space(p);
        if (p->pos >= p->len)
            return fail(p, "unterminated start tag");
        if (p->doc[p->pos] == '>' || starts(p, "/>")) {
            self_closing = p->doc[p->pos] == '/';
            p->pos += 1 + (size_t)self_closing;
            break;
        }
        if (p->pos == before)
            return fail(p, "attributes must be separated by white space");
        if (nraw == 256)
            return fail(p, "more than 256 attributes");
        if (parse_name(p, &start, &n) != 0)
            return -1;
        raw[nraw].name = arena_str(p->t, p->doc + start, n);
        skip_space(p);
        if (p->pos >= p->len || p->doc[p->pos] != '=')
            return fail(p, "attribute without a value");
        p->pos++;
        skip_space(p);
        if (p->pos >= p->len || (p->doc[p->pos] != '"' && p->doc[p->pos] != '\''))
            return fail(p, "attribute value not quoted");
        char quote = p->doc[p->pos++];
        size_t mark = p->text_len; /* the value is decoded at the end of the text buffer */
        if (raw[nraw].name == NULL)
            return fail(p, "out of memory");
        while (p->pos < p->len && p->doc[p->pos] != quote) {
            char c = p->doc[p->pos], buf[4];
            int m = 1;
            if (c == '<')
                return fail(p, "'<' in an attribute value");
            if (c == '&') {
                if ((m = parse_reference(p, buf)) < 0)
                    return -1;
            } else {
                buf[0] = is_space(c) ? ' ' : c; /* attribute value normalisation */
                p->pos++;
            }
            if (add_text(p, buf, (size_t)m) != 0)
                return -1;
        }
        if (p->pos >= p->len)
            return fail(p, "unterminated attribute value");
        p->pos++;
        char *value = arena_str(p->t, p->text != NULL ? p->text + mark : "", p->text_len - mark);
        p->text_len = mark;
        if (value == NULL)
            return fail(p, "out of memory");
        raw[nraw].value = value;
        for (int i = 0; i < nraw; i++)
            if (strcmp(raw[i].name, raw[nraw].name) == 0)
                return fail(p, "attribute given twice");
        nns += strcmp(raw[nraw].name, "xmlns") == 0 || strncmp(raw[nraw].name, "xmlns:", 6) == 0;
        nraw++;
    }
    /* declarations first: they apply to the element's own name and attributes */
    e->ns_prefixes = arena(p->t, (size_t)(nns + 1) * sizeof(char *));
    e->ns_uris = arena(p->t, (size_t)(nns + 1) * sizeof(char *));
    e->attrs = arena(p->t, (size_t)(nraw - nns + 1) * sizeof(sl_xattr_t));
    if (e->ns_prefixes == NULL || e->ns_uris == NULL || e->attrs == NULL)
        return fail(p, "out of memory");
    for (int i = 0; i < nraw; i++) {
        if (strcmp(raw[i].name, "xmlns") == 0 || strncmp(raw[i].name, "xmlns:", 6) == 0) {
            const char *prefix = raw[i].name[5] == ':' ? raw[i].name + 6 : "";
            if (*prefix != '\0' && raw[i].value[0] == '\0')
                return fail(p, "a namespace prefix bound to an empty URI");
            e->ns_prefixes[e->nns] = prefix;
            e->ns_uris[e->nns++] = raw[i].value;
        }
    }
    if (qualify(p, e, e->name, 0, &e->local, &e->ns) != 0)
        return -1;
    for (int i = 0; i < nraw; i++) {
        if (strcmp(raw[i].name, "xmlns") == 0 || strncmp(raw[i].name, "xmlns:", 6) == 0)
            continue;
        sl_xattr_t *a = &e->attrs[e->nattrs++];
        a->name = raw[i].name;
        a->value = raw[i].value;
        if (qualify(p, e, a->name, 1, &a->local, &a->ns) != 0)
            return -1;
    }
    if (e->parent == NULL) {
        if (p->t->root != NULL)
            return fail(p, "more than one root element");
        p->t->root = e;
    } else if (e->parent->last_child == NULL) {
        e->parent->first_child = e->parent->last_child = e;
    } else {
        e->parent->last_child->next = e;
        e->parent->last_child = e;
    }
    e->text = "";
    if (self_closing)
        return 0;
    if (p->depth == SL_XTREE_MAX_DEPTH)
        return fail(p, "elements nested too deeply");
    p->text_mark[p->depth] = p->text_len;
    p->open[p->depth++] = e;
    return 0;
}

static int parse_end_tag(parser_t *p)
{
    size_t start, n;
    p->pos += 2; /* "</" */
    if (parse_name(p, &start, &n) != 0)
        return -1;
    skip_space(p);
    if (p->pos >= p->len || p->doc[p->pos] != '>')
        return fail(p, "unterminated end tag");
    p->pos++;
    if (p->depth == 0)
        return fail(p, "end tag without a start tag");
    sl_xnode_t *e = p->open[p->depth - 1];
    if (strlen(e->name) != n || memcmp(e->name, p->doc + start, n) != 0)
        return fail(p, "end tag does not match its start tag");
    /* the element's own text is what was gathered since its start, children's excluded
     * (each child takes its share off the buffer when it closes) */
    size_t mark = p->text_mark[p->depth - 1];
    e->text_len = p->text_len - mark;
    e->text = arena_str(p->t, p->text != NULL ? p->text + mark : "", e->text_len);
    if (e->text == NULL)
        return fail(p, "out of memory");
    p->text_len = mark;
    p->depth--;
    return 0;
}

static int parse_markup(parser_t *p)
{
    if (starts(p, "<!--"))
        return skip_past(p, "-->", "unterminated comment");
    if (starts(p, "<?"))
        return skip_past(p, "?>", "unterminated processing instruction");
    if (starts(p, "<![CDATA[")) {
        if (p->depth == 0)
            return fail(p, "CDATA outside the root element");
        size_t start = p->pos + 9;
        p->pos = start;
        if (skip_past(p, "]]>", "unterminated CDATA section") != 0)
            return -1;
        return add_text(p, p->doc + start, p->pos - 3 - start);
    }
    if (starts(p, "<!DOCTYPE") || starts(p, "<!ENTITY"))
        return fail(p, "DTDs and entity declarations are not allowed");
    if (starts(p, "<!"))
        return fail(p, "unknown markup declaration");
    return 1;
}

sl_xtree_t *sl_xtree_parse(const char *doc, size_t len, char *err, size_t errlen)
{
    parser_t p = {.doc = doc, .len = len};
    p.t = calloc(1, sizeof(*p.t));
    if (p.t == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (len >= 3 && memcmp(doc, "\xEF\xBB\xBF", 3) == 0)
        p.pos = 3;
    while (p.pos < p.len) {
        int r;
        if (doc[p.pos] != '<') {
            r = parse_text(&p);
        } else if ((r = parse_markup(&p)) == 1) {
            if (p.pos + 1 < p.len && doc[p.pos + 1] == '/')
                r = parse_end_tag(&p);
            else if (p.depth == 0 && p.t->root != NULL)
                r = fail(&p, "content after the root element");
            else
                r = parse_start_tag(&p);
        }
        if (r < 0)
            break;
    }
    if (p.error == NULL && p.t->root == NULL)
        fail(&p, "no root element");
    if (p.error == NULL && p.depth != 0)
        fail(&p, "document ends inside an element");
    free(p.text);
    if (p.error != NULL) {
        snprintf(err, errlen, "byte %zu: %s", p.error_at, p.error);
        sl_xtree_free(p.t);
        return NULL;
    }
    return p.t;
}

void sl_xtree_free(sl_xtree_t *t)
{
    if (t == NULL)
        return;
    while (t->chunks != NULL) {
        chunk_t *next = t->chunks->next;
        free(t->chunks);
        t->chunks = next;
    }
    free(t);
}

sl_xnode_t *sl_xtree_root(const sl_xtree_t *t)
{
    return t->root;
}

static int matches(const sl_xnode_t *n, const char *ns, const char *local)
{
    return (ns == NULL || strcmp(n->ns, ns) == 0) &&
           (local == NULL || strcmp(n->local, local) == 0);
}

sl_xnode_t *sl_xnode_child(const sl_xnode_t *n, const char *ns, const char *local)
{
    for (sl_xnode_t *c = n->first_child; c != NULL; c = c->next)
        if (matches(c, ns, local))
            return c;
    return NULL;
}

sl_xnode_t *sl_xnode_next_match(const sl_xnode_t *top, const sl_xnode_t *from, const char *ns,
                                const char *local)
{
    const sl_xnode_t *n = from;
    for (;;) {
        if (n->first_child != NULL) {
            n = n->first_child;
        } else {
            while (n != top && n->next == NULL)
                n = n->parent;
            if (n == top)
                return NULL;
            n = n->next;
        }
        if (matches(n, ns, local))
            return (sl_xnode_t *)n;
    }
}

const char *sl_xnode_attr(const sl_xnode_t *n, const char *ns, const char *local)
{
    for (int i = 0; i < n->nattrs; i++)
        if ((ns == NULL || strcmp(n->attrs[i].ns, ns) == 0) &&
            strcmp(n->attrs[i].local, local) == 0)
            return n->attrs[i].value;
    return NULL;
}

const char *sl_xnode_lookup_ns(const sl_xnode_t *n, const char *prefix)
{
    return resolve(n, prefix, strlen(prefix));
}
