// SPDX-License-Identifier: MIT
/*
 * cp/dir_valid.c - what a valid directory entry is.  Parsers for single
 * fields (userids, addresses, sizes, classes, link passwords, SSH keys)
 * used by the text import (cp/dir_text.c) and the CLI, the tables of
 * OPTION names, link modes and spool kinds, and dir_entry_check, which
 * every write (import, CLI, CP commands) runs on a whole entry before it
 * touches the database.  Parsers return NULL when the input is fine, else
 * a short reason (a static string) the caller puts into its message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/dir_int.h"
#include "cp/passwd.h"
#include "vmrv/ipl.h"
#include "vmrv/userid.h"

_Static_assert(DIR_USERID_MAX == VMRV_USERID_MAX, "one userid length");

#define DIR_MIN_STORAGE (64ull << 10)

static const char *const dir_mode_names[] = {"R", "RR", "W", "WR", "M", "MR", "MW"};

const char *
dir_mode_name(int mode)
{
    if (mode < 0 || mode >= (int)(sizeof dir_mode_names / sizeof dir_mode_names[0])) {
        return "?";
    }
    return dir_mode_names[mode];
}

int
dir_mode_parse(const char *s)
{
    for (size_t i = 0; i < sizeof dir_mode_names / sizeof dir_mode_names[0]; i++) {
        if (strcasecmp(s, dir_mode_names[i]) == 0) {
            return (int)i;
        }
    }
    return -EINVAL;
}

static const struct {
    const char *name;
    unsigned bit;
} dir_options[] = {
    {"AUTOLOG", DIR_OPT_AUTOLOG},     {"LNKNOPAS", DIR_OPT_LNKNOPAS}, {"REALTIMER", DIR_OPT_REALTIMER},
    {"ACCT", DIR_OPT_ACCT},           {"QUICKDSP", DIR_OPT_QUICKDSP},
};
#define DIR_N_OPTIONS (sizeof dir_options / sizeof dir_options[0])

const char *
dir_option_name(unsigned bit)
{
    for (size_t i = 0; i < DIR_N_OPTIONS; i++) {
        if (dir_options[i].bit == bit) {
            return dir_options[i].name;
        }
    }
    return NULL;
}

const char *
dir_parse_option(const char *s, unsigned *bit)
{
    for (size_t i = 0; i < DIR_N_OPTIONS; i++) {
        if (strcasecmp(s, dir_options[i].name) == 0) {
            *bit = dir_options[i].bit;
            return NULL;
        }
    }
    return "unknown option (known: AUTOLOG LNKNOPAS REALTIMER ACCT QUICKDSP)";
}

unsigned
dir_options_parse_list(const char *s)
{
    unsigned bits = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    for (char *w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
        unsigned bit = 0;
        if (dir_parse_option(w, &bit) == NULL) {
            bits |= bit;
        }
    }
    return bits;
}

void
dir_options_format(unsigned bits, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < DIR_N_OPTIONS; i++) {
        if (bits & dir_options[i].bit) {
            int n = snprintf(out + used, outlen - used, "%s%s", used ? " " : "", dir_options[i].name);
            if (n < 0 || (size_t)n >= outlen - used) {
                return;
            }
            used += (size_t)n;
        }
    }
}

static const char *const dir_spool_kinds[] = {"READER", "PUNCH", "PRINTER"};
static const char *const dir_spool_short[] = {"RDR", "PUN", "PRT"};

const char *
dir_spool_kind_name(int kind)
{
    return kind >= 0 && kind <= DIR_SPOOL_PRINTER ? dir_spool_kinds[kind] : "?";
}

int
dir_spool_kind_parse(const char *s)
{
    for (int i = 0; i <= DIR_SPOOL_PRINTER; i++) {
        if (strcasecmp(s, dir_spool_kinds[i]) == 0 || strcasecmp(s, dir_spool_short[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* The character rule is vmrv/userid.h's, shared with CP, login and the VM
 * layer; this adds the reasons and the reserved names. */
static int
dir_userid_char(int c)
{
    return vmrv_userid_char(c);
}

const char *
dir_parse_userid(const char *s, char out[DIR_USERID_MAX + 1])
{
    size_t n = strlen(s);
    if (n == 0 || n > DIR_USERID_MAX) {
        return "a userid has 1 to 8 characters";
    }
    char u[DIR_USERID_MAX + 1];
    if (vmrv_userid_norm(s, u) != 0) {
        return "a userid may contain only letters, digits, @, # and $";
    }
    if (strcmp(u, "SYSTEM") == 0 || strcmp(u, "ALL") == 0) {
        return "SYSTEM and ALL are reserved names";
    }
    memcpy(out, u, n + 1);
    return NULL;
}

int
dir_userid_norm(const char *in, char out[DIR_USERID_MAX + 1])
{
    return dir_parse_userid(in, out) == NULL ? 0 : -EINVAL;
}

static int
dir_hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = toupper(c);
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

const char *
dir_parse_vaddr(const char *s, uint16_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 4) {
        return "a device address has 1 to 4 hexadecimal digits";
    }
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        int h = dir_hexval((unsigned char)s[i]);
        if (h < 0) {
            return "a device address has 1 to 4 hexadecimal digits";
        }
        v = v * 16 + (unsigned)h;
    }
    *out = (uint16_t)v;
    return NULL;
}

/* digits with an optional K/M/G suffix.  *unit is 1 without one. */
static const char *
dir_parse_number(const char *s, uint64_t *value, uint64_t *unit)
{
    uint64_t v = 0;
    size_t i = 0;
    if (!isdigit((unsigned char)s[0])) {
        return "not a number";
    }
    for (; isdigit((unsigned char)s[i]); i++) {
        if (v > (UINT64_MAX - 9) / 10) {
            return "number too large";
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *unit = 1;
    switch (toupper((unsigned char)s[i])) {
    case '\0':
        break;
    case 'K':
        *unit = 1ull << 10;
        break;
    case 'M':
        *unit = 1ull << 20;
        break;
    case 'G':
        *unit = 1ull << 30;
        break;
    default:
        return "a size ends in K, M or G";
    }
    if (s[i] != '\0' && s[i + 1] != '\0') {
        return "a size ends in K, M or G";
    }
    if (v > UINT64_MAX / *unit) {
        return "number too large";
    }
    *value = v * *unit;
    return NULL;
}

const char *
dir_parse_storage(const char *s, uint64_t *out)
{
    uint64_t v = 0, unit = 1;
    const char *why = dir_parse_number(s, &v, &unit);
    if (why != NULL) {
        return why;
    }
    if (unit == 1) {
        return "a storage size needs a unit: K, M or G (as in 32M)";
    }
    if (v % 4096 != 0) {
        return "a storage size must be a multiple of 4K";
    }
    if (v < DIR_MIN_STORAGE || v > VMRV_MAX_STORAGE) {
        return "a storage size must be between 64K and 4G";
    }
    *out = v;
    return NULL;
}

const char *
dir_parse_blocks(const char *s, uint64_t *out)
{
    uint64_t v = 0, unit = 1;
    const char *why = dir_parse_number(s, &v, &unit);
    if (why != NULL) {
        return why;
    }
    if (unit != 1) {
        if (v % DIR_BLOCK_SIZE != 0) {
            return "a minidisk size in bytes must be a multiple of 4K";
        }
        v /= DIR_BLOCK_SIZE;
    }
    if (v == 0 || v > DIR_MDISK_MAX_BLOCKS) {
        return "a minidisk has 1 to 268435456 blocks of 4K (at most 1024G)";
    }
    *out = v;
    return NULL;
}

const char *
dir_parse_classes(const char *s, char out[27])
{
    int have[26] = {0};
    if (s[0] == '\0') {
        return "at least one privilege class is needed";
    }
    for (const char *p = s; *p != '\0'; p++) {
        int c = toupper((unsigned char)*p);
        if (c < 'A' || c > 'Z') {
            return "privilege classes are letters A to Z";
        }
        have[c - 'A'] = 1;
    }
    size_t n = 0;
    for (int i = 0; i < 26; i++) {
        if (have[i]) {
            out[n++] = (char)('A' + i);
        }
    }
    out[n] = '\0';
    return NULL;
}

int
dir_ipl_is_device(const char *ipl)
{
    /* A device: 1-4 hex digits with at least one decimal digit ("190",
     * "19E").  Anything else is the name of a saved system ("CMS"). */
    size_t n = strlen(ipl);
    int digit = 0;
    if (n == 0 || n > 4) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (dir_hexval((unsigned char)ipl[i]) < 0) {
            return 0;
        }
        digit |= isdigit((unsigned char)ipl[i]) != 0;
    }
    return digit;
}

const char *
dir_parse_ipl(const char *s, char out[DIR_NAME_MAX + 1])
{
    if (dir_ipl_is_device(s)) {
        uint16_t v;
        dir_parse_vaddr(s, &v);
        snprintf(out, DIR_NAME_MAX + 1, "%03X", v);
        return NULL;
    }
    size_t n = strlen(s);
    if (n == 0 || n > DIR_NAME_MAX || !isalpha((unsigned char)s[0])) {
        return "IPL takes a system name (1-8 characters, starting with a letter) or a device address";
    }
    for (size_t i = 0; i < n; i++) {
        int c = toupper((unsigned char)s[i]);
        if (!dir_userid_char(c)) {
            return "a system name may contain only letters, digits, @, # and $";
        }
        out[i] = (char)c;
    }
    out[n] = '\0';
    return NULL;
}

static int
dir_token_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) {
            return 0;
        }
    }
    return 1;
}

const char *
dir_parse_name(const char *s, char out[DIR_NAME_MAX + 1])
{
    if (!dir_token_ok(s, DIR_NAME_MAX)) {
        return "1 to 8 printable characters without blanks";
    }
    size_t i = 0;
    for (; s[i] != '\0'; i++) {
        out[i] = (char)toupper((unsigned char)s[i]);
    }
    out[i] = '\0';
    return NULL;
}

const char *
dir_parse_linkpw(const char *s, char out[DIR_NAME_MAX + 1])
{
    if (!dir_token_ok(s, DIR_NAME_MAX)) {
        return "a link password has 1 to 8 printable characters without blanks";
    }
    snprintf(out, DIR_NAME_MAX + 1, "%s", strcasecmp(s, "ALL") == 0 ? "ALL" : s);
    return NULL;
}

const char *
dir_parse_share(const char *s, unsigned *out)
{
    uint64_t v = 0, unit = 1;
    if (dir_parse_number(s, &v, &unit) != NULL || unit != 1 || v < 1 || v > DIR_SHARE_MAX) {
        return "a relative share is a number from 1 to 10000";
    }
    *out = (unsigned)v;
    return NULL;
}

const char *
dir_parse_spclass(const char *s, char *out)
{
    int c = toupper((unsigned char)s[0]);
    if (s[0] == '\0' || s[1] != '\0' || !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*')) {
        return "a spool class is one of A-Z, 0-9 or * (any)";
    }
    *out = (char)c;
    return NULL;
}

void
dir_format_storage(uint64_t bytes, char *out, size_t outlen)
{
    if (bytes != 0 && bytes % (1ull << 30) == 0) {
        snprintf(out, outlen, "%lluG", (unsigned long long)(bytes >> 30));
    } else if (bytes != 0 && bytes % (1ull << 20) == 0) {
        snprintf(out, outlen, "%lluM", (unsigned long long)(bytes >> 20));
    } else {
        snprintf(out, outlen, "%lluK", (unsigned long long)(bytes >> 10));
    }
}

void
dir_format_blocks(uint64_t blocks, char *out, size_t outlen)
{
    dir_format_storage(blocks * DIR_BLOCK_SIZE, out, outlen);
}

void
dir_image_name(const char *owner, uint16_t vaddr, char out[DIR_IMAGE_MAX])
{
    snprintf(out, DIR_IMAGE_MAX, "disks/%s.%03X.img", owner, vaddr);
}
