// SPDX-License-Identifier: MIT
/*
 * cp/rv_csr.c - CP's emulation of the sensitive instructions on the virtual
 * hart's state: the CSRs an S-mode guest has, trap delivery to stvec, sret,
 * wfi and ecall (hypercalls to CP's hook from S-mode, reflected to the
 * guest from U-mode).
 *
 * The virtual hart has S-mode and U-mode only.  CSRs (numbers as in the
 * privileged specification):
 *   sstatus 0x100  SIE, SPIE, SPP, MXR writable; UXL reads 2 (64-bit)
 *   sie     0x104  SSIE, STIE, SEIE
 *   stvec   0x105  base (4-byte aligned), mode direct or vectored
 *   scounteren 0x106, senvcfg 0x10a (FIOM only), sscratch 0x140,
 *   sepc 0x141, scause 0x142, stval 0x143
 *   sip     0x144  SSIP writable; STIP = time >= comparator; SEIP = CP's level
 *   satp    0x180  Bare only: writes of any other mode are ignored
 *   cycle 0xc00 (= instret), time 0xc01, instret 0xc02, hpmcounter3..31
 *   (read 0): read-only, in U-mode only where scounteren allows.
 * Anything else, M-mode CSRs included, is an illegal instruction whose
 * stval is the instruction.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "cp/rv_int.h"
#include "vmrv/diag.h"

#define CSR_SSTATUS 0x100
#define CSR_SIE 0x104
#define CSR_STVEC 0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SENVCFG 0x10a
#define CSR_SSCRATCH 0x140
#define CSR_SEPC 0x141
#define CSR_SCAUSE 0x142
#define CSR_STVAL 0x143
#define CSR_SIP 0x144
#define CSR_SATP 0x180
#define CSR_CYCLE 0xc00
#define CSR_TIME 0xc01
#define CSR_INSTRET 0xc02
#define CSR_HPM31 0xc1f

#define SSTATUS_WMASK (RV_SSTATUS_SIE | RV_SSTATUS_SPIE | RV_SSTATUS_SPP | RV_SSTATUS_MXR)
#define SIE_MASK ((uint64_t)(RV_IRQ_SSIP | RV_IRQ_STIP | RV_IRQ_SEIP))

#define INSN_SRET 0x10200073u
#define INSN_WFI 0x10500073u

void
rv_set_stop_text(struct rv_cpu *cpu, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cpu->stop_text, sizeof cpu->stop_text, fmt, ap);
    va_end(ap);
}

uint64_t
rv_sip(struct rv_cpu *cpu)
{
    uint64_t v = cpu->ssip ? RV_IRQ_SSIP : 0;
    if (atomic_load_explicit(&cpu->seip, memory_order_acquire)) {
        v |= RV_IRQ_SEIP;
    }
    if (cpu->timecmp != UINT64_MAX && rv_cpu_time(cpu) >= cpu->timecmp) {
        v |= RV_IRQ_STIP;
    }
    return v;
}

/* Reads a CSR as S-mode sees it: 0 or -1 (no such CSR). */
static int
csr_get(struct rv_cpu *cpu, unsigned csr, uint64_t *v)
{
    switch (csr) {
    case CSR_SSTATUS: *v = cpu->sstatus | RV_SSTATUS_UXL; return 0;
    case CSR_SIE: *v = cpu->sie; return 0;
    case CSR_STVEC: *v = cpu->stvec; return 0;
    case CSR_SCOUNTEREN: *v = cpu->scounteren; return 0;
    case CSR_SENVCFG: *v = cpu->senvcfg; return 0;
    case CSR_SSCRATCH: *v = cpu->sscratch; return 0;
    case CSR_SEPC: *v = cpu->sepc; return 0;
    case CSR_SCAUSE: *v = cpu->scause; return 0;
    case CSR_STVAL: *v = cpu->stval; return 0;
    case CSR_SIP: *v = rv_sip(cpu); return 0;
    case CSR_SATP: *v = cpu->satp; return 0;
    case CSR_CYCLE: *v = cpu->instret; return 0;
    case CSR_TIME: *v = rv_cpu_time(cpu); return 0;
    case CSR_INSTRET: *v = cpu->instret; return 0;
    default:
        if (csr > CSR_INSTRET && csr <= CSR_HPM31) {
            *v = 0;
            return 0;
        }
        return -1;
    }
}

/* Writes a CSR (WARL as documented above): 0 or -1 (none or read-only). */
static int
csr_set(struct rv_cpu *cpu, unsigned csr, uint64_t v)
{
    switch (csr) {
    case CSR_SSTATUS: cpu->sstatus = v & SSTATUS_WMASK; return 0;
    case CSR_SIE: cpu->sie = v & SIE_MASK; return 0;
    case CSR_STVEC:
        /* Reserved modes (2, 3) keep the old mode. */
        cpu->stvec = (v & ~3ull) | ((v & 3) < 2 ? (v & 3) : (cpu->stvec & 3));
        return 0;
    case CSR_SCOUNTEREN: cpu->scounteren = v & 0xffffffffull; return 0;
    case CSR_SENVCFG: cpu->senvcfg = v & 1; return 0;
    case CSR_SSCRATCH: cpu->sscratch = v; return 0;
    case CSR_SEPC: cpu->sepc = v & ~1ull; return 0;
    case CSR_SCAUSE: cpu->scause = v; return 0;
    case CSR_STVAL: cpu->stval = v; return 0;
    case CSR_SIP: cpu->ssip = (v & RV_IRQ_SSIP) != 0; return 0;
    case CSR_SATP:
        if ((v >> 60) == 0) {
            cpu->satp = v;
        }
        return 0;
    default:
        return -1;
    }
}

int
rv_csr_read(struct rv_cpu *cpu, unsigned csr, uint64_t *value)
{
    return csr_get(cpu, csr, value);
}

int
rv_csr_write(struct rv_cpu *cpu, unsigned csr, uint64_t value)
{
    if ((csr >> 10) == 3) {
        return -1;
    }
    return csr_set(cpu, csr, value);
}

static int
illegal(struct rv_cpu *cpu, uint32_t insn)
{
    cpu->exc_cause = RV_EXC_ILLEGAL;
    cpu->exc_tval = insn;
    return RV_X_TRAP;
}

int
rv_csr_op(struct rv_cpu *cpu, uint32_t insn)
{
    unsigned f3 = (insn >> 12) & 7, rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
    unsigned csr = insn >> 20;
    uint64_t src = (f3 & 4) ? rs1 : cpu->x[rs1];
    bool write = (f3 & 3) == 1 || rs1 != 0;
    uint64_t old;

    if (((csr >> 8) & 3) > (unsigned)cpu->priv) {
        return illegal(cpu, insn);
    }
    if (write && (csr >> 10) == 3) {
        return illegal(cpu, insn);
    }
    if (cpu->priv == RV_PRIV_U && csr >= CSR_CYCLE && csr <= CSR_HPM31 &&
        !((cpu->scounteren >> (csr & 31)) & 1)) {
        return illegal(cpu, insn);
    }
    if (csr_get(cpu, csr, &old) != 0) {
        return illegal(cpu, insn);
    }
    if (write) {
        uint64_t nv = (f3 & 3) == 1 ? src : (f3 & 3) == 2 ? old | src : old & ~src;
        csr_set(cpu, csr, nv);
    }
    if (rd != 0) {
        cpu->x[rd] = old;
    }
    if (write && (csr == CSR_SSTATUS || csr == CSR_SIE || csr == CSR_SIP)) {
        /* An interrupt may be deliverable now: back to the outer loop. */
        cpu->pc += 4;
        return RV_X_LEAVE;
    }
    return RV_X_NEXT;
}

bool
rv_trap(struct rv_cpu *cpu, uint64_t epc, uint64_t cause, uint64_t tval)
{
    bool intr = (cause & RV_CAUSE_INTR) != 0;
    if (!intr && cpu->last_valid && cpu->instret == cpu->last_instret) {
        if (cause == RV_EXC_FETCH_ACCESS && epc == cpu->last_target) {
            rv_set_stop_text(cpu, "instruction fetch fault at the trap vector %#llx",
                             (unsigned long long)epc);
            cpu->stop = RV_STOP_DISABLED_WAIT;
            return false;
        }
        if (cause == cpu->last_cause && epc == cpu->last_epc) {
            rv_set_stop_text(cpu, "trap loop: cause %llu at pc %#llx again with nothing done",
                             (unsigned long long)cause, (unsigned long long)epc);
            cpu->stop = RV_STOP_DISABLED_WAIT;
            return false;
        }
    }
    uint64_t s = cpu->sstatus;
    s &= ~(RV_SSTATUS_SPP | RV_SSTATUS_SPIE | RV_SSTATUS_SIE);
    if (cpu->priv == RV_PRIV_S) {
        s |= RV_SSTATUS_SPP;
    }
    if (cpu->sstatus & RV_SSTATUS_SIE) {
        s |= RV_SSTATUS_SPIE;
    }
    cpu->sstatus = s;
    cpu->sepc = epc;
    cpu->scause = cause;
    cpu->stval = tval;
    cpu->priv = RV_PRIV_S;
    uint64_t target = cpu->stvec & ~3ull;
    if (intr && (cpu->stvec & 3) == 1) {
        target += 4 * (cause & 63);
    }
    cpu->pc = target;
    cpu->last_valid = true;
    cpu->last_cause = cause;
    cpu->last_epc = epc;
    cpu->last_target = target;
    cpu->last_instret = cpu->instret;
    if (intr) {
        cpu->stats.interrupts[cause & 15]++;
    } else if (cause < 16) {
        cpu->stats.exceptions[cause]++;
    }
    if (cpu->hooks.trap_taken != NULL) {
        cpu->hooks.trap_taken(cpu->hooks.ctx, cpu, cause, tval);
    }
    return true;
}

int
rv_sys_sret(struct rv_cpu *cpu)
{
    if (cpu->priv != RV_PRIV_S) {
        return illegal(cpu, INSN_SRET);
    }
    uint64_t s = cpu->sstatus;
    cpu->priv = (s & RV_SSTATUS_SPP) ? RV_PRIV_S : RV_PRIV_U;
    s &= ~(RV_SSTATUS_SIE | RV_SSTATUS_SPP);
    if (s & RV_SSTATUS_SPIE) {
        s |= RV_SSTATUS_SIE;
    }
    s |= RV_SSTATUS_SPIE;
    cpu->sstatus = s;
    cpu->pc = cpu->sepc;
    return RV_X_LEAVE;
}

int
rv_sys_wfi(struct rv_cpu *cpu)
{
    if (cpu->priv != RV_PRIV_S) {
        return illegal(cpu, INSN_WFI);
    }
    if ((rv_sip(cpu) & cpu->sie) != 0) {
        cpu->pc += 4;
        return RV_X_LEAVE;
    }
    bool can_wake = (cpu->sie & RV_IRQ_SEIP) ||
                    ((cpu->sie & RV_IRQ_STIP) && cpu->timecmp != UINT64_MAX);
    if (can_wake) {
        cpu->pc += 4;
        cpu->stop = RV_STOP_WFI;
        cpu->stop_retired = true;
        return RV_X_STOP;
    }
    rv_set_stop_text(cpu, "wfi with no interrupt enabled that could end it at pc %#llx",
                     (unsigned long long)cpu->pc);
    cpu->stop = RV_STOP_DISABLED_WAIT;
    cpu->stop_retired = false;
    return RV_X_STOP;
}

int
rv_sys_ecall(struct rv_cpu *cpu)
{
    if (cpu->priv == RV_PRIV_U) {
        cpu->exc_cause = RV_EXC_ECALL_U;
        cpu->exc_tval = 0;
        return RV_X_TRAP;
    }
    cpu->stats.hypercalls++;
    uint64_t pc = cpu->pc;
    enum rv_hcall h = RV_HCALL_CONTINUE;
    if (cpu->hooks.ecall != NULL) {
        h = cpu->hooks.ecall(cpu->hooks.ctx, cpu);
    } else {
        cpu->x[10] = (uint64_t)(int64_t)DIAG_ENOTSUP;
    }
    /* A hook that moved pc itself (rv_pc_set) is obeyed. */
    uint64_t next = cpu->pc != pc ? cpu->pc : pc + 4;
    switch (h) {
    case RV_HCALL_CONTINUE:
        cpu->pc = next;
        return RV_X_LEAVE;
    case RV_HCALL_YIELD:
        cpu->pc = next;
        cpu->stop = RV_STOP_KICK;
        cpu->stop_retired = true;
        return RV_X_STOP;
    case RV_HCALL_WAIT:
        cpu->pc = pc;
        cpu->stop = RV_STOP_WAIT;
        cpu->stop_retired = false;
        return RV_X_STOP;
    case RV_HCALL_STOP:
    default:
        cpu->pc = next;
        cpu->stop = RV_STOP_HALT;
        cpu->stop_retired = true;
        return RV_X_STOP;
    }
}
