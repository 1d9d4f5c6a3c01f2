/* SPDX-License-Identifier: MIT */
/*
 * cp/svc.h - private to `vmrv ipl` (cp/ipl.c): the system run as a
 * service, and the glue between its parts.
 *
 *   cp/ipl.c        the command: options, configuration, the data folder
 *                   and its lock, the first start, CP, login/, signals, the
 *                   system console on standard input, shutdown.
 *   cp/svc_files.c  where the system files are (the CMS nucleus and MAINT's
 *                   S-disk image), DATA/systems/CMS.elf, and the minidisk
 *                   images: created when missing, new A-disks formatted,
 *                   MAINT's 190 filled from the S-disk image.
 *   cp/svc_login.c  the login/ backend over CP (cp/cp.h): passwords and
 *                   keys checked against the directory on worker threads,
 *                   consoles as CP sessions, exec as cp_exec.
 *
 * CP proper's standard services (cp_services_standard: the directory
 * lookup and the VM layer) do the rest.
 */
#ifndef CP_SVC_H
#define CP_SVC_H

#include <stdbool.h>
#include <stddef.h>

#include "cp/cp.h"

/* ---- system files (cp/svc_files.c) ---------------------------------------- */

struct svc_files {
    char nucleus[1024]; /* the CMS nucleus ELF found, "" if none */
    char sdisk[1024]; /* MAINT's S-disk image found, "" if none */
};

/* Finds the CMS nucleus and the S-disk image: the configuration's
 * cms_nucleus / sdisk_image when set, else next to this program
 * (<dir of /proc/self/exe>/cms/...), else in VMRV_PKGDATADIR/cms/.  Never
 * fails: a file not found leaves its name empty. */
void svc_files_find(const struct cp_config *cfg, struct svc_files *out);

/* Copies the nucleus to DATA/systems/CMS.elf (what IPL CMS loads) when
 * that is missing or differs.  0, or -errno with a reason in err.  *changed
 * tells whether it was written. */
int svc_install_nucleus(const char *datadir, const char *nucleus, bool *changed, char *err,
                        size_t errlen);

/* What svc_disks_prepare did. */
struct svc_disk_report {
    unsigned created; /* image files made because they were missing */
    unsigned formatted; /* never-used disks given an empty CMS file system */
    unsigned filled; /* disks given the S-disk image's files */
    unsigned failed; /* disks that could not be prepared (logged) */
};

/* For every minidisk of userid (NULL: of every user): creates a missing
 * image file (sparse); a never-written 191 (any user), 19E (MAINT) gets an
 * empty CMS file system; a never-written MAINT 190 gets the files of
 * sdisk (if not "").  A disk that was ever written is left alone.  Uses its
 * own directory connection.  Problems are logged and counted; returns 0,
 * or -errno when the directory cannot be read. */
int svc_disks_prepare(const char *datadir, const char *userid, const char *sdisk,
                      struct svc_disk_report *rep);
/* The same on a directory connection the caller holds (a logon worker
 * keeps one: opening sqlite per logon cost more than the logon). */
struct dir;
int svc_disks_prepare_dir(struct dir *d, const char *userid, const char *sdisk,
                          struct svc_disk_report *rep);

/* ---- the SSH side (cp/svc_login.c) ----------------------------------------- */

struct svc_login;

struct svc_login_opts {
    const char *address; /* listen address */
    int port; /* 0: any free port */
    const char *datadir; /* the directory and the host keys (DATA/ssh) */
    const char *sdisk; /* for svc_disks_prepare at logon ("" = none) */
    unsigned workers; /* password checks, logons, commands: threads (0 = 2) */
};

/* Starts the logon service for sys.  0 and *out, or -errno with a reason
 * in err.  Call svc_login_stop before cp_system_destroy. */
int svc_login_start(struct cp_system *sys, const struct svc_login_opts *o, struct svc_login **out,
                    char *err, size_t errlen);

/* The port it listens on. */
int svc_login_port(const struct svc_login *l);

/* Waits up to ms for every SSH session to end (after CP logged everyone
 * off: the LOGOFF lines are on their way). */
void svc_login_drain(struct svc_login *l, unsigned ms);

/* Stops listening, ends every connection, stops the workers, frees l. */
void svc_login_stop(struct svc_login *l);

#endif /* CP_SVC_H */
