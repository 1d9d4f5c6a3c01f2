// SPDX-License-Identifier: MIT
/*
 * tests/test_vm.c - the VM object (cp/vm.c) driven as CP drives it: create,
 * device table, IPL (IPL block and registers), and vm_run() on small
 * hand-assembled guest programs, one per state a slice can end in:
 * RUNNING, READ_WAIT (line, attention), OUTPUT_WAIT, WFI_WAIT (timer,
 * event), HALTED (test exit, SRST), DISABLED_WAIT, STOPPED after reset.
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

#include <cmocka.h>

#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/vdev.h"
#include "cp/vm.h"
#include "tests/test_vm_fake.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

#define STOR (1024 * 1024)
#define CODE 0x10000u
#define BUF 0x20000u

/* ---- a tiny assembler --------------------------------------------------- */
enum { ZERO = 0, T0 = 5, A0 = 10, A1, A2, A3, A4, A5, A6, A7 };

struct prog {
    uint32_t w[64];
    unsigned n;
};

static void
emit(struct prog *p, uint32_t insn)
{
    assert_true(p->n < 64);
    p->w[p->n++] = insn;
}

static void
addi(struct prog *p, unsigned rd, unsigned rs, int32_t imm)
{
    emit(p, ((uint32_t)imm & 0xFFF) << 20 | rs << 15 | rd << 7 | 0x13);
}

/* rd = a 32-bit signed constant (lui + addi), sign-extended. */
static void
li(struct prog *p, unsigned rd, int32_t v)
{
    int32_t lo = (int32_t)((uint32_t)v << 20) >> 20;
    uint32_t hi = ((uint32_t)v - (uint32_t)lo) >> 12;
    if (hi != 0) {
        emit(p, hi << 12 | rd << 7 | 0x37);
        addi(p, rd, rd, lo);
    } else {
        addi(p, rd, ZERO, lo);
    }
}

static void
csrrs(struct prog *p, unsigned rd, unsigned csr, unsigned rs)
{
    emit(p, csr << 20 | rs << 15 | 2 << 12 | rd << 7 | 0x73);
}

static void ecall(struct prog *p) { emit(p, 0x00000073); }
static void wfi(struct prog *p) { emit(p, 0x10500073); }
static void spin(struct prog *p) { emit(p, 0x0000006F); }

static void
diag(struct prog *p, uint32_t eid, uint32_t fid)
{
    li(p, A7, (int32_t)eid);
    li(p, A6, (int32_t)fid);
    ecall(p);
}

/* Exit with a0 as it is. */
static void
test_exit(struct prog *p)
{
    diag(p, DIAG_EID, DIAG_TEST_EXIT);
    spin(p);
}

struct fix {
    struct vm *vm;
    struct fake_console *con;
    struct rv_tlb *tlb;
    unsigned loads; /* each program gets fresh storage (see test_reload_code) */
};

static int
setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    f->vm = vm_create(STOR, "runner");
    assert_non_null(f->vm);
    f->con = fake_console_attach(f->vm);
    assert_non_null(f->con);
    f->tlb = rv_tlb_create();
    assert_non_null(f->tlb);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fix *f = *state;
    vm_destroy(f->vm);
    rv_tlb_destroy(f->tlb);
    free(f);
    return 0;
}

static void
load_at(struct fix *f, uint64_t at, const struct prog *p, const char *parm)
{
    assert_int_equal(stor_write(vm_stor(f->vm), at, p->w, p->n * 4), 0);
    char err[256] = "";
    assert_int_equal(vm_ipl_start(f->vm, at, "TINY", 0, 0, parm, err, sizeof err), 0);
}

static void
load(struct fix *f, const struct prog *p, const char *parm)
{
    load_at(f, CODE + 0x1000 * f->loads++, p, parm);
}

/* Runs until the VM is anything but RUNNING (a slice may end early:
 * budget or kick), at most 50 slices. */
static struct vm_status
run(struct fix *f)
{
    struct vm_status st;
    int n = 0;
    do {
        st = vm_run(f->vm, f->tlb, 100000);
    } while (st.state == VM_RUNNING && ++n < 50);
    return st;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_create(void **state)
{
    (void)state;
    errno = 0;
    assert_null(vm_create(STOR + 1, "x"));
    assert_int_equal(errno, EINVAL);
    assert_null(vm_create(4096, "x"));
    assert_null(vm_create(VMRV_MAX_STORAGE + 4096, "x"));
    assert_null(vm_create(STOR, ""));
    assert_null(vm_create(STOR, "toolonguser"));
    assert_null(vm_create(STOR, "bad user"));
    assert_null(vm_create(STOR, NULL));
    struct vm *vm = vm_create(8192, "a$#@9z");
    assert_non_null(vm);
    assert_string_equal(vm_userid(vm), "A$#@9Z");
    assert_int_equal(vm_storage_size(vm), 8192);
    struct rv_tlb *tlb = rv_tlb_create();
    assert_int_equal(vm_run(vm, tlb, 1000).state, VM_STOPPED); /* never IPLed */
    rv_tlb_destroy(tlb);
    vm_destroy(vm);
    vm_destroy(NULL);
}

static int
collect(void *ctx, struct vdev *d)
{
    unsigned *list = ctx;
    list[++list[0]] = vdev_addr(d);
    return list[0] == 3 ? 42 : 0;
}

static void
test_devices(void **state)
{
    struct fix *f = *state;
    struct vdev_table *t = vm_devices(f->vm);
    static const struct vdev_type rdr = {.name = "RDR", .devclass = DIAG_DEV_READER};
    int priv;
    assert_int_equal(vdev_attach(t, 0x00C, &rdr, &priv), 0);
    assert_int_equal(vdev_attach(t, 0x00C, &rdr, &priv), -EEXIST);
    assert_int_equal(vdev_attach(t, 0x1000, &rdr, &priv), -EINVAL);
    assert_int_equal(vdev_attach(t, 0x00E, &rdr, &priv), 0);
    assert_int_equal(vdev_attach(t, 0x00D, &rdr, &priv), 0);
    assert_int_equal(vdev_attach(t, 0xFFF, &rdr, &priv), 0);
    struct vdev *d = vdev_find(t, 0x00D);
    assert_non_null(d);
    assert_ptr_equal(vdev_priv(d), &priv);
    assert_ptr_equal(vdev_type_of(d), &rdr);
    assert_ptr_equal(vdev_console_find(t), vdev_find(t, 0x009));
    unsigned list[8] = {0};
    assert_int_equal(vdev_foreach(t, collect, list), 42); /* in address order */
    assert_int_equal(list[1], 0x009);
    assert_int_equal(list[2], 0x00C);
    assert_int_equal(list[3], 0x00D);
    assert_int_equal(vdev_detach(t, 0x00D), 0);
    assert_int_equal(vdev_detach(t, 0x00D), -ENOENT);
    assert_null(vdev_find(t, 0x00D));
    assert_non_null(vdev_find(t, 0x00E));
    assert_non_null(vdev_find(t, 0xFFF));
    /* A second console at another address keeps its priv on EEXIST. */
    assert_int_equal(vdev_console_attach(t, 0x009, &(struct vdev_console_ops){0}, NULL), -EEXIST);
}

static void
test_ipl_state(void **state)
{
    struct fix *f = *state;
    struct prog p = {0};
    diag(&p, DIAG_EID, DIAG_STORAGE_SIZE);
    addi(&p, A0, A1, 0);
    test_exit(&p);
    load(f, &p, "hello world");
    struct vmrv_iplblock ib;
    assert_int_equal(stor_read(vm_stor(f->vm), VMRV_IPL_BLOCK, &ib, sizeof ib), 0);
    assert_int_equal(ib.magic, VMRV_IPL_MAGIC);
    assert_int_equal(ib.version, VMRV_IPL_VERSION);
    assert_int_equal(ib.storage_size, STOR);
    assert_int_equal(ib.timebase_hz, VMRV_TIMEBASE_HZ);
    assert_memory_equal(ib.userid, "RUNNER  ", 8);
    assert_memory_equal(ib.system, "TINY    ", 8);
    assert_int_equal(ib.parm_len, 11);
    assert_memory_equal(ib.parm, "hello world", 11);
    assert_int_equal(rv_pc_get(vm_cpu(f->vm)), CODE + 0x1000 * (f->loads - 1));
    assert_int_equal(rv_priv_get(vm_cpu(f->vm)), RV_PRIV_S);
    assert_int_equal(rv_reg_get(vm_cpu(f->vm), A0), 0);
    assert_int_equal(rv_reg_get(vm_cpu(f->vm), A1), VMRV_IPL_BLOCK);
    assert_int_equal(rv_reg_get(vm_cpu(f->vm), 2), 0);
    assert_int_equal(vm_status(f->vm).state, VM_RUNNING);
    struct vm_status st = run(f);
    assert_int_equal(st.state, VM_HALTED);
    assert_int_equal(st.halt, VM_HALT_EXIT);
    assert_int_equal(st.code, STOR);
    /* A halted VM does not run again until the next IPL. */
    assert_int_equal(run(f).state, VM_HALTED);

    char err[256] = "";
    char big[VMRV_IPL_PARM_MAX + 2];
    memset(big, 'p', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(vm_ipl_start(f->vm, CODE, "X", 0, 0, big, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "too long"));
    assert_int_equal(vm_ipl_start(f->vm, STOR, "X", 0, 0, "", err, sizeof err), -EINVAL);
    big[VMRV_IPL_PARM_MAX] = '\0';
    assert_int_equal(vm_ipl_start(f->vm, CODE, "X", 0, 0, big, err, sizeof err), 0);
}

static void
test_running_and_accounting(void **state)
{
    struct fix *f = *state;
    struct prog p = {0};
    spin(&p);
    load(f, &p, NULL);
    uint64_t before = vm_instret(f->vm);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(vm_run(f->vm, f->tlb, 200000).state, VM_RUNNING);
    }
    /* Budgets are kept (a slice may end early only when kicked). */
    assert_true(vm_instret(f->vm) >= before + 19 * 200000);
    assert_true(vm_instret(f->vm) <= before + 20 * 200000 + 64);
    uint64_t virt, total;
    vm_cpu_times(f->vm, &virt, &total);
    assert_true(virt > 0);
    assert_true(total >= virt);
    vm_reset(f->vm, false);
    assert_int_equal(run(f).state, VM_STOPPED);
}

static void
test_read_wait(void **state)
{
    struct fix *f = *state;
    struct prog p = {0};
    li(&p, A0, DIAG_CON_READ);
    li(&p, A1, BUF);
    li(&p, A2, 64);
    li(&p, A3, 0);
    diag(&p, DIAG_EID, DIAG_CONSOLE);
    addi(&p, A0, A1, 0); /* exit code = length read */
    addi(&p, A1, A0, 0);
    test_exit(&p);
    load(f, &p, NULL);
    struct vm_status st = run(f);
    assert_int_equal(st.state, VM_READ_WAIT);
    assert_int_equal(st.wake_time, UINT64_MAX);
    assert_int_equal(rv_pc_get(vm_cpu(f->vm)) % 4, 0);
    assert_int_equal(run(f).state, VM_READ_WAIT); /* early run: waits again */
    fake_console_push(f->con, "twelve chars");
    vm_console_input(f->vm);
    assert_int_equal(vm_status(f->vm).state, VM_RUNNING);
    st = run(f);
    assert_int_equal(st.state, VM_HALTED);
    assert_int_equal(st.code, 12);
    char line[12];
    assert_int_equal(stor_read(vm_stor(f->vm), BUF, line, 12), 0);
    assert_memory_equal(line, "twelve chars", 12);

    /* Attention ends the waiting READ with EINTR: exit code = a0 = -108. */
    struct prog q = {0};
    li(&q, A0, DIAG_CON_READ);
    li(&q, A1, BUF);
    li(&q, A2, 64);
    diag(&q, DIAG_EID, DIAG_CONSOLE);
    test_exit(&q);
    load(f, &q, NULL);
    assert_int_equal(run(f).state, VM_READ_WAIT);
    assert_false(vm_attention(f->vm));
    st = run(f);
    assert_int_equal(st.state, VM_HALTED);
    assert_int_equal((int64_t)st.code, DIAG_EINTR);
}

static void
test_output_wait(void **state)
{
    struct fix *f = *state;
    struct prog p = {0};
    li(&p, A0, DIAG_CON_WRITE_LINE);
    li(&p, A1, BUF);
    li(&p, A2, 3);
    diag(&p, DIAG_EID, DIAG_CONSOLE);
    test_exit(&p);
    assert_int_equal(stor_write(vm_stor(f->vm), BUF, "abc", 3), 0);
    load(f, &p, NULL);
    f->con->full = true;
    assert_int_equal(run(f).state, VM_OUTPUT_WAIT);
    assert_int_equal(f->con->out_len, 0);
    f->con->full = false;
    struct vm_status st = run(f);
    assert_int_equal(st.state, VM_HALTED);
    assert_int_equal(st.code, 0);
    assert_int_equal(f->con->out_len, 4);
    assert_memory_equal(f->con->out, "abc\n", 4);
}

static void
test_wfi(void **state)
{
    struct fix *f = *state;
    struct prog p = {0};
    /* Timer enabled, comparator far away: WFI_WAIT until it. */
    li(&p, T0, RV_IRQ_STIP | RV_IRQ_SEIP);
    csrrs(&p, ZERO, 0x104, T0); /* sie |= STIE | SEIE */
    li(&p, A0, 0x40000000);
    diag(&p, SBI_EID_TIME, SBI_TIME_SET_TIMER);
    wfi(&p);
    li(&p, A0, 7);
    test_exit(&p);
    load(f, &p, NULL);
    struct vm_status st = run(f);
    assert_int_equal(st.state, VM_WFI_WAIT);
    assert_int_equal(st.wake_time, 0x40000000);
    assert_true(vm_ns_until(f->vm, st.wake_time) > 100000000ll);
    /* An event (SEIP) wakes it. */
    assert_int_equal(vm_post_event(f->vm, DIAG_EVENT_MESSAGE, 0), 0);
    st = run(f);
    assert_int_equal(st.state, VM_HALTED);
    assert_int_equal(st.code, 7);

    /* Nothing enabled: a disabled wait with a reason. */
    struct prog q = {0};
    wfi(&q);
    spin(&q);
    load(f, &q, NULL);
    st = run(f);
    assert_int_equal(st.state, VM_DISABLED_WAIT);
    assert_non_null(st.reason);
    assert_true(strlen(st.reason) > 0);
    assert_int_equal(run(f).state, VM_DISABLED_WAIT);
    vm_reset(f->vm, true);
    assert_int_equal(run(f).state, VM_STOPPED);
    uint32_t w = 1;
    assert_int_equal(stor_read(vm_stor(f->vm), CODE, &w, 4), 0);
    assert_int_equal(w, 0); /* CLEAR */
}

/* CP writes new code over code that ran (an IPL after an IPL, a module
 * read from disk over an old one): the new code runs. */
static void
test_reload_code(void **state)
{
    struct fix *f = *state;
    for (int32_t code = 1; code <= 3; code++) {
        struct prog p = {0};
        li(&p, A0, code * 11);
        test_exit(&p);
        load_at(f, CODE, &p, NULL);
        struct vm_status st = run(f);
        assert_int_equal(st.state, VM_HALTED);
        assert_int_equal(st.code, (uint64_t)(code * 11));
    }
}

static void
test_srst(void **state)
{
    struct fix *f = *state;
    struct prog p = {0};
    li(&p, A0, SBI_SRST_TYPE_SHUTDOWN);
    li(&p, A1, SBI_SRST_REASON_SYSFAIL);
    diag(&p, SBI_EID_SRST, SBI_SRST_RESET);
    spin(&p);
    load(f, &p, NULL);
    struct vm_status st = run(f);
    assert_int_equal(st.state, VM_HALTED);
    assert_int_equal(st.halt, VM_HALT_SHUTDOWN);
    assert_int_equal(st.code, SBI_SRST_REASON_SYSFAIL);

    struct prog q = {0};
    li(&q, A0, SBI_SRST_TYPE_COLD_REBOOT);
    li(&q, A1, 0);
    diag(&q, SBI_EID_SRST, SBI_SRST_RESET);
    spin(&q);
    load(f, &q, NULL);
    st = run(f);
    assert_int_equal(st.state, VM_HALTED);
    assert_int_equal(st.halt, VM_HALT_REBOOT);

    struct prog w = {0};
    li(&w, A0, SBI_SRST_TYPE_WARM_REBOOT);
    li(&w, A1, 0xE0000005);
    diag(&w, SBI_EID_SRST, SBI_SRST_RESET);
    spin(&w);
    load(f, &w, NULL);
    st = run(f);
    assert_int_equal(st.state, VM_HALTED);
    assert_int_equal(st.halt, VM_HALT_WARM_REBOOT);
    assert_int_equal(st.code, 0xE0000005);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create),
        cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipl_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_running_and_accounting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wfi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_srst, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_code, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
