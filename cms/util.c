// SPDX-License-Identifier: MIT
/*
 * cms/util.c - small helpers of the nucleus: upper case, name fields,
 * CMS patterns, numbers and device addresses, the YES/NO question.
 */
#include <string.h>

#include "cms/cms.h"

void
cms_upper(char *s)
{
    for (; *s; s++) {
        if (*s >= 'a' && *s <= 'z') {
            *s = (char)(*s - 32);
        }
    }
}

int
cms_field(char *dst, const char *src, size_t n)
{
    size_t len = strlen(src);
    if (len == 0 || len > n) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c <= ' ' || c > '~') {
            return -1;
        }
        dst[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    dst[len] = '\0';
    return 0;
}

int
cms_match(const char *pat, const char *s)
{
    /* iterative wildcard match with one backtrack point */
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*pat == '*') {
            star = pat++;
            resume = s;
        } else if (*pat == '%' || *pat == *s) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*pat == '*') {
        pat++;
    }
    return *pat == '\0';
}

int
cms_parse_vaddr(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 4) {
        return -1;
    }
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c >= 'A' && c <= 'F') {
            d = c - 'A' + 10;
        } else if (c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
        } else {
            return -1;
        }
        v = v * 16 + d;
    }
    return v <= 0xFFF ? v : -1;
}

long
cms_parse_num(const char *s)
{
    long v = 0;
    if (*s == '\0') {
        return -1;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000L) {
            return -1;
        }
        v = v * 10 + (*s - '0');
    }
    return v;
}

int
cms_confirm(void)
{
    char line[CMS_LINE_MAX + 1];
    int n = cms_stack_take(line, sizeof line);
    if (n < 0) {
        con_read(line, sizeof line);
    }
    char *p = line;
    while (*p == ' ') {
        p++;
    }
    cms_upper(p);
    for (char *e = p; *e; e++) {
        if (*e == ' ') {
            *e = '\0';
            break;
        }
    }
    return strcmp(p, "YES") == 0 || strcmp(p, "Y") == 0 || strcmp(p, "1") == 0;
}
