// SPDX-License-Identifier: MIT
/*
 * cp/rv_mem.c - the software TLB and the slow paths of guest memory access:
 * everything the interpreter's inline TLB hit (cp/rv_exec.c) does not do.
 *
 *   - TLB fills: a read entry for any page the current privilege may read
 *     (unbacked pages point at stor_zero_page), a write entry only for
 *     pages it may write that hold no translated code, an execute entry
 *     (consulted only in U-mode) for pages U-mode may fetch from.
 *   - Misaligned accesses, also across a page boundary: both pages are
 *     checked before any byte moves; a fault names the first byte of the
 *     part that faulted.
 *   - Faults: beyond storage or forbidden to U-mode by stor_protect ->
 *     access fault 5 (load) / 7 (store, AMO); a store into a shared saved
 *     segment page (STOR_M_SHARED) -> 7 in S-mode too.
 *   - Stores into pages with code: the bytes are written, then whatever
 *     translation they overlap is invalidated through stor_invalidate();
 *     the interpreter then leaves the block (RV_X_LEAVE).
 *   - LR/SC/AMO: natural alignment required (misaligned traps 4 / 6).
 *   - Paging (cp/paging.h): a fill marks the page referenced, a store fill
 *     marks it dirty too (write entries are made only here); a page that
 *     is out is read back by stor_frame, or, with rv_cpu_set_page_wait on,
 *     ends the run with RV_STOP_PAGE_WAIT before any byte moves (the
 *     caller reads it on a pager thread): loads, stores, AMOs, LR and SC
 *     (which keeps its reservation), and instruction fetch (the scanner,
 *     cp/rv_xlate.c); a hypercall asks for the same through
 *     rv_cpu_page_wait_hcall.  Frames over the limit's slack kick the CPU
 *     so the slice ends and vm_run trims at its safe point.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cp/paging.h"
#include "cp/rv_int.h"
#include "vmrv/diag.h"

/* ---- the TLB ------------------------------------------------------------- */

struct rv_tlb *
rv_tlb_create(void)
{
    struct rv_tlb *tlb = NULL;
    if (posix_memalign((void **)&tlb, 64, sizeof *tlb) != 0) {
        return NULL;
    }
    rv_tlb_flush(tlb);
    tlb->owner = 0;
    tlb->gen = 0;
    return tlb;
}

void
rv_tlb_destroy(struct rv_tlb *tlb)
{
    free(tlb);
}

void
rv_tlb_flush(struct rv_tlb *tlb)
{
    for (int p = 0; p < 2; p++) {
        struct rv_tlbset *s = &tlb->set[p];
        for (unsigned i = 0; i < RV_TLB_SIZE; i++) {
            s->r[i].tag = RV_TLB_INVALID;
            s->w[i].tag = RV_TLB_INVALID;
            s->x[i].tag = RV_TLB_INVALID;
            s->cw[i].tag = RV_TLB_INVALID;
        }
    }
    for (unsigned i = 0; i < RV_JC_SIZE; i++) {
        tlb->jc[i].pc = 1; /* odd: never a pc */
        tlb->jc[i].blk = NULL;
    }
}

void
rv_tlb_drop_page(struct rv_tlb *tlb, uint64_t pn)
{
    unsigned i = (unsigned)pn & RV_TLB_MASK;
    uint64_t tag = pn << STOR_PAGE_SHIFT;
    for (int p = 0; p < 2; p++) {
        struct rv_tlbset *s = &tlb->set[p];
        if (s->r[i].tag == tag) {
            s->r[i].tag = RV_TLB_INVALID;
        }
        if (s->w[i].tag == tag) {
            s->w[i].tag = RV_TLB_INVALID;
        }
        if (s->x[i].tag == tag) {
            s->x[i].tag = RV_TLB_INVALID;
        }
        if (s->cw[i].tag == tag) {
            s->cw[i].tag = RV_TLB_INVALID;
        }
    }
}

static void
tlb_set(struct rv_tlbe *e, uint64_t pn, const uint8_t *frame)
{
    e->tag = pn << STOR_PAGE_SHIFT;
    e->add = (uintptr_t)frame - (uintptr_t)(pn << STOR_PAGE_SHIFT);
}

/* ---- access checks ------------------------------------------------------- */

static int
fault(struct rv_cpu *cpu, uint64_t cause, uint64_t tval)
{
    cpu->exc_cause = cause;
    cpu->exc_tval = tval;
    return RV_X_TRAP;
}

/* May the current privilege access page pn this way?  0 or -1. */
static int
page_ok(const struct rv_cpu *cpu, uint64_t pn, bool write)
{
    if (pn >= cpu->st->npages) {
        return -1;
    }
    unsigned meta = stor_meta(cpu->st, pn);
    if (write && (meta & STOR_M_SHARED)) {
        return -1; /* a saved segment's page: read only in every mode */
    }
    if (cpu->priv == RV_PRIV_U) {
        unsigned prot = meta & STOR_M_PROT;
        if (prot == DIAG_PROT_USER_NONE || (write && prot == DIAG_PROT_USER_RO)) {
            return -1;
        }
    }
    return 0;
}

/* Splits [addr, addr+size) at the page boundary: returns the length of the
 * first part (size if it does not cross). */
static unsigned
first_part(uint64_t addr, unsigned size)
{
    unsigned room = STOR_PAGE_SIZE - (unsigned)(addr & STOR_PAGE_MASK);
    return room < size ? room : size;
}

/* Checks both parts of an access: 0, or a fault with tval = the first byte
 * of the part that is not allowed. */
static int
check_access(struct rv_cpu *cpu, uint64_t addr, unsigned size, bool write)
{
    uint64_t cause = write ? RV_EXC_STORE_ACCESS : RV_EXC_LOAD_ACCESS;
    unsigned n0 = first_part(addr, size);
    if (page_ok(cpu, addr >> STOR_PAGE_SHIFT, write) != 0) {
        return fault(cpu, cause, addr);
    }
    if (n0 < size) {
        uint64_t a1 = addr + n0;
        if (a1 < addr || page_ok(cpu, a1 >> STOR_PAGE_SHIFT, write) != 0) {
            return fault(cpu, cause, a1);
        }
    }
    return RV_X_NEXT;
}

/* ---- page wait ----------------------------------------------------------- */

void
rv_cpu_set_page_wait(struct rv_cpu *cpu, bool on)
{
    cpu->page_wait_on = on;
    rv_xc_set_page_wait(cpu->xc, on);
}

bool
rv_cpu_page_wait_hcall(struct rv_cpu *cpu, uint64_t pn)
{
    if (!cpu->page_wait_on) {
        return false;
    }
    cpu->hcall_page_wait = true;
    cpu->page_wait_pn = pn;
    return true;
}

uint64_t
rv_cpu_page_wait_pn(const struct rv_cpu *cpu)
{
    return cpu->page_wait_pn;
}

/* With page wait on: RV_X_STOP (RV_STOP_PAGE_WAIT, not retired) when a page
 * of [addr, addr+size) is out on the paging file, else RV_X_NEXT.  Called
 * after check_access, before any byte moves. */
static int
page_out_stop(struct rv_cpu *cpu, uint64_t addr, unsigned size)
{
    if (!cpu->page_wait_on || cpu->st->paged_out == 0) {
        return RV_X_NEXT;
    }
    uint64_t p0 = addr >> STOR_PAGE_SHIFT, p1 = (addr + size - 1) >> STOR_PAGE_SHIFT;
    for (uint64_t pn = p0; pn <= p1; pn++) {
        if (stor_page_out(cpu->st, pn)) {
            cpu->page_wait_pn = pn;
            cpu->stop = RV_STOP_PAGE_WAIT;
            cpu->stop_retired = false;
            return RV_X_STOP;
        }
    }
    return RV_X_NEXT;
}

/* ---- loads --------------------------------------------------------------- */

int
rv_load_slow(struct rv_cpu *cpu, uint64_t addr, unsigned size, uint64_t *val)
{
    int r = check_access(cpu, addr, size, false);
    if (r == RV_X_NEXT) {
        r = page_out_stop(cpu, addr, size);
    }
    if (r != RV_X_NEXT) {
        return r;
    }
    const struct stor *st = cpu->st;
    uint8_t buf[8];
    unsigned done = 0;
    while (done < size) {
        uint64_t a = addr + done;
        uint64_t pn = a >> STOR_PAGE_SHIFT;
        unsigned n = first_part(a, size - done);
        const uint8_t *f = stor_frame(st, pn); /* pages in if it is out */
        if (f == NULL) {
            f = stor_zero_page;
        } else {
            stor_touch(cpu->st, pn, STOR_M_REF);
        }
        memcpy(buf + done, f + (a & STOR_PAGE_MASK), n);
        if (n == size && cpu->tlb != NULL) {
            tlb_set(&cpu->tlb->set[cpu->priv].r[pn & RV_TLB_MASK], pn, f);
        }
        done += n;
    }
    uint64_t v = 0;
    memcpy(&v, buf, size); /* little-endian host */
    *val = v;
    if (paging_over_slack()) {
        rv_cpu_kick(cpu); /* to the safe point at the end of the slice */
    }
    return RV_X_NEXT;
}

/* ---- stores -------------------------------------------------------------- */

/* Backs page pn for writing and keeps this thread's TLB in step. */
static uint8_t *
frame_for_write(struct rv_cpu *cpu, uint64_t pn)
{
    struct stor *st = cpu->st;
    uint8_t *f = stor_frame(st, pn);
    if (f != NULL) {
        return f;
    }
    uint64_t g0 = st->gen;
    f = stor_frame_rw(st, pn);
    if (f != NULL && cpu->tlb != NULL) {
        /* Read entries may still point at the zero page. */
        rv_tlb_drop_page(cpu->tlb, pn);
        if (cpu->tlb->gen == g0) {
            cpu->tlb->gen = st->gen;
        }
    }
    return f;
}

int
rv_store_slow(struct rv_cpu *cpu, uint64_t addr, unsigned size, uint64_t val)
{
    int r = check_access(cpu, addr, size, true);
    if (r == RV_X_NEXT) {
        r = page_out_stop(cpu, addr, size);
    }
    if (r != RV_X_NEXT) {
        return r;
    }
    struct stor *st = cpu->st;
    uint8_t buf[8];
    memcpy(buf, &val, sizeof buf);
    uint64_t kills = rv_xc_kills(cpu->xc);
    unsigned done = 0;
    while (done < size) {
        uint64_t a = addr + done;
        uint64_t pn = a >> STOR_PAGE_SHIFT;
        unsigned n = first_part(a, size - done);
        uint8_t *f = frame_for_write(cpu, pn);
        if (f == NULL) {
            rv_set_stop_text(cpu, "CP out of memory backing guest page %#llx",
                             (unsigned long long)(pn << STOR_PAGE_SHIFT));
            cpu->stop = RV_STOP_DISABLED_WAIT;
            cpu->stop_retired = false;
            return RV_X_STOP;
        }
        memcpy(f + (a & STOR_PAGE_MASK), buf + done, n);
        stor_touch(st, pn, STOR_M_REF | STOR_M_DIRTY); /* what write entries allow too */
        if (stor_meta(st, pn) & STOR_M_CODE) {
            if (rv_xc_overlaps(cpu->xc, a, n)) {
                stor_invalidate(st, a, n);
            } else if (n == size && cpu->tlb != NULL) {
                /* Data beside code: later stores away from it stay inline. */
                struct rv_tlbc *c = &cpu->tlb->set[cpu->priv].cw[pn & RV_TLB_MASK];
                c->tag = pn << STOR_PAGE_SHIFT;
                c->add = (uintptr_t)f - (uintptr_t)(pn << STOR_PAGE_SHIFT);
                c->chunks = rv_xc_page_chunks(cpu->xc, pn);
            }
        } else if (n == size && cpu->tlb != NULL) {
            struct rv_tlbset *s = &cpu->tlb->set[cpu->priv];
            tlb_set(&s->w[pn & RV_TLB_MASK], pn, f);
            tlb_set(&s->r[pn & RV_TLB_MASK], pn, f);
        }
        done += n;
    }
    if (paging_over_slack()) {
        rv_cpu_kick(cpu); /* to the safe point at the end of the slice */
    }
    return rv_xc_kills(cpu->xc) != kills ? RV_X_LEAVE : RV_X_NEXT;
}

/* ---- LR/SC/AMO ----------------------------------------------------------- */

static uint64_t
amo_calc(unsigned f5, bool word, uint64_t old, uint64_t src)
{
    if (word) {
        old = (uint64_t)(int64_t)(int32_t)old;
        src = (uint64_t)(int64_t)(int32_t)src;
    }
    switch (f5) {
    case 0x01: return src; /* swap */
    case 0x00: return old + src; /* add */
    case 0x04: return old ^ src; /* xor */
    case 0x0c: return old & src; /* and */
    case 0x08: return old | src; /* or */
    case 0x10: return (int64_t)old < (int64_t)src ? old : src; /* min */
    case 0x14: return (int64_t)old > (int64_t)src ? old : src; /* max */
    case 0x18: /* minu: W compares the zero-extended words */
        if (word) {
            return (uint32_t)old < (uint32_t)src ? old : src;
        }
        return old < src ? old : src;
    default: /* 0x1c maxu */
        if (word) {
            return (uint32_t)old > (uint32_t)src ? old : src;
        }
        return old > src ? old : src;
    }
}

int
rv_amo(struct rv_cpu *cpu, uint32_t insn)
{
    unsigned f5 = insn >> 27, rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
    unsigned rs2 = (insn >> 20) & 31;
    bool word = ((insn >> 12) & 7) == 2;
    unsigned size = word ? 4 : 8;
    uint64_t a = cpu->x[rs1];
    uint64_t v;
    int r;

    if (f5 == 0x02) { /* lr */
        if (a & (size - 1)) {
            return fault(cpu, RV_EXC_LOAD_MISALIGNED, a);
        }
        r = rv_load_slow(cpu, a, size, &v);
        if (r != RV_X_NEXT) {
            return r;
        }
        if (rd != 0) {
            cpu->x[rd] = word ? (uint64_t)(int64_t)(int32_t)v : v;
        }
        cpu->resv_addr = a;
        cpu->resv_valid = true;
        return RV_X_NEXT;
    }
    if (a & (size - 1)) {
        return fault(cpu, RV_EXC_STORE_MISALIGNED, a);
    }
    r = check_access(cpu, a, size, true);
    if (r != RV_X_NEXT) {
        return r;
    }
    if (f5 == 0x03) { /* sc */
        /* A page that is out: wait for it with the reservation kept, so
         * the SC runs again as if nothing had happened. */
        bool ok = cpu->resv_valid && cpu->resv_addr == a;
        if (ok && (r = page_out_stop(cpu, a, size)) != RV_X_NEXT) {
            return r;
        }
        cpu->resv_valid = false;
        r = RV_X_NEXT;
        if (ok) {
            r = rv_store_slow(cpu, a, size, cpu->x[rs2]);
        }
        if (rd != 0 && (r == RV_X_NEXT || r == RV_X_LEAVE)) {
            cpu->x[rd] = ok ? 0 : 1;
        }
        return r;
    }
    r = rv_load_slow(cpu, a, size, &v);
    if (r != RV_X_NEXT) {
        return r;
    }
    uint64_t src = cpu->x[rs2];
    r = rv_store_slow(cpu, a, size, amo_calc(f5, word, v, src));
    if (rd != 0 && (r == RV_X_NEXT || r == RV_X_LEAVE)) {
        cpu->x[rd] = word ? (uint64_t)(int64_t)(int32_t)v : v;
    }
    return r;
}

/* ---- U-mode fetch -------------------------------------------------------- */

int
rv_uexec_check(struct rv_cpu *cpu, const struct rv_block *blk)
{
    uint64_t pn0 = blk->pc >> STOR_PAGE_SHIFT;
    struct rv_tlbset *s = &cpu->tlb->set[RV_PRIV_U];
    for (uint64_t i = 0; i <= blk->two_pages; i++) {
        uint64_t pn = pn0 + i;
        if (page_ok(cpu, pn, false) != 0) {
            cpu->exc_tval = i == 0 ? blk->pc : pn << STOR_PAGE_SHIFT;
            return -1;
        }
        tlb_set(&s->x[pn & RV_TLB_MASK], pn, stor_zero_page);
    }
    return 0;
}
