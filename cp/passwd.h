/* SPDX-License-Identifier: MIT */
/*
 * cp/passwd.h - logon password hashes: yescrypt through crypt(3) of
 * libxcrypt, checked in constant time, plus the rules a new password must
 * meet and the random passwords CP hands out on first start.  Knows nothing
 * of users or of the database (cp/dir.h does).
 *
 * Cost: one hash or check is one yescrypt computation, about 10 ms of CPU.
 * Never call these on a thread that must stay responsive (the SSH I/O
 * thread); see docs/DIRECTORY.md.  All functions are thread-safe.
 */
#ifndef CP_PASSWD_H
#define CP_PASSWD_H

#include <stddef.h>

/* Room for any hash passwd_hash() makes or passwd_is_hash() accepts. */
#define PASSWD_HASH_MAX 128
/* Length limits of a plain password (bytes). */
#define PASSWD_MIN_LEN 8
#define PASSWD_MAX_LEN 128
/* Length of the passwords passwd_generate() makes. */
#define PASSWD_GEN_LEN 16

/*
 * Hashes password with a fresh random salt into out (size outlen, at
 * least PASSWD_HASH_MAX).  Returns 0, -EINVAL if password breaks
 * passwd_policy(), -ENOMEM, or -EIO if crypt fails.
 */
int passwd_hash(const char *password, char *out, size_t outlen);

/*
 * Checks password against hash.  Returns 0 on a match, -EACCES otherwise
 * (also when hash is malformed or the password too long).  Always performs
 * exactly one yescrypt computation with our default cost, so a wrong
 * password, a bad hash and (through passwd_burn) an unknown user take the
 * same time; the result is compared in constant time.
 */
int passwd_check(const char *hash, const char *password);

/* Spends the time of one passwd_check() against a dummy hash and checks
 * nothing: the unknown-user and NOLOG paths call it. */
void passwd_burn(const char *password);

/* 1 if s is a well-formed yescrypt hash ($y$...) that crypt(3) accepts,
 * else 0.  Cheap: no hash is computed. */
int passwd_is_hash(const char *s);

/* NULL if password may be set, else a short reason (a static string). */
const char *passwd_policy(const char *password);

/*
 * Writes a random password of PASSWD_GEN_LEN characters (letters and
 * digits without look-alikes) into out (outlen > PASSWD_GEN_LEN).
 * Returns 0 or -EIO when the system has no randomness to give.
 */
int passwd_generate(char *out, size_t outlen);

/* Constant-time comparison of n bytes: 1 if equal, else 0. */
int passwd_ct_equal(const void *a, const void *b, size_t n);

/* How many yescrypt computations this process has done (a test seam). */
unsigned long passwd_hash_count(void);

/*
 * Test seam: the yescrypt cost of new hashes and of the dummy (1-11;
 * 0, the default, is libxcrypt's choice).  Unit tests call it once at the
 * start with 1, before any check, so they run fast on a busy machine.
 * Nothing else calls it.
 */
void passwd_set_cost(unsigned long count);

#endif
