// SPDX-License-Identifier: MIT
/*
 * login/throttle.c - who may try to log on, and when.
 *
 * One table (a string-keyed hash under one mutex, shared by the SSH
 * threads) with an entry per user id ("u:ALICE") and per client address
 * ("p:127.0.0.1"). An entry counts:
 *   unauth    connections of a peer not logged on yet (limit per source);
 *   sessions  logged-on connections of a user (limit per user);
 *   fails     recent failed logons, forgotten after forget_ms of quiet;
 *   next      the earliest time the next attempt may be checked.
 * An attempt for (user, peer) is scheduled at max(now, user.next,
 * peer.next), and reserves: next = start + step(fails), where step(0) = 0
 * and step(n) = delay_ms * 2^(n-1), at most delay_max_ms; a failure pushes
 * next to at least now + step(fails). So the delay grows with failures, is
 * applied before any password is hashed, and parallel attempts queue up
 * behind each other instead of running at once.
 * A success clears the user's failures (not the peer's).
 *
 * Unknown user ids get entries like known ones (the table cannot tell them
 * apart, and must not). The table is bounded: above `cap` entries, those
 * holding only old failure history are dropped first, then any without live
 * connections.
 */
#include "login/login_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct throttle_entry {
    struct throttle_entry *next;
    int unauth, sessions, fails;
    uint64_t last_fail, next_slot;
    char key[];
};

static uint64_t
hash_key(const char *k)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *k; k++) {
        h = (h ^ (unsigned char)*k) * 1099511628211ull;
    }
    return h;
}

int
throttle_init(struct throttle *t, size_t cap, unsigned delay_ms, unsigned delay_max_ms,
              unsigned forget_ms)
{
    memset(t, 0, sizeof *t);
    t->nbucket = 1024;
    t->bucket = calloc(t->nbucket, sizeof *t->bucket);
    if (t->bucket == NULL) {
        return -ENOMEM;
    }
    t->cap = cap;
    t->delay_ms = delay_ms;
    t->delay_max_ms = delay_max_ms < delay_ms ? delay_ms : delay_max_ms;
    t->forget_ms = forget_ms;
    pthread_mutex_init(&t->lock, NULL);
    return 0;
}

void
throttle_free(struct throttle *t)
{
    if (t->bucket == NULL) {
        return;
    }
    for (size_t i = 0; i < t->nbucket; i++) {
        struct throttle_entry *e = t->bucket[i];
        while (e != NULL) {
            struct throttle_entry *n = e->next;
            free(e);
            e = n;
        }
    }
    free(t->bucket);
    pthread_mutex_destroy(&t->lock);
    memset(t, 0, sizeof *t);
}

unsigned
throttle_step(const struct throttle *t, int n)
{
    if (n <= 0) {
        return 0;
    }
    uint64_t d = t->delay_ms;
    for (int i = 1; i < n && d < t->delay_max_ms; i++) {
        d *= 2;
    }
    return d > t->delay_max_ms ? t->delay_max_ms : (unsigned)d;
}

static int
idle_entry(const struct throttle *t, const struct throttle_entry *e, uint64_t now, int strict)
{
    if (e->unauth > 0 || e->sessions > 0) {
        return 0;
    }
    if (!strict) {
        return 1;
    }
    return e->next_slot <= now && (e->fails == 0 || now - e->last_fail >= t->forget_ms);
}

/* Drop entries until at most cap remain (strict pass first). */
static void
sweep(struct throttle *t, uint64_t now)
{
    for (int strict = 1; strict >= 0 && t->count > t->cap; strict--) {
        for (size_t i = 0; i < t->nbucket && t->count > t->cap; i++) {
            struct throttle_entry **pp = &t->bucket[i];
            while (*pp != NULL && t->count > t->cap) {
                struct throttle_entry *e = *pp;
                if (idle_entry(t, e, now, strict)) {
                    *pp = e->next;
                    free(e);
                    t->count--;
                } else {
                    pp = &e->next;
                }
            }
        }
    }
}

/* Find or make the entry kind:name (lock held). NULL only without memory.
 * Never frees entries: the caller may hold one from a previous lookup;
 * the table is trimmed by begin() at the start of each operation. */
static struct throttle_entry *
lookup(struct throttle *t, char kind, const char *name, int create, uint64_t now)
{
    char key[LOGIN_PEER_MAX + 4];
    key[0] = kind;
    key[1] = ':';
    strncpy(key + 2, name, sizeof key - 3);
    key[sizeof key - 1] = '\0';
    size_t b = hash_key(key) % t->nbucket;
    for (struct throttle_entry *e = t->bucket[b]; e != NULL; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            if (e->fails > 0 && now - e->last_fail >= t->forget_ms) {
                e->fails = 0;
            }
            return e;
        }
    }
    if (!create) {
        return NULL;
    }
    size_t klen = strlen(key) + 1;
    struct throttle_entry *e = calloc(1, sizeof *e + klen);
    if (e == NULL) {
        return NULL;
    }
    memcpy(e->key, key, klen);
    e->next = t->bucket[b];
    t->bucket[b] = e;
    t->count++;
    return e;
}

/* Take the lock; trim the table if it is full. */
static void
begin(struct throttle *t, uint64_t now)
{
    pthread_mutex_lock(&t->lock);
    if (t->count >= t->cap) {
        sweep(t, now);
    }
}

int
throttle_unauth_add(struct throttle *t, const char *peer, int limit)
{
    int rc = 0;
    uint64_t now = login_now_ms();
    begin(t, now);
    struct throttle_entry *e = lookup(t, 'p', peer, 1, now);
    if (e == NULL) {
        rc = -ENOMEM;
    } else if (e->unauth >= limit) {
        rc = -EAGAIN;
    } else {
        e->unauth++;
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void
throttle_unauth_del(struct throttle *t, const char *peer)
{
    pthread_mutex_lock(&t->lock);
    struct throttle_entry *e = lookup(t, 'p', peer, 0, login_now_ms());
    if (e != NULL && e->unauth > 0) {
        e->unauth--;
    }
    pthread_mutex_unlock(&t->lock);
}

int
throttle_user_add(struct throttle *t, const char *userid, int limit)
{
    int rc = 0;
    uint64_t now = login_now_ms();
    begin(t, now);
    struct throttle_entry *e = lookup(t, 'u', userid, 1, now);
    if (e == NULL) {
        rc = -ENOMEM;
    } else if (e->sessions >= limit) {
        rc = -EAGAIN;
    } else {
        e->sessions++;
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void
throttle_user_del(struct throttle *t, const char *userid)
{
    pthread_mutex_lock(&t->lock);
    struct throttle_entry *e = lookup(t, 'u', userid, 0, login_now_ms());
    if (e != NULL && e->sessions > 0) {
        e->sessions--;
    }
    pthread_mutex_unlock(&t->lock);
}

uint64_t
throttle_attempt(struct throttle *t, const char *userid, const char *peer, uint64_t now)
{
    begin(t, now);
    struct throttle_entry *u = userid ? lookup(t, 'u', userid, 1, now) : NULL;
    struct throttle_entry *p = lookup(t, 'p', peer, 1, now);
    uint64_t start = now;
    if (u != NULL && u->next_slot > start) {
        start = u->next_slot;
    }
    if (p != NULL && p->next_slot > start) {
        start = p->next_slot;
    }
    /* Reserve only where failures ask for a delay: without failures,
     * attempts are not held behind each other. */
    if (u != NULL && u->fails > 0) {
        u->next_slot = start + throttle_step(t, u->fails);
    }
    if (p != NULL && p->fails > 0) {
        p->next_slot = start + throttle_step(t, p->fails);
    }
    pthread_mutex_unlock(&t->lock);
    return start;
}

int
throttle_result(struct throttle *t, const char *userid, const char *peer, int ok, uint64_t now)
{
    int n = 0;
    begin(t, now);
    struct throttle_entry *u = userid ? lookup(t, 'u', userid, 1, now) : NULL;
    struct throttle_entry *p = lookup(t, 'p', peer, 1, now);
    if (ok) {
        if (u != NULL) {
            u->fails = 0;
            u->next_slot = 0;
        }
    } else {
        struct throttle_entry *both[2] = {u, p};
        for (int i = 0; i < 2; i++) {
            struct throttle_entry *e = both[i];
            if (e == NULL) {
                continue;
            }
            e->fails++;
            e->last_fail = now;
            uint64_t after = now + throttle_step(t, e->fails);
            if (e->next_slot < after) {
                e->next_slot = after;
            }
            if (e->fails > n) {
                n = e->fails;
            }
        }
    }
    pthread_mutex_unlock(&t->lock);
    return n;
}
