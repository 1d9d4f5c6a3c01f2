// SPDX-License-Identifier: MIT
/*
 * cms/cmd.c - CMS command lines: the parser, command resolution and the
 * table of nucleus commands, and the small commands CP, TELL, QUERY, SET,
 * HELP and EXEC.  The file and disk commands are in cmd_file.c and cmd_disk.c,
 * EDIT in edit.c, XEDIT in xedit.c, FILELIST in filelist.c, MODULE programs in
 * loader.c.
 *
 * Resolution of the first word, as CMS does it:
 *   1. "word EXEC" on an accessed disk (when IMPEX is on): the EXEC hook;
 *   2. "word MODULE" on an accessed disk: load and run the program;
 *   3. a nucleus command (this table; the first row whose name the word
 *      abbreviates, at least minlen characters);
 *   4. when IMPCP is on, the whole line as a CP command (DIAG 0x008).
 * Otherwise "Unknown CP/CMS command", return code -3.
 */
#include <string.h>

#include "cms/cms.h"
#include "cms/exec/execcomm.h"
#include "cms/fsys.h"
#include "cms/spool.h"

/* CP's return code for a command it does not know (as VM's CP: rc 1). */
#define CP_RC_UNKNOWN 1

struct cms_settings cms_set = {.impcp = 1, .impex = 1, .blip = 0};
int (*cms_exec_hook)(const char *fn, const char *fm, const char *args) = cms_rexx_exec;

static int cmd_exec(struct cms_plist *p);
static int cmd_immediate(struct cms_plist *p);
static int cmd_tell(struct cms_plist *p);

/* The nucleus commands.  Order matters: the first match wins. */
const struct cms_cmd cms_cmds[] = {
    {"ACCESS", 2, cmd_access, "ACCESS vaddr mode: make a disk a filemode letter"},
    {"COMPARE", 4, cmd_compare, "COMPARE fileid1 fileid2 [(COL m n]: compare two files"},
    {"COPYFILE", 4, cmd_copyfile, "COPYFILE fileid1 fileid2 (REPLACE APPEND RECFM LRECL: copy files"},
    {"CP", 2, cmd_cp, "CP command: pass a command to CP"},
    {"DESBUF", 6, cmd_desbuf, "DESBUF: empty the program stack, its buffers and the terminal buffer"},
    {"DISK", 4, cmd_disk, "DISK DUMP fn ft [fm] | DISK LOAD [(REPLACE]: a file to the punch and back"},
    {"DROPBUF", 7, cmd_dropbuf, "DROPBUF [n]: drop the newest stack buffer, or buffer n and newer"},
    {"EDIT", 1, cmd_edit, "EDIT fn ft [fm]: the line editor"},
    {"ERASE", 2, cmd_erase, "ERASE fn ft [fm]: erase files (patterns allowed)"},
    {"EXEC", 2, cmd_exec, "EXEC fn [args]: run an EXEC"},
    {"EXECIO", 6, cmd_execio, "EXECIO n|* DISKR|DISKW|CP ...: file records and CP output for EXECs"},
    {"FILELIST", 5, cmd_filelist, "FILELIST [fn [ft [fm]]]: list files, act on them by number"},
    {"FORMAT", 4, cmd_format, "FORMAT vaddr mode [label]: format a disk for CMS"},
    {"HELP", 1, cmd_help, "HELP [command]: show help"},
    {"HT", 2, cmd_immediate, "HT: after an attention, stop the typing of a program"},
    {"HX", 2, cmd_immediate, "HX: after an attention, halt the program that runs"},
    {"IDENTIFY", 5, cmd_identify, "IDENTIFY [(STACK [FIFO|LIFO]|TYPE]: userid, system, date and time"},
    {"LISTFILE", 1, cmd_listfile, "LISTFILE [fn [ft [fm]]] (LABEL DATE STACK EXEC: list files"},
    {"MAKEBUF", 7, cmd_makebuf, "MAKEBUF: a new buffer on the program stack (rc: its number)"},
    {"NOTE", 4, cmd_note, "NOTE userid...: send a short note (end it with a line of .)"},
    {"PEEK", 2, cmd_peek, "PEEK [spoolid] [(FOR n]: look at a reader file"},
    {"PRINT", 2, cmd_print, "PRINT fn ft [fm]: print a file on the virtual printer"},
    {"PUNCH", 2, cmd_punch, "PUNCH fn ft [fm] [(NOHEADER]: punch a file"},
    {"QUERY", 1, cmd_query, "QUERY DISK|SEARCH|IMPCP|IMPEX|CMSLEVEL|RDYMSG, or a CP QUERY"},
    {"RDRLIST", 4, cmd_rdrlist, "RDRLIST: list the reader and act on its files"},
    {"READCARD", 4, cmd_readcard, "READCARD fn ft [fm] | *: the first reader file into a file"},
    {"RECEIVE", 3, cmd_receive, "RECEIVE [spoolid] [fn ft [fm]] [(REPLACE]: a reader file into a file"},
    {"RELEASE", 3, cmd_release, "RELEASE mode|vaddr: drop an accessed disk"},
    {"RENAME", 3, cmd_rename, "RENAME fileid1 fileid2: rename a file"},
    {"RT", 2, cmd_immediate, "RT: after an attention, resume the typing of a program"},
    {"SENDFILE", 4, cmd_sendfile, "SENDFILE fn ft [fm] [TO] userid...: send a file"},
    {"SENTRIES", 8, cmd_sentries, "SENTRIES: rc is the number of lines on the program stack"},
    {"SET", 3, cmd_set, "SET IMPCP|IMPEX ON|OFF, SET RDYMSG LMSG|SMSG"},
    {"SORT", 4, cmd_sort, "SORT fileid1 fileid2 [(REPLACE]: sort records by columns"},
    {"STATE", 3, cmd_state, "STATE fn ft [fm]: does a file exist?"},
    {"TELL", 4, cmd_tell, "TELL userid message: send a message to another user"},
    {"TYPE", 1, cmd_type, "TYPE fn ft [fm] [first [last]]: show a file"},
    {"XEDIT", 1, cmd_xedit, "XEDIT fn ft [fm]: the editor, in line mode"},
};
const size_t cms_ncmds = sizeof cms_cmds / sizeof cms_cmds[0];

int
cms_abbrev(const char *word, const char *name, size_t minlen)
{
    size_t n = strlen(word);
    if (n < minlen || n > strlen(name)) {
        return 0;
    }
    return strncmp(word, name, n) == 0;
}

int
cms_parse(const char *line, struct cms_plist *p)
{
    size_t len = strlen(line);
    if (len > CMS_LINE_MAX) {
        len = CMS_LINE_MAX;
    }
    memset(p, 0, sizeof *p);
    p->line = line;
    size_t o = 0, i = 0;
    while (i < len) {
        while (i < len && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        if (i >= len) {
            break;
        }
        if (p->argc == CMS_MAXARGS) {
            return -1;
        }
        p->rest[p->argc] = line + i;
        p->orig[p->argc] = p->obuf + o;
        p->argv[p->argc] = p->ubuf + o;
        if (line[i] == '(' || line[i] == ')') {
            p->obuf[o] = p->ubuf[o] = line[i];
            o++;
            i++;
        } else {
            while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '(') {
                char c = line[i++];
                p->obuf[o] = c;
                p->ubuf[o] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
                o++;
            }
        }
        p->obuf[o] = p->ubuf[o] = '\0';
        o++;
        p->argc++;
    }
    /* a closing ")" at the very end is noise */
    if (p->argc > 0 && strcmp(p->argv[p->argc - 1], ")") == 0) {
        p->argc--;
    }
    return 0;
}

int
cms_opt_index(const struct cms_plist *p)
{
    for (int i = 0; i < p->argc; i++) {
        if (strcmp(p->argv[i], "(") == 0) {
            return i;
        }
    }
    return p->argc;
}

static int
file_exists(const char *fn, const char *ft, char *fm_out)
{
    struct fs_fileid id;
    struct fs_stat st;
    if (strlen(fn) > 8 || strchr(fn, '*') != NULL || strchr(fn, '%') != NULL) {
        return 0;
    }
    if (fs_fileid_make(&id, fn, ft, "*", "*") != 0) {
        return 0;
    }
    if (fs_state(&id, &st) != 0) {
        return 0;
    }
    memcpy(fm_out, st.id.fm, sizeof st.id.fm);
    return 1;
}

/* HX, HT, RT typed when nothing runs: nothing to halt or resume. */
static int
cmd_immediate(struct cms_plist *p)
{
    (void)p;
    return 0;
}

/* Runs an EXEC through the hook. */
static int
run_exec(const char *fn, const char *fm, const char *args)
{
    if (cms_exec_hook == NULL) {
        cms_msg(M_NO_EXEC, fn);
        return CMS_RC_UNKNOWN_COMMAND;
    }
    return cms_exec_hook(fn, fm, args ? args : "");
}

static int
cmd_exec(struct cms_plist *p)
{
    char fm[3];
    if (p->argc < 2) {
        cms_msg(M_MISSING_OPERAND, "EXEC name");
        return 24;
    }
    if (!file_exists(p->argv[1], "EXEC", fm)) {
        cms_msg(M_FILE_NOT_FOUND, p->argv[1], "EXEC", "*");
        return CMS_RC_NOT_FOUND;
    }
    return run_exec(p->argv[1], fm, p->argc > 2 ? p->rest[2] : "");
}

/* Passes text to CP.  unknown_is_cms: a CP "unknown command" becomes
 * CMS's "Unknown CP/CMS command" (implied CP). */
static int
cp_pass(const char *text, int unknown_is_cms)
{
    static char resp[8192];
    size_t len = strlen(text), rlen = 0;
    if (len == 0) {
        return 0;
    }
    if (len > 240) {
        cms_msg(M_CP_FAILED, "command longer than 240 characters");
        return 24;
    }
    long rc;
    long drc = cms_cp_command(text, len, resp, sizeof resp, &rlen, &rc);
    if (drc == DIAG_ENOTSUP || (drc == DIAG_OK && unknown_is_cms && rc == CP_RC_UNKNOWN)) {
        if (unknown_is_cms) {
            char word[CMS_LINE_MAX + 1];
            size_t w = 0;
            while (text[w] != '\0' && text[w] != ' ' && w < sizeof word - 1) {
                word[w] = text[w];
                w++;
            }
            word[w] = '\0';
            cms_upper(word);
            cms_msg(M_UNKNOWN_CMD, word);
            return CMS_RC_UNKNOWN_COMMAND;
        }
        cms_msg(M_CP_FAILED, "no CP in this virtual machine");
        return CMS_RC_UNKNOWN_COMMAND;
    }
    if (drc != DIAG_OK) {
        cms_msg(M_CP_FAILED, "DIAG 0x008 failed");
        return CMS_RC_UNKNOWN_COMMAND;
    }
    if (rlen > sizeof resp) {
        rlen = sizeof resp;
    }
    /* CP's response, line by line */
    size_t start = 0;
    for (size_t i = 0; i <= rlen; i++) {
        if (i == rlen || resp[i] == '\n') {
            if (i > start || i < rlen) {
                con_line(resp + start, i - start);
            }
            start = i + 1;
        }
    }
    return (int)rc;
}

int
cmd_cp(struct cms_plist *p)
{
    if (p->argc < 2) {
        cms_msg(M_MISSING_OPERAND, "CP command");
        return 24;
    }
    return cp_pass(p->rest[1], 0);
}

/* TELL userid message: CP's "MSG userid message".  CP's response (say,
 * the user is not logged on) and its return code are TELL's; without CP,
 * VMC031E and -3 as for the CP command. */
static int
cmd_tell(struct cms_plist *p)
{
    if (p->argc < 2) {
        cms_msg(M_MISSING_OPERAND, "userid");
        return 24;
    }
    if (p->argc < 3) {
        cms_msg(M_MISSING_OPERAND, "message");
        return 24;
    }
    static char cmd[CMS_LINE_MAX + 16];
    size_t n = 4, u = strlen(p->argv[1]), m = strlen(p->rest[2]);
    if (4 + u + 1 + m >= sizeof cmd) {
        m = sizeof cmd - 1 - (4 + u + 1); /* cp_pass refuses it as too long */
    }
    memcpy(cmd, "MSG ", 4);
    memcpy(cmd + n, p->argv[1], u);
    n += u;
    cmd[n++] = ' ';
    memcpy(cmd + n, p->rest[2], m);
    n += m;
    cmd[n] = '\0';
    return cp_pass(cmd, 0);
}

int
cms_command(const char *line, int flags)
{
    static struct cms_plist pl; /* commands do not nest except CMSCALL */
    struct cms_plist local, *p = (flags & CMS_CMDF_PROGRAM) ? &local : &pl;
    char fm[3];
    if (cms_parse(line, p) != 0) {
        cms_msg(M_TOO_MANY_TOKENS);
        return 24;
    }
    if (p->argc == 0) {
        return 0;
    }
    const char *name = p->argv[0];
    if (strcmp(name, "(") == 0) {
        cms_msg(M_UNKNOWN_CMD, name);
        return CMS_RC_UNKNOWN_COMMAND;
    }
    if (cms_set.impex && file_exists(name, "EXEC", fm)) {
        return run_exec(name, fm, p->argc > 1 ? p->rest[1] : "");
    }
    if (file_exists(name, "MODULE", fm)) {
        if (cms_program_active) {
            cms_msg(M_NOT_FROM_PROGRAM, name);
            return CMS_RC_UNKNOWN_COMMAND;
        }
        return cms_run_module(name, fm, p, 0);
    }
    for (size_t i = 0; i < cms_ncmds; i++) {
        if (cms_abbrev(name, cms_cmds[i].name, cms_cmds[i].minlen)) {
            if ((flags & CMS_CMDF_PROGRAM) &&
                (cms_cmds[i].handler == cmd_edit || cms_cmds[i].handler == cmd_xedit ||
                 cms_cmds[i].handler == cmd_filelist)) {
                cms_msg(M_NOT_FROM_PROGRAM, cms_cmds[i].name);
                return CMS_RC_UNKNOWN_COMMAND;
            }
            return cms_cmds[i].handler(p);
        }
    }
    if (cms_set.impcp) {
        return cp_pass(p->rest[0], 1);
    }
    cms_msg(M_UNKNOWN_CMD, name);
    return CMS_RC_UNKNOWN_COMMAND;
}

/* ---- QUERY and SET ------------------------------------------------------ */
static int query_disk(struct cms_plist *p);

static void
show_onoff(const char *what, int on)
{
    printf("%s = %s\n", what, on ? "ON" : "OFF");
}

int
cmd_query(struct cms_plist *p)
{
    if (p->argc < 2) {
        cms_msg(M_MISSING_OPERAND, "QUERY what");
        return 24;
    }
    const char *w = p->argv[1];
    if (cms_abbrev(w, "DISK", 4)) {
        return query_disk(p);
    }
    if (cms_abbrev(w, "SEARCH", 6)) {
        int any = 0;
        for (char l = 'A'; l <= 'Z'; l++) {
            struct fs_diskinfo di;
            if (fs_diskinfo(l, &di) == 0) {
                printf("%-6s %03X  %c  %s\n", di.label, di.vaddr, l, di.readonly ? "R/O" : "R/W");
                any = 1;
            }
        }
        if (!any) {
            printf("No disks accessed\n");
        }
        return 0;
    }
    if (cms_abbrev(w, "IMPCP", 5)) {
        show_onoff("IMPCP", cms_set.impcp);
        return 0;
    }
    if (cms_abbrev(w, "IMPEX", 5)) {
        show_onoff("IMPEX", cms_set.impex);
        return 0;
    }
    if (cms_abbrev(w, "RDYMSG", 6)) {
        printf("RDYMSG = %s\n", cms_rdymsg_short ? "SMSG" : "LMSG");
        return 0;
    }
    if (cms_abbrev(w, "CMSLEVEL", 4)) {
        printf("VM/RV CMS %s\n", CMS_VERSION);
        return 0;
    }
    if (cms_abbrev(w, "INPUT", 5) || cms_abbrev(w, "STACK", 5)) {
        printf("%d lines in the program stack\n", cms_stack_count());
        return 0;
    }
    /* everything else is a CP QUERY, as in CMS */
    return cp_pass(p->rest[0], 0);
}

static int
query_disk(struct cms_plist *p)
{
    char only = 0;
    if (p->argc > 2 && strcmp(p->argv[2], "*") != 0) {
        if (strlen(p->argv[2]) != 1 || p->argv[2][0] < 'A' || p->argv[2][0] > 'Z') {
            cms_msg(M_INVALID_PARM, p->orig[2]);
            return 24;
        }
        only = p->argv[2][0];
    }
    int shown = 0;
    for (char l = 'A'; l <= 'Z'; l++) {
        struct fs_diskinfo di;
        if ((only && l != only) || fs_diskinfo(l, &di) != 0) {
            continue;
        }
        if (shown++ == 0) {
            printf("LABEL  VDEV M  STAT    FILES  BLKS USED-(%%)  BLKS LEFT  BLK TOTAL\n");
        }
        uint64_t pct = di.blocks_total ? di.blocks_used * 100 / di.blocks_total : 0;
        printf("%-6s %04X %c  %-5s %7lu %9llu-%02llu %10llu %10llu\n", di.label, di.vaddr, l,
               di.readonly ? "R/O" : "R/W", (unsigned long)di.files,
               (unsigned long long)di.blocks_used, (unsigned long long)(pct > 99 ? 99 : pct),
               (unsigned long long)(di.blocks_total - di.blocks_used),
               (unsigned long long)di.blocks_total);
    }
    if (only && shown == 0) {
        cms_msg(M_DISK_NOT_ACCESSED, only);
        return 36;
    }
    if (shown == 0) {
        printf("No disks accessed\n");
    }
    return 0;
}

static int
parse_onoff(const char *w)
{
    if (strcmp(w, "ON") == 0) {
        return 1;
    }
    if (strcmp(w, "OFF") == 0) {
        return 0;
    }
    return -1;
}

int
cmd_set(struct cms_plist *p)
{
    if (p->argc < 3) {
        cms_msg(M_MISSING_OPERAND, "SET what value");
        return 24;
    }
    const char *w = p->argv[1], *v = p->argv[2];
    if (p->argc > 3) {
        cms_msg(M_INVALID_PARM, p->orig[3]);
        return 24;
    }
    if (cms_abbrev(w, "IMPCP", 5) || cms_abbrev(w, "IMPEX", 5)) {
        int on = parse_onoff(v);
        if (on < 0) {
            cms_msg(M_INVALID_PARM, p->orig[2]);
            return 24;
        }
        if (w[4] == 'P') {
            cms_set.impcp = on;
        } else {
            cms_set.impex = on;
        }
        return 0;
    }
    if (cms_abbrev(w, "RDYMSG", 6)) {
        if (strcmp(v, "LMSG") == 0 || strcmp(v, "SMSG") == 0) {
            cms_rdymsg_short = (v[0] == 'S');
            return 0;
        }
        cms_msg(M_INVALID_PARM, p->orig[2]);
        return 24;
    }
    cms_msg(M_INVALID_PARM, p->orig[1]);
    return 24;
}

/* ---- HELP ------------------------------------------------------------------ */
/* Types a help file if it exists on an accessed disk; 1 if shown. */
static int
help_file(const char *name, const char *ft)
{
    struct fs_fileid id;
    struct fs_file *f;
    char rec[CMS_LINE_MAX + 1];
    if (fs_fileid_make(&id, name, ft, "*", "*") != 0 || fs_open(&id, CMS_O_READ, 0, 0, &f) != 0) {
        return 0;
    }
    size_t len;
    while (fs_read(f, rec, sizeof rec - 1, &len) == 0) {
        if (len > sizeof rec - 1) {
            len = sizeof rec - 1;
        }
        while (len > 0 && rec[len - 1] == ' ') {
            len--;
        }
        con_line(rec, len);
        if (cms_attn_poll()) {
            break;
        }
    }
    fs_abort(f);
    return 1;
}

int
cmd_help(struct cms_plist *p)
{
    if (p->argc < 2) {
        if (help_file("HELP", "HELPCMS")) {
            return 0;
        }
        printf("CMS commands (HELP name for more; upper case shows the shortest form):\n");
        for (size_t i = 0; i < cms_ncmds; i++) {
            char shown[16];
            size_t n = strlen(cms_cmds[i].name);
            for (size_t k = 0; k < n && k < sizeof shown - 1; k++) {
                char c = cms_cmds[i].name[k];
                shown[k] = k < cms_cmds[i].minlen ? c : (char)(c + 32);
                shown[k + 1] = '\0';
            }
            printf("  %-9s %s\n", shown, cms_cmds[i].help);
        }
        return 0;
    }
    const char *name = p->argv[1];
    for (size_t i = 0; i < cms_ncmds; i++) {
        if (cms_abbrev(name, cms_cmds[i].name, cms_cmds[i].minlen)) {
            name = cms_cmds[i].name;
            break;
        }
    }
    if (strlen(name) <= 8 && (help_file(name, "HELPCMS") || help_file(name, "HELPCP"))) {
        return 0;
    }
    for (size_t i = 0; i < cms_ncmds; i++) {
        if (strcmp(name, cms_cmds[i].name) == 0) {
            printf("%s\n", cms_cmds[i].help);
            return 0;
        }
    }
    cms_msg(M_NO_HELP, p->orig[1]);
    return CMS_RC_NOT_FOUND;
}
