/*
 * settings: reading a script's `soapload` table into the config.
 */
#ifndef SOAPLOAD_SETTINGS_H
#define SOAPLOAD_SETTINGS_H

#include <lua.h>
#include <stddef.h>

#include "core/config.h"

/** Notes the names in the table at the top of the stack (the soapload table before the
 * script runs) as built-ins, which sl_settings_read leaves alone. */
void sl_settings_remember_builtins(lua_State *L);
/** Reads the global soapload table into cfg (a flag's value still wins). Returns 0, or -1
 * with a message naming the setting in err. The stack is as it was. */
int sl_settings_read(lua_State *L, sl_config_t *cfg, char *err, size_t errlen);

#endif
