// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_harness.c - helpers shared by the tests of CP proper (see
 * tests/test_cp_harness.h).  No cmocka main here: each test program
 * links this file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <ftw.h>

#include "tests/test_cp_harness.h"

void
harness_tmpdir(char *buf, size_t buflen)
{
    const char *t = getenv("TMPDIR");
    snprintf(buf, buflen, "%s/vmrv-cp-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(buf)) {
        fail_msg("mkdtemp %s failed", buf);
    }
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

void
harness_rmtree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
harness_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}
