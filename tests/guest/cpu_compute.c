// SPDX-License-Identifier: MIT
/*
 * tests/guest/cpu_compute.c - compiled C on the virtual CPU: the code GCC
 * and picolibc produce (compressed instructions, M extension, 128-bit
 * arithmetic, library string and sort routines, deep recursion) computes
 * known answers.  Also a small workload for timing the interpreter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static uint32_t
crc32(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t c = ~0u;
    while (len--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
        }
    }
    return ~c;
}

static unsigned
fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static int
cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int
main(const struct vmrv_iplblock *ipl)
{
    (void)ipl;
    CHECK_EQ(crc32("123456789", 9), 0xCBF43926u);
    CHECK_EQ(fib(24), 46368);

    /* M extension through the compiler, with values it cannot fold */
    volatile int64_t a = INT64_MIN, m1 = -1, z = 0, seven = 7;
    CHECK_EQ((uint64_t)(a / seven), (uint64_t)(INT64_MIN / 7));
    CHECK_EQ((uint64_t)(a % seven), (uint64_t)(INT64_MIN % 7));
    volatile unsigned __int128 big = (unsigned __int128)UINT64_MAX * 3u;
    CHECK_EQ((uint64_t)(big >> 64), 2);
    CHECK_EQ((uint64_t)big, UINT64_MAX - 2);
    (void)m1;
    (void)z;

    /* picolibc's routines, misaligned copies included */
    static char src[300], dst[300];
    for (int i = 0; i < 300; i++) {
        src[i] = (char)(i * 7);
    }
    memcpy(dst + 3, src + 1, 250);
    CHECK(memcmp(dst + 3, src + 1, 250) == 0);
    memmove(dst + 1, dst + 3, 200);
    CHECK(memcmp(dst + 1, src + 1, 200) == 0);

    static int arr[2000];
    uint32_t s = 12345;
    for (int i = 0; i < 2000; i++) {
        s = s * 1103515245u + 12345u;
        arr[i] = (int)(s >> 8);
    }
    qsort(arr, 2000, sizeof arr[0], cmp);
    int sorted = 1;
    for (int i = 1; i < 2000; i++) {
        sorted &= arr[i - 1] <= arr[i];
    }
    CHECK(sorted);

    /* a misaligned 64-bit access the compiler cannot split */
    static uint8_t buf[16];
    uint64_t v = 0x0102030405060708ull;
    memcpy(buf + 3, &v, 8);
    volatile uint64_t *pv = (volatile uint64_t *)(void *)(buf + 3);
    CHECK_EQ(*pv, v);
    return rt_failures;
}
