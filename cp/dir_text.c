// SPDX-License-Identifier: MIT
/*
 * cp/dir_text.c - the directory as text, in the style of VM's USER DIRECT
 * file: the import (parse everything, check everything, then write all in
 * one transaction through cp/dir_store.c) and the export.
 *
 * Format (docs/DIRECTORY.md has the full story).  One statement a line;
 * operands separated by blanks; keywords and userids in any case; a line
 * whose first non-blank is '*' is a comment; blank lines are ignored.
 * Every statement after a USER belongs to that user.
 *
 *   USER userid password [storage [maxstorage [classes]]]
 *        password: NOLOG | GENERATE | a yescrypt hash $y$... | plain text
 *        storage: 32M (a unit K, M or G is required); default 32M,
 *        maxstorage defaults to storage, classes to G
 *   ACCOUNT number [distcode]
 *   IPL name-or-vaddr [PARM text to the end of the line]
 *   OPTION name...            AUTOLOG LNKNOPAS REALTIMER ACCT QUICKDSP
 *   SHARE [RELATIVE] n        1-10000, default 100
 *   CONSOLE vaddr [devtype] [class]                     default 009 T
 *   SPOOL vaddr [devtype] [READER|PUNCH|PRINTER] [class]
 *   LINK userid vaddr1 vaddr2 [mode]                    mode default RR
 *   MDISK vaddr size [mode [readpw [writepw [multipw]]]]
 *        size: a number of 4096-byte blocks, or bytes with K, M or G
 *        (10M = 2560 blocks); mode default W; a password ALL means none
 *   SSHKEY type base64 [comment]
 *
 * The export (cp/dir_export.c) writes exactly this, with hashes, sizes
 * with units, and every field, so export -> import -> export gives the
 * same text.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/dir_int.h"
#include "cp/passwd.h"

#define DIR_LINE_MAX 8192
#define DIR_TOKENS 16

/* One entry as parsed, with what the parser needs beside it. */
struct dir_pentry {
    struct dir_entry e;
    struct dir_lines lines;
    size_t cap_mdisks, cap_links, cap_keys;
    char plain[PASSWD_MAX_LEN + 1]; /* a plain password to hash, or "" */
    char made[PASSWD_GEN_LEN + 1];  /* a GENERATE'd password, or "" */
    int generate;
    int account_line, ipl_line, share_line;
};

struct dir_parser {
    struct dir_pentry *ents;
    size_t n, cap;
    struct dir_pentry *cur;   /* the entry statements go to; NULL before USER */
    struct dir_pentry scratch; /* takes statements after a bad USER */
    struct dir_diag *g;
    int line;
    int oom;
};

struct dir_stmt_args {
    char *tok[DIR_TOKENS];
    const char *rest[DIR_TOKENS]; /* the line from token i on */
    int n;
};

static void
dir_pentry_free(struct dir_pentry *p)
{
    free(p->lines.mdisk);
    free(p->lines.link);
    free(p->lines.key);
    explicit_bzero(p->plain, sizeof p->plain);
    explicit_bzero(p->made, sizeof p->made);
    dir_entry_free(&p->e);
}

/* Appends an element to one of the entry's arrays and its line array. */
static void *
dir_pentry_push(struct dir_parser *ps, void **arr, int **lines, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        void *a = realloc(*arr, ncap * elem);
        if (a != NULL) {
            *arr = a;
        }
        int *l = a ? realloc(*lines, ncap * sizeof **lines) : NULL;
        if (a == NULL || l == NULL) {
            ps->oom = 1;
            return NULL;
        }
        *lines = l;
        *cap = ncap;
    }
    (*lines)[*n] = ps->line;
    void *slot = (char *)*arr + (*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

#define BAD(...) dir_diag(ps->g, ps->line, __VA_ARGS__)

static void
dir_stmt_user(struct dir_parser *ps, struct dir_stmt_args *a)
{
    char id[DIR_USERID_MAX + 1];
    const char *why = dir_parse_userid(a->tok[1], id);
    dir_pentry_free(&ps->scratch);
    memset(&ps->scratch, 0, sizeof ps->scratch);
    ps->cur = &ps->scratch;
    if (why != NULL) {
        BAD("USER %s: %s", a->tok[1], why);
        return;
    }
    for (size_t i = 0; i < ps->n; i++) {
        if (strcmp(ps->ents[i].e.user.userid, id) == 0) {
            BAD("user %s is defined twice (first on line %d)", id, ps->ents[i].lines.user);
            return;
        }
    }
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        struct dir_pentry *p = realloc(ps->ents, cap * sizeof *p);
        if (p == NULL) {
            ps->oom = 1;
            return;
        }
        ps->ents = p;
        ps->cap = cap;
    }
    struct dir_pentry *p = &ps->ents[ps->n++];
    memset(p, 0, sizeof *p);
    ps->cur = p;
    struct dir_user *u = &p->e.user;
    p->lines.user = ps->line;
    memcpy(u->userid, id, sizeof id);
    u->storage = 32ull << 20;
    u->share = DIR_SHARE_DEFAULT;
    u->console_vaddr = 0x009;
    u->console_class = 'T';
    snprintf(u->classes, sizeof u->classes, "G");

    const char *pw = a->tok[2];
    if (strcasecmp(pw, "NOLOG") == 0) {
        snprintf(p->e.password, sizeof p->e.password, "NOLOG");
        u->nolog = 1;
    } else if (strcasecmp(pw, "GENERATE") == 0) {
        p->generate = 1;
    } else if (pw[0] == '$' && strchr(pw + 1, '$') != NULL) {
        if (!passwd_is_hash(pw)) {
            BAD("%s: the password looks like a hash but is not a valid yescrypt ($y$) hash", id);
        } else {
            snprintf(p->e.password, sizeof p->e.password, "%s", pw);
        }
    } else if ((why = passwd_policy(pw)) != NULL) {
        BAD("%s: %s", id, why);
    } else {
        snprintf(p->plain, sizeof p->plain, "%s", pw);
    }
    if (a->n > 3 && (why = dir_parse_storage(a->tok[3], &u->storage)) != NULL) {
        BAD("%s: storage %s: %s", id, a->tok[3], why);
    }
    u->maxstorage = u->storage;
    if (a->n > 4 && (why = dir_parse_storage(a->tok[4], &u->maxstorage)) != NULL) {
        BAD("%s: maximum storage %s: %s", id, a->tok[4], why);
    }
    if (a->n > 5 && (why = dir_parse_classes(a->tok[5], u->classes)) != NULL) {
        BAD("%s: classes %s: %s", id, a->tok[5], why);
    }
}

/* For statements allowed once per entry. */
static int
dir_once(struct dir_parser *ps, int *line, const char *what)
{
    if (*line != 0) {
        BAD("a second %s statement for %s (the first is on line %d)", what, ps->cur->e.user.userid, *line);
        return 0;
    }
    *line = ps->line;
    return 1;
}

static void
dir_stmt_account(struct dir_parser *ps, struct dir_stmt_args *a)
{
    struct dir_user *u = &ps->cur->e.user;
    const char *why;
    if (!dir_once(ps, &ps->cur->account_line, "ACCOUNT")) {
        return;
    }
    if ((why = dir_parse_name(a->tok[1], u->account)) != NULL) {
        BAD("ACCOUNT %s: %s", a->tok[1], why);
    }
    if (a->n > 2 && (why = dir_parse_name(a->tok[2], u->distcode)) != NULL) {
        BAD("ACCOUNT distribution code %s: %s", a->tok[2], why);
    }
}

static void
dir_stmt_ipl(struct dir_parser *ps, struct dir_stmt_args *a)
{
    struct dir_user *u = &ps->cur->e.user;
    const char *why;
    if (!dir_once(ps, &ps->cur->ipl_line, "IPL")) {
        return;
    }
    if ((why = dir_parse_ipl(a->tok[1], u->ipl)) != NULL) {
        BAD("IPL %s: %s", a->tok[1], why);
    }
    if (a->n == 2) {
        return;
    }
    if (strcasecmp(a->tok[2], "PARM") != 0) {
        BAD("IPL: expected PARM after the system name, found '%s'", a->tok[2]);
        return;
    }
    const char *parm = a->n > 3 ? a->rest[3] : "";
    size_t len = strlen(parm);
    while (len > 0 && isspace((unsigned char)parm[len - 1])) {
        len--;
    }
    if (len > DIR_IPLPARM_MAX) {
        BAD("IPL PARM is longer than %d characters", DIR_IPLPARM_MAX);
        return;
    }
    memcpy(u->iplparm, parm, len);
    u->iplparm[len] = '\0';
    for (char *p = u->iplparm; *p; p++) {
        if (*p == '\t') {
            *p = ' ';
        }
    }
}

static void
dir_stmt_option(struct dir_parser *ps, struct dir_stmt_args *a)
{
    for (int i = 1; i < a->n; i++) {
        unsigned bit = 0;
        const char *why = dir_parse_option(a->tok[i], &bit);
        if (why != NULL) {
            BAD("OPTION %s: %s", a->tok[i], why);
        }
        ps->cur->e.user.options |= bit;
    }
}

static void
dir_stmt_share(struct dir_parser *ps, struct dir_stmt_args *a)
{
    if (!dir_once(ps, &ps->cur->share_line, "SHARE")) {
        return;
    }
    int i = 1;
    if (strcasecmp(a->tok[1], "ABSOLUTE") == 0) {
        BAD("SHARE ABSOLUTE is not supported; use SHARE RELATIVE n");
        return;
    }
    if (strcasecmp(a->tok[1], "RELATIVE") == 0) {
        i = 2;
    }
    if (i >= a->n || i + 1 != a->n) {
        BAD("SHARE takes one number: SHARE [RELATIVE] n");
        return;
    }
    const char *why = dir_parse_share(a->tok[i], &ps->cur->e.user.share);
    if (why != NULL) {
        BAD("SHARE %s: %s", a->tok[i], why);
    }
}

/* A device type operand: four digits (3215, 2540, 1403, ...). */
static int
dir_is_devtype(const char *s)
{
    return strlen(s) == 4 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
           isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]);
}

static void
dir_stmt_console(struct dir_parser *ps, struct dir_stmt_args *a)
{
    struct dir_user *u = &ps->cur->e.user;
    if (!dir_once(ps, &ps->cur->lines.console, "CONSOLE")) {
        return;
    }
    const char *why = dir_parse_vaddr(a->tok[1], &u->console_vaddr);
    if (why != NULL) {
        BAD("CONSOLE %s: %s", a->tok[1], why);
    }
    for (int i = 2; i < a->n; i++) {
        char c;
        if (i == 2 && dir_is_devtype(a->tok[i])) {
            continue;
        }
        if (dir_parse_spclass(a->tok[i], &c) != NULL || c == '*' || i + 1 != a->n) {
            BAD("CONSOLE: unexpected '%s' (expected: CONSOLE vaddr [devtype] [class])", a->tok[i]);
            return;
        }
        u->console_class = c;
    }
}

static void
dir_stmt_spool(struct dir_parser *ps, struct dir_stmt_args *a)
{
    struct dir_user *u = &ps->cur->e.user;
    struct dir_spool s = {0, 0, 0};
    int kind = -1;
    const char *why = dir_parse_vaddr(a->tok[1], &s.vaddr);
    if (why != NULL) {
        BAD("SPOOL %s: %s", a->tok[1], why);
        return;
    }
    for (int i = 2; i < a->n; i++) {
        int k = dir_spool_kind_parse(a->tok[i]);
        if (k >= 0 && kind < 0) {
            kind = k;
        } else if (i == 2 && dir_is_devtype(a->tok[i])) {
            /* The device type says which kind only for the classic ones. */
            kind = strcmp(a->tok[i], "3505") == 0 ? DIR_SPOOL_READER
                 : strcmp(a->tok[i], "3525") == 0 ? DIR_SPOOL_PUNCH
                 : strcmp(a->tok[i], "1403") == 0 || strcmp(a->tok[i], "3211") == 0 ||
                           strcmp(a->tok[i], "3203") == 0 || strcmp(a->tok[i], "3800") == 0
                     ? DIR_SPOOL_PRINTER
                     : -1;
        } else if (i + 1 == a->n && dir_parse_spclass(a->tok[i], &s.spclass) == NULL) {
            /* the class */
        } else {
            BAD("SPOOL: unexpected '%s' (expected: SPOOL vaddr [devtype] [READER|PUNCH|PRINTER] [class])",
                a->tok[i]);
            return;
        }
    }
    if (kind < 0) {
        kind = s.vaddr == 0x00C ? DIR_SPOOL_READER : s.vaddr == 0x00D ? DIR_SPOOL_PUNCH
             : s.vaddr == 0x00E ? DIR_SPOOL_PRINTER : -1;
    }
    if (kind < 0) {
        BAD("SPOOL %03X: say READER, PUNCH or PRINTER", s.vaddr);
        return;
    }
    s.kind = (uint8_t)kind;
    if (s.spclass == 0) {
        s.spclass = kind == DIR_SPOOL_READER ? '*' : 'A';
    }
    if (u->n_spool >= DIR_SPOOL_MAX) {
        BAD("%s: more than %d SPOOL statements", u->userid, DIR_SPOOL_MAX);
        return;
    }
    ps->cur->lines.spool[u->n_spool] = ps->line;
    u->spool[u->n_spool++] = s;
}

static void
dir_stmt_link(struct dir_parser *ps, struct dir_stmt_args *a)
{
    struct dir_pentry *p = ps->cur;
    struct dir_link l = {0};
    const char *why;
    if ((why = dir_parse_userid(a->tok[1], l.target)) != NULL) {
        BAD("LINK %s: %s", a->tok[1], why);
    } else if ((why = dir_parse_vaddr(a->tok[2], &l.target_vaddr)) != NULL) {
        BAD("LINK %s %s: %s", a->tok[1], a->tok[2], why);
    } else if ((why = dir_parse_vaddr(a->tok[3], &l.vaddr)) != NULL) {
        BAD("LINK %s %s %s: %s", a->tok[1], a->tok[2], a->tok[3], why);
    } else if (a->n > 4 && (l.mode = dir_mode_parse(a->tok[4])) < 0) {
        BAD("LINK: bad mode '%s' (R, RR, W, WR, M, MR or MW)", a->tok[4]);
    } else {
        if (a->n == 4) {
            l.mode = DIR_MODE_RR;
        }
        snprintf(l.userid, sizeof l.userid, "%s", p->e.user.userid);
        struct dir_link *slot = dir_pentry_push(ps, (void **)&p->e.links, &p->lines.link, &p->e.n_links,
                                                &p->cap_links, sizeof l);
        if (slot != NULL) {
            *slot = l;
        }
    }
}

static void
dir_stmt_mdisk(struct dir_parser *ps, struct dir_stmt_args *a)
{
    struct dir_pentry *p = ps->cur;
    struct dir_mdisk m = {0};
    m.mode = DIR_MODE_W;
    const char *why;
    if ((why = dir_parse_vaddr(a->tok[1], &m.vaddr)) != NULL) {
        BAD("MDISK %s: %s", a->tok[1], why);
        return;
    }
    if ((why = dir_parse_blocks(a->tok[2], &m.blocks)) != NULL) {
        BAD("MDISK %03X size %s: %s (a number of 4K blocks, or bytes as in 10M)", m.vaddr, a->tok[2], why);
        return;
    }
    if (a->n > 3 && (m.mode = dir_mode_parse(a->tok[3])) < 0) {
        BAD("MDISK %03X: bad mode '%s' (R, RR, W, WR, M, MR or MW)", m.vaddr, a->tok[3]);
        return;
    }
    char *pws[] = {m.readpw, m.writepw, m.multipw};
    for (int i = 4; i < a->n; i++) {
        if ((why = dir_parse_linkpw(a->tok[i], pws[i - 4])) != NULL) {
            BAD("MDISK %03X: %s", m.vaddr, why);
            return;
        }
    }
    snprintf(m.owner, sizeof m.owner, "%s", p->e.user.userid);
    dir_image_name(m.owner, m.vaddr, m.image);
    struct dir_mdisk *slot = dir_pentry_push(ps, (void **)&p->e.mdisks, &p->lines.mdisk, &p->e.n_mdisks,
                                             &p->cap_mdisks, sizeof m);
    if (slot != NULL) {
        *slot = m;
    }
}

static void
dir_stmt_sshkey(struct dir_parser *ps, struct dir_stmt_args *a)
{
    struct dir_pentry *p = ps->cur;
    struct dir_key *k = malloc(sizeof *k);
    if (k == NULL) {
        ps->oom = 1;
        return;
    }
    const char *why = dir_parse_key_line(a->rest[1], k);
    if (why != NULL) {
        BAD("SSHKEY: %s", why);
    } else {
        struct dir_key *slot = dir_pentry_push(ps, (void **)&p->e.keys, &p->lines.key, &p->e.n_keys,
                                               &p->cap_keys, sizeof *k);
        if (slot != NULL) {
            *slot = *k;
        }
    }
    free(k);
}

static const struct dir_stmt {
    const char *name;
    int min_ops, max_ops; /* operands after the keyword */
    void (*fn)(struct dir_parser *ps, struct dir_stmt_args *a);
    const char *usage;
} dir_stmts[] = {
    {"USER", 2, 5, dir_stmt_user, "USER userid password [storage [maxstorage [classes]]]"},
    {"ACCOUNT", 1, 2, dir_stmt_account, "ACCOUNT number [distcode]"},
    {"IPL", 1, DIR_TOKENS, dir_stmt_ipl, "IPL name-or-vaddr [PARM text]"},
    {"OPTION", 1, 8, dir_stmt_option, "OPTION name..."},
    {"SHARE", 1, 2, dir_stmt_share, "SHARE [RELATIVE] n"},
    {"CONSOLE", 1, 3, dir_stmt_console, "CONSOLE vaddr [devtype] [class]"},
    {"SPOOL", 1, 4, dir_stmt_spool, "SPOOL vaddr [devtype] [READER|PUNCH|PRINTER] [class]"},
    {"LINK", 3, 4, dir_stmt_link, "LINK userid vaddr1 vaddr2 [mode]"},
    {"MDISK", 2, 6, dir_stmt_mdisk, "MDISK vaddr size [mode [readpw [writepw [multipw]]]]"},
    {"SSHKEY", 2, DIR_TOKENS, dir_stmt_sshkey, "SSHKEY type base64 [comment]"},
};

/* Splits line (modified in place) into blank-separated tokens. */
static void
dir_tokenize(char *line, const char *orig, struct dir_stmt_args *a)
{
    a->n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        if (a->n == DIR_TOKENS) {
            a->n++; /* "too many" */
            break;
        }
        a->rest[a->n] = orig + (p - line);
        a->tok[a->n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\t') {
            p++;
        }
        if (*p != '\0') {
            *p++ = '\0';
        }
    }
}

static void
dir_parse_line(struct dir_parser *ps, const char *orig, char *work)
{
    struct dir_stmt_args a;
    dir_tokenize(work, orig, &a);
    if (a.n == 0 || a.tok[0][0] == '*') {
        return;
    }
    const struct dir_stmt *s = NULL;
    for (size_t i = 0; i < sizeof dir_stmts / sizeof dir_stmts[0]; i++) {
        if (strcasecmp(a.tok[0], dir_stmts[i].name) == 0) {
            s = &dir_stmts[i];
        }
    }
    if (s == NULL) {
        BAD("unknown statement '%s' (known: USER ACCOUNT IPL OPTION SHARE CONSOLE SPOOL LINK MDISK SSHKEY)",
            a.tok[0]);
        return;
    }
    /* SSHKEY comments and IPL PARM text may hold any number of words. */
    int unlimited = s->max_ops >= DIR_TOKENS - 1;
    if (a.n - 1 < s->min_ops || (!unlimited && a.n - 1 > s->max_ops) || (a.n > DIR_TOKENS && !unlimited)) {
        BAD("%s: wrong number of operands (expected: %s)", s->name, s->usage);
        return;
    }
    if (s->fn != dir_stmt_user && ps->cur == NULL) {
        BAD("%s before the first USER statement", s->name);
        return;
    }
    s->fn(ps, &a);
}

/* Parses the whole text into ps->ents; problems go to ps->g. */
static void
dir_parse_text(struct dir_parser *ps, const char *text, size_t len)
{
    char *orig = malloc(DIR_LINE_MAX + 1);
    char *work = malloc(DIR_LINE_MAX + 1);
    if (orig == NULL || work == NULL) {
        ps->oom = 1;
    }
    size_t pos = 0;
    while (!ps->oom && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        ps->line++;
        if (n > 0 && text[pos + n - 1] == '\r') {
            n--;
        }
        if (memchr(text + pos, '\0', n) != NULL) {
            BAD("the line contains a NUL byte");
        } else if (n > DIR_LINE_MAX) {
            BAD("the line is longer than %d characters", DIR_LINE_MAX);
        } else {
            memcpy(orig, text + pos, n);
            orig[n] = '\0';
            memcpy(work, orig, n + 1);
            dir_parse_line(ps, orig, work);
        }
        pos = end + 1;
    }
    free(orig);
    free(work);
}

#undef BAD

/* Hashes plain passwords and makes GENERATE'd ones (not in check mode,
 * where a placeholder stands in).  0 or a negative errno. */
static int
dir_text_passwords(struct dir *d, struct dir_parser *ps, int check)
{
    for (size_t i = 0; i < ps->n; i++) {
        struct dir_pentry *p = &ps->ents[i];
        const char *plain = p->plain;
        if (p->plain[0] == '\0' && !p->generate) {
            continue;
        }
        if (check) {
            snprintf(p->e.password, sizeof p->e.password, "NOLOG");
            continue;
        }
        if (p->generate) {
            int rc = passwd_generate(p->made, sizeof p->made);
            if (rc != 0) {
                return dir_fail(d, rc, "no randomness for a new password");
            }
            plain = p->made;
        }
        int rc = passwd_hash(plain, p->e.password, sizeof p->e.password);
        if (rc != 0) {
            return dir_fail(d, rc, "cannot hash the password of %s", p->e.user.userid);
        }
    }
    return 0;
}

/* Errors are collected, then handed on sorted by line. */
struct dir_errlist {
    struct dir_err {
        int line;
        unsigned seq;
        char *msg;
    } *v;
    size_t n, cap;
};

static void
dir_errlist_add(void *arg, int line, const char *msg)
{
    struct dir_errlist *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct dir_err *p = realloc(l->v, cap * sizeof *p);
        if (p == NULL) {
            return; /* counted by the diag all the same */
        }
        l->v = p;
        l->cap = cap;
    }
    char *m = strdup(msg);
    if (m != NULL) {
        l->v[l->n] = (struct dir_err){line, (unsigned)l->n, m};
        l->n++;
    }
}

static int
dir_err_cmp(const void *a, const void *b)
{
    const struct dir_err *x = a, *y = b;
    if (x->line != y->line) {
        return x->line < y->line ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
dir_errlist_flush(struct dir_errlist *l, struct dir_report *rep)
{
    if (l->n > 1) {
        qsort(l->v, l->n, sizeof *l->v, dir_err_cmp);
    }
    for (size_t i = 0; i < l->n; i++) {
        if (rep->error != NULL) {
            rep->error(rep->arg, l->v[i].line, l->v[i].msg);
        }
        free(l->v[i].msg);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/*
 * LINKs whose target the text itself settles: the target user is in the
 * text and lacks the disk, or (replace mode) is not in the text at all.
 * The rest (merge mode, target only in the database) the writer checks.
 */
static void
dir_text_check_links(struct dir_parser *ps, int merge)
{
    for (size_t i = 0; i < ps->n; i++) {
        const struct dir_pentry *p = &ps->ents[i];
        for (size_t k = 0; k < p->e.n_links; k++) {
            const struct dir_link *l = &p->e.links[k];
            const struct dir_pentry *t = NULL;
            for (size_t j = 0; j < ps->n; j++) {
                if (strcmp(ps->ents[j].e.user.userid, l->target) == 0) {
                    t = &ps->ents[j];
                }
            }
            int found = 0;
            for (size_t j = 0; t != NULL && j < t->e.n_mdisks; j++) {
                found |= t->e.mdisks[j].vaddr == l->target_vaddr;
            }
            if (t != NULL && !found) {
                dir_diag(ps->g, p->lines.link[k], "%s: LINK %s %03X: %s has no minidisk %03X", p->e.user.userid,
                         l->target, l->target_vaddr, l->target, l->target_vaddr);
            } else if (t == NULL && !merge) {
                dir_diag(ps->g, p->lines.link[k], "%s: LINK %s %03X: there is no user %s in the text",
                         p->e.user.userid, l->target, l->target_vaddr, l->target);
            }
        }
    }
}

int
dir_import(struct dir *d, const char *text, size_t len, unsigned flags, struct dir_report *rep)
{
    struct dir_report none = {0};
    if (rep == NULL) {
        rep = &none;
    }
    rep->errors = rep->users = rep->added = rep->changed = rep->removed = 0;
    struct dir_errlist errs = {0};
    struct dir_diag g = {dir_errlist_add, &errs, 0};
    struct dir_parser ps = {0};
    ps.g = &g;
    dir_parse_text(&ps, text, len);
    int rc = ps.oom ? dir_fail(d, -ENOMEM, "out of memory") : 0;
    for (size_t i = 0; rc == 0 && i < ps.n; i++) {
        dir_entry_check(&ps.ents[i].e, &ps.ents[i].lines, &g);
    }
    if (rc == 0) {
        dir_text_check_links(&ps, (flags & DIR_IMPORT_MERGE) != 0);
    }
    if (rc == 0 && ps.n == 0 && g.n == 0 && !(flags & DIR_IMPORT_MERGE)) {
        dir_diag(&g, 0, "the text defines no users (an import replaces the whole directory)");
    }
    rep->users = (unsigned)ps.n;
    if (rc == 0 && g.n != 0) {
        rc = dir_fail(d, -EINVAL, "%u error%s; nothing was changed", g.n, g.n == 1 ? "" : "s");
    }
    if (rc == 0) {
        rc = dir_text_passwords(d, &ps, (flags & DIR_IMPORT_CHECK) != 0);
    }
    struct dir_store_item *items = rc == 0 ? calloc(ps.n + 1, sizeof *items) : NULL;
    if (rc == 0 && items == NULL) {
        rc = dir_fail(d, -ENOMEM, "out of memory");
    }
    if (rc == 0) {
        for (size_t i = 0; i < ps.n; i++) {
            items[i].e = &ps.ents[i].e;
            items[i].lines = &ps.ents[i].lines;
            items[i].initial = (flags & DIR_IMPORT_INITIAL) && ps.ents[i].generate;
        }
        unsigned sflags = 0;
        sflags |= (flags & DIR_IMPORT_CHECK) ? DIR_STORE_DRY : 0;
        sflags |= (flags & DIR_IMPORT_MERGE) ? 0 : DIR_STORE_REPLACE_ALL;
        rc = dir_store(d, items, ps.n, sflags, &g, rep);
        if (rc == -EINVAL && g.n != 0) {
            dir_fail(d, rc, "%u error%s; nothing was changed", g.n, g.n == 1 ? "" : "s");
        }
    }
    if (rc == 0 && !(flags & DIR_IMPORT_CHECK) && rep->password != NULL) {
        for (size_t i = 0; i < ps.n; i++) {
            if (ps.ents[i].generate) {
                rep->password(rep->arg, ps.ents[i].e.user.userid, ps.ents[i].made);
            }
        }
    }
    rep->errors = g.n;
    dir_errlist_flush(&errs, rep);
    free(items);
    for (size_t i = 0; i < ps.n; i++) {
        dir_pentry_free(&ps.ents[i]);
    }
    free(ps.ents);
    dir_pentry_free(&ps.scratch);
    return rc;
}
