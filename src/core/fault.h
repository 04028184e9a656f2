/*
 * fault: the parts of a SOAP Fault a tester reads, for SOAP 1.1 (faultcode, faultstring,
 * faultactor, detail) and 1.2 (Code/Value, Subcode/Value, Reason/Text, Detail), so that
 * failures can be told apart by their code and a script can expect a Fault.
 */
#ifndef SOAPLOAD_FAULT_H
#define SOAPLOAD_FAULT_H

#include <stddef.h>

#define SL_FAULT_TEXT 256 /* bytes kept of each part, NUL included */

typedef struct {
    int version;                 /* 11 or 12 */
    char code[SL_FAULT_TEXT];    /* as written, e.g. "soap:Server", "env:Sender" */
    char subcode[SL_FAULT_TEXT]; /* 1.2's first Subcode/Value, "" when none */
    char reason[SL_FAULT_TEXT];  /* faultstring or the first Reason/Text */
    char actor[SL_FAULT_TEXT];   /* faultactor or Role, "" when none */
    char detail[SL_FAULT_TEXT];  /* the detail's text content (its elements' texts), cut */
} sl_fault_t;

/** Reads the Fault in a SOAP envelope's Body. Returns 1 and fills f when there is one, 0 when
 * the document is a SOAP envelope without a Fault or not SOAP at all, -1 when it is not
 * well-formed XML. */
int sl_fault_parse(const char *body, size_t len, sl_fault_t *f);

#endif
