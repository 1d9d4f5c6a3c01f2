/* SPDX-License-Identifier: MIT */
/*
 * tests/test_pagegate.h - a gate in front of the pager's reads, for the
 * page-wait tests: installed with paging_set_read_hook(pagegate_hook, NULL),
 * a read waits in the hook while the gate is shut, so a test can look at a
 * VM in page wait (and at the others running) before the page comes in.
 */
#ifndef TESTS_TEST_PAGEGATE_H
#define TESTS_TEST_PAGEGATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static bool g_shut;
static unsigned g_calls; /* reads that reached the hook */

static inline void
pagegate_hook(void *ctx, uint64_t pn)
{
    (void)ctx;
    (void)pn;
    pthread_mutex_lock(&g_lock);
    g_calls++;
    pthread_cond_broadcast(&g_cond);
    while (g_shut) {
        pthread_cond_wait(&g_cond, &g_lock);
    }
    pthread_mutex_unlock(&g_lock);
}

static inline void
gate(bool shut)
{
    pthread_mutex_lock(&g_lock);
    g_shut = shut;
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
}

static inline unsigned
gate_calls(void)
{
    pthread_mutex_lock(&g_lock);
    unsigned n = g_calls;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* Until a read has reached the hook. */
static inline void
gate_wait_read(void)
{
    pthread_mutex_lock(&g_lock);
    while (g_calls == 0) {
        pthread_cond_wait(&g_cond, &g_lock);
    }
    pthread_mutex_unlock(&g_lock);
}

#endif
