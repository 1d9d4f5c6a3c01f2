// SPDX-License-Identifier: MIT
/*
 * bench/stor_bench.c - shared saved segments and CP paging, measured:
 *
 * Times of 1. and 2. are CPU time of the thread (the host is shared);
 * paging is timed by the wall clock (it waits for I/O).
 *
 *   1. 100 VMs attach one 1 MiB saved segment and read all of it: host
 *      memory for the segment counted once (the process's resident set
 *      grows by about one copy, not 100), and the cost of one attach.
 *   2. CMS as the named saved system: IPL of 100 VMs from systems/CMS.elf
 *      shared, against the same IPL copying the nucleus privately.
 *   3. Paging: a guest touching 4 times a 4 MiB real storage limit (write
 *      then read every page, several rounds): pages out (written by the
 *      pager threads from their in-flight buffers) and in per second, the
 *      guest's own CPU time, and how much a CPU-bound VM on another thread
 *      slows down meanwhile; then the same guest with page wait sharing one
 *      thread with a CPU-bound VM (the dispatcher's case), against the
 *      same with its page-ins read on that thread.
 *
 * Prints a table, then BENCH name value unit lines.  Usage: stor_bench
 * [CMS_ELF] (default cms/cms.elf under the current folder).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cp/elf.h"
#include "cp/nss.h"
#include "cp/paging.h"
#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/vdev.h"
#include "cp/vm.h"
#include "tests/test_rv_enc.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

#define NVMS 100
#define SEG_BYTES (1u << 20)
#define LIMIT_PAGES 1024u /* 4 MiB */
#define TOUCH_PAGES (4 * LIMIT_PAGES)
#define ROUNDS 3

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: steadier than the wall clock on a busy host. */
static double
cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Resident set of this process in KiB (/proc/self/statm). */
static long
rss_kib(void)
{
    long pages = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) {
        return -1;
    }
    if (fscanf(f, "%ld %ld", &pages, &res) != 2) {
        res = -1;
    }
    fclose(f);
    return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* ---- 1. one segment, 100 VMs -------------------------------------------- */

static void
bench_share(void)
{
    const uint64_t base = VMRV_SEG_CMS_BASE;
    struct stor *src = stor_create(base + SEG_BYTES);
    uint8_t *buf = malloc(SEG_BYTES);
    for (unsigned i = 0; i < SEG_BYTES; i++) {
        buf[i] = (uint8_t)(i * 7 + (i >> 12));
    }
    stor_write(src, base, buf, SEG_BYTES);
    struct stor_seg *seg = stor_seg_create(base, SEG_BYTES);
    stor_seg_fill(seg, src, base, SEG_BYTES);
    stor_seg_seal(seg);
    stor_destroy(src);

    struct vm *vms[NVMS];
    for (int i = 0; i < NVMS; i++) {
        char id[9];
        snprintf(id, sizeof id, "U%d", i);
        vms[i] = vm_create(VMRV_DEFAULT_STORAGE, id);
    }
    long rss0 = rss_kib();
    double t0 = cpu_s();
    for (int i = 0; i < NVMS; i++) {
        stor_attach(vm_stor(vms[i]), seg);
    }
    double t_attach = (cpu_s() - t0) / NVMS;
    /* every VM reads the whole segment */
    uint64_t sum = 0;
    for (int i = 0; i < NVMS; i++) {
        stor_read(vm_stor(vms[i]), base, buf, SEG_BYTES);
        sum += buf[i * 4099 % SEG_BYTES];
    }
    long rss1 = rss_kib();
    uint64_t mapped = 0, priv = 0, nseg = 0, host_pages = 0;
    for (int i = 0; i < NVMS; i++) {
        mapped += stor_shared_pages(vm_stor(vms[i]));
        priv += stor_resident_pages(vm_stor(vms[i]));
    }
    stor_seg_totals(&nseg, &host_pages);
    printf("1. %d VMs attach one %u KiB saved segment (checksum %llu)\n", NVMS, SEG_BYTES / 1024,
           (unsigned long long)sum);
    printf("   pages mapped by all VMs together  %10llu (%llu KiB if each had a copy)\n",
           (unsigned long long)mapped, (unsigned long long)mapped * 4);
    printf("   host pages of the segment         %10llu (%llu KiB, counted once)\n",
           (unsigned long long)host_pages, (unsigned long long)host_pages * 4);
    printf("   private frames of the VMs         %10llu\n", (unsigned long long)priv);
    printf("   process RSS growth                %10ld KiB\n", rss1 - rss0);
    printf("   one attach                        %10.1f us\n", t_attach * 1e6);
    printf("BENCH stor_seg_100vm_host_kib %llu KiB\n", (unsigned long long)host_pages * 4);
    printf("BENCH stor_seg_100vm_mapped_kib %llu KiB\n", (unsigned long long)mapped * 4);
    printf("BENCH stor_seg_100vm_rss_growth_kib %ld KiB\n", rss1 - rss0);
    printf("BENCH stor_seg_attach_us %.1f us\n", t_attach * 1e6);
    for (int i = 0; i < NVMS; i++) {
        vm_destroy(vms[i]);
    }
    stor_seg_put(seg);
    free(buf);
}

/* ---- 2. CMS shared vs private -------------------------------------------- */

static int
con_write(void *ctx, const char *buf, size_t len, bool end_line)
{
    return 0;
}

static long
con_read(void *ctx, char *buf, size_t cap)
{
    return -EAGAIN;
}

/* One VM IPLs CMS (shared, or private when image != NULL) and runs to its
 * first console read; its statistics and costs.  -1: it did not get there
 * (the reason is printed). */
struct to_read {
    double us;
    struct rv_stats rs;
    size_t footprint; /* CPU state + private translations */
    uint64_t frames_kib; /* private frames */
};

static int
one_to_read(const char *cms, const void *image, size_t size, struct to_read *out)
{
    struct vm *vm = vm_create(VMRV_DEFAULT_STORAGE, "XLATE");
    static const struct vdev_console_ops ops = {.write = con_write, .read_line = con_read};
    vdev_console_attach(vm_devices(vm), VDEV_CONSOLE_ADDR, &ops, NULL);
    char err[256];
    struct rv_tlb *tlb = rv_tlb_create();
    double t0 = cpu_s();
    int rc = image != NULL ? vm_ipl_elf_image(vm, image, size, "CMS", NULL, err, sizeof err)
                           : vm_ipl_nss(vm, "CMS", cms, NULL, err, sizeof err);
    if (rc == 0) {
        struct vm_status st = {0};
        for (int i = 0; i < 1000; i++) {
            st = vm_run(vm, tlb, 1000000);
            if (st.state != VM_RUNNING && st.state != VM_WFI_WAIT) {
                break;
            }
        }
        out->us = (cpu_s() - t0) * 1e6;
        rv_cpu_stats(vm_cpu(vm), &out->rs);
        out->footprint = rv_cpu_footprint(vm_cpu(vm));
        out->frames_kib = stor_resident_pages(vm_stor(vm)) * 4;
    } else {
        printf("   one VM to CMS's first read: skipped: %s\n", err);
    }
    rv_tlb_destroy(tlb);
    vm_destroy(vm);
    return rc == 0 ? 0 : -1;
}

/* IPL to CMS's first console read: a private copy (every VM translates
 * all it runs), then two VMs of the saved system (the first translates the
 * segment's code into the segment's shared cache, the second finds it). */
static void
cms_to_read(const char *cms, const void *image, size_t size)
{
    struct to_read p, a, b;
    if (one_to_read(cms, image, size, &p) != 0) {
        return;
    }
    size_t sh0 = rv_xlate_shared_bytes();
    if (one_to_read(cms, NULL, 0, &a) != 0 || one_to_read(cms, NULL, 0, &b) != 0) {
        return;
    }
    size_t shared = rv_xlate_shared_bytes() - sh0;
    printf("   IPL to CMS's first console read      us  instructions  blocks (shared) "
           " state+private xlate  private frames\n");
    static const char *const name[] = {"private copy", "saved system, 1st VM",
                                       "saved system, 2nd VM"};
    const struct to_read *r[] = {&p, &a, &b};
    for (int i = 0; i < 3; i++) {
        printf("   %-30s %8.0f  %12llu  %6llu (%5llu)  %15zu KiB  %10llu KiB\n", name[i],
               r[i]->us, (unsigned long long)r[i]->rs.instret,
               (unsigned long long)r[i]->rs.blocks_translated,
               (unsigned long long)r[i]->rs.blocks_shared, r[i]->footprint / 1024,
               (unsigned long long)r[i]->frames_kib);
    }
    printf("   shared translations of the CMS segment: %zu KiB, once\n", shared / 1024);
    /* 1,000 idle CMS VMs (at their first read), extrapolated from the 2nd
     * VM: what each costs privately, plus the segment and its translations
     * once. */
    uint64_t per_vm = b.footprint / 1024 + b.frames_kib;
    uint64_t per_vm_before = p.footprint / 1024 + b.frames_kib;
    printf("   1,000 idle CMS VMs (saved system): about %llu MiB (before shared "
           "translations: %llu MiB)\n",
           (unsigned long long)((per_vm * 1000 + shared / 1024) / 1024),
           (unsigned long long)(per_vm_before * 1000 / 1024));
    printf("BENCH stor_cms_ipl_to_read_us %.0f us\n", b.us);
    printf("BENCH stor_cms_ipl_to_read_private_us %.0f us\n", p.us);
    printf("BENCH stor_cms_ipl_to_read_first_us %.0f us\n", a.us);
    printf("BENCH stor_cms_xlate_kib_per_vm %zu KiB\n", b.footprint / 1024);
    printf("BENCH stor_cms_xlate_kib_per_vm_unshared %zu KiB\n", p.footprint / 1024);
    printf("BENCH stor_cms_xlate_shared_kib %zu KiB\n", shared / 1024);
    printf("BENCH stor_cms_private_kib_at_read %llu KiB\n", (unsigned long long)b.frames_kib);
    printf("BENCH stor_cms_1000_idle_mib %llu MiB\n",
           (unsigned long long)((per_vm * 1000 + shared / 1024) / 1024));
}

static void
bench_cms(const char *cms)
{
    if (access(cms, R_OK) != 0) {
        printf("2. CMS IPL: skipped: %s not found (build it, or pass its path)\n", cms);
        return;
    }
    char err[256] = "";
    void *image = NULL;
    size_t size = 0;
    if (elf_read_file(cms, &image, &size, err, sizeof err) != 0) {
        printf("2. CMS IPL: skipped: %s\n", err);
        return;
    }
    struct vm *vms[NVMS];
    double t_priv = 0, t_nss = 0;
    uint64_t priv_pages = 0, shared_pages = 0, priv_nss = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < NVMS; i++) {
            char id[9];
            snprintf(id, sizeof id, "C%d", i);
            vms[i] = vm_create(VMRV_DEFAULT_STORAGE, id);
        }
        double t0 = cpu_s();
        for (int i = 0; i < NVMS; i++) {
            int rc = pass == 0 ? vm_ipl_elf_image(vms[i], image, size, "CMS", NULL, err, sizeof err)
                               : vm_ipl_nss(vms[i], "CMS", cms, NULL, err, sizeof err);
            if (rc != 0) {
                printf("2. CMS IPL failed: %s\n", err);
                break;
            }
        }
        double t = (cpu_s() - t0) / NVMS;
        for (int i = 0; i < NVMS; i++) {
            if (pass == 0) {
                priv_pages += stor_resident_pages(vm_stor(vms[i]));
            } else {
                shared_pages = stor_shared_pages(vm_stor(vms[i]));
                priv_nss += stor_resident_pages(vm_stor(vms[i]));
            }
            vm_destroy(vms[i]);
        }
        *(pass == 0 ? &t_priv : &t_nss) = t;
    }
    printf("2. IPL CMS in %d VMs (to the first instruction)\n", NVMS);
    printf("   private copy: %8.1f us per IPL, %6llu KiB per VM\n", t_priv * 1e6,
           (unsigned long long)priv_pages * 4 / NVMS);
    printf("   saved system: %8.1f us per IPL (the first one builds it), %6llu KiB per VM, "
           "%llu KiB shared once\n",
           t_nss * 1e6, (unsigned long long)priv_nss * 4 / NVMS,
           (unsigned long long)shared_pages * 4);
    printf("BENCH stor_cms_ipl_private_us %.1f us\n", t_priv * 1e6);
    printf("BENCH stor_cms_ipl_shared_us %.1f us\n", t_nss * 1e6);
    printf("BENCH stor_cms_segment_kib %llu KiB\n", (unsigned long long)shared_pages * 4);
    printf("BENCH stor_cms_private_kib_per_vm %llu KiB\n",
           (unsigned long long)priv_nss * 4 / NVMS);
    cms_to_read(cms, image, size);
    free(image);
    nss_forget_all();
}

/* ---- 3. paging ----------------------------------------------------------- */

static enum rv_hcall
b_ecall(void *ctx, struct rv_cpu *cpu)
{
    int *exited = ctx;
    *exited = 1;
    return RV_HCALL_STOP;
}

/* A guest: ROUNDS times, write every one of `pages` pages from `base`,
 * then read them all back; exits through an ecall. */
static struct rv_cpu *
toucher(struct stor *st, uint64_t base, uint64_t pages, int *exited)
{
    static struct prog p;
    prog_init(&p, 0x1000);
    emit_li(&p, S2, ROUNDS);
    uint32_t round = p.len;
    emit_li(&p, S0, base);
    emit_li(&p, S1, pages);
    emit_li(&p, T2, 4096);
    emit_li(&p, T0, 0);
    emit(&p, ADDI(T1, S0, 0));
    uint32_t l1 = p.len;
    emit(&p, SD(T0, T1, 8));
    emit(&p, ADDI(T0, T0, 1));
    emit(&p, ADD(T1, T1, T2));
    emit(&p, BLT(T0, S1, (int32_t)(l1 - p.len)));
    emit_li(&p, T0, 0);
    emit(&p, ADDI(T1, S0, 0));
    uint32_t l2 = p.len;
    emit(&p, LD(T3, T1, 8));
    emit(&p, ADDI(T0, T0, 1));
    emit(&p, ADD(T1, T1, T2));
    emit(&p, BLT(T0, S1, (int32_t)(l2 - p.len)));
    emit(&p, ADDI(S2, S2, -1));
    emit(&p, BNE(S2, ZERO, (int32_t)(round - p.len)));
    emit(&p, ECALL());
    stor_write(st, p.base, p.buf, p.len);
    struct rv_hooks hooks = {.ctx = exited, .ecall = b_ecall};
    struct rv_cpu *cpu = rv_cpu_create(st, &hooks);
    rv_cpu_reset(cpu, p.base);
    return cpu;
}

/* A CPU-bound VM (a counting loop, no memory) on its own thread. */
struct spinner {
    atomic_bool stop;
    uint64_t insns;
    double secs;
};

static void *
spin_main(void *arg)
{
    struct spinner *sp = arg;
    struct stor *st = stor_create(1u << 20);
    struct prog p;
    prog_init(&p, 0x1000);
    emit_li(&p, T0, 0);
    emit(&p, ADDI(T0, T0, 1));
    emit(&p, JAL(ZERO, -4));
    stor_write(st, p.base, p.buf, p.len);
    int exited = 0;
    struct rv_hooks hooks = {.ctx = &exited, .ecall = b_ecall};
    struct rv_cpu *cpu = rv_cpu_create(st, &hooks);
    struct rv_tlb *tlb = rv_tlb_create();
    rv_cpu_reset(cpu, p.base);
    double t0 = now_s();
    while (!atomic_load(&sp->stop)) {
        stor_pin(st);
        rv_cpu_run(cpu, tlb, 1000000);
        stor_trim(st);
        stor_unpin(st);
    }
    sp->secs = now_s() - t0;
    struct rv_stats s;
    rv_cpu_stats(cpu, &s);
    sp->insns = s.instret;
    rv_tlb_destroy(tlb);
    rv_cpu_destroy(cpu);
    stor_destroy(st);
    return NULL;
}

static double
spinner_rate(struct spinner *sp, double secs_alone)
{
    pthread_t t;
    atomic_store(&sp->stop, false);
    pthread_create(&t, NULL, spin_main, sp);
    if (secs_alone > 0) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(secs_alone * 1e9)};
        nanosleep(&ts, NULL);
        atomic_store(&sp->stop, true);
        pthread_join(t, NULL);
        return (double)sp->insns / sp->secs;
    }
    return 0;
}

static atomic_bool pw_reading;

static void
pw_done(void *ctx)
{
    (void)ctx;
    atomic_store(&pw_reading, false);
}

/* A counting loop (no memory) on the calling thread's CPU. */
static struct rv_cpu *
spinner_cpu(struct stor *st, int *exited)
{
    struct prog p;
    prog_init(&p, 0x1000);
    emit_li(&p, T0, 0);
    emit(&p, ADDI(T0, T0, 1));
    emit(&p, JAL(ZERO, -4));
    stor_write(st, p.base, p.buf, p.len);
    struct rv_hooks hooks = {.ctx = exited, .ecall = b_ecall};
    struct rv_cpu *cpu = rv_cpu_create(st, &hooks);
    rv_cpu_reset(cpu, p.base);
    return cpu;
}

/* One slice of cpu on st as vm_run does it: pinned, trimmed at the end. */
static enum rv_stop
slice(struct rv_cpu *cpu, struct stor *st, struct rv_tlb *tlb, uint64_t budget)
{
    stor_pin(st);
    enum rv_stop why = rv_cpu_run(cpu, tlb, budget);
    stor_trim(st);
    stor_unpin(st);
    return why;
}

static uint64_t
instret_of(struct rv_cpu *cpu)
{
    struct rv_stats s;
    rv_cpu_stats(cpu, &s);
    return s.instret;
}

/* One dispatcher thread, two VMs taking turns (slices of SLICE
 * instructions): the toucher and a CPU-bound VM.  With page wait on, a
 * toucher waiting for its page gives its turns to the other VM, as the
 * dispatcher does; off, it reads its pages itself, in its own slices.
 * Returns the wall time; *other_rate the CPU-bound VM's instructions per
 * second meanwhile. */
#define SLICE 20000
static double
shared_thread(bool page_wait, double *other_rate, uint64_t *waits)
{
    struct stor *st = stor_create(64u << 20), *st2 = stor_create(1u << 20);
    int exited = 0, ex2 = 0;
    struct rv_cpu *cpu = toucher(st, 8u << 20, TOUCH_PAGES, &exited);
    struct rv_cpu *other = spinner_cpu(st2, &ex2);
    struct rv_tlb *tlb = rv_tlb_create();
    rv_cpu_set_page_wait(cpu, page_wait);
    *waits = 0;
    double t0 = now_s();
    while (!exited) {
        if (!atomic_load(&pw_reading) &&
            slice(cpu, st, tlb, SLICE) == RV_STOP_PAGE_WAIT) {
            (*waits)++;
            atomic_store(&pw_reading, true);
            if (paging_read_async(st, rv_cpu_page_wait_pn(cpu), pw_done, NULL) != 0) {
                atomic_store(&pw_reading, false);
            }
        }
        slice(other, st2, tlb, SLICE);
    }
    double secs = now_s() - t0;
    *other_rate = (double)instret_of(other) / secs;
    rv_tlb_destroy(tlb);
    rv_cpu_destroy(cpu);
    rv_cpu_destroy(other);
    stor_destroy(st);
    stor_destroy(st2);
    return secs;
}

/* The same guest with page wait on, as vm_run runs it, sharing one thread
 * with a CPU-bound VM; and with page wait off for comparison. */
static void
bench_page_wait(void)
{
    /* the CPU-bound VM alone on this thread */
    struct stor *st2 = stor_create(1u << 20);
    int ex2 = 0;
    struct rv_cpu *other = spinner_cpu(st2, &ex2);
    struct rv_tlb *tlb = rv_tlb_create();
    double t0 = now_s();
    while (now_s() - t0 < 0.3) {
        slice(other, st2, tlb, SLICE);
    }
    double alone = (double)instret_of(other) / (now_s() - t0);
    rv_tlb_destroy(tlb);
    rv_cpu_destroy(other);
    stor_destroy(st2);

    struct paging_stats s0, s1;
    paging_stats(&s0);
    double rate_w, rate_s;
    uint64_t waits, waits_s;
    double secs_w = shared_thread(true, &rate_w, &waits);
    paging_drain(60000);
    paging_stats(&s1);
    double secs_s = shared_thread(false, &rate_s, &waits_s);
    paging_drain(60000);
    uint64_t async = s1.async_reads + s1.read_ahead - s0.async_reads - s0.read_ahead;
    printf("   one thread, the guest and a CPU-bound VM taking turns (%u-instruction slices):\n",
           SLICE);
    printf("     with page wait: guest done in   %10.3f s, %llu page waits, %.0f pages in/s "
           "on pager threads\n",
           secs_w, (unsigned long long)waits, (double)async / secs_w);
    printf("     the CPU-bound VM meanwhile      %10.0f M insn/s of %.0f alone (%.0f%%)\n",
           rate_w / 1e6, alone / 1e6, 100.0 * rate_w / alone);
    printf("     page-ins on the thread instead: %10.3f s; the CPU-bound VM %.0f M insn/s "
           "(%.0f%%)\n",
           secs_s, rate_s / 1e6, 100.0 * rate_s / alone);
    printf("BENCH stor_page_in_wait_per_s %.0f pages/s\n", (double)async / secs_w);
    printf("BENCH stor_page_wait_same_thread_vm_speed %.0f %%\n", 100.0 * rate_w / alone);
    printf("BENCH stor_page_sync_same_thread_vm_speed %.0f %%\n", 100.0 * rate_s / alone);
}

static void
bench_paging(void)
{
    char path[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/vmrv-bench-paging-XXXXXX", tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        printf("3. paging: skipped: no temporary file\n");
        return;
    }
    close(fd);
    struct paging_config cfg = {
        .real_bytes = LIMIT_PAGES * 4096ull, .path = path, .file_bytes = 64ull << 20};
    char err[256] = "";
    if (paging_start(&cfg, err, sizeof err) != 0) {
        printf("3. paging: skipped: %s\n", err);
        return;
    }
    /* the other VM alone */
    struct spinner sp;
    double alone = spinner_rate(&sp, 0.5);

    struct stor *st = stor_create(64u << 20);
    int exited = 0;
    struct rv_cpu *cpu = toucher(st, 8u << 20, TOUCH_PAGES, &exited);
    struct rv_tlb *tlb = rv_tlb_create();
    struct paging_stats s0, s1;
    paging_stats(&s0);
    pthread_t t;
    atomic_store(&sp.stop, false);
    pthread_create(&t, NULL, spin_main, &sp);
    double t0 = now_s(), c0 = cpu_s();
    while (!exited) {
        slice(cpu, st, tlb, 200000);
    }
    double guest_cpu = cpu_s() - c0;
    double done = now_s() - t0;
    paging_drain(60000); /* the last writes land */
    double secs = now_s() - t0;
    atomic_store(&sp.stop, true);
    pthread_join(t, NULL);
    double during = (double)sp.insns / sp.secs;
    paging_stats(&s1);
    uint64_t outs = s1.page_outs - s0.page_outs, ins = s1.page_ins - s0.page_ins;
    uint64_t clean = s1.clean_drops - s0.clean_drops;
    printf("3. a guest touching %u pages (4x a real storage limit of %u pages), %d rounds of "
           "write all + read all\n",
           TOUCH_PAGES, LIMIT_PAGES, ROUNDS);
    printf("   time (to the last write landed)   %10.3f s (guest done at %.3f s, %.3f s of "
           "its thread's CPU)\n",
           secs, done, guest_cpu);
    printf("   pages out (written)               %10llu  %10.0f /s\n", (unsigned long long)outs,
           (double)outs / secs);
    printf("   pages in (read back)              %10llu  %10.0f /s\n", (unsigned long long)ins,
           (double)ins / secs);
    printf("   dropped clean (no write)          %10llu\n", (unsigned long long)clean);
    printf("   in-flight buffers                 %10llu at most (cap %u); %llu page-ins "
           "copied one; the stealer waited for room %llu times\n",
           (unsigned long long)s1.inflight_peak, LIMIT_PAGES / 4,
           (unsigned long long)(s1.inflight_hits - s0.inflight_hits),
           (unsigned long long)(s1.write_waits - s0.write_waits));
    printf("   a CPU-bound VM on another thread  %10.0f M insn/s alone, %.0f M insn/s meanwhile "
           "(%.0f%%)\n",
           alone / 1e6, during / 1e6, alone > 0 ? 100.0 * during / alone : 0);
    double load = -1;
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf != NULL) {
        if (fscanf(lf, "%lf", &load) != 1) {
            load = -1;
        }
        fclose(lf);
    }
    printf("   host load average meanwhile       %10.1f (wall-clock figures above depend on it)\n",
           load);
    printf("BENCH stor_page_out_per_s %.0f pages/s\n", (double)outs / secs);
    printf("BENCH stor_page_in_per_s %.0f pages/s\n", (double)ins / secs);
    printf("BENCH stor_paging_guest_cpu_s %.3f s\n", guest_cpu);
    printf("BENCH stor_paging_inflight_peak %llu pages\n", (unsigned long long)s1.inflight_peak);
    printf("BENCH stor_paging_other_vm_speed %.0f %%\n", alone > 0 ? 100.0 * during / alone : 0);
    rv_tlb_destroy(tlb);
    rv_cpu_destroy(cpu);
    stor_destroy(st);
    bench_page_wait();
    paging_stop();
}

int
main(int argc, char **argv)
{
    const char *cms = argc > 1 ? argv[1] : "cms/cms.elf";
    printf("Shared saved segments and CP paging\n");
    bench_share();
    bench_cms(cms);
    bench_paging();
    return 0;
}
