// SPDX-License-Identifier: MIT
/*
 * tests/test_nss_vm.c - the CMS nucleus as the named saved system CMS
 * (cp/nss.h, vm_ipl_nss): two VMs IPL CMS from one file and map the same
 * host frames, both run CMS to its console read; a rebuilt CMS.elf serves
 * the next IPL while the old image lives until its last user goes; a private
 * ELF replaces the segment; DIAG 0x064 FIND/ATTACH/DETACH and DIAG 0x010's
 * refusal on the segment.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/elf.h"
#include "cp/nss.h"
#include "cp/rv.h"
#include "cp/stor_int.h"
#include "cp/vm.h"
#include "test_vm_fake.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

struct fix {
    char *dir;
    char sys[512]; /* dir/CMS.elf */
    void *image;
    size_t size;
    struct rv_tlb *tlb;
};

/* Writes the nucleus image as a new file (a new inode: a rebuilt CMS). */
static void
install(struct fix *f)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.new", f->sys);
    FILE *fp = fopen(tmp, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(f->image, 1, f->size, fp), f->size);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(rename(tmp, f->sys), 0);
}

static int
setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    const char *top = getenv("top_builddir");
    char path[512], err[200];
    snprintf(path, sizeof path, "%s/cms/cms.elf", top ? top : ".");
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        print_error("%s: not built\n", path);
        return -1;
    }
    fclose(fp);
    assert_int_equal(elf_read_file(path, &f->image, &f->size, err, sizeof err), 0);
    f->dir = test_tmpdir();
    snprintf(f->sys, sizeof f->sys, "%s/CMS.elf", f->dir);
    install(f);
    f->tlb = rv_tlb_create();
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fix *f = *state;
    nss_forget_all();
    unlink(f->sys);
    test_rmdir(f->dir);
    free(f->dir);
    free(f->image);
    rv_tlb_destroy(f->tlb);
    free(f);
    return 0;
}

static struct vm *
cms_vm(struct fix *f, struct fake_console **con)
{
    char err[256] = "";
    struct vm *vm = vm_create(VMRV_DEFAULT_STORAGE, "NSSUSER");
    assert_non_null(vm);
    *con = fake_console_attach(vm);
    assert_non_null(*con);
    int rc = vm_ipl_nss(vm, "cms", f->sys, NULL, err, sizeof err);
    if (rc != 0) {
        print_error("IPL: %s\n", err);
    }
    assert_int_equal(rc, 0);
    return vm;
}

/* Runs CMS until it waits for a console line. */
static void
run_to_read(struct fix *f, struct vm *vm, struct fake_console *con)
{
    struct vm_status st = {0};
    for (int i = 0; i < 2000; i++) {
        st = vm_run(vm, f->tlb, 200000);
        if (st.state != VM_RUNNING && st.state != VM_WFI_WAIT) {
            break;
        }
    }
    if (st.state != VM_READ_WAIT) {
        print_error("state %d: %.*s\n", st.state, (int)con->out_len, con->out);
    }
    assert_int_equal(st.state, VM_READ_WAIT);
    assert_non_null(strstr(con->out, "CMS"));
}

static void
test_cms_shared(void **state)
{
    struct fix *f = *state;
    struct fake_console *c1, *c2;
    struct vm *v1 = cms_vm(f, &c1), *v2 = cms_vm(f, &c2);
    struct stor *s1 = vm_stor(v1), *s2 = vm_stor(v2);
    uint64_t shared = stor_shared_pages(s1);
    assert_true(shared > 16);
    assert_int_equal(stor_shared_pages(s2), shared);
    uint64_t pn = VMRV_SEG_CMS_BASE >> STOR_PAGE_SHIFT;
    for (uint64_t k = 0; k < shared; k++) {
        assert_ptr_equal(stor_frame(s1, pn + k), stor_frame(s2, pn + k));
    }
    struct nss_info ni;
    assert_int_equal(nss_find("CMS", &ni), 0);
    assert_int_equal(ni.users, 2);
    assert_int_equal(ni.base, VMRV_SEG_CMS_BASE);
    assert_int_equal(ni.size, shared << STOR_PAGE_SHIFT);
    run_to_read(f, v1, c1);
    run_to_read(f, v2, c2);
    /* running CMS wrote nothing into the segment: still all shared */
    assert_int_equal(stor_shared_pages(s1), shared);
    assert_true(stor_resident_pages(s1) < 512);
    vm_destroy(v1);
    assert_int_equal(nss_find("CMS", &ni), 0);
    assert_int_equal(ni.users, 1);
    vm_destroy(v2);
}

static void
test_rebuilt_cms(void **state)
{
    struct fix *f = *state;
    uint64_t nseg0, pages0, nseg, pages;
    stor_seg_totals(&nseg0, &pages0);
    struct fake_console *c1, *c2;
    struct vm *v1 = cms_vm(f, &c1);
    struct stor_seg *old = stor_seg_at(vm_stor(v1), VMRV_SEG_CMS_BASE);
    assert_non_null(old);
    install(f);
    struct vm *v2 = cms_vm(f, &c2);
    struct stor_seg *cur = stor_seg_at(vm_stor(v2), VMRV_SEG_CMS_BASE);
    assert_true(cur != old);
    stor_seg_totals(&nseg, &pages);
    assert_int_equal(nseg - nseg0, 2); /* old lives on in v1 */
    run_to_read(f, v1, c1);
    /* v1 re-IPLs: it gets the new one, the old one goes; the nucleus's
     * bss (below the window) is zeroed as a private load would */
    struct nss_info ni;
    assert_int_equal(nss_find("CMS", &ni), 0);
    assert_true(ni.nzero >= 1);
    uint64_t junk = 0x5A5A5A5A5A5A5A5Aull, z = ni.zero[0].base + 64;
    assert_int_equal(stor_write(vm_stor(v1), z, &junk, 8), 0);
    char err[200];
    vm_reset(v1, false);
    assert_int_equal(vm_ipl_nss(v1, "CMS", f->sys, NULL, err, sizeof err), 0);
    assert_int_equal(stor_read(vm_stor(v1), z, &junk, 8), 0);
    assert_int_equal(junk, 0);
    run_to_read(f, v1, c1);
    assert_ptr_equal(stor_seg_at(vm_stor(v1), VMRV_SEG_CMS_BASE), cur);
    stor_seg_totals(&nseg, &pages);
    assert_int_equal(nseg - nseg0, 1);
    /* a private ELF over it: the segment is detached */
    assert_int_equal(vm_ipl_elf_image(v1, f->image, f->size, "PRIV", NULL, err, sizeof err), 0);
    assert_null(stor_seg_at(vm_stor(v1), VMRV_SEG_CMS_BASE));
    assert_int_equal(stor_shared_pages(vm_stor(v1)), 0);
    run_to_read(f, v1, c1);
    vm_destroy(v1);
    vm_destroy(v2);
}

static void
test_diag_segment(void **state)
{
    struct fix *f = *state;
    struct fake_console *c1;
    struct vm *v = cms_vm(f, &c1);
    struct nss_info ni;
    assert_int_equal(nss_find("CMS", &ni), 0);
    struct vm_cp_ops ops = {.segment = nss_diag_segment};
    vm_set_cp_ops(v, &ops);
    const uint64_t name = VMRV_USER_BASE;
    assert_int_equal(stor_write(vm_stor(v), name, "CMS     NOSUCH", 14), 0);
    struct hc r = DIAG(v, DIAG_SEGMENT, DIAG_SEG_FIND, name, 8, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, VMRV_SEG_CMS_BASE);
    assert_int_equal(r.v2, ni.size);
    r = DIAG(v, DIAG_SEGMENT, DIAG_SEG_FIND, name + 8, 6, 0, 0);
    assert_int_equal(r.err, DIAG_ENOTFOUND);
    r = DIAG(v, DIAG_SEGMENT, DIAG_SEG_FIND, name, 9, 0, 0);
    assert_int_equal(r.err, DIAG_EINVAL);
    r = DIAG(v, DIAG_SEGMENT, DIAG_SEG_FIND, VMRV_DEFAULT_STORAGE - 2, 8, 0, 0);
    assert_int_equal(r.err, DIAG_EFAULT);
    r = DIAG(v, DIAG_SEGMENT, 9, name, 3, 0, 0);
    assert_int_equal(r.err, DIAG_EINVAL);
    /* DIAG 0x010 may not release the segment */
    r = DIAG(v, DIAG_RELEASE_PAGES, VMRV_SEG_CMS_BASE, 4096, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EINVAL);
    /* DETACH: the range reads zeros; DIAG 0x010 may release it then */
    r = DIAG(v, DIAG_SEGMENT, DIAG_SEG_DETACH, name, 3, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(stor_shared_pages(vm_stor(v)), 0);
    uint32_t w = 1;
    assert_int_equal(stor_read(vm_stor(v), VMRV_SEG_CMS_BASE, &w, 4), 0);
    assert_int_equal(w, 0);
    r = DIAG(v, DIAG_RELEASE_PAGES, VMRV_SEG_CMS_BASE, 4096, 0, 0, 0);
    assert_int_equal(r.err, 0);
    r = DIAG(v, DIAG_SEGMENT, DIAG_SEG_DETACH, name, 3, 0, 0);
    assert_int_equal(r.err, DIAG_ENOTFOUND);
    /* ATTACH: back again, twice is fine */
    r = DIAG(v, DIAG_SEGMENT, DIAG_SEG_ATTACH, name, 3, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.v1, VMRV_SEG_CMS_BASE);
    r = DIAG(v, DIAG_SEGMENT, DIAG_SEG_ATTACH, name, 3, 0, 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(stor_shared_pages(vm_stor(v)), ni.size >> STOR_PAGE_SHIFT);
    assert_int_equal(stor_read(vm_stor(v), VMRV_SEG_CMS_BASE, &w, 4), 0);
    assert_true(w != 0);
    r = DIAG(v, DIAG_RELEASE_PAGES, VMRV_SEG_CMS_BASE, 4096, 0, 0, 0);
    assert_int_equal(r.err, DIAG_EINVAL);
    assert_int_equal(nss_find("CMS", &ni), 0);
    assert_int_equal(ni.users, 1);
    vm_destroy(v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cms_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rebuilt_cms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_segment, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
