// SPDX-License-Identifier: MIT
/*
 * tests/fuzz_rv.c - a seeded random-instruction fuzz test of the virtual
 * CPU.  Each round fills a small storage with random instructions (biased
 * toward valid encodings of every instruction class, with registers that
 * point into, near and beyond storage), random CSR state, privilege,
 * storage protection, timer and external interrupt level, then runs the
 * CPU for a random budget while the hypercall hook answers at random and
 * sometimes writes, releases or protects storage under the running code.
 *
 * It asserts what must hold for any guest: no crash and no host access
 * outside storage (the sanitizer build catches those), the budget kept to
 * within one block, instret consistent with the statistics, x0 == 0, a
 * valid stop reason, and a pc that stays even.
 *
 * usage: fuzz_rv [--seed N] [--rounds N]   (FUZZ_RV_ROUNDS in the
 * environment does the same; `make check-long` runs many more rounds)
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/rv_int.h"
#include "vmrv/diag.h"

#define FZ_STORAGE (64u * 1024)
#define FZ_CODE 0x1000u
#define FZ_CODE_LEN 0x3000u

static uint64_t fz_state;

static uint64_t
rnd(void)
{
    /* splitmix64 */
    uint64_t z = (fz_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned
rn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static int fz_failures;

#define FZ_CHECK(cond)                                                                 \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "fuzz_rv: %s:%d: %s (round %u)\n", __FILE__, __LINE__, #cond, \
                    fz_round);                                                         \
            fz_failures++;                                                             \
        }                                                                              \
    } while (0)

static unsigned fz_round;
static unsigned fz_stops[RV_STOP_DISABLED_WAIT + 1];
static unsigned fz_replays;

/* Interesting CSR numbers: ours, M-mode ones, counters, unknown. */
static const uint16_t fz_csrs[] = {
    0x100, 0x104, 0x105, 0x106, 0x10a, 0x140, 0x141, 0x142, 0x143, 0x144, 0x180,
    0xc00, 0xc01, 0xc02, 0xc03, 0xc1f, 0x300, 0x305, 0x341, 0xf14, 0x001, 0x14d, 0x7b0,
};

static unsigned
reg(void)
{
    /* Prefer a few registers so values flow between instructions. */
    return rn(4) == 0 ? rn(32) : 5 + rn(6);
}

static uint32_t
r_type(uint32_t opc, unsigned f3, unsigned f7)
{
    return opc | reg() << 7 | f3 << 12 | reg() << 15 | reg() << 20 | f7 << 25;
}

static uint32_t
i_type(uint32_t opc, unsigned f3, int32_t imm)
{
    return opc | reg() << 7 | f3 << 12 | reg() << 15 | ((uint32_t)imm & 0xfff) << 20;
}

static int32_t
small_imm(void)
{
    return rn(2) ? (int32_t)rn(64) - 32 : (int32_t)rn(4096) - 2048;
}

/* One random instruction word (or two compressed ones). */
static uint32_t
gen_insn(void)
{
    static const uint8_t f7s[] = {0, 0x20, 1};
    switch (rn(16)) {
    case 0: return i_type(0x03, rn(8), small_imm()); /* loads */
    case 1: { /* stores */
        uint32_t imm = (uint32_t)small_imm();
        return 0x23 | (imm & 31) << 7 | rn(4) << 12 | reg() << 15 | reg() << 20 | (imm >> 5 & 127) << 25;
    }
    case 2: return i_type(0x13, rn(8), small_imm());
    case 3: return r_type(0x33, rn(8), f7s[rn(3)]);
    case 4: return r_type(0x3b, rn(8), f7s[rn(3)]);
    case 5: return i_type(0x1b, rn(8), small_imm());
    case 6: { /* branches, mostly short */
        int32_t off = ((int32_t)rn(64) - 32) * 2;
        uint32_t u = (uint32_t)off;
        return 0x63 | (u >> 11 & 1) << 7 | (u >> 1 & 15) << 8 | rn(8) << 12 | reg() << 15 |
               reg() << 20 | (u >> 5 & 63) << 25 | (u >> 12 & 1) << 31;
    }
    case 7: { /* jal */
        int32_t off = ((int32_t)rn(256) - 128) * 2;
        uint32_t u = (uint32_t)off;
        return 0x6f | reg() << 7 | (u >> 12 & 255) << 12 | (u >> 11 & 1) << 20 |
               (u >> 1 & 1023) << 21 | (u >> 20 & 1) << 31;
    }
    case 8: return i_type(0x67, rn(4) ? 0 : rn(8), small_imm()); /* jalr */
    case 9: return 0x37 | reg() << 7 | (uint32_t)rnd() << 12; /* lui */
    case 10: return 0x17 | reg() << 7 | (uint32_t)rnd() << 12; /* auipc */
    case 11: { /* atomics */
        static const uint8_t f5[] = {0, 1, 2, 3, 4, 8, 12, 16, 20, 24, 28, 5};
        return 0x2f | reg() << 7 | (2 + rn(2)) << 12 | reg() << 15 | (rn(3) ? 0 : reg()) << 20 |
               rn(4) << 25 | (uint32_t)f5[rn(12)] << 27;
    }
    case 12: { /* CSRs */
        unsigned csr = rn(8) ? fz_csrs[rn(sizeof fz_csrs / sizeof fz_csrs[0])] : rn(4096);
        return 0x73 | reg() << 7 | (1 + rn(7)) << 12 | (rn(3) ? reg() : 0) << 15 | csr << 20;
    }
    case 13: { /* the other system instructions and fences */
        static const uint32_t sys[] = {
            0x00000073, 0x00100073, 0x10200073, 0x10500073, 0x12000073, 0x30200073,
            0x0ff0000f, 0x0000100f, 0x00000000, 0xffffffff,
        };
        return sys[rn(sizeof sys / sizeof sys[0])];
    }
    case 14: /* two compressed instructions */
        return (uint32_t)(rnd() & 0xfffcfffc) | rn(3) | rn(3) << 16;
    default:
        return (uint32_t)rnd();
    }
}

struct fz {
    struct stor *st;
    struct rv_cpu *cpu;
    int ecalls;
    bool det; /* a replay round: the hook answers deterministically */
};

static enum rv_hcall
fz_ecall(void *ctx, struct rv_cpu *cpu)
{
    struct fz *f = ctx;
    f->ecalls++;
    if (f->det) {
        rv_reg_set(cpu, 10, rv_reg_get(cpu, 10) * 31 + rv_reg_get(cpu, 11));
        return rv_reg_get(cpu, 17) == 7 ? RV_HCALL_STOP : RV_HCALL_CONTINUE;
    }
    switch (rn(12)) {
    case 0: { /* CP writes into the running code */
        uint32_t w = gen_insn();
        stor_write(f->st, FZ_CODE + (rn(FZ_CODE_LEN) & ~3u), &w, 4);
        break;
    }
    case 1:
        stor_release(f->st, (uint64_t)rn(FZ_STORAGE / 4096) * 4096, 4096);
        break;
    case 2:
        stor_protect(f->st, (uint64_t)rn(FZ_STORAGE / 4096) * 4096, 4096, (int)rn(3));
        break;
    case 3:
        rv_cpu_set_timecmp(cpu, rnd() % 64);
        break;
    case 4:
        rv_cpu_set_seip(cpu, rn(2));
        break;
    case 5:
        rv_cpu_kick(cpu);
        break;
    case 6:
        return RV_HCALL_YIELD;
    case 7:
        return RV_HCALL_WAIT;
    case 8:
        return RV_HCALL_STOP;
    default:
        break;
    }
    rv_reg_set(cpu, 10, rnd());
    return RV_HCALL_CONTINUE;
}

static uint64_t fz_now;

static uint64_t
fz_time(void *ctx)
{
    (void)ctx;
    return fz_now;
}

static uint64_t
reg_value(void)
{
    switch (rn(6)) {
    case 0: return rnd();
    case 1: return rn(FZ_STORAGE);
    case 2: return FZ_STORAGE - rn(16);
    case 3: return FZ_CODE + rn(FZ_CODE_LEN);
    case 4: return (uint64_t)0 - rn(16);
    default: return rn(64);
    }
}

/* The architectural state a replay compares. */
struct fz_state {
    uint64_t x[32], pc, instret, timecmp;
    uint64_t sstatus, sie, stvec, scounteren, senvcfg, sscratch, sepc, scause, stval, satp;
    uint32_t ssip;
    int priv;
    bool resv_valid, last_valid;
    uint64_t resv_addr, last_cause, last_epc, last_target, last_instret;
    uint8_t mem[FZ_STORAGE];
};

static void
fz_save(struct fz *f, struct fz_state *s)
{
    const struct rv_cpu *c = f->cpu;
    memcpy(s->x, c->x, sizeof s->x);
    s->pc = c->pc;
    s->instret = c->instret;
    s->timecmp = c->timecmp;
    s->sstatus = c->sstatus;
    s->sie = c->sie;
    s->stvec = c->stvec;
    s->scounteren = c->scounteren;
    s->senvcfg = c->senvcfg;
    s->sscratch = c->sscratch;
    s->sepc = c->sepc;
    s->scause = c->scause;
    s->stval = c->stval;
    s->satp = c->satp;
    s->ssip = c->ssip;
    s->priv = c->priv;
    s->resv_valid = c->resv_valid;
    s->resv_addr = c->resv_addr;
    s->last_valid = c->last_valid;
    s->last_cause = c->last_cause;
    s->last_epc = c->last_epc;
    s->last_target = c->last_target;
    s->last_instret = c->last_instret;
    stor_read(f->st, 0, s->mem, sizeof s->mem);
}

/* Back to a saved state, rewriting only the pages that changed (so the
 * translations of the others survive and the second run chains them). */
static void
fz_restore(struct fz *f, const struct fz_state *s)
{
    struct rv_cpu *c = f->cpu;
    static uint8_t now[FZ_STORAGE];
    stor_read(f->st, 0, now, sizeof now);
    for (unsigned pg = 0; pg < FZ_STORAGE; pg += 4096) {
        if (memcmp(now + pg, s->mem + pg, 4096) != 0) {
            stor_write(f->st, pg, s->mem + pg, 4096);
        }
    }
    memcpy(c->x, s->x, sizeof s->x);
    c->pc = s->pc;
    c->instret = s->instret;
    c->timecmp = s->timecmp;
    c->sstatus = s->sstatus;
    c->sie = s->sie;
    c->stvec = s->stvec;
    c->scounteren = s->scounteren;
    c->senvcfg = s->senvcfg;
    c->sscratch = s->sscratch;
    c->sepc = s->sepc;
    c->scause = s->scause;
    c->stval = s->stval;
    c->satp = s->satp;
    c->ssip = s->ssip;
    c->priv = s->priv;
    c->resv_valid = s->resv_valid;
    c->resv_addr = s->resv_addr;
    c->last_valid = s->last_valid;
    c->last_cause = s->last_cause;
    c->last_epc = s->last_epc;
    c->last_target = s->last_target;
    c->last_instret = s->last_instret;
}

/* Runs from one state in one slice, then again in many small ones on
 * alternating TLBs with one instruction per block and no chaining (close
 * to a plain interpreter): big blocks, side exits, chains, budget
 * give-back and invalidation must not change what the program does. */
static void
fz_replay(struct fz *f, struct rv_tlb *tlbs[2])
{
    static struct fz_state s0, sa, sb;
    struct rv_cpu *cpu = f->cpu;
    f->det = true;
    rv_cpu_set_seip(cpu, false);
    atomic_store(&cpu->kick, 0);
    fz_save(f, &s0);
    enum rv_stop wa = rv_cpu_run(cpu, tlbs[0], 30000);
    fz_save(f, &sa);
    fz_restore(f, &s0);
    stor_invalidate(f->st, 0, FZ_STORAGE);
    rv_xlate_limit = 1;
    rv_xlate_nochain = true;
    enum rv_stop wb = RV_STOP_BUDGET;
    uint64_t cap = sa.instret - s0.instret + 10000;
    for (int i = 0; wb == RV_STOP_BUDGET && cpu->instret - s0.instret < cap; i++) {
        wb = rv_cpu_run(cpu, tlbs[rn(2)], 1 + rn(40));
    }
    rv_xlate_limit = RV_BLOCK_MAX_OPS - 1;
    rv_xlate_nochain = false;
    stor_invalidate(f->st, 0, FZ_STORAGE);
    fz_save(f, &sb);
    f->det = false;
    if (wa == RV_STOP_BUDGET) {
        return; /* no natural end to compare at */
    }
    FZ_CHECK(wa == wb);
    FZ_CHECK(sa.instret == sb.instret);
    FZ_CHECK(sa.pc == sb.pc);
    FZ_CHECK(sa.priv == sb.priv);
    FZ_CHECK(memcmp(sa.x, sb.x, sizeof sa.x) == 0);
    FZ_CHECK(sa.sstatus == sb.sstatus && sa.sepc == sb.sepc && sa.scause == sb.scause &&
             sa.stval == sb.stval && sa.sscratch == sb.sscratch && sa.sie == sb.sie &&
             sa.ssip == sb.ssip);
    FZ_CHECK(memcmp(sa.mem, sb.mem, sizeof sa.mem) == 0);
    fz_replays++;
}

/* An ALU instruction writing one of x5..x15 (never the template's s9-s11). */
static uint32_t
gen_alu(void)
{
    for (;;) {
        uint32_t w = gen_insn();
        unsigned opc = w & 0x7f, rd = (w >> 7) & 31;
        if ((opc == 0x13 || opc == 0x33 || opc == 0x3b || opc == 0x1b || opc == 0x37) &&
            rd >= 5 && rd <= 15) {
            return w;
        }
    }
}

/* A self-modifying loop at `at`: s10 = its address, s11 = iterations, s9 =
 * an instruction word it stores into its own body (and changes). */
static void
gen_smc_loop(struct fz *f, uint64_t at)
{
    uint32_t w[40];
    unsigned k = 2 + rn(12), n = 0;
    for (unsigned i = 0; i < k; i++) {
        switch (rn(4)) {
        case 0: /* sw s9, off(s10) */
        {
            uint32_t off = 4 * rn(k + 3);
            w[n++] = 0x23 | (off & 31) << 7 | 2u << 12 | 26u << 15 | 25u << 20 | (off >> 5) << 25;
            break;
        }
        case 1: /* addi s9, s9, small: another instruction next time */
            w[n++] = 0x13 | 25u << 7 | 25u << 15 | (uint32_t)(rn(64) << 20);
            break;
        default:
            w[n++] = gen_alu();
        }
    }
    w[n++] = 0x13 | 27u << 7 | 27u << 15 | 0xfffu << 20; /* addi s11, s11, -1 */
    int32_t back = -(int32_t)(4 * n);
    uint32_t u = (uint32_t)back; /* bne s11, x0, loop */
    w[n] = 0x63 | (u >> 11 & 1) << 7 | (u >> 1 & 15) << 8 | 1u << 12 | 27u << 15 |
           (u >> 5 & 63) << 25 | (u >> 12 & 1) << 31;
    n++;
    stor_write(f->st, at, w, 4 * n);
    rv_reg_set(f->cpu, 26, at);
    rv_reg_set(f->cpu, 27, 2 + rn(30));
    rv_reg_set(f->cpu, 25, gen_alu());
}

static void
fz_round_run(struct fz *f, struct rv_tlb *tlbs[2])
{
    struct rv_cpu *cpu = f->cpu;
    uint8_t code[FZ_CODE_LEN];
    for (unsigned i = 0; i < FZ_CODE_LEN; i += 4) {
        uint32_t w = gen_insn();
        memcpy(code + i, &w, 4);
    }
    stor_write(f->st, FZ_CODE, code, sizeof code);
    if (rn(4) == 0) {
        stor_protect(f->st, (uint64_t)rn(FZ_STORAGE / 4096) * 4096, 4096 * (1 + rn(3)),
                     (int)rn(3));
    }
    rv_cpu_reset(cpu, FZ_CODE + (rn(FZ_CODE_LEN) & ~1u));
    for (unsigned r = 1; r < 32; r++) {
        rv_reg_set(cpu, r, reg_value());
    }
    static const unsigned csrs[] = {0x100, 0x104, 0x105, 0x106, 0x141, 0x144, 0x180};
    for (unsigned i = 0; i < sizeof csrs / sizeof csrs[0]; i++) {
        rv_csr_write(cpu, csrs[i], rn(2) ? rnd() : reg_value());
    }
    if (rn(3) == 0) {
        gen_smc_loop(f, rv_pc_get(cpu));
    }
    /* Mostly a trap vector inside the random code, so traps go on. */
    if (rn(8) != 0) {
        rv_csr_write(cpu, 0x105, (FZ_CODE + (rn(FZ_CODE_LEN) & ~3u)) | rn(2));
    }
    cpu->priv = rn(2) ? RV_PRIV_U : RV_PRIV_S;
    rv_cpu_set_timecmp(cpu, rn(2) ? UINT64_MAX : rnd() % 100);
    rv_cpu_set_seip(cpu, rn(4) == 0);
    atomic_store(&cpu->kick, 0);
    if (rn(4) == 0) {
        fz_replay(f, tlbs);
        return;
    }

    for (int slice = 0; slice < 8; slice++) {
        uint64_t budget = rn(8) == 0 ? 0 : rn(4) == 0 ? rn(20000) : rn(300);
        struct rv_stats s0, s1;
        rv_cpu_stats(cpu, &s0);
        uint64_t i0 = cpu->instret;
        fz_now += rn(20);
        if (rn(3) == 0) { /* CP writes code between slices (a disk read) */
            uint32_t w = gen_insn();
            uint64_t at = rn(2) ? rv_pc_get(cpu) : FZ_CODE + (rn(FZ_CODE_LEN) & ~1u);
            if (at + 4 <= FZ_STORAGE) {
                stor_write(f->st, at, &w, 1 + rn(4));
            }
        }
        /* Dispatcher threads hand the VM over: two TLBs take turns. */
        enum rv_stop why = rv_cpu_run(cpu, tlbs[rn(4) == 0], budget);
        rv_cpu_stats(cpu, &s1);
        uint64_t ran = s1.instret - s0.instret;
        FZ_CHECK(why <= RV_STOP_DISABLED_WAIT);
        if (why <= RV_STOP_DISABLED_WAIT) {
            fz_stops[why]++;
        }
        FZ_CHECK(ran <= budget + RV_BLOCK_MAX_OPS);
        FZ_CHECK(budget != 0 || ran == 0);
        FZ_CHECK(cpu->instret - i0 == ran);
        FZ_CHECK(rv_reg_get(cpu, 0) == 0 && cpu->x[0] == 0);
        FZ_CHECK((rv_pc_get(cpu) & 1) == 0);
        FZ_CHECK(rv_priv_get(cpu) == RV_PRIV_U || rv_priv_get(cpu) == RV_PRIV_S);
        if (why == RV_STOP_DISABLED_WAIT) {
            FZ_CHECK(rv_cpu_stop_text(cpu)[0] != '\0');
            break;
        }
        if (why == RV_STOP_HALT) {
            break;
        }
    }
}

int
main(int argc, char **argv)
{
    uint64_t seed = 20240601;
    unsigned rounds = 4000;
    const char *env = getenv("FUZZ_RV_ROUNDS");
    if (env != NULL) {
        rounds = (unsigned)strtoul(env, NULL, 0);
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seed") == 0) {
            seed = strtoull(argv[i + 1], NULL, 0);
        } else if (strcmp(argv[i], "--rounds") == 0) {
            rounds = (unsigned)strtoul(argv[i + 1], NULL, 0);
        }
    }
    fz_state = seed;
    struct fz f = {0};
    f.st = stor_create(FZ_STORAGE);
    struct rv_hooks hooks = {.ctx = &f, .ecall = fz_ecall, .time_now = fz_time};
    f.cpu = f.st ? rv_cpu_create(f.st, &hooks) : NULL;
    struct rv_tlb *tlb[2] = {rv_tlb_create(), rv_tlb_create()};
    if (f.cpu == NULL || tlb[0] == NULL || tlb[1] == NULL) {
        fprintf(stderr, "fuzz_rv: out of memory\n");
        return 99;
    }
    for (fz_round = 0; fz_round < rounds && fz_failures < 20; fz_round++) {
        fz_round_run(&f, tlb);
    }
    struct rv_stats s;
    rv_cpu_stats(f.cpu, &s);
    uint64_t exc = 0, intr = 0;
    for (int i = 0; i < 16; i++) {
        exc += s.exceptions[i];
        intr += s.interrupts[i];
    }
    printf("fuzz_rv: seed %" PRIu64 ", %u rounds, %" PRIu64 " instructions, %" PRIu64
           " blocks, %" PRIu64 " invalidations, %d hypercalls, %" PRIu64 " exceptions, %" PRIu64
           " interrupts, %d failures\n",
           seed, rounds, s.instret, s.blocks_translated, s.invalidations, f.ecalls, exc, intr,
           fz_failures);
    printf("fuzz_rv: %u replays compared\n", fz_replays);
    printf("fuzz_rv: stops: budget %u kick %u wait %u wfi %u halt %u disabled %u\n",
           fz_stops[RV_STOP_BUDGET], fz_stops[RV_STOP_KICK], fz_stops[RV_STOP_WAIT],
           fz_stops[RV_STOP_WFI], fz_stops[RV_STOP_HALT], fz_stops[RV_STOP_DISABLED_WAIT]);
    rv_tlb_destroy(tlb[0]);
    rv_tlb_destroy(tlb[1]);
    rv_cpu_destroy(f.cpu);
    stor_destroy(f.st);
    return fz_failures ? 1 : 0;
}
