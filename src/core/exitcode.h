/*
 * exitcode: what soapload's exit status means; README's table says the same.
 */
#ifndef SOAPLOAD_EXITCODE_H
#define SOAPLOAD_EXITCODE_H

#define SL_EXIT_OK 0
#define SL_EXIT_FAILED_REQUESTS 1 /* the run completed, but some requests did not succeed */
#define SL_EXIT_USAGE 2           /* bad flags or script: nothing was sent */
#define SL_EXIT_THRESHOLD 3       /* a threshold failed */
#define SL_EXIT_INTERNAL 4        /* a worker died or the accounting did not add up */
#define SL_EXIT_INTERRUPTED 130   /* stopped by SIGINT/SIGTERM/SIGHUP */

#endif
