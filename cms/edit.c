// SPDX-License-Identifier: MIT
/*
 * cms/edit.c - EDIT, the line-mode editor of CMS.
 *
 * The file is read whole into nucleus free storage as an array of lines
 * (trailing blanks of F records dropped; FILE pads them again).  A current
 * line pointer moves over it: 0 is TOF (the null line before the first),
 * 1..n the lines, n+1 EOF.  After every move the current line is typed
 * (VERIFY ON).  Subcommands, with their shortest forms:
 *
 *   Input [text]      insert text after the current line; without text,
 *                     input mode: every line is inserted until a null line
 *   Replace [text]    replace the current line (without text: delete it
 *                     and enter input mode)
 *   TOP  Bottom  Next [n]  Up [n]
 *   Locate /str/      search down from the next line (also "/str/" alone)
 *   Change /old/new/ [n|*] [G|*]   in n lines from the current one; G
 *                     changes every occurrence, not only the first
 *   DElete [n|*]  Type [n|*]
 *   FILE [fn [ft [fm]]]  SAVE [fn [ft [fm]]]  QUIT  QQuit
 *
 * QUIT with unsaved changes warns once; a second QUIT (or QQUIT) drops
 * them.  A FILE that fails (read-only disk, disk full) keeps the editor
 * running, so nothing typed is lost.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/fsys.h"

struct edbuf {
    char **lines;
    size_t n, cap;
    size_t cur; /* 0 TOF, 1..n, n+1 EOF */
    int changed;
    int quit_warned;
    char recfm;
    uint32_t lrecl;
    struct fs_fileid id;
};

static void
ed_free(struct edbuf *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->lines[i]);
    }
    free(b->lines);
    b->lines = NULL;
    b->n = b->cap = 0;
}

/* Inserts a copy of text after line `after` (0 = at the top, at most n). */
static int
ed_insert(struct edbuf *b, size_t after, const char *text, size_t len)
{
    if (after > b->n) {
        after = b->n;
    }
    if (b->recfm == 'F' && len > b->lrecl) {
        cms_msg(M_EDIT_TRUNCATED, (unsigned long)b->lrecl);
        len = b->lrecl;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        char **l = realloc(b->lines, cap * sizeof *l);
        if (l == NULL) {
            return -1;
        }
        b->lines = l;
        b->cap = cap;
    }
    char *s = malloc(len + 1);
    if (s == NULL) {
        return -1;
    }
    memcpy(s, text, len);
    s[len] = '\0';
    memmove(&b->lines[after + 1], &b->lines[after], (b->n - after) * sizeof *b->lines);
    b->lines[after] = s;
    b->n++;
    b->changed = 1;
    return 0;
}

static void
ed_delete(struct edbuf *b, size_t idx)
{
    free(b->lines[idx - 1]);
    memmove(&b->lines[idx - 1], &b->lines[idx], (b->n - idx) * sizeof *b->lines);
    b->n--;
    b->changed = 1;
}

static void
ed_show(struct edbuf *b)
{
    if (b->cur == 0) {
        cms_msg(M_EDIT_TOF);
    } else if (b->cur > b->n) {
        cms_msg(M_EDIT_EOF);
    } else {
        const char *s = b->lines[b->cur - 1];
        con_line(s, strlen(s));
    }
}

static int
ed_load(struct edbuf *b)
{
    struct fs_file *f;
    struct fs_stat st;
    int rc = fs_open(&b->id, CMS_O_READ, 0, 0, &f);
    if (rc == CMS_ENOTFOUND) {
        if (strcmp(b->id.fm, "*") == 0) {
            strcpy(b->id.fm, "A1");
        }
        cms_msg(M_EDIT_NEWFILE);
        return 0;
    }
    if (rc != 0) {
        return fs_report(rc, &b->id);
    }
    fs_fstat(f, &st);
    b->id = st.id;
    b->recfm = st.recfm;
    b->lrecl = st.lrecl;
    static char rec[65536];
    size_t len;
    while ((rc = fs_read(f, rec, sizeof rec - 1, &len)) == 0) {
        if (len > sizeof rec - 1) {
            len = sizeof rec - 1;
        }
        if (b->recfm == 'F') {
            while (len > 0 && rec[len - 1] == ' ') {
                len--;
            }
        }
        uint32_t keep = b->lrecl;
        b->lrecl = 65535; /* no truncation while loading */
        int irc = ed_insert(b, b->n, rec, len);
        b->lrecl = keep;
        if (irc != 0) {
            fs_abort(f);
            cms_msg(M_EDIT_NO_STORAGE);
            return 104;
        }
    }
    fs_abort(f);
    if (rc != CMS_EEOF) {
        return fs_report(rc, &b->id);
    }
    b->changed = 0;
    return 0;
}

static int
ed_save(struct edbuf *b, const struct fs_fileid *to)
{
    struct fs_file *f;
    int rc = fs_open(to, CMS_O_WRITE, b->recfm, b->recfm == 'F' ? b->lrecl : 0, &f);
    if (rc != 0) {
        return fs_report(rc, to);
    }
    for (size_t i = 0; i < b->n && rc == 0; i++) {
        rc = fs_write(f, b->lines[i], strlen(b->lines[i]));
    }
    if (rc != 0) {
        fs_abort(f);
        return fs_report(rc, to);
    }
    rc = fs_close(f);
    if (rc != 0) {
        return fs_report(rc, to);
    }
    return 0;
}

/* Reads the next input line: the program stack first, then the terminal. */
static size_t
ed_read(char *line, size_t cap)
{
    int n = cms_stack_take(line, cap);
    if (n >= 0) {
        return (size_t)n;
    }
    return con_read(line, cap);
}

static void
ed_input_mode(struct edbuf *b)
{
    char line[CMS_LINE_MAX + 1];
    cms_msg(M_EDIT_INPUT_MODE);
    if (b->cur > b->n) {
        b->cur = b->n;
    }
    for (;;) {
        size_t n = ed_read(line, sizeof line);
        if (n == 0) {
            break;
        }
        if (ed_insert(b, b->cur, line, n) != 0) {
            cms_msg(M_EDIT_NO_STORAGE);
            break;
        }
        b->cur++;
    }
    cms_msg(M_EDIT_EDIT_MODE);
}

/* A count operand: empty = dflt, "*" = all (SIZE_MAX), else n >= 1. */
static int
ed_count(const char *s, size_t dflt, size_t *out)
{
    while (*s == ' ') {
        s++;
    }
    if (*s == '\0') {
        *out = dflt;
        return 0;
    }
    if (s[0] == '*' && (s[1] == '\0' || s[1] == ' ')) {
        *out = SIZE_MAX;
        return 0;
    }
    size_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (size_t)(*s - '0');
        if (v > 100000000) {
            return -1;
        }
    }
    while (*s == ' ') {
        s++;
    }
    if (*s != '\0' || v == 0) {
        return -1;
    }
    *out = v;
    return 0;
}

/* Parses "/str/" (any delimiter) at s; returns a pointer after it. */
static const char *
ed_delimited(const char *s, char *out, size_t cap, int *closed)
{
    char d = *s++;
    size_t n = 0;
    while (*s && *s != d) {
        if (n < cap - 1) {
            out[n++] = *s;
        }
        s++;
    }
    out[n] = '\0';
    *closed = (*s == d);
    return *s == d ? s + 1 : s;
}

static void
ed_locate(struct edbuf *b, const char *args)
{
    char str[CMS_LINE_MAX + 1];
    int closed;
    while (*args == ' ') {
        args++;
    }
    if (*args == '\0') {
        cms_msg(M_EDIT_BAD_OPERAND, "(none)");
        return;
    }
    ed_delimited(args, str, sizeof str, &closed);
    for (size_t i = b->cur + 1; i <= b->n; i++) {
        if (strstr(b->lines[i - 1], str) != NULL) {
            b->cur = i;
            ed_show(b);
            return;
        }
    }
    cms_msg(M_EDIT_NOT_FOUND, str);
    b->cur = b->n + 1;
    ed_show(b);
}

/* Changes old to new in one line; all occurrences or the first.  Returns
 * the number of changes, -1 if out of storage. */
static long
ed_change_line(struct edbuf *b, size_t idx, const char *old, const char *new, int all)
{
    const char *s = b->lines[idx - 1];
    size_t ol = strlen(old), nl = strlen(new), sl = strlen(s);
    long count = 0;
    char *out = malloc(sl + 1 + (nl + 1) * (ol ? sl / ol + 1 : 1));
    if (out == NULL) {
        return -1;
    }
    size_t o = 0, i = 0;
    while (i <= sl) {
        if ((all || count == 0) && strncmp(s + i, old, ol) == 0 && (ol > 0 || count == 0)) {
            memcpy(out + o, new, nl);
            o += nl;
            count++;
            if (ol == 0) {
                /* an empty old string inserts once at the start */
                memcpy(out + o, s, sl);
                o += sl;
                break;
            }
            i += ol;
            continue;
        }
        if (i == sl) {
            break;
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    if (count == 0) {
        free(out);
        return 0;
    }
    if (b->recfm == 'F' && o > b->lrecl) {
        cms_msg(M_EDIT_TRUNCATED, (unsigned long)b->lrecl);
        out[b->lrecl] = '\0';
    }
    free(b->lines[idx - 1]);
    b->lines[idx - 1] = out;
    b->changed = 1;
    return count;
}

static void
ed_change(struct edbuf *b, const char *args)
{
    char old[CMS_LINE_MAX + 1], new[CMS_LINE_MAX + 1];
    int closed;
    while (*args == ' ') {
        args++;
    }
    if (*args == '\0') {
        cms_msg(M_EDIT_BAD_OPERAND, "(none)");
        return;
    }
    const char *rest = ed_delimited(args, old, sizeof old, &closed);
    if (!closed) {
        cms_msg(M_EDIT_BAD_OPERAND, args);
        return;
    }
    rest = ed_delimited(rest - 1, new, sizeof new, &closed);
    /* operands: [n|*] [G|*] */
    char ops[2][16] = {"", ""};
    int nops = 0;
    while (*rest) {
        while (*rest == ' ') {
            rest++;
        }
        if (*rest == '\0') {
            break;
        }
        if (nops == 2) {
            cms_msg(M_EDIT_BAD_OPERAND, rest);
            return;
        }
        size_t k = 0;
        while (*rest && *rest != ' ' && k < sizeof ops[0] - 1) {
            char c = *rest++;
            ops[nops][k++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        }
        ops[nops++][k] = '\0';
    }
    size_t count = 1;
    int all = 0;
    if (nops >= 1 && ed_count(ops[0], 1, &count) != 0) {
        cms_msg(M_EDIT_BAD_OPERAND, ops[0]);
        return;
    }
    if (nops == 2) {
        if (strcmp(ops[1], "G") == 0 || strcmp(ops[1], "*") == 0) {
            all = 1;
        } else {
            cms_msg(M_EDIT_BAD_OPERAND, ops[1]);
            return;
        }
    }
    if (b->cur == 0) {
        b->cur = 1;
    }
    if (b->cur > b->n) {
        cms_msg(M_EDIT_NOT_FOUND, old);
        ed_show(b);
        return;
    }
    unsigned long changes = 0, lines = 0;
    size_t last = b->cur;
    for (size_t i = b->cur; i <= b->n && count > 0; i++, count--) {
        long c = ed_change_line(b, i, old, new, all);
        if (c < 0) {
            cms_msg(M_EDIT_NO_STORAGE);
            break;
        }
        last = i;
        if (c > 0) {
            changes += (unsigned long)c;
            lines++;
            con_line(b->lines[i - 1], strlen(b->lines[i - 1]));
        }
    }
    b->cur = last;
    if (changes == 0) {
        cms_msg(M_EDIT_NOT_FOUND, old);
    } else if (lines > 1) {
        cms_msg(M_EDIT_CHANGED_N, changes, lines);
    }
}

/* FILE/SAVE target: the current fileid with the operands given. */
static int
ed_target(struct edbuf *b, const char *args, struct fs_fileid *to)
{
    struct cms_plist p;
    *to = b->id;
    if (cms_parse(args, &p) != 0 || p.argc > 3) {
        return -1;
    }
    if (p.argc == 0) {
        if (strcmp(to->fm, "*") == 0) {
            strcpy(to->fm, "A1");
        }
        return 0;
    }
    const char *fn = p.argv[0];
    const char *ft = p.argc > 1 ? p.argv[1] : b->id.ft;
    const char *fm = p.argc > 2 ? p.argv[2] : b->id.fm;
    if (fs_fileid_make(to, fn, ft, fm, "A1") != 0 || strpbrk(to->fn, "*%=") ||
        strpbrk(to->ft, "*%=") || strcmp(to->fm, "*") == 0) {
        return -1;
    }
    return 0;
}

enum ed_sub {
    ED_INPUT, ED_REPLACE, ED_TOP, ED_BOTTOM, ED_NEXT, ED_UP, ED_LOCATE, ED_CHANGE,
    ED_DELETE, ED_TYPE, ED_FILE, ED_SAVE, ED_QUIT, ED_QQUIT,
};

struct ed_subdef {
    const char *name;
    unsigned char minlen;
    enum ed_sub sub;
};

static const struct ed_subdef ed_subs[] = {
    {"INPUT", 1, ED_INPUT},   {"REPLACE", 1, ED_REPLACE}, {"TOP", 3, ED_TOP},
    {"BOTTOM", 1, ED_BOTTOM}, {"NEXT", 1, ED_NEXT},       {"UP", 1, ED_UP},
    {"LOCATE", 1, ED_LOCATE}, {"CHANGE", 1, ED_CHANGE},   {"DELETE", 2, ED_DELETE},
    {"TYPE", 1, ED_TYPE},     {"FILE", 4, ED_FILE},       {"SAVE", 4, ED_SAVE},
    {"QUIT", 1, ED_QUIT},     {"QQUIT", 2, ED_QQUIT},
};

/* Runs one subcommand; returns 1 when EDIT ends. */
static int
ed_subcommand(struct edbuf *b, const char *line)
{
    char word[16];
    size_t w = 0;
    while (*line == ' ') {
        line++;
    }
    if (*line == '\0') {
        return 0;
    }
    if (*line == '/') {
        ed_locate(b, line);
        return 0;
    }
    while (*line && *line != ' ' && w < sizeof word - 1) {
        char c = *line;
        if (w > 0 && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
            break; /* "c/a/b/" works as "c /a/b/" */
        }
        word[w++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        line++;
    }
    word[w] = '\0';
    const char *args = line;
    if (*args == ' ') {
        args++; /* one blank separates; more belong to the text of INPUT */
    }
    const struct ed_subdef *d = NULL;
    for (size_t i = 0; i < sizeof ed_subs / sizeof ed_subs[0]; i++) {
        if (cms_abbrev(word, ed_subs[i].name, ed_subs[i].minlen)) {
            d = &ed_subs[i];
            break;
        }
    }
    if (d == NULL) {
        cms_msg(M_EDIT_BAD_SUBCMD, word);
        return 0;
    }
    size_t n;
    struct fs_fileid to;
    switch (d->sub) {
    case ED_INPUT:
        if (*args == '\0') {
            ed_input_mode(b);
        } else {
            if (b->cur > b->n) {
                b->cur = b->n;
            }
            if (ed_insert(b, b->cur, args, strlen(args)) != 0) {
                cms_msg(M_EDIT_NO_STORAGE);
            } else {
                b->cur++;
            }
        }
        return 0;
    case ED_REPLACE:
        if (b->cur >= 1 && b->cur <= b->n) {
            ed_delete(b, b->cur);
            b->cur--;
        } else if (b->cur > b->n) {
            b->cur = b->n; /* at EOF: add after the last line */
        }
        if (*args == '\0') {
            ed_input_mode(b);
        } else if (ed_insert(b, b->cur, args, strlen(args)) == 0) {
            b->cur++;
        }
        return 0;
    case ED_TOP:
        b->cur = 0;
        ed_show(b);
        return 0;
    case ED_BOTTOM:
        b->cur = b->n;
        ed_show(b);
        return 0;
    case ED_NEXT:
    case ED_UP:
        if (ed_count(args, 1, &n) != 0) {
            cms_msg(M_EDIT_BAD_OPERAND, args);
            return 0;
        }
        if (d->sub == ED_NEXT) {
            b->cur = (n > b->n + 1 - b->cur) ? b->n + 1 : b->cur + n;
        } else {
            b->cur = n >= b->cur ? 0 : b->cur - n;
        }
        ed_show(b);
        return 0;
    case ED_LOCATE:
        ed_locate(b, args);
        return 0;
    case ED_CHANGE:
        ed_change(b, args);
        return 0;
    case ED_DELETE:
        if (ed_count(args, 1, &n) != 0) {
            cms_msg(M_EDIT_BAD_OPERAND, args);
            return 0;
        }
        if (b->cur == 0) {
            b->cur = 1;
        }
        while (n-- > 0 && b->cur >= 1 && b->cur <= b->n) {
            ed_delete(b, b->cur);
        }
        ed_show(b);
        return 0;
    case ED_TYPE:
        if (ed_count(args, 1, &n) != 0) {
            cms_msg(M_EDIT_BAD_OPERAND, args);
            return 0;
        }
        for (;;) {
            ed_show(b);
            if (b->cur > b->n || --n == 0) {
                break;
            }
            b->cur++;
        }
        return 0;
    case ED_FILE:
    case ED_SAVE:
        if (ed_target(b, args, &to) != 0) {
            cms_msg(M_EDIT_BAD_OPERAND, args);
            return 0;
        }
        if (ed_save(b, &to) != 0) {
            return 0; /* stay: nothing is lost */
        }
        b->id = to;
        b->changed = 0;
        if (d->sub == ED_FILE) {
            return 1;
        }
        cms_msg(M_EDIT_SAVED, to.fn, to.ft, to.fm, (unsigned long)b->n);
        return 0;
    case ED_QUIT:
        if (b->changed && !b->quit_warned) {
            b->quit_warned = 1;
            cms_msg(M_EDIT_CHANGED);
            return 0;
        }
        return 1;
    case ED_QQUIT:
        return 1;
    }
    return 0;
}

int
cmd_edit(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    struct edbuf b;
    memset(&b, 0, sizeof b);
    if (nopt < 3) {
        cms_msg(M_MISSING_OPERAND, nopt < 2 ? "EDIT filename" : "EDIT filetype");
        return 24;
    }
    if (nopt > 4) {
        cms_msg(M_INVALID_PARM, p->orig[4]);
        return 24;
    }
    if (fs_fileid_make(&b.id, p->argv[1], p->argv[2], nopt > 3 ? p->argv[3] : NULL, "*") != 0 ||
        strpbrk(b.id.fn, "*%=") || strpbrk(b.id.ft, "*%=")) {
        cms_msg(M_BAD_FILEID, p->orig[1]);
        return 20;
    }
    b.recfm = 'F';
    b.lrecl = 80;
    for (int i = nopt + 1; i < p->argc; i++) {
        if (cms_abbrev(p->argv[i], "LRECL", 2) && i + 1 < p->argc) {
            long l = cms_parse_num(p->argv[++i]);
            if (l < 1 || l > 65535) {
                cms_msg(M_BAD_RECFM, p->orig[i]);
                return 24;
            }
            b.lrecl = (uint32_t)l;
        } else if (cms_abbrev(p->argv[i], "RECFM", 2) && i + 1 < p->argc &&
                   (strcmp(p->argv[i + 1], "F") == 0 || strcmp(p->argv[i + 1], "V") == 0)) {
            b.recfm = p->argv[++i][0];
        } else {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
    }
    if (b.recfm == 'V' && b.lrecl == 80) {
        b.lrecl = 65535;
    }
    int rc = ed_load(&b);
    if (rc != 0) {
        ed_free(&b);
        return rc;
    }
    cms_msg(M_EDIT_EDIT_MODE);
    char line[CMS_LINE_MAX + 1];
    for (;;) {
        ed_read(line, sizeof line);
        if (ed_subcommand(&b, line)) {
            break;
        }
    }
    ed_free(&b);
    return 0;
}
