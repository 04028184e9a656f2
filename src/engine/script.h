/*
 * script: one Lua 5.4 state running the user's scenario: loading (text only, in a sandbox), the
 * settings in its `soapload` table, the hooks (init, request, response, done), and the built-ins
 * it calls (envelopes, escaping, element text). Every hook runs under lua_pcall with a
 * traceback, a time limit per call (also inside C functions) and a memory cap on the whole
 * state. This header is the state's life (load, settings, seed, init, done, the flows'
 * variables); the per-request hooks are in script_hooks.h, soapload.operations in a worker in
 * script_ops.h.
 */
#ifndef SOAPLOAD_SCRIPT_H
#define SOAPLOAD_SCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/counts.h"
#include "core/fault.h"
#include "core/hist.h"
#include "engine/request.h"

typedef struct sl_script sl_script_t;

/* What the parent hands to done(). */
typedef struct {
    const sl_counts_t *counts;
    double duration_s, target_rate, achieved_rate;
    const sl_hist_t *latency, *service, *lateness;
    int nworkers;
    const pid_t *pids;
    const sl_counts_t *per_worker;
    int exit_code; /* the run's so far: soapload's exit code if done() must be cut short
                    * (1 when it is 0) */
} sl_script_summary_t;

/** Reads the file at path into a NUL-terminated buffer the caller frees. Returns NULL with a
 * message in err. */
char *sl_script_read_file(const char *path, size_t *len, char *err, size_t errlen);

/** Creates a state, loads `text` as `path` and runs its main chunk. Limits come from cfg.
 * Returns NULL with "path:line: message" in err on any error. */
sl_script_t *sl_script_load(const char *path, const char *text, size_t len, const sl_config_t *cfg,
                            char *err, size_t errlen);
/** Closes the state. */
void sl_script_close(sl_script_t *s);

/** Stops the state's guard thread (below) until sl_script_resume, while no hook runs: a
 * process that forks must have no other thread, since a lock that thread holds at the fork
 * stays held in the child for ever (workers hung in ASan's allocator that way). */
void sl_script_pause(sl_script_t *s);
/** Starts the guard thread again. Returns 0, or -1 with errno when it cannot. */
int sl_script_resume(sl_script_t *s);

/* A worker stopped because a hook overran inside a C function exits with this. */
#define SL_SCRIPT_OVERRUN_EXIT 70

/** Makes s the state of worker `worker` (1-based), reporting to its parent on report_fd. A
 * hook still running a second past its limit is inside a C function where no Lua hook can
 * stop it: the state's guard thread then sends the parent a message naming the hook and the
 * limit (SL_MSG_FAILED before the start, SL_MSG_SCRIPT_ERROR after it, and a line on stderr)
 * and ends the process with SL_SCRIPT_OVERRUN_EXIT. Without this call (in the parent) it
 * writes the message to stderr and exits 2 while loading, or the summary's exit_code in
 * done(). */
void sl_script_watch(sl_script_t *s, int report_fd, int worker);

/** Fills the fields of cfg not given on the command line from the script's `soapload` table.
 * Returns 0, or -1 with a message naming the field in err. */
int sl_script_settings(sl_script_t *s, sl_config_t *cfg, char *err, size_t errlen);
/** Stores the effective settings and this worker's identity in the `soapload` table. */
void sl_script_publish(sl_script_t *s, const sl_config_t *cfg, int worker, pid_t pid);

/** A fresh run seed, never 0, from the realtime clock and the pid (below 2^53, so that Lua
 * numbers hold it exactly). */
uint64_t sl_script_new_seed(void);
/** The seed of worker `index` (0-based) in a run seeded with run_seed: the same for the same
 * pair, different for each worker; a fresh one (sl_script_new_seed) when run_seed is 0. */
uint64_t sl_script_worker_seed(uint64_t run_seed, int index);
/** Seeds the state's math.random as math.randomseed(seed) would. */
void sl_script_seed(sl_script_t *s, uint64_t seed);

int sl_script_has_request(const sl_script_t *s);
int sl_script_has_response(const sl_script_t *s);

/** Calls init(args) if defined. Returns 0, or -1 with the traceback in err. */
int sl_script_init(sl_script_t *s, char **args, int nargs, char *err, size_t errlen);

#define SL_SCRIPT_NO_VARS (-2) /* LUA_NOREF: hooks get no flow's variables */

/** A new table for a flow's variables, referenced in the registry; LUA_NOREF (-2) when out
 * of memory. */
int sl_script_vars_new(sl_script_t *s);
/** Lets go of a flow's variables. */
void sl_script_vars_free(sl_script_t *s, int ref);
/** Makes the hooks called from now on get that flow's variables as their last argument
 * (request(id, seq, vars), response(status, headers, body, id, fault, vars)); LUA_NOREF
 * (-2): none. */
void sl_script_use_vars(sl_script_t *s, int ref);
/** Calls done(summary, latency, requests) if defined. Returns 0, or -1 with err. */
int sl_script_done(sl_script_t *s, const sl_script_summary_t *sum, char *err, size_t errlen);

#endif
