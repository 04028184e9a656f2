/*
 * wsdl: reads a WSDL 1.1 (a file or an http(s) URL) with the documents it imports
 * (wsdl:import, xsd:import, xsd:include: see wsdl_fetch for where they may come from), picks
 * one SOAP 1.1 or 1.2 port and describes its operations: SOAPAction, style, the input
 * message's parts, and lookups of the schema declarations the sample bodies are built from.
 * An import that cannot be read is a warning, not an end. Everything lives until
 * sl_wsdl_free; the strings point into the parsed documents.
 */
#ifndef SOAPLOAD_WSDL_H
#define SOAPLOAD_WSDL_H

#include <stddef.h>

#include "core/mix.h"
#include "core/xmltree.h"

#define SL_WSDL_NS "http://schemas.xmlsoap.org/wsdl/"
#define SL_WSDL_SOAP11_NS "http://schemas.xmlsoap.org/wsdl/soap/"
#define SL_WSDL_SOAP12_NS "http://schemas.xmlsoap.org/wsdl/soap12/"
#define SL_XSD_NS "http://www.w3.org/2001/XMLSchema"
#define SL_WSDL_MAX_DOCS 64
#define SL_WSDL_MAX_BYTES (16 * 1024 * 1024) /* one document */
/* all documents together: the parsed trees take up to ~17 times their bytes (measured on a
 * document of tiny elements), so this bounds soapload wsdl's memory near 550 MB */
#define SL_WSDL_MAX_TOTAL_BYTES (32 * 1024 * 1024)

typedef struct {
    char **items; /* malloc'd messages, each once */
    int n;
} sl_wsdl_warnings_t;

/** Adds a warning (formatted) unless the same one is there already. */
void sl_wsdl_warn(sl_wsdl_warnings_t *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sl_wsdl_warnings_free(sl_wsdl_warnings_t *w);

typedef struct {
    int version;         /* 11, 12, or 0: SOAP 1.1 if there is one, else 1.2 */
    const char *port;    /* the wsdl:port (or binding, without a service) to describe, or NULL */
    const char *root;    /* the folder local imports must be under (NULL: the WSDL's folder) */
    const char *catalog; /* an OASIS XML catalog file, or NULL */
    int offline;         /* fetch no import over the network */
} sl_wsdl_opts_t;

typedef struct {
    const char *name;         /* the operation's name */
    const char *soap_action;  /* "" when the binding gives none */
    int rpc;                  /* style="rpc" (else document) */
    int encoded;              /* soap:body use="encoded" (written as literal, with a warning) */
    const char *rpc_ns;       /* soap:body namespace= (rpc: the wrapper's namespace), or "" */
    const char *parts;        /* soap:body parts= (a list of part names), or NULL: all */
    const sl_xnode_t *input;  /* the input wsdl:message, or NULL when it has none */
    const sl_xnode_t *output; /* the output wsdl:message, or NULL */
    const char *untyped;      /* why the input cannot be typed (an import not read), or NULL */
} sl_wsdl_op_t;

typedef struct {
    const sl_xnode_t *node; /* the xsd:schema element */
    const char *tns;        /* its target namespace (an included one takes its includer's) */
    int qualified;          /* elementFormDefault="qualified" */
    int attr_qualified;     /* attributeFormDefault="qualified" */
} sl_wsdl_schema_t;

typedef struct {
    char *source;      /* the WSDL's file name or URL, as given */
    sl_xtree_t **docs; /* every document read */
    char **doc_names;  /* where each came from */
    int ndocs;
    const sl_xnode_t **defs; /* the wsdl:definitions of the WSDL and of what it imports */
    int ndefs;
    sl_wsdl_schema_t *schemas;
    int nschemas;
    const char *endpoint;                 /* soap:address / soap12:address location, or NULL */
    int soap_version;                     /* 11 or 12 */
    const char *service, *port, *binding; /* names, for the script's header ("" unknown) */
    sl_wsdl_op_t *ops; /* the first SL_MAX_OPERATIONS operations (soapload runs no more) */
    int nops;
    int nops_all;      /* every operation of the binding: the rest are counted, not described */
    size_t bytes_read; /* of every document, against SL_WSDL_MAX_TOTAL_BYTES */
    sl_wsdl_warnings_t warnings; /* what could not be read (imports), in order */
} sl_wsdl_t;

/** Reads the WSDL at source (a file or an http/https URL) and what it imports, and describes
 * the first port whose binding is SOAP `version` (11 or 12; 0: SOAP 1.1 if there is one, else
 * 1.2). Returns the model (free with sl_wsdl_free), or NULL with "where: what" in err. */
sl_wsdl_t *sl_wsdl_load(const char *source, int version, char *err, size_t errlen);
/** The same with every option. */
sl_wsdl_t *sl_wsdl_load_with(const char *source, const sl_wsdl_opts_t *o, char *err, size_t errlen);
void sl_wsdl_free(sl_wsdl_t *w);

/** Resolves a QName value written at node `at` (e.g. "tns:Order"; no prefix: the default
 * namespace, or the including schema's for a schema without a target namespace). Sets *ns and
 * *local (pointing into at's document or into qname). Returns 0, or -1 for an undeclared
 * prefix. */
int sl_wsdl_qname(const sl_wsdl_t *w, const sl_xnode_t *at, const char *qname, const char **ns,
                  const char **local);
/** The global schema declaration `kind` (local name in the XSD namespace: "element",
 * "complexType", "simpleType", "group", "attributeGroup", "attribute") named {ns}local, or
 * NULL. */
const sl_xnode_t *sl_wsdl_global(const sl_wsdl_t *w, const char *kind, const char *ns,
                                 const char *local);
/** The schema that declares n (n inside an xsd:schema), or NULL. */
const sl_wsdl_schema_t *sl_wsdl_schema_of(const sl_wsdl_t *w, const sl_xnode_t *n);
/** n's attribute `name` in no namespace (pointing into n's document), or NULL. */
const char *sl_wsdl_attr(const sl_xnode_t *n, const char *name);
/** Whether n is an XML Schema element: any (local NULL), or the one named local. */
int sl_wsdl_is_xsd(const sl_xnode_t *n, const char *local);

#endif
