// SPDX-License-Identifier: MIT
/*
 * tests/fuzz_diag.c - libFuzzer target for the VM layer: the fuzzer's bytes
 * become guest code and hypercall arguments (or, with a flag, an ELF image
 * for the loader), run by the real CPU against a VM with a console and two
 * disks.  Built with clang's -fsanitize=fuzzer,address,undefined by
 * `make fuzz` (not by `make check`); any host crash, leak or sanitizer
 * report is a bug in CP, since nothing a guest does may harm it.
 *
 * Input layout: byte 0 flags, bytes 1..64 a0..a7 at IPL, the rest guest
 * code loaded at 0x10000 (flag 0x80: the rest is an ELF file instead).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp/blockdev.h"
#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/vdev.h"
#include "cp/vm.h"
#include "vmrv/diag.h"

#define STORAGE (256 * 1024)
#define CODE 0x10000
#define HEADER 65

static char image_rw[4096], image_ro[4096];
static struct rv_tlb *tlb;

struct con {
    unsigned lines; /* input lines still to give */
};

static int
con_write(void *ctx, const char *buf, size_t len, bool end_line)
{
    return 0;
}

static long
con_read(void *ctx, char *buf, size_t cap)
{
    struct con *c = ctx;
    if (c->lines == 0) {
        return -EAGAIN;
    }
    c->lines--;
    static const char line[] = "fuzzed input line";
    memcpy(buf, line, cap < sizeof line - 1 ? cap : sizeof line - 1);
    return (long)sizeof line - 1;
}

static void
con_destroy(void *ctx)
{
    free(ctx);
}

static const struct vdev_console_ops con_ops = {con_write, con_read, con_destroy};

static void
cleanup(void)
{
    unlink(image_rw);
    unlink(image_ro);
}

static void
make_image(char *path, const char *tmp, const char *name)
{
    snprintf(path, 4096, "%s/vmrv-fuzz-%ld-%s", tmp, (long)getpid(), name);
    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
    if (fd < 0 || ftruncate(fd, 64 * DIAG_BLOCK_SIZE) != 0) {
        perror(path);
        exit(1);
    }
    close(fd);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    tmp = tmp && *tmp ? tmp : "/tmp";
    make_image(image_rw, tmp, "rw.img");
    make_image(image_ro, tmp, "ro.img");
    atexit(cleanup);
    tlb = rv_tlb_create();
    return 0;
}

static void
attach(struct vm *vm, const char *path, unsigned vaddr, bool ro)
{
    struct blockdev *bd = NULL;
    char err[256];
    if (blockdev_open(path, ro, &bd, err, sizeof err) == 0) {
        vdev_disk_attach(vm_devices(vm), vaddr, bd, ro, "FUZZ", vaddr);
        blockdev_unref(bd);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER) {
        return 0;
    }
    uint8_t flags = data[0];
    struct vm *vm = vm_create(STORAGE, "FUZZ");
    struct con *c = calloc(1, sizeof *c);
    if (vm == NULL || c == NULL) {
        abort();
    }
    c->lines = flags & 3;
    vdev_console_attach(vm_devices(vm), VDEV_CONSOLE_ADDR, &con_ops, c);
    attach(vm, image_rw, 0x191, false);
    attach(vm, image_ro, 0x190, true);
    char err[256];
    const uint8_t *body = data + HEADER;
    size_t blen = size - HEADER;
    int rc;
    if (flags & 0x80) {
        rc = vm_ipl_elf_image(vm, body, blen, "FUZZ", "parm", err, sizeof err);
    } else {
        if (blen > STORAGE - CODE) {
            blen = STORAGE - CODE;
        }
        stor_write(vm_stor(vm), CODE, body, blen);
        rc = vm_ipl_start(vm, CODE, "FUZZ", 0, 0, "parm", err, sizeof err);
        for (unsigned i = 0; rc == 0 && i < 8; i++) {
            uint64_t v;
            memcpy(&v, data + 1 + 8 * i, 8);
            rv_reg_set(vm_cpu(vm), 10 + i, v);
        }
    }
    for (int slice = 0; rc == 0 && slice < 40; slice++) {
        struct vm_status st = vm_run(vm, tlb, 20000);
        if (st.state == VM_HALTED || st.state == VM_DISABLED_WAIT || st.state == VM_STOPPED) {
            break;
        }
        if (st.state == VM_READ_WAIT) {
            if (slice & 1) {
                vm_attention(vm);
            } else {
                c->lines++;
                vm_console_input(vm);
            }
        } else if (st.state == VM_WFI_WAIT) {
            vm_post_event(vm, DIAG_EVENT_MESSAGE, (uint64_t)slice);
        }
    }
    uint64_t virt, total;
    vm_cpu_times(vm, &virt, &total);
    if (total < virt) {
        abort();
    }
    vm_destroy(vm);
    return 0;
}
