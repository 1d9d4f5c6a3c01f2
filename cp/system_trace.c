// SPDX-License-Identifier: MIT
/*
 * cp/system_trace.c - the text of TRACE lines: a small RISC-V disassembler
 * (RV64IMAC with Zicsr/Zifencei and the privileged instructions a virtual
 * S-mode guest uses) and the names of trap causes.
 *
 * Only formatting: no state, no locks.  The callers (cp/system_vm.c) get the
 * events from the CPU's trace hooks (cp/rv.h, struct rv_trace) and write the
 * lines to the user's console.  Compressed instructions are shown by their
 * 32-bit expansion (rv_expand_c), after the 16-bit encoding.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cp/rv_decode.h"
#include "cp/system.h"

static const char *const reg_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

#define RD(w) reg_names[((w) >> 7) & 31]
#define RS1(w) reg_names[((w) >> 15) & 31]
#define RS2(w) reg_names[((w) >> 20) & 31]
#define F3(w) (((w) >> 12) & 7)
#define F7(w) ((w) >> 25)

/* Sign-extends the low `bits` bits of v. */
static int64_t
sext(uint64_t v, unsigned bits)
{
    uint64_t m = 1ull << (bits - 1);
    return (int64_t)((v ^ m) - m);
}

static int64_t
imm_i(uint32_t w)
{
    return sext(w >> 20, 12);
}

static int64_t
imm_s(uint32_t w)
{
    return sext((uint64_t)(w >> 25) << 5 | ((w >> 7) & 31), 12);
}

static int64_t
imm_b(uint32_t w)
{
    return sext((uint64_t)(w >> 31) << 12 | (uint64_t)((w >> 7) & 1) << 11 |
                    (uint64_t)((w >> 25) & 63) << 5 | (uint64_t)((w >> 8) & 15) << 1,
                13);
}

static int64_t
imm_j(uint32_t w)
{
    return sext((uint64_t)(w >> 31) << 20 | (uint64_t)((w >> 12) & 255) << 12 |
                    (uint64_t)((w >> 20) & 1) << 11 | (uint64_t)((w >> 21) & 1023) << 1,
                21);
}

/* Names by funct3 (NULL: reserved). */
static const char *const loads[8] = {"lb", "lh", "lw", "ld", "lbu", "lhu", "lwu", NULL};
static const char *const stores[8] = {"sb", "sh", "sw", "sd", NULL, NULL, NULL, NULL};
static const char *const branches[8] = {"beq", "bne", NULL, NULL, "blt", "bge", "bltu", "bgeu"};
static const char *const op_imm[8] = {"addi", "slli", "slti", "sltiu", "xori", NULL, "ori", "andi"};
static const char *const op_reg[8] = {"add", "sll", "slt", "sltu", "xor", "srl", "or", "and"};
static const char *const op_mul[8] = {"mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"};
static const char *const op_w[8] = {"addw", "sllw", NULL, NULL, NULL, "srlw", NULL, NULL};
static const char *const op_mulw[8] = {"mulw", NULL, NULL, NULL, "divw", "divuw", "remw", "remuw"};
static const char *const csr_ops[8] = {NULL, "csrrw", "csrrs", "csrrc", NULL, "csrrwi", "csrrsi", "csrrci"};

/* AMO by funct5. */
static const struct {
    unsigned f5;
    const char *name;
} amos[] = {
    {0x02, "lr"}, {0x03, "sc"}, {0x01, "amoswap"}, {0x00, "amoadd"}, {0x04, "amoxor"},
    {0x0c, "amoand"}, {0x08, "amoor"}, {0x10, "amomin"}, {0x14, "amomax"},
    {0x18, "amominu"}, {0x1c, "amomaxu"},
};

static const char *
csr_name(unsigned csr)
{
    static const struct {
        unsigned n;
        const char *name;
    } t[] = {
        {0x100, "sstatus"}, {0x104, "sie"},      {0x105, "stvec"},   {0x106, "scounteren"},
        {0x10a, "senvcfg"}, {0x140, "sscratch"}, {0x141, "sepc"},    {0x142, "scause"},
        {0x143, "stval"},   {0x144, "sip"},      {0x180, "satp"},    {0xc00, "cycle"},
        {0xc01, "time"},    {0xc02, "instret"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (t[i].n == csr) {
            return t[i].name;
        }
    }
    return NULL;
}

#define P(...) snprintf(buf, len, __VA_ARGS__)

static void
dis_system(uint32_t w, char *buf, size_t len)
{
    unsigned f3 = F3(w);
    if (f3 == 0) {
        switch (w) {
        case 0x00000073: P("ecall"); return;
        case 0x00100073: P("ebreak"); return;
        case 0x10200073: P("sret"); return;
        case 0x10500073: P("wfi"); return;
        default: break;
        }
        if (F7(w) == 0x09 && ((w >> 7) & 31) == 0) {
            P("sfence.vma %s,%s", RS1(w), RS2(w));
            return;
        }
        P("?");
        return;
    }
    if (!csr_ops[f3]) {
        P("?");
        return;
    }
    unsigned csr = w >> 20;
    char cn[16];
    const char *name = csr_name(csr);
    if (name) {
        snprintf(cn, sizeof cn, "%s", name);
    } else {
        snprintf(cn, sizeof cn, "0x%03x", csr);
    }
    if (f3 >= 5) {
        P("%s %s,%s,%u", csr_ops[f3], RD(w), cn, (w >> 15) & 31);
    } else {
        P("%s %s,%s,%s", csr_ops[f3], RD(w), cn, RS1(w));
    }
}

static void
dis_amo(uint32_t w, char *buf, size_t len)
{
    unsigned f5 = w >> 27;
    const char *sz = F3(w) == 2 ? "w" : F3(w) == 3 ? "d" : NULL;
    for (size_t i = 0; sz && i < sizeof amos / sizeof amos[0]; i++) {
        if (amos[i].f5 == f5) {
            if (f5 == 0x02) {
                P("lr.%s %s,(%s)", sz, RD(w), RS1(w));
            } else {
                P("%s.%s %s,%s,(%s)", amos[i].name, sz, RD(w), RS2(w), RS1(w));
            }
            return;
        }
    }
    P("?");
}

/* Register-register and register-immediate arithmetic (OP, OP-32, OP-IMM,
 * OP-IMM-32). */
static void
dis_alu(uint32_t w, char *buf, size_t len)
{
    unsigned op = w & 0x7f, f3 = F3(w), f7 = F7(w);
    const char *n = NULL;
    switch (op) {
    case 0x13:
        if (f3 == 1 || f3 == 5) {
            n = f3 == 1 ? "slli" : (w >> 30) & 1 ? "srai" : "srli";
            P("%s %s,%s,%u", n, RD(w), RS1(w), (w >> 20) & 63);
            return;
        }
        P("%s %s,%s,%lld", op_imm[f3], RD(w), RS1(w), (long long)imm_i(w));
        return;
    case 0x1b:
        if (f3 == 0) {
            P("addiw %s,%s,%lld", RD(w), RS1(w), (long long)imm_i(w));
            return;
        }
        if (f3 == 1 || f3 == 5) {
            n = f3 == 1 ? "slliw" : (w >> 30) & 1 ? "sraiw" : "srliw";
            P("%s %s,%s,%u", n, RD(w), RS1(w), (w >> 20) & 31);
            return;
        }
        break;
    case 0x33:
        n = f7 == 1 ? op_mul[f3] : f7 == 0 ? op_reg[f3]
            : f7 == 0x20 && f3 == 0 ? "sub" : f7 == 0x20 && f3 == 5 ? "sra" : NULL;
        break;
    case 0x3b:
        n = f7 == 1 ? op_mulw[f3] : f7 == 0 ? op_w[f3]
            : f7 == 0x20 && f3 == 0 ? "subw" : f7 == 0x20 && f3 == 5 ? "sraw" : NULL;
        break;
    default:
        break;
    }
    if (n) {
        P("%s %s,%s,%s", n, RD(w), RS1(w), RS2(w));
    } else {
        P("?");
    }
}

/* The 32-bit instruction w at pc. */
static void
dis32(uint64_t pc, uint32_t w, char *buf, size_t len)
{
    switch (w & 0x7f) {
    case 0x37:
        P("lui %s,0x%x", RD(w), w >> 12);
        return;
    case 0x17:
        P("auipc %s,0x%x", RD(w), w >> 12);
        return;
    case 0x6f:
        P("jal %s,%llx", RD(w), (unsigned long long)(pc + (uint64_t)imm_j(w)));
        return;
    case 0x67:
        P("jalr %s,%lld(%s)", RD(w), (long long)imm_i(w), RS1(w));
        return;
    case 0x63:
        if (branches[F3(w)]) {
            P("%s %s,%s,%llx", branches[F3(w)], RS1(w), RS2(w),
              (unsigned long long)(pc + (uint64_t)imm_b(w)));
            return;
        }
        break;
    case 0x03:
        if (loads[F3(w)]) {
            P("%s %s,%lld(%s)", loads[F3(w)], RD(w), (long long)imm_i(w), RS1(w));
            return;
        }
        break;
    case 0x23:
        if (stores[F3(w)]) {
            P("%s %s,%lld(%s)", stores[F3(w)], RS2(w), (long long)imm_s(w), RS1(w));
            return;
        }
        break;
    case 0x13: case 0x1b: case 0x33: case 0x3b:
        dis_alu(w, buf, len);
        return;
    case 0x73:
        dis_system(w, buf, len);
        return;
    case 0x2f:
        dis_amo(w, buf, len);
        return;
    case 0x0f:
        P("%s", F3(w) == 1 ? "fence.i" : "fence");
        return;
    default:
        break;
    }
    P("?");
}

void
cp_trace_insn_text(uint64_t pc, uint32_t bits, unsigned ilen, char *buf, size_t len)
{
    char dis[64];
    if (ilen == 2) {
        uint32_t w = rv_expand_c((uint16_t)bits);
        if (w == 0) {
            snprintf(dis, sizeof dis, "?");
        } else {
            dis32(pc, w, dis, sizeof dis);
        }
        snprintf(buf, len, "%08llX %04X     %s", (unsigned long long)pc, bits & 0xffff, dis);
    } else {
        dis32(pc, bits, dis, sizeof dis);
        snprintf(buf, len, "%08llX %08X %s", (unsigned long long)pc, bits, dis);
    }
}

void
cp_trace_trap_text(uint64_t cause, uint64_t epc, uint64_t tval, uint64_t handler, char *buf,
                   size_t len)
{
    static const char *const exc[16] = {
        "INSTRUCTION MISALIGNED", "INSTRUCTION ACCESS", "ILLEGAL INSTRUCTION", "BREAKPOINT",
        "LOAD MISALIGNED", "LOAD ACCESS", "STORE MISALIGNED", "STORE ACCESS",
        "ECALL FROM U", "ECALL FROM S", NULL, NULL, "INSTRUCTION PAGE", "LOAD PAGE", NULL,
        "STORE PAGE",
    };
    static const char *const irq[16] = {
        NULL, "SOFTWARE", NULL, NULL, NULL, "TIMER", NULL, NULL,
        NULL, "EXTERNAL", NULL, NULL, NULL, NULL, NULL, NULL,
    };
    bool intr = (cause >> 63) != 0;
    unsigned code = (unsigned)(cause & 0xffff);
    const char *name = code < 16 ? (intr ? irq : exc)[code] : NULL;
    if (intr) {
        snprintf(buf, len, "INTERRUPT %s (%u) AT %08llX -> %08llX", name ? name : "?", code,
                 (unsigned long long)epc, (unsigned long long)handler);
    } else {
        snprintf(buf, len, "TRAP %s (%u) AT %08llX TVAL %llX -> %08llX", name ? name : "?",
                 code, (unsigned long long)epc, (unsigned long long)tval,
                 (unsigned long long)handler);
    }
}
