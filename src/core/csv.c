/*
 * csv: two passes over the text with one scanner. The first counts the records, the fields
 * and the bytes they unescape to, and finds every error; the second, into a block of exactly
 * that size, fills in the offsets and the fields. A record begins a new line; a field that
 * starts with a quote runs to the quote that is not doubled, and a separator, a line break or
 * the end must follow it.
 */
#include "core/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t records, ncols, bytes, first_line;
} shape_t;

/* Where the second pass writes; NULL fields in the first. */
typedef struct {
    uint32_t *off;
    char *data;
    size_t field;
} sink_t;

static void put(shape_t *shape, sink_t *sink, char c)
{
    if (sink->data != NULL)
        sink->data[shape->bytes] = c;
    shape->bytes++;
}

/* The length of the line break at text[i] (CRLF, LF or a lone CR), or 0. */
static size_t line_break(const char *text, size_t len, size_t i)
{
    if (i >= len || (text[i] != '\n' && text[i] != '\r'))
        return 0;
    return text[i] == '\r' && i + 1 < len && text[i + 1] == '\n' ? 2 : 1;
}

static int scan(const char *text, size_t len, char sep, int header, shape_t *shape, sink_t *sink,
                char *err, size_t errlen)
{
    size_t i = 0, line = 1;
    memset(shape, 0, sizeof(*shape));
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len) {
        size_t br = line_break(text, len, i);
        if (br > 0) { /* an empty line */
            i += br;
            line++;
            continue;
        }
        size_t record_line = line, nfields = 0;
        for (;;) {
            if (sink->off != NULL)
                sink->off[sink->field++] = (uint32_t)shape->bytes;
            nfields++;
            if (i < len && text[i] == '"') {
                size_t open_line = line;
                for (i++;; i++) {
                    if (i == len) {
                        snprintf(err, errlen, "line %zu: the quoted field %zu is never closed",
                                 open_line, nfields);
                        return -1;
                    }
                    if (text[i] == '"') {
                        if (i + 1 < len && text[i + 1] == '"') {
                            put(shape, sink, '"');
                            i++;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (text[i] == '\n' || (text[i] == '\r' && line_break(text, len, i) == 1))
                        line++;
                    put(shape, sink, text[i]);
                }
                if (i < len && text[i] != sep && line_break(text, len, i) == 0) {
                    snprintf(err, errlen,
                             "line %zu: '%c' after the closing quote of field %zu (a separator "
                             "or a line break must follow; a quote inside is written \"\")",
                             line, text[i], nfields);
                    return -1;
                }
            } else {
                for (; i < len && text[i] != sep && line_break(text, len, i) == 0; i++) {
                    if (text[i] == '"') {
                        snprintf(err, errlen,
                                 "line %zu: a quote inside the unquoted field %zu (quote the "
                                 "whole field and double the quotes in it)",
                                 line, nfields);
                        return -1;
                    }
                    put(shape, sink, text[i]);
                }
            }
            put(shape, sink, '\0');
            if (i < len && text[i] == sep) {
                i++;
                continue;
            }
            break;
        }
        if ((br = line_break(text, len, i)) > 0) {
            i += br;
            line++;
        }
        if (shape->records == 0) {
            shape->ncols = nfields;
            shape->first_line = record_line;
        } else if (nfields != shape->ncols) {
            snprintf(err, errlen, "line %zu: %zu field%s, but %s (line %zu) has %zu", record_line,
                     nfields, nfields == 1 ? "" : "s", header ? "the header" : "the first row",
                     shape->first_line, shape->ncols);
            return -1;
        }
        shape->records++;
        if (shape->bytes >
            UINT32_MAX) { /* the offsets are 32 bits; a field takes a byte at least */
            snprintf(err, errlen, "line %zu: too large (at most 4 GiB of fields)", line);
            return -1;
        }
    }
    if (header && shape->records == 0) {
        snprintf(err, errlen, "line %zu: no header: the file is empty", line);
        return -1;
    }
    return 0;
}

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

sl_csv_t *sl_csv_parse(const char *text, size_t len, const sl_csv_opts_t *opts,
                       sl_csv_alloc_t alloc, void *ud, char *err, size_t errlen)
{
    char sep = opts != NULL && opts->separator != 0 ? opts->separator : ',';
    int header = opts != NULL && opts->header;
    shape_t shape;
    sink_t sink = {0};
    if (alloc == NULL)
        alloc = default_alloc;
    if (sep == '"' || sep == '\r' || sep == '\n') {
        snprintf(err, errlen, "the separator cannot be a quote or a line break");
        return NULL;
    }
    if (scan(text, len, sep, header, &shape, &sink, err, errlen) != 0)
        return NULL;
    size_t nfields = shape.records * shape.ncols;
    size_t offs = (nfields + 1) * sizeof(uint32_t);
    size_t size = sizeof(sl_csv_t) + offs + shape.bytes;
    sl_csv_t *t = alloc(ud, NULL, 0, size);
    if (t == NULL) {
        snprintf(err, errlen, "out of memory (%zu bytes for the rows)", size);
        return NULL;
    }
    uint32_t *off = (uint32_t *)(t + 1);
    char *data = (char *)(off + nfields + 1);
    sink = (sink_t){.off = off, .data = data};
    scan(text, len, sep, header, &shape, &sink, err, errlen); /* the same text: no error now */
    off[nfields] = (uint32_t)shape.bytes;
    *t = (sl_csv_t){.nrows = shape.records - (header ? 1 : 0),
                    .ncols = shape.ncols,
                    .header = header,
                    .size = size,
                    .off = off,
                    .data = data};
    return t;
}

void sl_csv_free(sl_csv_t *t, sl_csv_alloc_t alloc, void *ud)
{
    if (t != NULL)
        (alloc != NULL ? alloc : default_alloc)(ud, t, t->size, 0);
}

const char *sl_csv_field(const sl_csv_t *t, size_t row, size_t col, size_t *len)
{
    size_t k = (row + (t->header ? 1 : 0)) * t->ncols + col;
    *len = t->off[k + 1] - t->off[k] - 1;
    return t->data + t->off[k];
}

const char *sl_csv_name(const sl_csv_t *t, size_t col, size_t *len)
{
    if (!t->header)
        return NULL;
    *len = t->off[col + 1] - t->off[col] - 1;
    return t->data + t->off[col];
}
