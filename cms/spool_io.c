// SPDX-License-Identifier: MIT
/*
 * cms/spool_io.c - the layer under the CMS spool commands: the unit record
 * DIAGs (reader 0x014, punch and printer 0x1000; the only DIAGs CMS issues
 * outside diagio.c and trap.c), CP commands with their response kept, and
 * the header record that names a punched file (its format is at the top of
 * cms/spool.h).  Punching a CMS file is in spool_send.c, receiving a reader
 * file in spool_recv.c; the commands in spool_punch.c and spool_rdr.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cms/spool.h"

unsigned char sp_rec[SP_REC_MAX + 1];
char sp_cp_resp[4096];

/* ---- the header record ---------------------------------------------------------- */

size_t
sp_header_format(const struct sp_header *h, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, ":READ %s %s %s RECFM %c LRECL %lu RECS %lu%s", h->fn, h->ft,
                     h->fm, h->recfm, (unsigned long)h->lrecl, (unsigned long)h->records,
                     h->note ? " NOTE" : "");
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* Splits a copy of the record into blank separated words. */
static int
split(const void *rec, size_t len, char *copy, size_t cap, char **w, int maxw)
{
    if (len >= cap) {
        return -1;
    }
    memcpy(copy, rec, len);
    copy[len] = '\0';
    int n = 0;
    char *s = copy;
    for (;;) {
        while (*s == ' ') {
            s++;
        }
        if (*s == '\0') {
            return n;
        }
        if (n == maxw) {
            return -1;
        }
        w[n++] = s;
        while (*s != ' ' && *s != '\0') {
            s++;
        }
        if (*s == ' ') {
            *s++ = '\0';
        }
    }
}

static int
parse_u32(const char *s, uint32_t *v)
{
    char *end;
    if (*s < '0' || *s > '9') {
        return -1;
    }
    unsigned long x = strtoul(s, &end, 10);
    if (*end != '\0' || x > 0xFFFFFFFFul) {
        return -1;
    }
    *v = (uint32_t)x;
    return 0;
}

int
sp_header_parse(const void *rec, size_t len, struct sp_header *h)
{
    char copy[256];
    char *w[24];
    if (len < 6 || memcmp(rec, ":READ ", 6) != 0) {
        return -1;
    }
    int n = split(rec, len, copy, sizeof copy, w, 24);
    if (n < 4) {
        return -1;
    }
    memset(h, 0, sizeof *h);
    h->recfm = 'V';
    if (cms_field(h->fn, w[1], 8) != 0 || cms_field(h->ft, w[2], 8) != 0 ||
        cms_field(h->fm, w[3], 2) != 0 || h->fm[0] < 'A' || h->fm[0] > 'Z') {
        return -1;
    }
    for (int i = 4; i < n; i++) {
        if (strcmp(w[i], "NOTE") == 0) {
            h->note = 1;
        } else if (i + 1 < n && strcmp(w[i], "RECFM") == 0) {
            if (strcmp(w[i + 1], "F") != 0 && strcmp(w[i + 1], "V") != 0) {
                return -1;
            }
            h->recfm = w[++i][0];
        } else if (i + 1 < n && strcmp(w[i], "LRECL") == 0) {
            if (parse_u32(w[++i], &h->lrecl) != 0 || h->lrecl > SP_REC_MAX) {
                return -1;
            }
        } else if (i + 1 < n && strcmp(w[i], "RECS") == 0) {
            if (parse_u32(w[++i], &h->records) != 0) {
                return -1;
            }
        } else if (i + 1 < n) {
            i++; /* KEYWORD value of a later version: skipped */
        }
    }
    if (h->recfm == 'F' && h->lrecl == 0) {
        return -1;
    }
    return 0;
}

/* ---- the DIAGs ------------------------------------------------------------------ */

long
sp_ur_write(unsigned vaddr, const void *rec, size_t len)
{
    return diag_call(DIAG_UR_WRITE, vaddr, (unsigned long)rec, len, 0, 0, 0).error;
}

long
sp_ur_close(unsigned vaddr, const char *name, uint32_t *spoolid)
{
    struct diag_result r = diag_call(DIAG_UR_WRITE, vaddr, 0, 0, DIAG_UR_CLOSE,
                                     (unsigned long)name, name ? strlen(name) : 0);
    if (spoolid != NULL) {
        *spoolid = r.error == DIAG_OK ? (uint32_t)r.value : 0;
    }
    return r.error;
}

long
sp_rdr_next(void *buf, size_t cap, size_t *len, uint32_t *spoolid)
{
    struct diag_result r = diag_call(DIAG_READER, DIAG_RDR_NEXT, (unsigned long)buf, cap, 0, 0, 0);
    if (r.error == DIAG_OK) {
        *len = r.value;
        if (spoolid != NULL) {
            *spoolid = (uint32_t)r.value2;
        }
    }
    return r.error;
}

long
sp_rdr_select(uint32_t spoolid)
{
    return diag_call(DIAG_READER, DIAG_RDR_SELECT, spoolid, 0, 0, 0, 0).error;
}

long
sp_rdr_restart(void)
{
    return diag_call(DIAG_READER, DIAG_RDR_RESTART, 0, 0, 0, 0, 0).error;
}

long
sp_rdr_describe(uint32_t spoolid, struct diag_spool_desc *d)
{
    memset(d, 0, sizeof *d);
    return diag_call(DIAG_READER, DIAG_RDR_DESCRIBE, spoolid, (unsigned long)d, sizeof *d, 0, 0)
        .error;
}

long
sp_rdr_close(int purge)
{
    return diag_call(DIAG_READER, DIAG_RDR_CLOSE, purge ? 1 : 0, 0, 0, 0, 0).error;
}

/* ---- CP commands ---------------------------------------------------------------- */

int
sp_cp_into(char *buf, size_t cap, size_t *full, const char *fmt, ...)
{
    char cmd[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    buf[0] = '\0';
    *full = 0;
    if (n <= 0 || n > 240) {
        cms_msg(M_CP_FAILED, "command longer than 240 characters");
        return -1;
    }
    size_t rlen = 0;
    long rc = 0;
    long drc = cms_cp_command(cmd, (size_t)n, buf, cap - 1, &rlen, &rc);
    if (drc != DIAG_OK) {
        cms_msg(M_SP_NO_SPOOL);
        return -1;
    }
    *full = rlen;
    buf[rlen < cap - 1 ? rlen : cap - 1] = '\0';
    return (int)rc;
}

int
sp_cp(const char *fmt, ...)
{
    char cmd[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (n <= 0 || (size_t)n >= sizeof cmd) {
        cms_msg(M_CP_FAILED, "command longer than 240 characters");
        return -1;
    }
    size_t full;
    return sp_cp_into(sp_cp_resp, sizeof sp_cp_resp, &full, "%s", cmd);
}

void
sp_cp_show(void)
{
    const char *s = sp_cp_resp;
    while (*s != '\0') {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        con_line(s, n);
        s += n + (e ? 1 : 0);
    }
}

void
sp_unpad(char *dst, const char *src, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n && src[i] != '\0'; i++) {
        dst[i] = src[i];
        if (src[i] != ' ') {
            len = i + 1;
        }
    }
    dst[len] = '\0';
}

uint32_t
sp_parse_id(const char *s)
{
    uint32_t v;
    if (strlen(s) > 6 || parse_u32(s, &v) != 0 || v == 0) {
        return 0;
    }
    return v;
}
