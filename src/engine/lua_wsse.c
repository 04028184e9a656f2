/*
 * lua_wsse: WS-Security header blocks for scripts, as the OASIS UsernameToken Profile 1.1
 * and SOAP Message Security 1.1 define them: soapload.wsse.username_token (PasswordText, or
 * PasswordDigest = Base64(SHA-1(nonce + created + password)) with a fresh 16-byte nonce),
 * soapload.wsse.timestamp (Created/Expires), soapload.wsse.security (the wsse:Security block
 * around them), and the helpers they need: soapload.base64 and soapload.datetime.
 */
#include "engine/lua_wsse.h"

#include <lauxlib.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/soapns.h"
#include "core/xml.h"

#define WSSE_NS SL_WSSE_NS
#define WSU_NS SL_WSU_NS
#define TOKEN_PROFILE                                                                              \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
#define BASE64_BINARY                                                                              \
    "http://docs.oasis-open.org/wss/2004/01/"                                                      \
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary"
#define NONCE_BYTES 16

/* Pushes the Base64 form of s[0..n). */
static void push_base64(lua_State *L, const unsigned char *s, size_t n)
{
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, 4 * ((n + 2) / 3) + 1);
    int len = EVP_EncodeBlock((unsigned char *)out, s, (int)n);
    luaL_pushresultsize(&b, (size_t)len);
}

/* soapload.base64(s) */
static int l_base64(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    push_base64(L, (const unsigned char *)s, n);
    return 1;
}

/* Pushes an xsd:dateTime in UTC with milliseconds for `epoch` seconds. */
static void push_datetime(lua_State *L, double epoch)
{
    char buf[64], day[32];
    time_t secs = (time_t)floor(epoch);
    unsigned ms = (unsigned)((epoch - floor(epoch)) * 1000) % 1000;
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, sizeof(buf), "%s.%03uZ", day, ms);
    lua_pushstring(L, buf);
}

static double now_epoch(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* soapload.datetime([epoch seconds]): an xsd:dateTime in UTC, now by default. */
static int l_datetime(lua_State *L)
{
    push_datetime(L, luaL_optnumber(L, 1, now_epoch()));
    return 1;
}

/* soapload.wsse.digest(nonce, created, password): Base64(SHA-1(nonce .. created .. password)),
 * with the raw nonce bytes. */
static int l_digest(lua_State *L)
{
    size_t ln, lc, lp;
    const char *nonce = luaL_checklstring(L, 1, &ln);
    const char *created = luaL_checklstring(L, 2, &lc);
    const char *password = luaL_checklstring(L, 3, &lp);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, nonce, ln) == 1 && EVP_DigestUpdate(ctx, created, lc) == 1 &&
             EVP_DigestUpdate(ctx, password, lp) == 1 && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return luaL_error(L, "SHA-1 is not available");
    push_base64(L, md, mdlen);
    return 1;
}

/* Appends <tag>escaped text</tag>. */
static void element(luaL_Buffer *b, const char *tag, const char *attrs, const char *text,
                    size_t len)
{
    luaL_addchar(b, '<');
    luaL_addstring(b, tag);
    luaL_addstring(b, attrs);
    luaL_addchar(b, '>');
    size_t need = sl_xml_escaped_len(text, len);
    sl_xml_escape(text, len, luaL_prepbuffsize(b, need));
    luaL_addsize(b, need);
    luaL_addstring(b, "</");
    luaL_addstring(b, tag);
    luaL_addchar(b, '>');
}

/* A string field of the options table at index 1, or NULL. The value stays on the stack, so
 * that the string stays valid. */
static const char *opt_field(lua_State *L, const char *name, size_t *len)
{
    lua_getfield(L, 1, name);
    if (lua_isnil(L, -1))
        return NULL;
    const char *s = lua_tolstring(L, -1, len);
    if (s == NULL)
        luaL_error(L, "wsse.username_token: %s must be a string", name);
    return s;
}

/* soapload.wsse.username_token{user=, password=, digest=true, nonce=, created=}: a
 * wsse:UsernameToken element. */
static int l_username_token(lua_State *L)
{
    size_t lu = 0, lp = 0, ln = 0, lc = 0, ld = 0, l64 = 0;
    const char *d = NULL, *n64 = NULL;
    unsigned char fresh[NONCE_BYTES];
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *user = opt_field(L, "user", &lu);
    const char *password = opt_field(L, "password", &lp);
    const char *nonce = opt_field(L, "nonce", &ln);
    const char *created = opt_field(L, "created", &lc);
    lua_getfield(L, 1, "digest");
    int digest = lua_isnil(L, -1) || lua_toboolean(L, -1);
    if (user == NULL || password == NULL)
        return luaL_error(L, "wsse.username_token needs user and password");
    if (digest && nonce == NULL) {
        if (RAND_bytes(fresh, sizeof(fresh)) != 1)
            return luaL_error(L, "no random bytes for a nonce");
        lua_pushlstring(L, (const char *)fresh, sizeof(fresh));
        nonce = lua_tolstring(L, -1, &ln);
    }
    if (created == NULL) {
        push_datetime(L, now_epoch());
        created = lua_tolstring(L, -1, &lc);
    }
    if (digest) { /* made before the buffer starts: it owns the top of the stack */
        lua_pushcfunction(L, l_digest);
        lua_pushlstring(L, nonce, ln);
        lua_pushlstring(L, created, lc);
        lua_pushlstring(L, password, lp);
        lua_call(L, 3, 1);
        d = lua_tolstring(L, -1, &ld);
        push_base64(L, (const unsigned char *)nonce, ln);
        n64 = lua_tolstring(L, -1, &l64);
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "<wsse:UsernameToken xmlns:wsse=\"" WSSE_NS "\" xmlns:wsu=\"" WSU_NS "\">");
    element(&b, "wsse:Username", "", user, lu);
    if (digest) {
        element(&b, "wsse:Password", " Type=\"" TOKEN_PROFILE "#PasswordDigest\"", d, ld);
        element(&b, "wsse:Nonce", " EncodingType=\"" BASE64_BINARY "\"", n64, l64);
    } else {
        element(&b, "wsse:Password", " Type=\"" TOKEN_PROFILE "#PasswordText\"", password, lp);
    }
    element(&b, "wsu:Created", "", created, lc);
    luaL_addstring(&b, "</wsse:UsernameToken>");
    luaL_pushresult(&b);
    return 1;
}

/* soapload.wsse.timestamp(ttl [, created epoch]): a wsu:Timestamp valid for ttl seconds. */
static int l_timestamp(lua_State *L)
{
    double ttl = luaL_checknumber(L, 1), at = luaL_optnumber(L, 2, now_epoch());
    luaL_argcheck(L, ttl > 0, 1, "the time to live must be above 0 seconds");
    push_datetime(L, at);
    push_datetime(L, at + ttl);
    lua_pushfstring(L,
                    "<wsu:Timestamp xmlns:wsu=\"" WSU_NS "\"><wsu:Created>%s</wsu:Created>"
                    "<wsu:Expires>%s</wsu:Expires></wsu:Timestamp>",
                    lua_tostring(L, -2), lua_tostring(L, -1));
    return 1;
}

/* soapload.wsse.security(block, ...): the wsse:Security header block around the given blocks,
 * marked mustUnderstand (the envelope built-in's prefix is soap). */
static int l_security(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "<wsse:Security xmlns:wsse=\"" WSSE_NS "\" xmlns:wsu=\"" WSU_NS
                       "\" soap:mustUnderstand=\"1\">");
    for (int i = 1; i <= n; i++) {
        luaL_checkstring(L, i);
        lua_pushvalue(L, i);
        luaL_addvalue(&b);
    }
    luaL_addstring(&b, "</wsse:Security>");
    luaL_pushresult(&b);
    return 1;
}

void sl_lua_wsse_register(lua_State *L)
{
    static const luaL_Reg wsse[] = {{"username_token", l_username_token},
                                    {"timestamp", l_timestamp},
                                    {"security", l_security},
                                    {"digest", l_digest},
                                    {NULL, NULL}};
    luaL_newlib(L, wsse);
    lua_setfield(L, -2, "wsse");
    lua_pushcfunction(L, l_base64);
    lua_setfield(L, -2, "base64");
    lua_pushcfunction(L, l_datetime);
    lua_setfield(L, -2, "datetime");
}
