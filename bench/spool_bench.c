// SPDX-License-Identifier: MIT
/*
 * bench/spool_bench.c - figures of the spool store (make bench): closes per
 * second with one writer and with fifty writer threads at once (group
 * commit), listing a reader that holds 10,000 files, opening a spool of
 * 10,000 files (after a clean close, and after a kill with everything in
 * the journal), and write throughput of a 1 MB and a 64 MB file (open to
 * durable close).  For scale it also times one 4 KiB write + fdatasync in
 * the same folder.  Prints a table, then lines "BENCH name value unit".
 * Works in a temporary folder under $TMPDIR (or P_tmpdir), removed at the end.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spool/spool.h"

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what, int rc)
{
    fprintf(stderr, "spool_bench: %s failed (%d)\n", what, rc);
    exit(1);
}

static void
rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    struct dirent *de;
    char p[1024];
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))) {
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            unlink(p);
        }
    }
    closedir(d);
    rmdir(dir);
}

/* One small file: 10 records of 80 bytes, closed durably. */
static void
small_file(struct spool *sp, const char *user)
{
    struct spool_create c = {.origin = user, .dev = SPOOL_DEV_PUN, .fname = "BENCH",
                             .ftype = "DECK"};
    struct spool_writer *w;
    int rc = spool_writer_open(sp, &c, &w);
    if (rc) {
        die("writer_open", rc);
    }
    char rec[80];
    memset(rec, 'C', sizeof rec);
    for (int i = 0; i < 10; i++) {
        if ((rc = spool_writer_append(w, rec, sizeof rec))) {
            die("append", rc);
        }
    }
    uint32_t id;
    if ((rc = spool_writer_close(w, "SINK", &id))) {
        die("close", rc);
    }
}

struct closers {
    struct spool *sp;
    double until;
    atomic_long n;
};

static void *
closer_main(void *arg)
{
    struct closers *cl = arg;
    char user[9];
    snprintf(user, sizeof user, "W%lu", (unsigned long)pthread_self() % 100000);
    while (now_ms() < cl->until) {
        small_file(cl->sp, user);
        atomic_fetch_add(&cl->n, 1);
    }
    return NULL;
}

static double
closes_per_second(struct spool *sp, int threads, double seconds, double *groups_per_close)
{
    struct spool_stats a, b;
    spool_stats(sp, &a);
    struct closers cl = {.sp = sp};
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    double t0 = now_ms();
    cl.until = t0 + seconds * 1000;
    for (int i = 0; i < threads; i++) {
        pthread_create(&t[i], NULL, closer_main, &cl);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
    }
    double ms = now_ms() - t0;
    free(t);
    spool_stats(sp, &b);
    long n = atomic_load(&cl.n);
    *groups_per_close = n ? (double)(b.groups - a.groups) / (double)n : 0;
    return (double)n / (ms / 1000.0);
}

static void
on_done(void *arg, int rc, uint32_t id)
{
    (void)id;
    if (rc) {
        die("async close", rc);
    }
    atomic_fetch_add((atomic_int *)arg, 1);
}

static double
write_mbps(struct spool *sp, size_t bytes, int reps)
{
    static char rec[4096];
    memset(rec, 'P', sizeof rec);
    double total = 0;
    for (int r = 0; r < reps; r++) {
        struct spool_create c = {.origin = "BIG", .dev = SPOOL_DEV_PRT};
        struct spool_writer *w;
        double t0 = now_ms();
        int rc = spool_writer_open(sp, &c, &w);
        for (size_t done = 0; rc == 0 && done < bytes; done += sizeof rec) {
            rc = spool_writer_append(w, rec, sizeof rec);
        }
        uint32_t id = 0;
        if (rc || (rc = spool_writer_close(w, NULL, &id))) {
            die("big file", rc);
        }
        total += now_ms() - t0;
    }
    struct spool_filter f = {.owner = "BIG"}; /* afterwards: its punching is not timed */
    spool_purge(sp, &f, NULL);
    usleep(200000);
    return ((double)bytes * reps / 1e6) / (total / 1000.0);
}

/* Fills the spool with n one-record files in BOB's reader (async closes). */
static void
fill(struct spool *sp, int n)
{
    atomic_int done = 0;
    for (int i = 0; i < n; i++) {
        struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PUN, .fname = "CARD"};
        struct spool_writer *w;
        int rc;
        if ((rc = spool_writer_open(sp, &c, &w)) || (rc = spool_writer_append(w, "card", 4)) ||
            (rc = spool_writer_close_async(w, "BOB", on_done, &done))) {
            die("fill", rc);
        }
    }
    while (atomic_load(&done) < n) {
        usleep(1000);
    }
}

/* A child fills a fresh spool and dies without closing it (so everything
 * is in the journal, nothing in a checkpoint); returns the time the parent
 * then needs to open it. */
static double
recover_after_kill_ms(const char *dir, int n)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct spool *sp;
        struct spool_config cfg = {.flags = SPOOL_OPEN_COLD};
        if (spool_open(dir, &cfg, &sp)) {
            _exit(1);
        }
        fill(sp, n);
        _exit(0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status)) {
        die("recovery child", -1);
    }
    struct spool *sp;
    double t0 = now_ms();
    int rc = spool_open(dir, NULL, &sp);
    double ms = now_ms() - t0;
    struct spool_stats st;
    spool_stats(sp, &st);
    if (rc || st.files != (uint32_t)n) {
        die("recovery", rc);
    }
    spool_close(sp);
    return ms;
}

static double
fdatasync_ms(const char *dir)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/fsync.probe", dir);
    int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
    char buf[4096];
    memset(buf, 1, sizeof buf);
    double t0 = now_ms();
    for (int i = 0; i < 200; i++) {
        if (pwrite(fd, buf, sizeof buf, (off_t)i * 4096) < 0 || fdatasync(fd) < 0) {
            die("fdatasync probe", -1);
        }
    }
    double ms = (now_ms() - t0) / 200;
    close(fd);
    unlink(p);
    return ms;
}

int
main(void)
{
    const char *base = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/spoolbench.XXXXXX", base && *base ? base : P_tmpdir);
    if (!mkdtemp(dir)) {
        die("mkdtemp", -1);
    }
    double sync_ms = fdatasync_ms(dir);
    struct spool *sp;
    int rc = spool_open(dir, NULL, &sp);
    if (rc) {
        die("spool_open", rc);
    }
    double mb1 = write_mbps(sp, 1 << 20, 20);
    double mb64 = write_mbps(sp, 64 << 20, 3);
    double g1, g50;
    double one = closes_per_second(sp, 1, 2.0, &g1);
    double fifty = closes_per_second(sp, 50, 3.0, &g50);
    struct spool_filter all = {0};
    spool_purge(sp, &all, NULL);

    /* 10,000 files in one reader */
    double t_fill = now_ms();
    fill(sp, 10000);
    double async_rate = 10000 / ((now_ms() - t_fill) / 1000.0);
    double first = 0, best = 1e9;
    for (int i = 0; i < 7; i++) {
        struct spool_filter f = {.owner = "BOB", .queue = SPOOL_Q_RDR};
        struct spool_info *v;
        size_t n;
        double t0 = now_ms();
        if ((rc = spool_list(sp, &f, &v, &n)) || n != 10000) {
            die("list", rc);
        }
        double ms = now_ms() - t0;
        free(v);
        best = ms < best ? ms : best;
        first = i == 0 ? ms : first;
    }
    if ((rc = spool_close(sp))) {
        die("close", rc);
    }
    double t0 = now_ms();
    if ((rc = spool_open(dir, NULL, &sp))) {
        die("reopen", rc);
    }
    double open_ms = now_ms() - t0;
    spool_purge(sp, &all, NULL);

    spool_close(sp);
    double rec_ms = recover_after_kill_ms(dir, 10000);
    rm_dir(dir);

    printf("spool store benchmark (fdatasync of 4 KiB here: %.2f ms)\n", sync_ms);
    printf("  %-40s %10.0f /s  (%.2f journal syncs per close)\n", "closes, 1 writer", one, g1);
    printf("  %-40s %10.0f /s  (%.3f journal syncs per close)\n", "closes, 50 writer threads",
           fifty, g50);
    printf("  %-40s %10.0f /s\n", "closes, 1 thread, async (10,000 files)", async_rate);
    printf("  %-40s %10.2f ms  (first call: %.2f ms)\n", "list a reader of 10,000 files", best,
           first);
    printf("  %-40s %10.2f ms\n", "open a spool of 10,000 files", open_ms);
    printf("  %-40s %10.2f ms\n", "recover 10,000 files from the journal", rec_ms);
    printf("  %-40s %10.1f MB/s\n", "write a 1 MB file (to durable close)", mb1);
    printf("  %-40s %10.1f MB/s\n", "write a 64 MB file (to durable close)", mb64);
    printf("BENCH spool_fdatasync_4k %.3f ms\n", sync_ms);
    printf("BENCH spool_closes_1_writer %.0f closes/s\n", one);
    printf("BENCH spool_closes_50_writers %.0f closes/s\n", fifty);
    printf("BENCH spool_list_10000 %.2f ms\n", best);
    printf("BENCH spool_closes_async %.0f closes/s\n", async_rate);
    printf("BENCH spool_list_10000_first %.2f ms\n", first);
    printf("BENCH spool_open_10000 %.2f ms\n", open_ms);
    printf("BENCH spool_recover_10000 %.2f ms\n", rec_ms);
    printf("BENCH spool_write_1mb %.1f MB/s\n", mb1);
    printf("BENCH spool_write_64mb %.1f MB/s\n", mb64);
    return 0;
}
