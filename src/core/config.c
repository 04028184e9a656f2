/*
 * config: the option table, the defaults, one parser per option, and the checks of the
 * settings together. Strings are copied: the config owns everything it points to but argv.
 */
#include "core/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/duration.h"
#include "core/nearest.h"
#include "core/scenario.h"
#include "core/segment.h"

_Static_assert(SL_OPT_WSSE_SIGN_PART - SL_OPT_WSSE_SIGN_CERT == SL_WSSE_SET_SIGN_PART,
               "the WS-Security options are in sl_wsse_set_t's order");

static const sl_option_t options[SL_OPT_COUNT] = {
    {SL_OPT_URL, "url", 'u', "url", "URL", "endpoint (http or https)"},
    {SL_OPT_RATE, "rate", 'R', "rate", "N",
     "target requests per second in all (open model); A:B ramps\n"
     "linearly from A/s to B/s over --duration"},
    {SL_OPT_CLOSED, "closed", 0, NULL, NULL,
     "closed model instead: each connection sends again as soon\n"
     "as its response is in (as wrk does)"},
    {SL_OPT_MODEL, NULL, 0, "model", NULL,
     "\"open\" (the default) or \"closed\": in a script only;\n"
     "--rate and --closed choose the model on the command line"},
    {SL_OPT_BURST, "burst", 0, "burst", "N",
     "open model: send the requests in groups of N due at the\n"
     "same instant, at the same average rate (1: uniform)"},
    {SL_OPT_SEND_WINDOW, "send-window", 0, "send_window", "T",
     "open model: wake to send only every T on the run's\n"
     "timeline (e.g. 500us, 1ms; at most 10ms, dividing 1s;\n"
     "0: off, the default): each request goes out at the first\n"
     "multiple of T at or after its due time, up to T late and\n"
     "never early, to save the client CPU of a wake-up per request"},
    {SL_OPT_ARRIVAL, "arrival", 0, "arrival", "KIND",
     "open model: uniform (the default) or poisson arrivals,\n"
     "drawn from the run's seed (the same schedule per seed)"},
    {SL_OPT_STAGES, NULL, 0, "stages", NULL,
     "a load shape, in a script only: {{duration = \"30s\",\n"
     "target = 100}, ...}: the open model ramps its rate\n"
     "linearly from --rate (else 0) to each target; the closed\n"
     "model its connections (connections =) from -c (else 0);\n"
     "the run lasts the sum of the stages"},
    {SL_OPT_THINK, "think", 0, "think", "T|DIST",
     "closed model: pause between a connection's requests: T,\n"
     "uniform:MIN,MAX, exp:MEAN or normal:MEAN,SD"},
    {SL_OPT_DURATION, "duration", 'd', "duration", "T",
     "how long to send, e.g. 10s, 500ms, 2m (default 10s)"},
    {SL_OPT_CONNECTIONS, "connections", 'c', "connections", "N",
     "connections in all, split over the workers (default 100)"},
    {SL_OPT_WORKERS, "workers", 'w', "workers", "N", "worker processes (default: online CPUs)"},
    {SL_OPT_TIMEOUT, "timeout", 't', "timeout", "T", "per-request timeout (default 5s)"},
    {SL_OPT_GRACE, "grace", 0, "grace", "T",
     "with soapload.flows: how long flows under way may go on\n"
     "after sending stops (default 5s; 0: none); then they\n"
     "count as interrupted at their step"},
    {SL_OPT_HEADER, "header", 'H', "headers", "'N: V'", "extra request header (repeatable)"},
    {SL_OPT_SOAP, "soap", 0, "soap_version", "1.1|1.2",
     "SOAP version of the default envelope and headers (1.1)"},
    {SL_OPT_ID_ELEMENT, "id-element", 0, "id_element", "NAME",
     "element that carries the ID in responses (RequestId)"},
    {SL_OPT_VALIDATE, "validate", 0, "validate", "schema[:N%]",
     "validate each response body (or N% of them) against\n"
     "--schema: a violation fails as schema (docs/wsdl.md)"},
    {SL_OPT_SCHEMA, "schema", 0, "schema", "FILE",
     "the schema --validate uses: an XSD, or a WSDL (its types);\n"
     "a file (in a script: from the script's folder) or a URL"},
    {SL_OPT_CATALOG, "catalog", 0, "catalog", "FILE",
     "an OASIS XML catalog mapping the URLs the schema imports\n"
     "to local copies (in a script: from the script's folder)"},
    {SL_OPT_OFFLINE, "offline", 0, "offline", NULL,
     "read the schema and its imports from files only: fetch\n"
     "nothing over the network"},
    {SL_OPT_OPERATIONS, NULL, 0, "operations", NULL,
     "named operations, each with a weight, its own request()\n"
     "and response(), SOAPAction, path and headers: a list of\n"
     "{name=, weight=, request=, ...}; in a script only"},
    {SL_OPT_SEED, "seed", 0, "seed", "N",
     "seed of the workers' math.random (default: a new one per\n"
     "run, printed in the summary); worker w uses N + w"},
    {SL_OPT_SEGMENT, "segment", 0, "segment", "I/N",
     "take segment I (0 to N-1) of the schedule split over N\n"
     "processes: global request k goes to segment k mod N;\n"
     "IDs become S<I>-P<pid>-R<seq>"},
    {SL_OPT_START_AT, "start-at", 0, NULL, "TIME",
     "start the schedule at TIME (RFC 3339 with a zone, or epoch\n"
     "seconds), at most 24 h ahead; the clock offset against\n"
     "the server is measured before and reported"},
    {SL_OPT_MAX_BODY, "max-body", 0, NULL, "SIZE", "largest response body accepted (default 4m)"},
    {SL_OPT_LUA_MEMORY, "lua-memory", 0, NULL, "SIZE",
     "memory a worker's Lua state may use (default 64m)"},
    {SL_OPT_HOOK_LIMIT, "hook-limit", 0, NULL, "T", "longest one hook call may run (default 1s)"},
    {SL_OPT_INSECURE, "insecure", 'k', "insecure", NULL,
     "https: do not verify the server's certificate nor its\n"
     "name (the summary warns)"},
    {SL_OPT_CACERT, "cacert", 0, "cacert", "FILE",
     "https: trust the CA certificates in FILE (PEM)"},
    {SL_OPT_CAPATH, "capath", 0, "capath", "DIR",
     "https: trust the CA certificates in DIR (c_rehash)"},
    {SL_OPT_CERT, "cert", 0, "cert", "FILE", "https: client certificate for mutual TLS (PEM)"},
    {SL_OPT_KEY, "key", 0, "key", "FILE", "https: the client certificate's private key (PEM)"},
    {SL_OPT_KEY_PASSWORD_ENV, "key-password-env", 0, "key_password_env", "NAME",
     "the key's password is in environment variable NAME"},
    {SL_OPT_KEY_PASSWORD_FILE, "key-password-file", 0, "key_password_file", "FILE",
     "the key's password is the first line of FILE"},
    {SL_OPT_TLS_MIN, "tls-min", 0, "tls_min", "1.2|1.3", "https: the lowest TLS version accepted"},
    {SL_OPT_RESOLVE, "resolve", 0, "resolve", "HOST:PORT:ADDR",
     "connect to ADDR for HOST:PORT (name-based virtual hosts;\n"
     "repeatable)"},
    {SL_OPT_HTTP, "http", 0, "http", "1.1|2",
     "HTTP version (default 1.1); 2: HTTP/2, by ALPN over\n"
     "https, h2c over plain http"},
    {SL_OPT_STREAMS, "streams", 0, "streams", "N",
     "--http 2: requests in flight per connection (default 1)"},
    {SL_OPT_AUTH, "auth", 0, "auth", "METHOD",
     "HTTP authentication: basic, digest, ntlm or negotiate"},
    {SL_OPT_USER, "user", 0, "user", "NAME",
     "user name for --auth (basic when --auth is not given)"},
    {SL_OPT_PASSWORD_ENV, "password-env", 0, "password_env", "NAME",
     "the password is in environment variable NAME"},
    {SL_OPT_PASSWORD_FILE, "password-file", 0, "password_file", "FILE",
     "the password is the first line of FILE (never on the\n"
     "command line: it would show in ps)"},
    {SL_OPT_WSSE_SIGN_CERT, "wsse-sign-cert", 0, "wsse_sign_cert", "FILE",
     "sign every request (WS-Security X.509) with this\n"
     "certificate (PEM)"},
    {SL_OPT_WSSE_SIGN_KEY, "wsse-sign-key", 0, "wsse_sign_key", "FILE",
     "the signing key: PEM, or PKCS#12 with the certificate"},
    {SL_OPT_WSSE_SIGN_KEY_PASSWORD_ENV, "wsse-sign-key-password-env", 0,
     "wsse_sign_key_password_env", "NAME", "its password is in environment variable NAME"},
    {SL_OPT_WSSE_SIGN_KEY_PASSWORD_FILE, "wsse-sign-key-password-file", 0,
     "wsse_sign_key_password_file", "FILE", "its password is the first line of FILE"},
    {SL_OPT_WSSE_SIGN_ALG, "wsse-sign-alg", 0, "wsse_sign_alg", "ALG",
     "rsa-sha256, rsa-sha1 (SHA-1 digests too, for old\n"
     "stacks) or ecdsa-sha256; default: by the key"},
    {SL_OPT_WSSE_KEY_REF, "wsse-key-ref", 0, "wsse_key_ref", "REF",
     "how the signature names the key: bst (a reference to\n"
     "the BinarySecurityToken, default), issuer-serial or ski"},
    {SL_OPT_WSSE_TTL, "wsse-ttl", 0, "wsse_ttl", "T",
     "the signed Timestamp's lifetime (default 300s)"},
    {SL_OPT_WSSE_VERIFY_CERT, "wsse-verify-cert", 0, "wsse_verify_cert", "FILE",
     "verify each response's WS-Security X.509 signature with\n"
     "this PEM certificate; a bad or missing one fails as\n"
     "signature"},
    {SL_OPT_WSSE_VERIFY_CA, "wsse-verify-ca", 0, "wsse_verify_ca", "FILE",
     "or verify it with the key of its BinarySecurityToken,\n"
     "whose certificate must chain to this PEM CA"},
    {SL_OPT_WSSE_ENCRYPT_CERT, "wsse-encrypt-cert", 0, "wsse_encrypt_cert", "FILE",
     "encrypt each request's Body to this PEM certificate's RSA\n"
     "key after signing (EncryptedKey in wsse:Security)"},
    {SL_OPT_WSSE_ENCRYPT_ALG, "wsse-encrypt-alg", 0, "wsse_encrypt_alg", "ALG",
     "the Body's cipher: aes256-gcm (default) or aes128-cbc"},
    {SL_OPT_WSA, "wsa", 0, "wsa", NULL,
     "WS-Addressing headers on every request: Action,\n"
     "MessageID urn:soapload:ID, To, ReplyTo anonymous (signed\n"
     "with the rest under --wsse-sign-key)"},
    {SL_OPT_WSA_ACTION, "wsa-action", 0, "wsa_action", "URI",
     "--wsa's Action (default: the request's SOAP action)"},
    {SL_OPT_WSSE_SIGN_PART, "wsse-sign-part", 0, "wsse_sign_parts", "PART",
     "sign this header element too: {namespace}LocalName,\n"
     "LocalName or #Id, its wsu:Id (repeatable; a list in a\n"
     "script)"},
    {SL_OPT_JSON, "json", 0, NULL, "FILE", "write the results as JSON (schema soapload-results/1)"},
    {SL_OPT_TRACE, "trace", 0, NULL, "FILE", "write one CSV line per scheduled request"},
    {SL_OPT_HTML, "html", 0, NULL, "FILE", "write a self-contained HTML report with charts"},
    {SL_OPT_JSON_TO, "json-to", 0, NULL, "URL",
     "at the end, POST the results JSON to URL (soapload merge\n"
     "--listen); retried; exit code 4 when it fails"},
    {SL_OPT_JSON_TO_TOKEN_FILE, "json-to-token-file", 0, NULL, "FILE",
     "--json-to sends 'Authorization: Bearer TOKEN', TOKEN the\n"
     "first line of FILE"},
    {SL_OPT_JSON_TO_RETRY, "json-to-retry", 0, NULL, "T",
     "retry a failed --json-to for up to T (default 1m; 0: once)"},
    {SL_OPT_JUNIT, "junit", 0, NULL, "FILE",
     "write a JUnit XML report for CI: a test case per\n"
     "threshold, per operation, for the run's accounting"},
    {SL_OPT_THRESHOLD, "threshold", 0, "thresholds", "EXPR",
     "pass/fail criterion, e.g. 'p99 < 50ms', 'error_rate < 1%',\n"
     "'rate >= 995' (repeatable; exit code 3 when one fails)"},
    {SL_OPT_ABORT_ON_FAIL, "abort-on-fail", 0, "abort_on_fail", "T",
     "stop sending once a threshold of the whole run has failed\n"
     "for T (whole seconds; 0s: at the first failing second),\n"
     "evaluated each second on the results so far; the rest of\n"
     "the schedule is not sent (aborted), exit code 3"},
    {SL_OPT_PROGRESS, "progress", 0, NULL, "WHEN",
     "live progress on stderr: auto (a terminal), always, never"},
    {SL_OPT_METRICS, "metrics", 0, NULL, "ADDR:PORT",
     "serve live counters and latency histograms at\n"
     "http://ADDR:PORT/metrics (Prometheus or OpenMetrics\n"
     "text) during the run, e.g. 127.0.0.1:9464 or [::1]:9464;\n"
     "port 0 picks a free one and prints it"},
    {SL_OPT_METRICS_LINGER, "metrics-linger", 0, NULL, "T",
     "keep serving /metrics this long after the summary, for a\n"
     "last scrape (default 5s; 0: stop at once)"},
    {SL_OPT_QUIET, "quiet", 'q', NULL, NULL, "print only the summary"},
    {SL_OPT_DRY_RUN, "dry-run", 0, NULL, "[N]",
     "send nothing: run init() and request() for the first N\n"
     "requests (default 3), print them, check each body is a\n"
     "SOAP envelope of the run's version; exit 0, or 2"},
    {SL_OPT_HELP, "help", 'h', NULL, NULL, "show this help"},
    {SL_OPT_VERSION, "version", 'V', NULL, NULL, "show the version"},
};

const sl_option_t *sl_config_options(void)
{
    return options;
}

const sl_option_t *sl_config_by_script_name(const char *name)
{
    for (int i = 0; i < SL_OPT_COUNT; i++)
        if (options[i].script != NULL && strcmp(options[i].script, name) == 0)
            return &options[i];
    return NULL;
}

void sl_config_init(sl_config_t *cfg)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    memset(cfg, 0, sizeof(*cfg));
    cfg->duration_ns = 10000000000ULL;
    cfg->connections = 100;
    cfg->workers = cpus > 0 ? (int)cpus : 1;
    cfg->timeout_ns = 5000000000ULL;
    cfg->grace_ns = 5000000000ULL;
    cfg->soap_version = 11;
    cfg->burst = 1;
    cfg->max_body = 4 << 20;
    cfg->id_element = strdup("RequestId");
    cfg->lua_memory = 64 << 20;
    sl_wsse_opts_init(&cfg->wsse);
    cfg->hook_limit_ns = 1000000000ULL;
    cfg->metrics_linger_ns = SL_METRICS_LINGER_DEFAULT_NS;
    cfg->json_to_retry_ns = SL_JSON_TO_RETRY_DEFAULT_NS;
    cfg->streams = 1;
}

void sl_config_free(sl_config_t *cfg)
{
    free(cfg->url);
    free(cfg->id_element);
    free(cfg->schema_path);
    free(cfg->catalog);
    free(cfg->json_path);
    free(cfg->trace_path);
    free(cfg->html_path);
    free(cfg->json_to);
    free(cfg->json_to_token_file);
    free(cfg->junit_path);
    free(cfg->metrics_addr);
    char *strs[] = {cfg->cacert, cfg->capath,           cfg->cert,
                    cfg->key,    cfg->key_password_env, cfg->key_password_file,
                    cfg->user,   cfg->password_env,     cfg->password_file};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(strs[i]);
    sl_wsse_opts_free(&cfg->wsse);
    for (int i = 0; i < cfg->nresolve; i++)
        free(cfg->resolve[i]);
    for (int i = 0; i < cfg->nheaders; i++)
        free(cfg->headers[i]);
    for (int i = 0; i < cfg->nchecks; i++)
        free(cfg->checks[i]);
    for (int i = 0; i < cfg->nops; i++)
        free(cfg->op_names[i]);
    free(cfg->scenarios);
    free(cfg->flows);
    memset(cfg, 0, sizeof(*cfg));
}

int sl_config_operation(const sl_config_t *cfg, const char *name, size_t len)
{
    for (int i = 0; i < cfg->nops; i++)
        if (strlen(cfg->op_names[i]) == len && memcmp(cfg->op_names[i], name, len) == 0)
            return i;
    return -1;
}

int sl_config_add_operation(sl_config_t *cfg, const char *name, double weight, char *err,
                            size_t errlen)
{
    size_t len = strlen(name);
    if (cfg->nops >= SL_MAX_OPERATIONS) {
        snprintf(err, errlen, "soapload.operations has more than %d operations", SL_MAX_OPERATIONS);
        return -1;
    }
    if (len == 0 || len > 64 ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_-.") != len) {
        snprintf(err, errlen,
                 "soapload.operations[%d].name \"%.80s\" must be 1 to 64 letters, digits, '_', "
                 "'-' or '.'",
                 cfg->nops + 1, name);
        return -1;
    }
    if (sl_config_operation(cfg, name, len) >= 0) {
        snprintf(err, errlen, "soapload.operations[%d]: the name %s is used twice", cfg->nops + 1,
                 name);
        return -1;
    }
    if (!(weight >= 0) || !isfinite(weight)) {
        snprintf(err, errlen, "soapload.operations[%d] (%s): weight must be a number >= 0",
                 cfg->nops + 1, name);
        return -1;
    }
    if ((cfg->op_names[cfg->nops] = strdup(name)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cfg->op_weights[cfg->nops++] = weight;
    return 0;
}

/* ---- parsers of single values ----------------------------------------------------------- */

/* "0", "0ms", "0.0us"...: a zero duration, which sl_duration_parse refuses. */
static int is_zero_duration(const char *s)
{
    char *end;
    if (s[0] < '0' || s[0] > '9' || strtod(s, &end) != 0)
        return 0;
    return strcmp(end, "") == 0 || strcmp(end, "us") == 0 || strcmp(end, "ms") == 0 ||
           strcmp(end, "s") == 0;
}

static int parse_count(const char *s, long max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < 1 || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_rate(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v) || v <= 0 || v > SL_MAX_RATE)
        return -1;
    *out = v;
    return 0;
}

/* Whether each number in s is followed by a unit: a bare number is milliseconds in a delay but
 * seconds in --duration, so a think time asks for the unit. */
static int every_number_has_unit(const char *s)
{
    for (size_t i = 0; s[i] != '\0'; i++) {
        int in_number = (s[i] >= '0' && s[i] <= '9') || s[i] == '.';
        int next_in = (s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == '.';
        if (in_number && !next_in && !(s[i + 1] >= 'a' && s[i + 1] <= 'z'))
            return 0;
    }
    return s[0] != '\0';
}

/* "A:B" for a ramp: two rates from 0, not both 0. */
static int parse_ramp(const char *s, double *from, double *to)
{
    char *end;
    double a = strtod(s, &end);
    if (end == s || *end != ':' || !isfinite(a) || a < 0 || a > SL_MAX_RATE)
        return -1;
    const char *second = end + 1;
    double b = strtod(second, &end);
    if (end == second || *end != '\0' || !isfinite(b) || b < 0 || b > SL_MAX_RATE ||
        (a == 0 && b == 0))
        return -1;
    *from = a;
    *to = b;
    return 0;
}

static int parse_seed(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || s[0] == '-' || v == 0 || v > SL_MAX_SEED)
        return -1;
    *out = v;
    return 0;
}

/* "Name: value" with a token for a name and no line break anywhere. */
static int valid_header(const char *h)
{
    const char *colon = strchr(h, ':');
    if (colon == NULL || colon == h)
        return 0;
    for (const char *p = h; p < colon; p++)
        if (*p <= ' ' || *p >= 127)
            return 0;
    return strpbrk(h, "\r\n") == NULL;
}

static int valid_id_element(const char *s)
{
    return s[0] != '\0' && strpbrk(s, " <>&:\"'\t\r\n") == NULL && strlen(s) <= SL_MAX_ID_ELEMENT;
}

/* "IPv4:PORT" or "[IPv6]:PORT", port 0 to 65535: where --metrics listens. A host name is
 * refused: what would listen must not depend on a resolver. */
static int valid_listen_address(const char *s)
{
    char host[INET6_ADDRSTRLEN + 2], bin[sizeof(struct in6_addr)];
    const char *colon = strrchr(s, ':');
    size_t hlen = colon ? (size_t)(colon - s) : 0;
    if (colon == NULL || hlen == 0 || hlen >= sizeof(host) || colon[1] == '\0' ||
        strlen(colon + 1) > 5 || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
        atol(colon + 1) > 65535)
        return 0;
    if (s[0] == '[') {
        if (hlen < 3 || s[hlen - 1] != ']')
            return 0;
        memcpy(host, s + 1, hlen - 2);
        host[hlen - 2] = '\0';
        return inet_pton(AF_INET6, host, bin) == 1;
    }
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    return inet_pton(AF_INET, host, bin) == 1;
}

/* Replaces *slot with a copy of s. */
/* "schema" (every body) or "schema:N%": the share validated. */
static int parse_validate(const char *s, double *pct)
{
    if (strcmp(s, "schema") == 0) {
        *pct = 100;
        return 0;
    }
    char *end;
    if (strncmp(s, "schema:", 7) != 0)
        return -1;
    errno = 0;
    double v = strtod(s + 7, &end);
    if (errno != 0 || end == s + 7 || strcmp(end, "%") != 0 || !(v >= 0.01 && v <= 100))
        return -1;
    *pct = v;
    return 0;
}

static int set_string(char **slot, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

/* Adds a copy of s to a list whose first `*scripted` entries came from the script: a script's
 * entry goes after the script's others and before the flags', which add to them. */
static int add_to_list(char **list, int *n, int *scripted, int cap, const char *s,
                       sl_source_t source)
{
    if (*n == cap)
        return -1;
    char *copy = strdup(s);
    if (copy == NULL)
        return -1;
    int at = source == SL_FROM_SCRIPT ? (*scripted)++ : *n;
    memmove(list + at + 1, list + at, (size_t)(*n - at) * sizeof(*list));
    list[at] = copy;
    (*n)++;
    return 0;
}

/* HOST:PORT:ADDR, as libcurl's CURLOPT_RESOLVE takes it (ADDR may be [v6] or a list). */
static int valid_resolve(const char *s)
{
    const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c1 == NULL || c2 == NULL || c1 == s || c2[1] == '\0' || strpbrk(s, " \t\r\n") != NULL)
        return 0;
    long port = 0;
    for (const char *p = c1 + 1; p < c2; p++) {
        if (*p < '0' || *p > '9' || port > 65535)
            return 0;
        port = port * 10 + (*p - '0');
    }
    return port >= 1 && port <= 65535;
}

/* The transport's options (TLS, HTTP version, authentication). Returns what the value should
 * have been, or NULL. */
static const char *apply_transport(sl_config_t *c, sl_opt_t id, const char *value,
                                   sl_source_t source)
{
    static const char *const auths[] = {"", "basic", "digest", "ntlm", "negotiate"};
    char **strings[SL_OPT_COUNT] = {
        [SL_OPT_CACERT] = &c->cacert,
        [SL_OPT_CAPATH] = &c->capath,
        [SL_OPT_CERT] = &c->cert,
        [SL_OPT_KEY] = &c->key,
        [SL_OPT_KEY_PASSWORD_ENV] = &c->key_password_env,
        [SL_OPT_KEY_PASSWORD_FILE] = &c->key_password_file,
        [SL_OPT_USER] = &c->user,
        [SL_OPT_PASSWORD_ENV] = &c->password_env,
        [SL_OPT_PASSWORD_FILE] = &c->password_file,
    };
    switch (id) {
    case SL_OPT_INSECURE:
        return sl_flag_parse(value, &c->insecure) == 0 ? NULL : "true or false";
    case SL_OPT_TLS_MIN:
        if (strcmp(value, "1.2") == 0 || strcmp(value, "1.3") == 0)
            c->tls_min = strcmp(value, "1.3") == 0 ? 13 : 12;
        else
            return "1.2 or 1.3";
        return NULL;
    case SL_OPT_RESOLVE:
        if (!valid_resolve(value))
            return "HOST:PORT:ADDR, e.g. test.example:443:127.0.0.1";
        if (add_to_list(c->resolve, &c->nresolve, &c->resolve_scripted, SL_MAX_RESOLVE, value,
                        source) != 0)
            return "at most 16 --resolve entries";
        return NULL;
    case SL_OPT_HTTP:
        if (strcmp(value, "1.1") == 0 || strcmp(value, "2") == 0)
            c->http2 = strcmp(value, "2") == 0;
        else
            return "1.1 or 2";
        return NULL;
    case SL_OPT_STREAMS:
        if (parse_count(value, SL_MAX_STREAMS, &c->streams) != 0)
            return "a whole number from 1 to 100";
        return NULL;
    case SL_OPT_AUTH:
        for (int a = SL_AUTH_BASIC; a <= SL_AUTH_NEGOTIATE; a++)
            if (strcmp(value, auths[a]) == 0) {
                c->auth = a;
                return NULL;
            }
        return "basic, digest, ntlm or negotiate";
    default:
        if (value[0] == '\0' || set_string(strings[id], value) != 0)
            return id == SL_OPT_USER ? "a user name"
                   : id == SL_OPT_KEY_PASSWORD_ENV || id == SL_OPT_PASSWORD_ENV
                       ? "the name of an environment variable"
                       : "a file name";
        return NULL;
    }
}

/* The name of an option as the user gave it: its flag or its script setting. */
static void option_name(sl_opt_t id, sl_source_t source, char *buf, size_t cap)
{
    const sl_option_t *o = &options[id];
    if (source == SL_FROM_SCRIPT && o->script != NULL)
        snprintf(buf, cap, "soapload.%s", o->script);
    else
        snprintf(buf, cap, "--%s", o->flag);
}

int sl_config_apply(sl_config_t *cfg, sl_opt_t id, const char *value, sl_source_t source, char *err,
                    size_t errlen)
{
    /* a script's value for an option a flag gave is checked, then dropped */
    sl_config_t scratch;
    int overridden = source == SL_FROM_SCRIPT && sl_optset_has(&cfg->given, id) &&
                     id != SL_OPT_HEADER && id != SL_OPT_THRESHOLD && id != SL_OPT_RESOLVE &&
                     id != SL_OPT_WSSE_SIGN_PART;
    sl_config_t *c = cfg;
    const char *want = NULL;
    if (overridden) {
        sl_config_init(&scratch);
        c = &scratch;
    }
    switch (id) {
    case SL_OPT_URL:
        if (set_string(&c->url, value) != 0)
            want = "a URL";
        break;
    case SL_OPT_RATE:
        c->ramp = strchr(value, ':') != NULL;
        if (c->ramp ? parse_ramp(value, &c->rate, &c->rate_end) != 0
                    : parse_rate(value, &c->rate) != 0)
            want = c->ramp ? "A:B, two rates from 0 to 10000000 requests per second, not both 0"
                           : "a number of requests per second above 0 and at most 10000000";
        break;
    case SL_OPT_CLOSED:
        c->closed = 1;
        break;
    case SL_OPT_MODEL:
        if (strcmp(value, "open") == 0 || strcmp(value, "closed") == 0)
            c->closed = strcmp(value, "closed") == 0;
        else
            want = "\"open\" or \"closed\"";
        break;
    case SL_OPT_BURST:
        if (parse_count(value, SL_MAX_BURST, &c->burst) != 0)
            want = "a whole number from 1 to 100000";
        break;
    case SL_OPT_SEND_WINDOW:
        if (is_zero_duration(value))
            c->send_window_ns = 0;
        else if (sl_duration_parse(value, &c->send_window_ns) != 0 ||
                 c->send_window_ns > SL_MAX_SEND_WINDOW_NS ||
                 1000000000ULL % c->send_window_ns != 0)
            want = "0 (off) or a duration of at most 10ms that divides a second, such as 500us "
                   "or 1ms";
        break;
    case SL_OPT_ARRIVAL:
        if (strcmp(value, "uniform") == 0 || strcmp(value, "poisson") == 0)
            c->arrival = strcmp(value, "poisson") == 0 ? SL_ARRIVAL_POISSON : SL_ARRIVAL_UNIFORM;
        else
            want = "uniform or poisson";
        break;
    case SL_OPT_STAGES: /* a table: the script gives each stage to sl_config_add_stage */
        break;
    case SL_OPT_THINK: {
        char why[256];
        if (!every_number_has_unit(value) ||
            sl_delay_parse(value, &c->think, why, sizeof(why)) != 0)
            want = "T, uniform:MIN,MAX, exp:MEAN or normal:MEAN,SD with durations and their "
                   "units, such as 20ms or 1s, at most 60s";
        else
            c->has_think = 1;
        break;
    }
    case SL_OPT_DURATION:
        if (sl_duration_parse(value, &c->duration_ns) != 0)
            want = "a positive duration such as 10s, 500ms or 2m";
        break;
    case SL_OPT_CONNECTIONS:
        if (parse_count(value, SL_MAX_CONNECTIONS, &c->connections) != 0)
            want = "a whole number from 1 to 100000";
        break;
    case SL_OPT_WORKERS:
        if (parse_count(value, SL_MAX_WORKERS, &c->workers) != 0)
            want = "a whole number from 1 to 1024";
        break;
    case SL_OPT_TIMEOUT:
        if (sl_duration_parse(value, &c->timeout_ns) != 0)
            want = "a positive duration such as 2s or 500ms";
        break;
    case SL_OPT_GRACE:
        if (is_zero_duration(value))
            c->grace_ns = 0;
        else if (sl_duration_parse(value, &c->grace_ns) != 0 || c->grace_ns > 3600000000000ULL)
            want = "0 or a duration of at most 1h, such as 5s or 500ms";
        break;
    case SL_OPT_HEADER:
        if (!valid_header(value))
            want = "'Name: value' (a name without spaces, no line breaks)";
        else if (add_to_list(c->headers, &c->nheaders, &c->headers_scripted, SL_MAX_HEADERS, value,
                             source) != 0)
            want = "at most 64 headers in all";
        break;
    case SL_OPT_SOAP:
        if (strcmp(value, "1.1") == 0 || strcmp(value, "1.2") == 0)
            c->soap_version = strcmp(value, "1.2") == 0 ? 12 : 11;
        else
            want = "1.1 or 1.2";
        break;
    case SL_OPT_ID_ELEMENT:
        if (!valid_id_element(value) || set_string(&c->id_element, value) != 0)
            want = "an XML local name (no prefix, no spaces, at most 64 bytes)";
        break;
    case SL_OPT_VALIDATE:
        if (parse_validate(value, &c->validate_pct) != 0)
            want = "schema, or schema:N% with N from 0.01 to 100";
        break;
    case SL_OPT_SCHEMA:
        if (value[0] == '\0' || set_string(&c->schema_path, value) != 0)
            want = "the path or URL of an XSD or WSDL file";
        break;
    case SL_OPT_CATALOG:
        if (value[0] == '\0' || set_string(&c->catalog, value) != 0)
            want = "the path of an OASIS XML catalog file";
        break;
    case SL_OPT_OFFLINE:
        if (sl_flag_parse(value, &c->offline) != 0)
            want = "true or false";
        break;
    case SL_OPT_SEED:
        if (parse_seed(value, &c->seed) != 0)
            want = "a whole number from 1 to 9007199254740991 (2^53 - 1)";
        break;
    case SL_OPT_SEGMENT:
        if (sl_segment_parse(value, &c->segment, &c->nsegments) != 0)
            want = "I/N: segment I (0 to N-1) of N segments, N at most 100000, e.g. 0/4";
        break;
    case SL_OPT_START_AT: {
        struct timespec now;
        char why[128];
        clock_gettime(CLOCK_REALTIME, &now);
        if (sl_segment_parse_time(value, &c->start_at_us) != 0) {
            want = "a time in RFC 3339 with a zone (2026-11-27T15:30:00Z) or epoch seconds";
        } else if (sl_segment_check_start(c->start_at_us,
                                          (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000, why,
                                          sizeof(why)) != 0) {
            snprintf(err, errlen, "bad value '%s' for --start-at: %s", value, why);
            return -1;
        }
        break;
    }
    case SL_OPT_MAX_BODY:
        if (sl_size_parse(value, &c->max_body) != 0)
            want = "a size such as 64k or 4m";
        break;
    case SL_OPT_LUA_MEMORY:
        if (sl_size_parse(value, &c->lua_memory) != 0 || c->lua_memory < (1 << 20))
            want = "a size of at least 1m";
        break;
    case SL_OPT_HOOK_LIMIT:
        if (sl_duration_parse(value, &c->hook_limit_ns) != 0)
            want = "a positive duration";
        break;
    case SL_OPT_INSECURE:
    case SL_OPT_CACERT:
    case SL_OPT_CAPATH:
    case SL_OPT_CERT:
    case SL_OPT_KEY:
    case SL_OPT_KEY_PASSWORD_ENV:
    case SL_OPT_KEY_PASSWORD_FILE:
    case SL_OPT_TLS_MIN:
    case SL_OPT_RESOLVE:
    case SL_OPT_HTTP:
    case SL_OPT_STREAMS:
    case SL_OPT_AUTH:
    case SL_OPT_USER:
    case SL_OPT_PASSWORD_ENV:
    case SL_OPT_PASSWORD_FILE:
        want = apply_transport(c, id, value, source);
        break;
    case SL_OPT_WSSE_SIGN_CERT:
    case SL_OPT_WSSE_SIGN_KEY:
    case SL_OPT_WSSE_SIGN_KEY_PASSWORD_ENV:
    case SL_OPT_WSSE_SIGN_KEY_PASSWORD_FILE:
    case SL_OPT_WSSE_SIGN_ALG:
    case SL_OPT_WSSE_KEY_REF:
    case SL_OPT_WSSE_TTL:
    case SL_OPT_WSSE_VERIFY_CERT:
    case SL_OPT_WSSE_VERIFY_CA:
    case SL_OPT_WSSE_ENCRYPT_CERT:
    case SL_OPT_WSSE_ENCRYPT_ALG:
    case SL_OPT_WSA:
    case SL_OPT_WSA_ACTION:
    case SL_OPT_WSSE_SIGN_PART:
        want = sl_wsse_opts_set(&c->wsse, (sl_wsse_set_t)(id - SL_OPT_WSSE_SIGN_CERT), value);
        break;
    case SL_OPT_JSON:
        if (set_string(&c->json_path, value) != 0)
            want = "a file name";
        break;
    case SL_OPT_TRACE:
        if (set_string(&c->trace_path, value) != 0)
            want = "a file name";
        break;
    case SL_OPT_HTML:
        if (set_string(&c->html_path, value) != 0)
            want = "a file name";
        break;
    case SL_OPT_JSON_TO:
        if ((strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) ||
            strpbrk(value, " \t\r\n") != NULL || set_string(&c->json_to, value) != 0)
            want = "an http:// or https:// URL";
        break;
    case SL_OPT_JSON_TO_TOKEN_FILE:
        if (set_string(&c->json_to_token_file, value) != 0)
            want = "a file name";
        break;
    case SL_OPT_JSON_TO_RETRY:
        if (strcmp(value, "0") == 0)
            c->json_to_retry_ns = 0;
        else if (sl_duration_parse(value, &c->json_to_retry_ns) != 0 ||
                 c->json_to_retry_ns > 3600000000000ULL)
            want = "a duration from 0 to 1h, such as 1m or 30s";
        break;
    case SL_OPT_JUNIT:
        if (set_string(&c->junit_path, value) != 0)
            want = "a file name";
        break;
    case SL_OPT_THRESHOLD:
        if (add_to_list(c->checks, &c->nchecks, &c->checks_scripted, SL_MAX_CHECKS, value,
                        source) != 0)
            want = "at most 32 thresholds in all";
        break;
    case SL_OPT_ABORT_ON_FAIL:
        c->abort_on_fail = 1;
        if (strcmp(value, "0") == 0 || strcmp(value, "0s") == 0)
            c->abort_after_ns = 0;
        else if (sl_duration_parse(value, &c->abort_after_ns) != 0 ||
                 c->abort_after_ns % 1000000000ULL != 0 || c->abort_after_ns > 86400000000000ULL)
            want = "a whole number of seconds from 0s to 24h, such as 0s or 5s (thresholds are "
                   "evaluated once a second)";
        break;
    case SL_OPT_PROGRESS:
        if (strcmp(value, "auto") == 0)
            c->progress = SL_PROGRESS_AUTO;
        else if (strcmp(value, "always") == 0)
            c->progress = SL_PROGRESS_ALWAYS;
        else if (strcmp(value, "never") == 0)
            c->progress = SL_PROGRESS_NEVER;
        else
            want = "auto, always or never";
        break;
    case SL_OPT_METRICS:
        if (!valid_listen_address(value) || set_string(&c->metrics_addr, value) != 0)
            want = "ADDR:PORT: an IPv4 address or an [IPv6] one in brackets, and a port "
                   "from 0 to 65535 (0: any free port), e.g. 127.0.0.1:9464 or [::1]:9464";
        break;
    case SL_OPT_METRICS_LINGER:
        if (strcmp(value, "0") == 0)
            c->metrics_linger_ns = 0;
        else if (sl_duration_parse(value, &c->metrics_linger_ns) != 0 ||
                 c->metrics_linger_ns > 3600000000000ULL)
            want = "a duration from 0 to 1h, such as 5s or 500ms";
        break;
    case SL_OPT_QUIET:
        c->quiet = 1;
        break;
    case SL_OPT_DRY_RUN:
        if (value == NULL)
            c->dry_run = SL_DRY_RUN_DEFAULT;
        else if (parse_count(value, SL_MAX_DRY_RUN, &c->dry_run) != 0)
            want = "a whole number of requests from 1 to 10000";
        break;
    case SL_OPT_OPERATIONS: /* a table: read by the script (sl_config_add_operation) */
        want = "a list of operation tables";
        break;
    case SL_OPT_HELP:
    case SL_OPT_VERSION:
    case SL_OPT_COUNT:
        break;
    }
    if (overridden)
        sl_config_free(&scratch);
    if (want != NULL) {
        char name[64];
        option_name(id, source, name, sizeof(name));
        snprintf(err, errlen, "bad value '%s' for %s: it wants %s", value ? value : "", name, want);
        return -1;
    }
    if (!overridden)
        sl_optset_add(source == SL_FROM_FLAG ? &cfg->given : &cfg->scripted, id);
    return 0;
}

int sl_config_add_stage(sl_config_t *cfg, const sl_config_stage_t *st, char *err, size_t errlen)
{
    if (cfg->nstages == SL_MAX_STAGES) {
        snprintf(err, errlen, "soapload.stages: at most %d stages", SL_MAX_STAGES);
        return -1;
    }
    cfg->stages[cfg->nstages++] = *st;
    sl_optset_add(&cfg->scripted, SL_OPT_STAGES);
    return 0;
}

/* ---- load shapes ------------------------------------------------------------------------ */

int sl_config_profile(const sl_config_t *cfg, sl_profile_t *p, char *err, size_t errlen)
{
    sl_stage_t st[SL_MAX_STAGES];
    int n = 0;
    double start = cfg->rate;
    if (cfg->scenarios != NULL) /* their rates summed */
        return sl_scenarios_profile(cfg->scenarios, p, err, errlen);
    if (cfg->nstages > 0) {
        if (!sl_config_was_set(cfg, SL_OPT_RATE))
            start = 0;
        for (; n < cfg->nstages; n++)
            st[n] = (sl_stage_t){cfg->stages[n].duration_ns, cfg->stages[n].target};
    } else {
        st[n++] = (sl_stage_t){cfg->duration_ns, cfg->ramp ? cfg->rate_end : cfg->rate};
    }
    return sl_profile_init(p, start, st, n, err, errlen);
}

int sl_config_connections_at(const sl_config_t *cfg, uint64_t t_ns)
{
    if (cfg->nstages == 0)
        return cfg->connections;
    double c0 = cfg->start_connections;
    uint64_t at = 0;
    for (int i = 0; i < cfg->nstages; i++) {
        const sl_config_stage_t *s = &cfg->stages[i];
        if (t_ns < at + s->duration_ns) {
            double f = (double)(t_ns - at) / (double)s->duration_ns;
            return (int)floor(c0 + (s->connections - c0) * f + 1e-9);
        }
        at += s->duration_ns;
        c0 = s->connections;
    }
    return (int)c0;
}

uint64_t sl_config_connections_grow(const sl_config_t *cfg, uint64_t t_ns)
{
    double c0 = cfg->start_connections;
    uint64_t at = 0;
    for (int i = 0; i < cfg->nstages; i++) {
        const sl_config_stage_t *s = &cfg->stages[i];
        uint64_t end = at + s->duration_ns;
        if (end > t_ns && s->connections > c0) {
            uint64_t from = t_ns > at ? t_ns : at;
            int next = sl_config_connections_at(cfg, from) + 1;
            double f = (next - c0) / (s->connections - c0);
            uint64_t when = at + (uint64_t)ceil(f * (double)s->duration_ns);
            if (when <= t_ns)
                when = t_ns + 1;
            if (when < end)
                return when;
            if (end > t_ns)
                return end; /* the last step lands on the stage's end */
        }
        at = end;
        c0 = s->connections;
    }
    return UINT64_MAX;
}

/* Checks soapload.stages against the model: what each stage may hold, and the run's length
 * and the closed model's connections that follow from them. */
static int validate_stages(sl_config_t *cfg, char *err, size_t errlen)
{
    if (cfg->ramp) {
        snprintf(err, errlen,
                 "--rate A:B ramps over --duration: it takes no soapload.stages (give the ramp "
                 "as a stage instead)");
        return -1;
    }
    if (sl_config_was_set(cfg, SL_OPT_DURATION)) {
        snprintf(err, errlen,
                 "soapload.stages sets the run's length (the sum of the stages): it takes no %s",
                 sl_optset_has(&cfg->given, SL_OPT_DURATION) ? "--duration" : "soapload.duration");
        return -1;
    }
    uint64_t total = 0;
    int most = 0;
    for (int i = 0; i < cfg->nstages; i++) {
        sl_config_stage_t *s = &cfg->stages[i];
        if (cfg->closed && s->has_rate) {
            snprintf(err, errlen,
                     "soapload.stages[%d] gives a rate, but the closed model's stages take "
                     "connections = N",
                     i + 1);
            return -1;
        }
        if (!cfg->closed && s->has_connections) {
            snprintf(err, errlen,
                     "soapload.stages[%d] gives connections, but the open model's stages take "
                     "target = requests per second (use --closed or soapload.model = \"closed\")",
                     i + 1);
            return -1;
        }
        if (cfg->closed && s->has_target) { /* a synonym of connections */
            if (s->target != floor(s->target) || s->target > SL_MAX_CONNECTIONS) {
                snprintf(err, errlen,
                         "soapload.stages[%d]: target %g is not a number of connections from 0 "
                         "to %d",
                         i + 1, s->target, SL_MAX_CONNECTIONS);
                return -1;
            }
            s->connections = (int)s->target;
            s->has_connections = 1;
        }
        if (!s->has_target && !s->has_rate && !s->has_connections) {
            snprintf(err, errlen, "soapload.stages[%d] has no %s", i + 1,
                     cfg->closed ? "connections" : "target");
            return -1;
        }
        if (s->connections > most)
            most = s->connections;
        total += s->duration_ns;
    }
    cfg->duration_ns = total;
    if (cfg->closed) {
        int given = sl_config_was_set(cfg, SL_OPT_CONNECTIONS);
        cfg->start_connections = given ? cfg->connections : 0;
        if (cfg->start_connections > most)
            most = cfg->start_connections;
        if (most == 0) {
            snprintf(err, errlen, "soapload.stages never opens a connection: every stage has 0");
            return -1;
        }
        cfg->connections = most;
    }
    return 0;
}

/* ---- the settings together ---------------------------------------------------------------- */

/* Only http and https, with a host and no user:password (which would end up in summaries and
 * in `ps`): everything else is refused before any request. Returns NULL or what is wrong. */
static const char *url_problem(const char *url)
{
    const char *rest;
    if (strncmp(url, "http://", 7) == 0)
        rest = url + 7;
    else if (strncmp(url, "https://", 8) == 0)
        rest = url + 8;
    else
        return "it must start with http:// or https://";
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 127)
            return "it holds a space or a control character";
    const char *end = rest + strcspn(rest, "/?#");
    if (memchr(rest, '@', (size_t)(end - rest)) != NULL)
        return "it holds a user name or password (user:password@host): soapload does not send "
               "credentials from a URL (ps would show them); give --user NAME with "
               "--password-file FILE or --password-env NAME (and --auth METHOD for other than "
               "basic)";
    if (*rest == '\0' || *rest == '/' || *rest == ':' || *rest == '?')
        return "it has no host";
    const char *port = NULL;
    if (*rest == '[') {
        const char *close = memchr(rest, ']', (size_t)(end - rest));
        if (close == NULL)
            return "an IPv6 address must be closed with ']'";
        if (close + 1 < end)
            port = close + 1;
    } else {
        port = memchr(rest, ':', (size_t)(end - rest));
    }
    if (port != NULL) {
        long v = 0;
        if (*port != ':' || port + 1 == end || end - port > 6)
            return "the port must be a number from 1 to 65535";
        for (const char *p = port + 1; p < end; p++) {
            if (*p < '0' || *p > '9')
                return "the port must be a number from 1 to 65535";
            v = v * 10 + (*p - '0');
        }
        if (v < 1 || v > 65535)
            return "the port must be a number from 1 to 65535";
    }
    return NULL;
}

/* A file (or, for a directory, a directory) the run will read, checked before anything is
 * sent. Returns 0, or -1 with err naming the option and the file. */
static int check_readable(const char *path, const char *flag, int directory, char *err,
                          size_t errlen)
{
    struct stat st;
    if (path == NULL)
        return 0;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s %s: %s", flag, path, strerror(errno));
        return -1;
    }
    if (!directory != !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s %s: %s", flag, path,
                 directory ? "not a directory" : "a directory, not a file");
        return -1;
    }
    if (access(path, directory ? R_OK | X_OK : R_OK) != 0) {
        snprintf(err, errlen, "%s %s: %s", flag, path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The transport's settings together: files readable, environment variables set, options that
 * need another one or an https:// URL. */
static int transport_problem(sl_config_t *cfg, char *err, size_t errlen)
{
    const char *tls_flag = cfg->insecure  ? "--insecure"
                           : cfg->cacert  ? "--cacert"
                           : cfg->capath  ? "--capath"
                           : cfg->cert    ? "--cert"
                           : cfg->key     ? "--key"
                           : cfg->tls_min ? "--tls-min"
                                          : NULL;
    if (tls_flag != NULL && strncmp(cfg->url, "https://", 8) != 0) {
        snprintf(err, errlen, "%s applies to https:// URLs only", tls_flag);
        return -1;
    }
    if (check_readable(cfg->cacert, "--cacert", 0, err, errlen) != 0 ||
        check_readable(cfg->capath, "--capath", 1, err, errlen) != 0 ||
        check_readable(cfg->cert, "--cert", 0, err, errlen) != 0 ||
        check_readable(cfg->key, "--key", 0, err, errlen) != 0 ||
        check_readable(cfg->key_password_file, "--key-password-file", 0, err, errlen) != 0 ||
        check_readable(cfg->password_file, "--password-file", 0, err, errlen) != 0)
        return -1;
    const char *envs[2][2] = {{cfg->key_password_env, "--key-password-env"},
                              {cfg->password_env, "--password-env"}};
    for (int i = 0; i < 2; i++)
        if (envs[i][0] != NULL && getenv(envs[i][0]) == NULL) {
            snprintf(err, errlen, "%s %s: no such environment variable", envs[i][1], envs[i][0]);
            return -1;
        }
    if (cfg->key_password_env && cfg->key_password_file) {
        snprintf(err, errlen, "--key-password-env and --key-password-file: give one of them");
        return -1;
    }
    if (cfg->password_env && cfg->password_file) {
        snprintf(err, errlen, "--password-env and --password-file: give one of them");
        return -1;
    }
    if (cfg->key != NULL && cfg->cert == NULL) {
        snprintf(err, errlen, "--key needs --cert: the certificate it belongs to");
        return -1;
    }
    if ((cfg->key_password_env || cfg->key_password_file) && cfg->cert == NULL) {
        snprintf(err, errlen, "a key password needs --cert (and --key)");
        return -1;
    }
    if (cfg->streams > 1 && !cfg->http2) {
        snprintf(err, errlen,
                 "--streams %d needs --http 2: HTTP/1.1 has one request in flight per "
                 "connection",
                 cfg->streams);
        return -1;
    }
    int has_password = cfg->password_env || cfg->password_file;
    if (cfg->user != NULL && cfg->auth == SL_AUTH_NONE)
        cfg->auth = SL_AUTH_BASIC;
    if (has_password && cfg->user == NULL) {
        snprintf(err, errlen, "a password needs --user");
        return -1;
    }
    if (cfg->auth != SL_AUTH_NONE && cfg->auth != SL_AUTH_NEGOTIATE &&
        (cfg->user == NULL || !has_password)) {
        snprintf(err, errlen,
                 "--auth needs --user NAME and its password from --password-env NAME or "
                 "--password-file FILE");
        return -1;
    }
    return 0;
}

int sl_config_validate(sl_config_t *cfg, char *err, size_t errlen)
{
    const sl_optset_t *f = &cfg->given, *s = &cfg->scripted;
    int flag_rate = sl_optset_has(f, SL_OPT_RATE), flag_burst = sl_optset_has(f, SL_OPT_BURST);
    int flag_closed = sl_optset_has(f, SL_OPT_CLOSED) || sl_optset_has(f, SL_OPT_MODEL);
    int script_rate = sl_optset_has(s, SL_OPT_RATE), script_burst = sl_optset_has(s, SL_OPT_BURST);
    int script_closed = sl_optset_has(s, SL_OPT_CLOSED) || sl_optset_has(s, SL_OPT_MODEL);
    int flag_window = sl_optset_has(f, SL_OPT_SEND_WINDOW);
    if (cfg->url == NULL) {
        snprintf(err, errlen, "no URL: set soapload.url in the script or pass --url");
        return -1;
    }
    const char *bad = url_problem(cfg->url);
    if (bad != NULL) {
        /* a URL with credentials is not echoed: the password would land in logs */
        if (strchr(cfg->url, '@') != NULL)
            snprintf(err, errlen, "bad URL: %s", bad);
        else
            snprintf(err, errlen, "bad URL '%s': %s", cfg->url, bad);
        return -1;
    }
    /* The model: within one source, a closed model and a rate or burst contradict each other.
     * Across sources the flags win: -R picks the open model over a script's "closed", and
     * --closed sets a script's rate and burst aside. */
    if (flag_closed && cfg->closed && (flag_rate || flag_burst)) {
        snprintf(err, errlen, "--closed sends as fast as it can: it takes no %s",
                 flag_rate ? "--rate" : "--burst");
        return -1;
    }
    if (flag_rate && !flag_closed)
        cfg->closed = 0;
    if (!flag_closed && script_closed && cfg->closed && (script_rate || script_burst) &&
        !flag_rate) {
        snprintf(err, errlen, "soapload.model is \"closed\", which takes no soapload.%s",
                 script_rate ? "rate" : "burst");
        return -1;
    }
    if (cfg->closed && flag_burst) {
        snprintf(err, errlen,
                 "--burst groups the open model's schedule: the closed model has none");
        return -1;
    }
    if (cfg->closed && cfg->send_window_ns > 0 &&
        (flag_window || (!flag_closed && sl_optset_has(s, SL_OPT_SEND_WINDOW)))) {
        snprintf(err, errlen, "%s batches the open model's schedule: the closed model has none",
                 flag_window ? "--send-window" : "soapload.send_window");
        return -1;
    }
    if (cfg->closed) {
        cfg->burst = 1;
        cfg->send_window_ns = 0;
    }
    if (cfg->nstages > 0 && validate_stages(cfg, err, errlen) != 0)
        return -1;
    if (cfg->closed && cfg->arrival == SL_ARRIVAL_POISSON) {
        snprintf(err, errlen,
                 "poisson arrivals are the open model's: the closed model has no "
                 "schedule (--think paces its connections)");
        return -1;
    }
    if (!cfg->closed && cfg->has_think) {
        snprintf(err, errlen,
                 "%s is the closed model's pause between a connection's requests: "
                 "the open model's schedule sets when requests leave",
                 sl_optset_has(&cfg->given, SL_OPT_THINK) ? "--think" : "soapload.think");
        return -1;
    }
    if (!cfg->closed && (cfg->nstages > 0 || cfg->ramp)) {
        sl_profile_t p;
        char why[200];
        if (sl_config_profile(cfg, &p, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "%s: %s", cfg->ramp ? "--rate" : "soapload.stages", why);
            return -1;
        }
    }
    if (cfg->flows != NULL && cfg->has_think) {
        snprintf(err, errlen,
                 "%s with soapload.flows: a flow's steps have think times of their own "
                 "(steps = {{..., think = \"1s\"}})",
                 sl_optset_has(&cfg->given, SL_OPT_THINK) ? "--think" : "soapload.think");
        return -1;
    }
    if (!cfg->closed && cfg->rate <= 0 && !cfg->ramp && cfg->nstages == 0 &&
        cfg->scenarios == NULL) {
        snprintf(err, errlen,
                 "no rate: set soapload.rate in the script, pass --rate N, or use "
                 "--closed for as fast as possible");
        return -1;
    }
    if (cfg->nsegments > 1) { /* the connections "in all" are split over the segments too */
        if (cfg->connections < cfg->nsegments) {
            snprintf(err, errlen,
                     "%d connection%s for %d segments: each segment needs a connection of its "
                     "own (raise --connections)",
                     cfg->connections, cfg->connections == 1 ? "" : "s", cfg->nsegments);
            return -1;
        }
        cfg->global_connections = cfg->connections;
        cfg->connections = sl_segment_connections(cfg->connections, cfg->segment, cfg->nsegments);
    }
    if (cfg->workers > cfg->connections) {
        if (sl_config_was_set(cfg, SL_OPT_WORKERS)) {
            snprintf(err, errlen,
                     "%d workers but %d connection%s: each worker needs a connection of its "
                     "own (lower --workers or raise --connections)",
                     cfg->workers, cfg->connections, cfg->connections == 1 ? "" : "s");
            return -1;
        }
        cfg->workers = cfg->connections; /* the default, one per CPU, adapts */
    }
    if (cfg->abort_on_fail && cfg->nchecks == 0) {
        snprintf(err, errlen,
                 "--abort-on-fail stops a run on a failed threshold: give one "
                 "with --threshold EXPR");
        return -1;
    }
    if (cfg->validate_pct > 0 && cfg->schema_path == NULL) {
        snprintf(err, errlen,
                 "--validate schema needs the schema: --schema FILE.xsd (or a WSDL), or "
                 "soapload.schema in the script");
        return -1;
    }
    if (transport_problem(cfg, err, errlen) != 0)
        return -1;
    return sl_wsse_opts_check(&cfg->wsse, err, errlen);
}

/* ---- did you mean ----------------------------------------------------------------------- */

const char *sl_config_nearest_setting(const char *name)
{
    const char *names[SL_OPT_COUNT + 1];
    int n = 0;
    for (int i = 0; i < SL_OPT_COUNT; i++)
        if (options[i].script != NULL)
            names[n++] = options[i].script;
    names[n] = NULL;
    return sl_nearest(name, names);
}
