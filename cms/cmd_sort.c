// SPDX-License-Identifier: MIT
/*
 * cms/cmd_sort.c - SORT fileid1 fileid2 [(REPLACE]: the records of file 1,
 * sorted, into file 2 (RECFM and LRECL as file 1's).
 *
 * As in CMS, SORT then asks for the sort fields (VMC063R; the program
 * stack first, then the terminal): pairs of start and end columns, the
 * major key first ("1 8 10 15").  Fields compare as bytes, a column past
 * the end of a record as a blank; records with equal keys keep their
 * order (the sort is stable).
 *
 * The whole file is sorted in the nucleus's free storage (cms/heap.c):
 *   - the records, each a 2-byte length and its bytes, packed into chunks
 *     of 64 KiB or more, so that both regions of free storage (private
 *     storage, then high free storage) fill up instead of needing one
 *     piece as large as the file;
 *   - then an index of one pointer per record and half as many again
 *     for the merge, allocated last, when the record count is known.
 * A reserve taken first and freed before the output is written keeps room
 * for the file system's own buffers.  When storage runs out, VMC065E and
 * rc 104: nothing is written.  File 2 is written as a new version that
 * replaces the old one (REPLACE) only when it is complete, so a full disk
 * or HX leaves no partial file 2, and file 1 is only ever read (with
 * REPLACE, file 2 may be file 1: the file sorted in place).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/fsys.h"

#define SORT_KEYS_MAX 32
#define SORT_COL_MAX 65535
#define SORT_CHUNK (64u << 10)
#define SORT_RESERVE (192u << 10) /* for the file system while writing */
#define SORT_INSERTION 12 /* runs this short: insertion sort */

struct sort_keys {
    unsigned n;
    size_t from[SORT_KEYS_MAX], to[SORT_KEYS_MAX]; /* 0-based, to exclusive */
};

/* A piece of free storage that holds records back to back. */
struct chunk {
    struct chunk *next;
    size_t used, cap;
    unsigned char data[];
};

struct sort_work {
    struct chunk *first, *last;
    unsigned long nrec;
    const unsigned char **index, **tmp;
};

static size_t
rec_len(const unsigned char *r)
{
    return (size_t)r[0] | (size_t)r[1] << 8;
}

static int
rec_cmp(const unsigned char *a, const unsigned char *b, const struct sort_keys *k)
{
    for (unsigned i = 0; i < k->n; i++) {
        int c = cms_field_cmp(a + 2, rec_len(a), b + 2, rec_len(b), k->from[i], k->to[i]);
        if (c != 0) {
            return c;
        }
    }
    return 0;
}

/* Stable merge sort of a[0..n); tmp holds at least n/2 entries. */
static void
merge_sort(const unsigned char **a, size_t n, const unsigned char **tmp,
           const struct sort_keys *k)
{
    if (n <= SORT_INSERTION) {
        for (size_t i = 1; i < n; i++) {
            const unsigned char *x = a[i];
            size_t j = i;
            for (; j > 0 && rec_cmp(a[j - 1], x, k) > 0; j--) {
                a[j] = a[j - 1];
            }
            a[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    merge_sort(a, h, tmp, k);
    merge_sort(a + h, n - h, tmp, k);
    if (rec_cmp(a[h - 1], a[h], k) <= 0) {
        return; /* already in order (sorted input costs one compare a run) */
    }
    /* merge the left half (moved to tmp) with the right half in place;
     * the output never overtakes the unread right half */
    memcpy(tmp, a, h * sizeof *a);
    size_t i = 0, j = h, o = 0;
    while (i < h && j < n) {
        a[o++] = rec_cmp(a[j], tmp[i], k) < 0 ? a[j++] : tmp[i++];
    }
    while (i < h) {
        a[o++] = tmp[i++];
    }
}

static void
work_free(struct sort_work *w)
{
    while (w->first != NULL) {
        struct chunk *c = w->first;
        w->first = c->next;
        free(c);
    }
    free(w->index);
    free(w->tmp);
    memset(w, 0, sizeof *w);
}

/* Room for a record of up to maxlen bytes and its length; NULL when
 * storage is spent. */
static unsigned char *
work_room(struct sort_work *w, size_t maxlen)
{
    struct chunk *c = w->last;
    if (c != NULL && c->cap - c->used >= maxlen + 2) {
        return c->data + c->used;
    }
    size_t cap = SORT_CHUNK;
    if (cap < 4 * (maxlen + 2)) {
        cap = 4 * (maxlen + 2);
    }
    c = malloc(sizeof *c + cap);
    if (c == NULL) {
        return NULL;
    }
    c->next = NULL;
    c->used = 0;
    c->cap = cap;
    if (w->last != NULL) {
        w->last->next = c;
    } else {
        w->first = c;
    }
    w->last = c;
    return c->data;
}

/* Reads every record of the open file into w.  Returns 0, 104 (storage
 * spent: the caller reports it), -1 (HX) or fs_report's rc. */
static int
work_load(struct sort_work *w, struct fs_file *in, const struct fs_fileid *id, size_t maxlen)
{
    for (;;) {
        unsigned char *r = work_room(w, maxlen);
        if (r == NULL) {
            return 104;
        }
        size_t len;
        int rc = fs_read(in, r + 2, maxlen, &len);
        if (rc == CMS_EEOF) {
            return 0;
        }
        if (rc != 0) {
            return fs_report(rc, id);
        }
        if (len > maxlen) {
            /* longer than the file's own LRECL says: the file is damaged */
            return fs_report(CMS_EIO, id);
        }
        r[0] = (unsigned char)(len & 0xff);
        r[1] = (unsigned char)(len >> 8);
        w->last->used += len + 2;
        if ((++w->nrec & 255) == 0 && cms_attn_poll()) {
            return -1;
        }
    }
}

/* The index over the loaded records, and the merge's half-size buffer. */
static int
work_index(struct sort_work *w)
{
    size_t n = w->nrec;
    w->index = malloc((n ? n : 1) * sizeof *w->index);
    w->tmp = malloc((n / 2 + 1) * sizeof *w->tmp);
    if (w->index == NULL || w->tmp == NULL) {
        return 104;
    }
    size_t i = 0;
    for (struct chunk *c = w->first; c != NULL; c = c->next) {
        for (size_t off = 0; off < c->used; off += rec_len(c->data + off) + 2) {
            w->index[i++] = c->data + off;
        }
    }
    return 0;
}

/* Reads the sort fields from the stack or the terminal.  Returns 0 or the
 * rc after a message. */
static int
read_keys(struct sort_keys *k)
{
    char line[CMS_LINE_MAX + 1];
    cms_msg(M_SORT_PROMPT);
    if (cms_stack_take(line, sizeof line) < 0) {
        con_read(line, sizeof line);
    }
    long v[2];
    unsigned nv = 0;
    const char *start = "";
    k->n = 0;
    for (char *s = line;;) {
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        char *tok = s;
        while (*s != '\0' && *s != ' ' && *s != '\t') {
            s++;
        }
        if (*s != '\0') {
            *s++ = '\0';
        }
        long c = cms_parse_num(tok);
        if (c < 1 || c > SORT_COL_MAX || (nv == 1 && c < v[0]) || k->n == SORT_KEYS_MAX) {
            cms_msg(M_SORT_BAD_FIELD, tok);
            return 24;
        }
        start = tok;
        v[nv++] = c;
        if (nv == 2) {
            k->from[k->n] = (size_t)v[0] - 1;
            k->to[k->n] = (size_t)v[1];
            k->n++;
            nv = 0;
        }
    }
    if (nv != 0) {
        cms_msg(M_SORT_BAD_FIELD, start); /* a start column without its end */
        return 24;
    }
    if (k->n == 0) {
        cms_msg(M_MISSING_OPERAND, "sort fields");
        return 24;
    }
    return 0;
}

/* Writes the sorted records as a new version of f2; durable on return 0. */
static int
write_sorted(const struct sort_work *w, const struct fs_fileid *f2, const struct fs_stat *st1)
{
    struct fs_file *out;
    int rc = fs_open(f2, CMS_O_WRITE, st1->recfm, st1->recfm == 'F' ? st1->lrecl : 0, &out);
    if (rc != 0) {
        return fs_report(rc, f2);
    }
    for (size_t i = 0; i < w->nrec; i++) {
        const unsigned char *r = w->index[i];
        rc = fs_write(out, r + 2, rec_len(r));
        if (rc != 0) {
            fs_abort(out);
            return fs_report(rc, f2);
        }
        if (((i + 1) & 255) == 0 && cms_attn_poll()) {
            fs_abort(out);
            return -1;
        }
    }
    rc = fs_close(out);
    return rc != 0 ? fs_report(rc, f2) : 0;
}

/* Checks fileid2 before asking for the fields: a real filemode on a
 * read/write disk, and no file there unless REPLACE. */
static int
check_target(struct fs_fileid *f2, const struct fs_fileid *f1, int replace)
{
    struct fs_diskinfo di;
    if (strcmp(f2->fm, "*") == 0) {
        cms_msg(M_BAD_FILEMODE, f2->fm);
        return 20;
    }
    if (f2->fm[1] == '\0' && f1->fm[1] != '\0') {
        f2->fm[1] = f1->fm[1]; /* as COPYFILE: the mode number of the source */
    }
    if (fs_diskinfo(f2->fm[0], &di) != 0) {
        return fs_report(CMS_ENODISK, f2);
    }
    if (di.readonly) {
        return fs_report(CMS_EROFS, f2);
    }
    struct fs_fileid here = *f2;
    here.fm[1] = '\0'; /* any mode number on that disk */
    if (!replace && fs_state(&here, NULL) == 0) {
        return fs_report(FS_EEXIST, f2);
    }
    return 0;
}

int
cmd_sort(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    struct fs_fileid f1, f2;
    struct fs_stat st1;
    struct sort_keys keys;
    int replace = 0;
    int rc = fs_fileid_pair(p, nopt, "SORT fn ft fm fn ft fm", &f1, &st1, &f2);
    if (rc != 0) {
        return rc;
    }
    for (int i = nopt + 1; i < p->argc; i++) {
        if (!cms_abbrev(p->argv[i], "REPLACE", 3)) {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
        replace = 1;
    }
    rc = check_target(&f2, &f1, replace);
    if (rc == 0) {
        rc = read_keys(&keys);
    }
    if (rc != 0) {
        return rc;
    }
    struct sort_work w = {0};
    struct fs_file *in = NULL;
    void *reserve = malloc(SORT_RESERVE);
    size_t maxlen = st1.lrecl > 0 && st1.lrecl <= SORT_COL_MAX ? st1.lrecl : SORT_COL_MAX;
    if (reserve == NULL) {
        rc = 104;
    } else if ((rc = fs_open(&f1, CMS_O_READ, 0, 0, &in)) != 0) {
        rc = fs_report(rc, &f1);
    } else {
        rc = work_load(&w, in, &f1, maxlen);
        fs_abort(in);
    }
    if (rc == 0) {
        rc = work_index(&w);
    }
    if (rc == 104) {
        cms_msg(M_SORT_NO_STORAGE, f1.fn, f1.ft, f1.fm, (unsigned long)st1.records,
                (unsigned long)((st1.bytes + 1023) / 1024));
    }
    if (rc == 0) {
        merge_sort(w.index, w.nrec, w.tmp, &keys);
        free(reserve);
        reserve = NULL;
        rc = write_sorted(&w, &f2, &st1);
    }
    free(reserve);
    work_free(&w);
    return rc;
}
