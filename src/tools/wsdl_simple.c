/*
 * wsdl_simple: a restriction's facets are met by cutting or padding its base's sample with 'x'
 * (at most 4096 of them); past SL_WSDL_GEN_MAX_DEPTH derivations a type is "string".
 */
#include "tools/wsdl_simple.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/wsdl_text.h"

int sl_wsdl_simple_named(sl_wsdl_sample_t *g, const sl_xnode_t *at, const char *q, sl_buf_t *text,
                         int level)
{
    const char *ns, *local;
    if (sl_wsdl_qname(g->w, at, q, &ns, &local) != 0) {
        sl_wsdl_sample_missing(g, NULL, 0, "type %s: undeclared prefix", q);
        sl_wsdl_text_put(text, "string");
        return 0;
    }
    if (sl_wsdl_text_is_builtin(ns, local)) {
        sl_wsdl_text_escaped(text, sl_wsdl_text_builtin(local));
        return 0;
    }
    const sl_xnode_t *st = sl_wsdl_global(g->w, "simpleType", ns, local);
    if (st == NULL) {
        sl_wsdl_sample_missing(g, NULL, 0, "simple type {%s}%s is not declared", ns, local);
        sl_wsdl_text_put(text, "string");
        return 0;
    }
    return sl_wsdl_simple_sample(g, st, text, level + 1);
}

int sl_wsdl_simple_sample(sl_wsdl_sample_t *g, const sl_xnode_t *st, sl_buf_t *text, int level)
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
        if (en != NULL && sl_wsdl_attr(en, "value") != NULL) {
            sl_wsdl_text_escaped(text, sl_wsdl_attr(en, "value"));
            return 0;
        }
        const sl_xnode_t *mi = sl_xnode_child(r, SL_XSD_NS, "minInclusive");
        if (mi != NULL && sl_wsdl_attr(mi, "value") != NULL) {
            sl_wsdl_text_escaped(text, sl_wsdl_attr(mi, "value"));
            return 0;
        }
        sl_buf_t base = {0};
        int rc = 0;
        const sl_xnode_t *inner = sl_xnode_child(r, SL_XSD_NS, "simpleType");
        if (sl_wsdl_attr(r, "base") != NULL)
            rc = sl_wsdl_simple_named(g, r, sl_wsdl_attr(r, "base"), &base, level);
        else if (inner != NULL)
            rc = sl_wsdl_simple_sample(g, inner, &base, level + 1);
        else
            sl_wsdl_text_put(&base, "string");
        const sl_xnode_t *len = sl_xnode_child(r, SL_XSD_NS, "length");
        const sl_xnode_t *minl = sl_xnode_child(r, SL_XSD_NS, "minLength");
        const sl_xnode_t *maxl = sl_xnode_child(r, SL_XSD_NS, "maxLength");
        long want_min = len ? atol(sl_wsdl_attr(len, "value") ? sl_wsdl_attr(len, "value") : "0")
                        : minl
                            ? atol(sl_wsdl_attr(minl, "value") ? sl_wsdl_attr(minl, "value") : "0")
                            : 0;
        long want_max = len ? want_min
                        : maxl
                            ? atol(sl_wsdl_attr(maxl, "value") ? sl_wsdl_attr(maxl, "value") : "0")
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
        if (sl_wsdl_attr(list, "itemType") != NULL)
            return sl_wsdl_simple_named(g, list, sl_wsdl_attr(list, "itemType"), text, level);
        const sl_xnode_t *inner = sl_xnode_child(list, SL_XSD_NS, "simpleType");
        return inner ? sl_wsdl_simple_sample(g, inner, text, level + 1)
                     : (sl_wsdl_text_put(text, "string"), 0);
    }
    if (un != NULL) {
        const char *members = sl_wsdl_attr(un, "memberTypes");
        if (members != NULL && members[0]) {
            char first[256];
            size_t n = strcspn(members, " \t\r\n");
            snprintf(first, sizeof(first), "%.*s", (int)n, members);
            return sl_wsdl_simple_named(g, un, first, text, level);
        }
        const sl_xnode_t *inner = sl_xnode_child(un, SL_XSD_NS, "simpleType");
        return inner ? sl_wsdl_simple_sample(g, inner, text, level + 1)
                     : (sl_wsdl_text_put(text, "string"), 0);
    }
    sl_wsdl_text_put(text, "string");
    return 0;
}
