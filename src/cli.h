/*
 * cli: the command line of soapload.
 */
#ifndef SOAPLOAD_CLI_H
#define SOAPLOAD_CLI_H

#include <stddef.h>

#include "config.h"

#define SL_EXIT_OK 0
#define SL_EXIT_FAILED_REQUESTS 1 /* the run completed, but some requests did not succeed */
#define SL_EXIT_USAGE 2           /* bad flags or script: nothing was sent */
#define SL_EXIT_THRESHOLD 3       /* a threshold failed */
#define SL_EXIT_INTERNAL 4        /* a worker died or the accounting did not add up */
#define SL_EXIT_INTERRUPTED 130   /* stopped by SIGINT/SIGTERM */

typedef enum { SL_CLI_RUN, SL_CLI_HELP, SL_CLI_VERSION, SL_CLI_ERROR } sl_cli_action_t;

/** Fills cfg with defaults, then with argv. Strings point into argv. Returns what main
 * should do; on SL_CLI_ERROR a message naming the problem is in err. */
sl_cli_action_t sl_cli_parse(int argc, char **argv, sl_config_t *cfg, char *err, size_t errlen);
/** Parses a rate (requests per second, above 0). Returns 0 or -1. */
int sl_parse_rate(const char *s, double *out);
/** Frees the strings the config owns. */
void sl_config_free(sl_config_t *cfg);
/** Prints the usage text. */
void sl_cli_usage(void *file);
/** Checks the merged settings (script defaults plus flags). Returns 0, or -1 with err. */
int sl_cli_validate(sl_config_t *cfg, char *err, size_t errlen);

#endif
