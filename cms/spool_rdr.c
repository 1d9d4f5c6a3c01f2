// SPDX-License-Identifier: MIT
/*
 * cms/spool_rdr.c - the CMS commands on the virtual reader:
 *
 *   RECEIVE [spoolid|*] [fn [ft [fm]]] [(REPLACE]
 *        a reader file into a CMS file (spool_recv.c): the name, type,
 *        RECFM and LRECL of the header record, else the spool file's name
 *        and type as RECFM V; an existing file needs REPLACE (VMC015E, 28)
 *   READCARD fn ft [fm] | READCARD *
 *        the first reader file into fn ft (replacing it), or under its own
 *        name with "*"
 *   PEEK [spoolid] [(FOR n]
 *        the first n records (20) of a reader file, which stays
 *   RDRLIST
 *        a numbered list of the reader, then subcommands on a line number
 *        until QUIT or an empty line: n RECEIVE [fn ft fm] [(REPLACE],
 *        n PEEK, n DISCARD (CP PURGE), n TRANSFER userid (CP TRANSFER),
 *        LIST (again)
 * The list comes from CP's QUERY READER (the spoolids) and DIAG 0x014
 * DESCRIBE (each file's attributes).
 */
#include <stdlib.h>
#include <string.h>

#include "cms/spool.h"

#define PEEK_DEFAULT 20
#define RDRLIST_MAX 5000

/* ---- RECEIVE and READCARD ------------------------------------------------------- */

/* Parses [fn [ft [fm]]] [(REPLACE] from argv[i] on into r. */
static int
target_args(struct cms_plist *p, int i, struct sp_recv *r)
{
    int end = cms_opt_index(p);
    for (int k = end + 1; k < p->argc; k++) {
        if (cms_abbrev(p->argv[k], "REPLACE", 3)) {
            r->replace = 1;
        } else {
            cms_msg(M_INVALID_OPTION, p->orig[k]);
            return 24;
        }
    }
    int n = end - i;
    if (n == 1 || n > 3) {
        cms_msg(n == 1 ? M_MISSING_OPERAND : M_INVALID_PARM, n == 1 ? "ft" : p->orig[i + 3]);
        return 24;
    }
    if (n >= 2) {
        r->fn = p->argv[i];
        r->ft = p->argv[i + 1];
        r->fm = n == 3 ? p->argv[i + 2] : NULL;
    }
    return 0;
}

int
cmd_receive(struct cms_plist *p)
{
    struct sp_recv r = {0};
    int i = 1, end = cms_opt_index(p);
    if (i < end && strcmp(p->argv[i], "*") == 0) {
        i++;
    } else if (i < end && p->argv[i][0] >= '0' && p->argv[i][0] <= '9') {
        if ((r.spoolid = sp_parse_id(p->argv[i])) == 0) {
            cms_msg(M_INVALID_PARM, p->orig[i]);
            return 24;
        }
        i++;
    }
    int rc = target_args(p, i, &r);
    return rc ? rc : sp_receive(&r);
}

int
cmd_readcard(struct cms_plist *p)
{
    struct sp_recv r = {.replace = 1};
    int end = cms_opt_index(p);
    if (end == 2 && strcmp(p->argv[1], "*") == 0) {
        if (end != p->argc) {
            cms_msg(M_INVALID_OPTION, p->orig[end]);
            return 24;
        }
        return sp_receive(&r);
    }
    if (end < 3) {
        cms_msg(M_MISSING_OPERAND, "fn ft [fm], or *");
        return 24;
    }
    int rc = target_args(p, 1, &r);
    return rc ? rc : sp_receive(&r);
}

/* ---- PEEK --------------------------------------------------------------------- */

static void
show_record(const unsigned char *rec, size_t len)
{
    char line[CMS_LINE_MAX + 1];
    size_t n = len < CMS_LINE_MAX ? len : CMS_LINE_MAX;
    while (n > 0 && rec[n - 1] == ' ') {
        n--; /* as TYPE: trailing blanks of F records are not shown */
    }
    for (size_t i = 0; i < n; i++) {
        line[i] = rec[i] >= ' ' && rec[i] <= '~' ? (char)rec[i] : '.';
    }
    con_line(line, n);
}

static int
peek(uint32_t spoolid, unsigned long max)
{
    struct diag_spool_desc d;
    long err = spoolid ? sp_rdr_select(spoolid) : DIAG_OK;
    char id[16];
    snprintf(id, sizeof id, "%lu", (unsigned long)spoolid);
    if (err == DIAG_OK) {
        err = sp_rdr_describe(spoolid, &d);
    }
    if (err == DIAG_OK && spoolid == 0) {
        err = sp_rdr_select(d.spoolid);
    }
    if (err == DIAG_ENOTFOUND) {
        cms_msg(spoolid ? M_SP_NO_FILE : M_SP_RDR_EMPTY, id);
        return CMS_RC_NOT_FOUND;
    }
    if (err == DIAG_EDENIED) {
        cms_msg(M_SP_HELD, (unsigned long)spoolid);
        return CMS_RC_NOT_FOUND;
    }
    if (err != DIAG_OK) {
        return sp_diag_report(err, "reader");
    }
    char origin[9], fn[9], ft[9];
    sp_unpad(origin, d.origin, 8);
    sp_unpad(fn, d.fname, 8);
    sp_unpad(ft, d.ftype, 8);
    printf("FILE %04lu FROM %s %.3s CLASS %c RECS %lu NAME %s %s\n", (unsigned long)d.spoolid,
           origin, d.devtype, d.spclass ? d.spclass : ' ', (unsigned long)d.records,
           fn[0] ? fn : "(NONAME)", ft);
    unsigned long shown = 0;
    size_t len;
    int rc = 0;
    while (shown < max && (err = sp_rdr_next(sp_rec, sizeof sp_rec, &len, NULL)) == DIAG_OK) {
        struct sp_header h;
        if (shown == 0 && sp_header_parse(sp_rec, len, &h) == 0) {
            printf("(header: %s %s %s RECFM %c LRECL %lu RECS %lu%s)\n", h.fn, h.ft, h.fm,
                   h.recfm, (unsigned long)h.lrecl, (unsigned long)h.records,
                   h.note ? " NOTE" : "");
            max++;
        } else {
            show_record(sp_rec, len > SP_REC_MAX ? SP_REC_MAX : len);
        }
        shown++;
        if (cms_attn_poll()) {
            rc = -1;
            break;
        }
    }
    if (err != DIAG_OK && err != DIAG_EOF) {
        rc = sp_diag_report(err, "reader");
    } else if (rc == 0 && shown < d.records) {
        printf("(%lu more records)\n", (unsigned long)(d.records - shown));
    }
    sp_rdr_close(0);
    return rc;
}

/* [(FOR n] at argv[i..] */
static int
peek_args(struct cms_plist *p, int i, uint32_t spoolid)
{
    unsigned long max = PEEK_DEFAULT;
    int end = cms_opt_index(p);
    if (i < end) {
        cms_msg(M_INVALID_PARM, p->orig[i]);
        return 24;
    }
    for (int k = end + 1; k < p->argc; k++) {
        long v;
        if (strcmp(p->argv[k], "FOR") == 0 && k + 1 < p->argc &&
            (v = cms_parse_num(p->argv[k + 1])) > 0) {
            max = (unsigned long)v;
            k++;
        } else {
            cms_msg(M_INVALID_OPTION, p->orig[k]);
            return 24;
        }
    }
    return peek(spoolid, max);
}

int
cmd_peek(struct cms_plist *p)
{
    uint32_t id = 0;
    int i = 1;
    if (i < cms_opt_index(p) && strcmp(p->argv[i], "*") != 0) {
        if ((id = sp_parse_id(p->argv[i])) == 0) {
            cms_msg(M_INVALID_PARM, p->orig[i]);
            return 24;
        }
        i++;
    } else if (i < cms_opt_index(p)) {
        i++;
    }
    return peek_args(p, i, id);
}

/* ---- RDRLIST ------------------------------------------------------------------ */

struct rdrlist {
    struct diag_spool_desc *d;
    size_t n;
};

/* Fills the list from CP's QUERY READER; 0 or a CMS rc. */
static int
rdr_load(struct rdrlist *l)
{
    l->n = 0;
    /* the response may be long (80 bytes a file): ask again with room */
    size_t cap = sizeof sp_cp_resp, full = 0;
    char *buf = sp_cp_resp;
    int rc = sp_cp_into(buf, cap, &full, "QUERY READER");
    if (rc >= 0 && full >= cap) {
        cap = full + 4096;
        if ((buf = malloc(cap)) == NULL) {
            cms_msg(M_NO_STORAGE);
            return 104;
        }
        rc = sp_cp_into(buf, cap, &full, "QUERY READER");
    }
    if (rc < 0) {
        if (buf != sp_cp_resp) {
            free(buf);
        }
        return 100;
    }
    const char *s = buf;
    while (*s != '\0' && l->n < RDRLIST_MAX) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        char tok[16];
        const char *t = s;
        while (t < s + len && *t != ' ') {
            t++; /* the origin */
        }
        while (t < s + len && *t == ' ') {
            t++;
        }
        size_t k = 0;
        while (t < s + len && *t != ' ' && k < sizeof tok - 1) {
            tok[k++] = *t++;
        }
        tok[k] = '\0';
        uint32_t id = sp_parse_id(tok);
        if (id != 0 && sp_rdr_describe(id, &l->d[l->n]) == DIAG_OK) {
            l->n++;
        }
        s += len + (e ? 1 : 0);
    }
    if (buf != sp_cp_resp) {
        free(buf);
    }
    return 0;
}

static void
rdr_show(const struct rdrlist *l)
{
    if (l->n == 0) {
        cms_msg(M_SP_RDR_EMPTY);
        return;
    }
    printf("  #  FILE   ORIGIN   FILENAME FILETYPE CL DEV RECORDS  HOLD\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct diag_spool_desc *d = &l->d[i];
        char origin[9], fn[9], ft[9];
        sp_unpad(origin, d->origin, 8);
        sp_unpad(fn, d->fname, 8);
        sp_unpad(ft, d->ftype, 8);
        printf("%3lu  %04lu   %-8s %-8s %-8s %c  %.3s %08lu %s\n", (unsigned long)(i + 1),
               (unsigned long)d->spoolid, origin, fn, ft, d->spclass, d->devtype,
               (unsigned long)d->records, d->hold == 'S' ? "SYS" : d->hold == 'U' ? "USER" : "");
    }
}

/* One subcommand line; returns 1 to end RDRLIST. */
static int
rdr_sub(struct rdrlist *l, const char *line, int *lastrc)
{
    static struct cms_plist sp;
    if (cms_parse(line, &sp) != 0) {
        cms_msg(M_TOO_MANY_TOKENS);
        *lastrc = 24;
        return 0;
    }
    if (sp.argc == 0 || cms_abbrev(sp.argv[0], "QUIT", 1)) {
        return 1;
    }
    if (cms_abbrev(sp.argv[0], "LIST", 1)) {
        *lastrc = rdr_load(l);
        rdr_show(l);
        return 0;
    }
    long n = cms_parse_num(sp.argv[0]);
    if (n < 1 || (size_t)n > l->n) {
        cms_msg(M_SP_BAD_LINE, sp.orig[0]);
        *lastrc = 24;
        return 0;
    }
    uint32_t id = l->d[n - 1].spoolid;
    const char *w = sp.argc > 1 ? sp.argv[1] : "";
    if (cms_abbrev(w, "RECEIVE", 3)) {
        struct sp_recv r = {.spoolid = id};
        *lastrc = target_args(&sp, 2, &r);
        if (*lastrc == 0) {
            *lastrc = sp_receive(&r);
        }
    } else if (cms_abbrev(w, "PEEK", 2)) {
        *lastrc = peek_args(&sp, 2, id);
    } else if (cms_abbrev(w, "DISCARD", 4) || cms_abbrev(w, "PURGE", 3)) {
        int rc = sp_cp("PURGE RDR %lu", (unsigned long)id);
        if (rc == 0) {
            cms_msg(M_SP_DISCARDED, (unsigned long)id);
        } else if (rc > 0) {
            sp_cp_show();
        }
        *lastrc = rc < 0 ? 100 : rc;
    } else if (cms_abbrev(w, "TRANSFER", 4) && sp.argc == 3) {
        int rc = sp_cp("TRANSFER RDR %lu TO %s", (unsigned long)id, sp.argv[2]);
        if (rc == 0) {
            cms_msg(M_SP_TRANSFERRED, (unsigned long)id, sp.argv[2]);
        } else if (rc > 0) {
            sp_cp_show();
        }
        *lastrc = rc < 0 ? 100 : rc;
    } else {
        cms_msg(M_INVALID_PARM, sp.argc > 1 ? sp.orig[1] : "(none)");
        *lastrc = 24;
    }
    return 0;
}

int
cmd_rdrlist(struct cms_plist *p)
{
    if (p->argc > 1) {
        cms_msg(M_INVALID_PARM, p->orig[1]);
        return 24;
    }
    struct rdrlist l = {.d = malloc(RDRLIST_MAX * sizeof *l.d)};
    if (l.d == NULL) {
        cms_msg(M_NO_STORAGE);
        return 104;
    }
    int rc = rdr_load(&l);
    if (rc != 0) {
        free(l.d);
        return rc;
    }
    rdr_show(&l);
    if (l.n == 0) {
        free(l.d);
        return CMS_RC_NOT_FOUND;
    }
    cms_msg(M_SP_RDRLIST_PROMPT);
    char line[CMS_LINE_MAX + 1];
    int last = 0;
    for (;;) {
        if (cms_stack_take(line, sizeof line) < 0) {
            con_read(line, sizeof line);
        }
        if (rdr_sub(&l, line, &last)) {
            break;
        }
    }
    free(l.d);
    return last;
}
