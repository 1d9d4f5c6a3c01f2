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
 *  2. The same kernels under qemu-riscv64 (when installed).  The kernel is
 *     one object file linked both into the VM/RV program and into a static
 *     Linux program (bench/guest/linux_*), so both run the very same kernel
 *     instructions; the per-iteration instruction count is exact under
 *     VM/RV (instret of N iterations minus instret of 0 iterations).
 *     qemu's time is the child's user+system CPU time for N iterations
 *     minus that for 0 iterations (its start-up and translation of the
 *     start code).  Both sides print their checksum and they must agree.
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
    uint64_t iters; /* about 0.3 s of guest work on this machine */
};

static const struct kernel kernels[] = {
    {"int", "integer kernel (CRC, xorshift, isqrt, gcd)", 150000},
    {"sort", "merge sort of 64 Ki keys", 12},
    {"interp", "bytecode interpreter (switch)", 300},
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

/* ---- qemu-riscv64 -------------------------------------------------------- */

static char qemu_path[4096];

static bool
find_qemu(void)
{
    const char *prog = QEMU_RISCV64_PROG[0] != '\0' ? QEMU_RISCV64_PROG : "qemu-riscv64";
    if (strchr(prog, '/') != NULL) {
        snprintf(qemu_path, sizeof qemu_path, "%s", prog);
        return access(qemu_path, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (path == NULL) {
        return false;
    }
    while (*path != '\0') {
        size_t n = strcspn(path, ":");
        if (n > 0 && n + strlen(prog) + 2 < sizeof qemu_path) {
            snprintf(qemu_path, sizeof qemu_path, "%.*s/%s", (int)n, path, prog);
            if (access(qemu_path, X_OK) == 0) {
                return true;
            }
        }
        path += n + (path[n] == ':');
    }
    return false;
}

/* Runs qemu-riscv64 ELF ITERS; child CPU seconds (user + system) and the
 * checksum it printed.  false if it failed. */
static bool
run_qemu(const char *elf, uint64_t iters, double *cpu_s, uint64_t *checksum)
{
    int fd[2];
    if (pipe(fd) != 0) {
        return false;
    }
    char arg[32];
    snprintf(arg, sizeof arg, "%llu", (unsigned long long)iters);
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
        execl(qemu_path, qemu_path, elf, arg, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[64] = {0};
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = read(fd[0], buf + got, sizeof buf - 1 - got)) > 0) {
        got += (size_t)n;
    }
    close(fd[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return false;
    }
    *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    *checksum = strtoull(buf, NULL, 16);
    return true;
}

/* ---- part 1 and 2 ----------------------------------------------------------- */

static void
bench_speed(void)
{
    struct rv_tlb *tlb = rv_tlb_create();
    if (tlb == NULL) {
        die("%s", "out of memory");
    }
    bool have_qemu = find_qemu();
    double vm_rate[NKERNELS], q_rate[NKERNELS];
    uint64_t per_iter[NKERNELS];
    bool q_ok[NKERNELS];
    printf("Guest instructions per second of host CPU time (one thread), best of %d\n", reps);
    printf("%-8s %-42s %14s %8s %10s %10s %7s\n", "program", "what", "instructions", "VM/RV s",
           "VM/RV MIPS", "qemu MIPS", "ratio");
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
        vm_rate[k] = (double)best.instret / best.cpu_s;

        q_ok[k] = false;
        q_rate[k] = 0;
        if (have_qemu) {
            snprintf(path, sizeof path, "%s/%s-linux.elf", dir, kernels[k].name);
            double q0 = 1e9, qn = 1e9, t;
            uint64_t sum0, sum;
            bool ok = true;
            for (int i = 0; i < reps && ok; i++) {
                ok = run_qemu(path, 0, &t, &sum0);
                q0 = t < q0 ? t : q0;
                ok = ok && run_qemu(path, iters, &t, &sum);
                qn = t < qn ? t : qn;
            }
            if (!ok) {
                printf("%s: qemu-riscv64 failed to run %s\n", kernels[k].name, path);
            } else if (sum != best.checksum || sum0 != base.checksum) {
                printf("%s: checksums differ: VM/RV %016llx, qemu %016llx\n", kernels[k].name,
                       (unsigned long long)best.checksum, (unsigned long long)sum);
            } else if (qn - q0 > 0) {
                q_ok[k] = true;
                q_rate[k] = (double)kinsns / (qn - q0);
            }
        }
        char qs[16] = "-", rs[16] = "-";
        if (q_ok[k]) {
            snprintf(qs, sizeof qs, "%.0f", q_rate[k] / 1e6);
            snprintf(rs, sizeof rs, "%.2f", vm_rate[k] / q_rate[k]);
        }
        printf("%-8s %-42s %14llu %8.3f %10.0f %10s %7s\n", kernels[k].name, kernels[k].what,
               (unsigned long long)best.instret, best.cpu_s, vm_rate[k] / 1e6, qs, rs);
    }
    if (!have_qemu) {
        printf("qemu-riscv64: skipped: qemu-riscv64 not installed\n");
    }
    double avg = 0, qavg = 0;
    bool all_q = have_qemu;
    for (size_t k = 0; k < NKERNELS; k++) {
        avg += vm_rate[k] / NKERNELS;
        qavg += q_rate[k] / NKERNELS;
        all_q = all_q && q_ok[k];
    }
    printf("average VM/RV: %.0f MIPS", avg / 1e6);
    if (all_q) {
        printf(", qemu-riscv64: %.0f MIPS, ratio VM/RV : qemu %.2f", qavg / 1e6, avg / qavg);
    }
    printf("\n(the qemu figure counts the same kernel instructions: %s)\n\n",
           "VM/RV's exact count of N iterations minus 0, over qemu's CPU time of N minus 0");
    for (size_t k = 0; k < NKERNELS; k++) {
        printf("BENCH cpu_%s_mips %.0f Minsn/s\n", kernels[k].name, vm_rate[k] / 1e6);
        printf("BENCH cpu_%s_insns_per_iter %llu insn\n", kernels[k].name,
               (unsigned long long)per_iter[k]);
        if (q_ok[k]) {
            printf("BENCH cpu_%s_qemu_mips %.0f Minsn/s\n", kernels[k].name, q_rate[k] / 1e6);
            printf("BENCH cpu_%s_vs_qemu %.3f ratio\n", kernels[k].name, vm_rate[k] / q_rate[k]);
        }
    }
    printf("BENCH cpu_avg_mips %.0f Minsn/s\n", avg / 1e6);
    if (all_q) {
        printf("BENCH cpu_avg_qemu_mips %.0f Minsn/s\n", qavg / 1e6);
        printf("BENCH cpu_avg_vs_qemu %.3f ratio\n", avg / qavg);
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
    double *t = malloc((size_t)n * sizeof *t);
    if (tlb == NULL || t == NULL) {
        die("%s", "out of memory");
    }
    for (int i = -100; i < n; i++) { /* 100 warm-up rounds */
        double t0 = mono_ns();
        struct vm *vm = vm_create(STORAGE, "BENCH");
        if (vm == NULL || vm_ipl_elf_image(vm, img, size, "IDLE", NULL, err, sizeof err) != 0) {
            die("IPL failed: %s", vm == NULL ? "vm_create" : err);
        }
        vm_run(vm, tlb, 1);
        double t1 = mono_ns();
        if (vm_instret(vm) == 0) {
            die("%s", "the first instruction did not run");
        }
        vm_destroy(vm);
        if (i >= 0) {
            t[i] = (t1 - t0) / 1e3;
        }
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    double mean = 0;
    for (int i = 0; i < n; i++) {
        mean += t[i] / n;
    }
    double p50 = t[n / 2], p99 = t[(n * 99) / 100];
    printf("VM creation + IPL of a %zu-byte ELF to its first instruction (%d times)\n", size, n);
    printf("%-10s %10s %10s %10s\n", "", "mean", "median", "p99");
    printf("%-10s %8.1f us %8.1f us %8.1f us   (target < 50 us)\n\n", "wall", mean, p50, p99);
    printf("BENCH vm_ipl_mean %.1f us\n", mean);
    printf("BENCH vm_ipl_p99 %.1f us\n\n", p99);
    free(t);
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
