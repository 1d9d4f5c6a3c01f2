// SPDX-License-Identifier: MIT
/*
 * tests/test_nss.c - shared saved segments in guest storage (cp/stor.h):
 * two stors attaching one segment map the same host frames; a guest store
 * into it faults (S-mode too); CP's stor_write gives one stor a private
 * copy; a replaced segment lives until its last user detaches; release,
 * detach and the attach errors.
 */
#include "config.h"

#include <errno.h>

#include "cp/stor_int.h"
#include "test_rv_harness.h"
#include "vmrv/ipl.h"

#define SEG_BASE 0x20000u
#define SEG_SIZE 0x4000u /* 4 pages */

/* A sealed segment whose page k holds bytes 0xA0 + k (plus a word that
 * names the generation at its start). */
static struct stor_seg *
make_seg(uint32_t generation)
{
    struct stor *src = stor_create(SEG_BASE + SEG_SIZE);
    assert_non_null(src);
    for (unsigned k = 0; k < SEG_SIZE / 4096; k++) {
        uint8_t page[4096];
        memset(page, 0xA0 + (int)k, sizeof page);
        memcpy(page, &generation, sizeof generation);
        assert_int_equal(stor_write(src, SEG_BASE + k * 4096u, page, sizeof page), 0);
    }
    struct stor_seg *seg = stor_seg_create(SEG_BASE, SEG_SIZE);
    assert_non_null(seg);
    assert_int_equal(stor_seg_fill(seg, src, SEG_BASE, SEG_SIZE), 0);
    stor_seg_seal(seg);
    assert_int_equal(stor_seg_fill(seg, src, SEG_BASE, SEG_SIZE), -EPERM);
    stor_destroy(src);
    return seg;
}

static uint32_t
gen_at(struct stor *st, uint64_t gpa)
{
    uint32_t g = 0;
    assert_int_equal(stor_read(st, gpa, &g, sizeof g), 0);
    return g;
}

static uint8_t
byte_at(struct stor *st, uint64_t gpa)
{
    uint8_t b = 0;
    assert_int_equal(stor_read(st, gpa, &b, 1), 0);
    return b;
}

static void
test_two_stors_share_frames(void **state)
{
    (void)state;
    uint64_t nseg0, pages0;
    stor_seg_totals(&nseg0, &pages0);
    struct stor_seg *seg = make_seg(1);
    struct stor *a = stor_create(1u << 20), *b = stor_create(1u << 20);
    assert_non_null(a);
    assert_non_null(b);
    /* a private page where the segment goes is replaced by it */
    assert_int_equal(stor_write(a, SEG_BASE + 8, "junk", 4), 0);
    assert_int_equal(stor_resident_pages(a), 1);
    assert_int_equal(stor_attach(a, seg), 0);
    assert_int_equal(stor_attach(b, seg), 0);
    assert_int_equal(stor_seg_refs(seg), 3);
    for (unsigned k = 0; k < 4; k++) {
        uint64_t pn = (SEG_BASE >> 12) + k;
        assert_ptr_equal(stor_frame(a, pn), stor_frame(b, pn));
        assert_int_equal(byte_at(a, SEG_BASE + k * 4096u + 100), 0xA0 + k);
        assert_true(stor_meta(a, pn) & STOR_M_SHARED);
    }
    assert_int_equal(gen_at(a, SEG_BASE), 1);
    assert_int_equal(stor_resident_pages(a), 0);
    assert_int_equal(stor_shared_pages(a), 4);
    assert_int_equal(stor_shared_pages(b), 4);
    assert_ptr_equal(stor_seg_at(a, SEG_BASE + 0x1234), seg);
    assert_null(stor_seg_at(a, SEG_BASE + SEG_SIZE));
    uint64_t nseg, pages;
    stor_seg_totals(&nseg, &pages);
    assert_int_equal(nseg - nseg0, 1);
    assert_int_equal(pages - pages0, 4); /* once, not once per stor */
    stor_destroy(a);
    stor_destroy(b);
    assert_int_equal(stor_seg_refs(seg), 1);
    stor_seg_put(seg);
    stor_seg_totals(&nseg, &pages);
    assert_int_equal(nseg, nseg0);
    assert_int_equal(pages, pages0);
}

static void
test_cp_write_copies_private(void **state)
{
    (void)state;
    struct stor_seg *seg = make_seg(7);
    struct stor *a = stor_create(1u << 20), *b = stor_create(1u << 20);
    assert_int_equal(stor_attach(a, seg), 0);
    assert_int_equal(stor_attach(b, seg), 0);
    uint64_t pn = (SEG_BASE >> 12) + 1;
    uint64_t g0 = a->gen;
    assert_int_equal(stor_write(a, SEG_BASE + 4096 + 10, "X", 1), 0);
    assert_true(a->gen != g0); /* TLBs of a must refill */
    assert_int_equal(byte_at(a, SEG_BASE + 4096 + 10), 'X');
    assert_int_equal(byte_at(a, SEG_BASE + 4096 + 11), 0xA1); /* the rest copied */
    assert_int_equal(byte_at(b, SEG_BASE + 4096 + 10), 0xA1); /* b unchanged */
    assert_true(stor_frame(a, pn) != stor_frame(b, pn));
    assert_false(stor_meta(a, pn) & STOR_M_SHARED);
    assert_int_equal(stor_shared_pages(a), 3);
    assert_int_equal(stor_resident_pages(a), 1);
    /* stor_zero into a shared page copies too */
    assert_int_equal(stor_zero(a, SEG_BASE + 2 * 4096u, 16), 0);
    assert_int_equal(byte_at(a, SEG_BASE + 2 * 4096u + 15), 0);
    assert_int_equal(byte_at(a, SEG_BASE + 2 * 4096u + 16), 0xA2);
    assert_int_equal(byte_at(b, SEG_BASE + 2 * 4096u + 15), 0xA2);
    assert_int_equal(stor_shared_pages(a), 2);
    stor_destroy(a);
    stor_destroy(b);
    assert_int_equal(stor_seg_refs(seg), 1);
    stor_seg_put(seg);
}

static void
test_replace_while_in_use(void **state)
{
    (void)state;
    uint64_t nseg0, pages0, nseg, pages;
    stor_seg_totals(&nseg0, &pages0);
    /* "the registry" holds old; a attaches it */
    struct stor_seg *old = make_seg(1);
    struct stor *a = stor_create(1u << 20);
    assert_int_equal(stor_attach(a, old), 0);
    /* a new image of the same name replaces it for new IPLs */
    struct stor_seg *cur = make_seg(2);
    stor_seg_put(old); /* the registry lets go */
    struct stor *b = stor_create(1u << 20);
    assert_int_equal(stor_attach(b, cur), 0);
    assert_int_equal(gen_at(a, SEG_BASE), 1); /* old still there for a */
    assert_int_equal(gen_at(b, SEG_BASE), 2);
    stor_seg_totals(&nseg, &pages);
    assert_int_equal(nseg - nseg0, 2);
    /* a re-IPLs: the new one; the old segment goes with its last user */
    assert_int_equal(stor_detach(a, SEG_BASE), 0);
    stor_seg_totals(&nseg, &pages);
    assert_int_equal(nseg - nseg0, 1);
    assert_int_equal(gen_at(a, SEG_BASE), 0); /* detached: zeros */
    assert_int_equal(stor_shared_pages(a), 0);
    assert_int_equal(stor_attach(a, cur), 0);
    assert_int_equal(gen_at(a, SEG_BASE), 2);
    assert_int_equal(stor_seg_refs(cur), 3);
    assert_int_equal(stor_detach(a, SEG_BASE + 4096), -ENOENT);
    stor_destroy(a);
    stor_destroy(b);
    stor_seg_put(cur);
    stor_seg_totals(&nseg, &pages);
    assert_int_equal(nseg, nseg0);
}

static void
test_release_unmaps(void **state)
{
    (void)state;
    struct stor_seg *seg = make_seg(3);
    struct stor *a = stor_create(1u << 20);
    assert_int_equal(stor_attach(a, seg), 0);
    assert_int_equal(stor_release(a, SEG_BASE, 4096), 0);
    assert_int_equal(stor_shared_pages(a), 3);
    assert_int_equal(gen_at(a, SEG_BASE), 0);
    assert_int_equal(stor_seg_refs(seg), 2);
    /* one page copied, the others released: the last mapped page takes
     * the reference with it */
    assert_int_equal(stor_write(a, SEG_BASE + 4096, "Y", 1), 0);
    assert_int_equal(stor_release(a, SEG_BASE + 8192, 8192), 0);
    assert_int_equal(stor_shared_pages(a), 0);
    assert_int_equal(stor_seg_refs(seg), 1);
    assert_null(stor_seg_at(a, SEG_BASE));
    assert_int_equal(byte_at(a, SEG_BASE + 4096), 'Y');
    /* CLEAR of the whole storage */
    assert_int_equal(stor_attach(a, seg), 0);
    assert_int_equal(stor_release(a, 0, 1u << 20), 0);
    assert_int_equal(stor_seg_refs(seg), 1);
    assert_int_equal(stor_resident_pages(a), 0);
    stor_destroy(a);
    stor_seg_put(seg);
}

static void
test_attach_errors(void **state)
{
    (void)state;
    assert_null(stor_seg_create(0x1000, 0));
    assert_null(stor_seg_create(0x1001, 0x1000));
    assert_null(stor_seg_create(0x1000, 0x1800));
    struct stor_seg *open_seg = stor_seg_create(SEG_BASE, SEG_SIZE);
    struct stor *a = stor_create(1u << 20), *small = stor_create(SEG_BASE + 0x1000);
    assert_int_equal(stor_attach(a, open_seg), -EINVAL); /* not sealed */
    struct stor *src = stor_create(1u << 20);
    assert_int_equal(stor_seg_fill(open_seg, src, SEG_BASE - 4096, 4096), -EFAULT);
    assert_int_equal(stor_seg_fill(open_seg, src, SEG_BASE + SEG_SIZE - 4096, 8192), -EFAULT);
    stor_destroy(src);
    stor_seg_put(open_seg);
    struct stor_seg *seg = make_seg(1);
    assert_int_equal(stor_attach(small, seg), -EFAULT);
    assert_int_equal(stor_attach(a, seg), 0);
    assert_int_equal(stor_attach(a, seg), 0); /* again: still one reference */
    assert_int_equal(stor_seg_refs(seg), 2);
    struct stor_seg *other = make_seg(2);
    assert_int_equal(stor_attach(a, other), -EINVAL); /* overlaps */
    stor_destroy(a);
    stor_destroy(small);
    stor_seg_put(other);
    stor_seg_put(seg);
}

/* ---- the CPU ------------------------------------------------------------- */

static void
test_guest_store_faults(void **state)
{
    struct h *h = *state;
    struct stor_seg *seg = make_seg(9);
    assert_int_equal(stor_attach(h->st, seg), 0);
    h_exit_handler(h);
    /* S-mode: a load from the segment works, a store faults (cause 7) */
    emit_li(&h->p, S0, SEG_BASE + 4096);
    emit(&h->p, LD(S1, S0, 8));
    emit(&h->p, SD(S1, S0, 16));
    emit_li(&h->p, A0, 0);
    emit_exit(&h->p);
    h_run_to_exit(h);
    assert_int_equal(h->exit_code, 7);
    assert_int_equal(rv_reg_get(h->cpu, A1), SEG_BASE + 4096 + 16);
    assert_int_equal(rv_reg_get(h->cpu, S1), 0xA1A1A1A1A1A1A1A1ull);
    assert_int_equal(byte_at(h->st, SEG_BASE + 4096 + 16), 0xA1);
    assert_int_equal(stor_shared_pages(h->st), 4);
    stor_seg_put(seg);
}

static void
test_guest_runs_segment_code(void **state)
{
    struct h *h = *state;
    /* code in a segment: two stors' CPUs run it from the same frames */
    struct prog seg_code;
    prog_init(&seg_code, SEG_BASE);
    emit_li(&seg_code, A0, 42);
    emit_exit(&seg_code);
    struct stor *src = stor_create(SEG_BASE + SEG_SIZE);
    assert_int_equal(stor_write(src, SEG_BASE, seg_code.buf, seg_code.len), 0);
    struct stor_seg *seg = stor_seg_create(SEG_BASE, SEG_SIZE);
    assert_int_equal(stor_seg_fill(seg, src, SEG_BASE, SEG_SIZE), 0);
    stor_seg_seal(seg);
    stor_destroy(src);
    assert_int_equal(stor_attach(h->st, seg), 0);
    rv_cpu_reset(h->cpu, SEG_BASE);
    assert_int_equal(h_run(h, 100000), RV_STOP_HALT);
    assert_int_equal(h->exit_code, 42);
    /* STORE (CP) into the code: a private copy, and the translation of the
     * old bytes is dropped (li a0, 42 becomes li a0, 43 in this VM only). */
    struct h *h2 = h_new_sized(STORAGE);
    assert_int_equal(stor_attach(h2->st, seg), 0);
    uint32_t insn;
    assert_int_equal(stor_read(h->st, SEG_BASE, &insn, 4), 0);
    insn += 1u << 20; /* addi a0, zero, 42 -> 43 */
    assert_int_equal(stor_write(h->st, SEG_BASE, &insn, 4), 0);
    h->exited = false;
    rv_cpu_reset(h->cpu, SEG_BASE);
    assert_int_equal(h_run(h, 100000), RV_STOP_HALT);
    assert_int_equal(h->exit_code, 43);
    rv_cpu_reset(h2->cpu, SEG_BASE);
    assert_int_equal(h_run(h2, 100000), RV_STOP_HALT);
    assert_int_equal(h2->exit_code, 42);
    void *hs = h2;
    h_teardown(&hs);
    stor_seg_put(seg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_stors_share_frames),
        cmocka_unit_test(test_cp_write_copies_private),
        cmocka_unit_test(test_replace_while_in_use),
        cmocka_unit_test(test_release_unmaps),
        cmocka_unit_test(test_attach_errors),
        cmocka_unit_test_setup_teardown(test_guest_store_faults, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_guest_runs_segment_code, h_setup, h_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
