// SPDX-License-Identifier: MIT
/*
 * cp/system_ipl.c - IPL of a device (`IPL 190`): the VM's minidisk holds a
 * bootable ELF, which CP loads as it loads a named system's file.
 *
 * The convention (docs/ABI.md, "IPL from a device"): a bootable minidisk
 * carries an RV64 ELF executable starting at byte 0 of its first block,
 * exactly as the file is (`dd if=guest.elf of=disk.img conv=notrunc`).  CP
 * reads the ELF header, then as many blocks as the program headers (and
 * the section headers, when they fit) reach, never more than the VM's
 * storage or the disk, and IPLs that image with the IPL block's `system`
 * set to the device address.  A disk that does not start with an ELF
 * header (a CMS-formatted disk starts with its superblock, magic VMRVCMSD)
 * is refused with a clear reason; the VM is left as it was.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/blockdev.h"
#include "cp/system_std.h"
#include "cp/vdev.h"
#include "cp/vm.h"
#include "vmrv/diag.h"

static uint64_t
le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

/* Reads bytes [0, len) of the disk (whole blocks) into a new buffer. */
static unsigned char *
read_front(struct blockdev *bd, uint64_t len, int *rc)
{
    uint64_t blocks = (len + DIAG_BLOCK_SIZE - 1) / DIAG_BLOCK_SIZE;
    unsigned char *buf = malloc(blocks * DIAG_BLOCK_SIZE);
    if (!buf) {
        *rc = -ENOMEM;
        return NULL;
    }
    /* in pieces of at most 256 blocks (1 MiB) */
    for (uint64_t b = 0; b < blocks;) {
        uint32_t n = blocks - b > 256 ? 256 : (uint32_t)(blocks - b);
        *rc = blockdev_read(bd, b, buf + b * DIAG_BLOCK_SIZE, n);
        if (*rc != 0) {
            free(buf);
            return NULL;
        }
        b += n;
    }
    *rc = 0;
    return buf;
}

/* How many bytes of the disk the ELF whose header is h needs: the end of
 * the program header table and of every segment's file bytes, and of the
 * section header table when it lies within limit.  0: not an ELF we can
 * IPL (reason in err). */
static uint64_t
elf_extent(const unsigned char *h, struct blockdev *bd, uint64_t limit, char *err, size_t errlen)
{
    if (memcmp(h, "\177ELF", 4) != 0) {
        snprintf(err, errlen, "%s",
                 memcmp(h, "VMRVCMSD", 8) == 0
                     ? "it is a CMS disk with no IPL record (a bootable disk starts with an ELF)"
                     : "it is not bootable (no ELF at its first block)");
        return 0;
    }
    if (h[4] != 2 || h[5] != 1) {
        snprintf(err, errlen, "its ELF is not 64-bit little-endian");
        return 0;
    }
    uint64_t phoff = le(h + 32, 8), shoff = le(h + 40, 8);
    uint64_t phentsize = le(h + 54, 2), phnum = le(h + 56, 2);
    uint64_t shentsize = le(h + 58, 2), shnum = le(h + 60, 2);
    if (phnum == 0 || phentsize < 56 || phoff > limit || phnum * phentsize > limit - phoff) {
        snprintf(err, errlen, "its ELF program headers are missing or beyond the disk");
        return 0;
    }
    uint64_t end = phoff + phnum * phentsize;
    int rc = 0;
    unsigned char *ph = read_front(bd, end, &rc);
    if (!ph) {
        snprintf(err, errlen, "reading the disk: %s", strerror(-rc));
        return 0;
    }
    for (uint64_t i = 0; i < phnum; i++) {
        const unsigned char *p = ph + phoff + i * phentsize;
        uint64_t off = le(p + 8, 8), filesz = le(p + 32, 8);
        if (le(p, 4) != 1 || filesz == 0) {
            continue; /* only PT_LOAD bytes come from the disk */
        }
        if (off > limit || filesz > limit - off) {
            free(ph);
            snprintf(err, errlen, "an ELF segment lies beyond the disk or storage");
            return 0;
        }
        if (off + filesz > end) {
            end = off + filesz;
        }
    }
    free(ph);
    if (shnum && shoff <= limit && shnum * shentsize <= limit - shoff &&
        shoff + shnum * shentsize > end) {
        end = shoff + shnum * shentsize;
    }
    return end;
}

/* An IPL of a device under way: the disk (a reference) and, once read, the
 * ELF image. */
struct cp_ipl_dev {
    struct blockdev *bd;
    unsigned vaddr;
    uint64_t limit; /* the disk or the VM's storage, the smaller */
    unsigned char *img;
    uint64_t len;
};

void *
cp_ipl_device_open(struct vm *vm, unsigned vaddr, char *err, size_t errlen)
{
    struct vdev *d = vdev_find(vm_devices(vm), vaddr);
    bool ro;
    struct blockdev *bd = d ? vdev_disk_blockdev(d, &ro) : NULL;
    if (!bd) {
        snprintf(err, errlen, "%s", d ? "the device is not a disk" : "no such device");
        return NULL;
    }
    uint64_t disk = blockdev_blocks(bd) * DIAG_BLOCK_SIZE;
    if (disk < DIAG_BLOCK_SIZE) {
        snprintf(err, errlen, "the disk is empty");
        return NULL;
    }
    struct cp_ipl_dev *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->bd = blockdev_ref(bd);
    h->vaddr = vaddr;
    h->limit = vm_storage_size(vm) < disk ? vm_storage_size(vm) : disk;
    return h;
}

int
cp_ipl_device_read(void *handle, char *err, size_t errlen)
{
    struct cp_ipl_dev *h = handle;
    unsigned char hdr[DIAG_BLOCK_SIZE];
    int rc = blockdev_read(h->bd, 0, hdr, 1);
    if (rc != 0) {
        snprintf(err, errlen, "reading the disk: %s", strerror(-rc));
        return rc;
    }
    uint64_t len = elf_extent(hdr, h->bd, h->limit, err, errlen);
    if (len == 0) {
        return -ENOEXEC;
    }
    h->img = read_front(h->bd, len, &rc);
    if (!h->img) {
        snprintf(err, errlen, "reading the disk: %s", strerror(-rc));
        return rc;
    }
    h->len = len;
    return 0;
}

void
cp_ipl_device_free(void *handle)
{
    struct cp_ipl_dev *h = handle;
    if (h) {
        blockdev_unref(h->bd);
        free(h->img);
        free(h);
    }
}

int
cp_ipl_device_start(struct vm *vm, void *handle, const char *parm, char *err, size_t errlen)
{
    struct cp_ipl_dev *h = handle;
    int rc = -EINVAL;
    if (h->img) {
        char name[8];
        snprintf(name, sizeof name, "%03X", h->vaddr);
        vm_reset(vm, false);
        rc = vm_ipl_elf_image(vm, h->img, (size_t)h->len, name, parm && *parm ? parm : NULL,
                              err, errlen);
    } else {
        snprintf(err, errlen, "the disk was not read");
    }
    cp_ipl_device_free(h);
    return rc;
}

int
cp_ipl_device(struct vm *vm, unsigned vaddr, const char *parm, char *err, size_t errlen)
{
    void *h = cp_ipl_device_open(vm, vaddr, err, errlen);
    if (!h) {
        return -ENODEV;
    }
    int rc = cp_ipl_device_read(h, err, errlen);
    if (rc != 0) {
        cp_ipl_device_free(h);
        return rc;
    }
    return cp_ipl_device_start(vm, h, parm, err, errlen);
}
