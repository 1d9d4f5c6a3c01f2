// SPDX-License-Identifier: MIT
/*
 * cp/rv_exec.c - the interpreter: threaded dispatch over translated blocks.
 *
 * Each op's handler ends with `op++; goto *op->h` (GCC's computed goto), so
 * there is no central switch and no per-instruction call.  Per block, not
 * per instruction: the budget and kick checks, the U-mode fetch permission
 * check, and instret (left -= n; a block left early gives back what did not
 * retire).  Loads and stores hit the software TLB inline: an index, a
 * compare and an add; everything else (misaligned, unbacked, protected,
 * out of storage, stores into code) goes to cp/rv_mem.c.  A block's exits
 * jump straight into the next block once chained; indirect jumps look in
 * the jump cache of the TLB, then in the translation cache.
 *
 * Sensitive instructions call into cp/rv_csr.c with cpu->pc and
 * cpu->instret brought up to date first (SYNC).  Whatever changes
 * privilege, interrupt enables or TLB-relevant state returns to the outer
 * loop in cp/rv.c, which re-checks interrupts and TLB generation.
 */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "cp/rv_int.h"

const void *const *rv_exec_handlers;

static void
rv_exec_table_init(void)
{
    int64_t done;
    rv_exec(NULL, NULL, 0, &done);
}

void
rv_exec_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, rv_exec_table_init);
}

#define SX(v) ((uint64_t)(int64_t)(v))
#define W(v) ((uint64_t)(int64_t)(int32_t)(uint32_t)(v))

/* Masks selecting the page and the misalignment bits of an access. */
#define TAGM(size) (~STOR_PAGE_MASK | ((uint64_t)(size)-1))

enum rv_exec_res
rv_exec(struct rv_cpu *cpu, struct rv_tlb *tlb, int64_t budget, int64_t *done)
{
    static const void *const table[RV_OPK__COUNT] = {
#define RV_LBL(n) [RV_OPK_##n] = &&L_##n,
        RV_OP_LIST(RV_LBL)
#undef RV_LBL
    };
    if (cpu == NULL) {
        rv_exec_handlers = table;
        *done = 0;
        return RV_E_BUDGET;
    }

    uint64_t *const x = cpu->x;
    struct rv_xc *const xc = cpu->xc;
    const struct rv_tlbset *cur = &tlb->set[cpu->priv];
    /* Opaque to the optimizer, so it keeps the pointer instead of
     * recomputing it in every handler. */
    __asm__("" : "+r"(cur));
    const bool umode = cpu->priv == RV_PRIV_U;
    uint32_t kw;
    /* The U-mode flag rides in the kick word: one test per block for both. */
    if (umode) {
        atomic_fetch_or_explicit(&cpu->kick, RV_KICK_UMODE, memory_order_relaxed);
    } else if (atomic_load_explicit(&cpu->kick, memory_order_relaxed) & RV_KICK_UMODE) {
        atomic_fetch_and_explicit(&cpu->kick, ~RV_KICK_UMODE, memory_order_relaxed);
    }
    const uint64_t instret0 = cpu->instret;
    int64_t left = budget;
    uint64_t pc = cpu->pc;
    struct rv_block *blk = NULL, *prev = NULL;
    struct rv_exit *prev_e = NULL, *e;
    const struct rv_op *op = NULL;
    enum rv_exec_res res;
    unsigned idx;
    int r;

#define NEXT()                                                                         \
    do {                                                                               \
        op++;                                                                          \
        goto *op->h;                                                                   \
    } while (0)
#define SYNC()                                                                         \
    do {                                                                               \
        idx = (unsigned)(op - blk->ops);                                               \
        cpu->pc = blk->pc + blk->pcoff[idx];                                           \
        cpu->instret = instret0 + (uint64_t)(budget - left) - (blk->n - blk->iidx[idx]); \
    } while (0)
#define RESULT(rr)                                                                     \
    do {                                                                               \
        if (RV_LIKELY((rr) == RV_X_NEXT)) {                                            \
            NEXT();                                                                    \
        }                                                                              \
        if ((rr) == RV_X_LEAVE) {                                                      \
            goto op_leave;                                                             \
        }                                                                              \
        if ((rr) == RV_X_TRAP) {                                                       \
            goto op_trap;                                                              \
        }                                                                              \
        goto op_stop;                                                                  \
    } while (0)

dispatch:
    if (RV_UNLIKELY(rv_xc_has_zombies(xc))) {
        rv_xc_reap(xc);
        prev = NULL;
    }
    if (RV_UNLIKELY(left <= 0)) {
        res = RV_E_BUDGET;
        goto out;
    }
    if (RV_UNLIKELY(atomic_load_explicit(&cpu->kick, memory_order_relaxed) & RV_KICK_EXIT)) {
        res = RV_E_KICK;
        goto out;
    }
    {
        struct rv_jce *j = &tlb->jc[rv_jc_index(pc)];
        if (RV_LIKELY(j->pc == pc)) {
            blk = j->blk;
        } else {
            uint64_t tval = 0;
            blk = rv_xc_lookup(xc, pc, &tval);
            if (blk == NULL) {
                if (tval == RV_XLATE_PAGEOUT) {
                    /* page wait: pc stays, the fetch runs again */
                    cpu->page_wait_pn = rv_xc_pageout_pn(xc);
                    cpu->stop = RV_STOP_PAGE_WAIT;
                    cpu->stop_retired = false;
                    res = RV_E_STOP;
                    goto out;
                }
                if (tval == RV_XLATE_NOMEM) {
                    rv_set_stop_text(cpu, "CP out of memory translating code at %#llx",
                                     (unsigned long long)pc);
                    cpu->stop = RV_STOP_DISABLED_WAIT;
                    res = RV_E_STOP;
                    goto out;
                }
                cpu->exc_tval = tval;
                goto fetch_fault;
            }
            if (RV_UNLIKELY(rv_xc_has_zombies(xc))) {
                prev = NULL; /* blocks were evicted to make room */
            }
            if (RV_LIKELY(!blk->scratch)) {
                j->pc = pc;
                j->blk = blk;
            }
        }
    }
    if (prev != NULL) {
        if (!rv_xlate_nochain) {
            rv_xc_link(xc, prev, prev_e, blk);
        }
        prev = NULL;
    }
    goto enter_checked;

enter: /* chained: budget and kick (and U-mode) checks */
    if (RV_UNLIKELY(left <= 0)) {
        pc = blk->pc;
        goto dispatch;
    }
    /* cpu->kick through x (== cpu): no extra register or spill */
    kw = atomic_load_explicit(
        (_Atomic uint32_t *)(void *)((char *)x + offsetof(struct rv_cpu, kick)),
        memory_order_relaxed);
    if (RV_UNLIKELY(kw != 0)) {
        if (kw & RV_KICK_EXIT) {
            pc = blk->pc;
            goto dispatch;
        }
        goto enter_user;
    }
run_block:
    if (RV_LIKELY(!blk->shared)) {
        blk->ref++; /* for CLOCK eviction (shared blocks are never evicted) */
    }
    left -= blk->n;
    op = blk->ops;
    goto *op->h;
enter_checked: /* from dispatch: budget and kick already checked */
    if (!umode) {
        goto run_block;
    }
enter_user: {
    const struct rv_tlbe *e = &cur->x[rv_tlb_index(blk->pc)];
    if (RV_UNLIKELY(e->tag != (blk->pc & ~STOR_PAGE_MASK) || blk->two_pages)) {
        if (rv_uexec_check(cpu, blk) != 0) {
            pc = blk->pc;
            goto fetch_fault;
        }
    }
    goto run_block;
}

    /* ---- leaving a block through exit e ---- */
take_exit:
    /* Acquire: an exit of a shared block may have been chained by another
     * thread (a plain load on common hosts). */
    if (RV_LIKELY(__atomic_load_n(&e->to, __ATOMIC_ACQUIRE) != NULL)) {
        blk = __atomic_load_n(&e->to, __ATOMIC_RELAXED);
        goto enter;
    }
    pc = e->pc;
    prev = blk;
    prev_e = e;
    goto dispatch;

fetch_fault: /* at pc, cpu->exc_tval; nothing of a block ran */
    cpu->instret = instret0 + (uint64_t)(budget - left);
    if (!rv_trap(cpu, pc, RV_EXC_FETCH_ACCESS, cpu->exc_tval)) {
        res = RV_E_STOP;
        goto out;
    }
    pc = cpu->pc;
    res = RV_E_AGAIN;
    goto out;

op_trap: /* the op raised cpu->exc_cause; it did not retire */
    idx = (unsigned)(op - blk->ops);
    left += blk->n - blk->iidx[idx];
    pc = blk->pc + blk->pcoff[idx];
    cpu->instret = instret0 + (uint64_t)(budget - left);
    if (!rv_trap(cpu, pc, cpu->exc_cause, cpu->exc_tval)) {
        res = RV_E_STOP;
        goto out;
    }
    pc = cpu->pc;
    res = RV_E_AGAIN;
    goto out;

op_leave: /* retired; the helper set cpu->pc */
    idx = (unsigned)(op - blk->ops) + 1;
    left += blk->n - blk->iidx[idx];
    pc = cpu->pc;
    res = RV_E_AGAIN;
    goto out;

op_leave_seq: /* retired; go on at the next instruction (code changed) */
    idx = (unsigned)(op - blk->ops) + 1;
    left += blk->n - blk->iidx[idx];
    pc = blk->pc + blk->pcoff[idx];
    res = RV_E_AGAIN;
    goto out;

op_stop: /* cpu->stop; if it retired, the helper set cpu->pc */
    idx = (unsigned)(op - blk->ops) + (cpu->stop_retired ? 1 : 0);
    left += blk->n - blk->iidx[idx];
    pc = cpu->stop_retired ? cpu->pc : blk->pc + blk->pcoff[idx];
    res = RV_E_STOP;
    goto out;

out:
    cpu->pc = pc;
    cpu->instret = instret0 + (uint64_t)(budget - left);
    *done = budget - left;
    return res;

    /* ---- the handlers ---- */
L_NOP:
    NEXT();
L_LI:
    x[op->rd] = SX(op->imm);
    NEXT();
L_MV:
    x[op->rd] = x[op->rs1];
    NEXT();
L_AUIPC:
    x[op->rd] = blk->pc + SX(op->imm);
    NEXT();
L_ADDI:
    x[op->rd] = x[op->rs1] + SX(op->imm);
    NEXT();
L_SLTI:
    x[op->rd] = (int64_t)x[op->rs1] < (int64_t)op->imm;
    NEXT();
L_SLTIU:
    x[op->rd] = x[op->rs1] < SX(op->imm);
    NEXT();
L_XORI:
    x[op->rd] = x[op->rs1] ^ SX(op->imm);
    NEXT();
L_ORI:
    x[op->rd] = x[op->rs1] | SX(op->imm);
    NEXT();
L_ANDI:
    x[op->rd] = x[op->rs1] & SX(op->imm);
    NEXT();
L_SLLI:
    x[op->rd] = x[op->rs1] << op->imm;
    NEXT();
L_SRLI:
    x[op->rd] = x[op->rs1] >> op->imm;
    NEXT();
L_SRAI:
    x[op->rd] = (uint64_t)((int64_t)x[op->rs1] >> op->imm);
    NEXT();
L_ADDIW:
    x[op->rd] = W(x[op->rs1] + SX(op->imm));
    NEXT();
L_SLLIW:
    x[op->rd] = W((uint32_t)x[op->rs1] << op->imm);
    NEXT();
L_SRLIW:
    x[op->rd] = W((uint32_t)x[op->rs1] >> op->imm);
    NEXT();
L_SRAIW:
    x[op->rd] = SX((int32_t)x[op->rs1] >> op->imm);
    NEXT();
L_ADD:
    x[op->rd] = x[op->rs1] + x[op->rs2];
    NEXT();
L_SUB:
    x[op->rd] = x[op->rs1] - x[op->rs2];
    NEXT();
L_SLL:
    x[op->rd] = x[op->rs1] << (x[op->rs2] & 63);
    NEXT();
L_SLT:
    x[op->rd] = (int64_t)x[op->rs1] < (int64_t)x[op->rs2];
    NEXT();
L_SLTU:
    x[op->rd] = x[op->rs1] < x[op->rs2];
    NEXT();
L_XOR:
    x[op->rd] = x[op->rs1] ^ x[op->rs2];
    NEXT();
L_SRL:
    x[op->rd] = x[op->rs1] >> (x[op->rs2] & 63);
    NEXT();
L_SRA:
    x[op->rd] = (uint64_t)((int64_t)x[op->rs1] >> (x[op->rs2] & 63));
    NEXT();
L_OR:
    x[op->rd] = x[op->rs1] | x[op->rs2];
    NEXT();
L_AND:
    x[op->rd] = x[op->rs1] & x[op->rs2];
    NEXT();
L_ADDW:
    x[op->rd] = W(x[op->rs1] + x[op->rs2]);
    NEXT();
L_SUBW:
    x[op->rd] = W(x[op->rs1] - x[op->rs2]);
    NEXT();
L_SLLW:
    x[op->rd] = W((uint32_t)x[op->rs1] << (x[op->rs2] & 31));
    NEXT();
L_SRLW:
    x[op->rd] = W((uint32_t)x[op->rs1] >> (x[op->rs2] & 31));
    NEXT();
L_SRAW:
    x[op->rd] = SX((int32_t)x[op->rs1] >> (x[op->rs2] & 31));
    NEXT();
L_MUL:
    x[op->rd] = x[op->rs1] * x[op->rs2];
    NEXT();
L_MULH:
    x[op->rd] = (uint64_t)(((__int128)(int64_t)x[op->rs1] * (__int128)(int64_t)x[op->rs2]) >> 64);
    NEXT();
L_MULHSU:
    x[op->rd] = (uint64_t)(((__int128)(int64_t)x[op->rs1] * (__int128)x[op->rs2]) >> 64);
    NEXT();
L_MULHU:
    x[op->rd] = (uint64_t)(((unsigned __int128)x[op->rs1] * x[op->rs2]) >> 64);
    NEXT();
L_DIV : {
    int64_t a = (int64_t)x[op->rs1], b = (int64_t)x[op->rs2];
    x[op->rd] = b == 0 ? ~0ull : (a == INT64_MIN && b == -1) ? (uint64_t)a : (uint64_t)(a / b);
    NEXT();
}
L_DIVU : {
    uint64_t a = x[op->rs1], b = x[op->rs2];
    x[op->rd] = b == 0 ? ~0ull : a / b;
    NEXT();
}
L_REM : {
    int64_t a = (int64_t)x[op->rs1], b = (int64_t)x[op->rs2];
    x[op->rd] = b == 0 ? (uint64_t)a : (a == INT64_MIN && b == -1) ? 0 : (uint64_t)(a % b);
    NEXT();
}
L_REMU : {
    uint64_t a = x[op->rs1], b = x[op->rs2];
    x[op->rd] = b == 0 ? a : a % b;
    NEXT();
}
L_MULW:
    x[op->rd] = W((uint32_t)x[op->rs1] * (uint32_t)x[op->rs2]);
    NEXT();
L_DIVW : {
    int32_t a = (int32_t)x[op->rs1], b = (int32_t)x[op->rs2];
    x[op->rd] = b == 0 ? ~0ull : (a == INT32_MIN && b == -1) ? SX(a) : SX(a / b);
    NEXT();
}
L_DIVUW : {
    uint32_t a = (uint32_t)x[op->rs1], b = (uint32_t)x[op->rs2];
    x[op->rd] = b == 0 ? ~0ull : W(a / b);
    NEXT();
}
L_REMW : {
    int32_t a = (int32_t)x[op->rs1], b = (int32_t)x[op->rs2];
    x[op->rd] = b == 0 ? SX(a) : (a == INT32_MIN && b == -1) ? 0 : SX(a % b);
    NEXT();
}
L_REMUW : {
    uint32_t a = (uint32_t)x[op->rs1], b = (uint32_t)x[op->rs2];
    x[op->rd] = b == 0 ? W(a) : W(a % b);
    NEXT();
}

#define LOAD(T, SIZE, EXT)                                                             \
    {                                                                                  \
        uint64_t a = x[op->rs1] + SX(op->imm);                                         \
        const struct rv_tlbe *e =                                                      \
            (const struct rv_tlbe *)((const char *)cur->r + RV_TLB_OFF16(a));          \
        if (RV_LIKELY(e->tag == (a & TAGM(SIZE)))) {                                   \
            T v;                                                                       \
            memcpy(&v, (const void *)(uintptr_t)(a + e->add), SIZE);                  \
            x[op->rd] = EXT(v);                                                        \
            NEXT();                                                                    \
        }                                                                              \
        uint64_t v;                                                                    \
        r = rv_load_slow(cpu, a, SIZE, &v);                                            \
        if (RV_UNLIKELY(r != RV_X_NEXT)) {                                             \
            if (r == RV_X_STOP) {                                                      \
                goto op_stop; /* page wait */                                          \
            }                                                                          \
            goto op_trap;                                                              \
        }                                                                              \
        x[op->rd] = EXT((T)v);                                                         \
        NEXT();                                                                        \
    }
#define ZX(v) ((uint64_t)(v))
L_LB:
    LOAD(int8_t, 1, SX)
L_LH:
    LOAD(int16_t, 2, SX)
L_LW:
    LOAD(int32_t, 4, SX)
L_LD:
    LOAD(uint64_t, 8, ZX)
L_LBU:
    LOAD(uint8_t, 1, ZX)
L_LHU:
    LOAD(uint16_t, 2, ZX)
L_LWU:
    LOAD(uint32_t, 4, ZX)

#define STORE(T, SIZE)                                                                 \
    {                                                                                  \
        uint64_t a = x[op->rs1] + SX(op->imm);                                         \
        const struct rv_tlbe *e =                                                      \
            (const struct rv_tlbe *)((const char *)cur->w + RV_TLB_OFF16(a));          \
        if (RV_LIKELY(e->tag == (a & TAGM(SIZE)))) {                                   \
            T v = (T)x[op->rs2];                                                       \
            memcpy((void *)(uintptr_t)(a + e->add), &v, SIZE);                         \
            NEXT();                                                                    \
        }                                                                              \
        const struct rv_tlbc *c =                                                      \
            (const struct rv_tlbc *)((const char *)cur->cw + RV_TLB_OFF32(a));         \
        if (c->tag == (a & TAGM(SIZE)) && !((c->chunks >> ((a >> 6) & 63)) & 1)) {     \
            T v = (T)x[op->rs2];                                                       \
            memcpy((void *)(uintptr_t)(a + c->add), &v, SIZE);                         \
            NEXT();                                                                    \
        }                                                                              \
        r = rv_store_slow(cpu, a, SIZE, x[op->rs2]);                                   \
        if (RV_LIKELY(r == RV_X_NEXT)) {                                               \
            NEXT();                                                                    \
        }                                                                              \
        if (r == RV_X_TRAP) {                                                          \
            goto op_trap;                                                              \
        }                                                                              \
        if (r == RV_X_STOP) {                                                          \
            goto op_stop;                                                              \
        }                                                                              \
        goto op_leave_seq;                                                             \
    }
L_SB:
    STORE(uint8_t, 1)
L_SH:
    STORE(uint16_t, 2)
L_SW:
    STORE(uint32_t, 4)
L_SD:
    STORE(uint64_t, 8)

L_AMO:
    r = rv_amo(cpu, (uint32_t)op->imm);
    if (RV_LIKELY(r == RV_X_NEXT)) {
        NEXT();
    }
    if (r == RV_X_TRAP) {
        goto op_trap;
    }
    if (r == RV_X_STOP) {
        goto op_stop;
    }
    goto op_leave_seq;

L_CSR:
    SYNC();
    r = rv_csr_op(cpu, (uint32_t)op->imm);
    RESULT(r);

L_FENCEI:
    /* Stores into code already dropped what they overlapped; fence.i goes
     * through the same single path for the whole storage anyway. */
    stor_invalidate(cpu->st, 0, cpu->st->size);
    goto op_leave_seq;

L_SFENCE:
    if (umode) {
        cpu->exc_cause = RV_EXC_ILLEGAL;
        cpu->exc_tval = (uint32_t)op->imm;
        goto op_trap;
    }
    NEXT(); /* no guest MMU: nothing to flush */

L_JAL:
    x[op->rd] = blk->exits[op->rs2].pc;
    e = &blk->exits[op->rs1];
    goto take_exit;
L_JALR : {
    uint64_t t = (x[op->rs1] + SX(op->imm)) & ~1ull;
    x[op->rd] = blk->exits[op->rs2].pc;
    /* The jump cache inline: a hit enters like a chained exit (killed
     * blocks are never in it; zombies wait for the next dispatch). */
    const struct rv_jce *j = &tlb->jc[rv_jc_index(t)];
    if (RV_LIKELY(j->pc == t)) {
        blk = j->blk;
        goto enter;
    }
    pc = t;
    goto dispatch;
}
#define BRANCH(cond)                                                                   \
    if (cond) {                                                                        \
        left += op->aux;                                                               \
        e = &blk->exits[op->rd];                                                       \
        goto take_exit;                                                                \
    }                                                                                  \
    NEXT();
L_BEQ:
    BRANCH(x[op->rs1] == x[op->rs2])
L_BNE:
    BRANCH(x[op->rs1] != x[op->rs2])
L_BLT:
    BRANCH((int64_t)x[op->rs1] < (int64_t)x[op->rs2])
L_BGE:
    BRANCH((int64_t)x[op->rs1] >= (int64_t)x[op->rs2])
L_BLTU:
    BRANCH(x[op->rs1] < x[op->rs2])
L_BGEU:
    BRANCH(x[op->rs1] >= x[op->rs2])
    /* back to the start of this very block: give back what follows and
     * enter it again (budget, kick and U-mode checks as any entry) */
#define BRANCH_LOOP(cond)                                                              \
    if (cond) {                                                                        \
        left += op->aux;                                                               \
        goto enter;                                                                    \
    }                                                                                  \
    NEXT();
L_BEQ_L:
    BRANCH_LOOP(x[op->rs1] == x[op->rs2])
L_BNE_L:
    BRANCH_LOOP(x[op->rs1] != x[op->rs2])
L_BLT_L:
    BRANCH_LOOP((int64_t)x[op->rs1] < (int64_t)x[op->rs2])
L_BGE_L:
    BRANCH_LOOP((int64_t)x[op->rs1] >= (int64_t)x[op->rs2])
L_BLTU_L:
    BRANCH_LOOP(x[op->rs1] < x[op->rs2])
L_BGEU_L:
    BRANCH_LOOP(x[op->rs1] >= x[op->rs2])
L_EXIT:
    e = &blk->exits[op->rd];
    goto take_exit;

    /* ---- fused pairs (rv_xlate.c xc_fuse): both destinations written ---- */
L_F_SLLI_SRLI : {
    uint64_t t = x[op->rs1] << (op->imm & 63);
    x[op->rs2] = t;
    x[op->rd] = x[op->rs2] >> ((op->imm >> 8) & 63);
    NEXT();
}
L_F_SLLI_SLLI : {
    uint64_t t = x[op->rs1] << (op->imm & 63);
    x[op->rs2] = t;
    x[op->rd] = x[op->rs2] << ((op->imm >> 8) & 63);
    NEXT();
}
L_F_SLLI_ADD : {
    uint64_t t = x[op->rs1] << op->imm;
    x[op->aux] = t;
    x[op->rd] = t + x[op->rs2];
    NEXT();
}
L_F_SRLI_ADD : {
    uint64_t t = x[op->rs1] >> op->imm;
    x[op->aux] = t;
    x[op->rd] = t + x[op->rs2];
    NEXT();
}

L_ECALL:
    SYNC();
    r = rv_sys_ecall(cpu);
    RESULT(r);
L_EBREAK:
    SYNC();
    cpu->exc_cause = RV_EXC_BREAKPOINT;
    cpu->exc_tval = cpu->pc;
    goto op_trap;
L_ILLEGAL:
    cpu->exc_cause = RV_EXC_ILLEGAL;
    cpu->exc_tval = (uint32_t)op->imm;
    goto op_trap;
L_SRET:
    SYNC();
    r = rv_sys_sret(cpu);
    RESULT(r);
L_WFI:
    SYNC();
    r = rv_sys_wfi(cpu);
    RESULT(r);
}
