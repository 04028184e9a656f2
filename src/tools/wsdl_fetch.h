/*
 * wsdl_fetch: where the documents of a WSDL come from. A location seen from the document that
 * names it is resolved through the user's XML catalog (--catalog), then as a URL (fetched with
 * a timeout, unless --offline) or as a file under the root folder (the WSDL's own folder, or
 * --root) or the catalog's folder: a file outside them is never read.
 */
#ifndef SOAPLOAD_WSDL_FETCH_H
#define SOAPLOAD_WSDL_FETCH_H

#include <stddef.h>

#define SL_WSDL_FETCH_TIMEOUT 10 /* seconds for one document over http(s), redirects included */

typedef struct {
    char *root;         /* the real path local files must be under, or NULL: none may be read */
    int offline;        /* fetch nothing over the network */
    void *catalog;      /* libxml2's xmlCatalogPtr, or NULL */
    char *catalog_root; /* the catalog's folder: its copies and what they import are read */
} sl_wsdl_fetch_t;

/** Sets f up for the WSDL at source: root is `root` when given, else source's folder (for a
 * file); catalog is read from the OASIS XML catalog file `catalog` (or NULL). Returns 0, or -1
 * with err set (a root that is not a folder, a catalog that cannot be read). */
int sl_wsdl_fetch_open(sl_wsdl_fetch_t *f, const char *source, const char *root,
                       const char *catalog, int offline, char *err, size_t errlen);
void sl_wsdl_fetch_close(sl_wsdl_fetch_t *f);

/** Where loc (a location attribute of the document at base) is: a malloc'd URL or real file
 * path, or NULL with the reason in err (not found, outside the root, --offline, a scheme that
 * is not read). */
char *sl_wsdl_fetch_resolve(const sl_wsdl_fetch_t *f, const char *base, const char *loc, char *err,
                            size_t errlen);

/** Reads the document at `where` (a URL or a file): *data is malloc'd and NUL-terminated.
 * Returns 0, or -1 with err set. */
int sl_wsdl_fetch_read(const sl_wsdl_fetch_t *f, const char *where, char **data, size_t *len,
                       char *err, size_t errlen);

/** Whether s is an http:// or https:// URL. */
int sl_wsdl_fetch_is_url(const char *s);

/** Whether two URLs share scheme://authority (compared without regard to case). */
int sl_wsdl_fetch_same_origin(const char *a, const char *b);

#endif
