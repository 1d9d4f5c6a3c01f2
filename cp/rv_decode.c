// SPDX-License-Identifier: MIT
/*
 * cp/rv_decode.c - the instruction decoder of the scan-and-translate step:
 * one RV64IMAC + Zicsr + Zifencei instruction (32-bit, or 16-bit expanded
 * to its 32-bit form first) into one pre-decoded op (cp/rv_int.h).
 *
 * Sensitive instructions (CSR access, sret, wfi, sfence.vma, ecall, ebreak,
 * fence.i) and every reserved or unknown encoding become ops that call into
 * CP's emulation; an illegal op keeps the instruction bits for stval.
 * Writes to x0 are folded here: pure ops become NOP, ops that must still
 * run (loads, links) write the sink register.
 */
#include "config.h"

#include "cp/rv_decode.h"

/* ---- field extraction ---------------------------------------------------- */

/* Sign-extends the low n bits of v. */
static inline int32_t
sext(uint32_t v, unsigned n)
{
    return (int32_t)(v << (32 - n)) >> (32 - n);
}

static inline int32_t
imm_i(uint32_t w)
{
    return (int32_t)w >> 20;
}

static inline int32_t
imm_s(uint32_t w)
{
    return sext((w >> 25) << 5 | ((w >> 7) & 31), 12);
}

static inline int32_t
imm_b(uint32_t w)
{
    return sext((w >> 31) << 12 | ((w >> 7) & 1) << 11 | ((w >> 25) & 63) << 5 |
                    ((w >> 8) & 15) << 1,
                13);
}

static inline int32_t
imm_j(uint32_t w)
{
    return sext((w >> 31) << 20 | ((w >> 12) & 255) << 12 | ((w >> 20) & 1) << 11 |
                    ((w >> 21) & 1023) << 1,
                21);
}

/* ---- 32-bit encoders used to expand compressed instructions -------------- */

static uint32_t
enc_i(uint32_t opc, unsigned rd, unsigned f3, unsigned rs1, int32_t imm)
{
    return opc | rd << 7 | f3 << 12 | rs1 << 15 | ((uint32_t)imm & 0xfff) << 20;
}

static uint32_t
enc_r(uint32_t opc, unsigned rd, unsigned f3, unsigned rs1, unsigned rs2, unsigned f7)
{
    return opc | rd << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | f7 << 25;
}

static uint32_t
enc_s(uint32_t opc, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return opc | (u & 31) << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | ((u >> 5) & 127) << 25;
}

static uint32_t
enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return 0x63 | ((u >> 11) & 1) << 7 | ((u >> 1) & 15) << 8 | f3 << 12 | rs1 << 15 |
           rs2 << 20 | ((u >> 5) & 63) << 25 | ((u >> 12) & 1) << 31;
}

static uint32_t
enc_j(unsigned rd, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return 0x6f | rd << 7 | ((u >> 12) & 255) << 12 | ((u >> 11) & 1) << 20 |
           ((u >> 1) & 1023) << 21 | ((u >> 20) & 1) << 31;
}

static uint32_t
enc_u(uint32_t opc, unsigned rd, int32_t imm)
{
    return opc | rd << 7 | ((uint32_t)imm & 0xfffff000u);
}

#define OPC_LOAD 0x03
#define OPC_OPIMM 0x13
#define OPC_OPIMM32 0x1b
#define OPC_STORE 0x23
#define OPC_OP 0x33
#define OPC_LUI 0x37
#define OPC_OP32 0x3b
#define OPC_JALR 0x67

static inline unsigned
bit(uint32_t h, unsigned n)
{
    return (h >> n) & 1;
}

static inline unsigned
bits(uint32_t h, unsigned hi, unsigned lo)
{
    return (h >> lo) & ((1u << (hi - lo + 1)) - 1);
}

uint32_t
rv_expand_c(uint16_t c)
{
    uint32_t h = c;
    unsigned q = h & 3, f3 = bits(h, 15, 13);
    unsigned rdp = 8 + bits(h, 4, 2), rs1p = 8 + bits(h, 9, 7);
    unsigned rd = bits(h, 11, 7), rs2 = bits(h, 6, 2);
    int32_t imm6 = sext(bit(h, 12) << 5 | bits(h, 6, 2), 6);

    if (q == 0) {
        switch (f3) {
        case 0: { /* c.addi4spn */
            uint32_t nz = bits(h, 12, 11) << 4 | bits(h, 10, 7) << 6 | bit(h, 6) << 2 |
                          bit(h, 5) << 3;
            return nz ? enc_i(OPC_OPIMM, rdp, 0, 2, (int32_t)nz) : 0;
        }
        case 2: /* c.lw */
            return enc_i(OPC_LOAD, rdp, 2, rs1p,
                         (int32_t)(bits(h, 12, 10) << 3 | bit(h, 6) << 2 | bit(h, 5) << 6));
        case 3: /* c.ld */
            return enc_i(OPC_LOAD, rdp, 3, rs1p, (int32_t)(bits(h, 12, 10) << 3 | bits(h, 6, 5) << 6));
        case 6: /* c.sw */
            return enc_s(OPC_STORE, 2, rs1p, rdp,
                         (int32_t)(bits(h, 12, 10) << 3 | bit(h, 6) << 2 | bit(h, 5) << 6));
        case 7: /* c.sd */
            return enc_s(OPC_STORE, 3, rs1p, rdp, (int32_t)(bits(h, 12, 10) << 3 | bits(h, 6, 5) << 6));
        default: /* c.fld, c.fsd (no D), reserved */
            return 0;
        }
    }
    if (q == 1) {
        switch (f3) {
        case 0: /* c.addi, c.nop and hints */
            return enc_i(OPC_OPIMM, rd, 0, rd, imm6);
        case 1: /* c.addiw */
            return rd ? enc_i(OPC_OPIMM32, rd, 0, rd, imm6) : 0;
        case 2: /* c.li */
            return enc_i(OPC_OPIMM, rd, 0, 0, imm6);
        case 3:
            if (rd == 2) { /* c.addi16sp */
                int32_t nz = sext(bit(h, 12) << 9 | bit(h, 6) << 4 | bit(h, 5) << 6 |
                                      bits(h, 4, 3) << 7 | bit(h, 2) << 5,
                                  10);
                return nz ? enc_i(OPC_OPIMM, 2, 0, 2, nz) : 0;
            } else { /* c.lui */
                int32_t nz = sext(bit(h, 12) << 17 | bits(h, 6, 2) << 12, 18);
                return nz ? enc_u(OPC_LUI, rd, nz) : 0;
            }
        case 4: {
            unsigned sh = bit(h, 12) << 5 | bits(h, 6, 2);
            switch (bits(h, 11, 10)) {
            case 0: /* c.srli */
                return enc_i(OPC_OPIMM, rs1p, 5, rs1p, (int32_t)sh);
            case 1: /* c.srai */
                return enc_i(OPC_OPIMM, rs1p, 5, rs1p, (int32_t)(sh | 0x400));
            case 2: /* c.andi */
                return enc_i(OPC_OPIMM, rs1p, 7, rs1p, imm6);
            default: {
                static const uint8_t f3s[4] = {0, 4, 6, 7}; /* sub xor or and */
                unsigned k = bits(h, 6, 5);
                if (!bit(h, 12)) {
                    return enc_r(OPC_OP, rs1p, f3s[k], rs1p, rdp, k == 0 ? 0x20 : 0);
                }
                if (k == 0) { /* c.subw */
                    return enc_r(OPC_OP32, rs1p, 0, rs1p, rdp, 0x20);
                }
                if (k == 1) { /* c.addw */
                    return enc_r(OPC_OP32, rs1p, 0, rs1p, rdp, 0);
                }
                return 0;
            }
            }
        }
        case 5: /* c.j */
            return enc_j(0, sext(bit(h, 12) << 11 | bit(h, 11) << 4 | bits(h, 10, 9) << 8 |
                                     bit(h, 8) << 10 | bit(h, 7) << 6 | bit(h, 6) << 7 |
                                     bits(h, 5, 3) << 1 | bit(h, 2) << 5,
                                 12));
        default: { /* c.beqz, c.bnez */
            int32_t off = sext(bit(h, 12) << 8 | bits(h, 11, 10) << 3 | bits(h, 6, 5) << 6 |
                                   bits(h, 4, 3) << 1 | bit(h, 2) << 5,
                               9);
            return enc_b(f3 == 6 ? 0 : 1, rs1p, 0, off);
        }
        }
    }
    if (q == 2) {
        switch (f3) {
        case 0: /* c.slli */
            return enc_i(OPC_OPIMM, rd, 1, rd, (int32_t)(bit(h, 12) << 5 | bits(h, 6, 2)));
        case 2: /* c.lwsp */
            return rd ? enc_i(OPC_LOAD, rd, 2, 2,
                              (int32_t)(bit(h, 12) << 5 | bits(h, 6, 4) << 2 | bits(h, 3, 2) << 6))
                      : 0;
        case 3: /* c.ldsp */
            return rd ? enc_i(OPC_LOAD, rd, 3, 2,
                              (int32_t)(bit(h, 12) << 5 | bits(h, 6, 5) << 3 | bits(h, 4, 2) << 6))
                      : 0;
        case 4:
            if (!bit(h, 12)) {
                if (rs2 == 0) { /* c.jr */
                    return rd ? enc_i(OPC_JALR, 0, 0, rd, 0) : 0;
                }
                return enc_r(OPC_OP, rd, 0, 0, rs2, 0); /* c.mv */
            }
            if (rs2 == 0) {
                if (rd == 0) {
                    return 0x00100073; /* c.ebreak */
                }
                return enc_i(OPC_JALR, 1, 0, rd, 0); /* c.jalr */
            }
            return enc_r(OPC_OP, rd, 0, rd, rs2, 0); /* c.add */
        case 6: /* c.swsp */
            return enc_s(OPC_STORE, 2, 2, rs2, (int32_t)(bits(h, 12, 9) << 2 | bits(h, 8, 7) << 6));
        case 7: /* c.sdsp */
            return enc_s(OPC_STORE, 3, 2, rs2, (int32_t)(bits(h, 12, 10) << 3 | bits(h, 9, 7) << 6));
        default: /* c.fldsp, c.fsdsp */
            return 0;
        }
    }
    return 0;
}

/* ---- the 32-bit decoder -------------------------------------------------- */

static const uint8_t op_imm_k[8] = {
    RV_OPK_ADDI, RV_OPK_SLLI, RV_OPK_SLTI, RV_OPK_SLTIU,
    RV_OPK_XORI, RV_OPK_SRLI, RV_OPK_ORI, RV_OPK_ANDI,
};
static const uint8_t op_k[8] = {
    RV_OPK_ADD, RV_OPK_SLL, RV_OPK_SLT, RV_OPK_SLTU, RV_OPK_XOR, RV_OPK_SRL, RV_OPK_OR, RV_OPK_AND,
};
static const uint8_t op_m_k[8] = {
    RV_OPK_MUL, RV_OPK_MULH, RV_OPK_MULHSU, RV_OPK_MULHU,
    RV_OPK_DIV, RV_OPK_DIVU, RV_OPK_REM, RV_OPK_REMU,
};
static const uint8_t op32_m_k[8] = {
    RV_OPK_MULW, 0, 0, 0, RV_OPK_DIVW, RV_OPK_DIVUW, RV_OPK_REMW, RV_OPK_REMUW,
};
static const uint8_t load_k[8] = {
    RV_OPK_LB, RV_OPK_LH, RV_OPK_LW, RV_OPK_LD, RV_OPK_LBU, RV_OPK_LHU, RV_OPK_LWU, 0,
};
static const uint8_t branch_k[8] = {
    RV_OPK_BEQ, RV_OPK_BNE, 0, 0, RV_OPK_BLT, RV_OPK_BGE, RV_OPK_BLTU, RV_OPK_BGEU,
};

/* AMO funct5 values that exist (LR needs rs2 = 0). */
static bool
amo_valid(uint32_t w)
{
    unsigned f5 = w >> 27;
    switch (f5) {
    case 0x02:
        return ((w >> 20) & 31) == 0;
    case 0x00: case 0x01: case 0x03: case 0x04: case 0x08: case 0x0c:
    case 0x10: case 0x14: case 0x18: case 0x1c:
        return true;
    default:
        return false;
    }
}

static void
set(struct rv_dop *d, enum rv_opk k, unsigned rd, unsigned rs1, unsigned rs2, int32_t imm)
{
    d->k = k;
    d->rd = (uint8_t)rd;
    d->rs1 = (uint8_t)rs1;
    d->rs2 = (uint8_t)rs2;
    d->imm = imm;
}

/* A pure op writing x0 does nothing. */
static void
set_alu(struct rv_dop *d, enum rv_opk k, unsigned rd, unsigned rs1, unsigned rs2, int32_t imm)
{
    if (rd == 0) {
        set(d, RV_OPK_NOP, 0, 0, 0, 0);
    } else {
        set(d, k, rd, rs1, rs2, imm);
    }
}

static void
illegal(struct rv_dop *d, uint32_t bits_for_tval)
{
    set(d, RV_OPK_ILLEGAL, 0, 0, 0, (int32_t)bits_for_tval);
    d->end = true;
}

void
rv_decode(uint32_t w, struct rv_dop *d)
{
    unsigned rd = (w >> 7) & 31, f3 = (w >> 12) & 7, rs1 = (w >> 15) & 31, rs2 = (w >> 20) & 31;
    unsigned f7 = w >> 25;
    d->end = false;
    d->target = 0;
    switch (w & 0x7f) {
    case OPC_LUI:
        set_alu(d, RV_OPK_LI, rd, 0, 0, (int32_t)(w & 0xfffff000u));
        return;
    case 0x17: /* auipc: imm is the offset from the instruction */
        set_alu(d, RV_OPK_AUIPC, rd, 0, 0, (int32_t)(w & 0xfffff000u));
        return;
    case 0x6f: /* jal */
        set(d, RV_OPK_JAL, rd ? rd : RV_SINK, 0, 0, 0);
        d->target = imm_j(w);
        d->end = true;
        return;
    case OPC_JALR:
        if (f3 != 0) {
            break;
        }
        set(d, RV_OPK_JALR, rd ? rd : RV_SINK, rs1, 0, imm_i(w));
        d->end = true;
        return;
    case 0x63:
        if (branch_k[f3] == 0 && f3 != 0) {
            break;
        }
        set(d, (enum rv_opk)branch_k[f3], 0, rs1, rs2, 0);
        d->target = imm_b(w);
        d->end = true;
        return;
    case OPC_LOAD:
        if (f3 == 7) {
            break;
        }
        set(d, (enum rv_opk)load_k[f3], rd ? rd : RV_SINK, rs1, 0, imm_i(w));
        return;
    case OPC_STORE:
        if (f3 > 3) {
            break;
        }
        set(d, (enum rv_opk)(RV_OPK_SB + f3), 0, rs1, rs2, imm_s(w));
        return;
    case OPC_OPIMM:
        if (f3 == 1 && (w >> 26) != 0) {
            break;
        }
        if (f3 == 5) {
            unsigned f6 = w >> 26;
            if (f6 != 0 && f6 != 0x10) {
                break;
            }
            set_alu(d, f6 ? RV_OPK_SRAI : RV_OPK_SRLI, rd, rs1, 0, (int32_t)((w >> 20) & 63));
            return;
        }
        if (f3 == 1) {
            set_alu(d, RV_OPK_SLLI, rd, rs1, 0, (int32_t)((w >> 20) & 63));
            return;
        }
        if (f3 == 0 && rs1 == 0) {
            set_alu(d, RV_OPK_LI, rd, 0, 0, imm_i(w));
            return;
        }
        if (f3 == 0 && imm_i(w) == 0) {
            set_alu(d, RV_OPK_MV, rd, rs1, 0, 0);
            return;
        }
        set_alu(d, (enum rv_opk)op_imm_k[f3], rd, rs1, 0, imm_i(w));
        return;
    case OPC_OPIMM32:
        if (f3 == 0) {
            set_alu(d, RV_OPK_ADDIW, rd, rs1, 0, imm_i(w));
            return;
        }
        if (f3 == 1 && f7 == 0) {
            set_alu(d, RV_OPK_SLLIW, rd, rs1, 0, (int32_t)rs2);
            return;
        }
        if (f3 == 5 && (f7 == 0 || f7 == 0x20)) {
            set_alu(d, f7 ? RV_OPK_SRAIW : RV_OPK_SRLIW, rd, rs1, 0, (int32_t)rs2);
            return;
        }
        break;
    case OPC_OP:
        if (f7 == 0) {
            if (f3 == 0 && rs1 == 0) {
                set_alu(d, RV_OPK_MV, rd, rs2, 0, 0);
                return;
            }
            set_alu(d, (enum rv_opk)op_k[f3], rd, rs1, rs2, 0);
            return;
        }
        if (f7 == 1) {
            set_alu(d, (enum rv_opk)op_m_k[f3], rd, rs1, rs2, 0);
            return;
        }
        if (f7 == 0x20 && (f3 == 0 || f3 == 5)) {
            set_alu(d, f3 ? RV_OPK_SRA : RV_OPK_SUB, rd, rs1, rs2, 0);
            return;
        }
        break;
    case OPC_OP32:
        if (f7 == 0 && (f3 == 0 || f3 == 1 || f3 == 5)) {
            set_alu(d, f3 == 0 ? RV_OPK_ADDW : f3 == 1 ? RV_OPK_SLLW : RV_OPK_SRLW, rd, rs1,
                    rs2, 0);
            return;
        }
        if (f7 == 0x20 && (f3 == 0 || f3 == 5)) {
            set_alu(d, f3 ? RV_OPK_SRAW : RV_OPK_SUBW, rd, rs1, rs2, 0);
            return;
        }
        if (f7 == 1 && op32_m_k[f3] != 0) {
            set_alu(d, (enum rv_opk)op32_m_k[f3], rd, rs1, rs2, 0);
            return;
        }
        break;
    case 0x0f: /* misc-mem */
        if (f3 == 0) {
            set(d, RV_OPK_NOP, 0, 0, 0, 0); /* fence: one hart, in order */
            return;
        }
        if (f3 == 1) {
            set(d, RV_OPK_FENCEI, 0, 0, 0, 0);
            d->end = true;
            return;
        }
        break;
    case 0x2f: /* AMO */
        if ((f3 != 2 && f3 != 3) || !amo_valid(w)) {
            break;
        }
        set(d, RV_OPK_AMO, rd, rs1, rs2, (int32_t)w);
        return;
    case 0x73: /* system */
        if (f3 == 0) {
            if (w == 0x00000073) {
                set(d, RV_OPK_ECALL, 0, 0, 0, 0);
            } else if (w == 0x00100073) {
                set(d, RV_OPK_EBREAK, 0, 0, 0, 0);
            } else if (w == 0x10200073) {
                set(d, RV_OPK_SRET, 0, 0, 0, (int32_t)w);
            } else if (w == 0x10500073) {
                set(d, RV_OPK_WFI, 0, 0, 0, (int32_t)w);
            } else if (f7 == 0x09 && rd == 0) {
                set(d, RV_OPK_SFENCE, 0, 0, 0, (int32_t)w);
                return; /* a no-op in S-mode: the block goes on */
            } else {
                break;
            }
            d->end = true;
            return;
        }
        if (f3 == 4) {
            break;
        }
        set(d, RV_OPK_CSR, rd, rs1, 0, (int32_t)w);
        return;
    default:
        break;
    }
    illegal(d, w);
}

unsigned
rv_decode_at(uint16_t lo, uint16_t hi, struct rv_dop *d)
{
    if ((lo & 3) != 3) {
        uint32_t w = rv_expand_c(lo);
        if (w == 0) {
            illegal(d, lo);
        } else {
            rv_decode(w, d);
            if (d->k == RV_OPK_ILLEGAL) {
                d->imm = lo;
            }
        }
        return 2;
    }
    rv_decode((uint32_t)lo | (uint32_t)hi << 16, d);
    return 4;
}
