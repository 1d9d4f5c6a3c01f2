// SPDX-License-Identifier: MIT
/*
 * cp/config.c - reads vmrv.conf into struct cp_config (cp/config.h).
 *
 * One table, `keys`, names every setting with its kind, where it lives in
 * the struct, its limits and its default; the parser, the defaults and the
 * dump are all driven by it.  A new setting is one row (and a line in
 * etc/vmrv.conf, which a test checks).  Nothing here allocates.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/config.h"
#include "cp/log.h"

enum kind { K_STRING, K_SIZE, K_TIME, K_COUNT, K_BOOL, K_LEVEL, K_NAME8, K_LOGMSG };

struct key {
    const char *name;
    enum kind kind;
    size_t off; /* offset in struct cp_config */
    size_t size; /* of the field (strings: buffer size) */
    uint64_t min, max; /* numbers: inclusive limits */
    const char *def; /* default, in the file's syntax */
};

#define F(field) offsetof(struct cp_config, field), sizeof(((struct cp_config *)0)->field)

static const struct key keys[] = {
    {"data_dir", K_STRING, F(data_dir), 0, 0, ""},
    {"listen_address", K_STRING, F(listen_address), 0, 0, "127.0.0.1"},
    {"listen_port", K_COUNT, F(listen_port), 0, 65535, "2222"},
    {"real_storage", K_SIZE, F(real_storage), 256ull << 10, 1ull << 50, "1G"},
    {"paging_file", K_STRING, F(paging_file), 0, 0, "paging.dat"},
    {"paging_size", K_SIZE, F(paging_size), 0, 1ull << 50, "4G"},
    {"spool_size", K_SIZE, F(spool_size), 1ull << 20, 1ull << 50, "8G"},
    {"dispatchers", K_COUNT, F(dispatchers), 0, 256, "0"},
    {"max_vms", K_COUNT, F(max_vms), 1, 100000, "200"},
    {"committed_storage", K_SIZE, F(committed_storage), 1ull << 20, 1ull << 50, "64G"},
    {"tdisk_max", K_SIZE, F(tdisk_max), 4ull << 10, 1ull << 50, "256M"},
    {"tdisk_total", K_SIZE, F(tdisk_total), 0, 1ull << 50, "4G"},
    {"logmsg", K_LOGMSG, F(logmsg), 0, 0, ""},
    {"idle_disconnect", K_TIME, F(idle_disconnect_s), 0, 30 * 86400, "0"},
    {"disconnect_timeout", K_TIME, F(disconnect_timeout_s), 0, 30 * 86400, "15m"},
    {"ssh_channels", K_COUNT, F(ssh_channels), 1, 64, "10"},
    {"ssh_empty_timeout", K_TIME, F(ssh_empty_timeout_s), 0, 30 * 86400, "1h"},
    {"timezone", K_STRING, F(timezone), 0, 0, ""},
    {"system_name", K_NAME8, F(system_name), 0, 0, "VMRV"},
    {"log_level", K_LEVEL, F(log_level), 0, 0, "info"},
    {"log_stderr", K_BOOL, F(log_stderr), 0, 0, "no"},
    {"console_ring", K_SIZE, F(console_ring_kib), 4 << 10, 16 << 20, "64K"},
    {"slice", K_TIME, F(slice_ms), 1, 1000, "10ms"},
    {"cms_nucleus", K_STRING, F(cms_nucleus), 0, 0, ""},
    {"sdisk_image", K_STRING, F(sdisk_image), 0, 0, ""},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int
cp_parse_size(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (!isdigit((unsigned char)*s)) {
        return -1;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) {
        return -1;
    }
    unsigned shift = 0;
    switch (toupper((unsigned char)*end)) {
    case 'K': shift = 10; end++; break;
    case 'M': shift = 20; end++; break;
    case 'G': shift = 30; end++; break;
    case 'T': shift = 40; end++; break;
    default: break;
    }
    if (*end == 'B' || *end == 'b') {
        end++;
    }
    if (*end != '\0' || (shift && v > (UINT64_MAX >> shift))) {
        return -1;
    }
    *out = (uint64_t)v << shift;
    return 0;
}

void
cp_format_size(uint64_t bytes, char *buf, size_t buflen)
{
    static const char units[] = "KMGT";
    int u = -1;
    while (u < 3 && bytes >= 1024 && bytes % 1024 == 0) {
        bytes /= 1024;
        u++;
    }
    if (u < 0) {
        snprintf(buf, buflen, "%llu", (unsigned long long)bytes);
    } else {
        snprintf(buf, buflen, "%llu%c", (unsigned long long)bytes, units[u]);
    }
}

/* "90", "90s", "15m", "2h", "1d"; with ms_unit the result is in ms
 * ("10ms", "1s"); else in seconds. */
static int
parse_time(const char *s, bool ms_unit, uint64_t *out)
{
    char *end = NULL;
    if (!isdigit((unsigned char)*s)) {
        return -1;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || v > 1000000000ull) {
        return -1;
    }
    uint64_t ms;
    if (strcasecmp(end, "ms") == 0) {
        ms = v;
    } else if (*end == '\0') {
        ms = ms_unit ? v : v * 1000;
    } else if (end[1] != '\0') {
        return -1;
    } else {
        switch (tolower((unsigned char)*end)) {
        case 's': ms = v * 1000; break;
        case 'm': ms = v * 60000; break;
        case 'h': ms = v * 3600000; break;
        case 'd': ms = v * 86400000; break;
        default: return -1;
        }
    }
    if (!ms_unit && ms % 1000) {
        return -1;
    }
    *out = ms_unit ? ms : ms / 1000;
    return 0;
}

static int
parse_bool(const char *s, bool *out)
{
    static const struct {
        const char *word;
        bool value;
    } words[] = {{"yes", true}, {"no", false}, {"on", true},   {"off", false},
                 {"true", true}, {"false", false}, {"1", true}, {"0", false}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcasecmp(s, words[i].word) == 0) {
            *out = words[i].value;
            return 0;
        }
    }
    return -1;
}

static const struct key *
find_key(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcasecmp(keys[i].name, name) == 0) {
            return &keys[i];
        }
    }
    return NULL;
}

/* Stores value into the field of k.  Returns NULL or a reason. */
static const char *
apply(struct cp_config *cfg, const struct key *k, const char *value)
{
    char *field = (char *)cfg + k->off;
    uint64_t n = 0;
    switch (k->kind) {
    case K_STRING:
        if (strlen(value) >= k->size) {
            return "value too long";
        }
        strcpy(field, value);
        return NULL;
    case K_NAME8: {
        size_t len = strlen(value);
        if (len == 0 || len > 8) {
            return "must be 1 to 8 characters";
        }
        for (size_t i = 0; i < len; i++) {
            if (!isalnum((unsigned char)value[i]) && !strchr("@#$-_", value[i])) {
                return "only letters, digits and @#$-_ are allowed";
            }
            field[i] = (char)toupper((unsigned char)value[i]);
        }
        field[len] = '\0';
        return NULL;
    }
    case K_LOGMSG:
        if (strlen(value) >= CP_LOGMSG_LINE_MAX) {
            return "line too long";
        }
        if (cfg->logmsg_lines >= CP_LOGMSG_MAX_LINES) {
            return "too many logmsg lines";
        }
        strcpy(cfg->logmsg[cfg->logmsg_lines++], value);
        return NULL;
    case K_BOOL: {
        bool b;
        if (parse_bool(value, &b) < 0) {
            return "expected yes or no";
        }
        *(bool *)field = b;
        return NULL;
    }
    case K_LEVEL: {
        int level = cplog_level_parse(value);
        if (level < 0) {
            return "expected error, warning, info or debug";
        }
        *(int *)field = level;
        return NULL;
    }
    case K_SIZE:
        if (cp_parse_size(value, &n) < 0) {
            return "expected a size such as 512M or 2G";
        }
        break;
    case K_TIME:
        /* slice is the one setting in ms; the others are in seconds */
        if (parse_time(value, k->off == offsetof(struct cp_config, slice_ms), &n) < 0) {
            return "expected a time such as 90s, 15m or 2h";
        }
        break;
    case K_COUNT: {
        char *end = NULL;
        errno = 0;
        if (!isdigit((unsigned char)*value)) {
            return "expected a number";
        }
        n = strtoull(value, &end, 10);
        if (errno || *end) {
            return "expected a number";
        }
        break;
    }
    }
    if (n < k->min || n > k->max) {
        return "value out of range";
    }
    if (k->off == offsetof(struct cp_config, console_ring_kib)) {
        n /= 1024; /* stored in KiB */
    }
    if (k->size == sizeof(uint64_t)) {
        *(uint64_t *)field = n;
    } else {
        *(unsigned *)field = (unsigned)n;
    }
    return NULL;
}

void
cp_config_defaults(struct cp_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NKEYS; i++) {
        if (keys[i].kind == K_LOGMSG) {
            continue; /* no LOGMSG lines by default */
        }
        const char *why = apply(cfg, &keys[i], keys[i].def);
        if (why) {
            fprintf(stderr, "vmrv: bad default for %s: %s\n", keys[i].name, why);
            abort(); /* a bug in the table */
        }
    }
}

int
cp_config_set(struct cp_config *cfg, const char *key, const char *value, char *err,
              size_t errlen)
{
    const struct key *k = find_key(key);
    if (!k) {
        seterr(err, errlen, "unknown setting '%s'", key);
        return -1;
    }
    const char *why = apply(cfg, k, value);
    if (why) {
        seterr(err, errlen, "%s = %s: %s", k->name, value, why);
        return -1;
    }
    return 0;
}

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

int
cp_config_parse(struct cp_config *cfg, const char *name, const char *text, char *err,
                size_t errlen)
{
    bool seen[NKEYS] = {false};
    bool logmsg_reset = false;
    unsigned lineno = 0;
    const char *p = text;
    while (*p) {
        char line[1024];
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        if (len >= sizeof line) {
            seterr(err, errlen, "%s:%u: line too long", name, lineno);
            return -1;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (nl ? 1 : 0);

        char *hash = strchr(line, '#');
        if (hash) {
            *hash = '\0';
        }
        char *s = trim(line);
        if (*s == '\0') {
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            seterr(err, errlen, "%s:%u: expected 'key = value'", name, lineno);
            return -1;
        }
        *eq = '\0';
        char *key = trim(s);
        char *value = trim(eq + 1);
        const struct key *k = find_key(key);
        if (!k) {
            seterr(err, errlen, "%s:%u: unknown setting '%s'", name, lineno, key);
            return -1;
        }
        size_t idx = (size_t)(k - keys);
        if (k->kind == K_LOGMSG) {
            if (!logmsg_reset) {
                cfg->logmsg_lines = 0; /* the file's lines replace the defaults */
                logmsg_reset = true;
            }
        } else if (seen[idx]) {
            seterr(err, errlen, "%s:%u: '%s' is set twice", name, lineno, k->name);
            return -1;
        }
        seen[idx] = true;
        const char *why = apply(cfg, k, value);
        if (why) {
            seterr(err, errlen, "%s:%u: %s = %s: %s", name, lineno, k->name, value, why);
            return -1;
        }
    }
    return 0;
}

int
cp_config_load(struct cp_config *cfg, const char *path, bool missing_ok, char *err,
               size_t errlen)
{
    cp_config_defaults(cfg);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT && missing_ok) {
            return 0;
        }
        seterr(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = -1;
    char *text = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (cap - len < 4096) {
            if (cap > (1u << 20)) {
                seterr(err, errlen, "%s: file too large", path);
                goto out;
            }
            char *t = realloc(text, cap + 8192);
            if (!t) {
                seterr(err, errlen, "%s: out of memory", path);
                goto out;
            }
            text = t;
            cap += 8192;
        }
        size_t n = fread(text + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    if (ferror(f)) {
        seterr(err, errlen, "%s: read error", path);
        goto out;
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        seterr(err, errlen, "%s: contains a NUL byte", path);
        goto out;
    }
    rc = cp_config_parse(cfg, path, text, err, errlen);
out:
    free(text);
    fclose(f);
    return rc;
}

size_t
cp_config_dump(const struct cp_config *cfg, char *buf, size_t buflen)
{
    size_t need = 0;
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key *k = &keys[i];
        const char *field = (const char *)cfg + k->off;
        char val[CP_CONFIG_PATH_MAX + 16];
        uint64_t n = k->size == sizeof(uint64_t) ? *(const uint64_t *)field
                                                 : (uint64_t)*(const unsigned *)field;
        switch (k->kind) {
        case K_STRING:
        case K_NAME8: snprintf(val, sizeof val, "%s", field); break;
        case K_BOOL: snprintf(val, sizeof val, "%s", *(const bool *)field ? "yes" : "no"); break;
        case K_LEVEL: snprintf(val, sizeof val, "%s", cplog_level_name(*(const int *)field)); break;
        case K_SIZE:
            if (k->off == offsetof(struct cp_config, console_ring_kib)) {
                n *= 1024;
            }
            cp_format_size(n, val, sizeof val);
            break;
        case K_TIME:
            snprintf(val, sizeof val, "%llu%s", (unsigned long long)n,
                     k->off == offsetof(struct cp_config, slice_ms) ? "ms" : "s");
            break;
        case K_COUNT: snprintf(val, sizeof val, "%llu", (unsigned long long)n); break;
        case K_LOGMSG:
            for (unsigned l = 0; l < cfg->logmsg_lines; l++) {
                int w = snprintf(buf ? buf + (need < buflen ? need : buflen) : NULL,
                                 need < buflen ? buflen - need : 0, "logmsg = %s\n",
                                 cfg->logmsg[l]);
                need += (size_t)w;
            }
            continue;
        }
        int w = snprintf(buf ? buf + (need < buflen ? need : buflen) : NULL,
                         need < buflen ? buflen - need : 0, "%s = %s\n", k->name, val);
        need += (size_t)w;
    }
    return need;
}
