// SPDX-License-Identifier: MIT
/*
 * tests/guest/cp_diag.c - a guest that uses CP's own DIAG services from
 * inside a VM under CP (tests/test_cp_vm.c IPLs it; under `vmrv run`
 * they answer DIAG_ENOTSUP): 0x008 CP commands with the response captured,
 * return codes, bad arguments; 0x068 special messages; a console read.
 * It prints CPDIAG lines that the test waits for and ends with TEST EXIT.
 */
#include <string.h>

#include "rt.h"

static long
cpcmd(const char *cmd, char *resp, unsigned long cap, unsigned long *rc, unsigned long *full)
{
    struct diag_result r =
        diag_call(DIAG_CP_COMMAND, (unsigned long)cmd, strlen(cmd), (unsigned long)resp, cap, 0, 0);
    *rc = r.value;
    *full = r.value2;
    return r.error;
}

int
main(const struct vmrv_iplblock *ipl)
{
    char resp[256];
    unsigned long rc = 99, full = 0;
    memset(resp, 0, sizeof resp);
    CHECK_EQ(cpcmd("QUERY STORAGE", resp, sizeof resp, &rc, &full), 0);
    CHECK_EQ(rc, 0);
    CHECK_EQ(full, 13);
    CHECK(memcmp(resp, "STORAGE = 32M", 13) == 0);
    /* truncated: the full length is still reported */
    memset(resp, 0, sizeof resp);
    CHECK_EQ(cpcmd("QUERY STORAGE", resp, 7, &rc, &full), 0);
    CHECK_EQ(full, 13);
    CHECK(memcmp(resp, "STORAGE", 7) == 0 && resp[7] == 0);
    /* an unknown command: CP's return code is the message number */
    CHECK_EQ(cpcmd("FROB", resp, sizeof resp, &rc, &full), 0);
    CHECK_EQ(rc, 1);
    CHECK(memcmp(resp, "VMR001E", 7) == 0);
    /* a command of a class this user lacks */
    CHECK_EQ(cpcmd("SHUTDOWN", resp, sizeof resp, &rc, &full), 0);
    CHECK_EQ(rc, 6);
    /* bad arguments */
    struct diag_result r = diag_call(DIAG_CP_COMMAND, (unsigned long)"Q T", 0, 0, 0, 0, 0);
    CHECK_EQ(r.error, DIAG_EINVAL);
    r = diag_call(DIAG_CP_COMMAND, (unsigned long)"Q T", 241, 0, 0, 0, 0);
    CHECK_EQ(r.error, DIAG_EINVAL);
    r = diag_call(DIAG_CP_COMMAND, (unsigned long)"Q T", 3, 0xFFFFFFF000ul, 16, 0, 0);
    CHECK_EQ(r.error, DIAG_EFAULT);
    r = diag_call(DIAG_CP_COMMAND, 0xFFFFFFF000ul, 3, 0, 0, 0, 0);
    CHECK_EQ(r.error, DIAG_EFAULT);
    r = diag_call(DIAG_CP_COMMAND, (unsigned long)"Q T", 3, 0, 0, 0x80, 0);
    CHECK_EQ(r.error, DIAG_EINVAL);
    /* no buffer: the response goes to the console */
    CHECK_EQ(cpcmd("QUERY CPLEVEL", 0, 0, &rc, &full), 0);
    CHECK_EQ(rc, 0);
    /* accept special messages as DIAG 0x068 RECEIVE */
    CHECK_EQ(cpcmd("SET SMSG ON", resp, sizeof resp, &rc, &full), 0);
    CHECK_EQ(rc, 0);
    r = diag_call(DIAG_MESSAGE, DIAG_MSG_AUTHORIZE, 1, 0, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    struct diag_message m;
    r = diag_call(DIAG_MESSAGE, DIAG_MSG_RECEIVE, (unsigned long)&m, sizeof m, 0, 0, 0);
    CHECK_EQ(r.error, DIAG_EAGAIN);
    r = diag_call(DIAG_MESSAGE, DIAG_MSG_SEND, (unsigned long)"NOBODY  ", (unsigned long)"hi", 2, 0,
                  0);
    CHECK_EQ(r.error, DIAG_ENOTFOUND);
    /* LINK through DIAG 0x008: CP reads the directory and opens the image
     * on an I/O worker while this ecall waits, then answers it */
    memset(resp, 0, sizeof resp);
    CHECK_EQ(cpcmd("LINK MAINT 190 300 RR", resp, sizeof resp, &rc, &full), 0);
    CHECK_EQ(rc, 0);
    CHECK(memcmp(resp, "VMR145I MAINT 190 linked as 300 RR", 34) == 0);
    CHECK_EQ(full, 34);
    memset(resp, 0, sizeof resp);
    CHECK_EQ(cpcmd("LINK MAINT 191 301 W", resp, sizeof resp, &rc, &full), 0);
    CHECK_EQ(rc, 142); /* no write password: refused */
    CHECK(memcmp(resp, "VMR142E", 7) == 0);
    CHECK_EQ(cpcmd("DETACH 300", resp, sizeof resp, &rc, &full), 0);
    CHECK_EQ(rc, 0);
    printf("CPDIAG READY %d\n", rt_failures);
    rt_flush();
    /* the test sends an SMSG, then types a line */
    char line[80];
    r = diag_call(DIAG_CONSOLE, DIAG_CON_READ, (unsigned long)line, sizeof line, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    printf("CPDIAG GOT %.*s\n", (int)r.value, line);
    memset(&m, 0, sizeof m);
    r = diag_call(DIAG_MESSAGE, DIAG_MSG_RECEIVE, (unsigned long)&m, sizeof m, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK(memcmp(m.from, "MAINT   ", 8) == 0);
    CHECK_EQ(m.length, 4);
    CHECK(memcmp(m.text, "ping", 4) == 0);
    printf("CPDIAG DONE %d\n", rt_failures);
    return rt_failures;
}
