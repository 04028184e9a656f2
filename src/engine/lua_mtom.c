/*
 * lua_mtom: MTOM/XOP attachments (see lua_mtom.h). The parts live in this process's buffers
 * between soapload.attach and the packing that follows request(): one request is built at a
 * time, so no request can see another's parts.
 */
#include "engine/lua_mtom.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/envelope.h"

#define XOP_NS "http://www.w3.org/2004/08/xop/include"
#define BOUNDARY "MIME_boundary_soapload_7d9c1e4a" /* no attachment may hold it */
#define ROOT_ID "root@soapload"
#define MAX_PARTS 64
#define MAX_TYPE 128

typedef struct {
    size_t at, len;          /* the bytes in `data` */
    char type[MAX_TYPE + 1]; /* their media type */
} part_t;

static sl_buf_t data; /* every part's bytes, one after the other */
static part_t parts[MAX_PARTS];
static int nparts;
static sl_buf_t spare; /* the packed body, traded with the request's buffer */

void sl_mtom_reset(void)
{
    nparts = 0;
    sl_buf_clear(&data);
}

int sl_mtom_count(void)
{
    return nparts;
}

/* soapload.attach(bytes, content_type): the xop:Include element for the new part */
static int l_attach(lua_State *L)
{
    size_t len, tlen;
    const char *bytes = luaL_checklstring(L, 1, &len);
    const char *type = luaL_optlstring(L, 2, "application/octet-stream", &tlen);
    luaL_argcheck(L, tlen > 0 && tlen <= MAX_TYPE && strpbrk(type, "\r\n\"<>&") == NULL, 2,
                  "a media type of at most 128 bytes without line breaks, quotes, <, > or &");
    if (nparts >= MAX_PARTS)
        return luaL_error(L, "soapload.attach: at most %d attachments per request", MAX_PARTS);
    if (memmem(bytes, len, BOUNDARY, strlen(BOUNDARY)) != NULL)
        return luaL_error(L, "soapload.attach: the bytes hold soapload's MIME boundary " BOUNDARY);
    if (sl_buf_append(&data, bytes, len) != 0)
        return luaL_error(L, "soapload.attach: out of memory");
    part_t *p = &parts[nparts++];
    p->at = data.len - len;
    p->len = len;
    memcpy(p->type, type, tlen + 1);
    lua_pushfstring(L, "<xop:Include xmlns:xop=\"" XOP_NS "\" href=\"cid:%d@soapload\"/>", nparts);
    return 1;
}

void sl_lua_mtom_register(lua_State *L)
{
    lua_pushcfunction(L, l_attach);
    lua_setfield(L, -2, "attach");
}

/* The envelope's media type, the start-info of the multipart. */
static const char *root_type(int soap_version)
{
    return soap_version == 12 ? "application/soap+xml" : "text/xml";
}

int sl_mtom_header(sl_request_t *req, int soap_version)
{
    char line[512];
    sl_buf_t kept = {0};
    int n = 0, rc = 0;
    const char *h = req->headers.data;
    for (int i = 0; h != NULL && i < req->nheaders; i++, h += strlen(h) + 1)
        if (strncasecmp(h, "Content-Type:", 13) != 0) { /* the multipart's replaces it */
            rc |= sl_buf_append(&kept, h, strlen(h) + 1);
            n++;
        }
    snprintf(line, sizeof(line),
             "Content-Type: multipart/related; type=\"application/xop+xml\"; "
             "start=\"<" ROOT_ID ">\"; start-info=\"%s\"; boundary=\"" BOUNDARY "\"",
             root_type(soap_version));
    rc |= sl_buf_append(&kept, line, strlen(line) + 1);
    if (rc != 0 || n + 1 > SL_MAX_REQUEST_HEADERS) {
        sl_buf_free(&kept);
        return -1;
    }
    sl_buf_free(&req->headers);
    req->headers = kept;
    req->nheaders = n + 1;
    return 0;
}

static int put(sl_buf_t *b, const char *s)
{
    return sl_buf_append(b, s, strlen(s));
}

int sl_mtom_pack(sl_request_t *req, int soap_version)
{
    char head[512];
    size_t len;
    const char *body = sl_request_body(req, &len);
    int rc = 0;
    sl_buf_clear(&spare);
    snprintf(head, sizeof(head),
             "--" BOUNDARY "\r\nContent-Type: application/xop+xml; charset=UTF-8; type=\"%s\"\r\n"
             "Content-Transfer-Encoding: 8bit\r\nContent-ID: <" ROOT_ID ">\r\n\r\n",
             root_type(soap_version));
    rc |= put(&spare, head);
    rc |= sl_buf_append(&spare, body, len);
    for (int i = 0; i < nparts; i++) {
        snprintf(head, sizeof(head),
                 "\r\n--" BOUNDARY "\r\nContent-Type: %s\r\nContent-Transfer-Encoding: binary\r\n"
                 "Content-ID: <%d@soapload>\r\n\r\n",
                 parts[i].type, i + 1);
        rc |= put(&spare, head);
        rc |= sl_buf_append(&spare, data.data + parts[i].at, parts[i].len);
    }
    rc |= put(&spare, "\r\n--" BOUNDARY "--\r\n");
    if (rc != 0)
        return -1;
    sl_request_release_body(req);
    sl_buf_t t = req->body; /* the buffers trade places: no copy, both keep their room */
    req->body = spare;
    spare = t;
    sl_mtom_reset();
    return 0;
}
