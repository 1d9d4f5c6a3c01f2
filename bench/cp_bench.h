/* SPDX-License-Identifier: MIT */
/*
 * bench/cp_bench.h - shared by CP's benchmarks (bench/cp_*.c): a whole CP
 * in-process (cp/cp.h) on a fresh data folder with a generated directory,
 * the real VM layer and CPU, and small measuring helpers.
 *
 * Systems the users can IPL (links in DATA/systems to files of the build):
 * CMS (cms/cms.elf), SPIN (tests/guest/cp_spin.elf, a CPU-bound guest) and
 * ECHO (tests/guest/diag_conread.elf, which answers each console line).
 * The programs run in the build folder (make bench).
 */
#ifndef BENCH_CP_BENCH_H
#define BENCH_CP_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/cp.h"

struct cpb {
    char data[512];
    struct cp_services svc;
    struct cp_system *sys;
};

/* One generated user: USERnnnn (or the given id), its IPL and SHARE. */
struct cpb_user {
    char userid[9];
    const char *ipl;
    unsigned share; /* 0: the default 100 */
};

/* Makes the data folder and directory, starts CP with `dispatchers`
 * dispatcher threads and the extra config lines (key=value, may be NULL).
 * Exits the program with a message on any failure. */
void cpb_start(struct cpb *b, const struct cpb_user *users, size_t n, unsigned dispatchers,
               const char *const *config);
/* Shuts CP down and removes the data folder. */
void cpb_stop(struct cpb *b);

/* The VM of a logged-on user (cp_vm_ops's handle), NULL if not logged on. */
void *cpb_vm(struct cpb *b, const char *userid);
/* Virtual and total CPU (us) of a logged-on user's VM. */
void cpb_cpu(struct cpb *b, const char *userid, uint64_t *virt_us, uint64_t *total_us);

/* Clocks and the process. */
uint64_t cpb_now_ns(void); /* monotonic */
uint64_t cpb_proc_cpu_ns(void); /* user + system CPU of the process */
uint64_t cpb_rss_bytes(void); /* VmRSS */
void cpb_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* "skipped: why" and exit 0, for a missing file of the build. */
void cpb_need(const char *path);

#endif
