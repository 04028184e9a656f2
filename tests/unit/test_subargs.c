/*
 * test_subargs: a subcommand's flag table reads both value forms, hands operands over in
 * order, refuses an unknown flag with the nearest known one, and prints the usage's list.
 */
#include <stddef.h>
#include <stdlib.h>

#include "unit.h"
#include "core/subargs.h"

typedef struct {
    const char *json, *ops[4];
    int quiet, nops, nlimits;
} opts_t;

static int add_limit(void *opts, const char *flag, const char *value, char *err, size_t errlen)
{
    (void)flag;
    if (strcmp(value, "bad") == 0) {
        snprintf(err, errlen, "bad threshold");
        return -1;
    }
    ((opts_t *)opts)->nlimits++;
    return 0;
}

static int add_op(void *opts, const char *flag, const char *value, char *err, size_t errlen)
{
    opts_t *o = opts;
    (void)flag, (void)err, (void)errlen;
    o->ops[o->nops++] = value;
    return 0;
}

static const sl_subarg_t flags[] = {
    {"--json", NULL, "FILE", offsetof(opts_t, json), NULL, "write the result"},
    {"--threshold", NULL, "EXPR", 0, add_limit, "pass/fail, e.g. 'p99 < 50ms'\n    (repeatable)"},
    {"-t", NULL, "EXPR", 0, add_limit, NULL},
    {"--quiet", "-q", NULL, offsetof(opts_t, quiet), NULL, "print no summary"},
    {"--a-very-long-flag-name", NULL, NULL, 0, add_limit, "long"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static sl_subargs_result_t parse(opts_t *o, char *err, char **argv)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    memset(o, 0, sizeof(*o));
    return sl_subargs_parse(flags, argc, argv, o, add_op, err, 256);
}

int main(void)
{
    opts_t o;
    char err[256];

    char *both[] = {"x",  "a.json", "--json", "out.json", "-q", "-", "--threshold=p99",
                    "-t", "x",      "b.json", NULL};
    CHECK(parse(&o, err, both) == SL_SUBARGS_OK);
    CHECK_STR(o.json, "out.json");
    CHECK(o.quiet == 1 && o.nlimits == 2 && o.nops == 3);
    CHECK_STR(o.ops[0], "a.json");
    CHECK_STR(o.ops[1], "-");
    CHECK_STR(o.ops[2], "b.json");
    char *eq[] = {"x", "--json=a=b", "--json", "--quiet", NULL}; /* a value is the next word */
    CHECK(parse(&o, err, eq) == SL_SUBARGS_OK);
    CHECK_STR(o.json, "--quiet");
    CHECK(o.quiet == 0);

    char *typo[] = {"x", "--jsn", "f", NULL};
    CHECK(parse(&o, err, typo) == SL_SUBARGS_USAGE);
    CHECK_STR(err, "unknown option --jsn (did you mean --json?)");
    char *far[] = {"x", "--frobnicate", NULL};
    CHECK(parse(&o, err, far) == SL_SUBARGS_USAGE);
    CHECK_STR(err, "unknown option --frobnicate");
    char *letter[] = {"x", "-x", NULL}; /* a letter is no typo of another */
    CHECK(parse(&o, err, letter) == SL_SUBARGS_USAGE);
    CHECK_STR(err, "unknown option -x");
    char *last[] = {"x", "a", "-t", NULL};
    CHECK(parse(&o, err, last) == SL_SUBARGS_USAGE);
    CHECK_STR(err, "-t needs a value");
    char *sw[] = {"x", "--quiet=1", NULL};
    CHECK(parse(&o, err, sw) == SL_SUBARGS_USAGE);
    CHECK_STR(err, "--quiet takes no value");
    char *bad[] = {"x", "--threshold", "bad", "--jsn", NULL}; /* the first problem wins */
    CHECK(parse(&o, err, bad) == SL_SUBARGS_REFUSED);
    CHECK_STR(err, "bad threshold");
    char *help[] = {"x", "--jsn", "--help", NULL};
    CHECK(parse(&o, err, help) == SL_SUBARGS_USAGE);
    char *help2[] = {"x", "a", "-h", "--jsn", NULL};
    CHECK(parse(&o, err, help2) == SL_SUBARGS_HELP);

    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    sl_subargs_usage(mem, flags);
    fclose(mem);
    CHECK_STR(text, "  --json FILE         write the result\n"
                    "  --threshold EXPR    pass/fail, e.g. 'p99 < 50ms'\n"
                    "    (repeatable)\n"
                    "  -q, --quiet         print no summary\n"
                    "  --a-very-long-flag-name  long\n");
    free(text);

    return check_report();
}
