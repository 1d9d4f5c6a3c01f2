// SPDX-License-Identifier: MIT
/*
 * tests/guest/diag_exit.c - the ways a guest ends (or does not), chosen by
 * the IPL parameter, for tests/run_exit.sh and tests/run_timer.sh:
 *   exit N     DIAG 0x1010 test exit with code N (any 64-bit value)
 *   shutdown   SBI SRST shutdown, no reason      sysfail  ... system failure
 *   reboot     SBI SRST warm reboot; after the re-IPL exit 42
 *   spin       loop forever (--limit, --timeout)
 *   sleep      wfi with the timer far away (--timeout, no CPU used)
 *   wfi        wfi with nothing enabled: a disabled wait
 *   stvec      a fault with stvec pointing outside storage: disabled wait
 *   parm ...   print the parameter as received, exit 0
 *   timer      print DIAG 0x00C's local date, time and UTC offset
 */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static unsigned long
rdtime(void)
{
    unsigned long t;
    __asm__ volatile("csrr %0, time" : "=r"(t));
    return t;
}

static void
sbi_srst(unsigned long type, unsigned long reason)
{
    register unsigned long a0 __asm__("a0") = type;
    register unsigned long a1 __asm__("a1") = reason;
    register unsigned long a6 __asm__("a6") = SBI_SRST_RESET;
    register unsigned long a7 __asm__("a7") = SBI_EID_SRST;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
}

/* A word CP's warm reboot leaves alone: near the top of storage, far
 * from the program and its stack. */
#define REBOOT_MAGIC 0x5245424F4F54ul /* "REBOOT" */

int
main(const struct vmrv_iplblock *ipl)
{
    char parm[VMRV_IPL_PARM_MAX + 1];
    memcpy(parm, ipl->parm, ipl->parm_len);
    parm[ipl->parm_len] = '\0';
    rt_flush();
    if (strncmp(parm, "exit", 4) == 0) {
        unsigned long code = strtoul(parm + 4, NULL, 0);
        diag_call(DIAG_TEST_EXIT, code, 0, 0, 0, 0, 0);
    } else if (strcmp(parm, "shutdown") == 0) {
        printf("shutting down\n");
        sbi_srst(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
    } else if (strcmp(parm, "sysfail") == 0) {
        sbi_srst(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSFAIL);
    } else if (strcmp(parm, "reboot") == 0) {
        volatile unsigned long *magic = (unsigned long *)(ipl->storage_size - 4096);
        if (*magic == REBOOT_MAGIC) {
            printf("rebooted\n");
            return 42;
        }
        *magic = REBOOT_MAGIC;
        printf("rebooting\n");
        sbi_srst(SBI_SRST_TYPE_WARM_REBOOT, SBI_SRST_REASON_NONE);
    } else if (strcmp(parm, "spin") == 0) {
        printf("spinning\n");
        for (;;) {
            __asm__ volatile("");
        }
    } else if (strcmp(parm, "sleep") == 0) {
        printf("sleeping\n");
        __asm__ volatile("csrs sie, %0" ::"r"(1ul << 5));
        diag_call(DIAG_CLOCK_COMPARATOR, rdtime() + 1000 * VMRV_TIMEBASE_HZ, 0, 0, 0, 0, 0);
        for (;;) {
            __asm__ volatile("wfi");
        }
    } else if (strcmp(parm, "wfi") == 0) {
        __asm__ volatile("csrw sie, zero");
        __asm__ volatile("wfi");
    } else if (strcmp(parm, "stvec") == 0) {
        __asm__ volatile("csrw stvec, %0" ::"r"(ipl->storage_size + 0x1000));
        __asm__ volatile("unimp");
    } else if (strncmp(parm, "parm", 4) == 0) {
        printf("parm=[%s] len=%u\n", parm, (unsigned)ipl->parm_len);
        return 0;
    } else if (strcmp(parm, "timer") == 0) {
        struct diag_timer t;
        diag_call(DIAG_TIMER, (unsigned long)&t, sizeof t, 0, 0, 0, 0);
        printf("DATE %.8s TIME %.8s ISO %.10s OFFSET %ld\n", t.date, t.time, t.date_iso,
               (long)t.utc_offset_s);
        return 0;
    }
    printf("diag_exit: unknown parameter '%s'\n", parm);
    return 99;
}
