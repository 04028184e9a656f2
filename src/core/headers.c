/*
 * headers: name comparison is case-insensitive, as HTTP's.
 */
#include "core/headers.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/envelope.h"

int sl_header_same_name(const char *a, const char *b)
{
    size_t na = strcspn(a, ":;"), nb = strcspn(b, ":;");
    return na == nb && strncasecmp(a, b, na) == 0;
}

int sl_header_named_in(const char *line, const char *const *list, int n)
{
    for (int i = 0; i < n; i++)
        if (sl_header_same_name(line, list[i]))
            return 1;
    return 0;
}

int sl_headers_for_run(const sl_config_t *cfg, const char **lines, int cap, char *ct)
{
    const char *const *user = (const char *const *)cfg->headers;
    const char *own[3];
    int n = 0, nown = 0;
    snprintf(ct, SL_HEADER_LINE_CAP, "Content-Type: %s",
             sl_envelope_content_type(cfg->soap_version));
    own[nown++] = ct;
    if (cfg->soap_version == 11)
        own[nown++] = "SOAPAction: \"urn:soapload:echo#Echo\"";
    own[nown++] = "Expect:";
    for (int i = 0; i < nown && n < cap; i++)
        if (!sl_header_named_in(own[i], user, cfg->nheaders))
            lines[n++] = own[i];
    for (int i = 0; i < cfg->nheaders && n < cap; i++)
        lines[n++] = cfg->headers[i];
    return n;
}
