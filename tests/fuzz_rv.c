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
};

static enum rv_hcall
fz_ecall(void *ctx, struct rv_cpu *cpu)
{
    struct fz *f = ctx;
    f->ecalls++;
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
    /* Mostly a trap vector inside the random code, so traps go on. */
    if (rn(8) != 0) {
        rv_csr_write(cpu, 0x105, (FZ_CODE + (rn(FZ_CODE_LEN) & ~3u)) | rn(2));
    }
    cpu->priv = rn(2) ? RV_PRIV_U : RV_PRIV_S;
    rv_cpu_set_timecmp(cpu, rn(2) ? UINT64_MAX : rnd() % 100);
    rv_cpu_set_seip(cpu, rn(4) == 0);
    atomic_store(&cpu->kick, 0);

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
    printf("fuzz_rv: stops: budget %u kick %u wait %u wfi %u halt %u disabled %u\n",
           fz_stops[RV_STOP_BUDGET], fz_stops[RV_STOP_KICK], fz_stops[RV_STOP_WAIT],
           fz_stops[RV_STOP_WFI], fz_stops[RV_STOP_HALT], fz_stops[RV_STOP_DISABLED_WAIT]);
    rv_tlb_destroy(tlb[0]);
    rv_tlb_destroy(tlb[1]);
    rv_cpu_destroy(f.cpu);
    stor_destroy(f.st);
    return fz_failures ? 1 : 0;
}
