/*
 * validate: schema validation of response bodies with libxml2 (xmlSchemaValidateOneElement on
 * the payload), one validation context per worker, the first error kept as the reason. The
 * sample is deterministic: a share accumulator validates every (100 / pct)-th body on average.
 */
#include "engine/validate.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/monotime.h"
#include "core/soapns.h"

#define SOAP11_NS SL_SOAP11_NS
#define SOAP12_NS SL_SOAP12_NS

struct sl_validate {
    xmlSchemaValidCtxtPtr ctxt;
    double pct, share; /* share: the accumulated part of a body to validate */
    sl_validate_stats_t stats;
    char first[384]; /* the first error of the body being validated */
};

static void on_error(void *data, xmlErrorPtr e)
{
    sl_validate_t *v = data;
    if (e == NULL || e->level < XML_ERR_ERROR || v->first[0] != '\0')
        return;
    const xmlNode *n = e->node;
    int line = n != NULL ? (int)xmlGetLineNo(n) : e->line;
    const char *msg = e->message != NULL ? e->message : "invalid", *name = NULL;
    int name_len = 0;
    if (strncmp(msg, "Element '", 9) == 0 && strstr(msg + 9, "': ") != NULL) {
        name = msg + 9; /* libxml2's "Element '{ns}X': why": the name, namespace and all */
        name_len = (int)(strstr(name, "': ") - name);
        msg = name + name_len + 3;
    } else if (n != NULL && n->name != NULL) {
        name = (const char *)n->name;
        name_len = (int)strlen(name);
    }
    /* "'VALUE' is not a valid value...": without the value (the sample body holds it),
     * answers that break the schema the same way share one reason */
    const char *end = msg[0] == '\'' ? strstr(msg + 1, "' is ") : NULL;
    size_t len = (size_t)snprintf(v->first, sizeof(v->first), "line %d, element %.*s: %s%s", line,
                                  name != NULL ? name_len : 1, name != NULL ? name : "?",
                                  end != NULL ? "its value" : "", end != NULL ? end + 1 : msg);
    if (len >= sizeof(v->first))
        len = sizeof(v->first) - 1;
    while (len > 0 && (v->first[len - 1] == '\n' || v->first[len - 1] == ' '))
        v->first[--len] = '\0';
}

sl_validate_t *sl_validate_new(void *schema, double pct)
{
    sl_validate_t *v = calloc(1, sizeof(*v));
    if (v == NULL || (v->ctxt = xmlSchemaNewValidCtxt(schema)) == NULL) {
        free(v);
        return NULL;
    }
    v->pct = pct;
    v->share = 100; /* the first body is validated */
    xmlSchemaSetValidStructuredErrors(v->ctxt, on_error, v);
    return v;
}

static int is(const xmlNode *n, const char *ns, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
           strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, name) == 0;
}

/* The SOAP Body of an envelope, or NULL when root is no envelope. */
static xmlNodePtr soap_body(xmlNodePtr root)
{
    const char *ns = is(root, SOAP11_NS, "Envelope")   ? SOAP11_NS
                     : is(root, SOAP12_NS, "Envelope") ? SOAP12_NS
                                                       : NULL;
    if (ns == NULL)
        return NULL;
    for (xmlNodePtr c = root->children; c != NULL; c = c->next)
        if (is(c, ns, "Body"))
            return c;
    return root; /* an envelope without a Body: validating it says so */
}

static int validate(sl_validate_t *v, const char *body, size_t len)
{
    xmlDocPtr doc = xmlReadMemory(body, (int)len, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        snprintf(v->first, sizeof(v->first), "the body is not well-formed XML");
        return 1;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc), body_el = root ? soap_body(root) : NULL;
    int bad = 0;
    if (body_el == NULL)
        bad = xmlSchemaValidateOneElement(v->ctxt, root) != 0;
    else if (body_el == root)
        snprintf(v->first, sizeof(v->first), "the envelope has no Body"), bad = 1;
    else
        for (xmlNodePtr c = body_el->children; c != NULL && !bad; c = c->next)
            if (c->type == XML_ELEMENT_NODE)
                bad = xmlSchemaValidateOneElement(v->ctxt, c) != 0;
    xmlFreeDoc(doc);
    if (bad && v->first[0] == '\0')
        snprintf(v->first, sizeof(v->first), "invalid (libxml2 gave no message)");
    return bad;
}

int sl_validate_body(sl_validate_t *v, const char *body, size_t len, char *reason,
                     size_t reason_len)
{
    v->share += v->pct;
    if (v->share < 100)
        return 0;
    v->share -= 100;
    uint64_t t0 = sl_monotime_cpu_ns();
    v->first[0] = '\0';
    int bad = validate(v, body != NULL ? body : "", len);
    v->stats.cpu_ns += sl_monotime_cpu_ns() - t0;
    v->stats.validated++;
    if (bad)
        snprintf(reason, reason_len, "%s", v->first);
    return bad;
}

sl_validate_stats_t sl_validate_stats(const sl_validate_t *v)
{
    return v->stats;
}

void sl_validate_free(sl_validate_t *v)
{
    if (v == NULL)
        return;
    xmlSchemaFreeValidCtxt(v->ctxt);
    free(v);
}
