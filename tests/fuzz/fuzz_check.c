/*
 * fuzz_check: the client's classification of a response never crashes and is consistent: a
 * body that echoes the expected ID with 200 and no Fault is ok.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    long status = 100 + data[0] * 2;
    sl_result_t r = sl_check_response(status, (const char *)data + 2, size - 2, "RequestId",
                                      "P1-R1", 5, data[1] & 1);
    if (r != SL_R_OK && r != SL_R_SOAP_FAULT && r != SL_R_HTTP_STATUS && r != SL_R_MALFORMED &&
        r != SL_R_ID_MISMATCH)
        abort();
    if (r == SL_R_OK && (status < 200 || status > 299))
        abort();
    return 0;
}
