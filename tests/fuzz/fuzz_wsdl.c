/*
 * fuzz_wsdl: `soapload wsdl` on arbitrary input writes a script in which nothing but the
 * generator's own code can run. The script must load in Lua's parser (luaL_loadbuffer, never
 * run); every string literal in it must read back (by a lexer that follows Lua's) to exactly
 * the bytes the generator gave sl_wsdl_lua_string, in order; and its tokens outside the
 * literals must equal those of the same script written with every WSDL byte taken out
 * (sl_wsdl_lua_observe's neutral mode), so that no WSDL byte became code or ended a comment.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "tools/wsdl.h"
#include "tools/wsdl_lua.h"
#include "tools/wsdl_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    sl_buf_t bytes; /* each literal's bytes, each preceded by its length (size_t) */
    int n;
} literals_t;

static void seen(void *ud, const char *s, size_t n)
{
    literals_t *l = ud;
    sl_buf_append(&l->bytes, &n, sizeof(n));
    sl_buf_append(&l->bytes, s, n);
    l->n++;
}

typedef struct {
    const char *p, *end;
} lex_t;

static int is_name(int c, int first)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int hex(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
}

/* The level of a long bracket opening at p ("[==[": 2), or -1. */
static int long_level(const lex_t *x, const char *p)
{
    if (p >= x->end || *p != '[')
        return -1;
    int level = 0;
    for (p++; p < x->end && *p == '='; p++)
        level++;
    return p < x->end && *p == '[' ? level : -1;
}

/* Skips past the long bracket's closing "]==]" from p. */
static const char *long_close(const lex_t *x, const char *p, int level)
{
    for (; p < x->end; p++) {
        if (*p != ']')
            continue;
        const char *q = p + 1;
        int k = 0;
        while (q < x->end && *q == '=' && k < level)
            q++, k++;
        if (k == level && q < x->end && *q == ']')
            return q + 1;
    }
    abort(); /* loaded by Lua, so closed */
}

/* Reads a quoted literal at x->p into out (escapes decoded as Lua's lexer does). */
static void quoted(lex_t *x, sl_buf_t *out)
{
    char q = *x->p++;
    while (x->p < x->end && *x->p != q) {
        char c = *x->p++;
        if (c != '\\') {
            sl_buf_append(out, &c, 1);
            continue;
        }
        c = *x->p++;
        const char *simple = strchr("abfnrtv\\\"'\n", c);
        if (c != '\0' && simple != NULL) {
            static const char to[] = "\a\b\f\n\r\t\v\\\"'\n";
            sl_buf_append(out, &to[simple - "abfnrtv\\\"'\n"], 1);
        } else if (c == 'z') {
            while (x->p < x->end && is_space((unsigned char)*x->p))
                x->p++;
        } else if (c == 'x') {
            char v = (char)(hex(x->p[0]) * 16 + hex(x->p[1]));
            sl_buf_append(out, &v, 1);
            x->p += 2;
        } else if (c >= '0' && c <= '9') {
            int v = c - '0';
            for (int k = 0; k < 2 && x->p < x->end && *x->p >= '0' && *x->p <= '9'; k++)
                v = v * 10 + *x->p++ - '0';
            char b = (char)v;
            sl_buf_append(out, &b, 1);
        } else {
            abort(); /* \u{...} and \r\n line continuations: never written by the generator */
        }
    }
    x->p++;
}

/* Appends the token stream of script to tokens (a literal as the one byte 'S'), and each
 * literal's bytes as `literals` records them. */
static void lex(const char *script, size_t len, sl_buf_t *tokens, literals_t *lits)
{
    lex_t x = {script, script + len};
    while (x.p < x.end) {
        unsigned char c = (unsigned char)*x.p;
        if (is_space(c)) {
            x.p++;
        } else if (c == '-' && x.p + 1 < x.end && x.p[1] == '-') {
            x.p += 2;
            int level = long_level(&x, x.p);
            if (level >= 0)
                x.p = long_close(&x, x.p + level + 2, level);
            else
                while (x.p < x.end && *x.p != '\n' && *x.p != '\r')
                    x.p++;
        } else if (c == '"' || c == '\'' || long_level(&x, x.p) >= 0) {
            sl_buf_t s = {0};
            if (c == '[') {
                int level = long_level(&x, x.p);
                const char *start = x.p + level + 2;
                x.p = long_close(&x, start, level);
                sl_buf_append(&s, start, (size_t)(x.p - start - level - 2));
            } else {
                quoted(&x, &s);
            }
            sl_buf_append(&lits->bytes, &s.len, sizeof(s.len));
            if (s.len > 0)
                sl_buf_append(&lits->bytes, s.data, s.len);
            lits->n++;
            sl_buf_free(&s);
            sl_buf_append(tokens, "S ", 2);
        } else if (is_name(c, 1) || (c >= '0' && c <= '9')) {
            const char *start = x.p;
            while (x.p < x.end && (is_name((unsigned char)*x.p, 0) || *x.p == '.'))
                x.p++;
            sl_buf_append(tokens, start, (size_t)(x.p - start));
            sl_buf_append(tokens, " ", 1);
        } else {
            sl_buf_append(tokens, x.p++, 1);
            sl_buf_append(tokens, " ", 1);
        }
    }
}

static void must_load(const sl_buf_t *script)
{
    lua_State *L = luaL_newstate();
    if (luaL_loadbuffer(L, script->data, script->len, "=generated") != LUA_OK) {
        fprintf(stderr, "the generated script does not load: %s\n", lua_tostring(L, -1));
        abort();
    }
    lua_close(L);
}

static char dir[] = "/tmp/fuzz_wsdl.XXXXXX", path[64];

static void remove_file(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (path[0] == '\0') {
        if (mkdtemp(dir) == NULL)
            abort();
        snprintf(path, sizeof(path), "%s/f.wsdl", dir);
        atexit(remove_file);
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    char err[1024];
    sl_wsdl_opts_t lo = {.offline = 1}; /* never the network */
    sl_wsdl_t *w = sl_wsdl_load_with(path, &lo, err, sizeof(err));
    if (w == NULL)
        return 0;
    literals_t meant = {0}, neutral_meant = {0}, read = {0}, neutral_read = {0};
    sl_buf_t script = {0}, neutral = {0}, tokens = {0}, neutral_tokens = {0};
    sl_wsdl_warnings_t warnings = {0};
    sl_wsdl_script_opts_t o = {.id_element = "RequestId", .warnings = &warnings};
    sl_wsdl_lua_observe(seen, &meant, 0);
    int rc = sl_wsdl_script_write(w, &o, &script, err, sizeof(err));
    sl_wsdl_lua_observe(seen, &neutral_meant, 1);
    int neutral_rc = sl_wsdl_script_write(w, &o, &neutral, err, sizeof(err));
    sl_wsdl_lua_observe(NULL, NULL, 0);
    if (rc != neutral_rc)
        abort();
    if (rc == 0) {
        must_load(&script);
        must_load(&neutral);
        lex(script.data, script.len, &tokens, &read);
        lex(neutral.data, neutral.len, &neutral_tokens, &neutral_read);
        /* every literal reads back as the generator meant it */
        if (read.n != meant.n || read.bytes.len != meant.bytes.len ||
            (meant.bytes.len > 0 && memcmp(read.bytes.data, meant.bytes.data, meant.bytes.len)))
            abort();
        /* and the code around them is the generator's alone */
        if (tokens.len != neutral_tokens.len || neutral_meant.n != meant.n ||
            (tokens.len > 0 && memcmp(tokens.data, neutral_tokens.data, tokens.len) != 0))
            abort();
    }
    sl_buf_free(&meant.bytes);
    sl_buf_free(&neutral_meant.bytes);
    sl_buf_free(&read.bytes);
    sl_buf_free(&neutral_read.bytes);
    sl_buf_free(&script);
    sl_buf_free(&neutral);
    sl_buf_free(&tokens);
    sl_buf_free(&neutral_tokens);
    sl_wsdl_warnings_free(&warnings);
    sl_wsdl_free(w);
    return 0;
}
