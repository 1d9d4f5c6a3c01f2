/* SPDX-License-Identifier: MIT */
/*
 * tests/test_rv_harness.h - the fixture shared by the CPU's cmocka tests
 * (tests/test_rv*.c): storage, a CPU with recording hooks, a TLB, and a
 * program buffer (tests/test_rv_enc.h) loaded at CODE.
 *
 * Hypercalls: a7 = DIAG_EID with a6 = DIAG_TEST_EXIT ends the run (HALT);
 * any other S-mode ecall is counted and answered with h->ecall_result
 * (a0 = 0, a1 = 0x1234).  The clock is fake (h->now) unless real_time.
 */
#ifndef TESTS_TEST_RV_HARNESS_H
#define TESTS_TEST_RV_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cp/rv.h"
#include "cp/stor.h"
#include "test_rv_enc.h"
#include "vmrv/diag.h"

#define STORAGE (1u << 20) /* 1 MiB: 256 pages */
#define CODE 0x1000u
#define DATA 0x8000u
#define VEC 0x4000u /* where tests put their trap handler */

struct h {
    struct stor *st;
    struct rv_cpu *cpu;
    struct rv_tlb *tlb;
    struct prog p;
    int ecalls;
    enum rv_hcall ecall_result;
    int exit_code;
    bool exited;
    uint64_t now;
    bool real_time;
    int traps;
    uint64_t trap_cause, trap_tval;
};

static inline enum rv_hcall
h_ecall(void *ctx, struct rv_cpu *cpu)
{
    struct h *h = ctx;
    if (rv_reg_get(cpu, A7) == DIAG_EID && rv_reg_get(cpu, A6) == DIAG_TEST_EXIT) {
        h->exit_code = (int)rv_reg_get(cpu, A0);
        h->exited = true;
        return RV_HCALL_STOP;
    }
    h->ecalls++;
    rv_reg_set(cpu, A0, 0);
    rv_reg_set(cpu, A1, 0x1234);
    return h->ecall_result;
}

static inline uint64_t
h_time(void *ctx)
{
    struct h *h = ctx;
    return h->now;
}

static inline void
h_trap(void *ctx, struct rv_cpu *cpu, uint64_t cause, uint64_t tval)
{
    struct h *h = ctx;
    h->traps++;
    h->trap_cause = cause;
    h->trap_tval = tval;
}

static inline struct h *
h_new_sized(uint64_t size)
{
    struct h *h = calloc(1, sizeof *h);
    assert_non_null(h);
    h->st = stor_create(size);
    assert_non_null(h->st);
    struct rv_hooks hooks = {.ctx = h, .ecall = h_ecall, .time_now = h_time, .trap_taken = h_trap};
    h->cpu = rv_cpu_create(h->st, &hooks);
    assert_non_null(h->cpu);
    h->tlb = rv_tlb_create();
    assert_non_null(h->tlb);
    prog_init(&h->p, CODE);
    rv_cpu_reset(h->cpu, CODE);
    return h;
}

static inline int
h_setup(void **state)
{
    *state = h_new_sized(STORAGE);
    return 0;
}

static inline int
h_teardown(void **state)
{
    struct h *h = *state;
    rv_tlb_destroy(h->tlb);
    rv_cpu_destroy(h->cpu);
    stor_destroy(h->st);
    free(h);
    return 0;
}

/* Copies the program into storage (through stor_write: invalidates). */
static inline void
h_load(struct h *h)
{
    assert_int_equal(stor_write(h->st, h->p.base, h->p.buf, h->p.len), 0);
}

/* Appends the test exit (a0 = code register already set by the program). */
static inline void
emit_exit(struct prog *p)
{
    emit_li(p, A6, DIAG_TEST_EXIT);
    emit_li(p, A7, DIAG_EID);
    emit(p, ECALL());
}

static inline enum rv_stop
h_run(struct h *h, uint64_t budget)
{
    return rv_cpu_run(h->cpu, h->tlb, budget);
}

/* Loads the program and runs it to its exit; asserts it halted. */
static inline void
h_run_to_exit(struct h *h)
{
    h_load(h);
    enum rv_stop why = h_run(h, 1000000);
    if (why == RV_STOP_DISABLED_WAIT) {
        print_error("disabled wait: %s\n", rv_cpu_stop_text(h->cpu));
    }
    assert_int_equal(why, RV_STOP_HALT);
    assert_true(h->exited);
}

static inline uint64_t
h_csr(struct h *h, unsigned csr)
{
    uint64_t v = 0;
    assert_int_equal(rv_csr_read(h->cpu, csr, &v), 0);
    return v;
}

static inline uint64_t
h_instret(struct h *h)
{
    return h_csr(h, INSTRET);
}

static inline uint64_t
h_load64(struct h *h, uint64_t gpa)
{
    uint64_t v = 0;
    assert_int_equal(stor_read(h->st, gpa, &v, 8), 0);
    return v;
}

/* A trap handler at VEC that ends the run with a0 = scause, a1 = stval,
 * a2 = sepc (through the test exit). */
static inline void
h_exit_handler(struct h *h)
{
    struct prog v;
    prog_init(&v, VEC);
    emit(&v, CSRR(A0, SCAUSE));
    emit(&v, CSRR(A1, STVAL));
    emit(&v, CSRR(A2, SEPC));
    emit_exit(&v);
    assert_int_equal(stor_write(h->st, v.base, v.buf, v.len), 0);
    assert_int_equal(rv_csr_write(h->cpu, STVEC, VEC), 0);
}

#endif /* TESTS_TEST_RV_HARNESS_H */
