// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_vm.c - CP proper on the real layers below it: the
 * directory in sqlite (cp/dir.h), the VM layer (cp/vm.h) and the CPU
 * (cp/rv.h), through cp_services_standard().  A user is logged on with a
 * recording terminal; its directory entry IPLs a guest program
 * (tests/guest/cp_diag.elf) that runs CP commands through DIAG 0x008,
 * receives an SMSG through DIAG 0x068 and reads a console line.  Then
 * DISPLAY and QUERY TRANSLATION on a real CPU, LINK of a minidisk from the
 * directory, a guest that ends (hello.elf), attention, and LOGOFF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/cp.h"
#include "cp/dir.h"
#include "cp/system.h"
#include "cp/system_std.h"
#include "tests/test_cp_harness.h"
#include "tests/test_cp_sys.h"
#include "tests/test_cp_term.h"

/* The directory of these tests (as USER DIRECT would say it):
 *   USER MAINT SECRET123 32M 64M ABCDEFG / MDISK 190 1M MR ALL / MDISK 191 1M W
 *   USER BOB SECRET123 32M 64M G / IPL CPDIAG
 *   USER ALICE SECRET123 32M 64M G / IPL HELLO / LINK MAINT 190 190 RR
 * made through dir_entry_put. */
static void
make_directory(struct dir *d)
{
    struct dir_mdisk md[3] = {
        {"MAINT", 0x190, 256, DIR_MODE_MR, "ALL", "", "", ""},
        {"MAINT", 0x191, 256, DIR_MODE_W, "", "", "", ""},
        {"MAINT", 0x192, 256, DIR_MODE_W, "ALL", "WPASS", "MPASS", ""},
    };
    cpsys_add_user(d, "MAINT", "ABCDEFG", "", md, 3, NULL, 0);
    cpsys_add_user(d, "BOB", "G", "CPDIAG", NULL, 0, NULL, 0);
    struct dir_link ln = {"ALICE", "MAINT", 0x190, 0x190, DIR_MODE_RR};
    cpsys_add_user(d, "ALICE", "G", "HELLO", NULL, 0, &ln, 1);
}

static const struct cpsys_system systems[] = {
    {"CPDIAG", "cp_diag.elf"},
    {"HELLO", "hello.elf"},
    {"TRAPS", "asm_cpu_traps.elf"},
    {"TIMER", "asm_cpu_timer.elf"},
};

static int
setup(void **state)
{
    *state = cpsys_start(make_directory, systems, sizeof systems / sizeof *systems);
    return 0;
}

static int
teardown(void **state)
{
    cpsys_stop(*state);
    return 0;
}

static void
test_guest_uses_cp(void **state)
{
    struct cpsys *e = *state;
    struct fterm *bob = cpsys_logon(e, "BOB");
    /* the directory's IPL runs the guest; its DIAG 0x008 checks passed */
    if (!fterm_wait(bob, "CPDIAG READY 0", 10000)) {
        char *t = fterm_text(bob);
        fail_msg("guest output:\n%s", t);
    }
    /* QUERY CPLEVEL without a response buffer went to the console */
    ASSERT_HAS(bob->out, "VM/RV version");
    /* an SMSG from another user reaches the program (SET SMSG ON + AUTHORIZE) */
    int rc;
    char *out = run_cmd(e->sys, "MAINT", "SMSG BOB ping", &rc);
    assert_int_equal(rc, 0);
    free(out);
    /* the guest waits in VM READ: a line wakes it */
    for (int i = 0; i < 500 && strcmp(cp_session_state(bob->s), "VM READ") != 0; i++) {
        usleep(2000);
    }
    assert_string_equal(cp_session_state(bob->s), "VM READ");
    /* trace the guest's hypercalls from here on */
    fterm_type(bob, "#cp trace ecall");
    assert_true(fterm_wait(bob, "TRACE DIAGNOSE\n", 3000));
    /* a line typed right after BEGIN is the guest's, not a CP command */
    fterm_type(bob, "#cp");
    for (int i = 0; i < 500 && strcmp(cp_session_state(bob->s), "CP READ") != 0; i++) {
        usleep(2000);
    }
    fterm_type(bob, "begin");
    fterm_type(bob, "hello guest");
    assert_true(fterm_wait(bob, "CPDIAG GOT hello guest", 5000));
    assert_null(strstr(bob->out, "HELLO"));
    if (!fterm_wait(bob, "CPDIAG DONE 0", 5000)) {
        char *t = fterm_text(bob);
        fail_msg("guest output:\n%s", t);
    }
    ASSERT_HAS(bob->out, "*** TRACE DIAG 0058 CONSOLE a0=2"); /* the READ that got the line */
    ASSERT_HAS(bob->out, "*** TRACE DIAG 0068 MESSAGE a0=1");  /* RECEIVE */
    /* TEST EXIT: the VM stops and CP says why */
    assert_true(fterm_wait(bob, "VMR150W The virtual machine stopped: test exit with code 0", 5000));
    for (int i = 0; i < 500 && strcmp(cp_session_state(bob->s), "CP READ") != 0; i++) {
        usleep(2000);
    }
    assert_string_equal(cp_session_state(bob->s), "CP READ");
    /* the real CPU behind DISPLAY and QUERY TRANSLATION */
    fterm_clear(bob);
    fterm_type(bob, "query translation");
    assert_true(fterm_wait(bob, "instructions patched", 3000));
    ASSERT_HAS(bob->out, "hypercalls (S-mode ecall)");
    assert_true(fterm_wait(bob, "hypercalls by function:", 3000));
    ASSERT_HAS(bob->out, "DIAG  0008 CP_COMMAND");
    ASSERT_HAS(bob->out, "DIAG  0068 MESSAGE");
    ASSERT_HAS(bob->out, "guest CPU");
    fterm_type(bob, "d g sp");
    assert_true(fterm_wait(bob, "X2  sp   = ", 3000));
    fterm_type(bob, "d 1000.10");
    assert_true(fterm_wait(bob, "00001000  ", 3000)); /* the IPL block */
    /* BEGIN after the guest ended: nothing to resume */
    fterm_type(bob, "begin");
    assert_true(fterm_wait(bob, "VMR014E", 3000));
    /* LINK a minidisk with read password ALL */
    fterm_clear(bob);
    fterm_type(bob, "link maint 190 200 rr");
    assert_true(fterm_wait(bob, "VMR145I MAINT 190 linked as 200 RR", 3000));
    fterm_type(bob, "link maint 191 201 w");
    assert_true(fterm_wait(bob, "VMR142E", 3000)); /* no write password: refused */
    fterm_type(bob, "link maint 190 200 rr");
    assert_true(fterm_wait(bob, "VMR141E", 3000)); /* the address is in use */
    fterm_type(bob, "q v");
    assert_true(fterm_wait(bob, "DASD 200      256 BLK R/O  MAINT 190", 3000));
    fterm_type(bob, "detach 200");
    assert_true(fterm_wait(bob, "VMR144I 200 detached", 3000));
    fterm_type(bob, "detach 009");
    assert_true(fterm_wait(bob, "VMR010E", 3000));
    /* IPL again by hand, then LOGOFF */
    fterm_clear(bob);
    fterm_type(bob, "ipl nosuch");
    assert_true(fterm_wait(bob, "VMR153E IPL NOSUCH failed", 3000));
    fterm_type(bob, "logoff");
    assert_true(fterm_wait(bob, "LOGOFF AT", 3000));
    assert_true(fterm_wait_close(bob, 3000));
    cp_session_close(bob->s);
    fterm_free(bob);
}

static void
test_links_at_logon_and_attention(void **state)
{
    struct cpsys *e = *state;
    struct fterm *alice = cpsys_logon(e, "ALICE");
    /* HELLO prints and exits */
    assert_true(fterm_wait(alice, "hello from the guest, 42", 10000));
    assert_true(fterm_wait(alice, "VMR150W", 5000));
    /* the directory's LINK statement gave 190 at logon */
    fterm_type(alice, "q v");
    assert_true(fterm_wait(alice, "DASD 190      256 BLK R/O  MAINT 190", 3000));
    /* DEFINE STORAGE makes a new machine of the new size */
    fterm_type(alice, "define storage 48m");
    assert_true(fterm_wait(alice, "VMR152I STORAGE = 48M", 3000));
    fterm_type(alice, "q stor");
    assert_true(fterm_wait(alice, "STORAGE = 48M\n", 3000));
    /* attention with nothing running does nothing; the session stays */
    cp_session_attention(alice->s);
    assert_string_equal(cp_session_state(alice->s), "CP READ");
    /* disconnect, reconnect */
    cp_session_close(alice->s);
    alice->s = NULL;
    fterm_clear(alice);
    char why[256];
    assert_int_equal(cp_logon(e->sys, "ALICE", "127.0.0.1:2", &fterm_ops, alice, &alice->s, why,
                              sizeof why),
                     0);
    assert_true(fterm_wait(alice, "RECONNECTED AT", 3000));
    fterm_type(alice, "logoff");
    assert_true(fterm_wait_close(alice, 3000));
    cp_session_close(alice->s);
    fterm_free(alice);
}

/* The entry point of a guest ELF (e_entry). */
static uint64_t
elf_entry(const char *elf)
{
    const char *b = getenv("top_builddir");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/guest/%s", b ? b : ".", elf);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char h[32];
    assert_int_equal(fread(h, 1, sizeof h, f), sizeof h);
    fclose(f);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = v << 8 | h[24 + i];
    }
    return v;
}

/* Runs `ipl what` and waits for the guest's test exit. */
static void
ipl_and_wait(struct fterm *t, const char *what)
{
    char cmd[64];
    snprintf(cmd, sizeof cmd, "ipl %s", what);
    fterm_clear(t);
    fterm_type(t, cmd);
    if (!fterm_wait(t, "VMR150W The virtual machine stopped: test exit with code 0", 30000)) {
        char *x = fterm_text(t);
        fail_msg("no test exit after %s:\n%.4000s", cmd, x);
    }
}

/* TRACE INSTRUCTIONS / DIAGNOSE / TRAPS / INTERRUPTS on a real CPU, and
 * TRACE END stopping them. */
static void
test_trace(void **state)
{
    struct cpsys *e = *state;
    struct fterm *a = cpsys_logon(e, "ALICE");
    assert_true(fterm_wait(a, "hello from the guest, 42", 10000));
    assert_true(fterm_wait(a, "VMR150W", 5000));
    fterm_type(a, "trace instructions diagnose");
    assert_true(fterm_wait(a, "TRACE INSTRUCTIONS DIAGNOSE\n", 3000));
    ipl_and_wait(a, "hello");
    char *out = fterm_text(a);
    /* the first instruction, at the ELF's entry point */
    char first[64];
    snprintf(first, sizeof first, "*** TRACE %08llX ",
             (unsigned long long)elf_entry("hello.elf"));
    ASSERT_HAS(out, first);
    /* an ecall, then its hypercall with code, arguments and result, in
     * program order: the console write's line comes after the ecall */
    char *ec = strstr(out, " 00000073 ecall\n");
    assert_non_null(ec);
    char *dg = strstr(ec, "*** TRACE DIAG 0058 CONSOLE a0=");
    assert_non_null(dg);
    ASSERT_HAS(dg, "-> error 0 value ");
    /* the hypercall's line follows the output it made */
    char *hello = strstr(out, "hello from the guest, 42\n");
    assert_non_null(hello);
    assert_non_null(strstr(hello, "*** TRACE DIAG 0058 CONSOLE a0="));
    /* compressed instructions show 16 bits, then the expansion */
    unsigned long long pc;
    unsigned bits;
    char mn[32];
    bool seen_c = false, seen_w = false;
    for (char *l = strstr(out, "*** TRACE "); l; l = strstr(l + 1, "\n*** TRACE ")) {
        if (*l == '\n') {
            l++;
        }
        char enc[16];
        if (sscanf(l, "*** TRACE %llx %15s %31s", &pc, enc, mn) != 3 ||
            strspn(enc, "0123456789ABCDEF") != strlen(enc)) {
            continue; /* a DIAG line */
        }
        if (strcmp(mn, "?") == 0) {
            fail_msg("not disassembled: %.60s", l);
        }
        if (strlen(enc) == 4) {
            sscanf(enc, "%x", &bits);
            assert_true((bits & 3) != 3);
            seen_c = true;
        } else if (strlen(enc) == 8) {
            seen_w = true;
        }
    }
    assert_true(seen_c);
    assert_true(seen_w);
    free(out);

    /* TRACE END: nothing is traced any more */
    fterm_type(a, "trace end");
    assert_true(fterm_wait(a, "Trace ended", 3000));
    ipl_and_wait(a, "hello");
    out = fterm_text(a);
    ASSERT_HAS(out, "hello from the guest, 42");
    assert_null(strstr(out, "*** TRACE"));
    free(out);

    /* traps with cause and tval; interrupts */
    fterm_type(a, "trace traps");
    assert_true(fterm_wait(a, "TRACE TRAPS\n", 3000));
    ipl_and_wait(a, "traps");
    out = fterm_text(a);
    ASSERT_HAS(out, "*** TRACE TRAP ILLEGAL INSTRUCTION (2) AT ");
    ASSERT_HAS(out, "*** TRACE TRAP BREAKPOINT (3) AT ");
    ASSERT_HAS(out, "*** TRACE TRAP ECALL FROM U (8) AT ");
    ASSERT_HAS(out, "*** TRACE TRAP LOAD ACCESS (5) AT ");
    assert_null(strstr(out, "*** TRACE INTERRUPT"));
    free(out);
    fterm_type(a, "trace traps off interrupts");
    assert_true(fterm_wait(a, "TRACE INTERRUPTS\n", 3000));
    ipl_and_wait(a, "timer");
    out = fterm_text(a);
    ASSERT_HAS(out, "*** TRACE INTERRUPT TIMER (5) AT ");
    assert_null(strstr(out, "*** TRACE TRAP"));
    free(out);
    fterm_type(a, "logoff");
    assert_true(fterm_wait_close(a, 3000));
    cp_session_close(a->s);
    fterm_free(a);
}

/* The text of TRACE lines: known encodings, negative immediates, a
 * compressed instruction, CSRs, traps and interrupts. */
static void
test_trace_text(void **state)
{
    static const struct {
        uint64_t pc;
        uint32_t bits;
        unsigned len;
        const char *text;
    } cases[] = {
        {0x1000, 0x00A50533, 4, "00001000 00A50533 add a0,a0,a0"},
        {0x10012, 0x0D2000EF, 4, "00010012 0D2000EF jal ra,100e4"},
        {0x1004, 0xFE000EE3, 4, "00001004 FE000EE3 beq zero,zero,1000"},
        {0x10086, 0xA607BF23, 4, "00010086 A607BF23 sd zero,-1410(a5)"},
        {0x2000, 0x10029073, 4, "00002000 10029073 csrrw zero,sstatus,t0"},
        {0x2004, 0x00000073, 4, "00002004 00000073 ecall"},
        {0x2008, 0x10200073, 4, "00002008 10200073 sret"},
        {0x200C, 0x4025D513, 4, "0000200C 4025D513 srai a0,a1,2"},
        {0x2010, 0x1005A52F, 4, "00002010 1005A52F lr.w a0,(a1)"},
        {0x2014, 0xFFFFFFFF, 4, "00002014 FFFFFFFF ?"},
        {0x1011C, 0xE822, 2, "0001011C E822     sd s0,16(sp)"},
        {0x10168, 0x4705, 2, "00010168 4705     addi a4,zero,1"},
        {0x100E4, 0x8082, 2, "000100E4 8082     jalr zero,0(ra)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[128];
        cp_trace_insn_text(cases[i].pc, cases[i].bits, cases[i].len, buf, sizeof buf);
        assert_string_equal(buf, cases[i].text);
    }
    char buf[160];
    cp_trace_trap_text(2, 0x1234, 0, 0x2000, buf, sizeof buf);
    assert_string_equal(buf, "TRAP ILLEGAL INSTRUCTION (2) AT 00001234 TVAL 0 -> 00002000");
    cp_trace_trap_text(5, 0x10068, 0x2000000, 0x101F4, buf, sizeof buf);
    assert_string_equal(buf, "TRAP LOAD ACCESS (5) AT 00010068 TVAL 2000000 -> 000101F4");
    cp_trace_trap_text(1ull << 63 | 5, 0x10072, 0, 0x10114, buf, sizeof buf);
    assert_string_equal(buf, "INTERRUPT TIMER (5) AT 00010072 -> 00010114");
    cp_trace_trap_text(1ull << 63 | 7, 0x10, 0, 0x20, buf, sizeof buf);
    assert_string_equal(buf, "INTERRUPT ? (7) AT 00000010 -> 00000020");
}

/* Copies a guest ELF to the start of a minidisk image (a bootable disk). */
static void
write_elf_to_disk(const char *data, const char *image, const char *elf)
{
    const char *b = getenv("top_builddir");
    char from[1024], to[600];
    snprintf(from, sizeof from, "%s/tests/guest/%s", b ? b : ".", elf);
    snprintf(to, sizeof to, "%s/disks/%s", data, image);
    FILE *in = fopen(from, "rb");
    assert_non_null(in);
    FILE *out = fopen(to, "r+b");
    if (!out) {
        fail_msg("%s: %s", to, strerror(errno));
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        assert_int_equal(fwrite(buf, 1, n, out), n);
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* IPL of a device: a minidisk with a bootable ELF at its first byte. */
static void
test_ipl_device(void **state)
{
    struct cpsys *e = *state;
    struct fterm *m = cpsys_logon(e, "MAINT");
    assert_true(fterm_wait(m, "LOGON AT", 5000));
    /* an empty disk, a missing device, a non-disk device */
    fterm_type(m, "ipl 191");
    assert_true(fterm_wait(m, "VMR153E IPL 191 failed: it is not bootable (no ELF at its first block)", 3000));
    fterm_type(m, "ipl 333");
    assert_true(fterm_wait(m, "VMR153E IPL 333 failed: no such device", 3000));
    fterm_type(m, "ipl 009");
    assert_true(fterm_wait(m, "VMR153E IPL 009 failed: the device is not a disk", 3000));
    /* a CMS-formatted disk says so */
    {
        char p[600];
        snprintf(p, sizeof p, "%s/disks/MAINT.192.img", e->data);
        FILE *f = fopen(p, "r+b");
        assert_non_null(f);
        assert_int_equal(fwrite("VMRVCMSD", 1, 8, f), 8);
        fclose(f);
    }
    fterm_type(m, "ipl 192");
    assert_true(fterm_wait(m, "VMR153E IPL 192 failed: it is a CMS disk with no IPL record", 3000));
    /* a bootable disk: the guest runs with the device as its system name */
    write_elf_to_disk(e->data, "MAINT.191.img", "hello.elf");
    fterm_clear(m);
    fterm_type(m, "ipl 191 parm from disk");
    if (!fterm_wait(m, "hello from the guest, 42", 10000)) {
        char *t = fterm_text(m);
        fail_msg("no guest output:\n%s", t);
    }
    assert_true(fterm_wait(m, "VMR150W The virtual machine stopped: test exit with code 0", 5000));
    /* the IPL block names the device */
    fterm_clear(m);
    fterm_type(m, "d 1028.8");
    assert_true(fterm_wait(m, "00001028  31393120 20202020", 3000));
    fterm_type(m, "logoff");
    assert_true(fterm_wait_close(m, 3000));
    cp_session_close(m->s);
    fterm_free(m);
}

static void
test_directory_lookup(void **state)
{
    struct cpsys *e = *state;
    struct cp_dirent de;
    assert_int_equal(e->svc.dir_lookup(e->svc.ctx, "BOB", &de), 0);
    assert_string_equal(de.userid, "BOB");
    assert_int_equal(de.classes, CP_CLASS('G'));
    assert_int_equal(de.storage, 32ull << 20);
    assert_int_equal(de.maxstorage, 64ull << 20);
    assert_string_equal(de.ipl, "CPDIAG");
    assert_int_equal(e->svc.dir_lookup(e->svc.ctx, "NOBODY", &de), -ENOENT);
    /* an exec of a user who is not logged on reads the directory too */
    int rc;
    char *out = run_cmd(e->sys, "MAINT", "Q PRIVCLAS", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "Privilege classes: current ABCDEFG, directory ABCDEFG");
    free(out);
}

/* The link-mode rules as a table: mode, links, writers, exclusive ->
 * refused, or write and exclusive. */
static void
test_link_rules(void **state)
{
    static const struct {
        int mode;
        unsigned links, writers, excl;
        int rc;
        bool write, exclusive;
    } cases[] = {
        {DIR_MODE_R, 0, 0, 0, 0, false, false},  {DIR_MODE_R, 3, 0, 0, 0, false, false},
        {DIR_MODE_R, 1, 1, 0, -1, false, false}, {DIR_MODE_RR, 1, 1, 1, 0, false, false},
        {DIR_MODE_W, 0, 0, 0, 0, true, true},    {DIR_MODE_W, 1, 0, 0, -1, false, false},
        {DIR_MODE_WR, 0, 0, 0, 0, true, true},   {DIR_MODE_WR, 2, 1, 0, 0, false, false},
        {DIR_MODE_M, 2, 0, 0, 0, true, false},   {DIR_MODE_M, 2, 1, 0, -1, false, false},
        {DIR_MODE_MR, 2, 0, 0, 0, true, false},  {DIR_MODE_MR, 2, 1, 1, 0, false, false},
        {DIR_MODE_MW, 2, 2, 1, 0, true, false},  {99, 0, 0, 0, -1, false, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool w, x;
        const char *why = NULL;
        int rc = cp_link_rule(cases[i].mode, cases[i].links, cases[i].writers, cases[i].excl, &w,
                              &x, &why);
        if (rc != cases[i].rc || (rc == 0 && (w != cases[i].write || x != cases[i].exclusive))) {
            fail_msg("case %zu: rc %d write %d exclusive %d", i, rc, w, x);
        }
        assert_true(rc == 0 || why != NULL);
    }
}

static void
test_link_modes(void **state)
{
    struct cpsys *e = *state;
    struct fterm *bob = cpsys_logon(e, "BOB");
    struct fterm *alice = cpsys_logon(e, "ALICE");
    assert_true(fterm_wait(bob, "CPDIAG READY", 10000));
    fterm_type(bob, "#cp link maint 192 192 w pass wpass");
    assert_true(fterm_wait(bob, "VMR145I MAINT 192 linked as 192 W", 3000));
    assert_true(fterm_wait(alice, "VMR150W", 10000)); /* HELLO ended: CP READ */
    /* BOB writes: R refused, RR and WR (falls back to read) given read */
    fterm_type(alice, "link maint 192 192 r");
    assert_true(fterm_wait(alice, "VMR142E LINK to MAINT 192 refused: another user has it for writing", 3000));
    fterm_type(alice, "link maint 192 292 rr");
    assert_true(fterm_wait(alice, "VMR145I MAINT 192 linked as 292 RR", 3000));
    fterm_type(alice, "link maint 192 392 wr pass wpass");
    assert_true(fterm_wait(alice, "linked read-only: another user has it", 3000));
    fterm_type(alice, "link maint 192 492 m pass mpass");
    assert_true(fterm_wait(alice, "VMR142E LINK to MAINT 192 refused: another user has it for writing", 3000));
    fterm_type(alice, "link maint 192 592 mr pass mpass");
    assert_true(fterm_wait(alice, "VMR145I MAINT 192 linked as 592 MR", 3000));
    fterm_type(alice, "q v");
    assert_true(fterm_wait(alice, "DASD 592      256 BLK R/O  MAINT 192", 3000));
    /* BOB lets go: M is possible now, W still not (ALICE has it) */
    fterm_type(bob, "#cp det 192");
    assert_true(fterm_wait(bob, "VMR144I 192 detached", 3000));
    fterm_clear(alice);
    fterm_type(alice, "link maint 192 692 w pass wpass");
    assert_true(fterm_wait(alice, "another user has it linked", 3000));
    fterm_type(alice, "link maint 192 692 m pass mpass");
    assert_true(fterm_wait(alice, "VMR145I MAINT 192 linked as 692 M", 3000));
    fterm_type(alice, "q v");
    assert_true(fterm_wait(alice, "DASD 692      256 BLK R/W  MAINT 192", 3000));
    /* a wrong password */
    fterm_type(alice, "link maint 192 792 mw pass nope");
    assert_true(fterm_wait(alice, "VMR143E Password incorrect", 3000));
    /* ALICE logs off: her links go; BOB can have it alone again */
    fterm_type(alice, "logoff");
    assert_true(fterm_wait_close(alice, 3000));
    for (int i = 0; i < 300 && cp_system_users(e->sys) != 1; i++) {
        usleep(10000);
    }
    assert_int_equal(cp_system_users(e->sys), 1);
    fterm_clear(bob);
    fterm_type(bob, "#cp link maint 192 192 w pass wpass");
    assert_true(fterm_wait(bob, "VMR145I MAINT 192 linked as 192 W", 3000));
    fterm_type(bob, "#cp link maint 192 193 w pass wpass");
    assert_true(fterm_wait(bob, "another user has it linked", 3000)); /* BOB's own 192 */
    cp_session_close(alice->s);
    fterm_free(alice);
    cp_session_close(bob->s);
    fterm_free(bob);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_rules),
        cmocka_unit_test(test_trace_text),
        cmocka_unit_test_setup_teardown(test_directory_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_uses_cp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links_at_logon_and_attention, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipl_device, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
