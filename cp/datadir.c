// SPDX-License-Identifier: MIT
/*
 * cp/datadir.c - the data folder (cp/datadir.h).  The lock is an
 * open-file-description lock (F_OFD_SETLK) on DATA/lock: it belongs to the
 * open file, not the thread, is dropped by the kernel when CP dies, and can
 * be tested without taking it (F_OFD_GETLK), so `vmrv directory` can tell
 * that CP is running without ever getting in its way.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp/datadir.h"

int
datadir_path(char *out, size_t outlen, const char *dir, const char *name)
{
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

static int
datadir_set(char *out, size_t outlen, const char *base, const char *tail)
{
    int n = snprintf(out, outlen, "%s%s", base, tail);
    return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

int
datadir_default(char *out, size_t outlen)
{
    const char *env = getenv("VMRV_DATA");
    if (env != NULL && env[0] != '\0') {
        return datadir_set(out, outlen, env, "");
    }
    if (geteuid() == 0) {
        return datadir_set(out, outlen, "/var/lib/vmrv", "");
    }
    env = getenv("XDG_DATA_HOME");
    if (env != NULL && env[0] == '/') {
        return datadir_set(out, outlen, env, "/vmrv");
    }
    const char *home = getenv("HOME");
    if (home == NULL || home[0] != '/') {
        struct passwd pw, *res = NULL;
        char buf[1024];
        if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) != 0 || res == NULL) {
            return -ENOENT;
        }
        return datadir_set(out, outlen, pw.pw_dir, "/.local/share/vmrv");
    }
    return datadir_set(out, outlen, home, "/.local/share/vmrv");
}

/* mkdir that accepts an existing folder and refuses anything else. */
static int
datadir_mkdir(const char *path, mode_t mode)
{
    if (mkdir(path, mode) == 0) {
        return 0;
    }
    int err = errno;
    struct stat st;
    if (err == EEXIST) {
        if (stat(path, &st) != 0) {
            return -errno;
        }
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
    }
    return -err;
}

int
datadir_create(const char *path)
{
    char buf[4096];
    if (strlen(path) == 0 || strlen(path) >= sizeof buf) {
        return -ENAMETOOLONG;
    }
    strcpy(buf, path);
    /* Parents first (mode 0755 less the umask, as mkdir -p). */
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/') {
            continue;
        }
        *p = '\0';
        int rc = datadir_mkdir(buf, 0755);
        *p = '/';
        if (rc != 0) {
            return rc;
        }
    }
    int rc = datadir_mkdir(path, 0700);
    if (rc == 0) {
        rc = datadir_path(buf, sizeof buf, path, DATADIR_DISKS);
    }
    if (rc == 0) {
        rc = datadir_mkdir(buf, 0700);
    }
    return rc;
}

static void
datadir_flock_init(struct flock *fl, short type)
{
    memset(fl, 0, sizeof *fl);
    fl->l_type = type;
    fl->l_whence = SEEK_SET;
}

int
datadir_lock(const char *path, int *fd_out)
{
    char name[4096];
    int rc = datadir_path(name, sizeof name, path, DATADIR_LOCK);
    if (rc != 0) {
        return rc;
    }
    int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return -errno;
    }
    struct flock fl;
    datadir_flock_init(&fl, F_WRLCK);
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        int err = errno;
        close(fd);
        return err == EAGAIN || err == EACCES ? -EBUSY : -err;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        int err = errno;
        close(fd);
        return -err;
    }
    *fd_out = fd;
    return 0;
}

void
datadir_unlock(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}

pid_t
datadir_lock_holder(const char *path)
{
    char name[4096];
    int rc = datadir_path(name, sizeof name, path, DATADIR_LOCK);
    if (rc != 0) {
        return rc;
    }
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? 0 : -errno;
    }
    struct flock fl;
    datadir_flock_init(&fl, F_WRLCK);
    pid_t holder = 0;
    if (fcntl(fd, F_OFD_GETLK, &fl) != 0) {
        holder = -errno;
    } else if (fl.l_type != F_UNLCK) {
        char buf[32] = {0};
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        long pid = n > 0 ? strtol(buf, NULL, 10) : 0;
        /* Locked before the holder wrote its pid: still "held". */
        holder = pid > 0 ? (pid_t)pid : 1;
    }
    close(fd);
    return holder;
}
