// SPDX-License-Identifier: MIT
/*
 * cp/dir_key.c - SSH public keys as the directory keeps them: a key type
 * ("ssh-ed25519"), the base64 of the key blob, and a comment, as in an
 * OpenSSH authorized_keys line.  A key is accepted when its type is one we
 * know and its blob decodes and names that same type in its first field
 * (the SSH wire format: uint32 length, type string, ...).  The base64 is
 * stored re-encoded in canonical form (with padding), so equal keys are
 * equal strings.  No cryptography here: login/ verifies signatures with
 * libssh; the directory only says which keys belong to whom.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/dir_int.h"

static const char *const dir_key_types[] = {
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
};

static const char dir_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
dir_b64_value(int c)
{
    const char *p = c != '\0' ? strchr(dir_b64, c) : NULL;
    return p ? (int)(p - dir_b64) : -1;
}

long
dir_b64_decode(const char *s, unsigned char *out, size_t outlen)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '=') {
        n--;
    }
    if (strlen(s) - n > 2 || n % 4 == 1) {
        return -1;
    }
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = dir_b64_value((unsigned char)s[i]);
        if (v < 0) {
            return -1;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= outlen) {
                return -1;
            }
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    /* Padding must account for the leftover bits exactly. */
    if ((strlen(s) - n) != 0 && (strlen(s) % 4) != 0) {
        return -1;
    }
    return (long)o;
}

static void
dir_b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= in[i + 2];
        }
        out[o++] = dir_b64[(v >> 18) & 63];
        out[o++] = dir_b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? dir_b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? dir_b64[v & 63] : '=';
    }
    out[o] = '\0';
}

static int
dir_key_type_known(const char *type)
{
    for (size_t i = 0; i < sizeof dir_key_types / sizeof dir_key_types[0]; i++) {
        if (strcmp(type, dir_key_types[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

const char *
dir_parse_key(const char *type, const char *b64, const char *comment, struct dir_key *out)
{
    if (!dir_key_type_known(type)) {
        return "unknown key type (known: ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521, "
               "sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com)";
    }
    unsigned char blob[DIR_KEY_DATA_MAX / 4 * 3];
    long n = dir_b64_decode(b64, blob, sizeof blob);
    /* The canonical form must fit too: 4 characters per 3 bytes. */
    if (n < 0 || (size_t)((n + 2) / 3 * 4) >= DIR_KEY_DATA_MAX) {
        return "the key data is not valid base64 (or too long)";
    }
    size_t tlen = strlen(type);
    if (n < 4) {
        return "the key data is too short to be a key";
    }
    uint32_t flen = (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 | (uint32_t)blob[2] << 8 | blob[3];
    if (flen != tlen || (size_t)n < 4 + tlen + 4 || memcmp(blob + 4, type, tlen) != 0) {
        return "the key data does not hold a key of the type it says";
    }
    if (comment == NULL) {
        comment = "";
    }
    /* Blanks around the comment are not part of it. */
    while (*comment == ' ' || *comment == '\t') {
        comment++;
    }
    size_t clen = strlen(comment);
    while (clen > 0 && (comment[clen - 1] == ' ' || comment[clen - 1] == '\t')) {
        clen--;
    }
    if (clen >= DIR_KEY_COMMENT_MAX) {
        return "the key comment is too long (at most 255 characters)";
    }
    for (size_t i = 0; i < clen; i++) {
        if ((unsigned char)comment[i] < 0x20 || comment[i] == 0x7f) {
            return "the key comment has control characters";
        }
    }
    memset(out, 0, sizeof *out);
    snprintf(out->type, sizeof out->type, "%s", type);
    dir_b64_encode(blob, (size_t)n, out->data);
    memcpy(out->comment, comment, clen);
    out->comment[clen] = '\0';
    return NULL;
}

const char *
dir_parse_key_line(const char *line, struct dir_key *out)
{
    /* "type base64 [comment...]" with blanks between; trailing blanks and
     * a newline are dropped from the comment. */
    char type[DIR_KEY_TYPE_MAX];
    char *b64 = malloc(DIR_KEY_DATA_MAX * 2);
    if (b64 == NULL) {
        return "out of memory";
    }
    const char *p = line;
    const char *why = NULL;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    size_t n = strcspn(p, " \t\r\n");
    if (n == 0) {
        why = "no key given (expected: type base64 [comment])";
    } else if (n >= sizeof type) {
        why = "unknown key type (authorized_keys options before the type are not supported)";
    }
    if (why == NULL) {
        memcpy(type, p, n);
        type[n] = '\0';
        p += n;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        n = strcspn(p, " \t\r\n");
        if (n == 0) {
            why = "the key has no data (expected: type base64 [comment])";
        } else if (n >= DIR_KEY_DATA_MAX * 2) {
            why = "the key data is too long";
        }
    }
    if (why == NULL) {
        memcpy(b64, p, n);
        b64[n] = '\0';
        p += n;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        char comment[DIR_KEY_COMMENT_MAX + 2];
        size_t c = strcspn(p, "\r\n");
        while (c > 0 && (p[c - 1] == ' ' || p[c - 1] == '\t')) {
            c--;
        }
        if (c > DIR_KEY_COMMENT_MAX) {
            why = "the key comment is too long (at most 255 characters)";
        } else {
            memcpy(comment, p, c);
            comment[c] = '\0';
            why = dir_parse_key(type, b64, comment, out);
        }
    }
    free(b64);
    return why;
}
