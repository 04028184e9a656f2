/*
 * merge_listen: soapload merge --listen. A segment POSTs its result to /results with the bearer
 * token; tools/receiver spools the body to a file as it comes (memory stays bounded whatever
 * the size), and once complete it is read with merge's own reader and accepted only when it is
 * a result of segment I/N with N the expected count, the first of its segment, adds up, and
 * merges with those already in. When all N are in, or the deadline after the first has passed,
 * soapload merge runs on the spooled files exactly as on files named on its command line; the
 * merged JSON and HTML are then served for --serve-for.
 */
#include "tools/merge_listen.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/duration.h"
#include "core/exitcode.h"
#include "core/httphead.h"
#include "core/fileio.h"
#include "core/monotime.h"
#include "core/subargs.h"
#include "core/threshold.h"
#include "output/outfile.h"
#include "output/upload.h"
#include "tools/merge.h"
#include "tools/merge_check.h"
#include "tools/receiver.h"
#include "tools/resultcheck.h"
#include "tools/timeline.h"

#define MAX_EXPECT 1000 /* segments, as render.sh allows */
#define DEADLINE_DEFAULT_NS 120000000000ULL
#define FLUSH_NS 2000000000ULL /* for the answers still on their way at the end */

typedef struct {
    /* the options */
    const char *addr;
    int expect;
    uint64_t deadline_ns, serve_for_ns;
    uint64_t first_within_ns;            /* 0: wait for the first result as long as it takes */
    char token[SL_UPLOAD_MAX_TOKEN + 1]; /* "" without --token-file */
    const char *json_path, *html_path;
    int allow_gaps; /* --allow-gaps, passed on to merge too */
    /* the state */
    sl_receiver_t *server;
    char spool[256];
    unsigned char *have;
    int nhave;
    uint64_t first_ns;
    sl_resultfile_t ref; /* the first accepted: each later one must merge with it */
    int merged, code;
    char *json_doc, *html_doc;
    size_t json_len, html_len;
} listener_t;

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

int sl_merge_listen_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--listen") == 0 || strncmp(argv[i], "--listen=", 9) == 0)
            return 1;
    return 0;
}

/* ---- answers ----------------------------------------------------------------------------- */

/* GET /status: what arrived, as JSON. */
static void answer_status(listener_t *l, sl_receiver_conn_t *c)
{
    sl_buf_t b = {0};
    char num[64];
    int n = snprintf(num, sizeof(num), "{\"expect\":%d,\"received\":%d,\"missing\":[", l->expect,
                     l->nhave);
    int ok = sl_buf_append(&b, num, (size_t)n) == 0;
    for (int i = 0, first = 1; ok && i < l->expect; i++)
        if (!l->have[i]) {
            n = snprintf(num, sizeof(num), "%s%d", first ? "" : ",", i);
            ok = sl_buf_append(&b, num, (size_t)n) == 0;
            first = 0;
        }
    if (l->merged)
        n = snprintf(num, sizeof(num), "],\"merged\":true,\"exit_code\":%d}", l->code);
    else
        n = snprintf(num, sizeof(num), "],\"merged\":false,\"exit_code\":null}");
    ok = ok && sl_buf_append(&b, num, (size_t)n) == 0;
    if (ok)
        sl_receiver_answer_copy(c, 200, "application/json", b.data);
    else
        sl_receiver_answer_text(c, 500, "out of memory");
    sl_buf_free(&b);
}

static void answer_get(listener_t *l, sl_receiver_conn_t *c, const char *p)
{
    int json = strcmp(p, "/merged.json") == 0, html = strcmp(p, "/report.html") == 0;
    if (strcmp(p, "/status") == 0)
        answer_status(l, c);
    else if (!json && !html)
        sl_receiver_answer_text(c, 404,
                                "no %.200s here: POST /results, GET /status, /merged.json, "
                                "/report.html",
                                p);
    else if (!l->merged)
        sl_receiver_answer_text(c, 503, "not merged yet: %d of %d results received", l->nhave,
                                l->expect);
    else if ((json ? l->json_doc : l->html_doc) == NULL)
        sl_receiver_answer_text(c, 404, "the merge wrote no %s", json ? "JSON" : "HTML report");
    else
        sl_receiver_answer(c, 200, json ? "application/json" : "text/html; charset=utf-8",
                           json ? l->json_doc : l->html_doc, json ? l->json_len : l->html_len);
}

/* ---- receiving a result ------------------------------------------------------------------ */

/* Why a complete body in c->part is not taken, into msg with its status; 0 when it is. */
static int check_result(listener_t *l, const char *part, sl_resultfile_t *r, char *msg,
                        size_t msglen)
{
    char err[4096];
    if (sl_resultfile_load(r, part, err, sizeof(err)) != 0) {
        size_t skip = strlen(part) + 2; /* "PART: why": the spool's name says nothing */
        snprintf(msg, msglen, "%s", strlen(err) > skip ? err + skip : err);
        return 400;
    }
    int seg = r->cfg.segment, of = r->cfg.nsegments;
    free(r->source); /* the name it will have, in the messages */
    if (asprintf(&r->source, "seg-%d.json", seg) < 0) {
        r->source = NULL;
        snprintf(msg, msglen, "out of memory");
        return 500;
    }
    if (sl_resultcheck_file(r, err, sizeof(err)) != 0) {
        snprintf(msg, msglen, "%s: the result does not add up", err);
        return 400;
    }
    if (of == 0) {
        snprintf(msg, msglen, "the result names no segment: run each segment with --segment I/N");
        return 400;
    }
    if (of != l->expect) {
        snprintf(msg, msglen,
                 "segment %d/%d is not one of the %d segments this merge expects (--expect %d)",
                 seg, of, l->expect, l->expect);
        return 400;
    }
    if (l->have[seg]) {
        snprintf(msg, msglen, "segment %d/%d was received already: each segment once", seg, of);
        return 409;
    }
    /* what merge would refuse at the end is refused now, to the sender */
    sl_resultfile_t pair[2] = {l->ref, *r};
    if (l->nhave > 0 &&
        (sl_merge_check(pair, 2, err, sizeof(err)) != 0 ||
         sl_timeline_check_overlap(pair, 2, l->allow_gaps, err, sizeof(err)) != 0)) {
        snprintf(msg, msglen, "segment %d/%d does not merge with those received: %s", seg, of, err);
        return 409;
    }
    return 0;
}

/* A body is complete in the spool file part: accepted (renamed to seg-I.json) or refused. */
static void on_body(void *ctx, sl_receiver_conn_t *c, const char *part)
{
    listener_t *l = ctx;
    sl_resultfile_t r;
    char msg[4300], path[600];
    int status = check_result(l, part, &r, msg, sizeof(msg));
    if (status == 0) {
        snprintf(path, sizeof(path), "%s/%s", l->spool, r.source);
        if (rename(part, path) != 0) {
            snprintf(msg, sizeof(msg), "cannot keep the result: %s", strerror(errno));
            status = 500;
        }
    }
    if (status != 0) {
        fprintf(stderr, "soapload merge: refused a result from %s: %s\n", sl_receiver_peer(c), msg);
        sl_resultfile_free(&r);
        sl_receiver_answer_text(c, status, "%s", msg);
        return;
    }
    int seg = r.cfg.segment;
    l->have[seg] = 1;
    if (l->nhave++ == 0) {
        l->first_ns = sl_monotime_ns();
        l->ref = r;
    } else
        sl_resultfile_free(&r);
    fprintf(stderr, "soapload merge: segment %d/%d received from %s (%d of %d)\n", seg, l->expect,
            sl_receiver_peer(c), l->nhave, l->expect);
    sl_receiver_answer_text(c, 201, "segment %d/%d received (%d of %d)", seg, l->expect, l->nhave,
                            l->expect);
}

/* A request's head: POST /results with the token takes the body; GET is served. */
static void on_head(void *ctx, sl_receiver_conn_t *c, const sl_httphead_t *h)
{
    listener_t *l = ctx;
    if (strcmp(h->method, "GET") == 0) {
        answer_get(l, c, h->path);
        return;
    }
    if (strcmp(h->method, "POST") != 0 || strcmp(h->path, "/results") != 0) {
        sl_receiver_answer_text(c, 405,
                                "POST /results, or GET /status, /merged.json, /report.html");
        return;
    }
    if (l->token[0] != '\0' && !sl_httphead_bearer_is(h, l->token)) {
        fprintf(stderr, "soapload merge: refused a request from %s: no or a wrong token\n",
                sl_receiver_peer(c));
        sl_receiver_answer_text(c, 401,
                                "a result needs the header Authorization: Bearer TOKEN with the "
                                "merge's token");
        return;
    }
    if (l->merged)
        sl_receiver_answer_text(c, 409, "the results were merged already");
    else
        sl_receiver_take(c, "soapload merge", "a result");
}

/* ---- the merge --------------------------------------------------------------------------- */

/* A merged output to serve (at most 1 GiB), or NULL. */
static char *slurp(const char *path, size_t *len)
{
    return sl_file_read_all(path, 1ULL << 30, SL_FILE_REGULAR, len, NULL, 0);
}

/* soapload merge on the spooled files with the options given; then the outputs to serve. */
static int run_merge(listener_t *l, char **pass, int npass)
{
    char **argv = calloc((size_t)(l->expect + npass + 6), sizeof(*argv));
    char json[300], html[300];
    int argc = 0, code = SL_EXIT_INTERNAL;
    if (argv == NULL)
        return code;
    argv[argc++] = "merge";
    for (int i = 0; i < l->expect; i++)
        if (l->have[i] && asprintf(&argv[argc++], "%s/seg-%d.json", l->spool, i) < 0)
            goto Done;
    for (int i = 0; i < npass; i++)
        argv[argc++] = pass[i];
    snprintf(json, sizeof(json), "%s/merged.json", l->spool);
    snprintf(html, sizeof(html), "%s/report.html", l->spool);
    if (l->json_path == NULL) { /* the merge's own files in the spool, to serve them */
        argv[argc++] = "--json";
        argv[argc++] = json;
    }
    if (l->html_path == NULL) {
        argv[argc++] = "--html";
        argv[argc++] = html;
    }
    fflush(stderr);
    code = sl_merge_main(argc, argv);
    fflush(stdout);
    l->json_doc = slurp(l->json_path ? l->json_path : json, &l->json_len);
    l->html_doc = slurp(l->html_path ? l->html_path : html, &l->html_len);
Done:
    for (int i = 1; i <= l->nhave && i < argc; i++)
        free(argv[i]);
    free(argv);
    return code;
}

static void name_missing(const listener_t *l)
{
    fprintf(stderr, "soapload merge: %d of %d results in %s after the first: missing segment",
            l->nhave, l->expect, "the deadline");
    fprintf(stderr, "%s", l->expect - l->nhave == 1 ? "" : "s");
    for (int i = 0, first = 1; i < l->expect; i++)
        if (!l->have[i]) {
            fprintf(stderr, "%s%d/%d", first ? " " : ", ", i, l->expect);
            first = 0;
        }
    fprintf(stderr, "; merging the %d received\n", l->nhave);
}

static void remove_spool(const listener_t *l)
{
    DIR *d = opendir(l->spool);
    struct dirent *e;
    char path[600];
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", l->spool, e->d_name);
            unlink(path);
        }
    if (d != NULL)
        closedir(d);
    rmdir(l->spool);
}

/* ---- the subcommand ---------------------------------------------------------------------- */

/* The listener's own flags, and those it passes on to soapload merge, as parse_args reads them */
typedef struct {
    listener_t *l;
    const char *token_file;
    sl_threshold_set_t checks; /* the thresholds parsed now, so that a bad one is told now */
    char **pass;               /* what soapload merge gets: --json, --html, --threshold, -q... */
    int *npass;
} listen_args_t;

static int set_addr(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    (void)flag, (void)err, (void)errlen;
    ((listen_args_t *)opts)->l->addr = v;
    return 0;
}

static int set_expect(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    char *end;
    long n = strtol(v, &end, 10);
    (void)flag;
    if (*v < '1' || *v > '9' || *end != '\0' || n > MAX_EXPECT) {
        snprintf(err, errlen, "bad value '%s' for --expect: a count of segments from 1 to %d", v,
                 MAX_EXPECT);
        return -1;
    }
    ((listen_args_t *)opts)->l->expect = (int)n;
    return 0;
}

/* --deadline, --serve-for and --first-within: a duration up to 24h (0: none, but a deadline) */
static int set_wait(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    listener_t *l = ((listen_args_t *)opts)->l;
    uint64_t *slot = flag[2] == 'd'   ? &l->deadline_ns
                     : flag[2] == 's' ? &l->serve_for_ns
                                      : &l->first_within_ns;
    if (strcmp(v, "0") == 0 && flag[2] != 'd')
        *slot = 0;
    else if (sl_duration_parse(v, slot) != 0 || *slot > 24 * 3600000000000ULL) {
        snprintf(err, errlen, "bad value '%s' for %s: a duration up to 24h, such as 90s or 2m", v,
                 flag);
        return -1;
    }
    return 0;
}

static int set_token_file(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    (void)flag, (void)err, (void)errlen;
    ((listen_args_t *)opts)->token_file = v;
    return 0;
}

static void pass_on(listen_args_t *a, const char *flag, const char *v)
{
    a->pass[(*a->npass)++] = (char *)flag;
    if (v != NULL)
        a->pass[(*a->npass)++] = (char *)v;
}

/* --json and --html: a file that cannot be written is told now, not after the run */
static int set_output(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    listen_args_t *a = opts;
    sl_outfile_t f = {.fd = -1};
    *(flag[2] == 'j' ? &a->l->json_path : &a->l->html_path) = v;
    int bad = sl_outfile_prepare(&f, v, 0644, err, errlen) != 0;
    sl_outfile_close(&f);
    if (bad)
        return -1;
    pass_on(a, flag, v);
    return 0;
}

static int set_threshold(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    listen_args_t *a = opts;
    if (sl_threshold_parse(&a->checks, v, err, errlen) != 0)
        return -1;
    pass_on(a, flag, v);
    return 0;
}

static int set_switch(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    listen_args_t *a = opts;
    (void)v, (void)err, (void)errlen;
    a->l->allow_gaps |= strcmp(flag, "--allow-gaps") == 0;
    pass_on(a, flag, NULL);
    return 0;
}

static int refuse_file(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    (void)opts, (void)flag;
    snprintf(err, errlen, "%s: with --listen the results arrive over HTTP, not as files", v);
    return -1;
}

#define TEXT(x) #x
#define NUMBER(x) TEXT(x)

static const sl_subarg_t listen_flags[] = {
    {"--listen", NULL, "ADDR:PORT", 0, set_addr,
     "where to listen: an IPv4 address or an [IPv6] one, e.g. 0.0.0.0:8080"},
    {"--expect", NULL, "N", 0, set_expect,
     "the segments 0/N to N-1/N, each once (1 to " NUMBER(MAX_EXPECT) ")"},
    {"--deadline", NULL, "T", 0, set_wait,
     "after the first result, wait at most T for the others (default 2m);\n"
     "                      then merge those in, name the missing, exit 4"},
    {"--first-within", NULL, "T", 0, set_wait,
     "wait at most T for the first result (default: no limit): with none\n"
     "                      by then, name every segment missing and exit 4"},
    {"--token-file", NULL, "FILE", 0, set_token_file,
     "accept only requests with 'Authorization: Bearer TOKEN', TOKEN the\n"
     "                      first line of FILE"},
    {"--serve-for", NULL, "T", 0, set_wait,
     "then serve GET /merged.json and /report.html for T (default 0)"},
    /* soapload merge's, passed on */
    {"--json", NULL, "FILE", 0, set_output, NULL},
    {"--html", NULL, "FILE", 0, set_output, NULL},
    {"--threshold", NULL, "EXPR", 0, set_threshold, NULL},
    {"-t", NULL, "EXPR", 0, set_threshold, NULL},
    {"--quiet", "-q", NULL, 0, set_switch, NULL},
    {"--allow-gaps", NULL, NULL, 0, set_switch, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: soapload merge --listen ADDR:PORT --expect N [--deadline T] "
                 "[--token-file FILE]\n"
                 "                      [--serve-for T] [--json OUT] [--html OUT] [--threshold "
                 "EXPR]... [-q]\n"
                 "                      [--allow-gaps]\n"
                 "Receives the result files of N segments (soapload --segment I/N --json-to URL) "
                 "over HTTP,\nPOST /results, and merges them as `soapload merge FILE...` does.\n");
    sl_subargs_usage(out, listen_flags);
    fprintf(out,
            "A result is at most %llu bytes (413 above). GET /status tells what arrived.\n"
            "Exit codes: those of soapload merge; 4 also when a segment was missing at the "
            "deadline;\n130 interrupted before the merge.\n",
            SL_LISTEN_MAX_RESULT);
}

/* Takes the listener's own options out of argv; the rest (--json, --html, --threshold, -q)
 * goes to soapload merge. Returns 0, 1 for --help, or -1 with the problem in err. */
static int parse_args(listener_t *l, int argc, char **argv, char **pass, int *npass, char *err,
                      size_t errlen)
{
    listen_args_t args = {.l = l, .pass = pass, .npass = npass};
    l->deadline_ns = DEADLINE_DEFAULT_NS;
    switch (sl_subargs_parse(listen_flags, argc, argv, &args, refuse_file, err, errlen)) {
    case SL_SUBARGS_HELP:
        return 1;
    case SL_SUBARGS_OK:
        break;
    default:
        return -1;
    }
    if (l->addr == NULL || l->expect == 0) {
        snprintf(err, errlen, "--listen needs --expect N: the number of segments");
        return -1;
    }
    return args.token_file != NULL
               ? sl_upload_read_token(args.token_file, "--token-file", l->token, err, errlen)
               : 0;
}

static int make_spool(listener_t *l, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(l->spool, sizeof(l->spool), "%s/soapload-merge-XXXXXX",
             tmp && *tmp && strlen(tmp) < 200 ? tmp : "/tmp");
    if (mkdtemp(l->spool) == NULL) {
        snprintf(err, errlen, "cannot make a folder for the results received (%s): %s", l->spool,
                 strerror(errno));
        l->spool[0] = '\0';
        return -1;
    }
    return 0;
}

int sl_merge_listen_main(int argc, char **argv)
{
    listener_t l = {0};
    sl_receiver_handler_t handler = {.on_head = on_head, .on_body = on_body, .ctx = &l};
    char **pass = calloc((size_t)argc, sizeof(*pass)), err[4096];
    int npass = 0, code = SL_EXIT_USAGE;
    if (pass == NULL) {
        fprintf(stderr, "soapload merge: out of memory\n");
        return SL_EXIT_INTERNAL;
    }
    int parsed = parse_args(&l, argc, argv, pass, &npass, err, sizeof(err));
    if (parsed == 1) {
        usage(stdout);
        free(pass);
        return SL_EXIT_OK;
    }
    if (parsed != 0 || (l.have = calloc((size_t)l.expect, 1)) == NULL ||
        make_spool(&l, err, sizeof(err)) != 0 ||
        (l.server = sl_receiver_open(l.addr, l.spool, SL_LISTEN_MAX_RESULT, &handler, err,
                                     sizeof(err))) == NULL) {
        fprintf(stderr, "soapload merge: %s\nTry 'soapload merge --listen --help'.\n", err);
        goto Done;
    }
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll returns */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr,
            "soapload merge: listening on %s/results for %d result%s (segments 0/%d to "
            "%d/%d)%s\n",
            sl_receiver_url(l.server), l.expect, l.expect == 1 ? "" : "s", l.expect, l.expect - 1,
            l.expect, l.token[0] ? ", token required" : "");
    /* --deadline runs from the first result; before it, --first-within (when given) from now */
    uint64_t listening_ns = sl_monotime_ns();
    for (uint64_t left = l.first_within_ns ? l.first_within_ns : l.deadline_ns;
         !stop_signal && l.nhave < l.expect && left > 0;) {
        sl_receiver_serve(l.server, left, 1);
        uint64_t limit = l.nhave > 0 ? l.deadline_ns : l.first_within_ns;
        uint64_t since = sl_monotime_ns() - (l.nhave > 0 ? l.first_ns : listening_ns);
        left = limit == 0 ? l.deadline_ns : since < limit ? limit - since : 0;
    }
    if (stop_signal) {
        fprintf(stderr,
                "soapload merge: interrupted with %d of %d results received: nothing "
                "merged\n",
                l.nhave, l.expect);
        code = SL_EXIT_INTERRUPTED;
        goto Done;
    }
    if (l.nhave == 0) {
        fprintf(stderr,
                "soapload merge: no result in the first %.0f s (--first-within): all %d "
                "segment%s missing, nothing merged\n",
                (double)l.first_within_ns / 1e9, l.expect, l.expect == 1 ? "" : "s");
        code = SL_EXIT_INTERNAL;
        goto Done;
    }
    if (l.nhave < l.expect)
        name_missing(&l);
    code = run_merge(&l, pass, npass);
    if (l.nhave < l.expect && code != SL_EXIT_USAGE)
        code = SL_EXIT_INTERNAL;
    l.code = code;
    l.merged = 1;
    if (l.serve_for_ns > 0)
        fprintf(stderr,
                "soapload merge: exit code %d; serving %s/merged.json and "
                "/report.html for %.0f s\n",
                code, sl_receiver_url(l.server), (double)l.serve_for_ns / 1e9);
    for (uint64_t t0 = sl_monotime_ns(), t;
         !stop_signal && (t = sl_monotime_ns() - t0) < l.serve_for_ns;)
        sl_receiver_serve(l.server, l.serve_for_ns - t, 1);
    /* the answers still on their way (the last segment's 201) get a moment more */
    for (uint64_t t0 = sl_monotime_ns();
         sl_monotime_ns() - t0 < FLUSH_NS && sl_receiver_busy(l.server);)
        sl_receiver_serve(l.server, FLUSH_NS, 0);
Done:
    sl_receiver_close(l.server);
    if (l.spool[0] != '\0')
        remove_spool(&l);
    if (l.nhave > 0)
        sl_resultfile_free(&l.ref);
    free(l.have);
    free(l.json_doc);
    free(l.html_doc);
    free(pass);
    return code;
}
