// SPDX-License-Identifier: MIT
/*
 * spool/print.c - the system printer's output: a spool file written as a
 * text file in a host folder, with a separator page that names the user and
 * the file, as VM's printers put a separator between users' jobs.  CP's
 * START, DRAIN and FLUSH decide which files to print and when; this only
 * prints one.
 *
 * Output name: <spoolid>-<owner>[-<fname>[-<ftype>]]-<YYYYMMDDhhmmss>.txt
 * (creation time, UTC), characters outside A-Z a-z 0-9 @ # $ + _ . as '_'.
 * Written to a hidden temporary name, synced, then linked into place (an
 * existing output is never overwritten: -EEXIST) and the folder synced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spool/spoolint.h"

#define RULE "==============================================================================="

static const char *const dev_word[] = {
    [SPOOL_DEV_RDR] = "RDR", [SPOOL_DEV_PUN] = "PUN", [SPOOL_DEV_PRT] = "PRT",
    [SPOOL_DEV_CON] = "CON"};

static void
safe_part(char *out, size_t n, const char *in)
{
    size_t i = 0;
    for (; in[i] && i + 1 < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || strchr("@#$+_.", ch);
        out[i] = ok ? (char)ch : '_';
    }
    out[i] = 0;
}

static void
stamp(char *out, size_t n, uint64_t us, const char *fmt)
{
    time_t t = (time_t)(us / 1000000u);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, fmt, &tm);
}

static void
separator(FILE *o, const struct spool_info *in, unsigned copy)
{
    char made[32], now[32];
    stamp(made, sizeof made, in->created_us, "%Y-%m-%d %H:%M:%S UTC");
    stamp(now, sizeof now, spool_now_us(), "%Y-%m-%d %H:%M:%S UTC");
    fprintf(o, "%s\n%s\n", RULE, RULE);
    for (int i = 0; i < 3; i++) {
        fprintf(o, "==  %-8s  %-8s  %-8s  %-8s  %-8s  %-8s\n", in->owner, in->owner, in->owner,
                in->owner, in->owner, in->owner);
    }
    fprintf(o, "%s\n", RULE);
    fprintf(o, "  VM/RV SYSTEM PRINTER OUTPUT\n\n");
    fprintf(o, "  USER      %-8s      ORIGIN  %-8s      DIST  %-8s\n", in->owner, in->origin,
            in->dist);
    fprintf(o, "  FILE      %-8u      %s FILE   CLASS %c       FORM  %-8s\n", in->spoolid,
            dev_word[in->dev], in->spclass, in->form);
    fprintf(o, "  NAME      %-8s %-8s                 RECORDS %llu\n", in->fname, in->ftype,
            (unsigned long long)in->records);
    fprintf(o, "  COPY      %u OF %u\n", copy, in->copies);
    fprintf(o, "  CREATED   %s\n  PRINTED   %s\n", made, now);
    fprintf(o, "%s\n%s\n\f", RULE, RULE);
}

/* One record as one line: printable bytes, tab, form feed and bytes of 0x80
 * and above as they are; other control bytes as '.'. */
static void
line(FILE *o, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = p[i];
        putc((b < 0x20 && b != '\t' && b != '\f') || b == 0x7F ? '.' : b, o);
    }
    putc('\n', o);
}

static int
print_body(FILE *o, struct spool_cursor *cur, const struct spool_info *in)
{
    uint8_t *rec = malloc(SPOOL_RECORD_MAX);
    if (!rec) {
        return -ENOMEM;
    }
    int rc = 0;
    for (unsigned copy = 1; rc == 0 && copy <= in->copies; copy++) {
        separator(o, in, copy);
        spool_cursor_restart(cur);
        size_t len;
        while ((rc = spool_cursor_next(cur, rec, SPOOL_RECORD_MAX, &len)) == 0) {
            line(o, rec, len);
        }
        if (rc == -ENODATA) {
            rc = 0;
            putc('\f', o);
        }
    }
    free(rec);
    return rc;
}

int
spool_print(struct spool *sp, uint32_t spoolid, const char *dir, unsigned flags, char *path,
            size_t path_len)
{
    struct spool_cursor *cur;
    int rc = spool_cursor_open(sp, spoolid, NULL, &cur);
    if (rc < 0) {
        return rc;
    }
    struct spool_info in;
    pthread_mutex_lock(&sp->lock);
    struct spool_file *f = spool_cursor_file(cur);
    spool_info_fill(f, &in);
    bool held = f->hold != 0;
    pthread_mutex_unlock(&sp->lock);
    if (held) {
        spool_cursor_close(cur);
        return -EBUSY;
    }
    char owner[16], fn[16], ft[16], when[20], name[96], tmp[112];
    safe_part(owner, sizeof owner, in.owner);
    safe_part(fn, sizeof fn, in.fname);
    safe_part(ft, sizeof ft, in.ftype);
    stamp(when, sizeof when, in.created_us, "%Y%m%d%H%M%S");
    snprintf(name, sizeof name, "%u-%s%s%s%s%s-%s.txt", in.spoolid, owner, fn[0] ? "-" : "", fn,
             ft[0] ? "-" : "", ft, when);
    snprintf(tmp, sizeof tmp, ".%s.tmp", name);

    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int fd = -1;
    FILE *o = NULL;
    if (dfd < 0) {
        rc = -errno;
    } else if (faccessat(dfd, name, F_OK, 0) == 0) {
        rc = -EEXIST;
    } else {
        unlinkat(dfd, tmp, 0); /* a leftover of a crash */
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        o = fd >= 0 ? fdopen(fd, "w") : NULL;
        rc = o ? 0 : -errno;
    }
    if (rc == 0) {
        rc = print_body(o, cur, &in);
    }
    if (o) {
        if (fflush(o) != 0 && rc == 0) {
            rc = -errno;
        }
        if (rc == 0 && fsync(fileno(o)) < 0) {
            rc = -errno;
        }
        fclose(o);
    } else if (fd >= 0) {
        close(fd);
    }
    if (rc == 0 && linkat(dfd, tmp, dfd, name, 0) < 0) {
        rc = -errno;
    }
    if (fd >= 0) {
        unlinkat(dfd, tmp, 0);
    }
    if (rc == 0 && fsync(dfd) < 0) {
        rc = -errno;
    }
    if (dfd >= 0) {
        close(dfd);
    }
    if (rc == 0 && path) {
        snprintf(path, path_len, "%s/%s", dir, name);
    }
    if (rc == 0 && (flags & SPOOL_PRINT_PURGE)) {
        rc = spool_purge_one(sp, f, NULL, NULL, NULL);
    }
    spool_cursor_close(cur);
    return rc;
}
