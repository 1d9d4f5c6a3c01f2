// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_bif.c - the built-in string and word functions, the table
 * lookup of every built-in, and the argument helpers.  Numbers, conversions
 * and the system functions are in rexx_bif2.c.
 *
 * A built-in gets its arguments (given[i] says whether argument i was
 * written) and returns a scratch string.  Bad arguments are error 40.
 */
#include <string.h>

#include "cms/exec/rexx.h"

typedef struct rx_val V;

static V
mk(struct rx *rx, size_t n, char **p)
{
    *p = rx_tmp(rx, n + 1);
    (*p)[n] = '\0';
    V v = {*p, n};
    return v;
}

long
rx_arg_whole(struct rx *rx, V *a, uint8_t *given, int i, long dflt, long min)
{
    if (!given[i]) {
        return dflt;
    }
    long v;
    if (!rx_try_whole(rx, a[i], &v) || v < min) {
        rx_error(rx, 40);
    }
    return v;
}

char
rx_arg_pad(struct rx *rx, V *a, uint8_t *given, int i)
{
    if (!given[i]) {
        return ' ';
    }
    if (a[i].n != 1) {
        rx_error(rx, 40);
    }
    return a[i].s[0];
}

char
rx_arg_opt(struct rx *rx, V *a, uint8_t *given, int i, char dflt)
{
    if (!given[i]) {
        return dflt;
    }
    if (a[i].n == 0) {
        rx_error(rx, 40);
    }
    char c = a[i].s[0];
    return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
}

int
rx_word(V s, long i, size_t *start, size_t *len)
{
    size_t p = 0;
    for (long w = 1;; w++) {
        while (p < s.n && s.s[p] == ' ') {
            p++;
        }
        if (p == s.n) {
            return 0;
        }
        size_t b = p;
        while (p < s.n && s.s[p] != ' ') {
            p++;
        }
        if (w == i) {
            *start = b;
            *len = p - b;
            return 1;
        }
    }
}

long
rx_words(V s)
{
    long n = 0;
    size_t p = 0;
    for (;;) {
        while (p < s.n && s.s[p] == ' ') {
            p++;
        }
        if (p == s.n) {
            return n;
        }
        n++;
        while (p < s.n && s.s[p] != ' ') {
            p++;
        }
    }
}

static V
b_length(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)g;
    return rx_int(rx, (long long)a[0].n);
}

static V
b_copies(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long k = rx_arg_whole(rx, a, g, 1, 0, 0);
    if (k > 0 && a[0].n > RX_MAX_STRING / (size_t)k) {
        rx_error(rx, 5);
    }
    char *p;
    V v = mk(rx, a[0].n * (size_t)k, &p);
    for (long i = 0; i < k; i++) {
        memcpy(p + (size_t)i * a[0].n, a[0].s, a[0].n);
    }
    return v;
}

/* The position (1-based) of needle in hay from start, 0 if none. */
static long
find(V needle, V hay, long start)
{
    if (needle.n == 0 || start < 1) {
        return 0;
    }
    for (size_t i = (size_t)start - 1; i + needle.n <= hay.n; i++) {
        if (memcmp(hay.s + i, needle.s, needle.n) == 0) {
            return (long)i + 1;
        }
    }
    return 0;
}

static V
b_pos(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    return rx_int(rx, find(a[0], a[1], rx_arg_whole(rx, a, g, 2, 1, 1)));
}

static V
b_index(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    return rx_int(rx, find(a[1], a[0], rx_arg_whole(rx, a, g, 2, 1, 1)));
}

static V
b_lastpos(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long start = rx_arg_whole(rx, a, g, 2, (long)a[1].n, 1);
    if (a[0].n == 0 || a[0].n > a[1].n) {
        return rx_cstr("0");
    }
    long i = start - (long)a[0].n;
    if (i > (long)(a[1].n - a[0].n)) {
        i = (long)(a[1].n - a[0].n);
    }
    for (; i >= 0; i--) {
        if (memcmp(a[1].s + i, a[0].s, a[0].n) == 0) {
            return rx_int(rx, i + 1);
        }
    }
    return rx_cstr("0");
}

/* SUBSTR-like: length n from 1-based start, padded. */
static V
sub(struct rx *rx, V s, long start, long len, char pad)
{
    char *p;
    V v = mk(rx, (size_t)len, &p);
    for (long i = 0; i < len; i++) {
        long k = start - 1 + i;
        p[i] = (k >= 0 && (size_t)k < s.n) ? s.s[k] : pad;
    }
    return v;
}

static V
b_substr(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long start = rx_arg_whole(rx, a, g, 1, 1, 1);
    long rest = (long)a[0].n - start + 1;
    long len = rx_arg_whole(rx, a, g, 2, rest > 0 ? rest : 0, 0);
    return sub(rx, a[0], start, len, rx_arg_pad(rx, a, g, 3));
}

static V
b_left(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long len = rx_arg_whole(rx, a, g, 1, 0, 0);
    return sub(rx, a[0], 1, len, rx_arg_pad(rx, a, g, 2));
}

static V
b_right(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long len = rx_arg_whole(rx, a, g, 1, 0, 0);
    return sub(rx, a[0], (long)a[0].n - len + 1, len, rx_arg_pad(rx, a, g, 2));
}

static V
b_center(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long len = rx_arg_whole(rx, a, g, 1, 0, 0);
    char pad = rx_arg_pad(rx, a, g, 2);
    long slen = (long)a[0].n;
    if (slen >= len) {
        return sub(rx, a[0], (slen - len) / 2 + 1, len, pad);
    }
    long left = (len - slen) / 2;
    return sub(rx, a[0], 1 - left, len, pad);
}

static V
b_overlay(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long start = rx_arg_whole(rx, a, g, 2, 1, 1);
    long len = rx_arg_whole(rx, a, g, 3, (long)a[0].n, 0);
    char pad = rx_arg_pad(rx, a, g, 4);
    long total = start - 1 + len;
    if ((long)a[1].n > total) {
        total = (long)a[1].n;
    }
    char *p;
    V v = mk(rx, (size_t)total, &p);
    for (long i = 0; i < total; i++) {
        p[i] = (size_t)i < a[1].n ? a[1].s[i] : pad;
    }
    for (long i = 0; i < len; i++) {
        p[start - 1 + i] = (size_t)i < a[0].n ? a[0].s[i] : pad;
    }
    return v;
}

static V
b_insert(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long at = rx_arg_whole(rx, a, g, 2, 0, 0);
    long len = rx_arg_whole(rx, a, g, 3, (long)a[0].n, 0);
    char pad = rx_arg_pad(rx, a, g, 4);
    V head = sub(rx, a[1], 1, at, pad);
    V ins = sub(rx, a[0], 1, len, pad);
    size_t tail = a[1].n > (size_t)at ? a[1].n - (size_t)at : 0;
    char *p;
    V v = mk(rx, head.n + ins.n + tail, &p);
    memcpy(p, head.s, head.n);
    memcpy(p + head.n, ins.s, ins.n);
    memcpy(p + head.n + ins.n, a[1].s + (a[1].n - tail), tail);
    return v;
}

static V
b_delstr(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long start = rx_arg_whole(rx, a, g, 1, 1, 1);
    long len = rx_arg_whole(rx, a, g, 2, (long)a[0].n, 0);
    if ((size_t)start > a[0].n) {
        return a[0];
    }
    size_t b = (size_t)start - 1, e = b + (size_t)len;
    if (e > a[0].n) {
        e = a[0].n;
    }
    char *p;
    V v = mk(rx, a[0].n - (e - b), &p);
    memcpy(p, a[0].s, b);
    memcpy(p + b, a[0].s + e, a[0].n - e);
    return v;
}

static V
b_reverse(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)g;
    char *p;
    V v = mk(rx, a[0].n, &p);
    for (size_t i = 0; i < a[0].n; i++) {
        p[i] = a[0].s[a[0].n - 1 - i];
    }
    return v;
}

static V
b_strip(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    char opt = rx_arg_opt(rx, a, g, 1, 'B');
    char ch = rx_arg_pad(rx, a, g, 2);
    if (opt != 'B' && opt != 'L' && opt != 'T') {
        rx_error(rx, 40);
    }
    V s = a[0];
    if (opt != 'T') {
        while (s.n > 0 && s.s[0] == ch) {
            s.s++;
            s.n--;
        }
    }
    if (opt != 'L') {
        while (s.n > 0 && s.s[s.n - 1] == ch) {
            s.n--;
        }
    }
    return s;
}

static V
b_space(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long k = rx_arg_whole(rx, a, g, 1, 1, 0);
    char pad = rx_arg_pad(rx, a, g, 2);
    long nw = rx_words(a[0]);
    if (k > 0 && (size_t)nw > RX_MAX_STRING / (size_t)k) {
        rx_error(rx, 5);
    }
    char *p = rx_tmp(rx, a[0].n + (size_t)(nw * k) + 1);
    size_t o = 0, ws, wl;
    for (long w = 1; rx_word(a[0], w, &ws, &wl); w++) {
        if (w > 1) {
            for (long i = 0; i < k; i++) {
                p[o++] = pad;
            }
        }
        memcpy(p + o, a[0].s + ws, wl);
        o += wl;
    }
    p[o] = '\0';
    V v = {p, o};
    return v;
}

static V
b_words(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)g;
    return rx_int(rx, rx_words(a[0]));
}

static V
b_word(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    size_t ws, wl;
    if (rx_word(a[0], rx_arg_whole(rx, a, g, 1, 1, 1), &ws, &wl)) {
        return rx_tmpcopy(rx, a[0].s + ws, wl);
    }
    return rx_cstr("");
}

static V
b_wordindex(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    size_t ws, wl;
    if (rx_word(a[0], rx_arg_whole(rx, a, g, 1, 1, 1), &ws, &wl)) {
        return rx_int(rx, (long long)ws + 1);
    }
    return rx_cstr("0");
}

static V
b_wordlength(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    size_t ws, wl;
    if (rx_word(a[0], rx_arg_whole(rx, a, g, 1, 1, 1), &ws, &wl)) {
        return rx_int(rx, (long long)wl);
    }
    return rx_cstr("0");
}

static V
b_subword(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long first = rx_arg_whole(rx, a, g, 1, 1, 1);
    long cnt = rx_arg_whole(rx, a, g, 2, -1, 0);
    size_t ws, wl, we, wel;
    if (cnt == 0 || !rx_word(a[0], first, &ws, &wl)) {
        return rx_cstr("");
    }
    size_t end = ws + wl;
    for (long w = first + 1; cnt < 0 || w < first + cnt; w++) {
        if (!rx_word(a[0], w, &we, &wel)) {
            break;
        }
        end = we + wel;
    }
    return rx_tmpcopy(rx, a[0].s + ws, end - ws);
}

static V
b_delword(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long first = rx_arg_whole(rx, a, g, 1, 1, 1);
    long cnt = rx_arg_whole(rx, a, g, 2, -1, 0);
    size_t ws, wl, we, wel;
    if (cnt == 0 || !rx_word(a[0], first, &ws, &wl)) {
        return a[0];
    }
    size_t end = a[0].n;
    if (cnt > 0 && rx_word(a[0], first + cnt, &we, &wel)) {
        end = we;
    }
    char *p;
    V v = mk(rx, ws + (a[0].n - end), &p);
    memcpy(p, a[0].s, ws);
    memcpy(p + ws, a[0].s + end, a[0].n - end);
    return v;
}

static V
b_wordpos(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long start = rx_arg_whole(rx, a, g, 2, 1, 1);
    long np = rx_words(a[0]), ns = rx_words(a[1]);
    if (np == 0) {
        return rx_cstr("0");
    }
    for (long w = start; w + np - 1 <= ns; w++) {
        int ok = 1;
        for (long k = 0; k < np && ok; k++) {
            size_t ps, pl, ss, sl;
            rx_word(a[0], k + 1, &ps, &pl);
            rx_word(a[1], w + k, &ss, &sl);
            ok = pl == sl && memcmp(a[0].s + ps, a[1].s + ss, pl) == 0;
        }
        if (ok) {
            return rx_int(rx, w);
        }
    }
    return rx_cstr("0");
}

static V
b_find(struct rx *rx, int n, V *a, uint8_t *g)
{
    V b[3] = {a[1], a[0], a[2]};
    return b_wordpos(rx, n, b, g);
}

static V
b_translate(struct rx *rx, int n, V *a, uint8_t *g)
{
    char pad = rx_arg_pad(rx, a, g, 3);
    char *p;
    V v = mk(rx, a[0].n, &p);
    if (n == 1) {
        for (size_t i = 0; i < a[0].n; i++) {
            char c = a[0].s[i];
            p[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        }
        return v;
    }
    V out = g[1] ? a[1] : rx_cstr("");
    V in;
    char all[256];
    if (g[2]) {
        in = a[2];
    } else {
        for (int i = 0; i < 256; i++) {
            all[i] = (char)i;
        }
        in.s = all;
        in.n = 256;
    }
    for (size_t i = 0; i < a[0].n; i++) {
        char c = a[0].s[i];
        const char *hit = memchr(in.s, c, in.n);
        if (hit == NULL) {
            p[i] = c;
        } else {
            size_t k = (size_t)(hit - in.s);
            p[i] = k < out.n ? out.s[k] : pad;
        }
    }
    return v;
}

static V
b_verify(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    char opt = rx_arg_opt(rx, a, g, 2, 'N');
    long start = rx_arg_whole(rx, a, g, 3, 1, 1);
    if (opt != 'N' && opt != 'M') {
        rx_error(rx, 40);
    }
    for (size_t i = (size_t)start - 1; i < a[0].n; i++) {
        int in = memchr(a[1].s, a[0].s[i], a[1].n) != NULL;
        if ((opt == 'N') != in) {
            return rx_int(rx, (long long)i + 1);
        }
    }
    return rx_cstr("0");
}

static V
b_compare(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    char pad = rx_arg_pad(rx, a, g, 2);
    size_t len = a[0].n > a[1].n ? a[0].n : a[1].n;
    for (size_t i = 0; i < len; i++) {
        char x = i < a[0].n ? a[0].s[i] : pad, y = i < a[1].n ? a[1].s[i] : pad;
        if (x != y) {
            return rx_int(rx, (long long)i + 1);
        }
    }
    return rx_cstr("0");
}

static V
b_abbrev(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long len = rx_arg_whole(rx, a, g, 2, (long)a[1].n, 0);
    int ok = a[1].n <= a[0].n && (long)a[1].n >= len && memcmp(a[0].s, a[1].s, a[1].n) == 0;
    return rx_cstr(ok ? "1" : "0");
}

static V
b_xrange(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    unsigned lo = g[0] ? (unsigned char)rx_arg_pad(rx, a, g, 0) : 0;
    unsigned hi = g[1] ? (unsigned char)rx_arg_pad(rx, a, g, 1) : 255;
    size_t len = hi >= lo ? hi - lo + 1 : 256 - lo + hi + 1;
    char *p;
    V v = mk(rx, len, &p);
    for (size_t i = 0; i < len; i++) {
        p[i] = (char)((lo + i) & 255);
    }
    return v;
}

const struct rx_bif rx_bifs1[] = {
    {"ABBREV", 2, 3, b_abbrev},     {"CENTER", 2, 3, b_center},   {"CENTRE", 2, 3, b_center},
    {"COMPARE", 2, 3, b_compare},   {"COPIES", 2, 2, b_copies},   {"DELSTR", 2, 3, b_delstr},
    {"DELWORD", 2, 3, b_delword},   {"FIND", 2, 2, b_find},       {"INDEX", 2, 3, b_index},
    {"INSERT", 2, 5, b_insert},     {"LASTPOS", 2, 3, b_lastpos}, {"LEFT", 2, 3, b_left},
    {"LENGTH", 1, 1, b_length},     {"OVERLAY", 2, 5, b_overlay}, {"POS", 2, 3, b_pos},
    {"REVERSE", 1, 1, b_reverse},   {"RIGHT", 2, 3, b_right},     {"SPACE", 1, 3, b_space},
    {"STRIP", 1, 3, b_strip},       {"SUBSTR", 2, 4, b_substr},   {"SUBWORD", 2, 3, b_subword},
    {"TRANSLATE", 1, 4, b_translate}, {"VERIFY", 2, 4, b_verify}, {"WORD", 2, 2, b_word},
    {"WORDINDEX", 2, 2, b_wordindex}, {"WORDLENGTH", 2, 2, b_wordlength},
    {"WORDPOS", 2, 3, b_wordpos},   {"WORDS", 1, 1, b_words},     {"XRANGE", 0, 2, b_xrange},
};
const size_t rx_nbifs1 = sizeof rx_bifs1 / sizeof rx_bifs1[0];

const struct rx_bif *
rx_bif_find(const char *name, size_t n)
{
    for (size_t i = 0; i < rx_nbifs1; i++) {
        if (strlen(rx_bifs1[i].name) == n && memcmp(rx_bifs1[i].name, name, n) == 0) {
            return &rx_bifs1[i];
        }
    }
    for (size_t i = 0; i < rx_nbifs2; i++) {
        if (strlen(rx_bifs2[i].name) == n && memcmp(rx_bifs2[i].name, name, n) == 0) {
            return &rx_bifs2[i];
        }
    }
    return NULL;
}
