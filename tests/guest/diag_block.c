// SPDX-License-Identifier: MIT
/*
 * tests/guest/diag_block.c - DIAG 0x250 block I/O and DIAG 0x024 on disks,
 * from inside a guest.  tests/run_block.sh runs it with a writable disk at
 * 191 and a read-only one at 190 (each block of 190 filled with "RO-DISK!"
 * repeated).  IPL parameter:
 *   test N   geometry (N blocks), device information, read, write and read
 *            back (also the most blocks one call may move), flush, and every
 *            error: ERANGE, EROFS, ENODEV, EINVAL, EFAULT, ENOTSUP.  Leaves
 *            "VMRV block b" at the start of blocks 0-3 for the shell.
 *   ack N    writes "ACK b" into blocks 0..N-1, printing "acked b" after each
 *            write returned, then spins: the shell kills vmrv run with -9
 *            and checks that every acknowledged block is in the image.
 */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

#define BS DIAG_BLOCK_SIZE

static unsigned char big[DIAG_BLOCK_MAX_COUNT * BS];
static unsigned char blk[4 * BS];

static struct diag_result
bio(unsigned long sub, unsigned long vaddr, unsigned long a2, unsigned long a3, unsigned long a4)
{
    return diag_call(DIAG_BLOCK_IO, sub, vaddr, a2, a3, a4, 0);
}

static void
test_geometry(unsigned long blocks)
{
    struct diag_geometry g;
    struct diag_result r = bio(DIAG_BIO_GEOMETRY, 0x191, (unsigned long)&g, sizeof g, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, sizeof g);
    CHECK_EQ(g.block_size, BS);
    CHECK_EQ(g.flags, 0);
    CHECK_EQ(g.block_count, blocks);
    r = bio(DIAG_BIO_GEOMETRY, 0x190, (unsigned long)&g, sizeof g, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(g.flags, DIAG_DEVF_READONLY);
    struct diag_devinfo d;
    r = diag_call(DIAG_DEVINFO, 0x191, (unsigned long)&d, sizeof d, 0, 0, 0);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(d.devclass, DIAG_DEV_DISK);
    CHECK_EQ(d.flags, 0);
    CHECK_EQ(d.blocks, blocks);
    CHECK_EQ(d.owner_vaddr, 0x191);
    r = diag_call(DIAG_DEVINFO, 0x190, (unsigned long)&d, sizeof d, 0, 0, 0);
    CHECK_EQ(d.flags, DIAG_DEVF_READONLY);
}

static void
test_read_write(unsigned long blocks)
{
    /* The read-only disk has its pattern. */
    struct diag_result r = bio(DIAG_BIO_READ, 0x190, 1, (unsigned long)blk, 2);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, 2);
    CHECK(memcmp(blk, "RO-DISK!", 8) == 0);
    CHECK(memcmp(blk + 2 * BS - 8, "RO-DISK!", 8) == 0);
    /* Write four blocks, read them back. */
    memset(blk, '.', sizeof blk);
    for (int b = 0; b < 4; b++) {
        int n = snprintf((char *)blk + b * BS, 32, "VMRV block %d", b);
        blk[b * BS + n] = '.';
    }
    r = bio(DIAG_BIO_WRITE, 0x191, 0, (unsigned long)blk, 4);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(r.value, 4);
    memset(big, 0, 4 * BS);
    r = bio(DIAG_BIO_READ, 0x191, 0, (unsigned long)big, 4);
    CHECK_EQ(r.error, 0);
    CHECK(memcmp(big, blk, 4 * BS) == 0);
    /* The most one call may move. */
    if (blocks >= 4 + DIAG_BLOCK_MAX_COUNT) {
        for (size_t i = 0; i < sizeof big; i++) {
            big[i] = (unsigned char)(i / BS + 7);
        }
        r = bio(DIAG_BIO_WRITE, 0x191, 4, (unsigned long)big, DIAG_BLOCK_MAX_COUNT);
        CHECK_EQ(r.error, 0);
        CHECK_EQ(r.value, DIAG_BLOCK_MAX_COUNT);
        memset(big, 0, sizeof big);
        r = bio(DIAG_BIO_READ, 0x191, 4, (unsigned long)big, DIAG_BLOCK_MAX_COUNT);
        CHECK_EQ(r.error, 0);
        CHECK_EQ(big[0], 7);
        CHECK_EQ(big[sizeof big - 1], (unsigned char)(DIAG_BLOCK_MAX_COUNT - 1 + 7));
    }
    /* The last block. */
    r = bio(DIAG_BIO_READ, 0x191, blocks - 1, (unsigned long)blk + 3 * BS, 1);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(bio(DIAG_BIO_FLUSH, 0x191, 0, 0, 0).error, 0);
    CHECK_EQ(bio(DIAG_BIO_FLUSH, 0x190, 0, 0, 0).error, 0);
}

static void
test_errors(const struct vmrv_iplblock *ipl, unsigned long blocks)
{
    unsigned long b = (unsigned long)blk;
    CHECK_EQ(bio(DIAG_BIO_READ, 0x191, blocks, b, 1).error, DIAG_ERANGE);
    CHECK_EQ(bio(DIAG_BIO_READ, 0x191, blocks - 1, b, 2).error, DIAG_ERANGE);
    CHECK_EQ(bio(DIAG_BIO_WRITE, 0x191, ~0ul, b, 2).error, DIAG_ERANGE);
    CHECK_EQ(bio(DIAG_BIO_WRITE, 0x190, 0, b, 1).error, DIAG_EROFS);
    CHECK_EQ(bio(DIAG_BIO_READ, 0x192, 0, b, 1).error, DIAG_ENODEV);
    CHECK_EQ(bio(DIAG_BIO_READ, 0x009, 0, b, 1).error, DIAG_ENODEV);
    CHECK_EQ(bio(DIAG_BIO_FLUSH, 0x192, 0, 0, 0).error, DIAG_ENODEV);
    CHECK_EQ(bio(DIAG_BIO_READ, 0x1000, 0, b, 1).error, DIAG_EINVAL);
    CHECK_EQ(bio(DIAG_BIO_READ, 0x191, 0, b, 0).error, DIAG_EINVAL);
    CHECK_EQ(bio(DIAG_BIO_WRITE, 0x191, 0, b, DIAG_BLOCK_MAX_COUNT + 1).error, DIAG_EINVAL);
    CHECK_EQ(bio(DIAG_BIO_READ, 0x191, 0, ipl->storage_size - BS, 2).error, DIAG_EFAULT);
    CHECK_EQ(bio(DIAG_BIO_WRITE, 0x191, 0, ~0ul - 100, 1).error, DIAG_EFAULT);
    CHECK_EQ(bio(DIAG_BIO_GEOMETRY, 0x191, ipl->storage_size - 4, 16, 0).error, DIAG_EFAULT);
    CHECK_EQ(bio(4, 0x191, 0, b, 1).error, DIAG_ENOTSUP);
    /* Nothing above changed block 0. */
    CHECK_EQ(bio(DIAG_BIO_READ, 0x191, 0, b, 1).error, 0);
    CHECK(memcmp(blk, "VMRV block 0", 12) == 0);
}

static int
ack(unsigned long n)
{
    for (unsigned long b = 0; b < n; b++) {
        memset(blk, 0, BS);
        snprintf((char *)blk, 32, "ACK %lu", b);
        struct diag_result r = bio(DIAG_BIO_WRITE, 0x191, b, (unsigned long)blk, 1);
        if (r.error != 0) {
            printf("write %lu failed: %ld\n", b, r.error);
            return 1;
        }
        printf("acked %lu\n", b);
    }
    printf("all acked\n");
    for (;;) {
        __asm__ volatile("");
    }
}

int
main(const struct vmrv_iplblock *ipl)
{
    char parm[VMRV_IPL_PARM_MAX + 1];
    memcpy(parm, ipl->parm, ipl->parm_len);
    parm[ipl->parm_len] = '\0';
    if (strncmp(parm, "ack ", 4) == 0) {
        return ack(strtoul(parm + 4, NULL, 0));
    }
    if (strncmp(parm, "test ", 5) != 0) {
        printf("diag_block: want 'test N' or 'ack N', got '%s'\n", parm);
        return 99;
    }
    unsigned long blocks = strtoul(parm + 5, NULL, 0);
    test_geometry(blocks);
    test_read_write(blocks);
    test_errors(ipl, blocks);
    printf("diag_block: %d failures\n", rt_failures);
    return rt_failures;
}
