/*
 * wsdl_schema: building libxml2's xmlSchema from an XSD or from a WSDL's types. libxml2 cannot
 * read a WSDL as a schema: each xsd:schema of wsdl:types is copied into a document of its own
 * (with the namespaces in scope at the WSDL's root, since QNames in attribute values use them),
 * the pieces of one target namespace are included by a hub schema, and a wrapper schema imports
 * every hub. libxml2 loads them, and every import, through one entity loader installed for the
 * parse: pieces from memory, the rest through tools/wsdl_fetch.c.
 */
#include "tools/wsdl_schema.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/termtext.h"
#include "tools/wsdl_fetch.h"

#define XSD_NS "http://www.w3.org/2001/XMLSchema"
#define WSDL11_NS "http://schemas.xmlsoap.org/wsdl/"
#define WSDL20_NS "http://www.w3.org/ns/wsdl"
#define WRAPPER_NS "urn:soapload:wsdl-types"
#define MAX_PIECES 256

typedef struct {
    char *name; /* a location no file has: the WSDL's own, plus a suffix */
    char *text;
} piece_t;

/* What the entity loader needs while xmlSchemaParse runs (libxml2's loader is global). */
static struct {
    sl_wsdl_fetch_t *fetch;
    piece_t pieces[2 * MAX_PIECES + 1];
    int npieces;
    char first[512];    /* the first document that could not be had, and why */
    FILE *warnings;     /* where each of them is named, or NULL */
    const char *remote; /* the schema's URL when it was fetched: then no file is read */
} loader;

static char first_error[512];

/* libxml2's parse and schema errors: the first one is kept, none is printed. */
static void on_error(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    if (e == NULL || e->level < XML_ERR_ERROR || first_error[0] != '\0' ||
        e->domain == XML_FROM_IO) /* an import not had: load_entity says which, and why */
        return;
    char raw[512];
    size_t n = snprintf(raw, sizeof(raw), "%s line %d: %s", e->file ? e->file : "schema", e->line,
                        e->message ? e->message : "error");
    while (n > 0 && n < sizeof(raw) && raw[n - 1] == '\n')
        raw[--n] = '\0';
    /* the message quotes the schema's bytes, and it is printed: no line breaks or controls */
    sl_termtext_escape(first_error, sizeof(first_error), raw);
}

/* An input holding a copy of text (the caller frees its own), named name. */
static xmlParserInputPtr input_from(xmlParserCtxtPtr ctxt, const char *text, const char *name)
{
    xmlParserInputBufferPtr buf =
        xmlParserInputBufferCreateMem(text, (int)strlen(text), XML_CHAR_ENCODING_NONE);
    xmlParserInputPtr in =
        buf != NULL ? xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE) : NULL;
    if (in == NULL) {
        xmlFreeParserInputBuffer(buf);
        return NULL;
    }
    in->filename = (char *)xmlStrdup((const xmlChar *)name); /* its imports resolve from here */
    return in;
}

static xmlParserInputPtr load_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)id;
    char why[512];
    if (url == NULL)
        return NULL;
    for (int i = 0; i < loader.npieces; i++)
        if (strcmp(url, loader.pieces[i].name) == 0)
            return input_from(ctxt, loader.pieces[i].text, url);
    /* resolved from the fetched schema, a file: URL or path is refused (libxml2 names only
     * the import, not which document made it: a fetched schema makes them all remote) */
    char *where = sl_wsdl_fetch_resolve(loader.fetch, loader.remote ? loader.remote : url, url, why,
                                        sizeof(why));
    char *data = NULL;
    size_t len;
    xmlParserInputPtr in = NULL;
    if (where != NULL &&
        sl_wsdl_fetch_read(loader.fetch, where, &data, &len, why, sizeof(why)) == 0)
        in = input_from(ctxt, data, where);
    free(data);
    free(where);
    if (in != NULL)
        return in;
    if (loader.warnings != NULL) { /* url and why hold the schema's bytes: escaped */
        fputs("soapload: warning: schema: ", loader.warnings);
        sl_termtext_fputs(url, loader.warnings);
        fputs(": not read (", loader.warnings);
        sl_termtext_fputs(why, loader.warnings);
        fputs(")\n", loader.warnings);
    }
    if (loader.first[0] == '\0')
        sl_termtext_escape(loader.first, sizeof(loader.first), why);
    /* libxml2 skips an import it could not locate (an I/O error), with a warning, and goes
     * on: what uses its types then fails by name. The default loader on a name no file has
     * raises that I/O error, with the public API. */
    return xmlNoNetExternalEntityLoader("/nonexistent/soapload-not-read.xsd", NULL, ctxt);
}

static int add_piece(const char *base, const char *what, int i, char *text)
{
    piece_t *p = &loader.pieces[loader.npieces];
    if (text == NULL || asprintf(&p->name, "%s.soapload-%s-%d.xsd", base, what, i) < 0) {
        free(text);
        return -1;
    }
    p->text = text;
    loader.npieces++;
    return 0;
}

/* A copy of schema s as a document of its own, serialized; NULL when out of memory. */
static char *piece_text(xmlDocPtr doc, xmlNodePtr s)
{
    xmlDocPtr one = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr copy = one != NULL ? xmlDocCopyNode(s, one, 1) : NULL;
    char *text = NULL;
    if (copy != NULL) {
        xmlDocSetRootElement(one, copy);
        xmlNsPtr *inscope = xmlGetNsList(doc, s);
        for (int k = 0; inscope != NULL && inscope[k] != NULL; k++)
            if (xmlSearchNs(one, copy, inscope[k]->prefix) == NULL)
                xmlNewNs(copy, inscope[k]->href, inscope[k]->prefix);
        xmlFree(inscope);
        xmlChar *mem = NULL;
        int len = 0;
        xmlDocDumpMemory(one, &mem, &len);
        text = mem != NULL ? strdup((const char *)mem) : NULL;
        xmlFree(mem);
    }
    xmlFreeDoc(one);
    return text;
}

static int is(xmlNodePtr n, const char *ns, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
           strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, name) == 0;
}

/* The schema's targetNamespace ("" for none), malloc'd; NULL when out of memory. */
static char *tns_of(xmlNodePtr s)
{
    xmlChar *t = xmlGetProp(s, (const xmlChar *)"targetNamespace");
    char *copy = strdup(t != NULL ? (const char *)t : "");
    xmlFree(t);
    return copy;
}

/* The wrapper schema's text: a hub per target namespace including its pieces, imported. */
static char *wsdl_wrapper(xmlDocPtr doc, xmlNodePtr defs, const char *base, char *err,
                          size_t errlen)
{
    xmlNodePtr schemas[MAX_PIECES];
    char *tns[MAX_PIECES] = {0};
    int n = 0;
    for (xmlNodePtr t = defs->children; t != NULL; t = t->next)
        if (is(t, WSDL11_NS, "types") || is(t, WSDL20_NS, "types"))
            for (xmlNodePtr s = t->children; s != NULL; s = s->next)
                if (is(s, XSD_NS, "schema") && n < MAX_PIECES)
                    schemas[n++] = s;
    if (n == 0) {
        snprintf(err, errlen, "%s: the WSDL has no xsd:schema in wsdl:types", base);
        return NULL;
    }
    char *wrapper = NULL, *imports = strdup("");
    int failed = imports == NULL;
    for (int i = 0; i < n && !failed; i++) {
        tns[i] = tns_of(schemas[i]);
        failed = tns[i] == NULL || add_piece(base, "types", i, piece_text(doc, schemas[i])) != 0;
    }
    for (int i = 0; i < n && !failed; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= strcmp(tns[i], tns[j]) == 0;
        if (seen)
            continue;
        char *hub = NULL, *incs = strdup(""), *next;
        for (int j = i; j < n && incs != NULL; j++) {
            if (strcmp(tns[i], tns[j]) != 0)
                continue;
            next = NULL;
            if (asprintf(&next, "%s<xs:include schemaLocation=\"%s\"/>", incs,
                         loader.pieces[j].name) < 0)
                next = NULL;
            free(incs);
            incs = next;
        }
        /* namespaces are URIs: no quote or angle bracket to escape in practice, but be safe */
        failed = incs == NULL || strpbrk(tns[i], "\"<&") != NULL ||
                 asprintf(&hub, "<xs:schema xmlns:xs=\"" XSD_NS "\"%s%s%s>%s</xs:schema>",
                          tns[i][0] ? " targetNamespace=\"" : "", tns[i], tns[i][0] ? "\"" : "",
                          incs) < 0 ||
                 add_piece(base, "hub", i, hub) != 0;
        free(incs);
        next = NULL;
        if (!failed && asprintf(&next, "%s<xs:import%s%s%s schemaLocation=\"%s\"/>", imports,
                                tns[i][0] ? " namespace=\"" : "", tns[i], tns[i][0] ? "\"" : "",
                                loader.pieces[loader.npieces - 1].name) < 0)
            next = NULL;
        failed |= next == NULL;
        free(imports);
        imports = next;
    }
    if (!failed && asprintf(&wrapper,
                            "<xs:schema xmlns:xs=\"" XSD_NS "\" targetNamespace=\"" WRAPPER_NS
                            "\">%s</xs:schema>",
                            imports) < 0)
        wrapper = NULL;
    for (int i = 0; i < n; i++)
        free(tns[i]);
    free(imports);
    if (wrapper == NULL && err[0] == '\0')
        snprintf(err, errlen, "%s: out of memory reading its types", base);
    return wrapper;
}

static void clear_loader(void)
{
    for (int i = 0; i < loader.npieces; i++) {
        free(loader.pieces[i].name);
        free(loader.pieces[i].text);
    }
    memset(&loader, 0, sizeof(loader));
}

/* Parses the schema whose main document is doc. */
static xmlSchemaPtr parse(xmlDocPtr doc)
{
    xmlSchemaParserCtxtPtr p = doc != NULL ? xmlSchemaNewDocParserCtxt(doc) : NULL;
    if (p == NULL)
        return NULL;
    xmlSchemaSetParserStructuredErrors(p, on_error, NULL);
    xmlSchemaPtr s = xmlSchemaParse(p);
    xmlSchemaFreeParserCtxt(p);
    return s;
}

void *sl_wsdl_schema_load(const char *source, const char *base_dir, const char *catalog,
                          int offline, FILE *warnings, char *err, size_t errlen)
{
    sl_wsdl_fetch_t fetch = {0};
    char *path = NULL, *data = NULL, *wrapper = NULL;
    size_t len;
    xmlDocPtr doc = NULL;
    xmlSchemaPtr schema = NULL;
    err[0] = first_error[0] = '\0';
    char real[PATH_MAX];
    if (sl_wsdl_fetch_is_url(source))
        path = strdup(source);
    else if (source[0] != '/' && base_dir != NULL && base_dir[0] &&
             asprintf(&path, "%s/%s", base_dir, source) < 0)
        path = NULL;
    else if (realpath(path != NULL ? path : source, real) == NULL) {
        snprintf(err, errlen, "cannot open the schema %s: %s", path != NULL ? path : source,
                 strerror(errno));
        free(path);
        return NULL;
    } else {
        free(path);
        path = strdup(real); /* absolute: the names of the pieces are built from it */
    }
    if (path == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* the user chose this file: what it imports may be read from anywhere on this machine
     * (a document fetched over the network still never names a local file) */
    if (sl_wsdl_fetch_open(&fetch, path, "/", catalog, offline, err, errlen) != 0 ||
        sl_wsdl_fetch_read(&fetch, path, &data, &len, err, errlen) != 0)
        goto Done;
    xmlExternalEntityLoader before = xmlGetExternalEntityLoader();
    xmlSetStructuredErrorFunc(NULL, on_error);
    xmlSetExternalEntityLoader(load_entity);
    loader.fetch = &fetch;
    loader.remote = sl_wsdl_fetch_is_url(path) ? path : NULL;
    loader.warnings = warnings;
    doc = xmlReadMemory(data, (int)len, path, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
    xmlNodePtr root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
    if (root == NULL)
        snprintf(err, errlen, "%s is not well-formed XML: %s", path, first_error);
    else if (is(root, XSD_NS, "schema"))
        schema = parse(doc);
    else if (is(root, WSDL11_NS, "definitions") || is(root, WSDL20_NS, "description")) {
        if ((wrapper = wsdl_wrapper(doc, root, path, err, errlen)) != NULL) {
            xmlDocPtr w = xmlReadMemory(wrapper, (int)strlen(wrapper), path, NULL, 0);
            schema = parse(w);
            xmlFreeDoc(w);
        }
    } else
        snprintf(err, errlen, "%s is neither an XML Schema (xsd:schema) nor a WSDL", path);
    if (schema == NULL && err[0] == '\0')
        snprintf(err, errlen, "%s: cannot read the schema: %s%s%s", path,
                 first_error[0] ? first_error : "an error", loader.first[0] ? "; not read: " : "",
                 loader.first);
    xmlSetExternalEntityLoader(before);
    xmlSetStructuredErrorFunc(NULL, NULL);
    clear_loader();
Done:
    xmlFreeDoc(doc);
    free(wrapper);
    free(data);
    free(path);
    sl_wsdl_fetch_close(&fetch);
    return schema;
}

void sl_wsdl_schema_free(void *schema)
{
    if (schema != NULL)
        xmlSchemaFree(schema);
}
