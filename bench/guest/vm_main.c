// SPDX-License-Identifier: MIT
/*
 * bench/guest/vm_main.c - the VM/RV side of a CPU benchmark program: reads
 * the iteration count from the IPL parameter string (decimal) and returns
 * the kernel's checksum.  No library calls, so the kernel's instructions
 * are all that runs besides a few dozen here.
 */
#include <stdint.h>

#include <vmrv/ipl.h>

uint64_t bench_kernel(uint64_t iters);
uint64_t bench_main(const struct vmrv_iplblock *ipl);

uint64_t
bench_main(const struct vmrv_iplblock *ipl)
{
    uint64_t iters = 0;
    for (uint32_t i = 0; i < ipl->parm_len && i < VMRV_IPL_PARM_MAX; i++) {
        char c = ipl->parm[i];
        if (c < '0' || c > '9') {
            break;
        }
        iters = iters * 10 + (uint64_t)(c - '0');
    }
    return bench_kernel(iters);
}
