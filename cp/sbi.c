// SPDX-License-Identifier: MIT
/*
 * cp/sbi.c - the standard SBI extensions CP answers (RISC-V SBI v2.0), so
 * that a bare-metal S-mode program that knows only SBI runs in a VM:
 *   BASE  spec version, implementation id VMRV_SBI_IMPL_ID and version,
 *         probe_extension, machine ids (all 0: there is no real hart)
 *   TIME  set_timer: the clock comparator (the same as DIAG 0x1004)
 *   DBCN  debug console write, read, write_byte: handlers in
 *         cp/diag_console.c, beside DIAG 0x058
 *   SRST  system reset: shutdown ends the VM, cold/warm reboot ask the
 *         caller to IPL again (cold: storage cleared); the reason goes
 *         with it.
 * The tables are routed by cp/diag_table.c.
 */
#include "config.h"

#include "cp/diag.h"
#include "vmrv/diag.h"

static enum rv_hcall
base_spec_version(struct vm *vm, struct diag_call *c)
{
    c->value = VMRV_SBI_SPEC_VERSION;
    return RV_HCALL_CONTINUE;
}

static enum rv_hcall
base_impl_id(struct vm *vm, struct diag_call *c)
{
    c->value = VMRV_SBI_IMPL_ID;
    return RV_HCALL_CONTINUE;
}

static enum rv_hcall
base_impl_version(struct vm *vm, struct diag_call *c)
{
    c->value = diag_cp_version();
    return RV_HCALL_CONTINUE;
}

static enum rv_hcall
base_probe_extension(struct vm *vm, struct diag_call *c)
{
    c->value = diag_ext_present(c->a[0]) ? 1 : 0;
    return RV_HCALL_CONTINUE;
}

/* mvendorid, marchid, mimpid: a virtual hart has none (0 is legal). */
static enum rv_hcall
base_machine_id(struct vm *vm, struct diag_call *c)
{
    c->value = 0;
    return RV_HCALL_CONTINUE;
}

const struct diag_fn sbi_base_fns[] = {
    {SBI_BASE_GET_SPEC_VERSION, "GET_SPEC_VERSION", base_spec_version},
    {SBI_BASE_GET_IMPL_ID, "GET_IMPL_ID", base_impl_id},
    {SBI_BASE_GET_IMPL_VERSION, "GET_IMPL_VERSION", base_impl_version},
    {SBI_BASE_PROBE_EXTENSION, "PROBE_EXTENSION", base_probe_extension},
    {SBI_BASE_GET_MVENDORID, "GET_MVENDORID", base_machine_id},
    {SBI_BASE_GET_MARCHID, "GET_MARCHID", base_machine_id},
    {SBI_BASE_GET_MIMPID, "GET_MIMPID", base_machine_id},
};
const size_t sbi_base_nfns = sizeof sbi_base_fns / sizeof sbi_base_fns[0];

/* TIME set_timer: a0 = absolute time; like DIAG 0x1004. */
static enum rv_hcall
time_set_timer(struct vm *vm, struct diag_call *c)
{
    vm_set_timecmp(vm, c->a[0]);
    return RV_HCALL_CONTINUE;
}

const struct diag_fn sbi_time_fns[] = {
    {SBI_TIME_SET_TIMER, "SET_TIMER", time_set_timer},
};
const size_t sbi_time_nfns = sizeof sbi_time_fns / sizeof sbi_time_fns[0];

const struct diag_fn sbi_dbcn_fns[] = {
    {SBI_DBCN_WRITE, "WRITE", sbi_dbcn_write},
    {SBI_DBCN_READ, "READ", sbi_dbcn_read},
    {SBI_DBCN_WRITE_BYTE, "WRITE_BYTE", sbi_dbcn_write_byte},
};
const size_t sbi_dbcn_nfns = sizeof sbi_dbcn_fns / sizeof sbi_dbcn_fns[0];

/* SRST reasons: 0 none, 1 system failure, 0xE0000000 and up
 * implementation or vendor specific; the rest is reserved. */
static bool
srst_reason_ok(uint32_t r)
{
    return r <= SBI_SRST_REASON_SYSFAIL || r >= 0xE0000000u;
}

/* SRST system_reset: a0 = type, a1 = reason.  Does not return.  Both are
 * uint32_t in the specification: only the low 32 bits count (RV64 passes
 * 32-bit values sign-extended). */
static enum rv_hcall
srst_reset(struct vm *vm, struct diag_call *c)
{
    uint32_t type = (uint32_t)c->a[0], reason = (uint32_t)c->a[1];
    if (type > SBI_SRST_TYPE_WARM_REBOOT || !srst_reason_ok(reason)) {
        return diag_fail(c, DIAG_EINVAL);
    }
    static const enum vm_halt how[] = {
        [SBI_SRST_TYPE_SHUTDOWN] = VM_HALT_SHUTDOWN,
        [SBI_SRST_TYPE_COLD_REBOOT] = VM_HALT_REBOOT,
        [SBI_SRST_TYPE_WARM_REBOOT] = VM_HALT_WARM_REBOOT,
    };
    vm_set_halt(vm, how[type], reason);
    return RV_HCALL_STOP;
}

const struct diag_fn sbi_srst_fns[] = {
    {SBI_SRST_RESET, "SYSTEM_RESET", srst_reset},
};
const size_t sbi_srst_nfns = sizeof sbi_srst_fns / sizeof sbi_srst_fns[0];
