// SPDX-License-Identifier: MIT
/*
 * cp/system_io.c - CP's I/O worker threads: blocking work done on a
 * command's behalf (directory reads in sqlite, opening minidisk images, a
 * whole AUTOLOG logon) runs here, never on a dispatcher thread, so other
 * VMs keep running meanwhile.  A job usually ends by posting its result to
 * the user's mailbox (cp_user_post_ptr), where it is finished on the VM's
 * own thread.
 *
 * A small fixed pool (CP_IO_THREADS) with one FIFO queue under one mutex.
 * cp_io_stop() lets the workers finish every queued job, then joins them;
 * a job submitted after that runs at once on the caller's thread, so a job
 * is never lost.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "cp/system.h"

#define CP_IO_THREADS 2

struct cp_io {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct cp_io_job *head, *tail;
    bool stopping;
    unsigned nthreads;
    pthread_t threads[CP_IO_THREADS];
};

static void *
io_main(void *arg)
{
    struct cp_io *io = arg;
    pthread_mutex_lock(&io->lock);
    for (;;) {
        while (!io->head && !io->stopping) {
            pthread_cond_wait(&io->cond, &io->lock);
        }
        struct cp_io_job *j = io->head;
        if (!j) {
            break; /* stopping, and nothing left */
        }
        io->head = j->next;
        if (!io->head) {
            io->tail = NULL;
        }
        pthread_mutex_unlock(&io->lock);
        j->fn(j);
        pthread_mutex_lock(&io->lock);
    }
    pthread_mutex_unlock(&io->lock);
    return NULL;
}

int
cp_io_start(struct cp_system *sys)
{
    struct cp_io *io = calloc(1, sizeof *io);
    if (!io) {
        return -ENOMEM;
    }
    pthread_mutex_init(&io->lock, NULL);
    pthread_cond_init(&io->cond, NULL);
    for (; io->nthreads < CP_IO_THREADS; io->nthreads++) {
        if (pthread_create(&io->threads[io->nthreads], NULL, io_main, io) != 0) {
            break;
        }
    }
    if (io->nthreads == 0) {
        pthread_cond_destroy(&io->cond);
        pthread_mutex_destroy(&io->lock);
        free(io);
        return -EAGAIN;
    }
    sys->io = io;
    return 0;
}

void
cp_io_stop(struct cp_system *sys)
{
    struct cp_io *io = sys->io;
    if (!io) {
        return;
    }
    pthread_mutex_lock(&io->lock);
    io->stopping = true;
    pthread_cond_broadcast(&io->cond);
    pthread_mutex_unlock(&io->lock);
    for (unsigned i = 0; i < io->nthreads; i++) {
        pthread_join(io->threads[i], NULL);
    }
    sys->io = NULL;
    pthread_cond_destroy(&io->cond);
    pthread_mutex_destroy(&io->lock);
    free(io);
}

void
cp_io_submit(struct cp_system *sys, struct cp_io_job *j, void (*fn)(struct cp_io_job *j))
{
    j->fn = fn;
    j->next = NULL;
    struct cp_io *io = sys->io;
    if (io) {
        pthread_mutex_lock(&io->lock);
        if (!io->stopping) {
            if (io->tail) {
                io->tail->next = j;
            } else {
                io->head = j;
            }
            io->tail = j;
            pthread_cond_signal(&io->cond);
            pthread_mutex_unlock(&io->lock);
            return;
        }
        pthread_mutex_unlock(&io->lock);
    }
    fn(j); /* no workers (not started, or stopped): here and now */
}
