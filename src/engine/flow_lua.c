/*
 * flow_lua: soapload.flows checked and turned into operations (a small Lua chunk: the checks
 * read best in the language the user wrote the table in), and read into the config.
 */
#include "engine/flow_lua.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/flow.h"
#include "core/mix.h"

/* How many of soapload.flows (as compiled) the script declared there: the rest are its single
 * operations, each a flow of one step. */
#define DECLARED_KEY "soapload.declared_flows"

static const char compile_chunk[] =
    "local soapload = ...\n"
    "local flows = rawget(soapload, 'flows')\n"
    "local function fail(fmt, ...) error(string.format(fmt, ...), 0) end\n"
    "local cookies = rawget(soapload, 'cookies')\n"
    "if cookies ~= nil and type(cookies) ~= 'boolean' then\n"
    "  fail('soapload.cookies must be true or false, not a %s', type(cookies))\n"
    "end\n"
    "if flows == nil then\n"
    "  if cookies then fail('soapload.cookies keeps cookies per flow: it needs soapload.flows') "
    "end\n"
    "  return\n"
    "end\n"
    "if type(flows) ~= 'table' or #flows == 0 then\n"
    "  fail('soapload.flows must be a non-empty list of flows ({name = ..., steps = {...}})')\n"
    "end\n"
    "local declared = #flows -- the flows of soapload.flows; then the single operations\n"
    "local singles = rawget(soapload, 'operations')\n"
    "if singles ~= nil then -- single operations beside flows: each a flow of one step\n"
    "  if type(singles) ~= 'table' then fail('soapload.operations must be a list of tables') end\n"
    "  local okeys = {name = 1, weight = 1, request = 1, response = 1, soap_action = 1, path = 1,\n"
    "    headers = 1}\n"
    "  local all = {}\n"
    "  for i, f in ipairs(flows) do all[i] = f end\n"
    "  for i, o in ipairs(singles) do\n"
    "    if type(o) ~= 'table' then fail('soapload.operations[%d] must be a table', i) end\n"
    "    for k in pairs(o) do\n"
    "      if not okeys[k] then fail('soapload.operations[%d]: unknown field %s (fields are "
    "name, weight, request, response, soap_action, path and headers)', i, tostring(k)) end\n"
    "    end\n"
    "    if math.type(o.weight) == nil or o.weight < 0 then\n"
    "      fail('soapload.operations[%d] (%s): weight must be a number >= 0', i, "
    "tostring(o.name))\n"
    "    end\n"
    "    all[#all + 1] = {name = o.name, weight = o.weight, steps = {{name = o.name,\n"
    "      request = o.request, response = o.response, soap_action = o.soap_action, path = "
    "o.path,\n"
    "      headers = o.headers}}}\n"
    "  end\n"
    "  flows = all\n"
    "  soapload.flows = all\n"
    "end\n"
    "local fkeys = {name = 1, weight = 1, steps = 1, on_error = 1, cookies = 1}\n"
    "local skeys = {name = 1, request = 1, response = 1, soap_action = 1, path = 1, headers = 1,\n"
    "  think = 1, times = 1, on_error = 1, when = 1, retry = 1}\n"
    "local ops, flow_names, step_names, whens = {}, {}, {}, nil\n"
    "local function on_error_ok(v) return v == nil or v == 'stop' or v == 'continue' end\n"
    "for i, f in ipairs(flows) do\n"
    "  local at = 'soapload.flows[' .. i .. ']'\n"
    "  if type(f) ~= 'table' then fail('%s must be a table, not a %s', at, type(f)) end\n"
    "  for k in pairs(f) do\n"
    "    if not fkeys[k] then\n"
    "      fail('%s: unknown field %s (fields are name, weight, steps, on_error and cookies)', "
    "at, tostring(k))\n"
    "    end\n"
    "  end\n"
    "  if type(f.name) ~= 'string' then fail('%s: name must be a string', at) end\n"
    "  if flow_names[f.name] then fail('%s: flow %s is named twice', at, f.name) end\n"
    "  flow_names[f.name] = true\n"
    "  at = at .. ' (' .. f.name .. ')'\n"
    "  if f.weight ~= nil and (math.type(f.weight) == nil or f.weight < 0) then\n"
    "    fail('%s: weight must be a number >= 0', at)\n"
    "  end\n"
    "  if not on_error_ok(f.on_error) then fail('%s: on_error must be \"stop\" or "
    "\"continue\"', at) end\n"
    "  if f.cookies ~= nil and type(f.cookies) ~= 'boolean' then\n"
    "    fail('%s: cookies must be true or false, not a %s', at, type(f.cookies))\n"
    "  end\n"
    "  if type(f.steps) ~= 'table' or #f.steps == 0 then\n"
    "    fail('%s: steps must be a non-empty list of steps', at)\n"
    "  end\n"
    "  if #f.steps > 16 then fail('%s: %d steps; at most 16', at, #f.steps) end\n"
    "  for j, s in ipairs(f.steps) do\n"
    "    local sat = at .. '.steps[' .. j .. ']'\n"
    "    if type(s) ~= 'table' then fail('%s must be a table, not a %s', sat, type(s)) end\n"
    "    for k in pairs(s) do\n"
    "      if not skeys[k] then\n"
    "        fail('%s: unknown field %s (fields are name, request, response, soap_action, "
    "path, headers, think, times, on_error, when and retry)', sat, tostring(k))\n"
    "      end\n"
    "    end\n"
    "    if type(s.name) ~= 'string' then fail('%s: name must be a string', sat) end\n"
    "    sat = sat .. ' (' .. s.name .. ')'\n"
    "    if step_names[s.name] then\n"
    "      fail('%s: the step name %s is used twice (each step is an operation of its own: "
    "names are unique over all flows)', sat, s.name)\n"
    "    end\n"
    "    step_names[s.name] = true\n"
    "    if type(s.request) ~= 'function' then fail('%s: request must be a function', sat) end\n"
    "    if s.times ~= nil and (math.type(s.times) ~= 'integer' or s.times < 1 or s.times > "
    "1000000) then\n"
    "      fail('%s: times must be a whole number from 1 to 1000000', sat)\n"
    "    end\n"
    "    if s.think ~= nil and not (type(s.think) == 'string' or (type(s.think) == 'number' "
    "and s.think >= 0 and s.think <= 60)) then\n"
    "      fail('%s: think must be seconds (0 to 60) or a delay such as \"500ms\" or "
    "\"uniform:1s,3s\"', sat)\n"
    "    end\n"
    "    if not on_error_ok(s.on_error) then fail('%s: on_error must be \"stop\" or "
    "\"continue\"', sat) end\n"
    "    if s.when ~= nil and type(s.when) ~= 'function' then fail('%s: when must be a "
    "function', sat) end\n"
    "    local r = s.retry\n"
    "    if r ~= nil and (type(r) ~= 'table' or math.type(r.max) ~= 'integer' or r.max < 1 or "
    "r.max > 100 or type(r.on) ~= 'table' or #r.on == 0) then\n"
    "      fail('%s: retry must be {max = N (1 to 100), on = {kinds, e.g. \"soap_fault\", "
    "\"timeout\"}}', sat)\n"
    "    end\n"
    "    ops[#ops + 1] = {name = s.name, weight = f.weight or 1, request = s.request, response = "
    "s.response,\n"
    "      soap_action = s.soap_action, path = s.path, headers = s.headers}\n"
    "    if s.when then whens = whens or {}; whens[#ops] = s.when end\n"
    "  end\n"
    "end\n"
    "soapload.operations = ops\n"
    "return whens, declared\n";

int sl_flow_lua_compile(lua_State *L, int *when_ref, char *err, size_t errlen)
{
    *when_ref = LUA_NOREF;
    if (luaL_loadbufferx(L, compile_chunk, sizeof(compile_chunk) - 1, "=soapload.flows", "t") !=
        LUA_OK) {
        snprintf(err, errlen, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    lua_getglobal(L, "soapload");
    if (lua_pcall(L, 1, 2, 0) != LUA_OK) {
        snprintf(err, errlen, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    lua_setfield(L, LUA_REGISTRYINDEX, DECLARED_KEY); /* read by sl_flow_lua_read */
    if (lua_istable(L, -1))
        *when_ref = luaL_ref(L, LUA_REGISTRYINDEX); /* the steps' when(vars), by operation */
    else
        lua_pop(L, 1);
    return 0;
}

/* A step's think time (the field at -1): seconds, or a delay spec as --think takes. */
static int read_think(lua_State *L, sl_flow_step_t *st, const char *where, char *err, size_t errlen)
{
    char spec[128], why[200];
    if (lua_isnil(L, -1))
        return 0;
    if (lua_type(L, -1) == LUA_TNUMBER)
        snprintf(spec, sizeof(spec), "%.6fms", lua_tonumber(L, -1) * 1000);
    else
        snprintf(spec, sizeof(spec), "%s", lua_tostring(L, -1));
    if (sl_delay_parse(spec, &st->think, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: think: %s", where, why);
        return -1;
    }
    st->has_think = 1;
    return 0;
}

/* A step's retry = {max = N, on = {"soap_fault", ...}} (the field at -1, checked as a table by
 * the compile chunk): the kinds are result names, or "script_error_before_send". */
static int read_retry(lua_State *L, sl_flow_step_t *st, const char *where, char *err, size_t errlen)
{
    if (lua_isnil(L, -1))
        return 0;
    lua_getfield(L, -1, "max");
    st->retry_max = (uint32_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, -1, "on");
    int n = (int)lua_rawlen(L, -1);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        const char *kind = lua_tostring(L, -1);
        int r = 0;
        while (r < SL_FLOW_REASONS && (kind == NULL || strcmp(kind, sl_flow_reason_name(r)) != 0))
            r++;
        lua_pop(L, 1);
        if (r == SL_FLOW_REASONS || r == SL_R_OK || r == SL_R_EXPECTED_FAULT) {
            snprintf(err, errlen,
                     "%s: retry.on: \"%s\" is not a kind of failure (soap_fault, http_status, "
                     "timeout, connect, check_failed, ...)",
                     where, kind != NULL ? kind : "?");
            lua_pop(L, 1);
            return -1;
        }
        st->retry_on |= 1ULL << r;
    }
    lua_pop(L, 1);
    return 0;
}

static int is_continue(lua_State *L, int idx, const char *field)
{
    lua_getfield(L, idx, field);
    int yes = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "continue") == 0;
    lua_pop(L, 1);
    return yes;
}

int sl_flow_lua_read(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    char where[160];
    sl_flows_t *fs = calloc(1, sizeof(*fs));
    if (fs == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cfg->flows = fs;
    lua_getfield(L, LUA_REGISTRYINDEX, DECLARED_KEY);
    int declared = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : SL_FLOW_MAX;
    lua_pop(L, 1);
    lua_getfield(L, -2, "cookies"); /* soapload.cookies: every flow's default */
    int all_cookies = lua_toboolean(L, -1);
    lua_pop(L, 1);
    int n = (int)lua_rawlen(L, -1);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        int fi = lua_gettop(L);
        lua_getfield(L, fi, "name");
        lua_getfield(L, fi, "weight");
        double weight = lua_isnil(L, -1) ? 1 : lua_tonumber(L, -1);
        int k = sl_flows_add(fs, lua_tostring(L, -2), weight, err, errlen);
        lua_pop(L, 2);
        if (k < 0) {
            lua_pop(L, 1);
            return -1;
        }
        sl_flow_def_t *f = &fs->f[k];
        f->single = i > declared;
        int flow_goes_on = is_continue(L, fi, "on_error");
        lua_getfield(L, fi, "cookies");
        f->cookies = lua_isnil(L, -1) ? all_cookies : lua_toboolean(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, fi, "steps");
        f->nsteps = (int)lua_rawlen(L, -1);
        for (int j = 0; j < f->nsteps; j++) {
            sl_flow_step_t *st = &f->steps[j];
            lua_rawgeti(L, -1, j + 1);
            int si = lua_gettop(L);
            lua_getfield(L, si, "name");
            snprintf(where, sizeof(where), "soapload.flows[%d] (%s).steps[%d] (%s)", i, f->name,
                     j + 1, lua_tostring(L, -1));
            st->op = sl_config_operation(cfg, lua_tostring(L, -1), lua_rawlen(L, -1));
            lua_pop(L, 1);
            lua_getfield(L, si, "times");
            st->times = lua_isnil(L, -1) ? 1 : (uint32_t)lua_tointeger(L, -1);
            lua_pop(L, 1);
            st->go_on = flow_goes_on || is_continue(L, si, "on_error");
            lua_getfield(L, si, "think");
            int rc = read_think(L, st, where, err, errlen);
            lua_pop(L, 1);
            lua_getfield(L, si, "retry");
            if (rc == 0)
                rc = read_retry(L, st, where, err, errlen);
            lua_pop(L, 2);
            if (rc != 0 || st->op < 0) {
                if (rc == 0)
                    snprintf(err, errlen, "%s: not among the operations", where);
                lua_pop(L, 2);
                return -1;
            }
        }
        lua_pop(L, 2);
    }
    char why[200];
    double weights[SL_FLOW_MAX];
    for (int i = 0; i < fs->n; i++)
        weights[i] = fs->f[i].weight;
    if (sl_mix_check(weights, fs->n, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "soapload.flows: %s", why);
        return -1;
    }
    return 0;
}
