// SPDX-License-Identifier: MIT
/*
 * sdk/cmssdk.c - the SDK library of CMS user programs: picolibc's system
 * layer mapped onto CMS services (vmrv/cmsapi.h) and the wrappers of
 * cmssdk.h.
 *
 *   stdout, stderr  a line at a time to the console (CMS_CONWRITE)
 *   stdin           console lines, program stack first (CMS_CONREAD)
 *   open/read/write/close   CMS files as text: a record is a line
 *   fopen           picolibc's, through open(); the SDK remembers every
 *                   stream so exit() closes (commits) them all
 *   sbrk            the heap grows from the end of .bss towards the stack
 *   _exit           CMS_EXIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmssdk.h"

/* ---- console streams ----------------------------------------------------- */
static char out_line[256];
static size_t out_len;
static char in_line[258];
static size_t in_len, in_pos;

static void
out_flush(void)
{
    if (out_len > 0) {
        cms_svc(CMS_CONWRITE, (long)out_line, (long)out_len, 0, 0);
        out_len = 0;
    }
}

static int
con_put(char c, FILE *f)
{
    (void)f;
    if (c == '\n') {
        cms_svc(CMS_CONWRITE, (long)out_line, (long)out_len, 1, 0);
        out_len = 0;
        return (unsigned char)c;
    }
    if (out_len == sizeof out_line) {
        out_flush();
    }
    out_line[out_len++] = c;
    return (unsigned char)c;
}

static int
con_get(FILE *f)
{
    (void)f;
    if (in_pos >= in_len) {
        out_flush();
        long n = cms_svc(CMS_CONREAD, (long)in_line, 256, 0, 0);
        if (n < 0) {
            return EOF;
        }
        in_len = (size_t)n;
        in_line[in_len++] = '\n';
        in_pos = 0;
    }
    return (unsigned char)in_line[in_pos++];
}

static int
con_flush(FILE *f)
{
    (void)f;
    out_flush();
    return 0;
}

static FILE con_stdio = FDEV_SETUP_STREAM(con_put, con_get, con_flush, _FDEV_SETUP_RW);
FILE *const stdin = &con_stdio;
FILE *const stdout = &con_stdio;
FILE *const stderr = &con_stdio;

/* ---- files as text streams --------------------------------------------- */
#define SDK_FDS 16
#define SDK_FD_BASE 3
#define REC_MAX 65535

struct sdk_fd {
    long handle; /* CMS handle, -1 when free */
    int writing;
    char recfm;
    char *rec;
    size_t len, pos;
    int nl_pending; /* reading: the '\n' after the record is due */
    FILE *stream; /* the stdio stream over it, if any */
};

static struct sdk_fd fds[SDK_FDS];
static char next_recfm = 'V';
static unsigned next_lrecl;

static struct sdk_fd *
fd_get(int fd)
{
    if (fd < SDK_FD_BASE || fd >= SDK_FD_BASE + SDK_FDS || fds[fd - SDK_FD_BASE].handle < 0) {
        return NULL;
    }
    return &fds[fd - SDK_FD_BASE];
}

int
cms_fileid_parse(struct cms_fileid *id, const char *name)
{
    char *fields[3] = {id->fn, id->ft, id->fm};
    size_t caps[3] = {8, 8, 2};
    memset(id, ' ', sizeof *id);
    int f = 0;
    while (*name && f < 3) {
        while (*name == ' ') {
            name++;
        }
        if (*name == '\0') {
            break;
        }
        size_t n = 0;
        while (*name && *name != ' ') {
            if (n == caps[f]) {
                return -1;
            }
            char c = *name++;
            fields[f][n++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        }
        f++;
    }
    while (*name == ' ') {
        name++;
    }
    return (f < 2 || *name) ? -1 : 0;
}

int
open(const char *path, int flags, ...)
{
    struct cms_fileid id;
    if (cms_fileid_parse(&id, path) != 0) {
        errno = EINVAL;
        return -1;
    }
    int i;
    for (i = 0; i < SDK_FDS && fds[i].handle >= 0; i++) {
    }
    if (i == SDK_FDS) {
        errno = EMFILE;
        return -1;
    }
    int acc = flags & O_ACCMODE;
    long mode = acc == O_RDONLY ? CMS_O_READ : (flags & O_APPEND) ? CMS_O_APPEND : CMS_O_WRITE;
    struct cms_fstat st;
    char recfm = next_recfm;
    if (mode == CMS_O_READ && cms_svc(CMS_FSSTATE, (long)&id, (long)&st, 0, 0) == 0) {
        recfm = st.recfm;
    }
    long h = cms_svc(CMS_FSOPEN, (long)&id, mode, recfm, (long)next_lrecl);
    if (h < 0) {
        errno = h == CMS_ENOTFOUND ? ENOENT : h == CMS_EROFS ? EROFS : h == CMS_ENOSPC ? ENOSPC : EIO;
        return -1;
    }
    char *rec = malloc(REC_MAX + 1);
    if (rec == NULL) {
        cms_svc(CMS_FSCLOSE, h, 0, 0, 0);
        errno = ENOMEM;
        return -1;
    }
    fds[i] = (struct sdk_fd){h, acc != O_RDONLY, recfm, rec, 0, 0, 0, NULL};
    return i + SDK_FD_BASE;
}

ssize_t
read(int fd, void *buf, size_t n)
{
    if (fd == 0) {
        size_t k = 0;
        while (k < n) {
            int c = con_get(stdin);
            if (c == EOF) {
                break;
            }
            ((char *)buf)[k++] = (char)c;
            if (c == '\n') {
                break;
            }
        }
        return (ssize_t)k;
    }
    struct sdk_fd *d = fd_get(fd);
    if (d == NULL || d->writing) {
        errno = EBADF;
        return -1;
    }
    size_t k = 0;
    char *out = buf;
    while (k < n) {
        if (d->pos < d->len) {
            size_t m = d->len - d->pos < n - k ? d->len - d->pos : n - k;
            memcpy(out + k, d->rec + d->pos, m);
            d->pos += m;
            k += m;
            continue;
        }
        if (d->nl_pending) {
            out[k++] = '\n';
            d->nl_pending = 0;
            continue;
        }
        if (k > 0) {
            break; /* give what we have; the next read gets the next record */
        }
        long r = cms_svc(CMS_FSREAD, d->handle, (long)d->rec, REC_MAX, 0);
        if (r == CMS_EEOF) {
            return 0;
        }
        if (r < 0) {
            errno = EIO;
            return -1;
        }
        size_t len = (size_t)r;
        if (d->recfm == 'F') {
            while (len > 0 && d->rec[len - 1] == ' ') {
                len--;
            }
        }
        d->len = len;
        d->pos = 0;
        d->nl_pending = 1;
    }
    return (ssize_t)k;
}

static int
put_record(struct sdk_fd *d)
{
    long r = cms_svc(CMS_FSWRITE, d->handle, (long)d->rec, (long)d->len, 0);
    d->len = 0;
    if (r < 0) {
        errno = r == CMS_ENOSPC ? ENOSPC : r == CMS_EROFS ? EROFS : EIO;
        return -1;
    }
    return 0;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
    const char *s = buf;
    if (fd == 1 || fd == 2) {
        for (size_t i = 0; i < n; i++) {
            con_put(s[i], stdout);
        }
        return (ssize_t)n;
    }
    struct sdk_fd *d = fd_get(fd);
    if (d == NULL || !d->writing) {
        errno = EBADF;
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            if (put_record(d) != 0) {
                return -1;
            }
        } else if (d->len < REC_MAX) {
            d->rec[d->len++] = s[i];
        }
    }
    return (ssize_t)n;
}

int
close(int fd)
{
    struct sdk_fd *d = fd_get(fd);
    if (d == NULL) {
        errno = EBADF;
        return -1;
    }
    int rc = 0;
    if (d->writing && d->len > 0 && put_record(d) != 0) {
        rc = -1;
    }
    if (cms_svc(CMS_FSCLOSE, d->handle, 0, 0, 0) < 0) {
        errno = EIO;
        rc = -1;
    }
    free(d->rec);
    d->handle = -1;
    d->rec = NULL;
    d->stream = NULL;
    return rc;
}

off_t
lseek(int fd, off_t off, int whence)
{
    (void)fd;
    (void)off;
    (void)whence;
    errno = ESPIPE;
    return -1;
}

/* picolibc's fopen is replaced so that exit() can close every stream. */
FILE *
fopen(const char *path, const char *mode)
{
    int flags;
    switch (mode[0]) {
    case 'r':
        flags = O_RDONLY;
        break;
    case 'w':
        flags = O_WRONLY | O_CREAT | O_TRUNC;
        break;
    case 'a':
        flags = O_WRONLY | O_CREAT | O_APPEND;
        break;
    default:
        errno = EINVAL;
        return NULL;
    }
    int fd = open(path, flags);
    if (fd < 0) {
        return NULL;
    }
    FILE *f = fdopen(fd, mode);
    if (f == NULL) {
        close(fd);
        return NULL;
    }
    fds[fd - SDK_FD_BASE].stream = f;
    return f;
}

FILE *
cms_fopen_fmt(const char *name, const char *mode, char recfm, unsigned lrecl)
{
    next_recfm = recfm == 'F' ? 'F' : 'V';
    next_lrecl = lrecl;
    FILE *f = fopen(name, mode);
    next_recfm = 'V';
    next_lrecl = 0;
    return f;
}

/* ---- storage ----------------------------------------------------------------- */
extern char __heap_start[];
static char *brk_cur = __heap_start;
static char *brk_limit;

void *
sbrk(ptrdiff_t incr)
{
    if ((incr > 0 && incr > brk_limit - brk_cur) || (incr < 0 && -incr > brk_cur - __heap_start)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    char *old = brk_cur;
    brk_cur += incr;
    return old;
}

/* ---- start and end ------------------------------------------------------------- */
#define STACK_RESERVE (256 * 1024)

void __cms_sdk_init(void);

void
__cms_sdk_init(void)
{
    uintptr_t sp;
    __asm__ volatile("mv %0, sp" : "=r"(sp));
    for (int i = 0; i < SDK_FDS; i++) {
        fds[i].handle = -1;
    }
    brk_limit = (char *)(sp - STACK_RESERVE);
    if (sp < STACK_RESERVE || brk_limit < __heap_start) {
        brk_limit = __heap_start;
    }
}

void
_exit(int rc)
{
    for (int i = 0; i < SDK_FDS; i++) {
        if (fds[i].handle >= 0) {
            if (fds[i].stream != NULL) {
                fclose(fds[i].stream);
            } else {
                close(i + SDK_FD_BASE);
            }
        }
    }
    out_flush();
    cms_svc(CMS_EXIT, rc, 0, 0, 0);
    for (;;) {
    }
}

void
cms_exit(int rc)
{
    exit(rc);
}

/* ---- service wrappers ------------------------------------------------------------ */
long
cms_command(const char *line)
{
    out_flush();
    return cms_svc(CMS_CMSCALL, (long)line, (long)strlen(line), 0, 0);
}

long
cms_cp(const char *cmd, char *resp, size_t cap)
{
    out_flush();
    if (resp != NULL && cap > 0) {
        memset(resp, 0, cap);
        cap--;
    }
    return cms_svc(CMS_CPCALL, (long)cmd, (long)strlen(cmd), (long)resp, (long)cap);
}

long
cms_say(const char *text)
{
    out_flush();
    return cms_svc(CMS_CONWRITE, (long)text, (long)strlen(text), 1, 0);
}

long
cms_read(char *buf, size_t cap)
{
    out_flush();
    return cms_svc(CMS_CONREAD, (long)buf, (long)cap, 0, 0);
}

long
cms_stack(const char *line, int lifo)
{
    return cms_svc(CMS_STACK, (long)line, (long)strlen(line), lifo ? 1 : 0, 0);
}

long
cms_queued(void)
{
    return cms_svc(CMS_QUEUED, 0, 0, 0, 0);
}

long
cms_state(const char *name, struct cms_fstat *st)
{
    struct cms_fileid id;
    if (cms_fileid_parse(&id, name) != 0) {
        return CMS_EINVAL;
    }
    return cms_svc(CMS_FSSTATE, (long)&id, (long)st, 0, 0);
}

long
cms_erase(const char *name)
{
    struct cms_fileid id;
    if (cms_fileid_parse(&id, name) != 0) {
        return CMS_EINVAL;
    }
    return cms_svc(CMS_FSERASE, (long)&id, 0, 0, 0);
}
