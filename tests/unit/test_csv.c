/*
 * test_csv: RFC 4180 parsing into the compact block: quoting, doubled quotes, CRLF and LF,
 * line breaks inside fields, headers, and the errors with their line numbers.
 */
#include "unit.h"
#include "core/csv.h"

static char err[256];

static sl_csv_t *parse(const char *text, int header, char sep)
{
    sl_csv_opts_t o = {.separator = sep, .header = header};
    err[0] = '\0';
    return sl_csv_parse(text, strlen(text), &o, NULL, NULL, err, sizeof(err));
}

static const char *field(const sl_csv_t *t, size_t row, size_t col)
{
    size_t len;
    return sl_csv_field(t, row, col, &len);
}

static size_t field_len(const sl_csv_t *t, size_t row, size_t col)
{
    size_t len;
    sl_csv_field(t, row, col, &len);
    return len;
}

/* Parses text expecting an error that contains want. */
static void check_error(const char *text, int header, const char *want)
{
    sl_csv_t *t = parse(text, header, 0);
    CHECK(t == NULL);
    if (strstr(err, want) == NULL) {
        check_failed++;
        fprintf(stderr, "error for %s is \"%s\", expected it to contain \"%s\"\n", text, err, want);
    } else {
        check_passed++;
    }
    sl_csv_free(t, NULL, NULL);
}

int main(void)
{
    size_t len;
    /* a header and two rows, LF, no final line break */
    sl_csv_t *t = parse("customer,country,amount\nC-1001,DE,120.50\nC-1002,FR,89.90", 1, 0);
    CHECK(t != NULL);
    CHECK_EQ_U(t->nrows, 2);
    CHECK_EQ_U(t->ncols, 3);
    CHECK_STR(sl_csv_name(t, 0, &len), "customer");
    CHECK_EQ_U(len, 8);
    CHECK_STR(sl_csv_name(t, 2, &len), "amount");
    CHECK_STR(field(t, 0, 0), "C-1001");
    CHECK_STR(field(t, 1, 2), "89.90");
    CHECK_EQ_U(field_len(t, 1, 2), 5);
    sl_csv_free(t, NULL, NULL);

    /* quoted fields: separators, doubled quotes, CRLF and a line break inside, empty ones */
    t = parse("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n\"\",,\"\"\"\"\r\n", 1, 0);
    CHECK(t != NULL);
    CHECK_EQ_U(t->nrows, 2);
    CHECK_STR(field(t, 0, 0), "x, y");
    CHECK_STR(field(t, 0, 1), "say \"hi\"");
    CHECK_STR(field(t, 0, 2), "two\r\nlines");
    CHECK_STR(field(t, 1, 0), "");
    CHECK_STR(field(t, 1, 1), "");
    CHECK_STR(field(t, 1, 2), "\"");
    sl_csv_free(t, NULL, NULL);

    /* without a header every record is a row; empty lines are skipped; a BOM is skipped */
    t = parse("\xEF\xBB\xBF"
              "1;2\n\n3;4\n\n",
              0, ';');
    CHECK(t != NULL);
    CHECK_EQ_U(t->nrows, 2);
    CHECK_EQ_U(t->ncols, 2);
    CHECK(sl_csv_name(t, 0, &len) == NULL);
    CHECK_STR(field(t, 0, 0), "1");
    CHECK_STR(field(t, 1, 1), "4");
    sl_csv_free(t, NULL, NULL);

    /* a trailing separator is an empty last field; a lone CR ends a line */
    t = parse("a,\rb,c", 0, 0);
    CHECK(t != NULL);
    CHECK_EQ_U(t->nrows, 2);
    CHECK_STR(field(t, 0, 1), "");
    CHECK_STR(field(t, 1, 0), "b");
    sl_csv_free(t, NULL, NULL);

    /* a NUL inside a field is kept, with its length */
    {
        static const char text[] = "k,v\nx,a\0b\n";
        sl_csv_opts_t o = {.header = 1};
        t = sl_csv_parse(text, sizeof(text) - 1, &o, NULL, NULL, err, sizeof(err));
        CHECK(t != NULL);
        CHECK_EQ_U(field_len(t, 0, 1), 3);
        CHECK(memcmp(field(t, 0, 1), "a\0b", 4) == 0);
        sl_csv_free(t, NULL, NULL);
    }

    /* a header only: no rows; an empty file: no rows without a header, an error with one */
    t = parse("a,b\n", 1, 0);
    CHECK(t != NULL && t->nrows == 0 && t->ncols == 2);
    sl_csv_free(t, NULL, NULL);
    t = parse("", 0, 0);
    CHECK(t != NULL && t->nrows == 0);
    sl_csv_free(t, NULL, NULL);
    check_error("", 1, "line 1: no header: the file is empty");

    /* errors name the line where the record (or the quoted field) starts */
    check_error("a,b\n1,2\n3\n", 1, "line 3: 1 field, but the header (line 1) has 2");
    check_error("1,2\n\n3,4,5\n", 0, "line 3: 3 fields, but the first row (line 1) has 2");
    check_error("a,b\n1,\"open\nstill\n", 1, "line 2: the quoted field 2 is never closed");
    check_error("a\n\"x\ny\"z\n", 1, "line 3: 'z' after the closing quote of field 1");
    check_error("a,b\n1,2\"3\n", 1, "line 2: a quote inside the unquoted field 2");
    {
        sl_csv_opts_t o = {.separator = '"'};
        CHECK(sl_csv_parse("a", 1, &o, NULL, NULL, err, sizeof(err)) == NULL);
        CHECK(strstr(err, "separator") != NULL);
    }
    return check_report();
}
