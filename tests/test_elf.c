// SPDX-License-Identifier: MIT
/*
 * tests/test_elf.c - the ELF loader (cp/elf.c): a good image loads at its
 * physical addresses with bss zeroed; every malformed image is refused
 * with a reason and leaves storage untouched.  Images are built in memory
 * by a small builder; one real guest ELF from the build is loaded too.
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

#include <cmocka.h>

#include "cp/elf.h"
#include "cp/stor.h"
#include "tests/test_vm_fake.h"
#include "vmrv/ipl.h"

#define STOR (256 * 1024)
#define MAXSEG 4

struct img_seg {
    uint32_t type;
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* A buffer holding an ELF header, program headers at 64, then data. */
struct img {
    unsigned char b[16384];
    size_t size;
};

static void
put(unsigned char *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = (unsigned char)(v >> (8 * i));
    }
}

/* A valid image: one text segment of 256 bytes (0x13 filler) at paddr
 * 0x10000 with 0x1000 bytes of memory (the rest bss), entry at 0x10000. */
static void
img_init(struct img *m, unsigned nseg, const struct img_seg *segs, uint64_t entry)
{
    memset(m, 0, sizeof *m);
    unsigned char *b = m->b;
    memcpy(b, "\177ELF", 4);
    b[4] = 2; /* ELFCLASS64 */
    b[5] = 1; /* little endian */
    b[6] = 1;
    put(b + 16, 2, 2); /* ET_EXEC */
    put(b + 18, 243, 2); /* EM_RISCV */
    put(b + 20, 1, 4);
    put(b + 24, entry, 8);
    put(b + 32, 64, 8); /* phoff */
    put(b + 52, 64, 2);
    put(b + 54, 56, 2);
    put(b + 56, nseg, 2);
    for (unsigned i = 0; i < nseg; i++) {
        unsigned char *p = b + 64 + 56 * i;
        put(p, segs[i].type, 4);
        put(p + 4, 5, 4);
        put(p + 8, segs[i].offset, 8);
        put(p + 16, segs[i].vaddr, 8);
        put(p + 24, segs[i].paddr, 8);
        put(p + 32, segs[i].filesz, 8);
        put(p + 40, segs[i].memsz, 8);
        put(p + 48, 4096, 8);
    }
    m->size = 4096 + 2 * 256;
    memset(b + 4096, 0x13, 256);
    memset(b + 4096 + 256, 0x27, 256);
}

static void
img_default(struct img *m)
{
    struct img_seg s[2] = {
        {1, 4096, 0x10000, 0x10000, 256, 0x1000},
        {1, 4096 + 256, 0x20000, 0x20000, 256, 256},
    };
    img_init(m, 2, s, 0x10000);
}

struct fixture {
    struct stor *st;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->st = stor_create(STOR);
    assert_non_null(f->st);
    /* Fill storage with a pattern to see bss zeroing and untouched bytes. */
    unsigned char page[4096];
    memset(page, 0xEE, sizeof page);
    for (uint64_t a = 0; a < STOR; a += sizeof page) {
        assert_int_equal(stor_write(f->st, a, page, sizeof page), 0);
    }
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    stor_destroy(f->st);
    free(f);
    return 0;
}

static void
assert_untouched(struct stor *st)
{
    unsigned char page[4096];
    for (uint64_t a = 0; a < STOR; a += sizeof page) {
        assert_int_equal(stor_read(st, a, page, sizeof page), 0);
        for (size_t i = 0; i < sizeof page; i++) {
            if (page[i] != 0xEE) {
                fail_msg("storage changed at 0x%llx", (unsigned long long)(a + i));
            }
        }
    }
}

static void
test_good_image(void **state)
{
    struct fixture *f = *state;
    struct img m;
    img_default(&m);
    uint64_t entry = 0;
    char err[256] = "";
    assert_int_equal(elf_load(f->st, m.b, m.size, &entry, err, sizeof err), 0);
    assert_int_equal(entry, 0x10000);
    unsigned char buf[0x1000];
    assert_int_equal(stor_read(f->st, 0x10000, buf, sizeof buf), 0);
    for (size_t i = 0; i < 256; i++) {
        assert_int_equal(buf[i], 0x13);
    }
    for (size_t i = 256; i < sizeof buf; i++) {
        assert_int_equal(buf[i], 0); /* bss */
    }
    assert_int_equal(stor_read(f->st, 0x20000, buf, 257), 0);
    assert_int_equal(buf[0], 0x27);
    assert_int_equal(buf[255], 0x27);
    assert_int_equal(buf[256], 0xEE); /* after memsz: untouched */
    assert_int_equal(stor_read(f->st, 0x11000, buf, 1), 0);
    assert_int_equal(buf[0], 0xEE);
    assert_int_equal(stor_read(f->st, 0, buf, 1), 0);
    assert_int_equal(buf[0], 0xEE); /* page 0 untouched */
}

/* Segments load at p_paddr, not p_vaddr. */
static void
test_physical_address(void **state)
{
    struct fixture *f = *state;
    struct img m;
    struct img_seg s[1] = {{1, 4096, 0xFFFFFFFF80000000ull, 0x30000, 256, 256}};
    img_init(&m, 1, s, 0x30010);
    uint64_t entry = 0;
    char err[256] = "";
    assert_int_equal(elf_load(f->st, m.b, m.size, &entry, err, sizeof err), 0);
    assert_int_equal(entry, 0x30010);
    unsigned char c;
    assert_int_equal(stor_read(f->st, 0x30000, &c, 1), 0);
    assert_int_equal(c, 0x13);
}

/* Applies a corruption to the default image and expects a refusal whose
 * message contains `want`, with storage untouched. */
static void
expect_refused(struct stor *st, struct img *m, int want_rc, const char *want)
{
    uint64_t entry = 0x55;
    char err[256] = "";
    int rc = elf_load(st, m->b, m->size, &entry, err, sizeof err);
    if (rc != want_rc || strstr(err, want) == NULL) {
        fail_msg("rc %d (want %d), message '%s' (want '%s')", rc, want_rc, err, want);
    }
    assert_int_equal(entry, 0x55);
    assert_untouched(st);
}

static void
test_header_errors(void **state)
{
    struct fixture *f = *state;
    struct img m;

    img_default(&m);
    m.size = 40;
    expect_refused(f->st, &m, -ENOEXEC, "truncated");
    img_default(&m);
    m.size = 2;
    expect_refused(f->st, &m, -ENOEXEC, "not an ELF");
    img_default(&m);
    m.b[1] = 'X';
    expect_refused(f->st, &m, -ENOEXEC, "not an ELF");
    img_default(&m);
    m.b[4] = 1;
    expect_refused(f->st, &m, -ENOEXEC, "64-bit");
    img_default(&m);
    m.b[5] = 2;
    expect_refused(f->st, &m, -ENOEXEC, "little-endian");
    img_default(&m);
    m.b[6] = 0;
    expect_refused(f->st, &m, -ENOEXEC, "version");
    img_default(&m);
    put(m.b + 18, 62, 2); /* x86-64 */
    expect_refused(f->st, &m, -ENOEXEC, "RISC-V");
    img_default(&m);
    put(m.b + 16, 3, 2); /* ET_DYN */
    expect_refused(f->st, &m, -ENOEXEC, "ET_EXEC");
    img_default(&m);
    put(m.b + 48, 0x4, 4); /* double-float ABI */
    expect_refused(f->st, &m, -ENOEXEC, "ABI");
    img_default(&m);
    put(m.b + 56, 0, 2);
    expect_refused(f->st, &m, -ENOEXEC, "no program headers");
    img_default(&m);
    put(m.b + 56, 0xFFFF, 2);
    expect_refused(f->st, &m, -ENOEXEC, "unsupported");
    img_default(&m);
    put(m.b + 54, 32, 2);
    expect_refused(f->st, &m, -ENOEXEC, "unsupported");
    img_default(&m);
    put(m.b + 32, m.size - 60, 8); /* phoff near the end */
    expect_refused(f->st, &m, -ENOEXEC, "past the end");
    img_default(&m);
    put(m.b + 32, UINT64_MAX - 8, 8); /* phoff overflowing */
    expect_refused(f->st, &m, -ENOEXEC, "past the end");
    img_default(&m);
    m.size = 64 + 56; /* second program header cut off */
    expect_refused(f->st, &m, -ENOEXEC, "past the end");
}

static void
test_segment_errors(void **state)
{
    struct fixture *f = *state;
    struct img m;
    char want[64];

    struct img_seg s[2] = {
        {1, 4096, 0x10000, 0x10000, 256, 0x1000},
        {1, 4096 + 256, 0x20000, 0x20000, 256, 256},
    };
    /* The first segment is fine each time: nothing may be stored anyway. */
    s[1].offset = UINT64_MAX - 100;
    img_init(&m, 2, s, 0x10000);
    expect_refused(f->st, &m, -ENOEXEC, "past the end of the file");
    s[1].offset = 4096 + 256;
    s[1].filesz = 8192; /* runs past the file */
    s[1].memsz = 8192;
    img_init(&m, 2, s, 0x10000);
    expect_refused(f->st, &m, -ENOEXEC, "past the end of the file");
    s[1].filesz = 512;
    s[1].memsz = 256; /* filesz > memsz */
    img_init(&m, 2, s, 0x10000);
    expect_refused(f->st, &m, -ENOEXEC, "exceeds memory size");
    s[1].filesz = 256;
    s[1].memsz = 256;
    s[1].paddr = STOR - 128; /* crosses the end of storage */
    img_init(&m, 2, s, 0x10000);
    snprintf(want, sizeof want, "storage of %d bytes (256K)", STOR);
    expect_refused(f->st, &m, -EFBIG, want);
    s[1].paddr = UINT64_MAX - 16; /* paddr + memsz overflows */
    img_init(&m, 2, s, 0x10000);
    expect_refused(f->st, &m, -EFBIG, "does not fit in storage");
    s[1].paddr = 0x8000;
    s[1].memsz = UINT64_MAX - 0x1000;
    img_init(&m, 2, s, 0x10000);
    expect_refused(f->st, &m, -EFBIG, "does not fit in storage");
    s[1].memsz = 256;
    s[1].paddr = 0; /* page 0 */
    img_init(&m, 2, s, 0x10000);
    expect_refused(f->st, &m, -ENOEXEC, "page 0 or the IPL block");
    s[1].paddr = VMRV_IPL_BLOCK + 0xF00; /* IPL block */
    img_init(&m, 2, s, 0x10000);
    expect_refused(f->st, &m, -ENOEXEC, "page 0 or the IPL block");
    s[1].paddr = 0x20000;
    img_init(&m, 2, s, 0x40000); /* entry outside every segment */
    expect_refused(f->st, &m, -ENOEXEC, "entry point");
    img_init(&m, 2, s, 0x10000 + 0x1000); /* one past the bss end */
    expect_refused(f->st, &m, -ENOEXEC, "entry point");
    s[0].type = 3; /* PT_INTERP */
    img_init(&m, 2, s, 0x20000);
    expect_refused(f->st, &m, -ENOEXEC, "dynamically linked");
    s[0].type = 4; /* PT_NOTE only */
    s[1].type = 0x6474e551; /* PT_GNU_STACK */
    img_init(&m, 2, s, 0x20000);
    expect_refused(f->st, &m, -ENOEXEC, "no loadable segment");
}

/* An empty PT_LOAD (memsz 0) is skipped, even at page 0. */
static void
test_empty_segment(void **state)
{
    struct fixture *f = *state;
    struct img m;
    struct img_seg s[2] = {
        {1, 0, 0, 0, 0, 0},
        {1, 4096, 0x10000, 0x10000, 256, 256},
    };
    img_init(&m, 2, s, 0x10000);
    uint64_t entry;
    char err[256];
    assert_int_equal(elf_load(f->st, m.b, m.size, &entry, err, sizeof err), 0);
}

/* Every truncation of a good image is refused or loads; none crashes. */
static void
test_every_truncation(void **state)
{
    struct fixture *f = *state;
    struct img m;
    img_default(&m);
    for (size_t n = 0; n < m.size; n++) {
        uint64_t entry;
        char err[256];
        assert_int_not_equal(elf_load(f->st, m.b, n, &entry, err, sizeof err), 0);
        assert_true(err[0] != '\0');
    }
}

static void
test_files(void **state)
{
    struct fixture *f = *state;
    uint64_t entry;
    char err[512] = "";
    char *dir = test_tmpdir();
    assert_non_null(dir);
    char path[600];
    snprintf(path, sizeof path, "%s/missing.elf", dir);
    assert_int_equal(elf_load_file(f->st, path, &entry, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "missing.elf"));
    assert_int_equal(elf_load_file(f->st, dir, &entry, err, sizeof err), -EINVAL);
    snprintf(path, sizeof path, "%s/empty.elf", dir);
    FILE *fp = fopen(path, "w");
    fclose(fp);
    assert_int_equal(elf_load_file(f->st, path, &entry, err, sizeof err), -ENOEXEC);
    test_rmdir(dir);
    free(dir);
    assert_untouched(f->st);

    /* A real guest program from the build, if there. */
    const char *top = getenv("top_builddir");
    snprintf(path, sizeof path, "%s/tests/guest/hello.elf", top ? top : ".");
    fp = fopen(path, "r");
    if (fp != NULL) {
        fclose(fp);
        assert_int_equal(elf_load_file(f->st, path, &entry, err, sizeof err), 0);
        assert_int_equal(entry, 0x10000);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_physical_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segment_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
