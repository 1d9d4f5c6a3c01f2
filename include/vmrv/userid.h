/* SPDX-License-Identifier: MIT */
/*
 * vmrv/userid.h - the one rule for VM userids, shared by the directory
 * (cp/dir_valid.c), CP's logon (cp/system_logon.c), the VM layer
 * (vm_create in cp/vm.c) and the SSH front end (login/auth.c), so that a
 * name one of them accepts is never refused by another.
 *
 * A userid has 1 to VMRV_USERID_MAX characters: letters, digits, '@', '#'
 * and '$' (as in VM/370). Letters are case-insensitive; the normal form is
 * upper case. The directory additionally reserves SYSTEM and ALL.
 * Header-only and freestanding (usable from host and guest code).
 */
#ifndef VMRV_USERID_H
#define VMRV_USERID_H

#define VMRV_USERID_MAX 8

/* Is c (already upper-cased) allowed in a userid? */
static inline int
vmrv_userid_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '@' || c == '#' || c == '$';
}

/* Check in and write its upper-case form to out (VMRV_USERID_MAX + 1
 * bytes; out may be NULL to check only). Returns 0, or -1 when in is NULL,
 * empty, too long or has a character outside the rule; out is then not
 * written. */
static inline int
vmrv_userid_norm(const char *in, char *out)
{
    char u[VMRV_USERID_MAX + 1];
    int n = 0;
    if (in == 0) {
        return -1;
    }
    for (; in[n] != '\0'; n++) {
        int c = (unsigned char)in[n];
        if (n == VMRV_USERID_MAX) {
            return -1;
        }
        if (c >= 'a' && c <= 'z') {
            c = c - 'a' + 'A';
        }
        if (!vmrv_userid_char(c)) {
            return -1;
        }
        u[n] = (char)c;
    }
    if (n == 0) {
        return -1;
    }
    u[n] = '\0';
    if (out != 0) {
        for (int i = 0; i <= n; i++) {
            out[i] = u[i];
        }
    }
    return 0;
}

#endif /* VMRV_USERID_H */
