/*
 * mtom: finding the root part of a multipart/related request (see mtom.h), by RFC 2387's
 * parameters: boundary, start (the root's Content-ID), and the root's own type parameter
 * (application/xop+xml; type="text/xml") or start-info for the envelope's media type.
 */
#include "mtom.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PARAM_CAP 200 /* = sizeof(sl_mtom_root_t.type) */

int sl_mtom_is_multipart(const char *media, size_t len)
{
    return len >= 17 && strncasecmp(media, "multipart/related", 17) == 0;
}

/* The value of parameter `name` in a header value (quoted or a token) into out; 0 when found. */
static int param(const char *v, size_t len, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (size_t i = 0; i + n + 1 < len; i++) {
        if ((v[i] != ';' && v[i] != ' ' && v[i] != '\t') || strncasecmp(v + i + 1, name, n) != 0 ||
            v[i + 1 + n] != '=')
            continue;
        const char *p = v + i + 2 + n, *end = v + len;
        size_t k = 0;
        if (p < end && *p == '"') {
            for (p++; p < end && *p != '"' && k + 1 < cap; p++)
                out[k++] = *p == '\\' && p + 1 < end ? *++p : *p;
        } else {
            for (; p < end && *p != ';' && *p != ' ' && *p != '\t' && k + 1 < cap; p++)
                out[k++] = *p;
        }
        out[k] = '\0';
        return k > 0 ? 0 : -1;
    }
    return -1;
}

static const char *find(const char *p, const char *end, const char *lit, size_t n)
{
    return end - p >= (ptrdiff_t)n ? memmem(p, (size_t)(end - p), lit, n) : NULL;
}

/* The value of header `name` in the header block [p, end) ("Name: value" lines), or NULL. */
static const char *header(const char *p, const char *end, const char *name, size_t *vlen)
{
    size_t n = strlen(name);
    while (p < end) {
        const char *eol = find(p, end, "\r\n", 2);
        if (eol == NULL)
            eol = end;
        if ((size_t)(eol - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            *vlen = (size_t)(eol - v);
            return v;
        }
        p = eol + 2;
    }
    return NULL;
}

int sl_mtom_root(const char *media, size_t media_len, const char *body, size_t len,
                 sl_mtom_root_t *root)
{
    char boundary[PARAM_CAP], delim[PARAM_CAP + 4], start[PARAM_CAP], info[PARAM_CAP];
    if (!sl_mtom_is_multipart(media, media_len) ||
        param(media, media_len, "boundary", boundary, sizeof(boundary)) != 0)
        return -1;
    int has_start = param(media, media_len, "start", start, sizeof(start)) == 0;
    int has_info = param(media, media_len, "start-info", info, sizeof(info)) == 0;
    size_t dlen = (size_t)snprintf(delim, sizeof(delim), "--%s", boundary);
    const char *end = body + len, *p = find(body, end, delim, dlen);
    while (p != NULL) {
        p += dlen;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return -1; /* the closing delimiter: no root found */
        const char *heads = find(p, end, "\r\n", 2), *blank;
        if (heads == NULL || (blank = find(heads, end, "\r\n\r\n", 4)) == NULL)
            return -1;
        const char *content = blank + 4, *next = find(content, end, delim, dlen);
        if (next == NULL || next - content < 2)
            return -1;
        size_t idlen = 0, tlen = 0;
        const char *cid = header(heads + 2, blank + 2, "Content-ID", &idlen);
        int is_root =
            !has_start || (cid != NULL && idlen == strlen(start) && memcmp(cid, start, idlen) == 0);
        if (is_root) {
            /* the envelope's media type: the root's type parameter, else start-info */
            const char *type = header(heads + 2, blank + 2, "Content-Type", &tlen);
            if (type == NULL || param(type, tlen, "type", root->type, sizeof(root->type)) != 0) {
                if (!has_info)
                    return -1;
                memcpy(root->type, info, sizeof(root->type));
            }
            root->body = content;
            root->len = (size_t)(next - 2 - content); /* the CRLF before the delimiter */
            return 0;
        }
        p = next;
    }
    return -1;
}
