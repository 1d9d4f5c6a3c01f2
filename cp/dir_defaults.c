// SPDX-License-Identifier: MIT
/*
 * cp/dir_defaults.c - the first start.  The default directory
 * etc/USER.DIRECT is compiled into vmrv (the build turns it into
 * cp/dir_default_text.c, an array of bytes: see cp/dir.am), so a fresh
 * data folder needs nothing but the program.  dir_init_defaults imports it
 * with a random password for every GENERATE, keeps a record of those
 * hashes (initial_passwords) so dir_defaults_unchanged can tell when all
 * of them have been changed, and writes the passwords to
 * DATA/initial-passwords for root.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp/datadir.h"
#include "cp/dir_int.h"

/* cp/dir_default_text.c, generated from etc/USER.DIRECT; NUL-terminated. */
extern const char dir_default_direct[];

const char *
dir_default_text(void)
{
    return dir_default_direct;
}

struct dir_genlist {
    struct dir_genpw *pw;
    size_t n, cap;
    int oom;
    char firsterr[256];
};

static void
dir_gen_password(void *arg, const char *userid, const char *password)
{
    struct dir_genlist *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct dir_genpw *p = realloc(l->pw, cap * sizeof *p);
        if (p == NULL) {
            l->oom = 1;
            return;
        }
        l->pw = p;
        l->cap = cap;
    }
    struct dir_genpw *g = &l->pw[l->n++];
    memset(g, 0, sizeof *g);
    snprintf(g->userid, sizeof g->userid, "%s", userid);
    snprintf(g->password, sizeof g->password, "%s", password);
}

static void
dir_gen_error(void *arg, int line, const char *msg)
{
    struct dir_genlist *l = arg;
    if (l->firsterr[0] == '\0') {
        snprintf(l->firsterr, sizeof l->firsterr, "line %d: %s", line, msg);
    }
}

/* Writes the passwords to DATA/initial-passwords, mode 0600, durably. */
static int
dir_write_initial(struct dir *d, const struct dir_genpw *pw, size_t n)
{
    char path[4096];
    int rc = datadir_path(path, sizeof path, d->datadir, DATADIR_INITIAL_PW);
    if (rc != 0) {
        return dir_fail(d, rc, "the data folder's name is too long");
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        return dir_fail(d, -errno, "cannot write %s: %s", path, strerror(errno));
    }
    FILE *f = fchmod(fd, 0600) == 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        rc = dir_fail(d, -errno, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        return rc;
    }
    fprintf(f, "# The passwords VM/RV generated at its first start.  Change them\n"
               "# (vmrv directory passwd USERID), then delete this file.\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%-8s %s\n", pw[i].userid, pw[i].password);
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = dir_fail(d, -errno, "cannot write %s: %s", path, strerror(errno));
    }
    if (fclose(f) != 0 && rc == 0) {
        rc = dir_fail(d, -EIO, "cannot write %s", path);
    }
    return rc;
}

int
dir_init_defaults(struct dir *d, struct dir_genpw **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct dir_user *users = NULL;
    size_t n_users = 0;
    int rc = dir_user_list(d, &users, &n_users);
    free(users);
    if (rc != 0) {
        return rc;
    }
    if (n_users != 0) {
        return 0;
    }
    struct dir_genlist l = {0};
    struct dir_report rep = {0};
    rep.error = dir_gen_error;
    rep.password = dir_gen_password;
    rep.arg = &l;
    const char *text = dir_default_text();
    rc = dir_import(d, text, strlen(text), DIR_IMPORT_MERGE | DIR_IMPORT_INITIAL, &rep);
    if (rc == 0 && l.oom) {
        rc = dir_fail(d, -ENOMEM, "out of memory");
    } else if (rc == -EINVAL && l.firsterr[0] != '\0') {
        dir_fail(d, rc, "the built-in directory does not import: %s", l.firsterr);
    }
    if (rc == 0) {
        /* The passwords are in effect now: hand them out even if the
         * file cannot be written (rc says so). */
        rc = dir_write_initial(d, l.pw, l.n);
        *out = l.pw;
        *n = l.n;
        return rc == 0 ? 1 : rc;
    }
    if (l.pw != NULL) {
        explicit_bzero(l.pw, l.n * sizeof *l.pw);
    }
    free(l.pw);
    return rc;
}
