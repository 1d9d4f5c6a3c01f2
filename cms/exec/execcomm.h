/* SPDX-License-Identifier: MIT */
/*
 * cms/exec/execcomm.h - what nucleus commands may ask of the EXEC that
 * issued them: its variables (CMS's EXECCOMM shared variable interface)
 * and the end of each EXEC.  cms/exec/rexx_shv.c implements it over the
 * interpreter; EXECIO (cms/exec/execio*.c) is its first user.
 *
 * The target is always the innermost EXEC that is running: an EXEC issues
 * a command (ADDRESS CMS), CMS runs it, the command calls in here while
 * the EXEC waits for its return code.  Names are symbolic, as in a REXX
 * clause: "LINE." + "3" is the compound LINE.3, and in "A.I" the tail I is
 * replaced by the value of I in the EXEC.  Lower case is folded to upper.
 * A routine that said PROCEDURE sees its own variables (and what it
 * EXPOSEd), exactly as its next clause would.
 *
 * No call ever longjmps out of the caller: running out of storage is
 * CMS_SHV_NOMEM and the variable keeps its old value.
 */
#ifndef CMS_EXEC_EXECCOMM_H
#define CMS_EXEC_EXECCOMM_H

#include <stddef.h>

#include "cms/cms.h"

#define CMS_SHV_OK 0
#define CMS_SHV_NEWV 1 /* fetch: the variable has no value (its name given) */
#define CMS_SHV_NOEXEC (-1) /* no EXEC is running */
#define CMS_SHV_BADN (-2) /* not a variable name */
#define CMS_SHV_NOMEM (-3) /* out of storage */

/* The nesting level of the innermost running EXEC: 0 when none runs (a
 * command typed at Ready), 1 for an EXEC called from there, and so on. */
int cms_shv_level(void);

/* Is name (n bytes) a name a variable can have (a symbol that does not
 * start with a digit or a period)?  Needs no EXEC. */
int cms_shv_name_ok(const char *name, size_t n);

/* Sets variable name to the n bytes at val.  CMS_SHV_OK, _NOEXEC, _BADN,
 * _NOMEM. */
int cms_shv_set(const char *name, size_t n, const char *val, size_t vlen);

/* Fetches variable name: CMS_SHV_OK with *val and *vlen its value, or
 * CMS_SHV_NEWV with its derived name there (as REXX uses an unset
 * variable's name as its value); both valid until the next call here or
 * the EXEC's next clause.  _NOEXEC, _BADN, _NOMEM. */
int cms_shv_fetch(const char *name, size_t n, const char **val, size_t *vlen);

/* Drops variable name (a stem drops all its compounds). */
int cms_shv_drop(const char *name, size_t n);

/* ---- EXECIO (execio.c, execio_disk.c) ---------------------------------- */
/* The EXECIO command (a nucleus command, row in cms/cmd.c). */
int cmd_execio(struct cms_plist *p);
/* Closes (and so commits) every file EXECIO opened at nesting level
 * level or deeper: rexx_cms.c calls it as each EXEC ends. */
void execio_close_level(int level);

#endif /* CMS_EXEC_EXECCOMM_H */
