/*
 * wsdl_gen: sample XML from XML Schema declarations (sequence/all/choice, refs, groups,
 * extension, attributes, simple types). A sample is one plausible instance: optional and
 * repeated parts are written once with an XML comment, a choice takes its first branch; what
 * is not declared becomes a placeholder comment and a warning; a budget bounds its size.
 */
#include "tools/wsdl_gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/wsdl_lua.h"
#include "tools/wsdl_text.h"

#define ID_MARK SL_WSDL_GEN_ID_MARK
#define MAX_NS 64
#define XOP_NS "http://www.w3.org/2004/08/xop/include"
/* groups and attribute groups nest (and may refer to themselves) without a type between */
#define MAX_NEST 64
/* particles visited per body: groups of groups can multiply without writing anything */
#define MAX_STEPS 1000000

typedef struct {
    const sl_wsdl_t *w;
    const char *id_element;
    int has_id;
    const char *ns[MAX_NS];
    char prefix[MAX_NS][32];
    int nns;
    const sl_xnode_t *stack[SL_WSDL_GEN_MAX_DEPTH]; /* types being expanded */
    int depth;
    size_t used;              /* bytes of elements written, against SL_WSDL_GEN_MAX_BYTES */
    long steps;               /* particles visited, against MAX_STEPS */
    int nest;                 /* particles and attribute groups being expanded, against MAX_NEST */
    int cut;                  /* the budget ran out: the rest of the body is left out */
    const char *op;           /* the operation's name, for warnings */
    sl_wsdl_warnings_t *warn; /* where what is missing is said, or NULL */
    int too_deep;             /* MAX_NEST was reached (said once) */
    const sl_xnode_t *groups[MAX_NEST]; /* groups and attribute groups being expanded */
    int ngroups;
    char *err;
    size_t errlen;
    int failed;
} gen_t;

/* Something the sample needs is not declared (an import that could not be read, mostly):
 * a warning naming it, and (out not NULL) an XML comment where it goes. */
static void missing(gen_t *g, sl_buf_t *out, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void missing(gen_t *g, sl_buf_t *out, int level, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (g->warn != NULL)
        sl_wsdl_warn(g->warn, "operation %s: %s: the sample has a placeholder", g->op, s);
    if (out != NULL)
        sl_wsdl_text_note(out, level, "%s: sample placeholder, write this part", s);
    free(s);
}

static int is_xsd(const sl_xnode_t *n, const char *local)
{
    return strcmp(n->ns, SL_XSD_NS) == 0 && (local == NULL || strcmp(n->local, local) == 0);
}

static const char *attr(const sl_xnode_t *n, const char *name)
{
    return sl_xnode_attr(n, "", name);
}

/* The prefix standing for ns in the sample ("" for no namespace), declared on the root. */
static const char *prefix_of(gen_t *g, const char *ns)
{
    if (ns == NULL || ns[0] == '\0')
        return "";
    for (int i = 0; i < g->nns; i++)
        if (strcmp(g->ns[i], ns) == 0)
            return g->prefix[i];
    if (g->nns == MAX_NS) {
        snprintf(g->err, g->errlen, "more than %d namespaces in one body", MAX_NS);
        g->failed = 1;
        return "x";
    }
    char want[32] = "";
    /* the prefix the WSDL itself uses, when it is free and short */
    for (int d = 0; d < g->w->ndefs && !want[0]; d++) {
        const sl_xnode_t *defs = g->w->defs[d];
        for (int i = 0; i < defs->nns && !want[0]; i++) {
            const char *p = defs->ns_prefixes[i];
            if (strcmp(defs->ns_uris[i], ns) != 0 || !p[0] || strlen(p) >= sizeof(want) ||
                strncmp(p, "xml", 3) == 0)
                continue;
            int used = 0;
            for (int j = 0; j < g->nns; j++)
                used |= strcmp(g->prefix[j], p) == 0;
            if (!used)
                snprintf(want, sizeof(want), "%s", p);
        }
    }
    for (int k = 1; !want[0]; k++) {
        snprintf(want, sizeof(want), "ns%d", k);
        for (int j = 0; j < g->nns; j++)
            if (strcmp(g->prefix[j], want) == 0)
                want[0] = '\0';
    }
    g->ns[g->nns] = ns;
    snprintf(g->prefix[g->nns], sizeof(g->prefix[0]), "%s", want);
    return g->prefix[g->nns++];
}

static void put_qname(gen_t *g, sl_buf_t *b, const char *ns, const char *local)
{
    const char *p = prefix_of(g, ns);
    if (p[0])
        sl_wsdl_text_putf(b, "%s:", p);
    sl_wsdl_lua_xml_name(b, local);
}

/* An element whose content cannot be typed: written empty but for a comment saying why, and a
 * warning. */
static void placeholder(gen_t *g, sl_buf_t *out, int level, const char *ns, const char *local,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void placeholder(gen_t *g, sl_buf_t *out, int level, const char *ns, const char *local,
                        const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    sl_wsdl_text_indent(out, level);
    sl_wsdl_text_put(out, "<");
    put_qname(g, out, ns, local);
    sl_wsdl_text_put(out, ">\n");
    missing(g, out, level + 1, "%s", s);
    sl_wsdl_text_indent(out, level);
    sl_wsdl_text_put(out, "</");
    put_qname(g, out, ns, local);
    sl_wsdl_text_put(out, ">\n");
    free(s);
}

static const sl_xnode_t *resolve(gen_t *g, const sl_xnode_t *at, const char *q, const char *kind,
                                 const char **ns, const char **local)
{
    if (sl_wsdl_qname(g->w, at, q, ns, local) != 0)
        return NULL;
    return sl_wsdl_global(g->w, kind, *ns, *local);
}

static int simple_sample(gen_t *g, const sl_xnode_t *st, sl_buf_t *text, int level);

/* Sample text of the simple type named by QName q (written at `at`). */
static int named_simple_sample(gen_t *g, const sl_xnode_t *at, const char *q, sl_buf_t *text,
                               int level)
{
    const char *ns, *local;
    if (sl_wsdl_qname(g->w, at, q, &ns, &local) != 0) {
        missing(g, NULL, 0, "type %s: undeclared prefix", q);
        sl_wsdl_text_put(text, "string");
        return 0;
    }
    if (sl_wsdl_text_is_builtin(ns, local)) {
        sl_wsdl_text_escaped(text, sl_wsdl_text_builtin(local));
        return 0;
    }
    const sl_xnode_t *st = sl_wsdl_global(g->w, "simpleType", ns, local);
    if (st == NULL) {
        missing(g, NULL, 0, "simple type {%s}%s is not declared", ns, local);
        sl_wsdl_text_put(text, "string");
        return 0;
    }
    return simple_sample(g, st, text, level + 1);
}

static int simple_sample(gen_t *g, const sl_xnode_t *st, sl_buf_t *text, int level)
{
    if (level > SL_WSDL_GEN_MAX_DEPTH) {
        sl_wsdl_text_put(text, "string");
        return 0;
    }
    const sl_xnode_t *r = sl_xnode_child(st, SL_XSD_NS, "restriction");
    const sl_xnode_t *list = sl_xnode_child(st, SL_XSD_NS, "list");
    const sl_xnode_t *un = sl_xnode_child(st, SL_XSD_NS, "union");
    if (r != NULL) {
        const sl_xnode_t *en = sl_xnode_child(r, SL_XSD_NS, "enumeration");
        if (en != NULL && attr(en, "value") != NULL) {
            sl_wsdl_text_escaped(text, attr(en, "value"));
            return 0;
        }
        const sl_xnode_t *mi = sl_xnode_child(r, SL_XSD_NS, "minInclusive");
        if (mi != NULL && attr(mi, "value") != NULL) {
            sl_wsdl_text_escaped(text, attr(mi, "value"));
            return 0;
        }
        sl_buf_t base = {0};
        int rc = 0;
        const sl_xnode_t *inner = sl_xnode_child(r, SL_XSD_NS, "simpleType");
        if (attr(r, "base") != NULL)
            rc = named_simple_sample(g, r, attr(r, "base"), &base, level);
        else if (inner != NULL)
            rc = simple_sample(g, inner, &base, level + 1);
        else
            sl_wsdl_text_put(&base, "string");
        const sl_xnode_t *len = sl_xnode_child(r, SL_XSD_NS, "length");
        const sl_xnode_t *minl = sl_xnode_child(r, SL_XSD_NS, "minLength");
        const sl_xnode_t *maxl = sl_xnode_child(r, SL_XSD_NS, "maxLength");
        long want_min = len    ? atol(attr(len, "value") ? attr(len, "value") : "0")
                        : minl ? atol(attr(minl, "value") ? attr(minl, "value") : "0")
                               : 0;
        long want_max = len    ? want_min
                        : maxl ? atol(attr(maxl, "value") ? attr(maxl, "value") : "0")
                               : -1;
        if (rc == 0) {
            size_t n = base.len;
            if (want_max >= 0 && n > (size_t)want_max)
                n = (size_t)want_max;
            if (n > 0)
                sl_buf_append(text, base.data, n);
            for (long i = (long)n; i < want_min && i < 4096; i++)
                sl_wsdl_text_put(text, "x");
        }
        sl_buf_free(&base);
        return rc;
    }
    if (list != NULL) {
        if (attr(list, "itemType") != NULL)
            return named_simple_sample(g, list, attr(list, "itemType"), text, level);
        const sl_xnode_t *inner = sl_xnode_child(list, SL_XSD_NS, "simpleType");
        return inner ? simple_sample(g, inner, text, level + 1)
                     : (sl_wsdl_text_put(text, "string"), 0);
    }
    if (un != NULL) {
        const char *members = attr(un, "memberTypes");
        if (members != NULL && members[0]) {
            char first[256];
            size_t n = strcspn(members, " \t\r\n");
            snprintf(first, sizeof(first), "%.*s", (int)n, members);
            return named_simple_sample(g, un, first, text, level);
        }
        const sl_xnode_t *inner = sl_xnode_child(un, SL_XSD_NS, "simpleType");
        return inner ? simple_sample(g, inner, text, level + 1)
                     : (sl_wsdl_text_put(text, "string"), 0);
    }
    sl_wsdl_text_put(text, "string");
    return 0;
}

/* What an element's content comes out as. */
typedef struct {
    sl_buf_t attrs; /* ' a="v"' ... */
    sl_buf_t kids;  /* child lines, each indented and ending in '\n' */
    sl_buf_t text;  /* simple content */
    sl_buf_t notes; /* comment lines to write before the element */
    int simple;     /* text content (no child elements) */
} content_t;

static void content_free(content_t *c)
{
    sl_buf_free(&c->attrs);
    sl_buf_free(&c->kids);
    sl_buf_free(&c->text);
    sl_buf_free(&c->notes);
}

static int element(gen_t *g, const sl_xnode_t *decl, int global, int level, sl_buf_t *out);
static int complex_type(gen_t *g, const sl_xnode_t *ct, int level, content_t *c);

static int on_group_stack(gen_t *g, const sl_xnode_t *n)
{
    for (int i = 0; i < g->ngroups; i++)
        if (g->groups[i] == n)
            return 1;
    return 0;
}

static int on_stack(gen_t *g, const sl_xnode_t *n)
{
    for (int i = 0; i < g->depth; i++)
        if (g->stack[i] == n)
            return 1;
    return 0;
}

/* Whether the body's budget is spent; the first time, says so in the sample. A budget in bytes
 * (not only a depth) bounds types that each hold several of the next: 22 levels of two are
 * 4 million elements. */
static int spent(gen_t *g, sl_buf_t *out, int level)
{
    if (g->used < SL_WSDL_GEN_MAX_BYTES && g->steps < MAX_STEPS)
        return 0;
    if (!g->cut)
        sl_wsdl_text_note(out, level,
                          "sample budget of %d bytes spent: the rest of this body is left out",
                          SL_WSDL_GEN_MAX_BYTES);
    g->cut = 1;
    return 1;
}

/* The first global element that is not abstract and names {ns}local as its
 * substitutionGroup, or NULL. */
static const sl_xnode_t *substitute(gen_t *g, const char *ns, const char *local)
{
    for (int i = 0; i < g->w->nschemas; i++)
        for (const sl_xnode_t *e = g->w->schemas[i].node->first_child; e != NULL; e = e->next) {
            const char *sg = attr(e, "substitutionGroup"), *abstract = attr(e, "abstract");
            const char *sns, *slocal;
            if (is_xsd(e, "element") && sg != NULL && attr(e, "name") != NULL &&
                (abstract == NULL || strcmp(abstract, "true") != 0) &&
                sl_wsdl_qname(g->w, e, sg, &sns, &slocal) == 0 && strcmp(sns, ns) == 0 &&
                strcmp(slocal, local) == 0)
                return e;
        }
    return NULL;
}

static int max_occurs_many(const char *max)
{
    return max != NULL && (strcmp(max, "unbounded") == 0 || atol(max) > 1);
}

static int particle_in(gen_t *g, const sl_xnode_t *p, int level, sl_buf_t *out);

static int particle(gen_t *g, const sl_xnode_t *p, int level, sl_buf_t *out)
{
    if (g->nest == MAX_NEST) {
        if (!g->too_deep)
            sl_wsdl_text_note(out, level, "particles nested more than %d deep: left out", MAX_NEST);
        g->too_deep = 1;
        return 0;
    }
    g->steps++;
    if (spent(g, out, level))
        return 0;
    g->nest++;
    int rc = particle_in(g, p, level, out);
    g->nest--;
    return rc;
}

static int particle_in(gen_t *g, const sl_xnode_t *p, int level, sl_buf_t *out)
{
    if (is_xsd(p, "element"))
        return element(g, p, 0, level, out);
    if (is_xsd(p, "any")) {
        const char *ns = attr(p, "namespace");
        sl_wsdl_text_indent(out, level);
        sl_wsdl_text_put(out, "<!-- any element");
        if (ns != NULL) {
            sl_wsdl_text_put(out, " from ");
            sl_wsdl_text_comment(out, ns);
        }
        sl_wsdl_text_put(out, " may go here -->\n");
        return 0;
    }
    if (is_xsd(p, "group")) {
        const char *ns, *local;
        const sl_xnode_t *grp =
            attr(p, "ref") ? resolve(g, p, attr(p, "ref"), "group", &ns, &local) : p;
        if (grp == NULL) {
            missing(g, out, level, "group %s is not declared", attr(p, "ref"));
            return 0;
        }
        if (on_group_stack(g, grp) || g->ngroups == MAX_NEST) {
            sl_wsdl_text_note(out, level, "group %s contains itself: left out", attr(p, "ref"));
            return 0;
        }
        int rc = 0;
        g->groups[g->ngroups++] = grp;
        for (const sl_xnode_t *c = grp->first_child; c != NULL; c = c->next)
            if (is_xsd(c, "sequence") || is_xsd(c, "choice") || is_xsd(c, "all")) {
                rc = particle(g, c, level, out);
                break;
            }
        g->ngroups--;
        return rc;
    }
    int choice = is_xsd(p, "choice");
    if (!choice && !is_xsd(p, "sequence") && !is_xsd(p, "all"))
        return 0;
    if (max_occurs_many(attr(p, "maxOccurs"))) {
        sl_wsdl_text_note(out, level, "this %s may repeat (maxOccurs=%s)", p->local,
                          attr(p, "maxOccurs"));
    }
    if (attr(p, "minOccurs") != NULL && strcmp(attr(p, "minOccurs"), "0") == 0) {
        sl_wsdl_text_note(out, level, "this %s is optional (minOccurs=0)", p->local);
    }
    int first = 1;
    for (const sl_xnode_t *c = p->first_child; c != NULL; c = c->next) {
        if (!is_xsd(c, NULL) || is_xsd(c, "annotation"))
            continue;
        if (choice && !first)
            continue;
        if (choice) {
            sl_wsdl_text_indent(out, level);
            sl_wsdl_text_put(out, "<!-- choice: one of");
            for (const sl_xnode_t *o = c; o != NULL; o = o->next) {
                if (!is_xsd(o, NULL) || is_xsd(o, "annotation"))
                    continue;
                const char *n = attr(o, "name") ? attr(o, "name") : attr(o, "ref");
                sl_wsdl_text_put(out, o == c ? " " : " | ");
                sl_wsdl_text_comment(out, n ? n : o->local);
            }
            sl_wsdl_text_put(out, "; the first is written -->\n");
        }
        first = 0;
        if (particle(g, c, level, out) != 0)
            return -1;
    }
    return 0;
}

/* The value for an attribute declaration (or reference) into c->attrs, or its name into
 * `optional` when it is optional. */
static int attribute(gen_t *g, const sl_xnode_t *a, content_t *c, sl_buf_t *optional)
{
    const char *use = attr(a, "use");
    const sl_xnode_t *decl = a;
    const char *ns = "", *local = attr(a, "name");
    if (use != NULL && strcmp(use, "prohibited") == 0)
        return 0;
    if (attr(a, "ref") != NULL) {
        decl = resolve(g, a, attr(a, "ref"), "attribute", &ns, &local);
        if (decl == NULL) {
            if (strcmp(ns, "http://www.w3.org/XML/1998/namespace") != 0)
                missing(g, NULL, 0, "attribute %s is not declared (left out)", attr(a, "ref"));
            return 0;
        }
    } else {
        const sl_wsdl_schema_t *s = sl_wsdl_schema_of(g->w, a);
        const char *form = attr(a, "form");
        if (s != NULL && (form ? strcmp(form, "qualified") == 0 : s->attr_qualified))
            ns = s->tns;
    }
    if (local == NULL)
        return 0;
    if (use == NULL || strcmp(use, "required") != 0) {
        if (optional->len > 0)
            sl_wsdl_text_put(optional, ", ");
        sl_wsdl_text_comment(optional, local);
        return 0;
    }
    sl_wsdl_text_put(&c->attrs, " ");
    put_qname(g, &c->attrs, ns, local);
    sl_wsdl_text_put(&c->attrs, "=\"");
    const char *fixed = attr(decl, "fixed") ? attr(decl, "fixed") : attr(a, "fixed");
    const char *def = attr(decl, "default");
    const sl_xnode_t *st = sl_xnode_child(decl, SL_XSD_NS, "simpleType");
    int rc = 0;
    if (fixed != NULL || def != NULL)
        sl_wsdl_text_escaped(&c->attrs, fixed ? fixed : def);
    else if (attr(decl, "type") != NULL)
        rc = named_simple_sample(g, decl, attr(decl, "type"), &c->attrs, 0);
    else if (st != NULL)
        rc = simple_sample(g, st, &c->attrs, 0);
    else
        sl_wsdl_text_put(&c->attrs, "string");
    sl_wsdl_text_put(&c->attrs, "\"");
    return rc;
}

static int attributes_of(gen_t *g, const sl_xnode_t *n, content_t *c, sl_buf_t *optional)
{
    for (const sl_xnode_t *a = n->first_child; a != NULL; a = a->next) {
        if (is_xsd(a, "attribute")) {
            if (attribute(g, a, c, optional) != 0)
                return -1;
        } else if (is_xsd(a, "attributeGroup")) {
            const char *ns, *local;
            const sl_xnode_t *grp =
                attr(a, "ref") ? resolve(g, a, attr(a, "ref"), "attributeGroup", &ns, &local) : a;
            if (grp == NULL) {
                missing(g, NULL, 0, "attributeGroup %s is not declared (left out)", attr(a, "ref"));
                continue;
            }
            /* a group that contains itself, or a stack full of groups, adds nothing more */
            if (grp != a && !on_group_stack(g, grp) && g->ngroups < MAX_NEST) {
                g->groups[g->ngroups++] = grp;
                int rc = attributes_of(g, grp, c, optional);
                g->ngroups--;
                if (rc != 0)
                    return -1;
            }
        }
    }
    return 0;
}

/* The particles and attributes directly inside n (a complexType, extension or restriction). */
static int model_of(gen_t *g, const sl_xnode_t *n, int level, content_t *c)
{
    sl_buf_t optional = {0};
    int rc = 0;
    for (const sl_xnode_t *k = n->first_child; k != NULL && rc == 0; k = k->next)
        if (is_xsd(k, "sequence") || is_xsd(k, "choice") || is_xsd(k, "all") ||
            is_xsd(k, "group")) {
            c->simple = 0;
            rc = particle(g, k, level, &c->kids);
        }
    if (rc == 0)
        rc = attributes_of(g, n, c, &optional);
    if (rc == 0 && optional.len > 0)
        sl_wsdl_text_putf(&c->notes, "<!-- optional attributes: %s -->", optional.data);
    sl_buf_free(&optional);
    return rc;
}

/* Content of a type derived from the type named base (at `at`). */
static int base_type(gen_t *g, const sl_xnode_t *at, const char *base, int level, content_t *c)
{
    const char *ns, *local;
    if (sl_wsdl_qname(g->w, at, base, &ns, &local) != 0) {
        missing(g, &c->kids, level, "base type %s: undeclared prefix", base);
        return 0;
    }
    if (sl_wsdl_text_is_builtin(ns, local)) {
        if (strcmp(local, "anyType") != 0) {
            c->simple = 1;
            sl_wsdl_text_escaped(&c->text, sl_wsdl_text_builtin(local));
        }
        return 0;
    }
    const sl_xnode_t *ct = sl_wsdl_global(g->w, "complexType", ns, local);
    if (ct != NULL)
        return complex_type(g, ct, level, c);
    const sl_xnode_t *st = sl_wsdl_global(g->w, "simpleType", ns, local);
    if (st != NULL) {
        c->simple = 1;
        return simple_sample(g, st, &c->text, 0);
    }
    missing(g, &c->kids, level, "base type {%s}%s is not declared", ns, local);
    return 0;
}

static int complex_type(gen_t *g, const sl_xnode_t *ct, int level, content_t *c)
{
    if (g->depth == SL_WSDL_GEN_MAX_DEPTH) {
        sl_wsdl_text_indent(&c->kids, level);
        sl_wsdl_text_put(&c->kids, "<!-- nested too deep: left out -->\n");
        return 0;
    }
    g->stack[g->depth++] = ct;
    int rc = 0;
    const sl_xnode_t *sc = sl_xnode_child(ct, SL_XSD_NS, "simpleContent");
    const sl_xnode_t *cc = sl_xnode_child(ct, SL_XSD_NS, "complexContent");
    const sl_xnode_t *d = sc ? sc : cc;
    if (d != NULL) {
        const sl_xnode_t *ext = sl_xnode_child(d, SL_XSD_NS, "extension");
        const sl_xnode_t *res = sl_xnode_child(d, SL_XSD_NS, "restriction");
        const sl_xnode_t *how = ext ? ext : res;
        if (how != NULL && attr(how, "base") != NULL && (ext != NULL || sc != NULL)) {
            content_t base = {0};
            rc = base_type(g, how, attr(how, "base"), level, &base);
            sl_wsdl_text_put_buf(&c->attrs, &base.attrs);
            sl_wsdl_text_put_buf(&c->kids, &base.kids);
            if (base.notes.len > 0)
                sl_wsdl_text_put_buf(&c->notes, &base.notes);
            if (res != NULL && sc != NULL) {
                c->simple = 1;
                rc = rc ? rc : simple_sample(g, res, &c->text, 0);
            } else if (base.simple) {
                c->simple = 1;
                sl_wsdl_text_put_buf(&c->text, &base.text);
            }
            content_free(&base);
        }
        if (rc == 0 && how != NULL)
            rc = model_of(g, how, level, c);
    } else {
        rc = model_of(g, ct, level, c);
    }
    g->depth--;
    return rc;
}

static void put_notes(sl_buf_t *out, int level, const char *note)
{
    sl_wsdl_text_indent(out, level);
    sl_wsdl_text_put(out, note);
    sl_wsdl_text_put(out, "\n");
}

/* Writes the sample of element declaration decl (global: a top-level xsd:element). */
static int element(gen_t *g, const sl_xnode_t *decl, int global, int level, sl_buf_t *out)
{
    const char *min = attr(decl, "minOccurs"), *max = attr(decl, "maxOccurs");
    const char *ns = "", *local = attr(decl, "name");
    if (attr(decl, "ref") != NULL) {
        ns = NULL;
        const sl_xnode_t *ref = resolve(g, decl, attr(decl, "ref"), "element", &ns, &local);
        if (ns != NULL && strcmp(ns, XOP_NS) == 0) {
            sl_wsdl_text_note(
                out, level,
                "xop:Include (MTOM) may go here: soapload sends no attachments, so the "
                "binary content goes inline as base64 text of the enclosing element");
            return 0;
        }
        if (ref == NULL) {
            if (ns == NULL)
                missing(g, out, level, "element %s: undeclared prefix", attr(decl, "ref"));
            else
                placeholder(g, out, level, ns, local, "element %s is not declared",
                            attr(decl, "ref"));
            return 0;
        }
        decl = ref;
        global = 1;
    } else {
        const sl_wsdl_schema_t *s = sl_wsdl_schema_of(g->w, decl);
        const char *form = attr(decl, "form");
        if (s != NULL && (global || (form ? strcmp(form, "qualified") == 0 : s->qualified)))
            ns = s->tns;
    }
    if (local == NULL)
        return 0;
    if (max != NULL && strcmp(max, "0") == 0)
        return 0;
    if (spent(g, out, level))
        return 0;
    int optional = min != NULL && strcmp(min, "0") == 0;
    if (optional) {
        sl_wsdl_text_note(out, level, "optional (minOccurs=0): %s", local);
    }
    if (max_occurs_many(max)) {
        sl_wsdl_text_note(out, level, "%s may repeat (maxOccurs=%s)", local, max);
    }
    const char *abstract = attr(decl, "abstract");
    if (abstract != NULL && strcmp(abstract, "true") == 0) {
        const sl_xnode_t *member = substitute(g, ns, local);
        if (member == NULL) {
            sl_wsdl_text_note(out, level,
                              "%s is abstract: write an element of its substitution group here",
                              local);
            return 0;
        }
        sl_wsdl_text_note(out, level,
                          "%s is abstract: its substitution group's first member:", local);
        return element(g, member, 1, level, out);
    }
    content_t c = {0};
    int rc = 0, id_here = 0;
    const char *type = attr(decl, "type");
    const sl_xnode_t *ct = sl_xnode_child(decl, SL_XSD_NS, "complexType");
    const sl_xnode_t *st = sl_xnode_child(decl, SL_XSD_NS, "simpleType");
    const char *fixed = attr(decl, "fixed");
    if (type != NULL) {
        const char *tns, *tlocal;
        if (sl_wsdl_qname(g->w, decl, type, &tns, &tlocal) != 0) {
            placeholder(g, out, level, ns, local, "element %s: type %s: undeclared prefix", local,
                        type);
            return 0;
        }
        if (sl_wsdl_text_is_builtin(tns, tlocal)) {
            c.simple = strcmp(tlocal, "anyType") != 0;
            id_here = c.simple;
            if (c.simple)
                sl_wsdl_text_escaped(&c.text, sl_wsdl_text_builtin(tlocal));
        } else if ((ct = sl_wsdl_global(g->w, "complexType", tns, tlocal)) != NULL) {
            if (on_stack(g, ct)) {
                sl_wsdl_text_note(out, level, "%s: of type %s, which contains itself: left out",
                                  local, tlocal);
                return 0;
            }
            rc = complex_type(g, ct, level + 1, &c);
        } else if ((st = sl_wsdl_global(g->w, "simpleType", tns, tlocal)) != NULL) {
            c.simple = id_here = 1;
            rc = simple_sample(g, st, &c.text, 0);
        } else {
            placeholder(g, out, level, ns, local, "element %s: type {%s}%s is not declared", local,
                        tns, tlocal);
            return 0;
        }
    } else if (ct != NULL) {
        rc = complex_type(g, ct, level + 1, &c);
    } else if (st != NULL) {
        c.simple = id_here = 1;
        rc = simple_sample(g, st, &c.text, 0);
    } else {
        c.simple = id_here = 1; /* anyType without children: text will do */
        sl_wsdl_text_put(&c.text, "string");
    }
    if (rc == 0 && fixed != NULL) {
        sl_buf_clear(&c.text);
        sl_wsdl_text_escaped(&c.text, fixed);
        id_here = 0;
    }
    if (rc == 0 && id_here && !g->has_id && g->id_element != NULL &&
        strcmp(local, g->id_element) == 0) {
        sl_buf_clear(&c.text);
        char mark[2] = {ID_MARK, '\0'};
        sl_wsdl_text_put(&c.text, mark);
        g->has_id = 1;
    }
    if (rc == 0) {
        size_t before = out->len;
        if (c.notes.len > 0)
            put_notes(out, level, c.notes.data);
        sl_wsdl_text_indent(out, level);
        sl_wsdl_text_put(out, "<");
        put_qname(g, out, ns, local);
        if (c.attrs.len > 0)
            sl_wsdl_text_put(out, c.attrs.data);
        if (c.kids.len > 0) {
            sl_wsdl_text_put(out, ">\n");
            sl_wsdl_text_put(out, c.kids.data);
            sl_wsdl_text_indent(out, level);
        } else if (c.simple && c.text.len > 0) {
            sl_wsdl_text_put(out, ">");
            sl_wsdl_text_put(out, c.text.data);
        } else {
            sl_wsdl_text_put(out, "/>\n");
            g->used += out->len - before;
            content_free(&c);
            return 0;
        }
        sl_wsdl_text_put(out, "</");
        put_qname(g, out, ns, local);
        sl_wsdl_text_put(out, ">\n");
        /* the element's own bytes: its children counted themselves */
        g->used += out->len - before - c.kids.len;
    }
    content_free(&c);
    return rc;
}

/* Writes the top-level element that `write` produces into out, with every namespace the
 * sample uses declared on it: the sample goes to a scratch buffer first. */
static int top_level(gen_t *g, sl_buf_t *out, sl_buf_t *scratch)
{
    /* the root's start tag ends at the first ' ', '>' or '/' after '<' */
    const char *s = scratch->data;
    size_t at = 0;
    while (at < scratch->len && s[at] != '<')
        at++;
    if (at < scratch->len && strncmp(s + at, "<!--", 4) == 0) {
        /* comments before the root: skip to the root's '<' */
        const char *root = s + at;
        while ((root = strchr(root, '<')) != NULL && strncmp(root, "<!--", 4) == 0)
            root = strstr(root, "-->") ? strstr(root, "-->") + 3 : NULL;
        at = root ? (size_t)(root - s) : scratch->len;
    }
    size_t name_end = at + 1;
    while (name_end < scratch->len && strchr(" />\n", s[name_end]) == NULL)
        name_end++;
    sl_buf_append(out, s, name_end);
    for (int i = 0; i < g->nns; i++) {
        sl_wsdl_text_putf(out, " xmlns:%s=\"", g->prefix[i]);
        sl_wsdl_text_escaped(out, g->ns[i]);
        sl_wsdl_text_put(out, "\"");
    }
    sl_buf_append(out, s + name_end, scratch->len - name_end);
    return 0;
}

static const char *part_name(const sl_xnode_t *p)
{
    const char *n = attr(p, "name");
    return n != NULL ? n : "";
}

static int part_listed(const char *parts, const char *name)
{
    if (parts == NULL)
        return 1;
    size_t n = strlen(name);
    for (const char *p = parts; *p;) {
        p += strspn(p, " \t\r\n");
        size_t len = strcspn(p, " \t\r\n");
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}

/* A part given by type: an element named after the part, in no namespace. */
static int typed_part(gen_t *g, const sl_xnode_t *part, int level, sl_buf_t *out)
{
    const char *name = part_name(part), *type = attr(part, "type"), *ns, *local;
    if (sl_wsdl_qname(g->w, part, type, &ns, &local) != 0) {
        placeholder(g, out, level, "", name, "part %s: type %s: undeclared prefix", name, type);
        return 0;
    }
    content_t c = {0};
    int rc = 0, id_here = 0;
    const sl_xnode_t *ct = NULL, *st = NULL;
    if (sl_wsdl_text_is_builtin(ns, local)) {
        c.simple = id_here = 1;
        sl_wsdl_text_escaped(&c.text, sl_wsdl_text_builtin(local));
    } else if ((ct = sl_wsdl_global(g->w, "complexType", ns, local)) != NULL) {
        rc = complex_type(g, ct, level + 1, &c);
    } else if ((st = sl_wsdl_global(g->w, "simpleType", ns, local)) != NULL) {
        c.simple = id_here = 1;
        rc = simple_sample(g, st, &c.text, 0);
    } else {
        placeholder(g, out, level, "", name, "part %s: type {%s}%s is not declared", name, ns,
                    local);
        content_free(&c);
        return 0;
    }
    if (rc == 0 && id_here && !g->has_id && g->id_element && !strcmp(name, g->id_element)) {
        sl_buf_clear(&c.text);
        char mark[2] = {ID_MARK, '\0'};
        sl_wsdl_text_put(&c.text, mark);
        g->has_id = 1;
    }
    if (rc == 0) {
        if (c.notes.len > 0)
            put_notes(out, level, c.notes.data);
        sl_wsdl_text_indent(out, level);
        sl_wsdl_text_put(out, "<");
        sl_wsdl_lua_xml_name(out, name);
        sl_wsdl_text_put_buf(out, &c.attrs);
        if (c.kids.len > 0 || c.text.len > 0) {
            sl_wsdl_text_put(out, ">");
            if (c.kids.len > 0) {
                sl_wsdl_text_put(out, "\n");
                sl_wsdl_text_put_buf(out, &c.kids);
                sl_wsdl_text_indent(out, level);
            } else {
                sl_wsdl_text_put_buf(out, &c.text);
            }
            sl_wsdl_text_put(out, "</");
            sl_wsdl_lua_xml_name(out, name);
            sl_wsdl_text_put(out, ">\n");
        } else {
            sl_wsdl_text_put(out, "/>\n");
        }
        g->used += c.text.len + c.attrs.len;
    }
    content_free(&c);
    return rc;
}

static int part(gen_t *g, const sl_xnode_t *p, int level, sl_buf_t *out)
{
    const char *el = attr(p, "element");
    if (el != NULL) {
        const char *ns = NULL, *local;
        const sl_xnode_t *decl = resolve(g, p, el, "element", &ns, &local);
        if (decl == NULL && ns != NULL) {
            placeholder(g, out, level, ns, local, "part %s: element %s is not declared",
                        part_name(p), el);
            return 0;
        }
        if (decl == NULL) {
            snprintf(g->err, g->errlen, "part %s: element %s: undeclared prefix", part_name(p), el);
            return -1;
        }
        return element(g, decl, 1, level, out);
    }
    if (attr(p, "type") != NULL)
        return typed_part(g, p, level, out);
    snprintf(g->err, g->errlen,
             "part %s has neither element= nor type=", attr(p, "name") ? attr(p, "name") : "?");
    return -1;
}

int sl_wsdl_gen_body(const sl_wsdl_t *w, const sl_wsdl_op_t *op, const char *id_element,
                     sl_buf_t *out, int *has_id, sl_wsdl_warnings_t *warn, char *err, size_t errlen)
{
    gen_t g = {.w = w,
               .id_element = id_element,
               .err = err,
               .errlen = errlen,
               .op = op->name,
               .warn = warn};
    sl_buf_t scratch = {0};
    int rc = 0;
    *has_id = 0;
    err[0] = '\0';
    if (op->untyped != NULL) {
        missing(&g, out, 0, "%s", op->untyped);
        return 0;
    }
    if (op->rpc) {
        sl_wsdl_text_put(&scratch, "<");
        put_qname(&g, &scratch, op->rpc_ns, op->name);
        sl_wsdl_text_put(&scratch, ">\n");
        for (const sl_xnode_t *p = op->input ? sl_xnode_child(op->input, SL_WSDL_NS, "part") : 0;
             p != NULL && rc == 0; p = p->next)
            if (strcmp(p->local, "part") == 0 && part_listed(op->parts, part_name(p)))
                rc = part(&g, p, 1, &scratch);
        sl_wsdl_text_put(&scratch, "</");
        put_qname(&g, &scratch, op->rpc_ns, op->name);
        sl_wsdl_text_put(&scratch, ">\n");
        if (rc == 0)
            rc = top_level(&g, out, &scratch);
    } else {
        for (const sl_xnode_t *p = op->input ? sl_xnode_child(op->input, SL_WSDL_NS, "part") : 0;
             p != NULL && rc == 0; p = p->next) {
            if (strcmp(p->local, "part") != 0 || !part_listed(op->parts, part_name(p)))
                continue;
            g.nns = 0;
            sl_buf_clear(&scratch);
            rc = part(&g, p, 0, &scratch);
            if (rc == 0 && scratch.len > 0)
                rc = top_level(&g, out, &scratch);
        }
    }
    if (rc == 0 && g.failed)
        rc = -1;
    *has_id = g.has_id;
    sl_buf_free(&scratch);
    return rc;
}
