// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_run.c - running clauses: the control structures (IF, DO,
 * SELECT, LEAVE, ITERATE), assignments and commands, CALL and RETURN of
 * internal routines, PROCEDURE, SIGNAL and conditions, INTERPRET, EXIT and
 * the error path.
 *
 * Control flow: rx_exec runs one instruction and returns the clause after
 * it; LEAVE, ITERATE, RETURN and SIGNAL set rx->status, and every level
 * returns at once until the DO loop or the routine that takes it.  Each
 * routine (the main program, each CALL) has a jmp_buf: errors and trapped
 * conditions longjmp there, so a SIGNAL ON SYNTAX/ERROR/NOVALUE/HALT goes
 * on at its label in that routine; an untrapped error writes its message
 * and longjmps to the top (rexx_cms.c), which ends the EXEC.  EXIT and HX
 * go straight to the top.
 */
#include <stdio.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/exec/rexx.h"

static const char *const error_texts[] = {
    [3] = "Program is unreadable",
    [4] = "Program interrupted",
    [5] = "Machine resources exhausted",
    [6] = "Unmatched \"/*\" or quote",
    [7] = "WHEN or OTHERWISE expected",
    [8] = "Unexpected THEN or ELSE",
    [9] = "Unexpected WHEN or OTHERWISE",
    [10] = "Unexpected or unmatched END",
    [11] = "Control stack full",
    [13] = "Invalid character in program",
    [14] = "Incomplete DO/SELECT/IF",
    [15] = "Invalid hexadecimal or binary string",
    [16] = "Label not found",
    [17] = "Unexpected PROCEDURE",
    [18] = "THEN expected",
    [19] = "String or symbol expected",
    [20] = "Symbol expected",
    [21] = "Invalid data on end of clause",
    [24] = "Invalid TRACE request",
    [25] = "Invalid sub-keyword found",
    [26] = "Invalid whole number",
    [27] = "Invalid DO syntax",
    [28] = "Invalid LEAVE or ITERATE",
    [29] = "Environment name too long",
    [31] = "Name starts with number or \".\"",
    [33] = "Invalid expression result",
    [34] = "Logical value not 0 or 1",
    [35] = "Invalid expression",
    [36] = "Unmatched \"(\" in expression",
    [37] = "Unexpected \",\" or \")\"",
    [38] = "Invalid template or pattern",
    [40] = "Incorrect call to routine",
    [41] = "Bad arithmetic conversion",
    [42] = "Arithmetic overflow/underflow",
    [43] = "Routine not found",
    [44] = "Function did not return data",
    [45] = "No data specified on function RETURN",
    [48] = "Failure in system service",
    [49] = "Interpretation error",
};

const char *
rx_error_text(int n)
{
    if (n > 0 && n < (int)(sizeof error_texts / sizeof error_texts[0]) && error_texts[n] != NULL) {
        return error_texts[n];
    }
    return "";
}

void
rx_error(struct rx *rx, int n)
{
    rx->errno_ = n;
    if (rx->fr != NULL && rx->fr->jb != NULL) {
        longjmp(*rx->fr->jb, 1);
    }
    longjmp(*rx->top_jb, 2);
}

void
rx_exit(struct rx *rx, int rc)
{
    rx->exit_rc = rc;
    longjmp(*rx->top_jb, 1);
}

static const char *const cond_names[C__COUNT] = {"ERROR", "FAILURE", "HALT", "NOVALUE", "SYNTAX"};

/* Sets the condition information and goes to the trap's label. */
static void
trap_fire(struct rx *rx, int cond, struct rx_val desc)
{
    struct rx_frame *fr = rx->fr;
    fr->trap_on[cond] = 0;
    rx->cond_name = cond;
    rx_free(rx, (void *)rx->cond_desc.s);
    char *d = rx_alloc(rx, desc.n + 1);
    memcpy(d, desc.s, desc.n);
    rx->cond_desc.s = d;
    rx->cond_desc.n = desc.n;
    const char *lab = fr->trap_label[cond] ? fr->trap_label[cond] : cond_names[cond];
    long l = rx_find_label(rx, lab, strlen(lab));
    rx_var_set_int(rx, "SIGL", rx->cur_line);
    if (l < 0) {
        rx->errno_ = 16;
        longjmp(*fr->jb, 1);
    }
    rx->signal_cl = (uint32_t)l;
    longjmp(*fr->jb, 3);
}

/* CALL ON: the handler runs as a CALL (the condition is off meanwhile),
 * then the clause that raised it goes on. */
static void
call_trap(struct rx *rx, int cond, struct rx_val desc)
{
    struct rx_frame *fr = rx->fr;
    const char *lab = fr->trap_label[cond] ? fr->trap_label[cond] : cond_names[cond];
    long l = rx_find_label(rx, lab, strlen(lab));
    if (l < 0) {
        rx_error(rx, 16);
    }
    rx->cond_name = cond;
    rx_free(rx, (void *)rx->cond_desc.s);
    char *d = rx_alloc(rx, desc.n + 1);
    memcpy(d, desc.s, desc.n);
    rx->cond_desc.s = d;
    rx->cond_desc.n = desc.n;
    rx_var_set_int(rx, "SIGL", rx->cur_line);
    fr->trap_on[cond] = 0;
    struct rx_val res;
    rx_call_internal(rx, (uint32_t)l, 0, NULL, NULL, 0, &res);
    if (fr->trap_on[cond] == 0) {
        fr->trap_on[cond] = TRAP_CALL;
    }
}

void
rx_condition(struct rx *rx, int cond, struct rx_val desc)
{
    if (rx->fr == NULL) {
        return;
    }
    if (cond == C_FAILURE && !rx->fr->trap_on[C_FAILURE] && rx->fr->trap_on[C_ERROR]) {
        cond = C_ERROR;
    }
    if (rx->fr->trap_on[cond] == TRAP_CALL) {
        call_trap(rx, cond, desc);
        return;
    }
    if (rx->fr->trap_on[cond]) {
        trap_fire(rx, cond, desc);
    }
    if (cond == C_HALT) {
        rx_error(rx, 4);
    }
}

long
rx_find_label(struct rx *rx, const char *name, size_t n)
{
    struct rx_prog *pg = &rx->main;
    for (size_t i = 0; i < pg->ncl; i++) {
        const struct rx_clause *c = &pg->cl[i];
        if (c->kind == K_LABEL) {
            const struct rx_tok *t = &pg->tok[c->tok];
            if (t->n == n && memcmp(t->s, name, n) == 0) {
                return (long)i;
            }
        }
    }
    return -1;
}

uint32_t
rx_skip(struct rx *rx, uint32_t i)
{
    struct rx_prog *pg = rx->pg;
    if (i >= pg->ncl) {
        rx_error(rx, 14);
    }
    const struct rx_clause *c = &pg->cl[i];
    switch (c->kind) {
    case K_DO:
    case K_SELECT:
        return (uint32_t)c->match + 1;
    case K_IF: {
        uint32_t j = rx_skip(rx, i + 2);
        if (j < pg->ncl && pg->cl[j].kind == K_ELSE) {
            return rx_skip(rx, j + 1);
        }
        return j;
    }
    default:
        return i + 1;
    }
}

/* Runs clauses [a, b) in order; stops early on a status. */
static void
run_range(struct rx *rx, uint32_t a, uint32_t b)
{
    uint32_t pc = a;
    while (pc < b && rx->status == ST_NORMAL) {
        pc = rx_exec(rx, pc);
    }
}

/* Keyword positions of a DO header at depth 0. */
enum { DK_TO, DK_BY, DK_FOR, DK_WHILE, DK_UNTIL, DK__N };
static const char *const do_kw[DK__N] = {"TO", "BY", "FOR", "WHILE", "UNTIL"};

/* A plain whole number of at most 9 digits ("-12", never "+1", "01" or
 * "1.0"): the DO loop keeps such a control variable as a machine integer
 * too, while the variable still holds exactly the string it stored. */
static int
plain_int(struct rx_val v, long long *out)
{
    size_t i = v.n > 0 && v.s[0] == '-';
    if (v.n == i || v.n - i > 9 || (v.s[i] == '0' && v.n - i > 1)) {
        return 0;
    }
    long long x = 0;
    for (; i < v.n; i++) {
        if (v.s[i] < '0' || v.s[i] > '9') {
            return 0;
        }
        x = x * 10 + (v.s[i] - '0');
    }
    *out = v.s[0] == '-' ? -x : x;
    return 1;
}

/* The control variable as last stored by the loop (see plain_int). */
struct do_cache {
    char s[24];
    size_t n; /* 0: none */
    long long v;
};

static void
cache_store(struct do_cache *dc, struct rx_val v)
{
    dc->n = 0;
    if (v.n < sizeof dc->s && plain_int(v, &dc->v)) {
        memcpy(dc->s, v.s, v.n);
        dc->n = v.n;
    }
}

static int
cache_hit(const struct do_cache *dc, struct rx_val cur)
{
    if (dc->n == 0 || cur.n != dc->n) {
        return 0;
    }
    for (size_t k = 0; k < cur.n; k++) {
        if (cur.s[k] != dc->s[k]) {
            return 0;
        }
    }
    return 1;
}

static uint32_t
do_loop(struct rx *rx, uint32_t i)
{
    struct rx_prog *pg = rx->pg;
    const struct rx_clause *c = &pg->cl[i];
    uint32_t endcl = (uint32_t)c->match;
    uint32_t t0 = c->tok + 1, tn = c->tok + c->ntok;
    const struct rx_tok *t = pg->tok;
    if (t0 == tn) {
        /* a simple DO group */
        run_range(rx, i + 1, endcl);
        return endcl + 1;
    }
    /* split the header at its keywords */
    uint32_t kpos[DK__N], kend[DK__N];
    int order[DK__N], nk = 0;
    for (int k = 0; k < DK__N; k++) {
        kpos[k] = 0;
    }
    int ctrl = t0 + 1 < tn && t[t0].type == T_SYM && t[t0 + 1].type == T_OP && t[t0 + 1].op == OP_EQ;
    int forever = !ctrl && rx_tok_is(&t[t0], "FOREVER");
    uint32_t first = ctrl ? t0 + 2 : (forever ? t0 + 1 : t0);
    int depth = 0;
    for (uint32_t k = first; k < tn; k++) {
        if (t[k].type == T_LP) {
            depth++;
        } else if (t[k].type == T_RP) {
            depth--;
        } else if (depth == 0 && t[k].type == T_SYM) {
            for (int w = 0; w < DK__N; w++) {
                if ((ctrl || w >= DK_WHILE) && rx_tok_is(&t[k], do_kw[w])) {
                    if (kpos[w] != 0 || ((w == DK_WHILE || w == DK_UNTIL) &&
                                         (kpos[DK_WHILE] || kpos[DK_UNTIL]))) {
                        rx_error(rx, 27);
                    }
                    kpos[w] = k;
                    order[nk++] = w;
                }
            }
        }
    }
    /* each keyword's expression ends at the next keyword */
    for (int k = 0; k < nk; k++) {
        kend[order[k]] = k + 1 < nk ? kpos[order[k + 1]] : tn;
    }
    uint32_t firstend = nk > 0 ? kpos[order[0]] : tn;
    if (forever && firstend != first) {
        rx_error(rx, 27);
    }
    struct rx_val to = {0, 0}, by = rx_cstr("1"), var = {0, 0};
    long count = -1, forn = -1;
    int has_to = kpos[DK_TO] != 0;
    struct do_cache dc;
    dc.n = 0;
    if (ctrl) {
        var = rx_tmpcopy(rx, t[t0].s, t[t0].n);
        struct rx_val start = rx_num_norm(rx, rx_eval(rx, first, firstend), 0);
        /* TO, BY, FOR in the order written */
        for (int k = 0; k < nk; k++) {
            int w = order[k];
            if (w == DK_TO) {
                to = rx_num_norm(rx, rx_eval(rx, kpos[w] + 1, kend[w]), 0);
            } else if (w == DK_BY) {
                by = rx_num_norm(rx, rx_eval(rx, kpos[w] + 1, kend[w]), 0);
            } else if (w == DK_FOR) {
                forn = rx_whole(rx, rx_eval(rx, kpos[w] + 1, kend[w]));
                if (forn < 0) {
                    rx_error(rx, 26);
                }
            }
        }
        rx_tok_set(rx, &t[t0], start);
        cache_store(&dc, start);
    } else if (!forever && firstend > first) {
        count = rx_whole(rx, rx_eval(rx, first, firstend));
        if (count < 0) {
            rx_error(rx, 26);
        }
    }
    /* "END name" must name the control variable */
    const struct rx_clause *ec = &pg->cl[endcl];
    if (ec->ntok == 2) {
        const struct rx_tok *et = &pg->tok[ec->tok + 1];
        if (!ctrl || et->type != T_SYM || et->n != var.n || memcmp(et->s, var.s, var.n) != 0) {
            rx->cur_line = ec->line;
            rx_error(rx, 10);
        }
    } else if (ec->ntok > 2) {
        rx->cur_line = ec->line;
        rx_error(rx, 21);
    }
    int by_neg = by.n > 0 && by.s[0] == '-';
    /* TO and BY as machine integers when they are plain whole numbers */
    long long ito = 0, iby = 0;
    int fast = ctrl && plain_int(by, &iby) && (!has_to || plain_int(to, &ito));
    long long lim = 1; /* 10 ** DIGITS (at most 10 ** 18) */
    int lim_digits = -1;
    struct rx_mark m = rx_mark(rx);
    long iter = 0;
    for (;;) {
        rx_release(rx, m);
        if (ctrl) {
            struct rx_val cur;
            if (!rx_tok_get(rx, &t[t0], &cur)) {
                cur = rx_var_name(rx, var.s, var.n);
            }
            if (has_to) {
                int cmp = fast && cache_hit(&dc, cur) ? (dc.v < ito ? -1 : dc.v > ito)
                                                      : rx_num_cmp(rx, cur, to);
                if (by_neg ? cmp < 0 : cmp > 0) {
                    break;
                }
            }
        }
        if ((forn >= 0 && iter >= forn) || (count >= 0 && iter >= count)) {
            break;
        }
        if (kpos[DK_WHILE] && !rx_truth(rx, rx_eval(rx, kpos[DK_WHILE] + 1, kend[DK_WHILE]))) {
            break;
        }
        iter++;
        run_range(rx, i + 1, endcl);
        if (rx->status == ST_LEAVE || rx->status == ST_ITERATE) {
            if (rx->leave_name.n > 0 && !(ctrl && rx->leave_name.n == var.n &&
                                           memcmp(rx->leave_name.s, var.s, var.n) == 0)) {
                return endcl + 1; /* for an outer loop */
            }
            int leave = rx->status == ST_LEAVE;
            rx->status = ST_NORMAL;
            if (leave) {
                break;
            }
        } else if (rx->status != ST_NORMAL) {
            return endcl + 1;
        }
        rx->cur_line = pg->cl[endcl].line;
        if (rx->fr->trace >= TR_RESULTS) {
            rx_trace_clause(rx, &pg->cl[endcl]);
        }
        if (kpos[DK_UNTIL] && rx_truth(rx, rx_eval(rx, kpos[DK_UNTIL] + 1, kend[DK_UNTIL]))) {
            break;
        }
        if (ctrl) {
            struct rx_val cur;
            if (!rx_tok_get(rx, &t[t0], &cur)) {
                cur = rx_var_name(rx, var.s, var.n);
            }
            struct rx_val next;
            long long r = dc.v + iby;
            if (rx->fr->digits != lim_digits) {
                /* NUMERIC DIGITS may change in the body */
                lim_digits = rx->fr->digits;
                lim = 1;
                for (int d = 0; d < lim_digits && d < 18; d++) {
                    lim *= 10;
                }
            }
            if (fast && cache_hit(&dc, cur) && r < lim && r > -lim) {
                /* what rx_arith's whole-number path would give */
                next = rx_int(rx, r);
                rx_tok_set(rx, &t[t0], next);
                memcpy(dc.s, next.s, next.n);
                dc.n = next.n;
                dc.v = r;
            } else {
                cur = rx_tmpcopy(rx, cur.s, cur.n);
                next = rx_arith(rx, OP_ADD, cur, by);
                rx_tok_set(rx, &t[t0], next);
                cache_store(&dc, next);
            }
        }
        rx_poll(rx);
    }
    return endcl + 1;
}

static uint32_t
select_block(struct rx *rx, uint32_t i)
{
    struct rx_prog *pg = rx->pg;
    uint32_t endcl = (uint32_t)pg->cl[i].match;
    uint32_t pc = i + 1;
    while (pc < endcl) {
        const struct rx_clause *c = &pg->cl[pc];
        rx->cur_line = c->line;
        if (c->kind == K_NULL) {
            pc++;
            continue;
        }
        if (c->kind == K_WHEN) {
            if (rx->fr->trace >= TR_RESULTS) {
                rx_trace_clause(rx, c);
            }
            struct rx_val v = rx_eval(rx, c->tok + 1, c->tok + c->ntok);
            uint32_t next = rx_skip(rx, pc + 2);
            if (rx_truth(rx, v)) {
                rx_exec(rx, pc + 2);
                return endcl + 1;
            }
            pc = next;
            continue;
        }
        if (c->kind == K_OTHERWISE) {
            run_range(rx, pc + 1, endcl);
            return endcl + 1;
        }
        rx_error(rx, 7);
    }
    rx->cur_line = pg->cl[endcl].line;
    rx_error(rx, 7);
}

static void set_trap(struct rx *rx, const struct rx_clause *c, int how);

/* CALL name [args] | CALL ON|OFF ERROR|FAILURE|HALT [NAME label] */
static void
do_call(struct rx *rx, const struct rx_clause *c)
{
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    if (c->ntok >= 3 && (rx_tok_is(&t[1], "ON") || rx_tok_is(&t[1], "OFF"))) {
        if (rx_tok_is(&t[2], "SYNTAX") || rx_tok_is(&t[2], "NOVALUE")) {
            rx_error(rx, 25);
        }
        set_trap(rx, c, TRAP_CALL);
        return;
    }
    if (c->ntok < 2 || (t[1].type != T_SYM && t[1].type != T_STR)) {
        rx_error(rx, 19);
    }
    struct rx_val args[20];
    uint8_t given[20];
    int n = 0;
    memset(given, 0, sizeof given);
    uint32_t a = c->tok + 2, end = c->tok + c->ntok;
    if (a < end) {
        int depth = 0;
        uint32_t s = a;
        for (uint32_t k = a; k <= end; k++) {
            if (k < end && rx->pg->tok[k].type == T_LP) {
                depth++;
            } else if (k < end && rx->pg->tok[k].type == T_RP) {
                depth--;
            } else if (k == end || (depth == 0 && rx->pg->tok[k].type == T_COMMA)) {
                if (n == 20) {
                    rx_error(rx, 40);
                }
                given[n] = k > s;
                args[n] = k > s ? rx_eval(rx, s, k) : rx_cstr("");
                n++;
                s = k + 1;
            }
        }
    }
    struct rx_val res;
    rx_var_set_int(rx, "SIGL", c->line);
    if (rx_call(rx, t[1].s, t[1].n, n, args, given, t[1].type == T_STR, 0, &res)) {
        rx_var_set_c(rx, "RESULT", res);
    } else {
        rx_var_drop(rx, "RESULT", 6);
    }
}

/* ON|OFF cond [NAME label] of SIGNAL (how TRAP_SIGNAL) and CALL. */
static void
set_trap(struct rx *rx, const struct rx_clause *c, int how)
{
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    int on = rx_tok_is(&t[1], "ON");
    if (c->ntok < 3) {
        rx_error(rx, 25);
    }
    int cond = -1;
    for (int k = 0; k < C__COUNT; k++) {
        if (rx_tok_is(&t[2], cond_names[k])) {
            cond = k;
        }
    }
    if (cond < 0) {
        rx_error(rx, 25);
    }
    rx->fr->trap_on[cond] = 0;
    rx->fr->trap_label[cond] = NULL;
    if (on && c->ntok == 5 && rx_tok_is(&t[3], "NAME")) {
        rx->fr->trap_label[cond] = t[4].s;
    } else if (c->ntok != 3) {
        rx_error(rx, 21);
    }
    if (on) {
        rx->fr->trap_on[cond] = (uint8_t)how;
    }
}

/* SIGNAL label | SIGNAL VALUE expr | SIGNAL ON|OFF cond [NAME label] */
static void
do_signal(struct rx *rx, const struct rx_clause *c)
{
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    if (c->ntok >= 2 && (rx_tok_is(&t[1], "ON") || rx_tok_is(&t[1], "OFF"))) {
        set_trap(rx, c, TRAP_SIGNAL);
        return;
    }
    struct rx_val name;
    if (c->ntok >= 2 && rx_tok_is(&t[1], "VALUE")) {
        name = rx_eval(rx, c->tok + 2, c->tok + c->ntok);
    } else if (c->ntok == 2 && (t[1].type == T_SYM || t[1].type == T_STR || t[1].type == T_NUM)) {
        name.s = t[1].s;
        name.n = t[1].n;
    } else if (c->ntok >= 2) {
        name = rx_eval(rx, c->tok + 1, c->tok + c->ntok);
    } else {
        rx_error(rx, 19);
    }
    long l = rx_find_label(rx, name.s, name.n);
    if (l < 0) {
        rx_error(rx, 16);
    }
    rx_var_set_int(rx, "SIGL", c->line);
    rx->signal_cl = (uint32_t)l;
    rx->status = ST_SIGNAL;
}

static void
do_return(struct rx *rx, const struct rx_clause *c, int isexit)
{
    struct rx_val v = rx_cstr("");
    int has = c->ntok > 1;
    if (has) {
        v = rx_eval(rx, c->tok + 1, c->tok + c->ntok);
        if (RX_TRACING_RESULTS(rx->fr->trace)) {
            rx_trace_val(rx, ">>>", v);
        }
    }
    if (isexit || rx->fr->up == NULL) {
        long rc = 0;
        if (has && !rx_try_whole(rx, v, &rc)) {
            rc = 0;
        }
        if (has) {
            char *p = rx_alloc(rx, v.n + 1);
            memcpy(p, v.s, v.n);
            rx->exit_value.s = p;
            rx->exit_value.n = v.n;
            rx->exit_has_value = 1;
        }
        rx_exit(rx, (int)rc);
    }
    rx_free(rx, (void *)rx->result.s);
    char *p = rx_alloc(rx, v.n + 1);
    memcpy(p, v.s, v.n);
    rx->result.s = p;
    rx->result.n = v.n;
    rx->has_result = has;
    rx->status = ST_RETURN;
}

static void
do_procedure(struct rx *rx, const struct rx_clause *c, int ok)
{
    if (!ok) {
        rx_error(rx, 17);
    }
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    struct rx_pool *p = rx_pool_new(rx, rx->pool);
    rx->pool = p;
    rx->fr->pool = p;
    if (c->ntok == 1) {
        return;
    }
    if (!rx_tok_is(&t[1], "EXPOSE")) {
        rx_error(rx, 25);
    }
    for (uint32_t k = 2; k < c->ntok; k++) {
        if (t[k].type == T_SYM) {
            struct rx_val n = rx_var_name(rx, t[k].s, t[k].n);
            rx_var_expose(rx, n.s, n.n);
        } else if (t[k].type == T_LP && k + 2 < c->ntok && t[k + 1].type == T_SYM &&
                   t[k + 2].type == T_RP) {
            struct rx_val n = rx_var_name(rx, t[k + 1].s, t[k + 1].n);
            rx_var_expose(rx, n.s, n.n);
            struct rx_val list;
            if (rx_var_get(rx, n.s, n.n, &list)) {
                list = rx_tmpcopy(rx, list.s, list.n);
                size_t ws, wl;
                for (long w = 1; rx_word(list, w, &ws, &wl); w++) {
                    char *u = rx_tmp(rx, wl + 1);
                    for (size_t q = 0; q < wl; q++) {
                        char ch = list.s[ws + q];
                        u[q] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
                    }
                    rx_var_expose(rx, u, wl);
                }
            }
            k += 2;
        } else {
            rx_error(rx, 20);
        }
    }
}

static void
do_leave(struct rx *rx, const struct rx_clause *c, int st)
{
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    rx->leave_name.n = 0;
    if (c->ntok == 2 && t[1].type == T_SYM) {
        rx->leave_name.s = t[1].s;
        rx->leave_name.n = t[1].n;
    } else if (c->ntok > 2) {
        rx_error(rx, 21);
    }
    rx->status = st;
}

uint32_t
rx_exec(struct rx *rx, uint32_t i)
{
    struct rx_prog *pg = rx->pg;
    if (i >= pg->ncl) {
        rx_error(rx, 14);
    }
    const struct rx_clause *c = &pg->cl[i];
    rx_stack_check(rx);
    rx->cur_line = c->line;
    rx->cur_cl = (int)i;
    rx->cur_pg = pg;
    rx->clauses++;
    if ((++rx->poll_count & 255) == 0) {
        rx_poll(rx);
    }
    if (c->kind == K_NULL) {
        return i + 1;
    }
    int trace = rx->fr->trace;
    if (trace >= TR_RESULTS || (trace == TR_LABELS && c->kind == K_LABEL)) {
        rx_trace_clause(rx, c);
    }
    if (c->kind == K_LABEL) {
        return i + 1;
    }
    int pok = rx->fr->procedure_ok;
    rx->fr->procedure_ok = 0;
    struct rx_mark m = rx_mark(rx);
    uint32_t next = i + 1;
    const struct rx_tok *t = &pg->tok[c->tok];
    switch (c->kind) {
    case K_ASSIGN: {
        if (t[0].type != T_SYM) {
            rx_error(rx, 31);
        }
        struct rx_val v = rx_eval(rx, c->tok + 2, c->tok + c->ntok);
        if (RX_TRACING_RESULTS(trace)) {
            rx_trace_val(rx, ">>>", v);
        }
        rx_tok_set(rx, &t[0], v);
        break;
    }
    case K_IF: {
        struct rx_val v = rx_eval(rx, c->tok + 1, c->tok + c->ntok);
        if (RX_TRACING_RESULTS(trace)) {
            rx_trace_val(rx, ">>>", v);
        }
        int cond = rx_truth(rx, v);
        rx_release(rx, m);
        uint32_t j = rx_skip(rx, i + 2);
        int has_else = j < pg->ncl && pg->cl[j].kind == K_ELSE;
        if (cond) {
            rx_exec(rx, i + 2);
            next = has_else ? rx_skip(rx, j + 1) : j;
        } else {
            next = has_else ? rx_exec(rx, j + 1) : j;
        }
        break;
    }
    case K_DO:
        next = do_loop(rx, i);
        break;
    case K_SELECT:
        next = select_block(rx, i);
        break;
    case K_THEN:
    case K_ELSE:
        rx_error(rx, 8);
    case K_WHEN:
    case K_OTHERWISE:
        rx_error(rx, 9);
    case K_END:
        rx_error(rx, 10);
    case K_CALL:
        do_call(rx, c);
        break;
    case K_SIGNAL:
        do_signal(rx, c);
        break;
    case K_RETURN:
        do_return(rx, c, 0);
        break;
    case K_EXIT:
        do_return(rx, c, 1);
        break;
    case K_PROCEDURE:
        do_procedure(rx, c, pok);
        break;
    case K_LEAVE:
        do_leave(rx, c, ST_LEAVE);
        break;
    case K_ITERATE:
        do_leave(rx, c, ST_ITERATE);
        break;
    case K_INTERPRET: {
        struct rx_val v = rx_eval(rx, c->tok + 1, c->tok + c->ntok);
        if (RX_TRACING_RESULTS(trace)) {
            rx_trace_val(rx, ">>>", v);
        }
        rx_interpret(rx, v);
        break;
    }
    case K_CMD: {
        struct rx_val v = rx_eval(rx, c->tok, c->tok + c->ntok);
        if (RX_TRACING_RESULTS(trace)) {
            rx_trace_val(rx, ">>>", v);
        }
        rx_command(rx, v);
        break;
    }
    default: {
        rx_instr_fn fn = rx_instr_handler(c->kind);
        if (fn == NULL) {
            rx_error(rx, 49);
        }
        fn(rx, c);
        break;
    }
    }
    rx_release(rx, m);
    return next;
}

void
rx_run_from(struct rx *rx, uint32_t i)
{
    uint32_t pc = i;
    for (;;) {
        while (pc < rx->pg->ncl && rx->status == ST_NORMAL) {
            pc = rx_exec(rx, pc);
        }
        switch (rx->status) {
        case ST_NORMAL:
        case ST_RETURN:
            return;
        case ST_SIGNAL:
            rx->status = ST_NORMAL;
            pc = rx->signal_cl;
            break;
        default:
            rx->status = ST_NORMAL;
            rx_error(rx, 28);
        }
    }
}

/* Writes the message of error n and ends the EXEC. */
static void
fatal(struct rx *rx)
{
    int n = rx->errno_;
    if (rx->cur_pg == NULL) {
        rx->cur_pg = rx->pg;
    }
    struct rx_prog *pg = rx->pg;
    for (size_t k = 0; pg != NULL && k < pg->ncl; k++) {
        if (pg->cl[k].line == rx->cur_line) {
            printf("%6u +++ %.*s\n", (unsigned)rx->cur_line, (int)pg->cl[k].srclen, pg->cl[k].src);
            break;
        }
    }
    cms_msg(M_REXX_ERROR, n, rx->fn, (unsigned)rx->cur_line, rx_error_text(n));
    rx->exit_rc = 20000 + n;
    longjmp(*rx->top_jb, 1);
}

/* Runs a routine's clauses from start, catching its errors and traps. */
static void
frame_run(struct rx *rx, struct rx_frame *fr, uint32_t start)
{
    jmp_buf jb;
    volatile uint32_t pc = start;
    fr->jb = &jb;
    int how = setjmp(jb);
    if (how != 0) {
        rx->fr = fr;
        rx->pg = fr->pg;
        rx->pool = fr->pool;
        rx->status = ST_NORMAL;
        if (how == 1) {
            if (!fr->trap_on[C_SYNTAX] || rx->errno_ == 5 || rx->errno_ == 11) {
                fatal(rx);
            }
            struct rx_mark m = rx_mark(rx);
            rx_var_set_int(rx, "RC", rx->errno_);
            rx_release(rx, m);
            struct rx_val d = rx_cstr(rx_error_text(rx->errno_));
            trap_fire(rx, C_SYNTAX, d); /* longjmps with 3 */
        }
        pc = rx->signal_cl;
    }
    rx_run_from(rx, pc);
}

int
rx_call_internal(struct rx *rx, uint32_t lab, int nargs, struct rx_val *args, uint8_t *given,
                 int isfunc, struct rx_val *res)
{
    if (rx->depth >= RX_MAX_DEPTH) {
        rx_error(rx, 11);
    }
    struct rx_frame *up = rx->fr;
    struct rx_frame *fr = rx_alloc(rx, sizeof *fr);
    *fr = *up;
    fr->up = up;
    fr->pg = &rx->main;
    fr->pool = rx->pool;
    fr->nargs = nargs;
    fr->args = args;
    fr->given = given;
    fr->procedure_ok = 1;
    fr->isfunc = isfunc;
    struct rx_prog *savepg = rx->pg;
    struct rx_pool *savepool = rx->pool;
    uint32_t saveline = rx->cur_line;
    int savecl = rx->cur_cl;
    struct rx_prog *savecpg = rx->cur_pg;
    rx->fr = fr;
    rx->pg = &rx->main;
    rx->depth++;
    rx->has_result = 0;
    if (fr->trace >= TR_LABELS && fr->trace != TR_COMMANDS) {
        rx_trace_clause(rx, &rx->main.cl[lab]);
    }
    frame_run(rx, fr, lab + 1);
    int has = rx->status == ST_RETURN && rx->has_result;
    rx->status = ST_NORMAL;
    rx->depth--;
    if (rx->pool != savepool) {
        rx_pool_free(rx, rx->pool);
    }
    rx->pool = savepool;
    rx->pg = savepg;
    rx->fr = up;
    rx->cur_line = saveline;
    rx->cur_cl = savecl;
    rx->cur_pg = savecpg;
    rx_free(rx, fr);
    if (has) {
        *res = rx_tmpcopy(rx, rx->result.s, rx->result.n);
    }
    rx->has_result = 0;
    if (isfunc && !has) {
        rx_error(rx, 44);
    }
    return has;
}

void
rx_interpret(struct rx *rx, struct rx_val code)
{
    struct rx_prog *pg = rx_alloc(rx, sizeof *pg);
    char *src = rx_alloc(rx, code.n + 1);
    memcpy(src, code.s, code.n);
    uint32_t line = rx->cur_line;
    rx_lex(rx, pg, src, code.n, line);
    for (size_t k = 0; k < pg->ncl; k++) {
        pg->cl[k].line = line;
        if (pg->cl[k].kind == K_LABEL) {
            rx_error(rx, 49);
        }
    }
    struct rx_prog *save = rx->pg;
    rx->pg = pg;
    run_range(rx, 0, (uint32_t)pg->ncl);
    rx->pg = save;
}

/* The main program's frame: called by rexx_cms.c with top_jb set. */
void rx_run_main(struct rx *rx);

void
rx_run_main(struct rx *rx)
{
    struct rx_frame *fr = rx_alloc(rx, sizeof *fr);
    fr->pg = &rx->main;
    fr->pool = rx->pool;
    fr->digits = 9;
    fr->trace = TR_NORMAL;
    strcpy(fr->address, "CMS");
    strcpy(fr->address_prev, "CMS");
    fr->procedure_ok = 0;
    fr->nargs = rx->main_nargs;
    fr->args = rx->main_args;
    fr->given = rx->main_given;
    rx->fr = fr;
    rx->pg = &rx->main;
    frame_run(rx, fr, 0);
}
