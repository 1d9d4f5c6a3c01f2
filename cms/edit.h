/* SPDX-License-Identifier: MIT */
/*
 * cms/edit.h - the editor engine shared by EDIT (cms/edit.c) and XEDIT
 * (cms/xedit.c): the file as an array of lines with a current line
 * pointer, the subcommand table, loading and filing.  Private to those two
 * files; the commands reach the rest of CMS through cms/cms.h.
 *
 * The current line pointer: 0 is TOF (the null line before the first),
 * 1..n the lines, n+1 EOF.  Both editors file a file exactly alike: the
 * RECFM and LRECL it had (or the options gave a new file), F records
 * padded again with the blanks that loading dropped.
 */
#ifndef CMS_EDIT_H
#define CMS_EDIT_H

#include "cms/cms.h"
#include "cms/fsys.h"

struct edbuf {
    char **lines;
    size_t n, cap;
    size_t cur; /* 0 TOF, 1..n, n+1 EOF */
    int changed;
    int quit_warned;
    char recfm;
    uint32_t lrecl;
    struct fs_fileid id;
    /* what differs between the editors; EDIT keeps the defaults */
    const char *name; /* "EDIT" or "XEDIT", for messages */
    int xedit; /* XEDIT's abbreviations and behaviour */
    int verify; /* type the current line after a move (SET VERIFY) */
    int number; /* typed lines show their numbers (SET NUMBER) */
    int case_upper; /* lines typed in are upper-cased (SET CASE UPPER) */
    int case_ignore; /* targets match in any case (SET CASE ... IGNORE) */
    char last[CMS_LINE_MAX + 1]; /* XEDIT: the last subcommand, for = and ? */
};

/* Checks "cmd fn ft [fm] [( RECFM F|V LRECL n]" and reads the file into b
 * (an empty buffer, NEW FILE, when it does not exist).  Returns 0 or the
 * command's return code after a message; b owns its lines either way
 * until ed_free. */
int ed_open(struct edbuf *b, struct cms_plist *p);
void ed_free(struct edbuf *b);
/* Reads subcommands (the program stack first, then the terminal) and runs
 * them until FILE or QUIT; each line goes to line_fn (ed_subcommand for
 * EDIT).  Returns 0. */
int ed_session(struct edbuf *b, int (*line_fn)(struct edbuf *b, const char *line));
/* Runs one subcommand line: a word from the table, or "/str/".  Returns
 * 1 when the editor ends. */
int ed_subcommand(struct edbuf *b, const char *line);

/* ---- the engine's pieces XEDIT's subcommands use -------------------------- */
/* Inserts a copy of text after line `after` (cut to LRECL for F files).
 * Returns 0 or -1 (no storage). */
int ed_insert(struct edbuf *b, size_t after, const char *text, size_t len);
/* Types the current line (or TOF/EOF), with its number if NUMBER is on. */
void ed_show(struct edbuf *b);
/* ed_show after a move, if VERIFY is on. */
void ed_verify(struct edbuf *b);
/* Reads records of an open file into b after line `after` (trailing blanks
 * of F records dropped); *added gets the count.  Returns 0, 1 when storage
 * ran out (reported), or a CMS_E* code of the read. */
int ed_read_file(struct edbuf *b, struct fs_file *f, size_t after, size_t *added);
/* A count operand: empty = dflt, "*" = all (SIZE_MAX), else n >= 1.
 * Returns 0 or -1. */
int ed_count(const char *s, size_t dflt, size_t *out);
/* Parses "/str/" (any delimiter) at s into out; *closed tells whether the
 * closing delimiter was there.  Returns a pointer after it. */
const char *ed_delimited(const char *s, char *out, size_t cap, int *closed);
/* Does line contain str (in any case when CASE IGNORE)? */
int ed_contains(const struct edbuf *b, const char *line, const char *str);

/* ---- XEDIT's own subcommands (cms/xedit.c), rows of the engine's table ----
 * Each gets the operands as typed and returns 1 when the editor ends. */
int xed_set(struct edbuf *b, const char *args);
int xed_query(struct edbuf *b, const char *args);
int xed_all(struct edbuf *b, const char *args);
int xed_duplicate(struct edbuf *b, const char *args);
int xed_get(struct edbuf *b, const char *args);
int xed_cms(struct edbuf *b, const char *args);

#endif /* CMS_EDIT_H */
