// SPDX-License-Identifier: MIT
/*
 * cp/diag_device.c - DIAG 0x024, device information: what sits at a
 * virtual address of this VM (class, read-only flag, size and owner of a
 * minidisk).  The device table is cp/vdev.c; block I/O is cp/diag_block.c.
 */
#include "config.h"

#include <string.h>

#include "cp/diag.h"
#include "cp/vdev.h"
#include "vmrv/diag.h"

/* a0 = virtual address, a1 = buffer, a2 = length; a1 <- bytes written. */
enum rv_hcall
diag_devinfo(struct vm *vm, struct diag_call *c)
{
    if (c->a[0] > VDEV_ADDR_MAX) {
        return diag_fail(c, DIAG_EINVAL);
    }
    struct vdev *d = vdev_find(vm_devices(vm), (unsigned)c->a[0]);
    if (d == NULL) {
        return diag_fail(c, DIAG_ENODEV);
    }
    struct diag_devinfo info;
    vdev_describe(d, &info);
    return diag_put(vm, c, c->a[1], c->a[2], &info, sizeof info);
}
