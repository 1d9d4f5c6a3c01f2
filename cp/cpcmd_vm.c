// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_vm.c - CP commands that work on the user's own virtual machine:
 * DISPLAY and STORE (registers, PC, CSRs, storage, through cp/rv.h and
 * cp/stor.h), TRACE, IPL, SYSTEM RESET/CLEAR, DEFINE STORAGE, DETACH, LINK,
 * and the teaching display QUERY TRANSLATION.  They run on the dispatcher
 * thread that runs the VM (console commands and exec arrive through the
 * mailbox, DIAG 0x008 is inside the VM's own slice), so touching the CPU
 * and storage here is safe.  The VM's life (IPL, reset, storage size) is
 * the VM layer's, through struct cp_vm_ops.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/cpcmd.h"
#include "cp/cpcmd_devjob.h"
#include "cp/rv.h"
#include "cp/stor.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

#define DISPLAY_MAX 4096 /* bytes of storage one DISPLAY shows */
#define STORE_MAX 256 /* bytes one STORE writes */

static const char *const reg_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const struct {
    const char *name;
    unsigned num;
} csrs[] = {
    {"SSTATUS", 0x100}, {"SIE", 0x104},      {"STVEC", 0x105},   {"SCOUNTEREN", 0x106},
    {"SENVCFG", 0x10A}, {"SSCRATCH", 0x140}, {"SEPC", 0x141},    {"SCAUSE", 0x142},
    {"STVAL", 0x143},   {"SIP", 0x144},      {"SATP", 0x180},    {"CYCLE", 0xC00},
    {"TIME", 0xC01},    {"INSTRET", 0xC02},
};
#define NCSRS (sizeof csrs / sizeof csrs[0])

static struct rv_cpu *
vm_cpu(struct cpcmd_ctx *c)
{
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    struct rv_cpu *cpu = vo && vo->cpu ? vo->cpu(c->u->vm) : NULL;
    if (!cpu) {
        cp_out_msg(c->out, MSG_NOTAVAIL, c->cmd->name, "the virtual CPU cannot be reached");
    }
    return cpu;
}

static struct stor *
vm_stor(struct cpcmd_ctx *c)
{
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    struct stor *st = vo && vo->stor ? vo->stor(c->u->vm) : NULL;
    if (!st) {
        cp_out_msg(c->out, MSG_NOTAVAIL, c->cmd->name, "the virtual storage cannot be reached");
    }
    return st;
}

/* "5", "x5", "a0", "fp" -> 0..31, or -1. */
static int
reg_number(const char *s)
{
    if (!*s) {
        return -1;
    }
    if (strcasecmp(s, "fp") == 0) {
        return 8;
    }
    for (int i = 0; i < 32; i++) {
        if (strcasecmp(s, reg_names[i]) == 0) {
            return i;
        }
    }
    const char *d = (s[0] == 'x' || s[0] == 'X') ? s + 1 : s;
    if (!*d) {
        return -1;
    }
    char *end = NULL;
    long n = strtol(d, &end, 10);
    if (*end || n < 0 || n > 31 || !isdigit((unsigned char)*d)) {
        return -1;
    }
    return (int)n;
}

/* The register named by the G operand: "G" + name in one token, or "G" then a
 * token.  -2 means "all" (bare G at the end, DISPLAY only); -1 after a message. */
static int
reg_operand(struct cpcmd_ctx *c, const char *w, bool allow_all)
{
    const char *name = w + 1;
    if (!*name) {
        const char *next = cpcmd_peek(c);
        if (!next || (allow_all && reg_number(next) < 0)) {
            if (allow_all) {
                return -2;
            }
            cpcmd_missing(c, "a register");
            return -1;
        }
        name = cpcmd_next(c);
    }
    int r = reg_number(name);
    if (r < 0) {
        cp_out_msg(c->out, MSG_INVREG, name);
    }
    return r;
}

static int
csr_number(struct cpcmd_ctx *c, const char *w)
{
    for (size_t i = 0; i < NCSRS; i++) {
        if (strcasecmp(w, csrs[i].name) == 0) {
            return (int)csrs[i].num;
        }
    }
    uint64_t v;
    if (!cpcmd_hex(c, w, &v) || v > 0xFFF) {
        if (c->out->rc == 0) {
            cp_out_msg(c->out, MSG_INVREG, w);
        }
        return -1;
    }
    return (int)v;
}

static const char *
csr_name(unsigned num)
{
    for (size_t i = 0; i < NCSRS; i++) {
        if (csrs[i].num == num) {
            return csrs[i].name;
        }
    }
    return "CSR";
}

/* "2000", "2000-203F", "2000.40" -> address and length. */
static bool
parse_range(struct cpcmd_ctx *c, const char *w, uint64_t *addr, uint64_t *len)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", w);
    char *sep = strpbrk(buf, "-.");
    char kind = sep ? *sep : 0;
    if (sep) {
        *sep = '\0';
    }
    if (!cpcmd_hex(c, buf, addr)) {
        return false;
    }
    *len = 16;
    if (kind) {
        uint64_t v;
        if (!cpcmd_hex(c, sep + 1, &v)) {
            return false;
        }
        if (kind == '-') {
            if (v < *addr) {
                cp_out_msg(c->out, MSG_INVOPND, w);
                return false;
            }
            *len = v - *addr + 1;
        } else {
            *len = v;
        }
    }
    if (*len == 0 || *len > DISPLAY_MAX) {
        char lim[32];
        snprintf(lim, sizeof lim, "1 to %d bytes", DISPLAY_MAX);
        cp_out_msg(c->out, MSG_RANGE, w, lim);
        return false;
    }
    return true;
}

static void
show_reg(struct cpcmd_ctx *c, struct rv_cpu *cpu, int r)
{
    cp_out_line(c->out, "X%-2d %-4s = %016llX", r, reg_names[r],
                (unsigned long long)rv_reg_get(cpu, (unsigned)r));
}

static int
display_storage(struct cpcmd_ctx *c, const char *w)
{
    uint64_t addr, len;
    if (!parse_range(c, w, &addr, &len)) {
        return c->out->rc;
    }
    struct stor *st = vm_stor(c);
    if (!st) {
        return c->out->rc;
    }
    uint64_t size = stor_size(st);
    if (addr >= size || len > size - addr) {
        char a[24], s[24];
        snprintf(a, sizeof a, "%llX", (unsigned long long)(addr + (addr >= size ? 0 : len - 1)));
        cp_format_size(size, s, sizeof s);
        cp_out_msg(c->out, MSG_ADDR, a, s);
        return MSG_ADDR;
    }
    unsigned char buf[DISPLAY_MAX];
    if (stor_read(st, addr, buf, len) != 0) {
        cp_out_msg(c->out, MSG_ADDR, w, "read failed");
        return MSG_ADDR;
    }
    for (uint64_t off = 0; off < len; off += 16) {
        char hex[64], chars[20];
        size_t h = 0;
        uint64_t n = len - off < 16 ? len - off : 16;
        for (uint64_t i = 0; i < 16; i++) {
            if (i < n) {
                h += (size_t)snprintf(hex + h, sizeof hex - h, "%02X", buf[off + i]);
                chars[i] = isprint(buf[off + i]) ? (char)buf[off + i] : '.';
            } else {
                h += (size_t)snprintf(hex + h, sizeof hex - h, "  ");
            }
            if (i % 4 == 3 && i != 15) {
                hex[h++] = ' ';
                hex[h] = '\0';
            }
        }
        chars[n] = '\0';
        cp_out_line(c->out, "%08llX  %s  *%s*", (unsigned long long)(addr + off), hex, chars);
    }
    return 0;
}

int
cpcmd_display(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "G, PSW, CSR or an address");
    }
    int rc = 0;
    if (toupper((unsigned char)w[0]) == 'G') {
        int r = reg_operand(c, w, true);
        if (r == -1 || (rc = cpcmd_no_more(c))) {
            return rc ? rc : c->out->rc;
        }
        struct rv_cpu *cpu = vm_cpu(c);
        if (!cpu) {
            return c->out->rc;
        }
        if (r >= 0) {
            show_reg(c, cpu, r);
            return 0;
        }
        for (int i = 0; i < 32; i += 4) {
            cp_out_line(c->out, "X%02d-%02d  %-4s %016llX  %-4s %016llX  %-4s %016llX  %-4s %016llX",
                        i, i + 3, reg_names[i], (unsigned long long)rv_reg_get(cpu, (unsigned)i),
                        reg_names[i + 1], (unsigned long long)rv_reg_get(cpu, (unsigned)i + 1),
                        reg_names[i + 2], (unsigned long long)rv_reg_get(cpu, (unsigned)i + 2),
                        reg_names[i + 3], (unsigned long long)rv_reg_get(cpu, (unsigned)i + 3));
        }
        return 0;
    }
    if (strcasecmp(w, "PSW") == 0 || strcasecmp(w, "PC") == 0) {
        if ((rc = cpcmd_no_more(c))) {
            return rc;
        }
        struct rv_cpu *cpu = vm_cpu(c);
        if (!cpu) {
            return c->out->rc;
        }
        uint64_t ss = 0, sie = 0, sip = 0;
        rv_csr_read(cpu, 0x100, &ss);
        rv_csr_read(cpu, 0x104, &sie);
        rv_csr_read(cpu, 0x144, &sip);
        cp_out_line(c->out, "PSW  PC=%016llX PRIV=%s SSTATUS=%016llX SIE=%03llX SIP=%03llX",
                    (unsigned long long)rv_pc_get(cpu), rv_priv_get(cpu) == RV_PRIV_S ? "S" : "U",
                    (unsigned long long)ss, (unsigned long long)sie, (unsigned long long)sip);
        return 0;
    }
    if (strcasecmp(w, "CSR") == 0) {
        const char *n = cpcmd_next(c);
        int num = -1;
        if (n && (num = csr_number(c, n)) < 0) {
            return c->out->rc;
        }
        if ((rc = cpcmd_no_more(c))) {
            return rc;
        }
        struct rv_cpu *cpu = vm_cpu(c);
        if (!cpu) {
            return c->out->rc;
        }
        for (size_t i = 0; i < NCSRS; i++) {
            unsigned k = num >= 0 ? (unsigned)num : csrs[i].num;
            uint64_t v;
            if (rv_csr_read(cpu, k, &v) < 0) {
                char a[8];
                snprintf(a, sizeof a, "%03X", k);
                cp_out_msg(c->out, MSG_INVREG, a);
                return MSG_INVREG;
            }
            cp_out_line(c->out, "%-10s (%03X) = %016llX", csr_name(k), k, (unsigned long long)v);
            if (num >= 0) {
                break;
            }
        }
        return 0;
    }
    if ((rc = cpcmd_no_more(c))) {
        return rc;
    }
    return display_storage(c, w);
}

/* Hex bytes as typed: "DEADBEEF" -> DE AD BE EF. */
static bool
hex_bytes(struct cpcmd_ctx *c, const char *w, unsigned char *out, size_t *n, size_t max)
{
    size_t len = strlen(w);
    if (len == 0 || len % 2) {
        cp_out_msg(c->out, MSG_INVHEX, w);
        return false;
    }
    for (size_t i = 0; i < len; i += 2) {
        if (!isxdigit((unsigned char)w[i]) || !isxdigit((unsigned char)w[i + 1])) {
            cp_out_msg(c->out, MSG_INVHEX, w);
            return false;
        }
        if (*n >= max) {
            char lim[32];
            snprintf(lim, sizeof lim, "at most %zu bytes", max);
            cp_out_msg(c->out, MSG_RANGE, w, lim);
            return false;
        }
        char two[3] = {w[i], w[i + 1], 0};
        out[(*n)++] = (unsigned char)strtoul(two, NULL, 16);
    }
    return true;
}

/* STORE's last operands: the hex value (missing: "what"), the end of the
 * command, then the CPU.  NULL when any of them is missing or bad; the
 * message is written and sets the command's return code. */
static struct rv_cpu *
store_value(struct cpcmd_ctx *c, const char *what, uint64_t *v)
{
    const char *val = cpcmd_next(c);
    if (!val) {
        cpcmd_missing(c, what);
        return NULL;
    }
    if (!cpcmd_hex(c, val, v) || cpcmd_no_more(c)) {
        return NULL;
    }
    return vm_cpu(c);
}

int
cpcmd_store(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "G, PSW, CSR or an address");
    }
    uint64_t v;
    if (toupper((unsigned char)w[0]) == 'G') {
        int r = reg_operand(c, w, false);
        if (r < 0) {
            return c->out->rc;
        }
        struct rv_cpu *cpu = store_value(c, "a value", &v);
        if (!cpu) {
            return c->out->rc;
        }
        rv_reg_set(cpu, (unsigned)r, v);
        show_reg(c, cpu, r);
        return 0;
    }
    if (strcasecmp(w, "PSW") == 0 || strcasecmp(w, "PC") == 0) {
        struct rv_cpu *cpu = store_value(c, "an address", &v);
        if (!cpu) {
            return c->out->rc;
        }
        rv_pc_set(cpu, v);
        cp_out_line(c->out, "PSW  PC=%016llX", (unsigned long long)rv_pc_get(cpu));
        return 0;
    }
    if (strcasecmp(w, "CSR") == 0) {
        const char *n = cpcmd_next(c);
        if (!n) {
            return cpcmd_missing(c, "a CSR name");
        }
        int num = csr_number(c, n);
        if (num < 0) {
            return c->out->rc;
        }
        struct rv_cpu *cpu = store_value(c, "a value", &v);
        if (!cpu) {
            return c->out->rc;
        }
        if (rv_csr_write(cpu, (unsigned)num, v) < 0) {
            cp_out_msg(c->out, MSG_INVREG, n);
            return MSG_INVREG;
        }
        uint64_t now = 0;
        rv_csr_read(cpu, (unsigned)num, &now);
        cp_out_line(c->out, "%-10s (%03X) = %016llX", csr_name((unsigned)num), (unsigned)num,
                    (unsigned long long)now);
        return 0;
    }
    uint64_t addr;
    if (!cpcmd_hex(c, w, &addr)) {
        return MSG_INVHEX;
    }
    unsigned char data[STORE_MAX];
    size_t n = 0;
    const char *d;
    while ((d = cpcmd_next(c))) {
        if (!hex_bytes(c, d, data, &n, sizeof data)) {
            return c->out->rc;
        }
    }
    if (n == 0) {
        return cpcmd_missing(c, "hexadecimal data");
    }
    struct stor *st = vm_stor(c);
    if (!st) {
        return c->out->rc;
    }
    uint64_t size = stor_size(st);
    if (addr >= size || n > size - addr) {
        char a[24], s[24];
        snprintf(a, sizeof a, "%llX", (unsigned long long)addr);
        cp_format_size(size, s, sizeof s);
        cp_out_msg(c->out, MSG_ADDR, a, s);
        return MSG_ADDR;
    }
    if (stor_write(st, addr, data, n) != 0) {
        cp_out_msg(c->out, MSG_FAILED, "STORE", "storage could not be written");
        return MSG_FAILED;
    }
    cp_out_line(c->out, "STORED %zu BYTES AT %08llX", n, (unsigned long long)addr);
    return 0;
}

int
cpcmd_trace(struct cpcmd_ctx *c)
{
    static const struct {
        const char *word;
        unsigned min;
        unsigned flags;
    } words[] = {
        {"INSTRUCTIONS", 3, CP_TRACE_INSN}, {"DIAGNOSE", 4, CP_TRACE_ECALL},
        {"ECALL", 2, CP_TRACE_ECALL},       {"SVC", 3, CP_TRACE_ECALL},
        {"TRAPS", 4, CP_TRACE_PROG},        {"PROGRAM", 4, CP_TRACE_PROG},
        {"INTERRUPTS", 3, CP_TRACE_EXT},    {"EXTERNAL", 3, CP_TRACE_EXT},
        {"ALL", 3, CP_TRACE_ALL},
    };
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "INSTRUCTIONS, DIAGNOSE, TRAPS, INTERRUPTS, ALL or END");
    }
    unsigned cur = cp_user_trace(c->u);
    if (cpcmd_abbrev(w, "END", 3) || strcasecmp(w, "OFF") == 0) {
        int rc = cpcmd_no_more(c);
        if (rc) {
            return rc;
        }
        __atomic_store_n(&c->u->trace, 0u, __ATOMIC_RELAXED);
        cp_out_line(c->out, "Trace ended");
        return 0;
    }
    while (w) {
        unsigned f = 0;
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
            if (cpcmd_abbrev(w, words[i].word, words[i].min)) {
                f = words[i].flags;
                break;
            }
        }
        if (!f) {
            cp_out_msg(c->out, MSG_INVOPT, w);
            return MSG_INVOPT;
        }
        const char *next = cpcmd_peek(c);
        if (next && (strcasecmp(next, "OFF") == 0 || strcasecmp(next, "ON") == 0)) {
            cpcmd_next(c);
            cur = strcasecmp(next, "OFF") == 0 ? cur & ~f : cur | f;
        } else {
            cur |= f;
        }
        w = cpcmd_next(c);
    }
    __atomic_store_n(&c->u->trace, cur, __ATOMIC_RELAXED);
    return cpcmd_q_trace(c);
}

/* IPL of a device run asynchronously (cpcmd_run_async): the disk is read on
 * an I/O worker; the VM is started and the done callback follows on the
 * VM's thread.  The old guest is gone from the start. */
struct ipl_job {
    struct cp_io_job j;
    struct cp_system *sys;
    struct cp_user *u; /* a reference */
    struct cp_out out;
    cpcmd_done_fn done;
    void *done_ctx;
    void *h;
    int rc;
    char parm[VMRV_IPL_PARM_MAX + 1];
};

static void
ipl_reply(struct cp_user *u, void *p)
{
    struct ipl_job *ij = p;
    const struct cp_vm_ops *vo = ij->sys->svc.vm;
    int rc = ij->rc;
    if (rc == 0 && u->vm) {
        rc = vo->ipl_dev_start(u->vm, ij->h, ij->parm, &ij->out);
        if (rc == 0) {
            cp_user_set_guest(u, true);
        }
    } else {
        vo->ipl_dev_free(ij->h);
    }
    ij->done(u, ij->done_ctx, rc, &ij->out);
    cp_out_fini(&ij->out);
    cp_user_put(ij->u);
    free(ij);
}

static void
ipl_work(struct cp_io_job *j)
{
    struct ipl_job *ij = (struct ipl_job *)j;
    const struct cp_vm_ops *vo = ij->sys->svc.vm;
    ij->rc = vo->ipl_dev_read(ij->h, &ij->out);
    if (cp_user_post_ptr(ij->u, ipl_reply, ij, true) != 0) {
        vo->ipl_dev_free(ij->h); /* the user is gone */
        cp_out_fini(&ij->out);
        cp_user_put(ij->u);
        free(ij);
    }
}

int
cpcmd_ipl(struct cpcmd_ctx *c)
{
    const char *what = cpcmd_next(c);
    if (!what) {
        return cpcmd_missing(c, "a system name or device");
    }
    char name[16];
    if (strlen(what) > 8) {
        cp_out_msg(c->out, MSG_INVOPND, what);
        return MSG_INVOPND;
    }
    for (size_t i = 0; i <= strlen(what); i++) {
        name[i] = (char)toupper((unsigned char)what[i]);
    }
    const char *parm = "";
    const char *w = cpcmd_peek(c);
    if (w) {
        if (!cpcmd_abbrev(w, "PARM", 4)) {
            cp_out_msg(c->out, MSG_INVOPT, w);
            return MSG_INVOPT;
        }
        cpcmd_next(c);
        parm = cpcmd_rest(c);
        if (!parm) {
            return cpcmd_missing(c, "the PARM text");
        }
        if (strlen(parm) > VMRV_IPL_PARM_MAX) {
            char max[16];
            snprintf(max, sizeof max, "%d", VMRV_IPL_PARM_MAX);
            cp_out_msg(c->out, MSG_TOOLONG, max);
            return MSG_TOOLONG;
        }
    }
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    if (!vo || !vo->ipl) {
        cp_out_msg(c->out, MSG_NOTAVAIL, "IPL", "this system cannot IPL");
        return MSG_NOTAVAIL;
    }
    /* the old guest is gone whatever happens now */
    cp_user_set_guest(c->u, false);
    if (c->done && !c->u->transient && c->sys->io && vo->ipl_dev_open && vo->ipl_dev_read &&
        vo->ipl_dev_start && vo->ipl_dev_free) {
        void *h = NULL;
        int orc = vo->ipl_dev_open(c->u->vm, name, &h, c->out);
        if (orc > 1) {
            return orc; /* a device, refused */
        }
        struct ipl_job *ij = orc == 0 ? calloc(1, sizeof *ij) : NULL;
        if (orc == 0 && !ij) {
            vo->ipl_dev_free(h);
        } else if (ij) {
            ij->sys = c->sys;
            ij->u = c->u;
            cp_user_get(c->u);
            cp_out_init(&ij->out, c->u);
            ij->done = c->done;
            ij->done_ctx = c->done_ctx;
            ij->h = h;
            snprintf(ij->parm, sizeof ij->parm, "%s", parm);
            cp_io_submit(c->sys, &ij->j, ipl_work);
            return CPCMD_ASYNC;
        }
        /* not a device (or no memory for the job): below, on this thread */
    }
    int rc = vo->ipl(c->u->vm, name, parm, c->out);
    if (rc) {
        if (c->out->rc == 0) {
            cp_out_msg(c->out, MSG_IPLFAIL, name, "the system could not be loaded");
        }
        return c->out->rc;
    }
    cp_user_set_guest(c->u, true);
    return 0;
}

int
cpcmd_system(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "RESET or CLEAR");
    }
    bool clear;
    if (cpcmd_abbrev(w, "RESET", 3)) {
        clear = false;
    } else if (cpcmd_abbrev(w, "CLEAR", 3)) {
        clear = true;
    } else {
        cp_out_msg(c->out, MSG_INVOPT, w);
        return MSG_INVOPT;
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    if (!vo || !vo->reset) {
        cp_out_msg(c->out, MSG_NOTAVAIL, "SYSTEM", "this system cannot reset a virtual machine");
        return MSG_NOTAVAIL;
    }
    vo->reset(c->u->vm, clear);
    cp_user_set_guest(c->u, false);
    cp_out_msg(c->out, MSG_RESET, clear ? "cleared" : "unchanged");
    return 0;
}

static bool
is_tdisk_word(const char *w)
{
    return w && (strcasecmp(w, "TDISK") == 0 || strcasecmp(w, "TEMPDASD") == 0 ||
                 strcasecmp(w, "T3390") == 0);
}

/* DEFINE STORAGE resets the VM: after the slice; DEFINE TDISK adds a disk
 * as LINK does, and the program waits for its answer. */
bool
cpcmd_define_defers(const char *op1)
{
    return !is_tdisk_word(op1);
}

int
cpcmd_define(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "STORAGE or TDISK");
    }
    if (strcasecmp(w, "TDISK") == 0 || strcasecmp(w, "TEMPDASD") == 0) {
        return cpcmd_define_tdisk(c, false);
    }
    if (strcasecmp(w, "T3390") == 0) {
        return cpcmd_define_tdisk(c, true);
    }
    if (!cpcmd_abbrev(w, "STORAGE", 4)) {
        char what[48];
        snprintf(what, sizeof what, "DEFINE %s", w);
        cp_out_msg(c->out, MSG_NOTAVAIL, what,
                   "DEFINE STORAGE and DEFINE TDISK are in this release");
        return MSG_NOTAVAIL;
    }
    const char *sz = cpcmd_next(c);
    if (!sz) {
        return cpcmd_missing(c, "a size such as 64M");
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    uint64_t bytes;
    if (cp_parse_size(sz, &bytes) < 0) {
        cp_out_msg(c->out, MSG_INVSTOR, sz, "not a size");
        return MSG_INVSTOR;
    }
    if (bytes < (1u << 20) || bytes > VMRV_MAX_STORAGE || bytes % DIAG_PAGE_SIZE) {
        cp_out_msg(c->out, MSG_INVSTOR, sz, "1M to 4G, a multiple of 4K");
        return MSG_INVSTOR;
    }
    struct cp_user *u = c->u;
    uint64_t max = u->dir.maxstorage ? u->dir.maxstorage : u->dir.storage;
    if (!max) {
        max = VMRV_DEFAULT_STORAGE;
    }
    if (bytes > max) {
        char m[24];
        cp_format_size(max, m, sizeof m);
        cp_out_msg(c->out, MSG_MAXSTOR, sz, m);
        return MSG_MAXSTOR;
    }
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    if (!vo || !vo->define_storage) {
        cp_out_msg(c->out, MSG_NOTAVAIL, "DEFINE STORAGE", "not in this system");
        return MSG_NOTAVAIL;
    }
    pthread_mutex_lock(&u->lock);
    uint64_t old = u->storage;
    pthread_mutex_unlock(&u->lock);
    if (cp_commit_storage(c->sys, old, bytes) != 0) {
        char a[24], b[24];
        cp_format_size(bytes - (old < bytes ? old : bytes), a, sizeof a);
        cp_format_size(c->sys->cfg.committed_storage, b, sizeof b);
        cp_out_msg(c->out, MSG_COMMITTED, a, b);
        return MSG_COMMITTED;
    }
    rc = vo->define_storage(u->vm, bytes, c->out);
    if (rc) {
        cp_commit_storage(c->sys, bytes, old);
        return c->out->rc ? c->out->rc : rc;
    }
    pthread_mutex_lock(&u->lock);
    u->storage = bytes;
    pthread_mutex_unlock(&u->lock);
    cp_user_set_guest(u, false);
    char s[24];
    cp_format_size(bytes, s, sizeof s);
    cp_out_msg(c->out, MSG_STORDEF, s);
    return 0;
}

static bool
vaddr(struct cpcmd_ctx *c, const char *w, unsigned *out)
{
    uint64_t v;
    size_t n = strlen(w);
    bool ok = n >= 1 && n <= 4;
    for (size_t i = 0; ok && i < n; i++) {
        ok = isxdigit((unsigned char)w[i]);
    }
    if (!ok || (v = strtoull(w, NULL, 16)) > 0xFFF) {
        cp_out_msg(c->out, MSG_INVDEV, w);
        return false;
    }
    *out = (unsigned)v;
    return true;
}

int
cpcmd_detach(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "a device address");
    }
    unsigned va;
    if (!vaddr(c, w, &va)) {
        return MSG_INVDEV;
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    if (!vo || !vo->detach) {
        cp_out_msg(c->out, MSG_NOTAVAIL, "DETACH", "not in this system");
        return MSG_NOTAVAIL;
    }
    rc = vo->detach(c->u->vm, va, c->out);
    if (rc == 0) {
        char a[8];
        snprintf(a, sizeof a, "%03X", va);
        cp_out_msg(c->out, MSG_DETACHED, a);
    }
    return rc ? (c->out->rc ? c->out->rc : rc) : 0;
}

/* LINK run asynchronously (cpcmd_run_async): the directory read and the
 * image open run on an I/O worker (cp_vm_ops.link_prepare); the attach and
 * the done callback follow on the VM's thread (cp/cpcmd_devjob.h). */
struct link_job {
    struct cpcmd_devjob dj; /* first */
    char owner[CP_USERID_MAX + 1], mode[4], password[16];
    bool has_password;
    unsigned v1, v2;
};

static void
linked(struct cp_out *out, const char *owner, unsigned v1, unsigned v2, const char *mode)
{
    char s1[8], s2[8];
    snprintf(s1, sizeof s1, "%03X", v1);
    snprintf(s2, sizeof s2, "%03X", v2);
    cp_out_msg(out, MSG_LINKED, owner, s1, s2, mode);
}

static void *
link_job_prepare(struct cpcmd_devjob *j)
{
    struct link_job *lj = (struct link_job *)j;
    return j->sys->svc.vm->link_prepare(j->sys->svc.ctx, j->u->userid, lj->owner, lj->v1,
                                        lj->mode, lj->has_password ? lj->password : NULL,
                                        &j->out);
}

static int
link_job_attach(struct cpcmd_devjob *j, void *vm, void *prep)
{
    struct link_job *lj = (struct link_job *)j;
    int rc = j->sys->svc.vm->link_attach(vm, prep, lj->v2, &j->out);
    if (rc == 0) {
        linked(&j->out, lj->owner, lj->v1, lj->v2, lj->mode);
    }
    return rc;
}

static void
link_job_release(struct cpcmd_devjob *j, void *prep)
{
    j->sys->svc.vm->link_free(prep);
}

static const struct cpcmd_devjob_ops link_job_ops = {
    .prepare = link_job_prepare,
    .attach = link_job_attach,
    .release = link_job_release,
    .fail_msg = MSG_LINKFAIL,
};

int
cpcmd_link(struct cpcmd_ctx *c)
{
    static const char *const modes[] = {"R", "RR", "W", "WR", "M", "MR", "MW"};
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "userid");
    }
    char owner[CP_USERID_MAX + 1];
    if (strcmp(w, "*") == 0) {
        snprintf(owner, sizeof owner, "%s", c->u->userid);
    } else if (!cpcmd_userid(c, w, owner)) {
        return MSG_INVUSER;
    }
    unsigned v1, v2;
    const char *a = cpcmd_next(c);
    if (!a) {
        return cpcmd_missing(c, "the owner's device address");
    }
    if (!vaddr(c, a, &v1)) {
        return MSG_INVDEV;
    }
    const char *b = cpcmd_next(c);
    if (!b) {
        return cpcmd_missing(c, "your device address");
    }
    if (!vaddr(c, b, &v2)) {
        return MSG_INVDEV;
    }
    char mode[4] = "R";
    const char *password = NULL;
    const char *m = cpcmd_next(c);
    if (m && !cpcmd_abbrev(m, "PASS", 4)) {
        bool ok = false;
        for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
            if (strcasecmp(m, modes[i]) == 0) {
                snprintf(mode, sizeof mode, "%s", modes[i]);
                ok = true;
            }
        }
        if (!ok) {
            cp_out_msg(c->out, MSG_INVOPT, m);
            return MSG_INVOPT;
        }
        m = cpcmd_next(c);
    }
    if (m) {
        if (!cpcmd_abbrev(m, "PASS", 4)) {
            cp_out_msg(c->out, MSG_INVOPT, m);
            return MSG_INVOPT;
        }
        password = cpcmd_next(c);
        if (!password) {
            return cpcmd_missing(c, "the password");
        }
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    if (!vo || !vo->link) {
        cp_out_msg(c->out, MSG_NOTAVAIL, "LINK", "not in this system");
        return MSG_NOTAVAIL;
    }
    struct link_job *lj = NULL;
    if (vo->link_prepare && vo->link_attach && vo->link_free &&
        (!password || strlen(password) < sizeof lj->password)) {
        lj = cpcmd_devjob_new(c, sizeof *lj, &link_job_ops);
    }
    if (lj) {
        snprintf(lj->owner, sizeof lj->owner, "%s", owner);
        snprintf(lj->mode, sizeof lj->mode, "%s", mode);
        if (password) {
            lj->has_password = true;
            snprintf(lj->password, sizeof lj->password, "%s", password);
        }
        lj->v1 = v1;
        lj->v2 = v2;
        return cpcmd_devjob_submit(&lj->dj);
    }
    /* the caller wants the answer now: all on this thread */
    rc = vo->link(c->u->vm, owner, v1, v2, mode, password, c->out);
    if (rc == 0) {
        linked(c->out, owner, v1, v2, mode);
    }
    return rc ? (c->out->rc ? c->out->rc : rc) : 0;
}

/* ---- QUERY TRANSLATION: the teaching display --------------------------------------------------- */

static const char *const exc_names[16] = {
    "instruction misaligned", "instruction access fault", "illegal instruction", "breakpoint",
    "load misaligned", "load access fault", "store misaligned", "store access fault",
    "ecall from U-mode", "ecall from S-mode", "cause 10", "cause 11",
    "instruction page fault", "load page fault", "cause 14", "store page fault",
};

static const char *const irq_names[16] = {
    "irq 0", "supervisor software", "irq 2", "irq 3", "irq 4", "supervisor timer", "irq 6",
    "irq 7", "irq 8", "supervisor external", "irq 10", "irq 11", "irq 12", "irq 13", "irq 14",
    "irq 15",
};

int
cpcmd_q_translation(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    struct rv_cpu *cpu = vm_cpu(c);
    if (!cpu) {
        return c->out->rc;
    }
    struct rv_stats st;
    memset(&st, 0, sizeof st);
    rv_cpu_stats(cpu, &st);
    cp_out_line(c->out, "Scan and translate for %s:", c->u->userid);
    cp_out_line(c->out, "  instructions retired    %20llu", (unsigned long long)st.instret);
    cp_out_line(c->out, "  basic blocks translated %20llu", (unsigned long long)st.blocks_translated);
    cp_out_line(c->out, "  instructions patched    %20llu  (sensitive: turned into traps)",
                (unsigned long long)st.insns_patched);
    cp_out_line(c->out, "  translations dropped    %20llu  (stores into code, fence.i, CP writes)",
                (unsigned long long)st.invalidations);
    cp_out_line(c->out, "  hypercalls (S-mode ecall) %18llu", (unsigned long long)st.hypercalls);
    bool any = false;
    for (int i = 0; i < 16; i++) {
        if (st.exceptions[i]) {
            if (!any) {
                cp_out_line(c->out, "  traps reflected to the guest, by cause:");
                any = true;
            }
            cp_out_line(c->out, "    %2d %-26s %16llu", i, exc_names[i],
                        (unsigned long long)st.exceptions[i]);
        }
    }
    for (int i = 0; i < 16; i++) {
        if (st.interrupts[i]) {
            if (!any) {
                cp_out_line(c->out, "  traps reflected to the guest, by cause:");
                any = true;
            }
            cp_out_line(c->out, "    interrupt %-21s %16llu", irq_names[i],
                        (unsigned long long)st.interrupts[i]);
        }
    }
    if (!any) {
        cp_out_line(c->out, "  no traps reflected to the guest yet");
    }
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    if (vo && vo->stats) {
        vo->stats(c->u->vm, c->out);
    }
    return 0;
}
