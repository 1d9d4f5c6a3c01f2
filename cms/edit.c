// SPDX-License-Identifier: MIT
/*
 * cms/edit.c - EDIT, the line-mode editor of CMS, and the editor engine it
 * shares with XEDIT (cms/xedit.c, interface in cms/edit.h).
 *
 * The file is read whole into nucleus free storage as an array of lines
 * (trailing blanks of F records dropped; FILE pads them again).  A current
 * line pointer moves over it: 0 is TOF (the null line before the first),
 * 1..n the lines, n+1 EOF.  After every move the current line is typed
 * (VERIFY ON).  Subcommands, with their shortest forms in EDIT:
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
 *
 * One table holds the subcommands of both editors, with a shortest form
 * for each (0: not in that editor).  XEDIT's differences in the engine:
 * QUIT needs its full name and refuses while the file is changed, DOWN is
 * NEXT, a target "-/str/" searches up, a target that is not found leaves
 * the pointer where it was, CHANGE takes a count of occurrences per line,
 * and the SET options (VERIFY, NUMBER, CASE) apply.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/edit.h"

void
ed_free(struct edbuf *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->lines[i]);
    }
    free(b->lines);
    b->lines = NULL;
    b->n = b->cap = 0;
}

int
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

/* Types line idx (1..n), after its number when NUMBER is on. */
static void
ed_type_line(struct edbuf *b, size_t idx)
{
    const char *s = b->lines[idx - 1];
    if (b->number) {
        printf("%05lu %s\n", (unsigned long)idx, s);
    } else {
        con_line(s, strlen(s));
    }
}

void
ed_show(struct edbuf *b)
{
    if (b->cur == 0) {
        cms_msg(M_EDIT_TOF);
    } else if (b->cur > b->n) {
        cms_msg(M_EDIT_EOF);
    } else {
        ed_type_line(b, b->cur);
    }
}

void
ed_verify(struct edbuf *b)
{
    if (b->verify) {
        ed_show(b);
    }
}

int
ed_read_file(struct edbuf *b, struct fs_file *f, size_t after, size_t *added)
{
    static char rec[65536];
    struct fs_stat st;
    size_t len;
    int rc;
    *added = 0;
    fs_fstat(f, &st);
    while ((rc = fs_read(f, rec, sizeof rec - 1, &len)) == 0) {
        if (len > sizeof rec - 1) {
            len = sizeof rec - 1;
        }
        if (st.recfm == 'F') {
            while (len > 0 && rec[len - 1] == ' ') {
                len--;
            }
        }
        if (ed_insert(b, after + *added, rec, len) != 0) {
            cms_msg(M_EDIT_NO_STORAGE);
            return 1;
        }
        ++*added;
    }
    return rc == CMS_EEOF ? 0 : rc;
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
    uint32_t keep = b->lrecl;
    b->lrecl = 65535; /* no truncation while loading */
    size_t added;
    rc = ed_read_file(b, f, 0, &added);
    b->lrecl = keep;
    fs_abort(f);
    if (rc == 1) {
        return 104;
    }
    if (rc != 0) {
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

/* Text typed into the file: upper-cased when CASE UPPER. */
static void
ed_typed(const struct edbuf *b, char *text)
{
    if (b->case_upper) {
        cms_upper(text);
    }
}

/* Inserts typed text after the current line, which it becomes. */
static void
ed_input_line(struct edbuf *b, const char *text)
{
    char line[CMS_LINE_MAX + 1];
    size_t n = strlen(text);
    if (n > CMS_LINE_MAX) {
        n = CMS_LINE_MAX;
    }
    memcpy(line, text, n);
    line[n] = '\0';
    ed_typed(b, line);
    if (b->cur > b->n) {
        b->cur = b->n;
    }
    if (ed_insert(b, b->cur, line, n) != 0) {
        cms_msg(M_EDIT_NO_STORAGE);
    } else {
        b->cur++;
    }
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
        ed_typed(b, line);
        if (ed_insert(b, b->cur, line, n) != 0) {
            cms_msg(M_EDIT_NO_STORAGE);
            break;
        }
        b->cur++;
    }
    cms_msg(M_EDIT_EDIT_MODE, b->name);
}

int
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

const char *
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

static char
ed_upc(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
}

/* Does str (of length len) stand at s?  In any case with CASE IGNORE. */
static int
ed_match_at(const struct edbuf *b, const char *s, const char *str, size_t len)
{
    if (!b->case_ignore) {
        return strncmp(s, str, len) == 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\0' || ed_upc(s[i]) != ed_upc(str[i])) {
            return 0;
        }
    }
    return 1;
}

int
ed_contains(const struct edbuf *b, const char *line, const char *str)
{
    size_t len = strlen(str);
    for (const char *s = line;; s++) {
        if (ed_match_at(b, s, str, len)) {
            return 1;
        }
        if (*s == '\0') {
            return 0;
        }
    }
}

static int
sub_locate(struct edbuf *b, const char *args)
{
    char str[CMS_LINE_MAX + 1];
    int closed, up = 0;
    while (*args == ' ') {
        args++;
    }
    if (b->xedit && args[0] == '-') {
        up = 1; /* XEDIT's "-/str/": search towards the top */
        args++;
    }
    if (*args == '\0') {
        cms_msg(M_EDIT_BAD_OPERAND, "(none)");
        return 0;
    }
    ed_delimited(args, str, sizeof str, &closed);
    if (up) {
        for (size_t i = b->cur > b->n ? b->n : b->cur - (b->cur > 0); i >= 1; i--) {
            if (ed_contains(b, b->lines[i - 1], str)) {
                b->cur = i;
                ed_verify(b);
                return 0;
            }
        }
    } else {
        for (size_t i = b->cur + 1; i <= b->n; i++) {
            if (ed_contains(b, b->lines[i - 1], str)) {
                b->cur = i;
                ed_verify(b);
                return 0;
            }
        }
    }
    cms_msg(M_EDIT_NOT_FOUND, str);
    if (!b->xedit) {
        b->cur = b->n + 1; /* EDIT stops at EOF; XEDIT stays */
        ed_show(b);
    }
    return 0;
}

/* Changes old to new in one line, at most `max` occurrences from the left.
 * Returns the number of changes, -1 if out of storage. */
static long
ed_change_line(struct edbuf *b, size_t idx, const char *old, const char *new, size_t max)
{
    const char *s = b->lines[idx - 1];
    size_t ol = strlen(old), nl = strlen(new), sl = strlen(s);
    size_t count = 0;
    char *out = malloc(sl + 1 + (nl + 1) * (ol ? sl / ol + 1 : 1));
    if (out == NULL) {
        return -1;
    }
    size_t o = 0, i = 0;
    while (i <= sl) {
        if (count < max && ed_match_at(b, s + i, old, ol) && (ol > 0 || count == 0)) {
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
    return (long)count;
}

/* CHANGE's operands after /old/new/: [n|*] [G|*] (XEDIT also a number of
 * occurrences per line).  Returns 0 or -1 after a message. */
static int
ed_change_ops(struct edbuf *b, const char *rest, size_t *count, size_t *per_line)
{
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
            return -1;
        }
        size_t k = 0;
        while (*rest && *rest != ' ' && k < sizeof ops[0] - 1) {
            ops[nops][k++] = ed_upc(*rest++);
        }
        ops[nops++][k] = '\0';
    }
    *count = 1;
    *per_line = 1;
    if (nops >= 1 && ed_count(ops[0], 1, count) != 0) {
        cms_msg(M_EDIT_BAD_OPERAND, ops[0]);
        return -1;
    }
    if (nops == 2) {
        if (strcmp(ops[1], "G") == 0 || strcmp(ops[1], "*") == 0) {
            *per_line = SIZE_MAX;
        } else if (!b->xedit || ed_count(ops[1], 1, per_line) != 0) {
            cms_msg(M_EDIT_BAD_OPERAND, ops[1]);
            return -1;
        }
    }
    return 0;
}

static int
sub_change(struct edbuf *b, const char *args)
{
    char old[CMS_LINE_MAX + 1], new[CMS_LINE_MAX + 1];
    int closed;
    while (*args == ' ') {
        args++;
    }
    if (*args == '\0') {
        cms_msg(M_EDIT_BAD_OPERAND, "(none)");
        return 0;
    }
    const char *rest = ed_delimited(args, old, sizeof old, &closed);
    if (!closed) {
        cms_msg(M_EDIT_BAD_OPERAND, args);
        return 0;
    }
    rest = ed_delimited(rest - 1, new, sizeof new, &closed);
    ed_typed(b, new);
    size_t count, per_line;
    if (ed_change_ops(b, rest, &count, &per_line) != 0) {
        return 0;
    }
    size_t was = b->cur;
    if (b->cur == 0) {
        b->cur = 1;
    }
    if (b->cur > b->n) {
        cms_msg(M_EDIT_NOT_FOUND, old);
        b->cur = b->xedit ? was : b->cur;
        ed_verify(b);
        return 0;
    }
    unsigned long changes = 0, lines = 0;
    size_t last = b->cur;
    for (size_t i = b->cur; i <= b->n && count > 0; i++, count--) {
        long c = ed_change_line(b, i, old, new, per_line);
        if (c < 0) {
            cms_msg(M_EDIT_NO_STORAGE);
            break;
        }
        last = i;
        if (c > 0) {
            changes += (unsigned long)c;
            lines++;
            if (b->verify) {
                ed_type_line(b, i);
            }
        }
    }
    b->cur = last;
    if (changes == 0) {
        cms_msg(M_EDIT_NOT_FOUND, old);
        if (b->xedit) {
            b->cur = was;
        }
    } else if (lines > 1) {
        cms_msg(M_EDIT_CHANGED_N, changes, lines);
    }
    return 0;
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

/* ---- the subcommands ------------------------------------------------------- */

static int
sub_input(struct edbuf *b, const char *args)
{
    if (*args == '\0') {
        ed_input_mode(b);
    } else {
        ed_input_line(b, args);
    }
    return 0;
}

static int
sub_replace(struct edbuf *b, const char *args)
{
    if (b->cur >= 1 && b->cur <= b->n) {
        ed_delete(b, b->cur);
        b->cur--;
    } else if (b->cur > b->n) {
        b->cur = b->n; /* at EOF: add after the last line */
    }
    if (*args == '\0') {
        ed_input_mode(b);
    } else {
        ed_input_line(b, args);
    }
    return 0;
}

static int
sub_top(struct edbuf *b, const char *args)
{
    (void)args;
    b->cur = 0;
    ed_verify(b);
    return 0;
}

static int
sub_bottom(struct edbuf *b, const char *args)
{
    (void)args;
    b->cur = b->n;
    ed_verify(b);
    return 0;
}

/* NEXT (XEDIT: also DOWN) and UP */
static int
ed_move(struct edbuf *b, const char *args, int down)
{
    size_t n;
    if (ed_count(args, 1, &n) != 0) {
        cms_msg(M_EDIT_BAD_OPERAND, args);
        return 0;
    }
    if (down) {
        b->cur = (n > b->n + 1 - b->cur) ? b->n + 1 : b->cur + n;
    } else {
        b->cur = n >= b->cur ? 0 : b->cur - n;
    }
    ed_verify(b);
    return 0;
}

static int
sub_next(struct edbuf *b, const char *args)
{
    return ed_move(b, args, 1);
}

static int
sub_up(struct edbuf *b, const char *args)
{
    return ed_move(b, args, 0);
}

static int
sub_delete(struct edbuf *b, const char *args)
{
    size_t n;
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
    ed_verify(b);
    return 0;
}

static int
sub_type(struct edbuf *b, const char *args)
{
    size_t n;
    if (ed_count(args, 1, &n) != 0) {
        cms_msg(M_EDIT_BAD_OPERAND, args);
        return 0;
    }
    for (;;) {
        ed_show(b);
        if (b->cur > b->n || --n == 0 || cms_attn_poll()) {
            break;
        }
        b->cur++;
    }
    return 0;
}

/* FILE and SAVE; a write that fails keeps the editor (nothing is lost). */
static int
ed_file(struct edbuf *b, const char *args, int leave)
{
    struct fs_fileid to;
    if (ed_target(b, args, &to) != 0) {
        cms_msg(M_EDIT_BAD_OPERAND, args);
        return 0;
    }
    if (ed_save(b, &to) != 0) {
        return 0;
    }
    b->id = to;
    b->changed = 0;
    if (leave) {
        return 1;
    }
    cms_msg(M_EDIT_SAVED, to.fn, to.ft, to.fm, (unsigned long)b->n);
    return 0;
}

static int
sub_file(struct edbuf *b, const char *args)
{
    return ed_file(b, args, 1);
}

static int
sub_save(struct edbuf *b, const char *args)
{
    return ed_file(b, args, 0);
}

/* EDIT's QUIT warns once about changes; XEDIT's refuses until QQUIT. */
static int
sub_quit(struct edbuf *b, const char *args)
{
    (void)args;
    if (b->changed && b->xedit) {
        cms_msg(M_XEDIT_CHANGED);
        return 0;
    }
    if (b->changed && !b->quit_warned) {
        b->quit_warned = 1;
        cms_msg(M_EDIT_CHANGED);
        return 0;
    }
    return 1;
}

static int
sub_qquit(struct edbuf *b, const char *args)
{
    (void)b;
    (void)args;
    return 1;
}

struct ed_subdef {
    const char *name;
    unsigned char edit_min; /* shortest form in EDIT, 0: not in EDIT */
    unsigned char xedit_min; /* in XEDIT */
    int (*fn)(struct edbuf *b, const char *args);
};

/* Order matters: the first row the word abbreviates wins (EDIT's Q is
 * QUIT, XEDIT's is QUERY; XEDIT's D is DOWN, DE still DELETE). */
static const struct ed_subdef ed_subs[] = {
    {"INPUT", 1, 1, sub_input},
    {"REPLACE", 1, 1, sub_replace},
    {"TOP", 3, 3, sub_top},
    {"BOTTOM", 1, 1, sub_bottom},
    {"NEXT", 1, 1, sub_next},
    {"UP", 1, 1, sub_up},
    {"LOCATE", 1, 1, sub_locate},
    {"CHANGE", 1, 1, sub_change},
    {"DELETE", 2, 2, sub_delete},
    {"TYPE", 1, 1, sub_type},
    {"FILE", 4, 4, sub_file},
    {"SAVE", 4, 4, sub_save},
    {"QUIT", 1, 4, sub_quit},
    {"QQUIT", 2, 2, sub_qquit},
    /* XEDIT only */
    {"DOWN", 0, 1, sub_next},
    {"QUERY", 0, 1, xed_query},
    {"SET", 0, 3, xed_set},
    {"ALL", 0, 3, xed_all},
    {"DUPLICAT", 0, 3, xed_duplicate},
    {"GET", 0, 3, xed_get},
    {"CMS", 0, 3, xed_cms},
};

int
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
    if (*line == '/' || (b->xedit && line[0] == '-' && line[1] == '/')) {
        return sub_locate(b, line);
    }
    while (*line && *line != ' ' && w < sizeof word - 1) {
        char c = *line;
        if (w > 0 && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
            break; /* "c/a/b/" works as "c /a/b/" */
        }
        word[w++] = ed_upc(c);
        line++;
    }
    word[w] = '\0';
    const char *args = line;
    if (*args == ' ') {
        args++; /* one blank separates; more belong to the text of INPUT */
    }
    for (size_t i = 0; i < sizeof ed_subs / sizeof ed_subs[0]; i++) {
        const struct ed_subdef *d = &ed_subs[i];
        size_t min = b->xedit ? d->xedit_min : d->edit_min;
        if (min > 0 && cms_abbrev(word, d->name, min)) {
            return d->fn(b, args);
        }
    }
    cms_msg(M_EDIT_BAD_SUBCMD, b->name, word);
    return 0;
}

int
ed_session(struct edbuf *b, int (*line_fn)(struct edbuf *b, const char *line))
{
    cms_msg(M_EDIT_EDIT_MODE, b->name);
    char line[CMS_LINE_MAX + 1];
    for (;;) {
        ed_read(line, sizeof line);
        if (line_fn(b, line)) {
            break;
        }
    }
    return 0;
}

int
ed_open(struct edbuf *b, struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    char what[24];
    if (nopt < 3) {
        snprintf(what, sizeof what, "%s %s", b->name, nopt < 2 ? "filename" : "filetype");
        cms_msg(M_MISSING_OPERAND, what);
        return 24;
    }
    if (nopt > 4) {
        cms_msg(M_INVALID_PARM, p->orig[4]);
        return 24;
    }
    if (fs_fileid_make(&b->id, p->argv[1], p->argv[2], nopt > 3 ? p->argv[3] : NULL, "*") != 0 ||
        strpbrk(b->id.fn, "*%=") || strpbrk(b->id.ft, "*%=")) {
        cms_msg(M_BAD_FILEID, p->orig[1]);
        return 20;
    }
    b->recfm = 'F';
    b->lrecl = 80;
    for (int i = nopt + 1; i < p->argc; i++) {
        if (cms_abbrev(p->argv[i], "LRECL", 2) && i + 1 < p->argc) {
            long l = cms_parse_num(p->argv[++i]);
            if (l < 1 || l > 65535) {
                cms_msg(M_BAD_RECFM, p->orig[i]);
                return 24;
            }
            b->lrecl = (uint32_t)l;
        } else if (cms_abbrev(p->argv[i], "RECFM", 2) && i + 1 < p->argc &&
                   (strcmp(p->argv[i + 1], "F") == 0 || strcmp(p->argv[i + 1], "V") == 0)) {
            b->recfm = p->argv[++i][0];
        } else {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
    }
    if (b->recfm == 'V' && b->lrecl == 80) {
        b->lrecl = 65535;
    }
    return ed_load(b);
}

int
cmd_edit(struct cms_plist *p)
{
    struct edbuf b;
    memset(&b, 0, sizeof b);
    b.name = "EDIT";
    b.verify = 1;
    int rc = ed_open(&b, p);
    if (rc == 0) {
        ed_session(&b, ed_subcommand);
    }
    ed_free(&b);
    return rc;
}
