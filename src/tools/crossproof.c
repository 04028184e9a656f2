/*
 * crossproof: reads the segments' traces into one list of requests (each line's segment from
 * its S<I>-P<pid>-R<seq> ID, its times absolute), moves each segment onto the server's clock
 * when its result file gives the clock's offset, hands the list to core/crossburst, prints the
 * bursts as the run's summary lists its own, and reconciles the IDs with the server's log.
 */
#include "tools/crossproof.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crossburst.h"
#include "core/duration.h"
#include "core/exitcode.h"
#include "core/reqid.h"
#include "core/subargs.h"
#include "engine/board.h"
#include "output/report.h"
#include "output/resultfile.h"
#include "tools/reconcile.h"

#define TRACE_FIELDS_V1 12 /* SL_TRACE_HEADER_V1: a trace written before flows */
#define TRACE_FIELDS 16    /* SL_TRACE_HEADER: with the flow columns */
#define PIDS_SHOWN 8
#define REF_OFFSET_BITS 40 /* a request's ref: its file's index, then its line's offset */

typedef struct {
    const char *path;
    FILE *f;
    int segment; /* -1 until a line names it */
    int nfields; /* its header's: TRACE_FIELDS, or TRACE_FIELDS_V1 (written before flows) */
    uint64_t sent;
    int32_t pids[PIDS_SHOWN];
    int npids, more_pids;
    int64_t first_ns, last_ns;     /* its sends, on its own clock */
    const sl_resultfile_t *result; /* the result of its run, or NULL */
    int64_t offset_ns;             /* added to its times */
} trace_t;

typedef struct {
    sl_xrec_t *recs;
    size_t n, cap;
} recs_t;

/* ---- reading a trace ------------------------------------------------------------------- */

/* Splits an RFC 4180 line in place into at most max fields. Returns how many, or -1 when a
 * quoted field is not closed where it should be. */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        if (*p == '"') {
            char *out = p, *q = p + 1;
            fields[n++] = out;
            for (;; q++) {
                if (*q == '\0')
                    return -1;
                if (*q == '"' && q[1] == '"') {
                    *out++ = '"';
                    q++;
                } else if (*q == '"') {
                    break;
                } else {
                    *out++ = *q;
                }
            }
            *out = '\0';
            p = q + 1;
            if (*p != ',' && *p != '\0')
                return -1;
        } else {
            fields[n++] = p;
            p += strcspn(p, ",");
        }
        if (*p == '\0')
            return n;
        *p++ = '\0';
    }
}

/* "seconds.micros" since the epoch into ns; "" is 0. Returns 0, or -1 when it is neither. */
static int parse_time(const char *s, int64_t *ns)
{
    char *end;
    *ns = 0;
    if (*s == '\0')
        return 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    long long sec = strtoll(s, &end, 10);
    if (errno != 0 || *end != '.' || strlen(end + 1) != 6 || strspn(end + 1, "0123456789") != 6 ||
        sec <= 0 || sec > 9000000000LL)
        return -1;
    *ns = (int64_t)sec * 1000000000LL + (int64_t)strtol(end + 1, NULL, 10) * 1000;
    return 0;
}

/* A number of at most max, "" being 0. Returns 0 or -1. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    *out = 0;
    if (*s == '\0')
        return 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    *out = strtoul(s, &end, 10);
    return errno != 0 || *end != '\0' || *out > max ? -1 : 0;
}

/* The segment of an ID S<I>-P<pid>-R<seq>; -1 when the ID is not of that form (a script's
 * own ID). */
static int id_segment(const char *id)
{
    sl_reqid_t r;
    if (sl_reqid_parse(id, &r) != 0 || !r.segmented || r.segment > 65535)
        return -1;
    return r.segment;
}

static int add_pid(trace_t *t, int32_t pid)
{
    for (int k = 0; k < t->npids; k++)
        if (t->pids[k] == pid)
            return 0;
    if (t->npids < PIDS_SHOWN)
        t->pids[t->npids++] = pid;
    else
        t->more_pids = 1;
    return 0;
}

static int push(recs_t *r, const sl_xrec_t *x)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4096;
        sl_xrec_t *p = realloc(r->recs, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        r->recs = p;
        r->cap = cap;
    }
    r->recs[r->n++] = *x;
    return 0;
}

/* Reads trace t (file index fi) into recs. Returns 0, or -1 with a message in err. */
static int read_trace(trace_t *t, int fi, recs_t *recs, char *err, size_t errlen)
{
    char *line = NULL, *f[TRACE_FIELDS];
    size_t cap = 0;
    ssize_t got;
    int rc = -1, first_segment_line = 0;
    size_t first = recs->n;
    int nfields = 0; /* the header's: every line has as many */
    if ((got = getline(&line, &cap, t->f)) >= 0) {
        size_t len = strcspn(line, "\r\n");
        if (len == strlen(SL_TRACE_HEADER) && strncmp(line, SL_TRACE_HEADER, len) == 0)
            nfields = TRACE_FIELDS;
        else if (len == strlen(SL_TRACE_HEADER_V1) && strncmp(line, SL_TRACE_HEADER_V1, len) == 0)
            nfields = TRACE_FIELDS_V1;
    }
    t->nfields = nfields;
    if (nfields == 0) {
        snprintf(err, errlen, "%s: not a soapload trace (its first line is not the header \"%s\")",
                 t->path, SL_TRACE_HEADER);
        goto Done;
    }
    int64_t offset = (int64_t)got;
    for (uint64_t lineno = 2; (got = getline(&line, &cap, t->f)) >= 0; lineno++, offset += got) {
        unsigned long pid, port, conn;
        sl_xrec_t x = {.ref = (uint64_t)fi << REF_OFFSET_BITS | (uint64_t)offset};
        line[strcspn(line, "\r\n")] = '\0';
        if (split_csv(line, f, nfields) != nfields || parse_uint(f[1], INT32_MAX, &pid) != 0 ||
            parse_uint(f[2], 65535, &port) != 0 || parse_time(f[3], &x.due_ns) != 0 ||
            parse_time(f[4], &x.sent_ns) != 0 || parse_time(f[6], &x.done_ns) != 0 ||
            parse_uint(f[9], UINT32_MAX, &conn) != 0 || f[11][0] == '\0') {
            snprintf(err, errlen, "%s: line %llu is not a soapload trace line", t->path,
                     (unsigned long long)lineno);
            goto Done;
        }
        if (x.sent_ns == 0) /* never sent: it proves nothing */
            continue;
        int seg = id_segment(f[0]);
        if (seg >= 0 && t->segment >= 0 && seg != t->segment) {
            snprintf(err, errlen,
                     "%s: line %llu is a request of segment %d (%s), line %d one of segment %d: "
                     "one trace per segment, not traces joined or of several runs",
                     t->path, (unsigned long long)lineno, seg, f[0], first_segment_line,
                     t->segment);
            goto Done;
        }
        if (seg >= 0 && t->segment < 0) {
            t->segment = seg;
            first_segment_line = (int)lineno;
        }
        x.pid = (int32_t)pid;
        x.port = (uint16_t)port;
        x.conn = (uint32_t)conn;
        add_pid(t, x.pid);
        if (t->sent == 0 || x.sent_ns < t->first_ns)
            t->first_ns = x.sent_ns;
        if (x.sent_ns > t->last_ns)
            t->last_ns = x.sent_ns;
        t->sent++;
        if (push(recs, &x) != 0) {
            snprintf(err, errlen, "out of memory");
            goto Done;
        }
    }
    if (ferror(t->f)) {
        snprintf(err, errlen, "%s: cannot read it: %s", t->path, strerror(errno));
        goto Done;
    }
    if (t->sent == 0) {
        snprintf(err, errlen, "%s: no request in it was sent: nothing to prove with", t->path);
        goto Done;
    }
    if (t->segment < 0) {
        snprintf(err, errlen,
                 "%s: no ID names its segment (S<I>-P<pid>-R<seq>): not the trace of a "
                 "segment (run each with --segment I/N)",
                 t->path);
        goto Done;
    }
    for (size_t i = first; i < recs->n; i++)
        recs->recs[i].segment = (uint16_t)t->segment;
    rc = 0;
Done:
    free(line);
    return rc;
}

/* The ID on the line a record came from (re-read from its trace). */
static const char *record_id(trace_t *traces, const sl_xrec_t *x, char *buf, size_t cap)
{
    trace_t *t = &traces[x->ref >> REF_OFFSET_BITS];
    char *line = NULL, *f[TRACE_FIELDS];
    size_t lcap = 0;
    snprintf(buf, cap, "?");
    if (fseeko(t->f, (off_t)(x->ref & ((1ULL << REF_OFFSET_BITS) - 1)), SEEK_SET) == 0 &&
        getline(&line, &lcap, t->f) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        if (split_csv(line, f, t->nfields) == t->nfields)
            snprintf(buf, cap, "%s", f[0]);
    }
    free(line);
    return buf;
}

/* ---- the runs' results: which segment, which pids, which clock ------------------------- */

/* Pairs each result with the trace of its segment and checks they are one run. */
static int pair_results(trace_t *traces, int nt, const sl_resultfile_t *res, int nr, char *err,
                        size_t errlen)
{
    for (int k = 0; k < nr; k++) {
        const sl_resultfile_t *r = &res[k];
        trace_t *t = NULL;
        if (r->cfg.nsegments == 0) {
            snprintf(err, errlen, "%s is not the result of a segment (no settings.segment)",
                     r->source);
            return -1;
        }
        if (r->cfg.nsegments != res[0].cfg.nsegments) {
            snprintf(err, errlen, "%s is segment %d/%d, but %s is %d/%d: not one split run",
                     r->source, r->cfg.segment, r->cfg.nsegments, res[0].source, res[0].cfg.segment,
                     res[0].cfg.nsegments);
            return -1;
        }
        for (int i = 0; i < nt && t == NULL; i++)
            if (traces[i].segment == r->cfg.segment)
                t = &traces[i];
        if (t == NULL) {
            snprintf(err, errlen, "%s is segment %d/%d, but no trace given is segment %d",
                     r->source, r->cfg.segment, r->cfg.nsegments, r->cfg.segment);
            return -1;
        }
        if (t->result != NULL) {
            snprintf(err, errlen, "%s and %s are both segment %d: one result per segment",
                     t->result->source, r->source, r->cfg.segment);
            return -1;
        }
        for (int p = 0; p < t->npids; p++) {
            int found = 0;
            for (int w = 0; w < r->run.nworkers && !found; w++)
                found = r->run.workers[w].pid == t->pids[p];
            if (!found) {
                snprintf(err, errlen,
                         "%s and %s are not the same run: pid %d of the trace is not a worker "
                         "of the result",
                         t->path, r->source, (int)t->pids[p]);
                return -1;
            }
        }
        t->result = r;
    }
    return 0;
}

/* ---- printing ---------------------------------------------------------------------------- */

static void print_burst(trace_t *traces, const sl_xburst_t *b)
{
    char when[64], id[512];
    for (size_t q = 0; q < b->shown; q++) {
        const sl_xrec_t *x = &b->members[q];
        sl_report_wall_time(x->sent_ns, when, sizeof(when));
        printf("      %s  segment %-3u", when, (unsigned)x->segment);
        if (x->port != 0)
            printf("  port %-5u", (unsigned)x->port);
        printf("  pid %-8d %s\n", (int)x->pid, record_id(traces, x, id, sizeof(id)));
    }
    if (b->count > b->shown)
        printf("      ... and %zu more\n", b->count - b->shown);
}

static void print_traces(const trace_t *traces, int nt)
{
    char first[64], last[64];
    for (int i = 0; i < nt; i++) {
        const trace_t *t = &traces[i];
        sl_report_wall_time(t->first_ns, first, sizeof(first));
        sl_report_wall_time(t->last_ns, last, sizeof(last));
        printf("  segment %-5d %s: %llu sent by %d%s process%s (pid%s", t->segment, t->path,
               (unsigned long long)t->sent, t->npids, t->more_pids ? "+" : "",
               t->npids == 1 && !t->more_pids ? "" : "es", t->npids == 1 ? "" : "s");
        for (int p = 0; p < t->npids; p++)
            printf("%s %d", p ? "," : "", (int)t->pids[p]);
        printf("%s), from %s to %s UTC", t->more_pids ? ", ..." : "", t->sent ? first : "-",
               t->sent ? last + 11 : "-");
        if (t->result != NULL && t->result->run.clock.probes > 0)
            printf("; %s: clock offset %+.3f ms +- %.3f ms", t->result->source,
                   t->result->run.clock.offset_ms, t->result->run.clock.uncertainty_ms);
        else if (t->result != NULL)
            printf("; %s: no clock offset", t->result->source);
        printf("\n");
    }
}

/* Moves every segment onto the server's clock when each has its offset; prints the clock line.
 * Returns whether the offsets were applied. */
static int apply_clocks(trace_t *traces, int nt, recs_t *recs, int64_t window_ns)
{
    double largest = 0, unc = 0;
    int missing = -1;
    for (int i = 0; i < nt && missing < 0; i++)
        if (traces[i].result == NULL || traces[i].result->run.clock.probes == 0)
            missing = i;
    if (missing >= 0) {
        printf("Clock           not corrected: %s of segment %d%s; each segment's times are "
               "its own machine's clock (give each segment's --json result with its trace)\n",
               traces[missing].result ? "the result" : "no result given", traces[missing].segment,
               traces[missing].result ? " has no clock offset" : "");
        return 0;
    }
    for (int i = 0; i < nt; i++) {
        const sl_clock_offset_t *c = &traces[i].result->run.clock;
        traces[i].offset_ns = (int64_t)llround(c->offset_ms * 1e6);
        if (fabs(c->offset_ms) > largest)
            largest = fabs(c->offset_ms);
        if (c->uncertainty_ms > unc)
            unc = c->uncertainty_ms;
    }
    for (size_t k = 0; k < recs->n; k++) {
        sl_xrec_t *x = &recs->recs[k];
        int64_t off = traces[x->ref >> REF_OFFSET_BITS].offset_ns;
        x->sent_ns += off;
        x->due_ns += x->due_ns != 0 ? off : 0;
        x->done_ns += x->done_ns != 0 ? off : 0;
    }
    /* the largest offset bounds what the correction changed: were an offset wrong, no time
     * moved by more than it, and no spread by more than twice it */
    printf("Clock           each segment's times moved onto the server's clock by its offset "
           "(server minus segment); the proof's uncertainty: the largest offset, +- %.3f ms "
           "(the probes' own: +- %.3f ms)%s\n",
           largest, unc,
           2 * largest * 1e6 >= (double)window_ns
               ? "; MORE THAN HALF THE WINDOW: a burst's spread may be off by twice that"
               : "");
    return 1;
}

/* ---- the subcommand ---------------------------------------------------------------------- */

/* Whether the file starts like a JSON document (a result) rather than a trace. */
static int looks_like_json(FILE *f)
{
    int c;
    while ((c = fgetc(f)) != EOF && isspace(c))
        ;
    rewind(f);
    return c == '{';
}

/* merge --trace's flags and operands (traces and results, told apart by their first byte) */
typedef struct {
    trace_t *traces;
    sl_resultfile_t *res;
    char **trace_paths;
    int nt, nr, unreadable; /* unreadable: an operand could not be read (no usage hint) */
    const char *ids_path;
    sl_xrule_t rule;
} proof_args_t;

static int set_window(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    uint64_t ns;
    (void)flag;
    if (sl_duration_parse(v, &ns) != 0 || ns > 60000000000ULL) {
        snprintf(err, errlen,
                 "bad value '%s' for --window: a duration from 1us to 60s (1ms, 500us)", v);
        return -1;
    }
    ((proof_args_t *)opts)->rule.window_ns = (int64_t)ns;
    return 0;
}

static int set_min_segments(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    proof_args_t *p = opts;
    char *end;
    long n = strtol(v, &end, 10);
    (void)flag;
    if (*end != '\0' || end == v || n < 2 || n > SL_XBURST_MEMBERS_MAX) {
        snprintf(err, errlen, "bad value '%s' for --min-segments: 2 to %d", v,
                 SL_XBURST_MEMBERS_MAX);
        return -1;
    }
    p->rule.min_segments = (int)n;
    p->rule.min_requests = (int)n;
    return 0;
}

static int add_file(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    proof_args_t *p = opts;
    (void)flag;
    p->unreadable = 1;
    FILE *f = fopen(v, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot read it: %s", v, strerror(errno));
        return -1;
    }
    if (looks_like_json(f)) {
        fclose(f);
        if (sl_resultfile_load(&p->res[p->nr++], v, err, errlen) != 0)
            return -1;
    } else {
        p->trace_paths[p->nt] = (char *)v;
        p->traces[p->nt++] = (trace_t){.path = v, .f = f, .segment = -1};
    }
    p->unreadable = 0;
    return 0;
}

static int ignore(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    (void)opts, (void)flag, (void)v, (void)err, (void)errlen;
    return 0;
}

static const sl_subarg_t proof_flags[] = {
    {"--trace", NULL, NULL, 0, ignore, NULL}, /* what brought us here */
    {"--id-log", NULL, "FILE", offsetof(proof_args_t, ids_path), NULL,
     "also reconcile every segment's IDs with soapload-mock's ID log"},
    {"--window", NULL, "T", 0, set_window, "sends within T of each other (default 1ms)"},
    {"--min-segments", NULL, "N", 0, set_min_segments,
     "bursts from at least N segments (default 2)"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: soapload merge --trace TRACE.csv... [RESULT.json...] [--id-log ID-LOG]\n"
            "                      [--window T] [--min-segments N]\n"
            "The proof of concurrency across machines: from the --trace files of a split run's\n"
            "segments (one per segment; IDs S<I>-P<pid>-R<seq>), the bursts of requests from\n"
            "distinct segments in flight together (each sent before any of them ended), on\n"
            "distinct connections, sent and due within the window. The segments' --json\n"
            "results put each trace on the server's clock (their clock offsets).\n");
    sl_subargs_usage(out, proof_flags);
    fprintf(out, "Exit codes: 0 bursts across segments found (and every ID received once); 1 none\n"
                 "found (or the IDs did not match); 2 usage or unreadable input.\n");
}

static void usage_hint(void)
{
    fprintf(stderr, "Try 'soapload merge --trace --help'.\n");
}

/* The command line into args (whose nt traces and nr results the caller closes or frees, even
 * on failure). Returns 0 to go on; else -1 with the exit code in *code, its message printed. */
static int parse_args(proof_args_t *args, int argc, char **argv, int *code)
{
    char err[1024];
    sl_subargs_result_t parsed =
        sl_subargs_parse(proof_flags, argc, argv, args, add_file, err, sizeof(err));
    switch (parsed) {
    case SL_SUBARGS_HELP:
        usage(stdout);
        *code = SL_EXIT_OK;
        return -1;
    case SL_SUBARGS_OK:
        break;
    case SL_SUBARGS_USAGE:
        fprintf(stderr, "soapload merge --trace: %s\n", err);
        usage_hint();
        return -1;
    case SL_SUBARGS_REFUSED:
        fprintf(stderr, "soapload merge: %s\n", err);
        if (!args->unreadable)
            usage_hint();
        return -1;
    }
    if (args->ids_path != NULL) { /* checked before anything is printed */
        FILE *f = fopen(args->ids_path, "r");
        if (f == NULL) {
            fprintf(stderr, "soapload merge: %s: cannot read it: %s\n", args->ids_path,
                    strerror(errno));
            return -1;
        }
        fclose(f);
    }
    if (args->nt < 2) {
        fprintf(stderr,
                "soapload merge --trace: %s: the proof across segments needs the "
                "traces of at least 2 segments\n",
                args->nt == 0 ? "no trace given" : "one trace given");
        usage_hint();
        return -1;
    }
    return 0;
}

/* Every trace's records into recs, one trace per segment, and each trace's result file (if
 * given) paired with it. Returns 0, or -1 with the message printed. */
static int read_traces(trace_t *traces, int nt, const sl_resultfile_t *res, int nr, recs_t *recs)
{
    char err[1024];
    for (int i = 0; i < nt; i++)
        if (read_trace(&traces[i], i, recs, err, sizeof(err)) != 0) {
            fprintf(stderr, "soapload merge: %s\n", err);
            return -1;
        }
    for (int i = 0; i < nt; i++)
        for (int j = 0; j < i; j++)
            if (traces[i].segment >= 0 && traces[i].segment == traces[j].segment) {
                fprintf(stderr,
                        "soapload merge: %s and %s are both segment %d: one trace per "
                        "segment\n",
                        traces[j].path, traces[i].path, traces[i].segment);
                return -1;
            }
    if (pair_results(traces, nt, res, nr, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload merge: %s\n", err);
        return -1;
    }
    return 0;
}

/* The proof: bursts of requests from distinct segments in flight together, by rule, printed.
 * Returns the exit code: 0 shown, 1 no burst, 4 out of memory. */
static int prove(trace_t *traces, int nt, recs_t *recs, const sl_xrule_t *rule)
{
    sl_xproof_t proof;
    printf("Across segments: %d traces, bursts of >= %d requests from >= %d segments in flight "
           "together, sent and due within %.3f ms\n",
           nt, rule->min_requests, rule->min_segments, (double)rule->window_ns / 1e6);
    print_traces(traces, nt);
    apply_clocks(traces, nt, recs, rule->window_ns);
    if (sl_crossburst_find(recs->recs, recs->n, rule, &proof) != 0) {
        fprintf(stderr, "soapload merge: out of memory\n");
        return SL_EXIT_INTERNAL;
    }
    if (proof.bursts == 0) {
        printf("Bursts          none: no %d requests from %d segments were in flight together "
               "within %.3f ms (of %llu requests sent)\n",
               rule->min_requests, rule->min_segments, (double)rule->window_ns / 1e6,
               (unsigned long long)proof.sends);
        printf("Result          NO BURST ACROSS SEGMENTS\n");
        return SL_EXIT_FAILED_REQUESTS;
    }
    printf("Bursts          %llu across segments (the most that do not overlap), of %llu "
           "requests sent; largest %zu requests from %d segments within %.6f s\n",
           (unsigned long long)proof.bursts, (unsigned long long)proof.sends, proof.largest.count,
           proof.largest.segments, (double)proof.largest.span_ns / 1e9);
    printf("Largest burst   %zu requests from %d segments within %.6f s (send times, UTC):\n",
           proof.largest.count, proof.largest.segments, (double)proof.largest.span_ns / 1e9);
    print_burst(traces, &proof.largest);
    printf("Tightest bursts across segments (send times, UTC):\n");
    for (int b = 0; b < proof.ntightest; b++) {
        const sl_xburst_t *x = &proof.tightest[b];
        printf("  #%d  %zu requests from %d segments within %.6f s\n", b + 1, x->count, x->segments,
               (double)x->span_ns / 1e9);
        print_burst(traces, x);
    }
    printf("Result          requests of distinct segments were in flight together: "
           "concurrency across processes shown\n");
    return SL_EXIT_OK;
}

/* After the proof (whose exit code is code): the traces reconciled with the ID log when one was
 * given, and stdout flushed. Returns the exit code. */
static int reconcile_and_flush(char **trace_paths, int nt, const char *ids_path, int code)
{
    char err[1024];
    if (ids_path != NULL) {
        sl_reconcile_t r;
        if (sl_reconcile_files(trace_paths, nt, ids_path, &r, err, sizeof(err)) != 0) {
            fprintf(stderr, "soapload merge: %s\n", err);
            return SL_EXIT_USAGE;
        }
        if (sl_reconcile_print(stdout, &r, "the traces", ids_path) != 0)
            code = SL_EXIT_FAILED_REQUESTS;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "soapload merge: cannot write to stdout: %s\n", strerror(errno));
        code = SL_EXIT_INTERNAL;
    }
    return code;
}

int sl_crossproof_main(int argc, char **argv)
{
    proof_args_t args = {.traces = calloc((size_t)argc, sizeof(*args.traces)),
                         .res = calloc((size_t)argc, sizeof(*args.res)),
                         .trace_paths = calloc((size_t)argc, sizeof(*args.trace_paths)),
                         .rule = {.window_ns = 1000000, .min_requests = 2, .min_segments = 2}};
    recs_t recs = {0};
    int code = SL_EXIT_USAGE;
    if (args.traces == NULL || args.res == NULL || args.trace_paths == NULL) {
        fprintf(stderr, "soapload merge: out of memory\n");
        code = SL_EXIT_INTERNAL;
    } else if (parse_args(&args, argc, argv, &code) == 0 &&
               read_traces(args.traces, args.nt, args.res, args.nr, &recs) == 0) {
        code = prove(args.traces, args.nt, &recs, &args.rule);
        if (code != SL_EXIT_INTERNAL)
            code = reconcile_and_flush(args.trace_paths, args.nt, args.ids_path, code);
    }
    for (int i = 0; args.traces != NULL && i < args.nt; i++) /* what was opened, even on error */
        fclose(args.traces[i].f);
    for (int i = 0; args.res != NULL && i < args.nr; i++)
        sl_resultfile_free(&args.res[i]);
    free(args.traces);
    free(args.res);
    free(args.trace_paths);
    free(recs.recs);
    return code;
}
