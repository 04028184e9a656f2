/*
 * fault: one tree of the response, then the few children the two versions define.
 */
#include "core/fault.h"

#include <stdio.h>
#include <string.h>

#include "core/soapns.h"
#include "core/xmltree.h"

static void copy(char *dst, const char *src)
{
    snprintf(dst, SL_FAULT_TEXT, "%s", src != NULL ? src : "");
}

/* The text of an element and of everything inside it, cut at the buffer's end. */
static void all_text(const sl_xnode_t *n, char *out, size_t *len)
{
    for (size_t i = 0; i < n->text_len && *len + 1 < SL_FAULT_TEXT; i++)
        out[(*len)++] = n->text[i];
    for (const sl_xnode_t *c = n->first_child; c != NULL; c = c->next) {
        if (*len > 0 && *len + 1 < SL_FAULT_TEXT && out[*len - 1] != ' ')
            out[(*len)++] = ' ';
        all_text(c, out, len);
    }
    out[*len] = '\0';
}

static const char *child_text(const sl_xnode_t *n, const char *ns, const char *local)
{
    const sl_xnode_t *c = n != NULL ? sl_xnode_child(n, ns, local) : NULL;
    return c != NULL ? c->text : NULL;
}

int sl_fault_parse(const char *body, size_t len, sl_fault_t *f)
{
    char err[128];
    memset(f, 0, sizeof(*f));
    sl_xtree_t *t = sl_xtree_parse(body, len, err, sizeof(err));
    if (t == NULL)
        return -1;
    const sl_xnode_t *root = sl_xtree_root(t);
    int rc = 0;
    int version = strcmp(root->ns, SL_SOAP12_NS) == 0   ? 12
                  : strcmp(root->ns, SL_SOAP11_NS) == 0 ? 11
                                                        : 0;
    const char *ns = version == 12 ? SL_SOAP12_NS : version == 11 ? SL_SOAP11_NS : NULL;
    const sl_xnode_t *body_el = ns != NULL && strcmp(root->local, "Envelope") == 0
                                    ? sl_xnode_child(root, ns, "Body")
                                    : NULL;
    const sl_xnode_t *fault = body_el != NULL ? sl_xnode_child(body_el, ns, "Fault") : NULL;
    if (fault == NULL)
        goto Done;
    rc = 1;
    size_t n = 0;
    f->version = version;
    if (version == 11) { /* the children of a 1.1 Fault are unqualified */
        copy(f->code, child_text(fault, NULL, "faultcode"));
        copy(f->reason, child_text(fault, NULL, "faultstring"));
        copy(f->actor, child_text(fault, NULL, "faultactor"));
        const sl_xnode_t *d = sl_xnode_child(fault, NULL, "detail");
        if (d != NULL)
            all_text(d, f->detail, &n);
    } else {
        const sl_xnode_t *code = sl_xnode_child(fault, ns, "Code");
        copy(f->code, child_text(code, ns, "Value"));
        const sl_xnode_t *sub = code != NULL ? sl_xnode_child(code, ns, "Subcode") : NULL;
        copy(f->subcode, child_text(sub, ns, "Value"));
        copy(f->reason, child_text(sl_xnode_child(fault, ns, "Reason"), ns, "Text"));
        copy(f->actor, child_text(fault, ns, "Role"));
        const sl_xnode_t *d = sl_xnode_child(fault, ns, "Detail");
        if (d != NULL)
            all_text(d, f->detail, &n);
    }
Done:
    sl_xtree_free(t);
    return rc;
}
