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
 * Not yet: the link-mode rules between users (R refused while someone
 * writes, W refused while anyone has the disk); every link gets the access
 * its mode asks for.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/blockdev.h"
#include "cp/dir.h"
#include "cp/system_std.h"
#include "cp/vdev.h"
#include "cp/vm.h"

struct cp_std {
    char datadir[PATH_MAX];
    pthread_key_t key; /* this thread's struct dir */
};

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

void
cp_std_attach_disks(struct cp_std *std, struct vm *vm, const char *userid)
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
            if (open_attach(d, vm, &md[i], md[i].vaddr, mode_readonly(md[i].mode), err,
                            sizeof err) < 0) {
                cplog(CPLOG_WARN, NULL, userid, "minidisk %03X not attached: %s", md[i].vaddr, err);
            }
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
            if (open_attach(d, vm, &m, ln[i].vaddr, mode_readonly(ln[i].mode), err, sizeof err) < 0) {
                cplog(CPLOG_WARN, NULL, userid, "LINK %s %03X as %03X: %s", ln[i].target,
                      ln[i].target_vaddr, ln[i].vaddr, err);
            }
        }
    }
    free(ln);
}

int
cp_std_link(struct cp_std *std, struct vm *vm, const char *userid, const char *owner,
            unsigned owner_vaddr, unsigned vaddr, const char *mode, const char *password,
            struct cp_out *out)
{
    static const struct {
        const char *name;
        int mode;
        int pw; /* 0 read, 1 write, 2 multi */
    } modes[] = {
        {"R", DIR_MODE_R, 0},  {"RR", DIR_MODE_RR, 0}, {"W", DIR_MODE_W, 1},
        {"WR", DIR_MODE_WR, 1}, {"M", DIR_MODE_M, 2},   {"MR", DIR_MODE_MR, 2},
        {"MW", DIR_MODE_MW, 2},
    };
    char ov[8], err[256] = "";
    snprintf(ov, sizeof ov, "%03X", owner_vaddr);
    struct dir *d = thread_dir(std, err, sizeof err);
    if (!d) {
        cp_out_msg(out, MSG_LINKFAIL, owner, ov, "the directory cannot be read");
        return MSG_LINKFAIL;
    }
    size_t k = 0;
    while (k < sizeof modes / sizeof modes[0] && strcmp(modes[k].name, mode) != 0) {
        k++;
    }
    if (k == sizeof modes / sizeof modes[0]) {
        cp_out_msg(out, MSG_INVOPT, mode);
        return MSG_INVOPT;
    }
    struct dir_mdisk m;
    if (dir_mdisk_get(d, owner, (uint16_t)owner_vaddr, &m) != 0) {
        cp_out_msg(out, MSG_LINKFAIL, owner, ov, "no such minidisk");
        return MSG_LINKFAIL;
    }
    if (strcasecmp(userid, owner) != 0) {
        const char *pw = modes[k].pw == 0 ? m.readpw : modes[k].pw == 1 ? m.writepw : m.multipw;
        struct dir_user me;
        bool nopass = dir_user_get(d, userid, &me) == 0 && (me.options & DIR_OPT_LNKNOPAS);
        if (!pw[0] && !nopass) {
            char why[64];
            snprintf(why, sizeof why, "no link in mode %s is allowed", mode);
            cp_out_msg(out, MSG_LINKFAIL, owner, ov, why);
            return MSG_LINKFAIL;
        }
        if (!nopass && strcasecmp(pw, "ALL") != 0 && (!password || strcasecmp(password, pw) != 0)) {
            cp_out_msg(out, MSG_PASSWORD);
            cplog(CPLOG_WARN, NULL, userid, "LINK %s %s: wrong password", owner, ov);
            return MSG_PASSWORD;
        }
    }
    if (vdev_find(vm_devices(vm), vaddr)) {
        char a[8];
        snprintf(a, sizeof a, "%03X", vaddr);
        cp_out_msg(out, MSG_DEVEXISTS, a);
        return MSG_DEVEXISTS;
    }
    if (open_attach(d, vm, &m, vaddr, mode_readonly(modes[k].mode), err, sizeof err) < 0) {
        cp_out_msg(out, MSG_LINKFAIL, owner, ov, err);
        return MSG_LINKFAIL;
    }
    return 0;
}

int
cp_services_standard(struct cp_services *svc, const char *datadir, char *err, size_t errlen)
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
    dir_close(pthread_getspecific(std->key));
    pthread_setspecific(std->key, NULL);
    pthread_key_delete(std->key);
    free(std);
    svc->ctx = NULL;
}
