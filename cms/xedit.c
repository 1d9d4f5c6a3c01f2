// SPDX-License-Identifier: MIT
/*
 * cms/xedit.c - XEDIT in line mode: the editor VM/CMS users type first,
 * for terminals without full screen.  The engine (the file in storage,
 * the current line, the EDIT subcommands, filing) is EDIT's, cms/edit.c;
 * this file adds what XEDIT has and EDIT has not:
 *
 *   :n                 make line n current (:0 is TOF)
 *   =                  run the last subcommand again
 *   ?                  type the last subcommand
 *   -/str/             search up (also LOCATE -/str/)
 *   Down [n]           as NEXT
 *   SET VERIFY ON|OFF  type the current line after a move, or not
 *   SET NUMBER ON|OFF  typed lines show their line numbers
 *   SET CASE Mixed|Upper [Respect|Ignore]
 *                      Upper: what is typed into the file is upper-cased;
 *                      Ignore: targets match in any case
 *   Query item...      VERIFY NUMBER CASE SIZE LINE RECFM LRECL FNAME
 *                      FTYPE FMODE
 *   ALL /str/          type every line with str, with its number
 *   DUPlicat [n]       copy the current line n times below it
 *   GET fn [ft [fm]]   insert a file after the current line
 *   CMS command        run a CMS command and come back
 *
 * and changes these: QUIT needs its full name and refuses while the file
 * is changed (QQUIT drops the changes), a target not found leaves the
 * line pointer where it was, CHANGE's second operand may be a count of
 * occurrences per line.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/edit.h"

/* XEDIT (and FILELIST) run commands that may start XEDIT again. */
#define XED_MAX_NEST 4

static int xed_depth;

static void
xed_skip(const char **s)
{
    while (**s == ' ') {
        (*s)++;
    }
}

/* ":n" */
static int
xed_goto(struct edbuf *b, const char *s)
{
    unsigned long v = 0;
    const char *d = s + 1;
    xed_skip(&d);
    if (*d < '0' || *d > '9') {
        cms_msg(M_EDIT_BAD_OPERAND, s);
        return 0;
    }
    for (; *d >= '0' && *d <= '9'; d++) {
        if (v > 100000000) {
            break;
        }
        v = v * 10 + (unsigned long)(*d - '0');
    }
    xed_skip(&d);
    if (*d != '\0') {
        cms_msg(M_EDIT_BAD_OPERAND, s);
        return 0;
    }
    if (v > b->n) {
        cms_msg(M_XEDIT_NO_LINE, v, (unsigned long)b->n);
        return 0;
    }
    b->cur = v;
    ed_verify(b);
    return 0;
}

static int
xed_run(struct edbuf *b, const char *line)
{
    const char *s = line;
    xed_skip(&s);
    if (*s == ':') {
        return xed_goto(b, s);
    }
    return ed_subcommand(b, line);
}

/* One line typed in XEDIT: "=", "?", or a subcommand remembered for them. */
static int
xed_line(struct edbuf *b, const char *line)
{
    const char *s = line;
    xed_skip(&s);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    if (n == 0) {
        return 0;
    }
    if (n == 1 && (s[0] == '=' || s[0] == '?')) {
        if (b->last[0] == '\0') {
            cms_msg(M_XEDIT_NO_LAST, s[0] == '=' ? "repeat" : "show");
            return 0;
        }
        if (s[0] == '?') {
            con_line(b->last, strlen(b->last));
            return 0;
        }
        char again[sizeof b->last];
        memcpy(again, b->last, sizeof again);
        return xed_run(b, again);
    }
    size_t len = strlen(line);
    if (len >= sizeof b->last) {
        len = sizeof b->last - 1;
    }
    memcpy(b->last, line, len);
    b->last[len] = '\0';
    return xed_run(b, line);
}

/* ---- SET and QUERY ------------------------------------------------------- */

static int
xed_onoff(const char *w, int *out)
{
    if (strcmp(w, "ON") == 0 || strcmp(w, "OFF") == 0) {
        *out = w[1] == 'N';
        return 0;
    }
    return -1;
}

int
xed_set(struct edbuf *b, const char *args)
{
    struct cms_plist p;
    if (cms_parse(args, &p) != 0 || p.argc == 0) {
        cms_msg(M_EDIT_BAD_OPERAND, p.argc == 0 ? "(none)" : args);
        return 0;
    }
    const char *w = p.argv[0];
    int on;
    if (cms_abbrev(w, "VERIFY", 1) || cms_abbrev(w, "NUMBER", 2)) {
        if (p.argc != 2 || xed_onoff(p.argv[1], &on) != 0) {
            cms_msg(M_EDIT_BAD_OPERAND, p.argc > 1 ? p.orig[1 + (p.argc > 2)] : "(none)");
            return 0;
        }
        *(w[0] == 'V' ? &b->verify : &b->number) = on;
        return 0;
    }
    if (cms_abbrev(w, "CASE", 2)) {
        int upper, ignore = b->case_ignore;
        if (p.argc < 2 || p.argc > 3) {
            cms_msg(M_EDIT_BAD_OPERAND, p.argc < 2 ? "(none)" : p.orig[3]);
            return 0;
        }
        if (cms_abbrev(p.argv[1], "MIXED", 1) || cms_abbrev(p.argv[1], "UPPER", 1)) {
            upper = p.argv[1][0] == 'U';
        } else {
            cms_msg(M_EDIT_BAD_OPERAND, p.orig[1]);
            return 0;
        }
        if (p.argc == 3) {
            if (cms_abbrev(p.argv[2], "RESPECT", 1) || cms_abbrev(p.argv[2], "IGNORE", 1)) {
                ignore = p.argv[2][0] == 'I';
            } else {
                cms_msg(M_EDIT_BAD_OPERAND, p.orig[2]);
                return 0;
            }
        }
        b->case_upper = upper;
        b->case_ignore = ignore;
        return 0;
    }
    cms_msg(M_EDIT_BAD_OPERAND, p.orig[0]);
    return 0;
}

enum xed_item { QI_VERIFY, QI_NUMBER, QI_CASE, QI_SIZE, QI_LINE, QI_RECFM, QI_LRECL, QI_FNAME,
                QI_FTYPE, QI_FMODE };

static const struct {
    const char *name;
    unsigned char minlen;
    enum xed_item item;
} xed_items[] = {
    {"VERIFY", 1, QI_VERIFY}, {"NUMBER", 2, QI_NUMBER}, {"CASE", 2, QI_CASE},
    {"SIZE", 2, QI_SIZE},     {"LINE", 2, QI_LINE},     {"RECFM", 3, QI_RECFM},
    {"LRECL", 3, QI_LRECL},   {"FNAME", 2, QI_FNAME},   {"FTYPE", 2, QI_FTYPE},
    {"FMODE", 2, QI_FMODE},
};

static void
xed_query_one(struct edbuf *b, enum xed_item it)
{
    switch (it) {
    case QI_VERIFY:
        printf("VERIFY %s\n", b->verify ? "ON" : "OFF");
        break;
    case QI_NUMBER:
        printf("NUMBER %s\n", b->number ? "ON" : "OFF");
        break;
    case QI_CASE:
        printf("CASE %s %s\n", b->case_upper ? "UPPER" : "MIXED",
               b->case_ignore ? "IGNORE" : "RESPECT");
        break;
    case QI_SIZE:
        printf("SIZE %lu\n", (unsigned long)b->n);
        break;
    case QI_LINE:
        printf("LINE %lu\n", (unsigned long)b->cur);
        break;
    case QI_RECFM:
        printf("RECFM %c\n", b->recfm);
        break;
    case QI_LRECL:
        printf("LRECL %lu\n", (unsigned long)b->lrecl);
        break;
    case QI_FNAME:
        printf("FNAME %s\n", b->id.fn);
        break;
    case QI_FTYPE:
        printf("FTYPE %s\n", b->id.ft);
        break;
    case QI_FMODE:
        printf("FMODE %s\n", b->id.fm);
        break;
    }
}

int
xed_query(struct edbuf *b, const char *args)
{
    struct cms_plist p;
    if (cms_parse(args, &p) != 0 || p.argc == 0) {
        cms_msg(M_EDIT_BAD_OPERAND, p.argc == 0 ? "(none)" : args);
        return 0;
    }
    /* every operand is checked before anything is typed */
    enum xed_item items[CMS_MAXARGS];
    for (int i = 0; i < p.argc; i++) {
        size_t k, nitems = sizeof xed_items / sizeof xed_items[0];
        for (k = 0; k < nitems && !cms_abbrev(p.argv[i], xed_items[k].name, xed_items[k].minlen);
             k++) {
        }
        if (k == nitems) {
            cms_msg(M_EDIT_BAD_OPERAND, p.orig[i]);
            return 0;
        }
        items[i] = xed_items[k].item;
    }
    for (int i = 0; i < p.argc; i++) {
        xed_query_one(b, items[i]);
    }
    return 0;
}

/* ---- ALL, DUPLICAT, GET, CMS ----------------------------------------------- */

int
xed_all(struct edbuf *b, const char *args)
{
    char str[CMS_LINE_MAX + 1];
    int closed;
    xed_skip(&args);
    if (*args == '\0') {
        cms_msg(M_EDIT_BAD_OPERAND, "(none)");
        return 0;
    }
    ed_delimited(args, str, sizeof str, &closed);
    unsigned long found = 0;
    for (size_t i = 1; i <= b->n; i++) {
        if (ed_contains(b, b->lines[i - 1], str)) {
            printf("%05lu %s\n", (unsigned long)i, b->lines[i - 1]);
            found++;
            if (cms_attn_poll()) {
                return 0;
            }
        }
    }
    if (found == 0) {
        cms_msg(M_EDIT_NOT_FOUND, str);
    } else {
        cms_msg(M_XEDIT_MATCHES, found, str);
    }
    return 0;
}

int
xed_duplicate(struct edbuf *b, const char *args)
{
    size_t n;
    if (ed_count(args, 1, &n) != 0 || n == SIZE_MAX) {
        cms_msg(M_EDIT_BAD_OPERAND, args);
        return 0;
    }
    if (b->cur == 0 || b->cur > b->n) {
        cms_msg(M_XEDIT_NO_CURRENT);
        return 0;
    }
    /* the line's text stays where it is while copies are inserted */
    const char *s = b->lines[b->cur - 1];
    size_t len = strlen(s);
    for (; n > 0; n--) {
        if (ed_insert(b, b->cur, s, len) != 0) {
            cms_msg(M_EDIT_NO_STORAGE);
            break;
        }
        b->cur++;
    }
    ed_verify(b);
    return 0;
}

int
xed_get(struct edbuf *b, const char *args)
{
    struct cms_plist p;
    struct fs_fileid id;
    if (cms_parse(args, &p) != 0 || p.argc < 1 || p.argc > 3) {
        cms_msg(M_EDIT_BAD_OPERAND, p.argc < 1 ? "(none)" : args);
        return 0;
    }
    if (fs_fileid_make(&id, p.argv[0], p.argc > 1 ? p.argv[1] : b->id.ft,
                       p.argc > 2 ? p.argv[2] : "*", "*") != 0 ||
        strpbrk(id.fn, "*%=") || strpbrk(id.ft, "*%=")) {
        cms_msg(M_BAD_FILEID, p.orig[0]);
        return 0;
    }
    struct fs_file *f;
    int rc = fs_open(&id, CMS_O_READ, 0, 0, &f);
    if (rc != 0) {
        fs_report(rc, &id);
        return 0;
    }
    struct fs_stat st;
    fs_fstat(f, &st);
    if (b->cur > b->n) {
        b->cur = b->n;
    }
    size_t added;
    rc = ed_read_file(b, f, b->cur, &added);
    fs_abort(f);
    b->cur += added;
    if (rc < 0) {
        fs_report(rc, &st.id);
    }
    cms_msg(M_XEDIT_ADDED, (unsigned long)added, st.id.fn, st.id.ft, st.id.fm);
    ed_verify(b);
    return 0;
}

int
xed_cms(struct edbuf *b, const char *args)
{
    (void)b;
    char word[CMS_LINE_MAX + 1];
    size_t w = 0;
    xed_skip(&args);
    if (*args == '\0') {
        cms_msg(M_EDIT_BAD_OPERAND, "(none)");
        return 0;
    }
    while (args[w] != '\0' && args[w] != ' ' && args[w] != '(') {
        word[w] = args[w];
        w++;
    }
    word[w] = '\0';
    cms_upper(word);
    int rc = cms_command(args, 0);
    if (rc != 0) {
        cms_msg(M_XEDIT_CMD_RC, word, rc);
    }
    return 0;
}

int
cmd_xedit(struct cms_plist *p)
{
    struct edbuf *b = calloc(1, sizeof *b);
    if (b == NULL) {
        cms_msg(M_NO_STORAGE);
        return 104;
    }
    b->name = "XEDIT";
    b->xedit = 1;
    b->verify = 1;
    int rc = 0;
    if (xed_depth >= XED_MAX_NEST) {
        cms_msg(M_XEDIT_NEST, "XEDIT", XED_MAX_NEST);
        rc = 104;
    } else {
        rc = ed_open(b, p);
    }
    if (rc == 0) {
        xed_depth++;
        ed_session(b, xed_line);
        xed_depth--;
    }
    ed_free(b);
    free(b);
    return rc;
}
