// SPDX-License-Identifier: MIT
/*
 * tests/test_rv_trap.c - traps, interrupts and stops of the virtual CPU:
 * exceptions reflected to stvec with their CSR values, ecall from U-mode
 * and from S-mode (the hook's results), wfi and disabled waits, the timer,
 * interrupt priority, budget and kicks from another thread.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "test_rv_harness.h"

#define USER 0x2000u
#define INTR (1ull << 63)
#define SPP 0x100
#define SPIE 0x20
#define SSIE_BIT 0x2

/* Emits: enter U-mode at upc (SPP = 0, sepc = upc, sret). */
static void
emit_to_user(struct prog *p, uint64_t upc)
{
    emit_li(p, T0, upc);
    emit(p, CSRW(SEPC, T0));
    emit_li(p, T0, SPP);
    emit(p, CSRRC(0, SSTATUS, T0));
    emit(p, SRET());
}

static void
put(struct h *h, struct prog *p)
{
    assert_int_equal(stor_write(h->st, p->base, p->buf, p->len), 0);
}

/* Runs to the exit handler's exit; returns scause (a0). */
static uint64_t
run_to_trap_exit(struct h *h)
{
    h_exit_handler(h);
    h_load(h);
    enum rv_stop why;
    do {
        why = h_run(h, 1000000);
    } while (why == RV_STOP_KICK);
    if (why == RV_STOP_DISABLED_WAIT) {
        print_error("disabled wait: %s\n", rv_cpu_stop_text(h->cpu));
    }
    assert_int_equal(why, RV_STOP_HALT);
    return rv_reg_get(h->cpu, A0);
}

static void
test_ecall_from_user(void **state)
{
    struct h *h = *state;
    emit_to_user(&h->p, USER);
    struct prog u;
    prog_init(&u, USER);
    emit(&u, ADDI(A7, ZERO, 5));
    uint64_t at = emit(&u, ECALL());
    put(h, &u);
    assert_int_equal(run_to_trap_exit(h), 8);
    assert_int_equal(rv_reg_get(h->cpu, A1), 0);
    assert_int_equal(rv_reg_get(h->cpu, A2), at);
    assert_int_equal(h->ecalls, 0); /* never seen by CP's hook */
    uint64_t s = h_csr(h, SSTATUS);
    assert_int_equal(s & SPP, 0);
    struct rv_stats st;
    rv_cpu_stats(h->cpu, &st);
    assert_int_equal(st.exceptions[8], 1);
    assert_int_equal(st.exceptions[9], 0);
}

static void
test_ecall_hook_results(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    uint64_t e1 = emit(p, ECALL());
    uint64_t e2 = emit(p, ECALL());
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    h_load(h);
    h->ecall_result = RV_HCALL_YIELD;
    assert_int_equal(h_run(h, 1000), RV_STOP_KICK);
    assert_int_equal(rv_pc_get(h->cpu), e1 + 4);
    assert_int_equal(rv_reg_get(h->cpu, A1), 0x1234);
    h->ecall_result = RV_HCALL_WAIT;
    assert_int_equal(h_run(h, 1000), RV_STOP_WAIT);
    assert_int_equal(rv_pc_get(h->cpu), e2);
    assert_int_equal(h_instret(h), 1);
    h->ecall_result = RV_HCALL_STOP;
    assert_int_equal(h_run(h, 1000), RV_STOP_HALT);
    assert_int_equal(rv_pc_get(h->cpu), e2 + 4);
    h->ecall_result = RV_HCALL_CONTINUE;
    assert_int_equal(h_run(h, 1000), RV_STOP_HALT);
    assert_true(h->exited);
    assert_int_equal(h->ecalls, 3);
    assert_int_equal(h_csr(h, SCAUSE), 0); /* scause 9 never reaches the guest */
    assert_int_equal(h->traps, 0);
}

static void
test_illegal_mret(void **state)
{
    struct h *h = *state;
    uint64_t at = emit(&h->p, MRET());
    assert_int_equal(run_to_trap_exit(h), 2);
    assert_int_equal(rv_reg_get(h->cpu, A1), MRET());
    assert_int_equal(rv_reg_get(h->cpu, A2), at);
    assert_int_equal(h_csr(h, SSTATUS) & SPP, SPP);
}

static void
test_illegal_mcsr(void **state)
{
    struct h *h = *state;
    emit(&h->p, CSRR(A0, MSTATUS));
    assert_int_equal(run_to_trap_exit(h), 2);
    assert_int_equal(rv_reg_get(h->cpu, A1), CSRR(A0, MSTATUS));
}

static void
test_illegal_write_readonly(void **state)
{
    struct h *h = *state;
    emit(&h->p, CSRW(CYCLE, A0));
    assert_int_equal(run_to_trap_exit(h), 2);
}

static void
test_illegal_compressed(void **state)
{
    struct h *h = *state;
    uint64_t at = emit16(&h->p, 0x4012); /* c.lwsp x0: reserved */
    assert_int_equal(run_to_trap_exit(h), 2);
    assert_int_equal(rv_reg_get(h->cpu, A1), 0x4012);
    assert_int_equal(rv_reg_get(h->cpu, A2), at);
}

static void
test_ebreak(void **state)
{
    struct h *h = *state;
    emit(&h->p, NOP());
    uint64_t at = emit(&h->p, EBREAK());
    assert_int_equal(run_to_trap_exit(h), 3);
    assert_int_equal(rv_reg_get(h->cpu, A2), at);
}

static void
test_user_csr_and_counters(void **state)
{
    struct h *h = *state;
    emit_to_user(&h->p, USER);
    struct prog u;
    prog_init(&u, USER);
    emit(&u, CSRR(A3, CYCLE)); /* scounteren = 0: illegal */
    put(h, &u);
    assert_int_equal(run_to_trap_exit(h), 2);
    assert_int_equal(rv_reg_get(h->cpu, A2), USER);
}

static void
test_user_counters_allowed(void **state)
{
    struct h *h = *state;
    emit(&h->p, CSRRWI(0, SCOUNTEREN, 7));
    emit_to_user(&h->p, USER);
    struct prog u;
    prog_init(&u, USER);
    emit(&u, CSRR(A3, TIME));
    emit(&u, CSRR(A4, INSTRET));
    emit(&u, CSRR(A5, SSTATUS)); /* S-mode CSR from U: illegal */
    put(h, &u);
    h->now = 4242;
    assert_int_equal(run_to_trap_exit(h), 2);
    assert_int_equal(rv_reg_get(h->cpu, A2), USER + 8);
    assert_int_equal(rv_reg_get(h->cpu, A3), 4242);
    assert_true(rv_reg_get(h->cpu, A4) > 5);
}

static void
test_sret_and_status_bits(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    /* SIE on (no interrupt enabled in sie), trap, check, sret back to S. */
    emit(p, CSRRSI(0, SSTATUS, 2));
    uint64_t at = emit(p, EBREAK());
    emit(p, CSRR(S3, SSTATUS)); /* after sret */
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    struct prog v;
    prog_init(&v, VEC);
    emit(&v, CSRR(S2, SSTATUS));
    emit(&v, CSRR(T0, SEPC));
    emit(&v, ADDI(T0, T0, 4));
    emit(&v, CSRW(SEPC, T0));
    emit(&v, SRET());
    put(h, &v);
    assert_int_equal(rv_csr_write(h->cpu, STVEC, VEC), 0);
    h_run_to_exit(h);
    uint64_t in_trap = rv_reg_get(h->cpu, S2), after = rv_reg_get(h->cpu, S3);
    assert_int_equal(in_trap & (SPP | SPIE | 2), SPP | SPIE);
    assert_int_equal(after & (SPP | SPIE | 2), SPIE | 2);
    assert_int_equal(rv_priv_get(h->cpu), RV_PRIV_S);
    assert_int_equal(h_csr(h, SEPC), at + 4);
}

static void
test_wfi_user_illegal(void **state)
{
    struct h *h = *state;
    emit_to_user(&h->p, USER);
    struct prog u;
    prog_init(&u, USER);
    emit(&u, WFI());
    put(h, &u);
    assert_int_equal(run_to_trap_exit(h), 2);
    assert_int_equal(rv_reg_get(h->cpu, A1), WFI());
}

static void
test_wfi_disabled_wait(void **state)
{
    struct h *h = *state;
    uint64_t at = emit(&h->p, WFI());
    h_load(h);
    assert_int_equal(h_run(h, 1000), RV_STOP_DISABLED_WAIT);
    assert_non_null(strstr(rv_cpu_stop_text(h->cpu), "wfi"));
    assert_int_equal(rv_pc_get(h->cpu), at);
}

static void
test_wfi_pending_continues(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit(p, CSRRSI(0, SIE, SSIE_BIT));
    emit(p, CSRRSI(0, SIP, SSIE_BIT));
    emit(p, WFI()); /* SSIP pending and enabled: goes on although SIE = 0 */
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    h_run_to_exit(h);
}

static void
test_wfi_stop_and_timer_wake(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, T0, RV_IRQ_STIP);
    emit(p, CSRRS(0, SIE, T0));
    emit(p, CSRRSI(0, SSTATUS, 2));
    uint64_t at = emit(p, WFI());
    emit(p, JAL(0, 0));
    h_exit_handler(h);
    h_load(h);
    h->now = 10;
    rv_cpu_set_timecmp(h->cpu, 500);
    assert_int_equal(h_run(h, 1000), RV_STOP_WFI);
    assert_int_equal(rv_pc_get(h->cpu), at + 4);
    assert_int_equal(rv_cpu_wake_time(h->cpu), 500);
    h->now = 499;
    assert_int_equal(h_run(h, 0), RV_STOP_BUDGET); /* not yet */
    assert_int_equal(rv_pc_get(h->cpu), at + 4);
    h->now = 500;
    assert_int_equal(h_run(h, 1000), RV_STOP_HALT);
    assert_int_equal(rv_reg_get(h->cpu, A0), INTR | 5);
    assert_int_equal(rv_reg_get(h->cpu, A2), at + 4);
}

static void
test_wfi_seip_wake(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, T0, RV_IRQ_SEIP);
    emit(p, CSRRS(0, SIE, T0));
    uint64_t at = emit(p, WFI());
    emit(p, CSRR(A0, SIP)); /* SIE off: no interrupt, wfi just ends */
    emit_exit(p);
    h_load(h);
    assert_int_equal(h_run(h, 1000), RV_STOP_WFI);
    assert_int_equal(rv_cpu_wake_time(h->cpu), UINT64_MAX);
    assert_int_equal(rv_pc_get(h->cpu), at + 4);
    rv_cpu_set_seip(h->cpu, true);
    assert_int_equal(h_run(h, 1000), RV_STOP_KICK); /* set_seip kicks */
    assert_int_equal(h_run(h, 1000), RV_STOP_HALT);
    assert_int_equal(h->exit_code, RV_IRQ_SEIP);
}

static void
test_timer_interrupt_vectored(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, T0, RV_IRQ_STIP);
    emit(p, CSRRS(0, SIE, T0));
    emit(p, CSRRSI(0, SSTATUS, 2));
    uint64_t loop = emit(p, ADDI(S2, S2, 1));
    emit(p, JAL(0, -4));
    h_exit_handler(h);
    /* vectored: STI (5) lands at base + 20 = VEC */
    assert_int_equal(rv_csr_write(h->cpu, STVEC, (VEC - 20) | 1), 0);
    h_load(h);
    rv_cpu_set_timecmp(h->cpu, 100);
    h->now = 50;
    assert_int_equal(h_run(h, 5000), RV_STOP_BUDGET);
    h->now = 100;
    assert_int_equal(h_run(h, 1000000), RV_STOP_HALT);
    assert_int_equal(rv_reg_get(h->cpu, A0), INTR | 5);
    uint64_t epc = rv_reg_get(h->cpu, A2);
    assert_true(epc == loop || epc == loop + 4);
    struct rv_stats st;
    rv_cpu_stats(h->cpu, &st);
    assert_int_equal(st.interrupts[5], 1);
}

static enum rv_hcall
prio_ecall(void *ctx, struct rv_cpu *cpu)
{
    if (rv_reg_get(cpu, A7) == 0x99) {
        rv_cpu_set_seip(cpu, false);
        return RV_HCALL_CONTINUE;
    }
    if (rv_reg_get(cpu, A7) == 0x98) {
        rv_cpu_set_timecmp(cpu, UINT64_MAX);
        return RV_HCALL_CONTINUE;
    }
    return h_ecall(ctx, cpu);
}

static void
test_interrupt_priority(void **state)
{
    struct h *h = *state;
    struct rv_hooks hooks = {.ctx = h, .ecall = prio_ecall, .time_now = h_time};
    rv_cpu_destroy(h->cpu);
    h->cpu = rv_cpu_create(h->st, &hooks);
    assert_non_null(h->cpu);
    rv_cpu_reset(h->cpu, CODE);

    struct prog *p = &h->p;
    emit_li(p, S2, DATA);
    emit_li(p, S3, DATA + 24);
    emit_li(p, T0, RV_IRQ_SSIP | RV_IRQ_STIP | RV_IRQ_SEIP);
    emit(p, CSRW(SIE, T0));
    emit(p, CSRRSI(0, SIP, SSIE_BIT));
    emit(p, CSRRSI(0, SSTATUS, 2)); /* all three pending now */
    uint64_t loop = emit(p, BNE(S2, S3, 0));
    prog_patch(p, loop, BNE(S2, S3, 0));
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);

    struct prog v;
    prog_init(&v, VEC);
    emit(&v, CSRR(T0, SCAUSE));
    emit(&v, SD(T0, S2, 0));
    emit(&v, ADDI(S2, S2, 8));
    emit(&v, SLLI(T0, T0, 1)); /* drop the interrupt bit */
    emit(&v, SRLI(T0, T0, 1));
    emit(&v, ADDI(T1, ZERO, 9));
    emit(&v, BNE(T0, T1, 12));
    emit(&v, ADDI(A7, ZERO, 0x99));
    emit(&v, ECALL());
    emit(&v, ADDI(T1, ZERO, 1));
    emit(&v, BNE(T0, T1, 8));
    emit(&v, CSRRCI(0, SIP, SSIE_BIT));
    emit(&v, ADDI(T1, ZERO, 5));
    emit(&v, BNE(T0, T1, 12));
    emit(&v, ADDI(A7, ZERO, 0x98));
    emit(&v, ECALL());
    emit(&v, SRET());
    put(h, &v);
    assert_int_equal(rv_csr_write(h->cpu, STVEC, VEC), 0);
    rv_cpu_set_seip(h->cpu, true);
    rv_cpu_set_timecmp(h->cpu, 0);
    h_load(h);
    enum rv_stop why;
    int kicks = 0;
    while ((why = h_run(h, 100000)) == RV_STOP_KICK) {
        kicks++;
    }
    assert_int_equal(why, RV_STOP_HALT);
    assert_true(kicks <= 3);
    assert_int_equal(h_load64(h, DATA), INTR | 9);
    assert_int_equal(h_load64(h, DATA + 8), INTR | 1);
    assert_int_equal(h_load64(h, DATA + 16), INTR | 5);
}

static void
test_user_interrupt_ignores_sie_bit(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit(p, CSRRSI(0, SIE, SSIE_BIT));
    emit(p, CSRRSI(0, SIP, SSIE_BIT)); /* pending, but SIE = 0 in S-mode */
    emit_to_user(p, USER);
    struct prog u;
    prog_init(&u, USER);
    emit(&u, JAL(0, 0));
    put(h, &u);
    assert_int_equal(run_to_trap_exit(h), INTR | 1);
    assert_int_equal(rv_reg_get(h->cpu, A2), USER);
    assert_int_equal(h_csr(h, SSTATUS) & SPP, 0);
}

static void
test_disabled_wait_vector_fault(void **state)
{
    struct h *h = *state;
    emit(&h->p, EBREAK());
    h_load(h);
    assert_int_equal(rv_csr_write(h->cpu, STVEC, STORAGE + 0x1000), 0);
    assert_int_equal(h_run(h, 1000), RV_STOP_DISABLED_WAIT);
    assert_non_null(strstr(rv_cpu_stop_text(h->cpu), "trap vector"));
}

static void
test_disabled_wait_interrupt_into_bad_vector(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit(p, CSRRSI(0, SIE, SSIE_BIT));
    emit(p, CSRRSI(0, SSTATUS, 2));
    emit(p, CSRRSI(0, SIP, SSIE_BIT)); /* taken at once: stvec is beyond storage */
    emit(p, JAL(0, 0));
    h_load(h);
    assert_int_equal(rv_csr_write(h->cpu, STVEC, STORAGE | 1), 0);
    assert_int_equal(h_run(h, 100000), RV_STOP_DISABLED_WAIT);
    assert_non_null(strstr(rv_cpu_stop_text(h->cpu), "trap vector"));
}

static void
test_disabled_wait_trap_loop(void **state)
{
    struct h *h = *state;
    emit(&h->p, EBREAK());
    h_load(h);
    /* stvec -> zeros: an illegal instruction that traps to itself */
    assert_int_equal(rv_csr_write(h->cpu, STVEC, 0x9000), 0);
    assert_int_equal(h_run(h, 1000000), RV_STOP_DISABLED_WAIT);
    assert_non_null(strstr(rv_cpu_stop_text(h->cpu), "trap loop"));
    assert_true(h->traps <= 3);
}

static void
test_instret_on_trap_mid_block(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, S0, STORAGE); /* lui: 1 instruction */
    emit(p, ADDI(T0, T0, 1));
    emit(p, ADDI(T0, T0, 1));
    emit(p, LD(T1, S0, 0)); /* access fault, mid-block */
    emit(p, ADDI(T0, T0, 1));
    emit(p, ADDI(T0, T0, 1));
    assert_int_equal(run_to_trap_exit(h), 5);
    assert_int_equal(rv_reg_get(h->cpu, A1), STORAGE);
    assert_int_equal(rv_reg_get(h->cpu, T0), 2);
    /* 3 before the fault + handler: 3 csrr, 2+2 li, ecall */
    assert_int_equal(h_instret(h), 3 + 8);
}

static void
test_budget(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    uint64_t top = prog_pc(p);
    for (int i = 0; i < 20; i++) {
        emit(p, ADDI(T0, T0, 1));
    }
    uint64_t j = emit(p, JAL(0, 0));
    prog_patch(p, j, JAL(0, rel(j, top)));
    h_load(h);
    for (uint64_t budget = 1; budget < 200; budget += 37) {
        uint64_t before = h_instret(h);
        assert_int_equal(h_run(h, budget), RV_STOP_BUDGET);
        uint64_t ran = h_instret(h) - before;
        assert_true(ran >= budget);
        assert_true(ran < budget + 21); /* at most one block past */
    }
    assert_int_equal(h_run(h, 0), RV_STOP_BUDGET);
    uint64_t before = h_instret(h);
    assert_int_equal(h_run(h, 0), RV_STOP_BUDGET);
    assert_int_equal(h_instret(h), before);
}

struct kicker {
    struct rv_cpu *cpu;
    int delay_ms;
    bool seip;
};

static void *
kicker_main(void *arg)
{
    struct kicker *k = arg;
    struct timespec ts = {0, k->delay_ms * 1000000L};
    nanosleep(&ts, NULL);
    if (k->seip) {
        rv_cpu_set_seip(k->cpu, true);
    } else {
        rv_cpu_kick(k->cpu);
    }
    return NULL;
}

static void
test_kick_from_thread(void **state)
{
    struct h *h = *state;
    emit(&h->p, JAL(0, 0)); /* spin */
    h_load(h);
    /* On a loaded machine the kick may land before this thread even starts
     * the run (then it ends at once, as it should): try again then. */
    for (int tries = 0; tries < 10 && h_instret(h) == 0; tries++) {
        struct kicker k = {h->cpu, 20, false};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, kicker_main, &k), 0);
        assert_int_equal(h_run(h, UINT64_MAX), RV_STOP_KICK);
        pthread_join(t, NULL);
    }
    assert_true(h_instret(h) > 0);
    /* A kick while nothing runs ends the next run at once. */
    rv_cpu_kick(h->cpu);
    uint64_t before = h_instret(h);
    assert_int_equal(h_run(h, 1000), RV_STOP_KICK);
    assert_int_equal(h_instret(h), before);
    assert_int_equal(h_run(h, 1000), RV_STOP_BUDGET);
}

static void
test_seip_from_thread(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, T0, RV_IRQ_SEIP);
    emit(p, CSRRS(0, SIE, T0));
    emit(p, CSRRSI(0, SSTATUS, 2));
    emit(p, JAL(0, 0));
    h_exit_handler(h);
    h_load(h);
    struct kicker k = {h->cpu, 10, true};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, kicker_main, &k), 0);
    enum rv_stop why;
    while ((why = h_run(h, UINT64_MAX)) == RV_STOP_KICK) {
    }
    pthread_join(t, NULL);
    assert_int_equal(why, RV_STOP_HALT);
    assert_int_equal(rv_reg_get(h->cpu, A0), INTR | 9);
}

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_ecall_from_user),
        T(test_ecall_hook_results),
        T(test_illegal_mret),
        T(test_illegal_mcsr),
        T(test_illegal_write_readonly),
        T(test_illegal_compressed),
        T(test_ebreak),
        T(test_user_csr_and_counters),
        T(test_user_counters_allowed),
        T(test_sret_and_status_bits),
        T(test_wfi_user_illegal),
        T(test_wfi_disabled_wait),
        T(test_wfi_pending_continues),
        T(test_wfi_stop_and_timer_wake),
        T(test_wfi_seip_wake),
        T(test_timer_interrupt_vectored),
        T(test_interrupt_priority),
        T(test_user_interrupt_ignores_sie_bit),
        T(test_disabled_wait_vector_fault),
        T(test_disabled_wait_interrupt_into_bad_vector),
        T(test_disabled_wait_trap_loop),
        T(test_instret_on_trap_mid_block),
        T(test_budget),
        T(test_kick_from_thread),
        T(test_seip_from_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
