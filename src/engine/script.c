/*
 * script: the Lua state of one process. Stack discipline: index 1 always holds the traceback
 * handler; every call leaves the stack as it found it. Strings from Lua are copied into C
 * buffers before the values are popped. The standard library is trimmed to a sandbox (text
 * chunks only, no processes, nothing that steers the process); each call has a deadline,
 * kept by a count hook in Lua code and, inside C functions, by the guard thread of
 * hook_guard.c. This file holds the state itself: loading, the calls, settings, the seed and
 * the flows' variables; the hooks are in script_hooks.c, the built-ins in script_builtins.c.
 */
#include "engine/script.h"

#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/monotime.h"
#include "engine/flow_lua.h"
#include "engine/lua_data.h"
#include "engine/lua_mtom.h"
#include "engine/lua_wsse.h"
#include "engine/lua_xml.h"
#include "engine/lua_xpath.h"
#include "engine/sandbox.h"
#include "engine/script_builtins.h"
#include "engine/script_state.h"
#include "engine/settings.h"

#define WATCHDOG_EVERY 10000 /* instructions between two looks at the clock */

/* The allocator caps the whole state: a runaway allocation fails inside Lua, as an error. */
static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sl_script_t *s = ud;
    size_t old = ptr != NULL ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        s->mem_used -= old;
        return NULL;
    }
    if (nsize > old && s->mem_used - old + nsize > s->mem_limit) {
        s->mem_exceeded = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p != NULL)
        s->mem_used = s->mem_used - old + nsize;
    return p;
}

/* The count hook: past the deadline it raises an error, and from then on at every
 * instruction until the call has unwound, so that a pcall in the script cannot swallow it. */
static void watchdog(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sl_script_t *s = sl_script_of(L);
    if (!sl_hookguard_overdue(&s->guard)) {
        if (lua_gethookcount(L) != WATCHDOG_EVERY) /* a coroutine left from an overrun */
            lua_sethook(L, watchdog, LUA_MASKCOUNT, WATCHDOG_EVERY);
        return;
    }
    char msg[256];
    sl_hookguard_describe(&s->guard, msg, sizeof(msg));
    lua_sethook(L, watchdog, LUA_MASKCOUNT, 1);
    luaL_where(L, 0); /* the line it was running */
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    lua_error(L);
}

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int sl_script_call(sl_script_t *s, const char *hook, int nargs, int nres, uint64_t limit_ns,
                   char *err, size_t errlen)
{
    s->mem_exceeded = 0;
    sl_hookguard_enter(&s->guard, hook, limit_ns);
    int rc = lua_pcall(s->L, nargs, nres, 1);
    sl_hookguard_leave(&s->guard);
    if (lua_gethookcount(s->L) != WATCHDOG_EVERY) /* after an overrun */
        lua_sethook(s->L, watchdog, LUA_MASKCOUNT, WATCHDOG_EVERY);
    if (rc == LUA_OK)
        return 0;
    if (rc == LUA_ERRMEM || s->mem_exceeded)
        snprintf(err, errlen, "script ran out of memory: its limit is %zu MiB (see --lua-memory)",
                 s->mem_limit >> 20);
    else
        snprintf(err, errlen, "%s", lua_isstring(s->L, -1) ? lua_tostring(s->L, -1) : "?");
    lua_pop(s->L, 1);
    return -1;
}

/* ---- loading -------------------------------------------------------------------------- */

char *sl_script_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    char why[256];
    char *text = sl_file_read_all(path, SIZE_MAX - 1, SL_FILE_REGULAR, len, why, sizeof(why));
    if (text == NULL)
        snprintf(err, errlen, "cannot read script %s: %s", path, why);
    return text;
}

int sl_script_takes_fault(lua_State *L, int ref)
{
    lua_Debug ar;
    if (ref == LUA_NOREF)
        return 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_getinfo(L, ">u", &ar);
    return ar.nparams >= 5 || ar.isvararg;
}

static int ref_global_function(lua_State *L, const char *name)
{
    if (lua_getglobal(L, name) == LUA_TFUNCTION)
        return luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    return LUA_NOREF;
}
sl_script_t *sl_script_load(const char *path, const char *text, size_t len, const sl_config_t *cfg,
                            char *err, size_t errlen)
{
    char chunkname[512];
    sl_script_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->mem_limit = cfg->lua_memory;
    s->hook_limit_ns = cfg->hook_limit_ns;
    s->soap_version = cfg->soap_version;
    s->id_element = strdup(cfg->id_element);
    s->request_ref = s->response_ref = s->randomseed_ref = s->vars_ref = s->when_ref = LUA_NOREF;
    sl_hookguard_init(&s->guard);
    s->L = lua_newstate(capped_alloc, s);
    if (s->L == NULL || s->id_element == NULL) {
        snprintf(err, errlen, "cannot create a Lua state: out of memory");
        sl_script_close(s);
        return NULL;
    }
    if (sl_hookguard_start(&s->guard) != 0) {
        snprintf(err, errlen, "cannot start the thread that watches the hook limit: %s",
                 strerror(errno));
        sl_script_close(s);
        return NULL;
    }
    *(sl_script_t **)lua_getextraspace(s->L) = s;
    luaL_openlibs(s->L);
    lua_sethook(s->L, watchdog, LUA_MASKCOUNT, WATCHDOG_EVERY);
    lua_pushcfunction(s->L, traceback); /* index 1 from now on */
    lua_getglobal(s->L, "math");
    lua_getfield(s->L, -1, "randomseed");
    s->randomseed_ref = luaL_ref(s->L, LUA_REGISTRYINDEX);
    lua_pop(s->L, 1);
    sl_sandbox_apply(s->L);
    if (cfg->seed != 0) /* the main chunk draws the same numbers in every process of the run */
        sl_script_seed(s, cfg->seed);

    sl_script_builtins_register(s->L); /* pushes the soapload table */
    sl_lua_xml_register(s->L);
    sl_lua_xpath_register(s->L);
    sl_lua_data_register(s->L);
    sl_lua_wsse_register(s->L);
    sl_lua_mtom_register(s->L);
    sl_settings_remember_builtins(s->L);
    lua_setglobal(s->L, "soapload");

    snprintf(chunkname, sizeof(chunkname), "@%s", path);
    /* mode "t": scripts are loaded as text only, never as precompiled bytecode */
    if (luaL_loadbufferx(s->L, text, len, chunkname, "t") != LUA_OK) {
        snprintf(err, errlen, "%s", lua_tostring(s->L, -1));
        sl_script_close(s);
        return NULL;
    }
    if (sl_script_call(s, "the main chunk", 0, 0, SL_HOOKGUARD_LOAD_LIMIT_NS, err, errlen) != 0) {
        sl_script_close(s);
        return NULL;
    }
    if (sl_flow_lua_compile(s->L, &s->when_ref, err, errlen) != 0) {
        sl_script_close(s);
        return NULL;
    }
    s->request_ref = ref_global_function(s->L, "request");
    s->response_ref = ref_global_function(s->L, "response");
    s->response_faults = sl_script_takes_fault(s->L, s->response_ref);
    fflush(stdout); /* the main chunk's output, before the parent forks a copy of the buffer */
    return s;
}

void sl_script_close(sl_script_t *s)
{
    if (s == NULL)
        return;
    sl_hookguard_stop(&s->guard);
    if (s->L != NULL)
        lua_close(s->L); /* closes the files the script opened, which flushes them */
    fflush(stdout);      /* what io.write left in the buffer: a worker ends with _exit */
    sl_buf_free(&s->scratch);
    for (int i = 0; i < s->nops; i++) {
        sl_buf_free(&s->ops[i].path);
        sl_buf_free(&s->ops[i].headers);
    }
    free(s->ops);
    free(s->id_element);
    free(s);
}

void sl_script_pause(sl_script_t *s)
{
    sl_hookguard_stop(&s->guard);
}

int sl_script_resume(sl_script_t *s)
{
    return sl_hookguard_running(&s->guard) ? 0 : sl_hookguard_start(&s->guard);
}

void sl_script_watch(sl_script_t *s, int report_fd, int worker)
{
    sl_hookguard_watch(&s->guard, report_fd, worker, SL_SCRIPT_OVERRUN_EXIT);
}

int sl_script_has_request(const sl_script_t *s)
{
    return s->request_ref != LUA_NOREF;
}

int sl_script_has_response(const sl_script_t *s)
{
    return s->response_ref != LUA_NOREF;
}

int sl_script_settings(sl_script_t *s, sl_config_t *cfg, char *err, size_t errlen)
{
    if (sl_settings_read(s->L, cfg, err, errlen) != 0)
        return -1;
    s->soap_version = cfg->soap_version;
    free(s->id_element);
    s->id_element = strdup(cfg->id_element);
    return s->id_element != NULL ? 0 : -1;
}

void sl_script_publish(sl_script_t *s, const sl_config_t *cfg, int worker, pid_t pid)
{
    lua_State *L = s->L;
    if (lua_getglobal(L, "soapload") != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    lua_pushstring(L, cfg->url);
    lua_setfield(L, -2, "url");
    lua_pushnumber(L, cfg->rate);
    lua_setfield(L, -2, "rate");
    lua_pushstring(L, cfg->closed ? "closed" : "open");
    lua_setfield(L, -2, "model");
    lua_pushnumber(L, (double)cfg->duration_ns / 1e9);
    lua_setfield(L, -2, "duration");
    lua_pushnumber(L, (double)cfg->timeout_ns / 1e9);
    lua_setfield(L, -2, "timeout");
    lua_pushinteger(L, cfg->connections);
    lua_setfield(L, -2, "connections");
    lua_pushinteger(L, cfg->workers);
    lua_setfield(L, -2, "workers");
    lua_pushinteger(L, cfg->burst);
    lua_setfield(L, -2, "burst");
    lua_pushstring(L, cfg->soap_version == 12 ? "1.2" : "1.1");
    lua_setfield(L, -2, "soap_version");
    lua_pushstring(L, cfg->id_element);
    lua_setfield(L, -2, "id_element");
    lua_pushinteger(L, worker);
    lua_setfield(L, -2, "worker");
    lua_pushinteger(L, pid);
    lua_setfield(L, -2, "pid");
    lua_pop(L, 1);
}

/* ---- math.random's seed ---------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t sl_script_new_seed(void)
{
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    uint64_t x = splitmix64((uint64_t)rt.tv_sec * 1000000000ULL + (uint64_t)rt.tv_nsec);
    x = splitmix64(x ^ ((uint64_t)getpid() << 20) ^ sl_monotime_ns());
    x &= (1ULL << 53) - 1;
    return x != 0 ? x : 1;
}

uint64_t sl_script_worker_seed(uint64_t run_seed, int index)
{
    /* mixed first, so that seeds 1, 2, 3... do not give runs whose workers' streams are the
     * same ones shifted by a worker */
    if (run_seed == 0)
        return sl_script_new_seed();
    return (splitmix64(run_seed) + (uint64_t)index) & ((1ULL << 53) - 1);
}

void sl_script_seed(sl_script_t *s, uint64_t seed)
{
    lua_State *L = s->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->randomseed_ref);
    lua_pushinteger(L, (lua_Integer)seed);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) /* only out of memory: the default seed stays */
        lua_pop(L, 1);
}

/* ---- hooks ---------------------------------------------------------------------------- */

int sl_script_init(sl_script_t *s, char **args, int nargs, char *err, size_t errlen)
{
    if (lua_getglobal(s->L, "init") != LUA_TFUNCTION) {
        lua_pop(s->L, 1);
        return 0;
    }
    lua_createtable(s->L, nargs, 0);
    for (int i = 0; i < nargs; i++) {
        lua_pushstring(s->L, args[i]);
        lua_rawseti(s->L, -2, i + 1);
    }
    return sl_script_call(s, "init()", 1, 0, SL_HOOKGUARD_LOAD_LIMIT_NS, err, errlen);
}

/* Pushes the variables of the flow whose step is under way, if any. Returns what it pushed. */
int sl_script_push_vars(sl_script_t *s)
{
    if (s->vars_ref == LUA_NOREF)
        return 0;
    lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->vars_ref);
    return 1;
}

/* Under lua_pcall: a new table, referenced in the registry. */
static int l_new_vars(lua_State *L)
{
    lua_newtable(L);
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
    return 1;
}

int sl_script_vars_new(sl_script_t *s)
{
    lua_pushcfunction(s->L, l_new_vars);
    if (lua_pcall(s->L, 0, 1, 0) != LUA_OK) {
        lua_pop(s->L, 1);
        return LUA_NOREF;
    }
    int ref = (int)lua_tointeger(s->L, -1);
    lua_pop(s->L, 1);
    return ref;
}

void sl_script_vars_free(sl_script_t *s, int ref)
{
    if (ref != LUA_NOREF)
        luaL_unref(s->L, LUA_REGISTRYINDEX, ref);
}

void sl_script_use_vars(sl_script_t *s, int ref)
{
    s->vars_ref = ref;
}

static void push_counts(lua_State *L, const sl_counts_t *c)
{
    lua_createtable(L, 0, 15);
    lua_pushinteger(L, (lua_Integer)c->scheduled);
    lua_setfield(L, -2, "scheduled");
    lua_pushinteger(L, (lua_Integer)c->sent);
    lua_setfield(L, -2, "sent");
    lua_pushinteger(L, (lua_Integer)c->not_sent);
    lua_setfield(L, -2, "not_sent");
    lua_pushinteger(L, (lua_Integer)c->script_errors_before_send);
    lua_setfield(L, -2, "script_errors_before_send");
    lua_pushinteger(L, (lua_Integer)sl_counts_failed_before_send(c));
    lua_setfield(L, -2, "failed_before_send");
    lua_createtable(L, 0, SL_R_COUNT); /* those, by kind */
    for (int r = 0; r < SL_R_COUNT; r++) {
        lua_pushinteger(L, (lua_Integer)c->before_send[r]);
        lua_setfield(L, -2, sl_result_name((sl_result_t)r));
    }
    lua_setfield(L, -2, "before_send");
    lua_pushinteger(L, (lua_Integer)c->retried);
    lua_setfield(L, -2, "resends_refused");
    lua_pushinteger(L, (lua_Integer)(c->sent - c->results[SL_R_CANCELLED]));
    lua_setfield(L, -2, "requests"); /* completed, as wrk's summary.requests */
    lua_pushinteger(L, (lua_Integer)c->bytes_received);
    lua_setfield(L, -2, "bytes");
    lua_pushinteger(L, (lua_Integer)c->bytes_sent);
    lua_setfield(L, -2, "bytes_sent");
    lua_createtable(L, 0, SL_R_COUNT); /* sent or not, as wrk counts its errors */
    for (int r = 0; r < SL_R_COUNT; r++) {
        lua_pushinteger(L, (lua_Integer)(c->results[r] + c->before_send[r]));
        lua_setfield(L, -2, sl_result_name((sl_result_t)r));
    }
    /* wrk's names too, so that wrk scripts' done() keeps working */
    lua_pushinteger(L, (lua_Integer)(c->results[SL_R_HTTP_STATUS] + c->results[SL_R_SOAP_FAULT]));
    lua_setfield(L, -2, "status");
    lua_setfield(L, -2, "errors");
    lua_pushinteger(L, (lua_Integer)c->results[SL_R_OK]);
    lua_setfield(L, -2, "ok");
}

int sl_script_done(sl_script_t *s, const sl_script_summary_t *sum, char *err, size_t errlen)
{
    lua_State *L = s->L;
    if (lua_getglobal(L, "done") != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return 0;
    }
    push_counts(L, sum->counts);
    lua_pushinteger(L, (lua_Integer)(sum->duration_s * 1e6));
    lua_setfield(L, -2, "duration"); /* microseconds, as wrk's */
    lua_pushnumber(L, sum->target_rate);
    lua_setfield(L, -2, "target_rate");
    lua_pushnumber(L, sum->achieved_rate);
    lua_setfield(L, -2, "achieved_rate");
    sl_script_builtins_push_hist(L, sum->service);
    lua_setfield(L, -2, "service_time");
    sl_script_builtins_push_hist(L, sum->lateness);
    lua_setfield(L, -2, "send_lateness");
    sl_script_builtins_push_hist(L, sum->latency);
    lua_createtable(L, sum->nworkers, 0);
    for (int i = 0; i < sum->nworkers; i++) {
        push_counts(L, &sum->per_worker[i]);
        lua_pushinteger(L, sum->pids[i]);
        lua_setfield(L, -2, "pid");
        lua_rawseti(L, -2, i + 1);
    }
    sl_hookguard_set_exit(&s->guard, sum->exit_code != 0 ? sum->exit_code : 1);
    return sl_script_call(s, "done()", 3, 0, SL_HOOKGUARD_LOAD_LIMIT_NS, err, errlen);
}
