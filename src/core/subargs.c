/*
 * subargs: one pass over argv, a flag looked up by its name or alias; `--name=VALUE` split at
 * the first '='. The did-you-mean is core/nearest's, over the long names.
 */
#include "core/subargs.h"

#include <string.h>

#include "core/nearest.h"

#define HELP_COLUMN 22 /* where a flag's help starts in the usage */
#define MAX_FLAGS 64   /* rows of one table the did-you-mean looks at */

static const sl_subarg_t *find(const sl_subarg_t *flags, const char *word, size_t len)
{
    for (const sl_subarg_t *f = flags; f->name != NULL; f++)
        if ((strlen(f->name) == len && strncmp(f->name, word, len) == 0) ||
            (f->alias != NULL && strlen(f->alias) == len && strncmp(f->alias, word, len) == 0))
            return f;
    return NULL;
}

static void unknown(const sl_subarg_t *flags, const char *word, char *err, size_t errlen)
{
    const char *names[MAX_FLAGS + 1];
    int n = 0;
    for (const sl_subarg_t *f = flags; f->name != NULL && n < MAX_FLAGS; f++)
        if (strncmp(f->name, "--", 2) == 0)
            names[n++] = f->name;
    names[n] = NULL;
    /* "-x" is one edit from every letter: only a long name is worth a guess */
    const char *near = strncmp(word, "--", 2) == 0 ? sl_nearest(word, names) : NULL;
    snprintf(err, errlen, "unknown option %s%s%s%s", word, near ? " (did you mean " : "",
             near ? near : "", near ? "?)" : "");
}

static int take(const sl_subarg_t *f, void *opts, const char *value, char *err, size_t errlen)
{
    if (f->set != NULL)
        return f->set(opts, f->name, value, err, errlen);
    if (f->arg == NULL)
        *(int *)(void *)((char *)opts + f->at) = 1;
    else
        *(const char **)(void *)((char *)opts + f->at) = value;
    return 0;
}

sl_subargs_result_t sl_subargs_parse(const sl_subarg_t *flags, int argc, char **argv, void *opts,
                                     sl_subargs_set_fn operand, char *err, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return SL_SUBARGS_HELP;
        if (a[0] != '-' || a[1] == '\0') {
            if (operand(opts, NULL, a, err, errlen) != 0)
                return SL_SUBARGS_REFUSED;
            continue;
        }
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        const sl_subarg_t *f = find(flags, a, eq ? (size_t)(eq - a) : strlen(a));
        if (f == NULL) {
            unknown(flags, a, err, errlen);
            return SL_SUBARGS_USAGE;
        }
        if (f->arg == NULL && eq != NULL) {
            snprintf(err, errlen, "%s takes no value", f->name);
            return SL_SUBARGS_USAGE;
        }
        if (f->arg != NULL && eq == NULL && i + 1 >= argc) {
            snprintf(err, errlen, "%s needs a value", a);
            return SL_SUBARGS_USAGE;
        }
        /* `--listen --help`, as the error hints suggest: the help, not a value "--help"
         * (a file of that name still goes as --json=--help) */
        if (f->arg != NULL && eq == NULL && strcmp(argv[i + 1], "--help") == 0)
            return SL_SUBARGS_HELP;
        const char *value = f->arg == NULL ? NULL : eq != NULL ? eq + 1 : argv[++i];
        if (take(f, opts, value, err, errlen) != 0)
            return SL_SUBARGS_REFUSED;
    }
    return SL_SUBARGS_OK;
}

void sl_subargs_usage(FILE *out, const sl_subarg_t *flags)
{
    for (const sl_subarg_t *f = flags; f->name != NULL; f++) {
        if (f->help == NULL)
            continue;
        int n = fprintf(out, "  %s%s%s%s%s", f->alias ? f->alias : "", f->alias ? ", " : "",
                        f->name, f->arg ? " " : "", f->arg ? f->arg : "");
        fprintf(out, "%*s%s\n", n < HELP_COLUMN - 2 ? HELP_COLUMN - n : 2, "", f->help);
    }
}
