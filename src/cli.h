/*
 * cli: the command line of soapload, read through the option table of core/config.
 */
#ifndef SOAPLOAD_CLI_H
#define SOAPLOAD_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "core/exitcode.h"

typedef enum { SL_CLI_RUN, SL_CLI_HELP, SL_CLI_VERSION, SL_CLI_ERROR } sl_cli_action_t;

/** Fills cfg with the defaults, then with argv (the script path and its arguments point into
 * argv). Returns what main should do; on SL_CLI_ERROR a message naming the problem is in err. */
sl_cli_action_t sl_cli_parse(int argc, char **argv, sl_config_t *cfg, char *err, size_t errlen);
/** The usage lines, one per form of the command, each ending in '\n' (static). --help and
 * the man page's SYNOPSIS print them. */
const char *sl_cli_synopsis(void);
/** Prints the usage text, its option list made from the option table. */
void sl_cli_usage(FILE *out);

#endif
