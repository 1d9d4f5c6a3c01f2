// SPDX-License-Identifier: MIT
/*
 * tests/guest/diag_machine.c - the DIAG functions about the machine, from
 * inside a guest: 0x000 identify, 0x00C pseudo-timer, 0x010 release pages,
 * 0x024 device information, 0x060 storage size, 0x1004 clock comparator
 * (with wfi), 0x1008 event claim, 0x100C storage protection (a U-mode
 * access to a protected page traps to our stvec), unknown functions, and
 * CP's services (not there under vmrv run).  Every error path documented
 * in include/vmrv/diag.h that needs no disk or console input.
 */
#include <setjmp.h>
#include <string.h>

#include "rt.h"

#define PAGE 4096

static unsigned char pages[3 * PAGE] __attribute__((aligned(PAGE)));
static unsigned char probe[PAGE] __attribute__((aligned(PAGE)));

static unsigned long
rdtime(void)
{
    unsigned long t;
    __asm__ volatile("csrr %0, time" : "=r"(t));
    return t;
}

static void
test_identify(const struct vmrv_iplblock *ipl)
{
    struct diag_identify id;
    unsigned char buf[sizeof id + 8];
    memset(buf, 0xAB, sizeof buf);
    struct diag_result r = diag_call(DIAG_IDENTIFY, (unsigned long)buf, sizeof buf, 0, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, sizeof id);
    CHECK_EQ(buf[sizeof id], 0xAB);
    memcpy(&id, buf, sizeof id);
    CHECK(memcmp(id.system, "VMRV    ", 8) == 0);
    CHECK(memcmp(id.userid, ipl->userid, 8) == 0);
    CHECK(memcmp(id.cplevel, "VM/RV ", 6) == 0);
    CHECK_EQ(id.storage_size, ipl->storage_size);
    CHECK_EQ(id.timebase_hz, VMRV_TIMEBASE_HZ);
    CHECK(id.privclasses != 0);
    /* A short buffer gets a prefix; 0 bytes anywhere is fine. */
    memset(buf, 0xAB, sizeof buf);
    r = diag_call(DIAG_IDENTIFY, (unsigned long)buf, 5, 0, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, 5);
    CHECK_EQ(buf[3], 'V');
    CHECK_EQ(buf[4], ' ');
    CHECK_EQ(buf[5], 0xAB);
    r = diag_call(DIAG_IDENTIFY, ~0ul, 0, 0, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    r = diag_call(DIAG_IDENTIFY, ipl->storage_size - 8, sizeof id, 0, 0, 0, 0);
    CHECK_EQ(r.error, DIAG_EFAULT);
    r = diag_call(DIAG_IDENTIFY, ~0ul - 4, sizeof id, 0, 0, 0, 0);
    CHECK_EQ(r.error, DIAG_EFAULT);
}

static void
test_storage_size(const struct vmrv_iplblock *ipl)
{
    struct diag_result r = diag_call(DIAG_STORAGE_SIZE, 0, 0, 0x1234, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, ipl->storage_size);
    CHECK_EQ(r.value2, 0x1234); /* a2 preserved */
}

static int
digits(const char *s, const char *shape)
{
    for (; *shape; s++, shape++) {
        if (*shape == '9' ? (*s < '0' || *s > '9') : *s != *shape) {
            return 0;
        }
    }
    return 1;
}

static void
test_timer(void)
{
    struct diag_timer t1, t2;
    struct diag_result r = diag_call(DIAG_TIMER, (unsigned long)&t1, sizeof t1, 0, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, sizeof t1);
    CHECK(digits(t1.date, "99/99/99"));
    CHECK(digits(t1.time, "99:99:99"));
    CHECK(digits(t1.date_iso, "9999-99-99"));
    CHECK(memcmp(t1.date_iso + 2, t1.date + 6, 2) == 0); /* the same year */
    CHECK(t1.tod_us > 1600000000ull * 1000000);
    CHECK(t1.total_cpu_us >= t1.virtual_cpu_us);
    /* Burn some CPU: the virtual CPU grows. */
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < 3000000; i++) {
        x += i;
    }
    r = diag_call(DIAG_TIMER, (unsigned long)&t2, sizeof t2, 0, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK(t2.virtual_cpu_us > t1.virtual_cpu_us);
    CHECK(t2.total_cpu_us >= t2.virtual_cpu_us);
    CHECK(t2.tod_us >= t1.tod_us);
    r = diag_call(DIAG_TIMER, (unsigned long)&t1, 8, 0, 0, 0, 0);
    CHECK_EQ(r.value, 8);
    r = diag_call(DIAG_TIMER, 0x7FFFFFFFFFFFull, sizeof t1, 0, 0, 0, 0);
    CHECK_EQ(r.error, DIAG_EFAULT);
}

static void
test_release(const struct vmrv_iplblock *ipl)
{
    memset(pages, 0xAA, sizeof pages);
    unsigned long base = (unsigned long)pages;
    struct diag_result r = diag_call(DIAG_RELEASE_PAGES, base + PAGE, PAGE, 0, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(pages[PAGE - 1], 0xAA);
    CHECK_EQ(pages[PAGE], 0);
    CHECK_EQ(pages[2 * PAGE - 1], 0);
    CHECK_EQ(pages[2 * PAGE], 0xAA);
    pages[PAGE] = 1; /* usable again */
    CHECK_EQ(pages[PAGE], 1);
    CHECK_EQ(diag_call(DIAG_RELEASE_PAGES, 0, PAGE, 0, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_RELEASE_PAGES, base + 1, PAGE, 0, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_RELEASE_PAGES, base, PAGE + 1, 0, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_RELEASE_PAGES, base, 0, 0, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_RELEASE_PAGES, ipl->storage_size, PAGE, 0, 0, 0, 0).error, DIAG_EFAULT);
    CHECK_EQ(diag_call(DIAG_RELEASE_PAGES, ipl->storage_size - PAGE, 2 * PAGE, 0, 0, 0, 0).error,
             DIAG_EFAULT);
    CHECK_EQ(pages[0], 0xAA);
}

static void
test_devinfo(void)
{
    struct diag_devinfo d;
    memset(&d, 0xFF, sizeof d);
    struct diag_result r = diag_call(DIAG_DEVINFO, 0x009, (unsigned long)&d, sizeof d, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, sizeof d);
    CHECK_EQ(d.vaddr, 0x009);
    CHECK_EQ(d.devclass, DIAG_DEV_CONSOLE);
    CHECK_EQ(diag_call(DIAG_DEVINFO, 0x00C, (unsigned long)&d, sizeof d, 0, 0, 0).error, DIAG_ENODEV);
    CHECK_EQ(diag_call(DIAG_DEVINFO, 0x1000, (unsigned long)&d, sizeof d, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_DEVINFO, 0x009, ~0ul - 8, sizeof d, 0, 0, 0).error, DIAG_EFAULT);
}

#define SIE_STIE (1ul << 5)
#define SIP_STIP (1ul << 5)

static void
test_clock_comparator(void)
{
    unsigned long sip;
    /* SIE stays off: wfi resumes on (sip & sie) without a trap. */
    __asm__ volatile("csrs sie, %0" ::"r"(SIE_STIE));
    unsigned long start = rdtime(), when = start + VMRV_TIMEBASE_HZ / 100; /* 10 ms */
    CHECK_EQ(diag_call(DIAG_CLOCK_COMPARATOR, when, 0, 0, 0, 0, 0).error, 0);
    __asm__ volatile("csrr %0, sip" : "=r"(sip));
    CHECK((sip & SIP_STIP) == 0);
    while (rdtime() < when) {
        __asm__ volatile("wfi");
    }
    __asm__ volatile("csrr %0, sip" : "=r"(sip));
    CHECK(sip & SIP_STIP);
    CHECK_EQ(diag_call(DIAG_CLOCK_COMPARATOR, DIAG_CLOCK_OFF, 0, 0, 0, 0, 0).error, 0);
    __asm__ volatile("csrr %0, sip" : "=r"(sip));
    CHECK((sip & SIP_STIP) == 0);
    __asm__ volatile("csrc sie, %0" ::"r"(SIE_STIE));
}

static void
test_events(void)
{
    struct diag_result r = diag_call(DIAG_EVENT_CLAIM, 0, 0, 0, 0, 0, 0);
    CHECK_EQ(r.error, DIAG_EAGAIN);
}

/* ---- U-mode and storage protection -------------------------------------- */
static jmp_buf back;
static volatile unsigned long trap_cause, trap_value;

static void
back_to_s(void)
{
    longjmp(back, 1);
}

/* Any trap from U-mode lands here: note it and return to S-mode. */
__attribute__((interrupt("supervisor"), aligned(4))) static void
on_trap(void)
{
    unsigned long cause, val, sstatus;
    __asm__ volatile("csrr %0, scause" : "=r"(cause));
    __asm__ volatile("csrr %0, stval" : "=r"(val));
    trap_cause = cause;
    trap_value = val;
    __asm__ volatile("csrw sepc, %0" ::"r"((unsigned long)back_to_s));
    __asm__ volatile("csrr %0, sstatus" : "=r"(sstatus));
    sstatus |= 1ul << 8; /* SPP = S */
    __asm__ volatile("csrw sstatus, %0" ::"r"(sstatus));
}

static volatile unsigned long user_result;

static void
user_load(void)
{
    user_result = *(volatile unsigned char *)probe;
    __asm__ volatile("ecall"); /* back to S-mode: scause 8 */
}

static void
user_store(void)
{
    *(volatile unsigned char *)probe = 0x5A;
    __asm__ volatile("ecall");
}

/* Runs fn in U-mode; returns the scause that brought us back. */
static unsigned long
in_user(void (*fn)(void))
{
    trap_cause = ~0ul;
    if (setjmp(back) == 0) {
        unsigned long sstatus;
        __asm__ volatile("csrw stvec, %0" ::"r"((unsigned long)on_trap));
        __asm__ volatile("csrw sepc, %0" ::"r"((unsigned long)fn));
        __asm__ volatile("csrr %0, sstatus" : "=r"(sstatus));
        sstatus &= ~(1ul << 8); /* SPP = U */
        __asm__ volatile("csrw sstatus, %0" ::"r"(sstatus));
        __asm__ volatile("sret");
    }
    __asm__ volatile("csrw stvec, zero");
    return trap_cause;
}

static void
test_protect(const struct vmrv_iplblock *ipl)
{
    unsigned long p = (unsigned long)probe;
    probe[0] = 0x33;
    CHECK_EQ(in_user(user_load), 8); /* ecall from U: it ran */
    CHECK_EQ(user_result, 0x33);
    CHECK_EQ(diag_call(DIAG_PROTECT, p, PAGE, DIAG_PROT_USER_RO, 0, 0, 0).error, 0);
    CHECK_EQ(in_user(user_load), 8);
    CHECK_EQ(in_user(user_store), 7); /* store access fault */
    CHECK_EQ(trap_value, p);
    CHECK_EQ(probe[0], 0x33);
    probe[0] = 0x44; /* S-mode is never restricted */
    CHECK_EQ(diag_call(DIAG_PROTECT, p, PAGE, DIAG_PROT_USER_NONE, 0, 0, 0).error, 0);
    CHECK_EQ(in_user(user_load), 5); /* load access fault */
    CHECK_EQ(trap_value, p);
    CHECK_EQ(diag_call(DIAG_PROTECT, p, PAGE, DIAG_PROT_USER_RW, 0, 0, 0).error, 0);
    CHECK_EQ(in_user(user_store), 8);
    CHECK_EQ(probe[0], 0x5A);
    /* Errors. */
    CHECK_EQ(diag_call(DIAG_PROTECT, p, PAGE, 3, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_PROTECT, p + 1, PAGE, 0, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_PROTECT, p, 100, 0, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_PROTECT, p, 0, 0, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_PROTECT, ipl->storage_size, PAGE, 0, 0, 0, 0).error, DIAG_EFAULT);
}

static void
test_unknown(void)
{
    CHECK_EQ(diag_call(0x0FFE, 0, 0, 0, 0, 0, 0).error, DIAG_ENOTSUP);
    CHECK_EQ(diag_call(DIAG_PAGEX_RESERVED, 0, 0, 0, 0, 0, 0).error, DIAG_ENOTSUP);
    /* CP's services: no CP under vmrv run. */
    static const unsigned long cp[] = {DIAG_CP_COMMAND, DIAG_READER, DIAG_SEGMENT, DIAG_MESSAGE,
                                       DIAG_UR_WRITE};
    for (unsigned i = 0; i < 5; i++) {
        CHECK_EQ(diag_call(cp[i], 0, 0, 0, 0, 0, 0).error, DIAG_ENOTSUP);
    }
    /* An unknown extension. */
    register unsigned long a0 __asm__("a0") = 0;
    register unsigned long a6 __asm__("a6") = 0;
    register unsigned long a7 __asm__("a7") = 0x0B000000;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a6), "r"(a7) : "a1", "memory");
    CHECK_EQ((long)a0, DIAG_ENOTSUP);
}

int
main(const struct vmrv_iplblock *ipl)
{
    test_identify(ipl);
    test_storage_size(ipl);
    test_timer();
    test_release(ipl);
    test_devinfo();
    test_clock_comparator();
    test_events();
    test_protect(ipl);
    test_unknown();
    printf("diag_machine: %d failures\n", rt_failures);
    return rt_failures;
}
