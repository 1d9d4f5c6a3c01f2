// SPDX-License-Identifier: MIT
/*
 * tests/test_diag_io.c - the device hypercalls: DIAG 0x058 console and SBI
 * DBCN against a fake console (cp/diag_console.c), DIAG 0x250 block I/O
 * against image files (cp/diag_block.c), DIAG 0x024 device information
 * (cp/diag_device.c).  Every documented error, and that a refused call
 * changes neither guest storage nor the disk.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/blockdev.h"
#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/vdev.h"
#include "cp/vm.h"
#include "tests/test_vm_fake.h"
#include "vmrv/diag.h"

#define STOR (2 * 1024 * 1024)
#define BS DIAG_BLOCK_SIZE

static int
setup(void **state)
{
    struct vmfix *f = vmfix_create(STOR);
    assert_non_null(f);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    vmfix_destroy(*state);
    return 0;
}

static void
put_str(struct vm *vm, uint64_t gpa, const char *s)
{
    assert_int_equal(stor_write(vm_stor(vm), gpa, s, strlen(s)), 0);
}

static void
fill(struct vm *vm, uint64_t gpa, size_t len, uint8_t v)
{
    unsigned char buf[4096];
    memset(buf, v, sizeof buf);
    for (size_t done = 0; done < len;) {
        size_t n = len - done < sizeof buf ? len - done : sizeof buf;
        assert_int_equal(stor_write(vm_stor(vm), gpa + done, buf, n), 0);
        done += n;
    }
}

static uint8_t
byte_at(struct vm *vm, uint64_t gpa)
{
    uint8_t b;
    assert_int_equal(stor_read(vm_stor(vm), gpa, &b, 1), 0);
    return b;
}

/* ---- console ------------------------------------------------------------ */

static void
test_console_write(void **state)
{
    struct vmfix *f = *state;
    put_str(f->vm, 0x3000, "Ready;");
    struct hc r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_WRITE_LINE, 0x3000, 6, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 6);
    put_str(f->vm, 0x3000, "a\nb");
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_WRITE, 0x3000, 3, 0, 0);
    assert_int_equal(r.err, 0);
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_WRITE_LINE, 0x3000, 0, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 0);
    assert_int_equal(f->con->out_len, strlen("Ready;\na\nb\n"));
    assert_memory_equal(f->con->out, "Ready;\na\nb\n", f->con->out_len);

    /* Errors: nothing written. */
    unsigned writes = f->con->writes;
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_WRITE, STOR - 2, 3, 0, 0).err, DIAG_EFAULT);
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_WRITE, UINT64_MAX, 2, 0, 0).err, DIAG_EFAULT);
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_WRITE_LINE, 0, VDEV_CONSOLE_WRITE_MAX + 1, 0, 0).err,
                     DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_WRITE_LINE, 0, UINT64_MAX, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, 3, 0x3000, 1, 0, 0).err, DIAG_ENOTSUP);
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, UINT64_MAX, 0x3000, 1, 0, 0).err, DIAG_ENOTSUP);
    assert_int_equal(f->con->writes, writes);
    /* The largest write goes out whole. */
    fill(f->vm, 0x10000, VDEV_CONSOLE_WRITE_MAX, 'x');
    f->con->out_len = 0;
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_WRITE, 0x10000, VDEV_CONSOLE_WRITE_MAX, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(f->con->out_len, VDEV_CONSOLE_WRITE_MAX);

    /* A full console makes the writer wait, registers untouched. */
    f->con->full = true;
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_WRITE_LINE, 0x3000, 1, HC_SENTINEL, 0);
    assert_int_equal(r.action, RV_HCALL_WAIT);
    assert_int_equal(r.err, DIAG_CON_WRITE_LINE);
    assert_int_equal(r.v1, 0x3000);
    f->con->full = false;
}

static void
test_console_read(void **state)
{
    struct vmfix *f = *state;
    fill(f->vm, 0x5000, 64, 0xEE);
    /* No line: READ waits with the registers as they were. */
    struct hc r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, 32, 0, 0);
    assert_int_equal(r.action, RV_HCALL_WAIT);
    assert_int_equal(r.err, DIAG_CON_READ);
    assert_int_equal(r.v1, 0x5000);
    assert_int_equal(r.v2, 32);
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, 32, DIAG_CON_NOWAIT, 0);
    assert_int_equal(r.action, RV_HCALL_CONTINUE);
    assert_int_equal(r.err, DIAG_EAGAIN);
    fake_console_push(f->con, "query time");
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, 32, 0, 0);
    assert_int_equal(r.action, RV_HCALL_CONTINUE);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 10);
    assert_int_equal(r.v2, 10);
    char buf[32];
    assert_int_equal(stor_read(vm_stor(f->vm), 0x5000, buf, 11), 0);
    assert_memory_equal(buf, "query time", 10);
    assert_int_equal((uint8_t)buf[10], 0xEE);
    /* A longer line is truncated; a2 has its full length. */
    fake_console_push(f->con, "0123456789abcdef");
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, 4, DIAG_CON_NOWAIT, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 4);
    assert_int_equal(r.v2, 16);
    assert_int_equal(byte_at(f->vm, 0x5004), 'y'); /* from "query time" */
    /* An empty line. */
    fake_console_push(f->con, "");
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, 4, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 0);
    /* Bad flags and buffers; the queued line stays. */
    fake_console_push(f->con, "kept");
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, 4, 2, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, STOR - 2, 4, 0, 0).err, DIAG_EFAULT);
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, UINT64_MAX, 0, 0).err,
                     DIAG_EFAULT);
    assert_int_equal(f->con->count, 1);
    /* Attention ends one READ with EINTR, even with a line ready. */
    assert_false(vm_attention(f->vm));
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, 8, 0, 0);
    assert_int_equal(r.err, DIAG_EINTR);
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, 8, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 4);
    /* ... and a waiting one. */
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, 8, 0, 0);
    assert_int_equal(r.action, RV_HCALL_WAIT);
    r = DIAG(f->vm, DIAG_EVENT_CLAIM, 0, 0, 0, 0, 0);
    assert_int_equal(r.v1, DIAG_EVENT_ATTENTION);
    assert_false(vm_attention(f->vm));
    r = DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x5000, 8, 0, 0);
    assert_int_equal(r.err, DIAG_EINTR);
}

static void
test_console_missing(void **state)
{
    struct vmfix *f = *state;
    assert_int_equal(vdev_detach(vm_devices(f->vm), VDEV_CONSOLE_ADDR), 0);
    f->con = NULL;
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_WRITE, 0x3000, 1, 0, 0).err, DIAG_ENODEV);
    assert_int_equal(DIAG(f->vm, DIAG_CONSOLE, DIAG_CON_READ, 0x3000, 1, 0, 0).err, DIAG_ENODEV);
    assert_int_equal(hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_WRITE, 1, 0x3000, 0, 0, 0, 0).err, DIAG_EFAILED);
    assert_int_equal(hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_WRITE_BYTE, 'x', 0, 0, 0, 0, 0).err,
                     DIAG_EFAILED);
    assert_int_equal(hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_READ, 1, 0x3000, 0, 0, 0, 0).err, DIAG_EFAILED);
}

static void
test_dbcn(void **state)
{
    struct vmfix *f = *state;
    put_str(f->vm, 0x3000, "sbi!");
    struct hc r = hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_WRITE, 4, 0x3000, 0, 0, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 4);
    r = hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_WRITE_BYTE, 0x10A, 0, 0, 0, 0, 0);
    assert_int_equal(r.err, 0);
    assert_memory_equal(f->con->out, "sbi!\n", 5);
    assert_int_equal(hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_WRITE, 4, 0x3000, 1, 0, 0, 0).err, DIAG_EFAULT);
    assert_int_equal(hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_WRITE, 4, STOR - 1, 0, 0, 0, 0).err,
                     DIAG_EFAULT);
    /* A huge length writes at most VDEV_CONSOLE_WRITE_MAX. */
    r = hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_WRITE, UINT64_MAX, 0x10000, 0, 0, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, VDEV_CONSOLE_WRITE_MAX);
    /* Read never waits: 0 bytes with no input, then the line with '\n'. */
    r = hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_READ, 16, 0x6000, 0, 0, 0, 0);
    assert_int_equal(r.action, RV_HCALL_CONTINUE);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 0);
    fake_console_push(f->con, "hello");
    r = hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_READ, 4, 0x6000, 0, 0, 0, 0);
    assert_int_equal(r.v1, 4);
    r = hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_READ, 16, 0x6004, 0, 0, 0, 0);
    assert_int_equal(r.v1, 2);
    char buf[6];
    assert_int_equal(stor_read(vm_stor(f->vm), 0x6000, buf, 6), 0);
    assert_memory_equal(buf, "hello\n", 6);
    assert_int_equal(hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_READ, 16, STOR - 4, 0, 0, 0, 0).err,
                     DIAG_EFAULT);
    assert_int_equal(hcall(f->vm, SBI_EID_DBCN, SBI_DBCN_READ, 16, 0x6000, 7, 0, 0, 0).err,
                     DIAG_EFAULT);
}

/* ---- block I/O ---------------------------------------------------------- */

static uint8_t
file_byte(const char *path, uint64_t off)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    uint8_t b = 0;
    assert_int_equal(pread(fd, &b, 1, (off_t)off), 1);
    close(fd);
    return b;
}

static void
test_block_geometry(void **state)
{
    struct vmfix *f = *state;
    fill(f->vm, 0x3000, 64, 0xEE);
    struct hc r = DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_GEOMETRY, 0x191, 0x3000, 64, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, sizeof(struct diag_geometry));
    struct diag_geometry g;
    assert_int_equal(stor_read(vm_stor(f->vm), 0x3000, &g, sizeof g), 0);
    assert_int_equal(g.block_size, BS);
    assert_int_equal(g.flags, 0);
    assert_int_equal(g.block_count, DISK_BLOCKS);
    assert_int_equal(byte_at(f->vm, 0x3000 + sizeof g), 0xEE);
    DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_GEOMETRY, 0x190, 0x3000, 64, 0);
    assert_int_equal(stor_read(vm_stor(f->vm), 0x3000, &g, sizeof g), 0);
    assert_int_equal(g.flags, DIAG_DEVF_READONLY);
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_GEOMETRY, 0x191, STOR - 4, 64, 0).err,
                     DIAG_EFAULT);
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_GEOMETRY, 0x192, 0x3000, 64, 0).err,
                     DIAG_ENODEV);
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_GEOMETRY, 0x009, 0x3000, 64, 0).err,
                     DIAG_ENODEV); /* the console is no disk */
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_GEOMETRY, 0x1000, 0x3000, 64, 0).err,
                     DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, 4, 0x191, 0x3000, 64, 0).err, DIAG_ENOTSUP);
}

static void
test_block_read_write(void **state)
{
    struct vmfix *f = *state;
    /* Read blocks 3..5 of the writable disk. */
    struct hc r = DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_READ, 0x191, 3, 0x20000, 3);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 3);
    for (unsigned b = 0; b < 3; b++) {
        assert_int_equal(byte_at(f->vm, 0x20000 + b * BS), 0xD0 ^ (3 + b));
        assert_int_equal(byte_at(f->vm, 0x20000 + b * BS + BS - 1), 0xD0 ^ (3 + b));
    }
    /* Write the most blocks one call may: through several chunks. */
    fill(f->vm, 0x100000, DIAG_BLOCK_MAX_COUNT * BS, 0x42);
    r = DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_WRITE, 0x191, 1, 0x100000, DIAG_BLOCK_MAX_COUNT);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, DIAG_BLOCK_MAX_COUNT);
    assert_int_equal(file_byte(f->rw_path, 0), 0xD0);
    assert_int_equal(file_byte(f->rw_path, BS), 0x42);
    assert_int_equal(file_byte(f->rw_path, DIAG_BLOCK_MAX_COUNT * BS + BS - 1), 0x42);
    assert_int_equal(file_byte(f->rw_path, (DIAG_BLOCK_MAX_COUNT + 1) * BS), 0xD0 ^ ((DIAG_BLOCK_MAX_COUNT + 1) & 0xFF));
    fill(f->vm, 0x40000, BS, 0x61);
    r = DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_WRITE, 0x191, 7, 0x40000, 1);
    assert_int_equal(r.err, 0);
    /* Acknowledged: the file has it now. */
    assert_int_equal(file_byte(f->rw_path, 7 * BS), 0x61);
    assert_int_equal(file_byte(f->rw_path, 7 * BS + BS - 1), 0x61);
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_FLUSH, 0x191, 0, 0, 0).err, 0);
    r = DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_READ, 0x191, 7, 0x50000, 1);
    assert_int_equal(r.err, 0);
    assert_int_equal(byte_at(f->vm, 0x50000 + 100), 0x61);
    /* The last block and a read-only link can be read. */
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_READ, 0x191, DISK_BLOCKS - 1, 0x50000, 1).err, 0);
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_READ, 0x190, 2, 0x50000, 1).err, 0);
    assert_int_equal(byte_at(f->vm, 0x50000), 0x90 ^ 2);
    /* A buffer exactly at the end of storage. */
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_READ, 0x191, 0, STOR - 2 * BS, 2).err, 0);
}

static void
test_block_errors(void **state)
{
    struct vmfix *f = *state;
    fill(f->vm, 0x20000, 4 * BS, 0xEE);
    uint64_t bad[][6] = {
        /* subcode, vaddr, first, buffer, count, error */
        {DIAG_BIO_READ, 0x191, 0, 0x20000, 0, (uint64_t)DIAG_EINVAL},
        {DIAG_BIO_READ, 0x191, 0, 0x20000, DIAG_BLOCK_MAX_COUNT + 1, (uint64_t)DIAG_EINVAL},
        {DIAG_BIO_READ, 0x191, 0, 0x20000, UINT64_MAX, (uint64_t)DIAG_EINVAL},
        {DIAG_BIO_READ, 0x191, DISK_BLOCKS, 0x20000, 1, (uint64_t)DIAG_ERANGE},
        {DIAG_BIO_READ, 0x191, DISK_BLOCKS - 1, 0x20000, 2, (uint64_t)DIAG_ERANGE},
        {DIAG_BIO_READ, 0x191, UINT64_MAX, 0x20000, 2, (uint64_t)DIAG_ERANGE},
        {DIAG_BIO_READ, 0x191, 0, STOR - BS, 2, (uint64_t)DIAG_EFAULT},
        {DIAG_BIO_READ, 0x191, 0, UINT64_MAX - BS, 1, (uint64_t)DIAG_EFAULT},
        {DIAG_BIO_READ, 0x333, 0, 0x20000, 1, (uint64_t)DIAG_ENODEV},
        {DIAG_BIO_READ, 0x009, 0, 0x20000, 1, (uint64_t)DIAG_ENODEV},
        {DIAG_BIO_READ, UINT64_MAX, 0, 0x20000, 1, (uint64_t)DIAG_EINVAL},
        {DIAG_BIO_WRITE, 0x190, 0, 0x20000, 1, (uint64_t)DIAG_EROFS},
        {DIAG_BIO_WRITE, 0x191, DISK_BLOCKS, 0x20000, 1, (uint64_t)DIAG_ERANGE},
        {DIAG_BIO_WRITE, 0x191, 0, STOR - BS / 2, 1, (uint64_t)DIAG_EFAULT},
        {DIAG_BIO_WRITE, 0x191, 0, 0x20000, 0, (uint64_t)DIAG_EINVAL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hc r = DIAG(f->vm, DIAG_BLOCK_IO, bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4]);
        if (r.err != (int64_t)bad[i][5]) {
            fail_msg("case %zu: error %lld, want %lld", i, (long long)r.err, (long long)bad[i][5]);
        }
    }
    /* Nothing changed: storage, and both disks. */
    for (uint64_t a = 0x20000; a < 0x20000 + 4 * BS; a += 512) {
        assert_int_equal(byte_at(f->vm, a), 0xEE);
    }
    for (uint64_t b = 0; b < DISK_BLOCKS; b++) {
        assert_int_equal(file_byte(f->rw_path, b * BS), (uint8_t)(0xD0 ^ b));
        assert_int_equal(file_byte(f->ro_path, b * BS + 5), (uint8_t)(0x90 ^ b));
    }
}

struct logged {
    unsigned n;
    char last[256];
};

static void
log_cb(void *ctx, struct vm *vm, const char *text)
{
    struct logged *l = ctx;
    l->n++;
    snprintf(l->last, sizeof l->last, "%s", text);
}

static void
test_block_host_errors(void **state)
{
    struct vmfix *f = *state;
    struct logged l = {0};
    vm_set_cp_ops(f->vm, &(struct vm_cp_ops){.ctx = &l, .log = log_cb});
    blockdev_inject_fault(f->rw, EIO, 0);
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_READ, 0x191, 0, 0x20000, 1).err, DIAG_EIO);
    assert_int_equal(l.n, 1);
    assert_non_null(strstr(l.last, "rw.img"));
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_FLUSH, 0x191, 0, 0, 0).err, DIAG_EIO);
    blockdev_inject_fault(f->rw, ENOSPC, 1); /* the second chunk fails */
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_WRITE, 0x191, 0, 0x20000, 20).err, DIAG_ENOSPC);
    assert_non_null(strstr(l.last, "full"));
    blockdev_inject_fault(f->rw, 0, 0);
    assert_int_equal(DIAG(f->vm, DIAG_BLOCK_IO, DIAG_BIO_FLUSH, 0x191, 0, 0, 0).err, 0);
    vm_set_cp_ops(f->vm, NULL);
}

/* ---- device information ------------------------------------------------- */

static void
test_devinfo(void **state)
{
    struct vmfix *f = *state;
    struct diag_devinfo d;
    fill(f->vm, 0x3000, 128, 0xEE);
    struct hc r = DIAG(f->vm, DIAG_DEVINFO, 0x190, 0x3000, 128, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, sizeof d);
    assert_int_equal(byte_at(f->vm, 0x3000 + sizeof d), 0xEE);
    assert_int_equal(stor_read(vm_stor(f->vm), 0x3000, &d, sizeof d), 0);
    assert_int_equal(d.vaddr, 0x190);
    assert_int_equal(d.devclass, DIAG_DEV_DISK);
    assert_int_equal(d.flags, DIAG_DEVF_READONLY);
    assert_int_equal(d.blocks, DISK_BLOCKS);
    assert_memory_equal(d.owner, "MAINT   ", 8);
    assert_int_equal(d.owner_vaddr, 0x190);
    DIAG(f->vm, DIAG_DEVINFO, 0x191, 0x3000, sizeof d, 0, 0);
    assert_int_equal(stor_read(vm_stor(f->vm), 0x3000, &d, sizeof d), 0);
    assert_int_equal(d.flags, 0);
    DIAG(f->vm, DIAG_DEVINFO, 0x009, 0x3000, sizeof d, 0, 0);
    assert_int_equal(stor_read(vm_stor(f->vm), 0x3000, &d, sizeof d), 0);
    assert_int_equal(d.devclass, DIAG_DEV_CONSOLE);
    assert_int_equal(d.blocks, 0);
    r = DIAG(f->vm, DIAG_DEVINFO, 0x009, 0x3000, 4, 0, 0);
    assert_int_equal(r.v1, 4);
    assert_int_equal(DIAG(f->vm, DIAG_DEVINFO, 0x00C, 0x3000, 64, 0, 0).err, DIAG_ENODEV);
    assert_int_equal(DIAG(f->vm, DIAG_DEVINFO, 0x1000, 0x3000, 64, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_DEVINFO, 0x191, STOR - 4, 64, 0, 0).err, DIAG_EFAULT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_console_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dbcn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_geometry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_read_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_host_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_devinfo, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
