/*
 * fileio: whole files and whole writes: reading a file into one buffer, and writing a buffer
 * to a descriptor however many write() calls it takes.
 */
#ifndef SOAPLOAD_FILEIO_H
#define SOAPLOAD_FILEIO_H

#include <stddef.h>

#define SL_FILE_REGULAR 1 /* sl_file_read_all: only a regular file (not a directory or a pipe) */

/** Reads the whole file at path (at most cap bytes; a larger one fails with EFBIG) into a
 * NUL-terminated buffer the caller frees, its length in *len. flags: 0 or SL_FILE_REGULAR.
 * Returns NULL with errno set and strerror(errno) in err (err may be NULL). */
char *sl_file_read_all(const char *path, size_t cap, int flags, size_t *len, char *err,
                       size_t errlen);
/** Writes all len bytes to fd, again after EINTR and short writes. Returns 0, or -1 with errno
 * set (ENOSPC when write() wrote nothing). */
int sl_file_write_all(int fd, const void *data, size_t len);

#endif
