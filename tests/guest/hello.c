// SPDX-License-Identifier: MIT
/* tests/guest/hello.c - the smallest C guest: prints through the console
 * DIAG and checks the IPL block CP wrote. */
#include <string.h>

#include "rt.h"

int
main(const struct vmrv_iplblock *ipl)
{
    CHECK_EQ(ipl->magic, VMRV_IPL_MAGIC);
    CHECK_EQ(ipl->version, VMRV_IPL_VERSION);
    CHECK_EQ(ipl->timebase_hz, VMRV_TIMEBASE_HZ);
    CHECK(ipl->storage_size >= (4u << 20));
    printf("hello from the guest, %d\n", 42);
    return rt_failures;
}
