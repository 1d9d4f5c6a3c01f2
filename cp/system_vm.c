// SPDX-License-Identifier: MIT
/*
 * cp/system_vm.c - CP's users on the real virtual machine layer: struct
 * cp_vm_ops (cp/cp.h) implemented over cp/vm.h, and the CP services a VM
 * reaches by DIAG (struct vm_cp_ops): 0x008 CP command and 0x068 messages.
 * The directory side (entries, minidisks, LINK) is cp/system_dir.c;
 * cp_services_standard() puts both together for `vmrv ipl`.
 *
 * A user's VM is a struct cpvm: the struct vm, its console device (an
 * adapter from struct vdev_console_ops to the user's struct console), and
 * the queue of special messages for DIAG 0x068.  Every function here runs
 * on the dispatcher thread that runs the user, except smsg (any thread:
 * it queues, then posts the event through the user's mailbox).
 *
 * Named systems: IPL NAME attaches the named saved system built from
 * DATA/systems/NAME.elf (or name.elf), shared by every VM (cp/nss.h); an
 * ELF outside the saved-segment window is loaded privately.  IPL of a
 * device is not in this release.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cp/cpcmd.h"
#include "cp/nss.h"
#include "cp/paging.h"
#include "cp/spool_cp.h"
#include "cp/stor.h"
#include "cp/system_std.h"
#include "cp/vdev.h"
#include "cp/vm.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

#define SMSG_QUEUE 16
#define HCALL_KINDS 48 /* distinct hypercalls counted for QUERY TRANSLATION */
#define DIAG8_RESP_MAX (1u << 20) /* response bytes CP keeps for DIAG 0x008 */

struct smsg {
    char from[CP_USERID_MAX + 1];
    uint32_t len;
    char text[240];
};

struct cpvm {
    struct vm *vm;
    struct cp_user *u;
    struct cp_std *std;
    char userid[CP_USERID_MAX + 1];
    uint32_t classes;
    char last_ipl[16], last_parm[VMRV_IPL_PARM_MAX + 1];
    pthread_mutex_t lock; /* the SMSG queue and authorized */
    struct cp_claims claims; /* minidisks linked, for the link-mode rules */
    struct cp_tdisk **td; /* T-disks attached (DEFINE TDISK): their space and image */
    size_t ntd, tdcap;
    struct cpsp_user *spu; /* reader, punch, printer (cp/spool_cp.h), or NULL */
    bool authorized;
    struct smsg q[SMSG_QUEUE];
    unsigned qh, qn;
    /* hypercalls by function (the VM's thread only) */
    struct {
        uint64_t eid, fid, count;
        const char *ext, *fn;
    } hc[HCALL_KINDS];
    unsigned nhc;
    /* a DIAG 0x008 whose command went on asynchronously (LINK, AUTOLOG):
     * the guest waits in its ecall until d8_done has the answer (the VM's
     * thread only) */
    struct {
        enum { D8_IDLE = 0, D8_BUSY, D8_DONE } state;
        uint64_t pc;
        char cmd[241];
        int rc;
        char *text;
        size_t len;
        bool to_console;
    } d8;
    /* TRACE as last given to the CPU (the VM's thread only) */
    unsigned tr_flags;
    struct rv_cpu *tr_cpu;
};

/* ---- the console device: struct vdev_console_ops on the user's console ---- */

static int
con_dev_write(void *ctx, const char *buf, size_t len, bool end_line)
{
    struct cpvm *cv = ctx;
    if (con_write_all(cp_user_console(cv->u), buf, len, end_line) == CON_EAGAIN) {
        return -EAGAIN;
    }
    if (cv->spu) {
        cpsp_console_output(cv->spu, buf, len, end_line); /* SPOOL CONSOLE START */
    }
    return 0;
}

static long
con_dev_read(void *ctx, char *buf, size_t cap)
{
    struct cpvm *cv = ctx;
    size_t len, full;
    int rc = con_read(cp_user_console(cv->u), buf, cap, &len, &full);
    return rc == CON_OK ? (long)full : -EAGAIN;
}

static const struct vdev_console_ops con_dev_ops = {con_dev_write, con_dev_read, NULL};

/* ---- DIAG services ---------------------------------------------------------- */

static enum rv_hcall
diag_result(struct diag_call *c, int64_t error)
{
    c->error = error;
    return RV_HCALL_CONTINUE;
}

/* [a, a+len) inside storage? */
static bool
in_storage(struct vm *vm, uint64_t a, uint64_t len)
{
    uint64_t size = vm_storage_size(vm);
    return a <= size && len <= size - a;
}

/* The asynchronous part of a DIAG 0x008 is done (the VM's thread, as
 * mail): keep the answer for the ecall, which runs again next. */
static void
d8_done(struct cp_user *u, void *ctx, int rc, struct cp_out *out)
{
    struct cpvm *cv = ctx;
    if (cv->d8.state != D8_BUSY) {
        return;
    }
    size_t n = cp_out_text_len(out);
    cv->d8.text = malloc(n + 1);
    if (cv->d8.text) {
        memcpy(cv->d8.text, out->buf ? out->buf : "", n);
        cv->d8.text[n] = '\0';
    }
    cv->d8.len = cv->d8.text ? n : 0;
    cv->d8.rc = rc;
    cv->d8.state = D8_DONE;
    if (cv->d8.to_console && out->len) {
        con_cp_output(cp_user_console(u), out->buf, out->len);
    }
    cp_user_wake(u);
}

/* DIAG 0x008: a0 text, a1 length 1..240, a2 response buffer or 0, a3 its
 * length, a4 flags.  a1 <- CP's return code, a2 <- full response length.
 * A LINK or AUTOLOG goes on on an I/O worker while the guest waits in the
 * ecall (RV_HCALL_WAIT); it runs again when the answer is there. */
static enum rv_hcall
svc_cp_command(void *ctx, struct vm *vm, struct diag_call *c)
{
    struct cpvm *cv = ctx;
    uint64_t text = c->a[0], len = c->a[1], resp = c->a[2], cap = c->a[3], flags = c->a[4];
    if (len == 0 || len > 240 || (flags & ~(uint64_t)DIAG_CPCMD_CONSOLE)) {
        return diag_result(c, DIAG_EINVAL);
    }
    char cmd[241];
    if (stor_read(vm_stor(vm), text, cmd, len) != 0 || (resp && !in_storage(vm, resp, cap))) {
        return diag_result(c, DIAG_EFAULT);
    }
    cmd[len] = '\0';
    size_t keep = resp ? (cap < DIAG8_RESP_MAX ? cap : DIAG8_RESP_MAX) : 0;
    bool to_console = !resp || (flags & DIAG_CPCMD_CONSOLE);
    uint64_t pc = rv_pc_get(vm_cpu(vm));
    if (cv->d8.state == D8_BUSY) {
        return RV_HCALL_WAIT; /* its command is still under way */
    }
    if (cv->d8.state == D8_DONE) {
        bool mine = cv->d8.pc == pc && strcmp(cv->d8.cmd, cmd) == 0;
        if (mine) {
            if (keep) {
                size_t n = cv->d8.len < keep ? cv->d8.len : keep;
                stor_write(vm_stor(vm), resp, cv->d8.text ? cv->d8.text : "", n);
            }
            c->value = (uint64_t)cv->d8.rc;
            c->value2 = cv->d8.len;
            c->has_value2 = true;
        }
        free(cv->d8.text);
        cv->d8.text = NULL;
        cv->d8.state = D8_IDLE;
        if (mine) {
            return diag_result(c, DIAG_OK);
        }
        /* an answer for a program that is gone (reset, IPL): dropped */
    }
    char *buf = keep ? malloc(keep) : NULL;
    if (keep && !buf) {
        return diag_result(c, DIAG_EFAILED);
    }
    struct cp_out o;
    cp_out_init(&o, cv->u);
    int rc = cpcmd_run_async(cv->u, cmd, len, CPCMD_DIAG, &o, d8_done, cv);
    if (rc == CPCMD_ASYNC) {
        /* the guest waits in this ecall; d8_done wakes it */
        cp_out_fini(&o);
        free(buf);
        cv->d8.state = D8_BUSY;
        cv->d8.pc = pc;
        snprintf(cv->d8.cmd, sizeof cv->d8.cmd, "%s", cmd);
        cv->d8.to_console = to_console;
        return RV_HCALL_WAIT;
    }
    size_t full = cp_out_text_len(&o);
    if (buf) {
        memcpy(buf, o.buf ? o.buf : "", full < keep ? full : keep);
        stor_write(vm_stor(vm), resp, buf, full < keep ? full : keep);
        free(buf);
    }
    if (to_console && o.len) {
        con_cp_output(cp_user_console(cv->u), o.buf, o.len);
    }
    cp_out_fini(&o);
    c->value = (uint64_t)rc;
    c->value2 = full;
    c->has_value2 = true;
    /* a command may have asked to end the slice (IPL, LOGOFF): the kick
     * does it; nothing else to do here */
    return diag_result(c, DIAG_OK);
}

static void
userid_from_guest(const char raw[8], char *out)
{
    size_t n = 0;
    for (; n < 8 && raw[n] != ' ' && raw[n] != '\0'; n++) {
        out[n] = (char)toupper((unsigned char)raw[n]);
    }
    out[n] = '\0';
}

/* DIAG 0x068: a0 subcode.  SEND: a1 = address of the target userid (8
 * characters, blank padded), a2 = text, a3 = length 1..240.  RECEIVE: a1 =
 * buffer for struct diag_message, a2 = its length.  AUTHORIZE: a1 = 1 to
 * take SMSG through RECEIVE, 0 to stop. */
static enum rv_hcall
svc_message(void *ctx, struct vm *vm, struct diag_call *c)
{
    struct cpvm *cv = ctx;
    switch (c->a[0]) {
    case DIAG_MSG_SEND: {
        char raw[8], to[CP_USERID_MAX + 1], text[241];
        uint64_t len = c->a[3];
        if (len == 0 || len > 240) {
            return diag_result(c, DIAG_EINVAL);
        }
        if (stor_read(vm_stor(vm), c->a[1], raw, 8) != 0 ||
            stor_read(vm_stor(vm), c->a[2], text, len) != 0) {
            return diag_result(c, DIAG_EFAULT);
        }
        text[len] = '\0';
        userid_from_guest(raw, to);
        if (!to[0]) {
            return diag_result(c, DIAG_EINVAL);
        }
        con_strip_controls(text, len);
        int rc = cp_send_smsg(cv->u, to, text);
        if (rc == MSG_NOTLOGGEDON) {
            return diag_result(c, DIAG_ENOTFOUND);
        }
        return diag_result(c, rc ? DIAG_EDENIED : DIAG_OK);
    }
    case DIAG_MSG_RECEIVE: {
        struct diag_message m;
        if (c->a[2] < sizeof m) {
            return diag_result(c, DIAG_EINVAL);
        }
        if (!in_storage(vm, c->a[1], sizeof m)) {
            return diag_result(c, DIAG_EFAULT);
        }
        pthread_mutex_lock(&cv->lock);
        if (cv->qn == 0) {
            pthread_mutex_unlock(&cv->lock);
            return diag_result(c, DIAG_EAGAIN);
        }
        struct smsg s = cv->q[cv->qh];
        cv->qh = (cv->qh + 1) % SMSG_QUEUE;
        cv->qn--;
        pthread_mutex_unlock(&cv->lock);
        memset(&m, 0, sizeof m);
        memset(m.from, ' ', sizeof m.from);
        memcpy(m.from, s.from, strlen(s.from));
        m.kind = 1;
        m.length = s.len;
        memcpy(m.text, s.text, s.len);
        stor_write(vm_stor(vm), c->a[1], &m, sizeof m);
        c->value = s.len;
        return diag_result(c, DIAG_OK);
    }
    case DIAG_MSG_AUTHORIZE:
        if (c->a[1] > 1) {
            return diag_result(c, DIAG_EINVAL);
        }
        pthread_mutex_lock(&cv->lock);
        cv->authorized = c->a[1] == 1;
        pthread_mutex_unlock(&cv->lock);
        return diag_result(c, DIAG_OK);
    default:
        return diag_result(c, DIAG_ENOTSUP);
    }
}

/* DIAG 0x014 and 0x1000: the spool's unit record devices. */
static enum rv_hcall
svc_reader(void *ctx, struct vm *vm, struct diag_call *c)
{
    return cpsp_diag_reader(((struct cpvm *)ctx)->spu, vm, c);
}

static enum rv_hcall
svc_ur_write(void *ctx, struct vm *vm, struct diag_call *c)
{
    return cpsp_diag_ur_write(((struct cpvm *)ctx)->spu, vm, c);
}

/* After every hypercall: counted by function for QUERY TRANSLATION, and
 * shown when TRACE ECALL is on. */
static void
svc_trace(void *ctx, struct vm *vm, const struct diag_call *c)
{
    struct cpvm *cv = ctx;
    unsigned i = 0;
    while (i < cv->nhc && (cv->hc[i].eid != c->eid || cv->hc[i].fid != c->fid)) {
        i++;
    }
    if (i == cv->nhc && cv->nhc < HCALL_KINDS) {
        cv->hc[i].eid = c->eid;
        cv->hc[i].fid = c->fid;
        cv->hc[i].ext = c->ext_name ? c->ext_name : "?";
        cv->hc[i].fn = c->fn_name ? c->fn_name : "?";
        cv->hc[i].count = 0;
        cv->nhc++;
    }
    if (i < cv->nhc) {
        cv->hc[i].count++;
    }
    if (!(cp_user_trace(cv->u) & CP_TRACE_ECALL)) {
        return;
    }
    char line[200];
    snprintf(line, sizeof line,
             "%s %04llX %s a0=%llX a1=%llX a2=%llX a3=%llX -> error %lld value %llX",
             c->ext_name, (unsigned long long)c->fid, c->fn_name, (unsigned long long)c->a[0],
             (unsigned long long)c->a[1], (unsigned long long)c->a[2],
             (unsigned long long)c->a[3], (long long)c->error, (unsigned long long)c->value);
    cp_user_trace_line(cv->u, line);
}

/* ---- TRACE of instructions, traps and interrupts (struct rv_trace) ---------- */

/* At most this many instructions per slice while instructions are traced,
 * so a slice's lines (plus one block's) fit in the console's ring. */
#define TRACE_INSN_SLICE 64

static void
tr_insn(void *ctx, struct rv_cpu *cpu, uint64_t pc, uint32_t bits, unsigned len)
{
    struct cpvm *cv = ctx;
    (void)cpu;
    char line[128];
    cp_trace_insn_text(pc, bits, len, line, sizeof line);
    cp_user_trace_line(cv->u, line);
}

static void
tr_trap(void *ctx, struct rv_cpu *cpu, uint64_t cause, uint64_t epc, uint64_t tval)
{
    struct cpvm *cv = ctx;
    unsigned want = (cause >> 63) ? CP_TRACE_EXT : CP_TRACE_PROG;
    if (!(cp_user_trace(cv->u) & want)) {
        return;
    }
    char line[160];
    cp_trace_trap_text(cause, epc, tval, rv_pc_get(cpu), line, sizeof line);
    cp_user_trace_line(cv->u, line);
}

/* Before a slice: gives the CPU the TRACE settings if they changed (or the
 * CPU is new after DEFINE STORAGE).  Returns the flags. */
static unsigned
trace_sync(struct cpvm *cv)
{
    unsigned f = cp_user_trace(cv->u);
    struct rv_cpu *cpu = vm_cpu(cv->vm);
    unsigned hw = f & (CP_TRACE_INSN | CP_TRACE_PROG | CP_TRACE_EXT);
    if (hw != cv->tr_flags || cpu != cv->tr_cpu) {
        struct rv_trace t = {
            .ctx = cv,
            .insn = (hw & CP_TRACE_INSN) ? tr_insn : NULL,
            .trap = (hw & (CP_TRACE_PROG | CP_TRACE_EXT)) ? tr_trap : NULL,
        };
        rv_cpu_set_trace(cpu, &t);
        cv->tr_flags = hw;
        cv->tr_cpu = cpu;
    }
    return f;
}

/* A page the VM waited for is in (a pager thread): run the VM now rather
 * than at its wake time. */
static void
svc_page_ready(void *ctx, struct vm *vm)
{
    (void)vm;
    struct cpvm *cv = ctx;
    cp_user_wake(cv->u);
}

static void
svc_log(void *ctx, struct vm *vm, const char *text)
{
    struct cpvm *cv = ctx;
    cplog(CPLOG_ERROR, NULL, cv->userid, "%s", text);
}

/* ---- making the struct vm ------------------------------------------------------ */

/* A fresh struct vm of `storage` bytes with CP's services, the console and
 * the directory's devices.  NULL + err. */
static struct vm *
build_vm(struct cpvm *cv, uint64_t storage, char *err, size_t errlen)
{
    struct vm *vm = vm_create(storage, cv->userid);
    if (!vm) {
        snprintf(err, errlen, "%s", errno == EINVAL ? "bad storage size or userid" : strerror(errno));
        return NULL;
    }
    vm_set_privclasses(vm, cv->classes);
    struct vm_cp_ops ops = {
        .ctx = cv,
        .cp_command = svc_cp_command,
        .message = svc_message,
        .segment = nss_diag_segment,
        .reader = cv->spu ? svc_reader : NULL,
        .ur_write = cv->spu ? svc_ur_write : NULL,
        .trace = svc_trace,
        .log = svc_log,
        .page_ready = svc_page_ready,
    };
    vm_set_cp_ops(vm, &ops);
    int rc = vdev_console_attach(vm_devices(vm), VDEV_CONSOLE_ADDR, &con_dev_ops, cv);
    if (rc < 0) {
        snprintf(err, errlen, "console: %s", strerror(-rc));
        vm_destroy(vm);
        return NULL;
    }
    if (cv->std) {
        cp_std_attach_disks(cv->std, vm, cv->userid, &cv->claims);
    }
    if (cv->spu && (rc = cpsp_user_attach(cv->spu, vm)) < 0) {
        cplog(CPLOG_WARN, NULL, cv->userid, "spool devices: %s", strerror(-rc));
    }
    return vm;
}

static void *
v_create(void *svc_ctx, struct cp_user *u, const struct cp_dirent *de, char *err, size_t errlen)
{
    if (paging_full()) {
        /* the operator was told when it filled (cp/paging.c) */
        snprintf(err, errlen, "the paging file is full; try again later");
        return NULL;
    }
    struct cpvm *cv = calloc(1, sizeof *cv);
    if (!cv) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cv->u = u;
    cv->std = svc_ctx;
    cv->classes = de->classes;
    snprintf(cv->userid, sizeof cv->userid, "%s", de->userid);
    snprintf(cv->claims.userid, sizeof cv->claims.userid, "%s", de->userid);
    pthread_mutex_init(&cv->lock, NULL);
    struct cpsp *sp = cpsp_of(cp_user_system(u));
    if (sp && !(cv->spu = cpsp_user_new(sp, u, cv->userid))) {
        cplog(CPLOG_WARN, NULL, cv->userid, "no spool devices: out of memory");
    }
    cv->vm = build_vm(cv, de->storage ? de->storage : VMRV_DEFAULT_STORAGE, err, errlen);
    if (!cv->vm) {
        cpsp_user_free(cv->spu);
        pthread_mutex_destroy(&cv->lock);
        free(cv);
        return NULL;
    }
    return cv;
}

static void
v_destroy(void *p)
{
    struct cpvm *cv = p;
    cpsp_user_free(cv->spu); /* closes open output files first */
    vm_destroy(cv->vm);
    if (cv->std) {
        cp_std_release_all(cv->std, &cv->claims);
    }
    for (size_t i = 0; i < cv->ntd; i++) {
        cp_std_tdisk_put(cv->td[i]); /* logoff, FORCE: the image goes */
    }
    free(cv->td);
    free(cv->d8.text);
    pthread_mutex_destroy(&cv->lock);
    free(cv);
}

static int ipl_again(struct cpvm *cv, char *err, size_t errlen);
static int ipl_named(struct cpvm *cv, const char *what, const char *parm, char *err,
                     size_t errlen);

static enum disp_result
v_run(void *p, struct disp_slice *sl)
{
    struct cpvm *cv = p;
    uint64_t before = vm_instret(cv->vm);
    uint64_t budget = sl->budget_insns ? sl->budget_insns : 1000000;
    if (trace_sync(cv) & CP_TRACE_INSN) {
        /* one line per instruction: run only while the console has room */
        if (con_output_full(cp_user_console(cv->u))) {
            sl->insns = 0;
            return DISP_WAIT;
        }
        if (budget > TRACE_INSN_SLICE) {
            budget = TRACE_INSN_SLICE;
        }
    }
    struct vm_status st = vm_run(cv->vm, sl->thread_ctx, budget);
    sl->insns = vm_instret(cv->vm) - before;
    char why[160];
    switch (st.state) {
    case VM_RUNNING:
        return DISP_RUN_MORE;
    case VM_READ_WAIT:
    case VM_OUTPUT_WAIT:
    case VM_WFI_WAIT:
    case VM_SERVICE_WAIT:
        if (st.wake_time == UINT64_MAX) {
            return DISP_WAIT;
        }
        sl->wake_at = disp_now() + (uint64_t)vm_ns_until(cv->vm, st.wake_time);
        return DISP_WAIT_UNTIL;
    case VM_HALTED:
        if (st.halt == VM_HALT_REBOOT && cv->last_ipl[0]) {
            char err[120];
            vm_reset(cv->vm, true);
            if (ipl_again(cv, err, sizeof err) == 0) {
                return DISP_YIELD;
            }
            snprintf(why, sizeof why, "reboot failed: %s", err);
        } else if (st.halt == VM_HALT_EXIT) {
            snprintf(why, sizeof why, "test exit with code %llu", (unsigned long long)st.code);
        } else {
            snprintf(why, sizeof why, "the guest shut down (reason %llu)",
                     (unsigned long long)st.code);
        }
        cp_user_stopped(cv->u, why);
        return DISP_WAIT;
    case VM_DISABLED_WAIT:
        snprintf(why, sizeof why, "disabled wait: %s", st.reason ? st.reason : "?");
        cp_user_stopped(cv->u, why);
        return DISP_WAIT;
    case VM_STOPPED:
    default:
        cp_user_stopped(cv->u, "nothing is IPLed");
        return DISP_WAIT;
    }
}

static void
v_kick(void *p)
{
    vm_kick(((struct cpvm *)p)->vm);
}

/* DATA/systems/NAME.elf, or name.elf. */
static int
ipl_named(struct cpvm *cv, const char *what, const char *parm, char *err, size_t errlen)
{
    char path[PATH_MAX];
    const char *dir = cv->std ? cp_std_datadir(cv->std) : ".";
    snprintf(path, sizeof path, "%s/systems/%s.elf", dir, what);
    if (access(path, R_OK) != 0) {
        char lower[16];
        size_t i = 0;
        for (; what[i] && i < sizeof lower - 1; i++) {
            lower[i] = (char)tolower((unsigned char)what[i]);
        }
        lower[i] = '\0';
        snprintf(path, sizeof path, "%s/systems/%s.elf", dir, lower);
        if (access(path, R_OK) != 0) {
            snprintf(err, errlen, "no system %s (no file systems/%s.elf in the data folder)", what,
                     what);
            return -ENOENT;
        }
    }
    vm_reset(cv->vm, false);
    cpsp_user_reset(cv->spu);
    return vm_ipl_nss(cv->vm, what, path, parm && *parm ? parm : NULL, err, errlen);
}

/* The last IPL again (a guest's reboot): a device or a named system. */
static int
ipl_again(struct cpvm *cv, char *err, size_t errlen)
{
    const char *what = cv->last_ipl;
    size_t n = strlen(what);
    if (n >= 1 && n <= 4 && strspn(what, "0123456789ABCDEFabcdef") == n &&
        strpbrk(what, "0123456789")) {
        return cp_ipl_device(cv->vm, (unsigned)strtoul(what, NULL, 16), cv->last_parm, err,
                             errlen);
    }
    return ipl_named(cv, what, cv->last_parm, err, errlen);
}

static int
v_ipl(void *p, const char *what, const char *parm, struct cp_out *out)
{
    struct cpvm *cv = p;
    /* a device: 1-4 hex digits with a decimal digit among them (190, 19E,
     * 0ABC), as the directory's IPL statement says; else a saved system */
    size_t n = strlen(what);
    if (n >= 1 && n <= 4 && strspn(what, "0123456789ABCDEFabcdef") == n &&
        strpbrk(what, "0123456789")) {
        unsigned va = (unsigned)strtoul(what, NULL, 16);
        char err[256] = "";
        if (cp_ipl_device(cv->vm, va, parm, err, sizeof err) != 0) {
            cp_out_msg(out, MSG_IPLFAIL, what, err);
            return MSG_IPLFAIL;
        }
        snprintf(cv->last_ipl, sizeof cv->last_ipl, "%s", what);
        snprintf(cv->last_parm, sizeof cv->last_parm, "%s", parm ? parm : "");
        return 0;
    }
    char err[256] = "";
    if (ipl_named(cv, what, parm, err, sizeof err) != 0) {
        cp_out_msg(out, MSG_IPLFAIL, what, err);
        return MSG_IPLFAIL;
    }
    snprintf(cv->last_ipl, sizeof cv->last_ipl, "%s", what);
    snprintf(cv->last_parm, sizeof cv->last_parm, "%s", parm ? parm : "");
    return 0;
}

/* A device address: 1-4 hex digits with a decimal digit among them. */
static bool
is_device(const char *what)
{
    size_t n = strlen(what);
    return n >= 1 && n <= 4 && strspn(what, "0123456789ABCDEFabcdef") == n &&
           strpbrk(what, "0123456789") != NULL;
}

/* The IPL of a device in steps (cp_vm_ops.ipl_dev_*). */
struct ipl_dev_h {
    void *dev; /* cp_ipl_device_open's handle */
    char what[8];
};

static int
v_ipl_dev_open(void *p, const char *what, void **handle, struct cp_out *out)
{
    struct cpvm *cv = p;
    if (!is_device(what)) {
        return 1;
    }
    char err[256] = "";
    struct ipl_dev_h *h = calloc(1, sizeof *h);
    if (h) {
        h->dev = cp_ipl_device_open(cv->vm, (unsigned)strtoul(what, NULL, 16), err, sizeof err);
    } else {
        snprintf(err, sizeof err, "out of memory");
    }
    if (!h || !h->dev) {
        free(h);
        cp_out_msg(out, MSG_IPLFAIL, what, err);
        return MSG_IPLFAIL;
    }
    snprintf(h->what, sizeof h->what, "%s", what);
    *handle = h;
    return 0;
}

static int
v_ipl_dev_read(void *handle, struct cp_out *out)
{
    struct ipl_dev_h *h = handle;
    char err[256] = "";
    if (cp_ipl_device_read(h->dev, err, sizeof err) != 0) {
        cp_out_msg(out, MSG_IPLFAIL, h->what, err);
        return MSG_IPLFAIL;
    }
    return 0;
}

static void
v_ipl_dev_free(void *handle)
{
    struct ipl_dev_h *h = handle;
    if (h) {
        cp_ipl_device_free(h->dev);
        free(h);
    }
}

static int
v_ipl_dev_start(void *p, void *handle, const char *parm, struct cp_out *out)
{
    struct cpvm *cv = p;
    struct ipl_dev_h *h = handle;
    char err[256] = "";
    int rc = cp_ipl_device_start(cv->vm, h->dev, parm, err, sizeof err);
    h->dev = NULL;
    if (rc != 0) {
        cp_out_msg(out, MSG_IPLFAIL, h->what, err);
        v_ipl_dev_free(h);
        return MSG_IPLFAIL;
    }
    snprintf(cv->last_ipl, sizeof cv->last_ipl, "%s", h->what);
    snprintf(cv->last_parm, sizeof cv->last_parm, "%s", parm ? parm : "");
    v_ipl_dev_free(h);
    return 0;
}

static void
v_reset(void *p, bool clear)
{
    vm_reset(((struct cpvm *)p)->vm, clear);
    cpsp_user_reset(((struct cpvm *)p)->spu);
}

static int
v_define_storage(void *p, uint64_t bytes, struct cp_out *out)
{
    struct cpvm *cv = p;
    char err[200] = "";
    /* a new machine of the new size, with the directory's devices (links
     * made with LINK since logon are not carried over) */
    /* its links go first, so the new machine can take them again */
    if (cv->std) {
        cp_std_release_all(cv->std, &cv->claims);
    }
    struct vm *nvm = build_vm(cv, bytes, err, sizeof err);
    if (!nvm) {
        /* rare (out of memory): the old machine goes on, its disks no
         * longer counted against other users' links */
        cplog(CPLOG_WARN, NULL, cv->userid, "DEFINE STORAGE failed: %s", err);
        cp_out_msg(out, MSG_FAILED, "DEFINE STORAGE", err);
        return MSG_FAILED;
    }
    vm_destroy(cv->vm);
    cv->vm = nvm;
    cv->last_ipl[0] = '\0';
    /* T-disks are the user's until DETACH: they go into the new machine */
    for (size_t i = 0; i < cv->ntd;) {
        struct cp_tdisk *t = cv->td[i];
        if (vdev_disk_attach(vm_devices(nvm), t->vaddr, t->bd, false, cv->userid, t->vaddr) <
            0) {
            cplog(CPLOG_WARN, NULL, cv->userid, "T-disk %03X dropped at DEFINE STORAGE",
                  t->vaddr);
            cp_std_tdisk_put(t);
            cv->td[i] = cv->td[--cv->ntd];
            continue;
        }
        i++;
    }
    return 0;
}

static struct rv_cpu *
v_cpu(void *p)
{
    return vm_cpu(((struct cpvm *)p)->vm);
}

static struct stor *
v_stor(void *p)
{
    return vm_stor(((struct cpvm *)p)->vm);
}

static bool
v_attention(void *p)
{
    return vm_attention(((struct cpvm *)p)->vm);
}

static void
v_console_ready(void *p)
{
    vm_console_input(((struct cpvm *)p)->vm);
}

static void
post_message_event(struct cp_user *u, void *p)
{
    struct cpvm *cv = p;
    vm_post_event(cv->vm, DIAG_EVENT_MESSAGE, 0);
}

static bool
v_smsg(void *p, const char *from, const char *text)
{
    struct cpvm *cv = p;
    pthread_mutex_lock(&cv->lock);
    if (!cv->authorized) {
        pthread_mutex_unlock(&cv->lock);
        return false;
    }
    if (cv->qn == SMSG_QUEUE) {
        /* the oldest goes: a program that never reads cannot hold CP */
        cv->qh = (cv->qh + 1) % SMSG_QUEUE;
        cv->qn--;
    }
    struct smsg *s = &cv->q[(cv->qh + cv->qn) % SMSG_QUEUE];
    snprintf(s->from, sizeof s->from, "%s", from);
    size_t n = strlen(text);
    s->len = (uint32_t)(n > sizeof s->text ? sizeof s->text : n);
    memcpy(s->text, text, s->len);
    cv->qn++;
    pthread_mutex_unlock(&cv->lock);
    cp_user_post_ptr(cv->u, post_message_event, cv, false);
    return true;
}

static bool is_tdisk(const struct cpvm *cv, unsigned vaddr);

struct qv_ctx {
    struct cp_out *out;
    const struct cpvm *cv;
};

static int
qv_device(void *ctx, struct vdev *d)
{
    struct qv_ctx *q = ctx;
    const struct vdev_type *t = vdev_type_of(d);
    if (t == &vdev_console_type) {
        return 0; /* QUERY VIRTUAL shows the console itself */
    }
    bool ro = false;
    struct blockdev *bd = vdev_disk_blockdev(d, &ro);
    if (bd) {
        struct diag_devinfo info;
        vdev_describe(d, &info);
        if (is_tdisk(q->cv, vdev_addr(d))) {
            cp_out_line(q->out, "DASD %03X %8llu BLK R/W  TEMP DISK", vdev_addr(d),
                        (unsigned long long)info.blocks);
            return 0;
        }
        char owner[9];
        userid_from_guest(info.owner, owner);
        cp_out_line(q->out, "DASD %03X %8llu BLK %s  %s %03X", vdev_addr(d),
                    (unsigned long long)info.blocks, ro ? "R/O" : "R/W", owner[0] ? owner : "-",
                    info.owner_vaddr);
    } else {
        cp_out_line(q->out, "%-4s %03X", t->name, vdev_addr(d));
    }
    return 0;
}

static void
v_query_virtual(void *p, struct cp_out *out)
{
    struct cpvm *cv = p;
    struct qv_ctx q = {out, cv};
    vdev_foreach(vm_devices(cv->vm), qv_device, &q);
}

/* The T-disk at vaddr, taken off the VM's list; NULL if none. */
static struct cp_tdisk *
tdisk_take(struct cpvm *cv, unsigned vaddr)
{
    for (size_t i = 0; i < cv->ntd; i++) {
        if (cv->td[i]->vaddr == vaddr) {
            struct cp_tdisk *t = cv->td[i];
            cv->td[i] = cv->td[--cv->ntd];
            return t;
        }
    }
    return NULL;
}

static bool
is_tdisk(const struct cpvm *cv, unsigned vaddr)
{
    for (size_t i = 0; i < cv->ntd; i++) {
        if (cv->td[i]->vaddr == vaddr) {
            return true;
        }
    }
    return false;
}

static void *
v_tdisk_prepare(void *svc_ctx, const char *userid, unsigned vaddr, uint64_t blocks,
                uint64_t total, struct cp_out *out)
{
    if (!svc_ctx) {
        cp_out_msg(out, MSG_NOTAVAIL, "DEFINE TDISK", "no data folder");
        return NULL;
    }
    return cp_std_tdisk_prepare(svc_ctx, userid, vaddr, blocks, total, out);
}

static void
v_tdisk_free(void *prep)
{
    cp_std_tdisk_put(prep);
}

static int
v_tdisk_attach(void *p, void *prep, unsigned vaddr, struct cp_out *out)
{
    struct cpvm *cv = p;
    struct cp_tdisk *t = prep;
    char a[8];
    snprintf(a, sizeof a, "%03X", vaddr);
    if (vdev_find(vm_devices(cv->vm), vaddr)) {
        cp_std_tdisk_put(t);
        cp_out_msg(out, MSG_DEVEXISTS, a);
        return MSG_DEVEXISTS;
    }
    if (cv->ntd == cv->tdcap) {
        size_t ncap = cv->tdcap ? cv->tdcap * 2 : 4;
        struct cp_tdisk **v = realloc(cv->td, ncap * sizeof *v);
        if (!v) {
            cp_std_tdisk_put(t);
            cp_out_msg(out, MSG_TDISKFAIL, a, "out of memory");
            return MSG_TDISKFAIL;
        }
        cv->td = v;
        cv->tdcap = ncap;
    }
    int rc = vdev_disk_attach(vm_devices(cv->vm), vaddr, t->bd, false, cv->userid, vaddr);
    if (rc < 0) {
        cp_std_tdisk_put(t);
        cp_out_msg(out, MSG_TDISKFAIL, a, strerror(-rc));
        return MSG_TDISKFAIL;
    }
    t->vaddr = vaddr;
    cv->td[cv->ntd++] = t;
    return 0;
}

static int
v_detach(void *p, unsigned vaddr, struct cp_out *out)
{
    struct cpvm *cv = p;
    char a[8];
    snprintf(a, sizeof a, "%03X", vaddr);
    struct vdev *d = vdev_find(vm_devices(cv->vm), vaddr);
    if (d && vdev_type_of(d) == &vdev_console_type) {
        char w[24];
        snprintf(w, sizeof w, "DETACH %s", a);
        cp_out_msg(out, MSG_NOTAVAIL, w, "the console stays attached");
        return MSG_NOTAVAIL;
    }
    if (!d || vdev_detach(vm_devices(cv->vm), vaddr) != 0) {
        cp_out_msg(out, MSG_NODEV, a);
        return MSG_NODEV;
    }
    if (cv->std) {
        cp_std_release(cv->std, &cv->claims, vaddr);
    }
    struct cp_tdisk *t = tdisk_take(cv, vaddr);
    if (t) {
        cp_std_tdisk_put(t); /* its image and space go */
    }
    return 0;
}

static int
v_disk_at(void *p, unsigned vaddr, char *owner, unsigned *owner_vaddr)
{
    struct cpvm *cv = p;
    if (!vdev_find(vm_devices(cv->vm), vaddr)) {
        return MSG_NODEV;
    }
    for (size_t i = 0; i < cv->claims.n; i++) {
        const struct cp_claim *c = &cv->claims.v[i];
        if (c->vaddr == vaddr) {
            snprintf(owner, CP_USERID_MAX + 1, "%s", c->owner);
            *owner_vaddr = c->owner_vaddr;
            return 0;
        }
    }
    return MSG_NOTDASD; /* the console, a spool device */
}

static int
v_link(void *p, const char *owner, unsigned owner_vaddr, unsigned vaddr, const char *mode,
       const char *password, struct cp_out *out)
{
    struct cpvm *cv = p;
    if (!cv->std) {
        cp_out_msg(out, MSG_NOTAVAIL, "LINK", "no directory");
        return MSG_NOTAVAIL;
    }
    return cp_std_link(cv->std, cv->vm, &cv->claims, cv->userid, owner, owner_vaddr, vaddr, mode,
                       password, out);
}

static void *
v_link_prepare(void *svc_ctx, const char *userid, const char *owner, unsigned owner_vaddr,
               const char *mode, const char *password, struct cp_out *out)
{
    return cp_std_link_prepare(svc_ctx, userid, owner, owner_vaddr, mode, password, out);
}

static int
v_link_attach(void *p, void *prep, unsigned vaddr, struct cp_out *out)
{
    struct cpvm *cv = p;
    if (!cv->std) {
        cp_std_link_free(prep);
        cp_out_msg(out, MSG_NOTAVAIL, "LINK", "no directory");
        return MSG_NOTAVAIL;
    }
    return cp_std_link_attach(cv->std, cv->vm, &cv->claims, prep, vaddr, out);
}

static void
v_stats(void *p, struct cp_out *out)
{
    struct cpvm *cv = p;
    uint64_t v, t;
    vm_cpu_times(cv->vm, &v, &t);
    if (cv->nhc) {
        cp_out_line(out, "  hypercalls by function:");
    }
    for (unsigned i = 0; i < cv->nhc; i++) {
        cp_out_line(out, "    %-5s %04llX %-18s %16llu", cv->hc[i].ext, (unsigned long long)cv->hc[i].fid,
                    cv->hc[i].fn, (unsigned long long)cv->hc[i].count);
    }
    cp_out_line(out, "  guest CPU %llu us, with CP's work for it %llu us", (unsigned long long)v,
                (unsigned long long)t);
}

static void
v_cpu_times(void *p, uint64_t *virt_us, uint64_t *total_us)
{
    vm_cpu_times(((struct cpvm *)p)->vm, virt_us, total_us);
}

static void *
v_thread_start(void *svc_ctx, unsigned thread)
{
    return rv_tlb_create();
}

static void
v_thread_end(void *svc_ctx, void *tctx)
{
    rv_tlb_destroy(tctx);
}

const struct cp_vm_ops cp_vm_ops_standard = {
    .create = v_create,
    .destroy = v_destroy,
    .run = v_run,
    .kick = v_kick,
    .ipl = v_ipl,
    .ipl_dev_open = v_ipl_dev_open,
    .ipl_dev_read = v_ipl_dev_read,
    .ipl_dev_start = v_ipl_dev_start,
    .ipl_dev_free = v_ipl_dev_free,
    .reset = v_reset,
    .define_storage = v_define_storage,
    .cpu = v_cpu,
    .stor = v_stor,
    .attention = v_attention,
    .console_ready = v_console_ready,
    .smsg = v_smsg,
    .stats = v_stats,
    .query_virtual = v_query_virtual,
    .detach = v_detach,
    .link = v_link,
    .link_prepare = v_link_prepare,
    .link_attach = v_link_attach,
    .link_free = cp_std_link_free,
    .tdisk_prepare = v_tdisk_prepare,
    .tdisk_attach = v_tdisk_attach,
    .tdisk_free = v_tdisk_free,
    .disk_at = v_disk_at,
    .links = cp_std_links,
    .cpu_times = v_cpu_times,
    .thread_start = v_thread_start,
    .thread_end = v_thread_end,
};
