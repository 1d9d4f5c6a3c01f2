// SPDX-License-Identifier: MIT
/*
 * tests/test_rv_mem.c - the CPU and guest storage together: misaligned
 * accesses (also across pages, also into a page beyond storage), access
 * faults, misaligned LR/SC/AMO, U-mode storage protection, self-modifying
 * code, fence.i and CP writes into code.
 */
#include "config.h"

#include "test_rv_harness.h"

#define USER 0x2000u
#define SPP 0x100

static void
put(struct h *h, struct prog *p)
{
    assert_int_equal(stor_write(h->st, p->base, p->buf, p->len), 0);
}

static uint64_t
run_to_trap_exit(struct h *h)
{
    h_exit_handler(h);
    h_load(h);
    enum rv_stop why = h_run(h, 1000000);
    if (why == RV_STOP_DISABLED_WAIT) {
        print_error("disabled wait: %s\n", rv_cpu_stop_text(h->cpu));
    }
    assert_int_equal(why, RV_STOP_HALT);
    return rv_reg_get(h->cpu, A0);
}

static void
emit_to_user(struct prog *p, uint64_t upc)
{
    emit_li(p, T0, upc);
    emit(p, CSRW(SEPC, T0));
    emit_li(p, T0, SPP);
    emit(p, CSRRC(0, SSTATUS, T0));
    emit(p, SRET());
}

static uint64_t
stats_invalidations(struct h *h)
{
    struct rv_stats s;
    rv_cpu_stats(h->cpu, &s);
    return s.invalidations;
}

static void
test_misaligned_within_and_across_pages(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    uint8_t bytes[32];
    for (int i = 0; i < 32; i++) {
        bytes[i] = (uint8_t)(0x10 + i);
    }
    uint64_t cross = DATA + 0x1000 - 4; /* 4 bytes before a page end */
    assert_int_equal(stor_write(h->st, cross - 12, bytes, 32), 0);
    emit_li(p, S0, cross);
    emit(p, LD(A1, S0, -3)); /* within the page */
    emit(p, LD(A2, S0, 1));  /* across */
    emit(p, LW(A3, S0, 2));  /* across */
    emit(p, LHU(A4, S0, 3)); /* across */
    emit_li(p, T0, 0x1122334455667788ull);
    emit(p, SD(T0, S0, 1)); /* across, second page not yet backed */
    emit(p, LD(A5, S0, 1));
    emit(p, SH(T0, S0, -7));
    emit(p, LH(S2, S0, -7));
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    h_run_to_exit(h);
    uint64_t want1, want2;
    memcpy(&want1, bytes + 12 - 3, 8);
    memcpy(&want2, bytes + 12 + 1, 8);
    assert_int_equal(rv_reg_get(h->cpu, A1), want1);
    assert_int_equal(rv_reg_get(h->cpu, A2), want2);
    uint32_t w;
    memcpy(&w, bytes + 14, 4);
    assert_int_equal(rv_reg_get(h->cpu, A3), (uint64_t)(int64_t)(int32_t)w);
    assert_int_equal(rv_reg_get(h->cpu, A4), (uint64_t)(bytes[15] | bytes[16] << 8));
    assert_int_equal(rv_reg_get(h->cpu, A5), 0x1122334455667788ull);
    assert_int_equal(rv_reg_get(h->cpu, S2), (uint64_t)(int16_t)0x7788);
}

static void
test_misaligned_load_into_missing_page(void **state)
{
    struct h *h = *state;
    emit_li(&h->p, S0, STORAGE - 4);
    emit(&h->p, LD(A5, S0, 0)); /* 4 bytes in storage, 4 beyond */
    assert_int_equal(run_to_trap_exit(h), 5);
    assert_int_equal(rv_reg_get(h->cpu, A1), STORAGE); /* the part that faulted */
}

static void
test_misaligned_store_into_missing_page(void **state)
{
    struct h *h = *state;
    emit_li(&h->p, S0, STORAGE - 2);
    emit_li(&h->p, T0, -1);
    emit(&h->p, SW(T0, S0, 0));
    assert_int_equal(run_to_trap_exit(h), 7);
    assert_int_equal(rv_reg_get(h->cpu, A1), STORAGE);
    uint16_t last = 1;
    assert_int_equal(stor_read(h->st, STORAGE - 2, &last, 2), 0);
    assert_int_equal(last, 0); /* nothing written */
}

static void
test_access_beyond_storage(void **state)
{
    struct h *h = *state;
    emit_li(&h->p, S0, STORAGE + 64);
    emit(&h->p, SD(S0, S0, 0));
    assert_int_equal(run_to_trap_exit(h), 7);
    assert_int_equal(rv_reg_get(h->cpu, A1), STORAGE + 64);
}

static void
test_load_beyond_storage_huge(void **state)
{
    struct h *h = *state;
    emit_li(&h->p, S0, 0xfffffffffffffffcull);
    emit(&h->p, LD(A3, S0, 0)); /* wraps around 2^64 */
    assert_int_equal(run_to_trap_exit(h), 5);
    assert_int_equal(rv_reg_get(h->cpu, A1), 0xfffffffffffffffcull);
}

static void
test_fetch_beyond_storage(void **state)
{
    struct h *h = *state;
    emit_li(&h->p, T0, STORAGE + 0x100);
    emit(&h->p, JALR(RA, T0, 0));
    assert_int_equal(run_to_trap_exit(h), 1);
    assert_int_equal(rv_reg_get(h->cpu, A1), STORAGE + 0x100);
    assert_int_equal(rv_reg_get(h->cpu, A2), STORAGE + 0x100);
}

static void
test_fetch_straddling_end_of_storage(void **state)
{
    struct h *h = *state;
    uint16_t half = 0x0513; /* first half of addi a0, ... (32-bit) */
    assert_int_equal(stor_write(h->st, STORAGE - 2, &half, 2), 0);
    emit_li(&h->p, T0, STORAGE - 2);
    emit(&h->p, JALR(RA, T0, 0));
    assert_int_equal(run_to_trap_exit(h), 1);
    assert_int_equal(rv_reg_get(h->cpu, A1), STORAGE); /* the missing half */
    assert_int_equal(rv_reg_get(h->cpu, A2), STORAGE - 2);
}

static void
test_straddling_instruction_runs_and_invalidates(void **state)
{
    struct h *h = *state;
    /* addi a0, a0, 5 at 0x5ffe, straddling into page 0x6000. */
    struct prog c;
    prog_init(&c, 0x5ffe);
    emit(&c, ADDI(A0, A0, 5));
    emit(&c, JALR(0, RA, 0));
    put(h, &c);
    struct prog *p = &h->p;
    emit_li(p, T0, 0x5ffe);
    emit(p, JALR(RA, T0, 0)); /* a0 = 5 */
    emit(p, ADD(S2, A0, ZERO));
    /* rewrite the upper half: imm 5 -> 7 (bits 20..31 live at 0x6000) */
    emit_li(p, T1, 0x6000);
    emit_li(p, T2, ADDI(A0, A0, 7) >> 16);
    emit(p, SH(T2, T1, 0));
    emit(p, JALR(RA, T0, 0)); /* a0 = 12 */
    emit(p, ADD(A0, A0, ZERO));
    emit_exit(p);
    h_run_to_exit(h);
    assert_int_equal(rv_reg_get(h->cpu, S2), 5);
    assert_int_equal(h->exit_code, 12);
}

static void
test_misaligned_atomics_trap(void **state)
{
    const struct {
        uint32_t insn;
        uint64_t cause;
    } cases[] = {
        {LR_W(A3, S0), 4},
        {LR_D(A3, S0), 4},
        {SC_W(A3, S0, T0), 6},
        {SC_D(A3, S0, T0), 6},
        {AMOADD_W(A3, S0, T0), 6},
        {AMOSWAP_D(A3, S0, T0), 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct h *h = h_new_sized(STORAGE);
        emit_li(&h->p, S0, DATA + 2);
        emit(&h->p, cases[i].insn);
        assert_int_equal(run_to_trap_exit(h), cases[i].cause);
        assert_int_equal(rv_reg_get(h->cpu, A1), DATA + 2);
        void *st = h;
        h_teardown(&st);
    }
}

static void
test_atomics_beyond_storage(void **state)
{
    struct h *h = *state;
    emit_li(&h->p, S0, STORAGE);
    emit(&h->p, AMOADD_D(A3, S0, T0));
    assert_int_equal(run_to_trap_exit(h), 7);
    assert_int_equal(rv_reg_get(h->cpu, A1), STORAGE);
}

/* U-mode program at USER doing one access to `addr`, after S-mode touched
 * the same page (so S-mode TLB entries exist). */
static uint64_t
user_access(struct h *h, uint32_t insn, uint64_t addr, int mode)
{
    struct prog *p = &h->p;
    emit_li(p, S0, addr);
    emit(p, SD(S0, S0, 0)); /* S-mode may write anything */
    emit(p, LD(S1, S0, 0));
    emit_to_user(p, USER);
    struct prog u;
    prog_init(&u, USER);
    emit(&u, insn);
    emit(&u, ADDI(A0, ZERO, 0));
    emit(&u, EBREAK()); /* success ends with a breakpoint (3) */
    put(h, &u);
    assert_int_equal(stor_protect(h->st, addr & ~0xfffull, 0x1000, mode), 0);
    return run_to_trap_exit(h);
}

static void
test_protect_user_ro(void **state)
{
    struct h *h = *state;
    assert_int_equal(user_access(h, SD(S0, S0, 0), DATA, DIAG_PROT_USER_RO), 7);
    assert_int_equal(rv_reg_get(h->cpu, A1), DATA);
    assert_int_equal(rv_reg_get(h->cpu, A2), USER);
}

static void
test_protect_user_ro_read_ok(void **state)
{
    struct h *h = *state;
    assert_int_equal(user_access(h, LD(A3, S0, 0), DATA, DIAG_PROT_USER_RO), 3);
    assert_int_equal(rv_reg_get(h->cpu, A3), DATA);
}

static void
test_protect_user_ro_amo(void **state)
{
    struct h *h = *state;
    assert_int_equal(user_access(h, AMOADD_D(A3, S0, S0), DATA, DIAG_PROT_USER_RO), 7);
}

static void
test_protect_user_none_load(void **state)
{
    struct h *h = *state;
    assert_int_equal(user_access(h, LBU(A3, S0, 5), DATA, DIAG_PROT_USER_NONE), 5);
    assert_int_equal(rv_reg_get(h->cpu, A1), DATA + 5);
}

static void
test_protect_user_rw_store_ok(void **state)
{
    struct h *h = *state;
    assert_int_equal(user_access(h, SD(ZERO, S0, 0), DATA, DIAG_PROT_USER_RW), 3);
    assert_int_equal(h_load64(h, DATA), 0);
}

static void
test_protect_user_misaligned_into_ro(void **state)
{
    struct h *h = *state;
    /* The page DATA is RW, the next one RO: a store across must fault with
     * stval = the first byte of the RO page and write nothing. */
    assert_int_equal(stor_protect(h->st, DATA + 0x1000, 0x1000, DIAG_PROT_USER_RO), 0);
    assert_int_equal(user_access(h, SD(S0, S0, 0x7fc), DATA + 0x800, DIAG_PROT_USER_RW), 7);
    assert_int_equal(rv_reg_get(h->cpu, A1), DATA + 0x1000);
    uint32_t w = 1;
    assert_int_equal(stor_read(h->st, DATA + 0xffc, &w, 4), 0);
    assert_int_equal(w, 0);
}

static void
test_protect_user_fetch(void **state)
{
    struct h *h = *state;
    assert_int_equal(stor_protect(h->st, USER, 0x1000, DIAG_PROT_USER_NONE), 0);
    emit_to_user(&h->p, USER + 8);
    struct prog u;
    prog_init(&u, USER);
    emit(&u, NOP());
    emit(&u, NOP());
    emit(&u, NOP());
    put(h, &u);
    assert_int_equal(run_to_trap_exit(h), 1);
    assert_int_equal(rv_reg_get(h->cpu, A1), USER + 8);
    assert_int_equal(rv_reg_get(h->cpu, A2), USER + 8);
}

static void
test_protect_changes_while_running(void **state)
{
    struct h *h = *state;
    /* U-mode stores to DATA in a loop; CP protects the page between runs:
     * the TLB entry the loop used must not survive. */
    emit_to_user(&h->p, USER);
    struct prog u;
    prog_init(&u, USER);
    emit_li(&u, S0, DATA);
    uint64_t loop = emit(&u, SD(S0, S0, 0));
    emit(&u, JAL(0, rel(prog_pc(&u), loop)));
    put(h, &u);
    h_exit_handler(h);
    h_load(h);
    assert_int_equal(h_run(h, 5000), RV_STOP_BUDGET);
    assert_int_equal(rv_priv_get(h->cpu), RV_PRIV_U);
    assert_int_equal(stor_protect(h->st, DATA, 0x1000, DIAG_PROT_USER_RO), 0);
    assert_int_equal(h_run(h, 5000), RV_STOP_HALT);
    assert_int_equal(rv_reg_get(h->cpu, A0), 7);
}

static void
test_smc_same_block(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    uint64_t x = emit(p, AUIPC(T1, 0));
    emit(p, LUI(T0, ADDI(A0, ZERO, 42) >> 12));
    emit(p, ADDIW(T0, T0, (int32_t)(ADDI(A0, ZERO, 42) << 20) >> 20));
    emit(p, SW(T0, T1, 20)); /* x + 20 */
    emit(p, ADDI(A0, ZERO, 1));
    uint64_t target = emit(p, ADDI(A0, ZERO, 7)); /* becomes addi a0, zero, 42 */
    assert_int_equal(target, x + 20);
    emit_exit(p);
    h_run_to_exit(h);
    assert_int_equal(h->exit_code, 42);
    assert_true(stats_invalidations(h) >= 1);
}

static void
test_store_near_code_keeps_translations(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, S0, CODE + 0x800); /* same page, far from the code */
    emit(p, ADDI(T0, ZERO, 100));
    uint64_t loop = emit(p, SD(T0, S0, 0));
    emit(p, ADDI(T0, T0, -1));
    emit(p, BNE(T0, ZERO, rel(prog_pc(p), loop)));
    emit(p, LD(A0, S0, 0));
    emit_exit(p);
    h_run_to_exit(h);
    assert_int_equal(h->exit_code, 1);
    assert_int_equal(stats_invalidations(h), 0);
}

static void
test_cp_write_invalidates(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit(p, ADDI(A0, ZERO, 1));
    emit_exit(p);
    h_run_to_exit(h);
    assert_int_equal(h->exit_code, 1);
    /* CP rewrites the first instruction (as a disk read would). */
    uint32_t insn = ADDI(A0, ZERO, 2);
    assert_int_equal(stor_write(h->st, CODE, &insn, 4), 0);
    h->exited = false;
    rv_cpu_reset(h->cpu, CODE);
    assert_int_equal(h_run(h, 1000), RV_STOP_HALT);
    assert_int_equal(h->exit_code, 2);
    assert_true(stats_invalidations(h) >= 1);
    /* stor_release of the code page: it reads as zeros = illegal. */
    assert_int_equal(stor_release(h->st, CODE, 0x1000), 0);
    rv_cpu_reset(h->cpu, CODE);
    h_exit_handler(h);
    assert_int_equal(h_run(h, 1000), RV_STOP_HALT);
    assert_int_equal(rv_reg_get(h->cpu, A0), 2);
    /* stor_zero too. */
    insn = ADDI(A0, ZERO, 3);
    uint32_t ex[8];
    struct prog q;
    prog_init(&q, CODE);
    emit(&q, insn);
    emit_exit(&q);
    memcpy(ex, q.buf, sizeof ex);
    assert_int_equal(stor_write(h->st, CODE, ex, q.len), 0);
    rv_cpu_reset(h->cpu, CODE);
    assert_int_equal(h_run(h, 1000), RV_STOP_HALT);
    assert_int_equal(h->exit_code, 3);
    assert_int_equal(stor_zero(h->st, CODE, 4), 0);
    rv_cpu_reset(h->cpu, CODE);
    h_exit_handler(h);
    assert_int_equal(h_run(h, 1000), RV_STOP_HALT);
    assert_int_equal(rv_reg_get(h->cpu, A0), 2);
}

static void
test_fence_i_and_loader(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    /* A "loader": copy a routine from DATA to 0x6000 word by word, fence.i,
     * call it; then patch it and call again. */
    struct prog r;
    prog_init(&r, DATA);
    emit(&r, ADDI(A0, A0, 3));
    emit(&r, JALR(0, RA, 0));
    put(h, &r);
    emit_li(p, S0, DATA);
    emit_li(p, S1, 0x6000);
    emit(p, LD(T0, S0, 0));
    emit(p, SD(T0, S1, 0));
    emit(p, FENCE_I());
    emit(p, ADDI(A0, ZERO, 0));
    emit(p, JALR(RA, S1, 0)); /* a0 = 3 */
    emit(p, JALR(RA, S1, 0)); /* a0 = 6 */
    emit_li(p, T1, ADDI(A0, A0, 100));
    emit(p, SW(T1, S1, 0)); /* no fence.i: our stores invalidate anyway */
    emit(p, JALR(RA, S1, 0)); /* a0 = 106 */
    emit(p, FENCE_I());
    emit(p, JALR(RA, S1, 0)); /* a0 = 206 */
    emit_exit(p);
    h_run_to_exit(h);
    assert_int_equal(h->exit_code, 206);
}

static void
test_write_tlb_dropped_when_page_becomes_code(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    /* Write to page 0x6000 first (a write TLB entry), then run code there
     * that modifies itself through the same page. */
    emit_li(p, S1, 0x6000);
    emit(p, SD(ZERO, S1, 0x800));
    emit_li(p, T0, DATA);
    emit(p, LD(T1, T0, 0));
    emit(p, SD(T1, S1, 0));
    emit(p, LD(T1, T0, 8));
    emit(p, SD(T1, S1, 8));
    emit(p, LD(T1, T0, 16));
    emit(p, SD(T1, S1, 16));
    emit(p, FENCE_I());
    emit(p, JALR(RA, S1, 0));
    emit(p, JALR(RA, S1, 0));
    emit_exit(p);
    /* at 0x6000: a0 += 1; sw t2 -> 0x6000 (a0 += 10); ret */
    struct prog r;
    prog_init(&r, DATA);
    emit(&r, ADDI(A0, A0, 1));
    emit(&r, SW(T2, S1, 0));
    emit(&r, JALR(0, RA, 0));
    put(h, &r);
    rv_reg_set(h->cpu, T2, ADDI(A0, A0, 10));
    h_run_to_exit(h);
    assert_int_equal(h->exit_code, 11);
}

static void
test_cp_write_between_runs_jump_cache(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    /* main calls f (same page) through a register: jump-cache entries for
     * both.  CP then rewrites f only; the page keeps main's blocks. */
    emit_li(p, S1, CODE + 0x100);
    emit(p, JALR(RA, S1, 0));
    emit_exit(p);
    struct prog f;
    prog_init(&f, CODE + 0x100);
    emit(&f, ADDI(A0, ZERO, 5));
    emit(&f, JALR(0, RA, 0));
    put(h, &f);
    h_run_to_exit(h);
    assert_int_equal(h->exit_code, 5);
    uint32_t insn = ADDI(A0, ZERO, 6);
    assert_int_equal(stor_write(h->st, CODE + 0x100, &insn, 4), 0);
    rv_cpu_reset(h->cpu, CODE);
    h->exited = false;
    assert_int_equal(h_run(h, 1000), RV_STOP_HALT);
    assert_int_equal(h->exit_code, 6);
}

static void
test_translation_cap(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    /* A loop through 8 blocks; the cap fits about two, so translating
     * keeps evicting, also blocks the loop is about to need. */
    emit(p, ADDI(T0, ZERO, 50));
    uint64_t top = prog_pc(p);
    for (int i = 0; i < 8; i++) {
        emit(p, ADDI(A1, A1, 1));
        emit(p, JAL(0, 4 * 2)); /* skip one: a new block each time */
        emit(p, ADDI(A1, A1, 100)); /* skipped */
    }
    emit(p, ADDI(T0, T0, -1));
    emit(p, BNE(T0, ZERO, rel(prog_pc(p), top)));
    emit(p, ADD(A0, A1, ZERO));
    emit_exit(p);
    size_t before = rv_xlate_bytes();
    rv_xlate_cap_set(before + 700);
    h_run_to_exit(h);
    rv_xlate_cap_set((size_t)256 << 20);
    assert_int_equal(h->exit_code, 50 * 8);
    struct rv_stats s;
    rv_cpu_stats(h->cpu, &s);
    assert_true(s.evictions > 50);
    assert_int_equal(s.invalidations, 0); /* evictions are not invalidations */
    assert_true(rv_xlate_bytes() <= before + 700);
}

static void
test_footprints(void **state)
{
    struct h *h = *state;
    size_t idle = stor_map_footprint(h->st);
    assert_true(idle < 4096);
    assert_int_equal(stor_resident_pages(h->st), 0);
    emit(&h->p, ADDI(A0, ZERO, 0));
    emit_exit(&h->p);
    h_run_to_exit(h);
    assert_int_equal(stor_resident_pages(h->st), 1);
    assert_true(rv_cpu_footprint(h->cpu) < 32 * 1024);
}

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_misaligned_within_and_across_pages),
        T(test_misaligned_load_into_missing_page),
        T(test_misaligned_store_into_missing_page),
        T(test_access_beyond_storage),
        T(test_load_beyond_storage_huge),
        T(test_fetch_beyond_storage),
        T(test_fetch_straddling_end_of_storage),
        T(test_straddling_instruction_runs_and_invalidates),
        cmocka_unit_test(test_misaligned_atomics_trap),
        T(test_atomics_beyond_storage),
        T(test_protect_user_ro),
        T(test_protect_user_ro_read_ok),
        T(test_protect_user_ro_amo),
        T(test_protect_user_none_load),
        T(test_protect_user_rw_store_ok),
        T(test_protect_user_misaligned_into_ro),
        T(test_protect_user_fetch),
        T(test_protect_changes_while_running),
        T(test_smc_same_block),
        T(test_store_near_code_keeps_translations),
        T(test_cp_write_invalidates),
        T(test_fence_i_and_loader),
        T(test_write_tlb_dropped_when_page_becomes_code),
        T(test_cp_write_between_runs_jump_cache),
        T(test_translation_cap),
        T(test_footprints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
