/*
 * xml: the small, strict XML scanner soapload and its mock share. It checks that a document
 * is well-formed, refuses DTDs (SOAP forbids them, so entities are never expanded), finds the
 * text of one element by local name (any prefix), and spots a SOAP Fault. No allocation.
 */
#ifndef SOAPLOAD_XML_H
#define SOAPLOAD_XML_H

#include <stddef.h>

enum {
    SL_XML_MALFORMED = 1 << 0,  /* not well-formed: `error` says why, `error_at` where */
    SL_XML_DOCTYPE = 1 << 1,    /* a <!DOCTYPE> or <!ENTITY> was found: refused */
    SL_XML_FAULT = 1 << 2,      /* a Fault element sits directly in the Body of the root */
    SL_XML_ID_FOUND = 1 << 3,   /* the wanted element was found; its text is in `id` */
    SL_XML_ID_COMPLEX = 1 << 4, /* the wanted element holds child elements */
    SL_XML_ID_TOO_LONG = 1 << 5 /* its text did not fit in `id_cap - 1` bytes */
};

typedef struct {
    const char *ptr;
    size_t len;
} sl_span_t;

#define SL_XML_MAX_DEPTH 128

typedef struct {
    /* in: the local name of the element whose text is wanted (len 0: none) */
    sl_span_t want;
    char *id;      /* in: buffer for that text (NUL-terminated, decoded, trimmed) */
    size_t id_cap; /* in: its size */
    /* out */
    int flags;
    size_t id_len;
    const char *error;    /* static text: the first problem found */
    size_t error_at;      /* byte offset of that problem */
    sl_span_t root_local; /* local name of the root element */
    sl_span_t root_ns;    /* namespace URI bound to the root's prefix (len 0: none) */
} sl_xml_scan_t;

/** Scans doc[0..len). Fills the out fields of `s`. Returns 0 when well-formed and free of any
 * DTD, -1 otherwise (flags say which). */
int sl_xml_scan(const char *doc, size_t len, sl_xml_scan_t *s);

/** Number of bytes the XML-escaped form of s[0..n) takes (no NUL). */
size_t sl_xml_escaped_len(const char *s, size_t n);

/** Writes the escaped form of s[0..n) (&, <, >, ", ' as entities) to out, which must hold
 * sl_xml_escaped_len(s, n) bytes. Returns the number of bytes written. */
size_t sl_xml_escape(const char *s, size_t n, char *out);

/** The first occurrence of needle (n > 0 bytes) in hay[0..len), or NULL: fast over long
 * comments and CDATA sections, whose end both XML readers search for. */
const char *sl_xml_find_bytes(const char *hay, size_t len, const char *needle, size_t n);

#endif
