// SPDX-License-Identifier: MIT
/*
 * cp/run.c - `vmrv run`: IPL one RISC-V ELF in one virtual machine (cp/vm.h)
 * with its console on this terminal, outside any CP.  For guest tests, for
 * bare-metal SBI programs, and for showing one VM at work.
 *
 * The loop: run a slice; on a console READ or wfi wait, sleep in ppoll on
 * standard input and a self-pipe of SIGINT with a timeout from the clock
 * comparator and --timeout, so a waiting guest costs no CPU.  Ctrl-C is an
 * attention interrupt to the guest; a second one before the guest claims
 * the first ends the run.  The exit status says how the guest ended (see
 * the help text below; docs/RUN.md has the same table).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cp/blockdev.h"
#include "cp/rv.h"
#include "cp/vdev.h"
#include "cp/vdev_term.h"
#include "cp/vm.h"
#include "cp/vmrv.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

/* Exit statuses of vmrv run other than the guest's own code. */
enum {
    RUN_USAGE = 2,
    RUN_LOAD_ERROR = 3,
    RUN_TIMEOUT = 124,
    RUN_LIMIT = 125,
    RUN_DISABLED_WAIT = 126,
    RUN_SYSTEM_FAILURE = 127,
    RUN_CONSOLE_EOF = 128,
    RUN_ATTENTION = 130,
    RUN_BIG_CODE = 255,
};

#define RUN_SLICE 2000000u /* instructions per slice between checks */
#define RUN_MAX_DISKS 64
#define RUN_USERID "VMRUN"

static const char run_help[] =
    "usage: vmrv run [OPTIONS] GUEST.elf [ARGS]\n"
    "\n"
    "IPL GUEST.elf (RISC-V, ELF64, ET_EXEC, loaded at its physical addresses) in one\n"
    "virtual machine. ARGS, joined by blanks, become the IPL parameter (at most 240\n"
    "bytes). Guest console output goes to standard output; console reads take lines\n"
    "from standard input. Ctrl-C is an attention interrupt to the guest; a second\n"
    "Ctrl-C before the guest claims the first ends the run.\n"
    "\n"
    "Options:\n"
    "  --storage SIZE           guest storage, e.g. 64K, 32M, 1G (default 32M)\n"
    "  --disk VADDR=IMAGE[:ro]  a minidisk at virtual address VADDR (hex) on the image\n"
    "                           file IMAGE (4096-byte blocks); :ro makes it read-only\n"
    "  --limit N                end the run after about N guest instructions\n"
    "  --timeout SECS           end the run after SECS seconds of wall-clock time\n"
    "  -h, --help               show this text\n"
    "\n"
    "Exit status:\n"
    "  0-255  the guest's code from DIAG 0x1010 test exit (a code above 255: 255,\n"
    "         and the code is printed on standard error)\n"
    "  0      the guest ended with SBI SRST shutdown, reason none\n"
    "  2      usage error (bad option, ARGS too long)\n"
    "  3      the guest could not be loaded (ELF refused, disk image not usable)\n"
    "  124    --timeout reached\n"
    "  125    --limit reached\n"
    "  126    disabled wait (the guest can never continue)\n"
    "  127    SBI SRST shutdown with a system-failure (or other) reason\n"
    "  128    end of standard input while the guest waits for a console line\n"
    "  130    a second Ctrl-C ended the run\n"
    "Every non-zero status that is not the guest's own code comes with one line\n"
    "on standard error. SBI SRST reboot IPLs the guest again (a cold reboot\n"
    "clears storage first, a warm one keeps it).\n";

struct run_disk {
    unsigned vaddr;
    const char *path;
    bool readonly;
};

struct run_opts {
    uint64_t storage;
    uint64_t limit; /* 0: none */
    double timeout; /* 0: none */
    struct run_disk disks[RUN_MAX_DISKS];
    unsigned ndisks;
    const char *elf;
    char parm[VMRV_IPL_PARM_MAX + 1];
};

static volatile sig_atomic_t sigint_count;
static int sig_pipe[2] = {-1, -1};

static void
on_sigint(int sig)
{
    (void)sig;
    int e = errno;
    sigint_count++;
    if (write(sig_pipe[1], "", 1) < 0) {
        /* the pipe is full: a wake-up is already pending */
    }
    errno = e;
}

static int
usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "vmrv run: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(vmrv run --help shows the options)\n");
    return RUN_USAGE;
}

/* "64K", "32M", "1G", "65536" -> bytes.  -1 if malformed or too large. */
static int
parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *s == '-') {
        return -1;
    }
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (*end != '\0' || v > (UINT64_MAX >> shift)) {
        return -1;
    }
    *out = (uint64_t)v << shift;
    return 0;
}

/* "191=disk.img:ro" */
static int
parse_disk(char *arg, struct run_disk *d)
{
    char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || eq[1] == '\0') {
        return -1;
    }
    *eq = '\0';
    char *end;
    unsigned long v = strtoul(arg, &end, 16);
    if (*end != '\0' || v > VDEV_ADDR_MAX || arg[0] == '-' || arg[0] == '+') {
        return -1;
    }
    d->vaddr = (unsigned)v;
    d->path = eq + 1;
    d->readonly = false;
    size_t n = strlen(d->path);
    if (n > 3 && (strcmp(d->path + n - 3, ":ro") == 0 || strcmp(d->path + n - 3, ":rw") == 0)) {
        d->readonly = d->path[n - 2] == 'r' && d->path[n - 1] == 'o';
        eq[1 + n - 3] = '\0';
    }
    return 0;
}

static int
parse_args(int argc, char **argv, struct run_opts *o)
{
    static const struct option longopts[] = {
        {"storage", required_argument, NULL, 's'}, {"disk", required_argument, NULL, 'd'},
        {"limit", required_argument, NULL, 'l'},   {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->storage = VMRV_DEFAULT_STORAGE;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (ch) {
        case 's':
            if (parse_size(optarg, &o->storage) != 0 || o->storage % DIAG_PAGE_SIZE != 0 ||
                o->storage < 2 * DIAG_PAGE_SIZE || o->storage > VMRV_MAX_STORAGE) {
                return usage_error("bad --storage '%s': a multiple of 4K from 8K to 4G", optarg);
            }
            break;
        case 'd':
            if (o->ndisks == RUN_MAX_DISKS) {
                return usage_error("too many disks (at most 64): '%s'", optarg);
            }
            {
                char *copy = optarg;
                if (parse_disk(copy, &o->disks[o->ndisks]) != 0) {
                    return usage_error("bad --disk '%s': want VADDR=IMAGE[:ro], VADDR hex up to FFF",
                                       optarg);
                }
                for (unsigned i = 0; i < o->ndisks; i++) {
                    if (o->disks[i].vaddr == o->disks[o->ndisks].vaddr) {
                        return usage_error("two disks at the same address: '%s'", optarg);
                    }
                }
                if (o->disks[o->ndisks].vaddr == VDEV_CONSOLE_ADDR) {
                    return usage_error("--disk '%s': 009 is the console", optarg);
                }
                o->ndisks++;
            }
            break;
        case 'l':
            if (parse_size(optarg, &o->limit) != 0 || o->limit == 0) {
                return usage_error("bad --limit '%s': a number of instructions", optarg);
            }
            break;
        case 't': {
            char *end;
            o->timeout = strtod(optarg, &end);
            if (*end != '\0' || end == optarg || !(o->timeout > 0) || !isfinite(o->timeout)) {
                return usage_error("bad --timeout '%s': seconds", optarg);
            }
            break;
        }
        case 'h':
            fputs(run_help, stdout);
            return -1;
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) {
        return usage_error("%s", "no GUEST.elf given");
    }
    o->elf = argv[optind++];
    size_t len = 0;
    for (int i = optind; i < argc; i++) {
        size_t n = strlen(argv[i]) + (i > optind);
        if (len + n > VMRV_IPL_PARM_MAX) {
            fprintf(stderr, "vmrv run: ARGS too long: at most %d bytes\n", VMRV_IPL_PARM_MAX);
            return RUN_USAGE;
        }
        if (i > optind) {
            o->parm[len++] = ' ';
        }
        memcpy(o->parm + len, argv[i], n - (i > optind));
        len += n - (i > optind);
    }
    o->parm[len] = '\0';
    return 0;
}

static int64_t
mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct run {
    struct run_opts *o;
    struct vm *vm;
    struct vdev_term *term;
    int64_t deadline; /* INT64_MAX: none */
    unsigned handled_sigints;
};

static void
log_to_stderr(void *ctx, struct vm *vm, const char *text)
{
    fprintf(stderr, "vmrv run: %s\n", text);
}

/* Reads what stdin has; tells the VM about new lines. */
static void
take_input(struct run *r)
{
    int n = vdev_term_fill(r->term);
    if (n > 0 || (n < 0 && vdev_term_has_line(r->term))) {
        vm_console_input(r->vm);
    }
}

/* Sleeps until input, a signal, the VM's wake time or the deadline. */
static void
run_wait(struct run *r, uint64_t wake_time)
{
    int64_t until = vm_ns_until(r->vm, wake_time);
    if (r->deadline != INT64_MAX) {
        int64_t left = r->deadline - mono_ns();
        until = left < until ? left : until;
    }
    if (until <= 0) {
        return;
    }
    struct pollfd p[2] = {{.fd = sig_pipe[0], .events = POLLIN}, {.fd = STDIN_FILENO, .events = POLLIN}};
    nfds_t n = vdev_term_want_input(r->term) ? 2 : 1;
    struct timespec ts = {.tv_sec = until / 1000000000, .tv_nsec = until % 1000000000};
    if (ppoll(p, n, until == INT64_MAX ? NULL : &ts, NULL) > 0 && n == 2 && p[1].revents != 0) {
        take_input(r);
    }
}

/* Without waiting: input that is already there. */
static void
poll_input(struct run *r)
{
    if (!vdev_term_want_input(r->term)) {
        return;
    }
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&p, 1, 0) > 0) {
        take_input(r);
    }
}

/* Attentions from SIGINT.  Returns non-zero to end the run. */
static int
handle_sigint(struct run *r)
{
    char buf[64];
    while (read(sig_pipe[0], buf, sizeof buf) > 0) {
    }
    while (r->handled_sigints != (unsigned)sigint_count) {
        r->handled_sigints++;
        if (vm_attention(r->vm)) {
            fprintf(stderr, "vmrv run: second attention (Ctrl-C) before the guest took the first: run ended\n");
            return RUN_ATTENTION;
        }
    }
    return 0;
}

static int
halted(struct run *r, const struct vm_status *st, bool *again)
{
    *again = false;
    switch (st->halt) {
    case VM_HALT_EXIT:
        if (st->code > 255) {
            fprintf(stderr, "vmrv run: guest exit code %" PRIu64 " (%" PRId64 " signed) is above 255: exit status 255\n",
                    st->code, (int64_t)st->code);
            return RUN_BIG_CODE;
        }
        return (int)st->code;
    case VM_HALT_SHUTDOWN:
        if (st->code == SBI_SRST_REASON_NONE) {
            return 0;
        }
        if (st->code == SBI_SRST_REASON_SYSFAIL) {
            fprintf(stderr, "vmrv run: guest shut down with reason system failure\n");
        } else {
            fprintf(stderr, "vmrv run: guest shut down with reason 0x%" PRIx64 "\n", st->code);
        }
        return RUN_SYSTEM_FAILURE;
    case VM_HALT_REBOOT:
    case VM_HALT_WARM_REBOOT:
    default: {
        char err[256];
        vm_reset(r->vm, st->halt != VM_HALT_WARM_REBOOT);
        if (vm_ipl_elf(r->vm, r->o->elf, r->o->parm, err, sizeof err) != 0) {
            fprintf(stderr, "vmrv run: reboot: %s\n", err);
            return RUN_LOAD_ERROR;
        }
        *again = true;
        return 0;
    }
    }
}

static int
run_loop(struct run *r, struct rv_tlb **tlb)
{
    const struct run_opts *o = r->o;
    for (;;) {
        int rc = handle_sigint(r);
        if (rc != 0) {
            return rc;
        }
        if (r->deadline != INT64_MAX && mono_ns() >= r->deadline) {
            fprintf(stderr, "vmrv run: time limit of %g seconds reached\n", o->timeout);
            return RUN_TIMEOUT;
        }
        uint64_t done = vm_instret(r->vm);
        if (o->limit != 0 && done >= o->limit) {
            fprintf(stderr, "vmrv run: instruction limit of %" PRIu64 " reached\n", o->limit);
            return RUN_LIMIT;
        }
        poll_input(r);
        uint64_t budget = RUN_SLICE;
        if (o->limit != 0 && o->limit - done < budget) {
            budget = o->limit - done;
        }
        struct vm_status st = vm_run(r->vm, *tlb, budget);
        bool again;
        switch (st.state) {
        case VM_RUNNING:
        case VM_OUTPUT_WAIT: /* the terminal never refuses output */
            break;
        case VM_READ_WAIT:
            if (vdev_term_eof(r->term) && !vdev_term_has_line(r->term)) {
                fprintf(stderr, "vmrv run: end of standard input while the guest waits for a console line\n");
                return RUN_CONSOLE_EOF;
            }
            run_wait(r, st.wake_time);
            break;
        case VM_WFI_WAIT:
        case VM_SERVICE_WAIT:
            run_wait(r, st.wake_time);
            break;
        case VM_HALTED:
            rc = halted(r, &st, &again);
            if (!again) {
                return rc;
            }
            /* After a reboot, a fresh TLB: nothing cached from the old
             * image can be reached. */
            rv_tlb_destroy(*tlb);
            *tlb = rv_tlb_create();
            if (*tlb == NULL) {
                fprintf(stderr, "vmrv run: out of memory\n");
                return RUN_LOAD_ERROR;
            }
            break;
        case VM_DISABLED_WAIT:
            fprintf(stderr, "vmrv run: disabled wait: %s\n", st.reason ? st.reason : "?");
            return RUN_DISABLED_WAIT;
        case VM_STOPPED:
        default:
            fprintf(stderr, "vmrv run: the virtual machine stopped\n");
            return RUN_DISABLED_WAIT;
        }
    }
}

static int
attach_disks(struct vm *vm, const struct run_opts *o)
{
    for (unsigned i = 0; i < o->ndisks; i++) {
        const struct run_disk *d = &o->disks[i];
        struct blockdev *bd = NULL;
        char err[512];
        if (blockdev_open(d->path, d->readonly, &bd, err, sizeof err) != 0) {
            fprintf(stderr, "vmrv run: %s\n", err);
            return -1;
        }
        int rc = vdev_disk_attach(vm_devices(vm), d->vaddr, bd, d->readonly, RUN_USERID, d->vaddr);
        blockdev_unref(bd);
        if (rc != 0) {
            fprintf(stderr, "vmrv run: cannot attach disk %03X: %s\n", d->vaddr, strerror(-rc));
            return -1;
        }
    }
    return 0;
}

static int
setup_signals(void)
{
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        return -1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

int
vmrv_run_main(int argc, char **argv)
{
    static struct run_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        return rc < 0 ? 0 : rc;
    }
    struct run r = {.o = &o, .deadline = INT64_MAX};
    struct rv_tlb *tlb = NULL;
    char err[512];
    rc = RUN_LOAD_ERROR;
    r.vm = vm_create(o.storage, RUN_USERID);
    tlb = rv_tlb_create();
    r.term = vdev_term_create(STDIN_FILENO, STDOUT_FILENO);
    if (r.vm == NULL || tlb == NULL || r.term == NULL || setup_signals() != 0) {
        fprintf(stderr, "vmrv run: out of memory\n");
        vdev_term_destroy(r.term);
        goto out;
    }
    vm_set_cp_ops(r.vm, &(struct vm_cp_ops){.log = log_to_stderr});
    if (vdev_console_attach(vm_devices(r.vm), VDEV_CONSOLE_ADDR, &vdev_term_ops, r.term) != 0) {
        vdev_term_destroy(r.term);
        fprintf(stderr, "vmrv run: out of memory\n");
        goto out;
    }
    if (attach_disks(r.vm, &o) != 0) {
        goto out;
    }
    if (vm_ipl_elf(r.vm, o.elf, o.parm, err, sizeof err) != 0) {
        fprintf(stderr, "vmrv run: %s\n", err);
        goto out;
    }
    if (o.timeout > 0) {
        double ns = o.timeout * 1e9;
        r.deadline = ns >= 9e18 ? INT64_MAX : mono_ns() + (int64_t)ns;
    }
    rc = run_loop(&r, &tlb);
out:
    vm_destroy(r.vm);
    if (tlb != NULL) {
        rv_tlb_destroy(tlb);
    }
    return rc;
}
