// SPDX-License-Identifier: MIT
/*
 * tests/test_pagewait.c - page wait (cp/paging.h paging_read_async, the
 * RV_STOP_PAGE_WAIT hook of cp/rv_mem.c, vm_run): with a tiny real-storage
 * limit, a VM that touches a page that is out stops at once and its page is
 * read on a pager thread; while that read is held back (a test hook), the
 * one thread that runs both VMs keeps running the other VM, and the waiting
 * VM does not run at all; once reads go on, the VM finishes with every
 * page's data intact, the page-ins counted as done on pager threads and
 * each one announced through vm_cp_ops.page_ready; a VM destroyed while
 * its read is held back waits for it.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/paging.h"
#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/vm.h"
#include "test_pagegate.h"
#include "test_rv_enc.h"
#include "vmrv/diag.h"

#define LIMIT 64 /* pages */
#define NPAGES (4 * LIMIT)
#define CODE_AT 0x4000u
#define BASE 0x100000u

static char pg_file[512];

static atomic_uint ready_calls;

static void
page_ready(void *ctx, struct vm *vm)
{
    (void)ctx;
    (void)vm;
    atomic_fetch_add(&ready_calls, 1);
}

static void
start_paging(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(pg_file, sizeof pg_file, "%s/vmrv-pagewait-XXXXXX", tmp ? tmp : "/tmp");
    int fd = mkstemp(pg_file);
    assert_true(fd >= 0);
    close(fd);
    struct paging_config cfg = {.real_bytes = LIMIT * 4096ull,
                                .path = pg_file,
                                .file_bytes = 4 * NPAGES * 4096ull};
    char err[200] = "";
    assert_int_equal(paging_start(&cfg, err, sizeof err), 0);
}

static void
emit_exit(struct prog *p)
{
    emit_li(p, A6, DIAG_TEST_EXIT);
    emit_li(p, A7, DIAG_EID);
    emit(p, ECALL());
}

static struct vm *
vm_with(struct prog *p, const char *userid)
{
    struct vm *vm = vm_create(4u << 20, userid);
    assert_non_null(vm);
    assert_int_equal(stor_write(vm_stor(vm), p->base, p->buf, p->len), 0);
    char err[200] = "";
    assert_int_equal(vm_ipl_start(vm, CODE_AT, "TEST", 0, 0, NULL, err, sizeof err), 0);
    return vm;
}

/* Writes page k's number into NPAGES pages, reads them back and exits with
 * the count of pages that came back wrong. */
static struct vm *
toucher(void)
{
    struct prog p;
    prog_init(&p, CODE_AT);
    emit_li(&p, S0, BASE);
    emit_li(&p, S1, NPAGES);
    emit_li(&p, T2, 4096);
    emit_li(&p, T0, 0);
    emit(&p, ADDI(T1, S0, 0));
    uint32_t loop1 = p.len;
    emit(&p, SD(T0, T1, 0));
    emit(&p, SD(T0, T1, 8));
    emit(&p, ADDI(T0, T0, 1));
    emit(&p, ADD(T1, T1, T2));
    emit(&p, BLT(T0, S1, (int32_t)(loop1 - p.len)));
    emit_li(&p, T0, 0);
    emit_li(&p, A0, 0);
    emit(&p, ADDI(T1, S0, 0));
    uint32_t loop2 = p.len;
    emit(&p, LD(T3, T1, 8));
    emit(&p, BEQ(T3, T0, 8));
    emit(&p, ADDI(A0, A0, 1));
    emit(&p, ADDI(T0, T0, 1));
    emit(&p, ADD(T1, T1, T2));
    emit(&p, BLT(T0, S1, (int32_t)(loop2 - p.len)));
    emit_exit(&p);
    return vm_with(&p, "TOUCHER");
}

/* Counts for ever, in registers only. */
static struct vm *
counter(void)
{
    struct prog p;
    prog_init(&p, CODE_AT);
    emit(&p, ADDI(T0, T0, 1));
    emit(&p, JAL(ZERO, -4));
    return vm_with(&p, "COUNTER");
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
test_page_wait_frees_the_thread(void **state)
{
    (void)state;
    start_paging();
    paging_set_read_hook(pagegate_hook, NULL);
    gate(true);
    struct rv_tlb *tlb = rv_tlb_create();
    assert_non_null(tlb);
    struct vm *a = toucher();
    struct vm *b = counter();
    /* B's code is translated (so never stolen) before A makes pressure:
     * a fetch from a page that is out waits too */
    assert_int_equal(vm_run(b, tlb, 100).state, VM_RUNNING);
    struct vm_cp_ops ops = {.page_ready = page_ready};
    vm_set_cp_ops(a, &ops);
    atomic_store(&ready_calls, 0);
    struct paging_stats s0;
    paging_stats(&s0);

    /* A runs until it touches a page that is out. */
    struct vm_status st = {0};
    for (int i = 0; i < 10000 && !st.page_wait; i++) {
        st = vm_run(a, tlb, 5000);
        if (st.state == VM_DISABLED_WAIT) {
            uint64_t c = 0, e = 0, tv = 0;
            rv_csr_read(vm_cpu(a), 0x142, &c);
            rv_csr_read(vm_cpu(a), 0x141, &e);
            rv_csr_read(vm_cpu(a), 0x143, &tv);
            print_error("disabled wait: %s (i=%d scause %llx sepc %llx stval %llx)\n", st.reason, i,
                        (unsigned long long)c, (unsigned long long)e, (unsigned long long)tv);
        }
        assert_int_not_equal(st.state, VM_HALTED);
        assert_int_not_equal(st.state, VM_DISABLED_WAIT);
    }
    assert_true(st.page_wait);
    assert_int_equal(st.state, VM_SERVICE_WAIT);
    assert_true(st.wake_time != UINT64_MAX);
    for (int i = 0; i < 2000 && gate_calls() == 0; i++) {
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    assert_true(gate_calls() >= 1); /* the read is on a pager thread, held */

    /* The same thread runs B meanwhile; A does not run. */
    uint64_t a0 = vm_instret(a), b0 = vm_instret(b);
    for (int i = 0; i < 50; i++) {
        st = vm_run(a, tlb, 5000);
        assert_true(st.page_wait);
        st = vm_run(b, tlb, 5000);
        assert_int_equal(st.state, VM_RUNNING);
    }
    assert_int_equal(vm_instret(a), a0);
    assert_true(vm_instret(b) - b0 >= 50 * 4000);

    /* Reads go on: A finishes with its data intact. */
    gate(false);
    unsigned waits = 0;
    for (int i = 0; i < 2000000; i++) {
        st = vm_run(a, tlb, 5000);
        if (st.state == VM_HALTED) {
            break;
        }
        if (st.page_wait) {
            waits++;
            vm_run(b, tlb, 200); /* what a dispatcher does meanwhile */
        }
    }
    assert_int_equal(st.state, VM_HALTED);
    assert_int_equal(st.halt, VM_HALT_EXIT);
    assert_int_equal(st.code, 0);
    struct paging_stats s1;
    paging_stats(&s1);
    assert_true(waits >= 1);
    /* every read told whoever runs A (the last may still be on its way) */
    assert_true(atomic_load(&ready_calls) + 1 >= s1.async_reads - s0.async_reads);
    assert_true(atomic_load(&ready_calls) >= 1);
    assert_true(s1.async_reads + s1.read_ahead - s0.async_reads - s0.read_ahead >=
                NPAGES - 2 * LIMIT);
    assert_true(s1.page_ins - s0.page_ins >=
                s1.async_reads + s1.read_ahead - s0.async_reads - s0.read_ahead);
    assert_true(s1.page_outs - s0.page_outs >= NPAGES - LIMIT);
    assert_int_equal(s1.io_errors, s0.io_errors);

    paging_set_read_hook(NULL, NULL);
    vm_destroy(a);
    vm_destroy(b);
    rv_tlb_destroy(tlb);
    paging_stop();
    assert_int_equal(access(pg_file, F_OK), -1);
}

static void *
opener(void *arg)
{
    (void)arg;
    nanosleep(&(struct timespec){0, 20000000}, NULL);
    gate(false);
    return NULL;
}

/* A VM destroyed while its page is being read waits for the read. */
static void
test_destroy_while_reading(void **state)
{
    (void)state;
    start_paging();
    paging_set_read_hook(pagegate_hook, NULL);
    gate(true);
    pthread_mutex_lock(&g_lock);
    g_calls = 0;
    pthread_mutex_unlock(&g_lock);
    struct rv_tlb *tlb = rv_tlb_create();
    struct vm *a = toucher();
    struct vm_status st = {0};
    for (int i = 0; i < 10000 && !st.page_wait; i++) {
        st = vm_run(a, tlb, 5000);
    }
    assert_true(st.page_wait);
    for (int i = 0; i < 2000 && gate_calls() == 0; i++) {
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, opener, NULL), 0);
    vm_destroy(a); /* waits for the read: never frees the stor under it */
    pthread_join(t, NULL);
    paging_set_read_hook(NULL, NULL);
    rv_tlb_destroy(tlb);
    paging_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_page_wait_frees_the_thread, teardown),
        cmocka_unit_test_teardown(test_destroy_while_reading, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
