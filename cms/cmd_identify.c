// SPDX-License-Identifier: MIT
/*
 * cms/cmd_identify.c - IDENTIFY [( STACK [FIFO|LIFO] | FIFO | LIFO | TYPE]:
 * one line with who and where you are and when, in CMS's layout
 *
 *   userid   AT node     VIA rscsid   mm/dd/yy hh:mm:ss zone weekday
 *
 * typed (the default) or put on the program stack (FIFO unless LIFO) for
 * an EXEC to PULL.  userid and node come from DIAG 0x000 (the node is
 * CP's system name, VMRV); the date and time from DIAG 0x00C.  There is
 * no RSCS network machine, so rscsid is "*": the line keeps its nine
 * words for programs that parse it.  CP has no time zone names, so the
 * zone is the offset from UTC: "UTC", "UTC+01", "UTC-0530".
 */
#include <string.h>

#include "cms/cms.h"

#define IDENT_TYPE 0x1
#define IDENT_STACK 0x2
#define IDENT_LIFO 0x4

static const char *const weekdays[7] = {"THURSDAY", "FRIDAY",   "SATURDAY", "SUNDAY",
                                        "MONDAY",   "TUESDAY",  "WEDNESDAY"};

/* Copies a blank padded 8-character field without its blanks. */
static void
unpad(char out[9], const char in[8])
{
    size_t n = 0;
    while (n < 8 && in[n] != ' ' && in[n] != '\0') {
        out[n] = in[n];
        n++;
    }
    out[n] = '\0';
}

/* The zone: the offset from UTC in hours (and minutes when not whole). */
static void
zone_name(char *out, size_t cap, int64_t off)
{
    if (off == 0) {
        snprintf(out, cap, "UTC");
        return;
    }
    char sign = off < 0 ? '-' : '+';
    int64_t a = off < 0 ? -off : off;
    int h = (int)(a / 3600), m = (int)(a / 60 % 60);
    if (m == 0) {
        snprintf(out, cap, "UTC%c%02d", sign, h);
    } else {
        snprintf(out, cap, "UTC%c%02d%02d", sign, h, m);
    }
}

/* Builds the line; returns its length. */
static size_t
identify_line(char *line, size_t cap)
{
    struct diag_identify id;
    char user[9], node[9];
    if (cms_identify(&id) == DIAG_OK && id.userid[0] != '\0' && id.userid[0] != ' ') {
        unpad(user, id.userid);
        unpad(node, id.system);
    } else {
        snprintf(user, sizeof user, "%s", cms_userid);
        snprintf(node, sizeof node, "VMRV");
    }
    struct diag_timer t;
    cms_timer(&t);
    int64_t secs = (int64_t)(t.tod_us / 1000000) + t.utc_offset_s;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int wd = (int)(((days % 7) + 7) % 7); /* 1970-01-01 was a Thursday */
    char zone[16];
    zone_name(zone, sizeof zone, t.utc_offset_s);
    int n = snprintf(line, cap, "%-8s AT %-8s VIA %-8s %.8s %.8s %s %s", user, node, "*", t.date,
                     t.time, zone, weekdays[wd]);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

int
cmd_identify(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    unsigned opts = 0;
    if (nopt > 1) {
        cms_msg(M_INVALID_PARM, p->orig[1]);
        return 24;
    }
    for (int i = nopt + 1; i < p->argc; i++) {
        const char *w = p->argv[i];
        unsigned bit;
        if (cms_abbrev(w, "STACK", 5)) {
            bit = IDENT_STACK;
        } else if (cms_abbrev(w, "FIFO", 4)) {
            bit = IDENT_STACK;
        } else if (cms_abbrev(w, "LIFO", 4)) {
            bit = IDENT_STACK | IDENT_LIFO;
        } else if (cms_abbrev(w, "TYPE", 1)) {
            bit = IDENT_TYPE;
        } else {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
        opts |= bit;
        if ((opts & IDENT_TYPE) && (opts & IDENT_STACK)) {
            cms_msg(M_STK_CONFLICT, "STACK", "TYPE");
            return 24;
        }
    }
    char line[CMS_LINE_MAX + 1];
    size_t n = identify_line(line, sizeof line);
    if (opts & IDENT_STACK) {
        if (cms_stack_add(line, n, (opts & IDENT_LIFO) != 0) != 0) {
            cms_msg(M_NO_STORAGE);
            return 104;
        }
        return 0;
    }
    printf("%s\n", line);
    return 0;
}
