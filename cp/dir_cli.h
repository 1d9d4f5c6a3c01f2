/* SPDX-License-Identifier: MIT */
/*
 * cp/dir_cli.h - shared by the files of `vmrv directory`: cp/dir_cli.c
 * (main, the command table, list, show, delete, passwd, init),
 * cp/dir_cli_edit.c (add and change) and cp/dir_cli_text.c (import,
 * check, export).  Private to them.
 */
#ifndef CP_DIR_CLI_H
#define CP_DIR_CLI_H

#include <stddef.h>

#include "cp/dir_int.h"

/* Exit codes (documented in --help and docs/DIRECTORY.md). */
enum {
    EX_OK = 0,
    EX_REFUSED = 1, /* no such user, exists, bad value, errors in the file, not confirmed */
    EX_USAGE = 2,   /* unknown command or option, missing operand */
    EX_SYSTEM = 3,  /* the data folder or database cannot be used */
};

struct cli {
    const char *datadir;
    struct dir *d;    /* NULL only for `check` without a directory */
    int yes;          /* --yes: confirmations answered */
    const char *file; /* the file being imported, for messages */
};

/* "vmrv directory: ..." on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints d's error; maps a dir_ code to an exit code. */
int cli_fail(struct cli *c, int rc);
/* A usage error (fmt has one %s for arg): returns EX_USAGE. */
int cli_usage(const char *fmt, const char *arg);
/* Asks on the terminal; without one, only --yes says yes. */
int cli_confirm(struct cli *c, const char *question);
/* A new password from stdin (asked twice without echo on a terminal),
 * checked against the rules.  EX_OK or EX_REFUSED. */
int cli_new_password(const char *userid, char *buf, size_t len);

/* The commands: argv[0] is the command's name. */
int cli_add(struct cli *c, int argc, char **argv);
int cli_change(struct cli *c, int argc, char **argv);
int cli_import(struct cli *c, int argc, char **argv);
int cli_check(struct cli *c, int argc, char **argv);
int cli_export(struct cli *c, int argc, char **argv);

#endif
