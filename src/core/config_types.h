/*
 * config_types: the settings of a run as data: the config every part of soapload reads, the
 * options it is set by (sl_opt_t, one bit each in an sl_optset_t) and the limits of their
 * values. Nothing here parses or checks: the option table (core/config.c) declares each option
 * once (its parser, its bounds, its default), and its setters (core/config_set.c) fill these
 * fields.
 */
#ifndef SOAPLOAD_CONFIG_TYPES_H
#define SOAPLOAD_CONFIG_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "core/delay.h"
#include "core/mix.h"
#include "core/profile.h"
#include "core/wsse_opts.h"

#define SL_MAX_HEADERS 64
#define SL_MAX_CHECKS 32
#define SL_MAX_CONNECTIONS 100000 /* in all */
#define SL_MAX_WORKERS 1024
#define SL_MAX_BURST 100000
#define SL_MAX_SEND_WINDOW_NS 10000000ULL
#define SL_MAX_GRACE_NS 3600000000000ULL          /* --grace */
#define SL_MAX_JSON_TO_RETRY_NS 3600000000000ULL  /* --json-to-retry */
#define SL_MAX_METRICS_LINGER_NS 3600000000000ULL /* --metrics-linger */
#define SL_MAX_ABORT_AFTER_NS 86400000000000ULL   /* --abort-on-fail */
#define SL_MAX_OPERATION_NAME 64                  /* bytes of an operation's name */
#define SL_MAX_ID_ELEMENT 64                      /* bytes of the ID element's local name */
#define SL_MAX_SEED 9007199254740991ULL           /* 2^53 - 1: exact in a Lua number too */
#define SL_DRY_RUN_DEFAULT 3                      /* requests --dry-run shows */
#define SL_MAX_DRY_RUN 10000
#define SL_MAX_RESOLVE 16  /* --resolve entries */
#define SL_MAX_STREAMS 100 /* HTTP/2 requests in flight per connection (h2o's default limit) */

enum { SL_ARRIVAL_UNIFORM, SL_ARRIVAL_POISSON };

struct sl_scenarios; /* core/scenario.h */

/* One stage of a load shape as the script wrote it; which fields it may hold depends on the
 * model, known only once the flags and the script have both spoken (sl_config_validate). */
typedef struct {
    uint64_t duration_ns;
    double target;   /* open model: requests per second at the stage's end */
    int connections; /* closed model: connections at the stage's end */
    int has_target, has_rate, has_connections;
} sl_config_stage_t;

enum { SL_PROGRESS_AUTO, SL_PROGRESS_ALWAYS, SL_PROGRESS_NEVER };
enum { SL_AUTH_NONE, SL_AUTH_BASIC, SL_AUTH_DIGEST, SL_AUTH_NTLM, SL_AUTH_NEGOTIATE };

/* Where a value came from. A flag wins over the script's default. */
typedef enum { SL_FROM_FLAG, SL_FROM_SCRIPT } sl_source_t;

/* The options, in the order --help and the man page list them. */
typedef enum {
    SL_OPT_URL,
    SL_OPT_RATE,
    SL_OPT_CLOSED,
    SL_OPT_MODEL, /* script only: "open" or "closed" */
    SL_OPT_BURST,
    SL_OPT_SEND_WINDOW,
    SL_OPT_ARRIVAL,
    SL_OPT_STAGES, /* script only: a list of {duration =, target = | connections =} */
    SL_OPT_THINK,
    SL_OPT_DURATION,
    SL_OPT_CONNECTIONS,
    SL_OPT_WORKERS,
    SL_OPT_TIMEOUT,
    SL_OPT_GRACE,
    SL_OPT_HEADER,
    SL_OPT_SOAP,
    SL_OPT_ID_ELEMENT,
    SL_OPT_VALIDATE,
    SL_OPT_SCHEMA,
    SL_OPT_CATALOG,
    SL_OPT_OFFLINE,
    SL_OPT_OPERATIONS, /* script only: the named operations and their weights */
    SL_OPT_SEED,
    SL_OPT_SEGMENT,
    SL_OPT_START_AT,
    SL_OPT_MAX_BODY,
    SL_OPT_LUA_MEMORY,
    SL_OPT_HOOK_LIMIT,
    SL_OPT_FAST_PATH,
    SL_OPT_INSECURE,
    SL_OPT_CACERT,
    SL_OPT_CAPATH,
    SL_OPT_CERT,
    SL_OPT_KEY,
    SL_OPT_KEY_PASSWORD_ENV,
    SL_OPT_KEY_PASSWORD_FILE,
    SL_OPT_TLS_MIN,
    SL_OPT_RESOLVE,
    SL_OPT_HTTP,
    SL_OPT_STREAMS,
    SL_OPT_AUTH,
    SL_OPT_USER,
    SL_OPT_PASSWORD_ENV,
    SL_OPT_PASSWORD_FILE,
    SL_OPT_WSSE_SIGN_CERT, /* request signing: core/wsse_opts.h */
    SL_OPT_WSSE_SIGN_KEY,
    SL_OPT_WSSE_SIGN_KEY_PASSWORD_ENV,
    SL_OPT_WSSE_SIGN_KEY_PASSWORD_FILE,
    SL_OPT_WSSE_SIGN_ALG,
    SL_OPT_WSSE_KEY_REF,
    SL_OPT_WSSE_TTL,
    SL_OPT_WSSE_VERIFY_CERT,
    SL_OPT_WSSE_VERIFY_CA,
    SL_OPT_WSSE_ENCRYPT_CERT,
    SL_OPT_WSSE_ENCRYPT_ALG,
    SL_OPT_WSA,
    SL_OPT_WSA_ACTION,
    SL_OPT_WSSE_SIGN_PART,
    SL_OPT_JSON,
    SL_OPT_TRACE,
    SL_OPT_HTML,
    SL_OPT_JSON_TO,
    SL_OPT_JSON_TO_TOKEN_FILE,
    SL_OPT_JSON_TO_RETRY,
    SL_OPT_JUNIT,
    SL_OPT_THRESHOLD,
    SL_OPT_ABORT_ON_FAIL,
    SL_OPT_PROGRESS,
    SL_OPT_METRICS,
    SL_OPT_METRICS_LINGER,
    SL_OPT_QUIET,
    SL_OPT_DRY_RUN,
    SL_OPT_HELP,
    SL_OPT_VERSION,
    SL_OPT_COUNT
} sl_opt_t;

/* A set of options, a bit per sl_opt_t: as many words as the table needs. */
#define SL_OPT_WORDS ((SL_OPT_COUNT + 63) / 64)
typedef struct {
    uint64_t bits[SL_OPT_WORDS];
} sl_optset_t;

static inline int sl_optset_has(const sl_optset_t *s, sl_opt_t id)
{
    return (int)(s->bits[id / 64] >> (id % 64) & 1);
}

static inline void sl_optset_add(sl_optset_t *s, sl_opt_t id)
{
    s->bits[id / 64] |= 1ULL << (id % 64);
}

typedef struct {
    char *url;
    double rate;     /* requests per second, open model */
    int closed;      /* closed model: each connection sends again as soon as it is free */
    int burst;       /* open model: requests due together in groups of this many (1: uniform) */
    double rate_end; /* -R A:B: the rate reached at the end of the duration (ramp set) */
    int ramp;
    /* open model, --send-window: requests leave on a grid of this step from t0 (0: when due) */
    uint64_t send_window_ns;
    int arrival; /* SL_ARRIVAL_*: open model */
    sl_config_stage_t stages[SL_MAX_STAGES];
    int nstages;
    int start_connections; /* closed model with stages: connections at the start */
    int has_think;         /* closed model: a pause between a connection's requests */
    sl_delay_t think;
    uint64_t duration_ns;
    int connections; /* in all, split over the workers */
    int workers;
    uint64_t timeout_ns; /* per request */
    int soap_version;    /* 11 or 12 */
    uint64_t max_body;   /* largest response body kept; larger ones fail as too_large */
    char *id_element;    /* local name of the ID element in responses */
    double validate_pct; /* --validate schema[:N%]: the share of bodies validated; 0: off */
    char *schema_path;   /* --schema: an XSD or a WSDL (its types), a file or a URL */
    void *schema;        /* its parsed xmlSchemaPtr (tools/wsdl_schema.c), main owns it */
    char *catalog;       /* --catalog: an OASIS XML catalog the schema's imports go through */
    int offline;         /* --offline: the schema's imports are never fetched over the network */
    char *headers[SL_MAX_HEADERS]; /* "Name: value": the script's first, then the flags' */
    int nheaders;
    uint64_t seed;          /* of the workers' random generators; set by the parent if not given */
    int segment, nsegments; /* --segment I/N: this process's share of the schedule; N 0: all */
    int global_connections; /* segmented: the connections of all segments (connections: ours) */
    int64_t start_at_us;    /* --start-at: the common start, us since the epoch; 0: now */
    uint64_t lua_memory;    /* bytes a worker's Lua state may hold */
    uint64_t hook_limit_ns; /* longest a single hook call may run */
    int fast_path; /* --fast-path: plain http/1.1 keep-alive requests skip libcurl's transfer */
    /* the transport (engine/transport.c sets them on libcurl); secrets are never kept here,
     * only where to read them: the worker reads them, hands them to libcurl, wipes its copy */
    int insecure;                       /* no certificate verification */
    char *cacert, *capath, *cert, *key; /* files (a directory for capath), or NULL */
    char *key_password_env, *key_password_file;
    int tls_min;                   /* 0 (libcurl's default), 12 or 13 */
    char *resolve[SL_MAX_RESOLVE]; /* "HOST:PORT:ADDR" */
    int nresolve, resolve_scripted;
    int http2;   /* --http 2: ALPN over TLS, prior knowledge over plain http */
    int streams; /* requests in flight per connection (1 unless HTTP/2) */
    int auth;    /* SL_AUTH_* */
    char *user;
    char *password_env, *password_file;
    sl_wsse_opts_t wsse; /* signing every request (WS-Security X.509) */
    int quiet;
    /* --dry-run: requests to show without sending any; 0: a real run */
    int dry_run;
    int progress;                /* SL_PROGRESS_* */
    char *json_path;             /* --json: results file */
    char *trace_path;            /* --trace: one line per request */
    char *html_path;             /* --html: report */
    char *json_to;               /* --json-to: URL the result JSON is posted to at the end */
    char *json_to_token_file;    /* --json-to-token-file: its bearer token's file */
    uint64_t json_to_retry_ns;   /* --json-to-retry: how long failed posts are retried */
    char *junit_path;            /* --junit: JUnit XML for CI */
    char *metrics_addr;          /* --metrics: ADDR:PORT of the live /metrics, or NULL */
    uint64_t metrics_linger_ns;  /* --metrics-linger: serving after the summary */
    char *checks[SL_MAX_CHECKS]; /* thresholds as written: the script's, then the flags' */
    int nchecks;
    /* --abort-on-fail T: stop sending once a threshold has failed for T (whole seconds) */
    int abort_on_fail;
    uint64_t abort_after_ns;
    /* soapload.operations, in the script's order; none: the single request()/response() */
    char *op_names[SL_MAX_OPERATIONS];
    double op_weights[SL_MAX_OPERATIONS];
    int nops;
    /* soapload.scenarios (core/scenario.h), or NULL */
    struct sl_scenarios *scenarios;
    /* soapload.flows (core/flow.h): the schedule starts flows of these steps; or NULL */
    struct sl_flows *flows;
    uint64_t grace_ns;       /* --grace: how long flows under way may finish after sending stops */
    const char *script_path; /* points into argv */
    char **script_args;      /* after the script path, for init(args); into argv */
    int nargs;
    sl_optset_t given;                     /* the options a flag gave */
    sl_optset_t scripted;                  /* the options the script gave */
    int headers_scripted, checks_scripted; /* how many of each came from the script */
} sl_config_t;

typedef struct sl_option sl_option_t;

/* An option's parser: parses `value` (NULL for an option without one) into c, within the
 * option's bounds. Returns 0, or -1 with why: "it wants ..." or what else is wrong. */
typedef int (*sl_setter_t)(sl_config_t *c, const sl_option_t *o, const char *value,
                           sl_source_t source, char *why, size_t whylen);

/* One option: a flag, a script setting, or both; declared once, with its parser, its bounds
 * and its default. */
struct sl_option {
    sl_opt_t id;
    const char *flag;    /* long flag without "--", or NULL: script only */
    char letter;         /* short flag, or 0 */
    const char *script;  /* name in the script's soapload table, or NULL: flag only */
    const char *arg;     /* the value's placeholder in --help, or NULL: takes no value; in
                          * brackets ("[N]"): an optional word of its own after the flag */
    const char *help;    /* lines separated by '\n' */
    sl_setter_t set;     /* the parser (core/config_set.h); NULL: nothing to parse */
    size_t field;        /* offsetof(sl_config_t, ...): the field a typed setter fills */
    double min, max;     /* a number's bounds (a duration's in ns, a size's in bytes, a
                          * string's least length); max 0: none */
    const char *choices; /* the words of a choice, '|' between them: the first is worth min */
    const char *def;     /* the default, as a flag would give it, or NULL */
    const char *want;    /* what a bad value should be; {min} and {max} stand for the bounds */
};

/** Whether option id was set, by a flag or by the script. */
static inline int sl_config_was_set(const sl_config_t *cfg, sl_opt_t id)
{
    return sl_optset_has(&cfg->given, id) || sl_optset_has(&cfg->scripted, id);
}

#endif
