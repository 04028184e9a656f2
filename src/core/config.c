/*
 * config: the option table, where each setting is declared once (its flag, script name, help,
 * parser, bounds and default), and what goes through it: the defaults, the value of a flag or
 * of the script, the names for "did you mean". Strings are copied: the config owns everything
 * it points to but argv.
 */
#include "core/config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config_set.h"
#include "core/nearest.h"
#include "core/segment.h"

_Static_assert(SL_OPT_WSSE_SIGN_PART - SL_OPT_WSSE_SIGN_CERT == SL_WSSE_SET_SIGN_PART,
               "the WS-Security options are in sl_wsse_set_t's order");

#define AT(field) offsetof(sl_config_t, field) /* the field a typed setter fills */

static const sl_option_t options[SL_OPT_COUNT] = {
    {SL_OPT_URL, "url", 'u', "url", "URL", "endpoint (http or https)", .set = sl_config_set_string,
     .field = AT(url), .want = "a URL"},
    {SL_OPT_RATE, "rate", 'R', "rate", "N",
     "target requests per second in all (open model); A:B ramps\n"
     "linearly from A/s to B/s over --duration",
     .set = sl_config_set_rate, .max = SL_MAX_RATE,
     .want = "a number of requests per second above 0 and at most {max}"},
    {SL_OPT_CLOSED, "closed", 0, NULL, NULL,
     "closed model instead: each connection sends again as soon\n"
     "as its response is in (as wrk does)",
     .set = sl_config_set_on, .field = AT(closed)},
    {SL_OPT_MODEL, NULL, 0, "model", NULL,
     "\"open\" (the default) or \"closed\": in a script only;\n"
     "--rate and --closed choose the model on the command line",
     .set = sl_config_set_choice, .field = AT(closed), .choices = "open|closed",
     .want = "\"open\" or \"closed\""},
    {SL_OPT_BURST, "burst", 0, "burst", "N",
     "open model: send the requests in groups of N due at the\n"
     "same instant, at the same average rate (1: uniform)",
     .set = sl_config_set_count, .field = AT(burst), .min = 1, .max = SL_MAX_BURST, .def = "1",
     .want = "a whole number from {min} to {max}"},
    {SL_OPT_SEND_WINDOW, "send-window", 0, "send_window", "T",
     "open model: wake to send only every T on the run's\n"
     "timeline (e.g. 500us, 1ms; at most 10ms, dividing 1s;\n"
     "0: off, the default): each request goes out at the first\n"
     "multiple of T at or after its due time, up to T late and\n"
     "never early, to save the client CPU of a wake-up per request",
     .set = sl_config_set_send_window, .field = AT(send_window_ns), .max = SL_MAX_SEND_WINDOW_NS,
     .want = "0 (off) or a duration of at most {max} that divides a second, such as 500us or 1ms"},
    {SL_OPT_ARRIVAL, "arrival", 0, "arrival", "KIND",
     "open model: uniform (the default) or poisson arrivals,\n"
     "drawn from the run's seed (the same schedule per seed)",
     .set = sl_config_set_choice, .field = AT(arrival), .choices = "uniform|poisson",
     .want = "uniform or poisson"},
    {SL_OPT_STAGES, NULL, 0, "stages", NULL,
     "a load shape, in a script only: {{duration = \"30s\",\n"
     "target = 100}, ...}: the open model ramps its rate\n"
     "linearly from --rate (else 0) to each target; the closed\n"
     "model its connections (connections =) from -c (else 0);\n"
     "the run lasts the sum of the stages",
     .set = NULL}, /* a table: the script gives each stage to sl_config_add_stage */
    {SL_OPT_THINK, "think", 0, "think", "T|DIST",
     "closed model: pause between a connection's requests: T,\n"
     "uniform:MIN,MAX, exp:MEAN or normal:MEAN,SD",
     .set = sl_config_set_think,
     .want = "T, uniform:MIN,MAX, exp:MEAN or normal:MEAN,SD with durations and their units, such "
             "as 20ms or 1s, at most 60s"},
    {SL_OPT_DURATION, "duration", 'd', "duration", "T",
     "how long to send, e.g. 10s, 500ms, 2m (default 10s)", .set = sl_config_set_duration,
     .field = AT(duration_ns), .min = 1, .def = "10s",
     .want = "a positive duration such as 10s, 500ms or 2m"},
    {SL_OPT_CONNECTIONS, "connections", 'c', "connections", "N",
     "connections in all, split over the workers (default 100)", .set = sl_config_set_count,
     .field = AT(connections), .min = 1, .max = SL_MAX_CONNECTIONS, .def = "100",
     .want = "a whole number from {min} to {max}"},
    {SL_OPT_WORKERS, "workers", 'w', "workers", "N", "worker processes (default: online CPUs)",
     .set = sl_config_set_count, .field = AT(workers), .min = 1, .max = SL_MAX_WORKERS,
     .want = "a whole number from {min} to {max}"},
    {SL_OPT_TIMEOUT, "timeout", 't', "timeout", "T", "per-request timeout (default 5s)",
     .set = sl_config_set_duration, .field = AT(timeout_ns), .min = 1, .def = "5s",
     .want = "a positive duration such as 2s or 500ms"},
    {SL_OPT_GRACE, "grace", 0, "grace", "T",
     "with soapload.flows: how long flows under way may go on\n"
     "after sending stops (default 5s; 0: none); then they\n"
     "count as interrupted at their step",
     .set = sl_config_set_duration, .field = AT(grace_ns), .max = SL_MAX_GRACE_NS, .def = "5s",
     .want = "0 or a duration of at most {max}, such as 5s or 500ms"},
    {SL_OPT_HEADER, "header", 'H', "headers", "'N: V'", "extra request header (repeatable)",
     .set = sl_config_set_header, .max = SL_MAX_HEADERS,
     .want = "'Name: value' (a name without spaces, no line breaks)"},
    {SL_OPT_SOAP, "soap", 0, "soap_version", "1.1|1.2",
     "SOAP version of the default envelope and headers (1.1)", .set = sl_config_set_choice,
     .field = AT(soap_version), .min = 11, .choices = "1.1|1.2", .def = "1.1",
     .want = "1.1 or 1.2"},
    {SL_OPT_ID_ELEMENT, "id-element", 0, "id_element", "NAME",
     "element that carries the ID in responses (RequestId)", .set = sl_config_set_id_element,
     .max = SL_MAX_ID_ELEMENT, .def = "RequestId",
     .want = "an XML local name (no prefix, no spaces, at most {max} bytes)"},
    {SL_OPT_VALIDATE, "validate", 0, "validate", "schema[:N%]",
     "validate each response body (or N% of them) against\n"
     "--schema: a violation fails as schema (docs/wsdl.md)",
     .set = sl_config_set_validate, .min = 0.01, .max = 100,
     .want = "schema, or schema:N% with N from {min} to {max}"},
    {SL_OPT_SCHEMA, "schema", 0, "schema", "FILE",
     "the schema --validate uses: an XSD, or a WSDL (its types);\n"
     "a file (in a script: from the script's folder) or a URL",
     .set = sl_config_set_string, .field = AT(schema_path), .min = 1,
     .want = "the path or URL of an XSD or WSDL file"},
    {SL_OPT_CATALOG, "catalog", 0, "catalog", "FILE",
     "an OASIS XML catalog mapping the URLs the schema imports\n"
     "to local copies (in a script: from the script's folder)",
     .set = sl_config_set_string, .field = AT(catalog), .min = 1,
     .want = "the path of an OASIS XML catalog file"},
    {SL_OPT_OFFLINE, "offline", 0, "offline", NULL,
     "read the schema and its imports from files only: fetch\n"
     "nothing over the network",
     .set = sl_config_set_flag, .field = AT(offline), .want = "true or false"},
    {SL_OPT_OPERATIONS, NULL, 0, "operations", NULL,
     "named operations, each with a weight, its own request()\n"
     "and response(), SOAPAction, path and headers: a list of\n"
     "{name=, weight=, request=, ...}; in a script only",
     .set = sl_config_set_none, .want = "a list of operation tables"},
    {SL_OPT_SEED, "seed", 0, "seed", "N",
     "seed of the workers' math.random (default: a new one per\n"
     "run, printed in the summary); worker w uses N + w",
     .set = sl_config_set_seed, .max = SL_MAX_SEED,
     .want = "a whole number from 1 to {max} (2^53 - 1)"},
    {SL_OPT_SEGMENT, "segment", 0, "segment", "I/N",
     "take segment I (0 to N-1) of the schedule split over N\n"
     "processes: global request k goes to segment k mod N;\n"
     "IDs become S<I>-P<pid>-R<seq>",
     .set = sl_config_set_segment, .max = SL_MAX_SEGMENTS,
     .want = "I/N: segment I (0 to N-1) of N segments, N at most {max}, e.g. 0/4"},
    {SL_OPT_START_AT, "start-at", 0, NULL, "TIME",
     "start the schedule at TIME (RFC 3339 with a zone, or epoch\n"
     "seconds), at most 24 h ahead; the clock offset against\n"
     "the server is measured before and reported",
     .set = sl_config_set_start_at,
     .want = "a time in RFC 3339 with a zone (2026-11-27T15:30:00Z) or epoch seconds"},
    {SL_OPT_MAX_BODY, "max-body", 0, NULL, "SIZE", "largest response body accepted (default 4m)",
     .set = sl_config_set_size, .field = AT(max_body), .def = "4m",
     .want = "a size such as 64k or 4m"},
    {SL_OPT_LUA_MEMORY, "lua-memory", 0, NULL, "SIZE",
     "memory a worker's Lua state may use (default 64m)", .set = sl_config_set_size,
     .field = AT(lua_memory), .min = 1 << 20, .def = "64m", .want = "a size of at least {min}"},
    {SL_OPT_HOOK_LIMIT, "hook-limit", 0, NULL, "T", "longest one hook call may run (default 1s)",
     .set = sl_config_set_duration, .field = AT(hook_limit_ns), .min = 1, .def = "1s",
     .want = "a positive duration"},
    {SL_OPT_FAST_PATH, "fast-path", 0, NULL, "on|off",
     "http/1.1, http:// or https://: libcurl opens each\n"
     "connection (and its TLS), soapload writes the requests and\n"
     "reads the answers on it (default on; off: libcurl does\n"
     "all; docs/architecture.md)",
     .set = sl_config_set_flag, .field = AT(fast_path), .def = "on", .want = "on or off"},
    {SL_OPT_INSECURE, "insecure", 'k', "insecure", NULL,
     "https: do not verify the server's certificate nor its\n"
     "name (the summary warns)",
     .set = sl_config_set_flag, .field = AT(insecure), .want = "true or false"},
    {SL_OPT_CACERT, "cacert", 0, "cacert", "FILE", "https: trust the CA certificates in FILE (PEM)",
     .set = sl_config_set_string, .field = AT(cacert), .min = 1, .want = "a file name"},
    {SL_OPT_CAPATH, "capath", 0, "capath", "DIR",
     "https: trust the CA certificates in DIR (c_rehash)", .set = sl_config_set_string,
     .field = AT(capath), .min = 1, .want = "a file name"},
    {SL_OPT_CERT, "cert", 0, "cert", "FILE", "https: client certificate for mutual TLS (PEM)",
     .set = sl_config_set_string, .field = AT(cert), .min = 1, .want = "a file name"},
    {SL_OPT_KEY, "key", 0, "key", "FILE", "https: the client certificate's private key (PEM)",
     .set = sl_config_set_string, .field = AT(key), .min = 1, .want = "a file name"},
    {SL_OPT_KEY_PASSWORD_ENV, "key-password-env", 0, "key_password_env", "NAME",
     "the key's password is in environment variable NAME", .set = sl_config_set_string,
     .field = AT(key_password_env), .min = 1, .want = "the name of an environment variable"},
    {SL_OPT_KEY_PASSWORD_FILE, "key-password-file", 0, "key_password_file", "FILE",
     "the key's password is the first line of FILE", .set = sl_config_set_string,
     .field = AT(key_password_file), .min = 1, .want = "a file name"},
    {SL_OPT_TLS_MIN, "tls-min", 0, "tls_min", "1.2|1.3", "https: the lowest TLS version accepted",
     .set = sl_config_set_choice, .field = AT(tls_min), .min = 12, .choices = "1.2|1.3",
     .want = "1.2 or 1.3"},
    {SL_OPT_RESOLVE, "resolve", 0, "resolve", "HOST:PORT:ADDR",
     "connect to ADDR for HOST:PORT (name-based virtual hosts;\n"
     "repeatable)",
     .set = sl_config_set_resolve, .max = SL_MAX_RESOLVE,
     .want = "HOST:PORT:ADDR, e.g. test.example:443:127.0.0.1"},
    {SL_OPT_HTTP, "http", 0, "http", "1.1|2",
     "HTTP version (default 1.1); 2: HTTP/2, by ALPN over\n"
     "https, h2c over plain http",
     .set = sl_config_set_choice, .field = AT(http2), .choices = "1.1|2", .want = "1.1 or 2"},
    {SL_OPT_STREAMS, "streams", 0, "streams", "N",
     "--http 2: requests in flight per connection (default 1)", .set = sl_config_set_count,
     .field = AT(streams), .min = 1, .max = SL_MAX_STREAMS, .def = "1",
     .want = "a whole number from {min} to {max}"},
    {SL_OPT_AUTH, "auth", 0, "auth", "METHOD",
     "HTTP authentication: basic, digest, ntlm or negotiate", .set = sl_config_set_choice,
     .field = AT(auth), .min = SL_AUTH_BASIC, .choices = "basic|digest|ntlm|negotiate",
     .want = "basic, digest, ntlm or negotiate"},
    {SL_OPT_USER, "user", 0, "user", "NAME",
     "user name for --auth (basic when --auth is not given)", .set = sl_config_set_string,
     .field = AT(user), .min = 1, .want = "a user name"},
    {SL_OPT_PASSWORD_ENV, "password-env", 0, "password_env", "NAME",
     "the password is in environment variable NAME", .set = sl_config_set_string,
     .field = AT(password_env), .min = 1, .want = "the name of an environment variable"},
    {SL_OPT_PASSWORD_FILE, "password-file", 0, "password_file", "FILE",
     "the password is the first line of FILE (never on the\n"
     "command line: it would show in ps)",
     .set = sl_config_set_string, .field = AT(password_file), .min = 1, .want = "a file name"},
    {SL_OPT_WSSE_SIGN_CERT, "wsse-sign-cert", 0, "wsse_sign_cert", "FILE",
     "sign every request (WS-Security X.509) with this\n"
     "certificate (PEM)",
     .set = sl_config_set_wsse},
    {SL_OPT_WSSE_SIGN_KEY, "wsse-sign-key", 0, "wsse_sign_key", "FILE",
     "the signing key: PEM, or PKCS#12 with the certificate", .set = sl_config_set_wsse},
    {SL_OPT_WSSE_SIGN_KEY_PASSWORD_ENV, "wsse-sign-key-password-env", 0,
     "wsse_sign_key_password_env", "NAME", "its password is in environment variable NAME",
     .set = sl_config_set_wsse},
    {SL_OPT_WSSE_SIGN_KEY_PASSWORD_FILE, "wsse-sign-key-password-file", 0,
     "wsse_sign_key_password_file", "FILE", "its password is the first line of FILE",
     .set = sl_config_set_wsse},
    {SL_OPT_WSSE_SIGN_ALG, "wsse-sign-alg", 0, "wsse_sign_alg", "ALG",
     "rsa-sha256, rsa-sha1 (SHA-1 digests too, for old\n"
     "stacks) or ecdsa-sha256; default: by the key",
     .set = sl_config_set_wsse},
    {SL_OPT_WSSE_KEY_REF, "wsse-key-ref", 0, "wsse_key_ref", "REF",
     "how the signature names the key: bst (a reference to\n"
     "the BinarySecurityToken, default), issuer-serial or ski",
     .set = sl_config_set_wsse},
    {SL_OPT_WSSE_TTL, "wsse-ttl", 0, "wsse_ttl", "T",
     "the signed Timestamp's lifetime (default 300s)", .set = sl_config_set_wsse},
    {SL_OPT_WSSE_VERIFY_CERT, "wsse-verify-cert", 0, "wsse_verify_cert", "FILE",
     "verify each response's WS-Security X.509 signature with\n"
     "this PEM certificate; a bad or missing one fails as\n"
     "signature",
     .set = sl_config_set_wsse},
    {SL_OPT_WSSE_VERIFY_CA, "wsse-verify-ca", 0, "wsse_verify_ca", "FILE",
     "or verify it with the key of its BinarySecurityToken,\n"
     "whose certificate must chain to this PEM CA",
     .set = sl_config_set_wsse},
    {SL_OPT_WSSE_ENCRYPT_CERT, "wsse-encrypt-cert", 0, "wsse_encrypt_cert", "FILE",
     "encrypt each request's Body to this PEM certificate's RSA\n"
     "key after signing (EncryptedKey in wsse:Security)",
     .set = sl_config_set_wsse},
    {SL_OPT_WSSE_ENCRYPT_ALG, "wsse-encrypt-alg", 0, "wsse_encrypt_alg", "ALG",
     "the Body's cipher: aes256-gcm (default) or aes128-cbc", .set = sl_config_set_wsse},
    {SL_OPT_WSA, "wsa", 0, "wsa", NULL,
     "WS-Addressing headers on every request: Action,\n"
     "MessageID urn:soapload:ID, To, ReplyTo anonymous (signed\n"
     "with the rest under --wsse-sign-key)",
     .set = sl_config_set_wsse},
    {SL_OPT_WSA_ACTION, "wsa-action", 0, "wsa_action", "URI",
     "--wsa's Action (default: the request's SOAP action)", .set = sl_config_set_wsse},
    {SL_OPT_WSSE_SIGN_PART, "wsse-sign-part", 0, "wsse_sign_parts", "PART",
     "sign this header element too: {namespace}LocalName,\n"
     "LocalName or #Id, its wsu:Id (repeatable; a list in a\n"
     "script)",
     .set = sl_config_set_wsse},
    {SL_OPT_JSON, "json", 0, NULL, "FILE", "write the results as JSON (schema soapload-results/1)",
     .set = sl_config_set_string, .field = AT(json_path), .want = "a file name"},
    {SL_OPT_TRACE, "trace", 0, NULL, "FILE", "write one CSV line per scheduled request",
     .set = sl_config_set_string, .field = AT(trace_path), .want = "a file name"},
    {SL_OPT_HTML, "html", 0, NULL, "FILE", "write a self-contained HTML report with charts",
     .set = sl_config_set_string, .field = AT(html_path), .want = "a file name"},
    {SL_OPT_JSON_TO, "json-to", 0, NULL, "URL",
     "at the end, POST the results JSON to URL (soapload merge\n"
     "--listen); retried; exit code 4 when it fails",
     .set = sl_config_set_json_to, .want = "an http:// or https:// URL"},
    {SL_OPT_JSON_TO_TOKEN_FILE, "json-to-token-file", 0, NULL, "FILE",
     "--json-to sends 'Authorization: Bearer TOKEN', TOKEN the\n"
     "first line of FILE",
     .set = sl_config_set_string, .field = AT(json_to_token_file), .want = "a file name"},
    {SL_OPT_JSON_TO_RETRY, "json-to-retry", 0, NULL, "T",
     "retry a failed --json-to for up to T (default 1m; 0: once)", .set = sl_config_set_duration,
     .field = AT(json_to_retry_ns), .max = SL_MAX_JSON_TO_RETRY_NS, .def = "1m",
     .want = "a duration from 0 to {max}, such as 1m or 30s"},
    {SL_OPT_JUNIT, "junit", 0, NULL, "FILE",
     "write a JUnit XML report for CI: a test case per\n"
     "threshold, per operation, for the run's accounting",
     .set = sl_config_set_string, .field = AT(junit_path), .want = "a file name"},
    {SL_OPT_THRESHOLD, "threshold", 0, "thresholds", "EXPR",
     "pass/fail criterion, e.g. 'p99 < 50ms', 'error_rate < 1%',\n"
     "'rate >= 995' (repeatable; exit code 3 when one fails)",
     .set = sl_config_set_threshold, .max = SL_MAX_CHECKS,
     .want = "at most {max} thresholds in all"},
    {SL_OPT_ABORT_ON_FAIL, "abort-on-fail", 0, "abort_on_fail", "T",
     "stop sending once a threshold of the whole run has failed\n"
     "for T (whole seconds; 0s: at the first failing second),\n"
     "evaluated each second on the results so far; the rest of\n"
     "the schedule is not sent (aborted), exit code 3",
     .set = sl_config_set_abort, .field = AT(abort_after_ns), .max = SL_MAX_ABORT_AFTER_NS,
     .want = "a whole number of seconds from 0s to {max}, such as 0s or 5s (thresholds are "
             "evaluated once a second)"},
    {SL_OPT_PROGRESS, "progress", 0, NULL, "WHEN",
     "live progress on stderr: auto (a terminal), always, never", .set = sl_config_set_choice,
     .field = AT(progress), .choices = "auto|always|never", .want = "auto, always or never"},
    {SL_OPT_METRICS, "metrics", 0, NULL, "ADDR:PORT",
     "serve live counters and latency histograms at\n"
     "http://ADDR:PORT/metrics (Prometheus or OpenMetrics\n"
     "text) during the run, e.g. 127.0.0.1:9464 or [::1]:9464;\n"
     "port 0 picks a free one and prints it",
     .set = sl_config_set_metrics,
     .want = "ADDR:PORT: an IPv4 address or an [IPv6] one in brackets, and a port from 0 to 65535 "
             "(0: any free port), e.g. 127.0.0.1:9464 or [::1]:9464"},
    {SL_OPT_METRICS_LINGER, "metrics-linger", 0, NULL, "T",
     "keep serving /metrics this long after the summary, for a\n"
     "last scrape (default 5s; 0: stop at once)",
     .set = sl_config_set_duration, .field = AT(metrics_linger_ns), .max = SL_MAX_METRICS_LINGER_NS,
     .def = "5s", .want = "a duration from 0 to {max}, such as 5s or 500ms"},
    {SL_OPT_QUIET, "quiet", 'q', NULL, NULL, "print only the summary", .set = sl_config_set_on,
     .field = AT(quiet)},
    {SL_OPT_DRY_RUN, "dry-run", 0, NULL, "[N]",
     "send nothing: run init() and request() for the first N\n"
     "requests (default 3), print them, check each body is a\n"
     "SOAP envelope of the run's version; exit 0, or 2",
     .set = sl_config_set_dry_run, .field = AT(dry_run), .min = 1, .max = SL_MAX_DRY_RUN,
     .want = "a whole number of requests from {min} to {max}"},
    {SL_OPT_HELP, "help", 'h', NULL, NULL, "show this help", .set = NULL},
    {SL_OPT_VERSION, "version", 'V', NULL, NULL, "show the version", .set = NULL},
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
    char why[256];
    memset(cfg, 0, sizeof(*cfg));
    cfg->workers = cpus > 0 ? (int)cpus : 1; /* the one default that is not a constant */
    sl_wsse_opts_init(&cfg->wsse);
    for (int i = 0; i < SL_OPT_COUNT; i++)
        if (options[i].def != NULL)
            options[i].set(cfg, &options[i], options[i].def, SL_FROM_FLAG, why, sizeof(why));
}

void sl_config_free(sl_config_t *cfg)
{
    for (int i = 0; i < SL_OPT_COUNT; i++)
        if (options[i].set == sl_config_set_string)
            free(*(char **)(void *)((char *)cfg + options[i].field));
    free(cfg->id_element);
    free(cfg->json_to);
    free(cfg->metrics_addr);
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
    if (len == 0 || len > SL_MAX_OPERATION_NAME ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_-.") != len) {
        snprintf(err, errlen,
                 "soapload.operations[%d].name \"%.80s\" must be 1 to %d letters, digits, '_', "
                 "'-' or '.'",
                 cfg->nops + 1, name, SL_MAX_OPERATION_NAME);
        return -1;
    }
    if (sl_config_operation(cfg, name, len) >= 0) {
        snprintf(err, errlen, "soapload.operations[%d]: the name %s is used twice", cfg->nops + 1,
                 name);
        return -1;
    }
    if (!sl_mix_weight_ok(weight)) {
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

/* The name of an option as the user gave it: its flag or its script setting. */
static void option_name(const sl_option_t *o, sl_source_t source, char *buf, size_t cap)
{
    if (source == SL_FROM_SCRIPT && o->script != NULL)
        snprintf(buf, cap, "soapload.%s", o->script);
    else
        snprintf(buf, cap, "--%s", o->flag);
}

int sl_config_set(sl_config_t *cfg, sl_opt_t id, const char *value, sl_source_t source, char *why,
                  size_t whylen)
{
    const sl_option_t *o = &options[id];
    why[0] = '\0';
    return o->set == NULL ? 0 : o->set(cfg, o, value, source, why, whylen);
}

int sl_config_apply(sl_config_t *cfg, sl_opt_t id, const char *value, sl_source_t source, char *err,
                    size_t errlen)
{
    /* a script's value for an option a flag gave is checked, then dropped; lists add up */
    int overridden = source == SL_FROM_SCRIPT && sl_optset_has(&cfg->given, id) &&
                     id != SL_OPT_HEADER && id != SL_OPT_THRESHOLD && id != SL_OPT_RESOLVE &&
                     id != SL_OPT_WSSE_SIGN_PART;
    sl_config_t scratch;
    char why[512], name[64];
    if (overridden)
        sl_config_init(&scratch);
    int rc = sl_config_set(overridden ? &scratch : cfg, id, value, source, why, sizeof(why));
    if (overridden)
        sl_config_free(&scratch);
    if (rc != 0) {
        option_name(&options[id], source, name, sizeof(name));
        snprintf(err, errlen, "bad value '%s' for %s: %s", value ? value : "", name, why);
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
