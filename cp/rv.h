/* SPDX-License-Identifier: MIT */
/*
 * cp/rv.h - the virtual CPU: an RV64IMAC + Zicsr + Zifencei hart in virtual
 * S-mode and U-mode, run by scan-and-translate over guest storage (cp/stor.h).
 *
 * Above: CP (cp/vm.c, the dispatcher, DIAG handlers) drives a CPU with
 * rv_cpu_run() for a budget and acts on the stop reason.  Below: guest
 * storage, reached only through cp/stor.h.  The CPU knows nothing of
 * consoles, disks, sqlite or libssh: hypercalls leave through the ecall
 * hook, and everything else is a stop reason.
 *
 * Threads: only the thread that runs a CPU (inside rv_cpu_run, or while no
 * one runs it) may touch its state.  rv_cpu_kick() and rv_cpu_post_irq() may
 * be called from any thread.  rv_cpu_run holds a lock of the CPU's
 * translation cache for the whole run (other CPUs' evictions skip it); a
 * write into guest storage from another thread (stor_write, stor_zero,
 * stor_release, stor_invalidate) takes that lock and so waits for a run to
 * end: never make one while holding a lock the running thread may need.
 *
 * Guest faults are guest events: they are delivered to the guest's stvec
 * with scause/sepc/stval/sstatus as the privileged specification says.  A
 * guest can never make these functions fail or touch host memory outside its
 * storage.
 */
#ifndef CP_RV_H
#define CP_RV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stor;
struct rv_cpu;
struct rv_tlb;

/* Why rv_cpu_run() returned. */
enum rv_stop {
    RV_STOP_BUDGET = 0, /* the budget ran out */
    RV_STOP_KICK, /* rv_cpu_kick() from another thread, or the ecall hook
                     asked to yield (RV_HCALL_YIELD) */
    RV_STOP_WAIT, /* the ecall hook asked to wait (RV_HCALL_WAIT): pc still
                     points at the ecall, which runs again on resume */
    RV_STOP_WFI, /* wfi with nothing pending; an enabled interrupt could
                    wake it (see rv_cpu_wake_time) */
    RV_STOP_HALT, /* the ecall hook ended the VM (RV_HCALL_STOP) */
    RV_STOP_DISABLED_WAIT, /* nothing can ever wake it: rv_cpu_stop_text() */
    RV_STOP_PAGE_WAIT, /* only with rv_cpu_set_page_wait on: a load, store,
                          AMO, LR/SC or instruction fetch touched a guest
                          page that is out on the paging file, or a
                          hypercall asked for one (rv_cpu_page_wait_hcall);
                          rv_cpu_page_wait_pn says which.  No byte moved,
                          pc still points at the instruction (the ecall)
                          and it runs again on resume */
};

/* What the ecall hook tells the CPU to do. */
enum rv_hcall {
    RV_HCALL_CONTINUE = 0, /* done: pc += 4, go on in the same slice */
    RV_HCALL_YIELD, /* done: pc += 4, end the slice (RV_STOP_KICK) */
    RV_HCALL_WAIT, /* not done: pc stays, stop with RV_STOP_WAIT */
    RV_HCALL_STOP, /* done for good: pc += 4, stop with RV_STOP_HALT */
};

/* Privilege levels as in the specification. */
#define RV_PRIV_U 0
#define RV_PRIV_S 1

/* Interrupt bits of sip/sie. */
#define RV_IRQ_SSIP (1u << 1)
#define RV_IRQ_STIP (1u << 5)
#define RV_IRQ_SEIP (1u << 9)

struct rv_hooks {
    void *ctx;
    /* ecall from virtual S-mode: a hypercall.  Read and write a0..a7 with
     * rv_reg_get/rv_reg_set; guest memory through cp/stor.h.  Required.
     * (ecall from U-mode is reflected to the guest, never seen here.)
     * It may call stor_*, rv_cpu_set_timecmp, rv_cpu_set_seip, rv_cpu_kick
     * and rv_pc_set (then execution goes on at that pc); it must not call
     * rv_cpu_reset or rv_cpu_run (return RV_HCALL_STOP and reset after). */
    enum rv_hcall (*ecall)(void *ctx, struct rv_cpu *cpu);
    /* The current value of `time` (VMRV_TIMEBASE_HZ).  NULL: the host's
     * monotonic clock, counted from rv_cpu_reset(). */
    uint64_t (*time_now)(void *ctx);
    /* Optional: called for every trap and interrupt delivered to the guest
     * (for TRACE).  cause has bit 63 set for interrupts. */
    void (*trap_taken)(void *ctx, struct rv_cpu *cpu, uint64_t cause, uint64_t tval);
};

/* TRACE (CP's TRACE command): optional per-CPU observers, outside the hot
 * path.  While insn is set, rv_cpu_run interprets one translated block at a
 * time and reports each retired instruction after its block ran (a block is
 * straight-line code, so the retired ones are its first n); a hypercall or
 * trap reports the instructions before it first, so lines come in program
 * order.  trap reports every trap and interrupt delivered to the guest (epc
 * = sepc as set, cause with bit 63 for interrupts).  Either may be NULL. */
struct rv_trace {
    void *ctx;
    /* bits: the instruction as fetched (16 bits if len is 2). */
    void (*insn)(void *ctx, struct rv_cpu *cpu, uint64_t pc, uint32_t bits, unsigned len);
    void (*trap)(void *ctx, struct rv_cpu *cpu, uint64_t cause, uint64_t epc, uint64_t tval);
};

/* Counters for the teaching display and the benchmarks. */
struct rv_stats {
    uint64_t instret; /* instructions retired */
    uint64_t blocks_translated; /* basic blocks scanned into the cache */
    uint64_t insns_patched; /* sensitive instructions turned into traps */
    uint64_t invalidations; /* translations dropped by stores/fence.i/CP
                               (not counting evictions) */
    uint64_t hypercalls; /* S-mode ecalls passed to the hook */
    uint64_t evictions; /* blocks dropped to stay under the global cap */
    uint64_t insns_interpreted; /* run from self-modifying pages without
                                   a cached translation */
    uint64_t blocks_shared; /* of blocks_translated: published in a saved
                               segment's shared cache */
    uint64_t shared_hits; /* blocks found in a segment's shared cache */
    uint64_t exceptions[16]; /* by scause */
    uint64_t interrupts[16]; /* by interrupt number */
};

/* Creates a CPU over st (which must outlive it) in the IPL state of
 * vmrv/ipl.h with pc = 0.  Returns NULL on out of memory, or when st
 * already has a CPU (one CPU per storage).  hooks is copied. */
struct rv_cpu *rv_cpu_create(struct stor *st, const struct rv_hooks *hooks);
void rv_cpu_destroy(struct rv_cpu *cpu);

/* IPL state: every register 0, S-mode, CSRs reset, time restarts at 0,
 * pc = entry.  Translations of the storage are kept (they stay valid). */
void rv_cpu_reset(struct rv_cpu *cpu, uint64_t entry);

/* A software TLB.  It belongs to the thread that runs CPUs (a dispatcher),
 * not to a CPU, so an idle VM costs nothing for it.  Passing a TLB that last
 * served another CPU flushes it.  NULL on out of memory. */
struct rv_tlb *rv_tlb_create(void);
void rv_tlb_destroy(struct rv_tlb *tlb);
/* Host bytes of one TLB (with its jump cache), for the benchmarks. */
size_t rv_tlb_footprint(void);

/* Runs cpu on the calling thread for at most `budget` instructions (it may
 * stop a block later than the budget, never more than one block) and returns
 * why it stopped.  Never fails: guest errors go to the guest. */
enum rv_stop rv_cpu_run(struct rv_cpu *cpu, struct rv_tlb *tlb, uint64_t budget);

/* Asynchronous page-in (cp/paging.h).  Off (the default): a guest access
 * (load, store, AMO, LR/SC, instruction fetch) of a page that is out reads
 * it back on the calling thread.  On: it ends rv_cpu_run with
 * RV_STOP_PAGE_WAIT instead, and the caller has the page read
 * (paging_read_async) before it runs the CPU again.  CP's own accesses
 * (stor_read/stor_write) always read synchronously; a hypercall that is
 * about to make some asks first (below).  Only the thread that runs the
 * CPU, outside rv_cpu_run. */
void rv_cpu_set_page_wait(struct rv_cpu *cpu, bool on);
/* After RV_STOP_PAGE_WAIT: the guest page number (guest address >> 12). */
uint64_t rv_cpu_page_wait_pn(const struct rv_cpu *cpu);

/* From the ecall hook, before the hypercall touches guest page pn, which
 * is out (stor_first_out): true when page wait is on; the hook then
 * returns RV_HCALL_WAIT having done nothing else, rv_cpu_run returns
 * RV_STOP_PAGE_WAIT for pn, and the ecall runs again once the page is in.
 * false: page wait is off; go on (the access reads it synchronously). */
bool rv_cpu_page_wait_hcall(struct rv_cpu *cpu, uint64_t pn);

/* Any thread: make a running (or the next) rv_cpu_run() return
 * RV_STOP_KICK soon (within one translated block). */
void rv_cpu_kick(struct rv_cpu *cpu);

/* Any thread: set or clear the external interrupt (SEIP) level. Kicks. */
void rv_cpu_set_seip(struct rv_cpu *cpu, bool pending);

/* The clock comparator (SBI set_timer, DIAG 0x1004): STIP is pending while
 * time >= value.  UINT64_MAX disables it. */
void rv_cpu_set_timecmp(struct rv_cpu *cpu, uint64_t value);

/* After RV_STOP_WFI: the `time` value at which the timer will wake the CPU,
 * or UINT64_MAX if only an external event can. */
uint64_t rv_cpu_wake_time(const struct rv_cpu *cpu);

/* The current `time` value as the guest sees it. */
uint64_t rv_cpu_time(struct rv_cpu *cpu);

/* After RV_STOP_DISABLED_WAIT: a one-line reason ("wfi with interrupts
 * disabled at pc ...").  Owned by the CPU. */
const char *rv_cpu_stop_text(const struct rv_cpu *cpu);

/* Registers, for CP (hypercalls, IPL, DISPLAY/STORE). x0 reads 0, writes to
 * it are ignored; n > 31 reads 0. */
uint64_t rv_reg_get(const struct rv_cpu *cpu, unsigned n);
void rv_reg_set(struct rv_cpu *cpu, unsigned n, uint64_t value);
uint64_t rv_pc_get(const struct rv_cpu *cpu);
void rv_pc_set(struct rv_cpu *cpu, uint64_t pc);
int rv_priv_get(const struct rv_cpu *cpu);

/* CSRs by number (as in the specification) as S-mode software sees them.
 * Returns 0, or -1 for a CSR the virtual hart does not have. */
int rv_csr_read(struct rv_cpu *cpu, unsigned csr, uint64_t *value);
int rv_csr_write(struct rv_cpu *cpu, unsigned csr, uint64_t value);

void rv_cpu_stats(const struct rv_cpu *cpu, struct rv_stats *out);

/* Host bytes this CPU uses (its state and its share of translations). */
size_t rv_cpu_footprint(const struct rv_cpu *cpu);

/* Sets (copies) or, with NULL or no callbacks, clears the CPU's TRACE
 * observers.  Only the thread that runs the CPU, while it is not inside
 * rv_cpu_run.  With none set rv_cpu_run costs one test per call. */
void rv_cpu_set_trace(struct rv_cpu *cpu, const struct rv_trace *trace);

/* The global cap on host memory for translated code, all CPUs together
 * (default 256 MiB).  A CPU that needs room beyond it evicts, least
 * recently used first: the translations of the CPUs that ran least
 * recently and are not running now, then its own blocks not entered lately
 * (CLOCK), down to 7/8 of the cap.  Translations of CPUs that other
 * threads are running are never touched, so the total may exceed the cap
 * by what those hold.  Any thread, any time; takes effect at the next
 * translation.  rv_xlate_bytes() is what translations use now. */
void rv_xlate_cap_set(size_t bytes);
size_t rv_xlate_bytes(void);
/* Host bytes of the translations shared through saved segments (not in
 * rv_xlate_bytes, never evicted: freed with their segment, and capped per
 * segment). */
size_t rv_xlate_shared_bytes(void);

#endif /* CP_RV_H */
