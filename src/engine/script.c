/*
 * script: the Lua state of one process. Stack discipline: index 1 always holds the traceback
 * handler; every call leaves the stack as it found it. Strings from Lua are copied into C
 * buffers before the values are popped. The standard library is trimmed to a sandbox (text
 * chunks only, no processes, nothing that steers the process); each call has a deadline,
 * kept by a count hook in Lua code and, inside C functions, by a guard thread that ends the
 * process with a message when a call cannot be stopped.
 */
#include "engine/script.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/duration.h"
#include "core/envelope.h"
#include "engine/flow_lua.h"
#include "core/mix.h"
#include "core/tags.h"
#include "core/xml.h"
#include "engine/lua_data.h"
#include "engine/lua_mtom.h"
#include "engine/lua_wsse.h"
#include "engine/lua_xml.h"
#include "engine/lua_xpath.h"
#include "engine/proto.h"
#include "engine/sandbox.h"
#include "engine/settings.h"

#define HIST_MT "soapload.histogram"
#define WATCHDOG_EVERY 10000         /* instructions between two looks at the clock */
#define LOAD_LIMIT_NS 30000000000ULL /* the main chunk and init() may read data files */
#define GUARD_TICK_NS 100000000ULL   /* how often the guard thread looks at the call */
#define GUARD_GRACE_NS 1000000000ULL /* past the limit, before the guard stops the process */
#define OVERRUN_EXIT_LOAD 2          /* the parent's exit code for a script error before sending */

/* One of soapload.operations in this state: its hooks and what it adds to each request. */
typedef struct {
    int request_ref, response_ref; /* response_ref LUA_NOREF: the global response(), if any */
    int response_faults;           /* its response takes a fifth parameter: it sees Faults */
    sl_buf_t path;                 /* "": the URL's own */
    sl_buf_t headers;              /* nheaders "Name: value" strings, each NUL-terminated */
    int nheaders;
} script_op_t;

struct sl_script {
    lua_State *L;
    size_t mem_used, mem_limit;
    int mem_exceeded;
    uint64_t hook_limit_ns;
    /* the call under way, shared with the guard thread */
    _Atomic uint64_t deadline_ns; /* 0: none */
    _Atomic uint64_t calls;       /* counts calls, so that the guard knows one from the next */
    _Atomic uint64_t limit_ns;
    _Atomic(const char *) hook; /* "request()", ... */
    /* the guard: stops the process when a call overruns inside a C function */
    pthread_t guard;
    int guard_started, guard_stop;
    pthread_mutex_t guard_lock;
    pthread_cond_t guard_wake;
    int report_fd; /* a worker's pipe to its parent; -1 in the parent */
    int worker;    /* 1-based; 0 in the parent */
    int overrun_exit;
    int request_ref, response_ref;
    int response_faults; /* response() declares a fifth parameter (fault): it sees Faults */
    script_op_t *ops;    /* soapload.operations, bound in this state (sl_script_operations) */
    int nops;
    int randomseed_ref; /* math.randomseed as the library made it, whatever the script does */
    int vars_ref;       /* the variables of the flow whose step runs (LUA_NOREF: none) */
    int when_ref;       /* soapload.flows: the steps' when(vars) by operation, or LUA_NOREF */
    int soap_version;
    char *id_element;
    sl_buf_t scratch;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static sl_script_t *script_of(lua_State *L)
{
    return *(sl_script_t **)lua_getextraspace(L);
}

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

/* "200 ms" or "30 s", for messages. */
static void format_limit(uint64_t ns, char *out, size_t cap)
{
    if (ns >= 1000000000ULL && ns % 1000000000ULL == 0)
        snprintf(out, cap, "%llu s", (unsigned long long)(ns / 1000000000ULL));
    else
        snprintf(out, cap, "%.6g ms", (double)ns / 1e6);
}

/* Which limit a hook has: --hook-limit for request() and response(), a fixed one for the
 * main chunk, init() and done(), which may read data files. */
static const char *limit_name(uint64_t limit_ns)
{
    return limit_ns == LOAD_LIMIT_NS ? "the limit of the main chunk, init() and done()"
                                     : "--hook-limit";
}

/* The count hook: past the deadline it raises an error, and from then on at every
 * instruction until the call has unwound, so that a pcall in the script cannot swallow it. */
static void watchdog(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sl_script_t *s = script_of(L);
    uint64_t deadline = atomic_load_explicit(&s->deadline_ns, memory_order_relaxed);
    if (deadline == 0 || now_ns() <= deadline) {
        if (lua_gethookcount(L) != WATCHDOG_EVERY) /* a coroutine left from an overrun */
            lua_sethook(L, watchdog, LUA_MASKCOUNT, WATCHDOG_EVERY);
        return;
    }
    char limit[32];
    uint64_t limit_ns = atomic_load(&s->limit_ns);
    format_limit(limit_ns, limit, sizeof(limit));
    lua_sethook(L, watchdog, LUA_MASKCOUNT, 1);
    luaL_where(L, 0); /* the line it was running */
    lua_pushfstring(L, "%s: hook ran longer than its limit of %s (%s): stopped (an endless loop?)",
                    atomic_load(&s->hook), limit, limit_name(limit_ns));
    lua_concat(L, 2);
    lua_error(L);
}

/* Called by the guard thread when a call is still running GUARD_GRACE_NS past its limit: it
 * is inside a C function (a string pattern that backtracks, a blocking read) where no Lua
 * hook runs, and cannot be stopped there. Tells why and ends the process. */
static void overrun(sl_script_t *s)
{
    char limit[32], msg[512];
    uint64_t limit_ns = atomic_load(&s->limit_ns);
    const char *hook = atomic_load(&s->hook);
    int n;
    format_limit(limit_ns, limit, sizeof(limit));
    if (s->worker > 0)
        n = snprintf(msg, sizeof(msg),
                     "%s ran past its limit of %s (%s) inside a C function, where it cannot be "
                     "stopped (a string pattern that backtracks? a blocking read?): worker %d "
                     "(pid %d) stops",
                     hook, limit, limit_name(limit_ns), s->worker, (int)getpid());
    else
        n = snprintf(msg, sizeof(msg),
                     "%s ran past its limit of %s (%s) inside a C function, where it cannot be "
                     "stopped (a string pattern that backtracks? a blocking read?): soapload "
                     "stops",
                     hook, limit, limit_name(limit_ns));
    if (n < 0 || (size_t)n >= sizeof(msg))
        n = (int)strlen(msg);
    int before_start = strcmp(hook, "request()") != 0 && strcmp(hook, "response()") != 0;
    if (s->report_fd >= 0) /* the parent prints it: as why the run could not start, or as */
        sl_proto_send(s->report_fd, before_start ? SL_MSG_FAILED : SL_MSG_SCRIPT_ERROR, msg,
                      (size_t)n, NULL, 0); /* a script error next to the dead worker */
    if (s->report_fd < 0 || !before_start) {
        struct iovec iov[3] = {{"soapload: ", 10}, {msg, (size_t)n}, {"\n", 1}};
        ssize_t w = writev(STDERR_FILENO, iov, 3);
        (void)w;
    }
    _exit(s->overrun_exit);
}

/* The guard thread: looks at the call under way every GUARD_TICK_NS. */
static void *guard_main(void *arg)
{
    sl_script_t *s = arg;
    pthread_mutex_lock(&s->guard_lock);
    while (!s->guard_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += (long)GUARD_TICK_NS;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->guard_wake, &s->guard_lock, &ts);
        if (s->guard_stop)
            break;
        uint64_t call = atomic_load(&s->calls);
        uint64_t deadline = atomic_load(&s->deadline_ns);
        if (deadline != 0 && now_ns() > deadline + GUARD_GRACE_NS && atomic_load(&s->calls) == call)
            overrun(s);
    }
    pthread_mutex_unlock(&s->guard_lock);
    return NULL;
}

static int guard_start(sl_script_t *s)
{
    pthread_condattr_t ca;
    pthread_attr_t ta;
    int rc;
    s->guard_stop = 0;
    pthread_mutex_init(&s->guard_lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->guard_wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_attr_init(&ta);
    pthread_attr_setstacksize(&ta, 256 << 10);
    rc = pthread_create(&s->guard, &ta, guard_main, s);
    pthread_attr_destroy(&ta);
    if (rc != 0) {
        pthread_cond_destroy(&s->guard_wake);
        pthread_mutex_destroy(&s->guard_lock);
        errno = rc;
        return -1;
    }
    s->guard_started = 1;
    return 0;
}

static void guard_stop(sl_script_t *s)
{
    if (!s->guard_started)
        return;
    pthread_mutex_lock(&s->guard_lock);
    s->guard_stop = 1;
    pthread_cond_signal(&s->guard_wake);
    pthread_mutex_unlock(&s->guard_lock);
    pthread_join(s->guard, NULL);
    pthread_cond_destroy(&s->guard_wake);
    pthread_mutex_destroy(&s->guard_lock);
    s->guard_started = 0;
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

/* Runs the function below its nargs arguments under the traceback handler and a deadline;
 * `hook` names it in messages. */
static int call(sl_script_t *s, const char *hook, int nargs, int nres, uint64_t limit_ns, char *err,
                size_t errlen)
{
    s->mem_exceeded = 0;
    atomic_store(&s->hook, hook);
    atomic_store(&s->limit_ns, limit_ns);
    atomic_fetch_add(&s->calls, 1);
    atomic_store(&s->deadline_ns, now_ns() + limit_ns);
    int rc = lua_pcall(s->L, nargs, nres, 1);
    atomic_store(&s->deadline_ns, 0);
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

/* ---- built-ins ---------------------------------------------------------------------- */

static int version_arg(lua_State *L, int idx, int dflt)
{
    if (lua_isnoneornil(L, idx))
        return dflt;
    const char *v = lua_tostring(L, idx);
    if (v != NULL && (strcmp(v, "1.1") == 0 || strcmp(v, "11") == 0))
        return 11;
    if (v != NULL && (strcmp(v, "1.2") == 0 || strcmp(v, "12") == 0))
        return 12;
    return luaL_argerror(L, idx, "SOAP version must be \"1.1\" or \"1.2\"");
}

/* soapload.envelope(inner [, version [, headers]]) or soapload.envelope(inner, {version = ...,
 * header = ...}): the inner XML wrapped in a SOAP envelope; headers (a string or a list of
 * strings) are header blocks for its soap:Header. */
static int l_envelope(lua_State *L)
{
    sl_script_t *s = script_of(L);
    size_t len, hlen = 0;
    const char *inner = luaL_checklstring(L, 1, &len);
    if (lua_istable(L, 2)) { /* the options' form: the same arguments by name */
        lua_settop(L, 2);
        lua_pushnil(L);
        while (lua_next(L, 2) != 0) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
            if (k == NULL || (strcmp(k, "version") != 0 && strcmp(k, "header") != 0))
                return luaL_error(L,
                                  "envelope: unknown option %s (options are version and "
                                  "header)",
                                  k != NULL ? k : luaL_typename(L, -2));
            lua_pop(L, 1);
        }
        lua_getfield(L, 2, "version");
        lua_getfield(L, 2, "header");
        lua_remove(L, 2);
    }
    int version = version_arg(L, 2, s->soap_version);
    if (lua_istable(L, 3)) { /* a list of blocks: one string */
        luaL_Buffer b;
        lua_Integer n = (lua_Integer)luaL_len(L, 3);
        luaL_buffinit(L, &b);
        for (lua_Integer i = 1; i <= n; i++) {
            if (lua_rawgeti(L, 3, i) != LUA_TSTRING)
                return luaL_error(L, "envelope: header block %d is not a string", (int)i);
            luaL_addvalue(&b);
        }
        luaL_pushresult(&b);
        lua_replace(L, 3);
    }
    const char *header = luaL_optlstring(L, 3, "", &hlen);
    sl_buf_clear(&s->scratch);
    if (sl_envelope_append_with_header(&s->scratch, version, header, hlen, inner, len) != 0)
        return luaL_error(L, "out of memory");
    lua_pushlstring(L, s->scratch.data, s->scratch.len);
    return 1;
}

/* soapload.echo(id): the default request element, <e:Echo><e:RequestId>id</e:RequestId>. */
static int l_echo(lua_State *L)
{
    sl_script_t *s = script_of(L);
    size_t len;
    const char *id = luaL_checklstring(L, 1, &len);
    sl_buf_clear(&s->scratch);
    if (sl_envelope_echo_append(&s->scratch, s->id_element, id, len) != 0)
        return luaL_error(L, "out of memory");
    lua_pushlstring(L, s->scratch.data, s->scratch.len);
    return 1;
}

/* soapload.escape(s): s with & < > " ' as XML entities. */
static int l_escape(lua_State *L)
{
    size_t len;
    const char *str = luaL_checklstring(L, 1, &len);
    luaL_Buffer b;
    size_t need = sl_xml_escaped_len(str, len);
    char *out = luaL_buffinitsize(L, &b, need);
    sl_xml_escape(str, len, out);
    luaL_pushresultsize(&b, need);
    return 1;
}

/* soapload.xml_text(doc, name): the text of the first element named `name` (any prefix), or
 * nil plus a reason when there is none or the document is not well-formed. */
static int l_xml_text(lua_State *L)
{
    size_t len, nlen;
    const char *doc = luaL_checklstring(L, 1, &len);
    const char *name = luaL_checklstring(L, 2, &nlen);
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, len + 1);
    sl_xml_scan_t scan = {.want = {name, nlen}, .id = out, .id_cap = len + 1};
    if (sl_xml_scan(doc, len, &scan) != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "malformed XML at byte %d: %s", (int)scan.error_at, scan.error);
        return 2;
    }
    if (!(scan.flags & SL_XML_ID_FOUND)) {
        lua_pushnil(L);
        lua_pushfstring(L, "no %s element", name);
        return 2;
    }
    luaL_pushresultsize(&b, scan.id_len);
    return 1;
}

/* ---- histograms, for done() ----------------------------------------------------------- */

static const sl_hist_t *check_hist(lua_State *L)
{
    return *(const sl_hist_t **)luaL_checkudata(L, 1, HIST_MT);
}

static int l_hist_percentile(lua_State *L)
{
    const sl_hist_t *h = check_hist(L);
    double p = luaL_checknumber(L, 2);
    luaL_argcheck(L, p >= 0 && p <= 100, 2, "percentile must be within 0..100");
    lua_pushinteger(L, (lua_Integer)sl_hist_percentile(h, p));
    return 1;
}

static int l_hist_index(lua_State *L)
{
    const sl_hist_t *h = check_hist(L);
    const char *key = luaL_checkstring(L, 2);
    if (strcmp(key, "percentile") == 0)
        lua_pushcfunction(L, l_hist_percentile);
    else if (strcmp(key, "min") == 0)
        lua_pushinteger(L, h->total ? (lua_Integer)h->min : 0);
    else if (strcmp(key, "max") == 0)
        lua_pushinteger(L, (lua_Integer)h->max);
    else if (strcmp(key, "mean") == 0)
        lua_pushnumber(L, sl_hist_mean(h));
    else if (strcmp(key, "stdev") == 0)
        lua_pushnumber(L, sl_hist_stdev(h));
    else if (strcmp(key, "count") == 0)
        lua_pushinteger(L, (lua_Integer)h->total);
    else
        lua_pushnil(L);
    return 1;
}

static void push_hist(lua_State *L, const sl_hist_t *h)
{
    const sl_hist_t **ud = lua_newuserdatauv(L, sizeof(*ud), 0);
    *ud = h;
    luaL_setmetatable(L, HIST_MT);
}

/* ---- loading -------------------------------------------------------------------------- */

char *sl_script_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *text = NULL;
    if (fd < 0 || fstat(fd, &st) != 0)
        goto Error;
    if (!S_ISREG(st.st_mode)) {
        errno = EISDIR;
        goto Error;
    }
    text = malloc((size_t)st.st_size + 1);
    if (text == NULL)
        goto Error;
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto Error;
        got += (size_t)n;
    }
    text[got] = '\0';
    *len = got;
    close(fd);
    return text;
Error:
    snprintf(err, errlen, "cannot read script %s: %s", path, strerror(errno));
    free(text);
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* Whether the function referenced by ref declares a fifth parameter (or ...): a response hook
 * that does is also called for SOAP Faults; one written before that existed is not. */
static int takes_fault(lua_State *L, int ref)
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
    static const luaL_Reg lib[] = {{"envelope", l_envelope},
                                   {"echo", l_echo},
                                   {"escape", l_escape},
                                   {"xml_text", l_xml_text},
                                   {NULL, NULL}};
    static const luaL_Reg hist_methods[] = {{"__index", l_hist_index}, {NULL, NULL}};
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
    s->report_fd = -1;
    s->overrun_exit = OVERRUN_EXIT_LOAD;
    s->L = lua_newstate(capped_alloc, s);
    if (s->L == NULL || s->id_element == NULL) {
        snprintf(err, errlen, "cannot create a Lua state: out of memory");
        sl_script_close(s);
        return NULL;
    }
    if (guard_start(s) != 0) {
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

    luaL_newmetatable(s->L, HIST_MT);
    luaL_setfuncs(s->L, hist_methods, 0);
    lua_pop(s->L, 1);
    luaL_newlib(s->L, lib);
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
    if (call(s, "the main chunk", 0, 0, LOAD_LIMIT_NS, err, errlen) != 0) {
        sl_script_close(s);
        return NULL;
    }
    if (sl_flow_lua_compile(s->L, &s->when_ref, err, errlen) != 0) {
        sl_script_close(s);
        return NULL;
    }
    s->request_ref = ref_global_function(s->L, "request");
    s->response_ref = ref_global_function(s->L, "response");
    s->response_faults = takes_fault(s->L, s->response_ref);
    fflush(stdout); /* the main chunk's output, before the parent forks a copy of the buffer */
    return s;
}

void sl_script_close(sl_script_t *s)
{
    if (s == NULL)
        return;
    guard_stop(s);
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
    guard_stop(s);
}

int sl_script_resume(sl_script_t *s)
{
    return s->guard_started ? 0 : guard_start(s);
}

void sl_script_watch(sl_script_t *s, int report_fd, int worker)
{
    if (s->guard_started)
        pthread_mutex_lock(&s->guard_lock);
    s->report_fd = report_fd;
    s->worker = worker;
    s->overrun_exit = SL_SCRIPT_OVERRUN_EXIT;
    if (s->guard_started)
        pthread_mutex_unlock(&s->guard_lock);
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
    x = splitmix64(x ^ ((uint64_t)getpid() << 20) ^ now_ns());
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
    return call(s, "init()", 1, 0, LOAD_LIMIT_NS, err, errlen);
}

/* Prefixes a message about a hook's return values with where the hook was defined. */
static int hook_result_error(sl_script_t *s, int ref, const char *what, char *err, size_t errlen)
{
    lua_Debug ar;
    lua_rawgeti(s->L, LUA_REGISTRYINDEX, ref);
    lua_getinfo(s->L, ">S", &ar);
    snprintf(err, errlen, "%s:%d: %s", ar.short_src, ar.linedefined, what);
    return -1;
}

/* What l_take_options was given and, when it refused them, why. */
typedef struct {
    sl_request_t *req;
    char why[400];
} take_options_t;

static int refuse(take_options_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int refuse(take_options_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->why, sizeof(o->why), fmt, ap);
    va_end(ap);
    return 0;
}

/* A string for a message: at most 40 bytes, bytes outside printable ASCII as \xNN. */
static const char *shown(const char *str, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 5 < cap; i++) {
        unsigned char c = (unsigned char)str[i];
        if (i == 40) {
            n += (size_t)snprintf(out + n, cap - n, "...");
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, cap - n, "\\x%02X", c);
    }
    out[n] = '\0';
    return out;
}

/* An HTTP token (RFC 9110 5.6.2): what a header name or a method may be made of. */
static int is_token(const char *str, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)str[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL)))
            return 0;
    }
    return 1;
}

/* The first byte in str that a request line or header value cannot carry as it is. */
static const char *find_byte(const char *str, size_t len, const char *bad, size_t nbad)
{
    for (size_t i = 0; i < len; i++)
        if (memchr(bad, str[i], nbad) != NULL)
            return str + i;
    return NULL;
}

static int take_headers(lua_State *L, take_options_t *o)
{
    sl_request_t *req = o->req;
    char a[200], b[200];
    int type = lua_getfield(L, 1, "headers");
    if (type == LUA_TNIL)
        return 0;
    if (type != LUA_TTABLE)
        return refuse(o, "request(): headers must be a table of name = value, not a %s",
                      luaL_typename(L, -1));
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        size_t nlen, vlen;
        /* the key's type first: converting a key in place would confuse lua_next */
        if (lua_type(L, -2) != LUA_TSTRING)
            return refuse(o,
                          "request(): headers must map names to values, as {[\"X-Name\"] = "
                          "\"value\"}, not list them (a key is a %s)",
                          luaL_typename(L, -2));
        const char *name = lua_tolstring(L, -2, &nlen);
        if (!is_token(name, nlen))
            return refuse(o,
                          "request(): header name \"%s\" refused: a name is letters, digits and "
                          "!#$%%&'*+-.^_`|~ only (no spaces, colons or line breaks)",
                          shown(name, nlen, a, sizeof(a)));
        int vtype = lua_type(L, -1);
        if (vtype != LUA_TSTRING && vtype != LUA_TNUMBER)
            return refuse(o, "request(): header %s must have a string value, not a %s",
                          shown(name, nlen, a, sizeof(a)), luaL_typename(L, -1));
        lua_pushvalue(L, -1); /* converted as a copy, so that the table is left as it was */
        const char *value = lua_tolstring(L, -1, &vlen);
        if (find_byte(value, vlen, "\r\n", 3) != NULL)
            return refuse(o,
                          "request(): the value of header %s holds a line break or a NUL byte "
                          "(\"%s\"): refused",
                          shown(name, nlen, a, sizeof(a)), shown(value, vlen, b, sizeof(b)));
        if (req->nheaders == SL_MAX_REQUEST_HEADERS)
            return refuse(o, "request(): more than %d headers", SL_MAX_REQUEST_HEADERS);
        if (sl_buf_append(&req->headers, name, nlen) != 0 ||
            sl_buf_append(&req->headers, ": ", 2) != 0 ||
            sl_buf_append(&req->headers, value, vlen) != 0 ||
            sl_buf_append(&req->headers, "", 1) != 0) /* keeps each one NUL-terminated */
            return luaL_error(L, "out of memory");
        req->nheaders++;
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    return 0;
}

/* tags = {name = "value", ...}: names and values strings (a value may be a number) of at most
 * SL_TAGS_MAX_TEXT bytes, at most SL_MAX_REQUEST_TAGS of them. */
static int take_tags(lua_State *L, take_options_t *o)
{
    sl_request_t *req = o->req;
    char a[200];
    if (lua_getfield(L, 1, "tags") == LUA_TNIL)
        return 0;
    if (!lua_istable(L, -1))
        return refuse(o, "request(): tags must be a table of name = value, not a %s",
                      luaL_typename(L, -1));
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        size_t nlen, vlen;
        if (lua_type(L, -2) != LUA_TSTRING)
            return refuse(o,
                          "request(): tags must map names to values, as {tier = \"gold\"} (a "
                          "key is a %s)",
                          luaL_typename(L, -2));
        const char *name = lua_tolstring(L, -2, &nlen);
        int vtype = lua_type(L, -1);
        if (vtype != LUA_TSTRING && vtype != LUA_TNUMBER)
            return refuse(o, "request(): tag %s must have a string value, not a %s",
                          shown(name, nlen, a, sizeof(a)), luaL_typename(L, -1));
        lua_pushvalue(L, -1); /* converted as a copy, so that the table is left as it was */
        const char *value = lua_tolstring(L, -1, &vlen);
        if (nlen == 0 || nlen > SL_TAGS_MAX_TEXT || vlen > SL_TAGS_MAX_TEXT)
            return refuse(o,
                          "request(): tag %s: a tag name of 1 to %d bytes and a value of at "
                          "most %d bytes",
                          shown(name, nlen, a, sizeof(a)), SL_TAGS_MAX_TEXT, SL_TAGS_MAX_TEXT);
        if (req->ntags == SL_MAX_REQUEST_TAGS)
            return refuse(o, "request(): more than %d tags", SL_MAX_REQUEST_TAGS);
        if (sl_buf_append(&req->tags, name, nlen) != 0 || sl_buf_append(&req->tags, "", 1) != 0 ||
            sl_buf_append(&req->tags, value, vlen) != 0 || sl_buf_append(&req->tags, "", 1) != 0)
            return luaL_error(L, "out of memory");
        req->ntags++;
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    return 0;
}

/* Runs under lua_pcall: 1 is the table request() returned, 2 a take_options_t. Copies what
 * it may into the request, or says in why what it refused. */
static int l_take_options(lua_State *L)
{
    static const char *const known[] = {"headers", "method", "path", "id", "tags"};
    take_options_t *o = lua_touserdata(L, 2);
    sl_request_t *req = o->req;
    char a[200];
    size_t len;

    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
        size_t i = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            while (i < 5 && strcmp(lua_tostring(L, -2), known[i]) != 0)
                i++;
        if (lua_type(L, -2) != LUA_TSTRING || i == 5)
            return refuse(o,
                          "request(): unknown option %s%s%s in the table it returned (options "
                          "are headers, method, path, id and tags)",
                          lua_type(L, -2) == LUA_TSTRING ? "\"" : "a ",
                          lua_type(L, -2) == LUA_TSTRING
                              ? shown(lua_tostring(L, -2), lua_rawlen(L, -2), a, sizeof(a))
                              : luaL_typename(L, -2),
                          lua_type(L, -2) == LUA_TSTRING ? "\"" : " key");
        lua_pop(L, 1);
    }
    take_headers(L, o);
    if (o->why[0] != '\0')
        return 0;
    lua_settop(L, 2);
    take_tags(L, o);
    if (o->why[0] != '\0')
        return 0;
    lua_settop(L, 2);

    int type = lua_getfield(L, 1, "method");
    if (type != LUA_TNIL) {
        const char *m = type == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (m == NULL)
            return refuse(o, "request(): method must be a string, not a %s", luaL_typename(L, -1));
        if (len >= sizeof(req->method))
            return refuse(o, "request(): method \"%s\" is %zu characters long; at most %zu",
                          shown(m, len, a, sizeof(a)), len, sizeof(req->method) - 1);
        if (!is_token(m, len))
            return refuse(o,
                          "request(): method \"%s\" refused: a method is letters, digits and "
                          "!#$%%&'*+-.^_`|~ only",
                          shown(m, len, a, sizeof(a)));
        memcpy(req->method, m, len + 1);
    }
    lua_pop(L, 1);

    type = lua_getfield(L, 1, "path");
    if (type != LUA_TNIL) {
        const char *path = type == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (path == NULL)
            return refuse(o, "request(): path must be a string, not a %s", luaL_typename(L, -1));
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)path[i];
            if (c <= ' ' || c == 0x7f)
                return refuse(o,
                              "request(): path \"%s\" holds a space or control byte (0x%02X at "
                              "byte %zu): refused",
                              shown(path, len, a, sizeof(a)), c, i + 1);
        }
        if (sl_buf_append(&req->path, path, len) != 0)
            return luaL_error(L, "out of memory");
    }
    lua_pop(L, 1);

    type = lua_getfield(L, 1, "id");
    if (type == LUA_TSTRING) {
        const char *id = lua_tolstring(L, -1, &len);
        if (len > SL_SCRIPT_MAX_ID)
            return refuse(o,
                          "request(): id is %zu bytes long; the response check compares IDs "
                          "of at most %d bytes (return id = false to skip the check)",
                          len, SL_SCRIPT_MAX_ID);
        sl_buf_clear(&req->id);
        if (sl_buf_append(&req->id, id, len) != 0)
            return luaL_error(L, "out of memory");
    } else if (type == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
        req->check_id = 0;
    } else if (type != LUA_TNIL) {
        return refuse(o, "request(): id must be a string, or false to skip the check, not %s",
                      type == LUA_TBOOLEAN ? "true" : luaL_typename(L, -1));
    }
    return 0;
}

/* Copies the options table on top of the stack into req, under lua_pcall: a table with
 * metamethods or a list where a map belongs is a script error, never a crash. */
static int copy_request_options(sl_script_t *s, int ref, sl_request_t *req, char *err,
                                size_t errlen)
{
    lua_State *L = s->L;
    take_options_t o = {.req = req};
    if (!lua_istable(L, -1)) {
        snprintf(o.why, sizeof(o.why),
                 "request() must return the body and, optionally, a table of options, not a %s",
                 luaL_typename(L, -1));
        return hook_result_error(s, ref, o.why, err, errlen);
    }
    lua_pushcfunction(L, l_take_options);
    lua_pushvalue(L, -2);
    lua_pushlightuserdata(L, &o);
    if (call(s, "request()", 2, 0, s->hook_limit_ns, err, errlen) != 0)
        return -1;
    if (o.why[0] != '\0')
        return hook_result_error(s, ref, o.why, err, errlen);
    return 0;
}

/* Under lua_pcall: references the string on the stack in the registry (luaL_ref may need
 * memory). */
static int l_ref_body(lua_State *L)
{
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
    return 1;
}

void sl_script_release_body(sl_script_t *s, sl_request_t *req)
{
    if (req->body_ref > 0)
        luaL_unref(s->L, LUA_REGISTRYINDEX, req->body_ref);
    req->body_ref = 0;
    req->body_ptr = NULL;
    req->body_len = 0;
}

const char *sl_request_body(const sl_request_t *req, size_t *len)
{
    *len = req->body_ref > 0 ? req->body_len : req->body.len;
    return req->body_ref > 0 ? req->body_ptr : req->body.data ? req->body.data : "";
}

/* Pushes the variables of the flow whose step is under way, if any. Returns what it pushed. */
static int push_vars(sl_script_t *s)
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

int sl_script_step_wanted(sl_script_t *s, int op, char *err, size_t errlen)
{
    lua_State *L = s->L;
    if (s->when_ref == LUA_NOREF)
        return 1;
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->when_ref);
    if (lua_rawgeti(L, -1, op + 1) != LUA_TFUNCTION) {
        lua_pop(L, 2);
        return 1;
    }
    lua_remove(L, -2);
    if (call(s, "when()", push_vars(s), 1, s->hook_limit_ns, err, errlen) != 0)
        return -1;
    int wanted = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return wanted;
}

/* Calls the request hook `ref`. */
static int request_with(sl_script_t *s, int ref, uint64_t seq, sl_request_t *req, char *err,
                        size_t errlen)
{
    lua_State *L = s->L;
    int rc = 0;
    sl_script_release_body(s, req);
    sl_buf_clear(&req->body);
    sl_buf_clear(&req->headers);
    sl_buf_clear(&req->path);
    sl_buf_clear(&req->tags);
    req->nheaders = 0;
    req->ntags = 0;
    req->method[0] = '\0';
    req->check_id = 1;

    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_pushlstring(L, req->id.data, req->id.len);
    lua_pushinteger(L, (lua_Integer)seq);
    if (call(s, "request()", 2 + push_vars(s), 2, s->hook_limit_ns, err, errlen) != 0)
        return -1;
    if (lua_type(L, -2) != LUA_TSTRING) {
        char what[128];
        snprintf(what, sizeof(what), "request() must return the body as a string, not %s",
                 luaL_typename(L, -2));
        lua_pop(L, 2);
        return hook_result_error(s, ref, what, err, errlen);
    }
    if (!lua_isnil(L, -1))
        rc = copy_request_options(s, ref, req, err, errlen);
    if (rc == 0) { /* the string itself goes to libcurl: a Lua string never moves */
        lua_pushcfunction(L, l_ref_body);
        lua_pushvalue(L, -3);
        if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
            snprintf(err, errlen, "cannot keep the body of request(): %s", lua_tostring(L, -1));
            rc = -1;
        } else {
            req->body_ref = (int)lua_tointeger(L, -1);
            req->body_ptr = lua_tolstring(L, -3, &req->body_len);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    return rc;
}

int sl_script_request(sl_script_t *s, uint64_t seq, sl_request_t *req, char *err, size_t errlen)
{
    return request_with(s, s->request_ref, seq, req, err, errlen);
}

/* ---- operations ------------------------------------------------------------------------ */

/* What l_operations reads: in the parent it adds names and weights to cfg; in a worker it
 * binds each operation of the state (s) and checks it is the one the parent read. */
typedef struct {
    sl_script_t *s;             /* a worker's state, or NULL in the parent */
    sl_config_t *cfg;           /* the parent's, to add to */
    const sl_config_t *run_cfg; /* the run's, to check against */
    char err[512];
} ops_ctx_t;

static int ops_fail(lua_State *L, ops_ctx_t *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ops_fail(lua_State *L, ops_ctx_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof(c->err), fmt, ap);
    va_end(ap);
    return luaL_error(L, "%s", c->err);
}

/* Appends "Name: value" to op's headers, unless the operation gives that name already. */
static int op_add_header(lua_State *L, ops_ctx_t *c, script_op_t *op, int i, const char *name,
                         size_t nlen, const char *value, size_t vlen)
{
    char a[200], b[200];
    if (!is_token(name, nlen))
        return ops_fail(L, c, "soapload.operations[%d]: header name \"%s\" refused", i,
                        shown(name, nlen, a, sizeof(a)));
    if (find_byte(value, vlen, "\r\n", 3) != NULL)
        return ops_fail(L, c, "soapload.operations[%d]: header %s holds a line break (\"%s\")", i,
                        shown(name, nlen, a, sizeof(a)), shown(value, vlen, b, sizeof(b)));
    if (op->nheaders == SL_MAX_REQUEST_HEADERS)
        return ops_fail(L, c, "soapload.operations[%d]: more than %d headers", i,
                        SL_MAX_REQUEST_HEADERS);
    if (sl_buf_append(&op->headers, name, nlen) != 0 || sl_buf_append(&op->headers, ": ", 2) ||
        sl_buf_append(&op->headers, value, vlen) != 0 || sl_buf_append(&op->headers, "", 1) != 0)
        return luaL_error(L, "out of memory");
    op->nheaders++;
    return 0;
}

/* Field `key` of the operation table at the top of the stack, of `type` or nil (left on the
 * stack). Returns its type. */
static int op_field(lua_State *L, ops_ctx_t *c, int i, const char *name, const char *key, int type,
                    int required)
{
    lua_pushstring(L, key);
    int t = lua_rawget(L, -2);
    if (t == type || (t == LUA_TNIL && !required))
        return t;
    if (type == LUA_TNUMBER && t == LUA_TNIL)
        return t;
    return ops_fail(L, c, "soapload.operations[%d]%s%s%s: %s must be a %s, not a %s", i,
                    name ? " (" : "", name ? name : "", name ? ")" : "", key, lua_typename(L, type),
                    luaL_typename(L, -1));
}

/* Binds operation i (1-based; its table at the top of the stack) into the worker's state. */
static void op_bind(lua_State *L, ops_ctx_t *c, int i, const char *name)
{
    sl_script_t *s = c->s;
    script_op_t *op = &s->ops[i - 1];
    size_t len;
    if (i > c->run_cfg->nops || strcmp(name, c->run_cfg->op_names[i - 1]) != 0)
        ops_fail(L, c, "soapload.operations[%d] is %s in a worker but %s in the parent", i, name,
                 i > c->run_cfg->nops ? "nothing" : c->run_cfg->op_names[i - 1]);
    op_field(L, c, i, name, "request", LUA_TFUNCTION, 1);
    op->request_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (op_field(L, c, i, name, "response", LUA_TFUNCTION, 0) == LUA_TFUNCTION) {
        op->response_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        op->response_faults = takes_fault(L, op->response_ref);
    } else
        lua_pop(L, 1);
    if (op_field(L, c, i, name, "path", LUA_TSTRING, 0) == LUA_TSTRING) {
        const char *path = lua_tolstring(L, -1, &len);
        for (size_t k = 0; k < len; k++)
            if ((unsigned char)path[k] <= ' ' || path[k] == 0x7f)
                ops_fail(L, c, "soapload.operations[%d] (%s): path holds a space or control byte",
                         i, name);
        if (sl_buf_append(&op->path, path, len) != 0)
            luaL_error(L, "out of memory");
    }
    lua_pop(L, 1);
    if (op_field(L, c, i, name, "soap_action", LUA_TSTRING, 0) == LUA_TSTRING &&
        (s->soap_version != 12 || lua_rawlen(L, -1) > 0)) { /* 1.2: "" means no action */
        char line[1024];
        const char *action = lua_tolstring(L, -1, &len);
        if (len > 900 || find_byte(action, len, "\r\n\"", 4) != NULL)
            ops_fail(L, c,
                     "soapload.operations[%d] (%s): soap_action must be at most 900 bytes "
                     "without quotes or line breaks",
                     i, name);
        /* SOAP 1.1 carries the action in its own header, 1.2 in the media type */
        int n = s->soap_version == 12 ? snprintf(line, sizeof(line), "%s; action=\"%s\"",
                                                 sl_envelope_content_type(12), action)
                                      : snprintf(line, sizeof(line), "\"%s\"", action);
        const char *hname = s->soap_version == 12 ? "Content-Type" : "SOAPAction";
        op_add_header(L, c, op, i, hname, strlen(hname), line, (size_t)n);
    }
    lua_pop(L, 1);
    if (op_field(L, c, i, name, "headers", LUA_TTABLE, 0) == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
            size_t nlen, vlen;
            if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
                ops_fail(L, c,
                         "soapload.operations[%d] (%s): headers must map names to string values", i,
                         name);
            const char *hn = lua_tolstring(L, -2, &nlen);
            const char *hv = lua_tolstring(L, -1, &vlen);
            op_add_header(L, c, op, i, hn, nlen, hv, vlen);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

/* Under lua_pcall: 1 is soapload.operations, 2 an ops_ctx_t. */
static int l_operations(lua_State *L)
{
    static const char *const known[] = {"name",        "weight", "request", "response",
                                        "soap_action", "path",   "headers"};
    ops_ctx_t *c = lua_touserdata(L, 2);
    lua_settop(L, 1);
    if (!lua_istable(L, 1))
        return ops_fail(L, c, "soapload.operations must be a list of tables, not a %s",
                        luaL_typename(L, 1));
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    if (n == 0)
        return ops_fail(L, c, "soapload.operations is empty: give at least one operation");
    if (n > SL_MAX_OPERATIONS)
        return ops_fail(L, c, "soapload.operations has %lld operations; at most %d", (long long)n,
                        SL_MAX_OPERATIONS);
    for (int i = 1; i <= (int)n; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TTABLE)
            return ops_fail(L, c, "soapload.operations[%d] must be a table, not a %s", i,
                            luaL_typename(L, -1));
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
            size_t k = 0;
            if (lua_type(L, -2) == LUA_TSTRING)
                while (k < 7 && strcmp(lua_tostring(L, -2), known[k]) != 0)
                    k++;
            if (lua_type(L, -2) != LUA_TSTRING || k == 7)
                return ops_fail(L, c,
                                "soapload.operations[%d]: unknown field %s (fields are name, "
                                "weight, request, response, soap_action, path and headers)",
                                i, lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?");
            lua_pop(L, 1);
        }
        op_field(L, c, i, NULL, "name", LUA_TSTRING, 1);
        const char *name = lua_tostring(L, -1);
        lua_pop(L, 1); /* the table still holds the string */
        if (op_field(L, c, i, name, "weight", LUA_TNUMBER, 1) == LUA_TNIL)
            return ops_fail(L, c, "soapload.operations[%d] (%s): weight must be a number >= 0", i,
                            name);
        double weight = lua_tonumber(L, -1);
        lua_pop(L, 1);
        if (c->s == NULL) {
            op_field(L, c, i, name, "request", LUA_TFUNCTION, 1);
            lua_pop(L, 1);
            op_field(L, c, i, name, "response", LUA_TFUNCTION, 0);
            lua_pop(L, 1);
            if (sl_config_add_operation(c->cfg, name, weight, c->err, sizeof(c->err)) != 0)
                return luaL_error(L, "%s", c->err);
        } else {
            op_bind(L, c, i, name);
        }
        lua_pop(L, 1);
    }
    if (c->s != NULL && n != c->run_cfg->nops)
        return ops_fail(L, c,
                        "soapload.operations has %lld operations in a worker, %d in the parent",
                        (long long)n, c->run_cfg->nops);
    return 0;
}

/* soapload.operations (at -1): names and weights into cfg, checked. */
int sl_script_read_operations(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    ops_ctx_t c = {.cfg = cfg};
    lua_pushcfunction(L, l_operations);
    lua_pushvalue(L, -2);
    lua_pushlightuserdata(L, &c);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        snprintf(err, errlen, "%s", c.err[0] ? c.err : lua_tostring(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    sl_mix_t mix;
    if (sl_mix_init(&mix, cfg->op_weights, cfg->nops, err, errlen) != 0)
        return -1;
    sl_mix_free(&mix);
    return 0;
}

int sl_script_operations(sl_script_t *s, const sl_config_t *cfg, char *err, size_t errlen)
{
    lua_State *L = s->L;
    if (cfg->nops == 0)
        return 0;
    s->ops = calloc((size_t)cfg->nops, sizeof(*s->ops));
    if (s->ops == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->nops = cfg->nops;
    for (int i = 0; i < s->nops; i++)
        s->ops[i].request_ref = s->ops[i].response_ref = LUA_NOREF;
    ops_ctx_t c = {.s = s, .run_cfg = cfg};
    lua_pushcfunction(L, l_operations);
    if (lua_getglobal(L, "soapload") == LUA_TTABLE) {
        lua_pushstring(L, "operations");
        lua_rawget(L, -2);
        lua_remove(L, -2);
    }
    lua_pushlightuserdata(L, &c);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        snprintf(err, errlen, "%s", c.err[0] ? c.err : lua_tostring(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

int sl_script_op_sees_faults(const sl_script_t *s, int op)
{
    if (op >= 0 && op < s->nops && s->ops[op].response_ref != LUA_NOREF)
        return s->ops[op].response_faults;
    return s->response_ref != LUA_NOREF && s->response_faults;
}

int sl_script_has_op_response(const sl_script_t *s, int op)
{
    if (op >= 0 && op < s->nops && s->ops[op].response_ref != LUA_NOREF)
        return 1;
    return s->response_ref != LUA_NOREF;
}

/* Adds the operation's path and headers to what its request() gave: request()'s own win. */
static int op_defaults(sl_script_t *s, int op, sl_request_t *req, char *err, size_t errlen)
{
    const script_op_t *o = &s->ops[op];
    if (req->path.len == 0 && o->path.len > 0 &&
        sl_buf_append(&req->path, o->path.data, o->path.len) != 0)
        goto Oom;
    const char *h = o->headers.data;
    for (int i = 0; i < o->nheaders; i++, h += strlen(h) + 1) {
        size_t nlen = strcspn(h, ":");
        const char *mine = req->headers.data;
        int given = 0;
        for (int k = 0; k < req->nheaders && !given; k++, mine += strlen(mine) + 1)
            given = strcspn(mine, ":") == nlen && strncasecmp(mine, h, nlen) == 0;
        if (given)
            continue;
        if (req->nheaders == SL_MAX_REQUEST_HEADERS) {
            snprintf(err, errlen, "operation %d: more than %d headers with request()'s", op + 1,
                     SL_MAX_REQUEST_HEADERS);
            return -1;
        }
        if (sl_buf_append(&req->headers, h, strlen(h) + 1) != 0)
            goto Oom;
        req->nheaders++;
    }
    return 0;
Oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

int sl_script_op_request(sl_script_t *s, int op, uint64_t seq, sl_request_t *req, char *err,
                         size_t errlen)
{
    if (request_with(s, s->ops[op].request_ref, seq, req, err, errlen) != 0)
        return -1;
    if (op_defaults(s, op, req, err, errlen) != 0) {
        sl_script_release_body(s, req);
        return -1;
    }
    return 0;
}

static void push_headers(lua_State *L, const char *h, size_t len)
{
    lua_createtable(L, 0, 8);
    const char *end = h + len;
    while (h < end) {
        const char *eol = memchr(h, '\n', (size_t)(end - h));
        const char *line_end = eol ? eol : end;
        const char *colon = memchr(h, ':', (size_t)(line_end - h));
        if (colon != NULL && colon > h && strncmp(h, "HTTP/", 5) != 0) {
            char name[128];
            size_t nlen = (size_t)(colon - h) < sizeof(name) ? (size_t)(colon - h) : sizeof(name);
            for (size_t i = 0; i < nlen; i++)
                name[i] = (char)((h[i] >= 'A' && h[i] <= 'Z') ? h[i] + 32 : h[i]);
            const char *v = colon + 1, *vend = line_end;
            while (v < vend && (*v == ' ' || *v == '\t'))
                v++;
            while (vend > v && (vend[-1] == '\r' || vend[-1] == ' ' || vend[-1] == '\t'))
                vend--;
            lua_pushlstring(L, name, nlen);
            lua_pushlstring(L, v, (size_t)(vend - v));
            lua_rawset(L, -3);
        }
        h = line_end + (eol != NULL);
    }
}

int sl_script_response(sl_script_t *s, int op, long status, const char *headers, size_t headers_len,
                       const char *body, size_t body_len, const char *id, const sl_fault_t *fault,
                       int *verdict, char *reason, size_t reason_len, char *err, size_t errlen)
{
    lua_State *L = s->L;
    int ref = op >= 0 && op < s->nops && s->ops[op].response_ref != LUA_NOREF
                  ? s->ops[op].response_ref
                  : s->response_ref;
    *verdict = SL_VERDICT_NONE;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_pushinteger(L, status);
    push_headers(L, headers, headers_len);
    lua_pushlstring(L, body, body_len);
    lua_pushstring(L, id);
    if (fault != NULL)
        sl_lua_push_fault(L, fault);
    else
        lua_pushnil(L);
    int nargs = 5 + push_vars(s); /* a flow step's: its flow's variables */
    if (call(s, "response()", nargs, 2, s->hook_limit_ns, err, errlen) != 0)
        return -1;
    if (lua_type(L, -2) == LUA_TBOOLEAN) {
        *verdict = lua_toboolean(L, -2) ? SL_VERDICT_PASS : SL_VERDICT_FAIL;
        if (*verdict == SL_VERDICT_FAIL)
            snprintf(reason, reason_len, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
    } else if (lua_type(L, -2) == LUA_TSTRING &&
               strcmp(lua_tostring(L, -2), "expected_fault") == 0) {
        *verdict = SL_VERDICT_EXPECTED_FAULT;
    }
    lua_pop(L, 2);
    return 0;
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
    push_hist(L, sum->service);
    lua_setfield(L, -2, "service_time");
    push_hist(L, sum->lateness);
    lua_setfield(L, -2, "send_lateness");
    push_hist(L, sum->latency);
    lua_createtable(L, sum->nworkers, 0);
    for (int i = 0; i < sum->nworkers; i++) {
        push_counts(L, &sum->per_worker[i]);
        lua_pushinteger(L, sum->pids[i]);
        lua_setfield(L, -2, "pid");
        lua_rawseti(L, -2, i + 1);
    }
    s->overrun_exit = sum->exit_code != 0 ? sum->exit_code : 1;
    return call(s, "done()", 3, 0, LOAD_LIMIT_NS, err, errlen);
}
