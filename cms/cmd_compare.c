// SPDX-License-Identifier: MIT
/*
 * cms/cmd_compare.c - COMPARE, record by record, and what it shares with
 * SORT (cmd_sort.c): the "fileid1 fileid2" operands and the comparison of
 * columns of two records.
 *
 * COMPARE fileid1 fileid2 [(COL m [n|*]]
 *   Types both records of every pair that differs (file 1's first), then
 *   how many pairs differ and, if the files have different record counts,
 *   which one is shorter.  Columns past the end of a record count as
 *   blanks, so an F 80 file and a V file with the same text are equal.
 *   rc 0 equal, 1 different, 28 a file not found, 24 bad operands,
 *   104 no storage for the record buffers, -1 HX.
 * The file commands and fs_report() are in cmd_file.c.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/fsys.h"

#define REC_MAX 65535

int
cms_field_cmp(const void *a_, size_t alen, const void *b_, size_t blen, size_t from, size_t to)
{
    const unsigned char *a = a_, *b = b_;
    size_t ae = alen < to ? alen : to; /* where a's own bytes in the field end */
    size_t be = blen < to ? blen : to;
    size_t both = ae < be ? ae : be;
    size_t i = from;
    if (both > from) {
        int c = memcmp(a + from, b + from, both - from);
        if (c != 0) {
            return c;
        }
        i = both;
    }
    /* past both, at most one record still has bytes: the other has blanks */
    for (; i < ae; i++) {
        if (a[i] != ' ') {
            return a[i] < ' ' ? -1 : 1;
        }
    }
    for (; i < be; i++) {
        if (b[i] != ' ') {
            return b[i] < ' ' ? 1 : -1;
        }
    }
    return 0;
}

int
fs_fileid_pair(struct cms_plist *p, int nopt, const char *usage, struct fs_fileid *f1,
               struct fs_stat *st1, struct fs_fileid *f2)
{
    int ntok = nopt - 1;
    if (ntok < 4) {
        cms_msg(M_MISSING_OPERAND, usage);
        return 24;
    }
    if (ntok > 6) {
        cms_msg(M_INVALID_PARM, p->orig[7]);
        return 24;
    }
    /* as COPYFILE: "fn ft fm fn ft fm", "fn ft fm fn ft", "fn ft fn ft" */
    int tok1 = ntok >= 5 ? 3 : 2;
    int rc = fs_fileid_arg(p, 1, tok1, f1, "*", 0);
    if (rc == 0) {
        rc = fs_fileid_arg(p, 1 + tok1, ntok - tok1, f2, "=", 0);
    }
    if (rc != 0) {
        return rc;
    }
    rc = fs_state(f1, st1);
    if (rc != 0) {
        return fs_report(rc, f1);
    }
    *f1 = st1->id; /* the disk it is on: what "=" copies */
    fs_fileid_equals(f2, f1);
    return 0;
}

/* Types a record as TYPE does: no trailing blanks, control characters as
 * dots (in place). */
static void
show_record(char *rec, size_t len)
{
    while (len > 0 && rec[len - 1] == ' ') {
        len--;
    }
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)rec[k];
        if (c < ' ' || c == 0x7f) {
            rec[k] = '.';
        }
    }
    con_line(rec, len);
}

/* The COL option: columns from..to (0-based, to exclusive). */
static int
parse_options(struct cms_plist *p, int nopt, size_t *from, size_t *to)
{
    *from = 0;
    *to = REC_MAX;
    for (int i = nopt + 1; i < p->argc; i++) {
        if (!cms_abbrev(p->argv[i], "COLUMN", 3)) {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
        if (i + 1 >= p->argc) {
            cms_msg(M_MISSING_OPERAND, "COL start column");
            return 24;
        }
        long m = cms_parse_num(p->argv[++i]);
        if (m < 1 || m > REC_MAX) {
            cms_msg(M_INVALID_PARM, p->orig[i]);
            return 24;
        }
        long n = REC_MAX;
        if (i + 1 < p->argc && strcmp(p->argv[i + 1], "*") == 0) {
            i++;
        } else if (i + 1 < p->argc && cms_parse_num(p->argv[i + 1]) >= 0) {
            n = cms_parse_num(p->argv[++i]);
            if (n < m || n > REC_MAX) {
                cms_msg(M_INVALID_PARM, p->orig[i]);
                return 24;
            }
        }
        *from = (size_t)m - 1;
        *to = (size_t)n;
    }
    return 0;
}

/* Compares the open files record by record; rc as COMPARE's. */
static int
compare_open(struct fs_file *in1, struct fs_file *in2, const struct fs_fileid *f1,
             const struct fs_fileid *f2, size_t from, size_t to)
{
    char *r1 = malloc(REC_MAX + 1), *r2 = malloc(REC_MAX + 1);
    unsigned long common = 0, differ = 0, more = 0;
    const struct fs_fileid *shorter = NULL;
    int rc1 = 0, rc2 = 0, result = 0;
    if (r1 == NULL || r2 == NULL) {
        cms_msg(M_NO_STORAGE);
        result = 104;
        goto done;
    }
    for (unsigned long seen = 1;; seen++) {
        size_t l1 = 0, l2 = 0;
        if ((seen & 255) == 0 && cms_attn_poll()) {
            result = -1; /* HX */
            goto done;
        }
        if (rc1 == 0) {
            rc1 = fs_read(in1, r1, REC_MAX, &l1);
        }
        if (rc2 == 0) {
            rc2 = fs_read(in2, r2, REC_MAX, &l2);
        }
        if ((rc1 != 0 && rc1 != CMS_EEOF) || (rc2 != 0 && rc2 != CMS_EEOF)) {
            result = rc1 != 0 && rc1 != CMS_EEOF ? fs_report(rc1, f1) : fs_report(rc2, f2);
            goto done;
        }
        if (rc1 != 0 && rc2 != 0) {
            break;
        }
        if (rc1 != 0 || rc2 != 0) {
            more++; /* a record only the longer file has */
            shorter = rc1 != 0 ? f1 : f2;
            continue;
        }
        l1 = l1 > REC_MAX ? REC_MAX : l1;
        l2 = l2 > REC_MAX ? REC_MAX : l2;
        common++;
        if (cms_field_cmp(r1, l1, r2, l2, from, to) != 0) {
            differ++;
            show_record(r1, l1);
            show_record(r2, l2);
        }
    }
    if (differ > 0) {
        cms_msg(M_CMP_DIFFER, differ, common);
        result = 1;
    }
    if (shorter != NULL) {
        const struct fs_fileid *longer = shorter == f1 ? f2 : f1;
        cms_msg(M_CMP_SHORTER, shorter->fn, shorter->ft, shorter->fm, common, longer->fn,
                longer->ft, longer->fm, common + more);
        result = 1;
    }
done:
    free(r1);
    free(r2);
    return result;
}

int
cmd_compare(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    struct fs_fileid f1, f2;
    struct fs_stat st1, st2;
    size_t from, to;
    int rc = fs_fileid_pair(p, nopt, "COMPARE fn ft fm fn ft fm", &f1, &st1, &f2);
    if (rc == 0) {
        rc = parse_options(p, nopt, &from, &to);
    }
    if (rc != 0) {
        return rc;
    }
    rc = fs_state(&f2, &st2);
    if (rc != 0) {
        return fs_report(rc, &f2);
    }
    f2 = st2.id;
    cms_msg(M_CMP_COMPARING, f1.fn, f1.ft, f1.fm, f2.fn, f2.ft, f2.fm);
    struct fs_file *in1, *in2;
    rc = fs_open(&f1, CMS_O_READ, 0, 0, &in1);
    if (rc != 0) {
        return fs_report(rc, &f1);
    }
    rc = fs_open(&f2, CMS_O_READ, 0, 0, &in2);
    if (rc != 0) {
        fs_abort(in1);
        return fs_report(rc, &f2);
    }
    rc = compare_open(in1, in2, &f1, &f2, from, to);
    fs_abort(in1);
    fs_abort(in2);
    return rc;
}
