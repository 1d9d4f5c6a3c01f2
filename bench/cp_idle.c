// SPDX-License-Identifier: MIT
/*
 * bench/cp_idle.c - many logged-on, disconnected VMs at their idle CMS
 * prompt: CP's CPU use over a measuring interval and host memory per VM,
 * with a breakdown.  Targets (issue 4): under 1% of one core in total,
 * under 200 KiB per VM.
 *
 * In-process (bench/cp_bench.h): N users (default 1000, argv[1]) with IPL
 * CMS are AUTOLOGged onto 2 dispatchers, with committed storage above
 * their total; when every one waits for console input (VM READ) the
 * process's CPU time is measured for argv[2] seconds (default 10).  Memory
 * per VM is the growth of the process's RSS divided by N; the breakdown
 * counts guest storage actually backed, the CPU's state and translations,
 * the console and CP's user block, and calls the remainder "other" (the VM
 * layer's objects and malloc overhead: each guest frame is a separate
 * page-aligned allocation, and glibc leaves a gap of up to a page before
 * each one when small allocations sit between them).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/cp_bench.h"
#include "cp/console.h"
#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/system.h"

int
main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
    unsigned secs = argc > 2 ? (unsigned)atoi(argv[2]) : 10;
    if (n < 1 || secs < 1) {
        cpb_die("usage: cp_idle [VMS [SECONDS]]");
    }
    cpb_need("cms/cms.elf");
    struct cpb_user *users = calloc(n, sizeof *users);
    for (unsigned i = 0; i < n; i++) {
        snprintf(users[i].userid, sizeof users[i].userid, "IDLE%04u", i % 10000);
        users[i].ipl = "CMS";
    }
    char committed[32];
    snprintf(committed, sizeof committed, "committed_storage=%uG", n / 16 + 8);
    const char *conf[] = {committed, "real_storage=64G", NULL};
    struct cpb b;
    cpb_start(&b, users, n, 2, conf);
    uint64_t rss0 = cpb_rss_bytes();
    uint64_t t0 = cpb_now_ns();
    for (unsigned i = 0; i < n; i++) {
        char why[256];
        if (cp_system_autolog(b.sys, users[i].userid, "BENCH", why, sizeof why) != 0) {
            cpb_die("AUTOLOG %s: %s", users[i].userid, why);
        }
    }
    /* wait until every CMS waits at its prompt */
    unsigned ready = 0;
    for (int tries = 0; tries < 1200 && ready < n; tries++) {
        usleep(50000);
        ready = 0;
        for (unsigned i = 0; i < n; i++) {
            struct cp_user *u = cp_user_find(b.sys, users[i].userid, false);
            if (u) {
                ready += con_guest_reading(u->con) ? 1 : 0;
                cp_user_put(u);
            }
        }
    }
    uint64_t t1 = cpb_now_ns();
    if (ready < n) {
        cpb_die("only %u of %u VMs reached the CMS prompt in 60 s", ready, n);
    }
    sleep(1); /* let the last IPLs' work settle */
    uint64_t rss1 = cpb_rss_bytes();
    uint64_t c0 = cpb_proc_cpu_ns(), w0 = cpb_now_ns();
    sleep(secs);
    uint64_t c1 = cpb_proc_cpu_ns(), w1 = cpb_now_ns();
    double cpu_pct = 100.0 * (double)(c1 - c0) / (double)(w1 - w0);

    /* the breakdown, summed over the VMs */
    const struct cp_vm_ops *vo = b.svc.vm;
    uint64_t stor_b = 0, map_b = 0, cpu_b = 0, con_b = 0;
    for (unsigned i = 0; i < n; i++) {
        struct cp_user *u = cp_user_find(b.sys, users[i].userid, false);
        if (!u) {
            continue;
        }
        if (u->vm) {
            struct stor *st = vo->stor(u->vm);
            stor_b += stor_resident_pages(st) * 4096;
            map_b += stor_map_footprint(st);
            cpu_b += rv_cpu_footprint(vo->cpu(u->vm));
        }
        con_b += con_footprint(u->con);
        cp_user_put(u);
    }
    double per = (double)(rss1 > rss0 ? rss1 - rss0 : 0) / n / 1024.0;
    double s_k = (double)stor_b / n / 1024.0, m_k = (double)map_b / n / 1024.0;
    double c_k = (double)cpu_b / n / 1024.0, k_k = (double)con_b / n / 1024.0;
    double u_k = (double)sizeof(struct cp_user) / 1024.0;
    double other = per - s_k - m_k - c_k - k_k - u_k;

    printf("CP with %u disconnected VMs idle at the CMS prompt (2 dispatchers)\n", n);
    printf("  AUTOLOG of all and IPL to the prompt   %8.2f s\n", (double)(t1 - t0) / 1e9);
    printf("  measuring interval                     %8.2f s\n", (double)(w1 - w0) / 1e9);
    printf("  CP CPU in the interval                 %8.3f %% of one core (target < 1%%)\n",
           cpu_pct);
    printf("  host memory per VM (RSS growth / VMs)  %8.1f KiB (target < 200 KiB)\n", per);
    printf("    guest storage backed                 %8.1f KiB\n", s_k);
    printf("    guest storage page map               %8.1f KiB\n", m_k);
    printf("    CPU state and translations           %8.1f KiB\n", c_k);
    printf("    console (state and ring)             %8.1f KiB\n", k_k);
    printf("    CP user block                        %8.1f KiB\n", u_k);
    printf("    other (VM layer; malloc's gaps around%8.1f KiB\n", other);
    printf("      the page-aligned 4 KiB guest frames)\n");
    printf("BENCH cp_idle_vms %u count\n", n);
    printf("BENCH cp_idle_cpu %.3f percent_of_core\n", cpu_pct);
    printf("BENCH cp_idle_mem_per_vm %.1f KiB\n", per);
    printf("BENCH cp_idle_mem_guest_storage %.1f KiB\n", s_k);
    printf("BENCH cp_idle_mem_cpu %.1f KiB\n", c_k);
    printf("BENCH cp_idle_mem_console %.1f KiB\n", k_k);
    cpb_stop(&b);
    free(users);
    return 0;
}
