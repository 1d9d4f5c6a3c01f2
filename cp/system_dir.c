// SPDX-License-Identifier: MIT
/*
 * cp/system_dir.c - CP proper on the user directory (cp/dir.h): the
 * directory lookup at logon (struct cp_dirent), the minidisks and LINK
 * statements attached to a new VM, and the LINK command's checks.  With
 * cp/system_vm.c it makes the standard services of cp_services_standard().
 *
 * A struct dir is one sqlite connection for one thread: each thread that
 * asks (a worker doing a logon, a dispatcher running a LINK command) gets
 * its own, opened on first use and closed when the thread ends.
 *
 * Link modes (VM's): every minidisk in use has a count of links, of
 * writers and of exclusive writers (struct disk_use, under ulock); a new
 * link gets what cp_link_rule allows:
 *   R   read; refused while anyone writes     RR  read, always
 *   W   write, alone; refused while anyone has it
 *   WR  W if possible, else read              M   write unless anyone writes
 *   MR  M if possible, else read              MW  write, always
 * The owner's own MDISK at logon follows the same rules.
 *
 * Each disk_use also lists who holds it (userid, the address it has there,
 * read or write): the index QUERY LINKS reads (cp_std_links).  It changes
 * only where the counts change, in claim and unclaim, so it follows LINK,
 * the directory's links at logon, DETACH, DEFINE STORAGE and logoff; a
 * takeover keeps the VM and so its claims.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/blockdev.h"
#include "cp/config.h"
#include "cp/dir.h"
#include "cp/spool_cp.h"
#include "cp/system.h"
#include "cp/system_std.h"
#include "cp/tdisk.h"
#include "cp/vdev.h"
#include "cp/vm.h"
#include "vmrv/diag.h"

struct disk_use {
    char owner[DIR_USERID_MAX + 1];
    unsigned vaddr;
    unsigned links, writers, exclusive;
    struct cp_link_info *who; /* links entries: who holds it, as what */
    size_t cap;
    struct disk_use *next;
};

struct cp_std {
    char datadir[PATH_MAX];
    pthread_key_t key; /* this thread's struct dir */
    pthread_mutex_t ulock; /* uses */
    struct disk_use *uses;
    struct tdisk_pool tdisks; /* space of all T-disks */
};

int
cp_link_rule(int mode, unsigned links, unsigned writers, unsigned exclusive, bool *write,
             bool *exclusive_out, const char **why)
{
    *write = *exclusive_out = false;
    *why = NULL;
    switch (mode) {
    case DIR_MODE_R:
        if (writers) {
            *why = "another user has it for writing";
            return -1;
        }
        return 0;
    case DIR_MODE_RR:
        return 0;
    case DIR_MODE_W:
        if (links) {
            *why = "another user has it linked";
            return -1;
        }
        *write = *exclusive_out = true;
        return 0;
    case DIR_MODE_WR:
        if (!links) {
            *write = *exclusive_out = true;
        }
        return 0;
    case DIR_MODE_M:
        if (writers) {
            *why = "another user has it for writing";
            return -1;
        }
        *write = true;
        return 0;
    case DIR_MODE_MR:
        *write = writers == 0;
        return 0;
    case DIR_MODE_MW:
        *write = true;
        return 0;
    default:
        *why = "unknown link mode";
        return -1;
    }
}

/* A use nobody holds any more leaves the list (ulock held). */
static void
drop_if_unused(struct cp_std *std, struct disk_use *u)
{
    if (u->links > 0) {
        return;
    }
    struct disk_use **pp = &std->uses;
    while (*pp && *pp != u) {
        pp = &(*pp)->next;
    }
    if (*pp) {
        *pp = u->next;
    }
    free(u->who);
    free(u);
}

/* Takes a link to owner's vaddr in mode, recording it in claims under the
 * VM's address `as`.  0, or -1 with a reason. */
static int
claim(struct cp_std *std, struct cp_claims *claims, const char *owner, unsigned vaddr,
      unsigned as, int mode, bool *readonly, const char **why)
{
    if (claims->n == claims->cap) {
        size_t ncap = claims->cap ? claims->cap * 2 : 8;
        struct cp_claim *v = realloc(claims->v, ncap * sizeof *v);
        if (!v) {
            *why = "out of memory";
            return -1;
        }
        claims->v = v;
        claims->cap = ncap;
    }
    pthread_mutex_lock(&std->ulock);
    struct disk_use *u = std->uses;
    while (u && !(u->vaddr == vaddr && strcmp(u->owner, owner) == 0)) {
        u = u->next;
    }
    if (!u) {
        u = calloc(1, sizeof *u);
        if (!u) {
            pthread_mutex_unlock(&std->ulock);
            *why = "out of memory";
            return -1;
        }
        snprintf(u->owner, sizeof u->owner, "%s", owner);
        u->vaddr = vaddr;
        u->next = std->uses;
        std->uses = u;
    }
    if (u->links == u->cap) {
        size_t ncap = u->cap ? u->cap * 2 : 4;
        struct cp_link_info *who = realloc(u->who, ncap * sizeof *who);
        if (!who) {
            drop_if_unused(std, u);
            pthread_mutex_unlock(&std->ulock);
            *why = "out of memory";
            return -1;
        }
        u->who = who;
        u->cap = ncap;
    }
    bool w, x;
    int rc = cp_link_rule(mode, u->links, u->writers, u->exclusive, &w, &x, why);
    if (rc == 0) {
        struct cp_link_info *h = &u->who[u->links];
        h->owner_vaddr = vaddr;
        snprintf(h->userid, sizeof h->userid, "%s", claims->userid);
        h->vaddr = as;
        h->write = w;
        u->links++;
        u->writers += w;
        u->exclusive += x;
        struct cp_claim *c = &claims->v[claims->n++];
        snprintf(c->owner, sizeof c->owner, "%s", owner);
        c->owner_vaddr = vaddr;
        c->vaddr = as;
        c->writer = w;
        c->exclusive = x;
        *readonly = !w;
    } else {
        drop_if_unused(std, u);
    }
    pthread_mutex_unlock(&std->ulock);
    return rc;
}

/* Drops claim i (ulock not held). */
static void
unclaim(struct cp_std *std, struct cp_claims *claims, size_t i)
{
    struct cp_claim *c = &claims->v[i];
    pthread_mutex_lock(&std->ulock);
    struct disk_use **pp = &std->uses;
    while (*pp && !((*pp)->vaddr == c->owner_vaddr && strcmp((*pp)->owner, c->owner) == 0)) {
        pp = &(*pp)->next;
    }
    struct disk_use *u = *pp;
    if (u) {
        for (unsigned k = 0; k < u->links; k++) {
            if (u->who[k].vaddr == c->vaddr && strcmp(u->who[k].userid, claims->userid) == 0) {
                u->who[k] = u->who[u->links - 1];
                break;
            }
        }
        u->links--;
        u->writers -= c->writer;
        u->exclusive -= c->exclusive;
        drop_if_unused(std, u);
    }
    pthread_mutex_unlock(&std->ulock);
    claims->v[i] = claims->v[--claims->n];
}

/* Order of QUERY LINKS: by disk, then userid, then address. */
static int
link_cmp(const void *a, const void *b)
{
    const struct cp_link_info *x = a, *y = b;
    if (x->owner_vaddr != y->owner_vaddr) {
        return x->owner_vaddr < y->owner_vaddr ? -1 : 1;
    }
    int c = strcmp(x->userid, y->userid);
    if (c) {
        return c;
    }
    return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

int
cp_std_links(void *ctx, const char *owner, int owner_vaddr, struct cp_link_info **out, size_t *n)
{
    struct cp_std *std = ctx;
    *out = NULL;
    *n = 0;
    if (!std) {
        return 0; /* no directory: nothing is linked */
    }
    size_t cap = 0;
    int rc = 0;
    pthread_mutex_lock(&std->ulock);
    for (struct disk_use *u = std->uses; u && rc == 0; u = u->next) {
        if (strcasecmp(u->owner, owner) != 0 ||
            (owner_vaddr >= 0 && u->vaddr != (unsigned)owner_vaddr)) {
            continue;
        }
        if (*n + u->links > cap) {
            size_t ncap = (*n + u->links) * 2;
            struct cp_link_info *v = realloc(*out, ncap * sizeof *v);
            if (!v) {
                rc = -ENOMEM;
                break;
            }
            *out = v;
            cap = ncap;
        }
        memcpy(*out + *n, u->who, u->links * sizeof **out);
        *n += u->links;
    }
    pthread_mutex_unlock(&std->ulock);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    if (*n > 1) {
        qsort(*out, *n, sizeof **out, link_cmp);
    }
    return 0;
}

void
cp_std_release(struct cp_std *std, struct cp_claims *claims, unsigned vaddr)
{
    for (size_t i = 0; i < claims->n; i++) {
        if (claims->v[i].vaddr == vaddr) {
            unclaim(std, claims, i);
            return;
        }
    }
}

void
cp_std_release_all(struct cp_std *std, struct cp_claims *claims)
{
    while (claims->n > 0) {
        unclaim(std, claims, claims->n - 1);
    }
    free(claims->v);
    claims->v = NULL;
    claims->cap = 0;
}

static void
close_dir(void *p)
{
    dir_close(p);
}

const char *
cp_std_datadir(const struct cp_std *std)
{
    return std->datadir;
}

/* This thread's connection, opened on first use; NULL + err. */
static struct dir *
thread_dir(struct cp_std *std, char *err, size_t errlen)
{
    struct dir *d = pthread_getspecific(std->key);
    if (d) {
        return d;
    }
    if (dir_open(&d, std->datadir, 0, err, errlen) != 0) {
        return NULL;
    }
    pthread_setspecific(std->key, d);
    return d;
}

int
cp_std_dir_lookup(void *ctx, const char *userid, struct cp_dirent *out)
{
    struct cp_std *std = ctx;
    char err[200] = "";
    struct dir *d = thread_dir(std, err, sizeof err);
    if (!d) {
        cplog(CPLOG_ERROR, NULL, userid, "directory: %s", err);
        return -EIO;
    }
    struct dir_user u;
    int rc = dir_user_get(d, userid, &u);
    if (rc < 0) {
        if (rc != -ENOENT) {
            cplog(CPLOG_ERROR, NULL, userid, "directory: %s", dir_errmsg(d));
        }
        return rc;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->userid, sizeof out->userid, "%s", u.userid);
    out->nolog = u.nolog != 0;
    out->classes = cp_classes_parse(u.classes);
    out->storage = u.storage;
    out->maxstorage = u.maxstorage;
    out->share = u.share;
    snprintf(out->ipl, sizeof out->ipl, "%s", u.ipl);
    snprintf(out->ipl_parm, sizeof out->ipl_parm, "%s", u.iplparm);
    return 0;
}

static bool
mode_readonly(int mode)
{
    return mode == DIR_MODE_R || mode == DIR_MODE_RR;
}

/* Opens m's image and attaches it at vaddr.  0 or -errno + err. */
static int
open_attach(struct dir *d, struct vm *vm, const struct dir_mdisk *m, unsigned vaddr, bool ro,
            char *err, size_t errlen)
{
    char path[PATH_MAX];
    int rc = dir_mdisk_path(d, m, path, sizeof path);
    if (rc < 0) {
        snprintf(err, errlen, "image path too long");
        return rc;
    }
    struct blockdev *bd = NULL;
    rc = blockdev_open(path, ro, &bd, err, errlen);
    if (rc < 0) {
        return rc;
    }
    rc = vdev_disk_attach(vm_devices(vm), vaddr, bd, ro || blockdev_readonly(bd), m->owner,
                          m->vaddr);
    blockdev_unref(bd);
    if (rc < 0) {
        snprintf(err, errlen, "%s", rc == -EEXIST ? "the address is in use" : strerror(-rc));
    }
    return rc;
}

/* Claims and attaches one disk (logging why not). */
static void
link_at_logon(struct cp_std *std, struct dir *d, struct vm *vm, struct cp_claims *claims,
              const char *userid, const struct dir_mdisk *m, unsigned as, int mode)
{
    char err[256] = "";
    const char *why = NULL;
    bool ro = true;
    if (claim(std, claims, m->owner, m->vaddr, as, mode, &ro, &why) < 0) {
        cplog(CPLOG_WARN, NULL, userid, "minidisk %s %03X not linked as %03X: %s", m->owner,
              m->vaddr, as, why);
        return;
    }
    if (open_attach(d, vm, m, as, ro, err, sizeof err) < 0) {
        cp_std_release(std, claims, as);
        cplog(CPLOG_WARN, NULL, userid, "minidisk %s %03X not attached as %03X: %s", m->owner,
              m->vaddr, as, err);
    }
}

void
cp_std_attach_disks(struct cp_std *std, struct vm *vm, const char *userid,
                    struct cp_claims *claims)
{
    char err[256] = "";
    struct dir *d = thread_dir(std, err, sizeof err);
    if (!d) {
        cplog(CPLOG_ERROR, NULL, userid, "directory: %s", err);
        return;
    }
    struct dir_mdisk *md = NULL;
    size_t n = 0;
    if (dir_mdisk_list(d, userid, &md, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            link_at_logon(std, d, vm, claims, userid, &md[i], md[i].vaddr, md[i].mode);
        }
    }
    free(md);
    struct dir_link *ln = NULL;
    n = 0;
    if (dir_link_list(d, userid, &ln, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            struct dir_mdisk m;
            if (dir_mdisk_get(d, ln[i].target, ln[i].target_vaddr, &m) != 0) {
                cplog(CPLOG_WARN, NULL, userid, "LINK %s %03X: no such minidisk", ln[i].target,
                      ln[i].target_vaddr);
                continue;
            }
            link_at_logon(std, d, vm, claims, userid, &m, ln[i].vaddr, ln[i].mode);
        }
    }
    free(ln);
}

static const struct {
    const char *name;
    int mode;
    int pw; /* 0 read, 1 write, 2 multi */
} link_modes[] = {
    {"R", DIR_MODE_R, 0},  {"RR", DIR_MODE_RR, 0}, {"W", DIR_MODE_W, 1},
    {"WR", DIR_MODE_WR, 1}, {"M", DIR_MODE_M, 2},   {"MR", DIR_MODE_MR, 2},
    {"MW", DIR_MODE_MW, 2},
};

/* What the first step of a LINK found: the minidisk and its open image. */
struct cp_link_prep {
    struct dir_mdisk m;
    size_t k; /* link_modes[] */
    struct blockdev *bd;
};

void *
cp_std_link_prepare(struct cp_std *std, const char *userid, const char *owner,
                    unsigned owner_vaddr, const char *mode, const char *password,
                    struct cp_out *out)
{
    char ov[8], err[256] = "";
    snprintf(ov, sizeof ov, "%03X", owner_vaddr);
    size_t k = 0;
    while (k < sizeof link_modes / sizeof link_modes[0] && strcmp(link_modes[k].name, mode) != 0) {
        k++;
    }
    if (k == sizeof link_modes / sizeof link_modes[0]) {
        cp_out_msg(out, MSG_INVOPT, mode);
        return NULL;
    }
    struct dir *d = thread_dir(std, err, sizeof err);
    if (!d) {
        cp_out_msg(out, MSG_LINKFAIL, owner, ov, "the directory cannot be read");
        return NULL;
    }
    struct cp_link_prep *p = calloc(1, sizeof *p);
    if (!p) {
        cp_out_msg(out, MSG_LINKFAIL, owner, ov, "out of memory");
        return NULL;
    }
    p->k = k;
    if (dir_mdisk_get(d, owner, (uint16_t)owner_vaddr, &p->m) != 0) {
        cp_out_msg(out, MSG_LINKFAIL, owner, ov, "no such minidisk");
        free(p);
        return NULL;
    }
    if (strcasecmp(userid, owner) != 0) {
        const struct dir_mdisk *m = &p->m;
        int pwk = link_modes[k].pw;
        const char *pw = pwk == 0 ? m->readpw : pwk == 1 ? m->writepw : m->multipw;
        struct dir_user me;
        bool nopass = dir_user_get(d, userid, &me) == 0 && (me.options & DIR_OPT_LNKNOPAS);
        if (!pw[0] && !nopass) {
            char why[64];
            snprintf(why, sizeof why, "no link in mode %s is allowed", mode);
            cp_out_msg(out, MSG_LINKFAIL, owner, ov, why);
            free(p);
            return NULL;
        }
        if (!nopass && strcasecmp(pw, "ALL") != 0 && (!password || strcasecmp(password, pw) != 0)) {
            cp_out_msg(out, MSG_PASSWORD);
            cplog(CPLOG_WARN, NULL, userid, "LINK %s %s: wrong password", owner, ov);
            free(p);
            return NULL;
        }
    }
    char path[PATH_MAX];
    int rc = dir_mdisk_path(d, &p->m, path, sizeof path);
    if (rc < 0) {
        snprintf(err, sizeof err, "image path too long");
    } else {
        rc = blockdev_open(path, mode_readonly(link_modes[k].mode), &p->bd, err, sizeof err);
    }
    if (rc < 0) {
        cp_out_msg(out, MSG_LINKFAIL, owner, ov, err);
        free(p);
        return NULL;
    }
    return p;
}

void
cp_std_link_free(void *prep)
{
    struct cp_link_prep *p = prep;
    if (p) {
        blockdev_unref(p->bd);
        free(p);
    }
}

int
cp_std_link_attach(struct cp_std *std, struct vm *vm, struct cp_claims *claims, void *prep,
                   unsigned vaddr, struct cp_out *out)
{
    struct cp_link_prep *p = prep;
    char ov[8];
    snprintf(ov, sizeof ov, "%03X", p->m.vaddr);
    int rc = 0;
    if (vdev_find(vm_devices(vm), vaddr)) {
        char a[8];
        snprintf(a, sizeof a, "%03X", vaddr);
        cp_out_msg(out, MSG_DEVEXISTS, a);
        rc = MSG_DEVEXISTS;
        goto done;
    }
    const char *why = NULL;
    bool ro = true;
    int mode = link_modes[p->k].mode;
    if (claim(std, claims, p->m.owner, p->m.vaddr, vaddr, mode, &ro, &why) < 0) {
        cp_out_msg(out, MSG_LINKFAIL, p->m.owner, ov, why);
        rc = MSG_LINKFAIL;
        goto done;
    }
    int arc = vdev_disk_attach(vm_devices(vm), vaddr, p->bd, ro || blockdev_readonly(p->bd),
                               p->m.owner, p->m.vaddr);
    if (arc < 0) {
        cp_std_release(std, claims, vaddr);
        cp_out_msg(out, MSG_LINKFAIL, p->m.owner, ov,
                   arc == -EEXIST ? "the address is in use" : strerror(-arc));
        rc = MSG_LINKFAIL;
        goto done;
    }
    if (ro && !mode_readonly(mode)) {
        cp_out_line(out, "%s %s linked read-only: another user has it", p->m.owner, ov);
    }
done:
    cp_std_link_free(p);
    return rc;
}

int
cp_std_link(struct cp_std *std, struct vm *vm, struct cp_claims *claims, const char *userid,
            const char *owner, unsigned owner_vaddr, unsigned vaddr, const char *mode,
            const char *password, struct cp_out *out)
{
    void *p = cp_std_link_prepare(std, userid, owner, owner_vaddr, mode, password, out);
    if (!p) {
        return out->rc ? out->rc : MSG_LINKFAIL;
    }
    return cp_std_link_attach(std, vm, claims, p, vaddr, out);
}

struct cp_tdisk *
cp_std_tdisk_prepare(struct cp_std *std, const char *userid, unsigned vaddr, uint64_t blocks,
                     uint64_t total, struct cp_out *out)
{
    char a[8], err[256] = "";
    snprintf(a, sizeof a, "%03X", vaddr);
    struct cp_tdisk *t = calloc(1, sizeof *t);
    if (!t) {
        cp_out_msg(out, MSG_TDISKFAIL, a, "out of memory");
        return NULL;
    }
    t->std = std;
    t->vaddr = vaddr;
    uint64_t bytes = blocks * DIAG_BLOCK_SIZE;
    if (tdisk_pool_reserve(&std->tdisks, bytes, total) != 0) {
        char b[24];
        cp_format_size(total, b, sizeof b);
        snprintf(err, sizeof err, "the system's T-disks would pass their limit of %s", b);
        cp_out_msg(out, MSG_TDISKFAIL, a, err);
        free(t);
        return NULL;
    }
    t->bytes = bytes;
    if (tdisk_create(std->datadir, userid, vaddr, blocks, &t->bd, err, sizeof err) < 0) {
        cplog(CPLOG_WARN, NULL, userid, "DEFINE TDISK %s: %s", a, err);
        cp_out_msg(out, MSG_TDISKFAIL, a, err);
        cp_std_tdisk_put(t);
        return NULL;
    }
    return t;
}

void
cp_std_tdisk_put(struct cp_tdisk *t)
{
    if (t) {
        tdisk_pool_release(&t->std->tdisks, t->bytes);
        blockdev_unref(t->bd);
        free(t);
    }
}

uint64_t
cp_std_tdisk_used(const struct cp_services *svc)
{
    struct cp_std *std = svc->ctx;
    return std ? tdisk_pool_used(&std->tdisks) : 0;
}

int
cp_services_standard(struct cp_services *svc, const char *datadir, char *err, size_t errlen)
{
    static const struct cp_std_opts warm = {false, 0};
    return cp_services_standard_opts(svc, datadir, &warm, err, errlen);
}

int
cp_services_standard_opts(struct cp_services *svc, const char *datadir,
                          const struct cp_std_opts *opts, char *err, size_t errlen)
{
    struct cp_std *std = calloc(1, sizeof *std);
    if (!std) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (strlen(datadir) >= sizeof std->datadir) {
        free(std);
        snprintf(err, errlen, "data folder name too long");
        return -ENAMETOOLONG;
    }
    strcpy(std->datadir, datadir);
    pthread_mutex_init(&std->ulock, NULL);
    tdisk_pool_init(&std->tdisks);
    /* T-disks do not outlive CP: what a crash left goes */
    int swept = tdisk_sweep(datadir);
    if (swept > 0) {
        cplog(CPLOG_INFO, NULL, NULL, "removed %d leftover T-disk image(s)", swept);
    }
    int rc = pthread_key_create(&std->key, close_dir);
    if (rc != 0) {
        free(std);
        snprintf(err, errlen, "%s", strerror(rc));
        return -rc;
    }
    /* open it here once, so a broken directory stops the start */
    if (!thread_dir(std, err, errlen)) {
        pthread_key_delete(std->key);
        free(std);
        return -EIO;
    }
    memset(svc, 0, sizeof *svc);
    /* the spool in DATA/spool: warm start unless the operator chose COLD */
    rc = cpsp_open(datadir, opts->spool_cold, opts->spool_limit, &svc->spool, err, errlen);
    if (rc < 0) {
        dir_close(pthread_getspecific(std->key));
        pthread_setspecific(std->key, NULL);
        pthread_key_delete(std->key);
        free(std);
        return rc;
    }
    svc->ctx = std;
    svc->dir_lookup = cp_std_dir_lookup;
    svc->vm = &cp_vm_ops_standard;
    return 0;
}

void
cp_services_standard_free(struct cp_services *svc)
{
    struct cp_std *std = svc->ctx;
    if (!std) {
        return;
    }
    cpsp_close(svc->spool);
    svc->spool = NULL;
    dir_close(pthread_getspecific(std->key));
    pthread_setspecific(std->key, NULL);
    pthread_key_delete(std->key);
    while (std->uses) {
        struct disk_use *u = std->uses;
        std->uses = u->next;
        free(u->who);
        free(u);
    }
    pthread_mutex_destroy(&std->ulock);
    tdisk_pool_fini(&std->tdisks);
    free(std);
    svc->ctx = NULL;
}
