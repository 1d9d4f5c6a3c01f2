// SPDX-License-Identifier: MIT
/*
 * tests/test_vm_fake.c - see tests/test_vm_fake.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp/blockdev.h"
#include "cp/rv.h"
#include "cp/vdev.h"
#include "cp/vm.h"
#include "tests/test_vm_fake.h"
#include "vmrv/diag.h"

static int
fake_write(void *ctx, const char *buf, size_t len, bool end_line)
{
    struct fake_console *c = ctx;
    if (c->full) {
        return -EAGAIN;
    }
    c->writes++;
    size_t room = FAKE_OUT_MAX - c->out_len;
    size_t n = len < room ? len : room;
    memcpy(c->out + c->out_len, buf, n);
    c->out_len += n;
    if (end_line && c->out_len < FAKE_OUT_MAX) {
        c->out[c->out_len++] = '\n';
    }
    return 0;
}

static long
fake_read_line(void *ctx, char *buf, size_t cap)
{
    struct fake_console *c = ctx;
    if (c->count == 0) {
        return -EAGAIN;
    }
    char *line = c->lines[c->head];
    c->head = (c->head + 1) % FAKE_LINES_MAX;
    c->count--;
    size_t n = strlen(line);
    memcpy(buf, line, n < cap ? n : cap);
    free(line);
    return (long)n;
}

static void
fake_destroy(void *ctx)
{
    struct fake_console *c = ctx;
    while (c->count > 0) {
        free(c->lines[c->head]);
        c->head = (c->head + 1) % FAKE_LINES_MAX;
        c->count--;
    }
    free(c);
}

static const struct vdev_console_ops fake_ops = {
    .write = fake_write,
    .read_line = fake_read_line,
    .destroy = fake_destroy,
};

struct fake_console *
fake_console_attach(struct vm *vm)
{
    struct fake_console *c = calloc(1, sizeof *c);
    if (c == NULL || vdev_console_attach(vm_devices(vm), VDEV_CONSOLE_ADDR, &fake_ops, c) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

void
fake_console_push(struct fake_console *c, const char *line)
{
    if (c->count < FAKE_LINES_MAX) {
        c->lines[(c->head + c->count) % FAKE_LINES_MAX] = strdup(line);
        c->count++;
    }
}

char *
test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;
    if (asprintf(&path, "%s/vmrv-test-XXXXXX", base && *base ? base : "/tmp") < 0) {
        return NULL;
    }
    if (mkdtemp(path) == NULL) {
        free(path);
        return NULL;
    }
    return path;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void
test_rmdir(const char *dir)
{
    if (dir != NULL) {
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    }
}

char *
test_image(const char *dir, const char *name, uint64_t bytes, uint8_t fill)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0) {
        return NULL;
    }
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    char block[4096];
    for (uint64_t off = 0; off < bytes; off += sizeof block) {
        memset(block, fill ^ (uint8_t)(off / sizeof block), sizeof block);
        size_t n = bytes - off < sizeof block ? (size_t)(bytes - off) : sizeof block;
        if (write(fd, block, n) != (ssize_t)n) {
            close(fd);
            free(path);
            return NULL;
        }
    }
    close(fd);
    return path;
}

struct hc
hcall(struct vm *vm, uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
      uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct rv_cpu *cpu = vm_cpu(vm);
    uint64_t a[6] = {a0, a1, a2, a3, a4, a5};
    for (unsigned i = 0; i < 6; i++) {
        rv_reg_set(cpu, 10 + i, a[i]);
    }
    rv_reg_set(cpu, 16, fid);
    rv_reg_set(cpu, 17, eid);
    struct hc r;
    r.action = vm_hypercall(vm);
    r.err = (int64_t)rv_reg_get(cpu, 10);
    r.v1 = rv_reg_get(cpu, 11);
    r.v2 = rv_reg_get(cpu, 12);
    return r;
}

struct vmfix *
vmfix_create(uint64_t storage)
{
    struct vmfix *f = calloc(1, sizeof *f);
    char err[256];
    if (f == NULL || (f->vm = vm_create(storage, "tester")) == NULL ||
        (f->con = fake_console_attach(f->vm)) == NULL || (f->dir = test_tmpdir()) == NULL ||
        (f->rw_path = test_image(f->dir, "rw.img", DISK_BLOCKS * 4096, 0xD0)) == NULL ||
        (f->ro_path = test_image(f->dir, "ro.img", DISK_BLOCKS * 4096, 0x90)) == NULL ||
        blockdev_open(f->rw_path, false, &f->rw, err, sizeof err) != 0 ||
        blockdev_open(f->ro_path, false, &f->ro, err, sizeof err) != 0 ||
        vdev_disk_attach(vm_devices(f->vm), 0x191, f->rw, false, "tester", 0x191) != 0 ||
        vdev_disk_attach(vm_devices(f->vm), 0x190, f->ro, true, "maint", 0x190) != 0) {
        vmfix_destroy(f);
        return NULL;
    }
    return f;
}

void
vmfix_destroy(struct vmfix *f)
{
    if (f == NULL) {
        return;
    }
    vm_destroy(f->vm);
    blockdev_unref(f->rw);
    blockdev_unref(f->ro);
    test_rmdir(f->dir);
    free(f->dir);
    free(f->rw_path);
    free(f->ro_path);
    free(f);
}
