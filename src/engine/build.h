/*
 * build: the script's part of one request, the same steps for a worker's send and --dry-run:
 * request() (the script's or an operation's) with the Content-Type its attachments need.
 */
#ifndef SOAPLOAD_BUILD_H
#define SOAPLOAD_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "engine/request.h"
#include "engine/script.h"

/* What sl_build_call may return besides 0. */
#define SL_BUILD_HOOK_FAILED (-1) /* request() raised or returned what it may not */
#define SL_BUILD_NO_ROOM (-2)     /* no room for the multipart Content-Type header */

/** Calls request(id, seq) for operation op (0-based), or the script's own when op is -1, with
 * req->id holding soapload's ID; when it made attachments (soapload.attach) its Content-Type
 * becomes the multipart one and *attached is 1 (the body is packed later, sl_mtom_pack, after
 * any signature). Returns 0, or SL_BUILD_HOOK_FAILED / SL_BUILD_NO_ROOM with err. */
int sl_build_call(sl_script_t *s, int op, uint64_t seq, sl_request_t *req, int soap_version,
                  int *attached, char *err, size_t errlen);

#endif
