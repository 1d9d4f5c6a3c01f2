/* SPDX-License-Identifier: MIT */
/*
 * cp/cpcmd_spool.h - private to the spool commands (cp/cpcmd_spool*.c):
 * the helpers they share for naming devices and selecting spool files.
 */
#ifndef CP_CPCMD_SPOOL_H
#define CP_CPCMD_SPOOL_H

#include "cp/cpcmd.h"
#include "cp/spool_cp.h"

/* A device word: READER/RDR/00C, PUNCH/PUN/00D, PRINTER/PRT/00E,
 * CONSOLE/CONS/009.  -1 if it is none. */
int cpsp_unit_word(const char *w);
/* A queue word: READER/RDR, PRINTER/PRT, PUNCH/PUN.  SPOOL_Q_ANY if none. */
enum spool_queue cpsp_queue_word(const char *w);

/* The spool and the caller's VM state (NULL if no VM); gives the message
 * and returns false when there is no spool. */
bool cpsp_cmd_spool(struct cpcmd_ctx *c, struct cpsp **s, struct cpsp_user **p);

/* Which files a PURGE/TRANSFER/CHANGE/HOLD/FREE/ORDER names:
 *   [userid] [RDR|PRT|PUN] {spoolid ... | CLASS c | ALL}
 * A user without class D reaches only their own files; another userid
 * needs class D.  Up to 64 spoolids. */
struct cpsp_sel {
    struct spool_filter f;
    char owner[SPOOL_USERID_MAX + 1];
    uint32_t ids[64];
    size_t nids;
    bool all;
};
/* Parses the selection; stops at a word it does not know (left for the
 * caller).  0 or the message number given. */
int cpsp_parse_sel(struct cpcmd_ctx *c, struct cpsp_sel *sel);
/* Parses a class letter (A-Z, 0-9, and '*' if star); false after the
 * message. */
bool cpsp_parse_class(struct cpcmd_ctx *c, const char *w, bool star, char *out);
/* A spool errno as a message on out; returns the message number. */
int cpsp_errmsg(struct cpcmd_ctx *c, int rc, const char *what);
/* Is the user a spool operator (class D)? */
bool cpsp_is_operator(const struct cpcmd_ctx *c);

#endif
