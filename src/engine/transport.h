/*
 * transport: what lies under the requests, handed to libcurl: TLS (verification, CA files,
 * client certificates, the lowest version), the HTTP version and multiplexing, fixed address
 * resolution, and HTTP authentication. No protocol code of soapload's own.
 */
#ifndef SOAPLOAD_TRANSPORT_H
#define SOAPLOAD_TRANSPORT_H

#include <curl/curl.h>
#include <stddef.h>

#include "core/config.h"

/* A worker's transport settings, made once and shared by its easy handles. */
typedef struct {
    struct curl_slist *resolve; /* --resolve entries */
    char *key_password;         /* read from the environment or a file; wiped when closed */
    char *password;             /* --auth's password, likewise */
} sl_transport_t;

/** Reads the secrets (key password, HTTP password) from where cfg says they are and builds
 * the resolve list. Returns 0, or -1 with err (which never holds a secret). */
int sl_transport_open(sl_transport_t *t, const sl_config_t *cfg, char *err, size_t errlen);
/** Sets the transport's options on an easy handle (after the engine's own: it overrides the
 * HTTP version). libcurl copies the strings. */
void sl_transport_easy(const sl_transport_t *t, const sl_config_t *cfg, CURL *e);
/** Sets the connection limits and multiplexing on a worker's multi handle, for `connections`
 * connections. */
void sl_transport_multi(const sl_config_t *cfg, CURLM *m, int connections);
/** A secret from the first line of `file` or else from environment variable `env`, as a new
 * string the caller wipes and frees; NULL with err naming the flag (never the secret). */
char *sl_transport_read_secret(const char *env, const char *file, const char *env_flag,
                               const char *file_flag, char *err, size_t errlen);
/** Wipes and frees the secrets and the resolve list. */
void sl_transport_close(sl_transport_t *t);

#endif
