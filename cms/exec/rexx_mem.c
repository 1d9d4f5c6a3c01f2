// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_mem.c - storage of the EXEC interpreter, from the nucleus
 * free storage (picolibc malloc in CMS private storage).
 *
 * Two kinds: tracked blocks (rx_alloc: a header links every block of the
 * EXEC so that rx_free_all frees what an error left behind), and the
 * scratch arena (rx_tmp: a stack of chunks for temporary strings, released
 * back to a mark at the end of each clause).  Running out of storage is
 * REXX error 5 ("Machine resources exhausted"), never a crash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cms/exec/rexx.h"

struct rx_alloc_hdr {
    struct rx_alloc_hdr *prev, *next;
    size_t size;
};

struct rx_chunk {
    struct rx_chunk *prev;
    size_t size, used;
    size_t pad;
    char data[];
};

#define CHUNK_SIZE 16384

void *
rx_alloc(struct rx *rx, size_t n)
{
    if (n > RX_MAX_STRING) {
        rx_error(rx, 5);
    }
    struct rx_alloc_hdr *h = malloc(sizeof *h + n);
    if (h == NULL) {
        rx_error(rx, 5);
    }
    memset(h + 1, 0, n);
    h->size = n;
    h->prev = NULL;
    h->next = rx->allocs;
    if (rx->allocs != NULL) {
        rx->allocs->prev = h;
    }
    rx->allocs = h;
    return h + 1;
}

void
rx_free(struct rx *rx, void *p)
{
    if (p == NULL) {
        return;
    }
    struct rx_alloc_hdr *h = (struct rx_alloc_hdr *)p - 1;
    if (h->prev != NULL) {
        h->prev->next = h->next;
    } else {
        rx->allocs = h->next;
    }
    if (h->next != NULL) {
        h->next->prev = h->prev;
    }
    free(h);
}

void *
rx_realloc(struct rx *rx, void *p, size_t n)
{
    void *q = rx_alloc(rx, n);
    if (p != NULL) {
        struct rx_alloc_hdr *h = (struct rx_alloc_hdr *)p - 1;
        memcpy(q, p, h->size < n ? h->size : n);
        rx_free(rx, p);
    }
    return q;
}

void
rx_free_all(struct rx *rx)
{
    while (rx->allocs != NULL) {
        struct rx_alloc_hdr *h = rx->allocs;
        rx->allocs = h->next;
        free(h);
    }
    while (rx->chunk != NULL) {
        struct rx_chunk *c = rx->chunk;
        rx->chunk = c->prev;
        free(c);
    }
    free(rx->spare);
    rx->spare = NULL;
}

void *
rx_tmp(struct rx *rx, size_t n)
{
    if (n > RX_MAX_STRING) {
        rx_error(rx, 5);
    }
    n = (n + 7) & ~(size_t)7;
    struct rx_chunk *c = rx->chunk;
    if (c == NULL || c->size - c->used < n) {
        size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;
        if (rx->spare != NULL && rx->spare->size >= size) {
            c = rx->spare;
            rx->spare = NULL;
        } else {
            c = malloc(sizeof *c + size);
            if (c == NULL) {
                rx_error(rx, 5);
            }
            c->size = size;
        }
        c->used = 0;
        c->prev = rx->chunk;
        rx->chunk = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

struct rx_mark
rx_mark(struct rx *rx)
{
    struct rx_mark m = {rx->chunk, rx->chunk != NULL ? rx->chunk->used : 0};
    return m;
}

void
rx_release(struct rx *rx, struct rx_mark m)
{
    while (rx->chunk != NULL && rx->chunk != m.chunk) {
        struct rx_chunk *c = rx->chunk;
        rx->chunk = c->prev;
        if (rx->spare == NULL && c->size == CHUNK_SIZE) {
            rx->spare = c;
        } else {
            free(c);
        }
    }
    if (rx->chunk != NULL) {
        rx->chunk->used = m.used;
    }
}

struct rx_val
rx_tmpcopy(struct rx *rx, const char *s, size_t n)
{
    char *p = rx_tmp(rx, n + 1);
    if (n > 0) {
        memcpy(p, s, n);
    }
    p[n] = '\0';
    struct rx_val v = {p, n};
    return v;
}

struct rx_val
rx_cstr(const char *s)
{
    struct rx_val v = {s, strlen(s)};
    return v;
}

struct rx_val
rx_fmt(struct rx *rx, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) {
        n = 0;
    }
    if ((size_t)n >= sizeof buf) {
        n = sizeof buf - 1;
    }
    return rx_tmpcopy(rx, buf, (size_t)n);
}

struct rx_val
rx_int(struct rx *rx, long long v)
{
    /* by hand, right to left straight into scratch storage: the
     * arithmetic fast path comes here for every result */
    char *buf = rx_tmp(rx, 24);
    size_t i = 23;
    buf[i] = '\0';
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        buf[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0) {
        buf[--i] = '-';
    }
    struct rx_val r = {buf + i, 23 - i};
    return r;
}
