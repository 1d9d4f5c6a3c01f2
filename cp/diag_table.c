// SPDX-License-Identifier: MIT
/*
 * cp/diag_table.c - the hypercall tables: extension id -> function table,
 * function id -> handler and name (for TRACE).  A new DIAG function is one
 * row here and one handler.  Also the small helpers every handler uses to
 * reach guest memory safely.
 *
 * The ABI itself is include/vmrv/diag.h.  SBI's standard extensions are
 * tabled in cp/sbi.c; the DIAG handlers live in cp/diag_machine.c,
 * cp/diag_device.c, cp/diag_console.c, cp/diag_block.c and
 * cp/diag_service.c (CP's services through struct vm_cp_ops).
 */
#include "config.h"

#include <string.h>

#include "cp/diag.h"
#include "cp/stor.h"
#include "vmrv/diag.h"

const struct diag_fn diag_fns[] = {
    {DIAG_IDENTIFY, "IDENTIFY", diag_identify},
    {DIAG_CP_COMMAND, "CP_COMMAND", diag_cp_command},
    {DIAG_TIMER, "TIMER", diag_timer},
    {DIAG_RELEASE_PAGES, "RELEASE_PAGES", diag_release_pages},
    {DIAG_READER, "READER", diag_reader},
    {DIAG_DEVINFO, "DEVINFO", diag_devinfo},
    {DIAG_CONSOLE, "CONSOLE", diag_console},
    {DIAG_STORAGE_SIZE, "STORAGE_SIZE", diag_storage_size},
    {DIAG_SEGMENT, "SEGMENT", diag_segment},
    {DIAG_MESSAGE, "MESSAGE", diag_message},
    {DIAG_BLOCK_IO, "BLOCK_IO", diag_block_io},
    {DIAG_UR_WRITE, "UR_WRITE", diag_ur_write},
    {DIAG_CLOCK_COMPARATOR, "CLOCK_COMPARATOR", diag_clock_comparator},
    {DIAG_EVENT_CLAIM, "EVENT_CLAIM", diag_event_claim},
    {DIAG_PROTECT, "PROTECT", diag_protect},
    {DIAG_TEST_EXIT, "TEST_EXIT", diag_test_exit},
};
const size_t diag_nfns = sizeof diag_fns / sizeof diag_fns[0];

static const struct diag_ext exts[] = {
    {SBI_EID_BASE, "BASE", sbi_base_fns, &sbi_base_nfns},
    {SBI_EID_TIME, "TIME", sbi_time_fns, &sbi_time_nfns},
    {SBI_EID_DBCN, "DBCN", sbi_dbcn_fns, &sbi_dbcn_nfns},
    {SBI_EID_SRST, "SRST", sbi_srst_fns, &sbi_srst_nfns},
    {DIAG_EID, "DIAG", diag_fns, &diag_nfns},
};

static const struct diag_ext *
find_ext(uint64_t eid)
{
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        if (exts[i].eid == eid) {
            return &exts[i];
        }
    }
    return NULL;
}

static const struct diag_fn *
find_fn(const struct diag_ext *x, uint64_t fid)
{
    for (size_t i = 0; x != NULL && i < *x->nfns; i++) {
        if (x->fns[i].fid == fid) {
            return &x->fns[i];
        }
    }
    return NULL;
}

bool
diag_ext_present(uint64_t eid)
{
    return find_ext(eid) != NULL;
}

const char *
diag_ext_name(uint64_t eid)
{
    const struct diag_ext *x = find_ext(eid);
    return x ? x->name : "?";
}

const char *
diag_fn_name(uint64_t eid, uint64_t fid)
{
    const struct diag_fn *f = find_fn(find_ext(eid), fid);
    return f ? f->name : "?";
}

enum rv_hcall
diag_dispatch(struct vm *vm, struct diag_call *c)
{
    const struct diag_ext *x = find_ext(c->eid);
    const struct diag_fn *f = find_fn(x, c->fid);
    c->ext_name = x ? x->name : "?";
    c->fn_name = f ? f->name : "?";
    c->error = DIAG_OK;
    c->value = 0;
    c->has_value2 = false;
    enum rv_hcall r = f ? f->fn(vm, c) : diag_fail(c, DIAG_ENOTSUP);
    const struct vm_cp_ops *ops = vm_cp_ops(vm);
    if (ops->trace != NULL) {
        ops->trace(ops->ctx, vm, c);
    }
    return r;
}

enum rv_hcall
diag_fail(struct diag_call *c, int64_t error)
{
    c->error = error;
    c->value = 0;
    c->has_value2 = false;
    return RV_HCALL_CONTINUE;
}

bool
diag_range_ok(struct vm *vm, uint64_t gpa, uint64_t len)
{
    uint64_t size = vm_storage_size(vm);
    return len == 0 || (gpa < size && len <= size - gpa);
}

bool
diag_paged_out(struct vm *vm, uint64_t gpa, uint64_t len)
{
    uint64_t pn;
    return stor_first_out(vm_stor(vm), gpa, len, &pn) && rv_cpu_page_wait_hcall(vm_cpu(vm), pn);
}

enum rv_hcall
diag_put(struct vm *vm, struct diag_call *c, uint64_t gpa, uint64_t buflen, const void *obj,
         size_t size)
{
    uint64_t n = buflen < size ? buflen : size;
    if (!diag_range_ok(vm, gpa, n)) {
        return diag_fail(c, DIAG_EFAULT);
    }
    if (diag_paged_out(vm, gpa, n)) {
        return RV_HCALL_WAIT;
    }
    if (n > 0 && stor_write(vm_stor(vm), gpa, obj, n) != 0) {
        return diag_fail(c, DIAG_EFAULT);
    }
    c->value = n;
    return RV_HCALL_CONTINUE;
}

void
diag_pad_name(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; i < n && src[i] != '\0'; i++) {
        char ch = src[i];
        dst[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
    }
    for (; i < n; i++) {
        dst[i] = ' ';
    }
}
