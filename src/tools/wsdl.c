/*
 * wsdl: reading a WSDL and everything it imports (through wsdl_fetch), then walking
 * service -> port -> binding -> portType -> message to the model in wsdl.h.
 */
#include "tools/wsdl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/wsdl_fetch.h"

/* The loader's state: the model and where documents come from. */
typedef struct {
    sl_wsdl_t *w;
    sl_wsdl_fetch_t fetch;
} loader_t;

void sl_wsdl_warn(sl_wsdl_warnings_t *w, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->items[i], s) == 0) {
            free(s);
            return;
        }
    char **items = realloc(w->items, sizeof(*items) * (size_t)(w->n + 1));
    if (items == NULL) {
        free(s);
        return;
    }
    w->items = items;
    w->items[w->n++] = s;
}

void sl_wsdl_warnings_free(sl_wsdl_warnings_t *w)
{
    for (int i = 0; i < w->n; i++)
        free(w->items[i]);
    free(w->items);
    *w = (sl_wsdl_warnings_t){0};
}

static void vset(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void vset(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Reads and parses one document unless it was read already. Returns its root, or NULL with
 * err set (err[0] == '\0' with *again set: read before). */
static const sl_xnode_t *load_doc(loader_t *ld, const char *where, int *again, char *err,
                                  size_t errlen)
{
    sl_wsdl_t *w = ld->w;
    *again = 0;
    for (int i = 0; i < w->ndocs; i++)
        if (strcmp(w->doc_names[i], where) == 0) {
            *again = 1;
            return sl_xtree_root(w->docs[i]);
        }
    if (w->ndocs == SL_WSDL_MAX_DOCS) {
        vset(err, errlen, "%s: more than %d documents imported", where, SL_WSDL_MAX_DOCS);
        return NULL;
    }
    char *data = NULL, perr[256];
    size_t len = 0;
    if (sl_wsdl_fetch_read(&ld->fetch, where, &data, &len, err, errlen) != 0)
        return NULL;
    if (len > SL_WSDL_MAX_TOTAL_BYTES - w->bytes_read) {
        vset(err, errlen, "%s: %zu bytes more would pass %d MiB of documents in all", where, len,
             SL_WSDL_MAX_TOTAL_BYTES >> 20);
        free(data);
        return NULL;
    }
    w->bytes_read += len;
    sl_xtree_t *t = sl_xtree_parse(data, len, perr, sizeof(perr));
    free(data);
    if (t == NULL) {
        vset(err, errlen, "%s: not well-formed XML (or a DTD/entity, refused): %s", where, perr);
        return NULL;
    }
    char *name = strdup(where);
    sl_xtree_t **docs = realloc(w->docs, sizeof(*docs) * (size_t)(w->ndocs + 1));
    if (docs != NULL)
        w->docs = docs;
    char **names = realloc(w->doc_names, sizeof(*names) * (size_t)(w->ndocs + 1));
    if (names != NULL)
        w->doc_names = names;
    if (name == NULL || docs == NULL || names == NULL) {
        free(name);
        sl_xtree_free(t);
        vset(err, errlen, "%s: out of memory", where);
        return NULL;
    }
    w->docs[w->ndocs] = t;
    w->doc_names[w->ndocs++] = name;
    return sl_xtree_root(t);
}

static int add_schema(sl_wsdl_t *w, const sl_xnode_t *s, const char *tns)
{
    for (int i = 0; i < w->nschemas; i++)
        if (w->schemas[i].node == s)
            return 0;
    sl_wsdl_schema_t *a = realloc(w->schemas, sizeof(*a) * (size_t)(w->nschemas + 1));
    if (a == NULL)
        return -1;
    w->schemas = a;
    const char *efd = sl_xnode_attr(s, "", "elementFormDefault");
    const char *afd = sl_xnode_attr(s, "", "attributeFormDefault");
    a[w->nschemas].node = s;
    a[w->nschemas].tns = tns;
    a[w->nschemas].qualified = efd != NULL && strcmp(efd, "qualified") == 0;
    a[w->nschemas].attr_qualified = afd != NULL && strcmp(afd, "qualified") == 0;
    w->nschemas++;
    return 0;
}

/* The document that an import at `where` names by `loc`, read unless it was before (*again);
 * NULL when it cannot be had: a warning naming it (and *next NULL). */
static const sl_xnode_t *import_doc(loader_t *ld, const char *where, const char *what,
                                    const char *loc, int *again, char **next)
{
    char err[1024] = "";
    *next = sl_wsdl_fetch_resolve(&ld->fetch, where, loc, err, sizeof(err));
    const sl_xnode_t *root = NULL;
    if (*next != NULL && (root = load_doc(ld, *next, again, err, sizeof(err))) == NULL) {
        free(*next);
        *next = NULL;
    }
    if (root == NULL)
        sl_wsdl_warn(&ld->w->warnings, "%s: %s %s not read: %s", where, what, loc, err);
    return root;
}

/* Adds schema s (read from `where`) and, depth first, what it imports and includes.
 * include_tns: the includer's namespace for a schema without its own. */
static int load_schema(loader_t *ld, const sl_xnode_t *s, const char *where,
                       const char *include_tns, char *err, size_t errlen)
{
    sl_wsdl_t *w = ld->w;
    const char *tns = sl_xnode_attr(s, "", "targetNamespace");
    if (tns == NULL)
        tns = include_tns != NULL ? include_tns : "";
    if (add_schema(w, s, tns) != 0) {
        vset(err, errlen, "%s: out of memory", where);
        return -1;
    }
    for (const sl_xnode_t *c = s->first_child; c != NULL; c = c->next) {
        int include = strcmp(c->local, "include") == 0;
        if (strcmp(c->ns, SL_XSD_NS) != 0 || (!include && strcmp(c->local, "import") != 0))
            continue;
        const char *loc = sl_xnode_attr(c, "", "schemaLocation");
        if (loc == NULL)
            continue; /* a namespace the WSDL's own schemas (or nobody) declare */
        int again = 0;
        char *next = NULL;
        const sl_xnode_t *root =
            import_doc(ld, where, include ? "xsd:include" : "xsd:import", loc, &again, &next);
        int rc = 0;
        if (root != NULL && !again) {
            if (strcmp(root->ns, SL_XSD_NS) != 0 || strcmp(root->local, "schema") != 0)
                sl_wsdl_warn(&w->warnings, "%s: imported by %s is not an XML Schema (root %s)",
                             next, where, root->name);
            else
                rc = load_schema(ld, root, next, include ? tns : NULL, err, errlen);
        }
        free(next);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int load_definitions(loader_t *ld, const sl_xnode_t *defs, const char *where, char *err,
                            size_t errlen)
{
    sl_wsdl_t *w = ld->w;
    if (strcmp(defs->ns, SL_WSDL_NS) != 0 || strcmp(defs->local, "definitions") != 0) {
        vset(err, errlen, "%s: not a WSDL 1.1 document (root %s%s%s, expected wsdl:definitions)",
             where, defs->name, defs->ns[0] ? " in " : "", defs->ns);
        return -1;
    }
    const sl_xnode_t **d = realloc(w->defs, sizeof(*d) * (size_t)(w->ndefs + 1));
    if (d == NULL) {
        vset(err, errlen, "%s: out of memory", where);
        return -1;
    }
    w->defs = d;
    w->defs[w->ndefs++] = defs;
    for (const sl_xnode_t *c = defs->first_child; c != NULL; c = c->next) {
        if (strcmp(c->ns, SL_WSDL_NS) == 0 && strcmp(c->local, "types") == 0) {
            for (const sl_xnode_t *s = sl_xnode_child(c, SL_XSD_NS, "schema"); s != NULL;
                 s = s->next)
                if (strcmp(s->ns, SL_XSD_NS) == 0 && strcmp(s->local, "schema") == 0 &&
                    load_schema(ld, s, where, NULL, err, errlen) != 0)
                    return -1;
        } else if (strcmp(c->ns, SL_WSDL_NS) == 0 && strcmp(c->local, "import") == 0) {
            const char *loc = sl_xnode_attr(c, "", "location");
            if (loc == NULL)
                continue;
            int again = 0, rc = 0;
            char *next = NULL;
            const sl_xnode_t *root = import_doc(ld, where, "wsdl:import", loc, &again, &next);
            if (root != NULL && !again) {
                if (strcmp(root->ns, SL_XSD_NS) == 0 && strcmp(root->local, "schema") == 0)
                    rc = load_schema(ld, root, next, NULL, err, errlen);
                else if (strcmp(root->ns, SL_WSDL_NS) == 0 &&
                         strcmp(root->local, "definitions") == 0)
                    rc = load_definitions(ld, root, next, err, errlen);
                else
                    sl_wsdl_warn(&w->warnings,
                                 "%s: imported by %s is neither a WSDL nor an XML Schema (root %s)",
                                 next, where, root->name);
            }
            free(next);
            if (rc != 0)
                return -1;
        }
    }
    return 0;
}

int sl_wsdl_qname(const sl_wsdl_t *w, const sl_xnode_t *at, const char *qname, const char **ns,
                  const char **local)
{
    const char *colon = strchr(qname, ':');
    char prefix[128] = "";
    if (colon != NULL) {
        if ((size_t)(colon - qname) >= sizeof(prefix))
            return -1;
        memcpy(prefix, qname, (size_t)(colon - qname));
        prefix[colon - qname] = '\0';
    }
    *local = colon != NULL ? colon + 1 : qname;
    *ns = sl_xnode_lookup_ns(at, prefix);
    if (*ns == NULL && colon != NULL)
        return -1;
    if (*ns == NULL || (*ns)[0] == '\0') {
        const sl_wsdl_schema_t *s = sl_wsdl_schema_of(w, at);
        *ns = s != NULL && sl_xnode_attr(s->node, "", "targetNamespace") == NULL ? s->tns : "";
    }
    return 0;
}

const sl_wsdl_schema_t *sl_wsdl_schema_of(const sl_wsdl_t *w, const sl_xnode_t *n)
{
    for (; n != NULL; n = n->parent)
        if (strcmp(n->local, "schema") == 0 && strcmp(n->ns, SL_XSD_NS) == 0)
            for (int i = 0; i < w->nschemas; i++)
                if (w->schemas[i].node == n)
                    return &w->schemas[i];
    return NULL;
}

const sl_xnode_t *sl_wsdl_global(const sl_wsdl_t *w, const char *kind, const char *ns,
                                 const char *local)
{
    for (int i = 0; i < w->nschemas; i++) {
        if (strcmp(w->schemas[i].tns, ns) != 0)
            continue;
        for (const sl_xnode_t *c = w->schemas[i].node->first_child; c != NULL; c = c->next) {
            const char *name = sl_xnode_attr(c, "", "name");
            if (name != NULL && strcmp(c->local, kind) == 0 && strcmp(c->ns, SL_XSD_NS) == 0 &&
                strcmp(name, local) == 0)
                return c;
        }
    }
    return NULL;
}

/* A wsdl:<kind> named by the QName attribute `attr` of `at`, from any of the definitions. */
static const sl_xnode_t *wsdl_ref(const sl_wsdl_t *w, const sl_xnode_t *at, const char *attr,
                                  const char *kind)
{
    const char *q = sl_xnode_attr(at, "", attr), *ns, *local;
    if (q == NULL || sl_wsdl_qname(w, at, q, &ns, &local) != 0)
        return NULL;
    for (int i = 0; i < w->ndefs; i++) {
        const char *tns = sl_xnode_attr(w->defs[i], "", "targetNamespace");
        if (strcmp(tns ? tns : "", ns) != 0)
            continue;
        for (const sl_xnode_t *c = w->defs[i]->first_child; c != NULL; c = c->next) {
            const char *name = sl_xnode_attr(c, "", "name");
            if (name != NULL && strcmp(c->ns, SL_WSDL_NS) == 0 && strcmp(c->local, kind) == 0 &&
                strcmp(name, local) == 0)
                return c;
        }
    }
    return NULL;
}

static const char *soap_ns(int version)
{
    return version == 12 ? SL_WSDL_SOAP12_NS : SL_WSDL_SOAP11_NS;
}

/* Finds the port (or, without a service, the binding) to describe: the first SOAP one, or
 * the one named `port`. A port without an address is taken too (the script then needs -u). */
static const sl_xnode_t *pick_binding(sl_wsdl_t *w, int version, const char *port)
{
    int tries[2] = {version ? version : 11, version ? 0 : 12};
    for (int t = 0; t < 2 && tries[t]; t++) {
        const char *sns = soap_ns(tries[t]);
        for (int i = 0; i < w->ndefs; i++)
            for (const sl_xnode_t *svc = sl_xnode_child(w->defs[i], SL_WSDL_NS, "service");
                 svc != NULL; svc = svc->next) {
                if (strcmp(svc->local, "service") != 0 || strcmp(svc->ns, SL_WSDL_NS) != 0)
                    continue;
                for (const sl_xnode_t *p = sl_xnode_child(svc, SL_WSDL_NS, "port"); p != NULL;
                     p = p->next) {
                    const sl_xnode_t *addr = sl_xnode_child(p, sns, "address");
                    const sl_xnode_t *b = wsdl_ref(w, p, "binding", "binding");
                    const char *name = sl_xnode_attr(p, "", "name");
                    if (strcmp(p->local, "port") != 0 || b == NULL ||
                        sl_xnode_child(b, sns, "binding") == NULL ||
                        (port != NULL && (name == NULL || strcmp(name, port) != 0)))
                        continue;
                    w->endpoint = addr ? sl_xnode_attr(addr, "", "location") : NULL;
                    w->service = sl_xnode_attr(svc, "", "name");
                    w->port = name;
                    w->soap_version = tries[t];
                    return b;
                }
            }
        for (int i = 0; i < w->ndefs; i++)
            for (const sl_xnode_t *b = sl_xnode_child(w->defs[i], SL_WSDL_NS, "binding"); b != NULL;
                 b = b->next) {
                const char *name = sl_xnode_attr(b, "", "name");
                if (strcmp(b->local, "binding") == 0 && strcmp(b->ns, SL_WSDL_NS) == 0 &&
                    sl_xnode_child(b, sns, "binding") != NULL &&
                    (port == NULL || (name != NULL && strcmp(name, port) == 0))) {
                    w->soap_version = tries[t];
                    return b;
                }
            }
    }
    return NULL;
}

static const sl_xnode_t *port_operation(const sl_xnode_t *port_type, const char *name)
{
    for (const sl_xnode_t *o = sl_xnode_child(port_type, SL_WSDL_NS, "operation"); o != NULL;
         o = o->next) {
        const char *n = sl_xnode_attr(o, "", "name");
        if (strcmp(o->local, "operation") == 0 && n != NULL && strcmp(n, name) == 0)
            return o;
    }
    return NULL;
}

static int describe_operations(sl_wsdl_t *w, const sl_xnode_t *binding, char *err, size_t errlen)
{
    const char *sns = soap_ns(w->soap_version);
    const sl_xnode_t *sb = sl_xnode_child(binding, sns, "binding");
    const char *style = sl_xnode_attr(sb, "", "style");
    const sl_xnode_t *pt = wsdl_ref(w, binding, "type", "portType");
    w->binding = sl_xnode_attr(binding, "", "name");
    for (const sl_xnode_t *o = sl_xnode_child(binding, SL_WSDL_NS, "operation"); o != NULL;
         o = o->next) {
        const char *name = sl_xnode_attr(o, "", "name");
        if (strcmp(o->local, "operation") != 0 || strcmp(o->ns, SL_WSDL_NS) != 0 || !name)
            continue;
        /* only what a script can hold is described: the lookups below are linear, and a
         * WSDL of 20,000 operations would make them quadratic */
        if (w->nops_all++ >= SL_MAX_OPERATIONS)
            continue;
        const sl_xnode_t *po = pt != NULL ? port_operation(pt, name) : NULL;
        sl_wsdl_op_t op = {.name = name, .soap_action = "", .rpc_ns = ""};
        if (po == NULL)
            op.untyped = pt != NULL ? "it is not in the binding's portType"
                                    : "the binding's portType is not defined";
        const sl_xnode_t *so = sl_xnode_child(o, sns, "operation");
        const char *ostyle = so ? sl_xnode_attr(so, "", "style") : NULL;
        if (so != NULL && sl_xnode_attr(so, "", "soapAction") != NULL)
            op.soap_action = sl_xnode_attr(so, "", "soapAction");
        ostyle = ostyle ? ostyle : style;
        op.rpc = ostyle != NULL && strcmp(ostyle, "rpc") == 0;
        const sl_xnode_t *in = sl_xnode_child(o, SL_WSDL_NS, "input");
        const sl_xnode_t *body = in ? sl_xnode_child(in, sns, "body") : NULL;
        if (body != NULL) {
            const char *use = sl_xnode_attr(body, "", "use");
            op.encoded = use != NULL && strcmp(use, "encoded") == 0;
            if (sl_xnode_attr(body, "", "namespace") != NULL)
                op.rpc_ns = sl_xnode_attr(body, "", "namespace");
            op.parts = sl_xnode_attr(body, "", "parts");
        }
        const sl_xnode_t *pin = po ? sl_xnode_child(po, SL_WSDL_NS, "input") : NULL;
        const sl_xnode_t *pout = po ? sl_xnode_child(po, SL_WSDL_NS, "output") : NULL;
        if (pin != NULL && (op.input = wsdl_ref(w, pin, "message", "message")) == NULL)
            op.untyped = "its input message is not defined";
        if (pout != NULL)
            op.output = wsdl_ref(w, pout, "message", "message");
        sl_wsdl_op_t *ops = realloc(w->ops, sizeof(*ops) * (size_t)(w->nops + 1));
        if (ops == NULL) {
            vset(err, errlen, "out of memory");
            return -1;
        }
        w->ops = ops;
        w->ops[w->nops++] = op;
    }
    if (w->nops == 0) {
        vset(err, errlen, "%s: binding %s has no operations", w->source,
             w->binding ? w->binding : "?");
        return -1;
    }
    return 0;
}

sl_wsdl_t *sl_wsdl_load(const char *source, int version, char *err, size_t errlen)
{
    sl_wsdl_opts_t o = {.version = version};
    return sl_wsdl_load_with(source, &o, err, errlen);
}

/* Whether a URL names credentials (user@host), which would be written into the script. */
static int has_credentials(const char *url)
{
    const char *host = strstr(url, "://");
    return host != NULL && memchr(host + 3, '@', strcspn(host + 3, "/?#")) != NULL;
}

sl_wsdl_t *sl_wsdl_load_with(const char *source, const sl_wsdl_opts_t *o, char *err, size_t errlen)
{
    loader_t ld = {0};
    sl_wsdl_t *w = ld.w = calloc(1, sizeof(*w));
    if (w == NULL || (w->source = strdup(source)) == NULL) {
        vset(err, errlen, "out of memory");
        goto fail;
    }
    size_t scheme = strcspn(source, ":/?#");
    if (sl_wsdl_fetch_is_url(source) && has_credentials(source)) {
        vset(err, errlen,
             "a WSDL URL with credentials (user@host) is refused: they would be "
             "written into the script");
        goto fail;
    }
    if (scheme > 0 && source[scheme] == ':' && !sl_wsdl_fetch_is_url(source)) {
        vset(err, errlen, "%s: only http://, https:// URLs or file names are read", source);
        goto fail;
    }
    if (sl_wsdl_fetch_is_url(source) && o->offline) {
        vset(err, errlen, "%s: a URL, and --offline fetches nothing: download it", source);
        goto fail;
    }
    if (sl_wsdl_fetch_open(&ld.fetch, source, o->root, o->catalog, o->offline, err, errlen) != 0)
        goto fail;
    int again;
    const sl_xnode_t *root = load_doc(&ld, source, &again, err, errlen);
    if (root == NULL || load_definitions(&ld, root, source, err, errlen) != 0)
        goto fail;
    const sl_xnode_t *b = pick_binding(w, o->version, o->port);
    if (b == NULL) {
        const char *v = o->version == 12 ? "1.2" : o->version == 11 ? "1.1" : "1.1 or 1.2";
        if (o->port != NULL)
            vset(err, errlen, "%s: --port %s: no SOAP %s port (or binding) of that name", source,
                 o->port, v);
        else if (o->version)
            vset(err, errlen, "%s: no SOAP %s binding (soap%s:binding)", source, v,
                 o->version == 12 ? "12" : "");
        else
            vset(err, errlen, "%s: no SOAP 1.1 or 1.2 binding (soap:binding, soap12:binding)",
                 source);
        goto fail;
    }
    if (describe_operations(w, b, err, errlen) != 0)
        goto fail;
    sl_wsdl_fetch_close(&ld.fetch);
    return w;
fail:
    sl_wsdl_fetch_close(&ld.fetch);
    sl_wsdl_free(w);
    return NULL;
}

void sl_wsdl_free(sl_wsdl_t *w)
{
    if (w == NULL)
        return;
    for (int i = 0; i < w->ndocs; i++) {
        sl_xtree_free(w->docs[i]);
        free(w->doc_names[i]);
    }
    free(w->docs);
    free(w->doc_names);
    free(w->defs);
    free(w->schemas);
    free(w->ops);
    free(w->source);
    sl_wsdl_warnings_free(&w->warnings);
    free(w);
}

const char *sl_wsdl_attr(const sl_xnode_t *n, const char *name)
{
    return sl_xnode_attr(n, "", name);
}

int sl_wsdl_is_xsd(const sl_xnode_t *n, const char *local)
{
    return strcmp(n->ns, SL_XSD_NS) == 0 && (local == NULL || strcmp(n->local, local) == 0);
}
