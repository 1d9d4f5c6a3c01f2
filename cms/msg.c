// SPDX-License-Identifier: MIT
/*
 * cms/msg.c - the message table of CMS: every message the nucleus writes,
 * its id, severity and text.  One place, so ids stay unique and stable
 * (tests look for the ids, not the words).  Numbers 001-099 are the
 * nucleus and its commands, 100-149 EDIT and XEDIT, 150-199 FILELIST.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cms/cms.h"

struct cms_msgdef {
    const char *id;
    const char *fmt;
};

static const struct cms_msgdef msgs[M__COUNT] = {
    [M_UNKNOWN_CMD] = {"VMC001E", "Unknown CP/CMS command %s"},
    [M_FILE_NOT_FOUND] = {"VMC002E", "File %s %s %s not found"},
    [M_INVALID_OPTION] = {"VMC003E", "Invalid option %s"},
    [M_INVALID_PARM] = {"VMC004E", "Invalid parameter %s"},
    [M_MISSING_OPERAND] = {"VMC005E", "Missing operand: %s"},
    [M_DISK_RO] = {"VMC006E", "Disk %c (%03X) is accessed read-only"},
    [M_DISK_NOT_ACCESSED] = {"VMC007E", "Filemode %c is not accessed"},
    [M_BAD_VADDR] = {"VMC008E", "Invalid device address %s"},
    [M_NO_DEVICE] = {"VMC009E", "Device %03X does not exist"},
    [M_NOT_DISK] = {"VMC010E", "Device %03X is not a disk"},
    [M_NOT_FORMATTED] = {"VMC011W", "Disk %03X is not formatted; enter FORMAT %03X %c to format it"},
    [M_REPLACES] = {"VMC012I", "%03X replaces %c (%03X)"},
    [M_DISK_IO] = {"VMC013E", "Disk I/O error on %03X: %s"},
    [M_DISK_FULL] = {"VMC014E", "Disk %c (%03X) is full"},
    [M_FILE_EXISTS] = {"VMC015E", "File %s %s %s already exists"},
    [M_BAD_FILEID] = {"VMC016E", "Invalid file identifier %s"},
    [M_PROGRAM_CHECK] = {"VMC017E", "Program check: %s at %08llX (scause %llu, stval %08llX) in %s"},
    [M_BAD_MODULE] = {"VMC018E", "File %s MODULE %s is not a program: %s"},
    [M_TOO_LARGE] = {"VMC019E", "Program %s does not fit in storage (%llu bytes needed)"},
    [M_HALTED] = {"VMC020I", "Program %s halted"},
    [M_ABEND] = {"VMC021T", "CMS ABEND: %s at %08llX (scause %llu, stval %08llX)"},
    [M_NO_STORAGE] = {"VMC022E", "Not enough free storage"},
    [M_BAD_RECFM] = {"VMC023E", "Invalid record format or length %s"},
    [M_FORMAT_CONFIRM] = {"VMC024R", "FORMAT will erase all files on disk %c (%03X). Continue? Enter YES or NO:"},
    [M_FORMAT_DONE] = {"VMC025I", "Disk %c (%03X) formatted: label %s, %llu blocks"},
    [M_NO_HELP] = {"VMC026E", "No help for %s"},
    [M_NOT_FROM_PROGRAM] = {"VMC027E", "%s cannot run from a program"},
    [M_BAD_FILEMODE] = {"VMC028E", "Invalid filemode %s"},
    [M_SAME_FILE] = {"VMC029E", "Source and target are the same file"},
    [M_NO_EXEC] = {"VMC030E", "No EXEC processor in this CMS: %s EXEC not run"},
    [M_CP_FAILED] = {"VMC031E", "CP command failed: %s"},
    [M_TOO_MANY_TOKENS] = {"VMC032E", "Too many operands"},
    [M_FS_ERROR] = {"VMC033E", "File system error on %s %s %s: %s"},
    [M_RECORD_TOO_LONG] = {"VMC034W", "Record %lu of %s %s %s truncated to %lu bytes"},
    [M_NOT_FORMATTED_ERR] = {"VMC036E", "Disk %03X is not a CMS disk"},
    [M_DISK_IN_USE] = {"VMC037E", "Disk %c has open files"},
    [M_FORMAT_CANCELLED] = {"VMC038I", "FORMAT cancelled"},
    [M_ABEND_REIPL] = {"VMC039R", "CMS ABEND: press Enter to IPL CMS again"},
    [M_IMMED_UNKNOWN] = {"VMC040W", "%s is not an immediate command (HX, HT, RT); line kept for the program"},
    [M_NO_PROFILE_EXEC] = {"VMC042I", "PROFILE EXEC found, but this CMS has no EXEC processor yet"},
    [M_VADDR_NOT_ACCESSED] = {"VMC043E", "Disk %03X is not accessed"},
    [M_ABEND_STOP] = {"VMC044T", "CMS ABEND again while IPLing after an ABEND: CMS stops (disabled wait)"},
    /* 060-069: COMPARE and SORT (cms/cmd_compare.c, cms/cmd_sort.c) */
    [M_CMP_COMPARING] = {"VMC060I", "Comparing %s %s %s with %s %s %s"},
    [M_CMP_DIFFER] = {"VMC061W", "Files do not compare: %lu of %lu records differ"},
    [M_CMP_SHORTER] = {"VMC062W", "File %s %s %s has only %lu records, %s %s %s has %lu"},
    [M_SORT_PROMPT] = {"VMC063R", "ENTER SORT FIELDS:"},
    [M_SORT_BAD_FIELD] = {"VMC064E", "Invalid sort field %s: pairs of start and end columns, 1-65535"},
    [M_SORT_NO_STORAGE] = {"VMC065E", "Not enough free storage to sort %s %s %s (%lu records, %lu KiB)"},
    /* 070-079: the program stack's commands, LISTFILE's STACK and EXEC,
     * IDENTIFY (cms/cmd_stack.c, cms/cmd_file.c, cms/cmd_identify.c) */
    [M_STK_BAD_NUMBER] = {"VMC070E", "Invalid buffer number %s"},
    [M_STK_NO_BUFFER] = {"VMC071E", "Buffer %s does not exist: the stack has %d buffer(s)"},
    [M_STK_CONFLICT] = {"VMC072E", "Options %s and %s conflict"},
    [M_EDIT_NEWFILE] = {"VMC100I", "NEW FILE:"},
    [M_EDIT_EOF] = {"VMC101I", "EOF:"},
    [M_EDIT_TOF] = {"VMC102I", "TOF:"},
    [M_EDIT_NOT_FOUND] = {"VMC103E", "Not found: %s"},
    [M_EDIT_BAD_SUBCMD] = {"VMC104E", "Invalid %s subcommand %s"},
    [M_EDIT_SAVED] = {"VMC105I", "File %s %s %s saved, %lu records"},
    [M_EDIT_CHANGED] = {"VMC106W", "File changed: FILE or SAVE it, or QUIT again to discard the changes"},
    [M_EDIT_INPUT_MODE] = {"VMC107I", "INPUT:"},
    [M_EDIT_EDIT_MODE] = {"VMC108I", "%s:"},
    [M_EDIT_BAD_OPERAND] = {"VMC109E", "Invalid operand %s"},
    [M_EDIT_NO_STORAGE] = {"VMC110E", "Not enough storage for the file"},
    [M_EDIT_TRUNCATED] = {"VMC111W", "Line truncated to LRECL %lu"},
    [M_EDIT_CHANGED_N] = {"VMC112I", "%lu occurrence(s) changed in %lu line(s)"},
    [M_XEDIT_CHANGED] = {"VMC113E", "File changed: FILE or SAVE it, or QQUIT to discard the changes"},
    [M_XEDIT_NO_LINE] = {"VMC114E", "Line %lu is not in the file (%lu lines)"},
    [M_XEDIT_NO_LAST] = {"VMC115E", "No earlier subcommand to %s"},
    [M_XEDIT_MATCHES] = {"VMC116I", "%lu line(s) contain %s"},
    [M_XEDIT_NO_CURRENT] = {"VMC117E", "No current line (at TOF or EOF)"},
    [M_XEDIT_CMD_RC] = {"VMC118W", "%s ended with return code %d"},
    [M_XEDIT_NEST] = {"VMC119E", "%s not run: nested too deeply (%d at most)"},
    [M_XEDIT_ADDED] = {"VMC120I", "%lu line(s) added from %s %s %s"},
    [M_FL_PROMPT] = {"VMC150I", "Enter: n command (/ = file n's fn ft fm), a CMS command, LIST, or QUIT"},
    [M_FL_BAD_LINE] = {"VMC151E", "No line %s in the file list"},
    [M_REXX_ERROR] = {"VMC200E", "Error %d running %s EXEC, line %u: %s"},
    [M_REXX_CMD_LONG] = {"VMC201E", "Command of %u characters is too long for CMS (255 at most)"},
    [M_REXX_NEST] = {"VMC202E", "%s EXEC not run: EXECs nested too deeply"},
    [M_EXECIO_NO_EXEC] = {"VMC203E", "EXECIO option %s uses the variables of an EXEC: not from the command line"},
    [M_EXECIO_BAD_VAR] = {"VMC204E", "Invalid variable name %s"},
    [M_EXECIO_CONFLICT] = {"VMC205E", "EXECIO option %s conflicts with an earlier option"},
    [M_EXECIO_ONE_LINE] = {"VMC206E", "EXECIO option %s moves one line: the count must be 1"},
    /* 240-279: the spool commands (cms/spool_*.c) */
    [M_SP_NO_SPOOL] = {"VMC240E", "No spool devices in this virtual machine (no CP)"},
    [M_SP_RDR_EMPTY] = {"VMC241E", "No files in your reader"},
    [M_SP_NO_FILE] = {"VMC242E", "No file %s in your reader"},
    [M_SP_RECEIVED] = {"VMC243I", "File %s %s %s received from %s (reader file %04lu, %lu records)"},
    [M_SP_SENT] = {"VMC244I", "File %s %s %s sent to %s (spool file %04lu)"},
    [M_SP_BAD_USER] = {"VMC245E", "Cannot send to %s: not a user in the CP directory"},
    [M_SP_HELD] = {"VMC246E", "Reader file %04lu is held"},
    [M_SP_FULL] = {"VMC247E", "The spool is full: %s not sent"},
    [M_SP_KEPT] = {"VMC248I", "Reader file %04lu is kept in your reader"},
    [M_SP_PUNCHED] = {"VMC249I", "File %s %s %s: %s FILE %04lu, %lu records"},
    [M_SP_NOTE_PROMPT] = {"VMC250I", "Type the note; a line with only . sends it, .QUIT cancels it"},
    [M_SP_NOTE_CANCEL] = {"VMC251I", "Note cancelled, nothing sent"},
    [M_SP_NO_HEADER] = {"VMC252E", "Reader file %04lu was not made by DISK DUMP, PUNCH or SENDFILE"},
    [M_SP_RDRLIST_PROMPT] = {"VMC253I", "Enter: n RECEIVE [fn ft fm] [(REPLACE], n PEEK, n DISCARD, n TRANSFER userid, LIST, or QUIT"},
    [M_SP_DISCARDED] = {"VMC254I", "Reader file %04lu discarded"},
    [M_SP_TRANSFERRED] = {"VMC255I", "Reader file %04lu transferred to %s"},
    [M_SP_BAD_LINE] = {"VMC256E", "No line %s in the reader list"},
    [M_SP_IO] = {"VMC258E", "Spool error on %s: %s"},
    [M_SP_NOTE_SENT] = {"VMC259I", "Note sent to %s (spool file %04lu)"},
};

const char *
cms_msg_id(enum cms_msgid id)
{
    return (unsigned)id < M__COUNT ? msgs[id].id : "VMC000S";
}

void
cms_msg(enum cms_msgid id, ...)
{
    char text[CMS_LINE_MAX + 1];
    va_list ap;
    if ((unsigned)id >= M__COUNT || msgs[id].id == NULL) {
        con_flush();
        printf("VMC000S Message %d missing from the table\n", (int)id);
        return;
    }
    va_start(ap, id);
    vsnprintf(text, sizeof text, msgs[id].fmt, ap);
    va_end(ap);
    con_flush();
    printf("%s %s\n", msgs[id].id, text);
}
