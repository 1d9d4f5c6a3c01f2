// SPDX-License-Identifier: MIT
/*
 * cp/svc_spool.c - files in and out over SSH: the exec requests that move
 * a spool file between a user's own computer and their spool, without an
 * operator and without logging on (cp/svc_login.c calls these).
 *
 *   ssh alice@host 'PUNCH fn ft [BINARY|TEXT]' < file
 *       standard input becomes a file in ALICE's own reader (origin ALICE,
 *       class A).  TEXT (the default, except for filetype MODULE): one
 *       record per line, without its line end.  BINARY: the bytes as they
 *       are, in records of 65535 bytes (the last shorter), form BINARY.
 *       Prints "RDR FILE nnnn ..." and exits 0 once the file is durable.
 *   ssh alice@host 'RECEIVE spoolid [BINARY|TEXT] [PURGE]' > file
 *       writes one of ALICE's spool files (reader, printer or punch queue)
 *       to standard output: a BINARY file (form BINARY, or BINARY given)
 *       as its records back to back, byte for byte; a text file one line
 *       per record.  PURGE removes it afterwards.
 *
 * Errors are one line on standard output and a non-zero exit status (the
 * CP message number; login/ gives 255 and RC=n above 255).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/spool_cp.h"
#include "cp/svc.h"
#include "cp/system.h"

#define SPX_MAXTOK 6

struct svc_spx {
    struct cpsp_feed *feed;
    char userid[SPOOL_USERID_MAX + 1];
    int err; /* the first error of the input, 0 */
};

/* Splits up to SPX_MAXTOK blank-separated words (upper case) into tok. */
static int
split(const char *cmd, char tok[SPX_MAXTOK][16])
{
    int n = 0;
    while (*cmd) {
        while (*cmd == ' ' || *cmd == '\t') {
            cmd++;
        }
        if (!*cmd) {
            break;
        }
        if (n == SPX_MAXTOK) {
            return -1;
        }
        size_t k = 0;
        while (*cmd && *cmd != ' ' && *cmd != '\t') {
            if (k == 15) {
                return -1;
            }
            tok[n][k++] = (char)toupper((unsigned char)*cmd++);
        }
        tok[n][k] = '\0';
        if (strcmp(tok[n], "(") != 0) {
            n++;
        }
    }
    return n;
}

int
svc_spx_kind(const char *command)
{
    char tok[SPX_MAXTOK][16];
    int n = split(command, tok);
    if (n < 1) {
        return 0;
    }
    if (strcmp(tok[0], "PUNCH") == 0) {
        return 1;
    }
    if (strcmp(tok[0], "RECEIVE") == 0) {
        return 2;
    }
    return 0;
}

static void
upper_id(const char *in, char *out)
{
    size_t i = 0;
    for (; in[i] && i < SPOOL_USERID_MAX; i++) {
        out[i] = (char)toupper((unsigned char)in[i]);
    }
    out[i] = '\0';
}

static char *
msgdup(int num, const char *const *args, unsigned nargs)
{
    char buf[512];
    msg_format(buf, sizeof buf, num, NULL, args, nargs);
    return strdup(buf);
}
#define MSGDUP(num, ...) msgdup((num), MSG_ARGS(__VA_ARGS__))

struct svc_spx *
svc_spx_punch_open(struct cp_system *sys, const char *userid, const char *command, int *rc,
                   char **msg)
{
    char tok[SPX_MAXTOK][16];
    int n = split(command, tok);
    *rc = 0;
    *msg = NULL;
    struct cpsp *s = cpsp_of(sys);
    if (!s) {
        *rc = MSG_SPNOSPOOL;
        *msg = MSGDUP(MSG_SPNOSPOOL);
        return NULL;
    }
    if (n < 3) {
        *rc = MSG_MISSING;
        *msg = MSGDUP(MSG_MISSING, "PUNCH fn ft");
        return NULL;
    }
    bool binary = strcmp(tok[2], "MODULE") == 0;
    for (int i = 3; i < n; i++) {
        if (strcmp(tok[i], "BINARY") == 0 || strcmp(tok[i], "BIN") == 0) {
            binary = true;
        } else if (strcmp(tok[i], "TEXT") == 0) {
            binary = false;
        } else {
            *rc = MSG_INVOPT;
            *msg = MSGDUP(MSG_INVOPT, tok[i]);
            return NULL;
        }
    }
    if (strlen(tok[1]) > SPOOL_NAME_MAX || strlen(tok[2]) > SPOOL_NAME_MAX) {
        *rc = MSG_INVOPND;
        *msg = MSGDUP(MSG_INVOPND, strlen(tok[1]) > SPOOL_NAME_MAX ? tok[1] : tok[2]);
        return NULL;
    }
    struct svc_spx *x = calloc(1, sizeof *x);
    if (!x) {
        *rc = MSG_FAILED;
        *msg = MSGDUP(MSG_FAILED, "PUNCH", "out of memory");
        return NULL;
    }
    upper_id(userid, x->userid);
    int r = cpsp_feed_open(s, x->userid, tok[1], tok[2], binary, &x->feed);
    if (r < 0) {
        free(x);
        *rc = r == -ENOSPC ? MSG_SPFULL : MSG_SPERROR;
        *msg = r == -ENOSPC ? MSGDUP(MSG_SPFULL, "PUNCH") : MSGDUP(MSG_SPERROR, "PUNCH", strerror(-r));
        return NULL;
    }
    return x;
}

void
svc_spx_input(struct svc_spx *x, const void *data, size_t len)
{
    if (x->err == 0) {
        int r = cpsp_feed_write(x->feed, data, len);
        if (r < 0) {
            x->err = r;
        }
    }
}

int
svc_spx_punch_close(struct svc_spx *x, char **msg)
{
    int rc = 0;
    *msg = NULL;
    if (x->err) {
        cpsp_feed_discard(x->feed);
        rc = x->err == -ENOSPC ? MSG_SPFULL : MSG_SPERROR;
        *msg = x->err == -ENOSPC ? MSGDUP(MSG_SPFULL, "PUNCH")
                                 : MSGDUP(MSG_SPERROR, "PUNCH",
                                          x->err == -E2BIG ? "a line longer than 65535 bytes (use BINARY)"
                                                           : strerror(-x->err));
    } else {
        uint32_t id = 0;
        int r = cpsp_feed_close(x->feed, &id);
        if (r < 0) {
            rc = r == -ENOSPC ? MSG_SPFULL : MSG_SPERROR;
            *msg = r == -ENOSPC ? MSGDUP(MSG_SPFULL, "PUNCH") : MSGDUP(MSG_SPERROR, "PUNCH", strerror(-r));
        } else {
            char sid[16];
            snprintf(sid, sizeof sid, "%04u", id);
            *msg = MSGDUP(MSG_SPCLOSED, "RDR", sid, x->userid, "001", "NOHOLD");
        }
    }
    free(x);
    return rc;
}

void
svc_spx_discard(struct svc_spx *x)
{
    if (x) {
        cpsp_feed_discard(x->feed);
        free(x);
    }
}

struct svc_rx {
    struct cpsp *s;
    struct spool_cursor *cur;
    char id8[SPOOL_USERID_MAX + 1];
    uint32_t id;
    bool binary, purge, eof;
    unsigned char *rec; /* the record being sent (SPOOL_RECORD_MAX + 1) */
    size_t rl, roff;
};

int
svc_spx_receive_open(struct cp_system *sys, const char *userid, const char *command,
                     struct svc_rx **rxp, char **out, size_t *outlen)
{
    *rxp = NULL;
    char tok[SPX_MAXTOK][16];
    int n = split(command, tok);
    *out = NULL;
    *outlen = 0;
    struct cpsp *s = cpsp_of(sys);
    char *m = NULL;
    int rc = 0;
    char id8[SPOOL_USERID_MAX + 1];
    upper_id(userid, id8);
    char *end = NULL;
    unsigned long id = n >= 2 ? strtoul(tok[1], &end, 10) : 0;
    int bin = -1;
    bool purge = false;
    for (int i = 2; i < n && !m; i++) {
        if (strcmp(tok[i], "BINARY") == 0 || strcmp(tok[i], "BIN") == 0) {
            bin = 1;
        } else if (strcmp(tok[i], "TEXT") == 0) {
            bin = 0;
        } else if (strcmp(tok[i], "PURGE") == 0) {
            purge = true;
        } else {
            rc = MSG_INVOPT;
            m = MSGDUP(MSG_INVOPT, tok[i]);
        }
    }
    struct spool_info fi;
    struct spool_cursor *cur = NULL;
    if (m) {
    } else if (!s) {
        rc = MSG_SPNOSPOOL;
        m = MSGDUP(MSG_SPNOSPOOL);
    } else if (n < 2) {
        rc = MSG_MISSING;
        m = MSGDUP(MSG_MISSING, "RECEIVE spoolid");
    } else if (*end || id == 0 || id > UINT32_MAX) {
        rc = MSG_SPINVID;
        m = MSGDUP(MSG_SPINVID, tok[1]);
    } else if (spool_query(cpsp_store(s), (uint32_t)id, &fi) < 0 || strcmp(fi.owner, id8) != 0 ||
               spool_cursor_open(cpsp_store(s), (uint32_t)id, id8, &cur) < 0) {
        rc = MSG_SPNOFILE;
        m = MSGDUP(MSG_SPNOFILE, tok[1]);
    }
    if (m) {
        *out = m;
        *outlen = strlen(m);
        return rc;
    }
    struct svc_rx *rx = calloc(1, sizeof *rx);
    unsigned char *rec = rx ? malloc(SPOOL_RECORD_MAX + 1) : NULL;
    if (!rec) {
        free(rx);
        spool_cursor_close(cur);
        *out = MSGDUP(MSG_SPERROR, tok[1], strerror(ENOMEM));
        *outlen = *out ? strlen(*out) : 0;
        return MSG_SPERROR;
    }
    rx->s = s;
    rx->cur = cur;
    memcpy(rx->id8, id8, sizeof id8);
    rx->id = (uint32_t)id;
    rx->binary = bin >= 0 ? bin == 1 : strcmp(fi.form, CPSP_FORM_BINARY) == 0;
    rx->purge = purge;
    rx->rec = rec;
    *rxp = rx;
    return 0;
}

int
svc_spx_receive_read(struct svc_rx *rx, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    while (n < cap) {
        if (rx->roff < rx->rl) {
            size_t k = rx->rl - rx->roff < cap - n ? rx->rl - rx->roff : cap - n;
            memcpy(buf + n, rx->rec + rx->roff, k);
            rx->roff += k;
            n += k;
            continue;
        }
        if (rx->eof) {
            break;
        }
        size_t rl = 0;
        int r = spool_cursor_next(rx->cur, rx->rec, SPOOL_RECORD_MAX, &rl);
        if (r == -ENODATA) {
            rx->eof = true;
            if (rx->purge) {
                struct spool_filter f = {.owner = rx->id8, .spoolid = rx->id};
                spool_purge(cpsp_store(rx->s), &f, NULL);
            }
            break;
        }
        if (r < 0) {
            *len = n;
            return r;
        }
        if (!rx->binary) {
            rx->rec[rl++] = '\n';
        }
        rx->rl = rl;
        rx->roff = 0;
    }
    *len = n;
    return 0;
}

void
svc_spx_receive_close(struct svc_rx *rx)
{
    if (rx) {
        spool_cursor_close(rx->cur);
        free(rx->rec);
        free(rx);
    }
}

char *
svc_spx_receive_error(struct svc_rx *rx, int err)
{
    char id[16];
    snprintf(id, sizeof id, "%u", rx->id);
    return MSGDUP(MSG_SPERROR, id, strerror(-err));
}

/* Appends to a growing buffer. */
static int
grow(char **buf, size_t *len, size_t *cap, const void *data, size_t n)
{
    if (*len + n > *cap) {
        size_t nc = *cap ? *cap : 65536;
        while (nc < *len + n) {
            nc *= 2;
        }
        char *b = realloc(*buf, nc);
        if (!b) {
            return -ENOMEM;
        }
        *buf = b;
        *cap = nc;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    return 0;
}

int
svc_spx_receive(struct cp_system *sys, const char *userid, const char *command, char **out,
                size_t *outlen, bool *raw)
{
    struct svc_rx *rx;
    *raw = false;
    int rc = svc_spx_receive_open(sys, userid, command, &rx, out, outlen);
    if (rc != 0) {
        return rc;
    }
    char *buf = NULL, piece[65536];
    size_t len = 0, cap = 0, n;
    int r;
    while ((r = svc_spx_receive_read(rx, piece, sizeof piece, &n)) == 0 && n > 0 &&
           (r = grow(&buf, &len, &cap, piece, n)) == 0) {
    }
    if (r < 0) {
        free(buf);
        *out = svc_spx_receive_error(rx, r);
        *outlen = *out ? strlen(*out) : 0;
        svc_spx_receive_close(rx);
        return MSG_SPERROR;
    }
    svc_spx_receive_close(rx);
    *out = buf ? buf : strdup("");
    *outlen = len;
    *raw = true;
    return 0;
}
