// SPDX-License-Identifier: MIT
/*
 * tests/guest/spool_ur.c - unit record I/O through CP (tests/test_spoolcp.c
 * IPLs it in two VMs).  As ALICE it spools its punch to BOB (DIAG 0x008),
 * punches four records (text, all 256 byte values, an empty one, a 65535
 * byte one) with DIAG 0x1000 and closes the file with a name; its bad
 * calls get error codes.  As BOB it waits until a file is in its reader,
 * describes it and reads it back with DIAG 0x014 (next, EOF, restart,
 * truncation, select, close with purge).  As DAVE it calls both with
 * random arguments: every call must come back with a documented code.
 * Prints "SPUR SENT id n", "SPUR READ n" or "SPUR FUZZ n" (n = failed
 * checks) and ends with TEST EXIT.
 */
#include <stdbool.h>
#include <string.h>

#include "rt.h"

static unsigned char big[65535];
static unsigned char buf[65536];
static unsigned long ipl_size;

static long
cpcmd(const char *cmd)
{
    struct diag_result r = diag_call(DIAG_CP_COMMAND, (unsigned long)cmd, strlen(cmd), 0, 0, 0, 0);
    return r.error ? r.error : (long)r.value;
}

static long
ur(unsigned long vaddr, const void *rec, unsigned long len, unsigned long flags, const char *name,
   unsigned long *id)
{
    struct diag_result r = diag_call(DIAG_UR_WRITE, vaddr, (unsigned long)rec, len, flags,
                                     (unsigned long)name, name ? strlen(name) : 0);
    if (id) {
        *id = r.value;
    }
    return r.error;
}

static void
sender(void)
{
    unsigned char all[256];
    for (int i = 0; i < 256; i++) {
        all[i] = (unsigned char)i;
    }
    for (unsigned i = 0; i < sizeof big; i++) {
        big[i] = (unsigned char)(i * 7 + 3);
    }
    /* the unit record devices, as DIAG 0x024 sees them */
    static const unsigned long devs[3][2] = {
        {0x00C, DIAG_DEV_READER}, {0x00D, DIAG_DEV_PUNCH}, {0x00E, DIAG_DEV_PRINTER}};
    for (int i = 0; i < 3; i++) {
        struct diag_devinfo di;
        memset(&di, 0, sizeof di);
        CHECK_EQ(diag_call(DIAG_DEVINFO, devs[i][0], (unsigned long)&di, sizeof di, 0, 0, 0).error,
                 0);
        CHECK_EQ(di.vaddr, devs[i][0]);
        CHECK_EQ(di.devclass, devs[i][1]);
    }
    CHECK_EQ(cpcmd("SPOOL PUNCH TO BOB CLASS A"), 0);
    unsigned long id = 99;
    /* errors first: nothing is written by them */
    CHECK_EQ(ur(0x00C, "x", 1, 0, 0, 0), DIAG_ENODEV);
    CHECK_EQ(ur(0x123, "x", 1, 0, 0, 0), DIAG_ENODEV);
    CHECK_EQ(ur(0x00D, "x", 1, 0x80, 0, 0), DIAG_EINVAL);
    CHECK_EQ(ur(0x00D, big, 65536, 0, 0, 0), DIAG_EINVAL);
    CHECK_EQ(ur(0x00D, (void *)0xFFFFFFF000ul, 16, 0, 0, 0), DIAG_EFAULT);
    CHECK_EQ(ur(0x00D, "x", 1, 0, "NAME ONLY", 0), DIAG_EINVAL); /* a name needs CLOSE */
    CHECK_EQ(ur(0x00D, "x", 1, DIAG_UR_CLOSE, "TOOLONGNAME X", 0), DIAG_EINVAL);
    /* closing with nothing open makes no file */
    CHECK_EQ(ur(0x00D, 0, 0, DIAG_UR_CLOSE, 0, &id), 0);
    CHECK_EQ(id, 0);
    /* the file */
    CHECK_EQ(ur(0x00D, "HELLO", 5, 0, 0, 0), 0);
    CHECK_EQ(ur(0x00D, all, 256, 0, 0, 0), 0);
    CHECK_EQ(ur(0x00D, "", 0, 0, 0, 0), 0);
    CHECK_EQ(ur(0x00D, big, sizeof big, 0, 0, 0), 0);
    CHECK_EQ(ur(0x00D, 0, 0, DIAG_UR_CLOSE, "HELLO DATA", &id), 0);
    CHECK(id != 0);
    /* a printer file to the system queue, closed with its last record */
    unsigned long pid = 0;
    CHECK_EQ(ur(0x00E, "printed line", 12, DIAG_UR_CLOSE, "LIST ING", &pid), 0);
    CHECK(pid != 0 && pid != id);
    printf("SPUR SENT %lu %d\n", id, rt_failures);
}

static void
receiver(void)
{
    struct diag_result r;
    /* wait for the file: the arrival raises DIAG_EVENT_SPOOL */
    int spins = 0;
    /* SEIE on (sstatus.SIE stays off): wfi ends when an event is posted */
    __asm__ volatile("csrs sie, %0" ::"r"(1ul << 9));
    for (;;) {
        r = diag_call(DIAG_READER, DIAG_RDR_DESCRIBE, 0, (unsigned long)buf, 0, 0, 0);
        if (r.error == 0) {
            break;
        }
        CHECK_EQ(r.error, DIAG_ENOTFOUND);
        if (++spins > 100000) {
            printf("SPUR no file arrived\n");
            rt_failures++;
            return;
        }
        __asm__ volatile("wfi");
        while (diag_call(DIAG_EVENT_CLAIM, 0, 0, 0, 0, 0, 0).error == 0) {
        }
    }
    struct diag_spool_desc d;
    memset(&d, 0, sizeof d);
    r = diag_call(DIAG_READER, DIAG_RDR_DESCRIBE, 0, (unsigned long)&d, sizeof d, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, sizeof d);
    CHECK_EQ(d.records, 4);
    CHECK(memcmp(d.origin, "ALICE   ", 8) == 0);
    CHECK(memcmp(d.fname, "HELLO   ", 8) == 0);
    CHECK(memcmp(d.ftype, "DATA    ", 8) == 0);
    CHECK(memcmp(d.devtype, "PUN ", 4) == 0);
    CHECK_EQ(d.spclass, 'A');
    CHECK_EQ(d.hold, ' ');
    CHECK_EQ(d.copies, 1);
    /* the records, in order, byte for byte */
    r = diag_call(DIAG_READER, DIAG_RDR_NEXT, (unsigned long)buf, sizeof buf, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, 5);
    CHECK_EQ(r.value2, d.spoolid);
    CHECK(memcmp(buf, "HELLO", 5) == 0);
    r = diag_call(DIAG_READER, DIAG_RDR_NEXT, (unsigned long)buf, sizeof buf, 0, 0, 0);
    CHECK_EQ(r.value, 256);
    for (int i = 0; i < 256; i++) {
        CHECK_EQ(buf[i], i);
    }
    r = diag_call(DIAG_READER, DIAG_RDR_NEXT, (unsigned long)buf, sizeof buf, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, 0);
    r = diag_call(DIAG_READER, DIAG_RDR_NEXT, (unsigned long)buf, sizeof buf, 0, 0, 0);
    CHECK_EQ(r.value, 65535);
    int bad = 0;
    for (unsigned i = 0; i < 65535; i++) {
        bad += buf[i] != (unsigned char)(i * 7 + 3);
    }
    CHECK_EQ(bad, 0);
    r = diag_call(DIAG_READER, DIAG_RDR_NEXT, (unsigned long)buf, sizeof buf, 0, 0, 0);
    CHECK_EQ(r.error, DIAG_EOF);
    /* restart; a short buffer truncates and tells the full length */
    CHECK_EQ(diag_call(DIAG_READER, DIAG_RDR_RESTART, 0, 0, 0, 0, 0).error, 0);
    memset(buf, 0, 8);
    r = diag_call(DIAG_READER, DIAG_RDR_NEXT, (unsigned long)buf, 2, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, 5);
    CHECK(buf[0] == 'H' && buf[1] == 'E' && buf[2] == 0);
    /* bad calls */
    CHECK_EQ(diag_call(DIAG_READER, DIAG_RDR_NEXT, 0xFFFFFFF000ul, 16, 0, 0, 0).error, DIAG_EFAULT);
    CHECK_EQ(diag_call(DIAG_READER, DIAG_RDR_SELECT, 999998, 0, 0, 0, 0).error, DIAG_ENOTFOUND);
    CHECK_EQ(diag_call(DIAG_READER, DIAG_RDR_SELECT, 0, 0, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_READER, DIAG_RDR_CLOSE, 7, 0, 0, 0, 0).error, DIAG_EINVAL);
    CHECK_EQ(diag_call(DIAG_READER, 99, 0, 0, 0, 0, 0).error, DIAG_ENOTSUP);
    CHECK_EQ(diag_call(DIAG_READER, DIAG_RDR_SELECT, d.spoolid, 0, 0, 0, 0).error, 0);
    /* close with purge: the reader is empty afterwards */
    r = diag_call(DIAG_READER, DIAG_RDR_CLOSE, 1, 0, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, d.spoolid);
    CHECK_EQ(diag_call(DIAG_READER, DIAG_RDR_CLOSE, 0, 0, 0, 0, 0).error, DIAG_ENOTFOUND);
    r = diag_call(DIAG_READER, DIAG_RDR_NEXT, (unsigned long)buf, sizeof buf, 0, 0, 0);
    CHECK_EQ(r.error, DIAG_ENOTFOUND);
    CHECK_EQ(diag_call(DIAG_READER, DIAG_RDR_RESTART, 0, 0, 0, 0, 0).error, DIAG_ENOTFOUND);
    printf("SPUR READ %d\n", rt_failures);
}

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static unsigned long
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned long)rng;
}

/* A guest address for CP to write: our buffer or one outside storage. */
static unsigned long
out_addr(void)
{
    switch (rnd() % 4) {
    case 0: return 0xFFFFFFF000ul;
    case 1: return ~0ul - (rnd() % 64);
    default: return (unsigned long)buf;
    }
}

/* Anything to read from: in storage, at its end, or outside. */
static unsigned long
in_addr(void)
{
    switch (rnd() % 4) {
    case 0: return 0xFFFFFFF000ul;
    case 1: return ipl_size - (rnd() % 256);
    default: return (unsigned long)big + (rnd() % 1024);
    }
}

static unsigned long
length(void)
{
    switch (rnd() % 5) {
    case 0: return 0;
    case 1: return rnd() % 128;
    case 2: return 65535 + (rnd() % 4);
    case 3: return rnd();
    default: return rnd() % 70000;
    }
}

static void
fuzz(void)
{
    static const long ok[] = {DIAG_OK, DIAG_EINVAL, DIAG_EFAULT, DIAG_ENODEV, DIAG_ENOTSUP,
                              DIAG_ENOTFOUND, DIAG_EOF, DIAG_EDENIED, DIAG_ENOSPC};
    static const char *const names[] = {"A B", "ABCDEFGH ABCDEFGH", "", "TOO MANY NAMES", "\t\1x"};
    for (int i = 0; i < 3000; i++) {
        struct diag_result r;
        if (rnd() % 2) {
            unsigned long sub = rnd() % 7;
            r = diag_call(DIAG_READER, sub, sub == DIAG_RDR_NEXT ? out_addr() : rnd() % 8,
                          sub == DIAG_RDR_DESCRIBE ? out_addr() : length(), length(), 0, 0);
        } else {
            unsigned long dev = rnd() % 3 ? 0x00D + rnd() % 2 : rnd() % 0x1000;
            const char *nm = names[rnd() % 5];
            r = diag_call(DIAG_UR_WRITE, dev, in_addr(), length(), rnd() % 3 ? rnd() % 2 : rnd(),
                          rnd() % 3 ? (unsigned long)nm : in_addr(),
                          rnd() % 2 ? strlen(nm) : length());
        }
        bool known = false;
        for (unsigned k = 0; k < sizeof ok / sizeof ok[0]; k++) {
            known |= r.error == ok[k];
        }
        if (!known) {
            printf("SPUR call %d: error %ld\n", i, r.error);
            rt_failures++;
        }
    }
    printf("SPUR FUZZ %d\n", rt_failures);
}

int
main(const struct vmrv_iplblock *ipl)
{
    ipl_size = ipl->storage_size;
    if (memcmp(ipl->userid, "DAVE    ", 8) == 0) {
        fuzz();
    } else if (memcmp(ipl->userid, "ALICE   ", 8) == 0) {
        sender();
    } else {
        receiver();
    }
    return rt_failures;
}
