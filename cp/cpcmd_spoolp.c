// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_spoolp.c - the spool operator's printer commands (class D):
 *
 *   START [PRINTER] [n] [CLASS c...]   start printer n (1-8, default 1)
 *                                      for classes c (letters, or * for
 *                                      any; default A); started again, it
 *                                      takes the new classes
 *   DRAIN [PRINTER] [n|ALL]            stop after the current file
 *   FLUSH [PRINTER] [n|ALL]            stop now; the current file stays
 *                                      queued
 *
 * Each answers with the printer's state: "PRINTER 1 STARTED CLASS A".
 * Printed files go to the data folder's printer/ folder (cp/spool_prt.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/cpcmd_spool.h"

/* [PRINTER] [n|ALL]: the printer's index, -1 for ALL (if allowed), or a
 * message number (as -(num + 100)) after the message. */
static int
printer_no(struct cpcmd_ctx *c, bool all_ok)
{
    const char *w = cpcmd_peek(c);
    if (w && (cpcmd_abbrev(w, "PRINTER", 2) || strcasecmp(w, "PRT") == 0)) {
        cpcmd_next(c);
        w = cpcmd_peek(c);
    }
    if (!w || cpcmd_abbrev(w, "CLASS", 2)) {
        return 0;
    }
    cpcmd_next(c);
    if (all_ok && strcasecmp(w, "ALL") == 0) {
        return -1;
    }
    char *end = NULL;
    long n = strtol(w, &end, 10);
    if (*end || n < 1 || n > CPSP_PRINTERS_MAX) {
        cp_out_msg(c->out, MSG_RANGE, w, "printers 1-8");
        return -(MSG_RANGE + 100);
    }
    return (int)n - 1;
}

static void
show(struct cpcmd_ctx *c, struct cpsp_prt_tab *t, int n)
{
    struct cpsp_prt_info in;
    if (cpsp_prt_status(t, n, &in) == 0) {
        char no[16];
        snprintf(no, sizeof no, "%d", n + 1);
        cp_out_msg(c->out, MSG_SPPRINTER, no, in.state, in.classes);
    }
}

int
cpcmd_start(struct cpcmd_ctx *c)
{
    struct cpsp *s;
    struct cpsp_user *p;
    if (!cpsp_cmd_spool(c, &s, &p)) {
        return MSG_SPNOSPOOL;
    }
    int n = printer_no(c, false);
    if (n < 0) {
        return -n - 100;
    }
    char classes[40] = "";
    const char *w = cpcmd_next(c);
    if (w) {
        if (!cpcmd_abbrev(w, "CLASS", 2)) {
            cp_out_msg(c->out, MSG_INVOPT, w);
            return MSG_INVOPT;
        }
        size_t k = 0;
        while ((w = cpcmd_next(c))) {
            for (const char *q = w; *q; q++) {
                char cl;
                char one[2] = {*q, '\0'};
                if (!cpsp_parse_class(c, one, true, &cl)) {
                    return MSG_SPINVCLASS;
                }
                if (k + 1 >= sizeof classes) {
                    cp_out_msg(c->out, MSG_INVOPND, w);
                    return MSG_INVOPND;
                }
                if (!strchr(classes, cl)) {
                    classes[k++] = cl;
                    classes[k] = '\0';
                }
            }
        }
        if (!k) {
            return cpcmd_missing(c, "classes");
        }
    } else {
        snprintf(classes, sizeof classes, "A");
    }
    int rc = cpsp_prt_start(cpsp_printers(s), n, classes);
    if (rc < 0) {
        cp_out_msg(c->out, MSG_FAILED, "START", strerror(-rc));
        return MSG_FAILED;
    }
    show(c, cpsp_printers(s), n);
    return 0;
}

static int
stop(struct cpcmd_ctx *c, bool flush)
{
    struct cpsp *s;
    struct cpsp_user *p;
    if (!cpsp_cmd_spool(c, &s, &p)) {
        return MSG_SPNOSPOOL;
    }
    int n = printer_no(c, true);
    if (n < -1) {
        return -n - 100;
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    for (int i = n < 0 ? 0 : n; i < (n < 0 ? CPSP_PRINTERS_MAX : n + 1); i++) {
        int r = cpsp_prt_stop(cpsp_printers(s), i, flush);
        if (r == -ESRCH && n >= 0) {
            char no[16];
            snprintf(no, sizeof no, "%d", i + 1);
            cp_out_msg(c->out, MSG_SPPRTSTATE, no, "not started");
            return MSG_SPPRTSTATE;
        }
        if (r == 0) {
            show(c, cpsp_printers(s), i);
        }
    }
    return 0;
}

int
cpcmd_drain(struct cpcmd_ctx *c)
{
    return stop(c, false);
}

int
cpcmd_flush(struct cpcmd_ctx *c)
{
    return stop(c, true);
}
