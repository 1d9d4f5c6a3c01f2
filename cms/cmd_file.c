// SPDX-License-Identifier: MIT
/*
 * cms/cmd_file.c - the file commands LISTFILE (to the terminal, the
 * program stack or a CMS EXEC), TYPE, COPYFILE, ERASE, RENAME and STATE,
 * and fs_report(), which turns file system errors into CMS messages and
 * return codes for every command.
 *
 * Fileids are "fn ft [fm]".  fn and ft may be patterns ('*' any run, '%'
 * one character) where the command allows it; in a COPYFILE or RENAME
 * target "=" means "the same as the source".
 */
#include <stdlib.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/fsys.h"

#define REC_MAX 65535

static char recbuf[REC_MAX + 1];

int
fs_report(int err, const struct fs_fileid *id)
{
    struct fs_diskinfo di;
    switch (err) {
    case 0:
        return 0;
    case CMS_ENOTFOUND:
        cms_msg(M_FILE_NOT_FOUND, id ? id->fn : "?", id ? id->ft : "?", id ? id->fm : "?");
        return 28;
    case CMS_EROFS:
        if (id && fs_diskinfo(id->fm[0], &di) == 0) {
            cms_msg(M_DISK_RO, di.letter, di.vaddr);
        } else {
            cms_msg(M_DISK_RO, id ? id->fm[0] : '?', 0);
        }
        return 36;
    case CMS_ENODISK:
        cms_msg(M_DISK_NOT_ACCESSED, id ? id->fm[0] : '?');
        return 36;
    case CMS_ENOSPC:
        if (id && fs_diskinfo(id->fm[0], &di) == 0) {
            cms_msg(M_DISK_FULL, di.letter, di.vaddr);
        } else {
            cms_msg(M_DISK_FULL, '?', 0);
        }
        return 13;
    case FS_EEXIST:
        cms_msg(M_FILE_EXISTS, id ? id->fn : "?", id ? id->ft : "?", id ? id->fm : "?");
        return 28;
    case CMS_EINVAL:
        cms_msg(M_BAD_FILEID, id ? id->fn : "?");
        return 20;
    default:
        cms_msg(M_FS_ERROR, id ? id->fn : "", id ? id->ft : "", id ? id->fm : "",
                fs_strerror(err));
        return 100;
    }
}

int
fs_fileid_arg(struct cms_plist *p, int first, int ntok, struct fs_fileid *id,
              const char *dflt_fm, int patterns)
{
    const char *fn = ntok > 0 ? p->argv[first] : "*";
    const char *ft = ntok > 1 ? p->argv[first + 1] : "*";
    const char *fm = ntok > 2 ? p->argv[first + 2] : NULL;
    if (fs_fileid_make(id, fn, ft, fm, dflt_fm) != 0) {
        if (fm != NULL && (strlen(fm) > 2 || fm[0] < 'A' || (fm[0] > 'Z' && fm[0] != '*'))) {
            cms_msg(M_BAD_FILEMODE, fm);
        } else {
            cms_msg(M_BAD_FILEID, ntok > 0 ? p->orig[first] : "*");
        }
        return 20;
    }
    if (!patterns && (strpbrk(id->fn, "*%") || strpbrk(id->ft, "*%"))) {
        cms_msg(M_BAD_FILEID, p->orig[first]);
        return 20;
    }
    return 0;
}

/* ---- LISTFILE -------------------------------------------------------------- */
#define LF_FORMAT 0x1
#define LF_DATE 0x2
#define LF_LABEL 0x4
#define LF_HEADER 0x8
#define LF_STACK 0x10 /* lines onto the program stack, not the terminal */
#define LF_LIFO 0x20
#define LF_EXEC 0x40 /* lines "&1 &2 fn ft fm" into CMS EXEC A1 */

/* Where the lines go: the terminal, the stack, or the CMS EXEC being
 * written; err is the first error of the stack or the file. */
struct lf_state {
    unsigned opts;
    unsigned count;
    struct fs_file *exec;
    int err;
};

#define LF_EXEC_LRECL 80 /* CMS EXEC is RECFM F 80, as CMS writes it */

void
cms_civil(int64_t days, int *y, int *m, int *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t utc_offset_s;

static int
lf_one(const struct fs_stat *st, void *arg)
{
    struct lf_state *s = arg;
    char line[160];
    int n = snprintf(line, sizeof line, "%-8s %-8s %-2s", st->id.fn, st->id.ft, st->id.fm);
    if (s->opts & (LF_FORMAT | LF_DATE)) {
        n += snprintf(line + n, sizeof line - n, " %c %5lu %10lu %6lu", st->recfm,
                      (unsigned long)st->lrecl, (unsigned long)st->records,
                      (unsigned long)st->blocks);
    }
    if (s->opts & LF_DATE) {
        int64_t secs = (int64_t)(st->mtime_us / 1000000) + utc_offset_s;
        int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
        int64_t tod = secs - days * 86400;
        int y, m, d;
        cms_civil(days, &y, &m, &d);
        n += snprintf(line + n, sizeof line - n, " %04d-%02d-%02d %02d:%02d:%02d", y, m, d,
                      (int)(tod / 3600), (int)(tod / 60 % 60), (int)(tod % 60));
    }
    if (s->opts & LF_LABEL) {
        struct fs_diskinfo di;
        if (fs_diskinfo(st->id.fm[0], &di) == 0) {
            snprintf(line + n, sizeof line - n, " %-6s", di.label);
        }
    }
    if (s->opts & LF_STACK) {
        s->count++;
        s->err = cms_stack_add(line, strlen(line), (s->opts & LF_LIFO) != 0);
        return s->err != 0 ? 1 : cms_attn_poll();
    }
    if (s->opts & LF_EXEC) {
        char rec[LF_EXEC_LRECL + 8];
        int r = snprintf(rec, sizeof rec, "&1 &2 %s", line);
        s->count++;
        s->err = fs_write(s->exec, rec, r < LF_EXEC_LRECL ? (size_t)r : LF_EXEC_LRECL);
        return s->err != 0 ? 1 : cms_attn_poll();
    }
    if (s->count++ == 0 && (s->opts & LF_HEADER)) {
        char hdr[160];
        int h = snprintf(hdr, sizeof hdr, "FILENAME FILETYPE FM");
        if (s->opts & (LF_FORMAT | LF_DATE)) {
            h += snprintf(hdr + h, sizeof hdr - h, " %s", "F LRECL    RECORDS BLOCKS");
        }
        if (s->opts & LF_DATE) {
            h += snprintf(hdr + h, sizeof hdr - h, " %s", "DATE       TIME");
        }
        if (s->opts & LF_LABEL) {
            snprintf(hdr + h, sizeof hdr - h, " %s", "LABEL");
        }
        printf("%s\n", hdr);
    }
    printf("%s\n", line);
    return cms_attn_poll() ? 1 : 0;
}

struct opt_def {
    const char *name;
    unsigned char minlen;
    unsigned bits;
};

static const struct opt_def lf_opts[] = {
    {"FORMAT", 1, LF_FORMAT}, {"DATE", 1, LF_DATE | LF_FORMAT},
    {"LABEL", 1, LF_LABEL},   {"HEADER", 1, LF_HEADER},
    {"FNAME", 2, 0},          {"ALLOC", 1, LF_FORMAT},
    {"EXEC", 2, LF_EXEC},     {"STACK", 5, LF_STACK},
    {"FIFO", 4, LF_STACK},    {"LIFO", 4, LF_STACK | LF_LIFO},
};

/* Opens CMS EXEC A1 for writing: the new file replaces the old one when it
 * is closed, after the last line. */
static int
lf_exec_open(struct lf_state *s, struct fs_fileid *cid)
{
    fs_fileid_make(cid, "CMS", "EXEC", "A1", "A1");
    int err = fs_open(cid, CMS_O_WRITE, 'F', LF_EXEC_LRECL, &s->exec);
    return err != 0 ? fs_report(err, cid) : 0;
}

int
cmd_listfile(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    struct lf_state s = {0, 0, NULL, 0};
    struct fs_fileid id;
    if (nopt > 4) {
        cms_msg(M_INVALID_PARM, p->orig[4]);
        return 24;
    }
    int rc = fs_fileid_arg(p, 1, nopt - 1, &id, "A", 1);
    if (rc != 0) {
        return rc;
    }
    for (int i = nopt + 1; i < p->argc; i++) {
        size_t k;
        for (k = 0; k < sizeof lf_opts / sizeof lf_opts[0]; k++) {
            if (cms_abbrev(p->argv[i], lf_opts[k].name, lf_opts[k].minlen)) {
                s.opts |= lf_opts[k].bits;
                break;
            }
        }
        if (k == sizeof lf_opts / sizeof lf_opts[0]) {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
    }
    if ((s.opts & LF_EXEC) && (s.opts & LF_STACK)) {
        cms_msg(M_STK_CONFLICT, "EXEC", (s.opts & LF_LIFO) ? "LIFO" : "STACK");
        return 24;
    }
    struct diag_timer t;
    cms_timer(&t);
    utc_offset_s = t.utc_offset_s;
    struct fs_fileid cid;
    if ((s.opts & LF_EXEC) && (rc = lf_exec_open(&s, &cid)) != 0) {
        return rc;
    }
    rc = fs_list(id.fn, id.ft, id.fm, lf_one, &s);
    if (s.exec != NULL) {
        /* the old CMS EXEC stays unless every line was written */
        if (rc < 0 || s.err != 0 || s.count == 0 || cms_halt_requested) {
            fs_abort(s.exec);
        } else if ((s.err = fs_close(s.exec)) != 0) {
            return fs_report(s.err, &cid);
        }
    }
    if (rc < 0) {
        return fs_report(rc, &id);
    }
    if (s.err != 0) {
        if (s.opts & LF_STACK) {
            cms_msg(M_NO_STORAGE);
            return 104;
        }
        return fs_report(s.err, &cid);
    }
    if (s.count == 0) {
        cms_msg(M_FILE_NOT_FOUND, id.fn, id.ft, id.fm);
        return 28;
    }
    return 0;
}

/* ---- TYPE ------------------------------------------------------------------- */
int
cmd_type(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    struct fs_fileid id;
    if (nopt < 3) {
        cms_msg(M_MISSING_OPERAND, nopt < 2 ? "TYPE filename" : "TYPE filetype");
        return 24;
    }
    int ntok = nopt - 1 > 3 ? 3 : nopt - 1;
    int rc = fs_fileid_arg(p, 1, ntok, &id, "*", 0);
    if (rc != 0) {
        return rc;
    }
    long first = 1, last = -1;
    if (nopt > 4) {
        first = cms_parse_num(p->argv[4]);
        if (first < 1) {
            cms_msg(M_INVALID_PARM, p->orig[4]);
            return 24;
        }
    }
    if (nopt > 5) {
        if (strcmp(p->argv[5], "*") != 0) {
            last = cms_parse_num(p->argv[5]);
            if (last < first) {
                cms_msg(M_INVALID_PARM, p->orig[5]);
                return 24;
            }
        }
    }
    if (nopt > 6) {
        cms_msg(M_INVALID_PARM, p->orig[6]);
        return 24;
    }
    int hex = 0;
    for (int i = nopt + 1; i < p->argc; i++) {
        if (cms_abbrev(p->argv[i], "HEX", 3)) {
            hex = 1;
        } else {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
    }
    struct fs_file *f;
    rc = fs_open(&id, CMS_O_READ, 0, 0, &f);
    if (rc != 0) {
        return fs_report(rc, &id);
    }
    long recno = 0;
    size_t len;
    while ((rc = fs_read(f, recbuf, REC_MAX, &len)) == 0) {
        recno++;
        if (recno < first) {
            continue;
        }
        if (last > 0 && recno > last) {
            break;
        }
        if (len > REC_MAX) {
            len = REC_MAX;
        }
        if (hex) {
            for (size_t off = 0; off < len || off == 0; off += 32) {
                char line[80];
                int n = 0;
                for (size_t k = off; k < len && k < off + 32; k++) {
                    n += snprintf(line + n, sizeof line - n, "%02X", (unsigned char)recbuf[k]);
                }
                con_line(line, (size_t)n);
                if (len == 0) {
                    break;
                }
            }
        } else {
            while (len > 0 && recbuf[len - 1] == ' ') {
                len--;
            }
            for (size_t k = 0; k < len; k++) {
                unsigned char c = (unsigned char)recbuf[k];
                if (c < ' ' || c == 0x7f) {
                    recbuf[k] = '.';
                }
            }
            con_line(recbuf, len);
        }
        if (cms_attn_poll()) {
            break;
        }
    }
    fs_abort(f);
    if (rc != 0 && rc != CMS_EEOF) {
        return fs_report(rc, &id);
    }
    return 0;
}

/* ---- STATE ------------------------------------------------------------------- */
static int
found_one(const struct fs_stat *st, void *arg)
{
    (void)st;
    (void)arg;
    return 1;
}

int
cmd_state(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    struct fs_fileid id;
    if (nopt < 3) {
        cms_msg(M_MISSING_OPERAND, nopt < 2 ? "STATE filename" : "STATE filetype");
        return 24;
    }
    if (nopt > 4) {
        cms_msg(M_INVALID_PARM, p->orig[4]);
        return 24;
    }
    int rc = fs_fileid_arg(p, 1, nopt - 1, &id, "*", 1);
    if (rc != 0) {
        return rc;
    }
    rc = fs_list(id.fn, id.ft, id.fm, found_one, NULL);
    if (rc == 1) {
        return 0;
    }
    if (rc == 0) {
        rc = CMS_ENOTFOUND;
    }
    return fs_report(rc, &id);
}

/* ---- ERASE ------------------------------------------------------------------- */
struct collect {
    struct fs_fileid *ids;
    size_t n, cap;
};

static int
collect_one(const struct fs_stat *st, void *arg)
{
    struct collect *c = arg;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        struct fs_fileid *ids = realloc(c->ids, cap * sizeof *ids);
        if (ids == NULL) {
            return CMS_ENOSPC;
        }
        c->ids = ids;
        c->cap = cap;
    }
    c->ids[c->n++] = st->id;
    return 0;
}

int
cmd_erase(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    struct fs_fileid id;
    if (nopt < 3) {
        cms_msg(M_MISSING_OPERAND, nopt < 2 ? "ERASE filename" : "ERASE filetype");
        return 24;
    }
    if (nopt > 4) {
        cms_msg(M_INVALID_PARM, p->orig[4]);
        return 24;
    }
    int rc = fs_fileid_arg(p, 1, nopt - 1, &id, "A", 1);
    if (rc != 0) {
        return rc;
    }
    if (nopt < p->argc) {
        cms_msg(M_INVALID_OPTION, p->orig[nopt + 1 < p->argc ? nopt + 1 : nopt]);
        return 24;
    }
    struct collect c = {NULL, 0, 0};
    rc = fs_list(id.fn, id.ft, id.fm, collect_one, &c);
    if (rc == 0 && c.n == 0) {
        rc = CMS_ENOTFOUND;
    }
    for (size_t i = 0; rc == 0 && i < c.n; i++) {
        rc = fs_erase(&c.ids[i]);
        if (rc != 0) {
            id = c.ids[i];
        }
    }
    free(c.ids);
    return fs_report(rc, &id);
}

/* ---- RENAME ------------------------------------------------------------------ */
void
fs_fileid_equals(struct fs_fileid *to, const struct fs_fileid *from)
{
    if (strcmp(to->fn, "=") == 0) {
        strcpy(to->fn, from->fn);
    }
    if (strcmp(to->ft, "=") == 0) {
        strcpy(to->ft, from->ft);
    }
    if (strcmp(to->fm, "=") == 0) {
        strcpy(to->fm, from->fm);
    }
}

int
cmd_rename(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    struct fs_fileid from, to;
    if (nopt != 7) {
        cms_msg(nopt < 7 ? M_MISSING_OPERAND : M_INVALID_PARM,
                nopt < 7 ? "RENAME fn ft fm fn ft fm" : p->orig[7]);
        return 24;
    }
    int rc = fs_fileid_arg(p, 1, 3, &from, "A", 0);
    if (rc == 0) {
        rc = fs_fileid_arg(p, 4, 3, &to, "A", 0);
    }
    if (rc != 0) {
        return rc;
    }
    if (strcmp(from.fm, "*") == 0) {
        struct fs_stat st;
        rc = fs_state(&from, &st);
        if (rc != 0) {
            return fs_report(rc, &from);
        }
        strcpy(from.fm, st.id.fm);
    }
    fs_fileid_equals(&to, &from);
    if (strcmp(to.fm, "*") == 0 || to.fm[0] != from.fm[0]) {
        cms_msg(M_INVALID_PARM, p->orig[6]);
        return 24;
    }
    rc = fs_rename(&from, &to);
    return fs_report(rc, rc == FS_EEXIST ? &to : &from);
}

/* ---- COPYFILE ----------------------------------------------------------------- */
#define CF_REPLACE 0x1
#define CF_APPEND 0x2

struct copy_opts {
    unsigned flags;
    char recfm; /* 0 = as the source */
    uint32_t lrecl; /* 0 = as the source */
    unsigned copied;
};

static int
copy_one(const struct fs_fileid *src, const struct fs_fileid *dst, struct copy_opts *o)
{
    struct fs_stat sst, dst_st;
    if (strcmp(src->fn, dst->fn) == 0 && strcmp(src->ft, dst->ft) == 0 &&
        src->fm[0] == dst->fm[0]) {
        cms_msg(M_SAME_FILE);
        return 24;
    }
    int rc = fs_state(src, &sst);
    if (rc != 0) {
        return fs_report(rc, src);
    }
    int exists = fs_state(dst, &dst_st) == 0;
    if (exists && !(o->flags & (CF_REPLACE | CF_APPEND))) {
        return fs_report(FS_EEXIST, dst);
    }
    char recfm = o->recfm ? o->recfm : sst.recfm;
    uint32_t lrecl = o->lrecl ? o->lrecl : (recfm == 'F' ? sst.lrecl : 0);
    if (exists && (o->flags & CF_APPEND)) {
        recfm = dst_st.recfm;
        lrecl = dst_st.recfm == 'F' ? dst_st.lrecl : 0;
    }
    struct fs_file *in, *out;
    rc = fs_open(src, CMS_O_READ, 0, 0, &in);
    if (rc != 0) {
        return fs_report(rc, src);
    }
    rc = fs_open(dst, (o->flags & CF_APPEND) ? CMS_O_APPEND : CMS_O_WRITE, recfm, lrecl, &out);
    if (rc != 0) {
        fs_abort(in);
        return fs_report(rc, dst);
    }
    size_t len;
    unsigned long recno = 0;
    int truncated = 0;
    while ((rc = fs_read(in, recbuf, REC_MAX, &len)) == 0) {
        recno++;
        if (len > REC_MAX) {
            len = REC_MAX;
        }
        if (recfm == 'V' && lrecl > 0 && len > lrecl) {
            len = lrecl;
            truncated = 1;
        }
        if (recfm == 'F' && len > lrecl) {
            truncated = 1;
        }
        rc = fs_write(out, recbuf, len);
        if (rc != 0) {
            break;
        }
    }
    fs_abort(in);
    if (rc != CMS_EEOF) {
        fs_abort(out);
        return fs_report(rc, rc == CMS_ENOSPC || rc == CMS_EROFS ? dst : src);
    }
    rc = fs_close(out);
    if (rc != 0) {
        return fs_report(rc, dst);
    }
    if (truncated) {
        cms_msg(M_RECORD_TOO_LONG, recno, dst->fn, dst->ft, dst->fm,
                (unsigned long)(lrecl ? lrecl : REC_MAX));
    }
    o->copied++;
    return 0;
}

int
cmd_copyfile(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    struct fs_fileid src, dst;
    struct copy_opts o = {0, 0, 0, 0};
    if (nopt < 5) {
        cms_msg(M_MISSING_OPERAND, "COPYFILE fn ft fm fn ft fm");
        return 24;
    }
    /* "fn ft fm fn ft fm" or "fn ft fn ft" (filemodes "*" and "A") */
    int src_tok = nopt - 1 >= 5 ? 3 : 2;
    int dst_tok = nopt - 1 - src_tok;
    if (dst_tok < 1 || dst_tok > 3 || nopt - 1 > 6) {
        cms_msg(M_INVALID_PARM, p->orig[nopt - 1]);
        return 24;
    }
    int rc = fs_fileid_arg(p, 1, src_tok, &src, "*", 1);
    if (rc != 0) {
        return rc;
    }
    const char *tfn = p->argv[1 + src_tok];
    const char *tft = dst_tok > 1 ? p->argv[2 + src_tok] : "=";
    const char *tfm = dst_tok > 2 ? p->argv[3 + src_tok] : "=";
    for (int i = nopt + 1; i < p->argc; i++) {
        const char *w = p->argv[i];
        if (cms_abbrev(w, "REPLACE", 3)) {
            o.flags |= CF_REPLACE;
        } else if (cms_abbrev(w, "APPEND", 3)) {
            o.flags |= CF_APPEND;
        } else if (cms_abbrev(w, "RECFM", 3) && i + 1 < p->argc &&
                   (strcmp(p->argv[i + 1], "F") == 0 || strcmp(p->argv[i + 1], "V") == 0)) {
            o.recfm = p->argv[++i][0];
        } else if (cms_abbrev(w, "LRECL", 3) && i + 1 < p->argc) {
            long l = cms_parse_num(p->argv[++i]);
            if (l < 1 || l > REC_MAX) {
                cms_msg(M_BAD_RECFM, p->orig[i]);
                return 24;
            }
            o.lrecl = (uint32_t)l;
        } else {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
    }
    if ((o.flags & CF_APPEND) && (o.flags & CF_REPLACE)) {
        cms_msg(M_INVALID_OPTION, "APPEND with REPLACE");
        return 24;
    }
    if (o.recfm == 'F' && o.lrecl == 0) {
        o.lrecl = 80;
    }
    /* the sources: one file or every match of a pattern */
    struct collect c = {NULL, 0, 0};
    rc = fs_list(src.fn, src.ft, src.fm, collect_one, &c);
    if (rc == 0 && c.n == 0) {
        rc = CMS_ENOTFOUND;
    }
    if (rc != 0) {
        free(c.ids);
        return fs_report(rc, &src);
    }
    int result = 0;
    for (size_t i = 0; i < c.n && result == 0; i++) {
        if (fs_fileid_make(&dst, tfn, tft, tfm, "A") != 0 || strpbrk(dst.fn, "*%") ||
            strpbrk(dst.ft, "*%") || strcmp(dst.fm, "*") == 0) {
            cms_msg(M_BAD_FILEID, tfn);
            result = 20;
            break;
        }
        fs_fileid_equals(&dst, &c.ids[i]);
        if (strlen(dst.fm) == 1 && c.ids[i].fm[1]) {
            dst.fm[1] = c.ids[i].fm[1];
            dst.fm[2] = '\0';
        }
        /* several sources into one target: append after the first */
        if (i > 0 && strcmp(tfn, "=") != 0 && strcmp(tft, "=") != 0) {
            o.flags = (o.flags & ~CF_REPLACE) | CF_APPEND;
        }
        result = copy_one(&c.ids[i], &dst, &o);
        if (cms_attn_poll()) {
            break;
        }
    }
    free(c.ids);
    return result;
}
