// SPDX-License-Identifier: MIT
/*
 * cp/msgtab.c - the one table of CP's messages (see cp/msg.h).
 *
 * Rows are in ascending order of number (a test checks it, and that every
 * enum msg_num has a row).  Texts are VM/RV's own words.  %1..%9 are the
 * arguments the caller passes, in the order this table documents.  Change
 * a text freely; never reuse a number for a different meaning.
 */
#include "cp/msg.h"

const struct msg_def msg_table[] = {
    /* the command processor */
    {MSG_UNKNOWN_CMD, 'E', "Unknown CP command: %1"},
    {MSG_INVOPND, 'E', "Invalid operand: %1"},
    {MSG_INVOPT, 'E', "Invalid option: %1"},
    {MSG_MISSING, 'E', "Operand missing: %1 expected"},
    {MSG_EXTRA, 'E', "Unexpected operand: %1"},
    {MSG_NOPRIV, 'E', "%1 needs privilege class %2; you have %3"},
    {MSG_INVUSER, 'E', "Invalid userid: %1"},
    {MSG_INVHEX, 'E', "Not a hexadecimal value: %1"},
    {MSG_RANGE, 'E', "Value out of range: %1 (%2)"},
    {MSG_NOTAVAIL, 'E', "%1 is not available: %2"},
    {MSG_INVREG, 'E', "Invalid register: %1"},
    {MSG_ADDR, 'E', "Address %1 is outside your storage (%2)"},
    {MSG_CONFLICT, 'E', "Conflicting operands: %1 and %2"},
    {MSG_NOVM, 'E', "No virtual machine: %1"},
    {MSG_NOTHERE, 'E', "%1 cannot be used from %2"},
    {MSG_TOOLONG, 'E', "Command line too long (at most %1 characters)"},
    {MSG_NOHELP, 'E', "No help for %1: not a CP command"},
    {MSG_FAILED, 'E', "%1 failed: %2"},
    {MSG_INVSTOR, 'E', "Invalid storage size %1: %2"},
    {MSG_INVDEV, 'E', "Invalid device address: %1"},
    /* users and logon */
    {MSG_NOTLOGGEDON, 'E', "%1 is not logged on"},
    {MSG_NOTINDIR, 'E', "%1 is not in the CP directory"},
    {MSG_TOOMANY, 'E', "Logon refused: %1 users are logged on, the limit is %2"},
    {MSG_COMMITTED, 'E', "Logon refused: %1 more storage would pass the committed limit of %2"},
    {MSG_NOLOG, 'E', "Logon refused: %1 may not log on"},
    {MSG_SHUTTING, 'E', "Logon refused: the system is shutting down"},
    {MSG_ALREADY, 'E', "%1 is already logged on"},
    {MSG_TAKENOVER, 'W', "This session was taken over by a logon from %1"},
    {MSG_LOGONFAIL, 'E', "Logon of %1 failed: %2"},
    {MSG_MSGOFF, 'W', "%1 is not receiving messages"},
    {MSG_DISCONNECTED, 'W', "%1 is disconnected; the message was not shown"},
    {MSG_SMSGOFF, 'W', "%1 is not receiving special messages"},
    {MSG_QFULL, 'W', "%1 has too many messages waiting; not sent"},
    {MSG_FORCED, 'I', "%1 is being forced off"},
    {MSG_MAXSTOR, 'E', "Storage %1 is larger than your maximum of %2"},
    {MSG_LOGOFFPEND, 'E', "%1 is already logging off"},
    {MSG_INPUTFULL, 'W', "Input line discarded: %1 lines are already waiting"},
    {MSG_SELF, 'E', "%1 cannot be applied to yourself"},
    /* responses and notices */
    {MSG_LOGONAT, 'R', "LOGON AT %1 %2 %3"},
    {MSG_RECONNAT, 'R', "RECONNECTED AT %1 %2 %3"},
    {MSG_LOGOFFAT, 'R', "LOGOFF AT %1 %2 %3"},
    {MSG_CPUTIME, 'R', "CONNECT= %1 VIRTCPU= %2 TOTCPU= %3"},
    {MSG_DISCAT, 'R', "DISCONNECT AT %1 %2 %3"},
    {MSG_FORCEDBY, 'R', "FORCED OFF BY %1"},
    {MSG_FROM_MSG, 'R', "MSG FROM %1: %2"},
    {MSG_FROM_WNG, 'R', "WNG FROM %1: %2"},
    {MSG_FROM_SMSG, 'R', "SMSG FROM %1: %2"},
    {MSG_SHUTDOWN, 'R', "SYSTEM SHUTDOWN: you are being logged off"},
    {MSG_CPREAD, 'I', "CP READ: enter CP commands; BEGIN resumes the virtual machine"},
    {MSG_IDLEDISC, 'I', "Disconnected after %1 without input"},
    {MSG_DISCTIMEOUT, 'I', "Logged off: disconnected and waiting for input for %1"},
    {MSG_SENT, 'I', "Sent to %1 users"},
    {MSG_SET, 'I', "%1 set to %2"},
    {MSG_STORAGE, 'R', "STORAGE = %1"},
    {MSG_AUTOLOGGED, 'I', "%1 has been logged on"},
    {MSG_SHUTDOWNSTART, 'I', "System shutdown started by %1"},
    /* the virtual machine */
    {MSG_NODEV, 'E', "Device %1 does not exist"},
    {MSG_DEVEXISTS, 'E', "Device %1 already exists"},
    {MSG_LINKFAIL, 'E', "LINK to %1 %2 refused: %3"},
    {MSG_PASSWORD, 'E', "Password incorrect"},
    {MSG_DETACHED, 'I', "%1 detached"},
    {MSG_LINKED, 'I', "%1 %2 linked as %3 %4"},
    {MSG_DISWAIT, 'W', "The virtual machine stopped: %1"},
    {MSG_RESET, 'I', "Storage %1; the virtual machine is reset"},
    {MSG_STORDEF, 'I', "STORAGE = %1; the virtual machine is reset"},
    {MSG_IPLFAIL, 'E', "IPL %1 failed: %2"},
    {MSG_TRACE, 'R', "*** TRACE %1"},
    {MSG_LOST, 'W', "%1 bytes of console output were lost"},
    /* log-only: the operator's log */
    {MSG_LOG_LOGON, 'I', "%1 logged on from %2"},
    {MSG_LOG_LOGOFF, 'I', "%1 logged off: %2"},
    {MSG_LOG_BADLOGON, 'W', "Failed logon for %1 from %2: %3"},
    {MSG_LOG_FORCE, 'I', "%1 forced off by %2"},
    {MSG_LOG_DISC, 'I', "%1 disconnected: %2"},
    {MSG_LOG_RECONN, 'I', "%1 reconnected from %2"},
    {MSG_LOG_DISWAIT, 'W', "%1 stopped: %2"},
    {MSG_LOG_SHUTDOWN, 'I', "System shutdown: %1"},
    {MSG_LOG_AUTOLOG, 'I', "%1 logged on by %2"},
    {MSG_LOG_START, 'I', "%1 %2 started: %3"},
    {MSG_LOG_REFUSED, 'W', "Logon of %1 refused: %2"},
};

const size_t msg_table_len = sizeof msg_table / sizeof msg_table[0];
