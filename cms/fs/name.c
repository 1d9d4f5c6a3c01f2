// SPDX-License-Identifier: MIT
/*
 * cms/fs/name.c - the small pure parts of the CMS file system: the table of
 * errors, file names and their characters, LISTFILE patterns, and the
 * calendar arithmetic for file dates.  No disk, no state.
 */
#include "cms/fs/cmsfs_int.h"

/* ---- errors ------------------------------------------------------------ */

struct err_row {
    const char *name;
    const char *text;
    int rc; /* CMS return code */
};

/* Indexed by -code. */
static const struct err_row err_table[CMSFS_ERR_COUNT] = {
    {"CMSFS_OK", "success", 0},
    {"CMSFS_E_NOTFOUND", "file not found", 28},
    {"CMSFS_E_ROFS", "disk is read-only", 36},
    {"CMSFS_E_FULL", "disk is full", 13},
    {"CMSFS_E_BADNAME", "invalid file name or type", 20},
    {"CMSFS_E_BADMODE", "invalid filemode", 24},
    {"CMSFS_E_EOF", "end of file", 12},
    {"CMSFS_E_TRUNC", "record truncated: buffer too small", 8},
    {"CMSFS_E_RECFM", "invalid record format or length for this file", 16},
    {"CMSFS_E_RECLEN", "record length not valid for this file", 15},
    {"CMSFS_E_RANGE", "record number out of range", 7},
    {"CMSFS_E_EXISTS", "file already exists", 24},
    {"CMSFS_E_BUSY", "file is open", 70},
    {"CMSFS_E_INVAL", "invalid argument", 24},
    {"CMSFS_E_NOMEM", "not enough storage", 25},
    {"CMSFS_E_IO", "disk I/O error", 100},
    {"CMSFS_E_CORRUPT", "disk structure damaged (checksum mismatch)", 101},
    {"CMSFS_E_NOTFMT", "not a formatted CMS disk", 102},
    {"CMSFS_E_VERSION", "disk format version not supported", 103},
    {"CMSFS_E_FAILED", "disk write failed during a commit: access the disk again", 100},
};

static const struct err_row *
err_row(int err)
{
    if (err > 0 || err <= -CMSFS_ERR_COUNT) {
        return NULL;
    }
    return &err_table[-err];
}

const char *
cmsfs_err_name(int err)
{
    const struct err_row *r = err_row(err);
    return r ? r->name : "CMSFS_E_?";
}

const char *
cmsfs_err_text(int err)
{
    const struct err_row *r = err_row(err);
    return r ? r->text : "unknown error";
}

int
cmsfs_err_rc(int err)
{
    const struct err_row *r = err_row(err);
    return r ? r->rc : 100;
}

/* ---- names ------------------------------------------------------------- */

/* The characters CMS allows in a file name or type. */
static bool
name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '$' || c == '#' ||
           c == '@' || c == '+' || c == '-' || c == ':' || c == '_';
}

static char
upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* An 8-byte field: 1-8 name characters, then blanks. */
static bool
field_valid(const char *f)
{
    if (!name_char(f[0])) {
        return false;
    }
    bool blank = false;
    for (int i = 1; i < CMSFS_NAME_LEN; i++) {
        if (f[i] == ' ') {
            blank = true;
        } else if (blank || !name_char(f[i])) {
            return false;
        }
    }
    return true;
}

bool
cmsfs_name_valid(const struct cmsfs_name *n)
{
    return n != NULL && field_valid(n->fn) && field_valid(n->ft);
}

/* Copies len bytes of s into an 8-byte field, folded and blank padded. */
static int
field_set(char *f, const char *s, size_t len)
{
    if (len < 1 || len > CMSFS_NAME_LEN) {
        return CMSFS_E_BADNAME;
    }
    memset(f, ' ', CMSFS_NAME_LEN);
    for (size_t i = 0; i < len; i++) {
        f[i] = upper(s[i]);
        if (!name_char(f[i])) {
            return CMSFS_E_BADNAME;
        }
    }
    return CMSFS_OK;
}

int
cmsfs_name_set(struct cmsfs_name *name, const char *fn, const char *ft)
{
    if (name == NULL || fn == NULL || ft == NULL) {
        return CMSFS_E_INVAL;
    }
    int rc = field_set(name->fn, fn, strlen(fn));
    if (rc == CMSFS_OK) {
        rc = field_set(name->ft, ft, strlen(ft));
    }
    return rc;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int
cmsfs_fileid_parse(const char *text, struct cmsfs_name *name, char *fmletter, int *fmnum,
                   int default_num)
{
    const char *word[4];
    size_t wlen[4];
    int n = 0;
    if (text == NULL || name == NULL) {
        return CMSFS_E_INVAL;
    }
    for (const char *p = text; *p;) {
        while (is_blank(*p)) {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        if (n == 4) {
            return CMSFS_E_INVAL;
        }
        word[n] = p;
        while (*p && !is_blank(*p)) {
            p++;
        }
        wlen[n] = (size_t)(p - word[n]);
        n++;
    }
    if (n < 2 || n > 3) {
        return CMSFS_E_INVAL;
    }
    int rc = field_set(name->fn, word[0], wlen[0]);
    if (rc == CMSFS_OK) {
        rc = field_set(name->ft, word[1], wlen[1]);
    }
    if (rc != CMSFS_OK) {
        return rc;
    }
    char letter = 0;
    int num = default_num;
    if (n == 3) {
        const char *m = word[2];
        size_t i = 0;
        char c = upper(m[0]);
        if (c >= 'A' && c <= 'Z') {
            letter = c;
            i = 1;
        }
        if (i < wlen[2]) {
            if (m[i] < '0' || m[i] > '6') {
                return CMSFS_E_BADMODE;
            }
            num = m[i] - '0';
            i++;
        }
        if (i != wlen[2]) {
            return CMSFS_E_BADMODE;
        }
    }
    if (fmletter) {
        *fmletter = letter;
    }
    if (fmnum) {
        *fmnum = num;
    }
    return CMSFS_OK;
}

static size_t
field_len(const char *f)
{
    size_t n = CMSFS_NAME_LEN;
    while (n > 0 && f[n - 1] == ' ') {
        n--;
    }
    return n;
}

char *
cmsfs_name_str(const struct cmsfs_name *name, char *out)
{
    size_t a = field_len(name->fn), b = field_len(name->ft);
    memcpy(out, name->fn, a);
    out[a] = ' ';
    memcpy(out + a + 1, name->ft, b);
    out[a + 1 + b] = '\0';
    return out;
}

/* ---- patterns ---------------------------------------------------------- */

bool
cmsfs_pattern_valid(const char *pat)
{
    size_t n = strlen(pat);
    if (n < 1 || n > 2 * CMSFS_NAME_LEN) {
        return false;
    }
    size_t literal = 0;
    for (size_t i = 0; i < n; i++) {
        if (pat[i] != '*') {
            literal++;
        }
        if (pat[i] != '*' && pat[i] != '%' && !name_char(pat[i])) {
            return false;
        }
    }
    return literal <= CMSFS_NAME_LEN;
}

bool
cmsfs_match(const char *pat, const char field[CMSFS_NAME_LEN])
{
    size_t n = field_len(field);
    size_t i = 0; /* in field */
    const char *star = NULL; /* last '*' seen, for backtracking */
    size_t star_i = 0;
    while (i < n || *pat) {
        if (*pat == '*') {
            star = ++pat;
            star_i = i;
            continue;
        }
        if (i < n && *pat && (*pat == '%' || *pat == field[i])) {
            pat++;
            i++;
            continue;
        }
        if (star == NULL || star_i >= n) {
            return false;
        }
        pat = star;
        i = ++star_i;
    }
    return true;
}

/* ---- time -------------------------------------------------------------- */

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void
cmsfs_time_split(const struct cmsfs_time *t, struct cmsfs_tm *tm)
{
    int64_t secs = floor_div(t->us, 1000000) + t->utc_offset_s;
    int64_t days = floor_div(secs, 86400);
    int64_t rem = secs - days * 86400;
    tm->hour = (int)(rem / 3600);
    tm->minute = (int)(rem / 60 % 60);
    tm->second = (int)(rem % 60);
    /* Days since 1970-01-01 to a Gregorian date: count from 0000-03-01 in
     * 400-year eras of 146097 days, so February is the last month. */
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097; /* day of era, 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* from March 1 */
    int64_t mp = (5 * doy + 2) / 153; /* month from March, 0..11 */
    tm->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    tm->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    tm->year = (int)(yoe + era * 400 + (tm->month <= 2));
}
