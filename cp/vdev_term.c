// SPDX-License-Identifier: MIT
/*
 * cp/vdev_term.c - the terminal console of cp/vdev_term.h: guest output
 * goes straight to out_fd with write(2) (no stdio buffering, so it
 * interleaves correctly with messages on stderr), input bytes collect in a
 * bounded buffer from which lines are taken.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cp/vdev.h"
#include "cp/vdev_term.h"

#define TERM_IN_MAX (4 * VDEV_CONSOLE_LINE_MAX)

struct vdev_term {
    int in_fd, out_fd;
    bool eof;
    size_t in_len;
    char in[TERM_IN_MAX];
};

struct vdev_term *
vdev_term_create(int in_fd, int out_fd)
{
    struct vdev_term *t = calloc(1, sizeof *t);
    if (t != NULL) {
        t->in_fd = in_fd;
        t->out_fd = out_fd;
    }
    return t;
}

void
vdev_term_destroy(struct vdev_term *t)
{
    free(t);
}

/* Writes all of iov; waits when out_fd is non-blocking and full.  Output
 * to a closed pipe is dropped. */
static void
write_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                struct pollfd p = {.fd = fd, .events = POLLOUT};
                poll(&p, 1, -1);
                continue;
            }
            return;
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
}

static int
term_write(void *ctx, const char *buf, size_t len, bool end_line)
{
    struct vdev_term *t = ctx;
    struct iovec iov[2] = {{(void *)buf, len}, {"\n", 1}};
    write_all(t->out_fd, iov, end_line ? 2 : 1);
    return 0;
}

/* Length of the first line in the buffer and of its line end, or -1. */
static long
first_line(const struct vdev_term *t, size_t *skip)
{
    size_t scan = t->in_len < VDEV_CONSOLE_LINE_MAX ? t->in_len : VDEV_CONSOLE_LINE_MAX;
    const char *nl = memchr(t->in, '\n', scan);
    if (nl != NULL) {
        *skip = 1;
        size_t n = (size_t)(nl - t->in);
        if (n > 0 && t->in[n - 1] == '\r') {
            n--, (*skip)++;
        }
        return (long)n;
    }
    if (t->in_len >= VDEV_CONSOLE_LINE_MAX || (t->eof && t->in_len > 0)) {
        *skip = 0;
        return (long)scan;
    }
    return -1;
}

static long
term_read_line(void *ctx, char *buf, size_t cap)
{
    struct vdev_term *t = ctx;
    size_t skip = 0;
    long n = first_line(t, &skip);
    if (n < 0) {
        return -EAGAIN;
    }
    memcpy(buf, t->in, (size_t)n < cap ? (size_t)n : cap);
    size_t used = (size_t)n + skip;
    memmove(t->in, t->in + used, t->in_len - used);
    t->in_len -= used;
    return n;
}

static void
term_destroy(void *ctx)
{
    vdev_term_destroy(ctx);
}

const struct vdev_console_ops vdev_term_ops = {
    .write = term_write,
    .read_line = term_read_line,
    .destroy = term_destroy,
};

int
vdev_term_fill(struct vdev_term *t)
{
    if (t->eof || t->in_len == TERM_IN_MAX) {
        return 0;
    }
    ssize_t r;
    do {
        r = read(t->in_fd, t->in + t->in_len, TERM_IN_MAX - t->in_len);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && errno == EAGAIN) {
        return 0;
    }
    if (r <= 0) {
        t->eof = true;
        return -1;
    }
    int lines = 0;
    for (ssize_t i = 0; i < r; i++) {
        lines += t->in[t->in_len + (size_t)i] == '\n';
    }
    t->in_len += (size_t)r;
    if (lines == 0 && t->in_len >= VDEV_CONSOLE_LINE_MAX) {
        lines = 1; /* a line too long for the console is split */
    }
    return lines;
}

bool
vdev_term_has_line(const struct vdev_term *t)
{
    size_t skip;
    return first_line(t, &skip) >= 0;
}

bool
vdev_term_eof(const struct vdev_term *t)
{
    return t->eof;
}

bool
vdev_term_want_input(const struct vdev_term *t)
{
    return !t->eof && t->in_len < TERM_IN_MAX;
}
