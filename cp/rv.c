// SPDX-License-Identifier: MIT
/*
 * cp/rv.c - the virtual CPU's public face (cp/rv.h): life cycle, registers,
 * the clock and interrupts, and rv_cpu_run's outer loop.
 *
 * The outer loop runs between chunks of translated code (cp/rv_exec.c):
 *   1. bring the TLB up to date with storage (flush on a generation change),
 *   2. consume a kick,
 *   3. deliver the highest pending enabled interrupt (SEI > SSI > STI;
 *      in S-mode only with sstatus.SIE, in U-mode whenever sie enables it),
 *   4. run a chunk: the whole remaining budget, or a short one while a timer
 *      interrupt could become deliverable, so that `time` is looked at
 *      regularly without a clock read per block.
 * The interpreter comes back here after anything that changes privilege,
 * interrupt enables or storage under it (sret, CSR writes of sstatus, sie,
 * sip, hypercalls, stores into code).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp/rv_int.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

/* Instructions between looks at the clock while a timer interrupt could be
 * taken: about 0.1-1 ms. */
#define RV_TIMER_CHUNK 100000

static _Atomic uint64_t rv_cpu_serials;

static uint64_t
host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct rv_cpu *
rv_cpu_create(struct stor *st, const struct rv_hooks *hooks)
{
    rv_exec_init();
    if (st->code_fn != NULL) {
        return NULL; /* one CPU per storage */
    }
    struct rv_cpu *cpu = calloc(1, sizeof *cpu);
    if (cpu == NULL) {
        return NULL;
    }
    cpu->st = st;
    if (hooks != NULL) {
        cpu->hooks = *hooks;
    }
    cpu->xc = rv_xc_create(st, &cpu->stats);
    if (cpu->xc == NULL) {
        free(cpu);
        return NULL;
    }
    cpu->serial = atomic_fetch_add(&rv_cpu_serials, 1) + 1;
    atomic_init(&cpu->seip, 0);
    atomic_init(&cpu->kick, 0);
    rv_cpu_reset(cpu, 0);
    return cpu;
}

void
rv_cpu_destroy(struct rv_cpu *cpu)
{
    if (cpu == NULL) {
        return;
    }
    rv_xc_destroy(cpu->xc);
    free(cpu);
}

void
rv_cpu_reset(struct rv_cpu *cpu, uint64_t entry)
{
    memset(cpu->x, 0, sizeof cpu->x);
    cpu->pc = entry;
    cpu->priv = RV_PRIV_S;
    cpu->sstatus = 0;
    cpu->sie = 0;
    cpu->stvec = 0;
    cpu->scounteren = 0;
    cpu->senvcfg = 0;
    cpu->sscratch = 0;
    cpu->sepc = 0;
    cpu->scause = 0;
    cpu->stval = 0;
    cpu->satp = 0;
    cpu->ssip = 0;
    cpu->timecmp = UINT64_MAX;
    cpu->instret = 0;
    cpu->resv_valid = false;
    cpu->last_valid = false;
    cpu->stop_text[0] = '\0';
    cpu->time0_ns = host_ns();
}

uint64_t
rv_cpu_time(struct rv_cpu *cpu)
{
    if (cpu->hooks.time_now != NULL) {
        return cpu->hooks.time_now(cpu->hooks.ctx);
    }
    return (host_ns() - cpu->time0_ns) / (1000000000ull / VMRV_TIMEBASE_HZ);
}

void
rv_cpu_kick(struct rv_cpu *cpu)
{
    atomic_fetch_or_explicit(&cpu->kick, RV_KICK_EXIT, memory_order_release);
}

void
rv_cpu_set_seip(struct rv_cpu *cpu, bool pending)
{
    atomic_store_explicit(&cpu->seip, pending ? 1u : 0u, memory_order_release);
    rv_cpu_kick(cpu);
}

void
rv_cpu_set_timecmp(struct rv_cpu *cpu, uint64_t value)
{
    cpu->timecmp = value;
}

uint64_t
rv_cpu_wake_time(const struct rv_cpu *cpu)
{
    return (cpu->sie & RV_IRQ_STIP) ? cpu->timecmp : UINT64_MAX;
}

const char *
rv_cpu_stop_text(const struct rv_cpu *cpu)
{
    return cpu->stop_text;
}

uint64_t
rv_reg_get(const struct rv_cpu *cpu, unsigned n)
{
    return n < 32 ? cpu->x[n] : 0;
}

void
rv_reg_set(struct rv_cpu *cpu, unsigned n, uint64_t value)
{
    if (n > 0 && n < 32) {
        cpu->x[n] = value;
    }
}

uint64_t
rv_pc_get(const struct rv_cpu *cpu)
{
    return cpu->pc;
}

void
rv_pc_set(struct rv_cpu *cpu, uint64_t pc)
{
    cpu->pc = pc & ~1ull;
}

int
rv_priv_get(const struct rv_cpu *cpu)
{
    return cpu->priv;
}

void
rv_cpu_stats(const struct rv_cpu *cpu, struct rv_stats *out)
{
    *out = cpu->stats;
}

size_t
rv_cpu_footprint(const struct rv_cpu *cpu)
{
    return sizeof *cpu + rv_xc_footprint(cpu->xc);
}

size_t
rv_tlb_footprint(void)
{
    return sizeof(struct rv_tlb);
}

/* ---- TRACE (rv_cpu_set_trace) ----------------------------------------------
 * Kept apart from the interpreter: while a trace is on, rv_cpu_run swaps
 * the ecall and trap hooks for the wrappers below and, with instruction
 * tracing, runs one block per rv_exec call (budget 1).  After each call the
 * block's retired instructions are read back from storage and reported;
 * the wrappers report those before a hypercall or trap first. */

void
rv_cpu_set_trace(struct rv_cpu *cpu, const struct rv_trace *trace)
{
    if (trace == NULL || (trace->insn == NULL && trace->trap == NULL)) {
        cpu->tr_on = false;
        memset(&cpu->tr, 0, sizeof cpu->tr);
        return;
    }
    cpu->tr = *trace;
    cpu->tr_on = true;
}

/* Reports the instruction at pc; returns its length. */
static unsigned
tr_one(struct rv_cpu *cpu, uint64_t pc)
{
    uint8_t b[4] = {0};
    unsigned len = 2;
    uint32_t bits = 0;
    if (stor_read(cpu->st, pc, b, 2) == 0) {
        len = (b[0] & 3) == 3 ? 4 : 2;
        if (len == 4 && stor_read(cpu->st, pc + 2, b + 2, 2) != 0) {
            len = 2;
        }
        bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
               (len == 4 ? (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24 : 0);
    }
    cpu->tr.insn(cpu->tr.ctx, cpu, pc, bits, len);
    return len;
}

/* Reports the instructions retired since the last report: cpu->instret -
 * tr_instret of them, straight on from tr_pc. */
static void
tr_flush(struct rv_cpu *cpu)
{
    if (cpu->tr.insn == NULL) {
        cpu->tr_instret = cpu->instret;
        return;
    }
    while (cpu->tr_instret < cpu->instret) {
        cpu->tr_pc += tr_one(cpu, cpu->tr_pc);
        cpu->tr_instret++;
    }
}

static enum rv_hcall
tr_ecall(void *ctx, struct rv_cpu *cpu)
{
    (void)ctx;
    tr_flush(cpu);
    /* the ecall itself (at cpu->pc) is reported before its hypercall */
    if (cpu->tr.insn != NULL) {
        tr_one(cpu, cpu->pc);
    }
    enum rv_hcall r = cpu->tr_saved.ecall(cpu->tr_saved.ctx, cpu);
    /* the rest of the block (nothing: an ecall ends it) starts after it;
     * an ecall that waits retires later and is reported again then */
    cpu->tr_pc = r == RV_HCALL_WAIT ? cpu->pc : cpu->pc + 4;
    cpu->tr_instret = cpu->instret + (r == RV_HCALL_WAIT ? 0 : 1);
    return r;
}

static void
tr_trap(void *ctx, struct rv_cpu *cpu, uint64_t cause, uint64_t tval)
{
    (void)ctx;
    tr_flush(cpu);
    if (cpu->tr.trap != NULL) {
        cpu->tr.trap(cpu->tr.ctx, cpu, cause, cpu->sepc, tval);
    }
    cpu->tr_pc = cpu->pc; /* the handler */
    cpu->tr_instret = cpu->instret;
    if (cpu->tr_saved.trap_taken != NULL) {
        cpu->tr_saved.trap_taken(cpu->tr_saved.ctx, cpu, cause, tval);
    }
}

/* One rv_exec call under TRACE: one block with instruction tracing, else
 * the whole chunk. */
static enum rv_exec_res
tr_exec(struct rv_cpu *cpu, struct rv_tlb *tlb, int64_t chunk, int64_t *done)
{
    cpu->tr_pc = cpu->pc;
    cpu->tr_instret = cpu->instret;
    enum rv_exec_res res = rv_exec(cpu, tlb, cpu->tr.insn != NULL ? 1 : chunk, done);
    uint64_t end = cpu->instret;
    /* rv_exec leaves cpu->instret counting what retired */
    if (cpu->tr.insn != NULL && cpu->tr_instret < end) {
        tr_flush(cpu);
    }
    cpu->tr_instret = end;
    return res;
}

/* Delivers the highest pending enabled interrupt, if any may be taken.
 * false: a disabled wait instead. */
static bool
rv_irq_deliver(struct rv_cpu *cpu)
{
    if (cpu->sie == 0) {
        return true;
    }
    if (cpu->priv == RV_PRIV_S && !(cpu->sstatus & RV_SSTATUS_SIE)) {
        return true;
    }
    uint64_t pend = rv_sip(cpu) & cpu->sie;
    if (pend == 0) {
        return true;
    }
    unsigned irq = (pend & RV_IRQ_SEIP) ? 9 : (pend & RV_IRQ_SSIP) ? 1 : 5;
    return rv_trap(cpu, cpu->pc, RV_CAUSE_INTR | irq, 0);
}

/* Could a timer interrupt become deliverable while code runs? */
static bool
rv_timer_armed(const struct rv_cpu *cpu)
{
    return cpu->timecmp != UINT64_MAX && (cpu->sie & RV_IRQ_STIP) &&
           (cpu->priv == RV_PRIV_U || (cpu->sstatus & RV_SSTATUS_SIE));
}

enum rv_stop
rv_cpu_run(struct rv_cpu *cpu, struct rv_tlb *tlb, uint64_t budget)
{
    struct stor *st = cpu->st;
    if (tlb->owner != cpu->serial || tlb->gen != st->gen) {
        rv_tlb_flush(tlb);
        tlb->owner = cpu->serial;
        tlb->gen = st->gen;
    }
    cpu->tlb = tlb;
    rv_xc_attach(cpu->xc, tlb);
    int64_t left = budget > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)budget;
    enum rv_stop why;
    const bool traced = cpu->tr_on; /* TRACE: wrap the hooks for this run */
    if (RV_UNLIKELY(traced)) {
        cpu->tr_saved = cpu->hooks;
        cpu->hooks.ecall = tr_ecall;
        cpu->hooks.trap_taken = tr_trap;
        cpu->tr_pc = cpu->pc;
        cpu->tr_instret = cpu->instret;
    }
    for (;;) {
        if (tlb->gen != st->gen) {
            rv_tlb_flush(tlb);
            tlb->gen = st->gen;
        }
        if (atomic_load_explicit(&cpu->kick, memory_order_acquire) & RV_KICK_EXIT) {
            atomic_fetch_and_explicit(&cpu->kick, ~RV_KICK_EXIT, memory_order_relaxed);
            why = RV_STOP_KICK;
            break;
        }
        if (!rv_irq_deliver(cpu)) {
            why = RV_STOP_DISABLED_WAIT;
            break;
        }
        if (left <= 0) {
            why = RV_STOP_BUDGET;
            break;
        }
        int64_t chunk = left;
        if (rv_timer_armed(cpu) && chunk > RV_TIMER_CHUNK) {
            chunk = RV_TIMER_CHUNK;
        }
        int64_t done = 0;
        enum rv_exec_res res = RV_UNLIKELY(traced) ? tr_exec(cpu, tlb, chunk, &done)
                                                   : rv_exec(cpu, tlb, chunk, &done);
        left -= done;
        cpu->stats.instret += (uint64_t)done;
        if (res == RV_E_STOP) {
            why = cpu->stop;
            break;
        }
    }
    if (RV_UNLIKELY(traced)) {
        cpu->hooks = cpu->tr_saved;
    }
    if (why == RV_STOP_WAIT && cpu->hcall_page_wait) {
        why = RV_STOP_PAGE_WAIT; /* the hypercall waits for a page */
    }
    cpu->hcall_page_wait = false;
    rv_xc_detach(cpu->xc);
    cpu->tlb = NULL;
    return why;
}
