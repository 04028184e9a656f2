/*
 * outfile: open(2) with the flags a tool that may run as root should use.
 */
#include "output/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sl_outfile_open(const char *path, mode_t mode, int append, char *err, size_t errlen)
{
    int flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | (append ? O_APPEND : 0);
    int fd = open(path, flags, mode);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path,
                 errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
        !S_ISCHR(st.st_mode)) {
        snprintf(err, errlen, "cannot write %s: not a regular file", path);
        close(fd);
        return -1;
    }
    return fd;
}

FILE *sl_outfile_fopen(const char *path, mode_t mode, char *err, size_t errlen)
{
    int fd = sl_outfile_open(path, mode, 0, err, errlen);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}
