/*
 * wsa: the WS-Addressing headers of a request (see wsa.h).
 */
#include "engine/wsa.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ANONYMOUS SL_WSA_NS "/anonymous"
#define DEFAULT_ACTION "urn:soapload:echo#Echo"

/* The action in a header line "SOAPAction: "x"" (1.1) or "Content-Type: ...; action="x"" (1.2)
 * into buf; 0 when found. */
static int action_in(const char *line, int soap12, char *buf, size_t cap)
{
    const char *name = soap12 ? "Content-Type:" : "SOAPAction:";
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) != 0)
        return -1;
    const char *v = line + n;
    if (soap12) {
        const char *a = strstr(v, "action=");
        if (a == NULL)
            return -1;
        v = a + 7;
    }
    v += strspn(v, " \t\"");
    size_t len = strcspn(v, "\";\r\n");
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    if (len == 0)
        return -1;
    snprintf(buf, cap, "%.*s", (int)len, v);
    return 0;
}

const char *sl_wsa_action(const sl_config_t *cfg, const sl_request_t *req, char *buf, size_t cap)
{
    int soap12 = cfg->soap_version == 12;
    if (cfg->wsse.wsa_action != NULL) {
        snprintf(buf, cap, "%s", cfg->wsse.wsa_action);
        return buf;
    }
    const char *h = req->headers.data;
    for (int i = 0; h != NULL && i < req->nheaders; i++, h += strlen(h) + 1)
        if (action_in(h, soap12, buf, cap) == 0)
            return buf;
    for (int i = 0; i < cfg->nheaders; i++)
        if (action_in(cfg->headers[i], soap12, buf, cap) == 0)
            return buf;
    snprintf(buf, cap, "%s", DEFAULT_ACTION);
    return buf;
}

/* A wsa:NAME element that declares the namespace itself: exclusive C14N then signs it whole. */
static xmlNodePtr wsa_element(xmlDocPtr doc, const char *name, const char *text)
{
    xmlNodePtr n = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);
    xmlNsPtr ns = n != NULL ? xmlNewNs(n, BAD_CAST SL_WSA_NS, BAD_CAST "wsa") : NULL;
    if (ns == NULL) {
        xmlFreeNode(n);
        return NULL;
    }
    xmlSetNs(n, ns);
    if (text != NULL)
        xmlNodeAddContent(n, BAD_CAST text); /* raw text: escaped when written */
    return n;
}

int sl_wsa_add(xmlDocPtr doc, xmlNodePtr header, const sl_config_t *cfg, const sl_request_t *req,
               xmlNodePtr out[SL_WSA_HEADERS])
{
    char action[1024], id[SL_SCRIPT_MAX_ID + 32];
    snprintf(id, sizeof(id), "urn:soapload:%.*s", (int)req->id.len,
             req->id.data != NULL ? req->id.data : "");
    out[0] = wsa_element(doc, "Action", sl_wsa_action(cfg, req, action, sizeof(action)));
    out[1] = wsa_element(doc, "MessageID", id);
    out[2] = wsa_element(doc, "To", cfg->url);
    out[3] = wsa_element(doc, "ReplyTo", NULL);
    xmlNodePtr first = header->children;
    int rc = 0;
    for (int i = 0; i < SL_WSA_HEADERS; i++) {
        if (out[i] == NULL) {
            rc = -1;
        } else if (first != NULL) {
            xmlAddPrevSibling(first, out[i]);
        } else {
            xmlAddChild(header, out[i]);
        }
    }
    if (out[3] != NULL &&
        xmlNewTextChild(out[3], out[3]->ns, BAD_CAST "Address", BAD_CAST ANONYMOUS) == NULL)
        rc = -1;
    return rc;
}
