/*
 * h2o_fmt: takes over the sprintf with which h2o 2.2.5 starts every HTTP/1 answer (lib/http1.c,
 * flatten_headers: "HTTP/1.1 %d %s\r\nDate: %s\r\n..."), which cost a quarter of the mock's
 * instructions per request. libh2o is built with _FORTIFY_SOURCE, so it calls glibc's
 * __sprintf_chk; the definition here, in the executable, comes first in the dynamic linker's
 * search and so answers libh2o's calls (and only sprintf's, in this program). It formats
 * h2o's two head formats with sl_h1head_format and hands every other format, and any head it
 * cannot format, to glibc's __vsprintf_chk with the same arguments: what glibc would have
 * done. Linked into soapload-mock alone, never into the library the tests link.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "h1head.h"

int __sprintf_chk(char *s, int flag, size_t slen, const char *format, ...);
int __vsprintf_chk(char *s, int flag, size_t slen, const char *format, va_list ap);

int __sprintf_chk(char *s, int flag, size_t slen, const char *format, ...)
{
    va_list ap;
    int rc = -1;
    int with_length = 0;
    va_start(ap, format);
    if (format[0] == 'H' && ((with_length = strcmp(format, SL_H1HEAD_FMT_LENGTH) == 0) ||
                             strcmp(format, SL_H1HEAD_FMT_CHUNKED) == 0)) {
        va_list args;
        va_copy(args, ap);
        int status = va_arg(args, int);
        const char *reason = va_arg(args, const char *);
        const char *date = va_arg(args, const char *);
        const char *connection = va_arg(args, const char *);
        size_t length = with_length ? va_arg(args, size_t) : SIZE_MAX;
        va_end(args);
        long n = sl_h1head_format(s, slen, status, reason, date, connection, length);
        rc = n >= 0 && n <= INT32_MAX ? (int)n : -1;
    }
    if (rc < 0)
        rc = __vsprintf_chk(s, flag, slen, format, ap);
    va_end(ap);
    return rc;
}
