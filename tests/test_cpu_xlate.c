// SPDX-License-Identifier: MIT
/*
 * tests/test_cpu_xlate.c - the translation cache under pressure: eviction
 * under the global cap (rv_xlate_cap_set), least recently used first, within
 * one CPU (CLOCK keeps the blocks a loop keeps entering) and across CPUs (an
 * idle CPU's translations go before the running one's own); and pages that
 * guest stores keep rewriting, which drop to plain interpretation and come
 * back, while CP's own writes (program loads) never send a page there.
 * Also the fused pairs of the translator (one op for two instructions):
 * every register they write, and exact instret and pc when the next
 * instruction traps.
 */
#include "config.h"

#include <pthread.h>

#include "test_rv_harness.h"

#define COLD 0x10000u /* NCOLD blocks of 8 bytes: addi a0,a0,1; ret */
#define NCOLD 2000
#define HOT 0x20000u /* addi a3,a3,1; ret */
#define BIG_CAP ((size_t)256 << 20)

/* main: calls each cold block once, and the hot one after each; exits with
 * a0 = cold calls * 1000 + hot calls. */
static void
build_cold_hot(struct h *h)
{
    struct prog *p = &h->p;
    emit_li(p, S0, COLD);
    emit_li(p, S1, NCOLD);
    emit_li(p, A0, 0);
    emit_li(p, A3, 0);
    uint64_t loop = emit(p, JALR(RA, S0, 0));
    emit_li(p, T0, HOT);
    emit(p, JALR(RA, T0, 0));
    emit(p, ADDI(S0, S0, 8));
    emit(p, ADDI(S1, S1, -1));
    uint64_t at = prog_pc(p);
    emit(p, BNE(S1, ZERO, rel(at, loop)));
    emit_li(p, T1, 1000);
    emit(p, MUL(A0, A0, T1));
    emit(p, ADD(A0, A0, A3));
    emit_exit(p);

    static struct prog cold;
    prog_init(&cold, COLD);
    for (int i = 0; i < NCOLD; i++) {
        emit(&cold, ADDI(A0, A0, 1));
        emit(&cold, JALR(ZERO, RA, 0));
    }
    assert_int_equal(stor_write(h->st, cold.base, cold.buf, cold.len), 0);
    struct prog hot;
    prog_init(&hot, HOT);
    emit(&hot, ADDI(A3, A3, 1));
    emit(&hot, JALR(ZERO, RA, 0));
    assert_int_equal(stor_write(h->st, hot.base, hot.buf, hot.len), 0);
}

static struct rv_stats
stats_of(struct h *h)
{
    struct rv_stats s;
    rv_cpu_stats(h->cpu, &s);
    return s;
}

static void
rerun(struct h *h)
{
    h->exited = false;
    rv_cpu_reset(h->cpu, CODE);
    assert_int_equal(h_run(h, 10000000), RV_STOP_HALT);
    assert_true(h->exited);
}

static int
cap_teardown(void **state)
{
    rv_xlate_cap_set(BIG_CAP);
    return h_teardown(state);
}

/* One CPU, a cap far below its code: it evicts, stays near the cap, and
 * CLOCK keeps the loop and the hot block (translated once each), so only
 * the blocks that run once are ever dropped. */
static void
test_evict_lru_one_cpu(void **state)
{
    struct h *h = *state;
    build_cold_hot(h);
    rv_xlate_cap_set(BIG_CAP);
    h_load(h);
    rerun(h);
    assert_int_equal(h->exit_code, NCOLD * 1000 + NCOLD);
    struct rv_stats s0 = stats_of(h);
    size_t all = rv_xlate_bytes();
    assert_true(all > 64 * 1024);
    assert_int_equal(s0.evictions, 0);

    /* The same program again from nothing translated, under a small cap. */
    size_t cap = 16 * 1024;
    rv_xlate_cap_set(cap);
    struct rv_stats a = stats_of(h);
    /* Drop every translation: CP rewrites all code with the same bytes. */
    h_load(h);
    static struct prog cold;
    prog_init(&cold, COLD);
    for (int i = 0; i < NCOLD; i++) {
        emit(&cold, ADDI(A0, A0, 1));
        emit(&cold, JALR(ZERO, RA, 0));
    }
    assert_int_equal(stor_write(h->st, cold.base, cold.buf, cold.len), 0);
    uint32_t hot[2] = {ADDI(A3, A3, 1), JALR(ZERO, RA, 0)};
    assert_int_equal(stor_write(h->st, HOT, hot, sizeof hot), 0);
    assert_int_equal(rv_xlate_bytes(), 0);

    rerun(h);
    assert_int_equal(h->exit_code, NCOLD * 1000 + NCOLD);
    struct rv_stats b = stats_of(h);
    uint64_t translated = b.blocks_translated - a.blocks_translated;
    print_message("one CPU: %llu blocks translated (%llu without a cap), %llu evicted, "
                  "%zu bytes under a cap of %zu\n", (unsigned long long)translated,
                  (unsigned long long)s0.blocks_translated, (unsigned long long)b.evictions,
                  rv_xlate_bytes(), cap);
    assert_true(b.evictions > NCOLD / 2);
    assert_true(rv_xlate_bytes() <= cap + 1024);
    /* Each cold block runs once: NCOLD translations at least.  LRU keeps
     * the blocks entered on every round: at most a handful are translated
     * twice (CLOCK's first sweep), where FIFO would redo them on every
     * turn of the ring (hundreds of times here). */
    assert_true(translated >= s0.blocks_translated);
    assert_true(translated <= s0.blocks_translated + 10);
}

/* Two CPUs: A runs and goes idle; B then needs room under a cap that
 * cannot hold both: A's translations go first, B evicts nothing of its
 * own; A still runs correctly afterwards and counts its evictions. */
static void
test_evict_lru_across_cpus(void **state)
{
    struct h *a = *state;
    struct h *b = h_new_sized(STORAGE);
    rv_xlate_cap_set(BIG_CAP);
    build_cold_hot(a);
    build_cold_hot(b);
    h_load(a);
    h_load(b);
    rerun(a);
    assert_int_equal(a->exit_code, NCOLD * 1000 + NCOLD);
    size_t bytes_a = rv_xlate_bytes();
    size_t foot_a = rv_cpu_footprint(a->cpu);
    uint64_t tr_a = stats_of(a).blocks_translated;

    size_t cap = bytes_a + bytes_a / 2;
    rv_xlate_cap_set(cap);
    rerun(b);
    assert_int_equal(b->exit_code, NCOLD * 1000 + NCOLD);
    struct rv_stats sb = stats_of(b);
    assert_int_equal(sb.evictions, 0);
    assert_int_equal(sb.blocks_translated, tr_a);
    assert_true(rv_xlate_bytes() <= cap + 1024);
    print_message("two CPUs: A's footprint %zu -> %zu bytes\n", foot_a,
                  rv_cpu_footprint(a->cpu));
    assert_true(rv_cpu_footprint(a->cpu) < foot_a / 2);

    /* A again: it finds what is left, tidies, translates the rest. */
    rerun(a);
    assert_int_equal(a->exit_code, NCOLD * 1000 + NCOLD);
    assert_true(stats_of(a).evictions > 0);
    assert_true(rv_xlate_bytes() <= cap + 1024);

    rv_tlb_destroy(b->tlb);
    rv_cpu_destroy(b->cpu);
    stor_destroy(b->st);
    free(b);
}

/* Two threads, each running its own CPU again and again under a cap that
 * holds less than one program's code: between runs each one's cache is
 * evicted by the other thread (never while it runs), and every run still
 * ends right.  Under the sanitizer build this also checks that no freed
 * block is reached through a jump cache or a chain. */
#define THREAD_RUNS 12

static void *
run_many(void *arg)
{
    struct h *h = arg;
    for (int i = 0; i < THREAD_RUNS; i++) {
        h->exited = false;
        rv_cpu_reset(h->cpu, CODE);
        if (h_run(h, 10000000) != RV_STOP_HALT || h->exit_code != NCOLD * 1000 + NCOLD) {
            return (void *)1;
        }
    }
    return NULL;
}

static void
test_evict_two_threads(void **state)
{
    struct h *a = *state;
    struct h *b = h_new_sized(STORAGE);
    build_cold_hot(a);
    build_cold_hot(b);
    h_load(a);
    h_load(b);
    rv_xlate_cap_set(64 * 1024);
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, run_many, a), 0);
    assert_int_equal(pthread_create(&tb, NULL, run_many, b), 0);
    void *ra, *rb;
    assert_int_equal(pthread_join(ta, &ra), 0);
    assert_int_equal(pthread_join(tb, &rb), 0);
    assert_null(ra);
    assert_null(rb);
    struct rv_stats sa = stats_of(a), sb = stats_of(b);
    assert_true(sa.evictions > 0 && sb.evictions > 0);
    rv_tlb_destroy(b->tlb);
    rv_cpu_destroy(b->cpu);
    stor_destroy(b->st);
    free(b);
}

/* A loop that rewrites the immediate of an addi next to it and calls it:
 * the page goes to interpretation after a few rounds (so invalidations
 * stop), the sums stay right, and stores into it no longer invalidate. */
#define NPATCH 3000

static void
build_smc(struct h *h)
{
    struct prog *p = &h->p;
    uint64_t patch_at = CODE + 0x800;
    emit_li(p, S0, patch_at);
    emit_li(p, S1, ADDI(A0, A0, 0));
    emit_li(p, A0, 0);
    emit_li(p, T0, 0);
    emit_li(p, T1, NPATCH);
    uint64_t loop = emit(p, ANDI(T2, T0, 0x7ff));
    emit(p, SLLI(T2, T2, 20));
    emit(p, OR(T3, S1, T2));
    emit(p, SW(T3, S0, 0));
    uint64_t at = prog_pc(p);
    emit(p, JAL(RA, rel(at, patch_at)));
    emit(p, ADDI(T0, T0, 1));
    at = prog_pc(p);
    emit(p, BLT(T0, T1, rel(at, loop)));
    emit_exit(p);
    assert_true(prog_pc(p) < patch_at);
    p->len = (uint32_t)(patch_at - p->base);
    emit(p, ADDI(A0, A0, 0));
    emit(p, JALR(ZERO, RA, 0));
}

static uint64_t
smc_expect(void)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < NPATCH; i++) {
        sum += i & 0x7ff;
    }
    return sum;
}

static void
test_smc_page_interpreted(void **state)
{
    struct h *h = *state;
    build_smc(h);
    h_load(h);
    assert_int_equal(h_run(h, 10000000), RV_STOP_HALT);
    assert_true(h->exited);
    assert_int_equal(rv_reg_get(h->cpu, A0), smc_expect());
    struct rv_stats s = stats_of(h);
    print_message("smc: %llu invalidations, %llu instructions interpreted\n",
                  (unsigned long long)s.invalidations, (unsigned long long)s.insns_interpreted);
    /* Without the fallback every round would kill the blocks: NPATCH
     * invalidations.  With it, a few before the page is interpreted. */
    assert_true(s.invalidations < 40);
    assert_true(s.insns_interpreted > (uint64_t)NPATCH * 5);
}

/* An interpreted page is translated again after RV_SMC_INSNS instructions:
 * a long run alternates, and the result stays right. */
static void
test_smc_page_comes_back(void **state)
{
    struct h *h = *state;
    build_smc(h);
    h_load(h);
    for (int round = 0; round < 8; round++) {
        h->exited = false;
        rv_cpu_reset(h->cpu, CODE);
        assert_int_equal(h_run(h, 10000000), RV_STOP_HALT);
        assert_int_equal(rv_reg_get(h->cpu, A0), smc_expect());
    }
    struct rv_stats s = stats_of(h);
    /* 8 runs * ~9 instructions * NPATCH: well past RV_SMC_INSNS, so the
     * page came back to translation at least once and went again. */
    assert_true(s.insns_interpreted > 65536);
    assert_true(s.invalidations > 8);
    assert_true(s.invalidations < 8 * 40);
}

/* CP writing code again and again (loading programs) is not
 * self-modification: the page stays translated. */
static void
test_cp_writes_never_interpret(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, A0, 7);
    emit(p, ADDI(A0, A0, 5));
    emit_exit(p);
    for (int i = 0; i < 30; i++) {
        h_load(h);
        h->exited = false;
        rv_cpu_reset(h->cpu, CODE);
        assert_int_equal(h_run(h, 1000), RV_STOP_HALT);
        assert_int_equal(h->exit_code, 12);
    }
    struct rv_stats s = stats_of(h);
    assert_int_equal(s.insns_interpreted, 0);
    assert_true(s.invalidations >= 29);
}

/* Every pair the translator fuses, with register overlaps, in one block;
 * results stored to DATA and checked against C. */
static void
test_fused_pairs(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, S0, DATA);
    emit_li(p, A5, 0x1234567887654321ull);
    emit_li(p, A6, 0xfff0);
    /* lui+addi, same rd: folded */
    emit(p, LUI(T0, 0x12345));
    emit(p, ADDI(T0, T0, -1));
    /* lui+addi whose sum leaves 32 bits: must not fold wrongly */
    emit(p, LUI(T1, 0x80000));
    emit(p, ADDI(T1, T1, -1));
    /* lui+addiw wraps */
    emit(p, LUI(T2, 0x7ffff));
    emit(p, ADDIW(T2, T2, 0x7ff));
    /* auipc+addi */
    uint64_t auipc_at = emit(p, AUIPC(T3, 1));
    emit(p, ADDI(T3, T3, 0x10));
    /* slli+srli into another register: both written */
    emit(p, SLLI(A0, A5, 32));
    emit(p, SRLI(A1, A0, 30));
    /* slli+slli, same register */
    emit(p, SLLI(A2, A5, 3));
    emit(p, SLLI(A2, A2, 4));
    /* slli+add, t first; then add base, t; then t == base */
    emit(p, SLLI(A3, A6, 2));
    emit(p, ADD(A4, A3, A5));
    emit(p, SLLI(A7, A6, 3));
    emit(p, ADD(S2, A5, A7));
    emit(p, SLLI(S3, A6, 1));
    emit(p, ADD(S3, S3, S3));
    /* srli+add */
    emit(p, SRLI(S4, A5, 40));
    emit(p, ADD(S5, S4, A6));
    unsigned regs[] = {T0, T1, T2, T3, A0, A1, A2, A3, A4, A7, S2, S3, S4, S5};
    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        emit(p, SD(regs[i], S0, (int32_t)(8 * i)));
    }
    emit_li(p, A0, 0);
    emit_exit(p);
    h_run_to_exit(h);

    uint64_t a5 = 0x1234567887654321ull, a6 = 0xfff0;
    uint64_t a0 = a5 << 32, a3 = a6 << 2, a7 = a6 << 3, s4 = a5 >> 40;
    uint64_t want[] = {
        0x12345000ull - 1,
        (uint64_t)(int64_t)(int32_t)0x80000000u - 1,
        (uint64_t)(int64_t)(int32_t)(0x7ffff000u + 0x7ffu),
        auipc_at + 0x1000 + 0x10,
        a0,
        a0 >> 30,
        (a5 << 3) << 4,
        a3,
        a3 + a5,
        a7,
        a5 + a7,
        (a6 << 1) * 2,
        s4,
        s4 + a6,
    };
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(h_load64(h, DATA + 8 * i), want[i]);
    }
}

/* A trap right after fused pairs: sepc names the faulting instruction and
 * instret counts both instructions of every pair before it. */
static void
test_fused_then_trap(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    h_exit_handler(h);
    emit(p, LUI(T0, 0x12345)); /* 1 */
    emit(p, ADDI(T0, T0, 5)); /* 2: fused with 1 */
    emit(p, SLLI(T1, T0, 32)); /* 3 */
    emit(p, SRLI(T1, T1, 32)); /* 4: fused with 3 */
    emit_li(p, T2, STORAGE + 0x1000); /* 5 (lui; a lone op) */
    uint64_t bad = emit(p, LD(A3, T2, 0)); /* faults: does not retire */
    emit_exit(p);
    h_load(h);
    uint64_t before = h_instret(h);
    assert_int_equal(h_run(h, 100000), RV_STOP_HALT);
    assert_int_equal(rv_reg_get(h->cpu, A0), 5); /* load access fault */
    assert_int_equal(rv_reg_get(h->cpu, A2), bad);
    assert_int_equal(rv_reg_get(h->cpu, T1), 0x12345005u);
    /* 5 instructions before the fault, then the handler's 3 CSR reads and
     * the exit: two li of two instructions each (lui; addiw) and the
     * ecall, which retires */
    uint64_t handler = 3 + 4 + 1;
    assert_int_equal(h_instret(h) - before, 5 + handler);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_evict_lru_one_cpu, h_setup, cap_teardown),
        cmocka_unit_test_setup_teardown(test_evict_lru_across_cpus, h_setup, cap_teardown),
        cmocka_unit_test_setup_teardown(test_evict_two_threads, h_setup, cap_teardown),
        cmocka_unit_test_setup_teardown(test_smc_page_interpreted, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_smc_page_comes_back, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_cp_writes_never_interpret, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_fused_pairs, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_fused_then_trap, h_setup, h_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
