// SPDX-License-Identifier: MIT
/*
 * bench/cp_response.c - interactive response under load: 50 CPU-bound VMs
 * (argv[1]) on two dispatchers, and one user at a terminal whose guest
 * answers each console line (tests/guest/diag_conread.elf: "got L F:
 * text").  A line is typed (cp_session_input) every 20-40 ms, argv[2]
 * times (default 300); the time until the guest's answer reaches the
 * terminal is its response time.  Target (issue 4): p99 under 10 ms.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/cp_bench.h"
#include "cp/console.h"

struct term {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char buf[65536];
    size_t len;
};

static void
t_notify(void *ctx, unsigned ev)
{
    (void)ctx;
    (void)ev;
}

static size_t
t_write(void *ctx, const void *p, size_t n)
{
    struct term *t = ctx;
    pthread_mutex_lock(&t->lock);
    if (t->len + n >= sizeof t->buf) {
        /* keep the tail: what is awaited is always recent */
        size_t keep = sizeof t->buf / 2;
        memmove(t->buf, t->buf + t->len - keep, keep);
        t->len = keep;
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
    t->buf[t->len] = '\0';
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    return n;
}

static const struct con_term_ops term_ops = {t_notify, t_write, CON_TERM_ANY_THREAD};

/* Waits until text appears in t's output (from offset from); false after
 * ms milliseconds. */
static bool
term_wait(struct term *t, const char *text, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&t->lock);
    bool found;
    while (!(found = strstr(t->buf, text) != NULL)) {
        if (pthread_cond_timedwait(&t->cond, &t->lock, &ts) != 0) {
            found = strstr(t->buf, text) != NULL;
            break;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return found;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    unsigned nbusy = argc > 1 ? (unsigned)atoi(argv[1]) : 50;
    unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 300;
    cpb_need("tests/guest/cp_spin.elf");
    cpb_need("tests/guest/diag_conread.elf");
    struct cpb_user *users = calloc(nbusy + 1, sizeof *users);
    for (unsigned i = 0; i < nbusy; i++) {
        snprintf(users[i].userid, sizeof users[i].userid, "BUSY%03u", i % 1000);
        users[i].ipl = "SPIN";
    }
    snprintf(users[nbusy].userid, sizeof users[nbusy].userid, "TYPIST");
    users[nbusy].ipl = "ECHO";
    struct cpb b;
    cpb_start(&b, users, nbusy + 1, 2, NULL);
    for (unsigned i = 0; i < nbusy; i++) {
        char why[256];
        if (cp_system_autolog(b.sys, users[i].userid, "BENCH", why, sizeof why) != 0) {
            cpb_die("AUTOLOG %s: %s", users[i].userid, why);
        }
    }
    struct term t = {.len = 0};
    pthread_mutex_init(&t.lock, NULL);
    pthread_cond_init(&t.cond, NULL);
    struct cp_session *s = NULL;
    char why[256];
    if (cp_logon(b.sys, "TYPIST", "bench", &term_ops, &t, &s, why, sizeof why) != 0) {
        cpb_die("logon: %s", why);
    }
    for (int i = 0; i < 500 && strcmp(cp_session_state(s), "VM READ") != 0; i++) {
        usleep(10000);
    }
    if (strcmp(cp_session_state(s), "VM READ") != 0) {
        cpb_die("the echo guest did not start (state %s)", cp_session_state(s));
    }
    sleep(1);
    uint64_t *lat = calloc(rounds, sizeof *lat);
    unsigned got = 0, lost = 0;
    srand(4);
    for (unsigned r = 0; r < rounds; r++) {
        char line[16], want[32];
        snprintf(line, sizeof line, "p%u", r);
        snprintf(want, sizeof want, ": p%u\n", r);
        uint64_t t0 = cpb_now_ns();
        cp_session_input(s, line, strlen(line));
        if (term_wait(&t, want, 2000)) {
            lat[got++] = cpb_now_ns() - t0;
        } else {
            lost++;
        }
        usleep(20000 + (useconds_t)(rand() % 20000));
    }
    if (got == 0) {
        cpb_die("no answer from the echo guest");
    }
    qsort(lat, got, sizeof *lat, cmp_u64);
    double p50 = (double)lat[got / 2] / 1e6;
    double p99 = (double)lat[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1] / 1e6;
    double mx = (double)lat[got - 1] / 1e6;
    printf("Interactive response with %u CPU-bound VMs on 2 dispatchers\n", nbusy);
    printf("  lines typed                %6u (answered %u, no answer in 2 s %u)\n", rounds, got,
           lost);
    printf("  response p50               %8.2f ms\n", p50);
    printf("  response p99               %8.2f ms (target < 10 ms)\n", p99);
    printf("  response max               %8.2f ms\n", mx);
    printf("BENCH cp_response_p50 %.2f ms\n", p50);
    printf("BENCH cp_response_p99 %.2f ms\n", p99);
    cp_session_close(s);
    cpb_stop(&b);
    free(lat);
    free(users);
    return 0;
}
