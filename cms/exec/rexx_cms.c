// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_cms.c - the EXEC processor as CMS sees it: cms_rexx_exec
 * (installed as cms_exec_hook) reads "fn EXEC fm" from an accessed disk,
 * runs it, and frees everything it used.  It also gives the interpreter
 * its view of CMS: the console (SAY, PULL), the program stack (PUSH,
 * QUEUE, PULL, QUEUED), commands (ADDRESS CMS through cms_command,
 * ADDRESS CP through DIAG 0x008), the clock, the userid, and attention.
 *
 * The interpreter runs on a stack of its own (RX_STACK bytes of nucleus
 * free storage) because CMS's stack is only 64 KiB and REXX recursion is
 * deep; an EXEC that runs another EXEC stays on it.  Attention: CMS runs
 * with interrupts off, so the interpreter polls (every 256 clauses and
 * each loop iteration); HI raises HALT (error 4 unless trapped), HX ends
 * the EXEC at once (VMC020I, return code -1), HT and RT act as usual.
 * The return code of an EXEC is its EXIT value, 20000+n after error n.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/exec/execcomm.h"
#include "cms/exec/rexx.h"
#include "cms/fsys.h"

#define RX_STACK (256 * 1024)
#define RX_MAX_NEST 8 /* EXECs running EXECs */
#define SIP_SEIP (1ul << 9)

void rx_run_main(struct rx *rx);
void rx_call_on_stack(void *arg, void (*fn)(void *), void *top);

/* Calls fn(arg) with sp at top; returns on the old stack. */
__asm__(".text\n"
        ".globl rx_call_on_stack\n"
        ".type rx_call_on_stack, @function\n"
        "rx_call_on_stack:\n"
        "  addi a2, a2, -16\n"
        "  sd ra, 8(a2)\n"
        "  sd sp, 0(a2)\n"
        "  mv sp, a2\n"
        "  jalr a1\n"
        "  ld ra, 8(sp)\n"
        "  ld sp, 0(sp)\n"
        "  ret\n"
        ".size rx_call_on_stack, .-rx_call_on_stack\n");

#define RX_STACK_MARGIN (64 * 1024) /* for commands, messages, the error path */

static int nest;
uintptr_t rx_stack_limit;
struct rx *rx_active;

int
cms_shv_level(void)
{
    return nest;
}

void
rx_say(struct rx *rx, const char *s, size_t n)
{
    (void)rx;
    con_flush();
    con_line(s, n);
}

struct rx_val
rx_pull_line(struct rx *rx)
{
    char *buf = rx_tmp(rx, CMS_LINE_MAX + 1);
    int n = cms_stack_take(buf, CMS_LINE_MAX + 1);
    if (n < 0) {
        n = (int)con_read(buf, CMS_LINE_MAX + 1);
    }
    buf[n] = '\0';
    struct rx_val v = {buf, (size_t)n};
    return v;
}

void
rx_push(struct rx *rx, struct rx_val v, int lifo)
{
    if (cms_stack_add(v.s, v.n, lifo) != 0) {
        rx_error(rx, 5);
    }
}

int
rx_queued(void)
{
    return cms_stack_count();
}

const char *
rx_userid(void)
{
    return cms_userid;
}

void
rx_now(char date_iso[11], char time[9], uint64_t *tod_us, int64_t *utc_off)
{
    struct diag_timer t;
    cms_timer(&t);
    memcpy(date_iso, t.date_iso, 10);
    date_iso[10] = '\0';
    memcpy(time, t.time, 8);
    time[8] = '\0';
    *tod_us = t.tod_us;
    *utc_off = t.utc_offset_s;
}

int
rx_env_command(struct rx *rx, const char *env, struct rx_val cmd)
{
    int cms = strcmp(env, "CMS") == 0 || strcmp(env, "COMMAND") == 0;
    int cp = strcmp(env, "CP") == 0;
    if (!cms && !cp) {
        return -3;
    }
    /* CMS takes a line of at most CMS_LINE_MAX characters */
    if (cmd.n + (cp ? 3 : 0) > CMS_LINE_MAX) {
        cms_msg(M_REXX_CMD_LONG, (unsigned)cmd.n);
        return -3;
    }
    char *line = rx_tmp(rx, cmd.n + 4);
    size_t o = 0;
    if (cp) {
        memcpy(line, "CP ", 3);
        o = 3;
    }
    memcpy(line + o, cmd.s, cmd.n);
    line[o + cmd.n] = '\0';
    int rc = cms_command(line, 0);
    con_flush();
    if (cms_halt_requested) {
        rx_poll(rx);
    }
    return rc;
}

static void
halt_exec(struct rx *rx)
{
    cms_msg(M_HALTED, rx->fn);
    rx->halted = 1;
    rx_exit(rx, -1);
}

void
rx_poll(struct rx *rx)
{
    if (cms_halt_requested) {
        halt_exec(rx);
    }
    unsigned long sip;
    __asm__ volatile("csrr %0, sip" : "=r"(sip));
    if ((sip & SIP_SEIP) == 0) {
        return;
    }
    int hi = 0;
    for (int guard = 0; guard < 64; guard++) {
        struct diag_result r = diag_call(DIAG_EVENT_CLAIM, 0, 0, 0, 0, 0, 0);
        if (r.error != DIAG_OK) {
            break;
        }
        if (r.value != DIAG_EVENT_ATTENTION) {
            continue;
        }
        char line[CMS_LINE_MAX + 1], word[8];
        size_t n = con_read_raw(line, sizeof line), i = 0, w = 0;
        while (i < n && line[i] == ' ') {
            i++;
        }
        while (i < n && line[i] != ' ' && w < sizeof word - 1) {
            char ch = line[i++];
            word[w++] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
        }
        word[w] = '\0';
        while (i < n && line[i] == ' ') {
            i++;
        }
        int alone = i == n;
        if (alone && strcmp(word, "HI") == 0) {
            hi = 1;
        } else if (alone && strcmp(word, "HX") == 0) {
            cms_halt_requested = 1;
        } else if (alone && strcmp(word, "HT") == 0) {
            cms_typing_suppressed = 1;
        } else if (alone && strcmp(word, "RT") == 0) {
            cms_typing_suppressed = 0;
        } else if (n > 0) {
            cms_msg(M_IMMED_UNKNOWN, word);
            con_keep_line(line, n);
        }
    }
    if (cms_halt_requested) {
        halt_exec(rx);
    }
    if (hi) {
        rx_condition(rx, C_HALT, rx_cstr("HI"));
    }
}

/* Reads the EXEC into one buffer, records joined by line ends (trailing
 * blanks of fixed-length records dropped). */
static int
load_file(struct rx *rx, const struct fs_fileid *id)
{
    struct fs_file *f = NULL;
    int err = fs_open(id, CMS_O_READ, 'V', 0, &f);
    if (err != 0) {
        return err;
    }
    struct fs_stat st;
    fs_fstat(f, &st);
    size_t cap = 4096, len = 0;
    char *buf = rx_alloc(rx, cap);
    char rec[1024];
    for (;;) {
        size_t n;
        err = fs_read(f, rec, sizeof rec, &n);
        if (err == CMS_EEOF) {
            err = 0;
            break;
        }
        if (err != 0) {
            break;
        }
        if (n > sizeof rec) {
            n = sizeof rec;
        }
        if (st.recfm == 'F') {
            while (n > 0 && rec[n - 1] == ' ') {
                n--;
            }
        }
        if (len + n + 2 > cap) {
            while (len + n + 2 > cap) {
                cap *= 2;
            }
            buf = rx_realloc(rx, buf, cap);
        }
        memcpy(buf + len, rec, n);
        len += n;
        buf[len++] = '\n';
    }
    fs_abort(f);
    rx->src = buf;
    rx->srclen = len;
    return err;
}

static void
run_body(void *arg)
{
    struct rx *rx = arg;
    jmp_buf top;
    rx->top_jb = &top;
    int how = setjmp(top);
    if (how == 0) {
        rx_lex(rx, &rx->main, rx->src, rx->srclen, 1);
        rx->pool = rx_pool_new(rx, NULL);
        rx_run_main(rx);
        rx->exit_rc = 0;
    } else if (how == 2) {
        /* an error before the program started (its source) */
        cms_msg(M_REXX_ERROR, rx->errno_, rx->fn, (unsigned)rx->cur_line,
                rx_error_text(rx->errno_));
        rx->exit_rc = 20000 + rx->errno_;
    }
    con_flush();
}

/* Runs "fn EXEC fm" with nargs argument strings (copied first: they live
 * in the caller's storage).  res (may be NULL) gets the EXIT or RETURN
 * value in parent's scratch storage, for external routines.  Returns the
 * return code (or a CMS error rc when the file cannot be read). */
static int
exec_file(const char *fn, const char *fm, int nargs, const struct rx_val *args,
          const uint8_t *given, struct rx *parent, struct rx_val *res, int *has_res)
{
    if (nest >= RX_MAX_NEST) {
        cms_msg(M_REXX_NEST, fn);
        return -3;
    }
    struct rx *rx = calloc(1, sizeof *rx);
    if (rx == NULL) {
        cms_msg(M_NO_STORAGE);
        return 104;
    }
    struct fs_fileid id;
    if (fs_fileid_make(&id, fn, "EXEC", fm && *fm ? fm : "*", "*") != 0) {
        free(rx);
        cms_msg(M_BAD_FILEID, fn);
        return 20;
    }
    snprintf(rx->fn, sizeof rx->fn, "%s", id.fn);
    int rc;
    jmp_buf load;
    rx->top_jb = &load;
    if (setjmp(load) != 0) {
        /* out of storage while loading */
        cms_msg(M_NO_STORAGE);
        rc = 104;
        goto out;
    }
    struct fs_stat st;
    int err = fs_state(&id, &st);
    if (err == 0) {
        snprintf(rx->fm, sizeof rx->fm, "%s", st.id.fm);
        err = load_file(rx, &id);
    }
    if (err != 0) {
        rc = fs_report(err, &id);
        goto out;
    }
    int n = nargs > 0 ? nargs : 1;
    struct rx_val *argv = rx_alloc(rx, (size_t)n * sizeof *argv);
    uint8_t *g = rx_alloc(rx, (size_t)n);
    for (int i = 0; i < nargs; i++) {
        char *copy = rx_alloc(rx, args[i].n + 1);
        memcpy(copy, args[i].s, args[i].n);
        argv[i].s = copy;
        argv[i].n = args[i].n;
        g[i] = given[i];
    }
    if (nargs == 0) {
        argv[0].s = "";
        g[0] = 0;
    }
    rx->args = argv[0].s;
    rx->main_args = argv;
    rx->main_given = g;
    rx->main_nargs = n;
    struct rx *outer = rx_active;
    rx_active = rx;
    nest++;
    if (nest == 1) {
        char *stack = malloc(RX_STACK);
        if (stack == NULL) {
            nest--;
            rx_active = outer;
            cms_msg(M_NO_STORAGE);
            rc = 104;
            goto out;
        }
        uintptr_t top = ((uintptr_t)stack + RX_STACK) & ~(uintptr_t)15;
        rx_stack_limit = (uintptr_t)stack + RX_STACK_MARGIN;
        rx_call_on_stack(rx, run_body, (void *)top);
        free(stack);
    } else {
        run_body(rx);
    }
    /* files EXECIO opened in this EXEC (or deeper) close with it */
    execio_close_level(nest);
    nest--;
    rx_active = outer;
    rc = rx->exit_rc;
    if (res != NULL && rx->exit_has_value) {
        *res = rx_tmpcopy(parent, rx->exit_value.s, rx->exit_value.n);
        *has_res = 1;
    }
out:
    rx_free_all(rx);
    free(rx);
    return rc;
}

int
cms_rexx_exec(const char *fn, const char *fm, const char *args)
{
    struct rx_val a = {args, strlen(args)};
    uint8_t given = 1;
    return exec_file(fn, fm, 1, &a, &given, NULL, NULL, NULL);
}

int
rx_call_external(struct rx *rx, const char *name, size_t n, int nargs, struct rx_val *args,
                 uint8_t *given, struct rx_val *res)
{
    char fn[9];
    struct fs_fileid id;
    if (n == 0 || n > 8) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        fn[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    fn[n] = '\0';
    if (fs_fileid_make(&id, fn, "EXEC", "*", "*") != 0 || fs_state(&id, NULL) != 0) {
        return -1;
    }
    int has = 0;
    exec_file(fn, "*", nargs, args, given, rx, res, &has);
    con_flush();
    if (cms_halt_requested) {
        rx_poll(rx);
    }
    return has;
}
