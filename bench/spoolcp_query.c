// SPDX-License-Identifier: MIT
/*
 * bench/spoolcp_query.c - QUERY READER through CP with 10,000 files in
 * one reader (make bench): CP proper on the real directory and spool
 * (cp_services_standard) in a temporary data folder; the files are closed
 * into the reader, then the command runs as the user (an exec request)
 * several times.  Also times the store's own listing, for scale.  Prints a
 * table, then "BENCH name value unit" lines.  Target: under 50 ms.
 */
#include <ftw.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cp/cp.h"
#include "cp/dir.h"
#include "cp/spool_cp.h"

#define NFILES 10000
#define RUNS 7

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what, const char *why)
{
    fprintf(stderr, "spoolcp_query: %s: %s\n", what, why);
    exit(1);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static atomic_int done;

static void
closed(void *arg, int rc, uint32_t spoolid)
{
    atomic_fetch_add(&done, rc == 0 ? 1 : NFILES * 10);
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int
main(void)
{
    const char *t = getenv("TMPDIR");
    char data[512];
    snprintf(data, sizeof data, "%s/vmrv-spoolcp-bench-XXXXXX", t && *t ? t : P_tmpdir);
    if (!mkdtemp(data)) {
        die("mkdtemp", data);
    }
    char err[256] = "";
    struct dir *d = NULL;
    if (dir_open(&d, data, DIR_OPEN_CREATE, err, sizeof err) != 0) {
        die("directory", err);
    }
    struct dir_entry e;
    dir_entry_init(&e, "BENCH");
    snprintf(e.user.classes, sizeof e.user.classes, "G");
    if (dir_entry_put(d, &e, DIR_PUT_CREATE) != 0) {
        die("directory", dir_errmsg(d));
    }
    dir_close(d);
    cplog_open(data, CPLOG_WARN, false);
    struct cp_services svc;
    if (cp_services_standard(&svc, data, err, sizeof err) != 0) {
        die("services", err);
    }
    struct cp_config cfg;
    cp_config_defaults(&cfg);
    cp_config_set(&cfg, "data_dir", data, err, sizeof err);
    struct cp_system *sys = cp_system_create(&cfg, &svc, err, sizeof err);
    if (!sys || cp_system_start(sys) != 0) {
        die("system", err);
    }
    struct spool *sp = cpsp_store(svc.spool);
    double t0 = now_ms();
    for (int i = 0; i < NFILES; i++) {
        struct spool_writer *w;
        char fn[9];
        snprintf(fn, sizeof fn, "F%d", i);
        struct spool_create c = {.origin = "BENCH", .dev = SPOOL_DEV_PUN, .fname = fn,
                                 .ftype = "DATA"};
        if (spool_writer_open(sp, &c, &w) != 0 || spool_writer_append(w, "record", 6) != 0 ||
            spool_writer_close_async(w, "BENCH", closed, NULL) != 0) {
            die("spool", "a file could not be made");
        }
    }
    while (atomic_load(&done) < NFILES) {
        usleep(1000);
    }
    if (atomic_load(&done) != NFILES) {
        die("spool", "a close failed");
    }
    double fill = now_ms() - t0;
    double q[RUNS], l[RUNS];
    size_t bytes = 0;
    for (int r = 0; r < RUNS; r++) {
        char *out = NULL;
        t0 = now_ms();
        int rc = cp_exec_wait(sys, "BENCH", "QUERY READER", &out);
        q[r] = now_ms() - t0;
        if (rc != 0 || !out) {
            die("QUERY READER", out ? out : "no output");
        }
        bytes = strlen(out);
        free(out);
        struct spool_filter f = {.owner = "BENCH", .queue = SPOOL_Q_RDR};
        struct spool_info *v = NULL;
        size_t n = 0;
        t0 = now_ms();
        spool_list(sp, &f, &v, &n);
        l[r] = now_ms() - t0;
        free(v);
        if (n != NFILES) {
            die("spool_list", "wrong count");
        }
    }
    qsort(q, RUNS, sizeof q[0], cmp_d);
    qsort(l, RUNS, sizeof l[0], cmp_d);
    printf("QUERY READER through CP, %d files in one reader (%d runs)\n", NFILES, RUNS);
    printf("  %-40s %10.1f ms\n", "fill the reader (async closes)", fill);
    printf("  %-40s %10.1f ms\n", "QUERY READER, median", q[RUNS / 2]);
    printf("  %-40s %10.1f ms\n", "QUERY READER, best", q[0]);
    printf("  %-40s %10.1f ms\n", "QUERY READER, worst", q[RUNS - 1]);
    printf("  %-40s %10zu bytes\n", "response size", bytes);
    printf("  %-40s %10.2f ms\n", "the store's listing alone, median", l[RUNS / 2]);
    printf("BENCH spoolcp_query_reader_10k %.1f ms\n", q[RUNS / 2]);
    printf("BENCH spoolcp_query_reader_10k_best %.1f ms\n", q[0]);
    printf("BENCH spoolcp_list_10k %.2f ms\n", l[RUNS / 2]);
    cp_system_shutdown(sys, 5000);
    cp_system_destroy(sys);
    cp_services_standard_free(&svc);
    cplog_close();
    nftw(data, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
