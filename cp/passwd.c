// SPDX-License-Identifier: MIT
/*
 * cp/passwd.c - yescrypt password hashes (cp/passwd.h).  Salts come from
 * crypt_gensalt_rn("$y$", 0, NULL, 0, ...), which asks the kernel for
 * randomness; hashing and checking use crypt_r with a heap-allocated
 * struct crypt_data (it is too big for small thread stacks).  A result
 * that starts with '*' is libxcrypt's failure token, never a hash.
 *
 * Timing: every check does one yescrypt computation.  For unknown users and
 * NOLOG entries the caller burns the same time against a dummy setting
 * with our default cost, so an attacker cannot tell "no such user" from
 * "wrong password" by the clock.
 */
#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cp/passwd.h"

static atomic_ulong passwd_hashes;
static atomic_ulong passwd_cost; /* 0: libxcrypt's default */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[CRYPT_GENSALT_OUTPUT_SIZE];

void
passwd_set_cost(unsigned long count)
{
    atomic_store(&passwd_cost, count);
}

unsigned long
passwd_hash_count(void)
{
    return atomic_load(&passwd_hashes);
}

int
passwd_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a;
    const volatile unsigned char *y = b;
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++) {
        diff |= x[i] ^ y[i];
    }
    return diff == 0;
}

const char *
passwd_policy(const char *password)
{
    size_t n = strlen(password);
    if (n < PASSWD_MIN_LEN) {
        return "a password needs at least 8 characters";
    }
    if (n > PASSWD_MAX_LEN) {
        return "a password may have at most 128 characters";
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)password[i];
        if (c < 0x20 || c == 0x7f) {
            return "a password may not contain control characters";
        }
    }
    if (strcmp(password, "NOLOG") == 0 || strcmp(password, "GENERATE") == 0) {
        return "NOLOG and GENERATE are keywords, not passwords";
    }
    return NULL;
}

/* One crypt_r into out.  Returns 0 or -ENOMEM / -EIO. */
static int
passwd_crypt(const char *password, const char *setting, char *out, size_t outlen)
{
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (cd == NULL) {
        return -ENOMEM;
    }
    atomic_fetch_add(&passwd_hashes, 1);
    const char *r = crypt_r(password, setting, cd);
    int rc = 0;
    if (r == NULL || r[0] == '*' || strlen(r) >= outlen) {
        rc = -EIO;
        out[0] = '\0';
    } else {
        strcpy(out, r);
    }
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    return rc;
}

static int
passwd_hash_unchecked(const char *password, char *out, size_t outlen)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$y$", atomic_load(&passwd_cost), NULL, 0, salt, sizeof salt) == NULL || salt[0] == '*') {
        return -EIO;
    }
    return passwd_crypt(password, salt, out, outlen);
}

int
passwd_hash(const char *password, char *out, size_t outlen)
{
    if (passwd_policy(password) != NULL) {
        return -EINVAL;
    }
    return passwd_hash_unchecked(password, out, outlen);
}

/*
 * The dummy is a bare setting from crypt_gensalt_rn ("$y$j9T$salt"): crypt
 * accepts a setting without a hash and does the full computation on it,
 * so burning costs one yescrypt at our default cost, and making the dummy
 * costs nothing (no extra hash on the first unknown user).
 */
static void
dummy_make(void)
{
    if (crypt_gensalt_rn("$y$", atomic_load(&passwd_cost), NULL, 0, dummy_hash, sizeof dummy_hash) == NULL || dummy_hash[0] == '*') {
        /* No randomness: any fixed salt will do for work that is thrown away. */
        strcpy(dummy_hash, "$y$j9T$AAAAAAAAAAAAAAAAAAAAAA");
    }
}

void
passwd_burn(const char *password)
{
    pthread_once(&dummy_once, dummy_make);
    char out[CRYPT_OUTPUT_SIZE];
    (void)passwd_crypt(password, dummy_hash, out, sizeof out);
    explicit_bzero(out, sizeof out);
}

int
passwd_check(const char *hash, const char *password)
{
    if (!passwd_is_hash(hash) || strlen(password) > PASSWD_MAX_LEN) {
        passwd_burn(password);
        return -EACCES;
    }
    char out[CRYPT_OUTPUT_SIZE];
    int rc = passwd_crypt(password, hash, out, sizeof out);
    size_t n = strlen(hash);
    int same = rc == 0 && strlen(out) == n && passwd_ct_equal(out, hash, n);
    explicit_bzero(out, sizeof out);
    return same ? 0 : -EACCES;
}

/* crypt(3)'s base-64 alphabet. */
static int
passwd_b64char(char c)
{
    return c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
           (c >= 'a' && c <= 'z');
}

int
passwd_is_hash(const char *s)
{
    /* $y$PARAMS$SALT$HASH: three non-empty fields of crypt base-64, the
     * hash 43 characters (256 bits). */
    size_t n = strlen(s);
    if (n >= PASSWD_HASH_MAX || strncmp(s, "$y$", 3) != 0) {
        return 0;
    }
    const char *p = s + 3;
    for (int field = 0; field < 3; field++) {
        const char *start = p;
        while (*p != '\0' && *p != '$') {
            if (!passwd_b64char(*p)) {
                return 0;
            }
            p++;
        }
        size_t len = (size_t)(p - start);
        if (len == 0 || (field == 2 && len != 43) || (field < 2 && *p != '$')) {
            return 0;
        }
        if (field < 2) {
            p++;
        }
    }
    if (*p != '\0') {
        return 0;
    }
    return crypt_checksalt(s) == CRYPT_SALT_OK;
}

int
passwd_generate(char *out, size_t outlen)
{
    /* 57 symbols, no 0/O, 1/l/I: about 5.8 bits each, 93 bits in all. */
    static const char alphabet[] = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const unsigned n = sizeof alphabet - 1;
    if (outlen <= PASSWD_GEN_LEN) {
        return -EINVAL;
    }
    size_t i = 0;
    while (i < PASSWD_GEN_LEN) {
        unsigned char buf[32];
        ssize_t got = getrandom(buf, sizeof buf, 0);
        if (got <= 0) {
            if (got < 0 && errno == EINTR) {
                continue;
            }
            return -EIO;
        }
        for (ssize_t j = 0; j < got && i < PASSWD_GEN_LEN; j++) {
            /* Rejection sampling keeps the symbols uniform. */
            if (buf[j] < 256 - 256 % n) {
                out[i++] = alphabet[buf[j] % n];
            }
        }
        explicit_bzero(buf, sizeof buf);
    }
    out[i] = '\0';
    return 0;
}
