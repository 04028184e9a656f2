/*
 * sessions: the session contract of soapload-mock --sessions. Login (User, Password, RequestId)
 * opens a session and answers a token; every other operation must carry a live token in the
 * SOAP header element Token of namespace urn:soapload:session; Logout ends the session. Tokens
 * die after --session-ttl, and on demand earlier (--session-expire-after N calls) or are not
 * given at all (--session-refuse-login N: every Nth login is refused), so that specs can
 * count a client's broken flows against the server's refusals.
 */
#ifndef SOAPLOAD_MOCK_SESSIONS_H
#define SOAPLOAD_MOCK_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#define SL_SESSION_TOKEN_CAP 64 /* a token's bytes at most, the NUL included */
#define SL_SESSION_MAX_OP 64    /* longest operation name counted by name */
#define SL_SESSION_MAX_OPS 32   /* operations counted by name; the rest under "(other)" */

typedef struct {
    double ttl_s;          /* a token's life from its login */
    uint64_t expire_after; /* a token's valid calls before it expires (0: no such limit) */
    uint64_t refuse_login; /* every Nth login is refused (0: none) */
} sl_sessions_config_t;

typedef struct sl_sessions sl_sessions_t;

typedef enum {
    SL_SESSION_LOGIN,
    SL_SESSION_LOGOUT,
    SL_SESSION_OTHER, /* any other operation: it needs a token */
} sl_session_op_kind_t;

/* What a request asks of the sessions, read from its envelope. */
typedef struct {
    sl_session_op_kind_t kind;
    char op[SL_SESSION_MAX_OP + 1]; /* the Body's first element's local name (cut to fit) */
    char token[SL_SESSION_TOKEN_CAP];
    int has_token;   /* a Token header element of the session namespace, short enough */
    int from_cookie; /* no Token header: the token came from the cookie SLSESSION */
} sl_session_call_t;

/* The counters at one instant. */
typedef struct {
    uint64_t logins, logins_refused, logouts, active, calls, refused;
    uint64_t by_cookie; /* valid calls and logouts whose token came from the cookie */
    int nops;
    char op_names[SL_SESSION_MAX_OPS + 1][SL_SESSION_MAX_OP + 1];
    uint64_t op_calls[SL_SESSION_MAX_OPS + 1]; /* valid-token calls per operation */
} sl_sessions_snapshot_t;

/** Creates an empty session table. Returns NULL when out of memory. */
sl_sessions_t *sl_sessions_create(const sl_sessions_config_t *cfg);
void sl_sessions_destroy(sl_sessions_t *st);

/** Reads the operation and token of a well-formed SOAP envelope. Returns 0, or -1 when it has
 * no Body with an element in it. */
int sl_sessions_read_call(const char *doc, size_t len, sl_session_call_t *call);

/** The cookie that carries a token: Login's answer sets it (Set-Cookie: SLSESSION=<token>;
 * Path=/), and a call without the Token header may carry the token in it. */
#define SL_SESSION_COOKIE "SLSESSION"
/** Takes the token of call (which has none) from the value of a Cookie header (name=value
 * pairs split by "; "). Returns 1 when it found one, else 0. */
int sl_sessions_cookie_token(const char *cookie, size_t len, sl_session_call_t *call);

/** Opens a session at `now_s` (a monotonic clock in seconds) and writes its token. Returns 0,
 * or -1 when the login is refused (--session-refuse-login). */
int sl_sessions_login(sl_sessions_t *st, double now_s, char token[SL_SESSION_TOKEN_CAP]);

/** Uses the call's token at now_s: a Logout ends its session, another operation counts as a
 * call of that operation. Returns 0, or -1 when the token is missing, unknown, ended or
 * expired (counted as refused). */
int sl_sessions_use(sl_sessions_t *st, const sl_session_call_t *call, double now_s);

/** Reads every counter; `active` counts the sessions neither ended nor expired at now_s. */
void sl_sessions_read(sl_sessions_t *st, double now_s, sl_sessions_snapshot_t *s);
/** Renders a snapshot as the JSON object of /stats's "sessions"; returns its length (0 when
 * cap is too small). */
size_t sl_sessions_json(const sl_sessions_snapshot_t *s, char *buf, size_t cap);
/** Zeroes the counters (the sessions stay open). */
void sl_sessions_reset(sl_sessions_t *st);

#endif
