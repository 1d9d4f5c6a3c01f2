/* SPDX-License-Identifier: MIT */
/*
 * cp/rv_int.h - internals of the virtual CPU shared by cp/rv*.c: the CPU
 * state, the pre-decoded operations ("ops") and translated blocks, the
 * software TLB and the helper entry points of the interpreter loop.
 *
 * The pieces:
 *   rv.c        public API (cp/rv.h), rv_cpu_run's outer loop, interrupts
 *   rv_exec.c   the threaded interpreter over translated blocks (hot path)
 *   rv_xlate.c  decoder, scan-and-translate, the block cache, invalidation
 *   rv_xlate_shared.c  saved segments' shared translation caches (the two
 *               share cp/rv_xlate_int.h)
 *   rv_mem.c    TLB fills and the slow memory paths (misaligned, faults,
 *               stores into code, LR/SC/AMO)
 *   rv_csr.c    CSRs, traps, sret/wfi/ecall emulation
 * Below all of them: guest storage through cp/stor_int.h.
 *
 * A translated block covers guest bytes [pc, pc+len) inside one 4 KiB page
 * (only a block made of a single 4-byte instruction that straddles a page
 * boundary touches two pages).  Its ops run in order.  A conditional branch
 * taken leaves through its own exit (a side exit; the block goes on when it
 * is not taken); a jal, the closing EXIT op of a block that falls through,
 * leave through theirs; each exit is chained straight into the next block
 * once known.  Indirect jumps and sensitive instructions go back to the
 * dispatcher.  pc is not kept per op: the pc of op i is
 * blk->pc + blk->pcoff[i], and blk->iidx[i] instructions come before it,
 * needed only when an op traps or calls out (such ops are never fused).
 */
#ifndef CP_RV_INT_H
#define CP_RV_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cp/rv.h"
#include "cp/stor_int.h"

#if defined(__GNUC__)
#define RV_LIKELY(x) __builtin_expect(!!(x), 1)
#define RV_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define RV_LIKELY(x) (x)
#define RV_UNLIKELY(x) (x)
#endif

/* ---- ops ----------------------------------------------------------------- */

/* Every op kind the interpreter knows, in one list so the enum and the
 * handler table can never disagree. */
#define RV_OP_LIST(X)                                                                  \
    X(NOP) X(LI) X(MV) X(AUIPC)                                                        \
    X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI)            \
    X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW)                                                \
    X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND)              \
    X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW)                                            \
    X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU)                    \
    X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW)                                          \
    X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU)                                       \
    X(SB) X(SH) X(SW) X(SD)                                                            \
    X(AMO) X(CSR) X(FENCEI) X(SFENCE)                                                  \
    X(JAL) X(JALR) X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU) X(EXIT)                 \
    X(ECALL) X(EBREAK) X(ILLEGAL) X(SRET) X(WFI)                                     \
    X(F_SLLI_SRLI) X(F_SLLI_SLLI) X(F_SLLI_ADD) X(F_SRLI_ADD)                        \
    X(BEQ_L) X(BNE_L) X(BLT_L) X(BGE_L) X(BLTU_L) X(BGEU_L)

enum rv_opk {
#define RV_OPK_ENUM(n) RV_OPK_##n,
    RV_OP_LIST(RV_OPK_ENUM)
#undef RV_OPK_ENUM
    RV_OPK__COUNT
};

/* x[RV_SINK] absorbs results written to x0 by ops that must still run
 * (loads, links); x[0] is never written and stays 0. */
#define RV_SINK 32

/* One pre-decoded instruction: 16 bytes.  h is the handler's address in
 * the interpreter (computed goto); imm is the immediate, or for AUIPC and
 * JAL's link the value minus the block's pc, or for CSR/AMO/ILLEGAL the raw
 * instruction bits. */
struct rv_op {
    const void *h;
    int32_t imm;
    uint8_t rd, rs1, rs2, aux;
};

struct rv_block;

/* A way out of a block to a known pc, chained to its block once found. */
struct rv_exit {
    uint64_t pc;
    struct rv_block *to; /* NULL: not chained yet */
    struct rv_exit *in_next; /* in to->in_head's list */
    struct rv_exit **in_pprev;
};

/* A block's membership in the list of one page's blocks. */
struct rv_pglink {
    struct rv_block *next;
    struct rv_block **pprev;
};

#define RV_BLOCK_MAX_OPS 128
#define RV_BLOCK_MAX_EXITS 12

/* Test knobs (tests/fuzz_rv.c uses them for a near-reference run): the
 * most instructions a new block may hold (1..RV_BLOCK_MAX_OPS-1), and no
 * chaining of exits.  Only while no CPU runs; flush translations after
 * (a saved segment's shared translations are not flushed: use none). */
extern unsigned rv_xlate_limit;
extern bool rv_xlate_nochain;

/* Ops that leave a block name their exit by index: branches in rd, jal in
 * rs1 (and its link value in exit rs2), jalr's link value in rs2, EXIT in
 * rd.  A branch's aux is the number of instructions after it in the block,
 * given back to the budget when it is taken.  A branch back to the start
 * of its own block (a loop in one block) gets a _L handler that re-enters
 * the block directly. */
struct rv_block {
    uint64_t pc; /* guest address of the first instruction */
    uint32_t n; /* instructions in the block (ops may be fewer: pairs of
                   simple instructions are fused); the last op is EXIT */
    uint32_t len; /* guest bytes covered */
    struct rv_exit *exits; /* nexits, after the ops */
    uint32_t nexits;
    struct rv_exit *in_head; /* exits of other blocks chained to this one */
    struct rv_block *hnext; /* hash chain of the cache */
    struct rv_pglink pl[2]; /* in the page lists of its first (and last) page */
    struct rv_block *znext; /* on the zombie list once invalidated */
    uint16_t *pcoff; /* per op (nops + 1): offset of its first instruction
                        from pc; the closing EXIT's is len */
    uint8_t *iidx; /* per op (nops + 1): instructions before it; the
                      closing EXIT's is n (fused ops hold two) */
    struct rv_block *lnext, *lprev; /* the cache's CLOCK ring (eviction) */
    uint32_t bytes; /* host bytes of this block */
    uint32_t ref; /* entries since CLOCK's hand last passed it; UINT32_MAX
                     when new, so the entry right after translation does
                     not count (blocks run once are evicted first) */
    uint8_t dead;
    uint8_t two_pages;
    uint8_t scratch; /* one instruction of a self-modifying page, decoded
                        for one run: not cached, chained or jump-cached */
    uint8_t shared; /* in a saved segment's shared cache (cp/rv_xlate.c):
                       immutable but for its exits' chains to blocks of the
                       same cache (set once, atomically), ref unused, freed
                       only with the segment */
    const void *home; /* shared: the cache it is in */
    struct rv_op ops[]; /* n + 1 ops */
};

/* Handler addresses by op kind, from the interpreter (rv_exec.c). */
extern const void *const *rv_exec_handlers;
void rv_exec_init(void);

/* ---- the software TLB ---------------------------------------------------- */

#define RV_TLB_BITS 8
#define RV_TLB_SIZE (1u << RV_TLB_BITS)
#define RV_TLB_MASK (RV_TLB_SIZE - 1)
#define RV_TLB_INVALID (~(uint64_t)0)
#define RV_JC_BITS 10
#define RV_JC_SIZE (1u << RV_JC_BITS)

/* A hit: tag == address & (page mask | size-1), host = address + add.  The
 * tag holds a page address (low 12 bits 0), so misaligned accesses never
 * hit and take the slow path. */
struct rv_tlbe {
    uint64_t tag;
    uintptr_t add;
};

/* Write entries for pages that hold translated code: a store hits when
 * its 64-byte chunk holds none (bit i of chunks: bytes [64i, 64i+64) do).
 * An aligned access never spans two chunks.  So data that shares a page
 * with code is still stored inline, and only stores near code take the
 * slow path that invalidates. */
struct rv_tlbc {
    uint64_t tag;
    uintptr_t add;
    uint64_t chunks;
    uint64_t pad;
};

/* Entries valid for one privilege level. */
struct rv_tlbset {
    struct rv_tlbe r[RV_TLB_SIZE];
    struct rv_tlbe w[RV_TLB_SIZE];
    struct rv_tlbe x[RV_TLB_SIZE];
    struct rv_tlbc cw[RV_TLB_SIZE];
};

/* Jump cache: pc -> block for indirect jumps and unchained exits. */
struct rv_jce {
    uint64_t pc;
    struct rv_block *blk;
};

struct rv_tlb {
    struct rv_tlbset set[2]; /* by privilege: [RV_PRIV_U], [RV_PRIV_S] */
    struct rv_jce jc[RV_JC_SIZE];
    uint64_t owner; /* serial of the CPU it last served, 0 none */
    uint64_t gen; /* the storage generation its entries reflect */
};

static inline unsigned
rv_tlb_index(uint64_t addr)
{
    return (unsigned)(addr >> STOR_PAGE_SHIFT) & RV_TLB_MASK;
}

/* Byte offset of the entry for addr in an array of 16-byte entries (r, w,
 * x) or of 32-byte ones (cw): one shift and one mask. */
#define RV_TLB_OFF16(addr) (((addr) >> (STOR_PAGE_SHIFT - 4)) & ((uint64_t)RV_TLB_MASK << 4))
#define RV_TLB_OFF32(addr) (((addr) >> (STOR_PAGE_SHIFT - 5)) & ((uint64_t)RV_TLB_MASK << 5))

static inline unsigned
rv_jc_index(uint64_t pc)
{
    return (unsigned)((pc >> 1) ^ (pc >> (RV_JC_BITS + 1))) & (RV_JC_SIZE - 1);
}

void rv_tlb_flush(struct rv_tlb *tlb);
/* Drops the r/w/x entries of one guest page in both privilege sets. */
void rv_tlb_drop_page(struct rv_tlb *tlb, uint64_t pn);

/* ---- the translation cache ----------------------------------------------- */

struct rv_xc; /* rv_xlate.c */

struct rv_xc *rv_xc_create(struct stor *st, struct rv_stats *stats);
void rv_xc_destroy(struct rv_xc *xc);
/* Finds or translates the block at pc.  NULL with *tval set: fetch access
 * fault at *tval.  NULL with *tval == RV_XLATE_NOMEM: host out of memory.
 * NULL with *tval == RV_XLATE_PAGEOUT (only with rv_xc_set_page_wait on):
 * the code is on a page that is out on the paging file, page
 * rv_xc_pageout_pn(); nothing was read, translate again once it is in. */
#define RV_XLATE_NOMEM (~(uint64_t)0)
#define RV_XLATE_PAGEOUT (~(uint64_t)2) /* odd: never a fetch fault's pc */
struct rv_block *rv_xc_lookup(struct rv_xc *xc, uint64_t pc, uint64_t *tval);
void rv_xc_set_page_wait(struct rv_xc *xc, bool on);
uint64_t rv_xc_pageout_pn(const struct rv_xc *xc);
/* While a CPU runs: the TLB whose jump cache must forget killed blocks, and
 * whether killed blocks must wait (zombies) until rv_xc_reap(). */
void rv_xc_attach(struct rv_xc *xc, struct rv_tlb *tlb);
void rv_xc_detach(struct rv_xc *xc);
void rv_xc_reap(struct rv_xc *xc);
/* The start of struct rv_xc, read inline by the interpreter. */
struct rv_xc_pub {
    struct rv_block *zombies; /* killed while running, freed by rv_xc_reap */
};
static inline bool
rv_xc_has_zombies(const struct rv_xc *xc)
{
    return ((const struct rv_xc_pub *)(const void *)xc)->zombies != NULL;
}
/* Count of blocks killed so far (to see whether a store killed any). */
uint64_t rv_xc_kills(const struct rv_xc *xc);
/* Chains exit e of from to to (if both are alive). */
void rv_xc_link(struct rv_xc *xc, struct rv_block *from, struct rv_exit *e, struct rv_block *to);
/* Whether [gpa, gpa+len) overlaps translated code (cheap, per 64 bytes). */
bool rv_xc_overlaps(const struct rv_xc *xc, uint64_t gpa, uint64_t len);
/* The 64-byte chunks of page pn that hold translated code (0: none). */
uint64_t rv_xc_page_chunks(const struct rv_xc *xc, uint64_t pn);
size_t rv_xc_footprint(const struct rv_xc *xc);

/* ---- the CPU ------------------------------------------------------------- */

/* Results of helpers called from the interpreter. */
enum rv_xres {
    RV_X_NEXT = 0, /* go on with the next op */
    RV_X_LEAVE, /* the instruction retired; leave the block (code changed or
                   interrupt state changed) and re-enter the outer loop */
    RV_X_TRAP, /* an exception: cpu->exc_cause/exc_tval, not retired */
    RV_X_STOP, /* stop rv_cpu_run with cpu->stop; cpu->stop_retired says
                  whether the instruction retired */
};

/* Why rv_exec returned to the outer loop. */
enum rv_exec_res {
    RV_E_BUDGET = 0, /* chunk used up */
    RV_E_KICK, /* kick flag seen */
    RV_E_AGAIN, /* state changed: re-check interrupts, TLB, then go on */
    RV_E_STOP, /* cpu->stop */
};

/* cpu->kick: bits the interpreter tests with one load per block. */
#define RV_KICK_EXIT 1u /* rv_cpu_kick(): end the slice */
#define RV_KICK_UMODE 2u /* running in U-mode: check fetch permission */

struct rv_cpu {
    uint64_t x[33]; /* x0..x31 and the sink; first: the interpreter uses
                       its address as the CPU's */
    uint64_t pc;
    int priv;

    /* CSRs */
    uint64_t sstatus, sie, stvec, scounteren, senvcfg, sscratch, sepc, scause, stval,
        satp;
    uint32_t ssip; /* the software-writable SSIP bit */
    _Atomic uint32_t seip;
    _Atomic uint32_t kick; /* RV_KICK_* */
    uint64_t timecmp;

    uint64_t instret;
    uint64_t time0_ns; /* host monotonic at reset */

    /* LR/SC reservation */
    uint64_t resv_addr;
    bool resv_valid;

    /* Disabled-wait detection: the last trap delivered. */
    bool last_valid;
    uint64_t last_cause, last_epc, last_target, last_instret;

    /* Set by helpers for the interpreter. */
    uint64_t exc_cause, exc_tval;
    enum rv_stop stop;
    bool stop_retired;
    bool page_wait_on; /* rv_cpu_set_page_wait */
    bool hcall_page_wait; /* the ecall hook's RV_HCALL_WAIT is a page wait
                             (rv_cpu_page_wait_hcall) */
    uint64_t page_wait_pn; /* RV_STOP_PAGE_WAIT: the page that is out */

    uint64_t serial; /* unique per CPU, for TLB ownership */
    struct stor *st;
    struct rv_xc *xc;
    struct rv_tlb *tlb; /* while running */
    struct rv_hooks hooks;
    struct rv_stats stats;
    char stop_text[160];

    /* TRACE (cp/rv.c only, see rv_cpu_set_trace): active while tr_on.
     * During a traced rv_cpu_run, hooks.ecall/trap_taken are wrappers and
     * the real hooks are in tr_saved; the instructions retired after
     * tr_instret, from tr_pc on, are not reported yet. */
    bool tr_on;
    struct rv_trace tr;
    struct rv_hooks tr_saved;
    uint64_t tr_pc, tr_instret;
};

/* rv_exec.c: runs translated code for at most about `budget` instructions
 * (stops before a block once it is used up); *done gets the instructions
 * retired. */
enum rv_exec_res rv_exec(struct rv_cpu *cpu, struct rv_tlb *tlb, int64_t budget, int64_t *done);

/* rv_mem.c */
int rv_load_slow(struct rv_cpu *cpu, uint64_t addr, unsigned size, uint64_t *val);
int rv_store_slow(struct rv_cpu *cpu, uint64_t addr, unsigned size, uint64_t val);
int rv_amo(struct rv_cpu *cpu, uint32_t insn);
/* U-mode: may the block at blk be fetched?  Fills x TLB entries. */
int rv_uexec_check(struct rv_cpu *cpu, const struct rv_block *blk);

/* rv_csr.c */
int rv_csr_op(struct rv_cpu *cpu, uint32_t insn);
int rv_sys_sret(struct rv_cpu *cpu);
int rv_sys_wfi(struct rv_cpu *cpu);
int rv_sys_ecall(struct rv_cpu *cpu);
/* Delivers an exception or interrupt at epc; false: the VM entered a
 * disabled wait instead (cpu->stop_text says why). */
bool rv_trap(struct rv_cpu *cpu, uint64_t epc, uint64_t cause, uint64_t tval);
uint64_t rv_sip(struct rv_cpu *cpu);
void rv_set_stop_text(struct rv_cpu *cpu, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Exception causes */
#define RV_EXC_FETCH_ACCESS 1
#define RV_EXC_ILLEGAL 2
#define RV_EXC_BREAKPOINT 3
#define RV_EXC_LOAD_MISALIGNED 4
#define RV_EXC_LOAD_ACCESS 5
#define RV_EXC_STORE_MISALIGNED 6
#define RV_EXC_STORE_ACCESS 7
#define RV_EXC_ECALL_U 8
#define RV_EXC_ECALL_S 9
#define RV_CAUSE_INTR (1ull << 63)

/* sstatus bits */
#define RV_SSTATUS_SIE (1ull << 1)
#define RV_SSTATUS_SPIE (1ull << 5)
#define RV_SSTATUS_SPP (1ull << 8)
#define RV_SSTATUS_MXR (1ull << 19)
#define RV_SSTATUS_UXL (2ull << 32)

#endif /* CP_RV_INT_H */
