/*
 * ops: the operations of a user's WSDL (--wsdl) and the operation a SOAP request calls (the
 * first element in its Body, with the namespace its prefix is bound to), read by a small
 * lexical walk over start and end tags of a document the XML scanner has already found
 * well-formed.
 */
#ifndef SOAPLOAD_MOCK_OPS_H
#define SOAPLOAD_MOCK_OPS_H

#include <stddef.h>

#include "core/xml.h"

#define SL_OPS_MAX 256      /* operations kept from one WSDL */
#define SL_OPS_MAX_NAME 128 /* longest operation name */
#define SL_OPS_MAX_NS 512   /* longest namespace URI echoed back */

typedef struct {
    size_t count;
    char names[SL_OPS_MAX][SL_OPS_MAX_NAME + 1];
    int id_optional; /* a call without the ID element is answered (--id-optional) */
    /* document/literal operations whose input element is not named after them: a call is
     * found by that element, answered with the operation's output element (or OpResponse) */
    size_t nelements;
    char elements[SL_OPS_MAX][SL_OPS_MAX_NAME + 1];
    char answers[SL_OPS_MAX][SL_OPS_MAX_NAME + 1];
} sl_ops_t;

#define SL_OPS_MAX_TRIGGERS 16      /* --fault-when options kept */
#define SL_OPS_MAX_TRIGGER_TEXT 128 /* longest trigger value */

/* --fault-when NAME=VALUE: a request holding an element of local name `name` whose text is
 * `value` is answered with a Client/Sender fault. */
typedef struct {
    char name[SL_OPS_MAX_NAME + 1];
    char value[SL_OPS_MAX_TRIGGER_TEXT + 1];
    size_t name_len, value_len;
} sl_ops_trigger_t;

/* The operation element of a request, as spans of the request itself. */
typedef struct {
    sl_span_t local;
    sl_span_t ns; /* the attribute value as written (never markup, quotes, entities or control
                     characters); len 0: no namespace */
} sl_ops_call_t;

/** Collects the distinct names of the WSDL's operation elements (any prefix). Returns 0, or -1
 * with a message in err when there is none or too many. */
int sl_ops_read(const char *wsdl, size_t len, sl_ops_t *ops, char *err, size_t errlen);

/** Whether `name` is one of the operations. */
int sl_ops_has(const sl_ops_t *ops, sl_span_t name);

/** The local name of the element that answers a call of `name` (the Body's first element):
 * "<name>Response" for an operation's name, the operation's output element for its input
 * element; written into out (SL_OPS_MAX_NAME + 9 bytes). Returns out, or NULL when `name` is
 * neither. */
const char *sl_ops_answer(const sl_ops_t *ops, sl_span_t name, char *out);

/** Finds the first child element of the root's Body child in a well-formed document. Returns 0,
 * or -1 when there is none, or its name or namespace could not be written back as they are. */
int sl_ops_find_call(const char *doc, size_t len, sl_ops_call_t *call);

/** The first of the n triggers that an element of the well-formed document matches: an element
 * of the trigger's local name (any prefix) whose text up to its first child or end tag is the
 * trigger's value exactly, as written (surrounding whitespace ignored). Returns its index, or
 * -1 when none matches. */
int sl_ops_find_trigger(const char *doc, size_t len, const sl_ops_trigger_t *t, int n);

#endif
