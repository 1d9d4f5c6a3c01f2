// SPDX-License-Identifier: MIT
/*
 * cp/dir_cli.c - `vmrv directory`: the operator's tool for the user
 * directory.  A table of subcommands; each is a thin layer over cp/dir.h,
 * so the CLI keeps exactly the rules CP's own commands keep.  This file has
 * main, the table and help, the shared helpers, and list, show, delete,
 * passwd and init; add and change are in cp/dir_cli_edit.c, import, check
 * and export in cp/dir_cli_text.c.  Output goes to stdout, errors to
 * stderr as "vmrv directory: ..."; exit codes are in cli_help.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cp/datadir.h"
#include "cp/dir_cli.h"
#include "cp/passwd.h"
#include "cp/vmrv.h"

void
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
int
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

int
cli_usage(const char *fmt, const char *arg)
{
    fputs("vmrv directory: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(vmrv directory --help shows the commands)\n", stderr);
    return EX_USAGE;
}

/* Asks a yes/no question on the terminal; without one, only --yes says yes. */
int
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

/* The terminal's settings while echo is off, for the signal handler. */
static struct termios cli_tty_saved;
static volatile sig_atomic_t cli_tty_quiet;

static void
cli_tty_restore(void)
{
    if (cli_tty_quiet) {
        tcsetattr(STDIN_FILENO, TCSANOW, &cli_tty_saved);
        cli_tty_quiet = 0;
    }
}

/* Ctrl-C at a password prompt: give the terminal its echo back, then die
 * of the signal as usual. */
static void
cli_tty_signal(int sig)
{
    cli_tty_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Echo off on the terminal (before any prompt, so nothing typed ahead is
 * shown; TCSANOW, so nothing typed ahead is lost). */
static void
cli_tty_quiet_on(void)
{
    if (tcgetattr(STDIN_FILENO, &cli_tty_saved) != 0) {
        return;
    }
    struct termios quiet = cli_tty_saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    signal(SIGINT, cli_tty_signal);
    signal(SIGTERM, cli_tty_signal);
    signal(SIGHUP, cli_tty_signal);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0) {
        cli_tty_quiet = 1;
    }
}

/* Reads one line (without its newline) into buf, after a prompt on a
 * terminal.  0, or -1 at end of input. */
static int
cli_read_line(int tty, const char *prompt, char *buf, size_t len)
{
    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
    }
    char *r = fgets(buf, (int)len, stdin);
    if (tty) {
        fputc('\n', stderr);
    }
    if (r == NULL) {
        return -1;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* A new password from stdin: prompted twice without echo on a terminal,
 * else one line. */
int
cli_new_password(const char *userid, char *buf, size_t len)
{
    char prompt[64], again[PASSWD_MAX_LEN + 2];
    int tty = isatty(STDIN_FILENO);
    int rc = EX_OK;
    snprintf(prompt, sizeof prompt, "New password for %s: ", userid);
    if (tty) {
        cli_tty_quiet_on();
    }
    if (cli_read_line(tty, prompt, buf, len) != 0) {
        cli_err("no password given on standard input");
        rc = EX_REFUSED;
    } else if (tty && (cli_read_line(tty, "Again: ", again, sizeof again) != 0 || strcmp(again, buf) != 0)) {
        cli_err("the two passwords differ; nothing was changed");
        rc = EX_REFUSED;
    }
    cli_tty_restore();
    explicit_bzero(again, sizeof again);
    const char *why = rc == EX_OK ? passwd_policy(buf) : NULL;
    if (why != NULL) {
        cli_err("%s", why);
        rc = EX_REFUSED;
    }
    return rc;
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

