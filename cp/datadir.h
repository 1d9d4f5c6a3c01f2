/* SPDX-License-Identifier: MIT */
/*
 * cp/datadir.h - the system's data folder: where it is by default, creating
 * it, and the lock that lets only one CP run on it.  What is inside:
 *
 *   DATA/directory.db         the user directory (cp/dir.h)
 *   DATA/disks/USERID.VADDR.img  minidisk images (sparse files)
 *   DATA/initial-passwords    the first start's generated passwords (0600)
 *   DATA/lock                 held by the running CP; holds its pid
 *
 * Other parts (spool, logs, host keys) add their own names here.  Nothing in
 * this file touches sqlite.  All functions are thread-safe.
 */
#ifndef CP_DATADIR_H
#define CP_DATADIR_H

#include <stddef.h>
#include <sys/types.h>

#define DATADIR_DB "directory.db"
#define DATADIR_DISKS "disks"
#define DATADIR_INITIAL_PW "initial-passwords"
#define DATADIR_LOCK "lock"

/*
 * The default data folder: $VMRV_DATA if set and not empty; else
 * /var/lib/vmrv for root; else $XDG_DATA_HOME/vmrv if that is an absolute
 * path; else ~/.local/share/vmrv.  Writes it to out.  Returns 0,
 * -ENAMETOOLONG, or -ENOENT when no home folder can be found.
 */
int datadir_default(char *out, size_t outlen);

/*
 * Creates the data folder (and missing parents) and its disks/ folder,
 * the data folder itself with mode 0700.  An existing folder is fine and
 * keeps its mode.  Returns 0 or a negative errno (-ENOTDIR when path is a
 * file).
 */
int datadir_create(const char *path);

/* Joins dir and name into out: 0 or -ENAMETOOLONG. */
int datadir_path(char *out, size_t outlen, const char *dir, const char *name);

/*
 * Takes the data folder's lock for this process without waiting and
 * writes our pid into DATA/lock.  On success *fd holds the lock until
 * datadir_unlock(*fd) or exit.  Returns 0, -EBUSY when another process
 * holds it (datadir_lock_holder tells which), or another negative errno.
 */
int datadir_lock(const char *path, int *fd);
void datadir_unlock(int fd);

/* The pid of the process holding the lock (1 if it has not written its
 * pid yet), 0 when nobody holds it, or a negative errno.  Never takes the
 * lock itself. */
pid_t datadir_lock_holder(const char *path);

#endif
