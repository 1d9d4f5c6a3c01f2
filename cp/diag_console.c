// SPDX-License-Identifier: MIT
/*
 * cp/diag_console.c - console hypercalls: DIAG 0x058 (line-mode console:
 * write a line, write a prompt, read a line) and SBI DBCN (write bytes,
 * read bytes without waiting, write one byte).  Both go to the VM's
 * console device (cp/vdev.h), which CP connects to a terminal, an SSH
 * session or a test fake.
 *
 * Waiting: a READ with no line ready returns RV_HCALL_WAIT: the CPU stops
 * with pc still at the ecall, the VM is in READ_WAIT, and when the caller
 * runs it again the ecall simply runs again.  Likewise a console that is
 * full makes a write wait (OUTPUT_WAIT); nothing is dropped.  An attention
 * (vm_attention) ends one READ with DIAG_EINTR, even one that has a line
 * ready: the line stays for the next READ.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp/diag.h"
#include "cp/stor.h"
#include "cp/vdev.h"
#include "vmrv/diag.h"

/* Copies guest bytes [gpa, gpa+len) and writes them to the console.
 * Returns 0, DIAG_EFAULT, 1 when the console is full (caller waits), or 2
 * when a page of the buffer is out (page wait: nothing written). */
static int
console_out(struct vm *vm, struct vdev *con, uint64_t gpa, uint64_t len, bool end_line)
{
    if (!diag_range_ok(vm, gpa, len)) {
        return DIAG_EFAULT;
    }
    if (diag_paged_out(vm, gpa, len)) {
        return 2;
    }
    char small[256];
    char *buf = len <= sizeof small ? small : malloc(len);
    if (buf == NULL) {
        return DIAG_ENOSPC;
    }
    int rc = 0;
    if (len > 0 && stor_read(vm_stor(vm), gpa, buf, len) != 0) {
        rc = DIAG_EFAULT;
    } else if (vdev_console_write(con, buf, len, end_line) == -EAGAIN) {
        rc = 1;
    }
    if (buf != small) {
        free(buf);
    }
    return rc;
}

static enum rv_hcall
con_write(struct vm *vm, struct diag_call *c, struct vdev *con, bool end_line)
{
    uint64_t gpa = c->a[1], len = c->a[2];
    if (len > VDEV_CONSOLE_WRITE_MAX) {
        return diag_fail(c, DIAG_EINVAL);
    }
    int rc = console_out(vm, con, gpa, len, end_line);
    if (rc == 2) {
        return RV_HCALL_WAIT;
    }
    if (rc == 1) {
        vm_set_wait(vm, VM_OUTPUT_WAIT);
        return RV_HCALL_WAIT;
    }
    if (rc != 0) {
        return diag_fail(c, rc);
    }
    c->value = len;
    return RV_HCALL_CONTINUE;
}

static enum rv_hcall
con_read(struct vm *vm, struct diag_call *c, struct vdev *con)
{
    uint64_t gpa = c->a[1], cap = c->a[2], flags = c->a[3];
    if ((flags & ~(uint64_t)DIAG_CON_NOWAIT) != 0) {
        return diag_fail(c, DIAG_EINVAL);
    }
    if (!diag_range_ok(vm, gpa, cap)) {
        return diag_fail(c, DIAG_EFAULT);
    }
    size_t take = cap < VDEV_CONSOLE_LINE_MAX ? (size_t)cap : VDEV_CONSOLE_LINE_MAX;
    if (diag_paged_out(vm, gpa, take)) {
        return RV_HCALL_WAIT; /* before the line (or attention) is taken */
    }
    if (vm_take_read_interrupt(vm)) {
        return diag_fail(c, DIAG_EINTR);
    }
    char line[VDEV_CONSOLE_LINE_MAX];
    long n = vdev_console_read_line(con, line, take);
    if (n == -EAGAIN) {
        if (flags & DIAG_CON_NOWAIT) {
            return diag_fail(c, DIAG_EAGAIN);
        }
        vm_set_wait(vm, VM_READ_WAIT);
        return RV_HCALL_WAIT;
    }
    if (n < 0) {
        return diag_fail(c, DIAG_EIO);
    }
    size_t copy = (uint64_t)n < take ? (size_t)n : take;
    if (copy > 0 && stor_write(vm_stor(vm), gpa, line, copy) != 0) {
        return diag_fail(c, DIAG_EFAULT); /* not reached: range checked */
    }
    c->value = copy;
    c->value2 = (uint64_t)n;
    c->has_value2 = true;
    return RV_HCALL_CONTINUE;
}

/* 0x058: a0 = subcode, a1 = buffer, a2 = length, a3 = flags (READ). */
enum rv_hcall
diag_console(struct vm *vm, struct diag_call *c)
{
    if (c->a[0] > DIAG_CON_READ) {
        return diag_fail(c, DIAG_ENOTSUP);
    }
    struct vdev *con = vdev_console_find(vm_devices(vm));
    if (con == NULL) {
        return diag_fail(c, DIAG_ENODEV);
    }
    switch (c->a[0]) {
    case DIAG_CON_WRITE_LINE:
        return con_write(vm, c, con, true);
    case DIAG_CON_WRITE:
        return con_write(vm, c, con, false);
    default:
        return con_read(vm, c, con);
    }
}

/* DBCN write: a0 = length, a1 = address low, a2 = address high.
 * Writes at most VDEV_CONSOLE_WRITE_MAX bytes; a1 <- bytes written. */
enum rv_hcall
sbi_dbcn_write(struct vm *vm, struct diag_call *c)
{
    uint64_t len = c->a[0] > VDEV_CONSOLE_WRITE_MAX ? VDEV_CONSOLE_WRITE_MAX : c->a[0];
    if (c->a[2] != 0) {
        return diag_fail(c, DIAG_EFAULT);
    }
    struct vdev *con = vdev_console_find(vm_devices(vm));
    if (con == NULL) {
        return diag_fail(c, DIAG_EFAILED);
    }
    int rc = console_out(vm, con, c->a[1], len, false);
    if (rc == 2) {
        return RV_HCALL_WAIT;
    }
    if (rc == 1) {
        vm_set_wait(vm, VM_OUTPUT_WAIT);
        return RV_HCALL_WAIT;
    }
    if (rc != 0) {
        return diag_fail(c, rc == DIAG_EFAULT ? DIAG_EFAULT : DIAG_EFAILED);
    }
    c->value = len;
    return RV_HCALL_CONTINUE;
}

/* DBCN read: a0 = length, a1/a2 = address.  Never waits: a1 <- bytes
 * read, 0 when no input is ready.  Lines arrive with a '\n'. */
enum rv_hcall
sbi_dbcn_read(struct vm *vm, struct diag_call *c)
{
    uint64_t len = c->a[0] > VDEV_CONSOLE_LINE_MAX ? VDEV_CONSOLE_LINE_MAX : c->a[0];
    if (c->a[2] != 0 || !diag_range_ok(vm, c->a[1], len)) {
        return diag_fail(c, DIAG_EFAULT);
    }
    struct vdev *con = vdev_console_find(vm_devices(vm));
    if (con == NULL) {
        return diag_fail(c, DIAG_EFAILED);
    }
    if (diag_paged_out(vm, c->a[1], len)) {
        return RV_HCALL_WAIT;
    }
    char buf[VDEV_CONSOLE_LINE_MAX];
    size_t n = vdev_console_read_bytes(con, buf, (size_t)len);
    if (n > 0 && stor_write(vm_stor(vm), c->a[1], buf, n) != 0) {
        return diag_fail(c, DIAG_EFAULT);
    }
    c->value = n;
    return RV_HCALL_CONTINUE;
}

/* DBCN write_byte: a0 = the byte (low 8 bits). */
enum rv_hcall
sbi_dbcn_write_byte(struct vm *vm, struct diag_call *c)
{
    struct vdev *con = vdev_console_find(vm_devices(vm));
    if (con == NULL) {
        return diag_fail(c, DIAG_EFAILED);
    }
    char ch = (char)(c->a[0] & 0xFF);
    if (vdev_console_write(con, &ch, 1, false) == -EAGAIN) {
        vm_set_wait(vm, VM_OUTPUT_WAIT);
        return RV_HCALL_WAIT;
    }
    return RV_HCALL_CONTINUE;
}
