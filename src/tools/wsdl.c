/*
 * wsdl: fetching a WSDL and everything it imports (libcurl's easy interface for http(s), no
 * redirect to another origin; files only next to a local WSDL), then walking
 * service -> port -> binding -> portType -> message to the model in wsdl.h.
 */
#include "tools/wsdl.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_REDIRECTS 5

static int is_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

/* The length of "scheme://authority" at the start of url. */
static size_t origin_len(const char *url)
{
    const char *p = strstr(url, "://");
    if (p == NULL)
        return 0;
    p += 3;
    return (size_t)(p - url) + strcspn(p, "/?#");
}

static int same_origin(const char *a, const char *b)
{
    size_t la = origin_len(a), lb = origin_len(b);
    return la > 0 && la == lb && strncasecmp(a, b, la) == 0;
}

static int has_scheme(const char *s)
{
    size_t n = strcspn(s, ":/?#");
    return n > 0 && s[n] == ':';
}

static int has_dotdot(const char *p)
{
    for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
        if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
            return 1;
    return 0;
}

/* Removes "./" and "seg/../" from an absolute path in place (from its first '/'). */
static void normalize_path(char *path)
{
    char *out = path, *in = path;
    while (*in) {
        if (in[0] == '/' && in[1] == '.' && (in[2] == '/' || in[2] == '\0')) {
            in += 2;
        } else if (in[0] == '/' && in[1] == '.' && in[2] == '.' && (in[3] == '/' || !in[3])) {
            in += 3;
            while (out > path && *--out != '/')
                ;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
}

/* The location `loc` (an import's schemaLocation or location) as seen from the document at
 * `base`: a malloc'd URL or file name, or NULL with the reason in err. */
static char *resolve_location(const char *base, const char *loc, char *err, size_t errlen)
{
    char *out = NULL;
    if (is_url(base)) {
        size_t olen = origin_len(base);
        if (has_scheme(loc) || strncmp(loc, "//", 2) == 0) {
            if (strncmp(loc, "//", 2) == 0) {
                size_t slen = (size_t)(strstr(base, "://") - base) + 1;
                if (asprintf(&out, "%.*s%s", (int)slen, base, loc) < 0)
                    return NULL;
            } else {
                out = strdup(loc);
            }
            if (out != NULL && !same_origin(out, base)) {
                snprintf(err, errlen,
                         "%s is not on the WSDL's origin %.*s: soapload fetches imports from "
                         "the same origin only (download it and use local files)",
                         loc, (int)olen, base);
                free(out);
                return NULL;
            }
            return out;
        }
        if (loc[0] == '/') {
            if (asprintf(&out, "%.*s%s", (int)olen, base, loc) < 0)
                return NULL;
        } else {
            size_t end = strcspn(base, "?#");
            size_t dir = end;
            while (dir > olen && base[dir - 1] != '/')
                dir--;
            if (dir == olen) {
                if (asprintf(&out, "%.*s/%s", (int)olen, base, loc) < 0)
                    return NULL;
            } else if (asprintf(&out, "%.*s%s", (int)dir, base, loc) < 0) {
                return NULL;
            }
        }
        normalize_path(out + olen);
        return out;
    }
    if (has_scheme(loc) || loc[0] == '/' || has_dotdot(loc)) {
        snprintf(err, errlen,
                 "%s is not a file next to the WSDL: soapload reads imports of a local WSDL "
                 "from its folder only",
                 loc);
        return NULL;
    }
    const char *slash = strrchr(base, '/');
    if (slash == NULL)
        return strdup(loc);
    if (asprintf(&out, "%.*s%s", (int)(slash - base + 1), base, loc) < 0)
        return NULL;
    return out;
}

typedef struct {
    char *data;
    size_t len;
    int too_big;
} body_t;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    body_t *b = ud;
    size_t add = size * n;
    if (b->len + add > SL_WSDL_MAX_BYTES) {
        b->too_big = 1;
        return 0;
    }
    char *d = realloc(b->data, b->len + add + 1);
    if (d == NULL)
        return 0;
    memcpy(d + b->len, p, add);
    b->data = d;
    b->len += add;
    d[b->len] = '\0';
    return add;
}

/* GETs url, following redirects within its origin. Returns 0 with the body, or -1. */
static int fetch_url(const char *url, body_t *b, char *err, size_t errlen)
{
    CURL *e = curl_easy_init();
    char *cur = strdup(url);
    int rc = -1;
    if (e == NULL || cur == NULL) {
        snprintf(err, errlen, "%s: out of memory", url);
        goto cleanup;
    }
    for (int hop = 0;; hop++) {
        char cerr[CURL_ERROR_SIZE] = "";
        free(b->data);
        b->data = NULL;
        b->len = 0;
        curl_easy_reset(e);
        curl_easy_setopt(e, CURLOPT_URL, cur);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, b);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cerr);
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SL_WSDL_MAX_BYTES);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "soapload-wsdl");
        CURLcode res = curl_easy_perform(e);
        if (b->too_big || res == CURLE_FILESIZE_EXCEEDED) {
            snprintf(err, errlen, "%s: larger than %d bytes", cur, SL_WSDL_MAX_BYTES);
            goto cleanup;
        }
        if (res != CURLE_OK) {
            snprintf(err, errlen, "%s: %s", cur, cerr[0] ? cerr : curl_easy_strerror(res));
            goto cleanup;
        }
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 300 && status < 400) {
            char *next = NULL;
            curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &next);
            if (next == NULL || !same_origin(next, cur) || hop == MAX_REDIRECTS) {
                snprintf(err, errlen, "%s: HTTP %ld redirects to %s: not followed (%s)", cur,
                         status, next ? next : "nowhere",
                         hop == MAX_REDIRECTS ? "too many redirects" : "another origin");
                goto cleanup;
            }
            char *copy = strdup(next);
            free(cur);
            cur = copy;
            if (cur == NULL)
                goto cleanup;
            continue;
        }
        if (status != 200) {
            snprintf(err, errlen, "%s: HTTP %ld", cur, status);
            goto cleanup;
        }
        if (b->data == NULL && (b->data = calloc(1, 1)) == NULL)
            goto cleanup;
        rc = 0;
        break;
    }
cleanup:
    free(cur);
    if (e != NULL)
        curl_easy_cleanup(e);
    return rc;
}

static int read_file(const char *path, body_t *b, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (on_data(chunk, 1, n, b) != n) {
            snprintf(err, errlen, "%s: %s", path,
                     b->too_big ? "larger than 16 MiB" : "out of memory");
            rc = -1;
            break;
        }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    if (rc == 0 && b->data == NULL && (b->data = calloc(1, 1)) == NULL)
        rc = -1;
    return rc;
}

/* Some shipped WSDLs put a licence comment before the XML declaration, which XML forbids;
 * the declaration then says nothing the parser needs, so it is blanked out. */
static void blank_late_declaration(char *d, size_t len)
{
    size_t i = 0;
    if (len >= 3 && (unsigned char)d[0] == 0xEF && (unsigned char)d[1] == 0xBB &&
        (unsigned char)d[2] == 0xBF)
        i = 3;
    size_t start = i;
    for (;;) {
        while (i < len && strchr(" \t\r\n", d[i]) != NULL)
            i++;
        if (i + 4 <= len && strncmp(d + i, "<!--", 4) == 0) {
            char *end = strstr(d + i + 4, "-->");
            if (end == NULL)
                return;
            i = (size_t)(end - d) + 3;
            continue;
        }
        break;
    }
    if (i == start || i + 6 > len || strncmp(d + i, "<?xml", 5) != 0 ||
        strchr(" \t\r\n", d[i + 5]) == NULL)
        return;
    char *end = strstr(d + i, "?>");
    if (end != NULL)
        memset(d + i, ' ', (size_t)(end + 2 - (d + i)));
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
static const sl_xnode_t *load_doc(sl_wsdl_t *w, const char *where, int *again, char *err,
                                  size_t errlen)
{
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
    body_t b = {0};
    char perr[256];
    if ((is_url(where) ? fetch_url(where, &b, err, errlen) : read_file(where, &b, err, errlen)) !=
        0) {
        free(b.data);
        return NULL;
    }
    blank_late_declaration(b.data, b.len);
    sl_xtree_t *t = sl_xtree_parse(b.data, b.len, perr, sizeof(perr));
    free(b.data);
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

/* Adds schema s (read from `where`) and, depth first, what it imports and includes.
 * include_tns: the includer's namespace for a schema without its own. */
static int load_schema(sl_wsdl_t *w, const sl_xnode_t *s, const char *where,
                       const char *include_tns, char *err, size_t errlen)
{
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
        char rerr[512] = "";
        char *next = resolve_location(where, loc, rerr, sizeof(rerr));
        if (next == NULL) {
            vset(err, errlen, "%s: xsd:%s: %s", where, c->local, rerr[0] ? rerr : "no memory");
            return -1;
        }
        int again;
        const sl_xnode_t *root = load_doc(w, next, &again, err, errlen);
        int rc = 0;
        if (root == NULL) {
            rc = -1;
        } else if (!again) {
            if (strcmp(root->ns, SL_XSD_NS) != 0 || strcmp(root->local, "schema") != 0) {
                vset(err, errlen, "%s: imported by %s is not an XML Schema (root %s)", next, where,
                     root->name);
                rc = -1;
            } else {
                rc = load_schema(w, root, next, include ? tns : NULL, err, errlen);
            }
        }
        free(next);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int load_definitions(sl_wsdl_t *w, const sl_xnode_t *defs, const char *where, char *err,
                            size_t errlen)
{
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
                    load_schema(w, s, where, NULL, err, errlen) != 0)
                    return -1;
        } else if (strcmp(c->ns, SL_WSDL_NS) == 0 && strcmp(c->local, "import") == 0) {
            const char *loc = sl_xnode_attr(c, "", "location");
            if (loc == NULL)
                continue;
            char rerr[512] = "";
            char *next = resolve_location(where, loc, rerr, sizeof(rerr));
            if (next == NULL) {
                vset(err, errlen, "%s: wsdl:import: %s", where, rerr[0] ? rerr : "no memory");
                return -1;
            }
            int again, rc = 0;
            const sl_xnode_t *root = load_doc(w, next, &again, err, errlen);
            if (root == NULL)
                rc = -1;
            else if (!again && strcmp(root->ns, SL_XSD_NS) == 0 &&
                     strcmp(root->local, "schema") == 0)
                rc = load_schema(w, root, next, NULL, err, errlen);
            else if (!again)
                rc = load_definitions(w, root, next, err, errlen);
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

/* Finds the port (or, without a service, the binding) to describe. */
static const sl_xnode_t *pick_binding(sl_wsdl_t *w, int version)
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
                    if (strcmp(p->local, "port") != 0 || addr == NULL || b == NULL ||
                        sl_xnode_child(b, sns, "binding") == NULL)
                        continue;
                    w->endpoint = sl_xnode_attr(addr, "", "location");
                    w->service = sl_xnode_attr(svc, "", "name");
                    w->port = sl_xnode_attr(p, "", "name");
                    w->soap_version = tries[t];
                    return b;
                }
            }
        for (int i = 0; i < w->ndefs; i++)
            for (const sl_xnode_t *b = sl_xnode_child(w->defs[i], SL_WSDL_NS, "binding"); b != NULL;
                 b = b->next)
                if (strcmp(b->local, "binding") == 0 && strcmp(b->ns, SL_WSDL_NS) == 0 &&
                    sl_xnode_child(b, sns, "binding") != NULL) {
                    w->soap_version = tries[t];
                    return b;
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
    if (pt == NULL) {
        vset(err, errlen, "%s: binding %s: its portType %s is not defined", w->source,
             w->binding ? w->binding : "?", sl_xnode_attr(binding, "", "type"));
        return -1;
    }
    for (const sl_xnode_t *o = sl_xnode_child(binding, SL_WSDL_NS, "operation"); o != NULL;
         o = o->next) {
        const char *name = sl_xnode_attr(o, "", "name");
        if (strcmp(o->local, "operation") != 0 || strcmp(o->ns, SL_WSDL_NS) != 0 || !name)
            continue;
        const sl_xnode_t *po = port_operation(pt, name);
        if (po == NULL) {
            vset(err, errlen, "%s: binding operation %s is not in portType %s", w->source, name,
                 sl_xnode_attr(pt, "", "name"));
            return -1;
        }
        sl_wsdl_op_t op = {.name = name, .soap_action = "", .rpc_ns = ""};
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
        const sl_xnode_t *pin = sl_xnode_child(po, SL_WSDL_NS, "input");
        const sl_xnode_t *pout = sl_xnode_child(po, SL_WSDL_NS, "output");
        if (pin != NULL && (op.input = wsdl_ref(w, pin, "message", "message")) == NULL) {
            vset(err, errlen, "%s: operation %s: input message %s is not defined", w->source, name,
                 sl_xnode_attr(pin, "", "message"));
            return -1;
        }
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
    sl_wsdl_t *w = calloc(1, sizeof(*w));
    if (w == NULL || (w->source = strdup(source)) == NULL) {
        vset(err, errlen, "out of memory");
        goto fail;
    }
    if (is_url(source) && memchr(source, '@', origin_len(source)) != NULL) {
        vset(err, errlen,
             "a WSDL URL with credentials (user@host) is refused: they would be "
             "written into the script");
        goto fail;
    }
    if (has_scheme(source) && !is_url(source)) {
        vset(err, errlen, "%s: only http://, https:// URLs or file names are read", source);
        goto fail;
    }
    int again;
    const sl_xnode_t *root = load_doc(w, source, &again, err, errlen);
    if (root == NULL || load_definitions(w, root, source, err, errlen) != 0)
        goto fail;
    const sl_xnode_t *b = pick_binding(w, version);
    if (b == NULL) {
        if (version)
            vset(err, errlen, "%s: no SOAP %s binding (soap%s:binding)", source,
                 version == 12 ? "1.2" : "1.1", version == 12 ? "12" : "");
        else
            vset(err, errlen, "%s: no SOAP 1.1 or 1.2 binding (soap:binding, soap12:binding)",
                 source);
        goto fail;
    }
    if (describe_operations(w, b, err, errlen) != 0)
        goto fail;
    return w;
fail:
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
    free(w);
}
