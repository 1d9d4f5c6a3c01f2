/* SPDX-License-Identifier: MIT */
/*
 * tests/test_vm_fake.h - shared helpers of the VM tests (test_vm, test_diag,
 * test_diag_fuzz, test_elf, test_blockdev): a fake console device that
 * records output and serves queued input lines, temporary folders and
 * image files under $TMPDIR, and a hypercall helper that goes through the
 * guest's registers exactly as an ecall does.
 */
#ifndef TESTS_TEST_VM_FAKE_H
#define TESTS_TEST_VM_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/rv.h"

struct vm;

#define FAKE_OUT_MAX (256 * 1024)
#define FAKE_LINES_MAX 64

struct fake_console {
    char out[FAKE_OUT_MAX]; /* everything written; line ends as '\n' */
    size_t out_len;
    char *lines[FAKE_LINES_MAX]; /* queued input */
    unsigned head, count;
    bool full; /* refuse output with -EAGAIN */
    unsigned writes; /* write calls */
};

/* Attaches a fake console at 009 of vm; the VM owns (and frees) it. */
struct fake_console *fake_console_attach(struct vm *vm);
/* Queues an input line. */
void fake_console_push(struct fake_console *c, const char *line);

/* A new empty folder under $TMPDIR (or /tmp); free() the result after
 * test_rmdir. */
char *test_tmpdir(void);
void test_rmdir(const char *dir);
/* Creates dir/name of `bytes` bytes, each byte = fill ^ (offset / 4096);
 * returns the malloc'd path. */
char *test_image(const char *dir, const char *name, uint64_t bytes, uint8_t fill);

/* One hypercall through the registers: a7 = eid, a6 = fid, a0..a5; a2 is
 * preset to HC_SENTINEL unless given.  Results read back from a0..a2. */
#define HC_SENTINEL 0x5EC0DE5EC0DEull
struct hc {
    enum rv_hcall action;
    int64_t err;
    uint64_t v1, v2;
};
struct hc hcall(struct vm *vm, uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
                uint64_t a3, uint64_t a4, uint64_t a5);
#define DIAG(vm, fid, a0, a1, a2, a3, a4) hcall(vm, DIAG_EID, fid, a0, a1, a2, a3, a4, 0)

/* A VM for hypercall tests: `storage` bytes, userid TESTER, a fake
 * console at 009, a writable disk at 191 (DISK_BLOCKS blocks, block b
 * filled with 0xD0 ^ b) and a read-only link at 190 to a second image
 * (0x90 ^ b).  Nothing IPLed: the CPU's registers are used directly. */
#define DISK_BLOCKS 260
struct vmfix {
    struct vm *vm;
    struct fake_console *con;
    struct blockdev *rw, *ro;
    char *dir, *rw_path, *ro_path;
};
struct vmfix *vmfix_create(uint64_t storage);
void vmfix_destroy(struct vmfix *f);

#endif /* TESTS_TEST_VM_FAKE_H */
