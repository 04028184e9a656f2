/*
 * hook_guard: the deadline of the hook call under way (request(), response(), the main chunk,
 * ...), and the guard thread that ends the process when a call overruns inside a C function,
 * where no Lua hook can stop it.
 */
#ifndef SOAPLOAD_HOOK_GUARD_H
#define SOAPLOAD_HOOK_GUARD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SL_HOOKGUARD_LOAD_LIMIT_NS 30000000000ULL /* the main chunk, init() and done() */
#define SL_HOOKGUARD_LOAD_EXIT 2 /* the parent's exit code for a script error before sending */

typedef struct {
    /* the call under way, shared with the guard thread */
    _Atomic uint64_t deadline_ns; /* 0: none */
    _Atomic uint64_t calls;       /* counts calls, so that the guard knows one from the next */
    _Atomic uint64_t limit_ns;
    _Atomic(const char *) hook; /* "request()", ... */
    pthread_t thread;
    int started, stop;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int report_fd; /* a worker's pipe to its parent; -1 in the parent */
    int worker;    /* 1-based; 0 in the parent */
    int overrun_exit;
} sl_hookguard_t;

/** Sets g up for the parent (no report pipe, exit SL_HOOKGUARD_LOAD_EXIT); starts nothing. */
void sl_hookguard_init(sl_hookguard_t *g);
/** Starts the guard thread. Returns 0, or -1 with errno. */
int sl_hookguard_start(sl_hookguard_t *g);
/** Stops and joins the guard thread, if it runs. */
void sl_hookguard_stop(sl_hookguard_t *g);
/** Whether the guard thread runs. */
int sl_hookguard_running(const sl_hookguard_t *g);
/** From now on an overrun is reported to the parent on report_fd as worker `worker` (1-based)
 * and ends the process with exit_code. */
void sl_hookguard_watch(sl_hookguard_t *g, int report_fd, int worker, int exit_code);
/** The exit code of an overrun from now on. */
void sl_hookguard_set_exit(sl_hookguard_t *g, int exit_code);
/** A call of `hook` (a static string) starts, with limit_ns to run. */
void sl_hookguard_enter(sl_hookguard_t *g, const char *hook, uint64_t limit_ns);
/** The call has ended. */
void sl_hookguard_leave(sl_hookguard_t *g);
/** Whether the call under way is past its deadline. */
int sl_hookguard_overdue(const sl_hookguard_t *g);
/** "request(): hook ran longer than its limit of ... : stopped" into out, for the error that
 * stops the call. */
void sl_hookguard_describe(sl_hookguard_t *g, char *out, size_t cap);

#endif
