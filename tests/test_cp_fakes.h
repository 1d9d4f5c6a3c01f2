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

/* ---- the directory ---------------------------------------------------------
 *  MAINT     ABCDEFG  32M (max 256M)    OPERATOR  ABCEG  32M
 *  BOB       G        32M (max 64M), IPL CMS      ALICE     G  32M
 *  CAROL     G        32M               ANALYST   E      32M
 *  RESOP     B        32M               NOLOGU    NOLOG
 *  BIGUSER   G        2G                AUTO1     G  IPL CMS
 */
int fake_dir_lookup(void *ctx, const char *userid, struct cp_dirent *out);

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
    bool destroyed;
};

extern const struct cp_vm_ops fake_vm_ops;
extern pthread_mutex_t fake_lock;

/* The fake VM of a logged-on user (the latest one made for that userid). */
struct fvm *fake_vm(const char *userid);
/* Forget all fake VMs (between tests). */
void fake_vm_reset(void);

/* ---- a terminal ------------------------------------------------------------ */

struct fterm {
    pthread_mutex_t lock;
    char out[1 << 18];
    size_t len;
    unsigned events;
    bool closed_event;
    struct cp_session *s;
};

extern const struct con_term_ops fterm_ops;
struct fterm *fterm_new(void);
void fterm_free(struct fterm *t);

/* Pumps t's session until `text` appears in its output (true) or ms pass. */
bool fterm_wait(struct fterm *t, const char *text, int ms);
/* Pumps until a CON_EV_CLOSE arrived (true) or ms pass. */
bool fterm_wait_close(struct fterm *t, int ms);
/* Clears what was recorded. */
void fterm_clear(struct fterm *t);
/* A copy of the output (free it). */
char *fterm_text(struct fterm *t);

/* Types a line at the terminal. */
void fterm_type(struct fterm *t, const char *line);

/* ---- a system --------------------------------------------------------------- */

/* A started system with the fakes: 1 dispatcher, 5 ms slices, logs to a
 * temp folder (dir returned in logdir, may be NULL).  Extra config lines in
 * conf (may be NULL). */
struct cp_system *fake_system(const char *conf, char *logdir, size_t logdirlen);
/* Shuts it down, destroys it, closes the log. */
void fake_system_end(struct cp_system *sys);

/* Logs userid on with a new fake terminal; fails the test if refused. */
struct fterm *fake_logon(struct cp_system *sys, const char *userid);

/* cp_exec_wait, returning the output (free it) and the rc. */
char *run_cmd(struct cp_system *sys, const char *userid, const char *cmd, int *rc);

/* Waits for *flag >= value (reading under fake_lock), up to ms. */
bool wait_int(int *flag, int value, int ms);

#endif
