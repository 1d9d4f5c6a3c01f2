// SPDX-License-Identifier: MIT
/*
 * cp/vm.c - the virtual machine object of cp/vm.h: creation, IPL, one slice
 * of execution (vm_run), the ecall hook, the external event queue and CPU
 * accounting.  The hypercalls themselves are in cp/diag_table.c and the
 * handlers it names; devices in cp/vdev.c; the ELF loader in cp/elf.c.
 *
 * Time: the guest's `time` counts at VMRV_TIMEBASE_HZ (10 MHz, 100 ns a
 * tick) from the host's CLOCK_MONOTONIC at IPL, so a wake time converts to
 * a host deadline without asking the CPU.
 *
 * Accounting: a slice's thread CPU time (CLOCK_THREAD_CPUTIME_ID around
 * rv_cpu_run) minus the time its hypercalls took (CLOCK_MONOTONIC, cheap)
 * is virtual CPU; the hypercalls, the IPL and what CP adds with
 * vm_account_cp() are CP's work; total = virtual + CP.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp/diag.h"
#include "cp/elf.h"
#include "cp/nss.h"
#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/vdev.h"
#include "cp/vm.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"
#include "vmrv/userid.h"

#define VM_EVENT_MAX 32
#define VM_SHARED_MAX 8
#define NS_PER_TICK (1000000000ull / VMRV_TIMEBASE_HZ)

#define CSR_SSTATUS 0x100
#define CSR_SIE 0x104
#define SSTATUS_SIE (1u << 1)

struct vm_event {
    uint32_t type;
    uint64_t detail;
};

struct vm {
    char userid[9];
    uint32_t privclasses;
    uint64_t storage;
    struct stor *st;
    struct rv_cpu *cpu;
    struct vdev_table *devs;
    struct vm_cp_ops ops;

    struct vm_status status; /* of the last slice (or IPL/reset) */
    enum vm_state wait; /* why a handler returned RV_HCALL_WAIT */
    enum vm_halt halt; /* set by a handler that returned RV_HCALL_STOP */
    uint64_t halt_code;
    uint64_t timecmp;

    struct vm_event ev[VM_EVENT_MAX]; /* ring, oldest at ev_head */
    unsigned ev_head, ev_count;
    bool seip; /* the SEIP level last given to the CPU */
    bool read_intr; /* attention ends one console READ */

    struct {
        uint64_t base, len;
    } shared[VM_SHARED_MAX];
    unsigned nshared;

    int64_t time_base_ns; /* CLOCK_MONOTONIC at IPL: `time` 0 */
    uint64_t virt_ns, cp_ns; /* accounting */
    uint64_t hook_ns; /* hypercall time within the current slice */
    int64_t slice_cpu0; /* thread CPU at slice start */
    bool in_run;
};

/* SEIP follows the event queue; the CPU is told only of changes (each
 * call kicks it out of its slice). */
static void
vm_update_seip(struct vm *vm)
{
    bool level = vm->ev_count > 0;
    if (level != vm->seip) {
        vm->seip = level;
        rv_cpu_set_seip(vm->cpu, level);
    }
}

static int64_t
clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t
hook_time_now(void *ctx)
{
    return vm_time(ctx);
}

static enum rv_hcall
hook_ecall(void *ctx, struct rv_cpu *cpu)
{
    (void)cpu;
    return vm_hypercall(ctx);
}

static bool
userid_ok(const char *u)
{
    return vmrv_userid_norm(u, NULL) == 0; /* the one rule: vmrv/userid.h */
}

struct vm *
vm_create(uint64_t storage, const char *userid)
{
    if (!userid_ok(userid) || storage < 2 * DIAG_PAGE_SIZE || storage > VMRV_MAX_STORAGE ||
        storage % DIAG_PAGE_SIZE != 0) {
        errno = EINVAL;
        return NULL;
    }
    struct vm *vm = calloc(1, sizeof *vm);
    if (vm == NULL) {
        goto fail;
    }
    for (size_t i = 0; userid[i] != '\0'; i++) {
        char ch = userid[i];
        vm->userid[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
    }
    vm->privclasses = 1u << ('G' - 'A');
    vm->storage = storage;
    vm->timecmp = UINT64_MAX;
    vm->status.state = VM_STOPPED;
    vm->status.wake_time = UINT64_MAX;
    vm->time_base_ns = clock_ns(CLOCK_MONOTONIC);
    vm->st = stor_create(storage);
    vm->devs = vdev_table_create();
    if (vm->st == NULL || vm->devs == NULL) {
        goto fail;
    }
    struct rv_hooks hooks = {.ctx = vm, .ecall = hook_ecall, .time_now = hook_time_now};
    vm->cpu = rv_cpu_create(vm->st, &hooks);
    if (vm->cpu == NULL) {
        goto fail;
    }
    return vm;
fail:
    vm_destroy(vm);
    errno = ENOMEM;
    return NULL;
}

void
vm_destroy(struct vm *vm)
{
    if (vm == NULL) {
        return;
    }
    if (vm->cpu != NULL) {
        rv_cpu_destroy(vm->cpu);
    }
    if (vm->devs != NULL) {
        vdev_table_destroy(vm->devs);
    }
    if (vm->st != NULL) {
        stor_destroy(vm->st);
    }
    free(vm);
}

void
vm_set_cp_ops(struct vm *vm, const struct vm_cp_ops *ops)
{
    if (ops != NULL) {
        vm->ops = *ops;
    } else {
        memset(&vm->ops, 0, sizeof vm->ops);
    }
}

void
vm_set_privclasses(struct vm *vm, uint32_t classes)
{
    vm->privclasses = classes & ((1u << 26) - 1);
}

const char *
vm_userid(const struct vm *vm)
{
    return vm->userid;
}

struct stor *
vm_stor(struct vm *vm)
{
    return vm->st;
}

struct rv_cpu *
vm_cpu(struct vm *vm)
{
    return vm->cpu;
}

struct vdev_table *
vm_devices(struct vm *vm)
{
    return vm->devs;
}

uint64_t
vm_storage_size(const struct vm *vm)
{
    return vm->storage;
}

const struct vm_cp_ops *
vm_cp_ops(const struct vm *vm)
{
    return &vm->ops;
}

uint32_t
vm_privclasses(const struct vm *vm)
{
    return vm->privclasses;
}

/* ---- IPL and reset ------------------------------------------------------ */

static void
vm_clear_state(struct vm *vm)
{
    vm->ev_head = vm->ev_count = 0;
    vm->read_intr = false;
    vm->wait = VM_RUNNING;
    vm->halt = 0;
    vm->halt_code = 0;
    vm->timecmp = UINT64_MAX;
    rv_cpu_set_timecmp(vm->cpu, UINT64_MAX);
    vm_update_seip(vm);
    memset(&vm->status, 0, sizeof vm->status);
    vm->status.wake_time = UINT64_MAX;
}

int
vm_ipl_start(struct vm *vm, uint64_t entry, const char *system, uint64_t seg_base,
             uint64_t seg_size, const char *parm, char *err, size_t errlen)
{
    size_t plen = parm ? strlen(parm) : 0;
    if (plen > VMRV_IPL_PARM_MAX) {
        snprintf(err, errlen, "IPL parameter too long: %zu bytes, at most %d", plen,
                 VMRV_IPL_PARM_MAX);
        return -EINVAL;
    }
    if (entry >= vm->storage) {
        snprintf(err, errlen, "entry point 0x%llx is beyond storage (%llu bytes)",
                 (unsigned long long)entry, (unsigned long long)vm->storage);
        return -EINVAL;
    }
    struct vmrv_iplblock ib;
    memset(&ib, 0, sizeof ib);
    ib.magic = VMRV_IPL_MAGIC;
    ib.version = VMRV_IPL_VERSION;
    ib.storage_size = vm->storage;
    ib.timebase_hz = VMRV_TIMEBASE_HZ;
    diag_pad_name(ib.userid, sizeof ib.userid, vm->userid);
    diag_pad_name(ib.system, sizeof ib.system, system ? system : "");
    ib.seg_base = seg_base;
    ib.seg_size = seg_size;
    ib.parm_len = (uint32_t)plen;
    if (plen > 0) {
        memcpy(ib.parm, parm, plen);
    }
    if (stor_write(vm->st, VMRV_IPL_BLOCK, &ib, sizeof ib) != 0) {
        snprintf(err, errlen, "storage too small for the IPL block");
        return -EINVAL;
    }
    vm_clear_state(vm);
    vm->time_base_ns = clock_ns(CLOCK_MONOTONIC);
    rv_cpu_reset(vm->cpu, entry);
    rv_cpu_set_timecmp(vm->cpu, UINT64_MAX);
    rv_reg_set(vm->cpu, 10, 0);
    rv_reg_set(vm->cpu, 11, VMRV_IPL_BLOCK);
    vm->status.state = VM_RUNNING;
    return 0;
}

int
vm_ipl_elf_image(struct vm *vm, const void *image, size_t size, const char *name,
                 const char *parm, char *err, size_t errlen)
{
    int64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    size_t plen = parm ? strlen(parm) : 0;
    if (plen > VMRV_IPL_PARM_MAX) {
        snprintf(err, errlen, "IPL parameter too long: %zu bytes, at most %d", plen,
                 VMRV_IPL_PARM_MAX);
        return -EINVAL;
    }
    uint64_t entry = 0;
    /* a private image replaces whatever saved segment was attached */
    stor_detach_all(vm->st);
    vm->nshared = 0;
    int rc = elf_load(vm->st, image, size, &entry, err, errlen);
    if (rc == 0) {
        rc = vm_ipl_start(vm, entry, name, 0, 0, parm, err, errlen);
    }
    vm->cp_ns += (uint64_t)(clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0);
    return rc;
}

/* "dir/hello.elf" -> "hello" */
static void
system_name(const char *path, char *out, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strcspn(base, ".");
    if (len >= n) {
        len = n - 1;
    }
    memcpy(out, base, len);
    out[len] = '\0';
}

int
vm_ipl_elf(struct vm *vm, const char *path, const char *parm, char *err, size_t errlen)
{
    void *image = NULL;
    size_t size = 0;
    int rc = elf_read_file(path, &image, &size, err, errlen);
    if (rc == 0) {
        char name[9];
        system_name(path, name, sizeof name);
        rc = vm_ipl_elf_image(vm, image, size, name, parm, err, errlen);
    }
    free(image);
    return rc;
}

int
vm_ipl_nss(struct vm *vm, const char *name, const char *path, const char *parm, char *err,
           size_t errlen)
{
    int64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    stor_detach_all(vm->st);
    vm->nshared = 0;
    struct nss_info ni;
    int rc = nss_attach_file(vm->st, name, path, &ni, err, errlen);
    if (rc == 1) {
        /* a valid ELF that does not fit the window: a private copy */
        vm->cp_ns += (uint64_t)(clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0);
        return vm_ipl_elf(vm, path, parm, err, errlen);
    }
    for (unsigned i = 0; rc == 0 && i < ni.nzero; i++) {
        /* its bss in private storage, as the ELF loader would */
        if (stor_zero(vm->st, ni.zero[i].base, ni.zero[i].len) != 0) {
            snprintf(err, errlen, "storage too small for %s's data at 0x%llx", ni.name,
                     (unsigned long long)ni.zero[i].base);
            stor_detach_all(vm->st);
            rc = -EFAULT;
        }
    }
    if (rc == 0) {
        vm_shared_range(vm, ni.base, ni.size);
        rc = vm_ipl_start(vm, ni.entry, ni.name, ni.base, ni.size, parm, err, errlen);
    }
    vm->cp_ns += (uint64_t)(clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0);
    return rc;
}

void
vm_reset(struct vm *vm, bool clear)
{
    vm_clear_state(vm);
    rv_cpu_reset(vm->cpu, 0);
    rv_cpu_set_timecmp(vm->cpu, UINT64_MAX);
    if (clear) {
        stor_release(vm->st, 0, vm->storage); /* unmaps segments too */
        stor_protect(vm->st, 0, vm->storage, DIAG_PROT_USER_RW);
        vm->nshared = 0;
    }
    vm->status.state = VM_STOPPED;
}

int
vm_shared_range(struct vm *vm, uint64_t base, uint64_t len)
{
    if (len == 0) {
        for (unsigned i = 0; i < vm->nshared; i++) {
            if (vm->shared[i].base == base) {
                vm->shared[i] = vm->shared[--vm->nshared];
                return 0;
            }
        }
        return -EINVAL;
    }
    if (base > vm->storage || len > vm->storage - base) {
        return -EINVAL;
    }
    if (vm->nshared == VM_SHARED_MAX) {
        return -ENOSPC;
    }
    vm->shared[vm->nshared].base = base;
    vm->shared[vm->nshared].len = len;
    vm->nshared++;
    return 0;
}

bool
vm_range_shared(const struct vm *vm, uint64_t gpa, uint64_t len)
{
    for (unsigned i = 0; i < vm->nshared; i++) {
        uint64_t b = vm->shared[i].base, l = vm->shared[i].len;
        if (gpa < b + l && b < gpa + len) {
            return true;
        }
    }
    return false;
}

/* ---- running ------------------------------------------------------------ */

/* When the comparator can wake a VM waiting inside a hypercall: only if
 * the timer interrupt is enabled and would be taken in S-mode. */
static uint64_t
hcall_wake_time(struct vm *vm)
{
    uint64_t sstatus = 0, sie = 0;
    if (rv_csr_read(vm->cpu, CSR_SSTATUS, &sstatus) != 0 || rv_csr_read(vm->cpu, CSR_SIE, &sie) != 0) {
        return UINT64_MAX;
    }
    if ((sstatus & SSTATUS_SIE) && (sie & RV_IRQ_STIP)) {
        return vm->timecmp;
    }
    return UINT64_MAX;
}

struct vm_status
vm_run(struct vm *vm, struct rv_tlb *tlb, uint64_t budget)
{
    enum vm_state s = vm->status.state;
    if (s == VM_STOPPED || s == VM_HALTED || s == VM_DISABLED_WAIT) {
        return vm->status;
    }
    vm->wait = VM_SERVICE_WAIT;
    vm->hook_ns = 0;
    vm->slice_cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    vm->in_run = true;
    stor_pin(vm->st); /* no frame of ours is stolen while the TLB uses it */
    enum rv_stop stop = rv_cpu_run(vm->cpu, tlb, budget);
    stor_trim(vm->st); /* the safe point: over the real storage limit, pay back */
    stor_unpin(vm->st);
    int64_t run_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - vm->slice_cpu0;
    vm->in_run = false;
    if (run_ns > (int64_t)vm->hook_ns) {
        vm->virt_ns += (uint64_t)run_ns - vm->hook_ns;
    }
    vm->cp_ns += vm->hook_ns;

    struct vm_status st = {.state = VM_RUNNING, .wake_time = UINT64_MAX};
    switch (stop) {
    case RV_STOP_BUDGET:
    case RV_STOP_KICK:
        break;
    case RV_STOP_WAIT:
        st.state = vm->wait;
        st.wake_time = hcall_wake_time(vm);
        break;
    case RV_STOP_WFI:
        st.state = VM_WFI_WAIT;
        st.wake_time = rv_cpu_wake_time(vm->cpu);
        break;
    case RV_STOP_HALT:
        st.state = VM_HALTED;
        st.halt = vm->halt;
        st.code = vm->halt_code;
        break;
    case RV_STOP_DISABLED_WAIT:
        st.state = VM_DISABLED_WAIT;
        st.reason = rv_cpu_stop_text(vm->cpu);
        break;
    }
    vm->status = st;
    return st;
}

struct vm_status
vm_status(const struct vm *vm)
{
    return vm->status;
}

enum rv_hcall
vm_hypercall(struct vm *vm)
{
    int64_t t0 = clock_ns(CLOCK_MONOTONIC);
    struct diag_call c;
    memset(&c, 0, sizeof c);
    c.eid = rv_reg_get(vm->cpu, 17);
    c.fid = rv_reg_get(vm->cpu, 16);
    for (unsigned i = 0; i < 6; i++) {
        c.a[i] = rv_reg_get(vm->cpu, 10 + i);
    }
    enum rv_hcall r = diag_dispatch(vm, &c);
    if (r != RV_HCALL_WAIT) {
        rv_reg_set(vm->cpu, 10, (uint64_t)c.error);
        rv_reg_set(vm->cpu, 11, c.value);
        if (c.has_value2) {
            rv_reg_set(vm->cpu, 12, c.value2);
        }
    }
    vm->hook_ns += (uint64_t)(clock_ns(CLOCK_MONOTONIC) - t0);
    return r;
}

void
vm_kick(struct vm *vm)
{
    rv_cpu_kick(vm->cpu);
}

void
vm_set_wait(struct vm *vm, enum vm_state why)
{
    vm->wait = why;
}

void
vm_set_halt(struct vm *vm, enum vm_halt how, uint64_t code)
{
    vm->halt = how;
    vm->halt_code = code;
}

uint64_t
vm_time(const struct vm *vm)
{
    int64_t d = clock_ns(CLOCK_MONOTONIC) - vm->time_base_ns;
    return d > 0 ? (uint64_t)d / NS_PER_TICK : 0;
}

int64_t
vm_ns_until(const struct vm *vm, uint64_t t)
{
    if (t == UINT64_MAX) {
        return INT64_MAX;
    }
    uint64_t now = vm_time(vm);
    if (t <= now) {
        return 0;
    }
    uint64_t d = t - now;
    if (d > (uint64_t)INT64_MAX / NS_PER_TICK) {
        return INT64_MAX;
    }
    return (int64_t)(d * NS_PER_TICK);
}

uint64_t
vm_instret(const struct vm *vm)
{
    struct rv_stats s;
    rv_cpu_stats(vm->cpu, &s);
    return s.instret;
}

void
vm_set_timecmp(struct vm *vm, uint64_t value)
{
    vm->timecmp = value;
    rv_cpu_set_timecmp(vm->cpu, value);
}

/* ---- events ------------------------------------------------------------- */

static bool
event_queued(const struct vm *vm, uint32_t type, uint64_t detail, bool match_detail)
{
    for (unsigned i = 0; i < vm->ev_count; i++) {
        const struct vm_event *e = &vm->ev[(vm->ev_head + i) % VM_EVENT_MAX];
        if (e->type == type && (!match_detail || e->detail == detail)) {
            return true;
        }
    }
    return false;
}

int
vm_post_event(struct vm *vm, uint32_t type, uint64_t detail)
{
    /* One of each kind at a time, except spool arrivals (one per file). */
    if (event_queued(vm, type, detail, type == DIAG_EVENT_SPOOL)) {
        return 0;
    }
    if (vm->ev_count == VM_EVENT_MAX) {
        return -ENOSPC;
    }
    struct vm_event *e = &vm->ev[(vm->ev_head + vm->ev_count) % VM_EVENT_MAX];
    e->type = type;
    e->detail = detail;
    vm->ev_count++;
    vm_update_seip(vm);
    return 0;
}

int
vm_claim_event(struct vm *vm, uint32_t *type, uint64_t *detail)
{
    if (vm->ev_count == 0) {
        return -EAGAIN;
    }
    struct vm_event *e = &vm->ev[vm->ev_head];
    *type = e->type;
    *detail = e->detail;
    vm->ev_head = (vm->ev_head + 1) % VM_EVENT_MAX;
    vm->ev_count--;
    if (*type == DIAG_EVENT_ATTENTION) {
        vm->read_intr = false;
    }
    vm_update_seip(vm);
    return 0;
}

bool
vm_attention(struct vm *vm)
{
    if (event_queued(vm, DIAG_EVENT_ATTENTION, 0, false)) {
        return true;
    }
    /* A full queue must not swallow an attention: drop the oldest. */
    if (vm->ev_count == VM_EVENT_MAX) {
        vm->ev_head = (vm->ev_head + 1) % VM_EVENT_MAX;
        vm->ev_count--;
    }
    vm_post_event(vm, DIAG_EVENT_ATTENTION, 0);
    vm->read_intr = true;
    return false;
}

bool
vm_take_read_interrupt(struct vm *vm)
{
    bool r = vm->read_intr;
    vm->read_intr = false;
    return r;
}

void
vm_console_input(struct vm *vm)
{
    if (vm->status.state == VM_READ_WAIT) {
        vm->status.state = VM_RUNNING;
        return;
    }
    vm_post_event(vm, DIAG_EVENT_CONSOLE, 0);
}

/* ---- accounting and logging --------------------------------------------- */

void
vm_cpu_times(const struct vm *vm, uint64_t *virtual_us, uint64_t *total_us)
{
    uint64_t virt = vm->virt_ns, cp = vm->cp_ns;
    if (vm->in_run) {
        /* Asked from inside a hypercall: count the slice so far. */
        int64_t run_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - vm->slice_cpu0;
        if (run_ns > (int64_t)vm->hook_ns) {
            virt += (uint64_t)run_ns - vm->hook_ns;
        }
        cp += vm->hook_ns;
    }
    *virtual_us = virt / 1000;
    *total_us = (virt + cp) / 1000;
}

void
vm_account_cp(struct vm *vm, uint64_t ns)
{
    vm->cp_ns += ns;
}

void
vm_log(struct vm *vm, const char *fmt, ...)
{
    if (vm->ops.log == NULL) {
        return;
    }
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    vm->ops.log(vm->ops.ctx, vm, text);
}
