// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_instr.c - the simple instructions: SAY, PARSE (and PULL,
 * ARG), PUSH, QUEUE, DROP, UPPER, NUMERIC, ADDRESS, TRACE, NOP; commands to
 * the environment; the TRACE output lines.
 *
 * Trace lines look like REXX's:
 *      3 *-* say a+1            a clause (line number, source)
 *        >>>   "2"              a result (TRACE R)
 *        >V>   "1"              intermediates (TRACE I: >V> variable,
 *                               >L> literal, >F> function, >O> operation,
 *                               >P> prefix, >C> compound)
 *        +++ RC=1 +++           a command that failed (TRACE N, E)
 * The control structures and calls are in rexx_run.c.
 */
#include <stdio.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/exec/rexx.h"

void
rx_trace_clause(struct rx *rx, const struct rx_clause *c)
{
    char buf[CMS_LINE_MAX + 1];
    int n = snprintf(buf, sizeof buf, "%6u *-* %.*s", (unsigned)c->line,
                     (int)(c->srclen > 200 ? 200 : c->srclen), c->src);
    if (n < 0) {
        return;
    }
    /* one line: a clause spread over lines shows its first */
    char *nl = memchr(buf, '\n', (size_t)n);
    if (nl != NULL) {
        n = (int)(nl - buf);
    }
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\r')) {
        n--;
    }
    rx_say(rx, buf, (size_t)n);
}

void
rx_trace_val(struct rx *rx, const char *tag, struct rx_val v)
{
    char buf[CMS_LINE_MAX + 1];
    int n = snprintf(buf, sizeof buf, "       %s   \"%.*s\"", tag, (int)(v.n > 220 ? 220 : v.n), v.s);
    if (n > 0) {
        rx_say(rx, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    }
}

static const struct {
    char letter;
    int setting;
} trace_letters[] = {
    {'A', TR_ALL}, {'C', TR_COMMANDS}, {'E', TR_ERRORS}, {'F', TR_ERRORS}, {'I', TR_INTERMEDIATES},
    {'L', TR_LABELS}, {'N', TR_NORMAL}, {'O', TR_OFF}, {'R', TR_RESULTS},
};

int
rx_trace_parse(struct rx *rx, struct rx_val v)
{
    size_t i = 0;
    while (i < v.n && (v.s[i] == '?' || v.s[i] == '!' || v.s[i] == ' ')) {
        i++;
    }
    if (i == v.n) {
        return TR_NORMAL;
    }
    char c = v.s[i];
    if (c >= 'a' && c <= 'z') {
        c = (char)(c - 32);
    }
    for (size_t k = 0; k < sizeof trace_letters / sizeof trace_letters[0]; k++) {
        if (trace_letters[k].letter == c) {
            return trace_letters[k].setting;
        }
    }
    if (c >= '0' && c <= '9') {
        return rx->fr->trace; /* a count of interactive pauses: ignored */
    }
    rx_error(rx, 24);
}

static struct rx_val
rest_value(struct rx *rx, const struct rx_clause *c, uint32_t from)
{
    return rx_eval(rx, c->tok + from, c->tok + c->ntok);
}

static void
i_say(struct rx *rx, const struct rx_clause *c)
{
    struct rx_val v = rest_value(rx, c, 1);
    if (RX_TRACING_RESULTS(rx->fr->trace)) {
        rx_trace_val(rx, ">>>", v);
    }
    rx_say(rx, v.s, v.n);
}

static void
i_nop(struct rx *rx, const struct rx_clause *c)
{
    (void)rx;
    if (c->ntok > 1) {
        rx_error(rx, 21);
    }
}

static void
push_or_queue(struct rx *rx, const struct rx_clause *c, int lifo)
{
    struct rx_val v = rest_value(rx, c, 1);
    if (RX_TRACING_RESULTS(rx->fr->trace)) {
        rx_trace_val(rx, ">>>", v);
    }
    rx_push(rx, v, lifo);
}

static void
i_push(struct rx *rx, const struct rx_clause *c)
{
    push_or_queue(rx, c, 1);
}

static void
i_queue(struct rx *rx, const struct rx_clause *c)
{
    push_or_queue(rx, c, 0);
}

/* Calls fn for each name of a DROP/UPPER list (indirect "(var)" lists too). */
static void
name_list(struct rx *rx, const struct rx_clause *c, void (*fn)(struct rx *, struct rx_val))
{
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    for (uint32_t k = 1; k < c->ntok; k++) {
        if (t[k].type == T_SYM) {
            fn(rx, rx_var_name(rx, t[k].s, t[k].n));
        } else if (t[k].type == T_LP && k + 2 < c->ntok && t[k + 1].type == T_SYM &&
                   t[k + 2].type == T_RP) {
            struct rx_val list = rx_sym_value(rx, t[k + 1].s, t[k + 1].n);
            list = rx_tmpcopy(rx, list.s, list.n);
            size_t ws, wl;
            for (long w = 1; rx_word(list, w, &ws, &wl); w++) {
                char *u = rx_tmp(rx, wl + 1);
                for (size_t q = 0; q < wl; q++) {
                    char ch = list.s[ws + q];
                    u[q] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
                }
                fn(rx, rx_var_name(rx, u, wl));
            }
            k += 2;
        } else {
            rx_error(rx, 20);
        }
    }
}

static void
drop_one(struct rx *rx, struct rx_val name)
{
    rx_var_drop(rx, name.s, name.n);
}

static void
upper_one(struct rx *rx, struct rx_val name)
{
    struct rx_val v;
    if (rx_var_get(rx, name.s, name.n, &v)) {
        char *u = rx_tmp(rx, v.n + 1);
        for (size_t q = 0; q < v.n; q++) {
            char ch = v.s[q];
            u[q] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
        }
        struct rx_val nv = {u, v.n};
        rx_var_set(rx, name.s, name.n, nv);
    }
}

static void
i_drop(struct rx *rx, const struct rx_clause *c)
{
    name_list(rx, c, drop_one);
}

static void
i_upper(struct rx *rx, const struct rx_clause *c)
{
    name_list(rx, c, upper_one);
}

/* PARSE [UPPER] ARG|PULL|VAR name|VALUE expr WITH|SOURCE|VERSION template */
static void
parse_from(struct rx *rx, const struct rx_clause *c, uint32_t k, int upper)
{
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    uint32_t end = c->ntok;
    if (k >= end || t[k].type != T_SYM) {
        rx_error(rx, 25);
    }
    struct rx_val one;
    struct rx_val *srcs = &one;
    int nsrc = 1;
    uint32_t tmpl = k + 1;
    if (rx_tok_is(&t[k], "ARG")) {
        srcs = rx->fr->args;
        nsrc = rx->fr->nargs;
        if (nsrc == 0) {
            one = rx_cstr("");
            srcs = &one;
            nsrc = 1;
        }
    } else if (rx_tok_is(&t[k], "PULL")) {
        one = rx_pull_line(rx);
    } else if (rx_tok_is(&t[k], "VAR")) {
        if (k + 1 >= end || t[k + 1].type != T_SYM) {
            rx_error(rx, 20);
        }
        one = rx_sym_value(rx, t[k + 1].s, t[k + 1].n);
        one = rx_tmpcopy(rx, one.s, one.n);
        tmpl = k + 2;
    } else if (rx_tok_is(&t[k], "VALUE")) {
        uint32_t w = k + 1;
        int depth = 0;
        while (w < end && !(depth == 0 && rx_tok_is(&t[w], "WITH"))) {
            depth += t[w].type == T_LP ? 1 : t[w].type == T_RP ? -1 : 0;
            w++;
        }
        if (w == end) {
            rx_error(rx, 25);
        }
        one = rx_eval(rx, c->tok + k + 1, c->tok + w);
        tmpl = w + 1;
    } else if (rx_tok_is(&t[k], "SOURCE")) {
        one = rx_fmt(rx, "CMS COMMAND %s EXEC %s %s CMS", rx->fn, rx->fm, rx->fn);
    } else if (rx_tok_is(&t[k], "VERSION")) {
        one = rx_cstr("REXX-VMRV 1.00 25 Nov 2026");
    } else {
        rx_error(rx, 25);
    }
    rx_parse_template(rx, srcs, nsrc, c->tok + tmpl, c->tok + end, upper);
}

static void
i_parse(struct rx *rx, const struct rx_clause *c)
{
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    int upper = c->ntok > 1 && rx_tok_is(&t[1], "UPPER");
    parse_from(rx, c, upper ? 2 : 1, upper);
}

static void
i_pull(struct rx *rx, const struct rx_clause *c)
{
    struct rx_val line = rx_pull_line(rx);
    rx_parse_template(rx, &line, 1, c->tok + 1, c->tok + c->ntok, 1);
}

static void
i_arg(struct rx *rx, const struct rx_clause *c)
{
    struct rx_val one = rx_cstr("");
    struct rx_val *srcs = rx->fr->args;
    int n = rx->fr->nargs;
    if (n == 0) {
        srcs = &one;
        n = 1;
    }
    rx_parse_template(rx, srcs, n, c->tok + 1, c->tok + c->ntok, 1);
}

static void
i_numeric(struct rx *rx, const struct rx_clause *c)
{
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    if (c->ntok < 2) {
        rx_error(rx, 25);
    }
    if (rx_tok_is(&t[1], "DIGITS") || rx_tok_is(&t[1], "FUZZ")) {
        int digits = rx_tok_is(&t[1], "DIGITS");
        long v = c->ntok > 2 ? rx_whole(rx, rest_value(rx, c, 2)) : (digits ? 9 : 0);
        if (digits) {
            if (v < 1 || v > RX_MAX_DIGITS || v <= rx->fr->fuzz) {
                rx_error(rx, 33);
            }
            rx->fr->digits = (int)v;
        } else {
            if (v < 0 || v >= rx->fr->digits) {
                rx_error(rx, 33);
            }
            rx->fr->fuzz = (int)v;
        }
    } else if (rx_tok_is(&t[1], "FORM")) {
        rx->fr->form_eng = c->ntok > 2 && rx_tok_is(&t[2], "ENGINEERING");
    } else {
        rx_error(rx, 25);
    }
}

static void
set_env(struct rx *rx, struct rx_val name)
{
    if (name.n == 0 || name.n > 8) {
        rx_error(rx, 29);
    }
    memcpy(rx->fr->address_prev, rx->fr->address, sizeof rx->fr->address);
    for (size_t i = 0; i < name.n; i++) {
        char ch = name.s[i];
        rx->fr->address[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
    }
    rx->fr->address[name.n] = '\0';
}

static void run_command(struct rx *rx, const char *env, struct rx_val cmd);

static void
i_address(struct rx *rx, const struct rx_clause *c)
{
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    if (c->ntok == 1) {
        char tmp[9];
        memcpy(tmp, rx->fr->address, sizeof tmp);
        memcpy(rx->fr->address, rx->fr->address_prev, sizeof tmp);
        memcpy(rx->fr->address_prev, tmp, sizeof tmp);
        return;
    }
    if (rx_tok_is(&t[1], "VALUE")) {
        set_env(rx, rest_value(rx, c, 2));
        return;
    }
    if (t[1].type != T_SYM && t[1].type != T_STR) {
        rx_error(rx, 19);
    }
    struct rx_val name = {t[1].s, t[1].n};
    if (c->ntok == 2) {
        set_env(rx, name);
        return;
    }
    char env[9];
    if (name.n > 8) {
        rx_error(rx, 29);
    }
    for (size_t i = 0; i < name.n; i++) {
        char ch = name.s[i];
        env[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
    }
    env[name.n] = '\0';
    struct rx_val cmd = rest_value(rx, c, 2);
    if (RX_TRACING_RESULTS(rx->fr->trace)) {
        rx_trace_val(rx, ">>>", cmd);
    }
    run_command(rx, env, cmd);
}

static void
i_trace(struct rx *rx, const struct rx_clause *c)
{
    const struct rx_tok *t = &rx->pg->tok[c->tok];
    struct rx_val v = rx_cstr("");
    if (c->ntok >= 2 && rx_tok_is(&t[1], "VALUE")) {
        v = rest_value(rx, c, 2);
    } else if (c->ntok == 2 && (t[1].type == T_SYM || t[1].type == T_STR || t[1].type == T_NUM)) {
        v.s = t[1].s;
        v.n = t[1].n;
    } else if (c->ntok > 2) {
        v = rest_value(rx, c, 1);
    }
    rx->fr->trace = rx_trace_parse(rx, v);
}

static void
run_command(struct rx *rx, const char *env, struct rx_val cmd)
{
    int trace = rx->fr->trace;
    const struct rx_clause *cl = rx->cur_pg != NULL ? &rx->cur_pg->cl[rx->cur_cl] : NULL;
    if (trace == TR_COMMANDS && cl != NULL) {
        rx_trace_clause(rx, cl);
        rx_trace_val(rx, ">>>", cmd);
    }
    int rc = rx_env_command(rx, env, cmd);
    rx_var_set_int(rx, "RC", rc);
    if ((rc < 0 && trace != TR_OFF) || (rc > 0 && trace != TR_OFF && trace != TR_NORMAL)) {
        if (cl != NULL && trace < TR_RESULTS && trace != TR_COMMANDS) {
            rx_trace_clause(rx, cl);
        }
        char buf[48];
        int n = snprintf(buf, sizeof buf, "       +++ RC(%d) +++", rc);
        rx_say(rx, buf, (size_t)n);
    }
    if (rc > 0) {
        rx_condition(rx, C_ERROR, cmd);
    } else if (rc < 0) {
        rx_condition(rx, C_FAILURE, cmd);
    }
}

void
rx_command(struct rx *rx, struct rx_val cmd)
{
    run_command(rx, rx->fr->address, cmd);
}

/* The handlers by clause kind (a direct index: rx_exec asks per clause). */
static const rx_instr_fn instrs[K_WHEN + 1] = {
    [K_SAY] = i_say,         [K_NOP] = i_nop,         [K_PUSH] = i_push,
    [K_QUEUE] = i_queue,     [K_DROP] = i_drop,       [K_UPPER] = i_upper,
    [K_PARSE] = i_parse,     [K_PULL] = i_pull,       [K_ARG] = i_arg,
    [K_NUMERIC] = i_numeric, [K_ADDRESS] = i_address, [K_TRACE] = i_trace,
};

rx_instr_fn
rx_instr_handler(int kind)
{
    return kind >= 0 && kind <= K_WHEN ? instrs[kind] : NULL;
}
