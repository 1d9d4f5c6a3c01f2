/* SPDX-License-Identifier: MIT */
/*
 * tests/test_rv_enc.h - a tiny RISC-V instruction encoder for the CPU's unit
 * tests: build programs word by word into a buffer, then copy them into
 * guest storage.  Written from the instruction formats of the unprivileged
 * specification, independently of the decoder under test.
 */
#ifndef TESTS_TEST_RV_ENC_H
#define TESTS_TEST_RV_ENC_H

#include <stdint.h>
#include <string.h>

/* Register numbers by ABI name. */
enum {
    ZERO = 0, RA, SP, GP, TP, T0, T1, T2, S0, S1, A0, A1, A2, A3, A4, A5, A6, A7,
    S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, T3, T4, T5, T6
};

static inline uint32_t
enc_r(uint32_t opc, unsigned rd, unsigned f3, unsigned rs1, unsigned rs2, unsigned f7)
{
    return opc | rd << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | f7 << 25;
}
static inline uint32_t
enc_i(uint32_t opc, unsigned rd, unsigned f3, unsigned rs1, int32_t imm)
{
    return opc | rd << 7 | f3 << 12 | rs1 << 15 | ((uint32_t)imm & 0xfffu) << 20;
}
static inline uint32_t
enc_s(uint32_t opc, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return opc | (u & 0x1f) << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | (u >> 5 & 0x7f) << 25;
}
static inline uint32_t
enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t off)
{
    uint32_t u = (uint32_t)off;
    return 0x63 | (u >> 11 & 1) << 7 | (u >> 1 & 0xf) << 8 | f3 << 12 | rs1 << 15 | rs2 << 20 |
           (u >> 5 & 0x3f) << 25 | (u >> 12 & 1) << 31;
}
static inline uint32_t
enc_u(uint32_t opc, unsigned rd, uint32_t imm20)
{
    return opc | rd << 7 | (imm20 & 0xfffffu) << 12;
}
static inline uint32_t
enc_j(unsigned rd, int32_t off)
{
    uint32_t u = (uint32_t)off;
    return 0x6f | rd << 7 | (u >> 12 & 0xff) << 12 | (u >> 11 & 1) << 20 | (u >> 1 & 0x3ff) << 21 |
           (u >> 20 & 1) << 31;
}

/* RV64I */
#define LUI(rd, imm20) enc_u(0x37, rd, imm20)
#define AUIPC(rd, imm20) enc_u(0x17, rd, imm20)
#define JAL(rd, off) enc_j(rd, off)
#define JALR(rd, rs1, imm) enc_i(0x67, rd, 0, rs1, imm)
#define BEQ(a, b, off) enc_b(0, a, b, off)
#define BNE(a, b, off) enc_b(1, a, b, off)
#define BLT(a, b, off) enc_b(4, a, b, off)
#define BGE(a, b, off) enc_b(5, a, b, off)
#define BLTU(a, b, off) enc_b(6, a, b, off)
#define BGEU(a, b, off) enc_b(7, a, b, off)
#define LB(rd, rs1, imm) enc_i(0x03, rd, 0, rs1, imm)
#define LH(rd, rs1, imm) enc_i(0x03, rd, 1, rs1, imm)
#define LW(rd, rs1, imm) enc_i(0x03, rd, 2, rs1, imm)
#define LD(rd, rs1, imm) enc_i(0x03, rd, 3, rs1, imm)
#define LBU(rd, rs1, imm) enc_i(0x03, rd, 4, rs1, imm)
#define LHU(rd, rs1, imm) enc_i(0x03, rd, 5, rs1, imm)
#define LWU(rd, rs1, imm) enc_i(0x03, rd, 6, rs1, imm)
#define SB(rs2, rs1, imm) enc_s(0x23, 0, rs1, rs2, imm)
#define SH(rs2, rs1, imm) enc_s(0x23, 1, rs1, rs2, imm)
#define SW(rs2, rs1, imm) enc_s(0x23, 2, rs1, rs2, imm)
#define SD(rs2, rs1, imm) enc_s(0x23, 3, rs1, rs2, imm)
#define ADDI(rd, rs1, imm) enc_i(0x13, rd, 0, rs1, imm)
#define SLTI(rd, rs1, imm) enc_i(0x13, rd, 2, rs1, imm)
#define SLTIU(rd, rs1, imm) enc_i(0x13, rd, 3, rs1, imm)
#define XORI(rd, rs1, imm) enc_i(0x13, rd, 4, rs1, imm)
#define ORI(rd, rs1, imm) enc_i(0x13, rd, 6, rs1, imm)
#define ANDI(rd, rs1, imm) enc_i(0x13, rd, 7, rs1, imm)
#define SLLI(rd, rs1, sh) enc_i(0x13, rd, 1, rs1, sh)
#define SRLI(rd, rs1, sh) enc_i(0x13, rd, 5, rs1, sh)
#define SRAI(rd, rs1, sh) enc_i(0x13, rd, 5, rs1, 0x400 | (sh))
#define ADDIW(rd, rs1, imm) enc_i(0x1b, rd, 0, rs1, imm)
#define SLLIW(rd, rs1, sh) enc_i(0x1b, rd, 1, rs1, sh)
#define SRLIW(rd, rs1, sh) enc_i(0x1b, rd, 5, rs1, sh)
#define SRAIW(rd, rs1, sh) enc_i(0x1b, rd, 5, rs1, 0x400 | (sh))
#define ADD(rd, a, b) enc_r(0x33, rd, 0, a, b, 0)
#define SUB(rd, a, b) enc_r(0x33, rd, 0, a, b, 0x20)
#define SLL(rd, a, b) enc_r(0x33, rd, 1, a, b, 0)
#define SLT(rd, a, b) enc_r(0x33, rd, 2, a, b, 0)
#define SLTU(rd, a, b) enc_r(0x33, rd, 3, a, b, 0)
#define XOR(rd, a, b) enc_r(0x33, rd, 4, a, b, 0)
#define SRL(rd, a, b) enc_r(0x33, rd, 5, a, b, 0)
#define SRA(rd, a, b) enc_r(0x33, rd, 5, a, b, 0x20)
#define OR(rd, a, b) enc_r(0x33, rd, 6, a, b, 0)
#define AND(rd, a, b) enc_r(0x33, rd, 7, a, b, 0)
#define ADDW(rd, a, b) enc_r(0x3b, rd, 0, a, b, 0)
#define SUBW(rd, a, b) enc_r(0x3b, rd, 0, a, b, 0x20)
#define SLLW(rd, a, b) enc_r(0x3b, rd, 1, a, b, 0)
#define SRLW(rd, a, b) enc_r(0x3b, rd, 5, a, b, 0)
#define SRAW(rd, a, b) enc_r(0x3b, rd, 5, a, b, 0x20)
#define FENCE() 0x0ff0000fu
#define FENCE_I() 0x0000100fu
#define ECALL() 0x00000073u
#define EBREAK() 0x00100073u
#define SRET() 0x10200073u
#define MRET() 0x30200073u
#define WFI() 0x10500073u
#define SFENCE_VMA(a, b) enc_r(0x73, 0, 0, a, b, 0x09)
#define NOP() ADDI(0, 0, 0)
/* RV64M */
#define MUL(rd, a, b) enc_r(0x33, rd, 0, a, b, 1)
#define MULH(rd, a, b) enc_r(0x33, rd, 1, a, b, 1)
#define MULHSU(rd, a, b) enc_r(0x33, rd, 2, a, b, 1)
#define MULHU(rd, a, b) enc_r(0x33, rd, 3, a, b, 1)
#define DIV(rd, a, b) enc_r(0x33, rd, 4, a, b, 1)
#define DIVU(rd, a, b) enc_r(0x33, rd, 5, a, b, 1)
#define REM(rd, a, b) enc_r(0x33, rd, 6, a, b, 1)
#define REMU(rd, a, b) enc_r(0x33, rd, 7, a, b, 1)
#define MULW(rd, a, b) enc_r(0x3b, rd, 0, a, b, 1)
#define DIVW(rd, a, b) enc_r(0x3b, rd, 4, a, b, 1)
#define DIVUW(rd, a, b) enc_r(0x3b, rd, 5, a, b, 1)
#define REMW(rd, a, b) enc_r(0x3b, rd, 6, a, b, 1)
#define REMUW(rd, a, b) enc_r(0x3b, rd, 7, a, b, 1)
/* RV64A: width 2 = .w, 3 = .d */
#define AMO(f5, w, rd, rs1, rs2) enc_r(0x2f, rd, w, rs1, rs2, (f5) << 2)
#define LR_W(rd, rs1) AMO(0x02, 2, rd, rs1, 0)
#define LR_D(rd, rs1) AMO(0x02, 3, rd, rs1, 0)
#define SC_W(rd, rs1, rs2) AMO(0x03, 2, rd, rs1, rs2)
#define SC_D(rd, rs1, rs2) AMO(0x03, 3, rd, rs1, rs2)
#define AMOADD_W(rd, rs1, rs2) AMO(0x00, 2, rd, rs1, rs2)
#define AMOADD_D(rd, rs1, rs2) AMO(0x00, 3, rd, rs1, rs2)
#define AMOSWAP_D(rd, rs1, rs2) AMO(0x01, 3, rd, rs1, rs2)
#define AMOMAXU_W(rd, rs1, rs2) AMO(0x1c, 2, rd, rs1, rs2)
/* Zicsr */
#define CSRRW(rd, csr, rs1) enc_i(0x73, rd, 1, rs1, (int32_t)(csr))
#define CSRRS(rd, csr, rs1) enc_i(0x73, rd, 2, rs1, (int32_t)(csr))
#define CSRRC(rd, csr, rs1) enc_i(0x73, rd, 3, rs1, (int32_t)(csr))
#define CSRRWI(rd, csr, u) enc_i(0x73, rd, 5, u, (int32_t)(csr))
#define CSRRSI(rd, csr, u) enc_i(0x73, rd, 6, u, (int32_t)(csr))
#define CSRRCI(rd, csr, u) enc_i(0x73, rd, 7, u, (int32_t)(csr))
#define CSRR(rd, csr) CSRRS(rd, csr, 0)
#define CSRW(csr, rs1) CSRRW(0, csr, rs1)

/* CSR numbers */
#define SSTATUS 0x100
#define SIE 0x104
#define STVEC 0x105
#define SCOUNTEREN 0x106
#define SENVCFG 0x10a
#define SSCRATCH 0x140
#define SEPC 0x141
#define SCAUSE 0x142
#define STVAL 0x143
#define SIP 0x144
#define SATP 0x180
#define CYCLE 0xc00
#define TIME 0xc01
#define INSTRET 0xc02
#define MSTATUS 0x300

/* A program under construction at guest address base. */
struct prog {
    uint64_t base;
    uint32_t len;
    uint8_t buf[16384];
};

static inline void
prog_init(struct prog *p, uint64_t base)
{
    p->base = base;
    p->len = 0;
    memset(p->buf, 0, sizeof p->buf);
}

/* The guest address the next instruction gets. */
static inline uint64_t
prog_pc(const struct prog *p)
{
    return p->base + p->len;
}

static inline uint64_t
emit(struct prog *p, uint32_t insn)
{
    uint64_t at = prog_pc(p);
    memcpy(p->buf + p->len, &insn, 4);
    p->len += 4;
    return at;
}

static inline uint64_t
emit16(struct prog *p, uint16_t insn)
{
    uint64_t at = prog_pc(p);
    memcpy(p->buf + p->len, &insn, 2);
    p->len += 2;
    return at;
}

/* li rd, v for any 64-bit v (lui/addi/slli sequence, no memory). */
static inline void
emit_li(struct prog *p, unsigned rd, uint64_t v)
{
    int64_t s = (int64_t)v;
    if (s >= -2048 && s < 2048) {
        emit(p, ADDI(rd, 0, (int32_t)s));
        return;
    }
    if (s >= INT32_MIN && s <= INT32_MAX) {
        int32_t lo = (int32_t)((int64_t)((uint64_t)s << 52) >> 52);
        uint32_t hi = (uint32_t)((s - lo) >> 12) & 0xfffff;
        emit(p, LUI(rd, hi));
        if (lo != 0) {
            emit(p, ADDIW(rd, rd, lo));
        }
        return;
    }
    /* Upper part first, then shift in 11 bits at a time. */
    int32_t lo = (int32_t)((int64_t)((uint64_t)s << 53) >> 53);
    emit_li(p, rd, (uint64_t)((s - lo) >> 11));
    emit(p, SLLI(rd, rd, 11));
    if (lo != 0) {
        emit(p, ADDI(rd, rd, lo));
    }
}

/* Branch/jump offsets: from the instruction at `at` to `to`. */
static inline int32_t
rel(uint64_t at, uint64_t to)
{
    return (int32_t)(to - at);
}

/* Patches a 32-bit instruction at guest address at. */
static inline void
prog_patch(struct prog *p, uint64_t at, uint32_t insn)
{
    memcpy(p->buf + (at - p->base), &insn, 4);
}

#endif /* TESTS_TEST_RV_ENC_H */
