// SPDX-License-Identifier: MIT
/*
 * cms/filelist.c - FILELIST [fn [ft [fm]]] in line mode: a numbered list
 * of the files that match (default * * A), with their format, LRECL,
 * records, blocks, date and time, then lines that act on them until QUIT
 * or an empty line:
 *
 *   n command [operands]   runs "command operands fn ft fm" for the file
 *                          of line n; where the command has a "/", the
 *                          "/" stands for "fn ft fm" instead ("/n", "/t",
 *                          "/m" for the name, type or mode alone, "/o" for
 *                          nothing), as IBM's FILELIST does
 *   LIST                   list the files again (numbers may change)
 *   any other line         a CMS command, run as typed
 *
 * Commands go through the normal command path (cms_command): EXECs,
 * MODULEs, nucleus commands, implied CP, so "2 XEDIT" edits the file and
 * "3 ERASE" erases it.  Modelled on RDRLIST (cms/spool_rdr.c), which does
 * the same for reader files.  The list is a snapshot: after ERASE or
 * RENAME its line stays until LIST.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/fsys.h"

#define FL_MAX_NEST 4 /* FILELIST in a command of FILELIST... */

struct filelist {
    struct fs_fileid pat; /* what to list */
    struct fs_stat *f;
    size_t n, cap;
};

static int fl_depth;

static int
fl_collect(const struct fs_stat *st, void *arg)
{
    struct filelist *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        struct fs_stat *f = realloc(l->f, cap * sizeof *f);
        if (f == NULL) {
            return 1; /* out of storage: fs_list stops and returns 1 */
        }
        l->f = f;
        l->cap = cap;
    }
    l->f[l->n++] = *st;
    return 0;
}

/* Fills the list; 0 or a CMS return code after a message. */
static int
fl_load(struct filelist *l)
{
    l->n = 0;
    int rc = fs_list(l->pat.fn, l->pat.ft, l->pat.fm, fl_collect, l);
    if (rc == 1) {
        cms_msg(M_NO_STORAGE);
        return 104;
    }
    if (rc != 0) {
        return fs_report(rc, &l->pat);
    }
    if (l->n == 0) {
        cms_msg(M_FILE_NOT_FOUND, l->pat.fn, l->pat.ft, l->pat.fm);
        return 28;
    }
    return 0;
}

static void
fl_show(const struct filelist *l)
{
    struct diag_timer t;
    cms_timer(&t);
    printf("  #  FILENAME FILETYPE FM FORMAT LRECL   RECORDS BLOCKS DATE       TIME\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct fs_stat *st = &l->f[i];
        int64_t secs = (int64_t)(st->mtime_us / 1000000) + t.utc_offset_s;
        int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
        int64_t tod = secs - days * 86400;
        int y, m, d;
        cms_civil(days, &y, &m, &d);
        printf("%3lu  %-8s %-8s %-2s %-6c %5lu %9lu %6lu %04d-%02d-%02d %02d:%02d:%02d\n",
               (unsigned long)(i + 1), st->id.fn, st->id.ft, st->id.fm, st->recfm,
               (unsigned long)st->lrecl, (unsigned long)st->records, (unsigned long)st->blocks,
               y, m, d, (int)(tod / 3600), (int)(tod / 60 % 60), (int)(tod % 60));
        if (cms_attn_poll()) {
            break;
        }
    }
}

static int
fl_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Appends s to out (at *o, capacity cap); -1 if it does not fit. */
static int
fl_put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    if (*o + n >= cap) {
        return -1;
    }
    memcpy(out + *o, s, n);
    *o += n;
    out[*o] = '\0';
    return 0;
}

/* The command line for a file: "/" symbols replaced, or the fileid added
 * at the end when there is none.  Returns 0 or -1 (too long). */
static int
fl_expand(const char *cmd, const struct fs_fileid *id, char *out, size_t cap)
{
    char full[32];
    size_t o = 0;
    int slash = 0, rc = 0;
    snprintf(full, sizeof full, "%s %s %s", id->fn, id->ft, id->fm);
    out[0] = '\0';
    for (const char *s = cmd; *s != '\0' && rc == 0; s++) {
        if (*s != '/') {
            rc = fl_put(out, cap, &o, s, 1);
            continue;
        }
        slash = 1;
        char k = (char)(s[1] >= 'a' && s[1] <= 'z' ? s[1] - 32 : s[1]);
        const char *v = full;
        if (strchr("NTMO", k) != NULL && k != '\0' && !fl_alnum(s[2])) {
            v = k == 'N' ? id->fn : k == 'T' ? id->ft : k == 'M' ? id->fm : "";
            s++;
        }
        rc = fl_put(out, cap, &o, v, strlen(v));
    }
    if (rc == 0 && !slash) {
        rc = fl_put(out, cap, &o, " ", 1);
        if (rc == 0) {
            rc = fl_put(out, cap, &o, full, strlen(full));
        }
    }
    return rc;
}

/* Runs a command line; a failure's return code is shown, as the list
 * stays on the screen of IBM's FILELIST with its rc. */
static int
fl_run(const char *line)
{
    char word[CMS_LINE_MAX + 1];
    size_t w = 0;
    while (*line == ' ') {
        line++;
    }
    while (line[w] != '\0' && line[w] != ' ' && line[w] != '(') {
        word[w] = line[w];
        w++;
    }
    word[w] = '\0';
    cms_upper(word);
    int rc = cms_command(line, 0);
    if (rc != 0) {
        cms_msg(M_XEDIT_CMD_RC, word, rc);
    }
    return rc;
}

/* One line typed to FILELIST; returns 1 to end it. */
static int
fl_line(struct filelist *l, const char *line, int *lastrc)
{
    const char *s = line;
    while (*s == ' ') {
        s++;
    }
    if (*s == '\0') {
        return 1;
    }
    if (*s < '0' || *s > '9') {
        struct cms_plist p;
        int one = cms_parse(s, &p) == 0 && p.argc == 1; /* QUIT and LIST stand alone */
        if (one && cms_abbrev(p.argv[0], "QUIT", 1)) {
            return 1;
        }
        if (one && cms_abbrev(p.argv[0], "LIST", 1)) {
            *lastrc = fl_load(l);
            if (*lastrc == 0) {
                fl_show(l);
            }
            return 0;
        }
        *lastrc = fl_run(s);
        return 0;
    }
    const char *num = s;
    unsigned long n = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        n = n > 100000000 ? n : n * 10 + (unsigned long)(*s - '0');
    }
    char tok[16]; /* the first word, for the message */
    size_t t = 0;
    while (num[t] != '\0' && num[t] != ' ' && t < sizeof tok - 1) {
        tok[t] = num[t];
        t++;
    }
    tok[t] = '\0';
    if ((*s != ' ' && *s != '\0') || n < 1 || n > l->n) {
        cms_msg(M_FL_BAD_LINE, tok);
        *lastrc = 24;
        return 0;
    }
    while (*s == ' ') {
        s++;
    }
    if (*s == '\0') {
        char what[40];
        snprintf(what, sizeof what, "command for line %lu", n);
        cms_msg(M_MISSING_OPERAND, what);
        *lastrc = 24;
        return 0;
    }
    char cmd[CMS_LINE_MAX + 1];
    if (fl_expand(s, &l->f[n - 1].id, cmd, sizeof cmd) != 0) {
        cms_msg(M_INVALID_PARM, s);
        *lastrc = 24;
        return 0;
    }
    *lastrc = fl_run(cmd);
    return 0;
}

int
cmd_filelist(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    struct filelist l = {0};
    if (nopt < p->argc) {
        cms_msg(M_INVALID_OPTION, p->orig[nopt + 1 < p->argc ? nopt + 1 : nopt]);
        return 24;
    }
    if (nopt > 4) {
        cms_msg(M_INVALID_PARM, p->orig[4]);
        return 24;
    }
    const char *fm = nopt > 3 ? p->argv[3] : NULL;
    if (fs_fileid_make(&l.pat, nopt > 1 ? p->argv[1] : "*", nopt > 2 ? p->argv[2] : "*", fm,
                       "A") != 0) {
        if (fm != NULL && (strlen(fm) > 2 || fm[0] < 'A' || (fm[0] > 'Z' && fm[0] != '*'))) {
            cms_msg(M_BAD_FILEMODE, p->orig[3]);
        } else {
            cms_msg(M_BAD_FILEID, nopt > 1 ? p->orig[1] : "*");
        }
        return 20;
    }
    if (fl_depth >= FL_MAX_NEST) {
        cms_msg(M_XEDIT_NEST, "FILELIST", FL_MAX_NEST);
        return 104;
    }
    int rc = fl_load(&l);
    if (rc != 0) {
        free(l.f);
        return rc;
    }
    fl_depth++;
    fl_show(&l);
    cms_msg(M_FL_PROMPT);
    char line[CMS_LINE_MAX + 1];
    int last = 0;
    for (;;) {
        if (cms_stack_take(line, sizeof line) < 0) {
            con_read(line, sizeof line);
        }
        if (fl_line(&l, line, &last)) {
            break;
        }
    }
    fl_depth--;
    free(l.f);
    return last;
}
