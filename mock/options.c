/*
 * options: the option table (name, letter, argument, help, setter), the getopt_long tables made
 * from it, and the usage text printed from it.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/duration.h"
#include "core/wsse_opts.h"
#include "stats.h"

typedef int (*setter_t)(sl_mock_options_t *o, const char *arg, char *err, size_t errlen);

typedef struct {
    const char *name;
    char letter;      /* 0: long form only */
    const char *arg;  /* NULL: a flag */
    const char *help; /* lines after the first are indented under it */
    setter_t set;
} option_spec_t;

/* A size as soapload's own options take it: "64k", "1m" (core/duration). */
static int parse_size(const char *s, size_t *out)
{
    uint64_t v;
    if (sl_size_parse(s, &v) != 0 || v > SIZE_MAX)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                 (i > 0 && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
        if (!ok)
            return 0;
    }
    return 1;
}

static int set_host(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    o->host = arg;
    return 0;
}

static int set_port(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    long v;
    (void)err, (void)errlen;
    if (parse_int(arg, 0, 65535, &v) != 0)
        return -1;
    o->port = (int)v;
    return 0;
}

static int set_path(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    if (arg[0] != '/' || strpbrk(arg, "?# \t") != NULL || strlen(arg) > 200 ||
        strncmp(arg, "/stats", 6) == 0) {
        snprintf(err, errlen,
                 "bad --path '%s': it must start with '/', hold no '?', '#' or spaces and not be "
                 "under /stats",
                 arg);
        return -1;
    }
    o->path = arg;
    return 0;
}

static int set_threads(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    long v;
    (void)err, (void)errlen;
    if (parse_int(arg, 1, 256, &v) != 0)
        return -1;
    o->threads = (int)v;
    return 0;
}

static int set_delay(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    if (sl_delay_parse(arg, &o->delay, err, errlen) != 0)
        return -1;
    o->has_delay = 1;
    return 0;
}

static int set_fault_rate(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    char *end;
    (void)err, (void)errlen;
    o->fault_rate = strtod(arg, &end);
    return end == arg || *end != '\0' || !(o->fault_rate >= 0 && o->fault_rate <= 1) ? -1 : 0;
}

static int set_max_body(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    return parse_size(arg, &o->max_body);
}

static int set_id_element(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    if (!valid_name(arg)) {
        snprintf(err, errlen,
                 "bad --id-element '%s': an XML local name of at most 64 characters, without a "
                 "prefix",
                 arg);
        return -1;
    }
    o->id_element = arg;
    return 0;
}

static int set_id_log(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    o->id_log = arg;
    return 0;
}

static int set_id_memory(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    if (parse_size(arg, &o->id_memory) != 0 || o->id_memory < SL_STATS_MIN_ID_MEMORY) {
        snprintf(err, errlen, "bad value '%s' for --id-memory: a size of at least 64k, e.g. 64m",
                 arg);
        return -1;
    }
    o->id_memory_text = arg;
    o->id_memory_given = 1;
    return 0;
}

static int set_id_optional(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)arg, (void)err, (void)errlen;
    o->id_optional = 1;
    return 0;
}

static int set_no_ids(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)arg, (void)err, (void)errlen;
    o->no_ids = 1;
    return 0;
}

static int set_tls_cert(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    o->tls_cert = arg;
    return 0;
}

static int set_tls_key(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    o->tls_key = arg;
    return 0;
}

static int set_tls_client_ca(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    o->tls_client_ca = arg;
    return 0;
}

static int set_wsse_user(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    if (arg[0] == '\0' || strlen(arg) > 256) {
        snprintf(err, errlen, "bad --wsse-user: 1 to 256 bytes");
        return -1;
    }
    o->wsse_user = arg;
    return 0;
}

/* The password comes from a file (its first line), never from the command line, where `ps`
 * would show it. */
static int set_wsse_password_file(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    FILE *f = fopen(arg, "r");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read --wsse-password-file %s: %s", arg, strerror(errno));
        return -1;
    }
    char *line = fgets(o->wsse_password, sizeof(o->wsse_password), f);
    int too_long = line != NULL && strchr(line, '\n') == NULL && fgetc(f) != EOF;
    fclose(f);
    if (line != NULL)
        o->wsse_password[strcspn(o->wsse_password, "\r\n")] = '\0';
    if (line == NULL || too_long || o->wsse_password[0] == '\0') {
        snprintf(err, errlen,
                 "bad --wsse-password-file %s: its first line must hold the password (1 to 255 "
                 "bytes)",
                 arg);
        return -1;
    }
    o->wsse_password_given = 1;
    return 0;
}

static int set_wsse_max_age(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    long v;
    (void)err, (void)errlen;
    if (parse_int(arg, 1, 86400, &v) != 0)
        return -1;
    o->wsse_max_age_s = (double)v;
    return 0;
}

static int set_wsse_verify_cert(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    if (access(arg, R_OK) != 0) {
        snprintf(err, errlen, "cannot read --wsse-verify-cert %s: %s", arg, strerror(errno));
        return -1;
    }
    o->wsse_verify_cert = arg;
    return 0;
}

static int set_wsse_decrypt_key(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    if (access(arg, R_OK) != 0) {
        snprintf(err, errlen, "cannot read --wsse-decrypt-key %s: %s", arg, strerror(errno));
        return -1;
    }
    o->wsse_decrypt_key = arg;
    return 0;
}

static int set_wsse_sign_cert(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    if (access(arg, R_OK) != 0) {
        snprintf(err, errlen, "cannot read --wsse-sign-cert %s: %s", arg, strerror(errno));
        return -1;
    }
    o->wsse_sign_cert = arg;
    return 0;
}

static int set_wsse_sign_ttl(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end != '\0' || !(v >= 1 && v <= 86400)) {
        snprintf(err, errlen, "bad --wsse-sign-ttl '%s': seconds from 1 to 86400, e.g. 300 or 5",
                 arg);
        return -1;
    }
    o->wsse_sign_ttl_s = v;
    o->wsse_sign_knob_given = 1;
    return 0;
}

/* the names soapload's --wsse-key-ref takes, from the one table in core/wsse_opts.c */
static int set_wsse_sign_ref(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    sl_wsse_opts_t w;
    sl_wsse_opts_init(&w);
    const char *want = sl_wsse_opts_set(&w, SL_WSSE_SET_KEY_REF, arg);
    if (want != NULL) {
        snprintf(err, errlen, "bad --wsse-sign-ref '%s': it is %s", arg, want);
        return -1;
    }
    o->wsse_sign_ref = w.key_ref;
    sl_wsse_opts_free(&w);
    o->wsse_sign_knob_given = 1;
    return 0;
}

static int set_wsse_sign_key(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    if (access(arg, R_OK) != 0) {
        snprintf(err, errlen, "cannot read --wsse-sign-key %s: %s", arg, strerror(errno));
        return -1;
    }
    o->wsse_sign_key = arg;
    return 0;
}

/* Reads the whole file (at most 4 MiB), checks that it is well-formed XML without a DTD and
 * reads its operations. */
static int set_wsdl(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    enum { MAX_WSDL = 4 << 20 };
    char why[200];
    sl_xml_scan_t scan = {0};
    FILE *f = fopen(arg, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read --wsdl %s: %s", arg, strerror(errno));
        return -1;
    }
    free(o->wsdl_text);
    free(o->wsdl_ops);
    o->wsdl_ops = malloc(sizeof(*o->wsdl_ops));
    o->wsdl_text = malloc(MAX_WSDL + 1);
    size_t n = o->wsdl_text != NULL ? fread(o->wsdl_text, 1, MAX_WSDL + 1, f) : 0;
    int failed = ferror(f);
    fclose(f);
    if (o->wsdl_text == NULL || o->wsdl_ops == NULL) {
        snprintf(err, errlen, "cannot read --wsdl %s: out of memory", arg);
        return -1;
    }
    if (failed || n == 0 || n > MAX_WSDL) {
        snprintf(err, errlen, "cannot read --wsdl %s: %s", arg,
                 failed   ? "read error"
                 : n == 0 ? "the file is empty"
                          : "larger than 4 MiB");
        return -1;
    }
    o->wsdl_text[n] = '\0';
    o->wsdl_len = n;
    if (sl_xml_scan(o->wsdl_text, n, &scan) != 0) {
        snprintf(err, errlen, "bad --wsdl %s: %s at byte %zu", arg,
                 scan.flags & SL_XML_DOCTYPE ? "a DTD, which is refused" : scan.error,
                 scan.error_at);
        return -1;
    }
    if (sl_ops_read(o->wsdl_text, n, o->wsdl_ops, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "bad --wsdl %s: %s", arg, why);
        return -1;
    }
    return 0;
}

static int set_help(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)arg, (void)err, (void)errlen;
    o->action = SL_MOCK_HELP;
    return 0;
}

static int set_fault_when(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    size_t nlen = eq != NULL ? (size_t)(eq - arg) : 0, vlen = eq != NULL ? strlen(eq + 1) : 0;
    if (eq == NULL || nlen == 0 || nlen > SL_OPS_MAX_NAME || vlen > SL_OPS_MAX_TRIGGER_TEXT ||
        strcspn(arg, "<>&: \t\r\n") < nlen || strpbrk(eq + 1, "<&") != NULL) {
        snprintf(err, errlen,
                 "bad --fault-when '%s': expected NAME=VALUE, an element's local name (at most %d "
                 "bytes, no prefix) and its text (at most %d bytes, no '<' or '&')",
                 arg, SL_OPS_MAX_NAME, SL_OPS_MAX_TRIGGER_TEXT);
        return -1;
    }
    if (o->ntriggers == SL_OPS_MAX_TRIGGERS) {
        snprintf(err, errlen, "more than %d --fault-when options", SL_OPS_MAX_TRIGGERS);
        return -1;
    }
    sl_ops_trigger_t *t = &o->triggers[o->ntriggers++];
    memcpy(t->name, arg, nlen);
    t->name[nlen] = '\0';
    memcpy(t->value, eq + 1, vlen + 1);
    t->name_len = nlen;
    t->value_len = vlen;
    return 0;
}

static int set_sessions(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)arg, (void)err, (void)errlen;
    o->sessions = 1;
    return 0;
}

static int set_session_ttl(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end != '\0' || !(v >= 0.001 && v <= 86400)) {
        snprintf(err, errlen, "bad --session-ttl '%s': seconds from 0.001 to 86400, e.g. 60 or 0.5",
                 arg);
        return -1;
    }
    o->session_ttl_s = v;
    o->session_knob_given = 1;
    return 0;
}

static int set_session_expire_after(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    long v;
    (void)err, (void)errlen;
    if (parse_int(arg, 1, 1000000000, &v) != 0)
        return -1;
    o->session_expire_after = (unsigned long)v;
    o->session_knob_given = 1;
    return 0;
}

static int set_session_refuse_login(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    long v;
    (void)err, (void)errlen;
    if (parse_int(arg, 1, 1000000000, &v) != 0)
        return -1;
    o->session_refuse_login = (unsigned long)v;
    o->session_knob_given = 1;
    return 0;
}

static int set_version(sl_mock_options_t *o, const char *arg, char *err, size_t errlen)
{
    (void)arg, (void)err, (void)errlen;
    o->action = SL_MOCK_VERSION;
    return 0;
}

static const option_spec_t options[] = {
    {"host", 'H', "ADDR", "address to listen on (default 127.0.0.1)", set_host},
    {"port", 'p', "N", "port (default 8000; 0 picks a free one and prints it)", set_port},
    {"path", 'P', "PATH", "SOAP endpoint path (default /soap/endpoint)", set_path},
    {"threads", 't', "N", "server threads (default: number of CPUs)", set_threads},
    {"delay", 'd', "SPEC",
     "response delay: D, uniform:MIN,MAX, exp:MEAN or\n"
     "normal:MEAN,SD (e.g. 5ms, uniform:1ms,20ms; default 0)",
     set_delay},
    {"fault-rate", 'f', "P",
     "share of valid requests answered with a SOAP Server fault\n"
     "(0..1, default 0)",
     set_fault_rate},
    {"fault-when", 0, "NAME=VALUE",
     "answer a request holding an element NAME whose text is\n"
     "VALUE with a Client/Sender fault (repeatable)",
     set_fault_when},
    {"max-body", 'm', "SIZE",
     "largest request body accepted, e.g. 64k, 1m (default 1m);\n"
     "larger ones get 413",
     set_max_body},
    {"id-element", 'i', "NAME",
     "local name of the element carrying the request ID\n"
     "(default RequestId)",
     set_id_element},
    {"id-log", 'l', "FILE",
     "append every received request ID to FILE, one per line\n"
     "(an existing file is added to, with a note on start)",
     set_id_log},
    {"id-memory", 0, "SIZE",
     "memory for the set of distinct IDs (default 256m, about\n"
     "25 million IDs); when it is full, IDs already in it are\n"
     "still caught as duplicates and new ones are counted as\n"
     "untracked (see /stats ids.tracking)",
     set_id_memory},
    {"no-ids", 0, NULL, "keep no ID set: no distinct or duplicate counts", set_no_ids},
    {"tls-cert", 0, "FILE",
     "serve HTTPS with this PEM certificate (chain): HTTP/2\n"
     "by ALPN (h2), else HTTP/1.1; needs --tls-key",
     set_tls_cert},
    {"tls-key", 0, "FILE", "the PEM private key of --tls-cert", set_tls_key},
    {"tls-client-ca", 0, "FILE",
     "mutual TLS: demand a client certificate signed by a CA\n"
     "in this PEM file; handshakes without one fail",
     set_tls_client_ca},
    {"wsse-user", 0, "NAME",
     "demand a WS-Security UsernameToken of this user (text or\n"
     "digest password); others get a wsse fault",
     set_wsse_user},
    {"wsse-password-file", 0, "FILE", "the user's password: the first line of FILE",
     set_wsse_password_file},
    {"wsse-max-age", 0, "S",
     "largest distance of the token's Created from the mock's\n"
     "clock, in seconds (default 300)",
     set_wsse_max_age},
    {"wsse-verify-cert", 0, "FILE",
     "verify every request's WS-Security X.509 signature (over\n"
     "Body and Timestamp) with this PEM certificate's key;\n"
     "others get a wsse fault (counted in /stats signatures)",
     set_wsse_verify_cert},
    {"wsse-decrypt-key", 0, "FILE",
     "decrypt requests whose Body is encrypted (XML Encryption)\n"
     "with this PEM private key before anything else",
     set_wsse_decrypt_key},
    {"wsse-sign-cert", 0, "FILE",
     "sign every SOAP answer (WS-Security X.509: token,\n"
     "Timestamp, signature over Body and Timestamp) with the\n"
     "key of this PEM certificate; needs --wsse-sign-key",
     set_wsse_sign_cert},
    {"wsse-sign-key", 0, "FILE", "the PEM private key (RSA or EC) of --wsse-sign-cert",
     set_wsse_sign_key},
    {"wsse-sign-ttl", 0, "S", "the signed answers' Timestamp lifetime (default 300)",
     set_wsse_sign_ttl},
    {"wsse-sign-ref", 0, "REF",
     "how a signed answer names its key: bst (default: the\n"
     "certificate in the answer), issuer-serial or ski",
     set_wsse_sign_ref},
    {"wsdl", 0, "FILE",
     "serve this WSDL at ?wsdl and answer each of its operations\n"
     "Op with an OpResponse carrying the ID",
     set_wsdl},
    {"id-optional", 0, NULL,
     "with --wsdl: answer a call without the ID element too (its\n"
     "OpResponse then has none: /stats counts it in echo only)",
     set_id_optional},
    {"sessions", 0, NULL,
     "session contract: Login answers a Token; every other\n"
     "call must carry it (SOAP header Token, namespace\n"
     "urn:soapload:session); Logout ends it",
     set_sessions},
    {"session-ttl", 0, "S", "a token's life in seconds (default 60)", set_session_ttl},
    {"session-expire-after", 0, "N", "fault knob: a token expires after N valid calls",
     set_session_expire_after},
    {"session-refuse-login", 0, "N", "fault knob: refuse every Nth login",
     set_session_refuse_login},
    {"help", 'h', NULL, "show this help", set_help},
    {"version", 'V', NULL, "show the version", set_version},
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))
#define HELP_COLUMN 25

int sl_mock_options_doc(size_t i, sl_mock_option_doc_t *out)
{
    if (i >= N_OPTIONS)
        return -1;
    *out =
        (sl_mock_option_doc_t){options[i].name, options[i].letter, options[i].arg, options[i].help};
    return 0;
}

void sl_mock_options_usage(FILE *out)
{
    fputs("Usage: soapload-mock [OPTION]...\n"
          "A SOAP 1.1/1.2 echo server for soapload: answers each POSTed envelope with its\n"
          "request ID, counts everything, and serves its counters at GET /stats.\n"
          "\n",
          out);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const option_spec_t *s = &options[i];
        char head[64];
        int n = s->letter ? snprintf(head, sizeof(head), "  -%c, --%s", s->letter, s->name)
                          : snprintf(head, sizeof(head), "      --%s", s->name);
        if (s->arg != NULL && n > 0 && (size_t)n < sizeof(head))
            snprintf(head + n, sizeof(head) - (size_t)n, " %s", s->arg);
        /* a head too long for the column gets a line of its own */
        int own_line = strlen(head) > HELP_COLUMN - 3;
        if (own_line)
            fprintf(out, "%s\n", head);
        else
            fprintf(out, "%-*s", HELP_COLUMN - 2, head);
        const char *line = s->help;
        for (int first = !own_line; *line != '\0'; first = 0) {
            const char *nl = strchr(line, '\n');
            size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
            fprintf(out, "%*s%.*s\n", first ? 2 : HELP_COLUMN, "", (int)len, line);
            line += len + (nl != NULL);
        }
    }
    fputs("\n"
          "Endpoints: POST PATH (SOAP echo), GET PATH?wsdl, GET /stats, POST /stats/reset.\n"
          "Stop with Ctrl-C, SIGTERM or SIGHUP; the totals are printed on the way out.\n",
          out);
}

static void set_defaults(sl_mock_options_t *o)
{
    *o = (sl_mock_options_t){.host = "127.0.0.1",
                             .port = 8000,
                             .path = "/soap/endpoint",
                             .max_body = 1 << 20,
                             .id_element = "RequestId",
                             .id_memory = (size_t)256 << 20,
                             .id_memory_text = "256m",
                             .wsse_max_age_s = 300,
                             .wsse_sign_ttl_s = 300,
                             .wsse_sign_ref = SL_WSSE_REF_BST,
                             .session_ttl_s = 60};
    o->threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (o->threads < 1)
        o->threads = 1;
}

/* getopt_long's tables from ours. A long option's val is its row's index past the letters, so
 * that both forms lead back to the row. */
static void make_getopt_tables(struct option *longopts, char *shortopts)
{
    size_t ns = 0;
    shortopts[ns++] = ':'; /* a missing argument is reported as ':' */
    for (size_t i = 0; i < N_OPTIONS; i++) {
        longopts[i] = (struct option){
            options[i].name, options[i].arg ? required_argument : no_argument, NULL, 256 + (int)i};
        if (options[i].letter) {
            shortopts[ns++] = options[i].letter;
            if (options[i].arg)
                shortopts[ns++] = ':';
        }
    }
    longopts[N_OPTIONS] = (struct option){0};
    shortopts[ns] = '\0';
}

static const option_spec_t *row_of(int c)
{
    if (c >= 256)
        return &options[c - 256];
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].letter == c)
            return &options[i];
    return NULL;
}

/* The options that only make sense together. */
static int check_combinations(sl_mock_options_t *o, char *err, size_t errlen)
{
    if (o->no_ids && o->id_memory_given) {
        snprintf(err, errlen, "--no-ids and --id-memory contradict each other: give one");
        return -1;
    }
    if (o->no_ids)
        o->id_memory = 0;
    if (o->id_optional && o->wsdl_ops == NULL) {
        snprintf(err, errlen, "--id-optional goes with --wsdl (the echo needs the ID)");
        return -1;
    }
    if (o->wsdl_ops != NULL)
        o->wsdl_ops->id_optional = o->id_optional;
    if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
        snprintf(err, errlen, "--tls-cert and --tls-key go together: give both or neither");
        return -1;
    }
    if (o->tls_client_ca != NULL && o->tls_cert == NULL) {
        snprintf(err, errlen, "--tls-client-ca needs --tls-cert and --tls-key");
        return -1;
    }
    if ((o->wsse_user == NULL) != !o->wsse_password_given) {
        snprintf(err, errlen, "--wsse-user and --wsse-password-file go together: give both");
        return -1;
    }
    if ((o->wsse_sign_cert == NULL) != (o->wsse_sign_key == NULL)) {
        snprintf(err, errlen, "--wsse-sign-cert and --wsse-sign-key go together: give both");
        return -1;
    }
    if (o->wsse_sign_knob_given && o->wsse_sign_key == NULL) {
        snprintf(err, errlen, "--wsse-sign-ttl and --wsse-sign-ref need --wsse-sign-key");
        return -1;
    }
    if (o->session_knob_given && !o->sessions) {
        snprintf(err, errlen,
                 "--session-ttl, --session-expire-after and --session-refuse-login "
                 "need --sessions");
        return -1;
    }
    return 0;
}

int sl_mock_options_parse(int argc, char **argv, sl_mock_options_t *o, sl_mock_action_t *action,
                          char *err, size_t errlen)
{
    struct option longopts[N_OPTIONS + 1];
    char shortopts[2 * N_OPTIONS + 2];
    int c;

    set_defaults(o);
    make_getopt_tables(longopts, shortopts);
    *action = SL_MOCK_RUN;
    opterr = 0;
    err[0] = '\0';
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const option_spec_t *s = row_of(c);
        if (s == NULL) {
            char letter[3] = {'-', (char)optopt, '\0'};
            if (c == ':')
                snprintf(err, errlen, "%s needs a value (see --help)", argv[optind - 1]);
            else
                snprintf(err, errlen, "unknown option '%s' (see --help)",
                         optopt > 0 && optopt < 256 ? letter : argv[optind - 1]);
            return -1;
        }
        if (s->set(o, optarg, err, errlen) != 0) {
            if (err[0] == '\0')
                snprintf(err, errlen, "bad value '%s' for --%s (see --help)", optarg, s->name);
            return -1;
        }
        if (o->action != SL_MOCK_RUN) { /* --help, --version: whatever follows */
            *action = o->action;
            return 0;
        }
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
        return -1;
    }
    return check_combinations(o, err, errlen);
}
