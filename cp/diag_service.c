// SPDX-License-Identifier: MIT
/*
 * cp/diag_service.c - the DIAG functions that CP provides from outside
 * this layer: 0x008 CP command, 0x014 reader, 0x064 saved segments, 0x068
 * messages, 0x1000 unit record output.  Each goes to the function CP
 * plugged into struct vm_cp_ops (cp/vm.h); with none plugged in the guest
 * gets DIAG_ENOTSUP.  CP's function checks its own arguments.
 */
#include "config.h"

#include "cp/diag.h"
#include "vmrv/diag.h"

static enum rv_hcall
service(struct vm *vm, struct diag_call *c, vm_service_fn fn)
{
    if (fn == NULL) {
        return diag_fail(c, DIAG_ENOTSUP);
    }
    return fn(vm_cp_ops(vm)->ctx, vm, c);
}

enum rv_hcall
diag_cp_command(struct vm *vm, struct diag_call *c)
{
    return service(vm, c, vm_cp_ops(vm)->cp_command);
}

enum rv_hcall
diag_reader(struct vm *vm, struct diag_call *c)
{
    return service(vm, c, vm_cp_ops(vm)->reader);
}

enum rv_hcall
diag_segment(struct vm *vm, struct diag_call *c)
{
    return service(vm, c, vm_cp_ops(vm)->segment);
}

enum rv_hcall
diag_message(struct vm *vm, struct diag_call *c)
{
    return service(vm, c, vm_cp_ops(vm)->message);
}

enum rv_hcall
diag_ur_write(struct vm *vm, struct diag_call *c)
{
    return service(vm, c, vm_cp_ops(vm)->ur_write);
}
