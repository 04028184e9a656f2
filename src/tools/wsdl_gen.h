/*
 * wsdl_gen: writes a soapload scenario (Lua) from a WSDL model: the endpoint, one entry per
 * operation with its SOAPAction, a sample request body built from the schema with the request
 * ID in the element the user names, and a response check skeleton; and the `soapload wsdl`
 * subcommand around it.
 */
#ifndef SOAPLOAD_WSDL_GEN_H
#define SOAPLOAD_WSDL_GEN_H

#include <stddef.h>

#include "core/buf.h"
#include "tools/wsdl.h"

#define SL_WSDL_GEN_MAX_DEPTH 24

/** The sample body of operation `op` (the SOAP Body's content, no envelope), with the byte
 * '\001' where the request ID goes. Sets *has_id when an element named id_element took it.
 * Appends to out; returns 0, or -1 with a message in err. */
int sl_wsdl_gen_body(const sl_wsdl_t *w, const sl_wsdl_op_t *op, const char *id_element,
                     sl_buf_t *out, int *has_id, char *err, size_t errlen);

/** The whole scenario script for w, appended to out. Returns 0, or -1 with err set. */
int sl_wsdl_gen_script(const sl_wsdl_t *w, const char *id_element, sl_buf_t *out, char *err,
                       size_t errlen);

/** `soapload wsdl URL-or-FILE [-o script.lua] [--id-element NAME] [--soap 1.1|1.2]`
 * (argv[0] is "wsdl"). Returns the process's exit code: 0, or 2 with a message on stderr. */
int sl_wsdl_main(int argc, char **argv);

#endif
