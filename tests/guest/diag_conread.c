// SPDX-License-Identifier: MIT
/*
 * tests/guest/diag_conread.c - console input from inside a guest, driven
 * by tests/run_console.sh through vmrv run's standard input and SIGINT.
 * The IPL parameter picks the way it reads:
 *   (none)   DIAG 0x058 READ into a 16-byte buffer, echoing "got L F: text"
 *            (L bytes copied, F the full length); on DIAG_EINTR it prints
 *            "attention" and claims the pending events
 *   noclaim  the same, but never claims the attention
 *   nowait   READ with DIAG_CON_NOWAIT; on DIAG_EAGAIN it waits in wfi for
 *            the console event (SEIP) and claims it
 *   dbcn     SBI DBCN read (never waits) + wfi + event claim, echoing bytes
 * A line "quit" ends it with exit code 0.
 */
#include <string.h>

#include "rt.h"

static void
claim_all(void)
{
    for (;;) {
        struct diag_result r = diag_call(DIAG_EVENT_CLAIM, 0, 0, 0, 0, 0, 0);
        if (r.error != 0) {
            CHECK_EQ(r.error, DIAG_EAGAIN);
            return;
        }
        printf("event %lu\n", r.value);
    }
}

static int
read_lines(int nowait, int claim)
{
    char buf[16];
    for (;;) {
        struct diag_result r = diag_call(DIAG_CONSOLE, DIAG_CON_READ, (unsigned long)buf,
                                         sizeof buf, nowait ? DIAG_CON_NOWAIT : 0, 0, 0);
        if (r.error == DIAG_EINTR) {
            printf(claim ? "attention\n" : "attention (not claimed)\n");
            if (claim) {
                claim_all();
            }
            continue;
        }
        if (r.error == DIAG_EAGAIN && nowait) {
            /* SIE stays off: wfi wakes on SEIP, no trap. */
            __asm__ volatile("csrs sie, %0" ::"r"(1ul << 9));
            __asm__ volatile("wfi");
            claim_all();
            continue;
        }
        CHECK_EQ(r.error, 0);
        if (r.error != 0) {
            return 1;
        }
        printf("got %lu %lu: %.*s\n", r.value, r.value2, (int)r.value, buf);
        if (r.value2 == 4 && memcmp(buf, "quit", 4) == 0) {
            return rt_failures;
        }
    }
}

static int
dbcn_lines(void)
{
    char line[128];
    size_t len = 0;
    __asm__ volatile("csrs sie, %0" ::"r"(1ul << 9));
    for (;;) {
        register unsigned long a0 __asm__("a0") = sizeof line - len;
        register unsigned long a1 __asm__("a1") = (unsigned long)(line + len);
        register unsigned long a2 __asm__("a2") = 0;
        register unsigned long a6 __asm__("a6") = SBI_DBCN_READ;
        register unsigned long a7 __asm__("a7") = SBI_EID_DBCN;
        __asm__ volatile("ecall" : "+r"(a0), "+r"(a1), "+r"(a2) : "r"(a6), "r"(a7) : "memory");
        CHECK_EQ(a0, 0);
        if (a1 == 0) {
            __asm__ volatile("wfi");
            claim_all();
            continue;
        }
        len += a1;
        char *nl = memchr(line, '\n', len);
        if (nl != NULL) {
            size_t n = (size_t)(nl - line);
            printf("dbcn: %.*s\n", (int)n, line);
            if (n == 4 && memcmp(line, "quit", 4) == 0) {
                return rt_failures;
            }
            len -= n + 1;
            memmove(line, nl + 1, len);
        }
    }
}

int
main(const struct vmrv_iplblock *ipl)
{
    char parm[VMRV_IPL_PARM_MAX + 1];
    memcpy(parm, ipl->parm, ipl->parm_len);
    parm[ipl->parm_len] = '\0';
    printf("ready\n");
    if (strcmp(parm, "dbcn") == 0) {
        return dbcn_lines();
    }
    return read_lines(strcmp(parm, "nowait") == 0, strcmp(parm, "noclaim") != 0);
}
