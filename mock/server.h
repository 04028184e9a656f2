/*
 * server: what soapload-mock's server threads share (options, counters, the WSDL) and what each
 * owns (its event loop, h2o context, random state and delay timers). main.c builds them;
 * handler.c answers requests with them.
 */
#ifndef SOAPLOAD_MOCK_SERVER_H
#define SOAPLOAD_MOCK_SERVER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <h2o.h>

#include "core/xml.h"
#include "ops.h"
#include "options.h"
#include "sessions.h"
#include "stats.h"
#include "wsse.h"
#include "core/buf.h"
#include "core/wsse_decrypt.h"
#include "core/wsse_sign.h"
#include "core/wsse_verify.h"

typedef struct {
    const sl_mock_options_t *opt;
    size_t path_len; /* strlen(opt->path) */
    sl_stats_t *stats;
    sl_span_t id_name;
    const char *wsdl;
    size_t wsdl_len;
    const sl_wsse_config_t *wsse;   /* NULL: no UsernameToken is demanded */
    const sl_wsse_verifier_t *sig;  /* NULL: no signature is demanded */
    const sl_ops_t *ops;            /* a user's WSDL's operations; NULL: the echo operation */
    sl_sessions_t *sessions;        /* --sessions; NULL: no token is demanded */
    const sl_wsse_decrypter_t *dec; /* NULL: encrypted requests are not decrypted */
} sl_mock_server_t;

typedef struct {
    int index;
    int listen_fd;
    pthread_t tid;
    h2o_evloop_t *loop;
    h2o_context_t ctx; /* the handler finds its thread from the request's context */
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listener;
    uint64_t rng;
    h2o_timeout_t **delays; /* one h2o timeout per whole millisecond, made when first needed */
    h2o_timeout_t flush_timeout;
    h2o_timeout_entry_t flush_entry;
    time_t stamp_sec;     /* the second whose digits stamp_text holds */
    size_t stamp_sec_len; /* digits and the point; 0: none yet */
    char stamp_text[24];
    sl_wsse_signer_t *signer; /* --wsse-sign-key: this thread's signer of answers, or NULL */
    sl_buf_t signed_answer;   /* the signed answer, before h2o copies it */
} sl_mock_thread_t;

/** Registers the mock's request handler for every path of `pathconf`; `server` must outlive
 * the server threads. */
void sl_mock_handler_register(h2o_pathconf_t *pathconf, const sl_mock_server_t *server);

#endif
