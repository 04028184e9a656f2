/*
 * outfile: output files created safely: never through a symlink, truncated, with the mode
 * asked for. Opened before the run so that an unwritable path is a usage error.
 */
#ifndef SOAPLOAD_OUTFILE_H
#define SOAPLOAD_OUTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/** Opens path for writing (O_NOFOLLOW, O_TRUNC, `mode` when created; O_APPEND when append is
 * set). Returns the fd, or -1 with "cannot write PATH: reason" in err. */
int sl_outfile_open(const char *path, mode_t mode, int append, char *err, size_t errlen);

/** The same as a stdio stream. */
FILE *sl_outfile_fopen(const char *path, mode_t mode, char *err, size_t errlen);

#endif
