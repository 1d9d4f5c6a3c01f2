/* SPDX-License-Identifier: MIT */
/*
 * cms/msg.h - CMS message ids.  Every message CMS writes to the user comes
 * from the one table in cms/msg.c, as "VMCnnnS text" (VMC = VM/RV CMS, nnn a
 * number, S the severity letter I W E S T R).  Tests look for the ids.
 */
#ifndef CMS_MSG_H
#define CMS_MSG_H

enum cms_msgid {
    M_UNKNOWN_CMD, /* VMC001E */
    M_FILE_NOT_FOUND, /* VMC002E */
    M_INVALID_OPTION, /* VMC003E */
    M_INVALID_PARM, /* VMC004E */
    M_MISSING_OPERAND, /* VMC005E */
    M_DISK_RO, /* VMC006E */
    M_DISK_NOT_ACCESSED, /* VMC007E */
    M_BAD_VADDR, /* VMC008E */
    M_NO_DEVICE, /* VMC009E */
    M_NOT_DISK, /* VMC010E */
    M_NOT_FORMATTED, /* VMC011W */
    M_REPLACES, /* VMC012I */
    M_DISK_IO, /* VMC013E */
    M_DISK_FULL, /* VMC014E */
    M_FILE_EXISTS, /* VMC015E */
    M_BAD_FILEID, /* VMC016E */
    M_PROGRAM_CHECK, /* VMC017E */
    M_BAD_MODULE, /* VMC018E */
    M_TOO_LARGE, /* VMC019E */
    M_HALTED, /* VMC020I */
    M_ABEND, /* VMC021T */
    M_NO_STORAGE, /* VMC022E */
    M_BAD_RECFM, /* VMC023E */
    M_FORMAT_CONFIRM, /* VMC024R */
    M_FORMAT_DONE, /* VMC025I */
    M_NO_HELP, /* VMC026E */
    M_NOT_FROM_PROGRAM, /* VMC027E */
    M_BAD_FILEMODE, /* VMC028E */
    M_SAME_FILE, /* VMC029E */
    M_NO_EXEC, /* VMC030E */
    M_CP_FAILED, /* VMC031E */
    M_TOO_MANY_TOKENS, /* VMC032E */
    M_FS_ERROR, /* VMC033E */
    M_RECORD_TOO_LONG, /* VMC034W */
    M_NOT_FORMATTED_ERR, /* VMC036E */
    M_DISK_IN_USE, /* VMC037E */
    M_FORMAT_CANCELLED, /* VMC038I */
    M_ABEND_REIPL, /* VMC039R */
    M_IMMED_UNKNOWN, /* VMC040W */
    M_NO_PROFILE_EXEC, /* VMC042I */
    M_VADDR_NOT_ACCESSED, /* VMC043E */
    M_ABEND_STOP, /* VMC044T */
    M_STK_BAD_NUMBER, /* VMC070E */
    M_STK_NO_BUFFER, /* VMC071E */
    M_STK_CONFLICT, /* VMC072E */
    M_CMP_COMPARING, /* VMC060I */
    M_CMP_DIFFER, /* VMC061W */
    M_CMP_SHORTER, /* VMC062W */
    M_SORT_PROMPT, /* VMC063R */
    M_SORT_BAD_FIELD, /* VMC064E */
    M_SORT_NO_STORAGE, /* VMC065E */
    M_EDIT_NEWFILE, /* VMC100I */
    M_EDIT_EOF, /* VMC101I */
    M_EDIT_TOF, /* VMC102I */
    M_EDIT_NOT_FOUND, /* VMC103E */
    M_EDIT_BAD_SUBCMD, /* VMC104E */
    M_EDIT_SAVED, /* VMC105I */
    M_EDIT_CHANGED, /* VMC106W */
    M_EDIT_INPUT_MODE, /* VMC107I */
    M_EDIT_EDIT_MODE, /* VMC108I */
    M_EDIT_BAD_OPERAND, /* VMC109E */
    M_EDIT_NO_STORAGE, /* VMC110E */
    M_EDIT_TRUNCATED, /* VMC111W */
    M_EDIT_CHANGED_N, /* VMC112I */
    M_XEDIT_CHANGED, /* VMC113E */
    M_XEDIT_NO_LINE, /* VMC114E */
    M_XEDIT_NO_LAST, /* VMC115E */
    M_XEDIT_MATCHES, /* VMC116I */
    M_XEDIT_NO_CURRENT, /* VMC117E */
    M_XEDIT_CMD_RC, /* VMC118W */
    M_XEDIT_NEST, /* VMC119E */
    M_XEDIT_ADDED, /* VMC120I */
    M_FL_PROMPT, /* VMC150I */
    M_FL_BAD_LINE, /* VMC151E */
    M_REXX_ERROR, /* VMC200E */
    M_REXX_CMD_LONG, /* VMC201E */
    M_REXX_NEST, /* VMC202E */
    M_EXECIO_NO_EXEC, /* VMC203E */
    M_EXECIO_BAD_VAR, /* VMC204E */
    M_EXECIO_CONFLICT, /* VMC205E */
    M_EXECIO_ONE_LINE, /* VMC206E */
    M_SP_NO_SPOOL, /* VMC240E */
    M_SP_RDR_EMPTY, /* VMC241E */
    M_SP_NO_FILE, /* VMC242E */
    M_SP_RECEIVED, /* VMC243I */
    M_SP_SENT, /* VMC244I */
    M_SP_BAD_USER, /* VMC245E */
    M_SP_HELD, /* VMC246E */
    M_SP_FULL, /* VMC247E */
    M_SP_KEPT, /* VMC248I */
    M_SP_PUNCHED, /* VMC249I */
    M_SP_NOTE_PROMPT, /* VMC250I */
    M_SP_NOTE_CANCEL, /* VMC251I */
    M_SP_NO_HEADER, /* VMC252E */
    M_SP_RDRLIST_PROMPT, /* VMC253I */
    M_SP_DISCARDED, /* VMC254I */
    M_SP_TRANSFERRED, /* VMC255I */
    M_SP_BAD_LINE, /* VMC256E */
    M_SP_IO, /* VMC258E */
    M_SP_NOTE_SENT, /* VMC259I */
    M__COUNT
};

/* Writes message id with its text formatted from the arguments (printf
 * style, as the table says) on the console. */
void cms_msg(enum cms_msgid id, ...);
/* The "VMCnnnS" id of a message (for HELP and tests). */
const char *cms_msg_id(enum cms_msgid id);

#endif /* CMS_MSG_H */
