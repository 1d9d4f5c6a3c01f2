// SPDX-License-Identifier: MIT
/*
 * tests/guest/diag_sbi.c - the standard SBI extensions from inside a guest,
 * the way a bare-metal S-mode program uses them: BASE (versions, ids,
 * probe_extension), TIME set_timer with wfi, DBCN write and write_byte,
 * and SRST's argument checks (a valid SRST would end the test: that is
 * tests/run_exit.sh's job).
 */
#include <string.h>

#include "rt.h"

struct sbiret {
    long error;
    unsigned long value;
};

static struct sbiret
sbi(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2)
{
    register unsigned long r0 __asm__("a0") = a0;
    register unsigned long r1 __asm__("a1") = a1;
    register unsigned long r2 __asm__("a2") = a2;
    register unsigned long r6 __asm__("a6") = fid;
    register unsigned long r7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1), "+r"(r2) : "r"(r6), "r"(r7) : "memory");
    struct sbiret r = {(long)r0, r1};
    return r;
}

static unsigned long
rdtime(void)
{
    unsigned long t;
    __asm__ volatile("csrr %0, time" : "=r"(t));
    return t;
}

int
main(const struct vmrv_iplblock *ipl)
{
    struct sbiret r = sbi(SBI_EID_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, VMRV_SBI_SPEC_VERSION);
    r = sbi(SBI_EID_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0);
    CHECK_EQ(r.value, VMRV_SBI_IMPL_ID);
    struct diag_identify id;
    diag_call(DIAG_IDENTIFY, (unsigned long)&id, sizeof id, 0, 0, 0, 0);
    r = sbi(SBI_EID_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0);
    CHECK_EQ(r.value, id.cp_version);
    static const unsigned long have[] = {SBI_EID_BASE, SBI_EID_TIME, SBI_EID_DBCN, SBI_EID_SRST,
                                         DIAG_EID};
    for (unsigned i = 0; i < 5; i++) {
        r = sbi(SBI_EID_BASE, SBI_BASE_PROBE_EXTENSION, have[i], 0, 0);
        CHECK_EQ(r.error, 0);
        CHECK_EQ(r.value, 1);
    }
    r = sbi(SBI_EID_BASE, SBI_BASE_PROBE_EXTENSION, 0x735049 /* IPI */, 0, 0);
    CHECK_EQ(r.value, 0);
    r = sbi(SBI_EID_BASE, SBI_BASE_PROBE_EXTENSION, 0x48534D /* HSM */, 0, 0);
    CHECK_EQ(r.value, 0);
    for (unsigned long f = SBI_BASE_GET_MVENDORID; f <= SBI_BASE_GET_MIMPID; f++) {
        r = sbi(SBI_EID_BASE, f, 0, 0, 0);
        CHECK_EQ(r.error, 0);
        CHECK_EQ(r.value, 0);
    }
    CHECK_EQ(sbi(SBI_EID_BASE, 7, 0, 0, 0).error, DIAG_ENOTSUP);
    CHECK_EQ(sbi(0x735049, 0, 0, 0, 0).error, DIAG_ENOTSUP);

    /* TIME: a timer 5 ms ahead wakes wfi (sie.STIE on, sstatus.SIE off). */
    __asm__ volatile("csrs sie, %0" ::"r"(1ul << 5));
    unsigned long when = rdtime() + VMRV_TIMEBASE_HZ / 200;
    CHECK_EQ(sbi(SBI_EID_TIME, SBI_TIME_SET_TIMER, when, 0, 0).error, 0);
    while (rdtime() < when) {
        __asm__ volatile("wfi");
    }
    unsigned long sip;
    __asm__ volatile("csrr %0, sip" : "=r"(sip));
    CHECK(sip & (1ul << 5));
    sbi(SBI_EID_TIME, SBI_TIME_SET_TIMER, ~0ul, 0, 0);
    __asm__ volatile("csrc sie, %0" ::"r"(1ul << 5));

    /* DBCN. */
    rt_flush();
    static const char msg[] = "dbcn write\n";
    r = sbi(SBI_EID_DBCN, SBI_DBCN_WRITE, sizeof msg - 1, (unsigned long)msg, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, sizeof msg - 1);
    const char *p = "byte by byte\n";
    for (; *p; p++) {
        CHECK_EQ(sbi(SBI_EID_DBCN, SBI_DBCN_WRITE_BYTE, (unsigned char)*p, 0, 0).error, 0);
    }
    CHECK_EQ(sbi(SBI_EID_DBCN, SBI_DBCN_WRITE, 4, (unsigned long)msg, 1).error, DIAG_EFAULT);
    CHECK_EQ(sbi(SBI_EID_DBCN, SBI_DBCN_WRITE, 8, ipl->storage_size - 4, 0).error, DIAG_EFAULT);
    CHECK_EQ(sbi(SBI_EID_DBCN, SBI_DBCN_READ, 8, ipl->storage_size - 4, 0).error, DIAG_EFAULT);
    CHECK_EQ(sbi(SBI_EID_DBCN, 3, 0, 0, 0).error, DIAG_ENOTSUP);

    /* SRST argument checks: these return. */
    CHECK_EQ(sbi(SBI_EID_SRST, SBI_SRST_RESET, 3, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(sbi(SBI_EID_SRST, SBI_SRST_RESET, 0, 2, 0).error, DIAG_EINVAL);
    CHECK_EQ(sbi(SBI_EID_SRST, SBI_SRST_RESET, 0xF0000000, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(sbi(SBI_EID_SRST, 1, 0, 0, 0).error, DIAG_ENOTSUP);
    printf("diag_sbi: %d failures\n", rt_failures);
    return rt_failures;
}
