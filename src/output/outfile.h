/*
 * outfile: output files created safely: never through a symlink, with the mode asked for, a
 * FIFO without a reader refused rather than waited on. Result files (JSON, HTML) are written
 * whole or not at all: into a temporary file beside the target, renamed over it once complete.
 * Paths are checked before the run so that an unwritable one is a usage error.
 */
#ifndef SOAPLOAD_OUTFILE_H
#define SOAPLOAD_OUTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/** Opens path for writing (O_NOFOLLOW, O_TRUNC, `mode` when created; O_APPEND when append is
 * set; a FIFO only when a reader has it open). Returns a blocking fd, or -1 with
 * "cannot write PATH: reason" in err. */
int sl_outfile_open(const char *path, mode_t mode, int append, char *err, size_t errlen);

/* A result file written whole or not at all. */
typedef struct {
    const char *path; /* borrowed */
    mode_t mode;      /* for a new file; an existing one keeps its own */
    int fd;           /* a FIFO or a character device, written in place; else -1 */
    char *tmp;        /* the temporary file while it is written */
} sl_outfile_t;

/** Checks before the run that path can be replaced: not a symlink, a directory where a file
 * can be created (a probe file is made and removed), or an existing FIFO with a reader or a
 * character device (kept open and written in place). Returns 0, or -1 with
 * "cannot write PATH: reason" in err. */
int sl_outfile_prepare(sl_outfile_t *f, const char *path, mode_t mode, char *err, size_t errlen);
/** Writes data[0..len) to a new temporary file in the target's directory and renames it over
 * the path (a FIFO or device from prepare is written in place). Returns 0, or -1 with
 * "cannot write PATH: reason" in err; the temporary file is then removed and whatever was at
 * the path is left as it was. */
int sl_outfile_write(sl_outfile_t *f, const void *data, size_t len, char *err, size_t errlen);
/** Releases what prepare kept (an fd) and removes a temporary file left uncommitted. */
void sl_outfile_close(sl_outfile_t *f);

#endif
