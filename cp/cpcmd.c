// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd.c - the CP command processor: tokens, table lookup with
 * abbreviations, privilege checks, flags, operand tables, HELP, and the
 * command output (struct cp_out).  The tables are cp/cpcmd_tab.c; the
 * handlers are in cp/cpcmd_*.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/cpcmd.h"

/* ---- output ------------------------------------------------------------------ */

void
cp_out_init(struct cp_out *o, struct cp_user *u)
{
    memset(o, 0, sizeof *o);
    o->u = u;
    o->opts.emsg = MSG_EMSG_ON;
    o->opts.imsg = true;
    if (u) {
        struct cp_settings s = cp_user_settings(u);
        o->opts.emsg = s.emsg;
        o->opts.imsg = s.imsg;
    }
}

void
cp_out_fini(struct cp_out *o)
{
    free(o->buf);
    o->buf = NULL;
    o->len = o->cap = 0;
}

size_t
cp_out_text_len(const struct cp_out *o)
{
    return o->len > 0 && o->buf[o->len - 1] == '\n' ? o->len - 1 : o->len;
}

/* Appends a line (and '\n'); on out of memory the line is lost. */
static void
out_append(struct cp_out *o, const char *s, size_t n)
{
    if (o->len + n + 2 > o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 256;
        while (ncap < o->len + n + 2) {
            ncap *= 2;
        }
        char *b = realloc(o->buf, ncap);
        if (!b) {
            return;
        }
        o->buf = b;
        o->cap = ncap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len++] = '\n';
    o->buf[o->len] = '\0';
}

void
cp_out_line(struct cp_out *o, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    out_append(o, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void
cp_out_msgv(struct cp_out *o, int num, const char *const *args, unsigned nargs)
{
    char sev = msg_severity(num);
    if (o->rc == 0 && (sev == 'E' || sev == 'W' || sev == 'S' || sev == 'T')) {
        o->rc = num;
    }
    if (o->nids < sizeof o->ids / sizeof o->ids[0]) {
        o->ids[o->nids++] = num;
    }
    char line[1024];
    size_t n = msg_format(line, sizeof line, num, &o->opts, args, nargs);
    if (n == 0) {
        return; /* hidden by SET EMSG / IMSG */
    }
    out_append(o, line, n < sizeof line ? n : sizeof line - 1);
}

/* ---- classes -------------------------------------------------------------------- */

uint32_t
cp_classes_parse(const char *s)
{
    uint32_t m = 0;
    for (; *s; s++) {
        int c = toupper((unsigned char)*s);
        if (c < 'A' || c > 'Z') {
            return 0;
        }
        m |= CP_CLASS(c);
    }
    return m;
}

void
cp_classes_format(uint32_t mask, char *buf, size_t buflen)
{
    size_t n = 0;
    for (int c = 'A'; c <= 'Z' && n + 1 < buflen; c++) {
        if (mask & CP_CLASS(c)) {
            buf[n++] = (char)c;
        }
    }
    if (buflen) {
        buf[n < buflen ? n : buflen - 1] = '\0';
    }
}

bool
cpcmd_allowed(const struct cp_user *u, const char *classes)
{
    if (!classes || !*classes) {
        return true;
    }
    return (u->classes & cp_classes_parse(classes)) != 0;
}

/* ---- tokens and lookup ------------------------------------------------------------ */

bool
cpcmd_abbrev(const char *word, const char *name, unsigned min)
{
    size_t n = strlen(word);
    if (n < min || n > strlen(name)) {
        return false;
    }
    return strncasecmp(word, name, n) == 0;
}

const struct cpcmd_def *
cpcmd_find(const struct cpcmd_def *table, const char *word)
{
    for (const struct cpcmd_def *d = table; d->name; d++) {
        if (cpcmd_abbrev(word, d->name, d->minabbr)) {
            return d;
        }
    }
    return NULL;
}

/* Splits c->line into tokens.  false if the line has too many. */
static bool
tokenize(struct cpcmd_ctx *c, size_t len)
{
    size_t o = 0;
    c->n = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && (c->line[i] == ' ' || c->line[i] == '\t')) {
            i++;
        }
        if (i >= len) {
            break;
        }
        if (c->n == CPCMD_MAXTOK) {
            return false;
        }
        c->off[c->n] = i;
        c->tok[c->n] = c->store + o;
        while (i < len && c->line[i] != ' ' && c->line[i] != '\t') {
            c->store[o++] = c->line[i++];
        }
        c->store[o++] = '\0';
        c->n++;
    }
    return true;
}

const char *
cpcmd_next(struct cpcmd_ctx *c)
{
    return c->pos < c->n ? c->tok[c->pos++] : NULL;
}

const char *
cpcmd_peek(struct cpcmd_ctx *c)
{
    return c->pos < c->n ? c->tok[c->pos] : NULL;
}

const char *
cpcmd_rest(struct cpcmd_ctx *c)
{
    return c->pos < c->n ? c->line + c->off[c->pos] : NULL;
}

int
cpcmd_no_more(struct cpcmd_ctx *c)
{
    if (c->pos < c->n) {
        cp_out_msg(c->out, MSG_EXTRA, c->tok[c->pos]);
        return MSG_EXTRA;
    }
    return 0;
}

int
cpcmd_missing(struct cpcmd_ctx *c, const char *what)
{
    cp_out_msg(c->out, MSG_MISSING, what);
    return MSG_MISSING;
}

bool
cpcmd_userid_ok(const char *word, char *out)
{
    size_t n = strlen(word);
    bool ok = n >= 1 && n <= CP_USERID_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char ch = (unsigned char)word[i];
        ok = isalnum(ch) || strchr("@#$_-", ch);
    }
    if (!ok) {
        return false;
    }
    for (size_t i = 0; i <= n; i++) {
        out[i] = (char)toupper((unsigned char)word[i]);
    }
    return true;
}

bool
cpcmd_userid(struct cpcmd_ctx *c, const char *word, char *out)
{
    if (!cpcmd_userid_ok(word, out)) {
        cp_out_msg(c->out, MSG_INVUSER, word);
        return false;
    }
    return true;
}

int
cpcmd_onoff(struct cpcmd_ctx *c, const char *word)
{
    if (!word) {
        cpcmd_missing(c, "ON or OFF");
        return -1;
    }
    if (strcasecmp(word, "ON") == 0) {
        return 1;
    }
    if (strcasecmp(word, "OFF") == 0) {
        return 0;
    }
    cp_out_msg(c->out, MSG_INVOPT, word);
    return -1;
}

bool
cpcmd_hex(struct cpcmd_ctx *c, const char *word, uint64_t *v)
{
    const char *p = word;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
    }
    size_t n = strlen(p);
    bool ok = n >= 1 && n <= 16;
    uint64_t x = 0;
    for (size_t i = 0; ok && i < n; i++) {
        int ch = tolower((unsigned char)p[i]);
        if (ch >= '0' && ch <= '9') {
            x = x << 4 | (uint64_t)(ch - '0');
        } else if (ch >= 'a' && ch <= 'f') {
            x = x << 4 | (uint64_t)(ch - 'a' + 10);
        } else {
            ok = false;
        }
    }
    if (!ok) {
        cp_out_msg(c->out, MSG_INVHEX, word);
        return false;
    }
    *v = x;
    return true;
}

/* ---- running a row ---------------------------------------------------------------- */

static int
refuse_class(struct cpcmd_ctx *c, const char *what, const char *classes)
{
    char have[32];
    cp_classes_format(c->u->classes, have, sizeof have);
    cp_out_msg(c->out, MSG_NOPRIV, what, classes, have[0] ? have : "none");
    return MSG_NOPRIV;
}

/* Flags, then the handler. */
static int
run_row(struct cpcmd_ctx *c, const struct cpcmd_def *d, const char *what)
{
    if (!cpcmd_allowed(c->u, d->classes)) {
        return refuse_class(c, what, d->classes);
    }
    if ((d->flags & CPCMD_F_NOEXEC) && c->origin == CPCMD_EXEC) {
        cp_out_msg(c->out, MSG_NOTHERE, what, "an exec request");
        return MSG_NOTHERE;
    }
    if ((d->flags & (CPCMD_F_LOGGEDON | CPCMD_F_VM)) && c->u->transient) {
        cp_out_msg(c->out, MSG_NOTLOGGEDON, c->u->userid);
        return MSG_NOTLOGGEDON;
    }
    if ((d->flags & CPCMD_F_VM) && !c->u->vm) {
        cp_out_msg(c->out, MSG_NOVM, "this system has no virtual machines to work on");
        return MSG_NOVM;
    }
    const struct cpcmd_def *saved = c->cmd;
    c->cmd = d;
    int rc = d->fn(c);
    c->cmd = saved;
    return rc;
}

int
cpcmd_operands(struct cpcmd_ctx *c)
{
    const struct cpcmd_def *d = c->cmd;
    const char *w = cpcmd_peek(c);
    if (!w) {
        if (d->ops == cpcmd_indicate_ops) {
            return run_row(c, &cpcmd_indicate_ops[0], "INDICATE LOAD");
        }
        return cpcmd_missing(c, "an operand");
    }
    const struct cpcmd_def *op = cpcmd_find(d->ops, w);
    if (!op) {
        if (d->other) {
            return d->other(c);
        }
        cp_out_msg(c->out, MSG_INVOPT, w);
        return MSG_INVOPT;
    }
    c->pos++;
    char what[40];
    snprintf(what, sizeof what, "%s %s", d->name, op->name);
    return run_row(c, op, what);
}

/* A DEFER command from inside a slice: run it after the slice. */
static void
deferred_run(struct cp_user *u, const char *line)
{
    struct cp_out out;
    cp_out_init(&out, u);
    cpcmd_run(u, line, strlen(line), CPCMD_DEFERRED, &out);
    if (out.len) {
        con_cp_output(u->con, out.buf, out.len);
    }
    cp_out_fini(&out);
}

int
cpcmd_run(struct cp_user *u, const char *line, size_t len, enum cpcmd_origin origin,
          struct cp_out *out)
{
    return cpcmd_run_async(u, line, len, origin, out, NULL, NULL);
}

int
cpcmd_run_async(struct cp_user *u, const char *line, size_t len, enum cpcmd_origin origin,
                struct cp_out *out, cpcmd_done_fn done, void *done_ctx)
{
    struct cpcmd_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        cp_out_msg(out, MSG_FAILED, "CP", "out of memory");
        return MSG_FAILED;
    }
    int rc = 0;
    char *copy = NULL;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        len--;
    }
    if (len > CPCMD_LINE_MAX) {
        char max[16];
        snprintf(max, sizeof max, "%d", CPCMD_LINE_MAX);
        cp_out_msg(out, MSG_TOOLONG, max);
        rc = MSG_TOOLONG;
        goto done;
    }
    copy = malloc(len + 1);
    if (!copy) {
        cp_out_msg(out, MSG_FAILED, "CP", "out of memory");
        rc = MSG_FAILED;
        goto done;
    }
    memcpy(copy, line, len);
    copy[len] = '\0';
    /* NUL or control characters are not part of any command */
    con_strip_controls(copy, len);
    c->sys = u->sys;
    c->u = u;
    c->out = out;
    c->origin = origin;
    c->line = copy;
    c->done = done;
    c->done_ctx = done_ctx;
    if (!tokenize(c, strlen(copy))) {
        cp_out_msg(out, MSG_EXTRA, c->tok[CPCMD_MAXTOK - 1]);
        rc = MSG_EXTRA;
        goto done;
    }
    if (c->n == 0) {
        goto done; /* an empty line does nothing */
    }
    const struct cpcmd_def *d = cpcmd_find(cpcmd_table, c->tok[0]);
    if (!d) {
        char word[40];
        snprintf(word, sizeof word, "%s", c->tok[0]);
        for (char *p = word; *p; p++) {
            *p = (char)toupper((unsigned char)*p);
        }
        cp_out_msg(out, MSG_UNKNOWN_CMD, word);
        rc = MSG_UNKNOWN_CMD;
        goto done;
    }
    c->pos = 1;
    if ((d->flags & CPCMD_F_DEFER) && origin == CPCMD_DIAG && u->in_slice &&
        cpcmd_allowed(u, d->classes) && !u->transient &&
        (d->fn != cpcmd_define || cpcmd_define_defers(c->n > 1 ? c->tok[1] : NULL))) {
        /* it changes the VM whose DIAG is running: after the slice */
        if (cp_user_post(u, deferred_run, copy, false) != 0) {
            cp_out_msg(out, MSG_FAILED, d->name, "could not be queued");
            rc = MSG_FAILED;
        }
        cp_user_nudge(u);
        goto done;
    }
    rc = run_row(c, d, d->name);
    if (rc == 0) {
        rc = out->rc;
    }
done:
    free(copy);
    free(c);
    if (rc == 0) {
        rc = out->rc;
    }
    return rc;
}

/* ---- HELP ----------------------------------------------------------------------------- */

static void
help_text(struct cp_out *o, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        cp_out_line(o, "  %.*s", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

static void
help_row(struct cp_out *o, const struct cpcmd_def *d)
{
    char cls[32];
    snprintf(cls, sizeof cls, "%s", d->classes[0] ? d->classes : "any");
    cp_out_line(o, "%s  (abbreviation %.*s, class %s)", d->syntax, (int)d->minabbr, d->name, cls);
    help_text(o, d->help);
    if (d->ops) {
        cp_out_line(o, "  Operands:");
        for (const struct cpcmd_def *op = d->ops; op->name; op++) {
            cp_out_line(o, "    %-40s class %s", op->syntax, op->classes[0] ? op->classes : "any");
        }
    }
}

int
cpcmd_help(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (!w) {
        cp_out_line(c->out, "CP commands you may use (HELP command for more):");
        for (const struct cpcmd_def *d = cpcmd_table; d->name; d++) {
            if (cpcmd_allowed(c->u, d->classes)) {
                cp_out_line(c->out, "  %-10s %s", d->name, d->syntax);
            }
        }
        return 0;
    }
    const struct cpcmd_def *d = cpcmd_find(cpcmd_table, w);
    if (!d) {
        cp_out_msg(c->out, MSG_NOHELP, w);
        return MSG_NOHELP;
    }
    const char *opw = cpcmd_next(c);
    if (opw && d->ops) {
        const struct cpcmd_def *op = cpcmd_find(d->ops, opw);
        if (!op) {
            cp_out_msg(c->out, MSG_INVOPT, opw);
            return MSG_INVOPT;
        }
        cp_out_line(c->out, "%s  (class %s)", op->syntax, op->classes[0] ? op->classes : "any");
        help_text(c->out, op->help);
        return 0;
    }
    help_row(c->out, d);
    return 0;
}
