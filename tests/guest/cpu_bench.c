// SPDX-License-Identifier: MIT
/*
 * tests/guest/cpu_bench.c - a fixed workload for timing the interpreter
 * (`tests/cpu_run -s tests/guest/cpu_bench.elf` prints MIPS): the kinds of
 * work CoreMark mixes - linked-list walks and inserts, small integer matrix
 * products, a state machine over text (switches become jump tables), CRC,
 * recursion and block copies.  It checks its own checksum, computed by the
 * same C code on the host, so a wrong result is a failure, not a speedup.
 * Not run by `make check` (about 0.3 s of guest time); BENCH_ITERS scales it.
 */
#include <stdint.h>
#include <string.h>

#ifndef BENCH_HOST
#include "rt.h"
#endif

#ifndef BENCH_ITERS
#define BENCH_ITERS 60
#define BENCH_EXPECT 0x3e994a40u /* gcc -O2 -DBENCH_HOST on the host */
#endif

struct node {
    struct node *next;
    int32_t key;
    int32_t val;
};

static struct node nodes[512];

static uint32_t
list_work(uint32_t seed)
{
    struct node *head = NULL;
    for (int i = 0; i < 512; i++) {
        seed = seed * 1664525u + 1013904223u;
        struct node *n = &nodes[i];
        n->key = (int32_t)(seed >> 20);
        n->val = i;
        /* sorted insert */
        struct node **pp = &head;
        while (*pp != NULL && (*pp)->key < n->key) {
            pp = &(*pp)->next;
        }
        n->next = *pp;
        *pp = n;
    }
    uint32_t sum = 0;
    for (struct node *n = head; n != NULL; n = n->next) {
        sum = sum * 31 + (uint32_t)n->val;
    }
    return sum;
}

static int32_t ma[16][16], mb[16][16], mc[16][16];

static uint32_t
matrix_work(uint32_t seed)
{
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            seed = seed * 1103515245u + 12345u;
            ma[i][j] = (int32_t)(seed >> 16) & 0xff;
            mb[i][j] = (int32_t)(seed >> 8) & 0x7f;
        }
    }
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            int32_t s = 0;
            for (int k = 0; k < 16; k++) {
                s += ma[i][k] * mb[k][j];
            }
            mc[i][j] = s;
        }
    }
    uint32_t sum = 0;
    for (int i = 0; i < 16; i++) {
        sum ^= (uint32_t)mc[i][i] + (uint32_t)mc[i][15 - i] * 3u;
    }
    return sum;
}

enum st { S_START, S_INT, S_FRAC, S_EXP, S_SIGN, S_EXPINT, S_INVALID, S_COUNT };

static const char text[] =
    "5012 1.5e3 -77 +3.25 0x1f 9e-2 abc 42.0e+10 .5 7 8 9 1e 3.14159 -0.001 "
    "123456 e5 12.e4 -4 +.2 1.2.3 77e7 0 00 1-2 +-3 6.02e23 2.71828 99 100";

static uint32_t
state_work(void)
{
    uint32_t counts[S_COUNT] = {0};
    const char *p = text;
    while (*p) {
        enum st s = S_START;
        while (*p && *p != ' ') {
            char c = *p++;
            switch (s) {
            case S_START:
                s = (c >= '0' && c <= '9') ? S_INT : (c == '+' || c == '-') ? S_SIGN
                    : c == '.' ? S_FRAC : S_INVALID;
                break;
            case S_SIGN:
                s = (c >= '0' && c <= '9') ? S_INT : c == '.' ? S_FRAC : S_INVALID;
                break;
            case S_INT:
                s = (c >= '0' && c <= '9') ? S_INT : c == '.' ? S_FRAC
                    : (c == 'e' || c == 'E') ? S_EXP : S_INVALID;
                break;
            case S_FRAC:
                s = (c >= '0' && c <= '9') ? S_FRAC : (c == 'e' || c == 'E') ? S_EXP : S_INVALID;
                break;
            case S_EXP:
                s = (c >= '0' && c <= '9') ? S_EXPINT : (c == '+' || c == '-') ? S_EXPINT
                    : S_INVALID;
                break;
            case S_EXPINT:
                s = (c >= '0' && c <= '9') ? S_EXPINT : S_INVALID;
                break;
            default:
                break;
            }
        }
        counts[s]++;
        while (*p == ' ') {
            p++;
        }
    }
    uint32_t sum = 0;
    for (int i = 0; i < S_COUNT; i++) {
        sum = sum * 7 + counts[i];
    }
    return sum;
}

static uint16_t
crc16(const uint8_t *d, size_t n, uint16_t crc)
{
    while (n--) {
        crc ^= *d++;
        for (int k = 0; k < 8; k++) {
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
        }
    }
    return crc;
}

static uint32_t
ack(uint32_t m, uint32_t n)
{
    if (m == 0) {
        return n + 1;
    }
    if (n == 0) {
        return ack(m - 1, 1);
    }
    return ack(m - 1, ack(m, n - 1));
}

static uint8_t blk_a[4096], blk_b[4096];

uint32_t
bench_run(int iters)
{
    uint32_t sum = 0;
    for (int it = 0; it < iters; it++) {
        sum += list_work((uint32_t)it);
        sum ^= matrix_work((uint32_t)it * 7u);
        sum += state_work();
        for (int k = 0; k < 4; k++) {
            memcpy(blk_a + k * sizeof mc, mc, sizeof mc);
        }
        memcpy(blk_b + (it & 7), blk_a, sizeof blk_b - 8);
        sum += crc16(blk_b, 1024, (uint16_t)it);
        sum += ack(2, 3 + (uint32_t)(it & 3));
    }
    return sum;
}

#ifdef BENCH_HOST
#include <stdio.h>
int
main(void)
{
    printf("0x%08x\n", bench_run(BENCH_ITERS));
    return 0;
}
#else
int
main(const struct vmrv_iplblock *ipl)
{
    (void)ipl;
    uint32_t sum = bench_run(BENCH_ITERS);
    printf("cpu_bench: checksum 0x%08lx\n", (unsigned long)sum);
    CHECK_EQ(sum, BENCH_EXPECT);
    return rt_failures;
}
#endif
