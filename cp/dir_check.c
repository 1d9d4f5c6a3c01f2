// SPDX-License-Identifier: MIT
/*
 * cp/dir_check.c - dir_entry_check: is one whole entry valid on its own?
 * Every path that writes the directory (text import, `vmrv directory`,
 * CP commands through dir_entry_put) runs it, so the rules live in one
 * place.  Rules that need the rest of the directory (a LINK's target
 * exists, a minidisk is not made smaller) are checked by the writer in
 * cp/dir_store.c, inside its transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/dir_int.h"
#include "cp/passwd.h"
#include "vmrv/ipl.h"

/* One device address in use, for the "used twice" check. */
struct dir_addr {
    uint16_t vaddr;
    int line;
    const char *what;
};

static int
dir_line(const int *lines, size_t i)
{
    return lines != NULL ? lines[i] : 0;
}

/* Re-parses a stored field the way text input would be: the value must
 * already be in normal form. */
static int
dir_same_after(const char *why, const char *norm, const char *orig)
{
    return why == NULL && strcmp(norm, orig) == 0;
}

static void
dir_check_user(const struct dir_entry *e, int line, struct dir_diag *g)
{
    const struct dir_user *u = &e->user;
    char norm[DIR_IPLPARM_MAX + 1];
    if (!dir_same_after(dir_parse_userid(u->userid, norm), norm, u->userid)) {
        dir_diag(g, line, "bad userid '%s': %s", u->userid,
                 dir_parse_userid(u->userid, norm) ?: "it must be upper case");
    }
    if (e->password[0] != '\0' && strcmp(e->password, "NOLOG") != 0 && !passwd_is_hash(e->password)) {
        dir_diag(g, line, "%s: the stored password is neither NOLOG nor a yescrypt hash", u->userid);
    }
    if (u->storage < (64u << 10) || u->storage > VMRV_MAX_STORAGE || u->storage % 4096 != 0) {
        dir_diag(g, line, "%s: storage must be a multiple of 4K between 64K and 4G", u->userid);
    }
    if (u->maxstorage < u->storage || u->maxstorage > VMRV_MAX_STORAGE || u->maxstorage % 4096 != 0) {
        dir_diag(g, line, "%s: maximum storage must be a multiple of 4K, at least the storage and at most 4G",
                 u->userid);
    }
    if (!dir_same_after(dir_parse_classes(u->classes, norm), norm, u->classes)) {
        dir_diag(g, line, "%s: privilege classes must be letters A-Z, each once, in order", u->userid);
    }
    if (u->ipl[0] != '\0' && !dir_same_after(dir_parse_ipl(u->ipl, norm), norm, u->ipl)) {
        dir_diag(g, line, "%s: bad IPL '%s'", u->userid, u->ipl);
    }
    size_t plen = strlen(u->iplparm);
    if (plen > 0 && (u->iplparm[0] == ' ' || u->iplparm[plen - 1] == ' ')) {
        dir_diag(g, line, "%s: the IPL PARM may not start or end with a blank", u->userid);
    }
    for (const char *p = u->iplparm; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            dir_diag(g, line, "%s: the IPL PARM has control characters", u->userid);
            break;
        }
    }
    /* What the text cannot say (so an export would lose it). */
    if (u->iplparm[0] != '\0' && u->ipl[0] == '\0') {
        dir_diag(g, line, "%s: an IPL PARM needs an IPL system or device", u->userid);
    }
    if (u->distcode[0] != '\0' && u->account[0] == '\0') {
        dir_diag(g, line, "%s: a distribution code needs an account number", u->userid);
    }
    if (u->share < 1 || u->share > DIR_SHARE_MAX) {
        dir_diag(g, line, "%s: SHARE must be from 1 to 10000", u->userid);
    }
    if ((u->account[0] != '\0' && !dir_same_after(dir_parse_name(u->account, norm), norm, u->account)) ||
        (u->distcode[0] != '\0' && !dir_same_after(dir_parse_name(u->distcode, norm), norm, u->distcode))) {
        dir_diag(g, line, "%s: the account and distribution code have 1-8 printable characters, upper case",
                 u->userid);
    }
    unsigned known = DIR_OPT_AUTOLOG | DIR_OPT_LNKNOPAS | DIR_OPT_REALTIMER | DIR_OPT_ACCT | DIR_OPT_QUICKDSP;
    if (u->options & ~known) {
        dir_diag(g, line, "%s: unknown option bits %#x", u->userid, u->options & ~known);
    }
}

static void
dir_check_spool(const struct dir_entry *e, const struct dir_lines *lines, struct dir_diag *g)
{
    const struct dir_user *u = &e->user;
    char c;
    if (!(u->console_class != '*' && dir_parse_spclass((char[]){u->console_class, 0}, &c) == NULL)) {
        dir_diag(g, lines ? lines->console : 0, "%s: the console class is one of A-Z, 0-9", u->userid);
    }
    if (u->n_spool > DIR_SPOOL_MAX) {
        dir_diag(g, lines ? lines->user : 0, "%s: at most %d spool devices", u->userid, DIR_SPOOL_MAX);
        return;
    }
    for (unsigned i = 0; i < u->n_spool; i++) {
        const struct dir_spool *s = &u->spool[i];
        int line = lines ? lines->spool[i] : 0;
        if (s->kind > DIR_SPOOL_PRINTER) {
            dir_diag(g, line, "%s: bad spool device kind", u->userid);
        }
        if (dir_parse_spclass((char[]){s->spclass, 0}, &c) != NULL || c != s->spclass ||
            (s->spclass == '*' && s->kind != DIR_SPOOL_READER)) {
            dir_diag(g, line, "%s: a spool class is A-Z or 0-9 (or * for a reader)", u->userid);
        }
    }
}

static void
dir_check_disks(const struct dir_entry *e, const struct dir_lines *lines, struct dir_diag *g)
{
    const char *uid = e->user.userid;
    char norm[DIR_NAME_MAX + 1];
    for (size_t i = 0; i < e->n_mdisks; i++) {
        const struct dir_mdisk *m = &e->mdisks[i];
        int line = dir_line(lines ? lines->mdisk : NULL, i);
        if (m->blocks == 0 || m->blocks > DIR_MDISK_MAX_BLOCKS) {
            dir_diag(g, line, "%s %03X: a minidisk has 1 to 268435456 blocks", uid, m->vaddr);
        }
        if (strcmp(dir_mode_name(m->mode), "?") == 0) {
            dir_diag(g, line, "%s %03X: bad access mode", uid, m->vaddr);
        }
        const char *pws[] = {m->readpw, m->writepw, m->multipw};
        for (int k = 0; k < 3; k++) {
            if (pws[k][0] != '\0' && !dir_same_after(dir_parse_linkpw(pws[k], norm), norm, pws[k])) {
                dir_diag(g, line, "%s %03X: a link password has 1-8 printable characters", uid, m->vaddr);
            }
            /* As in MDISK statements: read, then write, then multi. */
            if (k > 0 && pws[k][0] != '\0' && pws[k - 1][0] == '\0') {
                dir_diag(g, line, "%s %03X: a %s password needs the passwords before it (read, write, multi)",
                         uid, m->vaddr, k == 1 ? "write" : "multi");
            }
        }
    }
    for (size_t i = 0; i < e->n_links; i++) {
        const struct dir_link *l = &e->links[i];
        int line = dir_line(lines ? lines->link : NULL, i);
        char t[DIR_USERID_MAX + 1];
        if (!dir_same_after(dir_parse_userid(l->target, t), t, l->target)) {
            dir_diag(g, line, "%s: LINK names a bad userid '%s'", uid, l->target);
        }
        if (strcmp(dir_mode_name(l->mode), "?") == 0) {
            dir_diag(g, line, "%s: LINK has a bad mode", uid);
        }
    }
    for (size_t i = 0; i < e->n_keys; i++) {
        struct dir_key k;
        const char *why = dir_parse_key(e->keys[i].type, e->keys[i].data, e->keys[i].comment, &k);
        int line = dir_line(lines ? lines->key : NULL, i);
        if (why != NULL) {
            dir_diag(g, line, "%s: SSHKEY: %s", uid, why);
        }
        for (size_t j = 0; why == NULL && j < i; j++) {
            if (strcmp(e->keys[j].type, k.type) == 0 && strcmp(e->keys[j].data, k.data) == 0) {
                dir_diag(g, line, "%s: the same SSH key is listed twice", uid);
            }
        }
    }
}

/* No device address may be used twice in one virtual machine. */
static void
dir_check_addresses(const struct dir_entry *e, const struct dir_lines *lines, struct dir_diag *g)
{
    size_t n = 1 + e->user.n_spool + e->n_mdisks + e->n_links;
    struct dir_addr addrs[1 + DIR_SPOOL_MAX + 64];
    struct dir_addr *a = n <= sizeof addrs / sizeof addrs[0] ? addrs : calloc(n, sizeof *a);
    if (a == NULL) {
        dir_diag(g, 0, "out of memory");
        return;
    }
    size_t k = 0;
    a[k++] = (struct dir_addr){e->user.console_vaddr, lines ? lines->console : 0, "CONSOLE"};
    for (unsigned i = 0; i < e->user.n_spool && i < DIR_SPOOL_MAX; i++) {
        a[k++] = (struct dir_addr){e->user.spool[i].vaddr, lines ? lines->spool[i] : 0, "SPOOL"};
    }
    for (size_t i = 0; i < e->n_mdisks; i++) {
        a[k++] = (struct dir_addr){e->mdisks[i].vaddr, dir_line(lines ? lines->mdisk : NULL, i), "MDISK"};
    }
    for (size_t i = 0; i < e->n_links; i++) {
        a[k++] = (struct dir_addr){e->links[i].vaddr, dir_line(lines ? lines->link : NULL, i), "LINK"};
    }
    for (size_t i = 1; i < k; i++) {
        for (size_t j = 0; j < i; j++) {
            if (a[i].vaddr == a[j].vaddr) {
                char where[32] = "";
                if (a[j].line > 0) {
                    snprintf(where, sizeof where, " on line %d", a[j].line);
                }
                dir_diag(g, a[i].line, "%s: address %03X is used twice (%s here, %s%s)", e->user.userid,
                         a[i].vaddr, a[i].what, a[j].what, where);
                break;
            }
        }
    }
    if (a != addrs) {
        free(a);
    }
}

void
dir_entry_check(const struct dir_entry *e, const struct dir_lines *lines, struct dir_diag *g)
{
    dir_check_user(e, lines ? lines->user : 0, g);
    dir_check_spool(e, lines, g);
    dir_check_disks(e, lines, g);
    dir_check_addresses(e, lines, g);
}
