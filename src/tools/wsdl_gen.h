/*
 * wsdl_gen: the sample request body of a WSDL operation, built from its schema, with the
 * request ID in the element the user names. A body is bounded in size (a budget in bytes) as
 * well as in depth.
 */
#ifndef SOAPLOAD_WSDL_GEN_H
#define SOAPLOAD_WSDL_GEN_H

#include <stddef.h>

#include "core/buf.h"
#include "tools/wsdl.h"

#define SL_WSDL_GEN_MAX_DEPTH 24
/* the elements of one sample body, in bytes; the rest is left out with a comment */
#define SL_WSDL_GEN_MAX_BYTES 65536
/* where the request ID goes in a body */
#define SL_WSDL_GEN_ID_MARK '\001'

/** The sample body of operation `op` (the SOAP Body's content, no envelope), with the byte
 * '\001' where the request ID goes. Sets *has_id when an element named id_element took it.
 * What is not declared (an import that could not be read) becomes an XML comment in the body
 * and a warning in warn (unless NULL). Appends to out; returns 0, or -1 with a message in err
 * (a body that cannot be written at all). */
int sl_wsdl_gen_body(const sl_wsdl_t *w, const sl_wsdl_op_t *op, const char *id_element,
                     sl_buf_t *out, int *has_id, sl_wsdl_warnings_t *warn, char *err,
                     size_t errlen);

#endif
