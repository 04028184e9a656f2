/*
 * check: a Fault wins over the status (SOAP 1.1 sends faults with 500, and counting them
 * apart is the point); the ID is compared byte for byte after XML decoding.
 */
#include "core/check.h"

#include <string.h>

#include "core/xml.h"

#define ECHO_CAP 512

sl_result_t sl_check_response(long status, const char *body, size_t body_len,
                              const char *id_element, const char *expected, size_t expected_len,
                              int check_id)
{
    char echoed[ECHO_CAP];
    sl_xml_scan_t scan = {
        .want = {id_element, strlen(id_element)}, .id = echoed, .id_cap = sizeof(echoed)};
    int well_formed = sl_xml_scan(body != NULL ? body : "", body_len, &scan) == 0;
    if (well_formed && (scan.flags & SL_XML_FAULT))
        return SL_R_SOAP_FAULT;
    if (status < 200 || status > 299)
        return SL_R_HTTP_STATUS;
    if (!check_id)
        return SL_R_OK;
    if (!well_formed)
        return SL_R_MALFORMED;
    if (!(scan.flags & SL_XML_ID_FOUND) || scan.id_len != expected_len ||
        memcmp(echoed, expected, expected_len) != 0)
        return SL_R_ID_MISMATCH;
    return SL_R_OK;
}
