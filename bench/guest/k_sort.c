// SPDX-License-Identifier: MIT
/*
 * bench/guest/k_sort.c - the memory-heavy kernel of the CPU benchmark: a
 * bottom-up merge sort of 64 Ki random 32-bit keys (256 KiB, with a buffer
 * of the same size: 128 pages, half of what the software TLB maps) followed
 * by a check that the result is sorted and a checksum of it.  Loads and stores dominate.  Linked unchanged into both
 * the VM/RV and the Linux program.
 */
#include <stdint.h>

#define NKEYS 65536

uint64_t bench_kernel(uint64_t iters);

static uint32_t keys[NKEYS], tmp[NKEYS];

static void
merge_pass(const uint32_t *src, uint32_t *dst, unsigned width)
{
    for (unsigned lo = 0; lo < NKEYS; lo += 2 * width) {
        unsigned mid = lo + width, hi = lo + 2 * width;
        unsigned i = lo, j = mid, k = lo;
        while (i < mid && j < hi) {
            dst[k++] = src[i] <= src[j] ? src[i++] : src[j++];
        }
        while (i < mid) {
            dst[k++] = src[i++];
        }
        while (j < hi) {
            dst[k++] = src[j++];
        }
    }
}

uint64_t
bench_kernel(uint64_t iters)
{
    uint64_t sum = 0;
    uint32_t seed = 12345;
    for (uint64_t it = 0; it < iters; it++) {
        for (unsigned i = 0; i < NKEYS; i++) {
            seed = seed * 1103515245u + 12345u;
            keys[i] = seed ^ (seed >> 15);
        }
        uint32_t *src = keys, *dst = tmp;
        for (unsigned w = 1; w < NKEYS; w *= 2) {
            merge_pass(src, dst, w);
            uint32_t *t = src;
            src = dst;
            dst = t;
        }
        for (unsigned i = 1; i < NKEYS; i++) {
            if (src[i - 1] > src[i]) {
                return 0; /* not sorted: a wrong answer */
            }
        }
        for (unsigned i = 0; i < NKEYS; i += 61) {
            sum = sum * 31 + src[i];
        }
    }
    return sum;
}
