/*
 * proto: framing over pipes. A worker blocks on a full pipe; the parent always reads.
 */
#include "engine/proto.h"

#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

int sl_proto_send(int fd, uint32_t type, const void *a, size_t alen, const void *b, size_t blen)
{
    uint32_t head[2] = {type, (uint32_t)(alen + blen)};
    struct iovec iov[3] = {{head, sizeof(head)}, {(void *)a, alen}, {(void *)b, blen}};
    int n = 3, i = 0;
    while (i < n) {
        ssize_t w = writev(fd, iov + i, n - i);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        while (i < n && (size_t)w >= iov[i].iov_len) {
            w -= (ssize_t)iov[i].iov_len;
            i++;
        }
        if (i < n) {
            iov[i].iov_base = (char *)iov[i].iov_base + w;
            iov[i].iov_len -= (size_t)w;
        }
    }
    return 0;
}

int sl_proto_fill(sl_proto_reader_t *r, int fd)
{
    if (r->off > 0) { /* drop what was consumed */
        memmove(r->buf.data, r->buf.data + r->off, r->buf.len - r->off);
        r->buf.len -= r->off;
        r->off = 0;
    }
    if (sl_buf_reserve(&r->buf, 65536) != 0)
        return -1;
    for (;;) {
        ssize_t n = read(fd, r->buf.data + r->buf.len, r->buf.cap - r->buf.len - 1);
        if (n > 0) {
            r->buf.len += (size_t)n;
            return 1;
        }
        if (n == 0)
            return -1;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
}

int sl_proto_next(sl_proto_reader_t *r, uint32_t *type, const uint8_t **payload, uint32_t *len)
{
    uint32_t head[2];
    if (r->buf.len - r->off < sizeof(head))
        return 0;
    memcpy(head, r->buf.data + r->off, sizeof(head));
    if (r->buf.len - r->off - sizeof(head) < head[1])
        return 0;
    *type = head[0];
    *len = head[1];
    *payload = (const uint8_t *)r->buf.data + r->off + sizeof(head);
    r->off += sizeof(head) + head[1];
    return 1;
}
