/*
 * mtom: the root part of an MTOM/XOP request (multipart/related, type application/xop+xml):
 * the envelope that the contract checks and whose ID is echoed; the attachments are not read.
 */
#ifndef SOAPLOAD_MOCK_MTOM_H
#define SOAPLOAD_MOCK_MTOM_H

#include <stddef.h>

/* The root part: its SOAP media type (text/xml, application/soap+xml; in type) and its bytes
 * (pointing into the request). */
typedef struct {
    char type[200];
    const char *body;
    size_t len;
} sl_mtom_root_t;

/** Whether media is multipart/related (case-insensitive). */
int sl_mtom_is_multipart(const char *media, size_t len);

/** Finds the root part of a multipart/related body: the part named by the start parameter, else
 * the first. Returns 0, or -1 when the body is not such a multipart. */
int sl_mtom_root(const char *media, size_t media_len, const char *body, size_t len,
                 sl_mtom_root_t *root);

#endif
