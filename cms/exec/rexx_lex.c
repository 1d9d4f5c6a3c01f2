// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_lex.c - source text to tokens and clauses.
 *
 * A clause ends at a semicolon or a line end (a comma last on a line, after
 * blanks and comments, continues the clause).  Comments nest.  Symbols are
 * kept in upper case; strings are decoded ('' and "" doubled, 'hh'X and
 * '01'B strings).  Then the clauses are split as REXX implies: "lab:" is a
 * label clause of its own, THEN ends the expression of IF and WHEN, and
 * THEN, ELSE and OTHERWISE are clauses of their own, so that rexx_run.c
 * sees one instruction per clause.  Last, DO and SELECT are matched with
 * their END (error 10 for an unmatched END, 14 for a missing one).
 */
#include <string.h>

#include "cms/exec/rexx.h"

static int
sym_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '!' || c == '?' || c == '_' || c == '@' || c == '#' || c == '$';
}

static char
upc(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
}

int
rx_tok_is(const struct rx_tok *t, const char *kw)
{
    size_t n = strlen(kw);
    return t->type == T_SYM && t->n == n && memcmp(t->s, kw, n) == 0;
}

static struct rx_tok *
add_tok(struct rx *rx, struct rx_prog *pg)
{
    if (pg->ntok == pg->captok) {
        pg->captok = pg->captok ? pg->captok * 2 : 256;
        pg->tok = rx_realloc(rx, pg->tok, pg->captok * sizeof *pg->tok);
    }
    struct rx_tok *t = &pg->tok[pg->ntok++];
    memset(t, 0, sizeof *t);
    return t;
}

static struct rx_clause *
add_clause(struct rx *rx, struct rx_prog *pg)
{
    if (pg->ncl == pg->capcl) {
        pg->capcl = pg->capcl ? pg->capcl * 2 : 64;
        pg->cl = rx_realloc(rx, pg->cl, pg->capcl * sizeof *pg->cl);
    }
    struct rx_clause *c = &pg->cl[pg->ncl++];
    memset(c, 0, sizeof *c);
    c->match = -1;
    return c;
}

static const struct {
    const char *s;
    uint8_t op;
} ops[] = {
    {"\\==", OP_SNE}, {">>=", OP_SGE}, {"<<=", OP_SLE}, {"\\>>", OP_SLE}, {"\\<<", OP_SGE},
    {"**", OP_POW},   {"//", OP_REM},  {"||", OP_CAT},  {"&&", OP_XOR},  {"==", OP_SEQ},
    {"\\=", OP_NE},   {">=", OP_GE},   {"<=", OP_LE},   {"<>", OP_NE},   {"><", OP_NE},
    {">>", OP_SGT},   {"<<", OP_SLT},  {"\\>", OP_LE},  {"\\<", OP_GE},  {"+", OP_ADD},
    {"-", OP_SUB},    {"*", OP_MUL},   {"/", OP_DIV},   {"%", OP_IDIV},  {"=", OP_EQ},
    {">", OP_GT},     {"<", OP_LT},    {"&", OP_AND},   {"|", OP_OR},    {"\\", OP_NOT},
};

/* Skips blanks and comments from *pp; returns 1 if any were skipped. */
static int
skip_blank(struct rx *rx, const char **pp, const char *end, uint32_t *line)
{
    const char *p = *pp;
    int any = 0;
    for (;;) {
        if (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) {
            p++;
            any = 1;
        } else if (p + 1 < end && p[0] == '/' && p[1] == '*') {
            int depth = 0;
            uint32_t startline = *line;
            while (p < end) {
                if (p + 1 < end && p[0] == '/' && p[1] == '*') {
                    depth++;
                    p += 2;
                } else if (p + 1 < end && p[0] == '*' && p[1] == '/') {
                    depth--;
                    p += 2;
                    if (depth == 0) {
                        break;
                    }
                } else {
                    if (*p == '\n') {
                        (*line)++;
                    }
                    p++;
                }
            }
            if (depth != 0) {
                rx->cur_line = startline;
                rx_error(rx, 6);
            }
            any = 1;
        } else {
            break;
        }
    }
    *pp = p;
    return any;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = upc(c);
    return (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* Decodes a hex ('X') or binary ('B') string in place of t. */
static void
decode_xb(struct rx *rx, struct rx_tok *t, char kind)
{
    char *out = rx_alloc(rx, t->n / 2 + 2);
    size_t no = 0, ndig = 0;
    int bits = kind == 'X' ? 4 : 1;
    /* count digits to know the first byte's width */
    for (size_t i = 0; i < t->n; i++) {
        char c = t->s[i];
        if (c == ' ') {
            continue;
        }
        if ((kind == 'X' && hexval(c) < 0) || (kind == 'B' && c != '0' && c != '1')) {
            rx_error(rx, 15);
        }
        ndig++;
    }
    size_t per = 8 / bits;
    size_t first = ndig % per == 0 ? per : ndig % per;
    unsigned acc = 0;
    size_t k = 0, want = first;
    for (size_t i = 0; i < t->n; i++) {
        char c = t->s[i];
        if (c == ' ') {
            continue;
        }
        acc = (acc << bits) | (unsigned)(kind == 'X' ? hexval(c) : c - '0');
        if (++k == want) {
            out[no++] = (char)acc;
            acc = 0;
            k = 0;
            want = per;
        }
    }
    t->s = out;
    t->n = (uint32_t)no;
    t->hexstr = 1;
}

/* Tokenizes src into pg; clause boundaries are T_COLON-free markers kept
 * as clause records. */
static void
tokenize(struct rx *rx, struct rx_prog *pg, const char *src, size_t len, uint32_t line0)
{
    const char *p = src, *end = src + len;
    uint32_t line = line0;
    struct rx_clause *c = NULL;
    int blank = 0;
    while (p <= end) {
        blank = skip_blank(rx, &p, end, &line);
        if (p >= end || *p == '\n' || *p == ';') {
            if (c != NULL) {
                if (pg->ntok - c->tok > 65535) {
                    rx_error(rx, 49);
                }
                c->ntok = (uint16_t)(pg->ntok - c->tok);
                c = NULL;
            }
            if (p >= end) {
                break;
            }
            if (*p == '\n') {
                line++;
            }
            p++;
            continue;
        }
        rx->cur_line = line;
        if (c == NULL) {
            c = add_clause(rx, pg);
            c->tok = (uint32_t)pg->ntok;
            c->line = line;
            c->src = p;
        }
        /* a comma last on the line continues the clause */
        if (*p == ',') {
            const char *q = p + 1;
            uint32_t l2 = line;
            skip_blank(rx, &q, end, &l2);
            if (q >= end || *q == '\n') {
                line = l2;
                p = q < end ? q + 1 : q;
                line++;
                continue;
            }
        }
        struct rx_tok *t = add_tok(rx, pg);
        t->blank = (uint8_t)blank;
        const char *start = p;
        if (*p == '\'' || *p == '"') {
            char q = *p++;
            char *buf = NULL;
            size_t n = 0;
            const char *s0 = p;
            /* first pass: length */
            while (p < end && *p != '\n') {
                if (*p == q) {
                    if (p + 1 < end && p[1] == q) {
                        p += 2;
                        n++;
                        continue;
                    }
                    break;
                }
                p++;
                n++;
            }
            if (p >= end || *p != q) {
                rx_error(rx, 6);
            }
            buf = rx_alloc(rx, n + 1);
            n = 0;
            for (const char *r = s0; r < p; r++) {
                buf[n++] = *r;
                if (*r == q) {
                    r++;
                }
            }
            p++;
            t->type = T_STR;
            t->s = buf;
            t->n = (uint32_t)n;
            if (p < end && (upc(*p) == 'X' || upc(*p) == 'B') && (p + 1 >= end || !sym_char(p[1]))) {
                decode_xb(rx, t, upc(*p));
                p++;
            }
        } else if (sym_char(*p)) {
            int isnum = (*p >= '0' && *p <= '9') || (*p == '.' && p + 1 < end && p[1] >= '0' && p[1] <= '9');
            while (p < end && sym_char(*p)) {
                p++;
                /* 1E+5: an exponent sign inside a number */
                if (isnum && p + 1 < end && (p[0] == '+' || p[0] == '-') && upc(p[-1]) == 'E' &&
                    p[1] >= '0' && p[1] <= '9') {
                    int ok = 1;
                    for (const char *r = start; r < p - 1; r++) {
                        if (!((*r >= '0' && *r <= '9') || *r == '.')) {
                            ok = 0;
                        }
                    }
                    if (ok) {
                        p++;
                    }
                }
            }
            size_t n = (size_t)(p - start);
            char *buf = rx_alloc(rx, n + 1);
            for (size_t i = 0; i < n; i++) {
                buf[i] = upc(start[i]);
            }
            t->type = isnum || (*start >= '0' && *start <= '9') || *start == '.' ? T_NUM : T_SYM;
            t->s = buf;
            t->n = (uint32_t)n;
        } else if (*p == '(') {
            t->type = T_LP;
            p++;
        } else if (*p == ')') {
            t->type = T_RP;
            p++;
        } else if (*p == ',') {
            t->type = T_COMMA;
            p++;
        } else if (*p == ':') {
            t->type = T_COLON;
            p++;
        } else {
            size_t i;
            for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
                size_t n = strlen(ops[i].s);
                if ((size_t)(end - p) >= n && memcmp(p, ops[i].s, n) == 0) {
                    break;
                }
            }
            if (i == sizeof ops / sizeof ops[0]) {
                rx_error(rx, 13);
            }
            t->type = T_OP;
            t->op = ops[i].op;
            p += strlen(ops[i].s);
        }
        if (t->s == NULL) {
            t->s = start;
            t->n = (uint32_t)(p - start);
        }
        c->srclen = (uint32_t)(p - c->src);
    }
    if (c != NULL) {
        if (pg->ntok - c->tok > 65535) {
            rx_error(rx, 49);
        }
        c->ntok = (uint16_t)(pg->ntok - c->tok);
    }
}

static const struct {
    const char *kw;
    uint8_t kind;
} keywords[] = {
    {"ADDRESS", K_ADDRESS},   {"ARG", K_ARG},       {"CALL", K_CALL},
    {"DO", K_DO},             {"DROP", K_DROP},     {"ELSE", K_ELSE},
    {"END", K_END},           {"EXIT", K_EXIT},     {"IF", K_IF},
    {"INTERPRET", K_INTERPRET}, {"ITERATE", K_ITERATE}, {"LEAVE", K_LEAVE},
    {"NOP", K_NOP},           {"NUMERIC", K_NUMERIC}, {"OTHERWISE", K_OTHERWISE},
    {"PARSE", K_PARSE},       {"PROCEDURE", K_PROCEDURE}, {"PULL", K_PULL},
    {"PUSH", K_PUSH},         {"QUEUE", K_QUEUE},   {"RETURN", K_RETURN},
    {"SAY", K_SAY},           {"SELECT", K_SELECT}, {"SIGNAL", K_SIGNAL},
    {"THEN", K_THEN},         {"TRACE", K_TRACE},   {"UPPER", K_UPPER},
    {"WHEN", K_WHEN},
};

static int
classify(const struct rx_tok *t, int ntok)
{
    if (ntok == 0) {
        return K_NULL;
    }
    if (t[0].type == T_SYM && ntok >= 2 && t[1].type == T_OP && t[1].op == OP_EQ) {
        return K_ASSIGN;
    }
    if (t[0].type == T_SYM) {
        for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
            if (rx_tok_is(&t[0], keywords[i].kw)) {
                return keywords[i].kind;
            }
        }
    }
    return K_CMD;
}

/* Splits clause ci after token k (relative): the rest becomes a new clause
 * right after it. */
static void
split_after(struct rx *rx, struct rx_prog *pg, size_t ci, uint32_t k)
{
    add_clause(rx, pg);
    memmove(&pg->cl[ci + 2], &pg->cl[ci + 1], (pg->ncl - ci - 2) * sizeof *pg->cl);
    struct rx_clause *a = &pg->cl[ci], *b = &pg->cl[ci + 1];
    *b = *a;
    b->tok = a->tok + k;
    b->ntok = (uint16_t)(a->ntok - k);
    a->ntok = (uint16_t)k;
    const struct rx_tok *t = &pg->tok[b->tok];
    /* the new clause's source: from its first token */
    if (t->type != T_STR && t->s >= a->src && t->s < a->src + a->srclen) {
        b->src = t->s;
        b->srclen = a->srclen - (uint32_t)(t->s - a->src);
    }
    b->match = -1;
}

static void
split_clauses(struct rx *rx, struct rx_prog *pg)
{
    for (size_t ci = 0; ci < pg->ncl; ci++) {
        struct rx_clause *c = &pg->cl[ci];
        struct rx_tok *t = &pg->tok[c->tok];
        if (c->ntok >= 2 && t[0].type == T_SYM && t[1].type == T_COLON) {
            if (c->ntok > 2) {
                split_after(rx, pg, ci, 2);
                c = &pg->cl[ci];
            }
            c->kind = K_LABEL;
            c->ntok = 1;
            continue;
        }
        c->kind = (uint8_t)classify(t, c->ntok);
        if ((c->kind == K_THEN || c->kind == K_ELSE || c->kind == K_OTHERWISE) && c->ntok > 1) {
            split_after(rx, pg, ci, 1);
        } else if (c->kind == K_IF || c->kind == K_WHEN) {
            int depth = 0;
            for (uint32_t k = 1; k < c->ntok; k++) {
                if (t[k].type == T_LP) {
                    depth++;
                } else if (t[k].type == T_RP) {
                    depth--;
                } else if (depth == 0 && rx_tok_is(&t[k], "THEN")) {
                    split_after(rx, pg, ci, k);
                    break;
                }
            }
        }
    }
}

/* Matches DO/SELECT with END, IF/WHEN with THEN. */
static void
match_blocks(struct rx *rx, struct rx_prog *pg)
{
    uint32_t stack[256];
    int sp = 0;
    for (size_t ci = 0; ci < pg->ncl; ci++) {
        struct rx_clause *c = &pg->cl[ci];
        if (c->kind == K_DO || c->kind == K_SELECT) {
            if (sp == (int)(sizeof stack / sizeof stack[0])) {
                rx->cur_line = c->line;
                rx_error(rx, 11);
            }
            stack[sp++] = (uint32_t)ci;
        } else if (c->kind == K_END) {
            if (sp == 0) {
                rx->cur_line = c->line;
                rx_error(rx, 10);
            }
            uint32_t o = stack[--sp];
            pg->cl[o].match = (int32_t)ci;
            c->match = (int32_t)o;
        } else if ((c->kind == K_IF || c->kind == K_WHEN)) {
            if (ci + 1 >= pg->ncl || pg->cl[ci + 1].kind != K_THEN) {
                rx->cur_line = c->line;
                rx_error(rx, 18);
            }
            c->match = (int32_t)ci + 1;
        }
    }
    if (sp > 0) {
        rx->cur_line = pg->cl[stack[sp - 1]].line;
        rx_error(rx, 14);
    }
}

void
rx_lex(struct rx *rx, struct rx_prog *pg, const char *src, size_t len, uint32_t line0)
{
    tokenize(rx, pg, src, len, line0);
    split_clauses(rx, pg);
    match_blocks(rx, pg);
}
