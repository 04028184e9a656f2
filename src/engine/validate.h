/*
 * validate: --validate schema in a worker: a sample of the response bodies parsed with libxml2
 * and the payload of their SOAP Body (or the root element of a body that is no envelope)
 * validated against the schema the parent parsed before the fork (tools/wsdl_schema.c).
 */
#ifndef SOAPLOAD_VALIDATE_H
#define SOAPLOAD_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_validate sl_validate_t;

/* What a worker reports to its parent (SL_MSG_VALIDATION), and the run's sum. */
typedef struct {
    uint64_t validated; /* bodies validated */
    uint64_t cpu_ns;    /* the thread CPU time their parse and validation took */
} sl_validate_stats_t;

/** A validator for one worker: schema is an xmlSchemaPtr, pct the share of bodies validated
 * (0 < pct <= 100). Returns NULL when out of memory. */
sl_validate_t *sl_validate_new(void *schema, double pct);
/** Validates body when it falls in the sample. Returns 1 when it breaks the schema (the first
 * error, "line L, element E: reason", in reason), 0 when it passes or was not sampled. */
int sl_validate_body(sl_validate_t *v, const char *body, size_t len, char *reason,
                     size_t reason_len);
/** How many bodies were validated and what they cost. */
sl_validate_stats_t sl_validate_stats(const sl_validate_t *v);
void sl_validate_free(sl_validate_t *v);

#endif
