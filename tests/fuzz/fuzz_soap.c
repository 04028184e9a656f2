/*
 * fuzz_soap: the mock's request handling (media type + body -> answer) never crashes, never
 * overruns its reply buffer, and whatever it echoes scans back as the same ID; the
 * UsernameToken check and its time parser never crash on any body either.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "soap.h"
#include "mtom.h"
#include "wsse.h"
#include "core/xsdtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const media[] = {"text/xml; charset=utf-8", "application/soap+xml",
                                        "application/json", ""};
    static char buf[SL_SOAP_REPLY_CAP];
    sl_soap_reply_t r;
    if (size < 1)
        return 0;
    const char *mt = media[data[0] % 4];
    sl_mtom_root_t root; /* any body as an MTOM request: the root part lies inside it */
    static const char multi[] = "multipart/related; start=\"<r>\"; boundary=b";
    if (sl_mtom_root(multi, sizeof(multi) - 1, (const char *)data + 1, size - 1, &root) == 0 &&
        (root.body < (const char *)data + 1 || root.body + root.len > (const char *)data + size))
        abort();
    /* bit 6 of the first byte: answer as for a user's WSDL with operations Echo and GetQuote */
    static sl_ops_t ops = {.count = 2, .names = {"Echo", "GetQuote"}};
    sl_soap_answer(mt, strlen(mt), (const char *)data + 1, size - 1, (sl_span_t){"RequestId", 9},
                   data[0] & 0x40 ? &ops : NULL, data[0] & 0x80, &r, buf);
    if (r.body_len > SL_SOAP_REPLY_CAP)
        abort();
    if (r.outcome == SL_SOAP_ECHO) {
        char id[SL_SOAP_MAX_ID + 1];
        sl_xml_scan_t s = {.want = {"RequestId", 9}, .id = id, .id_cap = sizeof(id)};
        if (sl_xml_scan(buf, r.body_len, &s) != 0 || s.id_len != r.id_len ||
            memcmp(id, r.id, r.id_len) != 0)
            abort();
    }
    if (r.outcome == SL_SOAP_ECHO || r.outcome == SL_SOAP_FAULT_INJECTED) {
        static const sl_wsse_config_t cfg = {"alice", "s3cret pass", 300};
        char why[200];
        double t;
        sl_wsse_check((const char *)data + 1, size - 1, &cfg, 1795788000, why, sizeof(why));
        sl_xsd_time_parse((const char *)data + 1, size - 1, &t);
        sl_soap_security_fault(&r, buf, "FailedAuthentication", why, (sl_span_t){"RequestId", 9});
        if (r.body_len > SL_SOAP_REPLY_CAP)
            abort();
    }
    return 0;
}
