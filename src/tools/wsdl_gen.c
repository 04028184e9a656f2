/*
 * wsdl_gen: sample XML from XML Schema declarations (sequence/all/choice, refs, groups,
 * extension, attributes; simple types' text is wsdl_simple's, the body's prefixes, budget and
 * placeholders wsdl_sample's). A sample is one plausible instance: optional and
 * repeated parts are written once with an XML comment, a choice takes its first branch; what
 * is not declared becomes a placeholder comment and a warning; a budget bounds its size.
 */
#include "tools/wsdl_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/wsdl_lua.h"
#include "tools/wsdl_sample.h"
#include "tools/wsdl_simple.h"
#include "tools/wsdl_text.h"

#define XOP_NS "http://www.w3.org/2004/08/xop/include"

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

static int element(sl_wsdl_sample_t *g, const sl_xnode_t *decl, int global, int level,
                   sl_buf_t *out);
static int complex_type(sl_wsdl_sample_t *g, const sl_xnode_t *ct, int level, content_t *c);

static int on_group_stack(sl_wsdl_sample_t *g, const sl_xnode_t *n)
{
    for (int i = 0; i < g->ngroups; i++)
        if (g->groups[i] == n)
            return 1;
    return 0;
}

static int on_stack(sl_wsdl_sample_t *g, const sl_xnode_t *n)
{
    for (int i = 0; i < g->depth; i++)
        if (g->stack[i] == n)
            return 1;
    return 0;
}

/* The first global element that is not abstract and names {ns}local as its
 * substitutionGroup, or NULL. */
static const sl_xnode_t *substitute(sl_wsdl_sample_t *g, const char *ns, const char *local)
{
    for (int i = 0; i < g->w->nschemas; i++)
        for (const sl_xnode_t *e = g->w->schemas[i].node->first_child; e != NULL; e = e->next) {
            const char *sg = sl_wsdl_attr(e, "substitutionGroup"),
                       *abstract = sl_wsdl_attr(e, "abstract");
            const char *sns, *slocal;
            if (sl_wsdl_is_xsd(e, "element") && sg != NULL && sl_wsdl_attr(e, "name") != NULL &&
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

static int particle_in(sl_wsdl_sample_t *g, const sl_xnode_t *p, int level, sl_buf_t *out);

static int particle(sl_wsdl_sample_t *g, const sl_xnode_t *p, int level, sl_buf_t *out)
{
    if (g->nest == SL_WSDL_SAMPLE_MAX_NEST) {
        if (!g->too_deep)
            sl_wsdl_text_note(out, level, "particles nested more than %d deep: left out",
                              SL_WSDL_SAMPLE_MAX_NEST);
        g->too_deep = 1;
        return 0;
    }
    g->steps++;
    if (sl_wsdl_sample_spent(g, out, level))
        return 0;
    g->nest++;
    int rc = particle_in(g, p, level, out);
    g->nest--;
    return rc;
}

static int particle_in(sl_wsdl_sample_t *g, const sl_xnode_t *p, int level, sl_buf_t *out)
{
    if (sl_wsdl_is_xsd(p, "element"))
        return element(g, p, 0, level, out);
    if (sl_wsdl_is_xsd(p, "any")) {
        const char *ns = sl_wsdl_attr(p, "namespace");
        sl_wsdl_text_indent(out, level);
        sl_wsdl_text_put(out, "<!-- any element");
        if (ns != NULL) {
            sl_wsdl_text_put(out, " from ");
            sl_wsdl_text_comment(out, ns);
        }
        sl_wsdl_text_put(out, " may go here -->\n");
        return 0;
    }
    if (sl_wsdl_is_xsd(p, "group")) {
        const char *ns, *local;
        const sl_xnode_t *grp =
            sl_wsdl_attr(p, "ref")
                ? sl_wsdl_sample_resolve(g, p, sl_wsdl_attr(p, "ref"), "group", &ns, &local)
                : p;
        if (grp == NULL) {
            sl_wsdl_sample_missing(g, out, level, "group %s is not declared",
                                   sl_wsdl_attr(p, "ref"));
            return 0;
        }
        if (on_group_stack(g, grp) || g->ngroups == SL_WSDL_SAMPLE_MAX_NEST) {
            sl_wsdl_text_note(out, level, "group %s contains itself: left out",
                              sl_wsdl_attr(p, "ref"));
            return 0;
        }
        int rc = 0;
        g->groups[g->ngroups++] = grp;
        for (const sl_xnode_t *c = grp->first_child; c != NULL; c = c->next)
            if (sl_wsdl_is_xsd(c, "sequence") || sl_wsdl_is_xsd(c, "choice") ||
                sl_wsdl_is_xsd(c, "all")) {
                rc = particle(g, c, level, out);
                break;
            }
        g->ngroups--;
        return rc;
    }
    int choice = sl_wsdl_is_xsd(p, "choice");
    if (!choice && !sl_wsdl_is_xsd(p, "sequence") && !sl_wsdl_is_xsd(p, "all"))
        return 0;
    if (max_occurs_many(sl_wsdl_attr(p, "maxOccurs"))) {
        sl_wsdl_text_note(out, level, "this %s may repeat (maxOccurs=%s)", p->local,
                          sl_wsdl_attr(p, "maxOccurs"));
    }
    if (sl_wsdl_attr(p, "minOccurs") != NULL && strcmp(sl_wsdl_attr(p, "minOccurs"), "0") == 0) {
        sl_wsdl_text_note(out, level, "this %s is optional (minOccurs=0)", p->local);
    }
    int first = 1;
    for (const sl_xnode_t *c = p->first_child; c != NULL; c = c->next) {
        if (!sl_wsdl_is_xsd(c, NULL) || sl_wsdl_is_xsd(c, "annotation"))
            continue;
        if (choice && !first)
            continue;
        if (choice) {
            sl_wsdl_text_indent(out, level);
            sl_wsdl_text_put(out, "<!-- choice: one of");
            for (const sl_xnode_t *o = c; o != NULL; o = o->next) {
                if (!sl_wsdl_is_xsd(o, NULL) || sl_wsdl_is_xsd(o, "annotation"))
                    continue;
                const char *n =
                    sl_wsdl_attr(o, "name") ? sl_wsdl_attr(o, "name") : sl_wsdl_attr(o, "ref");
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
static int attribute(sl_wsdl_sample_t *g, const sl_xnode_t *a, content_t *c, sl_buf_t *optional)
{
    const char *use = sl_wsdl_attr(a, "use");
    const sl_xnode_t *decl = a;
    const char *ns = "", *local = sl_wsdl_attr(a, "name");
    if (use != NULL && strcmp(use, "prohibited") == 0)
        return 0;
    if (sl_wsdl_attr(a, "ref") != NULL) {
        decl = sl_wsdl_sample_resolve(g, a, sl_wsdl_attr(a, "ref"), "attribute", &ns, &local);
        if (decl == NULL) {
            if (strcmp(ns, "http://www.w3.org/XML/1998/namespace") != 0)
                sl_wsdl_sample_missing(g, NULL, 0, "attribute %s is not declared (left out)",
                                       sl_wsdl_attr(a, "ref"));
            return 0;
        }
    } else {
        const sl_wsdl_schema_t *s = sl_wsdl_schema_of(g->w, a);
        const char *form = sl_wsdl_attr(a, "form");
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
    sl_wsdl_sample_qname(g, &c->attrs, ns, local);
    sl_wsdl_text_put(&c->attrs, "=\"");
    const char *fixed =
        sl_wsdl_attr(decl, "fixed") ? sl_wsdl_attr(decl, "fixed") : sl_wsdl_attr(a, "fixed");
    const char *def = sl_wsdl_attr(decl, "default");
    const sl_xnode_t *st = sl_xnode_child(decl, SL_XSD_NS, "simpleType");
    int rc = 0;
    if (fixed != NULL || def != NULL)
        sl_wsdl_text_escaped(&c->attrs, fixed ? fixed : def);
    else if (sl_wsdl_attr(decl, "type") != NULL)
        rc = sl_wsdl_simple_named(g, decl, sl_wsdl_attr(decl, "type"), &c->attrs, 0);
    else if (st != NULL)
        rc = sl_wsdl_simple_sample(g, st, &c->attrs, 0);
    else
        sl_wsdl_text_put(&c->attrs, "string");
    sl_wsdl_text_put(&c->attrs, "\"");
    return rc;
}

static int attributes_of(sl_wsdl_sample_t *g, const sl_xnode_t *n, content_t *c, sl_buf_t *optional)
{
    for (const sl_xnode_t *a = n->first_child; a != NULL; a = a->next) {
        if (sl_wsdl_is_xsd(a, "attribute")) {
            if (attribute(g, a, c, optional) != 0)
                return -1;
        } else if (sl_wsdl_is_xsd(a, "attributeGroup")) {
            const char *ns, *local;
            const sl_xnode_t *grp = sl_wsdl_attr(a, "ref")
                                        ? sl_wsdl_sample_resolve(g, a, sl_wsdl_attr(a, "ref"),
                                                                 "attributeGroup", &ns, &local)
                                        : a;
            if (grp == NULL) {
                sl_wsdl_sample_missing(g, NULL, 0, "attributeGroup %s is not declared (left out)",
                                       sl_wsdl_attr(a, "ref"));
                continue;
            }
            /* a group that contains itself, or a stack full of groups, adds nothing more */
            if (grp != a && !on_group_stack(g, grp) && g->ngroups < SL_WSDL_SAMPLE_MAX_NEST) {
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
static int model_of(sl_wsdl_sample_t *g, const sl_xnode_t *n, int level, content_t *c)
{
    sl_buf_t optional = {0};
    int rc = 0;
    for (const sl_xnode_t *k = n->first_child; k != NULL && rc == 0; k = k->next)
        if (sl_wsdl_is_xsd(k, "sequence") || sl_wsdl_is_xsd(k, "choice") ||
            sl_wsdl_is_xsd(k, "all") || sl_wsdl_is_xsd(k, "group")) {
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
static int base_type(sl_wsdl_sample_t *g, const sl_xnode_t *at, const char *base, int level,
                     content_t *c)
{
    const char *ns, *local;
    if (sl_wsdl_qname(g->w, at, base, &ns, &local) != 0) {
        sl_wsdl_sample_missing(g, &c->kids, level, "base type %s: undeclared prefix", base);
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
        return sl_wsdl_simple_sample(g, st, &c->text, 0);
    }
    sl_wsdl_sample_missing(g, &c->kids, level, "base type {%s}%s is not declared", ns, local);
    return 0;
}

static int complex_type(sl_wsdl_sample_t *g, const sl_xnode_t *ct, int level, content_t *c)
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
        if (how != NULL && sl_wsdl_attr(how, "base") != NULL && (ext != NULL || sc != NULL)) {
            content_t base = {0};
            rc = base_type(g, how, sl_wsdl_attr(how, "base"), level, &base);
            sl_wsdl_text_put_buf(&c->attrs, &base.attrs);
            sl_wsdl_text_put_buf(&c->kids, &base.kids);
            if (base.notes.len > 0)
                sl_wsdl_text_put_buf(&c->notes, &base.notes);
            if (res != NULL && sc != NULL) {
                c->simple = 1;
                rc = rc ? rc : sl_wsdl_simple_sample(g, res, &c->text, 0);
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

/* The content of element decl's type into c (*id_here: text the request ID may replace).
 * Returns 0, 1 when a note or placeholder stands for the element instead, or -1. */
static int element_content(sl_wsdl_sample_t *g, const sl_xnode_t *decl, const char *ns,
                           const char *local, int level, sl_buf_t *out, content_t *c, int *id_here)
{
    int rc = 0;
    const char *type = sl_wsdl_attr(decl, "type");
    const sl_xnode_t *ct = sl_xnode_child(decl, SL_XSD_NS, "complexType");
    const sl_xnode_t *st = sl_xnode_child(decl, SL_XSD_NS, "simpleType");
    if (type != NULL) {
        const char *tns, *tlocal;
        if (sl_wsdl_qname(g->w, decl, type, &tns, &tlocal) != 0) {
            sl_wsdl_sample_placeholder(g, out, level, ns, local,
                                       "element %s: type %s: undeclared prefix", local, type);
            return 1;
        }
        if (sl_wsdl_text_is_builtin(tns, tlocal)) {
            c->simple = strcmp(tlocal, "anyType") != 0;
            *id_here = c->simple;
            if (c->simple)
                sl_wsdl_text_escaped(&c->text, sl_wsdl_text_builtin(tlocal));
        } else if ((ct = sl_wsdl_global(g->w, "complexType", tns, tlocal)) != NULL) {
            if (on_stack(g, ct)) {
                sl_wsdl_text_note(out, level, "%s: of type %s, which contains itself: left out",
                                  local, tlocal);
                return 1;
            }
            rc = complex_type(g, ct, level + 1, c);
        } else if ((st = sl_wsdl_global(g->w, "simpleType", tns, tlocal)) != NULL) {
            c->simple = *id_here = 1;
            rc = sl_wsdl_simple_sample(g, st, &c->text, 0);
        } else {
            sl_wsdl_sample_placeholder(g, out, level, ns, local,
                                       "element %s: type {%s}%s is not declared", local, tns,
                                       tlocal);
            return 1;
        }
    } else if (ct != NULL) {
        rc = complex_type(g, ct, level + 1, c);
    } else if (st != NULL) {
        c->simple = *id_here = 1;
        rc = sl_wsdl_simple_sample(g, st, &c->text, 0);
    } else {
        c->simple = *id_here = 1; /* anyType without children: text will do */
        sl_wsdl_text_put(&c->text, "string");
    }
    return rc;
}

/* Appends the element {ns}local with content c (notes before it), counting its own bytes
 * against the budget. */
static void write_element(sl_wsdl_sample_t *g, sl_buf_t *out, int level, const char *ns,
                          const char *local, const content_t *c)
{
    size_t before = out->len;
    if (c->notes.len > 0)
        put_notes(out, level, c->notes.data);
    sl_wsdl_text_indent(out, level);
    sl_wsdl_text_put(out, "<");
    sl_wsdl_sample_qname(g, out, ns, local);
    if (c->attrs.len > 0)
        sl_wsdl_text_put(out, c->attrs.data);
    if (c->kids.len > 0) {
        sl_wsdl_text_put(out, ">\n");
        sl_wsdl_text_put(out, c->kids.data);
        sl_wsdl_text_indent(out, level);
    } else if (c->simple && c->text.len > 0) {
        sl_wsdl_text_put(out, ">");
        sl_wsdl_text_put(out, c->text.data);
    } else {
        sl_wsdl_text_put(out, "/>\n");
        g->used += out->len - before;
        return;
    }
    sl_wsdl_text_put(out, "</");
    sl_wsdl_sample_qname(g, out, ns, local);
    sl_wsdl_text_put(out, ">\n");
    /* the element's own bytes: its children counted themselves */
    g->used += out->len - before - c->kids.len;
}

/* Writes the sample of element declaration decl (global: a top-level xsd:element). */
static int element(sl_wsdl_sample_t *g, const sl_xnode_t *decl, int global, int level,
                   sl_buf_t *out)
{
    const char *min = sl_wsdl_attr(decl, "minOccurs"), *max = sl_wsdl_attr(decl, "maxOccurs");
    const char *ns = "", *local = sl_wsdl_attr(decl, "name");
    if (sl_wsdl_attr(decl, "ref") != NULL) {
        ns = NULL;
        const sl_xnode_t *ref =
            sl_wsdl_sample_resolve(g, decl, sl_wsdl_attr(decl, "ref"), "element", &ns, &local);
        if (ns != NULL && strcmp(ns, XOP_NS) == 0) {
            sl_wsdl_text_note(
                out, level,
                "xop:Include (MTOM) may go here: soapload sends no attachments, so the "
                "binary content goes inline as base64 text of the enclosing element");
            return 0;
        }
        if (ref == NULL) {
            if (ns == NULL)
                sl_wsdl_sample_missing(g, out, level, "element %s: undeclared prefix",
                                       sl_wsdl_attr(decl, "ref"));
            else
                sl_wsdl_sample_placeholder(g, out, level, ns, local, "element %s is not declared",
                                           sl_wsdl_attr(decl, "ref"));
            return 0;
        }
        decl = ref;
        global = 1;
    } else {
        const sl_wsdl_schema_t *s = sl_wsdl_schema_of(g->w, decl);
        const char *form = sl_wsdl_attr(decl, "form");
        if (s != NULL && (global || (form ? strcmp(form, "qualified") == 0 : s->qualified)))
            ns = s->tns;
    }
    if (local == NULL)
        return 0;
    if (max != NULL && strcmp(max, "0") == 0)
        return 0;
    if (sl_wsdl_sample_spent(g, out, level))
        return 0;
    int optional = min != NULL && strcmp(min, "0") == 0;
    if (optional) {
        sl_wsdl_text_note(out, level, "optional (minOccurs=0): %s", local);
    }
    if (max_occurs_many(max)) {
        sl_wsdl_text_note(out, level, "%s may repeat (maxOccurs=%s)", local, max);
    }
    const char *abstract = sl_wsdl_attr(decl, "abstract");
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
    int id_here = 0;
    const char *fixed = sl_wsdl_attr(decl, "fixed");
    int rc = element_content(g, decl, ns, local, level, out, &c, &id_here);
    if (rc == 0 && fixed != NULL) {
        sl_buf_clear(&c.text);
        sl_wsdl_text_escaped(&c.text, fixed);
        id_here = 0;
    }
    if (rc == 0 && id_here)
        sl_wsdl_sample_claim_id(g, &c.text, local);
    if (rc == 0)
        write_element(g, out, level, ns, local, &c);
    content_free(&c);
    return rc < 0 ? rc : 0;
}

static const char *part_name(const sl_xnode_t *p)
{
    const char *n = sl_wsdl_attr(p, "name");
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
static int typed_part(sl_wsdl_sample_t *g, const sl_xnode_t *part, int level, sl_buf_t *out)
{
    const char *name = part_name(part), *type = sl_wsdl_attr(part, "type"), *ns, *local;
    if (sl_wsdl_qname(g->w, part, type, &ns, &local) != 0) {
        sl_wsdl_sample_placeholder(g, out, level, "", name, "part %s: type %s: undeclared prefix",
                                   name, type);
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
        rc = sl_wsdl_simple_sample(g, st, &c.text, 0);
    } else {
        sl_wsdl_sample_placeholder(g, out, level, "", name, "part %s: type {%s}%s is not declared",
                                   name, ns, local);
        content_free(&c);
        return 0;
    }
    if (rc == 0 && id_here)
        sl_wsdl_sample_claim_id(g, &c.text, name);
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

static int part(sl_wsdl_sample_t *g, const sl_xnode_t *p, int level, sl_buf_t *out)
{
    const char *el = sl_wsdl_attr(p, "element");
    if (el != NULL) {
        const char *ns = NULL, *local;
        const sl_xnode_t *decl = sl_wsdl_sample_resolve(g, p, el, "element", &ns, &local);
        if (decl == NULL && ns != NULL) {
            sl_wsdl_sample_placeholder(g, out, level, ns, local,
                                       "part %s: element %s is not declared", part_name(p), el);
            return 0;
        }
        if (decl == NULL) {
            snprintf(g->err, g->errlen, "part %s: element %s: undeclared prefix", part_name(p), el);
            return -1;
        }
        return element(g, decl, 1, level, out);
    }
    if (sl_wsdl_attr(p, "type") != NULL)
        return typed_part(g, p, level, out);
    snprintf(g->err, g->errlen, "part %s has neither element= nor type=",
             sl_wsdl_attr(p, "name") ? sl_wsdl_attr(p, "name") : "?");
    return -1;
}

int sl_wsdl_gen_body(const sl_wsdl_t *w, const sl_wsdl_op_t *op, const char *id_element,
                     sl_buf_t *out, int *has_id, sl_wsdl_warnings_t *warn, char *err, size_t errlen)
{
    sl_wsdl_sample_t g = {.w = w,
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
        sl_wsdl_sample_missing(&g, out, 0, "%s", op->untyped);
        return 0;
    }
    if (op->rpc) {
        sl_wsdl_text_put(&scratch, "<");
        sl_wsdl_sample_qname(&g, &scratch, op->rpc_ns, op->name);
        sl_wsdl_text_put(&scratch, ">\n");
        for (const sl_xnode_t *p = op->input ? sl_xnode_child(op->input, SL_WSDL_NS, "part") : 0;
             p != NULL && rc == 0; p = p->next)
            if (strcmp(p->local, "part") == 0 && part_listed(op->parts, part_name(p)))
                rc = part(&g, p, 1, &scratch);
        sl_wsdl_text_put(&scratch, "</");
        sl_wsdl_sample_qname(&g, &scratch, op->rpc_ns, op->name);
        sl_wsdl_text_put(&scratch, ">\n");
        if (rc == 0)
            rc = sl_wsdl_sample_root(&g, out, &scratch);
    } else {
        for (const sl_xnode_t *p = op->input ? sl_xnode_child(op->input, SL_WSDL_NS, "part") : 0;
             p != NULL && rc == 0; p = p->next) {
            if (strcmp(p->local, "part") != 0 || !part_listed(op->parts, part_name(p)))
                continue;
            g.nns = 0;
            sl_buf_clear(&scratch);
            rc = part(&g, p, 0, &scratch);
            if (rc == 0 && scratch.len > 0)
                rc = sl_wsdl_sample_root(&g, out, &scratch);
        }
    }
    if (rc == 0 && g.failed)
        rc = -1;
    *has_id = g.has_id;
    sl_buf_free(&scratch);
    return rc;
}
