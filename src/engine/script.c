/*
 * script: the Lua state of one process. Stack discipline: index 1 always holds the traceback
 * handler; every call leaves the stack as it found it. Strings from Lua are copied into C
 * buffers before the values are popped.
 */
#include "engine/script.h"

#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/duration.h"
#include "core/envelope.h"
#include "core/xml.h"

#define HIST_MT "soapload.histogram"
#define WATCHDOG_EVERY 10000         /* instructions between two looks at the clock */
#define LOAD_LIMIT_NS 30000000000ULL /* the main chunk and init() may read data files */

struct sl_script {
    lua_State *L;
    size_t mem_used, mem_limit;
    int mem_exceeded;
    uint64_t deadline_ns; /* 0: no call under way */
    uint64_t hook_limit_ns;
    int request_ref, response_ref;
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

static void watchdog(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sl_script_t *s = script_of(L);
    if (s->deadline_ns != 0 && now_ns() > s->deadline_ns) {
        s->deadline_ns = now_ns() + 1000000; /* let the error unwind before firing again */
        luaL_error(L, "hook ran longer than its limit: stopped (an endless loop? see "
                      "--hook-limit)");
    }
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

/* Runs the function below its nargs arguments under the traceback handler and a deadline. */
static int call(sl_script_t *s, int nargs, int nres, uint64_t limit_ns, char *err, size_t errlen)
{
    s->mem_exceeded = 0;
    s->deadline_ns = now_ns() + limit_ns;
    int rc = lua_pcall(s->L, nargs, nres, 1);
    s->deadline_ns = 0;
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

/* soapload.envelope(inner [, version]): the inner XML wrapped in a SOAP envelope. */
static int l_envelope(lua_State *L)
{
    sl_script_t *s = script_of(L);
    size_t len;
    const char *inner = luaL_checklstring(L, 1, &len);
    int version = version_arg(L, 2, s->soap_version);
    sl_buf_clear(&s->scratch);
    if (sl_envelope_append(&s->scratch, version, inner, len) != 0)
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
    s->request_ref = s->response_ref = LUA_NOREF;
    s->L = lua_newstate(capped_alloc, s);
    if (s->L == NULL || s->id_element == NULL) {
        snprintf(err, errlen, "cannot create a Lua state: out of memory");
        sl_script_close(s);
        return NULL;
    }
    *(sl_script_t **)lua_getextraspace(s->L) = s;
    luaL_openlibs(s->L);
    lua_sethook(s->L, watchdog, LUA_MASKCOUNT, WATCHDOG_EVERY);
    lua_pushcfunction(s->L, traceback); /* index 1 from now on */

    luaL_newmetatable(s->L, HIST_MT);
    luaL_setfuncs(s->L, hist_methods, 0);
    lua_pop(s->L, 1);
    luaL_newlib(s->L, lib);
    lua_setglobal(s->L, "soapload");

    snprintf(chunkname, sizeof(chunkname), "@%s", path);
    /* mode "t": scripts are loaded as text only, never as precompiled bytecode */
    if (luaL_loadbufferx(s->L, text, len, chunkname, "t") != LUA_OK) {
        snprintf(err, errlen, "%s", lua_tostring(s->L, -1));
        sl_script_close(s);
        return NULL;
    }
    if (call(s, 0, 0, LOAD_LIMIT_NS, err, errlen) != 0) {
        sl_script_close(s);
        return NULL;
    }
    s->request_ref = ref_global_function(s->L, "request");
    s->response_ref = ref_global_function(s->L, "response");
    return s;
}

void sl_script_close(sl_script_t *s)
{
    if (s == NULL)
        return;
    if (s->L != NULL)
        lua_close(s->L);
    sl_buf_free(&s->scratch);
    free(s->id_element);
    free(s);
}

int sl_script_has_request(const sl_script_t *s)
{
    return s->request_ref != LUA_NOREF;
}

int sl_script_has_response(const sl_script_t *s)
{
    return s->response_ref != LUA_NOREF;
}

/* ---- settings ------------------------------------------------------------------------- */

static int setting_error(char *err, size_t errlen, const char *field, const char *want,
                         lua_State *L)
{
    snprintf(err, errlen, "soapload.%s must be %s (it is %s)", field, want,
             lua_isstring(L, -1) ? lua_tostring(L, -1) : luaL_typename(L, -1));
    lua_pop(L, 1);
    return -1;
}

/* A duration field: a number of seconds or a string such as "500ms". */
static int duration_field(lua_State *L, const char *field, uint64_t *ns, char *err, size_t errlen)
{
    if (lua_type(L, -1) == LUA_TNUMBER) {
        double v = lua_tonumber(L, -1);
        if (!(v > 0 && v < 1e9))
            return setting_error(err, errlen, field, "a duration above 0", L);
        *ns = (uint64_t)(v * 1e9);
    } else if (lua_type(L, -1) != LUA_TSTRING || sl_duration_parse(lua_tostring(L, -1), ns) != 0) {
        return setting_error(err, errlen, field, "a duration such as 10, \"10s\" or \"500ms\"", L);
    }
    lua_pop(L, 1);
    return 0;
}

static int count_field(lua_State *L, const char *field, int max, int *out, char *err, size_t errlen)
{
    int isnum;
    lua_Integer v = lua_tointegerx(L, -1, &isnum);
    if (!isnum || v < 1 || v > max || lua_type(L, -1) != LUA_TNUMBER)
        return setting_error(err, errlen, field, "a whole number above 0", L);
    *out = (int)v;
    lua_pop(L, 1);
    return 0;
}

static int string_field(lua_State *L, sl_config_t *cfg, const char *field, char **out, char *err,
                        size_t errlen)
{
    if (lua_type(L, -1) != LUA_TSTRING)
        return setting_error(err, errlen, field, "a string", L);
    *out = strdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    if (*out == NULL)
        return -1;
    cfg->owned[cfg->nowned++] = *out;
    return 0;
}

/* Pushes soapload[field]; returns 1 when the field should be read (set in the script and not
 * given on the command line), else pops it and returns 0. */
static int want_field(lua_State *L, const char *field, const sl_config_t *cfg, unsigned bit)
{
    if (lua_getfield(L, -1, field) == LUA_TNIL || (cfg->set & bit)) {
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

/* Puts the script's k items before the command line's n: those come last, so that they win. */
static void prepend(const char **list, int *n, const char *const *items, int k)
{
    memmove(list + k, list, (size_t)*n * sizeof(*list));
    memcpy(list, items, (size_t)k * sizeof(*list));
    *n += k;
}

static int read_headers(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    char *merged[SL_MAX_HEADERS];
    int n = 0;
    if (lua_getfield(L, -1, "headers") == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (!lua_istable(L, -1))
        return setting_error(err, errlen, "headers", "a table of name = value", L);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1)) {
            lua_pop(L, 3);
            snprintf(err, errlen, "soapload.headers must map names to string values");
            return -1;
        }
        const char *name = lua_tostring(L, -2), *value = lua_tostring(L, -1);
        if (n == SL_MAX_HEADERS - cfg->nheaders || strpbrk(name, ": \r\n") != NULL ||
            strpbrk(value, "\r\n") != NULL) {
            snprintf(err, errlen, "soapload.headers: bad or too many headers ('%s')", name);
            lua_pop(L, 3);
            return -1;
        }
        size_t len = strlen(name) + strlen(value) + 3;
        merged[n] = malloc(len);
        if (merged[n] == NULL) {
            lua_pop(L, 3);
            return -1;
        }
        snprintf(merged[n], len, "%s: %s", name, value);
        cfg->owned[cfg->nowned++] = merged[n++];
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    prepend((const char **)cfg->headers, &cfg->nheaders, (const char *const *)merged, n);
    return 0;
}

/* soapload.thresholds = {"p99 < 50ms", ...}: put before the command line's, which add to them */
static int read_thresholds(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    const char *list[SL_MAX_CHECKS];
    int n = 0;
    if (lua_getfield(L, -1, "thresholds") == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (!lua_istable(L, -1))
        return setting_error(err, errlen, "thresholds", "a list of strings", L);
    for (lua_Integer i = 1;; i++) {
        int type = lua_rawgeti(L, -1, i);
        if (type == LUA_TNIL) {
            lua_pop(L, 1);
            break;
        }
        if (type != LUA_TSTRING || n + cfg->nchecks == SL_MAX_CHECKS) {
            lua_pop(L, 2);
            snprintf(err, errlen, "soapload.thresholds must be a list of at most %d strings",
                     SL_MAX_CHECKS);
            return -1;
        }
        char *copy = strdup(lua_tostring(L, -1));
        lua_pop(L, 1);
        if (copy == NULL)
            return -1;
        cfg->owned[cfg->nowned++] = copy;
        list[n++] = copy;
    }
    lua_pop(L, 1);
    prepend(cfg->checks, &cfg->nchecks, list, n);
    return 0;
}

int sl_script_settings(sl_script_t *s, sl_config_t *cfg, char *err, size_t errlen)
{
    lua_State *L = s->L;
    int rc = -1;
    if (lua_getglobal(L, "soapload") != LUA_TTABLE) {
        lua_pop(L, 1);
        snprintf(err, errlen, "the global table soapload was replaced by a %s",
                 luaL_typename(L, -1));
        return -1;
    }
    if (want_field(L, "url", cfg, SL_SET_URL) &&
        string_field(L, cfg, "url", &cfg->url, err, errlen))
        goto Done;
    if (want_field(L, "rate", cfg, SL_SET_RATE)) {
        double v = lua_tonumber(L, -1);
        if (lua_type(L, -1) != LUA_TNUMBER || !(v > 0 && v <= 1e7))
            goto BadRate;
        cfg->rate = v;
        lua_pop(L, 1);
    }
    if (want_field(L, "model", cfg, SL_SET_MODEL)) {
        const char *m = lua_tostring(L, -1);
        if (m == NULL || (strcmp(m, "open") != 0 && strcmp(m, "closed") != 0)) {
            setting_error(err, errlen, "model", "\"open\" or \"closed\"", L);
            goto Done;
        }
        cfg->closed = strcmp(m, "closed") == 0;
        lua_pop(L, 1);
    }
    if (want_field(L, "duration", cfg, SL_SET_DURATION) &&
        duration_field(L, "duration", &cfg->duration_ns, err, errlen))
        goto Done;
    if (want_field(L, "timeout", cfg, SL_SET_TIMEOUT) &&
        duration_field(L, "timeout", &cfg->timeout_ns, err, errlen))
        goto Done;
    if (want_field(L, "connections", cfg, SL_SET_CONNECTIONS) &&
        count_field(L, "connections", 100000, &cfg->connections, err, errlen))
        goto Done;
    if (want_field(L, "burst", cfg, SL_SET_BURST) &&
        count_field(L, "burst", 100000, &cfg->burst, err, errlen))
        goto Done;
    if (want_field(L, "workers", cfg, SL_SET_WORKERS) &&
        count_field(L, "workers", 1024, &cfg->workers, err, errlen))
        goto Done;
    if (want_field(L, "soap_version", cfg, SL_SET_SOAP)) {
        const char *v = lua_tostring(L, -1);
        if (v == NULL || (strcmp(v, "1.1") != 0 && strcmp(v, "1.2") != 0)) {
            setting_error(err, errlen, "soap_version", "\"1.1\" or \"1.2\"", L);
            goto Done;
        }
        cfg->soap_version = strcmp(v, "1.2") == 0 ? 12 : 11;
        lua_pop(L, 1);
    }
    if (want_field(L, "id_element", cfg, SL_SET_ID_ELEMENT) &&
        string_field(L, cfg, "id_element", &cfg->id_element, err, errlen))
        goto Done;
    if (read_headers(L, cfg, err, errlen) != 0)
        goto Done;
    if (read_thresholds(L, cfg, err, errlen) != 0)
        goto Done;
    s->soap_version = cfg->soap_version;
    free(s->id_element);
    s->id_element = strdup(cfg->id_element);
    rc = 0;
Done:
    lua_pop(L, 1);
    return rc;
BadRate:
    setting_error(err, errlen, "rate", "a number of requests per second above 0", L);
    goto Done;
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
    return call(s, 1, 0, LOAD_LIMIT_NS, err, errlen);
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

static int copy_request_options(sl_script_t *s, sl_request_t *req, char *err, size_t errlen)
{
    lua_State *L = s->L;
    int top = lua_gettop(L);
    if (lua_getfield(L, -1, "headers") == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
            size_t nlen, vlen;
            const char *name = lua_tolstring(L, -2, &nlen);
            const char *value = lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER
                                    ? lua_tolstring(L, -1, &vlen)
                                    : NULL;
            if (lua_type(L, -2) != LUA_TSTRING || value == NULL || memchr(name, ':', nlen) ||
                strpbrk(value, "\r\n") != NULL || req->nheaders == SL_MAX_REQUEST_HEADERS) {
                lua_settop(L, top);
                return hook_result_error(s, s->request_ref,
                                         "request(): headers must map at most 64 names to "
                                         "string values without line breaks",
                                         err, errlen);
            }
            sl_buf_append(&req->headers, name, nlen);
            sl_buf_append(&req->headers, ": ", 2);
            sl_buf_append(&req->headers, value, vlen);
            sl_buf_append(&req->headers, "", 1); /* keeps each one NUL-terminated */
            req->nheaders++;
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    if (lua_getfield(L, -1, "method") == LUA_TSTRING)
        snprintf(req->method, sizeof(req->method), "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    if (lua_getfield(L, -1, "path") == LUA_TSTRING) {
        size_t len;
        const char *path = lua_tolstring(L, -1, &len);
        sl_buf_append(&req->path, path, len);
    }
    lua_pop(L, 1);
    int t = lua_getfield(L, -1, "id");
    if (t == LUA_TSTRING) {
        size_t len;
        const char *id = lua_tolstring(L, -1, &len);
        sl_buf_clear(&req->id);
        sl_buf_append(&req->id, id, len);
    } else if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
        req->check_id = 0;
    }
    lua_pop(L, 1);
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

int sl_script_request(sl_script_t *s, uint64_t seq, sl_request_t *req, char *err, size_t errlen)
{
    lua_State *L = s->L;
    int rc = 0;
    sl_script_release_body(s, req);
    sl_buf_clear(&req->body);
    sl_buf_clear(&req->headers);
    sl_buf_clear(&req->path);
    req->nheaders = 0;
    req->method[0] = '\0';
    req->check_id = 1;

    lua_rawgeti(L, LUA_REGISTRYINDEX, s->request_ref);
    lua_pushlstring(L, req->id.data, req->id.len);
    lua_pushinteger(L, (lua_Integer)seq);
    if (call(s, 2, 2, s->hook_limit_ns, err, errlen) != 0)
        return -1;
    if (lua_type(L, -2) != LUA_TSTRING) {
        char what[128];
        snprintf(what, sizeof(what), "request() must return the body as a string, not %s",
                 luaL_typename(L, -2));
        lua_pop(L, 2);
        return hook_result_error(s, s->request_ref, what, err, errlen);
    }
    if (lua_istable(L, -1))
        rc = copy_request_options(s, req, err, errlen);
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

int sl_script_response(sl_script_t *s, long status, const char *headers, size_t headers_len,
                       const char *body, size_t body_len, const char *id, int *failed, char *reason,
                       size_t reason_len, char *err, size_t errlen)
{
    lua_State *L = s->L;
    *failed = 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->response_ref);
    lua_pushinteger(L, status);
    push_headers(L, headers, headers_len);
    lua_pushlstring(L, body, body_len);
    lua_pushstring(L, id);
    if (call(s, 4, 2, s->hook_limit_ns, err, errlen) != 0)
        return -1;
    if (lua_type(L, -2) == LUA_TBOOLEAN && !lua_toboolean(L, -2)) {
        *failed = 1;
        snprintf(reason, reason_len, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
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
    return call(s, 3, 0, LOAD_LIMIT_NS, err, errlen);
}
