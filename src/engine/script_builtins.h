/*
 * script_builtins: the functions a script finds in its soapload table from the start
 * (envelope, echo, escape, xml_text) and the histograms done() reads.
 */
#ifndef SOAPLOAD_SCRIPT_BUILTINS_H
#define SOAPLOAD_SCRIPT_BUILTINS_H

#include <lua.h>

#include "core/hist.h"

/** Pushes a new soapload table holding the built-ins, and makes the histograms' metatable. */
void sl_script_builtins_register(lua_State *L);
/** Pushes a userdata for h (soapload.histogram: percentile(p), min, max, mean, stdev, count);
 * h stays the caller's and must outlive the call it is passed to. */
void sl_script_builtins_push_hist(lua_State *L, const sl_hist_t *h);

#endif
