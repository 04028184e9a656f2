/*
 * sessions: a table of sessions indexed by their number, behind one lock (a login or a call
 * holds it for a few hundred nanoseconds; the mock's request costs microseconds). A token is
 * "<number in hex>.<16 random hex digits>": the number finds the session at once, the random
 * part makes a token that was never given unknown. A session costs 32 bytes for the mock's
 * life.
 */
#include "sessions.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/xmltree.h"

typedef struct {
    uint64_t secret;
    double expires_s;
    uint64_t calls;
    int ended; /* logged out */
} session_t;

struct sl_sessions {
    sl_sessions_config_t cfg;
    pthread_mutex_t lock;
    session_t *s;
    size_t n, cap;
    uint64_t rng;
    uint64_t login_attempts; /* for --session-refuse-login, never reset */
    sl_sessions_snapshot_t c;
};

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

sl_sessions_t *sl_sessions_create(const sl_sessions_config_t *cfg)
{
    sl_sessions_t *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    st->cfg = *cfg;
    st->rng = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
    pthread_mutex_init(&st->lock, NULL);
    return st;
}

void sl_sessions_destroy(sl_sessions_t *st)
{
    if (st == NULL)
        return;
    pthread_mutex_destroy(&st->lock);
    free(st->s);
    free(st);
}

int sl_sessions_read_call(const char *doc, size_t len, sl_session_call_t *call)
{
    char err[160];
    memset(call, 0, sizeof(*call));
    sl_xtree_t *t = sl_xtree_parse(doc, len, err, sizeof(err));
    if (t == NULL)
        return -1;
    const sl_xnode_t *root = sl_xtree_root(t);
    const sl_xnode_t *body = sl_xnode_child(root, root->ns, "Body");
    const sl_xnode_t *op = body != NULL ? sl_xnode_child(body, NULL, NULL) : NULL;
    if (op == NULL) {
        sl_xtree_free(t);
        return -1;
    }
    snprintf(call->op, sizeof(call->op), "%s", op->local);
    call->kind = strcmp(op->local, "Login") == 0    ? SL_SESSION_LOGIN
                 : strcmp(op->local, "Logout") == 0 ? SL_SESSION_LOGOUT
                                                    : SL_SESSION_OTHER;
    const sl_xnode_t *header = sl_xnode_child(root, root->ns, "Header");
    const sl_xnode_t *tok =
        header != NULL ? sl_xnode_child(header, "urn:soapload:session", "Token") : NULL;
    if (tok != NULL && tok->text_len < SL_SESSION_TOKEN_CAP) {
        memcpy(call->token, tok->text, tok->text_len);
        call->token[tok->text_len] = '\0';
        call->has_token = 1;
    }
    sl_xtree_free(t);
    return 0;
}

int sl_sessions_cookie_token(const char *cookie, size_t len, sl_session_call_t *call)
{
    static const char name[] = SL_SESSION_COOKIE "=";
    const char *p = cookie, *end = cookie + len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ';'))
            p++;
        const char *stop = memchr(p, ';', (size_t)(end - p));
        if (stop == NULL)
            stop = end;
        size_t n = (size_t)(stop - p);
        if (n > sizeof(name) - 1 && memcmp(p, name, sizeof(name) - 1) == 0 &&
            n - (sizeof(name) - 1) < SL_SESSION_TOKEN_CAP) {
            memcpy(call->token, p + sizeof(name) - 1, n - (sizeof(name) - 1));
            call->token[n - (sizeof(name) - 1)] = '\0';
            call->has_token = call->from_cookie = 1;
            return 1;
        }
        p = stop;
    }
    return 0;
}

int sl_sessions_login(sl_sessions_t *st, double now_s, char token[SL_SESSION_TOKEN_CAP])
{
    int rc = -1;
    pthread_mutex_lock(&st->lock);
    uint64_t k = ++st->login_attempts;
    if (st->cfg.refuse_login > 0 && k % st->cfg.refuse_login == 0) {
        st->c.logins_refused++;
        goto Done;
    }
    if (st->n == st->cap) {
        size_t ncap = st->cap ? st->cap * 2 : 1024;
        session_t *ns = realloc(st->s, ncap * sizeof(*ns));
        if (ns == NULL) { /* out of memory: refused like a login the server cannot take */
            st->c.logins_refused++;
            goto Done;
        }
        st->s = ns;
        st->cap = ncap;
    }
    session_t *s = &st->s[st->n];
    *s = (session_t){.secret = splitmix(&st->rng), .expires_s = now_s + st->cfg.ttl_s};
    snprintf(token, SL_SESSION_TOKEN_CAP, "%" PRIx64 ".%016" PRIx64, (uint64_t)st->n, s->secret);
    st->n++;
    st->c.logins++;
    rc = 0;
Done:
    pthread_mutex_unlock(&st->lock);
    return rc;
}

/* The session a token names, or NULL. */
static session_t *find(sl_sessions_t *st, const char *token)
{
    char *dot;
    unsigned long long n = strtoull(token, &dot, 16);
    if (dot == token || *dot != '.' || n >= st->n || strlen(dot + 1) != 16)
        return NULL;
    char *end;
    unsigned long long secret = strtoull(dot + 1, &end, 16);
    if (*end != '\0' || secret != st->s[n].secret)
        return NULL;
    return &st->s[n];
}

static void count_op(sl_sessions_snapshot_t *c, const char *op)
{
    int i = 0;
    while (i < c->nops && strcmp(c->op_names[i], op) != 0)
        i++;
    if (i == c->nops) {
        if (c->nops == SL_SESSION_MAX_OPS)
            i = SL_SESSION_MAX_OPS; /* (other) */
        else
            c->nops++;
        snprintf(c->op_names[i], sizeof(c->op_names[i]), "%s",
                 i == SL_SESSION_MAX_OPS ? "(other)" : op);
    }
    c->op_calls[i]++;
}

int sl_sessions_use(sl_sessions_t *st, const sl_session_call_t *call, double now_s)
{
    pthread_mutex_lock(&st->lock);
    session_t *s = call->has_token ? find(st, call->token) : NULL;
    int valid = s != NULL && !s->ended && now_s < s->expires_s &&
                (st->cfg.expire_after == 0 || s->calls < st->cfg.expire_after);
    st->c.by_cookie += valid && call->from_cookie;
    if (!valid) {
        st->c.refused++;
    } else if (call->kind == SL_SESSION_LOGOUT) {
        s->ended = 1;
        st->c.logouts++;
    } else {
        s->calls++;
        st->c.calls++;
        count_op(&st->c, call->op);
    }
    pthread_mutex_unlock(&st->lock);
    return valid ? 0 : -1;
}

void sl_sessions_read(sl_sessions_t *st, double now_s, sl_sessions_snapshot_t *out)
{
    pthread_mutex_lock(&st->lock);
    *out = st->c;
    out->active = 0;
    for (size_t i = 0; i < st->n; i++) {
        const session_t *s = &st->s[i];
        out->active += !s->ended && now_s < s->expires_s &&
                       (st->cfg.expire_after == 0 || s->calls < st->cfg.expire_after);
    }
    pthread_mutex_unlock(&st->lock);
}

size_t sl_sessions_json(const sl_sessions_snapshot_t *s, char *buf, size_t cap)
{
    int n = snprintf(
        buf, cap,
        "{\"logins\": %" PRIu64 ", \"logins_refused\": %" PRIu64 ", \"logouts\": %" PRIu64
        ", \"active\": %" PRIu64 ", \"calls\": %" PRIu64 ", \"refused\": %" PRIu64
        ", \"by_cookie\": %" PRIu64 ", \"calls_by_operation\": {",
        s->logins, s->logins_refused, s->logouts, s->active, s->calls, s->refused, s->by_cookie);
    size_t at = n < 0 ? cap : (size_t)n;
    int rows = s->nops + (s->op_calls[SL_SESSION_MAX_OPS] > 0);
    for (int i = 0; i < rows && at < cap; i++) {
        int k = i < s->nops ? i : SL_SESSION_MAX_OPS;
        /* operation names are XML names: nothing in them needs escaping in JSON */
        n = snprintf(buf + at, cap - at, "%s\"%s\": %" PRIu64, i ? ", " : "", s->op_names[k],
                     s->op_calls[k]);
        at = n < 0 ? cap : at + (size_t)n;
    }
    if (at < cap) {
        n = snprintf(buf + at, cap - at, "}}");
        at = n < 0 ? cap : at + (size_t)n;
    }
    return at >= cap ? 0 : at;
}

void sl_sessions_reset(sl_sessions_t *st)
{
    pthread_mutex_lock(&st->lock);
    memset(&st->c, 0, sizeof(st->c));
    pthread_mutex_unlock(&st->lock);
}
