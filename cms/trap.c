// SPDX-License-Identifier: MIT
/*
 * cms/trap.c - CMS's side of traps (start.S saves the registers).
 *
 *   from U-mode   ecall             a CMS service call (svc.c)
 *                 an exception      a program check: message, the program
 *                                   ends with CMS_RC_PROGRAM_CHECK
 *                 SEIP              external events (DIAG 0x1008): an
 *                                   attention reads an immediate command
 *                 STIP              CMS arms no timer: switch it off
 *   from S-mode   an exception      CMS ABEND: registers, wait for the
 *                                   user, IPL CMS again
 *
 * Running a program: cms_run_user() keeps a setjmp context and enters
 * U-mode; every way out of the program (CMS_EXIT, program check, HX) is
 * cms_user_end(), a longjmp back to it.  Trap handling for the program runs
 * on the CMS stack below cms_run_user's frame, so nothing the program does
 * can reach CMS's own state: its registers live in cms_uctx, its storage
 * is the user area (page 0 and everything below VMRV_USER_BASE are
 * protected from U-mode at IPL).
 */
#include <setjmp.h>
#include <string.h>

#include "cms/cms.h"

#define SCAUSE_INTR (1ull << 63)
#define IRQ_STIMER 5
#define IRQ_SEXT 9
#define SIE_SEIE (1ul << IRQ_SEXT)
#define SIP_SEIP (1ul << IRQ_SEXT)
#define EXC_ECALL_U 8

/* -1: the return code of a program halted by HX (VM's "Ready(-0001);"). */
#define CMS_RC_HALTED (-1)

int cms_program_active;
int cms_halt_requested;
int cms_typing_suppressed;
const char *cms_program_name = "";

static struct cms_uctx uctx;
static jmp_buf user_jb;
static int user_rc;
static int in_abend;

static const char *const cause_names[16] = {
    "instruction address misaligned",
    "instruction access fault",
    "illegal instruction",
    "breakpoint",
    "load address misaligned",
    "load access fault",
    "store address misaligned",
    "store access fault",
    "ecall from U-mode",
    "ecall from S-mode",
    "exception 10",
    "exception 11",
    "instruction page fault",
    "load page fault",
    "exception 14",
    "store page fault",
};

static const char *const reg_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
    "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
    "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *
cause_name(uint64_t cause)
{
    return cause < 16 ? cause_names[cause] : "exception";
}

static void
dump_regs(const uint64_t *x)
{
    for (int i = 0; i < 32; i += 4) {
        printf("  %-4s %016llx  %-4s %016llx  %-4s %016llx  %-4s %016llx\n", reg_names[i],
               (unsigned long long)x[i], reg_names[i + 1], (unsigned long long)x[i + 1],
               reg_names[i + 2], (unsigned long long)x[i + 2], reg_names[i + 3],
               (unsigned long long)x[i + 3]);
    }
}

void
cms_trap_init(void)
{
    /* Take external interrupts (attention) while a program runs in U-mode;
     * S-mode keeps sstatus.SIE off.  No timer interrupts. */
    diag_call(DIAG_CLOCK_COMPARATOR, DIAG_CLOCK_OFF, 0, 0, 0, 0, 0);
    __asm__ volatile("csrw sie, %0" ::"r"(SIE_SEIE));
}

/* ---- external events ----------------------------------------------------- */
enum immed { IMMED_NONE, IMMED_HX };

/* Reads and acts on an immediate command after an attention. */
static enum immed
read_immediate(void)
{
    char line[CMS_LINE_MAX + 1];
    size_t n = con_read_raw(line, sizeof line);
    char word[8];
    size_t i = 0, w = 0;
    while (i < n && line[i] == ' ') {
        i++;
    }
    while (i < n && line[i] != ' ' && w < sizeof word - 1) {
        char c = line[i++];
        word[w++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    word[w] = '\0';
    while (i < n && line[i] == ' ') {
        i++;
    }
    int alone = (i == n);
    if (alone && strcmp(word, "HX") == 0) {
        return IMMED_HX;
    }
    if (alone && strcmp(word, "HT") == 0) {
        cms_typing_suppressed = 1;
        return IMMED_NONE;
    }
    if (alone && strcmp(word, "RT") == 0) {
        cms_typing_suppressed = 0;
        return IMMED_NONE;
    }
    if (n > 0) {
        cms_msg(M_IMMED_UNKNOWN, word);
        con_keep_line(line, n);
    }
    return IMMED_NONE;
}

/* Claims every pending event.  With act set, an attention reads an
 * immediate command; returns IMMED_HX if the user asked to halt. */
static enum immed
claim_events(int act)
{
    enum immed result = IMMED_NONE;
    for (int guard = 0; guard < 64; guard++) {
        struct diag_result r = diag_call(DIAG_EVENT_CLAIM, 0, 0, 0, 0, 0, 0);
        if (r.error != DIAG_OK) {
            break; /* DIAG_EAGAIN: nothing more pending */
        }
        if (r.value == DIAG_EVENT_ATTENTION && act) {
            if (read_immediate() == IMMED_HX) {
                result = IMMED_HX;
            }
        }
        /* messages, spool arrivals, console: CP tells the user itself */
    }
    return result;
}

void
cms_events_drain(void)
{
    claim_events(0);
}

int
cms_attn_poll(void)
{
    unsigned long sip;
    __asm__ volatile("csrr %0, sip" : "=r"(sip));
    if ((sip & SIP_SEIP) == 0) {
        return cms_halt_requested;
    }
    if (claim_events(1) == IMMED_HX) {
        cms_halt_requested = 1;
    }
    return cms_halt_requested;
}

/* ---- user programs ------------------------------------------------------- */
int
cms_run_user(uint64_t entry, uint64_t sp, uint64_t a0, uint64_t a1)
{
    memset(&uctx, 0, sizeof uctx);
    uctx.x[2] = sp;
    uctx.x[10] = a0;
    uctx.x[11] = a1;
    uctx.sepc = entry;
    cms_program_active = 1;
    cms_typing_suppressed = 0;
    if (setjmp(user_jb) == 0) {
        uint64_t ksp, ktp, kgp;
        __asm__ volatile("mv %0, sp" : "=r"(ksp));
        __asm__ volatile("mv %0, tp" : "=r"(ktp));
        __asm__ volatile("mv %0, gp" : "=r"(kgp));
        uctx.ksp = (ksp - 512) & ~15ull; /* below this frame and its callee */
        uctx.ktp = ktp;
        uctx.kgp = kgp;
        cms_user_resume(&uctx);
    }
    cms_program_active = 0;
    cms_typing_suppressed = 0;
    cms_svc_cleanup();
    return user_rc;
}

void
cms_user_end(int rc)
{
    user_rc = rc;
    longjmp(user_jb, 1);
}

static void
program_check(struct cms_uctx *ctx)
{
    cms_msg(M_PROGRAM_CHECK, cause_name(ctx->scause), (unsigned long long)ctx->sepc,
            (unsigned long long)ctx->scause, (unsigned long long)ctx->stval, cms_program_name);
    dump_regs(ctx->x);
    cms_user_end(CMS_RC_PROGRAM_CHECK);
}

struct cms_uctx *cms_trap_user(struct cms_uctx *ctx);

struct cms_uctx *
cms_trap_user(struct cms_uctx *ctx)
{
    uint64_t cause = ctx->scause;
    if (cause & SCAUSE_INTR) {
        cause &= ~SCAUSE_INTR;
        if (cause == IRQ_SEXT) {
            if (claim_events(1) == IMMED_HX) {
                cms_svc_halt();
            }
        } else if (cause == IRQ_STIMER) {
            diag_call(DIAG_CLOCK_COMPARATOR, DIAG_CLOCK_OFF, 0, 0, 0, 0, 0);
        }
        return ctx;
    }
    if (cause == EXC_ECALL_U) {
        ctx->sepc += 4;
        cms_svc_call(ctx);
        if (cms_halt_requested) {
            /* HX during a nucleus command the program called */
            cms_svc_halt();
        }
        return ctx;
    }
    program_check(ctx);
    return ctx; /* not reached */
}

void
cms_svc_halt(void)
{
    cms_typing_suppressed = 0;
    cms_msg(M_HALTED, cms_program_name);
    cms_user_end(CMS_RC_HALTED);
}

/* ---- CMS ABEND ------------------------------------------------------------ */
void cms_trap_kernel(uint64_t *frame);

void
cms_trap_kernel(uint64_t *frame)
{
    uint64_t sepc = frame[32], scause = frame[34], stval = frame[35];
    if (scause & SCAUSE_INTR) {
        /* CMS runs with SIE off; a stray interrupt changes nothing */
        return;
    }
    if (in_abend) {
        /* a fault while reporting a fault: stop in a disabled wait, which CP
         * reports to the user */
        for (;;) {
            __asm__ volatile("csrw sie, zero\n\twfi");
        }
    }
    in_abend = 1;
    cms_typing_suppressed = 0;
    con_flush();
    cms_msg(M_ABEND, cause_name(scause), (unsigned long long)sepc, (unsigned long long)scause,
            (unsigned long long)stval);
    dump_regs(frame);
    if (cms_ipl_state == CMS_IPL_AGAIN) {
        /* the IPL after an ABEND failed too: IPLing again would loop */
        cms_msg(M_ABEND_STOP);
        for (;;) {
            __asm__ volatile("csrw sie, zero\n\twfi");
        }
    }
    cms_msg(M_ABEND_REIPL);
    char line[CMS_LINE_MAX + 1];
    con_read_raw(line, sizeof line);
    /* the IPL block CP wrote, not a pointer in storage the fault may
     * have damaged */
    cms_reipl((const void *)(uintptr_t)VMRV_IPL_BLOCK);
}
