// SPDX-License-Identifier: MIT
/*
 * cp/spool_prt.c - the system printers: up to CPSP_PRINTERS_MAX printers,
 * each a thread of its own once an operator STARTs it with a set of
 * classes.  A started printer takes the first file of the system printer
 * queue (in queue order, any owner) of one of its classes that is not held
 * and not being printed by another printer, writes it as a text file with
 * a separator page into DATA/printer (spool_print), and purges it once the
 * output is durable.  DRAIN stops a printer after its current file; FLUSH
 * stops it at once: the file it was printing is kept in the queue and its
 * output removed.
 *
 * Locks: one mutex for the printer table (struct cpsp_prt_tab), held only
 * for bookkeeping, never across disk I/O.  spool_print and spool_purge
 * wait for the disk on the printer's own thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cp/log.h"
#include "cp/spool_cp.h"

enum prt_state { PRT_STOPPED = 0, PRT_STARTED, PRT_DRAINING };

struct prt {
    enum prt_state state;
    bool flush; /* FLUSH: stop now, keep the current file */
    bool thread; /* a thread runs (join it) */
    pthread_t tid;
    char classes[40]; /* letters, or "*" */
    uint32_t current; /* spoolid being printed, 0 */
    uint64_t printed;
};

struct cpsp_prt_tab {
    struct cpsp *s;
    char dir[4200];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct prt p[CPSP_PRINTERS_MAX];
};

struct cpsp_prt_tab *
cpsp_prt_new(struct cpsp *s)
{
    struct cpsp_prt_tab *t = calloc(1, sizeof *t);
    if (!t) {
        return NULL;
    }
    t->s = s;
    snprintf(t->dir, sizeof t->dir, "%s/%s", cpsp_datadir(s), CPSP_PRINTERS);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    return t;
}

static bool
class_ok(const char *classes, char c)
{
    return strchr(classes, '*') || strchr(classes, c);
}

static bool
busy_elsewhere(struct cpsp_prt_tab *t, uint32_t id)
{
    for (int i = 0; i < CPSP_PRINTERS_MAX; i++) {
        if (t->p[i].current == id) {
            return true;
        }
    }
    return false;
}

/* The next file for printer n, claimed (t->lock held). */
static uint32_t
next_file(struct cpsp_prt_tab *t, int n)
{
    struct spool_filter f = {.queue = SPOOL_Q_PRT};
    struct spool_info *v = NULL;
    size_t cnt = 0;
    if (spool_list(cpsp_store(t->s), &f, &v, &cnt) < 0) {
        return 0;
    }
    /* the whole-system listing is grouped by owner: take the oldest */
    uint32_t best = 0;
    uint64_t best_t = UINT64_MAX;
    for (size_t i = 0; i < cnt; i++) {
        if (!v[i].hold && class_ok(t->p[n].classes, v[i].spclass) &&
            !busy_elsewhere(t, v[i].spoolid) && v[i].created_us < best_t) {
            best = v[i].spoolid;
            best_t = v[i].created_us;
        }
    }
    free(v);
    return best;
}

struct prt_arg {
    struct cpsp_prt_tab *t;
    int n;
};

static void *
prt_main(void *arg)
{
    struct prt_arg *a = arg;
    struct cpsp_prt_tab *t = a->t;
    int n = a->n;
    free(a);
    pthread_mutex_lock(&t->lock);
    for (;;) {
        struct prt *p = &t->p[n];
        if (p->state == PRT_STOPPED || p->flush) {
            break;
        }
        uint32_t id = next_file(t, n);
        if (!id) {
            if (p->state == PRT_DRAINING) {
                break;
            }
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 200 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&t->cond, &t->lock, &ts);
            continue;
        }
        p->current = id;
        pthread_mutex_unlock(&t->lock);
        char path[4400] = "";
        int rc = spool_print(cpsp_store(t->s), id, t->dir, 0, path, sizeof path);
        pthread_mutex_lock(&t->lock);
        bool flushed = p->flush;
        pthread_mutex_unlock(&t->lock);
        if (rc == -EEXIST) {
            /* printed before CP stopped, not yet purged: purge it now */
            cplog(CPLOG_WARN, NULL, NULL, "PRINTER %d: file %u was printed already", n + 1, id);
            rc = 0;
            flushed = false;
        }
        if (rc == 0 && flushed) {
            unlink(path); /* FLUSH: the file stays queued */
        } else if (rc == 0) {
            struct spool_filter f = {.queue = SPOOL_Q_PRT, .spoolid = id};
            int prc = spool_purge(cpsp_store(t->s), &f, NULL);
            if (prc < 0) {
                cplog(CPLOG_ERROR, NULL, NULL, "PRINTER %d: purge of %u after printing: %s", n + 1,
                      id, strerror(-prc));
            }
            cplog(CPLOG_INFO, NULL, NULL, "PRINTER %d printed file %u to %s", n + 1, id, path);
        } else if (rc != -ENOENT && rc != -EBUSY) {
            cplog(CPLOG_ERROR, NULL, NULL, "PRINTER %d: file %u: %s; printer drained", n + 1, id,
                  strerror(-rc));
            pthread_mutex_lock(&t->lock);
            p->current = 0;
            p->state = PRT_DRAINING;
            p->flush = true;
            continue;
        }
        pthread_mutex_lock(&t->lock);
        p->current = 0;
        if (rc == 0 && !flushed) {
            p->printed++;
        }
    }
    t->p[n].state = PRT_STOPPED;
    t->p[n].flush = false;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

/* Joins a finished printer thread (t->lock not held). */
static void
reap(struct cpsp_prt_tab *t, int n)
{
    pthread_mutex_lock(&t->lock);
    bool join = t->p[n].thread && t->p[n].state == PRT_STOPPED;
    pthread_t tid = t->p[n].tid;
    if (join) {
        t->p[n].thread = false;
    }
    pthread_mutex_unlock(&t->lock);
    if (join) {
        pthread_join(tid, NULL);
    }
}

int
cpsp_prt_start(struct cpsp_prt_tab *t, int n, const char *classes)
{
    if (n < 0 || n >= CPSP_PRINTERS_MAX || !classes || !*classes ||
        strlen(classes) >= sizeof t->p[n].classes) {
        return -EINVAL;
    }
    reap(t, n);
    if (mkdir(t->dir, 0700) != 0 && errno != EEXIST) {
        return -errno;
    }
    pthread_mutex_lock(&t->lock);
    struct prt *p = &t->p[n];
    snprintf(p->classes, sizeof p->classes, "%s", classes);
    if (p->state != PRT_STOPPED) {
        p->state = PRT_STARTED; /* new classes; a draining printer goes on */
        pthread_cond_broadcast(&t->cond);
        pthread_mutex_unlock(&t->lock);
        return 0;
    }
    struct prt_arg *a = malloc(sizeof *a);
    if (!a) {
        pthread_mutex_unlock(&t->lock);
        return -ENOMEM;
    }
    a->t = t;
    a->n = n;
    p->state = PRT_STARTED;
    p->flush = false;
    int rc = pthread_create(&p->tid, NULL, prt_main, a);
    if (rc != 0) {
        p->state = PRT_STOPPED;
        free(a);
        pthread_mutex_unlock(&t->lock);
        return -rc;
    }
    p->thread = true;
    pthread_mutex_unlock(&t->lock);
    return 0;
}

int
cpsp_prt_stop(struct cpsp_prt_tab *t, int n, bool flush)
{
    if (n < 0 || n >= CPSP_PRINTERS_MAX) {
        return -EINVAL;
    }
    pthread_mutex_lock(&t->lock);
    struct prt *p = &t->p[n];
    if (p->state == PRT_STOPPED) {
        pthread_mutex_unlock(&t->lock);
        return -ESRCH;
    }
    p->state = PRT_DRAINING;
    p->flush = p->flush || flush;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    return 0;
}

int
cpsp_prt_status(struct cpsp_prt_tab *t, int n, struct cpsp_prt_info *out)
{
    if (n < 0 || n >= CPSP_PRINTERS_MAX) {
        return -EINVAL;
    }
    reap(t, n);
    pthread_mutex_lock(&t->lock);
    const struct prt *p = &t->p[n];
    out->state = p->state == PRT_STOPPED ? "DRAINED" : p->state == PRT_STARTED ? "STARTED" : "DRAINING";
    snprintf(out->classes, sizeof out->classes, "%s", p->state == PRT_STOPPED && !p->classes[0] ? "A" : p->classes);
    out->current = p->current;
    out->printed = p->printed;
    pthread_mutex_unlock(&t->lock);
    return 0;
}

const char *
cpsp_prt_dir(const struct cpsp_prt_tab *t)
{
    return t->dir;
}

void
cpsp_prt_free(struct cpsp_prt_tab *t)
{
    if (!t) {
        return;
    }
    for (int n = 0; n < CPSP_PRINTERS_MAX; n++) {
        cpsp_prt_stop(t, n, true);
    }
    for (int n = 0; n < CPSP_PRINTERS_MAX; n++) {
        pthread_mutex_lock(&t->lock);
        bool thread = t->p[n].thread;
        pthread_t tid = t->p[n].tid;
        t->p[n].thread = false;
        pthread_mutex_unlock(&t->lock);
        if (thread) {
            pthread_join(tid, NULL);
        }
    }
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
