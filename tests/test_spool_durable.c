// SPDX-License-Identifier: MIT
/*
 * tests/test_spool_durable.c - crash safety.  A child process runs several
 * writer threads against a spool folder (closing, discarding, purging
 * (waiting, or not: the acknowledgement of an asynchronous purge comes
 * from the store's callback), transferring, changing) and reports on a
 * pipe what it is about to do and what the store acknowledged; the parent
 * kills it with SIGKILL, either at a chosen crash point inside the store
 * (the fault callback: while a chunk is written, before the data
 * fdatasync, with half a journal group written, before the journal
 * fdatasync, after it, while a checkpoint is renamed) or after a random
 * delay.  Then the parent reopens the folder and checks:
 *   - every file whose close was acknowledged is there, records intact;
 *   - every file there was at least being closed (never one that was only
 *     being written), and its records are intact (nothing half-written);
 *   - every file whose purge was acknowledged is gone;
 *   - recovery dropped nothing (no torn file ever reached the journal).
 * The same folder goes through all rounds, so recovery also recovers what
 * earlier recoveries left.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "spool/spool.h"
#include "tests/test_spool_util.h"

#define THREADS 4
#define CHILD_SECONDS 3

/* ---- the child ---------------------------------------------------------- */

static int msg_fd;
static pthread_mutex_t msg_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int fault_left;
static enum spool_fault fault_point;
static unsigned child_round;

static void
say(const char *fmt, ...)
{
    char line[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&msg_mu);
    if (write(msg_fd, line, (size_t)n) != n) {
        _exit(3);
    }
    pthread_mutex_unlock(&msg_mu);
}

static int
on_fault(void *arg, enum spool_fault point)
{
    (void)arg;
    if (point == fault_point && atomic_fetch_sub(&fault_left, 1) == 1) {
        kill(getpid(), SIGKILL);
    }
    return 0;
}

static size_t
max_len_of(uint32_t seed)
{
    return seed % 4 == 0 ? 4000 : 300;
}

/* An asynchronous purge is durable: acknowledged only now. */
static void
purged(void *arg, int rc, uint32_t count)
{
    if (rc != 0 || count != 1) {
        _exit(10);
    }
    say("Q %u\n", (unsigned)(uintptr_t)arg);
}

struct worker {
    struct spool *sp;
    unsigned t;
};

static void *
worker_main(void *arg)
{
    struct worker *wk = arg;
    struct spool *sp = wk->sp;
    unsigned rs = (unsigned)getpid() * 31 + wk->t;
    uint8_t *rec = malloc(SPOOL_RECORD_MAX);
    uint32_t mine[64];
    uint32_t mine_seed[64];
    int nmine = 0;
    char user[9], other[9];
    snprintf(user, sizeof user, "U%u", wk->t);
    snprintf(other, sizeof other, "X%u", wk->t);
    time_t end = time(NULL) + CHILD_SECONDS;
    for (uint32_t k = 0; time(NULL) < end && k < 60000; k++) {
        uint32_t seed = child_round << 20 | wk->t << 16 | k;
        uint32_t nrec = (uint32_t)(rand_r(&rs) % 40);
        if (rand_r(&rs) % 10 == 0) {
            nrec = 300 + (uint32_t)(rand_r(&rs) % 300); /* several chunks */
        }
        char fn[9], ft[9];
        snprintf(fn, sizeof fn, "%08X", seed);
        snprintf(ft, sizeof ft, "%u", nrec);
        struct spool_create c = {.origin = user, .dev = SPOOL_DEV_PUN, .fname = fn, .ftype = ft,
                                 .spclass = (char)('A' + rand_r(&rs) % 3)};
        struct spool_writer *w;
        if (spool_writer_open(sp, &c, &w) != 0) {
            _exit(4);
        }
        for (uint32_t i = 0; i < nrec; i++) {
            size_t len = tsp_record(seed, i, rec, max_len_of(seed));
            if (spool_writer_append(w, rec, len) != 0) {
                _exit(5);
            }
        }
        if (rand_r(&rs) % 8 == 0) {
            spool_writer_discard(w);
            continue;
        }
        uint32_t id = spool_writer_spoolid(w);
        say("B %u %u %u\n", id, seed, nrec);
        uint32_t got;
        if (spool_writer_close(w, rand_r(&rs) % 2 ? user : NULL, &got) != 0 || got != id) {
            _exit(6);
        }
        say("A %u\n", seed);
        if (nmine < 64) {
            mine[nmine] = id;
            mine_seed[nmine++] = seed;
        }
        int what = rand_r(&rs) % 10;
        if (what < 2 && nmine) { /* purge one of ours */
            int j = rand_r(&rs) % nmine;
            say("P %u\n", mine_seed[j]);
            struct spool_filter f = {.spoolid = mine[j]};
            if (rand_r(&rs) % 2) {
                /* told on the committer thread once durable */
                void *arg = (void *)(uintptr_t)mine_seed[j];
                if (spool_purge_async(sp, &f, purged, arg) != 0) {
                    _exit(7);
                }
            } else {
                if (spool_purge(sp, &f, NULL) != 0) {
                    _exit(7);
                }
                say("Q %u\n", mine_seed[j]);
            }
            mine[j] = mine[--nmine];
            mine_seed[j] = mine_seed[nmine];
        } else if (what == 2) {
            struct spool_filter f = {.spoolid = id};
            if (spool_transfer(sp, &f, other, NULL) != 0) {
                _exit(8);
            }
        } else if (what == 3) {
            struct spool_filter f = {.spoolid = id};
            struct spool_change ch = {.what = SPOOL_CH_CLASS | SPOOL_CH_COPIES, .spclass = 'Z',
                                      .copies = 3};
            if (spool_change(sp, &f, &ch, NULL) != 0 ||
                spool_hold(sp, &f, SPOOL_HOLD_USER, true, NULL) != 0) {
                _exit(9);
            }
        } else if (what == 4 && nmine >= 2) {
            uint32_t ids[2] = {mine[0], mine[1]};
            struct spool_info in;
            /* only if both are still in the same queue */
            if (spool_query(sp, ids[0], &in) == 0) {
                (void)spool_order(sp, in.owner, in.queue, ids, 2);
            }
        }
    }
    free(rec);
    return NULL;
}

static void
child_main(const char *dir, int fd, int point, int count)
{
    msg_fd = fd;
    struct spool_config cfg = {.segment_bytes = 256 << 10, .checkpoint_bytes = 16 << 10,
                               .max_spoolid = 65535};
    if (point >= 0) {
        fault_point = (enum spool_fault)point;
        atomic_store(&fault_left, count);
        cfg.fault = on_fault;
    }
    struct spool *sp;
    if (spool_open(dir, &cfg, &sp) != 0) {
        _exit(2);
    }
    say("R\n"); /* ready: the parent's clock starts now */
    pthread_t th[THREADS];
    struct worker wk[THREADS];
    for (unsigned t = 0; t < THREADS; t++) {
        wk[t] = (struct worker){sp, t};
        pthread_create(&th[t], NULL, worker_main, &wk[t]);
    }
    for (unsigned t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
    }
    _exit(0); /* no clean close: as good as a crash too */
}

/* ---- the parent's bookkeeping ------------------------------------------- */

enum est { E_FREE, E_BEGUN, E_ACKED, E_PURGING, E_PURGED, E_DURABLE };

struct exp {
    uint32_t seed; /* key; 0 = empty slot (seeds are never 0: round >= 1) */
    uint32_t id, nrec;
    uint8_t st;
    bool checked;
};

#define MAPCAP (1u << 19)
static struct exp *map;

static struct exp *
find(uint32_t seed, bool add)
{
    uint32_t h = (seed * 2654435761u) & (MAPCAP - 1);
    while (map[h].seed && map[h].seed != seed) {
        h = (h + 1) & (MAPCAP - 1);
    }
    if (!map[h].seed) {
        if (!add) {
            return NULL;
        }
        map[h].seed = seed;
    }
    return &map[h];
}

static void
take_messages(FILE *in)
{
    char line[128];
    while (fgets(line, sizeof line, in)) {
        unsigned id, seed, nrec;
        if (!strchr(line, '\n')) {
            break; /* cut by the kill: cannot happen with atomic pipe writes */
        }
        if (strcmp(line, "R\n") == 0) {
            continue;
        }
        if (sscanf(line, "B %u %u %u", &id, &seed, &nrec) == 3) {
            struct exp *e = find(seed, true);
            e->id = id;
            e->nrec = nrec;
            e->st = E_BEGUN;
        } else if (sscanf(line, "A %u", &seed) == 1) {
            find(seed, false)->st = E_ACKED;
        } else if (sscanf(line, "P %u", &seed) == 1) {
            find(seed, false)->st = E_PURGING;
        } else if (sscanf(line, "Q %u", &seed) == 1) {
            find(seed, false)->st = E_PURGED;
        } else {
            fail_msg("bad message from child: %s", line);
        }
    }
}

static int checks_done, inflight_kept, inflight_lost, purge_undone;

/* Reopens the spool and holds it to the rules above. */
static void
verify(const char *dir, bool verify_all)
{
    struct spool_config cfg = {.max_spoolid = 65535,
                               .flags = verify_all ? SPOOL_OPEN_VERIFY : 0};
    struct spool *sp;
    assert_int_equal(spool_open(dir, &cfg, &sp), 0);
    struct spool_stats st;
    spool_stats(sp, &st);
    assert_int_equal(st.dropped_files, 0);
    struct spool_info *v;
    size_t n;
    assert_int_equal(spool_list(sp, NULL, &v, &n), 0);
    for (size_t i = 0; i < MAPCAP; i++) {
        map[i].checked = false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned seed;
        assert_int_equal(sscanf(v[i].fname, "%8X", &seed), 1);
        struct exp *e = find(seed, false);
        if (!e) {
            fail_msg("file %u (seed %08X) appeared but was never closed", v[i].spoolid, seed);
        }
        if (e->st != E_BEGUN && e->st != E_ACKED && e->st != E_PURGING && e->st != E_DURABLE) {
            fail_msg("file %u (seed %08X, state %d) should not be there", v[i].spoolid, seed,
                     e->st);
        }
        assert_int_equal(e->id, v[i].spoolid);
        assert_int_equal(e->nrec, v[i].records);
        if (e->st != E_DURABLE) {
            int rc = tsp_check(sp, e->id, e->nrec, seed, max_len_of(seed));
            if (rc != 0) {
                fail_msg("file %u (seed %08X): records differ (%d)", e->id, seed, rc);
            }
            checks_done++;
        }
        inflight_kept += e->st == E_BEGUN;
        purge_undone += e->st == E_PURGING;
        e->checked = true;
    }
    for (size_t i = 0; i < MAPCAP; i++) {
        struct exp *e = &map[i];
        if (!e->seed) {
            continue;
        }
        if ((e->st == E_ACKED || e->st == E_DURABLE) && !e->checked) {
            fail_msg("acknowledged file %u (seed %08X) lost", e->id, e->seed);
        }
        if (e->st == E_PURGED && e->checked) {
            fail_msg("purged file %u (seed %08X) came back", e->id, e->seed);
        }
        inflight_lost += e->st == E_BEGUN && !e->checked;
        e->st = e->checked ? E_DURABLE : E_FREE;
    }
    free(v);
    assert_int_equal(spool_close(sp), 0);
}

static void
one_round(const char *dir, unsigned round, int point, int count, unsigned delay_ms)
{
    double t0 = tsp_now_ms();
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        child_round = round;
        child_main(dir, p[1], point, count);
    }
    close(p[1]);
    FILE *in = fdopen(p[0], "r");
    if (point < 0) {
        /* The delay counts from the child's "ready" (its start-up and
         * recovery take a while, longer under the sanitizers). */
        char ready[2];
        assert_int_equal(read(p[0], ready, 2), 2);
        assert_memory_equal(ready, "R\n", 2);
        struct timespec ts = {0, (long)delay_ms * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
    }
    take_messages(in);
    fclose(in);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (getenv("SPOOL_TEST_VERBOSE")) {
        print_message("round %u point %d count %d: %s, %.0f ms\n", round, point, count,
                      WIFSIGNALED(status) ? "killed" : "exited", tsp_now_ms() - t0);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        fail_msg("child failed with exit status %d", WEXITSTATUS(status));
    }
    verify(dir, round % 4 == 0);
}

static void
test_kill_at_crash_points(void **state)
{
    (void)state;
    char *dir = tsp_tmpdir();
    map = calloc(MAPCAP, sizeof *map);
    static const struct {
        enum spool_fault point;
        int max;
    } points[] = {
        {SPOOL_FAULT_CHUNK_WRITE, 150}, {SPOOL_FAULT_DATA_SYNC, 30},
        {SPOOL_FAULT_JOURNAL_HALF, 30}, {SPOOL_FAULT_JOURNAL_SYNC, 30},
        {SPOOL_FAULT_COMMITTED, 30},    {SPOOL_FAULT_CHECKPOINT, 3},
    };
    unsigned rs = 12345, round = 1;
    for (int rep = 0; rep < 3; rep++) {
        for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
            int count = 1 + (int)(rand_r(&rs) % (unsigned)points[i].max);
            one_round(dir, round++, (int)points[i].point, count, 0);
        }
    }
    print_message("crash points: %u rounds, %d files checked; closes cut: %d kept, %d lost; "
                  "purges cut and undone: %d\n",
                  round - 1, checks_done, inflight_kept, inflight_lost, purge_undone);
    assert_true(checks_done > 50);
    free(map);
    tsp_rmtree(dir);
    free(dir);
}

static void
test_kill_at_random_times(void **state)
{
    (void)state;
    char *dir = tsp_tmpdir();
    map = calloc(MAPCAP, sizeof *map);
    unsigned rs = 777;
    checks_done = 0;
    for (unsigned round = 1; round <= 12; round++) {
        one_round(dir, round, -1, 0, 30 + rand_r(&rs) % 220);
    }
    print_message("random kills: 12 rounds, %d files checked\n", checks_done);
    assert_true(checks_done > 20);
    free(map);
    tsp_rmtree(dir);
    free(dir);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_at_crash_points),
        cmocka_unit_test(test_kill_at_random_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
