/*
 * reconcile: one hash table of the IDs in the traces, with the client's outcome, how often the
 * client sent each and how often the server logged each.
 */
#include "tools/reconcile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/counts.h"
#include "core/termtext.h"

typedef struct {
    char *id;        /* NULL: empty */
    int outcome;     /* the result kind of its last send */
    uint32_t sent;   /* times the traces have it as sent (more than 1: not distinct) */
    uint32_t unsent; /* times the traces have it as failed before it was sent */
    uint32_t seen;   /* times the ID log has it */
} entry_t;

typedef struct {
    entry_t *e;
    size_t cap, used;
} table_t;

static uint64_t hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static entry_t *find(table_t *t, const char *id, int insert)
{
    if (insert && (t->used + 1) * 2 > t->cap) {
        table_t n = {calloc(t->cap ? t->cap * 2 : 1024, sizeof(entry_t)),
                     t->cap ? t->cap * 2 : 1024, 0};
        if (n.e == NULL)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (t->e[i].id == NULL)
                continue;
            size_t j = hash(t->e[i].id) & (n.cap - 1);
            while (n.e[j].id != NULL)
                j = (j + 1) & (n.cap - 1);
            n.e[j] = t->e[i];
            n.used++;
        }
        free(t->e);
        *t = n;
    }
    if (t->cap == 0)
        return NULL;
    size_t j = hash(id) & (t->cap - 1);
    while (t->e[j].id != NULL) {
        if (strcmp(t->e[j].id, id) == 0)
            return &t->e[j];
        j = (j + 1) & (t->cap - 1);
    }
    if (!insert)
        return NULL;
    t->e[j].id = strdup(id);
    if (t->e[j].id == NULL)
        return NULL;
    t->used++;
    return &t->e[j];
}

/* The outcomes a trace line can carry: the result kinds, then the two of unsent requests. */
static int outcome_index(const char *name)
{
    for (int r = 0; r < SL_R_COUNT; r++)
        if (strcmp(name, sl_result_name((sl_result_t)r)) == 0)
            return r;
    return -1;
}

/* Cuts the line after its first CSV field, undoing RFC 4180 quoting in place (an ID that a
 * script chose may hold commas or quotes; one with a line break is not supported). */
static int unquote_first_field(char *line)
{
    if (line[0] != '"') {
        char *comma = strchr(line, ',');
        if (comma == NULL)
            return -1;
        *comma = '\0';
        return 0;
    }
    char *out = line;
    for (char *p = line + 1; *p; p++) {
        if (*p == '"' && p[1] == '"') {
            *out++ = '"';
            p++;
        } else if (*p == '"') {
            *out = '\0';
            return p[1] == ',' ? 0 : -1;
        } else {
            *out++ = *p;
        }
    }
    return -1;
}

static void chomp(char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
}

static void example(sl_reconcile_t *r, int *shown, const char *what, const char *id)
{
    size_t len = strlen(r->examples);
    char safe[256];
    sl_termtext_escape(safe, sizeof(safe), id); /* no cursor moves from the ID log */
    if (*shown >= SL_RECONCILE_EXAMPLES ||
        len + strlen(what) + strlen(safe) + 4 >= sizeof(r->examples))
        return;
    snprintf(r->examples + len, sizeof(r->examples) - len, "%s%s %s", len ? ", " : "", what, safe);
    (*shown)++;
}

/* A trace line whose request was never sent: count it by why, and keep its ID (if it has
 * one) to catch a server that logged it all the same. Returns 0, or -1 when out of memory. */
static int never_sent(table_t *t, sl_reconcile_t *r, const char *id, const char *outcome)
{
    size_t len = strlen(outcome), tail = strlen("_before_send");
    if (strcmp(outcome, "not_sent") == 0)
        r->not_sent++;
    else if (strcmp(outcome, "script_error_before_send") == 0)
        r->script_errors++;
    else if (len > tail && strcmp(outcome + len - tail, "_before_send") == 0)
        r->before_send++;
    else
        return 1;
    if (id[0] == '\0')
        return 0;
    entry_t *e = find(t, id, 1);
    if (e == NULL)
        return -1;
    e->unsent++;
    return 0;
}

#define OUTCOME_COLUMN 11 /* commas before the outcome in the header */

int sl_reconcile(FILE *trace, FILE *ids, sl_reconcile_t *r, char *err, size_t errlen)
{
    table_t t = {0};
    char *line = NULL;
    size_t cap = 0;
    uint64_t lost_by[SL_R_COUNT] = {0};
    int shown = 0, rc = -1;
    memset(r, 0, sizeof(*r));

    if (getline(&line, &cap, trace) < 0 || strncmp(line, "id,worker_pid,", 14) != 0) {
        snprintf(err, errlen, "the trace does not start with soapload's header line");
        goto Done;
    }
    /* outcome is the 12th column; a trace with flows has columns after it (flow, flow_number,
     * step, retry) that hold no comma, while an ID before it may */
    int after = -OUTCOME_COLUMN;
    for (const char *p = line; *p != '\0' && *p != '\n'; p++)
        after += *p == ',';
    if (after < 0) {
        snprintf(err, errlen, "the trace does not start with soapload's header line");
        goto Done;
    }
    for (uint64_t lineno = 2; getline(&line, &cap, trace) >= 0; lineno++) {
        chomp(line);
        char *last = strrchr(line, ',');
        for (int i = 0; i < after && last != NULL; i++) {
            *last = '\0'; /* the column after outcome, cut */
            last = strrchr(line, ',');
        }
        if (last == NULL || unquote_first_field(line) != 0) {
            snprintf(err, errlen, "trace line %llu is not a soapload trace line",
                     (unsigned long long)lineno);
            goto Done;
        }
        int outcome = outcome_index(last + 1), unsent;
        if (outcome < 0 && (unsent = never_sent(&t, r, line, last + 1)) != 1) {
            if (unsent < 0) {
                snprintf(err, errlen, "out of memory");
                goto Done;
            }
            continue;
        }
        if (outcome < 0) {
            snprintf(err, errlen,
                     "trace line %llu has the outcome \"%.40s\", not one of soapload's",
                     (unsigned long long)lineno, last + 1);
            goto Done;
        }
        entry_t *e = find(&t, line, 1);
        if (e == NULL) {
            snprintf(err, errlen, "out of memory");
            goto Done;
        }
        e->outcome = outcome;
        r->sent++;
        if (++e->sent == 2) { /* a script's own IDs, or the same trace twice */
            r->repeated++;
            example(r, &shown, "sent twice", line);
        }
        if (e->sent >= 2)
            r->repeated_sends++;
    }
    if (ferror(trace)) {
        snprintf(err, errlen, "cannot read the trace: %s", strerror(errno));
        goto Done;
    }
    while (getline(&line, &cap, ids) >= 0) {
        chomp(line);
        if (line[0] == '\0')
            continue;
        r->received++;
        entry_t *e = find(&t, line, 0);
        if (e == NULL) {
            r->unknown++;
            example(r, &shown, "unknown", line);
        } else if (e->seen++ >= e->sent && e->sent > 0) {
            r->duplicated++;
            if (e->seen == e->sent + 1)
                example(r, &shown, "duplicated", line);
        }
    }
    if (ferror(ids)) {
        snprintf(err, errlen, "cannot read the ID log: %s", strerror(errno));
        goto Done;
    }
    for (size_t i = 0; i < t.cap; i++) { /* each send matched by one line of the log */
        entry_t *e = &t.e[i];
        if (e->id == NULL)
            continue;
        if (e->sent == 0) {
            r->unsent_received += e->seen;
            if (e->seen > 0)
                example(r, &shown, "received though never sent", e->id);
            continue;
        }
        /* received more often than sent: which send was received twice is unknown */
        uint32_t got = e->seen <= e->sent ? e->seen : 0;
        r->matched += got;
        if (e->seen < e->sent) {
            r->lost += e->sent - e->seen;
            lost_by[e->outcome] += e->sent - e->seen;
            example(r, &shown, "lost", e->id);
        }
    }
    for (int o = 0; o < SL_R_COUNT; o++) {
        size_t len = strlen(r->lost_outcomes);
        if (lost_by[o] > 0)
            snprintf(r->lost_outcomes + len, sizeof(r->lost_outcomes) - len, "%s%s %llu",
                     len ? ", " : "", sl_result_name((sl_result_t)o),
                     (unsigned long long)lost_by[o]);
    }
    rc = 0;
Done:
    for (size_t i = 0; i < t.cap; i++)
        free(t.e[i].id);
    free(t.e);
    free(line);
    return rc;
}

/* path opened for reading, if it is a file: a directory opens, then reads as empty. NULL
 * with why in err. */
static FILE *open_file(const char *path, const char *what, char *err, size_t errlen)
{
    struct stat st;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s is a directory, not %s", path, what);
        fclose(f);
        return NULL;
    }
    return f;
}

/* Each trace once: the same file twice (by any name) would count every request twice. */
static int traces_distinct(char **paths, int n, char *err, size_t errlen)
{
    struct stat a, b;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (stat(paths[i], &a) == 0 && stat(paths[j], &b) == 0 && a.st_dev == b.st_dev &&
                a.st_ino == b.st_ino) {
                snprintf(err, errlen, "%s and %s are the same trace: give each trace once",
                         paths[j], paths[i]);
                return -1;
            }
    return 0;
}

/* The traces of several segments as one: the first one's header, then every file's lines.
 * Returns a temporary stream, or NULL with what failed in err. */
static FILE *join_traces(char **paths, int n, char *err, size_t errlen)
{
    if (traces_distinct(paths, n, err, errlen) != 0)
        return NULL;
    FILE *all = n == 1 ? open_file(paths[0], "a trace", err, errlen) : tmpfile();
    char *line = NULL;
    size_t cap = 0;
    if (all == NULL || n == 1) {
        if (all == NULL && n > 1)
            snprintf(err, errlen, "cannot make a temporary file: %s", strerror(errno));
        return all;
    }
    for (int i = 0; i < n; i++) {
        FILE *f = open_file(paths[i], "a trace", err, errlen);
        ssize_t got;
        if (f == NULL) {
            fclose(all);
            all = NULL;
            break;
        }
        for (int lineno = 0; (got = getline(&line, &cap, f)) >= 0; lineno++)
            if (lineno > 0 || i == 0)
                fwrite(line, 1, (size_t)got, all);
        fclose(f);
    }
    free(line);
    if (all != NULL)
        rewind(all);
    return all;
}

int sl_reconcile_files(char **paths, int n, const char *ids_path, sl_reconcile_t *r, char *err,
                       size_t errlen)
{
    char why[512];
    FILE *trace = join_traces(paths, n, err, errlen), *ids = NULL;
    int rc = -1;
    if (trace == NULL)
        return -1;
    if ((ids = open_file(ids_path, "an ID log", err, errlen)) == NULL)
        goto Done;
    if (sl_reconcile(trace, ids, r, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %s", n == 1 ? paths[0] : "the traces", why);
        goto Done;
    }
    rc = 0;
Done:
    fclose(trace);
    if (ids != NULL)
        fclose(ids);
    return rc;
}

int sl_reconcile_print(FILE *out, const sl_reconcile_t *r, const char *trace_name,
                       const char *ids_name)
{
    fprintf(out, "Reconciliation of %s (sent) with %s (received)\n", trace_name, ids_name);
    fprintf(out,
            "  sent        %llu\n  received    %llu\n  matched     %llu (received exactly once)\n"
            "  lost        %llu\n  duplicated  %llu\n  unknown     %llu\n",
            (unsigned long long)r->sent, (unsigned long long)r->received,
            (unsigned long long)r->matched, (unsigned long long)r->lost,
            (unsigned long long)r->duplicated, (unsigned long long)r->unknown);
    fprintf(out,
            "  never sent  %llu (not expected at the server: failed before send %llu, not sent "
            "%llu, script errors before send %llu)\n",
            (unsigned long long)(r->before_send + r->not_sent + r->script_errors),
            (unsigned long long)r->before_send, (unsigned long long)r->not_sent,
            (unsigned long long)r->script_errors);
    if (r->lost > 0)
        fprintf(out,
                "Lost, by the client's outcome: %s (connect: never delivered; timeout, read, "
                "cancelled: the server may not have logged it yet)\n",
                r->lost_outcomes);
    if (r->repeated > 0)
        fprintf(out,
                "Warning     %llu IDs were sent more than once (%llu sends more): the IDs sent "
                "are not distinct, so the server cannot tell those requests apart (IDs of the "
                "script's own that repeat, or one trace given twice)\n",
                (unsigned long long)r->repeated, (unsigned long long)r->repeated_sends);
    if (r->unsent_received > 0)
        fprintf(out, "Received    %llu times an ID of a request the trace says was never sent\n",
                (unsigned long long)r->unsent_received);
    if (r->examples[0] != '\0')
        fprintf(out, "Examples: %s\n", r->examples);
    int matched = r->lost == 0 && r->duplicated == 0 && r->unknown == 0 && r->unsent_received == 0;
    fprintf(out, "Result      %s\n",
            !matched          ? "MISMATCH"
            : r->repeated > 0 ? "NOT DISTINCT: every ID was received as often as sent, but "
                                "some were sent more than once"
                              : "every ID sent was received exactly once");
    return matched && r->repeated == 0 ? 0 : 1;
}
