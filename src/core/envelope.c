/*
 * envelope: string building only; nothing here parses.
 */
#include "core/envelope.h"

#include <string.h>

#include "core/soapns.h"
#include "core/xml.h"

#define APPEND_LIT(b, lit) sl_buf_append(b, lit, sizeof(lit) - 1)

int sl_envelope_append_with_header(sl_buf_t *out, int version, const char *header,
                                   size_t header_len, const char *inner, size_t inner_len)
{
    static const char open11[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope "
                                 "xmlns:soap=\"" SL_SOAP11_NS "\">";
    static const char open12[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope "
                                 "xmlns:soap=\"" SL_SOAP12_NS "\">";
    int rc = version == 12 ? APPEND_LIT(out, open12) : APPEND_LIT(out, open11);
    if (header_len > 0) {
        rc |= APPEND_LIT(out, "<soap:Header>");
        rc |= sl_buf_append(out, header, header_len);
        rc |= APPEND_LIT(out, "</soap:Header>");
    }
    rc |= APPEND_LIT(out, "<soap:Body>");
    rc |= sl_buf_append(out, inner, inner_len);
    rc |= APPEND_LIT(out, "</soap:Body></soap:Envelope>");
    return rc ? -1 : 0;
}

int sl_envelope_append(sl_buf_t *out, int version, const char *inner, size_t inner_len)
{
    return sl_envelope_append_with_header(out, version, NULL, 0, inner, inner_len);
}

int sl_envelope_echo_append(sl_buf_t *out, const char *name, const char *id, size_t id_len)
{
    size_t name_len = strlen(name);
    int rc = APPEND_LIT(out, "<e:Echo xmlns:e=\"urn:soapload:echo\"><e:");
    rc |= sl_buf_append(out, name, name_len);
    rc |= APPEND_LIT(out, ">");
    if (rc == 0 && sl_buf_reserve(out, sl_xml_escaped_len(id, id_len)) == 0) {
        out->len += sl_xml_escape(id, id_len, out->data + out->len);
        out->data[out->len] = '\0';
    } else {
        rc = -1;
    }
    rc |= APPEND_LIT(out, "</e:");
    rc |= sl_buf_append(out, name, name_len);
    rc |= APPEND_LIT(out, "></e:Echo>");
    return rc ? -1 : 0;
}

const char *sl_envelope_content_type(int version)
{
    return version == 12 ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8";
}
