// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_bif2.c - the built-in functions for numbers (ABS, FORMAT,
 * MAX, MIN, SIGN, TRUNC, RANDOM), conversions (C2D, C2X, D2C, D2X, X2C,
 * X2D, B2X, X2B), classification (DATATYPE, SYMBOL), variables (VALUE),
 * and the system (ARG, DATE, TIME, QUEUED, USERID, ADDRESS, DIGITS, FUZZ,
 * CONDITION, ERRORTEXT, SOURCELINE).  The string functions and the table
 * lookup are in rexx_bif.c.  Conversions work on up to 8 bytes (error 40
 * beyond).
 */
#include <string.h>

#include "cms/exec/rexx.h"

typedef struct rx_val V;

static V
num_arg(struct rx *rx, V a)
{
    if (!rx_is_num(a)) {
        rx_error(rx, 40);
    }
    return rx_num_norm(rx, a, 0);
}

static V
b_abs(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)g;
    V v = num_arg(rx, a[0]);
    if (v.n > 0 && v.s[0] == '-') {
        v.s++;
        v.n--;
    }
    return v;
}

static V
b_sign(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)g;
    V v = num_arg(rx, a[0]);
    int c = rx_num_cmp(rx, v, rx_cstr("0"));
    return rx_cstr(c < 0 ? "-1" : c > 0 ? "1" : "0");
}

static V
minmax(struct rx *rx, int n, V *a, uint8_t *g, int want)
{
    V best = {0, 0};
    for (int i = 0; i < n; i++) {
        if (!g[i]) {
            rx_error(rx, 40);
        }
        V v = num_arg(rx, a[i]);
        if (i == 0 || rx_num_cmp(rx, v, best) == want) {
            best = v;
        }
    }
    return best;
}

static V
b_max(struct rx *rx, int n, V *a, uint8_t *g)
{
    return minmax(rx, n, a, g, 1);
}

static V
b_min(struct rx *rx, int n, V *a, uint8_t *g)
{
    return minmax(rx, n, a, g, -1);
}

static V
b_format(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    if (!rx_is_num(a[0])) {
        rx_error(rx, 40);
    }
    long before = rx_arg_whole(rx, a, g, 1, -1, 1);
    long after = rx_arg_whole(rx, a, g, 2, -1, 0);
    return rx_num_format(rx, a[0], before, after);
}

static V
b_trunc(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    if (!rx_is_num(a[0])) {
        rx_error(rx, 40);
    }
    return rx_num_trunc(rx, a[0], rx_arg_whole(rx, a, g, 1, 0, 0));
}

static unsigned long long random_state = 0x2545F4914F6CDD1Dull;

static V
b_random(struct rx *rx, int n, V *a, uint8_t *g)
{
    long lo = rx_arg_whole(rx, a, g, 0, 0, 0);
    long hi = rx_arg_whole(rx, a, g, 1, 999, 0);
    if (n == 1 && g[0]) {
        hi = lo; /* RANDOM(max) */
        lo = 0;
    }
    if (g[2]) {
        random_state = (unsigned long long)rx_arg_whole(rx, a, g, 2, 0, 0) * 2654435761ull + 1;
    }
    if (hi < lo || hi - lo > 100000) {
        rx_error(rx, 40);
    }
    random_state = random_state * 6364136223846793005ull + 1442695040888963407ull;
    return rx_int(rx, lo + (long)((random_state >> 33) % (unsigned long long)(hi - lo + 1)));
}

/* ---- conversions ---------------------------------------------------------- */
static int
hexdig(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static V
b_c2x(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)g;
    static const char hx[] = "0123456789ABCDEF";
    char *p = rx_tmp(rx, a[0].n * 2 + 1);
    for (size_t i = 0; i < a[0].n; i++) {
        p[2 * i] = hx[(unsigned char)a[0].s[i] >> 4];
        p[2 * i + 1] = hx[(unsigned char)a[0].s[i] & 15];
    }
    p[a[0].n * 2] = '\0';
    V v = {p, a[0].n * 2};
    return v;
}

/* Hex digits (blanks between bytes allowed) to bytes. */
static V
hex_to_bytes(struct rx *rx, V h)
{
    char *digs = rx_tmp(rx, h.n + 2);
    size_t nd = 0;
    for (size_t i = 0; i < h.n; i++) {
        if (h.s[i] == ' ') {
            continue;
        }
        if (hexdig(h.s[i]) < 0) {
            rx_error(rx, 40);
        }
        digs[nd++] = h.s[i];
    }
    size_t nb = (nd + 1) / 2;
    char *p = rx_tmp(rx, nb + 1);
    size_t k = 0;
    if (nd % 2 == 1) {
        p[k++] = (char)hexdig(digs[0]);
    }
    for (size_t i = nd % 2; i < nd; i += 2) {
        p[k++] = (char)(hexdig(digs[i]) * 16 + hexdig(digs[i + 1]));
    }
    p[nb] = '\0';
    V v = {p, nb};
    return v;
}

static V
b_x2c(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)g;
    return hex_to_bytes(rx, a[0]);
}

/* Bytes (big-endian) to a number; with len, signed in len bytes. */
static V
bytes_to_dec(struct rx *rx, V b, long len)
{
    if (len >= 0) {
        if ((size_t)len < b.n) {
            b.s += b.n - (size_t)len;
            b.n = (size_t)len;
        }
    }
    /* leading zero bytes do not count */
    while (len < 0 && b.n > 8 && b.s[0] == 0) {
        b.s++;
        b.n--;
    }
    if (b.n > 8) {
        rx_error(rx, 40);
    }
    unsigned long long v = 0;
    for (size_t i = 0; i < b.n; i++) {
        v = (v << 8) | (unsigned char)b.s[i];
    }
    if (len > 0 && b.n > 0 && ((unsigned char)b.s[0] & 0x80)) {
        if (len < 8) {
            long long sv = (long long)v - (1ll << (8 * len));
            return rx_int(rx, sv);
        }
        return rx_int(rx, (long long)v);
    }
    if (v > 999999999999999999ull) {
        rx_error(rx, 40);
    }
    return rx_fmt(rx, "%llu", v);
}

static V
b_c2d(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    return bytes_to_dec(rx, a[0], rx_arg_whole(rx, a, g, 1, -1, 0));
}

static V
b_x2d(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long len = rx_arg_whole(rx, a, g, 1, -1, 0);
    V h = a[0];
    if (len >= 0) {
        /* len hex digits, sign from the first */
        char *p = rx_tmp(rx, (size_t)len + 2);
        for (long i = 0; i < len; i++) {
            long k = (long)h.n - len + i;
            p[i] = k >= 0 ? h.s[k] : '0';
        }
        if (len == 0) {
            return rx_cstr("0");
        }
        V hv = {p, (size_t)len};
        unsigned long long v = 0;
        for (long i = 0; i < len; i++) {
            int d = hexdig(p[i]);
            if (d < 0 || len > 16) {
                rx_error(rx, 40);
            }
            v = (v << 4) | (unsigned)d;
        }
        (void)hv;
        if (hexdig(p[0]) >= 8 && len < 16) {
            return rx_int(rx, (long long)v - (1ll << (4 * len)));
        }
        return rx_fmt(rx, "%llu", v);
    }
    return bytes_to_dec(rx, hex_to_bytes(rx, h), -1);
}

/* A whole number to len bytes (two's complement for negatives). */
static V
dec_to_bytes(struct rx *rx, V num, long len)
{
    long v = rx_whole(rx, num);
    if (v < 0 && len < 0) {
        rx_error(rx, 40);
    }
    unsigned long long u = (unsigned long long)v;
    size_t nb = 0;
    if (len < 0) {
        unsigned long long t = u;
        do {
            nb++;
            t >>= 8;
        } while (t != 0);
    } else {
        nb = (size_t)len;
    }
    char *p = rx_tmp(rx, nb + 1);
    for (size_t i = 0; i < nb; i++) {
        size_t sh = 8 * (nb - 1 - i);
        p[i] = sh >= 64 ? (v < 0 ? (char)0xFF : 0) : (char)((u >> sh) & 255);
    }
    p[nb] = '\0';
    V r = {p, nb};
    return r;
}

static V
b_d2c(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    return dec_to_bytes(rx, a[0], rx_arg_whole(rx, a, g, 1, -1, 0));
}

static V
b_d2x(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long len = rx_arg_whole(rx, a, g, 1, -1, 0);
    V bytes = dec_to_bytes(rx, a[0], len < 0 ? -1 : (len + 1) / 2);
    V hex = b_c2x(rx, 1, &bytes, g);
    if (len >= 0) {
        hex.s += hex.n - (size_t)len;
        hex.n = (size_t)len;
    } else {
        while (hex.n > 1 && hex.s[0] == '0') {
            hex.s++;
            hex.n--;
        }
    }
    return hex;
}

static V
b_b2x(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)g;
    static const char hx[] = "0123456789ABCDEF";
    char *bits = rx_tmp(rx, a[0].n + 4);
    size_t nb = 0;
    for (size_t i = 0; i < a[0].n; i++) {
        if (a[0].s[i] == ' ') {
            continue;
        }
        if (a[0].s[i] != '0' && a[0].s[i] != '1') {
            rx_error(rx, 40);
        }
        bits[nb++] = a[0].s[i];
    }
    size_t pad = (4 - nb % 4) % 4;
    size_t nx = (nb + pad) / 4;
    char *p = rx_tmp(rx, nx + 1);
    for (size_t k = 0; k < nx; k++) {
        int d = 0;
        for (size_t j = 0; j < 4; j++) {
            long idx = (long)(k * 4 + j) - (long)pad;
            d = d * 2 + (idx >= 0 && bits[idx] == '1');
        }
        p[k] = hx[d];
    }
    p[nx] = '\0';
    V v = {p, nx};
    return v;
}

static V
b_x2b(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)g;
    char *p = rx_tmp(rx, a[0].n * 4 + 1);
    size_t o = 0;
    for (size_t i = 0; i < a[0].n; i++) {
        if (a[0].s[i] == ' ') {
            continue;
        }
        int d = hexdig(a[0].s[i]);
        if (d < 0) {
            rx_error(rx, 40);
        }
        for (int b = 3; b >= 0; b--) {
            p[o++] = (char)('0' + ((d >> b) & 1));
        }
    }
    p[o] = '\0';
    V v = {p, o};
    return v;
}

/* ---- classification and variables ----------------------------------------- */
static int
all_of(V s, const char *set)
{
    if (s.n == 0) {
        return 0;
    }
    for (size_t i = 0; i < s.n; i++) {
        if (strchr(set, s.s[i]) == NULL || s.s[i] == '\0') {
            return 0;
        }
    }
    return 1;
}

static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char mixed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

static V
b_datatype(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    V s = a[0];
    if (!g[1]) {
        return rx_cstr(rx_is_num(s) ? "NUM" : "CHAR");
    }
    char t = rx_arg_opt(rx, a, g, 1, 'N');
    int r;
    long w;
    switch (t) {
    case 'A': r = all_of(s, alnum); break;
    case 'B': r = all_of(s, "01 ") || s.n == 0; break;
    case 'L': r = all_of(s, lower); break;
    case 'M': r = all_of(s, mixed); break;
    case 'N': r = rx_is_num(s); break;
    case 'S': r = rx_valid_symbol(s.s, s.n); break;
    case 'U': r = all_of(s, upper); break;
    case 'W': r = rx_is_num(s) && rx_try_whole(rx, s, &w); break;
    case 'X': r = all_of(s, "0123456789abcdefABCDEF ") || s.n == 0; break;
    default: rx_error(rx, 40);
    }
    return rx_cstr(r ? "1" : "0");
}

static V
upper_name(struct rx *rx, V s)
{
    char *p = rx_tmp(rx, s.n + 1);
    for (size_t i = 0; i < s.n; i++) {
        char c = s.s[i];
        p[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    p[s.n] = '\0';
    V v = {p, s.n};
    return v;
}

static V
b_symbol(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)g;
    if (!rx_valid_symbol(a[0].s, a[0].n)) {
        return rx_cstr("BAD");
    }
    V name = upper_name(rx, a[0]);
    if ((name.s[0] >= '0' && name.s[0] <= '9') || name.s[0] == '.') {
        return rx_cstr("LIT");
    }
    V d = rx_var_name(rx, name.s, name.n), v;
    return rx_cstr(rx_var_get(rx, d.s, d.n, &v) ? "VAR" : "LIT");
}

static V
b_value(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    if (!rx_valid_symbol(a[0].s, a[0].n)) {
        rx_error(rx, 40);
    }
    V name = upper_name(rx, a[0]);
    V d = rx_var_name(rx, name.s, name.n), v;
    if (rx_var_get(rx, d.s, d.n, &v)) {
        v = rx_tmpcopy(rx, v.s, v.n);
    } else {
        v = d;
    }
    if (g[1]) {
        rx_var_set(rx, d.s, d.n, a[1]);
    }
    return v;
}

/* ---- the system ------------------------------------------------------------ */
static V
b_arg(struct rx *rx, int n, V *a, uint8_t *g)
{
    struct rx_frame *fr = rx->fr;
    int na = fr->nargs;
    while (na > 0 && !fr->given[na - 1]) {
        na--;
    }
    if (n == 0) {
        return rx_int(rx, na);
    }
    long i = rx_arg_whole(rx, a, g, 0, 1, 1);
    int given = i <= fr->nargs && fr->given[i - 1];
    if (n == 1) {
        return given ? fr->args[i - 1] : rx_cstr("");
    }
    char opt = rx_arg_opt(rx, a, g, 1, 'N');
    if (opt == 'E') {
        return rx_cstr(given ? "1" : "0");
    }
    if (opt == 'O') {
        return rx_cstr(given ? "0" : "1");
    }
    rx_error(rx, 40);
}

static const char *const months[12] = {"January", "February", "March", "April", "May", "June",
                                       "July", "August", "September", "October", "November",
                                       "December"};
static const char *const days[7] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                     "Saturday", "Sunday"};

static V
b_date(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    char iso[11], tm[9];
    uint64_t tod;
    int64_t off;
    rx_now(iso, tm, &tod, &off);
    int y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0');
    int m = (iso[5] - '0') * 10 + (iso[6] - '0');
    int d = (iso[8] - '0') * 10 + (iso[9] - '0');
    if (m < 1 || m > 12) {
        m = 1;
    }
    static const int cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int yday = cum[m - 1] + d + (leap && m > 2);
    long long epoch_days = ((long long)tod / 1000000 + off) / 86400;
    char opt = rx_arg_opt(rx, a, g, 0, 'N');
    switch (opt) {
    case 'N': return rx_fmt(rx, "%d %.3s %04d", d, months[m - 1], y);
    case 'S': return rx_fmt(rx, "%04d%02d%02d", y, m, d);
    case 'U': return rx_fmt(rx, "%02d/%02d/%02d", m, d, y % 100);
    case 'E': return rx_fmt(rx, "%02d/%02d/%02d", d, m, y % 100);
    case 'O': return rx_fmt(rx, "%02d/%02d/%02d", y % 100, m, d);
    case 'J': return rx_fmt(rx, "%02d%03d", y % 100, yday);
    case 'D': return rx_int(rx, yday);
    case 'M': return rx_cstr(months[m - 1]);
    case 'W': return rx_cstr(days[(epoch_days + 3) % 7]);
    case 'B': return rx_int(rx, epoch_days + 719162);
    case 'C': return rx_int(rx, epoch_days + 719162 - 730119 + 1);
    default: rx_error(rx, 40);
    }
}

static V
b_time(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    char iso[11], tm[9];
    uint64_t tod;
    int64_t off;
    rx_now(iso, tm, &tod, &off);
    int h = (tm[0] - '0') * 10 + (tm[1] - '0');
    int mi = (tm[3] - '0') * 10 + (tm[4] - '0');
    int s = (tm[6] - '0') * 10 + (tm[7] - '0');
    unsigned us = (unsigned)(tod % 1000000);
    char opt = rx_arg_opt(rx, a, g, 0, 'N');
    switch (opt) {
    case 'N': return rx_tmpcopy(rx, tm, 8);
    case 'L': return rx_fmt(rx, "%.8s.%06u", tm, us);
    case 'H': return rx_int(rx, h);
    case 'M': return rx_int(rx, h * 60 + mi);
    case 'S': return rx_int(rx, h * 3600 + mi * 60 + s);
    case 'C': return rx_fmt(rx, "%d:%02d%s", h % 12 == 0 ? 12 : h % 12, mi, h < 12 ? "am" : "pm");
    case 'E':
    case 'R': {
        uint64_t el = rx->elapsed_set ? tod - rx->elapsed_us : 0;
        if (opt == 'R' || !rx->elapsed_set) {
            rx->elapsed_us = tod;
            rx->elapsed_set = 1;
        }
        if (el == 0) {
            return rx_cstr("0");
        }
        return rx_fmt(rx, "%llu.%06llu", (unsigned long long)(el / 1000000),
                      (unsigned long long)(el % 1000000));
    }
    default: rx_error(rx, 40);
    }
}

static V
b_queued(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)a;
    (void)g;
    return rx_int(rx, rx_queued());
}

static V
b_userid(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)rx;
    (void)n;
    (void)a;
    (void)g;
    return rx_cstr(rx_userid());
}

static V
b_address(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)a;
    (void)g;
    return rx_tmpcopy(rx, rx->fr->address, strlen(rx->fr->address));
}

static V
b_digits(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)a;
    (void)g;
    return rx_int(rx, rx->fr->digits);
}

static V
b_fuzz(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)a;
    (void)g;
    return rx_int(rx, rx->fr->fuzz);
}

static V
b_form(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    (void)a;
    (void)g;
    return rx_cstr(rx->fr->form_eng ? "ENGINEERING" : "SCIENTIFIC");
}

static V
b_errortext(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    long e = rx_arg_whole(rx, a, g, 0, 0, 0);
    if (e > 99) {
        rx_error(rx, 40);
    }
    return rx_cstr(rx_error_text((int)e));
}

static V
b_condition(struct rx *rx, int n, V *a, uint8_t *g)
{
    (void)n;
    static const char *const names[C__COUNT] = {"ERROR", "FAILURE", "HALT", "NOVALUE", "SYNTAX"};
    char opt = rx_arg_opt(rx, a, g, 0, 'I');
    if (rx->cond_desc.s == NULL) {
        return rx_cstr("");
    }
    switch (opt) {
    case 'C': return rx_cstr(names[rx->cond_name]);
    case 'D': return rx->cond_desc;
    case 'I': return rx_cstr("SIGNAL");
    case 'S': return rx_cstr("OFF");
    default: rx_error(rx, 40);
    }
}

static V
b_sourceline(struct rx *rx, int n, V *a, uint8_t *g)
{
    const char *s = rx->src;
    size_t len = rx->srclen;
    long lines = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            lines++;
        }
    }
    if (len > 0 && s[len - 1] != '\n') {
        lines++;
    }
    if (n == 0) {
        return rx_int(rx, lines);
    }
    long want = rx_arg_whole(rx, a, g, 0, 1, 1);
    if (want > lines) {
        rx_error(rx, 40);
    }
    long line = 1;
    size_t b = 0;
    for (size_t i = 0; i < len && line < want; i++) {
        if (s[i] == '\n') {
            line++;
            b = i + 1;
        }
    }
    size_t e = b;
    while (e < len && s[e] != '\n') {
        e++;
    }
    return rx_tmpcopy(rx, s + b, e - b);
}

const struct rx_bif rx_bifs2[] = {
    {"ABS", 1, 1, b_abs},           {"ADDRESS", 0, 0, b_address}, {"ARG", 0, 2, b_arg},
    {"B2X", 1, 1, b_b2x},           {"C2D", 1, 2, b_c2d},         {"C2X", 1, 1, b_c2x},
    {"CONDITION", 0, 1, b_condition}, {"D2C", 1, 2, b_d2c},       {"D2X", 1, 2, b_d2x},
    {"DATATYPE", 1, 2, b_datatype}, {"DATE", 0, 1, b_date},       {"DIGITS", 0, 0, b_digits},
    {"ERRORTEXT", 1, 1, b_errortext}, {"FORM", 0, 0, b_form},
    {"FORMAT", 1, 3, b_format}, {"FUZZ", 0, 0, b_fuzz},
    {"MAX", 1, 20, b_max},          {"MIN", 1, 20, b_min},        {"QUEUED", 0, 0, b_queued},
    {"RANDOM", 0, 3, b_random},     {"SIGN", 1, 1, b_sign},       {"SOURCELINE", 0, 1, b_sourceline},
    {"SYMBOL", 1, 1, b_symbol},     {"TIME", 0, 1, b_time},       {"TRUNC", 1, 2, b_trunc},
    {"USERID", 0, 0, b_userid},     {"VALUE", 1, 2, b_value},     {"X2B", 1, 1, b_x2b},
    {"X2C", 1, 1, b_x2c},           {"X2D", 1, 2, b_x2d},
};
const size_t rx_nbifs2 = sizeof rx_bifs2 / sizeof rx_bifs2[0];
