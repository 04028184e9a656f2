/*
 * upload: --json-to URL: the run's result JSON posted, at the end, to the merge of a distributed
 * run (soapload merge --listen), with a bearer token read from a file and bounded retries.
 */
#ifndef SOAPLOAD_UPLOAD_H
#define SOAPLOAD_UPLOAD_H

#include <stddef.h>

#include "core/config.h"

#define SL_UPLOAD_MAX_TOKEN 256 /* characters of a bearer token */

typedef struct sl_upload sl_upload_t;

/** Reads a bearer token: the first line of path, 1 to SL_UPLOAD_MAX_TOKEN visible ASCII
 * characters, into token (SL_UPLOAD_MAX_TOKEN + 1 bytes). Returns 0, or -1 with
 * "OPTION PATH: what is wrong" in err. */
int sl_upload_read_token(const char *path, const char *option, char *token, char *err,
                         size_t errlen);

/** Checks the --json-to settings of cfg before the run and reads the token file. Returns the
 * upload (NULL with err "" when none is asked), or NULL with the problem in err. Free with
 * sl_upload_free. */
sl_upload_t *sl_upload_open(const sl_config_t *cfg, char *err, size_t errlen);
/** POSTs doc[0..len) as application/json, retrying connection failures, time-outs, 408, 429
 * and 5xx with a doubling pause (0.5 s to 8 s) until the retry time is spent; another answer
 * is final. An attempt lasts at most what is left of the retry time (at least 10 s, at most
 * 2 min), so a merge that never answers holds the run at most 10 s past the retry time. Returns 0
 * on a 2xx answer, or -1 with "cannot deliver the results to URL: why (N attempts)" in err. Needs
 * curl_global_init. */
int sl_upload_send(sl_upload_t *u, const char *doc, size_t len, char *err, size_t errlen);
/** Frees u (NULL is fine), wiping the token. */
void sl_upload_free(sl_upload_t *u);

#endif
