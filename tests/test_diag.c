// SPDX-License-Identifier: MIT
/*
 * tests/test_diag.c - the hypercall tables and the DIAG functions about the
 * machine (cp/diag_table.c, cp/diag_machine.c, cp/diag_service.c,
 * cp/sbi.c), issued through the guest's registers as an ecall would:
 * results, every documented error, registers preserved, storage outside
 * the buffers untouched.  Console and block I/O: tests/test_diag_io.c.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/vm.h"
#include "tests/test_vm_fake.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

#define STOR (1024 * 1024)
#define CSR_SIP 0x144

static int
setup(void **state)
{
    struct vmfix *f = vmfix_create(STOR);
    assert_non_null(f);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    vmfix_destroy(*state);
    return 0;
}

static void
fill(struct vm *vm, uint64_t gpa, size_t len, uint8_t v)
{
    unsigned char buf[4096];
    memset(buf, v, sizeof buf);
    for (size_t done = 0; done < len;) {
        size_t n = len - done < sizeof buf ? len - done : sizeof buf;
        assert_int_equal(stor_write(vm_stor(vm), gpa + done, buf, n), 0);
        done += n;
    }
}

static uint8_t
byte_at(struct vm *vm, uint64_t gpa)
{
    uint8_t b;
    assert_int_equal(stor_read(vm_stor(vm), gpa, &b, 1), 0);
    return b;
}

static void
test_unknown(void **state)
{
    struct vmfix *f = *state;
    struct hc r = hcall(f->vm, 0x12345678, 0, 0, 0, HC_SENTINEL, 0, 0, 0);
    assert_int_equal(r.action, RV_HCALL_CONTINUE);
    assert_int_equal(r.err, DIAG_ENOTSUP);
    assert_int_equal(r.v2, HC_SENTINEL);
    r = DIAG(f->vm, 0x0FFF, 0, 0, HC_SENTINEL, 0, 0);
    assert_int_equal(r.err, DIAG_ENOTSUP);
    r = DIAG(f->vm, DIAG_PAGEX_RESERVED, 0, 0, HC_SENTINEL, 0, 0);
    assert_int_equal(r.err, DIAG_ENOTSUP);
    r = hcall(f->vm, SBI_EID_BASE, 99, 0, 0, 0, 0, 0, 0);
    assert_int_equal(r.err, DIAG_ENOTSUP);
    /* The registers a6, a7, a3..a5 are preserved. */
    assert_int_equal(rv_reg_get(vm_cpu(f->vm), 17), SBI_EID_BASE);
    assert_int_equal(rv_reg_get(vm_cpu(f->vm), 16), 99);
}

static void
test_identify(void **state)
{
    struct vmfix *f = *state;
    fill(f->vm, 0x4000, 256, 0xAB);
    struct hc r = DIAG(f->vm, DIAG_IDENTIFY, 0x4000, 256, HC_SENTINEL, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, sizeof(struct diag_identify));
    assert_int_equal(r.v2, HC_SENTINEL);
    struct diag_identify id;
    assert_int_equal(stor_read(vm_stor(f->vm), 0x4000, &id, sizeof id), 0);
    assert_memory_equal(id.system, "VMRV    ", 8);
    assert_memory_equal(id.userid, "TESTER  ", 8);
    assert_non_null(strstr(id.cplevel, "VM/RV"));
    assert_int_equal(id.storage_size, STOR);
    assert_int_equal(id.timebase_hz, VMRV_TIMEBASE_HZ);
    assert_int_equal(id.privclasses, 1u << 6); /* G */
    assert_int_equal(byte_at(f->vm, 0x4000 + sizeof id), 0xAB);

    /* A short buffer gets a prefix. */
    fill(f->vm, 0x4000, 256, 0xAB);
    r = DIAG(f->vm, DIAG_IDENTIFY, 0x4000, 10, 0, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 10);
    assert_int_equal(byte_at(f->vm, 0x4009), 'E');
    assert_int_equal(byte_at(f->vm, 0x400A), 0xAB);
    /* Length 0 writes nothing, whatever the address. */
    r = DIAG(f->vm, DIAG_IDENTIFY, UINT64_MAX, 0, 0, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, 0);
    /* Buffers crossing the end of storage or wrapping: EFAULT, untouched. */
    fill(f->vm, STOR - 16, 16, 0xCD);
    r = DIAG(f->vm, DIAG_IDENTIFY, STOR - 16, 256, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EFAULT);
    assert_int_equal(byte_at(f->vm, STOR - 16), 0xCD);
    r = DIAG(f->vm, DIAG_IDENTIFY, UINT64_MAX - 4, 256, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EFAULT);
    r = DIAG(f->vm, DIAG_IDENTIFY, STOR, 1, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EFAULT);
    /* Exactly at the end fits. */
    r = DIAG(f->vm, DIAG_IDENTIFY, STOR - sizeof id, UINT64_MAX, 0, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, sizeof id);
    vm_set_privclasses(f->vm, 0x3F);
    r = DIAG(f->vm, DIAG_IDENTIFY, 0x4000, sizeof id, 0, 0, 0);
    assert_int_equal(stor_read(vm_stor(f->vm), 0x4000, &id, sizeof id), 0);
    assert_int_equal(id.privclasses, 0x3F);
}

static void
test_storage_size(void **state)
{
    struct vmfix *f = *state;
    struct hc r = DIAG(f->vm, DIAG_STORAGE_SIZE, 0, 0, HC_SENTINEL, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, STOR);
    assert_int_equal(r.v2, HC_SENTINEL);
}

static void
test_timer(void **state)
{
    struct vmfix *f = *state;
    fill(f->vm, 0x8000, 512, 0x77);
    time_t before = time(NULL);
    struct hc r = DIAG(f->vm, DIAG_TIMER, 0x8000, 512, 0, 0, 0);
    time_t after = time(NULL);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, sizeof(struct diag_timer));
    assert_int_equal(byte_at(f->vm, 0x8000 + sizeof(struct diag_timer)), 0x77);
    struct diag_timer t;
    assert_int_equal(stor_read(vm_stor(f->vm), 0x8000, &t, sizeof t), 0);
    assert_true(t.tod_us / 1000000 >= (uint64_t)before && t.tod_us / 1000000 <= (uint64_t)after);
    time_t secs = (time_t)(t.tod_us / 1000000);
    struct tm lt;
    localtime_r(&secs, &lt);
    char want[32];
    strftime(want, sizeof want, "%m/%d/%y", &lt);
    assert_memory_equal(t.date, want, 8);
    strftime(want, sizeof want, "%H:%M:%S", &lt);
    assert_memory_equal(t.time, want, 8);
    strftime(want, sizeof want, "%Y-%m-%d", &lt);
    assert_memory_equal(t.date_iso, want, 10);
    assert_int_equal(t.utc_offset_s, lt.tm_gmtoff);
    assert_true(t.total_cpu_us >= t.virtual_cpu_us);
    /* CP's work counts in total. */
    vm_account_cp(f->vm, 5000000);
    struct diag_timer t2;
    DIAG(f->vm, DIAG_TIMER, 0x8000, sizeof t2, 0, 0, 0);
    assert_int_equal(stor_read(vm_stor(f->vm), 0x8000, &t2, sizeof t2), 0);
    assert_true(t2.total_cpu_us >= t.total_cpu_us + 5000);
    r = DIAG(f->vm, DIAG_TIMER, STOR - 8, sizeof t, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EFAULT);
}

static void
test_release_pages(void **state)
{
    struct vmfix *f = *state;
    fill(f->vm, 0x10000, 0x4000, 0x5A);
    struct hc r = DIAG(f->vm, DIAG_RELEASE_PAGES, 0x11000, 0x2000, 0, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(byte_at(f->vm, 0x10FFF), 0x5A);
    assert_int_equal(byte_at(f->vm, 0x11000), 0);
    assert_int_equal(byte_at(f->vm, 0x12FFF), 0);
    assert_int_equal(byte_at(f->vm, 0x13000), 0x5A);
    /* Bad alignment and lengths. */
    assert_int_equal(DIAG(f->vm, DIAG_RELEASE_PAGES, 0x10001, 0x1000, 0, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_RELEASE_PAGES, 0x10000, 0x1001, 0, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_RELEASE_PAGES, 0x10000, 0, 0, 0, 0).err, DIAG_EINVAL);
    /* Page 0 is refused, also as part of a range. */
    assert_int_equal(DIAG(f->vm, DIAG_RELEASE_PAGES, 0, 0x1000, 0, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_RELEASE_PAGES, 0, 0x3000, 0, 0, 0).err, DIAG_EINVAL);
    /* Outside storage. */
    assert_int_equal(DIAG(f->vm, DIAG_RELEASE_PAGES, STOR - 0x1000, 0x2000, 0, 0, 0).err, DIAG_EFAULT);
    assert_int_equal(DIAG(f->vm, DIAG_RELEASE_PAGES, 0xFFFFFFFFFFFFF000ull, 0x2000, 0, 0, 0).err,
                     DIAG_EFAULT);
    assert_int_equal(DIAG(f->vm, DIAG_RELEASE_PAGES, STOR - 0x1000, 0x1000, 0, 0, 0).err, 0);
    /* Shared segment ranges are refused. */
    fill(f->vm, 0x20000, 0x1000, 0x5A);
    assert_int_equal(vm_shared_range(f->vm, 0x20000, 0x10000), 0);
    assert_int_equal(DIAG(f->vm, DIAG_RELEASE_PAGES, 0x1F000, 0x2000, 0, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(byte_at(f->vm, 0x20000), 0x5A);
    assert_int_equal(vm_shared_range(f->vm, 0x20000, 0), 0);
    assert_int_equal(DIAG(f->vm, DIAG_RELEASE_PAGES, 0x1F000, 0x2000, 0, 0, 0).err, 0);
    assert_int_equal(byte_at(f->vm, 0x20000), 0);
}

static void
test_protect(void **state)
{
    struct vmfix *f = *state;
    assert_int_equal(DIAG(f->vm, DIAG_PROTECT, 0x2000, 0x1000, DIAG_PROT_USER_RO, 0, 0).err, 0);
    assert_int_equal(DIAG(f->vm, DIAG_PROTECT, 0, 0x1000, DIAG_PROT_USER_NONE, 0, 0).err, 0);
    assert_int_equal(DIAG(f->vm, DIAG_PROTECT, 0x2000, 0x1000, DIAG_PROT_USER_RW, 0, 0).err, 0);
    assert_int_equal(DIAG(f->vm, DIAG_PROTECT, 0x2000, 0x1000, 3, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_PROTECT, 0x2000, 0x1000, UINT64_MAX, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_PROTECT, 0x2001, 0x1000, 0, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_PROTECT, 0x2000, 0x10, 0, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_PROTECT, 0x2000, 0, 0, 0, 0).err, DIAG_EINVAL);
    assert_int_equal(DIAG(f->vm, DIAG_PROTECT, STOR, 0x1000, 0, 0, 0).err, DIAG_EFAULT);
    assert_int_equal(DIAG(f->vm, DIAG_PROTECT, 0x1000, UINT64_MAX & ~0xFFFull, 0, 0, 0).err,
                     DIAG_EFAULT);
}

static uint64_t
sip(struct vm *vm)
{
    uint64_t v = 0;
    assert_int_equal(rv_csr_read(vm_cpu(vm), CSR_SIP, &v), 0);
    return v;
}

static void
test_events(void **state)
{
    struct vmfix *f = *state;
    struct hc r = DIAG(f->vm, DIAG_EVENT_CLAIM, 0, 0, HC_SENTINEL, 0, 0);
    assert_int_equal(r.err, DIAG_EAGAIN);
    assert_false(sip(f->vm) & RV_IRQ_SEIP);
    assert_int_equal(vm_post_event(f->vm, DIAG_EVENT_SPOOL, 17), 0);
    assert_int_equal(vm_post_event(f->vm, DIAG_EVENT_SPOOL, 18), 0);
    assert_int_equal(vm_post_event(f->vm, DIAG_EVENT_SPOOL, 17), 0); /* merged */
    assert_false(vm_attention(f->vm));
    assert_true(vm_attention(f->vm)); /* a second one before the claim */
    assert_true(sip(f->vm) & RV_IRQ_SEIP);
    uint64_t want[3][2] = {{DIAG_EVENT_SPOOL, 17}, {DIAG_EVENT_SPOOL, 18}, {DIAG_EVENT_ATTENTION, 0}};
    for (int i = 0; i < 3; i++) {
        assert_true(sip(f->vm) & RV_IRQ_SEIP);
        r = DIAG(f->vm, DIAG_EVENT_CLAIM, 0, 0, HC_SENTINEL, 0, 0);
        assert_int_equal(r.err, 0);
        assert_int_equal(r.v1, want[i][0]);
        assert_int_equal(r.v2, want[i][1]);
    }
    assert_false(sip(f->vm) & RV_IRQ_SEIP); /* SEIP follows the queue */
    assert_int_equal(DIAG(f->vm, DIAG_EVENT_CLAIM, 0, 0, 0, 0, 0).err, DIAG_EAGAIN);
    assert_false(vm_attention(f->vm)); /* claimed: a new first attention */
    /* A full queue refuses more, but never an attention. */
    DIAG(f->vm, DIAG_EVENT_CLAIM, 0, 0, 0, 0, 0);
    int rc = 0;
    for (uint64_t i = 0; rc == 0; i++) {
        rc = vm_post_event(f->vm, DIAG_EVENT_SPOOL, i);
    }
    assert_int_equal(rc, -ENOSPC);
    assert_false(vm_attention(f->vm));
    assert_true(vm_attention(f->vm));
}

static void
test_clock_comparator(void **state)
{
    struct vmfix *f = *state;
    assert_int_equal(DIAG(f->vm, DIAG_CLOCK_COMPARATOR, 0, 0, 0, 0, 0).err, 0);
    assert_true(sip(f->vm) & RV_IRQ_STIP); /* time >= 0 */
    assert_int_equal(DIAG(f->vm, DIAG_CLOCK_COMPARATOR, DIAG_CLOCK_OFF, 0, 0, 0, 0).err, 0);
    assert_false(sip(f->vm) & RV_IRQ_STIP);
    assert_int_equal(hcall(f->vm, SBI_EID_TIME, SBI_TIME_SET_TIMER, 0, 0, 0, 0, 0, 0).err, 0);
    assert_true(sip(f->vm) & RV_IRQ_STIP);
    uint64_t later = vm_time(f->vm) + 100 * VMRV_TIMEBASE_HZ;
    assert_int_equal(hcall(f->vm, SBI_EID_TIME, SBI_TIME_SET_TIMER, later, 0, 0, 0, 0, 0).err, 0);
    assert_false(sip(f->vm) & RV_IRQ_STIP);
    assert_true(vm_ns_until(f->vm, later) > 99 * 1000000000ll);
    assert_int_equal(vm_ns_until(f->vm, UINT64_MAX), INT64_MAX);
    assert_int_equal(vm_ns_until(f->vm, 0), 0);
}

static void
test_test_exit(void **state)
{
    struct vmfix *f = *state;
    struct hc r = DIAG(f->vm, DIAG_TEST_EXIT, 300, 0, 0, 0, 0);
    assert_int_equal(r.action, RV_HCALL_STOP);
}

static void
test_sbi_base(void **state)
{
    struct vmfix *f = *state;
    struct hc r = hcall(f->vm, SBI_EID_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, HC_SENTINEL, 0, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, VMRV_SBI_SPEC_VERSION);
    assert_int_equal(r.v2, HC_SENTINEL);
    r = hcall(f->vm, SBI_EID_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0, 0, 0, 0);
    assert_int_equal(r.v1, VMRV_SBI_IMPL_ID);
    r = hcall(f->vm, SBI_EID_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0, 0, 0, 0);
    unsigned a, b, c;
    assert_int_equal(sscanf(PACKAGE_VERSION, "%u.%u.%u", &a, &b, &c), 3);
    assert_int_equal(r.v1, a << 16 | b << 8 | c);
    uint64_t present[] = {SBI_EID_BASE, SBI_EID_TIME, SBI_EID_DBCN, SBI_EID_SRST, DIAG_EID};
    for (size_t i = 0; i < 5; i++) {
        r = hcall(f->vm, SBI_EID_BASE, SBI_BASE_PROBE_EXTENSION, present[i], 0, 0, 0, 0, 0);
        assert_int_equal(r.err, 0);
        assert_int_equal(r.v1, 1);
    }
    uint64_t absent[] = {0x735049 /* IPI */, 0x52464E43 /* RFNC */, 0x48534D /* HSM */, 0, UINT64_MAX};
    for (size_t i = 0; i < 5; i++) {
        r = hcall(f->vm, SBI_EID_BASE, SBI_BASE_PROBE_EXTENSION, absent[i], 0, 0, 0, 0, 0);
        assert_int_equal(r.err, 0);
        assert_int_equal(r.v1, 0);
    }
    for (uint64_t fid = SBI_BASE_GET_MVENDORID; fid <= SBI_BASE_GET_MIMPID; fid++) {
        r = hcall(f->vm, SBI_EID_BASE, fid, 0, 7, 0, 0, 0, 0);
        assert_int_equal(r.err, 0);
        assert_int_equal(r.v1, 0);
    }
}

static void
test_sbi_srst(void **state)
{
    struct vmfix *f = *state;
    struct hc r = hcall(f->vm, SBI_EID_SRST, SBI_SRST_RESET, 3, 0, 0, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EINVAL);
    assert_int_equal(r.action, RV_HCALL_CONTINUE);
    r = hcall(f->vm, SBI_EID_SRST, SBI_SRST_RESET, 0, 2, 0, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EINVAL);
    r = hcall(f->vm, SBI_EID_SRST, SBI_SRST_RESET, 0, 0x100000002ull, 0, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EINVAL); /* only the low 32 bits count */
    r = hcall(f->vm, SBI_EID_SRST, SBI_SRST_RESET, 0x100000003ull, 0, 0, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EINVAL);
    r = hcall(f->vm, SBI_EID_SRST, SBI_SRST_RESET, UINT64_MAX, 0, 0, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EINVAL);
    r = hcall(f->vm, SBI_EID_SRST, 1, 0, 0, 0, 0, 0, 0);
    assert_int_equal(r.err, DIAG_ENOTSUP);
    r = hcall(f->vm, SBI_EID_SRST, SBI_SRST_RESET, SBI_SRST_TYPE_SHUTDOWN, 0xE0000001, 0, 0, 0, 0);
    assert_int_equal(r.action, RV_HCALL_STOP);
    r = hcall(f->vm, SBI_EID_SRST, SBI_SRST_RESET, SBI_SRST_TYPE_WARM_REBOOT, 1, 0, 0, 0, 0);
    assert_int_equal(r.action, RV_HCALL_STOP);
}

/* CP services: ENOTSUP with nothing plugged in, routed when plugged. */
struct svc_log {
    unsigned calls[5];
    unsigned traces;
    char last_trace[64];
};

static enum rv_hcall
svc(void *ctx, struct vm *vm, struct diag_call *c, unsigned i)
{
    struct svc_log *l = ctx;
    l->calls[i]++;
    c->value = 1000 + i;
    c->value2 = c->a[3];
    c->has_value2 = true;
    return i == 4 ? RV_HCALL_WAIT : RV_HCALL_CONTINUE;
}
static enum rv_hcall svc0(void *x, struct vm *v, struct diag_call *c) { return svc(x, v, c, 0); }
static enum rv_hcall svc1(void *x, struct vm *v, struct diag_call *c) { return svc(x, v, c, 1); }
static enum rv_hcall svc2(void *x, struct vm *v, struct diag_call *c) { return svc(x, v, c, 2); }
static enum rv_hcall svc3(void *x, struct vm *v, struct diag_call *c) { return svc(x, v, c, 3); }
static enum rv_hcall svc4(void *x, struct vm *v, struct diag_call *c) { return svc(x, v, c, 4); }

static void
trace(void *ctx, struct vm *vm, const struct diag_call *c)
{
    struct svc_log *l = ctx;
    l->traces++;
    snprintf(l->last_trace, sizeof l->last_trace, "%s %s %lld", c->ext_name, c->fn_name,
             (long long)c->error);
}

static void
test_services(void **state)
{
    struct vmfix *f = *state;
    uint64_t fids[5] = {DIAG_CP_COMMAND, DIAG_READER, DIAG_SEGMENT, DIAG_MESSAGE, DIAG_UR_WRITE};
    for (int i = 0; i < 5; i++) {
        struct hc r = DIAG(f->vm, fids[i], 0, 0, HC_SENTINEL, 9, 0);
        assert_int_equal(r.err, DIAG_ENOTSUP);
        assert_int_equal(r.v2, HC_SENTINEL);
    }
    struct svc_log log;
    memset(&log, 0, sizeof log);
    struct vm_cp_ops ops = {
        .ctx = &log, .cp_command = svc0, .reader = svc1, .segment = svc2,
        .message = svc3, .ur_write = svc4, .trace = trace,
    };
    vm_set_cp_ops(f->vm, &ops);
    for (int i = 0; i < 5; i++) {
        struct hc r = DIAG(f->vm, fids[i], 0, 0, HC_SENTINEL, 9, 0);
        assert_int_equal(log.calls[i], 1);
        if (i == 4) {
            /* A waiting service leaves the registers for the rerun. */
            assert_int_equal(r.action, RV_HCALL_WAIT);
            assert_int_equal(r.v2, HC_SENTINEL);
        } else {
            assert_int_equal(r.err, 0);
            assert_int_equal(r.v1, 1000 + (unsigned)i);
            assert_int_equal(r.v2, 9);
        }
    }
    assert_int_equal(log.traces, 5);
    DIAG(f->vm, DIAG_STORAGE_SIZE, 0, 0, 0, 0, 0);
    assert_string_equal(log.last_trace, "DIAG STORAGE_SIZE 0");
    hcall(f->vm, SBI_EID_DBCN, 77, 0, 0, 0, 0, 0, 0);
    assert_string_equal(log.last_trace, "DBCN ? -2");
    vm_set_cp_ops(f->vm, NULL);
    assert_int_equal(DIAG(f->vm, DIAG_CP_COMMAND, 0, 0, 0, 0, 0).err, DIAG_ENOTSUP);
    assert_int_equal(log.traces, 7);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_comparator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_test_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sbi_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sbi_srst, setup, teardown),
        cmocka_unit_test_setup_teardown(test_services, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
