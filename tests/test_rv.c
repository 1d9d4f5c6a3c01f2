// SPDX-License-Identifier: MIT
/*
 * tests/test_rv.c - the CPU's decode and execute: tiny programs built with
 * tests/test_rv_enc.h, run in virtual S-mode, registers and storage
 * checked.  Traps and interrupts: tests/test_rv_trap.c; storage-related
 * behaviour (misaligned, protection, self-modifying code):
 * tests/test_rv_mem.c.
 */
#include "config.h"

#include "cp/rv_decode.h"
#include "test_rv_harness.h"

static void
test_alu(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, T0, 0x123456789abcdef0ull);
    emit_li(p, T1, (uint64_t)-5);
    emit(p, ADD(S2, T0, T1));
    emit(p, SUB(S3, T1, T0));
    emit(p, SLT(S4, T1, T0));  /* -5 < big positive */
    emit(p, SLTU(S5, T1, T0)); /* huge unsigned not < */
    emit(p, XORI(S6, T1, -1));
    emit(p, SRAI(S7, T1, 1));
    emit(p, SRLI(S8, T1, 60));
    emit(p, ADDIW(S9, T0, 1));  /* low word 0x9abcdef1, negative */
    emit(p, SLLIW(S10, T0, 4)); /* 0xabcdef00 sign-extended */
    emit(p, SRAW(S11, T1, T1)); /* shift by 27 (low 5 bits of -5) */
    emit(p, LUI(T3, 0x80000));  /* sign-extends */
    emit(p, AUIPC(T4, 1));
    emit(p, SLTI(T5, T1, -4));
    emit(p, SLTIU(T6, ZERO, 1));
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    h_run_to_exit(h);
    struct rv_cpu *c = h->cpu;
    assert_int_equal(rv_reg_get(c, S2), 0x123456789abcdef0ull - 5);
    assert_int_equal(rv_reg_get(c, S3), (uint64_t)-5 - 0x123456789abcdef0ull);
    assert_int_equal(rv_reg_get(c, S4), 1);
    assert_int_equal(rv_reg_get(c, S5), 0);
    assert_int_equal(rv_reg_get(c, S6), 4);
    assert_int_equal(rv_reg_get(c, S7), (uint64_t)-3);
    assert_int_equal(rv_reg_get(c, S8), 0xf);
    assert_int_equal(rv_reg_get(c, S9), 0xffffffff9abcdef1ull);
    assert_int_equal(rv_reg_get(c, S10), 0xffffffffabcdef00ull);
    assert_int_equal(rv_reg_get(c, S11), (uint64_t)-1);
    assert_int_equal(rv_reg_get(c, T3), 0xffffffff80000000ull);
    assert_int_equal(rv_reg_get(c, T5), 1);
    assert_int_equal(rv_reg_get(c, T6), 1);
    /* auipc: its own pc + 0x1000; find it by scanning the program. */
    uint64_t pc_auipc = 0;
    for (uint32_t off = 0; off < p->len; off += 4) {
        uint32_t w;
        memcpy(&w, p->buf + off, 4);
        if (w == AUIPC(T4, 1)) {
            pc_auipc = CODE + off;
        }
    }
    assert_int_equal(rv_reg_get(c, T4), pc_auipc + 0x1000);
}

static void
test_muldiv(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, T0, (uint64_t)INT64_MIN);
    emit_li(p, T1, (uint64_t)-1);
    emit_li(p, T2, 7);
    emit(p, DIV(S2, T0, T1));   /* overflow: INT64_MIN */
    emit(p, REM(S3, T0, T1));   /* overflow: 0 */
    emit(p, DIV(S4, T2, ZERO)); /* by zero: -1 */
    emit(p, REM(S5, T2, ZERO)); /* by zero: dividend */
    emit(p, DIVU(S6, T2, ZERO));
    emit(p, REMU(S7, T1, T2));
    emit(p, MULH(S8, T0, T1));   /* INT64_MIN * -1 = 2^63: high 0 */
    emit(p, MULHU(S9, T1, T1));  /* (2^64-1)^2 >> 64 = 2^64-2 */
    emit(p, MULHSU(S10, T1, T1)); /* -1 * (2^64-1) >> 64 = -1 */
    emit(p, DIVW(S11, T0, T1));  /* low words 0 / -1 = 0 */
    emit_li(p, T3, 0xffffffff80000000ull);
    emit(p, DIVW(T4, T3, T1));   /* INT32_MIN / -1 = INT32_MIN */
    emit(p, REMW(T5, T3, T1));   /* 0 */
    emit(p, DIVUW(T6, T2, ZERO)); /* -1 */
    emit(p, REMUW(A1, T1, ZERO)); /* sext(0xffffffff) */
    emit(p, MULW(A2, T1, T2));   /* -7 */
    emit(p, DIV(A3, T1, T2));    /* -1/7 = 0 (toward zero) */
    emit(p, REM(A4, T1, T2));    /* -1 */
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    h_run_to_exit(h);
    struct rv_cpu *c = h->cpu;
    assert_int_equal(rv_reg_get(c, S2), (uint64_t)INT64_MIN);
    assert_int_equal(rv_reg_get(c, S3), 0);
    assert_int_equal(rv_reg_get(c, S4), (uint64_t)-1);
    assert_int_equal(rv_reg_get(c, S5), 7);
    assert_int_equal(rv_reg_get(c, S6), (uint64_t)-1);
    assert_int_equal(rv_reg_get(c, S7), UINT64_MAX % 7);
    assert_int_equal(rv_reg_get(c, S8), 0);
    assert_int_equal(rv_reg_get(c, S9), (uint64_t)-2);
    assert_int_equal(rv_reg_get(c, S10), (uint64_t)-1);
    assert_int_equal(rv_reg_get(c, S11), 0);
    assert_int_equal(rv_reg_get(c, T4), 0xffffffff80000000ull);
    assert_int_equal(rv_reg_get(c, T5), 0);
    assert_int_equal(rv_reg_get(c, T6), (uint64_t)-1);
    assert_int_equal(rv_reg_get(c, A1), (uint64_t)-1);
    assert_int_equal(rv_reg_get(c, A2), (uint64_t)-7);
    assert_int_equal(rv_reg_get(c, A3), 0);
    assert_int_equal(rv_reg_get(c, A4), (uint64_t)-1);
}

static void
test_loads_stores(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, S0, DATA);
    emit_li(p, T0, 0x8081828384858687ull);
    emit(p, SD(T0, S0, 0));
    emit(p, LB(A1, S0, 0));
    emit(p, LBU(A2, S0, 0));
    emit(p, LH(A3, S0, 2));
    emit(p, LHU(A4, S0, 2));
    emit(p, LW(A5, S0, 4));
    emit(p, LWU(S2, S0, 4));
    emit(p, LD(S3, S0, 0));
    emit(p, SB(T0, S0, 8));
    emit(p, SH(T0, S0, 10));
    emit(p, SW(T0, S0, 12));
    emit(p, LW(0, S0, 0)); /* load into x0: no effect */
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    h_run_to_exit(h);
    struct rv_cpu *c = h->cpu;
    assert_int_equal(rv_reg_get(c, A1), (uint64_t)(int8_t)0x87);
    assert_int_equal(rv_reg_get(c, A2), 0x87);
    assert_int_equal(rv_reg_get(c, A3), (uint64_t)(int16_t)0x8485);
    assert_int_equal(rv_reg_get(c, A4), 0x8485);
    assert_int_equal(rv_reg_get(c, A5), (uint64_t)(int32_t)0x80818283);
    assert_int_equal(rv_reg_get(c, S2), 0x80818283);
    assert_int_equal(rv_reg_get(c, S3), 0x8081828384858687ull);
    assert_int_equal(rv_reg_get(c, 0), 0);
    assert_int_equal(h_load64(h, DATA + 8), 0x8485868786870087ull);
}

static void
test_branches_and_jumps(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    /* sum 1..100 with a backward branch */
    emit(p, ADDI(T0, ZERO, 100));
    emit(p, ADDI(A1, ZERO, 0));
    uint64_t loop = emit(p, ADD(A1, A1, T0));
    emit(p, ADDI(T0, T0, -1));
    uint64_t br = emit(p, BNE(T0, ZERO, 0));
    prog_patch(p, br, BNE(T0, ZERO, rel(br, loop)));
    /* every branch kind, taken and not */
    emit_li(p, T1, (uint64_t)-1);
    emit(p, ADDI(T2, ZERO, 1));
    emit(p, ADDI(A2, ZERO, 0));
    static const int8_t f3s[] = {0, 1, 4, 5, 6, 7};
    for (unsigned i = 0; i < 6; i++) {
        /* if (t1 OP t2) a2 |= bit 2i; if (t2 OP t1) a2 |= bit 2i+1 */
        emit(p, enc_b(f3s[i], T1, T2, 8));
        emit(p, JAL(0, 8));
        emit(p, ORI(A2, A2, 1 << (2 * i)));
        emit(p, enc_b(f3s[i], T2, T1, 8));
        emit(p, JAL(0, 8));
        emit(p, ORI(A2, A2, 1 << (2 * i + 1)));
    }
    /* jal/jalr link values; jalr clears bit 0 */
    uint64_t j = emit(p, JAL(RA, 8));
    emit(p, ADDI(A3, ZERO, 99)); /* skipped */
    emit(p, AUIPC(T3, 0));
    emit(p, ADDI(T3, T3, 17)); /* odd: the auipc + 16 once bit 0 is cleared */
    uint64_t jr = emit(p, JALR(A4, T3, 0));
    emit(p, ADDI(A3, ZERO, 98)); /* skipped */
    emit(p, ADDI(A0, ZERO, 0));  /* jalr target = jr + 4 ... */
    emit_exit(p);
    h_run_to_exit(h);
    struct rv_cpu *c = h->cpu;
    assert_int_equal(rv_reg_get(c, A1), 5050);
    /* beq: neither; bne: both; blt: -1<1 yes; bge: 1>=-1 yes;
     * bltu: 1 <u 0xff.. yes (second); bgeu: first */
    assert_int_equal(rv_reg_get(c, A2), 0x0c | 0x10 | 0x80 | 0x200 | 0x400);
    assert_int_equal(rv_reg_get(c, RA), j + 4);
    assert_int_equal(rv_reg_get(c, A4), jr + 4);
    assert_int_equal(rv_reg_get(c, A3), 0);
}

static void
test_compressed(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    /* Encodings checked against GNU as. */
    emit16(p, 0x4515); /* c.li a0, 5 */
    emit16(p, 0x0505); /* c.addi a0, 1 */
    emit16(p, 0x85aa); /* c.mv a1, a0 */
    emit16(p, 0x95aa); /* c.add a1, a0 */
    emit16(p, 0x0586); /* c.slli a1, 1 */
    emit16(p, 0x6605); /* c.lui a2, 1 */
    emit16(p, 0x8d89); /* c.sub a1, a0 */
    emit16(p, 0x2585); /* c.addiw a1, 1 */
    emit16(p, 0xa011); /* c.j +4 */
    emit16(p, 0x4681); /* c.li a3, 0 (skipped) */
    emit16(p, 0x4705); /* c.li a4, 1 */
    emit16(p, 0xc311); /* c.beqz a4, +4: not taken */
    emit16(p, 0x4785); /* c.li a5, 1 */
    emit16(p, 0x0001); /* c.nop */
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    h_run_to_exit(h);
    struct rv_cpu *c = h->cpu;
    assert_int_equal(rv_reg_get(c, A1), ((6 + 6) << 1) - 6 + 1);
    assert_int_equal(rv_reg_get(c, A2), 0x1000);
    assert_int_equal(rv_reg_get(c, A3), 0);
    assert_int_equal(rv_reg_get(c, A5), 1);
}

static void
test_decode_expand(void **state)
{
    (void)state;
    /* c.addi4spn a0, sp, 1020 and its reserved zero form */
    assert_int_equal(rv_expand_c(0x1fe8), ADDI(A0, SP, 1020));
    assert_int_equal(rv_expand_c(0x0000), 0);
    /* c.lwsp a0, 4(sp); reserved rd = 0 */
    assert_int_equal(rv_expand_c(0x4512), LW(A0, SP, 4));
    assert_int_equal(rv_expand_c(0x4012), 0);
    /* c.sdsp ra, 8(sp) */
    assert_int_equal(rv_expand_c(0xe406), SD(RA, SP, 8));
    /* c.jr ra / c.jalr a0 / c.ebreak */
    assert_int_equal(rv_expand_c(0x8082), JALR(0, RA, 0));
    assert_int_equal(rv_expand_c(0x9502), JALR(RA, A0, 0));
    assert_int_equal(rv_expand_c(0x9002), EBREAK());
    /* c.addi16sp sp, -512; c.lui with 0 reserved */
    assert_int_equal(rv_expand_c(0x7101), ADDI(SP, SP, -512));
    assert_int_equal(rv_expand_c(0x6501) /* c.lui a0, 0 */, 0);
    /* c.fld / c.fsd need D: not ours */
    assert_int_equal(rv_expand_c(0x2000), 0);

    struct rv_dop d;
    rv_decode(MRET(), &d);
    assert_int_equal(d.k, RV_OPK_ILLEGAL);
    rv_decode(0xffffffffu, &d);
    assert_int_equal(d.k, RV_OPK_ILLEGAL);
    rv_decode(ADD(0, A0, A1), &d);
    assert_int_equal(d.k, RV_OPK_NOP);
    rv_decode(LW(0, A0, 0), &d);
    assert_int_equal(d.k, RV_OPK_LW);
    assert_int_equal(d.rd, RV_SINK);
    rv_decode(enc_r(0x33, A0, 0, A1, A2, 0x40), &d); /* bad funct7 */
    assert_int_equal(d.k, RV_OPK_ILLEGAL);
    rv_decode(SLLI(A0, A1, 63), &d);
    assert_int_equal(d.k, RV_OPK_SLLI);
    rv_decode(LR_W(A0, A1) | (1u << 20), &d); /* lr with rs2 != 0 */
    assert_int_equal(d.k, RV_OPK_ILLEGAL);
    rv_decode(CSRR(A0, SSTATUS), &d);
    assert_int_equal(d.k, RV_OPK_CSR);
}

static void
test_amo(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, S0, DATA);
    emit_li(p, T0, 40);
    emit(p, SD(T0, S0, 0));
    emit(p, ADDI(T1, ZERO, 2));
    emit(p, AMOADD_D(A1, S0, T1)); /* a1 = 40, mem 42 */
    emit_li(p, T2, 0xffffffff);
    emit(p, AMOMAXU_W(A2, S0, T2)); /* a2 = 42, mem low word 0xffffffff */
    emit(p, LR_D(A3, S0));
    emit(p, SC_D(A4, S0, T1)); /* succeeds: 0 */
    emit(p, SC_D(A5, S0, T1)); /* no reservation: 1 */
    emit(p, AMOSWAP_D(S2, S0, T0)); /* s2 = 2, mem = 40 */
    emit(p, LD(S3, S0, 0));
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    h_run_to_exit(h);
    struct rv_cpu *c = h->cpu;
    assert_int_equal(rv_reg_get(c, A1), 40);
    assert_int_equal(rv_reg_get(c, A2), 42);
    assert_int_equal(rv_reg_get(c, A3), 0xffffffff);
    assert_int_equal(rv_reg_get(c, A4), 0);
    assert_int_equal(rv_reg_get(c, A5), 1);
    assert_int_equal(rv_reg_get(c, S2), 2);
    assert_int_equal(rv_reg_get(c, S3), 40);
}

static void
test_csr_basic(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit_li(p, T0, 0xabc);
    emit(p, CSRW(SSCRATCH, T0));
    emit(p, CSRRSI(A1, SSCRATCH, 1)); /* a1 = 0xabc, now 0xabd */
    emit(p, CSRRCI(A2, SSCRATCH, 0xc)); /* a2 = 0xabd, now 0xab1 */
    emit(p, CSRR(A3, SSCRATCH));
    emit(p, CSRR(A4, SSTATUS)); /* UXL = 2 */
    emit_li(p, T1, 0x8000000000000123ull); /* Sv39: ignored */
    emit(p, CSRW(SATP, T1));
    emit(p, CSRR(A5, SATP));
    emit_li(p, T1, 0x4003); /* stvec with reserved mode 3 */
    emit(p, CSRW(STVEC, T1));
    emit(p, CSRR(S2, STVEC));
    emit(p, CSRR(S3, INSTRET));
    emit(p, CSRR(S4, TIME));
    emit(p, CSRRWI(0, SIP, 0x1f)); /* only SSIP sticks */
    emit(p, CSRR(S5, SIP));
    emit(p, CSRRWI(0, SIP, 0));
    emit_li(p, T1, -1);
    emit(p, CSRW(SIE, T1));
    emit(p, CSRR(S6, SIE));
    emit(p, CSRW(SIE, ZERO));
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    h->now = 777;
    h_run_to_exit(h);
    struct rv_cpu *c = h->cpu;
    assert_int_equal(rv_reg_get(c, A1), 0xabc);
    assert_int_equal(rv_reg_get(c, A2), 0xabd);
    assert_int_equal(rv_reg_get(c, A3), 0xab1);
    assert_int_equal(rv_reg_get(c, A4) >> 32 & 3, 2);
    assert_int_equal(rv_reg_get(c, A5), 0);
    assert_int_equal(rv_reg_get(c, S2), 0x4000);
    assert_true(rv_reg_get(c, S3) > 5 && rv_reg_get(c, S3) < 40);
    assert_int_equal(rv_reg_get(c, S4), 777);
    assert_int_equal(rv_reg_get(c, S5), RV_IRQ_SSIP);
    assert_int_equal(rv_reg_get(c, S6), RV_IRQ_SSIP | RV_IRQ_STIP | RV_IRQ_SEIP);

    /* The API side. */
    uint64_t v;
    assert_int_equal(rv_csr_read(h->cpu, MSTATUS, &v), -1);
    assert_int_equal(rv_csr_write(h->cpu, CYCLE, 1), -1);
    assert_int_equal(rv_csr_write(h->cpu, SEPC, 0x1235), 0);
    assert_int_equal(h_csr(h, SEPC), 0x1234);
    assert_int_equal(rv_csr_write(h->cpu, SSTATUS, ~0ull), 0);
    assert_int_equal(h_csr(h, SSTATUS), 0x200000000ull | 0x2 | 0x20 | 0x100 | 0x80000);
}

static void
test_instret_exact(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    for (int i = 0; i < 10; i++) {
        emit(p, ADDI(T0, T0, 1));
    }
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p); /* li a6 (2), li a7 (2), ecall: counted when it completes */
    h_run_to_exit(h);
    assert_int_equal(h_instret(h), 11 + 2 + 2 + 1);
    struct rv_stats s;
    rv_cpu_stats(h->cpu, &s);
    assert_int_equal(s.instret, 16);
    assert_int_equal(s.hypercalls, 1);
    assert_true(s.blocks_translated >= 1);
}

static void
test_instret_across_page_fallthrough(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    prog_init(p, 0x1ff0); /* the block falls through into the next page */
    for (int i = 0; i < 4; i++) {
        emit(p, NOP());
    }
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    rv_cpu_reset(h->cpu, 0x1ff0);
    h_run_to_exit(h);
    assert_int_equal(h_instret(h), 4 + 1 + 5);
}

static void
test_instret_side_exits(void **state)
{
    struct h *h = *state;
    struct prog *p = &h->p;
    emit(p, ADDI(T0, ZERO, 3));
    uint64_t loop = emit(p, ADDI(A1, A1, 1));
    emit(p, ADDI(T0, T0, -1));
    emit(p, BNE(T0, ZERO, rel(prog_pc(p), loop))); /* taken twice, mid-block */
    emit(p, ADDI(A2, A2, 1));
    emit(p, BEQ(A2, ZERO, 8)); /* never taken */
    emit(p, ADDI(A2, A2, 1));
    emit(p, ADDI(A0, ZERO, 0));
    emit_exit(p);
    h_run_to_exit(h);
    assert_int_equal(rv_reg_get(h->cpu, A1), 3);
    assert_int_equal(rv_reg_get(h->cpu, A2), 2);
    assert_int_equal(h_instret(h), 1 + 3 * 3 + 3 + 1 + 5);
}

static void
test_x0_and_registers(void **state)
{
    struct h *h = *state;
    rv_reg_set(h->cpu, 0, 55);
    assert_int_equal(rv_reg_get(h->cpu, 0), 0);
    assert_int_equal(rv_reg_get(h->cpu, 40), 0);
    rv_reg_set(h->cpu, 31, 9);
    assert_int_equal(rv_reg_get(h->cpu, 31), 9);
    rv_pc_set(h->cpu, 0x2001);
    assert_int_equal(rv_pc_get(h->cpu), 0x2000);
    assert_int_equal(rv_priv_get(h->cpu), RV_PRIV_S);
    rv_cpu_reset(h->cpu, 0x3000);
    assert_int_equal(rv_reg_get(h->cpu, 31), 0);
    assert_int_equal(rv_pc_get(h->cpu), 0x3000);
    assert_true(rv_cpu_footprint(h->cpu) > 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alu, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_muldiv, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_loads_stores, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_branches_and_jumps, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_compressed, h_setup, h_teardown),
        cmocka_unit_test(test_decode_expand),
        cmocka_unit_test_setup_teardown(test_amo, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_csr_basic, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_instret_exact, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_instret_across_page_fallthrough, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_instret_side_exits, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_x0_and_registers, h_setup, h_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
