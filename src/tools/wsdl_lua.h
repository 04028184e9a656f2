/*
 * wsdl_lua: how `soapload wsdl` writes bytes it did not choose (names, values, URLs from a
 * WSDL) into a Lua script: as quoted string literals whose every special byte is escaped, as
 * comment text with no line break, or as XML names. Nothing from a WSDL reaches the script by
 * another way, so a WSDL can only ever become data.
 */
#ifndef SOAPLOAD_WSDL_LUA_H
#define SOAPLOAD_WSDL_LUA_H

#include <stddef.h>

#include "core/buf.h"

/** Appends a Lua string literal that reads back as exactly the n bytes at s: a "..." string
 * with '"', '\\' and every control byte escaped (three-digit decimal escapes). With `wrap` set,
 * the literal continues on a new script line after each newline byte (a `\z` escape and
 * `wrap` as the line's indentation), so that XML reads as XML in the script. */
void sl_wsdl_lua_string(sl_buf_t *b, const char *s, size_t n, const char *wrap);

/** Appends s as text of a Lua `--` line comment: control bytes (line breaks among them)
 * become spaces, so the comment cannot end early. */
void sl_wsdl_lua_comment(sl_buf_t *b, const char *s);

/** Appends s as an XML name (an element or attribute name in a sample body): bytes that cannot
 * stand in a name become '_', an empty name becomes "_". */
void sl_wsdl_lua_xml_name(sl_buf_t *b, const char *s);

/** For the fuzz target: every later sl_wsdl_lua_string reports its bytes to seen(ud, s, n)
 * and, with `neutral` set, writes "" instead of them (and comment text "-"), so that a script
 * can be compared token by token with one whose WSDL data is gone. NULL seen: off. */
void sl_wsdl_lua_observe(void (*seen)(void *ud, const char *s, size_t n), void *ud, int neutral);

#endif
