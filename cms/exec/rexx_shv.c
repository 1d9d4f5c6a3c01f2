// SPDX-License-Identifier: MIT
/*
 * cms/exec/rexx_shv.c - shared variable access (execcomm.h): a nucleus
 * command reads and sets the variables of the EXEC that issued it, as
 * CMS's EXECCOMM lets a command do.
 *
 * rexx_cms.c keeps rx_active, the innermost running EXEC.  Each call here
 * works in that EXEC's current variable pool, through the same functions a
 * clause uses (rexx_var.c), so compound tails are substituted and EXPOSE
 * is honoured.  Its temporaries go in the EXEC's scratch arena above a
 * mark released before returning, so a command setting 10,000 variables
 * in one clause does not grow the arena.  The interpreter raises errors by
 * longjmp (rx_error); a call here catches the one it can meet (error 5,
 * storage) on a jmp_buf of its own, so the command never unwinds.
 */
#include <setjmp.h>
#include <string.h>

#include "cms/exec/execcomm.h"
#include "cms/exec/rexx.h"

/* An unset variable's derived name, for cms_shv_fetch. */
static char newv_name[256];

int
cms_shv_name_ok(const char *name, size_t n)
{
    if (n == 0 || (name[0] >= '0' && name[0] <= '9') || name[0] == '.') {
        return 0;
    }
    return rx_valid_symbol(name, n);
}

enum shv_op { SHV_SET, SHV_FETCH, SHV_DROP };

/* The jmp_buf slot rx_error will use now (rexx_run.c). */
static jmp_buf **
error_slot(struct rx *rx)
{
    return (rx->fr != NULL && rx->fr->jb != NULL) ? &rx->fr->jb : &rx->top_jb;
}

static int
shv_call(enum shv_op op, const char *name, size_t n, const char *val, size_t vlen,
         const char **out, size_t *outlen)
{
    struct rx *rx = rx_active;
    if (rx == NULL || rx->pool == NULL) {
        return CMS_SHV_NOEXEC;
    }
    if (!cms_shv_name_ok(name, n)) {
        return CMS_SHV_BADN;
    }
    struct rx_mark m = rx_mark(rx);
    jmp_buf **slot = error_slot(rx);
    jmp_buf *saved = *slot;
    jmp_buf jb;
    *slot = &jb;
    if (setjmp(jb) != 0) {
        *slot = saved;
        rx_release(rx, m);
        return CMS_SHV_NOMEM;
    }
    char *up = rx_tmp(rx, n);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        up[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    struct rx_val dn = rx_var_name(rx, up, n);
    int rc = CMS_SHV_OK;
    switch (op) {
    case SHV_SET: {
        struct rx_val v = {val, vlen};
        rx_var_set(rx, dn.s, dn.n, v);
        break;
    }
    case SHV_DROP:
        rx_var_drop(rx, dn.s, dn.n);
        break;
    case SHV_FETCH: {
        struct rx_val v;
        if (rx_var_get(rx, dn.s, dn.n, &v)) {
            *out = v.s; /* the variable's own storage */
            *outlen = v.n;
        } else {
            size_t k = dn.n < sizeof newv_name ? dn.n : sizeof newv_name - 1;
            memcpy(newv_name, dn.s, k);
            *out = newv_name;
            *outlen = k;
            rc = CMS_SHV_NEWV;
        }
        break;
    }
    }
    *slot = saved;
    rx_release(rx, m);
    return rc;
}

int
cms_shv_set(const char *name, size_t n, const char *val, size_t vlen)
{
    return shv_call(SHV_SET, name, n, val, vlen, NULL, NULL);
}

int
cms_shv_fetch(const char *name, size_t n, const char **val, size_t *vlen)
{
    return shv_call(SHV_FETCH, name, n, NULL, 0, val, vlen);
}

int
cms_shv_drop(const char *name, size_t n)
{
    return shv_call(SHV_DROP, name, n, NULL, 0, NULL, NULL);
}
