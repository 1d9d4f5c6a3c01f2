// SPDX-License-Identifier: MIT
/*
 * cp/msg.c - formatting CP's messages (cp/msg.h) from the table in
 * cp/msgtab.c.  Lookup is a binary search (the table is sorted); the
 * formatter substitutes %1..%9 and never reads beyond the arguments given.
 */
#include <stdio.h>
#include <string.h>

#include "cp/msg.h"

const struct msg_def *
msg_lookup(int num)
{
    size_t lo = 0, hi = msg_table_len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (msg_table[mid].num == num) {
            return &msg_table[mid];
        }
        if (msg_table[mid].num < num) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const char *
msg_id(int num, char id[MSG_ID_LEN])
{
    const struct msg_def *d = msg_lookup(num);
    if (!d) {
        memcpy(id, MSG_PREFIX "999S", MSG_ID_LEN);
    } else {
        char tmp[32];
        snprintf(tmp, sizeof tmp, MSG_PREFIX "%03u%c", (unsigned)d->num % 1000u, d->sev);
        memcpy(id, tmp, MSG_ID_LEN - 1);
        id[MSG_ID_LEN - 1] = '\0';
    }
    return id;
}

char
msg_severity(int num)
{
    const struct msg_def *d = msg_lookup(num);
    return d ? d->sev : '?';
}

bool
msg_is_error(int num)
{
    char s = msg_severity(num);
    return s == 'E' || s == 'S' || s == 'T' || s == '?';
}

/* Appends to buf at *pos without overflowing; *pos counts what was needed. */
static void
put(char *buf, size_t buflen, size_t *pos, const char *s, size_t n)
{
    if (*pos < buflen) {
        size_t room = buflen - *pos - 1;
        memcpy(buf + *pos, s, n < room ? n : room);
    }
    *pos += n;
}

size_t
msg_text(char *buf, size_t buflen, int num, const char *const *args, unsigned nargs)
{
    const struct msg_def *d = msg_lookup(num);
    const char *t = d ? d->text : "Message %1 is missing from the table";
    char numbuf[16];
    const char *fallback[1];
    if (!d) {
        snprintf(numbuf, sizeof numbuf, "%d", num);
        fallback[0] = numbuf;
        args = fallback;
        nargs = 1;
    }
    size_t pos = 0;
    while (*t) {
        const char *pct = strchr(t, '%');
        if (!pct) {
            put(buf, buflen, &pos, t, strlen(t));
            break;
        }
        put(buf, buflen, &pos, t, (size_t)(pct - t));
        if (pct[1] == '%') {
            put(buf, buflen, &pos, "%", 1);
            t = pct + 2;
        } else if (pct[1] >= '1' && pct[1] <= '9') {
            unsigned i = (unsigned)(pct[1] - '1');
            const char *a = (i < nargs && args && args[i]) ? args[i] : "";
            put(buf, buflen, &pos, a, strlen(a));
            t = pct + 2;
        } else {
            put(buf, buflen, &pos, "%", 1);
            t = pct + 1;
        }
    }
    if (buflen) {
        buf[pos < buflen ? pos : buflen - 1] = '\0';
    }
    return pos;
}

size_t
msg_format(char *buf, size_t buflen, int num, const struct msg_opts *opts,
           const char *const *args, unsigned nargs)
{
    static const struct msg_opts defaults = {MSG_EMSG_ON, true};
    if (!opts) {
        opts = &defaults;
    }
    char sev = msg_severity(num);
    bool show_id, show_text;
    switch (sev) {
    case 'R':
        show_id = false;
        show_text = true;
        break;
    case 'I':
        if (!opts->imsg) {
            show_id = show_text = false;
        } else {
            show_id = opts->emsg == MSG_EMSG_ON || opts->emsg == MSG_EMSG_CODE;
            show_text = opts->emsg != MSG_EMSG_CODE;
        }
        break;
    default:
        show_id = opts->emsg == MSG_EMSG_ON || opts->emsg == MSG_EMSG_CODE;
        show_text = opts->emsg == MSG_EMSG_ON || opts->emsg == MSG_EMSG_TEXT;
        break;
    }
    if (buflen) {
        buf[0] = '\0';
    }
    size_t pos = 0;
    if (show_id) {
        char id[MSG_ID_LEN];
        msg_id(num, id);
        put(buf, buflen, &pos, id, strlen(id));
        if (show_text) {
            put(buf, buflen, &pos, " ", 1);
        }
    }
    if (show_text) {
        size_t n = msg_text(pos < buflen ? buf + pos : NULL, pos < buflen ? buflen - pos : 0, num,
                            args, nargs);
        pos += n;
    }
    if (buflen) {
        buf[pos < buflen ? pos : buflen - 1] = '\0';
    }
    return pos;
}
