// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_eval.c - expressions, by recursive descent over a clause's
 * tokens (operators by precedence climbing).  Priorities, lowest first:
 *     | &&          or, exclusive or
 *     &             and
 *     = \= > < ...  comparison, normal and strict (== \== >> << >>= <<=)
 *     || blank abuttal   concatenation
 *     + -           addition
 *     * / % //      multiplication
 *     **            power
 *     + - \         prefix operators
 * A term is a literal string, a number, a symbol (its value, or its own
 * name in upper case when it has none), a parenthesized expression, or a
 * function call: a symbol or string followed at once by "(".  Function
 * calls look for an internal label first (not for a quoted name), then a
 * built-in function.  With TRACE I every term and result is traced.
 */
#include <string.h>

#include "cms/exec/rexx.h"

struct ev {
    struct rx *rx;
    const struct rx_tok *t;
    uint32_t i, end;
    int trace;
};

static struct rx_val e_or(struct ev *e);

static void
tr(struct ev *e, const char *tag, struct rx_val v)
{
    if (e->trace) {
        rx_trace_val(e->rx, tag, v);
    }
}

static const struct rx_tok *
peek(struct ev *e)
{
    return e->i < e->end ? &e->t[e->i] : NULL;
}

int
rx_truth(struct rx *rx, struct rx_val v)
{
    if (v.n == 1 && (v.s[0] == '0' || v.s[0] == '1')) {
        return v.s[0] == '1';
    }
    rx_error(rx, 34);
}

static struct rx_val
concat(struct rx *rx, struct rx_val a, struct rx_val b, int blank)
{
    char *p = rx_tmp(rx, a.n + b.n + 2);
    memcpy(p, a.s, a.n);
    size_t o = a.n;
    if (blank) {
        p[o++] = ' ';
    }
    memcpy(p + o, b.s, b.n);
    o += b.n;
    p[o] = '\0';
    struct rx_val v = {p, o};
    return v;
}

int
rx_compare(struct rx *rx, int op, struct rx_val a, struct rx_val b)
{
    int c;
    int strict = op >= OP_SEQ && op <= OP_SLE;
    long long x, y;
    if (!strict && rx_small_int(a, &x) && rx_small_int(b, &y)) {
        c = x < y ? -1 : x > y; /* what rx_num_cmp does for these */
    } else if (strict) {
        size_t n = a.n < b.n ? a.n : b.n;
        c = memcmp(a.s, b.s, n);
        if (c == 0) {
            c = a.n < b.n ? -1 : a.n > b.n;
        }
    } else if (rx_is_num(a) && rx_is_num(b)) {
        c = rx_num_cmp(rx, a, b);
    } else {
        while (a.n > 0 && a.s[0] == ' ') {
            a.s++;
            a.n--;
        }
        while (a.n > 0 && a.s[a.n - 1] == ' ') {
            a.n--;
        }
        while (b.n > 0 && b.s[0] == ' ') {
            b.s++;
            b.n--;
        }
        while (b.n > 0 && b.s[b.n - 1] == ' ') {
            b.n--;
        }
        size_t n = a.n > b.n ? a.n : b.n;
        c = 0;
        for (size_t i = 0; i < n && c == 0; i++) {
            unsigned char x = i < a.n ? (unsigned char)a.s[i] : ' ';
            unsigned char y = i < b.n ? (unsigned char)b.s[i] : ' ';
            c = x < y ? -1 : x > y;
        }
    }
    if (c < 0) {
        c = -1;
    } else if (c > 0) {
        c = 1;
    }
    switch (op) {
    case OP_EQ: case OP_SEQ: return c == 0;
    case OP_NE: case OP_SNE: return c != 0;
    case OP_GT: case OP_SGT: return c > 0;
    case OP_LT: case OP_SLT: return c < 0;
    case OP_GE: case OP_SGE: return c >= 0;
    case OP_LE: case OP_SLE: return c <= 0;
    default: return 0;
    }
}

/* Arguments of a function call: "(" already taken. */
static int
call_args(struct ev *e, struct rx_val *args, uint8_t *given, int max)
{
    int n = 0;
    memset(given, 0, (size_t)max);
    const struct rx_tok *t = peek(e);
    if (t != NULL && t->type == T_RP) {
        e->i++;
        return 0;
    }
    for (;;) {
        if (n == max) {
            rx_error(e->rx, 40);
        }
        t = peek(e);
        if (t == NULL) {
            rx_error(e->rx, 36);
        }
        if (t->type == T_COMMA || t->type == T_RP) {
            given[n] = 0;
            args[n].s = "";
            args[n].n = 0;
        } else {
            args[n] = e_or(e);
            given[n] = 1;
        }
        n++;
        t = peek(e);
        if (t == NULL) {
            rx_error(e->rx, 36);
        }
        e->i++;
        if (t->type == T_RP) {
            return n;
        }
        if (t->type != T_COMMA) {
            rx_error(e->rx, 37);
        }
    }
}

#define RX_MAXARGS 20

/* A function call: its name token t, "(" taken.  Out of line: its
 * argument arrays would make every term's stack frame large. */
static __attribute__((noinline)) struct rx_val
e_call(struct ev *e, const struct rx_tok *t)
{
    struct rx_val args[RX_MAXARGS];
    uint8_t given[RX_MAXARGS];
    int n = call_args(e, args, given, RX_MAXARGS);
    struct rx_val res;
    rx_call(e->rx, t->s, t->n, n, args, given, t->type == T_STR, 1, &res);
    tr(e, ">F>", res);
    return res;
}

static struct rx_val
e_term(struct ev *e)
{
    struct rx *rx = e->rx;
    const struct rx_tok *t = peek(e);
    if (t == NULL) {
        rx_error(rx, 35);
    }
    rx_stack_check(rx);
    e->i++;
    /* function call */
    if ((t->type == T_SYM || t->type == T_STR) && e->i < e->end && e->t[e->i].type == T_LP &&
        !e->t[e->i].blank) {
        e->i++;
        return e_call(e, t);
    }
    switch (t->type) {
    case T_STR: {
        struct rx_val v = {t->s, t->n};
        tr(e, ">L>", v);
        return v;
    }
    case T_NUM: {
        struct rx_val v = {t->s, t->n};
        tr(e, ">L>", v);
        return v;
    }
    case T_SYM: {
        struct rx_val v = rx_tok_value(rx, t);
        v = rx_tmpcopy(rx, v.s, v.n);
        if (e->trace) {
            tr(e, memchr(t->s, '.', t->n) != NULL && t->s[t->n - 1] != '.' ? ">C>" : ">V>", v);
        }
        return v;
    }
    case T_LP: {
        struct rx_val v = e_or(e);
        t = peek(e);
        if (t == NULL || t->type != T_RP) {
            rx_error(rx, 36);
        }
        e->i++;
        return v;
    }
    case T_RP:
    case T_COMMA:
        rx_error(rx, 37);
    default:
        rx_error(rx, 35);
    }
}

static struct rx_val
e_prefix(struct ev *e)
{
    const struct rx_tok *t = peek(e);
    if (t != NULL && t->type == T_OP && (t->op == OP_ADD || t->op == OP_SUB || t->op == OP_NOT)) {
        rx_stack_check(e->rx);
        e->i++;
        struct rx_val v = e_prefix(e);
        if (t->op == OP_NOT) {
            v = rx_truth(e->rx, v) ? rx_cstr("0") : rx_cstr("1");
        } else {
            v = rx_num_norm(e->rx, v, t->op == OP_SUB);
        }
        tr(e, ">P>", v);
        return v;
    }
    return e_term(e);
}

/* The priority of the binary operator at the current token (0 if none):
 * 7 **, 6 * / % //, 5 + -, 4 concatenation, 3 comparison, 2 &, 1 | &&.
 * *op is the operator; *take: the token is the operator (not a blank or
 * an abuttal before a term). */
static int
binop(struct ev *e, int *op, int *take)
{
    const struct rx_tok *t = peek(e);
    if (t == NULL) {
        return 0;
    }
    *take = 1;
    if (t->type == T_OP) {
        *op = t->op;
        switch (t->op) {
        case OP_POW: return 7;
        case OP_MUL: case OP_DIV: case OP_IDIV: case OP_REM: return 6;
        case OP_ADD: case OP_SUB: return 5;
        case OP_CAT: return 4;
        case OP_AND: return 2;
        case OP_OR: case OP_XOR: return 1;
        case OP_NOT:
            if (!t->blank) {
                return 0;
            }
            break; /* "a \b": a blank concatenation */
        default:
            return t->op >= OP_EQ && t->op <= OP_SLE ? 3 : 0;
        }
    } else if (!(t->type == T_SYM || t->type == T_NUM || t->type == T_STR || t->type == T_LP)) {
        return 0;
    }
    /* a term right after a term: blank or abuttal concatenation */
    *op = t->blank ? -1 : OP_CAT;
    *take = 0;
    return 4;
}

/* The operators of priority min and above, left to right (precedence
 * climbing: the same order of evaluation and of TRACE I output as one
 * function per priority, without a call per level for every term). */
static struct rx_val
e_bin(struct ev *e, int min)
{
    struct rx *rx = e->rx;
    struct rx_val a = e_prefix(e);
    for (;;) {
        int op = 0, take = 0;
        int prec = binop(e, &op, &take);
        if (prec < min || prec == 0) {
            return a;
        }
        e->i += (uint32_t)take;
        struct rx_val b = e_bin(e, prec + 1);
        switch (prec) {
        case 7: case 6: case 5:
            a = rx_arith(rx, op, a, b);
            break;
        case 4:
            a = concat(rx, a, b, op == -1);
            break;
        case 3:
            a = rx_compare(rx, op, a, b) ? rx_cstr("1") : rx_cstr("0");
            break;
        case 2: {
            int x = rx_truth(rx, a), y = rx_truth(rx, b);
            a = x && y ? rx_cstr("1") : rx_cstr("0");
            break;
        }
        default: {
            int x = rx_truth(rx, a), y = rx_truth(rx, b);
            int r = op == OP_OR ? (x || y) : (x != y);
            a = r ? rx_cstr("1") : rx_cstr("0");
            break;
        }
        }
        tr(e, ">O>", a);
    }
}

static struct rx_val
e_or(struct ev *e)
{
    return e_bin(e, 1);
}

struct rx_val
rx_eval(struct rx *rx, uint32_t a, uint32_t b)
{
    struct ev e = {rx, rx->pg->tok, a, b, rx->fr->trace == TR_INTERMEDIATES};
    if (a >= b) {
        return rx_cstr("");
    }
    struct rx_val v = e_or(&e);
    if (e.i < b) {
        const struct rx_tok *t = &e.t[e.i];
        rx_error(rx, t->type == T_RP || t->type == T_COMMA ? 37 : 35);
    }
    return v;
}

int
rx_call(struct rx *rx, const char *name, size_t n, int nargs, struct rx_val *args, uint8_t *given,
        int quoted, int isfunc, struct rx_val *res)
{
    if (!quoted) {
        long lab = rx_find_label(rx, name, n);
        if (lab >= 0) {
            rx_var_set_int(rx, "SIGL", rx->cur_line);
            return rx_call_internal(rx, (uint32_t)lab, nargs, args, given, isfunc, res);
        }
    }
    char up[32];
    if (n < sizeof up) {
        for (size_t i = 0; i < n; i++) {
            char c = name[i];
            up[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        }
        const struct rx_bif *b = rx_bif_find(up, n);
        if (b != NULL) {
            if (nargs < b->min || nargs > b->max) {
                rx_error(rx, 40);
            }
            for (int i = 0; i < b->min; i++) {
                if (!given[i]) {
                    rx_error(rx, 40);
                }
            }
            *res = b->fn(rx, nargs, args, given);
            return 1;
        }
    }
    int has = rx_call_external(rx, name, n, nargs, args, given, res);
    if (has >= 0) {
        if (isfunc && !has) {
            rx_error(rx, 44);
        }
        return has;
    }
    rx_error(rx, 43);
}
