// SPDX-License-Identifier: MIT
/*
 * cp/dir_cli.c - `vmrv directory`: the operator's tool for the user
 * directory.  A table of subcommands (list, show, add, delete, change,
 * passwd, import, export, check, init); each is a thin layer over cp/dir.h,
 * so the CLI keeps exactly the rules CP's own commands keep.  Output goes
 * to stdout, errors to stderr as "vmrv directory: ..."; exit codes are in
 * dir_cli_help below.  Edits of `change` are done on a copy of the entry
 * and written back in one transaction (dir_entry_put).
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cp/datadir.h"
#include "cp/dir_int.h"
#include "cp/passwd.h"
#include "cp/vmrv.h"

/* Exit codes. */
enum {
    EX_OK = 0,
    EX_REFUSED = 1, /* no such user, exists, bad value, errors in the file, not confirmed */
    EX_USAGE = 2,   /* unknown command or option, missing operand */
    EX_SYSTEM = 3,  /* the data folder or database cannot be used */
};

struct cli {
    const char *datadir;
    struct dir *d;
    int yes;
    const char *file; /* for import error messages */
};

static void
cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vmrv directory: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A failed dir_ call: print its message, map its code to an exit code. */
static int
cli_fail(struct cli *c, int rc)
{
    cli_err("%s", dir_errmsg(c->d));
    switch (rc) {
    case -ENOENT:
    case -EEXIST:
    case -EINVAL:
    case -EACCES:
        return EX_REFUSED;
    default:
        return EX_SYSTEM;
    }
}

static int
cli_usage(const char *fmt, const char *arg)
{
    fputs("vmrv directory: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(vmrv directory --help shows the commands)\n", stderr);
    return EX_USAGE;
}

/* Asks a yes/no question on the terminal; without one, only --yes says yes. */
static int
cli_confirm(struct cli *c, const char *question)
{
    if (c->yes) {
        return 1;
    }
    if (!isatty(STDIN_FILENO)) {
        cli_err("%s: refused without --yes (standard input is not a terminal)", question);
        return 0;
    }
    fprintf(stderr, "%s [y/N] ", question);
    char buf[16];
    if (fgets(buf, sizeof buf, stdin) == NULL) {
        return 0;
    }
    return buf[0] == 'y' || buf[0] == 'Y';
}

/* Reads one line (without its newline) into buf; the terminal does not
 * echo it when stdin is one.  0, or -1 at end of input. */
static int
cli_read_secret(const char *prompt, char *buf, size_t len)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *r = fgets(buf, (int)len, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (r == NULL) {
        return -1;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* A new password from stdin: prompted twice on a terminal, else one line. */
static int
cli_new_password(const char *userid, char *buf, size_t len)
{
    char prompt[64], again[PASSWD_MAX_LEN + 2];
    snprintf(prompt, sizeof prompt, "New password for %s: ", userid);
    if (cli_read_secret(prompt, buf, len) != 0) {
        cli_err("no password given on standard input");
        return EX_REFUSED;
    }
    if (isatty(STDIN_FILENO)) {
        if (cli_read_secret("Again: ", again, sizeof again) != 0 || strcmp(again, buf) != 0) {
            explicit_bzero(again, sizeof again);
            cli_err("the two passwords differ; nothing was changed");
            return EX_REFUSED;
        }
        explicit_bzero(again, sizeof again);
    }
    const char *why = passwd_policy(buf);
    if (why != NULL) {
        cli_err("%s", why);
        return EX_REFUSED;
    }
    return EX_OK;
}

/* ---- list and show -------------------------------------------------------- */

static int
cli_list(struct cli *c, int argc, char **argv)
{
    if (argc != 1) {
        return cli_usage("list takes no operands", NULL);
    }
    struct dir_user *u = NULL;
    size_t n = 0;
    int rc = dir_user_list(c->d, &u, &n);
    if (rc != 0) {
        return cli_fail(c, rc);
    }
    printf("%-8s %-8s %-8s %-8s %-5s %s\n", "USERID", "STORAGE", "MAXSTOR", "IPL", "DISKS", "CLASSES");
    for (size_t i = 0; i < n; i++) {
        char st[32], mx[32];
        struct dir_mdisk *m = NULL;
        size_t nm = 0;
        dir_mdisk_list(c->d, u[i].userid, &m, &nm);
        free(m);
        dir_format_storage(u[i].storage, st, sizeof st);
        dir_format_storage(u[i].maxstorage, mx, sizeof mx);
        printf("%-8s %-8s %-8s %-8s %-5zu %s%s\n", u[i].userid, st, mx, u[i].ipl[0] ? u[i].ipl : "-", nm,
               u[i].classes, u[i].nolog ? "  (NOLOG)" : "");
    }
    free(u);
    return EX_OK;
}

static void
cli_show_entry(const struct dir_entry *e)
{
    const struct dir_user *u = &e->user;
    char st[32], mx[32], opts[128];
    dir_format_storage(u->storage, st, sizeof st);
    dir_format_storage(u->maxstorage, mx, sizeof mx);
    dir_options_format(u->options, opts, sizeof opts);
    printf("Userid:     %s\n", u->userid);
    printf("Logon:      %s, %zu SSH key%s\n", u->nolog ? "NOLOG (cannot log on)" : "password", e->n_keys,
           e->n_keys == 1 ? "" : "s");
    printf("Storage:    %s (maximum %s)\n", st, mx);
    printf("Classes:    %s\n", u->classes);
    printf("IPL:        %s%s%s\n", u->ipl[0] ? u->ipl : "-", u->iplparm[0] ? " PARM " : "", u->iplparm);
    printf("Share:      relative %u\n", u->share);
    printf("Account:    %s%s%s\n", u->account[0] ? u->account : "-", u->distcode[0] ? " " : "", u->distcode);
    printf("Options:    %s\n", opts[0] ? opts : "-");
    printf("Console:    %03X class %c\n", u->console_vaddr, u->console_class);
    for (unsigned i = 0; i < u->n_spool; i++) {
        printf("Spool:      %03X %s class %c\n", u->spool[i].vaddr, dir_spool_kind_name(u->spool[i].kind),
               u->spool[i].spclass);
    }
    for (size_t i = 0; i < e->n_mdisks; i++) {
        const struct dir_mdisk *m = &e->mdisks[i];
        char size[32];
        dir_format_blocks(m->blocks, size, sizeof size);
        printf("Minidisk:   %03X %s (%llu blocks) %s, passwords: %s %s %s, image %s\n", m->vaddr, size,
               (unsigned long long)m->blocks, dir_mode_name(m->mode), m->readpw[0] ? "read" : "-",
               m->writepw[0] ? "write" : "-", m->multipw[0] ? "multi" : "-", m->image);
    }
    for (size_t i = 0; i < e->n_links; i++) {
        const struct dir_link *l = &e->links[i];
        printf("Link:       %s %03X as %03X %s\n", l->target, l->target_vaddr, l->vaddr, dir_mode_name(l->mode));
    }
    for (size_t i = 0; i < e->n_keys; i++) {
        const struct dir_key *k = &e->keys[i];
        size_t len = strlen(k->data);
        printf("Key %d:      %s %.12s...%s %s\n", k->n, k->type, k->data, len > 8 ? k->data + len - 8 : "",
               k->comment);
    }
}

static int
cli_show(struct cli *c, int argc, char **argv)
{
    if (argc != 2) {
        return cli_usage("show takes one USERID", NULL);
    }
    struct dir_entry e;
    int rc = dir_entry_get(c->d, argv[1], &e);
    if (rc != 0) {
        return cli_fail(c, rc);
    }
    cli_show_entry(&e);
    dir_entry_free(&e);
    return EX_OK;
}

/* ---- add and change: the edit options --------------------------------------- */

struct cli_edit {
    struct dir_entry *e;
    int mdisk_removed; /* --remove-mdisk was given */
    int keep_images;   /* --keep-images: leave their image files */
    int key_remove[64];
    int n_key_remove;
};

/* Appends one element to an entry array (generic). */
static void *
cli_push(void **arr, size_t *n, size_t elem)
{
    void *p = realloc(*arr, (*n + 1) * elem);
    if (p == NULL) {
        return NULL;
    }
    *arr = p;
    void *slot = (char *)p + (*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

static int
cli_add_keys(struct cli_edit *ed, const char *file)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (f == NULL) {
        cli_err("cannot read %s: %s", file, strerror(errno));
        return EX_REFUSED;
    }
    char line[DIR_KEY_DATA_MAX * 2 + DIR_KEY_COMMENT_MAX];
    int lineno = 0, added = 0, rc = EX_OK;
    while (rc == EX_OK && fgets(line, sizeof line, f) != NULL) {
        lineno++;
        const char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\0') {
            continue;
        }
        struct dir_key *k = cli_push((void **)&ed->e->keys, &ed->e->n_keys, sizeof *k);
        const char *why = k ? dir_parse_key_line(p, k) : "out of memory";
        if (why != NULL) {
            cli_err("%s:%d: %s", file, lineno, why);
            rc = EX_REFUSED;
        }
        added++;
    }
    if (f != stdin) {
        fclose(f);
    }
    if (rc == EX_OK && added == 0) {
        cli_err("%s holds no key", file);
        rc = EX_REFUSED;
    }
    return rc;
}

/* Takes the operands of a multi-operand option: the words up to the next
 * one that starts with "--".  Returns how many (at most max). */
static int
cli_operands(int argc, char **argv, int i, int max)
{
    int n = 0;
    while (i + 1 + n < argc && n < max && strncmp(argv[i + 1 + n], "--", 2) != 0) {
        n++;
    }
    return n;
}

#define NEED(k)                                                                                            \
    do {                                                                                                   \
        if (i + (k) >= argc) {                                                                             \
            return cli_usage("%s needs a value", opt);                                                     \
        }                                                                                                  \
    } while (0)
#define BADVAL(why)                                                                                        \
    do {                                                                                                   \
        cli_err("%s %s: %s", opt, argv[i], why);                                                           \
        return EX_REFUSED;                                                                                 \
    } while (0)

/* Applies one option at argv[*pi] to the entry; moves *pi past its values. */
static int
cli_edit_option(struct cli *c, struct cli_edit *ed, int argc, char **argv, int *pi)
{
    int i = *pi;
    const char *opt = argv[i];
    struct dir_user *u = &ed->e->user;
    const char *why = NULL;
    if (strcmp(opt, "--password") == 0) {
        NEED(1);
        i++;
        char pw[PASSWD_MAX_LEN + 2];
        if (strcmp(argv[i], "-") == 0) {
            int rc = cli_new_password(u->userid, pw, sizeof pw);
            if (rc != EX_OK) {
                return rc;
            }
        } else {
            snprintf(pw, sizeof pw, "%s", argv[i]);
        }
        int rc = strcmp(pw, "NOLOG") == 0 ? (snprintf(ed->e->password, DIR_HASH_MAX, "NOLOG"), 0)
                                          : passwd_hash(pw, ed->e->password, sizeof ed->e->password);
        explicit_bzero(pw, sizeof pw);
        if (rc != 0) {
            cli_err("--password: %s", rc == -EINVAL ? passwd_policy(argv[i]) ?: "not allowed" : strerror(-rc));
            return EX_REFUSED;
        }
    } else if (strcmp(opt, "--nolog") == 0) {
        snprintf(ed->e->password, DIR_HASH_MAX, "NOLOG");
    } else if (strcmp(opt, "--storage") == 0 || strcmp(opt, "--maxstorage") == 0) {
        NEED(1);
        i++;
        uint64_t v;
        if ((why = dir_parse_storage(argv[i], &v)) != NULL) {
            BADVAL(why);
        }
        if (opt[2] == 's') {
            u->storage = v;
            if (u->maxstorage < v) {
                u->maxstorage = v;
            }
        } else {
            u->maxstorage = v;
        }
    } else if (strcmp(opt, "--classes") == 0) {
        NEED(1);
        i++;
        if ((why = dir_parse_classes(argv[i], u->classes)) != NULL) {
            BADVAL(why);
        }
    } else if (strcmp(opt, "--ipl") == 0) {
        NEED(1);
        i++;
        if (strcasecmp(argv[i], "none") == 0) {
            u->ipl[0] = u->iplparm[0] = '\0';
        } else if ((why = dir_parse_ipl(argv[i], u->ipl)) != NULL) {
            BADVAL(why);
        }
    } else if (strcmp(opt, "--ipl-parm") == 0) {
        NEED(1);
        i++;
        if (strlen(argv[i]) > DIR_IPLPARM_MAX) {
            BADVAL("longer than 240 characters");
        }
        snprintf(u->iplparm, sizeof u->iplparm, "%s", argv[i]);
    } else if (strcmp(opt, "--share") == 0) {
        NEED(1);
        i++;
        if ((why = dir_parse_share(argv[i], &u->share)) != NULL) {
            BADVAL(why);
        }
    } else if (strcmp(opt, "--account") == 0 || strcmp(opt, "--distcode") == 0) {
        NEED(1);
        i++;
        char *field = opt[2] == 'a' ? u->account : u->distcode;
        if (strcasecmp(argv[i], "none") == 0) {
            field[0] = '\0';
        } else if ((why = dir_parse_name(argv[i], field)) != NULL) {
            BADVAL(why);
        }
    } else if (strcmp(opt, "--option") == 0 || strcmp(opt, "--no-option") == 0) {
        NEED(1);
        i++;
        unsigned bit;
        if ((why = dir_parse_option(argv[i], &bit)) != NULL) {
            BADVAL(why);
        }
        u->options = opt[2] == 'o' ? u->options | bit : u->options & ~bit;
    } else if (strcmp(opt, "--add-key") == 0) {
        NEED(1);
        i++;
        int rc = cli_add_keys(ed, argv[i]);
        if (rc != EX_OK) {
            return rc;
        }
    } else if (strcmp(opt, "--remove-key") == 0) {
        NEED(1);
        i++;
        char *end;
        long n = strtol(argv[i], &end, 10);
        if (*end != '\0' || n < 1 || (size_t)n > ed->e->n_keys) {
            BADVAL("no key with that number (vmrv directory show lists them)");
        }
        if (ed->n_key_remove < (int)(sizeof ed->key_remove / sizeof ed->key_remove[0])) {
            ed->key_remove[ed->n_key_remove++] = (int)n;
        }
    } else if (strcmp(opt, "--add-mdisk") == 0 || strcmp(opt, "--resize-mdisk") == 0) {
        int grow = opt[2] == 'r';
        int n = cli_operands(argc, argv, i, grow ? 2 : 6);
        if (n < 2) {
            return cli_usage(grow ? "%s needs VADDR SIZE" : "%s needs VADDR SIZE [MODE [RPW [WPW [MPW]]]]", opt);
        }
        uint16_t vaddr;
        uint64_t blocks;
        i++;
        if ((why = dir_parse_vaddr(argv[i], &vaddr)) != NULL) {
            BADVAL(why);
        }
        i++;
        if ((why = dir_parse_blocks(argv[i], &blocks)) != NULL) {
            BADVAL(why);
        }
        struct dir_mdisk *m = NULL;
        for (size_t k = 0; k < ed->e->n_mdisks; k++) {
            if (ed->e->mdisks[k].vaddr == vaddr) {
                m = &ed->e->mdisks[k];
            }
        }
        if (grow) {
            if (m == NULL) {
                cli_err("%s has no minidisk %03X", u->userid, vaddr);
                return EX_REFUSED;
            }
            m->blocks = blocks;
        } else {
            if (m != NULL) {
                cli_err("%s already has a minidisk %03X", u->userid, vaddr);
                return EX_REFUSED;
            }
            m = cli_push((void **)&ed->e->mdisks, &ed->e->n_mdisks, sizeof *m);
            if (m == NULL) {
                cli_err("out of memory");
                return EX_SYSTEM;
            }
            m->vaddr = vaddr;
            m->blocks = blocks;
            m->mode = DIR_MODE_W;
            snprintf(m->owner, sizeof m->owner, "%s", u->userid);
            if (n > 2 && (m->mode = dir_mode_parse(argv[++i])) < 0) {
                BADVAL("a mode is R, RR, W, WR, M, MR or MW");
            }
            char *pws[] = {m->readpw, m->writepw, m->multipw};
            for (int k = 3; k < n; k++) {
                i++;
                if ((why = dir_parse_linkpw(argv[i], pws[k - 3])) != NULL) {
                    BADVAL(why);
                }
            }
        }
    } else if (strcmp(opt, "--remove-mdisk") == 0 || strcmp(opt, "--remove-link") == 0) {
        NEED(1);
        i++;
        uint16_t vaddr;
        if ((why = dir_parse_vaddr(argv[i], &vaddr)) != NULL) {
            BADVAL(why);
        }
        int mdisk = opt[9] == 'm';
        size_t *n = mdisk ? &ed->e->n_mdisks : &ed->e->n_links;
        size_t found = *n;
        for (size_t k = 0; k < *n; k++) {
            if ((mdisk ? ed->e->mdisks[k].vaddr : ed->e->links[k].vaddr) == vaddr) {
                found = k;
            }
        }
        if (found == *n) {
            cli_err("%s has no %s at %03X", u->userid, mdisk ? "minidisk" : "LINK", vaddr);
            return EX_REFUSED;
        }
        if (mdisk) {
            memmove(&ed->e->mdisks[found], &ed->e->mdisks[found + 1], (*n - found - 1) * sizeof *ed->e->mdisks);
            ed->mdisk_removed = 1;
        } else {
            memmove(&ed->e->links[found], &ed->e->links[found + 1], (*n - found - 1) * sizeof *ed->e->links);
        }
        (*n)--;
    } else if (strcmp(opt, "--add-link") == 0) {
        int n = cli_operands(argc, argv, i, 4);
        if (n < 3) {
            return cli_usage("%s needs USERID VADDR1 VADDR2 [MODE]", opt);
        }
        struct dir_link *l = cli_push((void **)&ed->e->links, &ed->e->n_links, sizeof *l);
        if (l == NULL) {
            cli_err("out of memory");
            return EX_SYSTEM;
        }
        snprintf(l->userid, sizeof l->userid, "%s", u->userid);
        l->mode = DIR_MODE_RR;
        i++;
        if ((why = dir_parse_userid(argv[i], l->target)) != NULL) {
            BADVAL(why);
        }
        i++;
        if ((why = dir_parse_vaddr(argv[i], &l->target_vaddr)) != NULL) {
            BADVAL(why);
        }
        i++;
        if ((why = dir_parse_vaddr(argv[i], &l->vaddr)) != NULL) {
            BADVAL(why);
        }
        if (n > 3 && (l->mode = dir_mode_parse(argv[++i])) < 0) {
            BADVAL("a mode is R, RR, W, WR, M, MR or MW");
        }
    } else if (strcmp(opt, "--yes") == 0) {
        c->yes = 1;
    } else if (strcmp(opt, "--keep-images") == 0) {
        ed->keep_images = 1;
    } else {
        return cli_usage("unknown option %s", opt);
    }
    *pi = i;
    return EX_OK;
}

#undef NEED
#undef BADVAL

/* Removes the keys --remove-key named (numbers of the original list). */
static void
cli_drop_keys(struct cli_edit *ed)
{
    size_t w = 0;
    for (size_t r = 0; r < ed->e->n_keys; r++) {
        int drop = 0;
        for (int k = 0; k < ed->n_key_remove; k++) {
            drop |= ed->e->keys[r].n == ed->key_remove[k];
        }
        if (!drop) {
            ed->e->keys[w++] = ed->e->keys[r];
        }
    }
    ed->e->n_keys = w;
}

static int
cli_edit_and_put(struct cli *c, struct dir_entry *e, int argc, char **argv, unsigned flags)
{
    struct cli_edit ed = {.e = e};
    for (int i = 2; i < argc; i++) {
        int rc = cli_edit_option(c, &ed, argc, argv, &i);
        if (rc != EX_OK) {
            return rc;
        }
    }
    cli_drop_keys(&ed);
    if (ed.mdisk_removed && !ed.keep_images) {
        if (!cli_confirm(c, "Remove the minidisk(s) and delete their image files (their data is lost)?")) {
            return EX_REFUSED;
        }
        flags |= DIR_PUT_REMOVE_IMAGES;
    }
    int rc = dir_entry_put(c->d, e, flags);
    if (rc != 0) {
        return cli_fail(c, rc);
    }
    if (ed.mdisk_removed && ed.keep_images) {
        printf("The image files of removed minidisks stay in %s/%s.\n", c->datadir, DATADIR_DISKS);
    }
    return EX_OK;
}

static int
cli_add(struct cli *c, int argc, char **argv)
{
    if (argc < 2 || strncmp(argv[1], "--", 2) == 0) {
        return cli_usage("add needs a USERID", NULL);
    }
    struct dir_entry e;
    if (dir_entry_init(&e, argv[1]) != 0) {
        char id[DIR_USERID_MAX + 1];
        cli_err("bad userid '%s': %s", argv[1], dir_parse_userid(argv[1], id));
        return EX_REFUSED;
    }
    int rc = cli_edit_and_put(c, &e, argc, argv, DIR_PUT_CREATE);
    if (rc == EX_OK) {
        printf("User %s added%s.\n", e.user.userid, strcmp(e.password, "NOLOG") == 0 ? " (NOLOG: set a password "
                                                                                      "to let it log on)" : "");
    }
    dir_entry_free(&e);
    return rc;
}

static int
cli_change(struct cli *c, int argc, char **argv)
{
    if (argc < 3 || strncmp(argv[1], "--", 2) == 0) {
        return cli_usage("change needs a USERID and at least one option", NULL);
    }
    struct dir_entry e;
    int rc = dir_entry_get(c->d, argv[1], &e);
    if (rc != 0) {
        return cli_fail(c, rc);
    }
    /* Keep the stored password unless an option sets one. */
    e.password[0] = '\0';
    rc = cli_edit_and_put(c, &e, argc, argv, DIR_PUT_UPDATE);
    if (rc == EX_OK) {
        printf("User %s changed.\n", e.user.userid);
    }
    dir_entry_free(&e);
    return rc;
}

static int
cli_delete(struct cli *c, int argc, char **argv)
{
    const char *userid = NULL;
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--yes") == 0) {
            c->yes = 1;
        } else if (strcmp(argv[i], "--keep-images") == 0) {
            keep = 1;
        } else if (argv[i][0] == '-' || userid != NULL) {
            return cli_usage("delete takes USERID [--yes] [--keep-images], not %s", argv[i]);
        } else {
            userid = argv[i];
        }
    }
    if (userid == NULL) {
        return cli_usage("delete needs a USERID", NULL);
    }
    struct dir_mdisk *m = NULL;
    size_t nm = 0;
    int rc = dir_mdisk_list(c->d, userid, &m, &nm);
    free(m);
    if (rc != 0) {
        return cli_fail(c, rc);
    }
    char q[160];
    snprintf(q, sizeof q, "Delete user %s%s?", userid,
             nm == 0 || keep ? "" : " and the image files of its minidisks (their data is lost)");
    if (!cli_confirm(c, q)) {
        return EX_REFUSED;
    }
    rc = dir_user_delete(c->d, userid, keep ? 0 : DIR_DELETE_IMAGES);
    if (rc != 0) {
        return cli_fail(c, rc);
    }
    printf("User %s deleted%s.\n", userid, keep && nm ? "; its images are kept" : "");
    return EX_OK;
}

static int
cli_passwd(struct cli *c, int argc, char **argv)
{
    if (argc != 2) {
        return cli_usage("passwd takes one USERID (the password comes from standard input)", NULL);
    }
    struct dir_user u;
    int rc = dir_user_get(c->d, argv[1], &u);
    if (rc != 0) {
        return cli_fail(c, rc);
    }
    char pw[PASSWD_MAX_LEN + 2];
    rc = cli_new_password(u.userid, pw, sizeof pw);
    if (rc == EX_OK) {
        int r = dir_password_set(c->d, u.userid, pw);
        rc = r != 0 ? cli_fail(c, r) : EX_OK;
    }
    explicit_bzero(pw, sizeof pw);
    if (rc == EX_OK) {
        printf("Password of %s changed.\n", u.userid);
    }
    return rc;
}

/* ---- import, check, export, init ---------------------------------------- */

static void
cli_report_error(void *arg, int line, const char *msg)
{
    struct cli *c = arg;
    if (line > 0) {
        fprintf(stderr, "%s:%d: %s\n", c->file, line, msg);
    } else {
        fprintf(stderr, "%s: %s\n", c->file, msg);
    }
}

static void
cli_report_password(void *arg, const char *userid, const char *password)
{
    printf("Password of %-8s %s\n", userid, password);
}

static void
cli_report_note(void *arg, const char *msg)
{
    printf("Note: %s\n", msg);
}

/* Reads FILE (or stdin for "-") whole.  NULL after printing why. */
static char *
cli_slurp(const char *file, size_t *len)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (f == NULL) {
        cli_err("cannot read %s: %s", file, strerror(errno));
        return NULL;
    }
    size_t cap = 65536;
    char *buf = malloc(cap);
    *len = 0;
    while (buf != NULL) {
        size_t got = fread(buf + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0) {
            break;
        }
        if (*len == cap) {
            char *p = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (p == NULL) {
                free(buf);
                buf = NULL;
                cli_err("%s is too large", file);
            }
            buf = p;
            cap *= 2;
        }
    }
    if (buf != NULL && ferror(f)) {
        cli_err("cannot read %s: %s", file, strerror(errno));
        free(buf);
        buf = NULL;
    }
    if (f != stdin) {
        fclose(f);
    }
    return buf;
}

static int
cli_import_args(int argc, char **argv, const char **file, int *merge, int *yes, const char *cmd)
{
    *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--merge") == 0) {
            *merge = 1;
        } else if (strcmp(argv[i], "--yes") == 0 && yes != NULL) {
            *yes = 1;
        } else if ((argv[i][0] == '-' && argv[i][1] != '\0') || *file != NULL) {
            return cli_usage("unexpected %s", argv[i]);
        } else {
            *file = argv[i];
        }
    }
    if (*file == NULL) {
        return cli_usage("%s needs a FILE (- for standard input)", cmd);
    }
    return EX_OK;
}

static int
cli_import(struct cli *c, int argc, char **argv)
{
    int merge = 0;
    int rc = cli_import_args(argc, argv, &c->file, &merge, &c->yes, "import");
    if (rc != EX_OK) {
        return rc;
    }
    size_t len;
    char *text = cli_slurp(c->file, &len);
    if (text == NULL) {
        return EX_REFUSED;
    }
    struct dir_report rep = {cli_report_error, cli_report_password, cli_report_note, c, 0, 0, 0, 0, 0};
    unsigned flags = merge ? DIR_IMPORT_MERGE : 0;
    if (!merge && !c->yes) {
        /* A dry run first: does the import delete users? */
        rc = dir_import(c->d, text, len, DIR_IMPORT_CHECK, &rep);
        if (rc == 0 && rep.removed > 0) {
            char q[200];
            snprintf(q, sizeof q, "The import deletes %u user%s that %s does not name (their images stay). Go on?",
                     rep.removed, rep.removed == 1 ? "" : "s", c->file);
            if (!cli_confirm(c, q)) {
                free(text);
                return EX_REFUSED;
            }
        }
    } else {
        rc = 0;
    }
    if (rc == 0) {
        rc = dir_import(c->d, text, len, flags, &rep);
    }
    free(text);
    if (rc != 0) {
        return cli_fail(c, rc);
    }
    printf("Imported %u user%s: %u added, %u changed, %u deleted.\n", rep.users, rep.users == 1 ? "" : "s",
           rep.added, rep.changed, rep.removed);
    return EX_OK;
}

static int
cli_rmtree_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int
cli_check(struct cli *c, int argc, char **argv)
{
    int merge = 0;
    int rc = cli_import_args(argc, argv, &c->file, &merge, NULL, "check");
    if (rc != EX_OK) {
        return rc;
    }
    size_t len;
    char *text = cli_slurp(c->file, &len);
    if (text == NULL) {
        return EX_REFUSED;
    }
    /* Check against the real directory when there is one (a minidisk made
     * smaller is an error only there), else against an empty one. */
    char tmp[4096] = "";
    if (c->d == NULL) {
        const char *t = getenv("TMPDIR");
        snprintf(tmp, sizeof tmp, "%s/vmrv-check-XXXXXX", t && *t ? t : "/tmp");
        char err[256] = "";
        if (mkdtemp(tmp) == NULL || dir_open(&c->d, tmp, DIR_OPEN_CREATE, err, sizeof err) != 0) {
            cli_err("cannot make a scratch directory: %s", err[0] ? err : strerror(errno));
            free(text);
            return EX_SYSTEM;
        }
    }
    struct dir_report rep = {cli_report_error, NULL, NULL, c, 0, 0, 0, 0, 0};
    rc = dir_import(c->d, text, len, DIR_IMPORT_CHECK | (merge ? DIR_IMPORT_MERGE : 0), &rep);
    free(text);
    if (rc == 0) {
        printf("%s: no errors, %u user%s.\n", c->file, rep.users, rep.users == 1 ? "" : "s");
    } else {
        rc = cli_fail(c, rc);
    }
    if (tmp[0] != '\0') {
        dir_close(c->d);
        c->d = NULL;
        nftw(tmp, cli_rmtree_one, 8, FTW_DEPTH | FTW_PHYS);
    }
    return rc;
}

static int
cli_export(struct cli *c, int argc, char **argv)
{
    if (argc > 2) {
        return cli_usage("export takes at most one FILE", NULL);
    }
    if (argc == 1 || strcmp(argv[1], "-") == 0) {
        int rc = dir_export_file(c->d, stdout);
        return rc != 0 ? cli_fail(c, rc) : EX_OK;
    }
    /* FILE.tmp then rename: a reader never sees half a directory; 0600,
     * since it holds password hashes. */
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]) >= (int)sizeof tmp) {
        cli_err("file name too long");
        return EX_REFUSED;
    }
    mode_t old = umask(077);
    FILE *f = fopen(tmp, "w");
    umask(old);
    if (f == NULL) {
        cli_err("cannot write %s: %s", tmp, strerror(errno));
        return EX_REFUSED;
    }
    int rc = dir_export_file(c->d, f);
    if (rc == 0 && fsync(fileno(f)) != 0) {
        rc = -errno;
    }
    if (fclose(f) != 0 && rc == 0) {
        rc = -EIO;
    }
    if (rc == 0 && rename(tmp, argv[1]) != 0) {
        rc = -errno;
    }
    if (rc != 0) {
        unlink(tmp);
        cli_err("cannot write %s: %s", argv[1], dir_errmsg(c->d)[0] ? dir_errmsg(c->d) : strerror(-rc));
        return EX_SYSTEM;
    }
    return EX_OK;
}

static int
cli_init(struct cli *c, int argc, char **argv)
{
    if (argc != 1) {
        return cli_usage("init takes no operands", NULL);
    }
    struct dir_genpw *pw = NULL;
    size_t n = 0;
    int rc = dir_init_defaults(c->d, &pw, &n);
    if (rc == 0) {
        printf("The directory in %s already has users; nothing was done.\n", c->datadir);
        return EX_OK;
    }
    if (pw != NULL) {
        printf("The default directory is in place.  Its passwords (shown once; also in %s/%s):\n", c->datadir,
               DATADIR_INITIAL_PW);
        for (size_t i = 0; i < n; i++) {
            printf("  %-8s %s\n", pw[i].userid, pw[i].password);
        }
        explicit_bzero(pw, n * sizeof *pw);
        free(pw);
    }
    return rc < 0 ? cli_fail(c, rc) : EX_OK;
}

/* ---- the command table and main ------------------------------------------- */

enum { CLI_READ, CLI_WRITE, CLI_ANY };

static const struct cli_cmd {
    const char *name;
    int (*fn)(struct cli *c, int argc, char **argv);
    int access; /* CLI_READ: the directory must exist; CLI_WRITE: created if missing */
    const char *usage;
} cli_cmds[] = {
    {"list", cli_list, CLI_READ, "list                      users, one a line"},
    {"show", cli_show, CLI_READ, "show USERID               one user's entry"},
    {"add", cli_add, CLI_WRITE, "add USERID [OPTIONS]      a new user (defaults: 32M/64M, class G, IPL CMS,\n"
                                "                            NOLOG until --password is given)"},
    {"change", cli_change, CLI_WRITE, "change USERID OPTIONS     change a user"},
    {"delete", cli_delete, CLI_WRITE, "delete USERID [--yes] [--keep-images]\n"
                                      "                            delete a user and its minidisk images"},
    {"passwd", cli_passwd, CLI_WRITE, "passwd USERID             set a password read from standard input\n"
                                      "                            (prompted twice, without echo, on a terminal)"},
    {"import", cli_import, CLI_WRITE, "import FILE [--merge] [--yes]\n"
                                      "                            make the directory what FILE says (- = stdin);\n"
                                      "                            --merge keeps users FILE does not name"},
    {"export", cli_export, CLI_READ, "export [FILE]             the directory as text (hashes, never passwords)"},
    {"check", cli_check, CLI_ANY, "check FILE [--merge]      validate FILE only; change nothing"},
    {"init", cli_init, CLI_WRITE, "init                      on an empty directory, put the built-in defaults\n"
                                  "                            in place and show their new passwords"},
};

static void
cli_help(FILE *out)
{
    fprintf(out, "usage: vmrv directory [--data DIR] COMMAND [ARGS]\n\n"
                 "Manages the user directory DATA/directory.db.  DATA is --data, else $VMRV_DATA, else\n"
                 "/var/lib/vmrv for root, else $XDG_DATA_HOME/vmrv or ~/.local/share/vmrv.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof cli_cmds / sizeof cli_cmds[0]; i++) {
        fprintf(out, "  %s\n", cli_cmds[i].usage);
    }
    fprintf(out,
            "\nOPTIONS of add and change:\n"
            "  --password PW | -          a new password (- reads it from standard input)\n"
            "  --nolog                    the user cannot log on (NOLOG)\n"
            "  --storage SIZE             storage at logon, with a unit: 64K .. 4G (e.g. 32M)\n"
            "  --maxstorage SIZE          the most DEFINE STORAGE may give\n"
            "  --classes LETTERS          privilege classes, e.g. G or ABCDEG\n"
            "  --ipl NAME|VADDR|none      the system IPLed at logon (CMS, 190, ...)\n"
            "  --ipl-parm TEXT            the IPL PARM string\n"
            "  --share N                  relative share 1..10000 (normal 100)\n"
            "  --account ACCT|none, --distcode CODE|none\n"
            "  --option NAME, --no-option NAME   AUTOLOG LNKNOPAS REALTIMER ACCT QUICKDSP\n"
            "  --add-key FILE|-           add the SSH public keys of an authorized_keys file\n"
            "  --remove-key N             remove key N (as show numbers them)\n"
            "  --add-mdisk VADDR SIZE [MODE [RPW [WPW [MPW]]]]\n"
            "                             a new minidisk; SIZE is a number of 4096-byte blocks\n"
            "                             or bytes with K, M or G (10M = 2560 blocks); MODE W\n"
            "  --resize-mdisk VADDR SIZE  make a minidisk larger (never smaller)\n"
            "  --remove-mdisk VADDR       remove a minidisk and delete its image (asks, or --yes;\n"
            "                             --keep-images keeps the file)\n"
            "  --add-link USERID VADDR1 VADDR2 [MODE]   link USERID's VADDR1 at VADDR2 (mode RR)\n"
            "  --remove-link VADDR\n"
            "\nExit status: 0 done; 1 refused (no such user, already there, a bad value, errors\n"
            "in the file, not confirmed); 2 usage error; 3 the data folder or database cannot\n"
            "be used (missing, busy, unreadable, written by a newer VM/RV).\n"
            "The text format is described in docs/DIRECTORY.md.\n");
}

int
vmrv_directory_main(int argc, char **argv)
{
    struct cli c = {0};
    char datadir[4096];
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_help(stdout);
            return EX_OK;
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            c.datadir = argv[++i];
        } else if (strncmp(argv[i], "--data=", 7) == 0) {
            c.datadir = argv[i] + 7;
        } else {
            return cli_usage("unknown option %s", argv[i]);
        }
    }
    if (i == argc) {
        cli_help(stderr);
        return EX_USAGE;
    }
    const struct cli_cmd *cmd = NULL;
    for (size_t k = 0; k < sizeof cli_cmds / sizeof cli_cmds[0]; k++) {
        if (strcmp(argv[i], cli_cmds[k].name) == 0) {
            cmd = &cli_cmds[k];
        }
    }
    if (cmd == NULL) {
        return cli_usage("unknown command '%s'", argv[i]);
    }
    for (int k = i + 1; k < argc; k++) {
        if (strcmp(argv[k], "--help") == 0) {
            cli_help(stdout);
            return EX_OK;
        }
    }
    if (c.datadir == NULL) {
        if (datadir_default(datadir, sizeof datadir) != 0) {
            cli_err("cannot tell where the data folder is: give --data DIR or set VMRV_DATA");
            return EX_SYSTEM;
        }
        c.datadir = datadir;
    }
    char dbpath[4096];
    int exists = datadir_path(dbpath, sizeof dbpath, c.datadir, DATADIR_DB) == 0 && access(dbpath, F_OK) == 0;
    if (cmd->access == CLI_READ && !exists) {
        cli_err("no directory in %s (vmrv directory init puts the default one there)", c.datadir);
        return EX_SYSTEM;
    }
    if (cmd->access != CLI_ANY || exists) {
        char err[512] = "";
        int rc = dir_open(&c.d, c.datadir, cmd->access == CLI_WRITE ? DIR_OPEN_CREATE : 0, err, sizeof err);
        if (rc != 0) {
            cli_err("%s: %s", c.datadir, err[0] ? err : strerror(-rc));
            return EX_SYSTEM;
        }
    }
    if (cmd->access == CLI_WRITE) {
        pid_t pid = datadir_lock_holder(c.datadir);
        if (pid > 0) {
            fprintf(stderr, "vmrv directory: note: CP (pid %ld) runs on %s; a logged-on user sees changes at "
                            "the next logon.\n", (long)pid, c.datadir);
        }
    }
    int rc = cmd->fn(&c, argc - i, argv + i);
    dir_close(c.d);
    return rc;
}
