// SPDX-License-Identifier: MIT
/*
 * tests/test_diag_fuzz.c - seeded random hypercalls against a VM with a
 * console and two disks.  Function ids are mostly real ones, arguments are
 * drawn from values that hurt: 0, storage edges, page edges, huge lengths,
 * wrapping addresses.  After every call an oracle derived from
 * include/vmrv/diag.h checks that:
 *   - guest storage changed only inside the buffer the call was given
 *     (and not at all when the call failed or waits);
 *   - registers other than a0, a1 (and a2 where documented) are preserved;
 *   - the read-only disk never changes and the writable one changes only
 *     by successful WRITEs (checked against a mirror at the end).
 * ASan/UBSan builds also catch any stray host access.  VMRV_FUZZ_SEED and
 * VMRV_FUZZ_ITER override the seed and the number of calls.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/vm.h"
#include "tests/test_vm_fake.h"
#include "vmrv/diag.h"

#define BS DIAG_BLOCK_SIZE

static uint64_t rng;

static uint64_t
next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

static uint64_t
below(uint64_t n)
{
    return n ? next() % n : 0;
}

/* An argument that hurts, for storage of size s. */
static uint64_t
nasty(uint64_t s)
{
    switch (below(14)) {
    case 0: return 0;
    case 1: return below(16);
    case 2: return s - below(64);
    case 3: return s + below(64);
    case 4: return s;
    case 5: return UINT64_MAX - below(4096);
    case 6: return below(s / BS) * BS; /* a page inside */
    case 7: return below(s);
    case 8: return next();
    case 9: return (uint64_t)1 << below(64);
    case 10: return BS * below(300);
    case 11: return 0x1000 + below(64);
    case 12: return below(300); /* counts, subcodes, vaddrs */
    default: return 0x190 + below(3);
    }
}

static const uint64_t diag_ids[] = {
    DIAG_IDENTIFY, DIAG_CP_COMMAND, DIAG_TIMER, DIAG_RELEASE_PAGES, DIAG_READER, DIAG_DEVINFO,
    DIAG_CONSOLE, DIAG_STORAGE_SIZE, DIAG_SEGMENT, DIAG_MESSAGE, DIAG_BLOCK_IO, DIAG_PAGEX_RESERVED,
    DIAG_UR_WRITE, DIAG_CLOCK_COMPARATOR, DIAG_EVENT_CLAIM, DIAG_PROTECT, DIAG_TEST_EXIT,
};

static uint64_t
min_u(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* The guest range a successful call may write: [*lo, *lo + *len). */
static void
oracle(uint64_t eid, uint64_t fid, const uint64_t *a, uint64_t *lo, uint64_t *len)
{
    *lo = 0;
    *len = 0;
    if (eid == SBI_EID_DBCN && fid == SBI_DBCN_READ) {
        *lo = a[1], *len = a[0];
    }
    if (eid != DIAG_EID) {
        return;
    }
    switch (fid) {
    case DIAG_IDENTIFY: *lo = a[0], *len = min_u(a[1], sizeof(struct diag_identify)); break;
    case DIAG_TIMER: *lo = a[0], *len = min_u(a[1], sizeof(struct diag_timer)); break;
    case DIAG_RELEASE_PAGES: *lo = a[0], *len = a[1]; break;
    case DIAG_DEVINFO: *lo = a[1], *len = min_u(a[2], sizeof(struct diag_devinfo)); break;
    case DIAG_CONSOLE:
        if (a[0] == DIAG_CON_READ) {
            *lo = a[1], *len = a[2];
        }
        break;
    case DIAG_BLOCK_IO:
        if (a[0] == DIAG_BIO_GEOMETRY) {
            *lo = a[2], *len = min_u(a[3], sizeof(struct diag_geometry));
        } else if (a[0] == DIAG_BIO_READ && a[4] <= DIAG_BLOCK_MAX_COUNT) {
            *lo = a[3], *len = a[4] * BS;
        }
        break;
    default: break;
    }
}

static bool
may_set_a2(uint64_t eid, uint64_t fid, const uint64_t *a)
{
    return eid == DIAG_EID &&
           (fid == DIAG_EVENT_CLAIM || (fid == DIAG_CONSOLE && a[0] == DIAG_CON_READ));
}

static unsigned char *
read_file(const char *path, size_t len)
{
    unsigned char *b = malloc(len);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, b, len, 0), (ssize_t)len);
    close(fd);
    return b;
}

static void
fuzz(uint64_t storage, unsigned iterations, uint64_t seed)
{
    rng = seed ? seed : 1;
    struct vmfix *f = vmfix_create(storage);
    assert_non_null(f);
    struct vm *vm = f->vm;
    struct rv_cpu *cpu = vm_cpu(vm);
    struct stor *st = vm_stor(vm);
    unsigned char *mirror = malloc(storage), *now = malloc(storage);
    size_t disk_len = (size_t)DISK_BLOCKS * BS;
    unsigned char *disk = read_file(f->rw_path, disk_len);
    unsigned char *ro = read_file(f->ro_path, disk_len);
    for (uint64_t i = 0; i < storage; i++) {
        mirror[i] = (unsigned char)next();
    }
    assert_int_equal(stor_write(st, 0, mirror, storage), 0);
    unsigned ok = 0, waits = 0;

    for (unsigned it = 0; it < iterations; it++) {
        switch (below(40)) {
        case 0: fake_console_push(f->con, "a line of input"); break;
        case 1: vm_attention(vm); break;
        case 2: vm_post_event(vm, 1 + (uint32_t)below(4), next()); break;
        case 3: f->con->full = !f->con->full; break;
        default: break;
        }
        uint64_t eid, fid, a[8];
        switch (below(10)) {
        case 0: eid = SBI_EID_BASE, fid = below(8); break;
        case 1: eid = SBI_EID_DBCN, fid = below(4); break;
        case 2: eid = below(2) ? SBI_EID_SRST : SBI_EID_TIME, fid = below(2); break;
        case 3: eid = next(), fid = next(); break;
        default:
            eid = DIAG_EID;
            fid = below(20) ? diag_ids[below(sizeof diag_ids / sizeof diag_ids[0])] : next();
        }
        for (unsigned i = 0; i < 6; i++) {
            a[i] = nasty(storage);
        }
        if (eid == DIAG_EID && (fid == DIAG_CONSOLE || fid == DIAG_BLOCK_IO) && below(2)) {
            a[0] = below(5); /* a real subcode more often */
        }
        for (unsigned i = 0; i < 6; i++) {
            rv_reg_set(cpu, 10 + i, a[i]);
        }
        rv_reg_set(cpu, 16, fid);
        rv_reg_set(cpu, 17, eid);
        enum rv_hcall r = vm_hypercall(vm);

        /* Registers. */
        int64_t err = (int64_t)rv_reg_get(cpu, 10);
        for (unsigned i = 3; i < 6; i++) {
            assert_int_equal(rv_reg_get(cpu, 10 + i), a[i]);
        }
        assert_int_equal(rv_reg_get(cpu, 16), fid);
        assert_int_equal(rv_reg_get(cpu, 17), eid);
        if (r == RV_HCALL_WAIT) {
            waits++;
            for (unsigned i = 0; i < 3; i++) {
                assert_int_equal(rv_reg_get(cpu, 10 + i), a[i]);
            }
        } else if (rv_reg_get(cpu, 12) != a[2] && !may_set_a2(eid, fid, a)) {
            fail_msg("seed %llu call %u: a2 changed by eid 0x%llx fid 0x%llx",
                     (unsigned long long)seed, it, (unsigned long long)eid, (unsigned long long)fid);
        }

        /* Storage. */
        uint64_t lo, len;
        oracle(eid, fid, a, &lo, &len);
        bool wrote = r != RV_HCALL_WAIT && err == 0;
        assert_int_equal(stor_read(st, 0, now, storage), 0);
        bool changed = memcmp(now, mirror, storage) != 0;
        for (uint64_t i = 0; changed && i < storage; i++) {
            if (now[i] == mirror[i]) {
                continue;
            }
            if (!wrote || i < lo || i - lo >= len) {
                fail_msg("seed %llu call %u: eid 0x%llx fid 0x%llx a0..a4 %llx %llx %llx %llx %llx "
                         "error %lld changed storage at 0x%llx (allowed 0x%llx+0x%llx)",
                         (unsigned long long)seed, it, (unsigned long long)eid,
                         (unsigned long long)fid, (unsigned long long)a[0],
                         (unsigned long long)a[1], (unsigned long long)a[2],
                         (unsigned long long)a[3], (unsigned long long)a[4], (long long)err,
                         (unsigned long long)i, (unsigned long long)lo, (unsigned long long)len);
            }
            mirror[i] = now[i];
        }
        /* Disk mirror: a successful WRITE put the guest buffer there. */
        if (wrote && eid == DIAG_EID && fid == DIAG_BLOCK_IO && a[0] == DIAG_BIO_WRITE &&
            a[1] == 0x191) {
            assert_true(a[2] < DISK_BLOCKS && a[4] <= DISK_BLOCKS - a[2]);
            assert_true(a[3] < storage && a[4] * BS <= storage - a[3]);
            memcpy(disk + a[2] * BS, mirror + a[3], a[4] * BS);
        }
        ok += err == 0;
    }
    /* CP is intact: the VM still answers, the disks are as they must be. */
    struct hc h = DIAG(vm, DIAG_STORAGE_SIZE, 0, 0, 0, 0, 0);
    assert_int_equal(h.err, 0);
    assert_int_equal(h.v1, storage);
    unsigned char *d2 = read_file(f->rw_path, disk_len);
    unsigned char *r2 = read_file(f->ro_path, disk_len);
    assert_memory_equal(d2, disk, disk_len);
    assert_memory_equal(r2, ro, disk_len);
    printf("# seed %llu: %u calls on %llu bytes, %u succeeded, %u waited\n",
           (unsigned long long)seed, iterations, (unsigned long long)storage, ok, waits);
    free(d2);
    free(r2);
    free(disk);
    free(ro);
    free(mirror);
    free(now);
    vmfix_destroy(f);
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
    const char *s = getenv(name);
    return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static void
test_small_storage(void **state)
{
    (void)state;
    fuzz(32 * 1024, (unsigned)env_u64("VMRV_FUZZ_ITER", 20000), env_u64("VMRV_FUZZ_SEED", 20260101));
}

static void
test_large_storage(void **state)
{
    (void)state;
    fuzz(2 * 1024 * 1024, (unsigned)env_u64("VMRV_FUZZ_ITER", 20000) / 20,
         env_u64("VMRV_FUZZ_SEED", 20260101) + 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_storage),
        cmocka_unit_test(test_large_storage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
