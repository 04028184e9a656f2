/*
 * config: the settings of a run, from the script's `soapload` table and the command line
 * (which wins). Plain data: filled by cli.c and script.c, read by everyone else.
 */
#ifndef SOAPLOAD_CONFIG_H
#define SOAPLOAD_CONFIG_H

#include <stdint.h>

#define SL_MAX_HEADERS 64
#define SL_MAX_CHECKS 32

enum { SL_PROGRESS_AUTO, SL_PROGRESS_ALWAYS, SL_PROGRESS_NEVER };

/* Bits of sl_config_t.set: which settings were given, so that a script's default never
 * overrides a flag. */
enum {
    SL_SET_URL = 1 << 0,
    SL_SET_RATE = 1 << 1,
    SL_SET_DURATION = 1 << 2,
    SL_SET_CONNECTIONS = 1 << 3,
    SL_SET_WORKERS = 1 << 4,
    SL_SET_TIMEOUT = 1 << 5,
    SL_SET_SOAP = 1 << 6,
    SL_SET_MODEL = 1 << 7,
    SL_SET_ID_ELEMENT = 1 << 9,
    SL_SET_BURST = 1 << 10
};

typedef struct {
    char *url;
    double rate; /* requests per second, open model */
    int closed;  /* closed model: each connection sends again as soon as it is free */
    int burst;   /* open model: requests due together in groups of this many (1: uniform) */
    uint64_t duration_ns;
    int connections; /* in all, split over the workers */
    int workers;
    uint64_t timeout_ns;           /* per request */
    int soap_version;              /* 11 or 12 */
    uint64_t max_body;             /* largest response body kept; larger ones fail as too_large */
    char *id_element;              /* local name of the ID element in responses */
    char *headers[SL_MAX_HEADERS]; /* "Name: value", script's first, then the command line's */
    int nheaders;
    uint64_t lua_memory;    /* bytes a worker's Lua state may hold */
    uint64_t hook_limit_ns; /* longest a single hook call may run */
    uint64_t seed;          /* math.random's seed of the run; 0: none given, a fresh one */
    int quiet;
    int progress;                      /* SL_PROGRESS_* */
    const char *json_path;             /* --json: results file */
    const char *trace_path;            /* --trace: one line per request */
    const char *html_path;             /* --html: report */
    const char *checks[SL_MAX_CHECKS]; /* thresholds as written: script's, then --threshold */
    int nchecks;
    const char *script_path;
    char **script_args; /* after the script path, for init(args) */
    int nargs;
    unsigned set;                                    /* SL_SET_* given on the command line */
    char *owned[SL_MAX_HEADERS + SL_MAX_CHECKS + 4]; /* strings the script's settings made */
    int nowned;
} sl_config_t;

#endif
