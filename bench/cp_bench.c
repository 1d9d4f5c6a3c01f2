// SPDX-License-Identifier: MIT
/*
 * bench/cp_bench.c - the shared part of CP's benchmarks (bench/cp_bench.h).
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/cp_bench.h"
#include "cp/dir.h"
#include "cp/log.h"
#include "cp/passwd.h"
#include "cp/system.h"

void
cpb_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void
cpb_need(const char *path)
{
    if (access(path, R_OK) != 0) {
        printf("skipped: %s is not built\n", path);
        exit(0);
    }
}

uint64_t
cpb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
cpb_proc_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
cpb_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) {
        return 0;
    }
    char line[256];
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "VmRSS: %llu kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb * 1024;
}

static void
link_system(const char *data, const char *name, const char *file)
{
    char from[PATH_MAX], to[PATH_MAX + 64];
    if (!realpath(file, from)) {
        return; /* not built: users that IPL it fail, the benchmark says so */
    }
    snprintf(to, sizeof to, "%s/systems/%s.elf", data, name);
    if (symlink(from, to) != 0) {
        cpb_die("symlink %s: %s", to, strerror(errno));
    }
}

void
cpb_start(struct cpb *b, const struct cpb_user *users, size_t n, unsigned dispatchers,
          const char *const *config)
{
    memset(b, 0, sizeof *b);
    const char *t = getenv("TMPDIR");
    snprintf(b->data, sizeof b->data, "%s/vmrv-bench-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(b->data)) {
        cpb_die("mkdtemp: %s", strerror(errno));
    }
    /* every VM holds a few descriptors at most; raise the limit anyway */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* the directory: one import, one password hash for everyone */
    passwd_set_cost(1);
    char hash[256];
    if (passwd_hash("BENCHPASSWORD", hash, sizeof hash) != 0) {
        cpb_die("passwd_hash failed");
    }
    size_t cap = 256 + n * 160, len = 0;
    char *text = malloc(cap);
    if (!text) {
        cpb_die("out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(text + len, cap - len, "USER %s %s 32M 64M G\n IPL %s\n",
                                users[i].userid, hash, users[i].ipl ? users[i].ipl : "CMS");
        if (users[i].share) {
            len += (size_t)snprintf(text + len, cap - len, " SHARE %u\n", users[i].share);
        }
    }
    struct dir *d = NULL;
    char err[256] = "";
    if (dir_open(&d, b->data, DIR_OPEN_CREATE, err, sizeof err) != 0) {
        cpb_die("dir_open: %s", err);
    }
    struct dir_report rep = {0};
    int rc = dir_import(d, text, len, 0, &rep);
    if (rc != 0) {
        cpb_die("directory import failed (%d, %u errors)", rc, rep.errors);
    }
    dir_close(d);
    free(text);
    char sysdir[PATH_MAX];
    snprintf(sysdir, sizeof sysdir, "%s/systems", b->data);
    if (mkdir(sysdir, 0700) != 0) {
        cpb_die("mkdir %s: %s", sysdir, strerror(errno));
    }
    link_system(b->data, "CMS", "cms/cms.elf");
    link_system(b->data, "SPIN", "tests/guest/cp_spin.elf");
    link_system(b->data, "ECHO", "tests/guest/diag_conread.elf");
    if (cplog_open(b->data, CPLOG_WARN, false) != 0) {
        cpb_die("cannot open the log in %s", b->data);
    }
    if (cp_services_standard(&b->svc, b->data, err, sizeof err) != 0) {
        cpb_die("services: %s", err);
    }
    struct cp_config cfg;
    cp_config_defaults(&cfg);
    char num[16], maxvms[24];
    snprintf(num, sizeof num, "%u", dispatchers);
    snprintf(maxvms, sizeof maxvms, "%zu", n + 10);
    const char *base[][2] = {
        {"dispatchers", num}, {"timezone", "UTC"}, {"data_dir", b->data},
        {"max_vms", maxvms}, {"disconnect_timeout", "0"},
    };
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
        if (cp_config_set(&cfg, base[i][0], base[i][1], err, sizeof err) != 0) {
            cpb_die("config %s: %s", base[i][0], err);
        }
    }
    for (size_t i = 0; config && config[i]; i++) {
        char key[64];
        const char *eq = strchr(config[i], '=');
        if (!eq || (size_t)(eq - config[i]) >= sizeof key) {
            cpb_die("bad config %s", config[i]);
        }
        memcpy(key, config[i], (size_t)(eq - config[i]));
        key[eq - config[i]] = '\0';
        if (cp_config_set(&cfg, key, eq + 1, err, sizeof err) != 0) {
            cpb_die("config %s: %s", key, err);
        }
    }
    b->sys = cp_system_create(&cfg, &b->svc, err, sizeof err);
    if (!b->sys || cp_system_start(b->sys) != 0) {
        cpb_die("CP did not start: %s", err);
    }
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

void
cpb_stop(struct cpb *b)
{
    cp_system_shutdown(b->sys, 20000);
    cp_system_destroy(b->sys);
    cp_services_standard_free(&b->svc);
    cplog_close();
    nftw(b->data, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void *
cpb_vm(struct cpb *b, const char *userid)
{
    struct cp_user *u = cp_user_find(b->sys, userid, false);
    if (!u) {
        return NULL;
    }
    void *vm = u->vm;
    cp_user_put(u);
    return vm;
}

void
cpb_cpu(struct cpb *b, const char *userid, uint64_t *virt_us, uint64_t *total_us)
{
    *virt_us = *total_us = 0;
    void *vm = cpb_vm(b, userid);
    if (vm && b->svc.vm && b->svc.vm->cpu_times) {
        b->svc.vm->cpu_times(vm, virt_us, total_us);
    }
}
