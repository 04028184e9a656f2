/*
 * options: soapload-mock's command line. One table gives the parser, `--help`, the man page's
 * option list and the shell completions (a spec checks the man page against `--help`).
 */
#ifndef SOAPLOAD_MOCK_OPTIONS_H
#define SOAPLOAD_MOCK_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "core/delay.h"
#include "ops.h"

typedef enum { SL_MOCK_RUN, SL_MOCK_HELP, SL_MOCK_VERSION } sl_mock_action_t;

typedef struct {
    sl_mock_action_t action; /* set by --help and --version */
    const char *host;
    int port;
    const char *path;
    int threads;
    sl_delay_t delay;
    int has_delay;
    double fault_rate;
    size_t max_body;
    const char *id_element;
    const char *id_log;
    size_t id_memory; /* ceiling of the ID set; 0 with --no-ids */
    const char *id_memory_text;
    int no_ids, id_memory_given;
    int id_optional; /* --id-optional: with --wsdl, a call without the ID is answered too */
    const char *tls_cert, *tls_key; /* both or neither */
    const char *tls_client_ca;      /* mutual TLS; only with tls_cert */
    const char *wsse_user;          /* demand a UsernameToken: both or neither */
    char wsse_password[257];        /* read from --wsse-password-file */
    int wsse_password_given;
    double wsse_max_age_s;
    const char *wsse_verify_cert; /* verify every request's X.509 signature with this cert */
    const char *wsse_decrypt_key; /* decrypt encrypted requests with this private key */
    const char *wsse_sign_cert;   /* sign every answer with this certificate's key: */
    const char *wsse_sign_key;    /* both or neither */
    double wsse_sign_ttl_s;       /* the answers' Timestamp lifetime */
    int wsse_sign_ref;            /* how the answers name their key: SL_WSSE_REF_* */
    int wsse_sign_knob_given;     /* --wsse-sign-ttl or --wsse-sign-ref: they need the key */
    char *wsdl_text;              /* --wsdl: a user's WSDL, served (owned; NUL-terminated) */
    size_t wsdl_len;
    sl_ops_t *wsdl_ops;                             /* its operations, answered (owned) */
    sl_ops_trigger_t triggers[SL_OPS_MAX_TRIGGERS]; /* --fault-when */
    int ntriggers;
    int sessions;         /* --sessions: Login, tokens, Logout */
    double session_ttl_s; /* --session-ttl */
    unsigned long session_expire_after, session_refuse_login; /* fault knobs; 0: off */
    int session_knob_given; /* a --session-* option: it needs --sessions */
} sl_mock_options_t;

/** Fills `o` from the defaults and argv (getopt's state is used and left behind). Returns 0
 * with the action to take, or -1 with a message naming the option in err. */
int sl_mock_options_parse(int argc, char **argv, sl_mock_options_t *o, sl_mock_action_t *action,
                          char *err, size_t errlen);
/* One row of the option table as the man page and the shell completions read it. */
typedef struct {
    const char *name;
    char letter;      /* 0: long form only */
    const char *arg;  /* NULL: a flag */
    const char *help; /* lines separated by '\n' */
} sl_mock_option_doc_t;

/** Copies row i of the option table (its strings are static) into out. Returns 0, or -1 past
 * the last row. */
int sl_mock_options_doc(size_t i, sl_mock_option_doc_t *out);
/** Writes the usage text, its option lines made from the table. */
void sl_mock_options_usage(FILE *out);

#endif
