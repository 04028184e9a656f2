/*
 * outfile: open(2) with the flags a tool that may run as root should use, and result files
 * replaced by rename(2) so that a reader never sees a truncated or empty one.
 */
#include "output/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"

static const char *why(int e)
{
    if (e == ELOOP)
        return "it is a symbolic link";
    if (e == ENXIO)
        return "it is a FIFO that no process reads";
    return strerror(e);
}

int sl_outfile_open(const char *path, mode_t mode, int append, char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO with no reader fails at once (ENXIO) instead of blocking forever */
    int flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
                (append ? O_APPEND : 0);
    int fd = open(path, flags, mode);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, why(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
        !S_ISCHR(st.st_mode)) {
        snprintf(err, errlen, "cannot write %s: not a regular file", path);
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK); /* whole writes from here on */
    return fd;
}

/* "DIR/.NAME.XXXXXX" beside path, malloc'd. */
static char *temp_template(const char *path)
{
    char *d = strdup(path), *b = strdup(path), *t = NULL;
    if (d != NULL && b != NULL && asprintf(&t, "%s/.%s.XXXXXX", dirname(d), basename(b)) < 0)
        t = NULL;
    free(d);
    free(b);
    return t;
}

int sl_outfile_prepare(sl_outfile_t *f, const char *path, mode_t mode, char *err, size_t errlen)
{
    struct stat st;
    *f = (sl_outfile_t){.path = path, .mode = mode, .fd = -1};
    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            snprintf(err, errlen, "cannot write %s: %s", path, why(ELOOP));
            return -1;
        }
        if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) { /* nothing to replace: write to it */
            f->fd = sl_outfile_open(path, mode, 0, err, errlen);
            return f->fd < 0 ? -1 : 0;
        }
        if (!S_ISREG(st.st_mode)) {
            snprintf(err, errlen, "cannot write %s: not a regular file", path);
            return -1;
        }
    } else if (errno != ENOENT) {
        snprintf(err, errlen, "cannot write %s: %s", path, why(errno));
        return -1;
    }
    char *probe = temp_template(path);
    int fd = probe != NULL ? mkostemp(probe, O_CLOEXEC) : -1;
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path,
                 probe == NULL ? "out of memory" : why(errno));
        free(probe);
        return -1;
    }
    close(fd);
    unlink(probe);
    free(probe);
    return 0;
}

/* All of data to fd: 0, or the errno of the write that failed. */
static int write_all(int fd, const void *data, size_t len)
{
    return sl_file_write_all(fd, data, len) == 0 ? 0 : errno;
}

int sl_outfile_write(sl_outfile_t *f, const void *data, size_t len, char *err, size_t errlen)
{
    int e;
    if (f->fd >= 0) { /* a FIFO or a device: written in place */
        e = write_all(f->fd, data, len);
        close(f->fd);
        f->fd = -1;
        goto Done;
    }
    free(f->tmp);
    f->tmp = temp_template(f->path);
    int fd = f->tmp != NULL ? mkostemp(f->tmp, O_CLOEXEC) : -1;
    if (fd < 0) {
        e = f->tmp == NULL ? ENOMEM : errno;
        free(f->tmp);
        f->tmp = NULL;
        goto Done;
    }
    struct stat st;
    mode_t mask = umask(0);
    umask(mask);
    /* a file replaced keeps its mode, a new one gets the mode asked for, less the umask */
    fchmod(fd, stat(f->path, &st) == 0 ? (st.st_mode & 07777) : (f->mode & ~mask));
    e = write_all(fd, data, len);
    if (close(fd) != 0 && e == 0)
        e = errno;
    if (e == 0 && rename(f->tmp, f->path) != 0)
        e = errno;
    if (e != 0)
        unlink(f->tmp);
    free(f->tmp);
    f->tmp = NULL;
Done:
    if (e != 0) {
        snprintf(err, errlen, "cannot write %s: %s", f->path, why(e));
        return -1;
    }
    return 0;
}

void sl_outfile_close(sl_outfile_t *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->tmp != NULL)
        unlink(f->tmp);
    free(f->tmp);
    f->tmp = NULL;
}
