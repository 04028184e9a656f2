/*
 * wsdl_script: the soapload scenario (Lua) for a WSDL model: a header saying where it came
 * from and what it cannot do, the endpoint, and one entry per operation with its SOAPAction,
 * its sample body and a response check skeleton. Every byte from the WSDL goes through
 * wsdl_lua.
 */
#ifndef SOAPLOAD_WSDL_SCRIPT_H
#define SOAPLOAD_WSDL_SCRIPT_H

#include <stddef.h>

#include "core/buf.h"
#include "tools/wsdl.h"

typedef struct {
    const char *id_element;       /* the element that carries the request ID */
    const char *url;              /* the endpoint to write (--url), or NULL: the WSDL's */
    sl_wsdl_warnings_t *warnings; /* what the script leaves out or could not type, or NULL */
} sl_wsdl_script_opts_t;

/** The whole scenario script for w, appended to out: the first SL_MAX_OPERATIONS operations
 * (soapload runs no more; the header and a warning name how many were left out); an operation
 * whose body cannot be built gets a placeholder body and a warning. Returns 0, or -1 with err
 * set. */
int sl_wsdl_script_write(const sl_wsdl_t *w, const sl_wsdl_script_opts_t *o, sl_buf_t *out,
                         char *err, size_t errlen);

#endif
