/*
 * fileio: reads grow a buffer until EOF, so that a file that changes size while it is read (or
 * one whose size stat() cannot tell) is read as it is; writes retry what write() left.
 */
#include "core/fileio.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *sl_file_read_all(const char *path, size_t cap, int flags, size_t *len, char *err,
                       size_t errlen)
{
    struct stat st;
    char *text = NULL;
    size_t room = 0, got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0)
        goto Error;
    if ((flags & SL_FILE_REGULAR) && !S_ISREG(st.st_mode)) {
        errno = EISDIR;
        goto Error;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > cap) {
        errno = EFBIG;
        goto Error;
    }
    room = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    if ((text = malloc(room)) == NULL)
        goto Error;
    for (;;) {
        char probe; /* full: one more byte says whether the file goes on, before growing */
        int full = got + 1 == room;
        ssize_t n = full ? read(fd, &probe, 1) : read(fd, text + got, room - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto Error;
        if (n == 0)
            break;
        if (full) {
            char *more = got < cap ? realloc(text, room * 2) : NULL;
            if (more == NULL) {
                errno = got < cap ? ENOMEM : EFBIG;
                goto Error;
            }
            text = more;
            room *= 2;
            text[got] = probe;
        }
        got += (size_t)n;
        if (got > cap) {
            errno = EFBIG;
            goto Error;
        }
    }
    close(fd);
    text[got] = '\0';
    *len = got;
    return text;
Error:;
    int e = errno;
    if (err != NULL)
        snprintf(err, errlen, "%s", strerror(e));
    free(text);
    if (fd >= 0)
        close(fd);
    errno = e;
    return NULL;
}

int sl_file_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = ENOSPC;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}
