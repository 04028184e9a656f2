/*
 * wsdl_sample: the state of one sample body while wsdl_gen writes it: the namespaces its root
 * declares and their prefixes, its budget (bytes and particles), the stacks that stop a type
 * or group from containing itself, where the request ID went, and what it must leave out
 * (a placeholder and a warning).
 */
#ifndef SOAPLOAD_WSDL_SAMPLE_H
#define SOAPLOAD_WSDL_SAMPLE_H

#include <stddef.h>

#include "core/buf.h"
#include "tools/wsdl.h"
#include "tools/wsdl_gen.h"

#define SL_WSDL_SAMPLE_MAX_NS 64
/* groups and attribute groups nest (and may refer to themselves) without a type between */
#define SL_WSDL_SAMPLE_MAX_NEST 64
/* particles visited per body: groups of groups can multiply without writing anything */
#define SL_WSDL_SAMPLE_MAX_STEPS 1000000

typedef struct {
    const sl_wsdl_t *w;
    const char *id_element;
    int has_id;
    const char *ns[SL_WSDL_SAMPLE_MAX_NS];
    char prefix[SL_WSDL_SAMPLE_MAX_NS][32];
    int nns;
    const sl_xnode_t *stack[SL_WSDL_GEN_MAX_DEPTH]; /* types being expanded */
    int depth;
    size_t used;    /* bytes of elements written, against SL_WSDL_GEN_MAX_BYTES */
    long steps;     /* particles visited, against SL_WSDL_SAMPLE_MAX_STEPS */
    int nest;       /* particles and attribute groups being expanded, against ..._MAX_NEST */
    int cut;        /* the budget ran out: the rest of the body is left out */
    const char *op; /* the operation's name, for warnings */
    sl_wsdl_warnings_t *warn; /* where what is missing is said, or NULL */
    int too_deep;             /* SL_WSDL_SAMPLE_MAX_NEST was reached (said once) */
    /* groups and attribute groups being expanded */
    const sl_xnode_t *groups[SL_WSDL_SAMPLE_MAX_NEST];
    int ngroups;
    char *err;
    size_t errlen;
    int failed;
} sl_wsdl_sample_t;

/** Says that something the sample needs is not declared (an import that could not be read,
 * mostly): a warning naming it and, with out not NULL, an XML comment where it goes. */
void sl_wsdl_sample_missing(sl_wsdl_sample_t *g, sl_buf_t *out, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/** Appends {ns}local as prefix:local, the prefix (declared on the root) made on first use. */
void sl_wsdl_sample_qname(sl_wsdl_sample_t *g, sl_buf_t *b, const char *ns, const char *local);
/** Appends an element that cannot be typed: empty but for a comment saying why, and a
 * warning. */
void sl_wsdl_sample_placeholder(sl_wsdl_sample_t *g, sl_buf_t *out, int level, const char *ns,
                                const char *local, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/** The global declaration `kind` that QName q (written at `at`) names, or NULL; sets *ns and
 * *local (*ns untouched for an undeclared prefix). */
const sl_xnode_t *sl_wsdl_sample_resolve(sl_wsdl_sample_t *g, const sl_xnode_t *at, const char *q,
                                         const char *kind, const char **ns, const char **local);
/** Whether the body's budget is spent (1) or not (0); the first time, says so in out. */
int sl_wsdl_sample_spent(sl_wsdl_sample_t *g, sl_buf_t *out, int level);
/** Puts the request ID's mark as text's content when name is the ID's element and no element
 * took it yet. */
void sl_wsdl_sample_claim_id(sl_wsdl_sample_t *g, sl_buf_t *text, const char *name);
/** Appends the sample in scratch to out with every namespace it uses declared on its root.
 * Returns 0. */
int sl_wsdl_sample_root(sl_wsdl_sample_t *g, sl_buf_t *out, sl_buf_t *scratch);

#endif
