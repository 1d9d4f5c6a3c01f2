// SPDX-License-Identifier: MIT
/*
 * cms/exec/execio_disk.c - EXECIO's files: DISKR, DISKRU and DISKW, and
 * the table of files EXECIO keeps open between calls.
 *
 * As in CMS, a file stays open from the first EXECIO that names it until
 * FINIS, and each open file has a read pointer and a write pointer of its
 * own: a DISKR goes on where the last one stopped, a DISKW writes after
 * the last line written (or, opened anew, after the last record), a
 * linenum operand moves the pointer.  DISKRU (read for update) points the
 * next DISKW without linenum at the last line it read, to replace it.
 *
 * One handle per file (cms/fsys.h): a reader (CMS_O_READ) until the first
 * DISKW, then a writer (CMS_O_APPEND) that reads too; the handle's own
 * position is moved (fs_point) only when the pointer asked for differs.
 * What DISKW writes is committed when the file is closed, by FINIS, at the
 * end of the EXEC that opened it (execio_close_level, from rexx_cms.c), or
 * at the end of the command when no EXEC runs: then it is durable as every
 * CMS file write is (cms/fs: data and metadata first, superblock last).
 * Until then the disk keeps the file as it was; a failed write (a full
 * disk) drops the new records and the file stays as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/exec/execcomm.h"
#include "cms/exec/execio.h"

#define REC_MAX 65535

struct eio_file {
    struct eio_file *next;
    struct fs_fileid id; /* fm: the letter and number where it is */
    struct fs_file *f;
    int writing; /* f is a writer (CMS_O_APPEND) */
    uint32_t pos; /* the record f reads or writes next */
    uint32_t rdptr; /* the record DISKR reads next */
    uint32_t wrptr; /* the record DISKW writes next; 0: after the last */
    uint32_t update; /* DISKRU read this record: the next DISKW replaces it */
    uint32_t vlimit; /* V: the LRECL it was made with here (0: none) */
    int level; /* the EXEC nesting level that opened it */
    char *buf; /* one record */
    size_t cap;
};

static struct eio_file *files;

/* The open file fn ft fm; fm "*" takes the first letter that has one. */
static struct eio_file *
find_open(const struct fs_fileid *id)
{
    struct eio_file *best = NULL;
    for (struct eio_file *e = files; e != NULL; e = e->next) {
        if (strcmp(e->id.fn, id->fn) != 0 || strcmp(e->id.ft, id->ft) != 0) {
            continue;
        }
        if (id->fm[0] == '*') {
            if (best == NULL || e->id.fm[0] < best->id.fm[0]) {
                best = e;
            }
        } else if (e->id.fm[0] == id->fm[0]) {
            return e;
        }
    }
    return best;
}

/* Closes e and forgets it: a writer commits (its error reported: the rc). */
static int
close_file(struct eio_file *e)
{
    int rc = 0;
    for (struct eio_file **pp = &files; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    }
    if (e->f != NULL && e->writing) {
        int err = fs_close(e->f);
        if (err != 0) {
            rc = fs_report(err, &e->id);
        }
    } else if (e->f != NULL) {
        fs_abort(e->f);
    }
    free(e->buf);
    free(e);
    return rc;
}

void
execio_close_level(int level)
{
    struct eio_file *e = files;
    while (e != NULL) {
        struct eio_file *next = e->next;
        if (e->level >= level) {
            close_file(e);
        }
        e = next;
    }
}

static int
grow_buf(struct eio_file *e, size_t need)
{
    if (need <= e->cap) {
        return 0;
    }
    char *nb = malloc(need);
    if (nb == NULL) {
        return -1;
    }
    free(e->buf);
    e->buf = nb;
    e->cap = need;
    return 0;
}

/* Opens fn ft fm for reading (fm may be "*"). */
static int
open_read(const struct fs_fileid *id, struct eio_file **out)
{
    struct fs_stat st;
    int err = fs_state(id, &st);
    if (err != 0) {
        return fs_report(err, id);
    }
    struct eio_file *e = calloc(1, sizeof *e);
    if (e == NULL) {
        cms_msg(M_NO_STORAGE);
        return EIO_NOSTORE;
    }
    err = fs_open(&st.id, CMS_O_READ, 0, 0, &e->f);
    if (err != 0) {
        free(e);
        return fs_report(err, &st.id);
    }
    e->id = st.id;
    e->pos = e->rdptr = 1;
    e->level = cms_shv_level();
    if (grow_buf(e, st.lrecl > 0 ? st.lrecl : 256) != 0) {
        fs_abort(e->f);
        free(e);
        cms_msg(M_NO_STORAGE);
        return EIO_NOSTORE;
    }
    e->next = files;
    files = e;
    *out = e;
    return 0;
}

/* Reads record e->rdptr into e->buf: 1 with *n, 0 at the end, or -rc. */
static int
read_record(struct eio_file *e, size_t *n)
{
    for (;;) {
        if (e->pos != e->rdptr) {
            if (fs_point(e->f, e->rdptr) != 0) {
                return 0; /* past the end */
            }
            e->pos = e->rdptr;
        }
        size_t len;
        int err = fs_read(e->f, e->buf, e->cap, &len);
        if (err == CMS_EEOF) {
            return 0;
        }
        if (err != 0) {
            return -fs_report(err, &e->id);
        }
        e->pos++;
        if (len <= e->cap) {
            e->rdptr++;
            *n = len;
            return 1;
        }
        /* longer than the buffer: a bigger one, and read it again */
        if (grow_buf(e, len) != 0) {
            cms_msg(M_NO_STORAGE);
            return -EIO_NOSTORE;
        }
    }
}

/* Does the record match the LOCATE/FIND/AVOID target in the zone? */
static int
matches(const struct eio_req *r, const char *s, size_t n)
{
    size_t from = r->zleft > 0 ? (size_t)r->zleft - 1 : 0, to = n;
    if (r->zright > 0 && (size_t)r->zright < to) {
        to = (size_t)r->zright;
    }
    const char *z = s + (from < to ? from : to);
    size_t zn = from < to ? to - from : 0;
    size_t t = r->targetlen;
    if (r->search == EIO_FIND) {
        return zn >= t && memcmp(z, r->target, t) == 0;
    }
    int found = 0;
    for (size_t i = 0; !found && t <= zn && i <= zn - t; i++) {
        found = memcmp(z + i, r->target, t) == 0;
    }
    return r->search == EIO_LOCATE ? found : !found;
}

static void
upper(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 'a' && s[i] <= 'z') {
            s[i] = (char)(s[i] - 32);
        }
    }
}

int
eio_diskr(const struct eio_req *r)
{
    struct eio_file *e = find_open(&r->id);
    int rc = 0;
    if (e == NULL) {
        if (r->lines == 0 && r->linenum == 0 && r->finis) {
            return 0; /* EXECIO 0 DISKR ... (FINIS: nothing open */
        }
        if ((rc = open_read(&r->id, &e)) != 0) {
            return rc;
        }
    }
    if (r->linenum > 0) {
        e->rdptr = r->linenum;
    }
    long count = 0, looked = 0;
    uint32_t last = 0;
    while (r->lines < 0 || looked < r->lines) {
        size_t n = 0;
        int k = read_record(e, &n);
        if (k < 0) {
            rc = -k;
            break;
        }
        if (k == 0) {
            rc = r->lines < 0 && r->search == EIO_NOSEARCH ? EIO_OK : EIO_EOF;
            break;
        }
        looked++;
        last = e->rdptr - 1;
        if (r->upper) {
            upper(e->buf, n);
        }
        if (r->search != EIO_NOSEARCH && !matches(r, e->buf, n)) {
            if (r->lines >= 0 && looked == r->lines) {
                rc = EIO_NOTFOUND;
            }
            continue;
        }
        n = eio_shape(r, e->buf, n, e->buf, n);
        int d = eio_deliver(r, count + 1, e->buf, n);
        if (d == EIO_NOSTORE) {
            /* not stored: the next read starts with this record again */
            e->rdptr--;
            rc = d;
            break;
        }
        count++;
        if (d != EIO_OK) {
            rc = d;
        }
        if (r->search != EIO_NOSEARCH) {
            break; /* the line found is the one returned */
        }
    }
    if (rc < EIO_SYNTAX) {
        int c = eio_set_count(r, count, 0);
        if (c != 0) {
            rc = c;
        }
    } else if (rc == EIO_NOSTORE) {
        eio_set_count(r, count, 1); /* what was stored, if there is room */
    }
    if (r->op == EIO_DISKRU && last > 0) {
        e->update = last;
    }
    if (r->finis) {
        int c = close_file(e);
        if (c != 0) {
            rc = c;
        }
    }
    return rc;
}

/* Makes e (NULL: not open yet) a writer of r's file.  A new file gets r's
 * RECFM (V by default) and LRECL (F: first, the first record's length). */
static int
open_write(const struct eio_req *r, struct eio_file **ep, size_t firstlen)
{
    struct eio_file *e = *ep;
    struct fs_stat st;
    char recfm = r->recfm ? r->recfm : 'V';
    uint32_t lrecl = r->lrecl;
    int err = fs_state(&r->id, &st);
    if (err == 0) {
        recfm = st.recfm;
        lrecl = st.lrecl;
    } else if (err != CMS_ENOTFOUND) {
        return fs_report(err, &r->id);
    } else if (recfm == 'F' && lrecl == 0) {
        lrecl = firstlen > 0 ? (uint32_t)(firstlen > REC_MAX ? REC_MAX : firstlen) : 80;
    }
    int created = err == CMS_ENOTFOUND;
    if (e != NULL) {
        /* the reader goes first: a file has a reader or a writer */
        fs_abort(e->f);
        e->f = NULL;
    }
    struct fs_file *f;
    err = fs_open(&r->id, CMS_O_APPEND, recfm, lrecl, &f);
    if (err != 0) {
        if (e != NULL) {
            close_file(e);
            *ep = NULL;
        }
        return fs_report(err, &r->id);
    }
    if (e == NULL) {
        e = calloc(1, sizeof *e);
        if (e == NULL) {
            fs_abort(f);
            cms_msg(M_NO_STORAGE);
            return EIO_NOSTORE;
        }
        e->rdptr = 1;
        e->level = cms_shv_level();
        e->next = files;
        files = e;
    }
    fs_fstat(f, &st);
    e->vlimit = created && recfm == 'V' ? lrecl : 0;
    e->f = f;
    e->id = st.id;
    e->writing = 1;
    e->pos = st.records + 1;
    *ep = e;
    return 0;
}

/* RECFM and LRECL operands must agree with the file, if it exists. */
static int
check_format(const struct eio_req *r, struct eio_file *e)
{
    struct fs_stat st;
    if (e != NULL && e->writing) {
        fs_fstat(e->f, &st);
    } else if (fs_state(&r->id, &st) != 0) {
        return 0; /* a new file (other errors: when it is opened) */
    }
    if ((r->recfm && r->recfm != st.recfm) ||
        (st.recfm == 'F' && r->lrecl && r->lrecl != st.lrecl)) {
        char what[24];
        snprintf(what, sizeof what, "%c %lu", r->recfm ? r->recfm : st.recfm,
                 (unsigned long)(r->lrecl ? r->lrecl : st.lrecl));
        cms_msg(M_BAD_RECFM, what);
        return EIO_BADPARM;
    }
    return 0;
}

int
eio_diskw(const struct eio_req *r)
{
    struct eio_file *e = find_open(&r->id);
    int rc = 0;
    if ((r->recfm || r->lrecl) && (rc = check_format(r, e)) != 0) {
        return rc;
    }
    char *buf = NULL;
    size_t cap = 0;
    for (long index = 1;; index++) {
        const char *s;
        size_t n;
        int k = eio_source(r, index, &s, &n);
        if (k <= 0) {
            rc = k < 0 ? -k : rc;
            break;
        }
        if (n + 1 > cap) {
            free(buf);
            cap = n + 1;
            if ((buf = malloc(cap)) == NULL) {
                cms_msg(M_NO_STORAGE);
                rc = EIO_NOSTORE;
                break;
            }
        }
        n = eio_shape(r, s, n, buf, n);
        if (e == NULL || !e->writing) {
            int o = open_write(r, &e, n);
            if (o != 0) {
                rc = o;
                break;
            }
        }
        if (index == 1) {
            /* where this call writes: linenum, the line DISKRU read, or
             * after the last line written */
            if (r->linenum > 0) {
                e->wrptr = r->linenum;
            } else if (e->update > 0) {
                e->wrptr = e->update;
            }
            e->update = 0;
        }
        if (e->wrptr > 0 && e->pos != e->wrptr) {
            if (fs_point(e->f, e->wrptr) != 0) {
                char num[16];
                snprintf(num, sizeof num, "%lu", (unsigned long)e->wrptr);
                cms_msg(M_INVALID_PARM, num);
                rc = EIO_BADPARM;
                break;
            }
            e->pos = e->wrptr;
        }
        struct fs_stat st;
        fs_fstat(e->f, &st);
        uint32_t limit = st.recfm == 'F' ? st.lrecl : REC_MAX;
        if (st.recfm == 'V' && e->vlimit > 0) {
            limit = e->vlimit;
        }
        if (st.recfm == 'V' && r->lrecl > 0 && r->lrecl < limit) {
            limit = r->lrecl;
        }
        if (n > limit) {
            n = limit;
            rc = EIO_TRUNC;
        }
        int err = fs_write(e->f, buf, n);
        if (err == CMS_EINVAL) {
            /* a V record replaced by one of another length */
            char what[40];
            snprintf(what, sizeof what, "V (record %lu is %lu long)", (unsigned long)e->pos,
                     (unsigned long)n);
            cms_msg(M_BAD_RECFM, what);
            rc = EIO_BADPARM;
            break;
        }
        if (err != 0) {
            /* the writer has failed: the file stays as it was */
            rc = fs_report(err, &e->id);
            e->writing = 0;
            close_file(e);
            e = NULL;
            break;
        }
        e->pos++;
        e->wrptr = e->pos;
    }
    free(buf);
    if (r->finis && e != NULL) {
        int c = close_file(e);
        if (c != 0) {
            rc = c;
        }
    }
    return rc;
}
