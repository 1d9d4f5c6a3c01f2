// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_parse.c - PARSE templates.
 *
 * A template is a list of targets (variable names, or "." to discard) and
 * patterns: a literal string or "(var)" to match, an absolute position (n
 * or =n or =(var)) or a relative one (+n, -n, +(var)).  Each pattern ends
 * the segment of the source that the targets before it share; targets
 * split their segment into words (all but the last take a word, leading
 * blanks skipped, and one blank after it; the last takes the rest).  A
 * comma goes on with the next source string (PARSE ARG of a function with
 * several arguments).  PARSE UPPER upper-cases the sources first.
 */
#include <string.h>

#include "cms/exec/rexx.h"

struct target {
    const struct rx_tok *t; /* NULL: "." placeholder */
};

static void
assign(struct rx *rx, const struct rx_tok *t, const char *s, size_t n)
{
    if (t == NULL) {
        return;
    }
    struct rx_val name = rx_var_name(rx, t->s, t->n);
    struct rx_val v = {s, n};
    if (RX_TRACING_RESULTS(rx->fr->trace)) {
        rx_trace_val(rx, ">=>", v);
    }
    rx_var_set(rx, name.s, name.n, v);
}

/* Gives the segment s[a, b) to the pending targets. */
static void
give(struct rx *rx, struct target *tg, int ntg, const char *s, size_t a, size_t b)
{
    for (int k = 0; k < ntg; k++) {
        if (k == ntg - 1) {
            assign(rx, tg[k].t, s + a, b - a);
            break;
        }
        while (a < b && s[a] == ' ') {
            a++;
        }
        size_t w = a;
        while (w < b && s[w] != ' ') {
            w++;
        }
        assign(rx, tg[k].t, s + a, w - a);
        a = w < b ? w + 1 : w;
    }
}

/* A number or (var) after a positional sign; advances *k. */
static long
pos_value(struct rx *rx, const struct rx_tok *t, uint32_t *k, uint32_t end)
{
    if (*k < end && t[*k].type == T_NUM) {
        struct rx_val v = {t[*k].s, t[*k].n};
        (*k)++;
        return rx_whole(rx, v);
    }
    if (*k + 2 < end && t[*k].type == T_LP && t[*k + 1].type == T_SYM && t[*k + 2].type == T_RP) {
        struct rx_val v = rx_sym_value(rx, t[*k + 1].s, t[*k + 1].n);
        *k += 3;
        return rx_whole(rx, v);
    }
    rx_error(rx, 38);
}

void
rx_parse_template(struct rx *rx, struct rx_val *srcs, int nsrc, uint32_t a, uint32_t b, int upper)
{
    const struct rx_tok *t = rx->pg->tok;
    int si = 0;
    struct rx_val src = nsrc > 0 ? srcs[0] : rx_cstr("");
    struct target tg[64];
    int ntg = 0;
    size_t start = 0, last = 0;
    for (int pass = 0;; pass++) {
        if (upper) {
            char *u = rx_tmp(rx, src.n + 1);
            for (size_t q = 0; q < src.n; q++) {
                char ch = src.s[q];
                u[q] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
            }
            src.s = u;
        }
        const char *s = src.s;
        size_t len = src.n;
        start = last = 0;
        ntg = 0;
        uint32_t k = a;
        for (; k < b; ) {
            const struct rx_tok *x = &t[k];
            if (x->type == T_COMMA) {
                break;
            }
            if (x->type == T_SYM) {
                if (ntg == 64) {
                    rx_error(rx, 38);
                }
                tg[ntg++].t = x;
                k++;
                continue;
            }
            if (x->type == T_NUM && x->n == 1 && x->s[0] == '.') {
                if (ntg == 64) {
                    rx_error(rx, 38);
                }
                tg[ntg++].t = NULL;
                k++;
                continue;
            }
            /* a pattern */
            if (x->type == T_STR || x->type == T_LP) {
                struct rx_val pat;
                if (x->type == T_STR) {
                    pat.s = x->s;
                    pat.n = x->n;
                    k++;
                } else {
                    if (k + 2 >= b || t[k + 1].type != T_SYM || t[k + 2].type != T_RP) {
                        rx_error(rx, 38);
                    }
                    pat = rx_sym_value(rx, t[k + 1].s, t[k + 1].n);
                    pat = rx_tmpcopy(rx, pat.s, pat.n);
                    k += 3;
                }
                size_t found = len;
                if (pat.n <= len) {
                    for (size_t q = start; q + pat.n <= len; q++) {
                        if (memcmp(s + q, pat.s, pat.n) == 0) {
                            found = q;
                            break;
                        }
                    }
                }
                if (found == len) {
                    give(rx, tg, ntg, s, start, len);
                    start = last = len;
                } else {
                    give(rx, tg, ntg, s, start, found);
                    last = found;
                    start = found + pat.n;
                }
                ntg = 0;
                continue;
            }
            long target;
            if (x->type == T_NUM) {
                k++;
                target = rx_whole(rx, (struct rx_val){x->s, x->n}) - 1;
            } else if (x->type == T_OP && x->op == OP_EQ) {
                k++;
                target = pos_value(rx, t, &k, b) - 1;
            } else if (x->type == T_OP && (x->op == OP_ADD || x->op == OP_SUB)) {
                k++;
                long d = pos_value(rx, t, &k, b);
                target = (long)last + (x->op == OP_ADD ? d : -d);
            } else {
                rx_error(rx, 38);
            }
            if (target < 0) {
                target = 0;
            }
            if ((size_t)target > len) {
                target = (long)len;
            }
            if ((size_t)target > start) {
                give(rx, tg, ntg, s, start, (size_t)target);
            } else {
                give(rx, tg, ntg, s, start, len);
            }
            start = last = (size_t)target;
            ntg = 0;
        }
        give(rx, tg, ntg, s, start < len ? start : len, len);
        if (k >= b) {
            break;
        }
        /* a comma: the next source string */
        a = k + 1;
        si++;
        src = si < nsrc ? srcs[si] : rx_cstr("");
    }
}
