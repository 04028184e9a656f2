/*
 * wsdl_simple: the text of a simple type's sample (an enumeration's first value, a
 * restriction's base within its length, a list's item, a union's first member).
 */
#ifndef SOAPLOAD_WSDL_SIMPLE_H
#define SOAPLOAD_WSDL_SIMPLE_H

#include "core/buf.h"
#include "tools/wsdl_sample.h"

/** Appends a sample of simple type st (an xsd:simpleType or restriction) to text, level deep
 * in derivations. Returns 0, or -1 with the problem in g's err. */
int sl_wsdl_simple_sample(sl_wsdl_sample_t *g, const sl_xnode_t *st, sl_buf_t *text, int level);
/** The same for the simple type named by QName q (written at `at`): a built-in one's sample, a
 * declared one's, or "string" and a warning for one not declared. */
int sl_wsdl_simple_named(sl_wsdl_sample_t *g, const sl_xnode_t *at, const char *q, sl_buf_t *text,
                         int level);

#endif
