// SPDX-License-Identifier: MIT
/*
 * tests/guest/diag_console.c - DIAG 0x058 from inside a guest: WRITE_LINE,
 * WRITE (a prompt), a '\n' inside a buffer, empty writes, and every error
 * that needs no input: unknown subcode, buffers outside storage, a length
 * beyond the limit, READ with unknown flags or a buffer outside storage.
 * tests/run_console.sh checks the exact output and the reads with input.
 */
#include <string.h>

#include "rt.h"

static struct diag_result
con(unsigned long sub, const void *buf, unsigned long len, unsigned long flags)
{
    return diag_call(DIAG_CONSOLE, sub, (unsigned long)buf, len, flags, 0, 0);
}

int
main(const struct vmrv_iplblock *ipl)
{
    rt_flush();
    struct diag_result r = con(DIAG_CON_WRITE_LINE, "line one", 8, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, 8);
    r = con(DIAG_CON_WRITE, "prompt> ", 8, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, 8);
    r = con(DIAG_CON_WRITE_LINE, "rest", 4, 0);
    CHECK_EQ(r.error, 0);
    r = con(DIAG_CON_WRITE_LINE, "two\nlines", 9, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, 9);
    r = con(DIAG_CON_WRITE, "", 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, 0);
    r = con(DIAG_CON_WRITE_LINE, "", 0, 0);
    CHECK_EQ(r.error, 0);

    /* Errors write nothing. */
    CHECK_EQ(con(3, "x", 1, 0).error, DIAG_ENOTSUP);
    CHECK_EQ(con(~0ul, "x", 1, 0).error, DIAG_ENOTSUP);
    CHECK_EQ(con(DIAG_CON_WRITE, (void *)(ipl->storage_size - 2), 4, 0).error, DIAG_EFAULT);
    CHECK_EQ(con(DIAG_CON_WRITE_LINE, (void *)~0ul, 2, 0).error, DIAG_EFAULT);
    CHECK_EQ(con(DIAG_CON_WRITE_LINE, "x", 1ul << 40, 0).error, DIAG_EINVAL);
    CHECK_EQ(con(DIAG_CON_WRITE_LINE, "x", 65537, 0).error, DIAG_EINVAL);
    char buf[16];
    CHECK_EQ(con(DIAG_CON_READ, buf, sizeof buf, 2).error, DIAG_EINVAL);
    CHECK_EQ(con(DIAG_CON_READ, buf, sizeof buf, ~0ul).error, DIAG_EINVAL);
    CHECK_EQ(con(DIAG_CON_READ, (void *)(ipl->storage_size - 4), 16, DIAG_CON_NOWAIT).error,
             DIAG_EFAULT);
    CHECK_EQ(con(DIAG_CON_READ, buf, ~0ul, DIAG_CON_NOWAIT).error, DIAG_EFAULT);

    /* The largest write there is, through picolibc's stdout too. */
    static char big[65536];
    memset(big, '=', sizeof big);
    CHECK_EQ(con(DIAG_CON_WRITE, big, 16, 0).error, 0);
    r = con(DIAG_CON_WRITE_LINE, big, sizeof big, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, sizeof big);
    printf("diag_console: %d failures\n", rt_failures);
    return rt_failures;
}
