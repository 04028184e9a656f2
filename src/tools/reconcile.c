/*
 * reconcile: one hash table of the sent IDs, with the client's outcome and how often the
 * server logged each.
 */
#include "tools/reconcile.h"

#include <stdlib.h>
#include <string.h>

#include "core/counts.h"

typedef struct {
    char *id;      /* NULL: empty */
    int outcome;   /* index into outcome_names */
    uint32_t seen; /* times the ID log has it */
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
    if (*shown >= SL_RECONCILE_EXAMPLES ||
        len + strlen(what) + strlen(id) + 4 >= sizeof(r->examples))
        return;
    snprintf(r->examples + len, sizeof(r->examples) - len, "%s%s %s", len ? ", " : "", what, id);
    (*shown)++;
}

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
    for (uint64_t lineno = 2; getline(&line, &cap, trace) >= 0; lineno++) {
        chomp(line);
        char *last = strrchr(line, ',');
        if (last == NULL || unquote_first_field(line) != 0) {
            snprintf(err, errlen, "trace line %llu is not a soapload trace line",
                     (unsigned long long)lineno);
            goto Done;
        }
        int outcome = outcome_index(last + 1);
        if (outcome < 0) /* not_sent, script_error_before_send: nothing went out */
            continue;
        entry_t *e = find(&t, line, 1);
        if (e == NULL) {
            snprintf(err, errlen, "out of memory");
            goto Done;
        }
        e->outcome = outcome;
        r->sent++;
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
        } else if (e->seen++ > 0) {
            r->duplicated++;
            if (e->seen == 2)
                example(r, &shown, "duplicated", line);
        }
    }
    for (size_t i = 0; i < t.cap; i++) {
        entry_t *e = &t.e[i];
        if (e->id == NULL)
            continue;
        if (e->seen == 0) {
            r->lost++;
            lost_by[e->outcome]++;
            example(r, &shown, "lost", e->id);
        } else if (e->seen == 1) {
            r->matched++;
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

/* The traces of several segments as one: the first one's header, then every file's lines.
 * Returns a temporary stream, or NULL with what failed in err. */
static FILE *join_traces(char **paths, int n, char *err, size_t errlen)
{
    FILE *all = n == 1 ? fopen(paths[0], "r") : tmpfile();
    char *line = NULL;
    size_t cap = 0;
    if (all == NULL || n == 1) {
        if (all == NULL)
            snprintf(err, errlen, "cannot read %s", paths[0]);
        return all;
    }
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(paths[i], "r");
        ssize_t got;
        if (f == NULL) {
            snprintf(err, errlen, "cannot read %s", paths[i]);
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
    if ((ids = fopen(ids_path, "r")) == NULL) {
        snprintf(err, errlen, "cannot read %s", ids_path);
        goto Done;
    }
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
    if (r->lost > 0)
        fprintf(out,
                "Lost, by the client's outcome: %s (connect: never delivered; timeout, read, "
                "cancelled: the server may not have logged it yet)\n",
                r->lost_outcomes);
    if (r->examples[0] != '\0')
        fprintf(out, "Examples: %s\n", r->examples);
    int ok = r->lost == 0 && r->duplicated == 0 && r->unknown == 0;
    fprintf(out, "Result      %s\n", ok ? "every ID sent was received exactly once" : "MISMATCH");
    return ok ? 0 : 1;
}
