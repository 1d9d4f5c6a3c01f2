/* SPDX-License-Identifier: MIT */
/*
 * cms/spool.h - what the CMS spool commands share (cms/spool_*.c): the
 * unit record DIAGs (reader 0x014, punch and printer 0x1000), CP commands
 * with their response kept, the header record that names a punched file,
 * and the two halves every command is made of: punching a CMS file and
 * receiving a reader file into one.  Nothing outside cms/spool_*.c uses it.
 *
 * The header record ("card") is the first record of a file that PUNCH,
 * DISK DUMP, SENDFILE and NOTE write; it is plain text:
 *
 *   :READ fn ft fm RECFM r LRECL n RECS n [NOTE]
 *
 * single blanks between tokens; fn, ft 1-8 characters, fm a letter and a
 * number; r F or V; LRECL the record length of an F file, the longest
 * record of a V file; RECS the number of records that follow.  NOTE marks
 * a note (RECEIVE appends it to ALL NOTEBOOK A).  Keywords after the name
 * may come in any order, unknown ones are skipped (room to grow).  Every
 * record after the header is one record of the file, byte for byte (the
 * spool keeps records of 0-65535 bytes of any value), so F, V and binary
 * MODULE files arrive exactly as they were.  A reader file without such a
 * header (put in over SSH, or punched with NOHEADER) is received under the
 * spool file's name and type as RECFM V.
 */
#ifndef CMS_SPOOL_H
#define CMS_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "cms/cms.h"
#include "cms/fsys.h"

#define SP_PUNCH 0x00D
#define SP_PRINTER 0x00E
#define SP_REC_MAX 65535 /* DIAG_UR_MAX_RECORD */

/* The one record buffer of the spool commands (commands do not nest). */
extern unsigned char sp_rec[SP_REC_MAX + 1];

struct sp_header {
    char fn[9], ft[9], fm[3];
    char recfm; /* 'F' or 'V' */
    uint32_t lrecl;
    uint32_t records;
    int note; /* a NOTE */
};

/* Formats h as a header record into buf; returns its length. */
size_t sp_header_format(const struct sp_header *h, char *buf, size_t cap);
/* Parses a record as a header; returns 0 and fills *h, or -1 if it is
 * not one. */
int sp_header_parse(const void *rec, size_t len, struct sp_header *h);

/* DIAG 0x1000: one record to vaddr; close (with "fn ft" name, may be
 * NULL).  Return DIAG_* codes; *spoolid gets the closed file's id. */
long sp_ur_write(unsigned vaddr, const void *rec, size_t len);
long sp_ur_close(unsigned vaddr, const char *name, uint32_t *spoolid);
/* DIAG 0x014.  next: *len the record's full length, *spoolid the file's. */
long sp_rdr_next(void *buf, size_t cap, size_t *len, uint32_t *spoolid);
long sp_rdr_select(uint32_t spoolid);
long sp_rdr_restart(void);
long sp_rdr_describe(uint32_t spoolid, struct diag_spool_desc *d);
long sp_rdr_close(int purge);

/* Runs a CP command (printf style) keeping its response in sp_cp_resp
 * (NUL terminated).  Returns CP's return code, or -1 when there is no CP
 * (VMC031E written). */
extern char sp_cp_resp[4096];
int sp_cp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same into buf (cap bytes, NUL terminated); *full gets the length
 * of the whole response (more than cap-1: it was cut). */
int sp_cp_into(char *buf, size_t cap, size_t *full, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Writes the lines of sp_cp_resp on the console. */
void sp_cp_show(void);

/* Copies a blank padded field of n bytes into a NUL terminated string. */
void sp_unpad(char *dst, const char *src, size_t n);

/* Punches file id (fm "*" = search order) to vaddr, records as they are,
 * and closes the spool file named "fn ft".  flags: SP_HEADER a header
 * record first, SP_NOTE mark it a note, SP_STRIP drop trailing blanks
 * (PRINT).  Writes messages on errors only; returns a CMS return code, the
 * spoolid in *spoolid and the file's stat in *st (may be NULL). */
#define SP_HEADER 0x1
#define SP_NOTE 0x2
#define SP_STRIP 0x4
int sp_punch_file(unsigned vaddr, const struct fs_fileid *id, int flags, uint32_t *spoolid,
                  struct fs_stat *st);
/* Points the punch at user (CP SPOOL PUNCH TO user); 0 or a CMS rc
 * (VMC245E, 24: not in the CP directory). */
int sp_punch_to(const char *user);
/* The CMS return code and message for a failed unit record DIAG. */
int sp_diag_report(long err, const char *what);

/* What sp_receive does with the reader file. */
struct sp_recv {
    uint32_t spoolid; /* 0: the first file in the reader */
    const char *fn, *ft, *fm; /* target (NULL: from the header or the spool
                                 file's name; fm default A1) */
    int replace; /* an existing file may be replaced */
    int need_header; /* DISK LOAD: only a file with a header */
    int keep_header; /* READCARD: the header is data too (never skipped) */
    int quiet; /* no "received" message */
};
/* Reads a reader file into a CMS file.  The reader file is purged only
 * when the CMS file is durable; on any error it stays in the reader.
 * Writes messages; returns a CMS return code. */
int sp_receive(const struct sp_recv *r);

/* Parses a spoolid operand (1-999999); 0 if invalid. */
uint32_t sp_parse_id(const char *s);

/* The spool command handlers (the CMS command table in cmd.c). */
int cmd_punch(struct cms_plist *p);
int cmd_print(struct cms_plist *p);
int cmd_sendfile(struct cms_plist *p);
int cmd_note(struct cms_plist *p);
int cmd_disk(struct cms_plist *p);
int cmd_receive(struct cms_plist *p);
int cmd_readcard(struct cms_plist *p);
int cmd_peek(struct cms_plist *p);
int cmd_rdrlist(struct cms_plist *p);

#endif /* CMS_SPOOL_H */
