/* SPDX-License-Identifier: MIT */
/*
 * tests/test_cp_fakes.h - fakes for testing CP proper without the other
 * areas: a directory (a fixed table), a VM layer (struct cp_vm_ops over a
 * fake CPU and fake storage that implement the cp/rv.h and cp/stor.h calls
 * CP uses), and a terminal that records what it is sent.  With them a
 * test starts a real system (dispatcher threads, consoles, commands).
 */
#ifndef TESTS_TEST_CP_FAKES_H
#define TESTS_TEST_CP_FAKES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/cp.h"
#include "tests/test_cp_term.h"

/* ---- the directory ---------------------------------------------------------
 *  MAINT     ABCDEFG  32M (max 256M)    OPERATOR  ABCEG  32M
 *  BOB       G        32M (max 64M), IPL CMS      ALICE     G  32M
 *  CAROL     G        32M               ANALYST   E      32M
 *  RESOP     B        32M               NOLOGU    NOLOG
 *  BIGUSER   G        2G                AUTO1     G  IPL CMS
 */
int fake_dir_lookup(void *ctx, const char *userid, struct cp_dirent *out);
/* Milliseconds every lookup takes (a slow directory); 0 by default. */
extern int fake_dir_delay_ms;

/* ---- the VM layer --------------------------------------------------------- */

struct rv_cpu {
    uint64_t x[32];
    uint64_t pc;
    int priv;
    uint64_t csr[4096];
    uint64_t stats_blocks, stats_patched;
};

struct stor {
    uint64_t size;
    unsigned char *mem; /* only the first FAKE_STOR_BYTES are real */
};
#define FAKE_STOR_BYTES (1u << 20)

struct fvm {
    struct cp_user *u;
    char userid[9];
    struct rv_cpu cpu;
    struct stor st;
    /* counters (read them under fake_lock or after a wait) */
    int ipls, attentions, console_ready, resets, clears, runs;
    char last_ipl[16], last_parm[64];
    uint64_t storage;
    /* behaviour of run() */
    bool echo; /* read console lines and write "ECHO: line" */
    bool busy; /* use whole slices */
    /* a DIAG 0x008 to issue from inside the next slice */
    bool diag_pending;
    char diag_cmd[256];
    bool diag_console;
    size_t diag_cap;
    int diag_rc, diag_done;
    char diag_resp[1024];
    size_t diag_full;
    int eintr;
    bool attn_pending; /* an attention not claimed by the "guest" */
    bool destroyed;
};

/* The fake guest claims its attention event. */
void fake_vm_claim(struct fvm *f);

extern const struct cp_vm_ops fake_vm_ops;
extern pthread_mutex_t fake_lock;
#define wait_int(flag, value, ms) wait_int_locked(&fake_lock, (flag), (value), (ms))

/* The fake VM of a logged-on user (the latest one made for that userid). */
struct fvm *fake_vm(const char *userid);
/* Forget all fake VMs (between tests). */
void fake_vm_reset(void);

/* ---- a system --------------------------------------------------------------- */

/* A started system with the fakes: 1 dispatcher, 5 ms slices, logs to a
 * temp folder (dir returned in logdir, may be NULL).  Extra config lines in
 * conf (may be NULL). */
struct cp_system *fake_system(const char *conf, char *logdir, size_t logdirlen);
/* Shuts it down, destroys it, closes the log. */
void fake_system_end(struct cp_system *sys);

/* Logs userid on with a new fake terminal; fails the test if refused. */
struct fterm *fake_logon(struct cp_system *sys, const char *userid);

#endif
