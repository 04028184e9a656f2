/*
 * xmltree: an XML document as a tree of elements with their namespaces resolved, for the
 * places that need more than one element's text: a script's checks (every match, by
 * namespace URI and local name, attributes), SOAP Fault details, WSDLs. As strict as the
 * scanner in xml.c (well-formed, no DTD, entities never expanded) plus namespace checks (an
 * undeclared prefix is an error). The hot path of a run uses xml.c, which allocates nothing;
 * a tree lives in one arena freed at once.
 */
#ifndef SOAPLOAD_XMLTREE_H
#define SOAPLOAD_XMLTREE_H

#include <stddef.h>

#define SL_XTREE_MAX_DEPTH 256

typedef struct {
    const char *name;  /* as written, e.g. "xsi:type" */
    const char *local; /* after the prefix */
    const char *ns;    /* namespace URI; "" for an attribute without a prefix */
    const char *value; /* decoded */
} sl_xattr_t;

typedef struct sl_xnode sl_xnode_t;
struct sl_xnode {
    const char *name;  /* qualified name as written */
    const char *local; /* local name */
    const char *ns;    /* namespace URI, "" when none is in scope */
    const char *text;  /* the text directly inside it, decoded, concatenated ("" when none) */
    size_t text_len;
    sl_xattr_t *attrs;
    int nattrs;
    sl_xnode_t *parent, *first_child, *last_child, *next;
    /* the namespace declarations of this element, for tools that resolve QName values */
    const char **ns_prefixes, **ns_uris; /* prefix "" is the default namespace */
    int nns;
};

typedef struct sl_xtree sl_xtree_t;

/** Parses doc[0..len). Returns the tree (free with sl_xtree_free), or NULL with
 * "byte N: what is wrong" in err. */
sl_xtree_t *sl_xtree_parse(const char *doc, size_t len, char *err, size_t errlen);
void sl_xtree_free(sl_xtree_t *t);
/** The root element. */
sl_xnode_t *sl_xtree_root(const sl_xtree_t *t);

/** The first child element of n with this namespace (NULL: any) and local name (NULL: any). */
sl_xnode_t *sl_xnode_child(const sl_xnode_t *n, const char *ns, const char *local);
/** The next element after `from` in document order within `top`'s subtree (from = top to
 * start) that matches ns and local as sl_xnode_child does, or NULL. */
sl_xnode_t *sl_xnode_next_match(const sl_xnode_t *top, const sl_xnode_t *from, const char *ns,
                                const char *local);
/** The value of n's attribute by namespace ("" for none, NULL: any) and local name, or NULL. */
const char *sl_xnode_attr(const sl_xnode_t *n, const char *ns, const char *local);
/** The namespace URI a prefix ("" for the default) stands for at n, or NULL. */
const char *sl_xnode_lookup_ns(const sl_xnode_t *n, const char *prefix);

#endif
