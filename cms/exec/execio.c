// SPDX-License-Identifier: MIT
/*
 * cms/exec/execio.c - the EXECIO command: records between files, CP
 * responses, the program stack and an EXEC's variables.
 *
 *   EXECIO lines|* DISKR  fn ft [fm [linenum]]       [( options]
 *   EXECIO lines|* DISKRU fn ft [fm [linenum]]       [( options]
 *   EXECIO lines|* DISKW  fn ft [fm [linenum [recfm [lrecl]]]] [( options]
 *   EXECIO lines|* CP                                 [( options]
 *
 * This file parses the line, checks which options go with which operation
 * (a table), runs CP, and moves single lines to and from their place: the
 * program stack (FIFO or LIFO), STEM variables name1..nameN (name0 the
 * count), one VAR, a STRING, or nowhere (SKIP).  Variables are reached
 * through the shared variable interface (execcomm.h), so STEM and VAR need
 * an EXEC; the stack works from the command line too.  The files, DISKR
 * and DISKW are in execio_disk.c.
 *
 * Return codes (as CMS's EXECIO): 0; 1 a line was truncated; 2 end of file
 * before the count; 3 LOCATE/FIND/AVOID found nothing within the count; 20
 * an option unknown, not valid here, or in conflict; 24 a bad operand; a
 * file system's own (28 not found, 36 disk not accessed or read-only, 13
 * disk full); for CP, CP's return code when it is not 0; 104 no storage.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/exec/execcomm.h"
#include "cms/exec/execio.h"

#define CP_BUFFER_DEFAULT 8192
#define CP_BUFFER_MAX (1u << 20)

/* ---- options ------------------------------------------------------------ */
#define R (1u << EIO_DISKR | 1u << EIO_DISKRU)
#define W (1u << EIO_DISKW)
#define C (1u << EIO_CP)

enum opt_id {
    O_FINIS, O_STEM, O_VAR, O_LIFO, O_FIFO, O_SKIP, O_STRIP, O_STRING, O_MARGINS, O_ZONE,
    O_LOCATE, O_FIND, O_AVOID, O_CASE, O_BUFFER,
};

struct opt_def {
    const char *name;
    unsigned char minlen;
    unsigned char id;
    unsigned ops; /* the operations it is valid for */
};

/* First match wins: STRIP before STRING (STR abbreviates STRIP). */
static const struct opt_def opts[] = {
    {"FINIS", 3, O_FINIS, R | W},
    {"STEM", 4, O_STEM, R | W | C},
    {"VAR", 1, O_VAR, R | W | C},
    {"LIFO", 4, O_LIFO, R | C},
    {"FIFO", 4, O_FIFO, R | C},
    {"SKIP", 2, O_SKIP, R | C},
    {"STRIP", 3, O_STRIP, R | W | C},
    {"STRING", 6, O_STRING, W | C},
    {"MARGINS", 3, O_MARGINS, R | W | C},
    {"ZONE", 1, O_ZONE, R},
    {"LOCATE", 3, O_LOCATE, R},
    {"FIND", 4, O_FIND, R},
    {"AVOID", 2, O_AVOID, R},
    {"CASE", 4, O_CASE, R | W | C},
    {"BUFFER", 3, O_BUFFER, C},
};

static const struct opt_def *
opt_find(const char *w)
{
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (cms_abbrev(w, opts[i].name, opts[i].minlen)) {
            return &opts[i];
        }
    }
    return NULL;
}

static int
bad_option(const char *w)
{
    cms_msg(M_INVALID_OPTION, w);
    return EIO_SYNTAX;
}

static int
bad_parm(const char *w)
{
    cms_msg(M_INVALID_PARM, w);
    return EIO_BADPARM;
}

/* A column number (1 or more), or "*" when star_ok (-1). */
static int
column(struct cms_plist *p, int i, int star_ok, long *out)
{
    if (i >= p->argc) {
        cms_msg(M_MISSING_OPERAND, "column");
        return EIO_SYNTAX;
    }
    if (star_ok && strcmp(p->argv[i], "*") == 0) {
        *out = -1;
        return 0;
    }
    long v = cms_parse_num(p->argv[i]);
    if (v < 1) {
        return bad_parm(p->orig[i]);
    }
    *out = v;
    return 0;
}

/* A delimited target (/text/, any delimiter) starting in token i; sets
 * *next to the first token after it. */
static int
target(struct cms_plist *p, int i, struct eio_req *r, int *next)
{
    if (i >= p->argc) {
        cms_msg(M_MISSING_OPERAND, "target");
        return EIO_SYNTAX;
    }
    const char *s = p->rest[i];
    char delim = s[0];
    const char *end = strchr(s + 1, delim);
    r->target = s + 1;
    r->targetlen = end ? (size_t)(end - s - 1) : strlen(s + 1);
    const char *after = end ? end + 1 : s + 1 + r->targetlen;
    while (i < p->argc && p->rest[i] < after) {
        i++;
    }
    *next = i;
    if (r->targetlen == 0) {
        return bad_parm(p->orig[*next - 1]);
    }
    return 0;
}

/* The destination (or source) option: only one of them. */
static int
set_dest(struct eio_req *r, enum eio_dest d, const char *w)
{
    if (r->dest != EIO_STACK) {
        cms_msg(M_EXECIO_CONFLICT, w);
        return EIO_SYNTAX;
    }
    r->dest = d;
    return 0;
}

static int
parse_options(struct cms_plist *p, int i, struct eio_req *r)
{
    int order = 0; /* LIFO/FIFO given */
    while (i < p->argc) {
        const char *w = p->argv[i];
        const struct opt_def *o = opt_find(w);
        if (o == NULL || (o->ops & (1u << r->op)) == 0) {
            return bad_option(p->orig[i]);
        }
        int rc = 0;
        i++;
        switch (o->id) {
        case O_FINIS:
            r->finis = 1;
            break;
        case O_STEM:
        case O_VAR:
            if (i >= p->argc) {
                cms_msg(M_MISSING_OPERAND, o->name);
                return EIO_SYNTAX;
            }
            if ((rc = set_dest(r, o->id == O_STEM ? EIO_STEM : EIO_VAR, o->name)) != 0) {
                return rc;
            }
            r->namelen = strlen(p->argv[i]);
            if (r->namelen >= sizeof r->name - 10 || !cms_shv_name_ok(p->argv[i], r->namelen)) {
                cms_msg(M_EXECIO_BAD_VAR, p->orig[i]);
                return EIO_BADPARM;
            }
            memcpy(r->name, p->argv[i++], r->namelen + 1);
            break;
        case O_LIFO:
        case O_FIFO:
            if (order++ || r->dest != EIO_STACK) {
                cms_msg(M_EXECIO_CONFLICT, o->name);
                return EIO_SYNTAX;
            }
            r->lifo = o->id == O_LIFO;
            break;
        case O_SKIP:
            rc = set_dest(r, EIO_SKIP, o->name);
            break;
        case O_STRIP:
            r->strip = 1;
            break;
        case O_STRING:
            /* the rest of the line, as typed: DISKW's line (its source),
             * CP's command */
            if (r->op != EIO_CP && (rc = set_dest(r, EIO_STRING, o->name)) != 0) {
                return rc;
            }
            r->has_string = 1;
            r->string = p->rest[i - 1] + strlen(p->orig[i - 1]);
            if (*r->string == ' ') {
                r->string++; /* the blank after STRING */
            }
            r->stringlen = strlen(r->string);
            return 0;
        case O_MARGINS:
        case O_ZONE: {
            long a, b;
            if ((rc = column(p, i, 0, &a)) != 0 || (rc = column(p, i + 1, 1, &b)) != 0) {
                return rc;
            }
            if (b != -1 && b < a) {
                return bad_parm(p->orig[i + 1]);
            }
            i += 2;
            if (o->id == O_MARGINS) {
                r->mleft = a;
                r->mright = b;
            } else {
                r->zleft = a;
                r->zright = b;
            }
            break;
        }
        case O_LOCATE:
        case O_FIND:
        case O_AVOID:
            if (r->search != EIO_NOSEARCH) {
                cms_msg(M_EXECIO_CONFLICT, o->name);
                return EIO_SYNTAX;
            }
            r->search = o->id == O_LOCATE ? EIO_LOCATE : o->id == O_FIND ? EIO_FIND : EIO_AVOID;
            rc = target(p, i, r, &i);
            break;
        case O_CASE:
            if (i >= p->argc) {
                cms_msg(M_MISSING_OPERAND, "CASE");
                return EIO_SYNTAX;
            }
            if (cms_abbrev(p->argv[i], "UPPER", 1)) {
                r->upper = 1;
            } else if (cms_abbrev(p->argv[i], "MIXED", 1)) {
                r->upper = 0;
            } else {
                return bad_option(p->orig[i]);
            }
            i++;
            break;
        case O_BUFFER: {
            long v = i < p->argc ? cms_parse_num(p->argv[i]) : -1;
            if (v < 1 || (unsigned long)v > CP_BUFFER_MAX) {
                return i < p->argc ? bad_parm(p->orig[i]) : bad_option("BUFFER");
            }
            r->buffer = (size_t)v;
            i++;
            break;
        }
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* ---- operands ----------------------------------------------------------- */
static int
parse_fileid(struct cms_plist *p, int i, int nops, struct eio_req *r)
{
    if (nops < 2) {
        cms_msg(M_MISSING_OPERAND, "fn ft");
        return EIO_BADPARM;
    }
    const char *fm = nops > 2 ? p->argv[i + 2] : NULL;
    if (fm != NULL && r->op == EIO_DISKW && strcmp(fm, "*") == 0) {
        cms_msg(M_BAD_FILEMODE, fm);
        return EIO_BADPARM;
    }
    const char *dflt = r->op == EIO_DISKW ? "A" : "*";
    if (fs_fileid_make(&r->id, p->argv[i], p->argv[i + 1], fm, dflt) != 0 ||
        strpbrk(r->id.fn, "*%") || strpbrk(r->id.ft, "*%")) {
        if (fm != NULL && fs_fileid_make(&r->id, "X", "X", fm, "*") != 0) {
            cms_msg(M_BAD_FILEMODE, p->orig[i + 2]);
            return EIO_BADPARM;
        }
        cms_msg(M_BAD_FILEID, p->orig[i]);
        return EIO_BADPARM;
    }
    int max = r->op == EIO_DISKW ? 6 : 4;
    if (nops > max) {
        return bad_parm(p->orig[i + max]);
    }
    if (nops > 3) {
        long v = cms_parse_num(p->argv[i + 3]);
        if (v < 0 || v > 0x7fffffffL) {
            return bad_parm(p->orig[i + 3]);
        }
        r->linenum = (uint32_t)v;
    }
    if (nops > 4) {
        const char *f = p->argv[i + 4];
        if (strcmp(f, "F") != 0 && strcmp(f, "V") != 0) {
            cms_msg(M_BAD_RECFM, p->orig[i + 4]);
            return EIO_BADPARM;
        }
        r->recfm = f[0];
    }
    if (nops > 5) {
        long v = cms_parse_num(p->argv[i + 5]);
        if (v < 1 || v > 65535) {
            cms_msg(M_BAD_RECFM, p->orig[i + 5]);
            return EIO_BADPARM;
        }
        r->lrecl = (uint32_t)v;
    }
    return 0;
}

static int
parse(struct cms_plist *p, struct eio_req *r)
{
    int paren = cms_opt_index(p);
    if (paren < 3) {
        cms_msg(M_MISSING_OPERAND, paren < 2 ? "lines" : "DISKR, DISKRU, DISKW or CP");
        return EIO_BADPARM;
    }
    if (strcmp(p->argv[1], "*") == 0) {
        r->lines = -1;
    } else if ((r->lines = cms_parse_num(p->argv[1])) < 0) {
        return bad_parm(p->orig[1]);
    }
    const char *op = p->argv[2];
    if (strcmp(op, "DISKR") == 0) {
        r->op = EIO_DISKR;
    } else if (strcmp(op, "DISKRU") == 0) {
        r->op = EIO_DISKRU;
    } else if (strcmp(op, "DISKW") == 0) {
        r->op = EIO_DISKW;
    } else if (strcmp(op, "CP") == 0) {
        r->op = EIO_CP;
    } else {
        return bad_parm(p->orig[2]);
    }
    int rc = 0;
    if (r->op == EIO_CP) {
        if (paren > 3) {
            return bad_parm(p->orig[3]);
        }
    } else {
        rc = parse_fileid(p, 3, paren - 3, r);
    }
    if (rc == 0 && paren < p->argc) {
        rc = parse_options(p, paren + 1, r);
    }
    if (rc != 0) {
        return rc;
    }
    /* what the options need */
    if ((r->dest == EIO_VAR || r->dest == EIO_STRING) && r->lines != 1 && r->lines != 0 &&
        r->op != EIO_CP && r->search == EIO_NOSEARCH) {
        cms_msg(M_EXECIO_ONE_LINE, r->dest == EIO_VAR ? "VAR" : "STRING");
        return EIO_BADPARM;
    }
    if ((r->dest == EIO_STEM || r->dest == EIO_VAR) && cms_shv_level() == 0) {
        cms_msg(M_EXECIO_NO_EXEC, r->dest == EIO_STEM ? "STEM" : "VAR");
        return EIO_BADPARM;
    }
    return 0;
}

/* ---- lines: shape, deliver, source --------------------------------------- */
size_t
eio_shape(const struct eio_req *r, const char *s, size_t n, char *buf, size_t cap)
{
    size_t from = 0, to = n;
    if (r->mleft > 0) {
        from = (size_t)r->mleft - 1;
        if (r->mright > 0 && (size_t)r->mright < to) {
            to = (size_t)r->mright;
        }
        if (from > to) {
            from = to;
        }
    }
    size_t len = to - from;
    if (len > cap) {
        len = cap;
    }
    memmove(buf, s + from, len);
    if (r->upper) {
        for (size_t i = 0; i < len; i++) {
            if (buf[i] >= 'a' && buf[i] <= 'z') {
                buf[i] = (char)(buf[i] - 32);
            }
        }
    }
    if (r->strip) {
        while (len > 0 && buf[len - 1] == ' ') {
            len--;
        }
    }
    return len;
}

/* v (0 or more) in decimal at out; returns the length. */
static size_t
put_decimal(char *out, long v)
{
    char digits[24];
    size_t k = 0, n = 0;
    do {
        digits[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (k > 0) {
        out[n++] = digits[--k];
    }
    return n;
}

/* name + decimal index, for STEM. */
static size_t
stem_name(const struct eio_req *r, long index, char *out)
{
    memcpy(out, r->name, r->namelen);
    return r->namelen + put_decimal(out + r->namelen, index);
}

static int
shv_rc(int rc)
{
    if (rc == CMS_SHV_OK || rc == CMS_SHV_NEWV) {
        return EIO_OK;
    }
    cms_msg(M_NO_STORAGE);
    return EIO_NOSTORE;
}

int
eio_deliver(const struct eio_req *r, long index, const char *s, size_t n)
{
    char name[sizeof r->name + 24];
    switch (r->dest) {
    case EIO_STEM:
        return shv_rc(cms_shv_set(name, stem_name(r, index, name), s, n));
    case EIO_VAR:
        return shv_rc(cms_shv_set(r->name, r->namelen, s, n));
    case EIO_SKIP:
    case EIO_STRING:
        return EIO_OK;
    case EIO_STACK:
        break;
    }
    if (cms_stack_add(s, n, r->lifo) != 0) {
        cms_msg(M_NO_STORAGE);
        return EIO_NOSTORE;
    }
    return n > CMS_LINE_MAX ? EIO_TRUNC : EIO_OK;
}

int
eio_set_count(const struct eio_req *r, long count, int quiet)
{
    if (r->dest != EIO_STEM) {
        return EIO_OK;
    }
    char name[sizeof r->name + 24], num[24];
    size_t n = stem_name(r, 0, name);
    size_t k = put_decimal(num, count);
    int rc = cms_shv_set(name, n, num, k);
    return quiet ? (rc < 0 ? EIO_NOSTORE : EIO_OK) : shv_rc(rc);
}

int
eio_source(const struct eio_req *r, long index, const char **s, size_t *n)
{
    static char line[CMS_LINE_MAX + 1];
    if (r->lines >= 0 && index > r->lines) {
        return 0;
    }
    char name[sizeof r->name + 24];
    int rc;
    switch (r->dest) {
    case EIO_STRING:
        *s = r->string;
        *n = r->stringlen;
        return index == 1;
    case EIO_VAR:
        rc = cms_shv_fetch(r->name, r->namelen, s, n);
        if (rc < 0) {
            return -shv_rc(rc);
        }
        return index == 1;
    case EIO_STEM:
        rc = cms_shv_fetch(name, stem_name(r, index, name), s, n);
        if (rc < 0) {
            return -shv_rc(rc);
        }
        /* with *, the first unset or null variable ends the list */
        return !(r->lines < 0 && (rc == CMS_SHV_NEWV || *n == 0));
    case EIO_SKIP:
        return 0;
    case EIO_STACK:
        break;
    }
    /* the stack first, then the terminal; with * a null line ends it */
    int k = cms_stack_take(line, sizeof line);
    if (k < 0) {
        con_flush();
        k = (int)con_read(line, sizeof line);
    }
    *s = line;
    *n = (size_t)k;
    return !(r->lines < 0 && k == 0);
}

/* ---- CP ------------------------------------------------------------------ */
static int
execio_cp(const struct eio_req *r)
{
    const char *cmd = r->string;
    size_t len = r->stringlen;
    static char line[CMS_LINE_MAX + 1];
    if (!r->has_string) {
        /* no STRING: the command is the next line of the stack or terminal */
        int k = cms_stack_take(line, sizeof line);
        if (k < 0) {
            con_flush();
            k = (int)con_read(line, sizeof line);
        }
        cmd = line;
        len = (size_t)k;
    }
    if (len == 0) {
        cms_msg(M_MISSING_OPERAND, "CP command");
        return EIO_BADPARM;
    }
    size_t cap = r->buffer ? r->buffer : CP_BUFFER_DEFAULT;
    char *resp = malloc(cap);
    if (resp == NULL) {
        cms_msg(M_NO_STORAGE);
        return EIO_NOSTORE;
    }
    size_t rlen = 0;
    long cprc = 0;
    long drc = cms_cp_command(cmd, len, resp, cap, &rlen, &cprc);
    if (drc != DIAG_OK) {
        free(resp);
        cms_msg(M_CP_FAILED, drc == DIAG_ENOTSUP ? "no CP in this virtual machine"
                                                 : "DIAG 0x008 failed");
        return CMS_RC_UNKNOWN_COMMAND;
    }
    int rc = rlen > cap ? EIO_TRUNC : EIO_OK;
    if (rlen > cap) {
        rlen = cap;
    }
    /* the response line by line; a last line end ends no empty line */
    long count = 0, max = r->dest == EIO_VAR ? 1 : r->lines;
    size_t start = 0;
    for (size_t i = 0; i <= rlen && (max < 0 || count < max); i++) {
        if (i < rlen && resp[i] != '\n') {
            continue;
        }
        if (i == rlen && i == start) {
            break;
        }
        size_t n = i - start;
        n = eio_shape(r, resp + start, n, resp + start, n);
        count++;
        int drc2 = eio_deliver(r, count, resp + start, n);
        if (drc2 == EIO_NOSTORE) {
            rc = drc2;
            break;
        }
        if (drc2 != EIO_OK) {
            rc = drc2;
        }
        start = i + 1;
    }
    free(resp);
    int src = eio_set_count(r, count, rc == EIO_NOSTORE);
    if (src != EIO_OK) {
        rc = src;
    }
    return cprc != 0 && rc != EIO_NOSTORE ? (int)cprc : rc;
}

int
cmd_execio(struct cms_plist *p)
{
    struct eio_req r;
    memset(&r, 0, sizeof r);
    r.lines = 0;
    int rc = parse(p, &r);
    if (rc == 0) {
        switch (r.op) {
        case EIO_DISKR:
        case EIO_DISKRU:
            rc = eio_diskr(&r);
            break;
        case EIO_DISKW:
            rc = eio_diskw(&r);
            break;
        case EIO_CP:
            rc = execio_cp(&r);
            break;
        }
    }
    /* typed at Ready (no EXEC): files close when the command ends, as CMS
     * closes them on its way back to Ready */
    if (cms_shv_level() == 0) {
        execio_close_level(0);
    }
    return rc;
}
