// SPDX-License-Identifier: MIT
/*
 * tests/guest/spool_closes.c - a guest for bench/spoolcp_close.c: punches
 * files of ten 80-byte records, closing each with DIAG 0x1000, as many as
 * its IPL parameter says (default 100), then ends with TEST EXIT (its exit
 * code is the number of calls that failed).
 */
#include <string.h>

#include "rt.h"

int
main(const struct vmrv_iplblock *ipl)
{
    unsigned long n = 0;
    for (unsigned i = 0; i < sizeof ipl->parm && ipl->parm[i] >= '0' && ipl->parm[i] <= '9'; i++) {
        n = n * 10 + (unsigned long)(ipl->parm[i] - '0');
    }
    if (n == 0) {
        n = 100;
    }
    char rec[80];
    memset(rec, 'x', sizeof rec);
    int bad = 0;
    for (unsigned long f = 0; f < n; f++) {
        for (int r = 0; r < 10; r++) {
            bad += diag_call(DIAG_UR_WRITE, 0x00D, (unsigned long)rec, sizeof rec, 0, 0, 0).error != 0;
        }
        bad += diag_call(DIAG_UR_WRITE, 0x00D, 0, 0, DIAG_UR_CLOSE, (unsigned long)"BENCH DATA", 10)
                   .error != 0;
    }
    return bad;
}
