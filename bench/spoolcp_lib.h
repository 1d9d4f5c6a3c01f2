/* SPDX-License-Identifier: MIT */
/*
 * bench/spoolcp_lib.h - what the spool-through-CP benchmarks share
 * (bench/spoolcp_close.c, bench/spoolcp_query.c): a temporary data folder
 * with a directory, CP proper with the standard services (spool included)
 * started on it, and its removal.
 */
#ifndef BENCH_SPOOLCP_LIB_H
#define BENCH_SPOOLCP_LIB_H

#include "cp/cp.h"
#include "cp/dir.h"
#include "cp/spool_cp.h"

struct spb_env {
    char data[512];
    struct cp_services svc;
    struct cp_system *sys;
};

/* Monotonic milliseconds. */
double spb_now_ms(void);
/* "prog: what: why" on standard error, then exit 1. */
_Noreturn void spb_die(const char *prog, const char *what, const char *why);
/* Makes a data folder under $TMPDIR named after tag, lets add_users fill
 * its directory (dir_entry_put ...), and returns with the folder made. */
void spb_folder(struct spb_env *e, const char *prog, const char *tag,
                void (*add_users)(struct dir *d, void *arg), void *arg);
/* Starts CP (standard services, log at WARN) on e->data. */
void spb_start(struct spb_env *e, const char *prog);
/* Shuts CP down, frees the services, removes the folder. */
void spb_stop(struct spb_env *e);

#endif
