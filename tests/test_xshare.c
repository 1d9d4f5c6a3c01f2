// SPDX-License-Identifier: MIT
/*
 * tests/test_xshare.c - translations of saved-segment code shared between
 * CPUs (cp/rv_xlate.c): two CPUs running a segment's code share one
 * translation of each block, with the results and instret of a private
 * run; calls out of the segment reach each VM's own code; a VM that gets a
 * private copy of a page stops using the shared blocks; a segment replaced
 * while in use; eviction under the translation cap never touches shared
 * blocks; two threads running one segment at once.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>

#include "cp/stor_int.h"
#include "test_rv_harness.h"
#include "vmrv/ipl.h"

#define SEG_BASE 0x20000u
#define SEG_SIZE 0x4000u /* 4 pages */
#define LOOP_N 1000

/* The segment's program: a0 = sum 1..LOOP_N, then a call to the VM's own
 * routine at CODE (it sets a1), then a0 += a1 and the test exit.  imm is
 * added to a0 first (to make a changed copy). */
static void
seg_prog(struct prog *p, int imm)
{
    prog_init(p, SEG_BASE);
    emit_li(p, A0, (uint64_t)imm);
    emit_li(p, T0, LOOP_N);
    uint64_t loop = emit(p, ADD(A0, A0, T0));
    emit(p, ADDI(T0, T0, -1));
    emit(p, BNE(T0, ZERO, (int32_t)(loop - prog_pc(p))));
    emit(p, JAL(RA, (int32_t)(CODE - prog_pc(p))));
    emit(p, ADD(A0, A0, A1));
    emit_exit(p);
}

static struct stor_seg *
make_seg(int imm)
{
    struct prog p;
    seg_prog(&p, imm);
    struct stor *src = stor_create(SEG_BASE + SEG_SIZE);
    assert_non_null(src);
    assert_int_equal(stor_write(src, SEG_BASE, p.buf, p.len), 0);
    struct stor_seg *seg = stor_seg_create(SEG_BASE, SEG_SIZE);
    assert_non_null(seg);
    assert_int_equal(stor_seg_fill(seg, src, SEG_BASE, SEG_SIZE), 0);
    stor_seg_seal(seg);
    stor_destroy(src);
    return seg;
}

/* The VM's own routine at CODE: a1 = v; ret. */
static void
load_routine(struct h *h, uint64_t v)
{
    prog_init(&h->p, CODE);
    emit_li(&h->p, A1, v);
    emit(&h->p, JALR(ZERO, RA, 0));
    h_load(h);
}

static struct h *
vm_new(struct stor_seg *seg, uint64_t v)
{
    struct h *h = h_new_sized(STORAGE);
    if (seg != NULL) {
        assert_int_equal(stor_attach(h->st, seg), 0);
    }
    load_routine(h, v);
    return h;
}

static void
vm_free(struct h *h)
{
    void *hs = h;
    h_teardown(&hs);
}

/* Runs from SEG_BASE to the exit; the exit code and instructions retired. */
static int
vm_go(struct h *h, uint64_t *instret)
{
    h->exited = false;
    rv_cpu_reset(h->cpu, SEG_BASE);
    uint64_t i0 = h_instret(h);
    assert_int_equal(h_run(h, 10000000), RV_STOP_HALT);
    assert_true(h->exited);
    if (instret != NULL) {
        *instret = h_instret(h) - i0;
    }
    return h->exit_code;
}

static struct rv_stats
stats(struct h *h)
{
    struct rv_stats s;
    rv_cpu_stats(h->cpu, &s);
    return s;
}

#define SUM (LOOP_N * (LOOP_N + 1) / 2)

static void
test_two_cpus_share_blocks(void **state)
{
    (void)state;
    /* the reference: the same program loaded privately */
    struct h *ref = vm_new(NULL, 5);
    struct prog p;
    seg_prog(&p, 0);
    assert_int_equal(stor_write(ref->st, SEG_BASE, p.buf, p.len), 0);
    uint64_t ref_n;
    int ref_rc = vm_go(ref, &ref_n);
    assert_int_equal(stats(ref).blocks_shared, 0);

    size_t sh0 = rv_xlate_shared_bytes();
    struct stor_seg *seg = make_seg(0);
    struct h *a = vm_new(seg, 5), *b = vm_new(seg, 7);
    uint64_t na, nb;
    assert_int_equal(vm_go(a, &na), ref_rc);
    assert_int_equal(ref_rc, (SUM + 5));
    struct rv_stats sa = stats(a);
    assert_true(sa.blocks_shared >= 3); /* setup, loop, after the call */
    size_t sh1 = rv_xlate_shared_bytes();
    assert_true(sh1 > sh0);
    /* b finds every segment block made: it translates only its routine */
    assert_int_equal(vm_go(b, &nb), (SUM + 7));
    struct rv_stats sb = stats(b);
    assert_int_equal(sb.blocks_shared, 0);
    assert_int_equal(sb.blocks_translated, sa.blocks_translated - sa.blocks_shared);
    /* it looks up the entry (and after the call out), then follows chains
     * a's run set between the segment's blocks */
    assert_true(sb.shared_hits >= 2);
    assert_true(sb.shared_hits < sa.blocks_shared);
    assert_int_equal(rv_xlate_shared_bytes(), sh1);
    /* instret exact: as the private run, on both */
    assert_int_equal(na, ref_n);
    assert_int_equal(nb, ref_n);
    /* private translation memory: b holds only its routine's block */
    assert_true(rv_cpu_footprint(b->cpu) < rv_cpu_footprint(ref->cpu));
    /* again, alternately: still right (the call out is never chained) */
    assert_int_equal(vm_go(a, &na), (SUM + 5));
    assert_int_equal(vm_go(b, &nb), (SUM + 7));
    assert_int_equal(na, ref_n);
    assert_int_equal(rv_xlate_shared_bytes(), sh1);
    vm_free(a);
    vm_free(b);
    vm_free(ref);
    assert_int_equal(stor_seg_refs(seg), 1); /* the CPUs let it go */
    stor_seg_put(seg);
    assert_int_equal(rv_xlate_shared_bytes(), sh0); /* freed with it */
}

static void
test_private_copy_stops_sharing(void **state)
{
    (void)state;
    struct stor_seg *seg = make_seg(0);
    struct h *a = vm_new(seg, 1), *b = vm_new(seg, 2);
    assert_int_equal(vm_go(a, NULL), (SUM + 1));
    assert_int_equal(vm_go(b, NULL), (SUM + 2));
    /* STORE into the segment's first instruction in a: li a0, 0 -> 3 */
    uint32_t insn;
    assert_int_equal(stor_read(a->st, SEG_BASE, &insn, 4), 0);
    insn += 3u << 20;
    assert_int_equal(stor_write(a->st, SEG_BASE, &insn, 4), 0);
    uint64_t t0 = stats(a).blocks_translated, s0 = stats(a).blocks_shared;
    assert_int_equal(vm_go(a, NULL), (SUM + 3 + 1)); /* its own code */
    assert_true(stats(a).blocks_translated > t0);
    assert_int_equal(stats(a).blocks_shared, s0);
    assert_int_equal(vm_go(b, NULL), (SUM + 2)); /* b: as before */
    /* a private copy of another page of the segment stops sharing too,
     * and the code still runs right */
    struct h *c = vm_new(seg, 4);
    assert_int_equal(stor_write(c->st, SEG_BASE + 3 * 4096u, "x", 1), 0);
    uint64_t h0 = stats(c).shared_hits;
    assert_int_equal(vm_go(c, NULL), (SUM + 4));
    assert_int_equal(stats(c).shared_hits, h0);
    assert_int_equal(stats(c).blocks_shared, 0);
    vm_free(a);
    vm_free(b);
    vm_free(c);
    stor_seg_put(seg);
}

static void
test_segment_replaced_in_use(void **state)
{
    (void)state;
    struct stor_seg *old = make_seg(0);
    struct h *a = vm_new(old, 1), *b = vm_new(old, 2);
    assert_int_equal(vm_go(a, NULL), (SUM + 1));
    assert_int_equal(vm_go(b, NULL), (SUM + 2));
    /* a new image: a re-IPLs with it, b goes on with the old one */
    struct stor_seg *nw = make_seg(10);
    assert_int_equal(stor_detach(a->st, SEG_BASE), 0);
    assert_int_equal(stor_attach(a->st, nw), 0);
    load_routine(a, 1);
    assert_int_equal(vm_go(a, NULL), (SUM + 10 + 1));
    assert_int_equal(vm_go(b, NULL), (SUM + 2));
    /* users: the registry and b (translation caches are not users) */
    assert_int_equal(stor_seg_refs(old), 2);
    stor_seg_put(old); /* the registry drops it */
    uint64_t nseg1, nseg2, pages;
    stor_seg_totals(&nseg1, &pages);
    assert_int_equal(stor_detach(b->st, SEG_BASE), 0);
    assert_int_equal(stor_attach(b->st, nw), 0);
    stor_seg_totals(&nseg2, &pages);
    assert_int_equal(nseg2, nseg1); /* b's jump cache may still name its blocks */
    load_routine(b, 2);
    assert_int_equal(vm_go(b, NULL), (SUM + 10 + 2));
    stor_seg_totals(&nseg2, &pages);
    assert_int_equal(nseg2, nseg1 - 1); /* gone at b's run */
    assert_int_equal(stor_seg_refs(nw), 3);
    vm_free(a);
    vm_free(b);
    assert_int_equal(stor_seg_refs(nw), 1);
    stor_seg_put(nw);
}

/* A private program of many small blocks at CODE: jal from one to the
 * next, a0 counting them; then a jump into the segment. */
static void
load_many_blocks(struct h *h, unsigned nblocks)
{
    prog_init(&h->p, 0x40000u);
    emit_li(&h->p, S1, 0);
    for (unsigned i = 0; i < nblocks; i++) {
        emit(&h->p, ADDI(S1, S1, 1));
        emit(&h->p, JAL(ZERO, 4));
    }
    emit_li(&h->p, A0, 0);
    emit(&h->p, JAL(ZERO, (int32_t)(SEG_BASE - prog_pc(&h->p))));
    h_load(h);
}

static void
test_eviction_spares_shared(void **state)
{
    (void)state;
    struct stor_seg *seg = make_seg(0);
    struct h *a = vm_new(seg, 1), *b = vm_new(seg, 2);
    assert_int_equal(vm_go(a, NULL), (SUM + 1));
    size_t sh = rv_xlate_shared_bytes();
    rv_xlate_cap_set(64 << 10);
    load_many_blocks(b, 1500);
    b->exited = false;
    rv_cpu_reset(b->cpu, 0x40000u);
    assert_int_equal(h_run(b, 10000000), RV_STOP_HALT);
    assert_int_equal(b->exit_code, (SUM + 2));
    assert_int_equal(rv_reg_get(b->cpu, S1), 1500);
    assert_true(stats(b).evictions > 0);
    assert_true(rv_xlate_bytes() <= (64 << 10) + 4096);
    assert_int_equal(rv_xlate_shared_bytes(), sh); /* untouched */
    /* a runs the segment again: no translation of it */
    uint64_t t0 = stats(a).blocks_translated;
    assert_int_equal(vm_go(a, NULL), (SUM + 1));
    assert_true(stats(a).blocks_translated - t0 <= 1); /* its routine, if evicted */
    rv_xlate_cap_set((size_t)256 << 20);
    vm_free(a);
    vm_free(b);
    stor_seg_put(seg);
}

struct runner {
    struct h *h;
    int want, bad;
    pthread_barrier_t *go; /* both start together: they race to translate */
};

static void *
runner_main(void *arg)
{
    struct runner *r = arg;
    pthread_barrier_wait(r->go);
    for (int i = 0; i < 200; i++) {
        r->h->exited = false;
        rv_cpu_reset(r->h->cpu, SEG_BASE);
        if (rv_cpu_run(r->h->cpu, r->h->tlb, 10000000) != RV_STOP_HALT ||
            r->h->exit_code != r->want) {
            r->bad++;
        }
    }
    return NULL;
}

static void
test_two_threads(void **state)
{
    (void)state;
    for (int round = 0; round < 5; round++) {
        struct stor_seg *seg = make_seg(round); /* a fresh cache each round */
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        struct runner r[2] = {{.h = vm_new(seg, 1), .want = (SUM + round + 1), .go = &go},
                              {.h = vm_new(seg, 2), .want = (SUM + round + 2), .go = &go}};
        pthread_t t[2];
        for (int i = 0; i < 2; i++) {
            assert_int_equal(pthread_create(&t[i], NULL, runner_main, &r[i]), 0);
        }
        for (int i = 0; i < 2; i++) {
            pthread_join(t[i], NULL);
            assert_int_equal(r[i].bad, 0);
        }
        /* one translation of each segment block between them */
        struct rv_stats s0 = stats(r[0].h), s1 = stats(r[1].h);
        assert_true(s0.blocks_shared + s1.blocks_shared >= 3);
        assert_true(s0.blocks_shared + s1.blocks_shared <= 6); /* races lose theirs */
        pthread_barrier_destroy(&go);
        vm_free(r[0].h);
        vm_free(r[1].h);
        stor_seg_put(seg);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_cpus_share_blocks),
        cmocka_unit_test(test_private_copy_stops_sharing),
        cmocka_unit_test(test_segment_replaced_in_use),
        cmocka_unit_test(test_eviction_spares_shared),
        cmocka_unit_test(test_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
