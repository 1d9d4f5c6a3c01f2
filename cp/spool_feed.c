// SPDX-License-Identifier: MIT
/*
 * cp/spool_feed.c - bytes into a reader (cp/spool_cp.h, cpsp_feed_*): what
 * an SSH PUNCH exec reads from standard input becomes one spool file in
 * the user's own reader.  Text: one record per line, without the '\n';
 * binary: records of FEED_REC bytes, the last shorter, form BINARY.  The
 * close waits for durability (callers are worker threads).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/spool_cp.h"

/* ---- bytes from SSH into a reader ----------------------------------------------- */

#define FEED_REC 65535 /* binary records (the last may be shorter) */

struct cpsp_feed {
    struct spool_writer *w;
    char to[SPOOL_USERID_MAX + 1];
    bool binary;
    unsigned char *acc; /* a partial record */
    size_t n;
};

int
cpsp_feed_open(struct cpsp *s, const char *userid, const char *fname, const char *ftype,
               bool binary, struct cpsp_feed **out)
{
    struct cpsp_feed *f = calloc(1, sizeof *f);
    if (!f || !(f->acc = malloc(FEED_REC))) {
        free(f);
        return -ENOMEM;
    }
    snprintf(f->to, sizeof f->to, "%s", userid);
    f->binary = binary;
    struct spool_create c = {
        .origin = userid,
        .dev = SPOOL_DEV_RDR,
        .spclass = 'A',
        .fname = fname,
        .ftype = ftype,
        .form = binary ? CPSP_FORM_BINARY : NULL,
    };
    int rc = spool_writer_open(cpsp_store(s), &c, &f->w);
    if (rc < 0) {
        free(f->acc);
        free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int
cpsp_feed_write(struct cpsp_feed *f, const void *buf, size_t len)
{
    const unsigned char *b = buf;
    while (len > 0) {
        size_t take;
        int rc = 0;
        if (f->binary) {
            take = FEED_REC - f->n < len ? FEED_REC - f->n : len;
            memcpy(f->acc + f->n, b, take);
            f->n += take;
            if (f->n == FEED_REC) {
                rc = spool_writer_append(f->w, f->acc, f->n);
                f->n = 0;
            }
        } else {
            const unsigned char *nl = memchr(b, '\n', len);
            size_t seg = nl ? (size_t)(nl - b) : len;
            take = nl ? seg + 1 : seg;
            if (f->n + seg > FEED_REC) {
                return -E2BIG; /* a line longer than a record */
            }
            memcpy(f->acc + f->n, b, seg);
            f->n += seg;
            if (nl) {
                size_t l = f->n;
                if (l && f->acc[l - 1] == '\r') {
                    l--;
                }
                rc = spool_writer_append(f->w, f->acc, l);
                f->n = 0;
            }
        }
        if (rc < 0) {
            return rc;
        }
        b += take;
        len -= take;
    }
    return 0;
}

int
cpsp_feed_close(struct cpsp_feed *f, uint32_t *spoolid)
{
    int rc = 0;
    if (f->n) {
        size_t l = f->n;
        if (!f->binary && f->acc[l - 1] == '\r') {
            l--;
        }
        rc = spool_writer_append(f->w, f->acc, l);
        f->n = 0;
    }
    if (rc == 0) {
        rc = spool_writer_close(f->w, f->to, spoolid);
        if (rc == 0 || rc == -EIO) {
            f->w = NULL;
        }
    }
    cpsp_feed_discard(f);
    return rc;
}

void
cpsp_feed_discard(struct cpsp_feed *f)
{
    if (!f) {
        return;
    }
    if (f->w) {
        spool_writer_discard(f->w);
    }
    free(f->acc);
    free(f);
}
