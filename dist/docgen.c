/*
 * docgen: the man pages and the shell completions, made at build time from the option tables
 * that make soapload's and soapload-mock's --help (core/config, mock/options), as curl and
 * nghttp2 make theirs: an option added to a table appears in all of them.
 *
 *   soapload-docgen TEMPLATE OUT [KEY=VALUE]...
 *
 * copies TEMPLATE to OUT with each @KEY@ replaced by the text made for KEY (see `keys`), or by
 * a VALUE given (the build's paths); the rest of each page is written by hand in the template.
 * Exit 0, or 2 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/config.h"
#include "core/version.h"
#include "options.h"

#define MAX_ROWS 128
/* soapload's table is copied whole: a longer one would overrun the rows */
_Static_assert(SL_OPT_COUNT <= MAX_ROWS, "docgen: raise MAX_ROWS to the number of options");

/* An option of either program, as the generators read it. */
typedef struct {
    const char *flag;   /* long name without "--", or NULL: a script setting only */
    char letter;        /* short flag, or 0 */
    const char *script; /* soapload: the name in the script's soapload table, or NULL */
    const char *arg;    /* the value's placeholder, NULL: none; "[N]": optional */
    const char *help;   /* lines separated by '\n' */
} row_t;

typedef struct {
    row_t rows[MAX_ROWS];
    size_t n;
} table_t;

/* soapload's rows in --help's order: the flags, then the settings only a script has. */
static void load_soapload(table_t *t)
{
    const sl_option_t *o = sl_config_options();
    t->n = 0;
    for (int k = 0; k < 2 * SL_OPT_COUNT; k++) {
        int i = k % SL_OPT_COUNT;
        if ((o[i].flag == NULL) != (k >= SL_OPT_COUNT))
            continue;
        t->rows[t->n++] = (row_t){o[i].flag, o[i].letter, o[i].script, o[i].arg, o[i].help};
    }
}

static void load_mock(table_t *t)
{
    sl_mock_option_doc_t d;
    for (t->n = 0; t->n < MAX_ROWS && sl_mock_options_doc(t->n, &d) == 0; t->n++)
        t->rows[t->n] = (row_t){d.name, d.letter, NULL, d.arg, d.help};
}

/* --- roff ----------------------------------------------------------------------------- */

/* Text of `len` bytes on an input line of its own: a leading '.' or '\'' would be a request,
 * '\' an escape, and '-' a hyphen where the reader types a minus. */
static void roff_put(FILE *out, const char *s, size_t len)
{
    if (len > 0 && (s[0] == '.' || s[0] == '\''))
        fputs("\\&", out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\')
            fputs("\\e", out);
        else if (s[i] == '-')
            fputs("\\-", out);
        else
            fputc(s[i], out);
    }
}

static void roff_str(FILE *out, const char *s)
{
    roff_put(out, s, strlen(s));
}

/* One .TP entry per option with the head --help prints ("-d, --duration T", "[model]") and
 * its help as one filled paragraph, ending in " [setting]" as --help does. */
static void gen_roff_options(FILE *out, const table_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const row_t *r = &t->rows[i];
        fputs(".TP\n", out);
        if (r->flag == NULL) {
            fprintf(out, "\\fB[%s]\\fR\n", r->script);
        } else {
            if (r->letter)
                fprintf(out, "\\fB\\-%c\\fR, ", r->letter);
            fputs("\\fB\\-\\-", out);
            roff_str(out, r->flag);
            fputs("\\fR", out);
            if (r->arg) {
                fputs(" \\fI", out);
                roff_str(out, r->arg);
                fputs("\\fR", out);
            }
            fputc('\n', out);
        }
        for (const char *line = r->help; *line;) {
            size_t len = strcspn(line, "\n");
            roff_put(out, line, len);
            line += len + (line[len] == '\n');
            if (*line == '\0' && r->flag != NULL && r->script != NULL)
                fprintf(out, " [%s]", r->script);
            fputc('\n', out);
        }
    }
}

static void gen_soapload_man_options(FILE *out)
{
    table_t t;
    load_soapload(&t);
    gen_roff_options(out, &t);
}

static void gen_mock_man_options(FILE *out)
{
    table_t t;
    load_mock(&t);
    gen_roff_options(out, &t);
}

/* The usage lines of --help, unfilled, one per line. */
static void gen_soapload_synopsis(FILE *out)
{
    fputs(".nf\n", out);
    for (const char *line = sl_cli_synopsis(); *line;) {
        size_t len = strcspn(line, "\n");
        roff_put(out, line, len);
        fputc('\n', out);
        line += len + (line[len] == '\n');
    }
    fputs(".fi\n", out);
}

/* --- shell completion ------------------------------------------------------------------ */

enum { ALL, VALUE, FILES, DIRS };

/* Whether the row's value is a file (FILE), a directory (DIR), or a fixed list ("1.1|2"). */
static int is_kind(const row_t *r, int kind)
{
    if (r->flag == NULL)
        return 0;
    switch (kind) {
    case ALL:
        return 1;
    case VALUE: /* a value of its own, required: the next word is not an option */
        return r->arg != NULL && r->arg[0] != '[';
    case FILES:
        return r->arg != NULL && strcmp(r->arg, "FILE") == 0;
    case DIRS:
        return r->arg != NULL && strcmp(r->arg, "DIR") == 0;
    }
    return 0;
}

/* "1.1|1.2" -> 1, a list of words to choose from; "T|DIST" names placeholders, not values. */
static int is_choice(const row_t *r)
{
    return r->flag != NULL && r->arg != NULL && strchr(r->arg, '|') != NULL &&
           strpbrk(r->arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ '") == NULL;
}

/* The rows' flags of `kind`, short and long, separated by spaces. */
static void gen_words(FILE *out, const table_t *t, int kind)
{
    const char *sep = "";
    for (size_t i = 0; i < t->n; i++) {
        const row_t *r = &t->rows[i];
        if (!is_kind(r, kind))
            continue;
        if (r->letter)
            fprintf(out, "%s-%c", sep, r->letter), sep = " ";
        fprintf(out, "%s--%s", sep, r->flag), sep = " ";
    }
}

/* bash: case arms "--soap) words='1.1 1.2' ;;" for the options with a list of values. */
static void gen_bash_choices(FILE *out, const table_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const row_t *r = &t->rows[i];
        if (!is_choice(r))
            continue;
        fputs("        ", out);
        if (r->letter)
            fprintf(out, "-%c|", r->letter);
        fprintf(out, "--%s) words='", r->flag);
        for (const char *c = r->arg; *c; c++)
            fputc(*c == '|' ? ' ' : *c, out);
        fputs("' ;;\n", out);
    }
}

/* zsh: text inside '...', where a quote is '\''; inside _arguments' [...] also \[ \] and,
 * in a message, \: */
static void zsh_put(FILE *out, const char *s, size_t len, const char *special)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\'')
            fputs("'\\''", out);
        else {
            if (strchr(special, s[i]) != NULL)
                fputc('\\', out);
            fputc(s[i], out);
        }
    }
}

/* One _arguments spec per option, e.g. '(-d --duration)'{-d+,--duration=}'[how long]:T: ',
 * the description the first line of its help; repeatable options may come again. */
static void gen_zsh_specs(FILE *out, const table_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const row_t *r = &t->rows[i];
        if (r->flag == NULL)
            continue;
        int again = strstr(r->help, "repeatable") != NULL;
        int value = r->arg != NULL, optional = value && r->arg[0] == '[';
        fputs("    ", out);
        if (again)
            fputs("'*'", out);
        else if (r->letter)
            fprintf(out, "'(-%c --%s)'", r->letter, r->flag);
        if (r->letter)
            fprintf(out, "{-%c%s,--%s%s}'", r->letter, value && !optional ? "+" : "", r->flag,
                    value && !optional ? "=" : "");
        else
            fprintf(out, "'--%s%s", r->flag, value && !optional ? "=" : "");
        fputc('[', out);
        zsh_put(out, r->help, strcspn(r->help, "\n"), "[]");
        fputc(']', out);
        if (value) {
            fputs(optional ? "::" : ":", out);
            zsh_put(out, r->arg, strlen(r->arg), ":");
            fputc(':', out);
            if (is_kind(r, FILES))
                fputs("_files", out);
            else if (is_kind(r, DIRS))
                fputs("_files -/", out);
            else if (is_choice(r)) {
                fputc('(', out);
                for (const char *c = r->arg; *c; c++)
                    fputc(*c == '|' ? ' ' : *c, out);
                fputc(')', out);
            } else
                fputc(' ', out);
        }
        fputs("' \\\n", out);
    }
}

#define TABLE_GEN(name, load, body)                                                                \
    static void name(FILE *out)                                                                    \
    {                                                                                              \
        table_t t;                                                                                 \
        load(&t);                                                                                  \
        body;                                                                                      \
    }

TABLE_GEN(gen_soapload_flags, load_soapload, gen_words(out, &t, ALL))
TABLE_GEN(gen_soapload_value_flags, load_soapload, gen_words(out, &t, VALUE))
TABLE_GEN(gen_soapload_file_flags, load_soapload, gen_words(out, &t, FILES))
TABLE_GEN(gen_soapload_dir_flags, load_soapload, gen_words(out, &t, DIRS))
TABLE_GEN(gen_soapload_choices, load_soapload, gen_bash_choices(out, &t))
TABLE_GEN(gen_soapload_zsh, load_soapload, gen_zsh_specs(out, &t))
TABLE_GEN(gen_mock_flags, load_mock, gen_words(out, &t, ALL))
TABLE_GEN(gen_mock_value_flags, load_mock, gen_words(out, &t, VALUE))
TABLE_GEN(gen_mock_file_flags, load_mock, gen_words(out, &t, FILES))
TABLE_GEN(gen_mock_choices, load_mock, gen_bash_choices(out, &t))
TABLE_GEN(gen_mock_zsh, load_mock, gen_zsh_specs(out, &t))

static void gen_version(FILE *out)
{
    fputs(SL_VERSION, out);
}

static const struct {
    const char *key;
    void (*gen)(FILE *out);
} keys[] = {
    {"SOAPLOAD_VERSION", gen_version},
    {"SOAPLOAD_SYNOPSIS", gen_soapload_synopsis},
    {"SOAPLOAD_OPTIONS", gen_soapload_man_options},
    {"MOCK_OPTIONS", gen_mock_man_options},
    {"SOAPLOAD_FLAGS", gen_soapload_flags},
    {"SOAPLOAD_VALUE_FLAGS", gen_soapload_value_flags},
    {"SOAPLOAD_FILE_FLAGS", gen_soapload_file_flags},
    {"SOAPLOAD_DIR_FLAGS", gen_soapload_dir_flags},
    {"SOAPLOAD_CHOICES", gen_soapload_choices},
    {"SOAPLOAD_ZSH_SPECS", gen_soapload_zsh},
    {"MOCK_FLAGS", gen_mock_flags},
    {"MOCK_VALUE_FLAGS", gen_mock_value_flags},
    {"MOCK_FILE_FLAGS", gen_mock_file_flags},
    {"MOCK_CHOICES", gen_mock_choices},
    {"MOCK_ZSH_SPECS", gen_mock_zsh},
};

/* The value of `key` (len bytes) among the KEY=VALUE arguments, or NULL. */
static const char *given(const char *key, size_t len, char **defs, int ndefs)
{
    for (int i = 0; i < ndefs; i++)
        if (strncmp(defs[i], key, len) == 0 && defs[i][len] == '=')
            return defs[i] + len + 1;
    return NULL;
}

/* Copies `text` to out, replacing each @KEY@ of `keys` or of defs; an unknown @WORD@ is an
 * error, so that a misspelt key in a template cannot ship as text. */
static int expand(FILE *out, const char *text, const char *name, char **defs, int ndefs)
{
    for (const char *p = text; *p;) {
        const char *at = strchr(p, '@');
        if (at == NULL) {
            fputs(p, out);
            break;
        }
        fwrite(p, 1, (size_t)(at - p), out);
        size_t len = strspn(at + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
        if (len == 0 || at[1 + len] != '@') { /* an '@' of the text */
            fputc('@', out);
            p = at + 1;
            continue;
        }
        const char *value = given(at + 1, len, defs, ndefs);
        if (value != NULL) {
            fputs(value, out);
            p = at + len + 2;
            continue;
        }
        size_t k = 0;
        while (k < sizeof(keys) / sizeof(keys[0]) &&
               (strlen(keys[k].key) != len || strncmp(keys[k].key, at + 1, len) != 0))
            k++;
        if (k == sizeof(keys) / sizeof(keys[0])) {
            fprintf(stderr, "soapload-docgen: %s: unknown key @%.*s@\n", name, (int)len, at + 1);
            return -1;
        }
        keys[k].gen(out);
        p = at + len + 2;
    }
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    if (f == NULL)
        return NULL;
    FILE *mem = open_memstream(&text, &len);
    char buf[8192];
    size_t n;
    while (mem != NULL && (n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, mem);
    int bad = ferror(f) || mem == NULL;
    fclose(f);
    if (mem != NULL && fclose(mem) != 0)
        bad = 1;
    if (bad) {
        free(text);
        return NULL;
    }
    return text;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: soapload-docgen TEMPLATE OUT [KEY=VALUE]...\n");
        return SL_EXIT_USAGE;
    }
    char *text = slurp(argv[1]);
    if (text == NULL) {
        fprintf(stderr, "soapload-docgen: cannot read %s\n", argv[1]);
        return SL_EXIT_USAGE;
    }
    FILE *out = fopen(argv[2], "w");
    if (out == NULL) {
        fprintf(stderr, "soapload-docgen: cannot write %s\n", argv[2]);
        free(text);
        return SL_EXIT_USAGE;
    }
    int rc = expand(out, text, argv[1], argv + 3, argc - 3);
    if (fclose(out) != 0 && rc == 0) {
        fprintf(stderr, "soapload-docgen: cannot write %s\n", argv[2]);
        rc = -1;
    }
    free(text);
    if (rc != 0) {
        remove(argv[2]);
        return SL_EXIT_USAGE;
    }
    return 0;
}
