// SPDX-License-Identifier: MIT
/*
 * bench/cp_share.c - SHARE: four CPU-bound VMs on two dispatchers with
 * SHARE 100, 100, 300 and 300.  The split of their virtual CPU over a
 * measuring interval (argv[1] seconds, default 10) is compared with
 * 1:1:3:3.  Target (issue 4): every VM within 10% of its due part.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench/cp_bench.h"

int
main(int argc, char **argv)
{
    unsigned secs = argc > 1 ? (unsigned)atoi(argv[1]) : 10;
    cpb_need("tests/guest/cp_spin.elf");
    static const unsigned shares[4] = {100, 100, 300, 300};
    struct cpb_user users[4];
    for (unsigned i = 0; i < 4; i++) {
        snprintf(users[i].userid, sizeof users[i].userid, "SPIN%u", i + 1);
        users[i].ipl = "SPIN";
        users[i].share = shares[i];
    }
    struct cpb b;
    cpb_start(&b, users, 4, 2, NULL);
    for (unsigned i = 0; i < 4; i++) {
        char why[256];
        if (cp_system_autolog(b.sys, users[i].userid, "BENCH", why, sizeof why) != 0) {
            cpb_die("AUTOLOG %s: %s", users[i].userid, why);
        }
    }
    sleep(2); /* all running, the scheduler settled */
    uint64_t v0[4], v1[4], t;
    for (unsigned i = 0; i < 4; i++) {
        cpb_cpu(&b, users[i].userid, &v0[i], &t);
    }
    uint64_t w0 = cpb_now_ns();
    sleep(secs);
    for (unsigned i = 0; i < 4; i++) {
        cpb_cpu(&b, users[i].userid, &v1[i], &t);
    }
    uint64_t w1 = cpb_now_ns();
    double total = 0, sum_share = 0, worst = 0;
    for (unsigned i = 0; i < 4; i++) {
        total += (double)(v1[i] - v0[i]);
        sum_share += shares[i];
    }
    printf("SHARE 100/100/300/300: four CPU-bound VMs on 2 dispatchers, %.1f s\n",
           (double)(w1 - w0) / 1e9);
    printf("  %-8s %6s %12s %9s %9s %8s\n", "userid", "SHARE", "virt CPU s", "measured", "due",
           "error");
    for (unsigned i = 0; i < 4; i++) {
        double got = total > 0 ? (double)(v1[i] - v0[i]) / total : 0;
        double due = shares[i] / sum_share;
        double err = fabs(got / due - 1.0) * 100.0;
        if (err > worst) {
            worst = err;
        }
        printf("  %-8s %6u %12.2f %8.1f%% %8.1f%% %7.1f%%\n", users[i].userid, shares[i],
               (double)(v1[i] - v0[i]) / 1e6, got * 100, due * 100, err);
    }
    double util = total / ((double)(w1 - w0) / 1e3) * 100.0 / 2.0; /* us / us */
    printf("  dispatchers busy with guests: %.1f%% of 2 cores\n", util);
    printf("  worst deviation from 1:1:3:3: %.1f%% (target within 10%%)\n", worst);
    printf("BENCH cp_share_worst_error %.1f percent\n", worst);
    printf("BENCH cp_share_guest_util %.1f percent\n", util);
    cpb_stop(&b);
    return 0;
}
