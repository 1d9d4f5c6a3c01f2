// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_var.c - variables.
 *
 * A pool is a hash table of variables by derived name: "X", "STEM." (the
 * stem's default value), "STEM.1.J" (a compound whose tail symbols have
 * been replaced by their values).  The main program has one pool; an
 * internal routine that says PROCEDURE gets a new pool whose parent is the
 * caller's.  PROCEDURE EXPOSE marks names in the new pool as exposed: a
 * lookup of an exposed name (or of any compound of an exposed stem) goes
 * on in the parent pool.  Values are tracked blocks reused on assignment.
 * A token of a simple symbol caches its variable (rx_tok_value, rx_tok_set)
 * with the current pool's serial; a new pool and every EXPOSE take a new
 * serial, and variables live as long as their pool, so a cached pointer
 * is used only while it is what a lookup by name would find.
 */
#include <string.h>

#include "cms/exec/rexx.h"

/* One block per variable: the struct, a small value buffer, the name.
 * A longer value gets a block of its own (val then points there). */
#define INLINE_VAL 16
struct rx_var {
    struct rx_var *next;
    char *val;
    uint32_t nlen, vlen, vcap;
    uint8_t has;
    uint8_t exposed;
    char inl[INLINE_VAL];
    char name[];
};

struct rx_pool {
    struct rx_pool *parent;
    uint64_t serial; /* new for every pool and every EXPOSE (token caches) */
    struct rx_var **tab;
    size_t cap, count;
};

static uint64_t pool_serial; /* never wraps in practice */

static uint64_t
next_serial(void)
{
    return ++pool_serial; /* from 1: 0 is never valid in a token */
}

static uint32_t
hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

struct rx_pool *
rx_pool_new(struct rx *rx, struct rx_pool *parent)
{
    struct rx_pool *p = rx_alloc(rx, sizeof *p);
    p->parent = parent;
    p->serial = next_serial();
    p->cap = 64;
    p->tab = rx_alloc(rx, p->cap * sizeof *p->tab);
    return p;
}

void
rx_pool_free(struct rx *rx, struct rx_pool *p)
{
    for (size_t i = 0; i < p->cap; i++) {
        struct rx_var *v = p->tab[i];
        while (v != NULL) {
            struct rx_var *next = v->next;
            if (v->val != v->inl) {
                rx_free(rx, v->val);
            }
            rx_free(rx, v);
            v = next;
        }
    }
    rx_free(rx, p->tab);
    rx_free(rx, p);
}

static void
grow(struct rx *rx, struct rx_pool *p)
{
    size_t ncap = p->cap * 2;
    struct rx_var **nt = rx_alloc(rx, ncap * sizeof *nt);
    for (size_t i = 0; i < p->cap; i++) {
        struct rx_var *v = p->tab[i];
        while (v != NULL) {
            struct rx_var *next = v->next;
            size_t h = hash(v->name, v->nlen) & (ncap - 1);
            v->next = nt[h];
            nt[h] = v;
            v = next;
        }
    }
    rx_free(rx, p->tab);
    p->tab = nt;
    p->cap = ncap;
}

static struct rx_var *
find(struct rx *rx, struct rx_pool *p, const char *name, size_t n, int create)
{
    size_t h = hash(name, n) & (p->cap - 1);
    for (struct rx_var *v = p->tab[h]; v != NULL; v = v->next) {
        if (v->nlen == n && memcmp(v->name, name, n) == 0) {
            return v;
        }
    }
    if (!create) {
        return NULL;
    }
    if (p->count * 2 > p->cap) {
        grow(rx, p);
        h = hash(name, n) & (p->cap - 1);
    }
    struct rx_var *v = rx_alloc(rx, sizeof *v + n + 1);
    memcpy(v->name, name, n);
    v->nlen = (uint32_t)n;
    v->val = v->inl;
    v->vcap = INLINE_VAL;
    v->next = p->tab[h];
    p->tab[h] = v;
    p->count++;
    return v;
}

/* The length of the stem part ("ABC." of "ABC.X"), or 0 if none. */
static inline size_t
stem_len(const char *name, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (name[i] == '.') {
            return i + 1;
        }
    }
    return 0;
}

/* The pool that really holds name (following EXPOSE). */
static struct rx_pool *
owner(struct rx *rx, const char *name, size_t n)
{
    struct rx_pool *p = rx->pool;
    if (p->parent == NULL) {
        return p; /* no PROCEDURE: nothing can be exposed */
    }
    size_t sl = stem_len(name, n);
    while (p->parent != NULL) {
        struct rx_var *v = NULL;
        if (sl > 0 && sl < n) {
            v = find(rx, p, name, sl, 0);
        }
        if (v == NULL || !v->exposed) {
            v = find(rx, p, name, n, 0);
        }
        if (v == NULL || !v->exposed) {
            break;
        }
        p = p->parent;
    }
    return p;
}

int
rx_var_get(struct rx *rx, const char *name, size_t n, struct rx_val *out)
{
    struct rx_pool *p = owner(rx, name, n);
    struct rx_var *v = find(rx, p, name, n, 0);
    if (v != NULL && v->has) {
        out->s = v->val;
        out->n = v->vlen;
        return 1;
    }
    size_t sl = stem_len(name, n);
    if (sl > 0 && sl < n) {
        v = find(rx, p, name, sl, 0);
        if (v != NULL && v->has) {
            out->s = v->val;
            out->n = v->vlen;
            return 1;
        }
    }
    return 0;
}

/* Drops every compound of the stem (sl characters of name) in p. */
static void
drop_compounds(struct rx *rx, struct rx_pool *p, const char *name, size_t sl)
{
    for (size_t i = 0; i < p->cap; i++) {
        for (struct rx_var *v = p->tab[i]; v != NULL; v = v->next) {
            if (v->nlen > sl && memcmp(v->name, name, sl) == 0 && !v->exposed) {
                v->has = 0;
            }
        }
    }
}

static void
set_value(struct rx *rx, struct rx_var *v, struct rx_val val)
{
    if (val.n > 0xfffffff0u) {
        rx_error(rx, 5);
    }
    if (v->vcap < val.n + 1) {
        char *nv = rx_alloc(rx, val.n + 16);
        memcpy(nv, val.s, val.n);
        if (v->val != v->inl) {
            rx_free(rx, v->val);
        }
        v->val = nv;
        v->vcap = (uint32_t)val.n + 16;
    } else {
        memmove(v->val, val.s, val.n);
    }
    v->val[val.n] = '\0';
    v->vlen = (uint32_t)val.n;
    v->has = 1;
}

void
rx_var_set(struct rx *rx, const char *name, size_t n, struct rx_val val)
{
    struct rx_pool *p = owner(rx, name, n);
    struct rx_var *v = find(rx, p, name, n, 1);
    set_value(rx, v, val);
    if (n > 0 && name[n - 1] == '.' && stem_len(name, n) == n) {
        /* a stem: every compound takes the new default */
        drop_compounds(rx, p, name, n);
    }
}

void
rx_var_drop(struct rx *rx, const char *name, size_t n)
{
    struct rx_pool *p = owner(rx, name, n);
    struct rx_var *v = find(rx, p, name, n, 0);
    if (v != NULL) {
        v->has = 0;
    }
    if (stem_len(name, n) == n) {
        drop_compounds(rx, p, name, n);
    }
}

void
rx_var_expose(struct rx *rx, const char *name, size_t n)
{
    struct rx_var *v = find(rx, rx->pool, name, n, 1);
    v->exposed = 1;
    rx->pool->serial = next_serial(); /* lookups may now go elsewhere */
}

void
rx_var_set_c(struct rx *rx, const char *name, struct rx_val v)
{
    rx_var_set(rx, name, strlen(name), v);
}

void
rx_var_set_int(struct rx *rx, const char *name, long long v)
{
    struct rx_mark m = rx_mark(rx);
    rx_var_set_c(rx, name, rx_int(rx, v));
    rx_release(rx, m);
}

struct rx_val
rx_var_name(struct rx *rx, const char *sym, size_t n)
{
    size_t sl = stem_len(sym, n);
    if (sl == 0 || sl == n) {
        struct rx_val v = {sym, n};
        return v;
    }
    /* substitute the tail's simple symbols */
    size_t cap = n + 64, o = 0;
    char *out = rx_tmp(rx, cap);
    memcpy(out, sym, sl);
    o = sl;
    size_t i = sl;
    while (i <= n) {
        size_t j = i;
        while (j < n && sym[j] != '.') {
            j++;
        }
        struct rx_val part = {sym + i, j - i};
        if (j > i && !(sym[i] >= '0' && sym[i] <= '9')) {
            struct rx_val val;
            if (rx_var_get(rx, sym + i, j - i, &val)) {
                part = val;
            }
        }
        if (o + part.n + 2 > cap) {
            size_t ncap = (o + part.n + 2) * 2;
            char *nb = rx_tmp(rx, ncap);
            memcpy(nb, out, o);
            out = nb;
            cap = ncap;
        }
        memcpy(out + o, part.s, part.n);
        o += part.n;
        if (j < n) {
            out[o++] = '.';
        }
        i = j + 1;
    }
    out[o] = '\0';
    struct rx_val v = {out, o};
    return v;
}

struct rx_val
rx_sym_value(struct rx *rx, const char *sym, size_t n)
{
    struct rx_val name = rx_var_name(rx, sym, n);
    struct rx_val v;
    if (rx_var_get(rx, name.s, name.n, &v)) {
        return v;
    }
    rx_condition(rx, C_NOVALUE, name);
    return name;
}

/* The variable of a simple symbol's token, from its cache when the pool
 * is still the one it was found in; NULL if there is none (create 0). */
static struct rx_var *
tok_var(struct rx *rx, const struct rx_tok *t, int create)
{
    struct rx_tok *mt = (struct rx_tok *)t; /* the cache fields only */
    if (mt->cpool == rx->pool->serial && mt->cvar != NULL) {
        return mt->cvar;
    }
    struct rx_pool *p = owner(rx, t->s, t->n);
    struct rx_var *v = find(rx, p, t->s, t->n, create);
    if (v != NULL) {
        mt->cvar = v;
        mt->cpool = rx->pool->serial;
    }
    return v;
}

static int
tok_simple(const struct rx_tok *t)
{
    if (t->simple == 0) {
        ((struct rx_tok *)t)->simple = stem_len(t->s, t->n) == 0 ? 1 : 2;
    }
    return t->simple == 1;
}

int
rx_tok_get(struct rx *rx, const struct rx_tok *t, struct rx_val *out)
{
    if (!tok_simple(t)) {
        struct rx_val name = rx_var_name(rx, t->s, t->n);
        return rx_var_get(rx, name.s, name.n, out);
    }
    struct rx_var *v = tok_var(rx, t, 0);
    if (v != NULL && v->has) {
        out->s = v->val;
        out->n = v->vlen;
        return 1;
    }
    return 0;
}

struct rx_val
rx_tok_value(struct rx *rx, const struct rx_tok *t)
{
    if (!tok_simple(t)) {
        return rx_sym_value(rx, t->s, t->n);
    }
    struct rx_var *v = tok_var(rx, t, 0);
    if (v != NULL && v->has) {
        struct rx_val r = {v->val, v->vlen};
        return r;
    }
    struct rx_val name = {t->s, t->n};
    rx_condition(rx, C_NOVALUE, name);
    return name;
}

void
rx_tok_set(struct rx *rx, const struct rx_tok *t, struct rx_val v)
{
    if (!tok_simple(t)) {
        struct rx_val name = rx_var_name(rx, t->s, t->n);
        rx_var_set(rx, name.s, name.n, v);
        return;
    }
    set_value(rx, tok_var(rx, t, 1), v);
}

int
rx_valid_symbol(const char *s, size_t n)
{
    if (n == 0 || n > 250) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '!' || c == '?' || c == '_' || c == '@' || c == '#' || c == '$')) {
            return 0;
        }
    }
    return 1;
}
