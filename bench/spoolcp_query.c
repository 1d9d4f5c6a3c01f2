// SPDX-License-Identifier: MIT
/*
 * bench/spoolcp_query.c - QUERY READER through CP with 10,000 files in
 * one reader (make bench): CP proper on the real directory and spool
 * (cp_services_standard) in a temporary data folder; the files are closed
 * into the reader, then the command runs as the user (an exec request)
 * several times.  Also times the store's own listing, for scale.  Prints a
 * table, then "BENCH name value unit" lines.  Target: under 50 ms.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/spoolcp_lib.h"

#define PROG "spoolcp_query"
#define NFILES 10000
#define RUNS 7

static void
add_users(struct dir *d, void *arg)
{
    (void)arg;
    struct dir_entry e;
    dir_entry_init(&e, "BENCH");
    snprintf(e.user.classes, sizeof e.user.classes, "G");
    if (dir_entry_put(d, &e, DIR_PUT_CREATE) != 0) {
        spb_die(PROG, "directory", dir_errmsg(d));
    }
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
    struct spb_env env;
    spb_folder(&env, PROG, "spoolcp-bench", add_users, NULL);
    spb_start(&env, PROG);
    struct cp_system *sys = env.sys;
    struct spool *sp = cpsp_store(env.svc.spool);
    double t0 = spb_now_ms();
    for (int i = 0; i < NFILES; i++) {
        struct spool_writer *w;
        char fn[9];
        snprintf(fn, sizeof fn, "F%d", i);
        struct spool_create c = {.origin = "BENCH", .dev = SPOOL_DEV_PUN, .fname = fn,
                                 .ftype = "DATA"};
        if (spool_writer_open(sp, &c, &w) != 0 || spool_writer_append(w, "record", 6) != 0 ||
            spool_writer_close_async(w, "BENCH", closed, NULL) != 0) {
            spb_die(PROG, "spool", "a file could not be made");
        }
    }
    while (atomic_load(&done) < NFILES) {
        usleep(1000);
    }
    if (atomic_load(&done) != NFILES) {
        spb_die(PROG, "spool", "a close failed");
    }
    double fill = spb_now_ms() - t0;
    double q[RUNS], l[RUNS];
    size_t bytes = 0;
    for (int r = 0; r < RUNS; r++) {
        char *out = NULL;
        t0 = spb_now_ms();
        int rc = cp_exec_wait(sys, "BENCH", "QUERY READER", &out);
        q[r] = spb_now_ms() - t0;
        if (rc != 0 || !out) {
            spb_die(PROG, "QUERY READER", out ? out : "no output");
        }
        bytes = strlen(out);
        free(out);
        struct spool_filter f = {.owner = "BENCH", .queue = SPOOL_Q_RDR};
        struct spool_info *v = NULL;
        size_t n = 0;
        t0 = spb_now_ms();
        spool_list(sp, &f, &v, &n);
        l[r] = spb_now_ms() - t0;
        free(v);
        if (n != NFILES) {
            spb_die(PROG, "spool_list", "wrong count");
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
    spb_stop(&env);
    return 0;
}
