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
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cp/cp.h"
#include "cp/dir.h"
#include "cp/spool_cp.h"

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what, const char *why)
{
    fprintf(stderr, "spoolcp_close: %s: %s\n", what, why);
    exit(1);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* Runs `vms` VMs each closing `files` files; returns closes per second. */
static double
round_of(const char *elf, int vms, int files, double *ms)
{
    const char *t = getenv("TMPDIR");
    char data[512], err[256] = "";
    snprintf(data, sizeof data, "%s/vmrv-spoolcp-close-XXXXXX", t && *t ? t : P_tmpdir);
    if (!mkdtemp(data)) {
        die("mkdtemp", data);
    }
    struct dir *d = NULL;
    if (dir_open(&d, data, DIR_OPEN_CREATE, err, sizeof err) != 0) {
        die("directory", err);
    }
    for (int i = 0; i < vms; i++) {
        struct dir_entry e;
        char id[9];
        snprintf(id, sizeof id, "B%d", i);
        dir_entry_init(&e, id);
        snprintf(e.user.classes, sizeof e.user.classes, "G");
        snprintf(e.user.ipl, sizeof e.user.ipl, "SPCLOSE");
        snprintf(e.user.iplparm, sizeof e.user.iplparm, "%d", files);
        e.user.storage = e.user.maxstorage = 8u << 20;
        if (dir_entry_put(d, &e, DIR_PUT_CREATE) != 0 ||
            dir_password_set(d, id, "Bench-pass-1") != 0) {
            die("directory", dir_errmsg(d));
        }
    }
    dir_close(d);
    char sysdir[600], link[700];
    snprintf(sysdir, sizeof sysdir, "%s/systems", data);
    snprintf(link, sizeof link, "%s/SPCLOSE.elf", sysdir);
    if (mkdir(sysdir, 0700) != 0 || symlink(elf, link) != 0) {
        die("systems", sysdir);
    }
    cplog_open(data, CPLOG_WARN, false);
    struct cp_services svc;
    if (cp_services_standard(&svc, data, err, sizeof err) != 0) {
        die("services", err);
    }
    struct cp_config cfg;
    cp_config_defaults(&cfg);
    cp_config_set(&cfg, "data_dir", data, err, sizeof err);
    struct cp_system *sys = cp_system_create(&cfg, &svc, err, sizeof err);
    if (!sys || cp_system_start(sys) != 0) {
        die("system", err);
    }
    double t0 = now_ms();
    for (int i = 0; i < vms; i++) {
        char id[9], why[200];
        snprintf(id, sizeof id, "B%d", i);
        if (cp_system_autolog(sys, id, "BENCH", why, sizeof why) != 0) {
            die("AUTOLOG", why);
        }
    }
    struct spool_stats st;
    uint32_t want = (uint32_t)(vms * files);
    for (int i = 0; i < 120000; i++) {
        spool_stats(cpsp_store(svc.spool), &st);
        if (st.files >= want) {
            break;
        }
        usleep(1000);
    }
    *ms = now_ms() - t0;
    if (st.files < want) {
        die("closes", "not every file arrived within two minutes");
    }
    cp_system_shutdown(sys, 10000);
    cp_system_destroy(sys);
    cp_services_standard_free(&svc);
    cplog_close();
    nftw(data, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return want / (*ms / 1e3);
}

int
main(int argc, char **argv)
{
    const char *elf = argc > 1 ? argv[1] : "tests/guest/spool_closes.elf";
    char abs[4096];
    if (!realpath(elf, abs)) {
        die("guest program", elf);
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
