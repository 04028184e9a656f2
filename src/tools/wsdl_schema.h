/*
 * wsdl_schema: the schema that --validate schema checks response bodies against, parsed once
 * in the parent before the workers are forked: an XSD file, or the xsd:schema elements of a
 * WSDL's types. Their imports and includes are read as `soapload wsdl` reads them
 * (tools/wsdl_fetch.c): relative to the importing document, http(s) with a timeout.
 */
#ifndef SOAPLOAD_WSDL_SCHEMA_H
#define SOAPLOAD_WSDL_SCHEMA_H

#include <stddef.h>
#include <stdio.h>

/** Parses the schema at source (a file or an http(s) URL; an XSD, or a WSDL whose types are
 * taken); base_dir (or NULL) is the folder a relative source is read from; catalog (an OASIS
 * XML catalog file, or NULL) and offline resolve its imports as `soapload wsdl --catalog
 * --offline` does. An import that
 * cannot be had is skipped with a warning on `warnings` (or silently when NULL): only what uses
 * its types fails. Returns libxml2's xmlSchemaPtr (free it with sl_wsdl_schema_free), or NULL
 * with the first problem in err. */
void *sl_wsdl_schema_load(const char *source, const char *base_dir, const char *catalog,
                          int offline, FILE *warnings, char *err, size_t errlen);
/** Frees what sl_wsdl_schema_load returned (NULL is fine). */
void sl_wsdl_schema_free(void *schema);

#endif
