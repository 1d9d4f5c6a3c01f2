// SPDX-License-Identifier: MIT
/*
 * bench/spoolcp_close.c - spool files closed per second by guests through
 * CP (make bench): CP proper on the real directory, VM layer, CPU and
 * spool in a temporary data folder; 1 VM, then 50 VMs at once, each
 * AUTOLOGged with tests/guest/spool_closes.elf, punch files of ten 80-byte
 * records and close each with DIAG 0x1000 (the VM waits for the group
 * commit, the dispatcher does not).  Times from the first AUTOLOG until
 * every file is in the spool.  Prints a table, then "BENCH" lines.
 * Target: over 1,000 closes per second with 50 writers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/spoolcp_lib.h"

#define PROG "spoolcp_close"

struct users {
    int vms, files;
};

/* B0..B<vms-1>, class G, IPL SPCLOSE with the file count as parameter. */
static void
add_users(struct dir *d, void *arg)
{
    const struct users *us = arg;
    for (int i = 0; i < us->vms; i++) {
        struct dir_entry e;
        char id[16];
        snprintf(id, sizeof id, "B%d", i);
        dir_entry_init(&e, id);
        snprintf(e.user.classes, sizeof e.user.classes, "G");
        snprintf(e.user.ipl, sizeof e.user.ipl, "SPCLOSE");
        snprintf(e.user.iplparm, sizeof e.user.iplparm, "%d", us->files);
        e.user.storage = e.user.maxstorage = 8u << 20;
        if (dir_entry_put(d, &e, DIR_PUT_CREATE) != 0 ||
            dir_password_set(d, id, "Bench-pass-1") != 0) {
            spb_die(PROG, "directory", dir_errmsg(d));
        }
    }
}

/* Runs `vms` VMs each closing `files` files; returns closes per second. */
static double
round_of(const char *elf, int vms, int files, double *ms)
{
    struct spb_env env;
    struct users us = {vms, files};
    spb_folder(&env, PROG, "spoolcp-close", add_users, &us);
    char sysdir[600], link[700];
    snprintf(sysdir, sizeof sysdir, "%s/systems", env.data);
    snprintf(link, sizeof link, "%s/SPCLOSE.elf", sysdir);
    if (mkdir(sysdir, 0700) != 0 || symlink(elf, link) != 0) {
        spb_die(PROG, "systems", sysdir);
    }
    spb_start(&env, PROG);
    double t0 = spb_now_ms();
    for (int i = 0; i < vms; i++) {
        char id[16], why[200];
        snprintf(id, sizeof id, "B%d", i);
        if (cp_system_autolog(env.sys, id, "BENCH", why, sizeof why) != 0) {
            spb_die(PROG, "AUTOLOG", why);
        }
    }
    struct spool_stats st;
    uint32_t want = (uint32_t)(vms * files);
    for (int i = 0; i < 120000; i++) {
        spool_stats(cpsp_store(env.svc.spool), &st);
        if (st.files >= want) {
            break;
        }
        usleep(1000);
    }
    *ms = spb_now_ms() - t0;
    if (st.files < want) {
        spb_die(PROG, "closes", "not every file arrived within two minutes");
    }
    spb_stop(&env);
    return want / (*ms / 1e3);
}

int
main(int argc, char **argv)
{
    const char *elf = argc > 1 ? argv[1] : "tests/guest/spool_closes.elf";
    char abs[4096];
    if (!realpath(elf, abs)) {
        spb_die(PROG, "guest program", elf);
    }
    double ms1, ms50;
    double one = round_of(abs, 1, 500, &ms1);
    double fifty = round_of(abs, 50, 40, &ms50);
    printf("Spool files closed by guests through CP (DIAG 0x1000, 10 records each)\n");
    printf("  %-36s %8.0f ms %10.0f closes/s\n", "1 VM, 500 files", ms1, one);
    printf("  %-36s %8.0f ms %10.0f closes/s\n", "50 VMs at once, 40 files each", ms50, fifty);
    printf("  (times include logging the VMs on and IPLing them)\n");
    printf("BENCH spoolcp_closes_1vm %.0f closes/s\n", one);
    printf("BENCH spoolcp_closes_50vm %.0f closes/s\n", fifty);
    return 0;
}
