/* SPDX-License-Identifier: MIT */
/*
 * cmssdk.h - the CMS SDK: C wrappers of the CMS services (vmrv/cmsapi.h)
 * for user programs.  With the SDK's library, stdio works too: stdout and
 * stderr write to the console, stdin reads console lines (the program
 * stack first), and fopen("fn ft fm", mode) opens CMS files as text
 * streams: each record is one line ("r": records read with a '\n' after
 * each; "w": every '\n' ends a record; "a": records appended).  New files
 * are RECFM V; cms_fopen_fmt chooses F and an LRECL.
 */
#ifndef CMSSDK_H
#define CMSSDK_H

#include <stddef.h>
#include <stdio.h>
#include <vmrv/cmsapi.h>
#include <vmrv/diag.h>

/* Runs a CMS command (as typed at Ready); returns its return code. */
long cms_command(const char *line);
/* Runs a CP command; resp (may be NULL) gets the response, cap bytes at
 * most.  Returns CP's return code. */
long cms_cp(const char *cmd, char *resp, size_t cap);
/* Writes a line to the console. */
long cms_say(const char *text);
/* Reads a console line (the program stack first); returns its length. */
long cms_read(char *buf, size_t cap);
/* Puts a line on the program stack (lifo: PUSH, else QUEUE). */
long cms_stack(const char *line, int lifo);
long cms_queued(void);
/* Fills a struct cms_fileid from "fn ft [fm]" (blank separated). */
int cms_fileid_parse(struct cms_fileid *id, const char *name);
/* Is the file there?  st may be NULL. */
long cms_state(const char *name, struct cms_fstat *st);
long cms_erase(const char *name);
/* Opens a file for stdio with a record format for new files. */
FILE *cms_fopen_fmt(const char *name, const char *mode, char recfm, unsigned lrecl);
/* Ends the program with a return code (stdio is flushed). */
void cms_exit(int rc) __attribute__((noreturn));

#endif /* CMSSDK_H */
