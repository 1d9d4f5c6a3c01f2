// SPDX-License-Identifier: MIT
/*
 * cms/spool_punch.c - the CMS commands that send: PUNCH, PRINT, DISK DUMP
 * and DISK LOAD, SENDFILE.  NOTE is in spool_note.c, the reader commands in
 * spool_rdr.c; all of them rest on spool_send.c and spool_recv.c.
 *
 *   PUNCH fn ft [fm] [(NOHEADER]     to the virtual punch 00D, as SPOOL
 *                                    PUNCH says (TO, CLASS...), with the
 *                                    header record first (cms/spool.h)
 *   PRINT fn ft [fm]                 to the virtual printer 00E, one line
 *                                    per record, trailing blanks dropped
 *   DISK DUMP fn ft [fm]             PUNCH with the header, always
 *   DISK LOAD [(REPLACE]             the first reader file with a header
 *                                    back into its own fn ft (A disk)
 *   SENDFILE fn ft [fm] [TO] userid... : CP SPOOL PUNCH TO userid, PUNCH,
 *                                    for each user; then SPOOL PUNCH OFF
 * fm defaults to "*" (the search order), as TYPE.
 */
#include <string.h>

#include "cms/spool.h"

/* Is this token a filemode ("A", "A1", "*")? */
static int
is_fm(const char *s)
{
    size_t n = strlen(s);
    if (strcmp(s, "*") == 0) {
        return 1;
    }
    return (n == 1 || n == 2) && s[0] >= 'A' && s[0] <= 'Z' &&
           (n == 1 || (s[1] >= '0' && s[1] <= '6'));
}

/* fn ft [fm] at p->argv[first..]; *next gets the index after it. */
static int
fileid_at(struct cms_plist *p, int first, int end, struct fs_fileid *id, int *next)
{
    if (end - first < 2) {
        cms_msg(M_MISSING_OPERAND, "fn ft [fm]");
        return 24;
    }
    const char *fm = "*";
    int n = first + 2;
    if (n < end && is_fm(p->argv[n]) && (next == NULL || n + 1 < end)) {
        fm = p->argv[n++];
    }
    if (fs_fileid_make(id, p->argv[first], p->argv[first + 1], fm, "*") != 0 ||
        strpbrk(id->fn, "*%") || strpbrk(id->ft, "*%")) {
        cms_msg(M_BAD_FILEID, p->orig[first]);
        return 20;
    }
    if (next != NULL) {
        *next = n;
    } else if (n < end) {
        cms_msg(M_INVALID_PARM, p->orig[n]);
        return 24;
    }
    return 0;
}

/* Options after "(": each must be one of names (NULL ended); sets bit i. */
static int
options(struct cms_plist *p, const char *const *names, unsigned *bits)
{
    *bits = 0;
    for (int i = cms_opt_index(p) + 1; i < p->argc; i++) {
        int k = 0;
        while (names[k] != NULL && strcmp(p->argv[i], names[k]) != 0) {
            k++;
        }
        if (names[k] == NULL) {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
        *bits |= 1u << k;
    }
    return 0;
}

static int
punch_or_print(struct cms_plist *p, unsigned vaddr, int flags, const char *dev)
{
    static const char *const opts[] = {"NOHEADER", "HEADER", NULL};
    struct fs_fileid id;
    struct fs_stat st;
    unsigned bits;
    uint32_t sid = 0;
    int rc = options(p, opts, &bits);
    if (rc == 0) {
        rc = fileid_at(p, 1, cms_opt_index(p), &id, NULL);
    }
    if (rc != 0) {
        return rc;
    }
    if (vaddr == SP_PUNCH && (bits & 1)) {
        flags &= ~SP_HEADER;
    }
    rc = sp_punch_file(vaddr, &id, flags, &sid, &st);
    if (rc == 0) {
        cms_msg(M_SP_PUNCHED, st.id.fn, st.id.ft, st.id.fm, dev, (unsigned long)sid,
                (unsigned long)st.records);
    }
    return rc;
}

int
cmd_punch(struct cms_plist *p)
{
    return punch_or_print(p, SP_PUNCH, SP_HEADER, "PUN");
}

int
cmd_print(struct cms_plist *p)
{
    return punch_or_print(p, SP_PRINTER, SP_STRIP, "PRT");
}

int
cmd_disk(struct cms_plist *p)
{
    if (p->argc < 2) {
        cms_msg(M_MISSING_OPERAND, "DUMP or LOAD");
        return 24;
    }
    if (strcmp(p->argv[1], "DUMP") == 0) {
        struct fs_fileid id;
        struct fs_stat st;
        uint32_t sid = 0;
        if (cms_opt_index(p) != p->argc) {
            cms_msg(M_INVALID_OPTION, p->orig[cms_opt_index(p)]);
            return 24;
        }
        int rc = fileid_at(p, 2, p->argc, &id, NULL);
        if (rc == 0) {
            rc = sp_punch_file(SP_PUNCH, &id, SP_HEADER, &sid, &st);
        }
        if (rc == 0) {
            cms_msg(M_SP_PUNCHED, st.id.fn, st.id.ft, st.id.fm, "PUN", (unsigned long)sid,
                    (unsigned long)st.records);
        }
        return rc;
    }
    if (strcmp(p->argv[1], "LOAD") == 0) {
        static const char *const opts[] = {"REPLACE", NULL};
        unsigned bits;
        int rc = options(p, opts, &bits);
        if (rc != 0) {
            return rc;
        }
        if (cms_opt_index(p) > 2) {
            cms_msg(M_INVALID_PARM, p->orig[2]);
            return 24;
        }
        struct sp_recv r = {.replace = bits & 1, .need_header = 1};
        return sp_receive(&r);
    }
    cms_msg(M_INVALID_PARM, p->orig[1]);
    return 24;
}

/* Points the punch at user (CP SPOOL PUNCH TO).  0 or a CMS rc. */
int
sp_punch_to(const char *user)
{
    int rc = sp_cp("SPOOL PUNCH TO %s", user);
    if (rc < 0) {
        return 100;
    }
    if (rc != 0) {
        cms_msg(M_SP_BAD_USER, user);
        return 24;
    }
    return 0;
}

int
cmd_sendfile(struct cms_plist *p)
{
    struct fs_fileid id;
    int end = cms_opt_index(p), next;
    if (end != p->argc) {
        cms_msg(M_INVALID_OPTION, p->orig[end]);
        return 24;
    }
    int rc = fileid_at(p, 1, end, &id, &next);
    if (rc != 0) {
        return rc;
    }
    if (next < end && strcmp(p->argv[next], "TO") == 0) {
        next++;
    }
    if (next >= end) {
        cms_msg(M_MISSING_OPERAND, "userid");
        return 24;
    }
    struct fs_stat st0;
    if ((rc = fs_state(&id, &st0)) != 0) {
        return fs_report(rc, &id); /* before anything is spooled */
    }
    int worst = 0, pointed = 0;
    for (int i = next; i < end; i++) {
        const char *user = p->argv[i];
        uint32_t sid = 0;
        struct fs_stat st;
        if (strlen(user) > 8) {
            cms_msg(M_SP_BAD_USER, user);
            worst = worst ? worst : 24;
            continue;
        }
        rc = sp_punch_to(user);
        pointed |= rc == 0;
        if (rc == 0) {
            rc = sp_punch_file(SP_PUNCH, &id, SP_HEADER, &sid, &st);
            if (rc == 0) {
                cms_msg(M_SP_SENT, st.id.fn, st.id.ft, st.id.fm,
                        strcmp(user, "*") == 0 ? cms_userid : user, (unsigned long)sid);
            }
        }
        if (rc != 0 && worst == 0) {
            worst = rc;
        }
        if (rc == 100 || rc == 20 || rc == CMS_RC_NOT_FOUND || rc == -1) {
            break; /* no spool, no such file, HX: no use trying the others */
        }
    }
    if (pointed) {
        sp_cp("SPOOL PUNCH OFF");
    }
    return worst;
}
