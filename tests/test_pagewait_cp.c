// SPDX-License-Identifier: MIT
/*
 * tests/test_pagewait_cp.c - page wait beyond loads and stores: a guest
 * whose code pages are out (instruction fetch), an LR/SC whose page goes
 * out between the two (the SC waits with its reservation kept and
 * succeeds), and DIAGs whose buffers are out (a console write, a console
 * read, a disk read into storage: the call waits before any side effect,
 * a queued line is not taken, and it runs again whole).  In each, while the pager's read is held back (a test hook) the
 * VM does not run and the other VM on the same thread makes progress; once
 * reads go on the VM finishes with its data intact.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/paging.h"
#include "cp/rv.h"
#include "cp/stor_int.h"
#include "cp/vm.h"
#include "test_pagegate.h"
#include "test_rv_enc.h"
#include "test_vm_fake.h"
#include "vmrv/diag.h"

#define LIMIT 64 /* pages */
#define CODE_AT 0x4000u
#define CODE2 0x40000u /* the paged code of the fetch test */
#define KPAGES 8
#define DATA 0x200000u
#define BUF2 0x300000u /* the disk read's buffer: 2 blocks */
#define MSG "a line from a page that was out"

static char pg_file[512];

static int
setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(pg_file, sizeof pg_file, "%s/vmrv-pwcp-XXXXXX", tmp ? tmp : "/tmp");
    int fd = mkstemp(pg_file);
    assert_true(fd >= 0);
    close(fd);
    struct paging_config cfg = {.real_bytes = LIMIT * 4096ull,
                                .path = pg_file,
                                .file_bytes = 64 * LIMIT * 4096ull};
    char err[200] = "";
    assert_int_equal(paging_start(&cfg, err, sizeof err), 0);
    paging_set_read_hook(pagegate_hook, NULL);
    g_calls = 0;
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    gate(false);
    paging_set_read_hook(NULL, NULL);
    paging_stop();
    return 0;
}

static void
emit_exit(struct prog *p)
{
    emit_li(p, A6, DIAG_TEST_EXIT);
    emit_li(p, A7, DIAG_EID);
    emit(p, ECALL());
}

/* Sets s3 = 1 (the test sees the VM got there), then spins long enough for
 * the test to push pages out before the next instruction. */
static void
emit_mark_spin(struct prog *p)
{
    emit_li(p, S3, 1);
    emit_li(p, T2, 300000);
    uint64_t loop = emit(p, ADDI(T2, T2, -1));
    emit(p, BNE(T2, ZERO, rel(prog_pc(p), loop)));
}

static void
load(struct vm *vm, struct prog *p)
{
    assert_int_equal(stor_write(vm_stor(vm), p->base, p->buf, p->len), 0);
}

static void
ipl(struct vm *vm)
{
    char err[200] = "";
    assert_int_equal(vm_ipl_start(vm, CODE_AT, "TEST", 0, 0, NULL, err, sizeof err), 0);
}

/* Counts for ever, in registers only; run once so its code is translated
 * (never stolen) before the pressure starts. */
static struct vm *
counter(struct rv_tlb *tlb)
{
    struct vm *vm = vm_create(4u << 20, "COUNTER");
    assert_non_null(vm);
    struct prog p;
    prog_init(&p, CODE_AT);
    emit(&p, ADDI(T0, T0, 1));
    emit(&p, JAL(ZERO, -4));
    load(vm, &p);
    ipl(vm);
    assert_int_equal(vm_run(vm, tlb, 100).state, VM_RUNNING);
    return vm;
}

/* Pressure from another storage until every page in pn[] of vm is out. */
static void
push_out(struct vm *vm, const uint64_t *pn, unsigned n)
{
    struct stor *filler = stor_create(8u << 20);
    assert_non_null(filler);
    struct stor *st = vm_stor(vm);
    for (uint64_t k = 0; k < 4096; k++) {
        bool all = true;
        for (unsigned i = 0; i < n; i++) {
            all = all && stor_page_out(st, pn[i]);
        }
        if (all) {
            break;
        }
        uint64_t v = k;
        assert_int_equal(stor_write(filler, (k % 1024) * 4096, &v, sizeof v), 0);
        stor_trim(filler);
    }
    for (unsigned i = 0; i < n; i++) {
        assert_true(stor_page_out(st, pn[i]));
    }
    stor_destroy(filler);
}

/* Runs a until s3 says it got to its spin. */
static void
run_to_mark(struct vm *a, struct rv_tlb *tlb)
{
    for (int i = 0; i < 100000 && rv_reg_get(vm_cpu(a), S3) != 1; i++) {
        struct vm_status st = vm_run(a, tlb, 1000);
        assert_int_equal(st.state, VM_RUNNING);
    }
    assert_int_equal(rv_reg_get(vm_cpu(a), S3), 1);
}

/* With reads held: a goes to page wait and stays there, not running, while
 * b runs on the same TLB (thread); then reads go on and a runs to its exit
 * (b runs while a waits).  Returns a's exit code. */
static uint64_t
wait_then_finish(struct vm *a, struct vm *b, struct rv_tlb *tlb)
{
    struct paging_stats s0;
    paging_stats(&s0);
    gate(true);
    struct vm_status st = {0};
    for (int i = 0; i < 100000 && !st.page_wait; i++) {
        st = vm_run(a, tlb, 5000);
        assert_int_equal(st.state == VM_SERVICE_WAIT || st.state == VM_RUNNING, true);
    }
    assert_true(st.page_wait);
    gate_wait_read(); /* on a pager thread, held */
    uint64_t a0 = vm_instret(a), b0 = vm_instret(b);
    for (int i = 0; i < 50; i++) {
        assert_true(vm_run(a, tlb, 5000).page_wait);
        assert_int_equal(vm_run(b, tlb, 5000).state, VM_RUNNING);
    }
    assert_int_equal(vm_instret(a), a0);
    assert_true(vm_instret(b) - b0 >= 50 * 4000);
    gate(false);
    for (int i = 0; i < 2000000; i++) {
        st = vm_run(a, tlb, 5000);
        if (st.state == VM_HALTED) {
            break;
        }
        assert_int_not_equal(st.state, VM_DISABLED_WAIT);
        if (st.page_wait) {
            vm_run(b, tlb, 200);
        }
    }
    assert_int_equal(st.state, VM_HALTED);
    assert_int_equal(st.halt, VM_HALT_EXIT);
    struct paging_stats s1;
    paging_stats(&s1);
    assert_true(s1.async_reads > s0.async_reads);
    assert_int_equal(s1.io_errors, s0.io_errors);
    return st.code;
}

static void
test_code_pages_out(void **state)
{
    (void)state;
    struct rv_tlb *tlb = rv_tlb_create();
    struct vm *b = counter(tlb);
    struct vm *a = vm_create(4u << 20, "FETCHER");
    assert_non_null(a);
    /* main: s2 = 0, through KPAGES pages that each add their number + 1
     * and go on to the next; the last exits with s2 */
    struct prog p;
    prog_init(&p, CODE_AT);
    emit_li(&p, S2, 0);
    emit_li(&p, T0, CODE2);
    emit(&p, JALR(ZERO, T0, 0));
    load(a, &p);
    uint64_t pn[KPAGES + 1];
    for (unsigned i = 0; i < KPAGES; i++) {
        prog_init(&p, CODE2 + i * 4096u);
        emit(&p, ADDI(S2, S2, (int32_t)i + 1));
        if (i + 1 < KPAGES) {
            emit_li(&p, T0, CODE2 + (i + 1) * 4096u);
            emit(&p, JALR(ZERO, T0, 0));
        } else {
            emit(&p, ADDI(A0, S2, 0));
            emit_exit(&p);
        }
        load(a, &p);
        pn[i] = (CODE2 >> 12) + i;
    }
    pn[KPAGES] = CODE_AT >> 12;
    ipl(a);
    push_out(a, pn, KPAGES + 1); /* never run: no translation keeps them */
    struct paging_stats s0;
    paging_stats(&s0);
    assert_int_equal(wait_then_finish(a, b, tlb), KPAGES * (KPAGES + 1) / 2);
    struct paging_stats s1;
    paging_stats(&s1);
    /* each came in for a fetch that waited, or with one (read-ahead) */
    assert_true(s1.async_reads + s1.read_ahead - s0.async_reads - s0.read_ahead >= KPAGES + 1);
    vm_destroy(a);
    vm_destroy(b);
    rv_tlb_destroy(tlb);
}

static void
test_sc_page_out(void **state)
{
    (void)state;
    struct rv_tlb *tlb = rv_tlb_create();
    struct vm *b = counter(tlb);
    struct vm *a = vm_create(4u << 20, "LRSC");
    assert_non_null(a);
    struct prog p;
    prog_init(&p, CODE_AT);
    emit_li(&p, S0, DATA);
    emit_li(&p, T0, 5);
    emit(&p, SD(T0, S0, 0));
    emit(&p, LR_D(T1, S0));
    emit_mark_spin(&p); /* the test pushes DATA out here */
    emit_li(&p, T3, 7);
    emit(&p, SC_D(T4, S0, T3)); /* page wait; then it must succeed */
    emit(&p, LD(T5, S0, 0));
    /* exit code: t4 (0: stored) + 10 * (t5 != 7) + 100 * (t1 != 5) */
    emit(&p, ADDI(A0, T4, 0));
    emit(&p, ADDI(T5, T5, -7));
    emit(&p, BEQ(T5, ZERO, 8));
    emit(&p, ADDI(A0, A0, 10));
    emit(&p, ADDI(T1, T1, -5));
    emit(&p, BEQ(T1, ZERO, 8));
    emit(&p, ADDI(A0, A0, 100));
    emit_exit(&p);
    load(a, &p);
    ipl(a);
    run_to_mark(a, tlb);
    uint64_t pn = DATA >> 12;
    push_out(a, &pn, 1);
    assert_int_equal(wait_then_finish(a, b, tlb), 0);
    uint64_t v = 0;
    assert_int_equal(stor_read(vm_stor(a), DATA, &v, sizeof v), 0);
    assert_int_equal(v, 7);
    vm_destroy(a);
    vm_destroy(b);
    rv_tlb_destroy(tlb);
}

/* DIAG 0x058 WRITE LINE of a buffer that is out: nothing is written while
 * the page is read; then the line, once. */
static void
test_diag_console_buffer_out(void **state)
{
    (void)state;
    struct rv_tlb *tlb = rv_tlb_create();
    struct vm *b = counter(tlb);
    struct vmfix *f = vmfix_create(4u << 20);
    assert_non_null(f);
    struct vm *a = f->vm;
    struct prog p;
    prog_init(&p, CODE_AT);
    emit_li(&p, S0, DATA + 100);
    static const char msg[] = MSG;
    for (unsigned i = 0; i < sizeof msg - 1; i++) {
        emit_li(&p, T0, (uint8_t)msg[i]);
        emit(&p, SB(T0, S0, (int32_t)i));
    }
    emit_mark_spin(&p);
    emit_li(&p, A0, DIAG_CON_WRITE_LINE);
    emit(&p, ADDI(A1, S0, 0));
    emit_li(&p, A2, sizeof msg - 1);
    emit_li(&p, A6, DIAG_CONSOLE);
    emit_li(&p, A7, DIAG_EID);
    emit(&p, ECALL());
    emit_exit(&p); /* with the DIAG's error code in a0 */
    load(a, &p);
    ipl(a);
    run_to_mark(a, tlb);
    uint64_t pn = DATA >> 12;
    push_out(a, &pn, 1);
    f->con->out_len = 0;
    unsigned writes = f->con->writes;
    assert_int_equal(wait_then_finish(a, b, tlb), 0);
    assert_int_equal(f->con->writes - writes, 1);
    assert_int_equal(f->con->out_len, sizeof msg); /* and its '\n' */
    assert_memory_equal(f->con->out, MSG "\n", sizeof msg);
    vmfix_destroy(f);
    vm_destroy(b);
    rv_tlb_destroy(tlb);
}

/* DIAG 0x058 READ into a buffer that is out: the queued line is not taken
 * until the page is in, then lands whole; the guest echoes it. */
static void
test_diag_console_read_buffer_out(void **state)
{
    (void)state;
    struct rv_tlb *tlb = rv_tlb_create();
    struct vm *b = counter(tlb);
    struct vmfix *f = vmfix_create(4u << 20);
    assert_non_null(f);
    struct vm *a = f->vm;
    struct prog p;
    prog_init(&p, CODE_AT);
    emit_li(&p, S0, DATA + 200);
    emit_li(&p, T0, 0x2a);
    emit(&p, SD(T0, S0, 0)); /* the buffer's page has data to go out with */
    emit_mark_spin(&p);
    emit_li(&p, A0, DIAG_CON_READ);
    emit(&p, ADDI(A1, S0, 0));
    emit_li(&p, A2, 100);
    emit_li(&p, A3, 0);
    emit_li(&p, A6, DIAG_CONSOLE);
    emit_li(&p, A7, DIAG_EID);
    emit(&p, ECALL());
    emit(&p, ADDI(S4, A0, 0)); /* the READ's error */
    emit(&p, ADDI(A2, A1, 0)); /* its length */
    emit_li(&p, A0, DIAG_CON_WRITE_LINE);
    emit(&p, ADDI(A1, S0, 0));
    emit_li(&p, A6, DIAG_CONSOLE);
    emit_li(&p, A7, DIAG_EID);
    emit(&p, ECALL());
    emit(&p, ADD(A0, A0, S4));
    emit_exit(&p);
    load(a, &p);
    ipl(a);
    run_to_mark(a, tlb);
    uint64_t pn = DATA >> 12;
    push_out(a, &pn, 1);
    fake_console_push(f->con, MSG);
    f->con->out_len = 0;
    assert_int_equal(wait_then_finish(a, b, tlb), 0);
    assert_int_equal(f->con->count, 0); /* taken, once */
    assert_int_equal(f->con->out_len, sizeof MSG);
    assert_memory_equal(f->con->out, MSG "\n", sizeof MSG);
    vmfix_destroy(f);
    vm_destroy(b);
    rv_tlb_destroy(tlb);
}

/* DIAG 0x250 READ of blocks 3 and 4 of disk 191 into a buffer whose two
 * pages are out: the transfer waits whole, then lands over the data. */
static void
test_diag_disk_read_buffer_out(void **state)
{
    (void)state;
    struct rv_tlb *tlb = rv_tlb_create();
    struct vm *b = counter(tlb);
    struct vmfix *f = vmfix_create(4u << 20);
    assert_non_null(f);
    struct vm *a = f->vm;
    struct prog p;
    prog_init(&p, CODE_AT);
    /* the buffer's pages hold data first (so they have something to go
     * out with) */
    emit_li(&p, S0, BUF2);
    emit_li(&p, T0, 0x1234);
    emit(&p, SD(T0, S0, 0));
    emit_li(&p, S1, BUF2 + 4096);
    emit(&p, SD(T0, S1, 0));
    emit_mark_spin(&p);
    emit_li(&p, A0, DIAG_BIO_READ);
    emit_li(&p, A1, 0x191);
    emit_li(&p, A2, 3);
    emit(&p, ADDI(A3, S0, 0));
    emit_li(&p, A4, 2);
    emit_li(&p, A6, DIAG_BLOCK_IO);
    emit_li(&p, A7, DIAG_EID);
    emit(&p, ECALL());
    emit_exit(&p);
    load(a, &p);
    ipl(a);
    run_to_mark(a, tlb);
    uint64_t pn[2] = {BUF2 >> 12, (BUF2 >> 12) + 1};
    push_out(a, pn, 2);
    assert_int_equal(wait_then_finish(a, b, tlb), 0);
    static uint8_t got[2 * 4096];
    assert_int_equal(stor_read(vm_stor(a), BUF2, got, sizeof got), 0);
    for (unsigned i = 0; i < sizeof got; i++) {
        if (got[i] != (uint8_t)(0xD0 ^ (3 + i / 4096))) {
            fail_msg("byte %u: %#x", i, got[i]);
        }
    }
    vmfix_destroy(f);
    vm_destroy(b);
    rv_tlb_destroy(tlb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_code_pages_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sc_page_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_console_buffer_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_console_read_buffer_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_disk_read_buffer_out, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
