/*
 * head: a later line of the same name replaces an earlier one instead of going out beside it
 * (core/headers.h); User-Agent and Accept are lines of the list rather than libcurl's own, so
 * that the head keeps libcurl's order and CURLOPT_USERAGENT is not formatted anew per request.
 */
#include "engine/head.h"

#include <string.h>

#include "core/version.h"

void sl_head_defaults(sl_head_t *h, const sl_config_t *cfg)
{
    static const char *const own[2] = {"User-Agent: soapload/" SL_VERSION, "Accept: */*"};
    h->n = 0;
    for (int i = 0; i < 2; i++)
        if (!sl_header_named_in(own[i], (const char *const *)cfg->headers, cfg->nheaders))
            h->line[h->n++] = own[i];
    h->n += sl_headers_for_run(cfg, h->line + h->n, SL_HEAD_MAX_LINES - h->n, h->ct);
}

void sl_head_compose(sl_head_t *out, const sl_head_t *defaults, const sl_request_t *req)
{
    const char *mine[SL_MAX_REQUEST_HEADERS];
    const char *p = req->headers.data;
    int nmine = 0;
    for (int i = 0; i < req->nheaders && nmine < SL_MAX_REQUEST_HEADERS; i++, p += strlen(p) + 1)
        mine[nmine++] = p;
    out->n = 0;
    for (int i = 0; i < defaults->n; i++)
        if (!sl_header_named_in(defaults->line[i], mine, nmine))
            out->line[out->n++] = defaults->line[i];
    for (int i = 0; i < nmine && out->n < SL_HEAD_MAX_LINES; i++)
        out->line[out->n++] = mine[i];
    out->ct[0] = '\0';
}
