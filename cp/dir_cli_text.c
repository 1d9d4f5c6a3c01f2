// SPDX-License-Identifier: MIT
/*
 * cp/dir_cli_text.c - `vmrv directory import`, `check` and `export`: the
 * text file in and out.  Errors are printed as FILE:LINE: message.  An
 * import that would delete users runs dry first and asks (or needs
 * --yes); `check` runs against the real directory when there is one,
 * else against an empty scratch one in $TMPDIR; `export FILE` writes a
 * 0600 temp file and renames it into place.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp/dir_cli.h"

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

int
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

int
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

int
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

