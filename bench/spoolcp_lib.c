// SPDX-License-Identifier: MIT
/*
 * bench/spoolcp_lib.c - the setup and teardown the spool-through-CP
 * benchmarks share (bench/spoolcp_lib.h).
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/spoolcp_lib.h"

double
spb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
spb_die(const char *prog, const char *what, const char *why)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, why);
    exit(1);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void
spb_folder(struct spb_env *e, const char *prog, const char *tag,
           void (*add_users)(struct dir *d, void *arg), void *arg)
{
    memset(e, 0, sizeof *e);
    const char *t = getenv("TMPDIR");
    snprintf(e->data, sizeof e->data, "%s/vmrv-%s-XXXXXX", t && *t ? t : P_tmpdir, tag);
    if (!mkdtemp(e->data)) {
        spb_die(prog, "mkdtemp", e->data);
    }
    char err[256] = "";
    struct dir *d = NULL;
    if (dir_open(&d, e->data, DIR_OPEN_CREATE, err, sizeof err) != 0) {
        spb_die(prog, "directory", err);
    }
    add_users(d, arg);
    dir_close(d);
}

void
spb_start(struct spb_env *e, const char *prog)
{
    char err[256] = "";
    cplog_open(e->data, CPLOG_WARN, false);
    if (cp_services_standard(&e->svc, e->data, err, sizeof err) != 0) {
        spb_die(prog, "services", err);
    }
    struct cp_config cfg;
    cp_config_defaults(&cfg);
    cp_config_set(&cfg, "data_dir", e->data, err, sizeof err);
    e->sys = cp_system_create(&cfg, &e->svc, err, sizeof err);
    if (!e->sys || cp_system_start(e->sys) != 0) {
        spb_die(prog, "system", err);
    }
}

void
spb_stop(struct spb_env *e)
{
    cp_system_shutdown(e->sys, 10000);
    cp_system_destroy(e->sys);
    cp_services_standard_free(&e->svc);
    cplog_close();
    nftw(e->data, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
