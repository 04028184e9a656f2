/*
 * script_ops: soapload.operations bound in a worker's state: each operation's hooks, path,
 * SOAPAction and headers, and the defaults they add to what its request() gives.
 */
#ifndef SOAPLOAD_SCRIPT_OPS_H
#define SOAPLOAD_SCRIPT_OPS_H

#include <stddef.h>

#include "core/config.h"
#include "engine/request.h"
#include "engine/script.h"

/** Binds soapload.operations in this state (a worker's): each operation's hooks, path,
 * SOAPAction and headers, checked against the names the parent read into cfg. Returns 0 (also
 * without operations), or -1 with err. */
int sl_script_operations(sl_script_t *s, const sl_config_t *cfg, char *err, size_t errlen);
/** Whether operation op (or, without one, the script) has a response hook. */
int sl_script_has_op_response(const sl_script_t *s, int op);
/** Whether that hook is also called for SOAP Faults: it declares a fifth parameter (fault),
 * or takes `...`. A hook of four parameters is not, and a Fault stays soap_fault. */
int sl_script_op_sees_faults(const sl_script_t *s, int op);
/** Adds operation op's path and headers (0-based op) to what its request() gave in req:
 * request()'s own win. Returns 0, or -1 with err (too many headers, out of memory). */
int sl_script_ops_defaults(sl_script_t *s, int op, sl_request_t *req, char *err, size_t errlen);

#endif
