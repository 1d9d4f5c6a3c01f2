/* SPDX-License-Identifier: MIT */
/*
 * cms/cms.h - the private header of the CMS nucleus: what its files share.
 * Nothing outside cms/ includes it; user programs see only vmrv/cmsapi.h.
 *
 * Layers, bottom up:
 *   start.S, trap.c    IPL entry, trap entry, program checks, attention
 *   diagio.c           every DIAG CMS makes (console, clock, storage, disks)
 *   msg.c              the message table (ids VMCnnnS) and cms_msg()
 *   fsys.c, fsys.h     accessed disks, search order, files (over cmsfs)
 *   cmd.c              command line parsing, resolution, the nucleus table
 *   cmd_*.c, edit.c    the nucleus commands
 *   loader.c, svc.c    MODULE programs in U-mode and their service calls
 *   main.c             IPL: version line, disks, PROFILE EXEC, Ready loop
 * CMS runs with interrupts disabled in S-mode; it takes external interrupts
 * (attention) only while a user program runs in U-mode, and polls for them
 * in long nucleus commands.
 */
#ifndef CMS_CMS_H
#define CMS_CMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vmrv/cmsapi.h>
#include <vmrv/diag.h>
#include <vmrv/ipl.h>

#include "cms/msg.h"

#define CMS_VERSION "0.1.0"
#define CMS_LINE_MAX 255 /* longest console line / command line */
#define CMS_MAXARGS 32

/* ---- diagio.c: the DIAG layer ------------------------------------------ */
/* Writes a line (CMS adds the line end) or a prompt (none). */
void con_line(const char *s, size_t n);
void con_prompt(const char *s, size_t n);
/* Reads one line from the terminal into buf (NUL terminated, at most cap-1
 * bytes, a longer line is truncated), waiting in CP.  Lines stacked by an
 * attention come first.  Returns the length. */
size_t con_read(char *buf, size_t cap);
/* Flushes the partial line of printf output. */
void con_flush(void);
/* The pseudo-timer (DIAG 0x00C). */
void cms_timer(struct diag_timer *t);
/* The system name, userid and CP level (DIAG 0x000); 0 or a DIAG_E* code. */
long cms_identify(struct diag_identify *id);
/* Storage size (DIAG 0x060). */
uint64_t cms_storage_size(void);
/* DIAG 0x010 and 0x100C; return 0 or a DIAG_E* code. */
long cms_release_pages(uint64_t addr, uint64_t len);
long cms_protect(uint64_t addr, uint64_t len, int mode);
/* DIAG 0x008: run a CP command.  resp may be NULL (the response goes to
 * the console).  Returns DIAG_OK with CP's return code in *cp_rc and the
 * response's full length in *resp_len (may be NULL), or the DIAG_E* code
 * of a DIAG that failed (DIAG_ENOTSUP: no CP, as under `vmrv run`). */
long cms_cp_command(const char *cmd, size_t len, char *resp, size_t cap, size_t *resp_len,
                    long *cp_rc);
/* DIAG 0x024 / 0x250 */
long cms_devinfo(unsigned vaddr, struct diag_devinfo *di);
long cms_disk_geometry(unsigned vaddr, struct diag_geometry *g);
long cms_disk_io(int write, unsigned vaddr, uint64_t block, void *buf, unsigned count);
long cms_disk_flush(unsigned vaddr);

/* The immediate-command state set by attention (trap.c). */
extern int cms_typing_suppressed; /* HT until RT */

/* ---- trap.c: U-mode programs, program checks, attention ----------------- */
struct cms_uctx {
    uint64_t x[32];
    uint64_t sepc, sstatus, scause, stval;
    uint64_t ksp, ktp, kgp;
};
/* Runs a program in U-mode at entry with the given a0, a1 and sp until it
 * ends (CMS_EXIT, program check, HX).  Returns its return code.  Not
 * reentrant: a program cannot start another. */
int cms_run_user(uint64_t entry, uint64_t sp, uint64_t a0, uint64_t a1);
/* Ends the running program with rc (from a service or a trap handler). */
void cms_user_end(int rc) __attribute__((noreturn));
/* Nonzero while a user program runs (also during its service calls). */
extern int cms_program_active;
/* Handles pending external events if any (attention, messages); called at
 * safe points of long nucleus commands.  Returns 1 if the user asked to
 * stop (HX) what is running. */
int cms_attn_poll(void);
/* Nonzero after HX until the next command starts. */
extern int cms_halt_requested;
void cms_trap_init(void);
/* The name of the running program (for messages). */
extern const char *cms_program_name;
/* Ends the running program as HX does (from a service call). */
void cms_svc_halt(void) __attribute__((noreturn));
/* Claims every pending event without acting on attention (the caller is
 * reading the terminal anyway). */
void cms_events_drain(void);
/* diagio.c: a line typed after an attention, kept for the next read; and
 * a read of the terminal itself, past that buffer. */
void con_keep_line(const char *s, size_t n);
size_t con_read_raw(char *buf, size_t cap);
/* Empties that buffer of typed lines (DESBUF); returns how many it held. */
unsigned con_drop_kept(void);
/* Enters U-mode with ctx's registers (start.S). */
void cms_user_resume(struct cms_uctx *ctx) __attribute__((noreturn));
void cms_reipl(const void *ipl) __attribute__((noreturn));

/* ---- svc.c -------------------------------------------------------------- */
/* Handles one service call from U-mode: a7 = service; a0 gets the result. */
void cms_svc_call(struct cms_uctx *ctx);
/* Closes every file a program left open (after it ends). */
void cms_svc_cleanup(void);

/* ---- stack.c: the program stack (CMS_STACK / CMS_QUEUED) and its buffers - */
/* Adds a line to the newest buffer: on top (lifo) or at its end; 0 or
 * CMS_ENOSPC. */
int cms_stack_add(const char *line, size_t len, int lifo);
/* Takes the top line (dropping empty buffers above it); returns its
 * length or -1 if the stack is empty. */
int cms_stack_take(char *buf, size_t cap);
/* Lines in all buffers. */
int cms_stack_count(void);
/* Empties the stack and drops every buffer (DESBUF, DROPBUF 0). */
void cms_stack_clear(void);
/* MAKEBUF: a new buffer; returns its number (1, 2, ...) or CMS_ENOSPC. */
int cms_stack_makebuf(void);
/* DROPBUF n: drops buffer n and newer ones (0: the whole stack); -1 if
 * there is no buffer n. */
int cms_stack_dropbuf(unsigned n);
/* The number of the newest buffer (0: no MAKEBUF buffers). */
int cms_stack_buffers(void);

/* ---- cmd.c: command lines ----------------------------------------------- */
/* A parsed command line: tokens as typed (orig) and upper-cased (argv). */
struct cms_plist {
    int argc;
    char *argv[CMS_MAXARGS]; /* upper case */
    char *orig[CMS_MAXARGS]; /* as typed */
    const char *line; /* the whole line as typed */
    const char *rest[CMS_MAXARGS]; /* the line from token i on, as typed */
    char ubuf[CMS_LINE_MAX + 1];
    char obuf[CMS_LINE_MAX + 1];
};
/* Splits line into p (blanks separate tokens; '(' starts options and is a
 * token of its own).  Returns 0, or -1 if there are too many tokens. */
int cms_parse(const char *line, struct cms_plist *p);
/* Runs one command line as CMS does (EXEC, MODULE, nucleus, CP).  flags:
 * CMS_CMDF_PROGRAM when a program asked (CMS_CMSCALL).  Returns the
 * command's return code. */
#define CMS_CMDF_PROGRAM 0x1
int cms_command(const char *line, int flags);
/* The index of the first "(" token, or p->argc if there is none. */
int cms_opt_index(const struct cms_plist *p);
/* Does word (upper case) match name with at least minlen characters? */
int cms_abbrev(const char *word, const char *name, size_t minlen);

/* A nucleus command: handler gets the parsed line and returns the rc. */
struct cms_cmd {
    const char *name;
    unsigned char minlen;
    int (*handler)(struct cms_plist *p);
    const char *help; /* one line */
};
extern const struct cms_cmd cms_cmds[];
extern const size_t cms_ncmds;

/* Settings (SET / QUERY). */
struct cms_settings {
    int impcp; /* unknown commands go to CP */
    int impex; /* unknown commands run as EXEC */
    int blip;
};
extern struct cms_settings cms_set;
extern int cms_rdymsg_short; /* SET RDYMSG SMSG: "R;" */
/* The EXEC processor hook: NULL until an EXEC language exists.  Runs
 * "fn EXEC fm" with the argument string; returns its return code. */
extern int (*cms_exec_hook)(const char *fn, const char *fm, const char *args);
/* The EXEC (REXX) processor, cms/exec/ (the hook's value). */
int cms_rexx_exec(const char *fn, const char *fm, const char *args);

/* The handlers of the nucleus commands. */
int cmd_access(struct cms_plist *p);
int cmd_release(struct cms_plist *p);
int cmd_format(struct cms_plist *p);
int cmd_listfile(struct cms_plist *p);
int cmd_type(struct cms_plist *p);
int cmd_copyfile(struct cms_plist *p);
int cmd_erase(struct cms_plist *p);
int cmd_rename(struct cms_plist *p);
int cmd_state(struct cms_plist *p);
int cmd_query(struct cms_plist *p);
int cmd_set(struct cms_plist *p);
int cmd_cp(struct cms_plist *p);
int cmd_help(struct cms_plist *p);
int cmd_edit(struct cms_plist *p);
int cmd_compare(struct cms_plist *p);
int cmd_sort(struct cms_plist *p);
/* cmd_compare.c: compares columns from..to-1 (0-based) of two records as
 * bytes, a column past a record's end counting as a blank; <0, 0, >0. */
int cms_field_cmp(const void *a, size_t alen, const void *b, size_t blen, size_t from, size_t to);
int cmd_xedit(struct cms_plist *p);
int cmd_filelist(struct cms_plist *p);
/* cmd_stack.c: MAKEBUF, DROPBUF, SENTRIES, DESBUF; cmd_identify.c */
int cmd_makebuf(struct cms_plist *p);
int cmd_dropbuf(struct cms_plist *p);
int cmd_sentries(struct cms_plist *p);
int cmd_desbuf(struct cms_plist *p);
int cmd_identify(struct cms_plist *p);

/* ---- loader.c ------------------------------------------------------------ */
/* Loads "fn MODULE fm" and runs it with the tokens of p (argv[0] = fn).
 * Returns the program's return code or a CMS error rc. */
int cms_run_module(const char *fn, const char *fm, const struct cms_plist *p, int first);

/* ---- main.c --------------------------------------------------------------- */
extern const struct vmrv_iplblock *cms_ipl; /* CMS's copy of the IPL block */
/* Where the IPL is: an ABEND before the first Ready of an IPL that an
 * ABEND started stops CMS instead of looping. */
#define CMS_IPL_FIRST 0
#define CMS_IPL_AGAIN 1
#define CMS_IPL_DONE 2
extern int cms_ipl_state;
extern uint64_t cms_storage_end; /* storage size */
/* ---- heap.c: the nucleus's free storage ----------------------------------- */
/* Above the user program area: a quarter of what lies above VMRV_USER_BASE,
 * at most this much. */
#define CMS_HIGH_FREE_MAX (8ull << 20)
extern uint64_t cms_user_top; /* end of the user program area */
/* Sets the regions sbrk hands out (after the storage size is known). */
void cms_heap_init(uint64_t storage_end);
extern char cms_userid[9];

/* Small helpers (util.c). */
void cms_upper(char *s);
/* Copies a token into a NUL-terminated blank-free field of at most n chars;
 * returns 0 or -1 if it is too long or empty. */
int cms_field(char *dst, const char *src, size_t n);
/* A CMS-style pattern match: '*' any run, '%' one character. */
int cms_match(const char *pat, const char *s);
/* Parses a hexadecimal device address (1-3 digits); -1 if invalid. */
int cms_parse_vaddr(const char *s);
/* Parses a decimal number; -1 if invalid. */
long cms_parse_num(const char *s);
/* Asks a yes/no question; returns 1 for YES/Y/1. */
int cms_confirm(void);
/* Days since 1970-01-01 to a civil date (cmd_file.c; LISTFILE, FILELIST). */
void cms_civil(int64_t days, int *y, int *m, int *d);

#endif /* CMS_CMS_H */
