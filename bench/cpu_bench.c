// SPDX-License-Identifier: MIT
/*
 * bench/cpu_bench.c - figures of the virtual CPU (make bench):
 *
 *  1. Guest instructions per second of host CPU time on three CPU-bound
 *     guest programs (bench/guest/k_*.c: an integer kernel, a merge sort,
 *     a bytecode interpreter), run in-process on the CPU (cp/rv.h) with one
 *     dispatcher TLB.  The count is the CPU's exact instret; the time is the
 *     calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), best of a few
 *     runs.
 *  2. The same kernels under qemu-riscv64 and qemu-system-riscv64 (when
 *     installed).  The kernel is one object file linked into the VM/RV
 *     program, into a static Linux program (bench/guest/linux_*) and into
 *     an S-mode payload for qemu-system's virt machine and its OpenSBI
 *     (bench/guest/sys_*), so all run the very same kernel instructions;
 *     the instruction count is exact under VM/RV (instret of N iterations
 *     minus instret of 0 iterations).  qemu's time is the child's
 *     user+system CPU time for N iterations minus that for 0 iterations
 *     (start-up, firmware, translation of the start code).  Every side
 *     prints its checksum and they must agree.
 *  3. VM creation plus IPL of a small ELF (bench/guest/idle.elf) to its
 *     first instruction (vm_create + vm_ipl_elf_image + the first vm_run),
 *     many repetitions: mean and 99th percentile.
 *  4. Host memory an idle VM costs beyond its touched pages, at the
 *     default storage size (32 MiB), measured with the C library's
 *     allocation statistics (mallinfo2), with a breakdown.
 * Prints a table per part, then lines "BENCH name value unit".
 *
 * usage: cpu_bench [-q] DIR   (DIR holds the guest programs; -q: shorter)
 *        cpu_bench --one NAME ITERS DIR   (one kernel only, for profilers)
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cp/elf.h"
#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/vm.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

#ifndef QEMU_RISCV64_PROG
#define QEMU_RISCV64_PROG "qemu-riscv64"
#endif

#define STORAGE ((uint64_t)32 << 20)

struct kernel {
    const char *name; /* bench/guest/k_NAME.c */
    const char *what;
    uint64_t iters; /* about 1 s of guest work under VM/RV here */
};

static const struct kernel kernels[] = {
    {"int", "integer kernel (CRC, xorshift, isqrt, gcd)", 400000},
    {"sort", "merge sort of 64 Ki keys", 25},
    {"interp", "bytecode interpreter (switch)", 500},
};
#define NKERNELS (sizeof kernels / sizeof kernels[0])

static const char *dir;
static int reps = 3;

static double
thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void
die(const char *fmt, const char *arg)
{
    fprintf(stderr, "cpu_bench: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

/* ---- in-process runs on the CPU -------------------------------------------- */

struct run {
    bool exited;
    uint64_t checksum;
};

static enum rv_hcall
bench_ecall(void *ctx, struct rv_cpu *cpu)
{
    struct run *r = ctx;
    if (rv_reg_get(cpu, 17) == DIAG_EID && rv_reg_get(cpu, 16) == DIAG_TEST_EXIT) {
        r->exited = true;
        r->checksum = rv_reg_get(cpu, 10);
        return RV_HCALL_STOP;
    }
    rv_reg_set(cpu, 10, (uint64_t)-2); /* SBI: not supported */
    return RV_HCALL_CONTINUE;
}

struct result {
    uint64_t instret;
    double cpu_s;
    uint64_t checksum;
};

/* Runs DIR/NAME-vm.elf with the iteration count as IPL parameter on fresh
 * storage and a fresh CPU. */
static struct result
run_vmrv(const void *img, size_t size, uint64_t iters, struct rv_tlb *tlb)
{
    struct stor *st = stor_create(STORAGE);
    struct run r = {0};
    struct rv_hooks hooks = {.ctx = &r, .ecall = bench_ecall};
    struct rv_cpu *cpu = st != NULL ? rv_cpu_create(st, &hooks) : NULL;
    if (cpu == NULL) {
        die("%s", "out of memory");
    }
    uint64_t entry;
    char err[200];
    if (elf_load(st, img, size, &entry, err, sizeof err) != 0) {
        die("%s", err);
    }
    struct vmrv_iplblock ipl = {
        .magic = VMRV_IPL_MAGIC,
        .version = VMRV_IPL_VERSION,
        .storage_size = STORAGE,
        .timebase_hz = VMRV_TIMEBASE_HZ,
    };
    ipl.parm_len = (uint32_t)snprintf(ipl.parm, sizeof ipl.parm, "%llu",
                                      (unsigned long long)iters);
    memcpy(ipl.userid, "BENCH   ", 8);
    memcpy(ipl.system, "ELF     ", 8);
    stor_write(st, VMRV_IPL_BLOCK, &ipl, sizeof ipl);
    rv_cpu_reset(cpu, entry);
    rv_reg_set(cpu, 11, VMRV_IPL_BLOCK);

    double t0 = thread_cpu_s();
    while (!r.exited) {
        enum rv_stop why = rv_cpu_run(cpu, tlb, 50000000);
        if (why != RV_STOP_BUDGET && why != RV_STOP_KICK && why != RV_STOP_HALT) {
            die("guest stopped: %s", rv_cpu_stop_text(cpu));
        }
    }
    double t1 = thread_cpu_s();
    struct rv_stats s;
    rv_cpu_stats(cpu, &s);
    rv_cpu_destroy(cpu);
    stor_destroy(st);
    return (struct result){.instret = s.instret, .cpu_s = t1 - t0, .checksum = r.checksum};
}

/* ---- the qemu peers ------------------------------------------------------ */

#ifndef QEMU_SYSTEM_RISCV64_PROG
#define QEMU_SYSTEM_RISCV64_PROG "qemu-system-riscv64"
#endif

/* Where sys_main.c reads its iteration count (QEMU's loader device). */
#define SYS_ITERS_ADDR "0x87f00000"

struct peer {
    const char *label; /* for the table */
    const char *prog; /* configured name, "" if configure found none */
    const char *fallback;
    const char *suffix; /* NAME-SUFFIX.elf */
    const char *tag; /* in BENCH names */
    bool system; /* qemu-system-riscv64: the virt machine and OpenSBI */
    char path[4096];
    bool have;
    double rate[NKERNELS];
    bool ok[NKERNELS];
};

static struct peer peers[] = {
    {"qemu-riscv64", QEMU_RISCV64_PROG, "qemu-riscv64", "linux", "qemu", false, "", false, {0}, {0}},
    {"qemu-system-riscv64", QEMU_SYSTEM_RISCV64_PROG, "qemu-system-riscv64", "sys", "qemusys",
     true, "", false, {0}, {0}},
};
#define NPEERS (sizeof peers / sizeof peers[0])

static bool
find_prog(struct peer *pe)
{
    const char *prog = pe->prog[0] != '\0' ? pe->prog : pe->fallback;
    if (strchr(prog, '/') != NULL) {
        snprintf(pe->path, sizeof pe->path, "%s", prog);
        return access(pe->path, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (path == NULL) {
        return false;
    }
    while (*path != '\0') {
        size_t n = strcspn(path, ":");
        if (n > 0 && n + strlen(prog) + 2 < sizeof pe->path) {
            snprintf(pe->path, sizeof pe->path, "%.*s/%s", (int)n, path, prog);
            if (access(pe->path, X_OK) == 0) {
                return true;
            }
        }
        path += n + (path[n] == ':');
    }
    return false;
}

/* The checksum: the last line of out that is 16 hex digits. */
static bool
parse_checksum(const char *out, uint64_t *checksum)
{
    bool found = false;
    for (const char *l = out; *l != '\0'; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
        size_t n = strspn(l, "0123456789abcdef");
        if (n == 16 && (l[16] == '\n' || l[16] == '\r' || l[16] == '\0')) {
            *checksum = strtoull(l, NULL, 16);
            found = true;
        }
    }
    return found;
}

/* Runs the peer on ELF for ITERS; child CPU seconds (user + system, all
 * its threads) and the checksum it printed.  false if it failed. */
static bool
run_peer(const struct peer *pe, const char *elf, uint64_t iters, double *cpu_s,
         uint64_t *checksum)
{
    int fd[2];
    if (pipe(fd) != 0) {
        return false;
    }
    char arg[32], loader[128];
    snprintf(arg, sizeof arg, "%llu", (unsigned long long)iters);
    snprintf(loader, sizeof loader, "loader,addr=%s,data=%llu,data-len=8", SYS_ITERS_ADDR,
             (unsigned long long)iters);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return false;
    }
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        if (freopen("/dev/null", "r", stdin) == NULL) {
            _exit(127);
        }
        alarm(120); /* a peer that hangs is killed, and counts as failed */
        if (pe->system) {
            execl(pe->path, pe->path, "-machine", "virt", "-nographic", "-m", "256M", "-bios",
                  "default", "-kernel", elf, "-device", loader, (char *)NULL);
        } else {
            execl(pe->path, pe->path, elf, arg, (char *)NULL);
        }
        _exit(127);
    }
    close(fd[1]);
    char buf[16384] = {0};
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd[0], buf + got, sizeof buf - 1 - got)) > 0) {
        got += (size_t)n;
        if (got == sizeof buf - 1) { /* keep the tail */
            memmove(buf, buf + got / 2, got - got / 2);
            got -= got / 2;
        }
    }
    buf[got] = '\0';
    close(fd[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return false;
    }
    *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return parse_checksum(buf, checksum);
}

/* The peer's rate on kernel k: VM/RV's exact instruction count of the
 * kernel (N iterations minus 0) over the peer's CPU time of N minus 0
 * iterations (start-up, firmware and translation of start code cancel). */
static void
measure_peer(struct peer *pe, size_t k, uint64_t kinsns, uint64_t sum_n, uint64_t sum_0)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%s.elf", dir, kernels[k].name, pe->suffix);
    double q0 = 1e9, qn = 1e9, t;
    uint64_t s0 = 0, sn = 0;
    bool ok = true;
    for (int i = 0; i < reps && ok; i++) {
        ok = run_peer(pe, path, 0, &t, &s0);
        q0 = t < q0 ? t : q0;
        ok = ok && run_peer(pe, path, kernels[k].iters, &t, &sn);
        qn = t < qn ? t : qn;
    }
    if (!ok) {
        printf("%s: %s failed to run %s\n", kernels[k].name, pe->label, path);
    } else if (sn != sum_n || s0 != sum_0) {
        printf("%s: checksums differ: VM/RV %016llx, %s %016llx\n", kernels[k].name,
               (unsigned long long)sum_n, pe->label, (unsigned long long)sn);
    } else if (qn - q0 > 0) {
        pe->ok[k] = true;
        pe->rate[k] = (double)kinsns / (qn - q0);
    }
}

/* ---- part 1 and 2 ----------------------------------------------------------- */

static void
bench_speed(void)
{
    struct rv_tlb *tlb = rv_tlb_create();
    if (tlb == NULL) {
        die("%s", "out of memory");
    }
    for (size_t p = 0; p < NPEERS; p++) {
        peers[p].have = find_prog(&peers[p]);
    }
    double vm_rate[NKERNELS];
    uint64_t per_iter[NKERNELS], instret[NKERNELS];
    double secs[NKERNELS];
    for (size_t k = 0; k < NKERNELS; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s-vm.elf", dir, kernels[k].name);
        void *img;
        size_t size;
        char err[200];
        if (elf_read_file(path, &img, &size, err, sizeof err) != 0) {
            die("%s", err);
        }
        uint64_t iters = kernels[k].iters;
        struct result base = run_vmrv(img, size, 0, tlb);
        struct result best = {0};
        for (int i = 0; i < reps; i++) {
            struct result r = run_vmrv(img, size, iters, tlb);
            if (i == 0 || r.cpu_s < best.cpu_s) {
                best = r;
            }
        }
        free(img);
        uint64_t kinsns = best.instret - base.instret;
        per_iter[k] = kinsns / iters;
        instret[k] = best.instret;
        secs[k] = best.cpu_s;
        vm_rate[k] = (double)best.instret / best.cpu_s;
        for (size_t p = 0; p < NPEERS; p++) {
            if (peers[p].have) {
                measure_peer(&peers[p], k, kinsns, best.checksum, base.checksum);
            }
        }
    }

    printf("Guest instructions per second of host CPU time, best of %d (MIPS; ratio = VM/RV : "
           "peer)\n", reps);
    printf("%-7s %-42s %12s %7s %7s %9s %6s %9s %6s\n", "program", "what", "instructions",
           "VM/RV s", "VM/RV", "qemu-usr", "ratio", "qemu-sys", "ratio");
    for (size_t k = 0; k < NKERNELS; k++) {
        char col[NPEERS][2][16];
        for (size_t p = 0; p < NPEERS; p++) {
            snprintf(col[p][0], 16, "-");
            snprintf(col[p][1], 16, "-");
            if (peers[p].ok[k]) {
                snprintf(col[p][0], 16, "%.0f", peers[p].rate[k] / 1e6);
                snprintf(col[p][1], 16, "%.2f", vm_rate[k] / peers[p].rate[k]);
            }
        }
        printf("%-7s %-42s %12llu %7.3f %7.0f %9s %6s %9s %6s\n", kernels[k].name,
               kernels[k].what, (unsigned long long)instret[k], secs[k], vm_rate[k] / 1e6,
               col[0][0], col[0][1], col[1][0], col[1][1]);
    }
    double avg = 0;
    for (size_t k = 0; k < NKERNELS; k++) {
        avg += vm_rate[k] / NKERNELS;
    }
    printf("average VM/RV: %.0f MIPS (target >= 500)\n", avg / 1e6);
    double pavg[NPEERS];
    bool pall[NPEERS];
    for (size_t p = 0; p < NPEERS; p++) {
        pavg[p] = 0;
        pall[p] = peers[p].have;
        for (size_t k = 0; k < NKERNELS; k++) {
            pavg[p] += peers[p].rate[k] / NKERNELS;
            pall[p] = pall[p] && peers[p].ok[k];
        }
        if (!peers[p].have) {
            printf("%s: skipped: %s not installed\n", peers[p].label, peers[p].label);
        } else if (pall[p]) {
            printf("average %s: %.0f MIPS; VM/RV : %s = %.2f\n", peers[p].label, pavg[p] / 1e6,
                   peers[p].label, avg / pavg[p]);
        }
    }
    printf("(peers run the same kernel object code; their rate is VM/RV's exact instruction\n"
           " count of N iterations minus 0 over the peer's CPU time of N minus 0 iterations)\n\n");
    for (size_t k = 0; k < NKERNELS; k++) {
        printf("BENCH cpu_%s_mips %.0f Minsn/s\n", kernels[k].name, vm_rate[k] / 1e6);
        printf("BENCH cpu_%s_insns_per_iter %llu insn\n", kernels[k].name,
               (unsigned long long)per_iter[k]);
        for (size_t p = 0; p < NPEERS; p++) {
            if (peers[p].ok[k]) {
                printf("BENCH cpu_%s_%s_mips %.0f Minsn/s\n", kernels[k].name, peers[p].tag,
                       peers[p].rate[k] / 1e6);
                printf("BENCH cpu_%s_vs_%s %.3f ratio\n", kernels[k].name, peers[p].tag,
                       vm_rate[k] / peers[p].rate[k]);
            }
        }
    }
    printf("BENCH cpu_avg_mips %.0f Minsn/s\n", avg / 1e6);
    for (size_t p = 0; p < NPEERS; p++) {
        if (pall[p]) {
            printf("BENCH cpu_avg_%s_mips %.0f Minsn/s\n", peers[p].tag, pavg[p] / 1e6);
            printf("BENCH cpu_avg_vs_%s %.3f ratio\n", peers[p].tag, avg / pavg[p]);
        }
    }
    printf("\n");
    rv_tlb_destroy(tlb);
}

/* ---- part 3: VM creation plus IPL ---------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void
bench_ipl(void)
{
    char path[4096], err[200];
    snprintf(path, sizeof path, "%s/idle.elf", dir);
    void *img;
    size_t size;
    if (elf_read_file(path, &img, &size, err, sizeof err) != 0) {
        die("%s", err);
    }
    struct rv_tlb *tlb = rv_tlb_create();
    int n = reps >= 3 ? 5000 : 1000;
    double *t = malloc((size_t)n * sizeof *t), *c = malloc((size_t)n * sizeof *c);
    if (tlb == NULL || t == NULL || c == NULL) {
        die("%s", "out of memory");
    }
    for (int i = -100; i < n; i++) { /* 100 warm-up rounds */
        double t0 = mono_ns(), c0 = thread_cpu_s();
        struct vm *vm = vm_create(STORAGE, "BENCH");
        if (vm == NULL || vm_ipl_elf_image(vm, img, size, "IDLE", NULL, err, sizeof err) != 0) {
            die("IPL failed: %s", vm == NULL ? "vm_create" : err);
        }
        vm_run(vm, tlb, 1);
        double t1 = mono_ns(), c1 = thread_cpu_s();
        if (vm_instret(vm) == 0) {
            die("%s", "the first instruction did not run");
        }
        vm_destroy(vm);
        if (i >= 0) {
            t[i] = (t1 - t0) / 1e3;
            c[i] = (c1 - c0) * 1e6;
        }
    }
    printf("VM creation + IPL of a %zu-byte ELF to its first instruction (%d times)\n", size, n);
    printf("%-22s %10s %10s %10s\n", "", "mean", "median", "p99");
    double mean[2], p99[2];
    for (int k = 0; k < 2; k++) {
        double *v = k == 0 ? t : c;
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        mean[k] = 0;
        for (int i = 0; i < n; i++) {
            mean[k] += v[i] / n;
        }
        p99[k] = v[(n * 99) / 100];
        printf("%-22s %7.1f us %7.1f us %7.1f us   (target < 50 us)\n",
               k == 0 ? "wall clock" : "CPU time of the thread", mean[k], v[n / 2], p99[k]);
    }
    printf("(wall clock includes waiting for a core on a shared machine)\n\n");
    printf("BENCH vm_ipl_mean %.1f us\n", mean[0]);
    printf("BENCH vm_ipl_p99 %.1f us\n", p99[0]);
    printf("BENCH vm_ipl_cpu_mean %.1f us\n", mean[1]);
    printf("BENCH vm_ipl_cpu_p99 %.1f us\n\n", p99[1]);
    free(t);
    free(c);
    free(img);
    rv_tlb_destroy(tlb);
}

/* ---- part 4: an idle VM's host memory ------------------------------------ */

static size_t
heap_used(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static void
bench_memory(void)
{
    char path[4096], err[200];
    snprintf(path, sizeof path, "%s/idle.elf", dir);
    void *img;
    size_t size;
    if (elf_read_file(path, &img, &size, err, sizeof err) != 0) {
        die("%s", err);
    }
    struct rv_tlb *tlb = rv_tlb_create();
    /* The parts on their own first: storage, then a CPU on it. */
    size_t h0 = heap_used();
    struct stor *st = stor_create(STORAGE);
    size_t h1 = heap_used();
    struct rv_cpu *cpu = rv_cpu_create(st, &(struct rv_hooks){.ecall = bench_ecall});
    size_t h2 = heap_used();
    size_t cpu_struct = rv_cpu_footprint(cpu);
    rv_cpu_destroy(cpu);
    stor_destroy(st);

    /* Then a whole VM, IPLed and run until it waits in wfi. */
    size_t v0 = heap_used();
    struct vm *vm = vm_create(STORAGE, "BENCH");
    size_t v1 = heap_used();
    if (vm == NULL || vm_ipl_elf_image(vm, img, size, "IDLE", NULL, err, sizeof err) != 0) {
        die("IPL failed: %s", err);
    }
    struct vm_status s = vm_run(vm, tlb, 1000000);
    s = vm_run(vm, tlb, 1000000);
    size_t v2 = heap_used();
    uint64_t resident = stor_resident_pages(vm_stor(vm));
    size_t touched = (size_t)resident * 4096;
    size_t idle = v2 - v0 - touched;
    size_t map = stor_map_footprint(vm_stor(vm));
    size_t cpu_now = rv_cpu_footprint(vm_cpu(vm));
    size_t xlate = cpu_now > cpu_struct ? cpu_now - cpu_struct : 0;
    size_t vm_state = (v1 - v0) - (h2 - h0);

    printf("Host memory of an idle VM (%llu MiB storage, IPLed, waiting in wfi, state %d)\n",
           (unsigned long long)(STORAGE >> 20), (int)s.state);
    printf("  %-52s %8zu bytes\n", "heap in use after create+IPL+run (mallinfo2 delta)",
           v2 - v0);
    printf("  %-52s %8zu bytes (%llu pages)\n", "  of which touched guest pages", touched,
           (unsigned long long)resident);
    printf("  %-52s %8zu bytes   (target < 32768)\n", "= idle cost beyond touched pages", idle);
    printf("  breakdown:\n");
    printf("  %-52s %8zu bytes\n", "  storage: struct + page map root (stor_create)", h1 - h0);
    printf("  %-52s %8zu bytes\n", "  page map now (root + leaves, stor_map_footprint)", map);
    printf("  %-52s %8zu bytes\n", "  CPU struct + empty translation cache (rv_cpu_create)",
           h2 - h1);
    printf("  %-52s %8zu bytes\n", "  translations of the code run (footprint growth)", xlate);
    printf("  %-52s %8zu bytes\n", "  VM state, devices (vm_create minus storage and CPU)",
           vm_state);
    printf("  %-52s %8zu bytes\n", "  TLB: per dispatcher thread, not per VM", (size_t)0);
    printf("  (one dispatcher's TLB and jump cache: %zu bytes, shared by all the VMs it runs)\n\n",
           rv_tlb_footprint());
    printf("BENCH vm_idle_bytes %zu bytes\n", idle);
    printf("BENCH vm_idle_pagemap_bytes %zu bytes\n", map);
    printf("BENCH vm_idle_cpu_bytes %zu bytes\n", h2 - h1);
    printf("BENCH vm_idle_xlate_bytes %zu bytes\n", xlate);
    printf("BENCH vm_idle_vmstate_bytes %zu bytes\n", vm_state);
    printf("BENCH tlb_bytes %zu bytes\n\n", rv_tlb_footprint());
    vm_destroy(vm);
    rv_tlb_destroy(tlb);
    free(img);
}

int
main(int argc, char **argv)
{
    int i = 1;
    if (argc == 5 && strcmp(argv[1], "--one") == 0) {
        char path[4096], err[200];
        snprintf(path, sizeof path, "%s/%s-vm.elf", argv[4], argv[2]);
        void *img;
        size_t size;
        if (elf_read_file(path, &img, &size, err, sizeof err) != 0) {
            die("%s", err);
        }
        struct rv_tlb *tlb = rv_tlb_create();
        struct result r = run_vmrv(img, size, strtoull(argv[3], NULL, 10), tlb);
        printf("%s: %llu instructions in %.3f s: %.0f MIPS, checksum %016llx\n", argv[2],
               (unsigned long long)r.instret, r.cpu_s, (double)r.instret / r.cpu_s / 1e6,
               (unsigned long long)r.checksum);
        rv_tlb_destroy(tlb);
        free(img);
        return 0;
    }
    if (i < argc && strcmp(argv[i], "-q") == 0) {
        reps = 1;
        i++;
    }
    if (i + 1 != argc) {
        fprintf(stderr, "usage: cpu_bench [-q] DIR | --one NAME ITERS DIR\n");
        return 2;
    }
    dir = argv[i];
    setvbuf(stdout, NULL, _IOLBF, 0);
    bench_memory(); /* first: a fresh heap */
    bench_ipl();
    bench_speed();
    return 0;
}
