// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_fakes.c - the fakes of tests/test_cp_fakes.h: a directory,
 * a VM layer with a fake CPU and fake storage (this file defines the
 * cp/rv.h and cp/stor.h functions CP calls, so the tests need no real
 * CPU), and a recording terminal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <errno.h>

#include "cp/rv.h"
#include "cp/stor.h"
#include "tests/test_cp_fakes.h"
#include "tests/test_cp_harness.h"
#include "vmrv/ipl.h"

pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- the directory ---------------------------------------------------------- */

static const struct cp_dirent dir_table[] = {
    {"MAINT", false, 0, 32ull << 20, 256ull << 20, 100, "", ""},
    {"OPERATOR", false, 0, 32ull << 20, 0, 100, "", ""},
    {"BOB", false, 0, 32ull << 20, 64ull << 20, 100, "CMS", ""},
    {"ALICE", false, 0, 32ull << 20, 0, 100, "", ""},
    {"CAROL", false, 0, 32ull << 20, 0, 100, "", ""},
    {"ANALYST", false, 0, 32ull << 20, 0, 100, "", ""},
    {"RESOP", false, 0, 32ull << 20, 0, 100, "", ""},
    {"NOLOGU", true, 0, 32ull << 20, 0, 100, "", ""},
    {"BIGUSER", false, 0, 2ull << 30, 0, 100, "", ""},
    {"AUTO1", false, 0, 32ull << 20, 0, 100, "CMS", "AUTOPARM"},
};
static const char *const dir_classes[] = {"ABCDEFG", "ABCEG", "G", "G", "G",
                                          "E",       "B",     "G", "G", "G"};

int fake_dir_delay_ms;

int
fake_dir_lookup(void *ctx, const char *userid, struct cp_dirent *out)
{
    int delay = __atomic_load_n(&fake_dir_delay_ms, __ATOMIC_RELAXED);
    if (delay > 0) {
        usleep((useconds_t)delay * 1000); /* a slow directory */
    }
    for (size_t i = 0; i < sizeof dir_table / sizeof dir_table[0]; i++) {
        if (strcasecmp(dir_table[i].userid, userid) == 0) {
            *out = dir_table[i];
            out->classes = cp_classes_parse(dir_classes[i]);
            return 0;
        }
    }
    if (strcasecmp(userid, "DIRFAIL") == 0) {
        return -EIO;
    }
    return -ENOENT;
}

/* ---- the CPU and storage, as far as CP uses them ---------------------------- */

uint64_t
rv_reg_get(const struct rv_cpu *cpu, unsigned n)
{
    return n == 0 || n > 31 ? 0 : cpu->x[n];
}

void
rv_reg_set(struct rv_cpu *cpu, unsigned n, uint64_t value)
{
    if (n > 0 && n < 32) {
        cpu->x[n] = value;
    }
}

uint64_t
rv_pc_get(const struct rv_cpu *cpu)
{
    return cpu->pc;
}

void
rv_pc_set(struct rv_cpu *cpu, uint64_t pc)
{
    cpu->pc = pc;
}

int
rv_priv_get(const struct rv_cpu *cpu)
{
    return cpu->priv;
}

static bool
csr_known(unsigned csr)
{
    static const unsigned known[] = {0x100, 0x104, 0x105, 0x106, 0x10A, 0x140, 0x141,
                                     0x142, 0x143, 0x144, 0x180, 0xC00, 0xC01, 0xC02};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (known[i] == csr) {
            return true;
        }
    }
    return false;
}

int
rv_csr_read(struct rv_cpu *cpu, unsigned csr, uint64_t *value)
{
    if (!csr_known(csr)) {
        return -1;
    }
    *value = cpu->csr[csr];
    return 0;
}

int
rv_csr_write(struct rv_cpu *cpu, unsigned csr, uint64_t value)
{
    if (!csr_known(csr) || csr >= 0xC00) {
        return -1;
    }
    cpu->csr[csr] = value;
    return 0;
}

void
rv_cpu_stats(const struct rv_cpu *cpu, struct rv_stats *out)
{
    memset(out, 0, sizeof *out);
    out->instret = 123456;
    out->blocks_translated = cpu->stats_blocks;
    out->insns_patched = cpu->stats_patched;
    out->invalidations = 3;
    out->hypercalls = 42;
    out->exceptions[8] = 7;
    out->exceptions[2] = 1;
    out->interrupts[5] = 11;
}

uint64_t
stor_size(const struct stor *st)
{
    return st->size;
}

int
stor_read(struct stor *st, uint64_t gpa, void *dst, size_t len)
{
    if (gpa >= st->size || len > st->size - gpa) {
        return -EFAULT;
    }
    for (size_t i = 0; i < len; i++) {
        ((unsigned char *)dst)[i] = gpa + i < FAKE_STOR_BYTES ? st->mem[gpa + i] : 0;
    }
    return 0;
}

int
stor_write(struct stor *st, uint64_t gpa, const void *src, size_t len)
{
    if (gpa >= st->size || len > st->size - gpa) {
        return -EFAULT;
    }
    for (size_t i = 0; i < len; i++) {
        if (gpa + i < FAKE_STOR_BYTES) {
            st->mem[gpa + i] = ((const unsigned char *)src)[i];
        }
    }
    return 0;
}

/* ---- the VM layer --------------------------------------------------------------- */

#define MAX_FVM 64
static struct fvm *fvms[MAX_FVM];
static int nfvm;

struct fvm *
fake_vm(const char *userid)
{
    struct fvm *r = NULL;
    pthread_mutex_lock(&fake_lock);
    for (int i = 0; i < nfvm; i++) {
        if (strcasecmp(fvms[i]->userid, userid) == 0) {
            r = fvms[i];
        }
    }
    pthread_mutex_unlock(&fake_lock);
    return r;
}

void
fake_vm_reset(void)
{
    pthread_mutex_lock(&fake_lock);
    for (int i = 0; i < nfvm; i++) {
        free(fvms[i]->st.mem);
        free(fvms[i]);
    }
    nfvm = 0;
    pthread_mutex_unlock(&fake_lock);
}

static void *
f_create(void *svc_ctx, struct cp_user *u, const struct cp_dirent *de, char *err, size_t errlen)
{
    struct fvm *f = calloc(1, sizeof *f);
    f->u = u;
    snprintf(f->userid, sizeof f->userid, "%s", de->userid);
    f->cpu.priv = RV_PRIV_S;
    f->st.size = de->storage ? de->storage : VMRV_DEFAULT_STORAGE;
    f->st.mem = calloc(1, FAKE_STOR_BYTES);
    f->storage = f->st.size;
    f->cpu.stats_blocks = 17;
    f->cpu.stats_patched = 5;
    pthread_mutex_lock(&fake_lock);
    if (nfvm < MAX_FVM) {
        fvms[nfvm++] = f;
    }
    pthread_mutex_unlock(&fake_lock);
    return f;
}

static void
f_destroy(void *vm)
{
    struct fvm *f = vm;
    pthread_mutex_lock(&fake_lock);
    f->destroyed = true;
    f->u = NULL;
    pthread_mutex_unlock(&fake_lock);
}

static enum disp_result
f_run(void *vm, struct disp_slice *sl)
{
    struct fvm *f = vm;
    pthread_mutex_lock(&fake_lock);
    f->runs++;
    bool diag = f->diag_pending;
    f->diag_pending = false;
    bool echo = f->echo, busy = f->busy;
    pthread_mutex_unlock(&fake_lock);
    if (diag) {
        char resp[1024];
        size_t full = 0;
        size_t cap = f->diag_cap ? f->diag_cap : sizeof resp;
        int rc = cp_diag_command(f->u, f->diag_cmd, strlen(f->diag_cmd), resp, cap, &full,
                                 f->diag_console);
        pthread_mutex_lock(&fake_lock);
        memcpy(f->diag_resp, resp, full < cap ? full : cap);
        f->diag_resp[full < cap ? full : cap] = '\0';
        f->diag_full = full;
        f->diag_rc = rc;
        f->diag_done++;
        pthread_mutex_unlock(&fake_lock);
        return DISP_YIELD;
    }
    if (echo) {
        struct console *con = cp_user_console(f->u);
        for (;;) {
            char buf[256], line[300];
            size_t len, full, taken;
            int rc = con_read(con, buf, sizeof buf, &len, &full);
            if (rc == CON_EINTR) {
                pthread_mutex_lock(&fake_lock);
                f->eintr++;
                pthread_mutex_unlock(&fake_lock);
                continue;
            }
            if (rc == CON_EAGAIN) {
                return DISP_WAIT;
            }
            int n = snprintf(line, sizeof line, "ECHO: %.*s", (int)len, buf);
            con_write(con, line, (size_t)n, true, &taken);
        }
    }
    if (busy) {
        sl->charge_ns = sl->budget_ns;
        usleep(200);
        return DISP_RUN_MORE;
    }
    return DISP_WAIT;
}

static void
f_kick(void *vm)
{
}

static int
f_ipl(void *vm, const char *what, const char *parm, struct cp_out *out)
{
    struct fvm *f = vm;
    if (strcmp(what, "BAD") == 0) {
        cp_out_msg(out, MSG_IPLFAIL, what, "no such system");
        return MSG_IPLFAIL;
    }
    pthread_mutex_lock(&fake_lock);
    f->ipls++;
    snprintf(f->last_ipl, sizeof f->last_ipl, "%s", what);
    snprintf(f->last_parm, sizeof f->last_parm, "%s", parm);
    f->cpu.pc = VMRV_SEG_CMS_BASE;
    pthread_mutex_unlock(&fake_lock);
    return 0;
}

static void
f_reset(void *vm, bool clear)
{
    struct fvm *f = vm;
    pthread_mutex_lock(&fake_lock);
    f->resets++;
    f->clears += clear;
    memset(f->cpu.x, 0, sizeof f->cpu.x);
    f->cpu.pc = 0;
    if (clear) {
        memset(f->st.mem, 0, FAKE_STOR_BYTES);
    }
    pthread_mutex_unlock(&fake_lock);
}

static int
f_define_storage(void *vm, uint64_t bytes, struct cp_out *out)
{
    struct fvm *f = vm;
    pthread_mutex_lock(&fake_lock);
    f->storage = bytes;
    f->st.size = bytes;
    pthread_mutex_unlock(&fake_lock);
    return 0;
}

static struct rv_cpu *
f_cpu(void *vm)
{
    return &((struct fvm *)vm)->cpu;
}

static struct stor *
f_stor(void *vm)
{
    return &((struct fvm *)vm)->st;
}

static bool
f_attention(void *vm)
{
    struct fvm *f = vm;
    pthread_mutex_lock(&fake_lock);
    f->attentions++;
    bool second = f->attn_pending;
    f->attn_pending = true;
    pthread_mutex_unlock(&fake_lock);
    return second;
}

void
fake_vm_claim(struct fvm *f)
{
    pthread_mutex_lock(&fake_lock);
    f->attn_pending = false;
    pthread_mutex_unlock(&fake_lock);
}

static void
f_console_ready(void *vm)
{
    pthread_mutex_lock(&fake_lock);
    ((struct fvm *)vm)->console_ready++;
    pthread_mutex_unlock(&fake_lock);
}

static void
f_stats(void *vm, struct cp_out *out)
{
    cp_out_line(out, "  DIAG 058 console          3");
}

static void
f_query_virtual(void *vm, struct cp_out *out)
{
    cp_out_line(out, "RDR 00C CL * NOHOLD");
    cp_out_line(out, "DASD 191 3390 BOB 191 R/W");
}

static int
f_detach(void *vm, unsigned vaddr, struct cp_out *out)
{
    if (vaddr != 0x191) {
        char a[8];
        snprintf(a, sizeof a, "%03X", vaddr);
        cp_out_msg(out, MSG_NODEV, a);
        return MSG_NODEV;
    }
    return 0;
}

static int
f_link(void *vm, const char *owner, unsigned owner_vaddr, unsigned vaddr, const char *mode,
       const char *password, struct cp_out *out)
{
    if (strcmp(owner, "MAINT") != 0 || owner_vaddr != 0x190) {
        char a[8];
        snprintf(a, sizeof a, "%03X", owner_vaddr);
        cp_out_msg(out, MSG_LINKFAIL, owner, a, "no such minidisk");
        return MSG_LINKFAIL;
    }
    return 0;
}

const struct cp_vm_ops fake_vm_ops = {
    .create = f_create,
    .destroy = f_destroy,
    .run = f_run,
    .kick = f_kick,
    .ipl = f_ipl,
    .reset = f_reset,
    .define_storage = f_define_storage,
    .cpu = f_cpu,
    .stor = f_stor,
    .attention = f_attention,
    .console_ready = f_console_ready,
    .stats = f_stats,
    .query_virtual = f_query_virtual,
    .detach = f_detach,
    .link = f_link,
};

/* ---- a system -------------------------------------------------------------------------- */

static char log_dir[256];

struct cp_system *
fake_system(const char *conf, char *logdir, size_t logdirlen)
{
    fake_vm_reset();
    struct cp_config cfg;
    cp_config_defaults(&cfg);
    char err[256];
    assert_int_equal(cp_config_set(&cfg, "dispatchers", "1", err, sizeof err), 0);
    assert_int_equal(cp_config_set(&cfg, "slice", "5ms", err, sizeof err), 0);
    assert_int_equal(cp_config_set(&cfg, "logmsg", "Welcome to the test system", err, sizeof err),
                     0);
    assert_int_equal(cp_config_set(&cfg, "timezone", "UTC", err, sizeof err), 0);
    if (conf && cp_config_parse(&cfg, "test", conf, err, sizeof err) != 0) {
        fail_msg("%s", err);
    }
    harness_tmpdir(log_dir, sizeof log_dir);
    assert_int_equal(cplog_open(log_dir, CPLOG_DEBUG, false), 0);
    if (logdir) {
        snprintf(logdir, logdirlen, "%s", log_dir);
    }
    struct cp_services svc = {.dir_lookup = fake_dir_lookup, .vm = &fake_vm_ops};
    struct cp_system *sys = cp_system_create(&cfg, &svc, err, sizeof err);
    assert_non_null(sys);
    assert_int_equal(cp_system_start(sys), 0);
    return sys;
}

void
fake_system_end(struct cp_system *sys)
{
    assert_int_equal(cp_system_shutdown(sys, 3000), 0);
    cp_system_destroy(sys);
    cplog_close();
    harness_rmtree(log_dir);
    fake_vm_reset();
}

struct fterm *
fake_logon(struct cp_system *sys, const char *userid)
{
    struct fterm *t = fterm_new();
    char why[256] = "";
    int rc = cp_logon(sys, userid, "127.0.0.1:5555", &fterm_ops, t, &t->s, why, sizeof why);
    if (rc != 0) {
        fail_msg("logon %s: %d %s", userid, rc, why);
    }
    assert_true(fterm_wait(t, "LOGON AT", 2000));
    return t;
}
