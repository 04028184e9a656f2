/*
 * script_hooks: calling the script's hooks for one request: request() (the global one or an
 * operation's) and the options it returns, a flow step's when(vars), response() with its
 * verdict.
 */
#ifndef SOAPLOAD_SCRIPT_HOOKS_H
#define SOAPLOAD_SCRIPT_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "core/fault.h"
#include "engine/request.h"
#include "engine/script.h"

/** Calls request(id, seq). req->id must hold the core's ID on entry. Returns 0, or -1 with
 * the traceback in err. */
int sl_script_request(sl_script_t *s, uint64_t seq, sl_request_t *req, char *err, size_t errlen);
/** Calls operation op's request(id, seq) (0-based op), then adds the operation's path and
 * headers where request() gave none of its own. As sl_script_request otherwise. */
int sl_script_op_request(sl_script_t *s, int op, uint64_t seq, sl_request_t *req, char *err,
                         size_t errlen);
/* What a response hook returned. */
enum {
    SL_VERDICT_NONE,          /* nothing it declares: nil or another value */
    SL_VERDICT_PASS,          /* true */
    SL_VERDICT_FAIL,          /* false[, reason] */
    SL_VERDICT_EXPECTED_FAULT /* "expected_fault" */
};

/** Calls operation op's response(status, headers, body, id, fault) (the global response() when
 * the operation has none, or op is -1); fault is NULL (nil) unless the response holds a SOAP
 * Fault. *verdict is an SL_VERDICT_*; with SL_VERDICT_FAIL, its reason (if any) is in reason.
 * Returns 0, or -1 with the traceback in err. */
int sl_script_response(sl_script_t *s, int op, long status, const char *headers, size_t headers_len,
                       const char *body, size_t body_len, const char *id, const sl_fault_t *fault,
                       int *verdict, char *reason, size_t reason_len, char *err, size_t errlen);
/** soapload.flows: calls the when(vars) of the step that is operation op, with the flow's
 * variables. Returns 1 (no when(), or it returned a true value: the step runs), 0 (skip it),
 * or -1 with the traceback in err. */
int sl_script_step_wanted(sl_script_t *s, int op, char *err, size_t errlen);

#endif
