// SPDX-License-Identifier: MIT
/*
 * login/hostkey.c - the server's host keys.
 *
 * Two keys live in the folder the caller names: ssh_host_ed25519_key
 * (what current clients use) and ssh_host_ecdsa_key (ECDSA P-256, for
 * clients without ed25519; quick to make, unlike RSA 3072). A missing key
 * is made on first start and written in OpenSSH format to a temporary file
 * created with mode 0600, synced, then renamed into place, so a crash
 * never leaves half a key. An existing key is reused; a key file readable
 * by others is made 0600 (with a warning to the caller through err only if
 * that fails); an unreadable key is an error, never silently replaced.
 */
#include "login/login_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
fail(char *err, size_t errlen, int rc, const char *fmt, const char *arg)
{
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, fmt, arg, strerror(-rc));
    }
    return rc;
}

static int
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Make a new key of this type and store it at path. */
static int
make_key(enum ssh_keytypes_e type, int bits, const char *path, char *err, size_t errlen)
{
    ssh_key key = NULL;
    char *b64 = NULL;
    char tmp[PATH_MAX];
    int fd = -1;
    int rc;

    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        return fail(err, errlen, -ENAMETOOLONG, "host key path too long: %s (%s)", path);
    }
    if (ssh_pki_generate(type, bits, &key) != SSH_OK ||
        ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &b64) != SSH_OK) {
        rc = fail(err, errlen, -EIO, "cannot make host key %s (%s)", path);
        goto out;
    }
    (void)unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = fail(err, errlen, -errno, "cannot create %s: %s", tmp);
        goto out;
    }
    rc = write_all(fd, b64, strlen(b64));
    if (rc == 0 && fsync(fd) != 0) {
        rc = -errno;
    }
    if (close(fd) != 0 && rc == 0) {
        rc = -errno;
    }
    fd = -1;
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -errno;
    }
    if (rc != 0) {
        (void)unlink(tmp);
        fail(err, errlen, rc, "cannot write host key %s: %s", path);
    }
out:
    if (b64 != NULL) {
        explicit_bzero(b64, strlen(b64));
        ssh_string_free_char(b64);
    }
    ssh_key_free(key);
    return rc;
}

/* Use the key at path, making it first if missing. */
static int
ensure_key(enum ssh_keytypes_e type, int bits, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT) {
            return fail(err, errlen, -errno, "cannot use host key %s: %s", path);
        }
        return make_key(type, bits, path, err, errlen);
    }
    if ((st.st_mode & 077) != 0 && chmod(path, 0600) != 0) {
        return fail(err, errlen, -errno, "host key %s is open to others and chmod failed: %s",
                    path);
    }
    ssh_key key = NULL;
    if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
        return fail(err, errlen, -EINVAL, "host key %s is unreadable (%s)", path);
    }
    int ok = ssh_key_type(key) == type;
    ssh_key_free(key);
    if (!ok) {
        return fail(err, errlen, -EINVAL, "host key %s has the wrong type (%s)", path);
    }
    return 0;
}

int
login_hostkeys_prepare(const char *dir, char *ed25519_path, char *ecdsa_path, char *err,
                       size_t errlen)
{
    if (dir == NULL || *dir == '\0') {
        return fail(err, errlen, -EINVAL, "no host key folder given%s (%s)", "");
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        return fail(err, errlen, -errno, "cannot make host key folder %s: %s", dir);
    }
    if (snprintf(ed25519_path, PATH_MAX, "%s/ssh_host_ed25519_key", dir) >= PATH_MAX ||
        snprintf(ecdsa_path, PATH_MAX, "%s/ssh_host_ecdsa_key", dir) >= PATH_MAX) {
        return fail(err, errlen, -ENAMETOOLONG, "host key folder name too long: %s (%s)", dir);
    }
    int rc = ensure_key(SSH_KEYTYPE_ED25519, 0, ed25519_path, err, errlen);
    if (rc == 0) {
        rc = ensure_key(SSH_KEYTYPE_ECDSA_P256, 256, ecdsa_path, err, errlen);
    }
    return rc;
}
