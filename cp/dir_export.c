// SPDX-License-Identifier: MIT
/*
 * cp/dir_export.c - the directory as USER DIRECT text (the format is
 * described in cp/dir_text.c and docs/DIRECTORY.md): every user sorted by
 * userid, every field written, passwords as their hashes, sizes with
 * units, so that export -> import -> export gives the same text.  Also
 * dir_import_file, which reads a FILE for the parser in cp/dir_text.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/dir_int.h"

int
dir_import_file(struct dir *d, FILE *f, unsigned flags, struct dir_report *rep)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        return dir_fail(d, -ENOMEM, "out of memory");
    }
    for (;;) {
        if (len == cap) {
            char *p = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (p == NULL) {
                free(buf);
                return dir_fail(d, -EFBIG, "the directory text is too large (over 64M)");
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        free(buf);
        return dir_fail(d, -EIO, "cannot read the directory text");
    }
    int rc = dir_import(d, buf, len, flags, rep);
    free(buf);
    return rc;
}

static void
dir_export_entry(FILE *f, const struct dir_entry *e)
{
    const struct dir_user *u = &e->user;
    char st[32], mx[32];
    dir_format_storage(u->storage, st, sizeof st);
    dir_format_storage(u->maxstorage, mx, sizeof mx);
    fprintf(f, "USER %s %s %s %s %s\n", u->userid, e->password, st, mx, u->classes);
    if (u->account[0] != '\0') {
        fprintf(f, " ACCOUNT %s%s%s\n", u->account, u->distcode[0] ? " " : "", u->distcode);
    }
    if (u->ipl[0] != '\0') {
        fprintf(f, " IPL %s%s%s\n", u->ipl, u->iplparm[0] ? " PARM " : "", u->iplparm);
    }
    if (u->options != 0) {
        char opts[128];
        dir_options_format(u->options, opts, sizeof opts);
        fprintf(f, " OPTION %s\n", opts);
    }
    if (u->share != DIR_SHARE_DEFAULT) {
        fprintf(f, " SHARE RELATIVE %u\n", u->share);
    }
    fprintf(f, " CONSOLE %03X %c\n", u->console_vaddr, u->console_class);
    for (unsigned i = 0; i < u->n_spool; i++) {
        fprintf(f, " SPOOL %03X %s %c\n", u->spool[i].vaddr, dir_spool_kind_name(u->spool[i].kind),
                u->spool[i].spclass);
    }
    for (size_t i = 0; i < e->n_keys; i++) {
        fprintf(f, " SSHKEY %s %s%s%s\n", e->keys[i].type, e->keys[i].data, e->keys[i].comment[0] ? " " : "",
                e->keys[i].comment);
    }
    for (size_t i = 0; i < e->n_links; i++) {
        const struct dir_link *l = &e->links[i];
        fprintf(f, " LINK %s %03X %03X %s\n", l->target, l->target_vaddr, l->vaddr, dir_mode_name(l->mode));
    }
    for (size_t i = 0; i < e->n_mdisks; i++) {
        const struct dir_mdisk *m = &e->mdisks[i];
        char size[32];
        dir_format_blocks(m->blocks, size, sizeof size);
        fprintf(f, " MDISK %03X %s %s", m->vaddr, size, dir_mode_name(m->mode));
        const char *pws[] = {m->readpw, m->writepw, m->multipw};
        for (int k = 0; k < 3 && pws[k][0] != '\0'; k++) {
            fprintf(f, " %s", pws[k]);
        }
        fputc('\n', f);
    }
}

int
dir_export_file(struct dir *d, FILE *f)
{
    struct dir_user *users = NULL;
    size_t n = 0;
    int rc = dir_user_list(d, &users, &n);
    if (rc != 0) {
        return rc;
    }
    fprintf(f, "* VM/RV user directory (schema version %d)\n"
               "* USER userid password storage maxstorage classes; passwords are yescrypt hashes.\n",
            dir_schema_version());
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct dir_entry e;
        rc = dir_entry_get(d, users[i].userid, &e);
        if (rc == 0) {
            fputs("*\n", f);
            dir_export_entry(f, &e);
            dir_entry_free(&e);
        }
    }
    free(users);
    if (rc == 0 && (fflush(f) != 0 || ferror(f))) {
        rc = dir_fail(d, -EIO, "cannot write the exported text");
    }
    return rc;
}

int
dir_export(struct dir *d, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL) {
        return dir_fail(d, -ENOMEM, "out of memory");
    }
    int rc = dir_export_file(d, f);
    if (fclose(f) != 0 && rc == 0) {
        rc = dir_fail(d, -ENOMEM, "out of memory");
    }
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = size;
    return 0;
}
