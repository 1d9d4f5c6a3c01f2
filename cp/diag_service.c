// SPDX-License-Identifier: MIT
/*
 * cp/diag_service.c - the DIAG functions that CP provides from outside
 * this layer: 0x008 CP command, 0x014 reader, 0x064 saved segments, 0x068
 * messages, 0x1000 unit record output.  Each goes to the function CP
 * plugged into struct vm_cp_ops (cp/vm.h); with none plugged in the guest
 * gets DIAG_ENOTSUP.  CP's function checks its own arguments.
 *
 * Paging: before CP's function runs, the guest buffers of 0x008 and 0x068
 * (their layouts are the ABI's, include/vmrv/diag.h) are checked: one with
 * a page out puts the VM in page wait and the call runs again once it is in
 * (diag_paged_out).  The others' buffers are read on the VM's thread when
 * out (rare: reader files and unit record lines are short-lived).
 */
#include "config.h"

#include "cp/diag.h"
#include "vmrv/diag.h"

/* The most of a DIAG 0x008 response buffer CP writes that is checked. */
#define D8_RESP_CHECK 65536

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
    /* a0 text, a1 its length (<= 240), a2 response buffer or 0, a3 size */
    uint64_t resp = c->a[3] < D8_RESP_CHECK ? c->a[3] : D8_RESP_CHECK;
    if ((c->a[1] <= 240 && diag_paged_out(vm, c->a[0], c->a[1])) ||
        (c->a[2] != 0 && diag_paged_out(vm, c->a[2], resp))) {
        return RV_HCALL_WAIT;
    }
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
    /* SEND: a1 userid (8), a2 text, a3 length (<= 240); RECEIVE: a1 the
     * struct diag_message */
    bool out = false;
    if (c->a[0] == DIAG_MSG_SEND) {
        out = diag_paged_out(vm, c->a[1], 8) ||
              (c->a[3] <= 240 && diag_paged_out(vm, c->a[2], c->a[3]));
    } else if (c->a[0] == DIAG_MSG_RECEIVE) {
        out = diag_paged_out(vm, c->a[1], sizeof(struct diag_message));
    }
    if (out) {
        return RV_HCALL_WAIT;
    }
    return service(vm, c, vm_cp_ops(vm)->message);
}

enum rv_hcall
diag_ur_write(struct vm *vm, struct diag_call *c)
{
    return service(vm, c, vm_cp_ops(vm)->ur_write);
}
