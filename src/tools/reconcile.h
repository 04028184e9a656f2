/*
 * reconcile: compares the IDs soapload sent (its --trace) with the IDs a server received
 * (soapload-mock's --id-log): sent, received, lost, duplicated, unknown. It works from the two
 * files alone, so it also works after a run that went wrong.
 */
#ifndef SOAPLOAD_RECONCILE_H
#define SOAPLOAD_RECONCILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SL_RECONCILE_EXAMPLES 10

typedef struct {
    uint64_t sent;            /* trace lines for requests that were attempted */
    uint64_t received;        /* ID log lines */
    uint64_t matched;         /* sent and received exactly once */
    uint64_t lost;            /* sent, never received */
    uint64_t duplicated;      /* IDs received more than once (counted once per extra copy) */
    uint64_t unknown;         /* received, but not in the trace */
    uint64_t not_sent;        /* trace lines of requests never sent: not_sent (the client fell */
    uint64_t before_send;     /* behind), KIND_before_send, script_error_before_send: nothing */
    uint64_t script_errors;   /* of them is expected at the server */
    uint64_t unsent_received; /* IDs the log has though the trace says they were never sent */
    uint64_t repeated;        /* IDs that the traces have as sent more than once */
    uint64_t repeated_sends;  /* the sends of those beyond the first */
    char lost_outcomes[512];  /* "connect 3, timeout 1": the client's outcome of the lost ones */
    char examples[1024];      /* a few lost, duplicated, unknown and repeated IDs, escaped */
} sl_reconcile_t;

/** Reads both files and fills r. Returns 0, or -1 with a message in err (a file that is not
 * a soapload trace, for instance). */
int sl_reconcile(FILE *trace, FILE *ids, sl_reconcile_t *r, char *err, size_t errlen);
/** Reads the traces at paths[0..n) (the segments of a split run, or one trace) and the ID log
 * at ids_path and fills r. Returns 0, or -1 with "PATH: what is wrong" in err (a file that
 * cannot be read or is a directory, a trace given twice). */
int sl_reconcile_files(char **paths, int n, const char *ids_path, sl_reconcile_t *r, char *err,
                       size_t errlen);
/** Prints r as `soapload --reconcile` does; trace_name names the traces. Returns 0 when every
 * ID sent was received exactly once and the IDs sent are distinct, else 1 (the exit codes). */
int sl_reconcile_print(FILE *out, const sl_reconcile_t *r, const char *trace_name,
                       const char *ids_name);

#endif
