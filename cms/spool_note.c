// SPDX-License-Identifier: MIT
/*
 * cms/spool_note.c - NOTE userid...: a short message sent as a file.
 *
 * NOTE asks for the text (VMC250I) and reads lines from the terminal (or
 * the program stack) until a line with only "." (send) or ".QUIT"
 * (cancel); empty lines are part of the note, as paragraphs.  The note is
 * a V file "sender NOTE" with a header record marked NOTE (cms/spool.h)
 * and these records:
 *
 *   Date: MM/DD/YY hh:mm:ss
 *   From: SENDER
 *   To:   USER1 USER2
 *   (an empty record)
 *   the lines typed
 *
 * punched to each user in turn (CP SPOOL PUNCH TO, DIAG 0x1000).  RECEIVE
 * appends a note to ALL NOTEBOOK A.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/spool.h"

#define NOTE_MAX_LINES 500

struct note {
    char *line[NOTE_MAX_LINES + 4];
    size_t n;
};

static int
note_add(struct note *nt, const char *s)
{
    if (nt->n == NOTE_MAX_LINES + 4) {
        return -1;
    }
    char *c = strdup(s);
    if (c == NULL) {
        return -1;
    }
    nt->line[nt->n++] = c;
    return 0;
}

static void
note_free(struct note *nt)
{
    for (size_t i = 0; i < nt->n; i++) {
        free(nt->line[i]);
    }
    nt->n = 0;
}

/* Punches the note to the current punch; returns 0 or a CMS rc. */
static int
note_punch(const struct note *nt, uint32_t *sid)
{
    struct sp_header h = {.recfm = 'V', .records = (uint32_t)nt->n, .note = 1};
    snprintf(h.fn, sizeof h.fn, "%s", cms_userid[0] ? cms_userid : "NOTE");
    strcpy(h.ft, "NOTE");
    strcpy(h.fm, "A1");
    for (size_t i = 0; i < nt->n; i++) {
        size_t l = strlen(nt->line[i]);
        h.lrecl = l > h.lrecl ? (uint32_t)l : h.lrecl;
    }
    char card[128], name[24];
    size_t cl = sp_header_format(&h, card, sizeof card);
    long err = sp_ur_write(SP_PUNCH, card, cl);
    for (size_t i = 0; err == DIAG_OK && i < nt->n; i++) {
        err = sp_ur_write(SP_PUNCH, nt->line[i], strlen(nt->line[i]));
    }
    snprintf(name, sizeof name, "%s NOTE", h.fn);
    if (err == DIAG_OK) {
        err = sp_ur_close(SP_PUNCH, name, sid);
    }
    if (err != DIAG_OK) {
        sp_cp("CLOSE 00D PURGE");
        return sp_diag_report(err, name);
    }
    return 0;
}

int
cmd_note(struct cms_plist *p)
{
    int end = cms_opt_index(p);
    if (end != p->argc) {
        cms_msg(M_INVALID_OPTION, p->orig[end]);
        return 24;
    }
    if (p->argc < 2) {
        cms_msg(M_MISSING_OPERAND, "userid");
        return 24;
    }
    static struct note nt;
    char users[CMS_LINE_MAX + 1] = "";
    for (int i = 1; i < end; i++) {
        if (strlen(p->argv[i]) > 8) {
            cms_msg(M_SP_BAD_USER, p->orig[i]);
            return 24;
        }
        strncat(users, p->argv[i], sizeof users - strlen(users) - 1);
        if (i + 1 < end) {
            strncat(users, " ", sizeof users - strlen(users) - 1);
        }
    }
    /* the text, before anything is sent */
    struct diag_timer t;
    cms_timer(&t);
    char line[CMS_LINE_MAX + 16];
    note_free(&nt);
    snprintf(line, sizeof line, "Date: %.8s %.8s", t.date, t.time);
    note_add(&nt, line);
    snprintf(line, sizeof line, "From: %s", cms_userid);
    note_add(&nt, line);
    snprintf(line, sizeof line, "To:   %s", users);
    note_add(&nt, line);
    note_add(&nt, "");
    cms_msg(M_SP_NOTE_PROMPT);
    for (;;) {
        int n = cms_stack_take(line, CMS_LINE_MAX + 1);
        if (n < 0) {
            con_read(line, CMS_LINE_MAX + 1);
        }
        if (strcmp(line, ".") == 0) {
            break;
        }
        char up[8];
        snprintf(up, sizeof up, "%s", line);
        cms_upper(up);
        if (strcmp(up, ".QUIT") == 0 || cms_halt_requested) {
            note_free(&nt);
            cms_msg(M_SP_NOTE_CANCEL);
            return 0;
        }
        if (note_add(&nt, line) != 0) {
            cms_msg(M_NO_STORAGE);
            note_free(&nt);
            return 104;
        }
    }
    int worst = 0, pointed = 0;
    for (int i = 1; i < end; i++) {
        uint32_t sid = 0;
        int rc = sp_punch_to(p->argv[i]);
        pointed |= rc == 0;
        if (rc == 0) {
            rc = note_punch(&nt, &sid);
        }
        if (rc == 0) {
            cms_msg(M_SP_NOTE_SENT, p->argv[i], (unsigned long)sid);
        } else if (worst == 0) {
            worst = rc;
        }
        if (rc == 100) {
            break;
        }
    }
    if (pointed) {
        sp_cp("SPOOL PUNCH OFF");
    }
    note_free(&nt);
    return worst;
}
