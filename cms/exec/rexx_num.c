// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_num.c - REXX arithmetic: decimal numbers held as strings,
 * computed digit by digit (never binary floating point, so 0.1+0.2 is 0.3).
 *
 * A number is sign, coefficient digits and a power-of-ten exponent.
 * Results are rounded to NUMERIC DIGITS significant digits (half up).
 * Addition, subtraction and multiplication keep trailing zeros (1.50+1 is
 * 2.50); division drops them (1/4 is 0.25, 6/2 is 3).  A result whose
 * integer part needs more than DIGITS digits, or whose adjusted exponent is
 * below -6, is written in exponential notation (1.23456789E+10, 1E-7).  Whole numbers of up to
 * 9 digits take a fast path on machine integers.  Errors: 41 (not a
 * number), 42 (division by zero, exponent out of range), 26 (not whole).
 */
#include <stdlib.h>
#include <string.h>

#include "cms/exec/rexx.h"

#define NUMBUF (2 * RX_MAX_DIGITS + 24)

struct num {
    int neg;
    long exp;
    int len;
    unsigned char d[NUMBUF]; /* most significant first, no leading zeros */
};

static int
digits_of(struct rx *rx)
{
    return rx->fr != NULL ? rx->fr->digits : 9;
}

static int
parse_num(struct rx_val v, struct num *x, int maxdig)
{
    const char *p = v.s, *e = v.s + v.n;
    while (p < e && *p == ' ') {
        p++;
    }
    while (e > p && e[-1] == ' ') {
        e--;
    }
    x->neg = 0;
    if (p < e && (*p == '+' || *p == '-')) {
        x->neg = *p == '-';
        p++;
        while (p < e && *p == ' ') {
            p++;
        }
    }
    int any = 0, point = 0;
    long frac = 0, dropped = 0;
    x->len = 0;
    while (p < e && ((*p >= '0' && *p <= '9') || (*p == '.' && !point))) {
        if (*p == '.') {
            point = 1;
            p++;
            continue;
        }
        any = 1;
        if (!(x->len == 0 && *p == '0')) {
            if (x->len < maxdig + 2) {
                x->d[x->len++] = (unsigned char)(*p - '0');
            } else {
                dropped++;
            }
        }
        if (point) {
            frac++;
        }
        p++;
    }
    if (!any) {
        return -1;
    }
    long ex = 0;
    if (p < e && (*p == 'E' || *p == 'e')) {
        p++;
        int eneg = 0;
        if (p < e && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= e) {
            return -1;
        }
        while (p < e && *p >= '0' && *p <= '9') {
            if (ex < 100000000) {
                ex = ex * 10 + (*p - '0');
            }
            p++;
        }
        if (eneg) {
            ex = -ex;
        }
    }
    if (p != e) {
        return -1;
    }
    x->exp = ex - frac + dropped;
    if (x->len == 0) {
        x->len = 1;
        x->d[0] = 0;
        x->neg = 0;
        /* keep the exponent: 0.00 + 1 is 1.00 */
        if (x->exp > 0) {
            x->exp = 0;
        }
    }
    return 0;
}

int
rx_is_num(struct rx_val a)
{
    struct num x;
    return parse_num(a, &x, RX_MAX_DIGITS) == 0;
}

static int
is_zero(const struct num *x)
{
    return x->len == 1 && x->d[0] == 0;
}

static void
strip_leading(struct num *x)
{
    int i = 0;
    while (i < x->len - 1 && x->d[i] == 0) {
        i++;
    }
    if (i > 0) {
        memmove(x->d, x->d + i, (size_t)(x->len - i));
        x->len -= i;
    }
}

static void
round_to(struct num *x, int digits)
{
    strip_leading(x);
    if (x->len <= digits) {
        return;
    }
    int up = x->d[digits] >= 5;
    x->exp += x->len - digits;
    x->len = digits;
    if (up) {
        int i = digits - 1;
        while (i >= 0 && x->d[i] == 9) {
            x->d[i--] = 0;
        }
        if (i >= 0) {
            x->d[i]++;
        } else {
            memmove(x->d + 1, x->d, (size_t)digits - 1);
            x->d[0] = 1;
            x->exp++;
        }
    }
}

/* Drops trailing zeros of the fraction (division results). */
static void
strip_trailing(struct num *x)
{
    while (x->len > 1 && x->d[x->len - 1] == 0) {
        x->len--;
        x->exp++;
    }
}

static struct rx_val
format_num(struct rx *rx, struct num *x, int digits)
{
    round_to(x, digits);
    if (is_zero(x)) {
        return rx_cstr("0");
    }
    char *out = rx_tmp(rx, (size_t)x->len + (size_t)(2 * digits) + 32);
    size_t o = 0;
    if (x->neg) {
        out[o++] = '-';
    }
    long intdig = x->len + x->exp;
    if (x->exp <= 0 && intdig <= digits && intdig >= -5) {
        if (intdig > 0) {
            for (long i = 0; i < intdig; i++) {
                out[o++] = (char)('0' + x->d[i]);
            }
        } else {
            out[o++] = '0';
        }
        if (x->exp < 0) {
            out[o++] = '.';
            for (long i = intdig; i < 0; i++) {
                out[o++] = '0';
            }
            for (long i = intdig > 0 ? intdig : 0; i < x->len; i++) {
                out[o++] = (char)('0' + x->d[i]);
            }
        }
    } else if (x->exp > 0 && intdig <= digits) {
        for (int i = 0; i < x->len; i++) {
            out[o++] = (char)('0' + x->d[i]);
        }
        for (long i = 0; i < x->exp; i++) {
            out[o++] = '0';
        }
    } else {
        /* scientific: d.dddE+n; engineering: 1 to 3 digits before the
         * point and an exponent that is a multiple of 3 */
        int len = x->len;
        long e = intdig - 1;
        int lead = 1;
        if (rx->fr != NULL && rx->fr->form_eng) {
            int shift = (int)(((e % 3) + 3) % 3);
            e -= shift;
            lead += shift;
        }
        for (int i = 0; i < lead; i++) {
            out[o++] = (char)('0' + (i < len ? x->d[i] : 0));
        }
        if (len > lead) {
            out[o++] = '.';
            for (int i = lead; i < len; i++) {
                out[o++] = (char)('0' + x->d[i]);
            }
        }
        struct rx_val ev = rx_fmt(rx, "E%c%ld", e < 0 ? '-' : '+', e < 0 ? -e : e);
        memcpy(out + o, ev.s, ev.n);
        o += ev.n;
    }
    out[o] = '\0';
    struct rx_val v = {out, o};
    return v;
}

/* |a| vs |b| of right-aligned digit arrays of length n. */
static int
cmp_mag(const unsigned char *a, const unsigned char *b, int n)
{
    for (int i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}

static void
num_add(struct rx *rx, struct num *a, struct num *b, int sub, struct num *r)
{
    int digits = digits_of(rx);
    int bneg = sub ? !b->neg : b->neg;
    if (is_zero(b) && !is_zero(a)) {
        /* keep a's digits, but take b's exponent if smaller (1 + 0.00) */
    }
    long ta = a->exp + a->len, tb = b->exp + b->len; /* magnitudes */
    if (!is_zero(a) && !is_zero(b)) {
        if (ta - tb > digits + 1) {
            *r = *a;
            return;
        }
        if (tb - ta > digits + 1) {
            *r = *b;
            r->neg = bneg;
            return;
        }
    }
    long e = a->exp < b->exp ? a->exp : b->exp;
    long la = a->len + (a->exp - e), lb = b->len + (b->exp - e);
    long n = (la > lb ? la : lb) + 1;
    if (n > NUMBUF) {
        /* a tiny part beyond any precision: keep the larger */
        *r = ta >= tb ? *a : *b;
        if (ta < tb) {
            r->neg = bneg;
        }
        return;
    }
    unsigned char x[NUMBUF], y[NUMBUF];
    memset(x, 0, (size_t)n);
    memset(y, 0, (size_t)n);
    memcpy(x + (n - la), a->d, (size_t)a->len);
    memcpy(y + (n - lb), b->d, (size_t)b->len);
    r->exp = e;
    r->len = (int)n;
    if (a->neg == bneg) {
        int carry = 0;
        for (long i = n - 1; i >= 0; i--) {
            int s = x[i] + y[i] + carry;
            r->d[i] = (unsigned char)(s % 10);
            carry = s / 10;
        }
        r->neg = a->neg;
    } else {
        const unsigned char *p = x, *q = y;
        r->neg = a->neg;
        if (cmp_mag(x, y, (int)n) < 0) {
            p = y;
            q = x;
            r->neg = bneg;
        }
        int borrow = 0;
        for (long i = n - 1; i >= 0; i--) {
            int s = p[i] - q[i] - borrow;
            borrow = s < 0;
            r->d[i] = (unsigned char)(s < 0 ? s + 10 : s);
        }
    }
    strip_leading(r);
    if (is_zero(r)) {
        r->neg = 0;
    }
}

static void
num_mul(struct rx *rx, struct num *a, struct num *b, struct num *r)
{
    (void)rx;
    unsigned acc[NUMBUF];
    int n = a->len + b->len;
    memset(acc, 0, sizeof acc[0] * (size_t)n);
    for (int i = a->len - 1; i >= 0; i--) {
        for (int j = b->len - 1; j >= 0; j--) {
            acc[i + j + 1] += (unsigned)(a->d[i] * b->d[j]);
        }
        /* keep the sums small */
        for (int k = n - 1; k > 0; k--) {
            if (acc[k] >= 10) {
                acc[k - 1] += acc[k] / 10;
                acc[k] %= 10;
            }
        }
    }
    for (int k = 0; k < n; k++) {
        r->d[k] = (unsigned char)acc[k];
    }
    r->len = n;
    r->exp = a->exp + b->exp;
    r->neg = a->neg != b->neg;
    strip_leading(r);
    if (is_zero(r)) {
        r->neg = 0;
        r->exp = 0;
    }
}

/* Integer division of digit strings: q = x / y, x becomes the remainder.
 * x has nx digits, y ny digits (no leading zero); q gets nx digits. */
static void
div_digits(unsigned char *x, int nx, const unsigned char *y, int ny, unsigned char *q)
{
    memset(q, 0, (size_t)nx);
    for (int i = 0; i + ny <= nx; i++) {
        for (;;) {
            /* is x[0..i+ny) >= y? (digits before i are zero or form a prefix) */
            int ge;
            if (i > 0 && x[i - 1] != 0) {
                ge = 1;
            } else {
                ge = cmp_mag(x + i, y, ny) >= 0;
            }
            if (!ge) {
                break;
            }
            int borrow = 0;
            for (int k = ny - 1; k >= 0; k--) {
                int s = x[i + k] - y[k] - borrow;
                borrow = s < 0;
                x[i + k] = (unsigned char)(s < 0 ? s + 10 : s);
            }
            if (borrow && i > 0) {
                x[i - 1]--;
            }
            q[i + ny - 1]++;
        }
    }
}

static void
num_div(struct rx *rx, struct num *a, struct num *b, struct num *r)
{
    int digits = digits_of(rx);
    if (is_zero(b)) {
        rx_error(rx, 42);
    }
    if (is_zero(a)) {
        r->len = 1;
        r->d[0] = 0;
        r->exp = 0;
        r->neg = 0;
        return;
    }
    int k = digits + 2 + b->len - a->len;
    if (k < 0) {
        k = 0;
    }
    int nx = a->len + k;
    unsigned char x[NUMBUF], q[NUMBUF];
    memset(x, 0, (size_t)nx);
    memcpy(x, a->d, (size_t)a->len);
    div_digits(x, nx, b->d, b->len, q);
    memcpy(r->d, q, (size_t)nx);
    r->len = nx;
    r->exp = a->exp - b->exp - k;
    r->neg = a->neg != b->neg;
    strip_leading(r);
    round_to(r, digits);
    strip_trailing(r);
}

/* % and //: the integer quotient or the remainder. */
static void
num_idiv(struct rx *rx, struct num *a, struct num *b, int rem, struct num *r)
{
    int digits = digits_of(rx);
    if (is_zero(b)) {
        rx_error(rx, 42);
    }
    long e = a->exp < b->exp ? a->exp : b->exp;
    long la = a->len + (a->exp - e), lb = b->len + (b->exp - e);
    if (la > NUMBUF - 2 || lb > NUMBUF - 2) {
        rx_error(rx, 26);
    }
    unsigned char x[NUMBUF], y[NUMBUF], q[NUMBUF];
    memset(x, 0, (size_t)la);
    memcpy(x, a->d, (size_t)a->len);
    memset(y, 0, (size_t)lb);
    memcpy(y, b->d, (size_t)b->len);
    /* y without leading zeros: b->d has none */
    if (la < lb) {
        memset(q, 0, 1);
        if (rem) {
            *r = *a;
            return;
        }
        r->len = 1;
        r->d[0] = 0;
        r->exp = 0;
        r->neg = 0;
        return;
    }
    div_digits(x, (int)la, y, (int)lb, q);
    if (rem) {
        memcpy(r->d, x, (size_t)la);
        r->len = (int)la;
        r->exp = e;
        r->neg = a->neg;
    } else {
        memcpy(r->d, q, (size_t)la);
        r->len = (int)la;
        r->exp = 0;
        r->neg = a->neg != b->neg;
        strip_leading(r);
        if (r->len > digits) {
            rx_error(rx, 26);
        }
    }
    strip_leading(r);
    if (is_zero(r)) {
        r->neg = 0;
        if (!rem) {
            r->exp = 0;
        }
    }
}

static void
num_pow(struct rx *rx, struct num *a, struct num *b, struct num *r)
{
    long n;
    struct rx_val bv = format_num(rx, b, digits_of(rx));
    if (!rx_try_whole(rx, bv, &n) || n > 999999999 || n < -999999999) {
        rx_error(rx, 26);
    }
    int digits = digits_of(rx);
    int neg = n < 0;
    unsigned long e = neg ? (unsigned long)-n : (unsigned long)n;
    struct num acc, base = *a, tmp;
    acc.neg = 0;
    acc.exp = 0;
    acc.len = 1;
    acc.d[0] = 1;
    round_to(&base, digits + 2);
    while (e > 0) {
        if (e & 1) {
            num_mul(rx, &acc, &base, &tmp);
            round_to(&tmp, digits + 2);
            acc = tmp;
        }
        e >>= 1;
        if (e > 0) {
            num_mul(rx, &base, &base, &tmp);
            round_to(&tmp, digits + 2);
            base = tmp;
        }
    }
    if (neg) {
        struct num one = {0, 0, 1, {1}};
        num_div(rx, &one, &acc, r);
    } else {
        *r = acc;
    }
}

/* A plain whole number of at most 9 digits (the fast path). */
static int
small_int(struct rx_val v, long long *out)
{
    size_t i = 0;
    int neg = 0;
    if (v.n == 0 || v.n > 10) {
        return 0;
    }
    if (v.s[0] == '-' || v.s[0] == '+') {
        neg = v.s[0] == '-';
        i = 1;
    }
    if (i == v.n || v.n - i > 9) {
        return 0;
    }
    long long x = 0;
    for (; i < v.n; i++) {
        if (v.s[i] < '0' || v.s[i] > '9') {
            return 0;
        }
        x = x * 10 + (v.s[i] - '0');
    }
    *out = neg ? -x : x;
    return 1;
}

static long long
pow10ll(int n)
{
    static const long long p10[19] = {
        1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
        1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
        100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
        1000000000000000000LL,
    };
    return p10[n < 0 ? 0 : n > 18 ? 18 : n];
}

int
rx_small_int(struct rx_val v, long long *out)
{
    return small_int(v, out);
}

struct rx_val
rx_arith(struct rx *rx, int op, struct rx_val av, struct rx_val bv)
{
    int digits = digits_of(rx);
    long long x, y;
    if (small_int(av, &x) && small_int(bv, &y)) {
        long long r = 0;
        int ok = 1;
        switch (op) {
        case OP_ADD: r = x + y; break;
        case OP_SUB: r = x - y; break;
        case OP_MUL: r = x * y; break;
        case OP_DIV:
            if (y == 0) {
                rx_error(rx, 42);
            }
            ok = x % y == 0;
            r = ok ? x / y : 0;
            break;
        case OP_IDIV:
            if (y == 0) {
                rx_error(rx, 42);
            }
            r = x / y;
            break;
        case OP_REM:
            if (y == 0) {
                rx_error(rx, 42);
            }
            r = x % y;
            break;
        default: ok = 0; break;
        }
        if (ok && (digits >= 18 || (r < pow10ll(digits) && r > -pow10ll(digits)))) {
            return rx_int(rx, r);
        }
    }
    struct num a, b, r;
    if (parse_num(av, &a, digits) != 0 || parse_num(bv, &b, digits) != 0) {
        rx_error(rx, 41);
    }
    round_to(&a, digits);
    round_to(&b, digits);
    switch (op) {
    case OP_ADD: num_add(rx, &a, &b, 0, &r); break;
    case OP_SUB: num_add(rx, &a, &b, 1, &r); break;
    case OP_MUL: num_mul(rx, &a, &b, &r); break;
    case OP_DIV: num_div(rx, &a, &b, &r); break;
    case OP_IDIV: num_idiv(rx, &a, &b, 0, &r); break;
    case OP_REM: num_idiv(rx, &a, &b, 1, &r); break;
    case OP_POW: num_pow(rx, &a, &b, &r); break;
    default: rx_error(rx, 35);
    }
    if (r.exp < -999999999L || r.exp > 999999999L) {
        rx_error(rx, 42);
    }
    return format_num(rx, &r, digits);
}

struct rx_val
rx_num_norm(struct rx *rx, struct rx_val av, int negate)
{
    struct num a;
    if (parse_num(av, &a, digits_of(rx)) != 0) {
        rx_error(rx, 41);
    }
    if (negate && !is_zero(&a)) {
        a.neg = !a.neg;
    }
    return format_num(rx, &a, digits_of(rx));
}

int
rx_num_cmp(struct rx *rx, struct rx_val av, struct rx_val bv)
{
    long long x, y;
    if (small_int(av, &x) && small_int(bv, &y)) {
        return x < y ? -1 : x > y;
    }
    struct num a, b, r;
    int digits = digits_of(rx);
    if (parse_num(av, &a, digits) != 0 || parse_num(bv, &b, digits) != 0) {
        rx_error(rx, 41);
    }
    int fuzz = rx->fr != NULL ? rx->fr->fuzz : 0;
    round_to(&a, digits - fuzz);
    round_to(&b, digits - fuzz);
    num_add(rx, &a, &b, 1, &r);
    round_to(&r, digits - fuzz);
    if (is_zero(&r)) {
        return 0;
    }
    return r.neg ? -1 : 1;
}

int
rx_try_whole(struct rx *rx, struct rx_val av, long *out)
{
    long long x;
    if (small_int(av, &x)) {
        *out = (long)x;
        return 1;
    }
    struct num a;
    int digits = digits_of(rx);
    if (parse_num(av, &a, digits) != 0) {
        return 0;
    }
    round_to(&a, digits);
    long v = 0;
    long intdig = a.len + a.exp;
    if (intdig > 18) {
        return 0;
    }
    for (long i = 0; i < a.len; i++) {
        if (i < intdig) {
            v = v * 10 + a.d[i];
        } else if (a.d[i] != 0) {
            return 0;
        }
    }
    for (long i = a.len; i < intdig; i++) {
        v *= 10;
    }
    *out = a.neg ? -v : v;
    return 1;
}

long
rx_whole(struct rx *rx, struct rx_val a)
{
    long v;
    if (!rx_try_whole(rx, a, &v)) {
        rx_error(rx, 26);
    }
    return v;
}

/* Rounds (or truncates) a to n decimal places exactly. */
static void
to_places(struct num *a, long n, int truncate)
{
    if (a->exp >= -n) {
        /* pad with zeros */
        long pad = a->exp + n;
        if (a->len + pad < NUMBUF) {
            memset(a->d + a->len, 0, (size_t)pad);
            a->len += (int)pad;
            a->exp = -n;
        }
        return;
    }
    long drop = -n - a->exp; /* digits to drop */
    if (drop >= a->len) {
        int up = !truncate && drop == a->len && a->d[0] >= 5;
        a->len = 1;
        a->d[0] = (unsigned char)up;
        a->exp = -n;
        return;
    }
    int keep = a->len - (int)drop;
    int up = !truncate && a->d[keep] >= 5;
    a->len = keep;
    a->exp = -n;
    if (up) {
        int i = keep - 1;
        while (i >= 0 && a->d[i] == 9) {
            a->d[i--] = 0;
        }
        if (i >= 0) {
            a->d[i]++;
        } else {
            memmove(a->d + 1, a->d, (size_t)keep);
            a->d[0] = 1;
            a->len++;
        }
    }
}

/* Writes a (exp <= 0) as plain digits: integer part, '.', fraction. */
static struct rx_val
plain(struct rx *rx, struct num *a, long before)
{
    long intdig = a->len + a->exp;
    char *out = rx_tmp(rx, (size_t)(a->len + (before > 0 ? before : 0) + 8 + (intdig < 0 ? -intdig : 0)));
    size_t o = 0;
    int zero = 1;
    for (int i = 0; i < a->len; i++) {
        if (a->d[i]) {
            zero = 0;
        }
    }
    char ip[NUMBUF + 2];
    size_t ni = 0;
    if (a->neg && !zero) {
        ip[ni++] = '-';
    }
    if (intdig <= 0) {
        ip[ni++] = '0';
    } else {
        int lead = 1;
        for (long i = 0; i < intdig; i++) {
            if (lead && a->d[i] == 0 && i < intdig - 1) {
                continue;
            }
            lead = 0;
            ip[ni++] = (char)('0' + a->d[i]);
        }
    }
    if (before >= 0) {
        if ((long)ni > before) {
            rx_error(rx, 40);
        }
        for (long i = (long)ni; i < before; i++) {
            out[o++] = ' ';
        }
    }
    memcpy(out + o, ip, ni);
    o += ni;
    if (a->exp < 0) {
        out[o++] = '.';
        for (long i = intdig; i < a->len; i++) {
            out[o++] = i < 0 ? '0' : (char)('0' + a->d[i]);
        }
    }
    out[o] = '\0';
    struct rx_val v = {out, o};
    return v;
}

struct rx_val
rx_num_format(struct rx *rx, struct rx_val av, long before, long after)
{
    struct num a;
    int digits = digits_of(rx);
    if (parse_num(av, &a, digits) != 0) {
        rx_error(rx, 40);
    }
    round_to(&a, digits);
    if (after > 2 * RX_MAX_DIGITS) {
        rx_error(rx, 40);
    }
    if (a.len + a.exp > 2 * RX_MAX_DIGITS) {
        return format_num(rx, &a, digits); /* too long to write plain */
    }
    if (after < 0) {
        struct rx_val v = format_num(rx, &a, digits);
        if (before < 0 || memchr(v.s, 'E', v.n) != NULL) {
            return v;
        }
        struct num b;
        parse_num(v, &b, digits);
        if (b.exp > 0) {
            to_places(&b, 0, 1);
        }
        return plain(rx, &b, before);
    }
    if (a.exp > 0) {
        to_places(&a, 0, 1);
    }
    to_places(&a, after, 0);
    return plain(rx, &a, before);
}

struct rx_val
rx_num_trunc(struct rx *rx, struct rx_val av, long n)
{
    struct num a;
    int digits = digits_of(rx);
    if (parse_num(av, &a, digits) != 0) {
        rx_error(rx, 40);
    }
    round_to(&a, digits);
    if (n > 2 * RX_MAX_DIGITS) {
        rx_error(rx, 40);
    }
    if (a.len + a.exp > 2 * RX_MAX_DIGITS) {
        return format_num(rx, &a, digits); /* too long to write plain */
    }
    if (a.exp > 0) {
        to_places(&a, 0, 1);
    }
    to_places(&a, n, 1);
    return plain(rx, &a, -1);
}
