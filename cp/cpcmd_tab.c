// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_tab.c - the CP command tables: every command and operand CP
 * knows, as data (see cp/cpcmd.h for the columns).  Order matters: an
 * abbreviation is matched against the rows in order and the first match
 * wins, so LOGOFF (LOG) sits before LOGON (L).  A new command is one row
 * here, one handler and one test.
 *
 * Privilege classes as on VM: A primary operator, B resource operator,
 * C system programmer, D spool operator, E analyst, G general user; ""
 * means every user.
 */
#include "cp/cpcmd.h"

#define LO CPCMD_F_LOGGEDON
#define VM (CPCMD_F_LOGGEDON | CPCMD_F_VM)

/* QUERY operands */
const struct cpcmd_def cpcmd_query_ops[] = {
    {"TIME", 1, "G", cpcmd_q_time, 0, "QUERY TIME",
     "The time of day and date, your connect time, and the virtual and\n"
     "total CPU time your virtual machine has used.", NULL, NULL},
    {"TRACE", 2, "G", cpcmd_q_trace, LO, "QUERY TRACE", "The TRACE settings in effect.", NULL, NULL},
    {"TRANSLATION", 4, "G", cpcmd_q_translation, VM, "QUERY TRANSLATION",
     "What scan-and-translate did for your virtual machine: basic blocks\n"
     "translated, sensitive instructions patched into traps, translations\n"
     "invalidated, hypercalls, and traps by cause.", NULL, NULL},
    {"USERS", 1, "", cpcmd_q_users, 0, "QUERY USERS",
     "How many users are logged on, and how many of them are disconnected.", NULL, NULL},
    {"USERID", 6, "", cpcmd_q_myuserid, 0, "QUERY USERID",
     "Your userid and the system's name, e.g. DEMO1 AT VMRV (an EXEC\n"
     "learns its userid this way).", NULL, NULL},
    {"NAMES", 1, "", cpcmd_q_names, 0, "QUERY NAMES",
     "The logged-on users and how each is connected (SSH, DSC disconnected).", NULL, NULL},
    {"VIRTUAL", 1, "G", cpcmd_q_virtual, LO, "QUERY VIRTUAL",
     "Your virtual machine: storage, console and devices.", NULL, NULL},
    {"STORAGE", 4, "G", cpcmd_q_storage, LO, "QUERY STORAGE",
     "The storage size of your virtual machine.", NULL, NULL},
    {"SET", 3, "G", cpcmd_q_set, LO, "QUERY SET",
     "Your SET options: MSG, WNG, EMSG, IMSG, SMSG, RUN.", NULL, NULL},
    {"SHARE", 2, "AEG", cpcmd_q_share, 0, "QUERY SHARE [userid]",
     "The relative SHARE of CPU of a user (yours by default; others need\n"
     "class A or E).", NULL, NULL},
    {"LOGMSG", 3, "", cpcmd_q_logmsg, 0, "QUERY LOGMSG", "The log message shown at logon.", NULL, NULL},
    {"LINKS", 4, "BEG", cpcmd_q_links, 0, "QUERY LINKS [vaddr] | userid [vaddr]",
     "Who has a minidisk linked, as which address, R/O or R/W: the disk at\n"
     "vaddr of your virtual machine, or every disk of yours in use.  Another\n"
     "user's disks (QUERY LINKS MAINT 190) need class B or E.", NULL, NULL},
    {"CPLEVEL", 3, "", cpcmd_q_cplevel, 0, "QUERY CPLEVEL",
     "The level of CP and when the system was started.", NULL, NULL},
    {"READER", 1, "DG", cpcmd_q_reader, 0, "QUERY READER|RDR [ALL|userid]",
     "The files in your reader (ALL or another userid: class D).", NULL, NULL},
    {"RDR", 3, "DG", cpcmd_q_reader, 0, "QUERY RDR [ALL|userid]", "The same as QUERY READER.",
     NULL, NULL},
    {"PUNCH", 3, "DG", cpcmd_q_punch, 0, "QUERY PUNCH|PUN [ALL|userid]",
     "Your files in the system punch queue (ALL or another userid: class D).", NULL, NULL},
    {"PRINTER", 2, "DG", cpcmd_q_printer, 0, "QUERY PRINTER|PRT [ALL|userid]",
     "Your files in the system printer queue (ALL or another userid: class D).", NULL, NULL},
    {"PRT", 3, "DG", cpcmd_q_printer, 0, "QUERY PRT [ALL|userid]", "The same as QUERY PRINTER.",
     NULL, NULL},
    {"FILES", 1, "DG", cpcmd_q_files, 0, "QUERY FILES",
     "How many spool files you have in your reader, printer and punch queues.", NULL, NULL},
    {"PRIVCLAS", 4, "", cpcmd_q_privclas, 0, "QUERY PRIVCLAS",
     "Your privilege classes now and in the directory.", NULL, NULL},
    {NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL},
};

/* SET operands */
const struct cpcmd_def cpcmd_set_ops[] = {
    {"MSG", 3, "G", cpcmd_set_msg, LO, "SET MSG ON|OFF",
     "Whether messages from other users (MESSAGE) are shown to you.", NULL, NULL},
    {"WNG", 3, "G", cpcmd_set_wng, LO, "SET WNG ON|OFF",
     "Whether warnings from operators (WARNING) are shown to you.", NULL, NULL},
    {"EMSG", 4, "G", cpcmd_set_emsg, LO, "SET EMSG ON|TEXT|CODE|OFF",
     "How CP's error messages are shown: id and text (ON), text only,\n"
     "id only (CODE), or not at all (OFF).", NULL, NULL},
    {"IMSG", 4, "G", cpcmd_set_imsg, LO, "SET IMSG ON|OFF",
     "Whether CP's information messages are shown.", NULL, NULL},
    {"SMSG", 4, "G", cpcmd_set_smsg, LO, "SET SMSG ON|OFF",
     "Whether special messages (SMSG) are accepted; a program in your\n"
     "virtual machine can take them through DIAG 0x068.", NULL, NULL},
    {"RUN", 3, "G", cpcmd_set_run, LO, "SET RUN ON|OFF",
     "ON: your virtual machine keeps running while the console is in CP\n"
     "READ.  OFF (the default): it stops until BEGIN.", NULL, NULL},
    {"LOGMSG", 4, "B", cpcmd_set_logmsg, 0, "SET LOGMSG text | OFF",
     "Adds a line to the log message shown at every logon; OFF clears it.", NULL, NULL},
    {"SHARE", 2, "A", cpcmd_set_share, 0, "SET SHARE userid [RELATIVE] n",
     "Sets a logged-on user's relative SHARE of CPU (1-10000, default 100)\n"
     "until logoff.  Busy virtual machines get CPU in proportion to SHARE.", NULL, NULL},
    {NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL},
};

/* INDICATE operands */
const struct cpcmd_def cpcmd_indicate_ops[] = {
    {"LOAD", 1, "EG", cpcmd_ind_load, 0, "INDICATE LOAD",
     "The load on the system: users, dispatch queues, dispatcher use.", NULL, NULL},
    {"USER", 1, "EG", cpcmd_ind_user, 0, "INDICATE USER [userid]",
     "What a virtual machine used: CPU, slices, waits, queue (others need\n"
     "class E).", NULL, NULL},
    {NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL},
};

const struct cpcmd_def cpcmd_table[] = {
    {"AUTOLOG", 7, "AB", cpcmd_autolog, 0, "AUTOLOG userid",
     "Logs a user on without a terminal (disconnected) and IPLs the system\n"
     "named in its directory entry.", NULL, NULL},
    {"BEGIN", 1, "G", cpcmd_begin, LO, "BEGIN",
     "Leaves CP READ: your virtual machine goes on where it stopped.", NULL, NULL},
    {"CHANGE", 2, "DG", cpcmd_change, 0,
     "CHANGE [userid] [RDR|PRT|PUN] spoolid...|CLASS c|ALL option...",
     "Changes closed spool files: CLASS c, NAME fn [ft], DIST d, FORM f,\n"
     "COPY n, HOLD, NOHOLD.  Another user's files need class D.", NULL, NULL},
    {"CLOSE", 1, "G", cpcmd_close, LO,
     "CLOSE PUNCH|PRINTER|CONSOLE [NAME fn [ft]] [DIST d] [HOLD|NOHOLD] [PURGE] | CLOSE READER [PURGE|KEEP]",
     "Ends the open spool file of a device and queues it: to the reader of\n"
     "the user it is spooled TO, or to the system queue.  PURGE drops it.\n"
     "CLOSE READER ends the file being read (PURGE: and removes it).", NULL, NULL},
    {"DEFINE", 3, "G", cpcmd_define, VM | CPCMD_F_DEFER,
     "DEFINE STORAGE size | DEFINE TDISK vaddr size | DEFINE T3390 vaddr n [CYL|BLK]",
     "STORAGE changes the storage size of your virtual machine (up to the\n"
     "maximum in your directory entry), e.g. DEFINE STORAGE 64M.  The\n"
     "virtual machine is reset: IPL again.\n"
     "TDISK adds a temporary minidisk, zeroed, R/W at vaddr, e.g. DEFINE\n"
     "TDISK 192 32M (a size with K, M or G, or a number of 4K blocks; T3390\n"
     "counts 3390 cylinders of 180 blocks).  FORMAT it in CMS (FORMAT 192 B).\n"
     "Nobody else can link it; it is gone at DETACH and at logoff.", NULL, NULL},
    {"DETACH", 3, "G", cpcmd_detach, VM, "DETACH vaddr",
     "Removes a device (e.g. a linked minidisk) from your virtual machine.", NULL, NULL},
    {"DRAIN", 2, "AD", cpcmd_drain, 0, "DRAIN [PRINTER] [n|ALL]",
     "Stops a system printer after the file it is printing.", NULL, NULL},
    {"DISCONNECT", 4, "", cpcmd_disconnect, LO | CPCMD_F_NOEXEC, "DISCONNECT",
     "Ends your terminal session; your virtual machine goes on running.\n"
     "Log on again to reconnect.", NULL, NULL},
    {"DISPLAY", 1, "G", cpcmd_display, VM, "DISPLAY G[n|name] | PSW | CSR [name] | addr[-end|.len]",
     "Shows registers, the program counter and state (PSW), S-mode CSRs,\n"
     "or storage in hexadecimal and characters.  Examples: D G, D GA0,\n"
     "D PSW, D CSR SSTATUS, D 2000.40", NULL, NULL},
    {"FREE", 2, "D", cpcmd_free, 0, "FREE [userid] [RDR|PRT|PUN] spoolid...|CLASS c|ALL",
     "Releases spool files held by HOLD.", NULL, NULL},
    {"FLUSH", 1, "AD", cpcmd_flush, 0, "FLUSH [PRINTER] [n|ALL]",
     "Stops a system printer at once; the file it was printing stays queued.", NULL, NULL},
    {"FORCE", 5, "A", cpcmd_force, 0, "FORCE userid",
     "Logs a user off at once.", NULL, NULL},
    {"HOLD", 2, "D", cpcmd_hold, 0, "HOLD [userid] [RDR|PRT|PUN] spoolid...|CLASS c|ALL",
     "Holds spool files (system hold): no reader takes them and no printer\n"
     "prints them until FREE.", NULL, NULL},
    {"HELP", 1, "", cpcmd_help, 0, "HELP [command [operand]]",
     "Lists the CP commands you may use, or describes one.", NULL, NULL},
    {"INDICATE", 3, "EG", cpcmd_operands, 0, "INDICATE [LOAD | USER [userid]]",
     "Shows the load on the system or what a virtual machine used.",
     cpcmd_indicate_ops, NULL},
    {"IPL", 1, "G", cpcmd_ipl, VM | CPCMD_F_DEFER, "IPL name|vaddr [PARM text]",
     "Loads and starts a system in your virtual machine: a named saved\n"
     "system such as CMS, or a device.", NULL, NULL},
    {"LINK", 2, "G", cpcmd_link, VM, "LINK userid vaddr1 vaddr2 [mode] [PASS password]",
     "Adds another user's minidisk vaddr1 to your virtual machine as vaddr2.\n"
     "Modes: R RR W WR M MR MW (default R).", NULL, NULL},
    {"LOGOFF", 3, "", cpcmd_logoff, LO | CPCMD_F_DEFER, "LOGOFF",
     "Ends your session: your virtual machine is gone, CP shows your\n"
     "connect time and CPU time.", NULL, NULL},
    {"LOGON", 1, "", cpcmd_logon, 0, "LOGON userid",
     "Log on by connecting with SSH as the userid; you are already logged\n"
     "on when CP reads this.", NULL, NULL},
    {"MESSAGE", 1, "ABG", cpcmd_message, 0, "MESSAGE userid|*|ALL text",
     "Sends a line to a logged-on user (* is yourself; ALL, for class B,\n"
     "is everyone).  Shown between lines, never inside one.", NULL, NULL},
    {"MSG", 3, "ABG", cpcmd_message, 0, "MSG userid|*|ALL text", "The same as MESSAGE.", NULL, NULL},
    {"ORDER", 3, "DG", cpcmd_order, 0, "ORDER [userid] RDR|PRT|PUN spoolid...",
     "Moves the named files to the front of their queue, in that order.", NULL, NULL},
    {"PURGE", 3, "DG", cpcmd_purge, 0, "PURGE [userid] [RDR|PRT|PUN] spoolid...|CLASS c|ALL",
     "Removes closed spool files.  Another user's files need class D.", NULL, NULL},
    {"QUERY", 1, "", cpcmd_operands, 0, "QUERY operand | userid",
     "Shows information; HELP QUERY lists the operands.", cpcmd_query_ops, cpcmd_q_userid},
    {"SET", 3, "", cpcmd_operands, 0, "SET operand value",
     "Changes a setting; HELP SET lists them.", cpcmd_set_ops, NULL},
    {"SHUTDOWN", 8, "A", cpcmd_shutdown, 0, "SHUTDOWN",
     "Stops the system: every user is logged off cleanly.", NULL, NULL},
    {"SLEEP", 2, "G", cpcmd_sleep, LO, "SLEEP [n [SEC|MIN|HR]]",
     "The console sleeps for n minutes (or seconds, or hours), or until\n"
     "you type a line or press attention: your virtual machine does not run,\n"
     "messages are shown as they arrive.  Then you are back where you were.\n"
     "Without n: until a line or attention.  From a program (CP SLEEP) the\n"
     "program waits; from ssh user@host 'SLEEP 5 SEC' the command does.", NULL, NULL},
    {"SPOOL", 2, "G", cpcmd_spool, LO,
     "SPOOL PUNCH|PRINTER|CONSOLE [TO userid|*|SYSTEM] [OFF] [CLASS c] [CONT|NOCONT] [HOLD|NOHOLD] [COPY n] [FORM f] [DIST d] [CLOSE|PURGE] | SPOOL READER CLASS c|*",
     "Sets where and how a device spools: TO a user's reader (* is you) or\n"
     "the system queue (OFF, SYSTEM); CLASS, CONT (CLOSE from the guest does\n"
     "not end the file), HOLD, COPY, FORM, DIST; CLOSE ends the open file,\n"
     "PURGE drops it.  SPOOL CONSOLE START|STOP\n"
     "keeps your console output as a spool file.  With no options: the\n"
     "device's settings.", NULL, NULL},
    {"SMSG", 2, "G", cpcmd_smsg, 0, "SMSG userid text",
     "Sends a special message to a program in another virtual machine\n"
     "(one that SET SMSG ON).", NULL, NULL},
    {"START", 3, "AD", cpcmd_start, 0, "START [PRINTER] [n] [CLASS c...]",
     "Starts system printer n (1-8, default 1) for the classes given (* is\n"
     "any; default A): it prints each such file of the system printer\n"
     "queue into the data folder's printer folder, with a separator page,\n"
     "and purges it.", NULL, NULL},
    {"STORE", 2, "G", cpcmd_store, VM, "STORE G[n|name] value | PSW addr | CSR name value | addr hex...",
     "Changes a register, the program counter, an S-mode CSR, or storage\n"
     "(hex bytes: STORE 2000 DEADBEEF).  Examples: ST GA0 5, ST PSW 80000", NULL, NULL},
    {"SYSTEM", 3, "G", cpcmd_system, VM | CPCMD_F_DEFER, "SYSTEM RESET|CLEAR",
     "Resets your virtual machine (CLEAR: and zeroes its storage); IPL\n"
     "again to go on.", NULL, NULL},
    {"TRANSFER", 4, "DG", cpcmd_transfer, 0,
     "TRANSFER [userid] [RDR|PRT|PUN] spoolid...|CLASS c|ALL [TO] userid|*",
     "Moves closed spool files to the end of a user's reader.", NULL, NULL},
    {"TRACE", 2, "G", cpcmd_trace, LO,
     "TRACE INSTRUCTIONS|DIAGNOSE|TRAPS|INTERRUPTS|ALL [OFF] ... | END",
     "Shows on your console, as they happen, every instruction (address,\n"
     "encoding, mnemonic), hypercalls with their codes, arguments and\n"
     "results (DIAGNOSE), traps with cause and tval (TRAPS) or interrupts\n"
     "of your virtual machine; END (or OFF) stops.", NULL, NULL},
    {"WARNING", 1, "AB", cpcmd_warning, 0, "WARNING userid|ALL text",
     "Sends an operator's warning to a user or to everyone.", NULL, NULL},
    {"XAUTOLOG", 5, "AB", cpcmd_autolog, 0, "XAUTOLOG userid", "The same as AUTOLOG.", NULL, NULL},
    {NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL},
};
