/*
 * subargs: the flags of the subcommands (soapload merge, compare, wsdl): each a row of a table,
 * read from argv as `--name VALUE` or `--name=VALUE`, the rest handed over in order as operands;
 * an unknown flag is refused with the nearest known one. The table also prints the usage's list.
 */
#ifndef SOAPLOAD_SUBARGS_H
#define SOAPLOAD_SUBARGS_H

#include <stddef.h>
#include <stdio.h>

/** Takes one flag's value (NULL for a switch) or, with flag NULL, one operand, into opts;
 * returns 0, or -1 with the problem in err. flag is the row's name, whichever form was typed. */
typedef int (*sl_subargs_set_fn)(void *opts, const char *flag, const char *value, char *err,
                                 size_t errlen);

typedef struct {
    const char *name;      /* "--json" */
    const char *alias;     /* "-q", or NULL */
    const char *arg;       /* the value's name in the usage ("FILE"); NULL: a switch */
    size_t at;             /* with set NULL: the offset in opts of the int a switch sets to 1,
                              or of the const char * that keeps the value (argv's word) */
    sl_subargs_set_fn set; /* the flag's setter, instead of at */
    const char *help;      /* the usage's text; later lines carry their own indent; NULL:
                              not listed */
} sl_subarg_t;

typedef enum {
    SL_SUBARGS_OK,      /* every word taken */
    SL_SUBARGS_HELP,    /* -h or --help: the caller prints its usage */
    SL_SUBARGS_USAGE,   /* an unknown flag, or a flag's value missing (err says which) */
    SL_SUBARGS_REFUSED, /* a setter or the operand's refused its word (err says why) */
} sl_subargs_result_t;

/** Reads argv[1..argc) in order against flags (ended by a row with name NULL): each flag into
 * opts, each other word (and "-") to operand. Stops at the first problem, with it in err. */
sl_subargs_result_t sl_subargs_parse(const sl_subarg_t *flags, int argc, char **argv, void *opts,
                                     sl_subargs_set_fn operand, char *err, size_t errlen);

/** Prints the rows that have help, one "  -q, --name ARG" head each and the help from
 * column 22 (two spaces after a longer head). */
void sl_subargs_usage(FILE *out, const sl_subarg_t *flags);

#endif
