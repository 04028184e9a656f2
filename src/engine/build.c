/*
 * build: soapload.attach's parts belong to the request being built (one at a time per
 * process), so they are forgotten before request() runs and counted after it.
 */
#include "engine/build.h"

#include <stdio.h>

#include "engine/lua_mtom.h"
#include "engine/script_hooks.h"

int sl_build_call(sl_script_t *s, int op, uint64_t seq, sl_request_t *req, int soap_version,
                  int *attached, char *err, size_t errlen)
{
    *attached = 0;
    sl_mtom_reset(); /* soapload.attach's parts are this request's */
    if ((op >= 0 ? sl_script_op_request(s, op, seq, req, err, errlen)
                 : sl_script_request(s, seq, req, err, errlen)) != 0)
        return SL_BUILD_HOOK_FAILED;
    *attached = sl_mtom_count() > 0;
    if (*attached && sl_mtom_header(req, soap_version) != 0) {
        snprintf(err, errlen, "soapload.attach: no room for the multipart Content-Type header");
        return SL_BUILD_NO_ROOM;
    }
    return 0;
}
