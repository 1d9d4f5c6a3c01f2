// SPDX-License-Identifier: MIT
/*
 * tests/guest/cp_spin.c - a CPU-bound guest for CP's dispatcher benchmarks
 * (bench/cp_share.c, bench/cp_response.c): integer work in a loop that
 * never ends and never calls CP.  With an IPL parameter N it stops after
 * N million iterations (exit code 0), so it can also run as a test.
 */
#include <stdint.h>
#include <stdlib.h>

#include "rt.h"

int
main(const struct vmrv_iplblock *ipl)
{
    uint64_t limit = 0;
    for (uint32_t i = 0; i < ipl->parm_len && ipl->parm[i] >= '0' && ipl->parm[i] <= '9'; i++) {
        limit = limit * 10 + (uint64_t)(ipl->parm[i] - '0');
    }
    limit *= 1000000;
    volatile uint64_t sink = 0;
    uint64_t x = 88172645463325252ull;
    for (uint64_t n = 0; limit == 0 || n < limit; n++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        sink += x;
    }
    printf("spin done %llu\n", (unsigned long long)(sink & 1));
    return 0;
}
