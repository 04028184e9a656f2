/*
 * wsdl_sample: a sample body's prefixes are the WSDL's own where free ("ns1".. otherwise), all
 * declared on the root once the body is written; a budget in bytes (not only a depth) bounds
 * types that each hold several of the next: 22 levels of two are 4 million elements.
 */
#include "tools/wsdl_sample.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/wsdl_lua.h"
#include "tools/wsdl_text.h"

/* The message fmt makes (the caller frees it), or NULL out of memory. */
static char *text_of(const char *fmt, va_list ap)
{
    char *s = NULL;
    return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

void sl_wsdl_sample_missing(sl_wsdl_sample_t *g, sl_buf_t *out, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = text_of(fmt, ap);
    va_end(ap);
    if (s == NULL)
        return;
    if (g->warn != NULL)
        sl_wsdl_warn(g->warn, "operation %s: %s: the sample has a placeholder", g->op, s);
    if (out != NULL)
        sl_wsdl_text_note(out, level, "%s: sample placeholder, write this part", s);
    free(s);
}

/* The prefix standing for ns in the sample ("" for no namespace), declared on the root. */
static const char *prefix_of(sl_wsdl_sample_t *g, const char *ns)
{
    if (ns == NULL || ns[0] == '\0')
        return "";
    for (int i = 0; i < g->nns; i++)
        if (strcmp(g->ns[i], ns) == 0)
            return g->prefix[i];
    if (g->nns == SL_WSDL_SAMPLE_MAX_NS) {
        snprintf(g->err, g->errlen, "more than %d namespaces in one body", SL_WSDL_SAMPLE_MAX_NS);
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

void sl_wsdl_sample_qname(sl_wsdl_sample_t *g, sl_buf_t *b, const char *ns, const char *local)
{
    const char *p = prefix_of(g, ns);
    if (p[0])
        sl_wsdl_text_putf(b, "%s:", p);
    sl_wsdl_lua_xml_name(b, local);
}

void sl_wsdl_sample_placeholder(sl_wsdl_sample_t *g, sl_buf_t *out, int level, const char *ns,
                                const char *local, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = text_of(fmt, ap);
    va_end(ap);
    if (s == NULL)
        return;
    sl_wsdl_text_indent(out, level);
    sl_wsdl_text_put(out, "<");
    sl_wsdl_sample_qname(g, out, ns, local);
    sl_wsdl_text_put(out, ">\n");
    sl_wsdl_sample_missing(g, out, level + 1, "%s", s);
    sl_wsdl_text_indent(out, level);
    sl_wsdl_text_put(out, "</");
    sl_wsdl_sample_qname(g, out, ns, local);
    sl_wsdl_text_put(out, ">\n");
    free(s);
}

const sl_xnode_t *sl_wsdl_sample_resolve(sl_wsdl_sample_t *g, const sl_xnode_t *at, const char *q,
                                         const char *kind, const char **ns, const char **local)
{
    if (sl_wsdl_qname(g->w, at, q, ns, local) != 0)
        return NULL;
    return sl_wsdl_global(g->w, kind, *ns, *local);
}

int sl_wsdl_sample_spent(sl_wsdl_sample_t *g, sl_buf_t *out, int level)
{
    if (g->used < SL_WSDL_GEN_MAX_BYTES && g->steps < SL_WSDL_SAMPLE_MAX_STEPS)
        return 0;
    if (!g->cut)
        sl_wsdl_text_note(out, level,
                          "sample budget of %d bytes spent: the rest of this body is left out",
                          SL_WSDL_GEN_MAX_BYTES);
    g->cut = 1;
    return 1;
}

void sl_wsdl_sample_claim_id(sl_wsdl_sample_t *g, sl_buf_t *text, const char *name)
{
    if (g->has_id || g->id_element == NULL || strcmp(name, g->id_element) != 0)
        return;
    char mark[2] = {SL_WSDL_GEN_ID_MARK, '\0'};
    sl_buf_clear(text);
    sl_wsdl_text_put(text, mark);
    g->has_id = 1;
}

/* The body is written to scratch first: only then are all its namespaces known. */
int sl_wsdl_sample_root(sl_wsdl_sample_t *g, sl_buf_t *out, sl_buf_t *scratch)
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
