/*
 * csv: RFC 4180 text (quoted fields, doubled quotes, CRLF or LF, line breaks inside quoted
 * fields) parsed into one compact block: every field unescaped and NUL-terminated, one after
 * the other, with an offset per field. No I/O and no Lua: the caller reads the file and hands
 * the rows out.
 */
#ifndef SOAPLOAD_CSV_H
#define SOAPLOAD_CSV_H

#include <stddef.h>
#include <stdint.h>

/* Same signature as lua_Alloc, so that a Lua state's capped allocator can hold the block. */
typedef void *(*sl_csv_alloc_t)(void *ud, void *ptr, size_t osize, size_t nsize);

typedef struct {
    char separator; /* ',' when 0 */
    int header;     /* 1: the first record names the columns */
} sl_csv_opts_t;

typedef struct {
    size_t nrows;        /* data records, the header not counted */
    size_t ncols;        /* fields per record: every record has as many */
    int header;          /* the first record is the header */
    size_t size;         /* bytes of the block, for sl_csv_free */
    const uint32_t *off; /* (header + nrows) * ncols + 1 offsets into data */
    const char *data;    /* the fields, each followed by a NUL */
} sl_csv_t;

/** Parses text[0..len). Empty lines are skipped; a UTF-8 byte order mark at the start is
 * skipped; every record must have as many fields as the first. The block is allocated with
 * alloc(ud, ...) (NULL: malloc). Returns it, or NULL with "line N: what is wrong" (or "out of
 * memory") in err. */
sl_csv_t *sl_csv_parse(const char *text, size_t len, const sl_csv_opts_t *opts,
                       sl_csv_alloc_t alloc, void *ud, char *err, size_t errlen);
/** Frees a block from sl_csv_parse with the same allocator. t may be NULL. */
void sl_csv_free(sl_csv_t *t, sl_csv_alloc_t alloc, void *ud);

/** Field col of data row `row` (both 0-based, in range), its length in *len. The field is
 * followed by a NUL but may hold NULs of its own. */
const char *sl_csv_field(const sl_csv_t *t, size_t row, size_t col, size_t *len);
/** The name of column col from the header, or NULL when there is none. */
const char *sl_csv_name(const sl_csv_t *t, size_t col, size_t *len);

#endif
