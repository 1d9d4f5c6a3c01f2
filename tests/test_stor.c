// SPDX-License-Identifier: MIT
/*
 * tests/test_stor.c - guest storage (cp/stor.h) on its own: sizes, reads
 * of untouched pages, backing on first write, release, protection
 * arguments, footprints of idle and large storage.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp/stor.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

static void
test_sizes(void **state)
{
    (void)state;
    assert_null(stor_create(0));
    assert_null(stor_create(4095));
    assert_null(stor_create(VMRV_MAX_STORAGE + 4096));
    struct stor *st = stor_create(VMRV_MAX_STORAGE);
    assert_non_null(st);
    assert_int_equal(stor_size(st), VMRV_MAX_STORAGE);
    /* 4 GiB, untouched: the map costs a root of pointers only. */
    assert_true(stor_map_footprint(st) <= 20 * 1024);
    stor_destroy(st);
    st = stor_create(4096);
    assert_non_null(st);
    stor_destroy(st);
    stor_destroy(NULL);
}

static void
test_untouched_reads_zero(void **state)
{
    (void)state;
    struct stor *st = stor_create(1u << 30);
    assert_non_null(st);
    uint8_t buf[10000];
    memset(buf, 0xaa, sizeof buf);
    assert_int_equal(stor_read(st, (1u << 29) - 100, buf, sizeof buf), 0);
    for (size_t i = 0; i < sizeof buf; i++) {
        assert_int_equal(buf[i], 0);
    }
    assert_int_equal(stor_resident_pages(st), 0);
    assert_true(stor_map_footprint(st) < 8192);
    /* zeroing untouched pages backs nothing */
    assert_int_equal(stor_zero(st, 0, 1u << 30), 0);
    assert_int_equal(stor_resident_pages(st), 0);
    stor_destroy(st);
}

static void
test_write_read_backing(void **state)
{
    (void)state;
    struct stor *st = stor_create(1u << 20);
    uint8_t in[6000], out[6000];
    for (size_t i = 0; i < sizeof in; i++) {
        in[i] = (uint8_t)(i * 13);
    }
    assert_int_equal(stor_write(st, 0x3ff0, in, sizeof in), 0);
    /* 0x3ff0..0x5760: pages 3, 4, 5 */
    assert_int_equal(stor_resident_pages(st), 3);
    assert_int_equal(stor_read(st, 0x3ff0, out, sizeof out), 0);
    assert_memory_equal(in, out, sizeof in);
    /* bounds: nothing copied */
    assert_int_equal(stor_write(st, (1u << 20) - 10, in, 11), -EFAULT);
    assert_int_equal(stor_read(st, (1u << 20) - 10, out, 11), -EFAULT);
    assert_int_equal(stor_read(st, UINT64_MAX - 2, out, 8), -EFAULT);
    assert_int_equal(stor_write(st, (1u << 20), in, 0), 0);
    assert_int_equal(stor_read(st, (1u << 20) - 10, out, 10), 0);
    assert_int_equal(stor_resident_pages(st), 3);
    /* zero a part */
    assert_int_equal(stor_zero(st, 0x4000, 16), 0);
    assert_int_equal(stor_read(st, 0x4000, out, 16), 0);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(out[i], 0);
    }
    assert_int_equal(stor_zero(st, (1u << 20) - 4, 8), -EFAULT);
    stor_destroy(st);
}

static void
test_release(void **state)
{
    (void)state;
    struct stor *st = stor_create(64u << 20);
    size_t idle = stor_map_footprint(st);
    uint8_t b = 7;
    assert_int_equal(stor_write(st, 0x200000 + 5, &b, 1), 0);
    assert_int_equal(stor_write(st, 0x201000, &b, 1), 0);
    assert_int_equal(stor_resident_pages(st), 2);
    assert_true(stor_map_footprint(st) > idle);
    assert_int_equal(stor_release(st, 0x200000, 0x1001), -EINVAL);
    assert_int_equal(stor_release(st, 0x200001, 0x1000), -EINVAL);
    assert_int_equal(stor_release(st, 64u << 20, 0x1000), -EFAULT);
    assert_int_equal(stor_release(st, 0x200000, 0x1000), 0);
    assert_int_equal(stor_resident_pages(st), 1);
    assert_int_equal(stor_read(st, 0x200005, &b, 1), 0);
    assert_int_equal(b, 0);
    assert_int_equal(stor_release(st, 0, 64u << 20), 0);
    assert_int_equal(stor_resident_pages(st), 0);
    assert_int_equal(stor_map_footprint(st), idle); /* the leaf went too */
    stor_destroy(st);
}

static void
test_protect_args(void **state)
{
    (void)state;
    struct stor *st = stor_create(1u << 20);
    size_t idle = stor_map_footprint(st);
    assert_int_equal(stor_protect(st, 0, 0x1000, 3), -EINVAL);
    assert_int_equal(stor_protect(st, 0, 0x1000, -1), -EINVAL);
    assert_int_equal(stor_protect(st, 1, 0x1000, DIAG_PROT_USER_RO), -EINVAL);
    assert_int_equal(stor_protect(st, 0, 0x10, DIAG_PROT_USER_RO), -EINVAL);
    assert_int_equal(stor_protect(st, 0xff000, 0x2000, DIAG_PROT_USER_RO), -EFAULT);
    assert_int_equal(stor_protect(st, 0, 0x1000, DIAG_PROT_USER_NONE), 0);
    assert_int_equal(stor_resident_pages(st), 0); /* metadata, no frame */
    assert_true(stor_map_footprint(st) > idle);
    assert_int_equal(stor_protect(st, 0, 0x1000, DIAG_PROT_USER_RW), 0);
    assert_int_equal(stor_map_footprint(st), idle);
    stor_destroy(st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_untouched_reads_zero),
        cmocka_unit_test(test_write_read_backing),
        cmocka_unit_test(test_release),
        cmocka_unit_test(test_protect_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
