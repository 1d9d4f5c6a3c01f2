// SPDX-License-Identifier: MIT
/*
 * cp/spool_diag.c - the guest's unit record I/O: DIAG 0x014 (read the
 * virtual reader 00C) and DIAG 0x1000 (write the punch 00D or printer 00E,
 * and close the file).  docs/ABI.md has the exact contract; in short:
 *
 *   0x014 NEXT     a1 buffer, a2 length -> a1 record length (truncated to
 *                  a2 if longer), a2 spoolid; EOF at the end of the file,
 *                  ENOTFOUND when no file is eligible
 *         SELECT   a1 spoolid -> ENOTFOUND, EDENIED (held)
 *         RESTART  -> ENOTFOUND (no current file)
 *         DESCRIBE a1 spoolid (0: current, else first eligible), a2 buffer,
 *                  a3 length -> a1 bytes written (at most a3)
 *         CLOSE    a1 0 keep, 1 purge -> a1 spoolid closed
 *   0x1000         a0 00D|00E, a1 record, a2 length, a3 flags, a4/a5 "fn ft"
 *                  -> a1 spoolid when a file was closed (0 otherwise)
 *
 * Every argument is checked before anything changes; a guest can only
 * get an error code.  A close of the punch or printer, and a reader
 * CLOSE with purge, wait for durability with the VM in SERVICE_WAIT
 * (RV_HCALL_WAIT): the ecall runs again when the store's callback wakes
 * it and then returns the result.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cp/diag.h"
#include "cp/spool_cp.h"
#include "cp/stor.h"
#include "cp/vdev.h"
#include "vmrv/diag.h"

static enum rv_hcall
result(struct diag_call *c, int64_t error)
{
    c->error = error;
    return RV_HCALL_CONTINUE;
}

static bool
in_storage(struct vm *vm, uint64_t a, uint64_t len)
{
    uint64_t size = vm_storage_size(vm);
    return a <= size && len <= size - a;
}

enum rv_hcall
cpsp_diag_reader(struct cpsp_user *p, struct vm *vm, struct diag_call *c)
{
    if (!p) {
        return result(c, DIAG_ENODEV);
    }
    unsigned char *buf;
    struct spool_reader *r = cpsp_user_reader(p, &buf);
    uint32_t id = 0;
    int rc;
    switch (c->a[0]) {
    case DIAG_RDR_NEXT: {
        uint64_t a = c->a[1], cap = c->a[2];
        if (!in_storage(vm, a, cap)) {
            return result(c, DIAG_EFAULT);
        }
        /* the record is taken only once the buffer is in (restartable) */
        if (diag_paged_out(vm, a, cap < SPOOL_RECORD_MAX ? cap : SPOOL_RECORD_MAX)) {
            return RV_HCALL_WAIT;
        }
        size_t len = 0;
        rc = spool_reader_next(r, buf, SPOOL_RECORD_MAX, &len, &id);
        if (rc < 0) {
            return result(c, spool_errno_to_diag(rc));
        }
        size_t n = len < cap ? len : (size_t)cap;
        if (n && stor_write(vm_stor(vm), a, buf, n) != 0) {
            return result(c, DIAG_EFAULT);
        }
        c->value = len;
        c->value2 = id;
        c->has_value2 = true;
        return result(c, DIAG_OK);
    }
    case DIAG_RDR_SELECT:
        if (c->a[1] == 0 || c->a[1] > UINT32_MAX) {
            return result(c, DIAG_EINVAL);
        }
        return result(c, spool_errno_to_diag(spool_reader_select(r, (uint32_t)c->a[1])));
    case DIAG_RDR_RESTART:
        return result(c, spool_errno_to_diag(spool_reader_restart(r)));
    case DIAG_RDR_DESCRIBE: {
        uint64_t a = c->a[2], cap = c->a[3];
        if (c->a[1] > UINT32_MAX) {
            return result(c, DIAG_EINVAL);
        }
        if (!in_storage(vm, a, cap)) {
            return result(c, DIAG_EFAULT);
        }
        uint64_t want = cap < sizeof(struct diag_spool_desc) ? cap : sizeof(struct diag_spool_desc);
        if (diag_paged_out(vm, a, want)) {
            return RV_HCALL_WAIT;
        }
        struct diag_spool_desc d;
        memset(&d, 0, sizeof d);
        rc = spool_reader_describe(r, (uint32_t)c->a[1], &d);
        if (rc < 0) {
            return result(c, spool_errno_to_diag(rc));
        }
        size_t n = cap < sizeof d ? (size_t)cap : sizeof d;
        if (n && stor_write(vm_stor(vm), a, &d, n) != 0) {
            return result(c, DIAG_EFAULT);
        }
        c->value = n;
        return result(c, DIAG_OK);
    }
    case DIAG_RDR_CLOSE:
        /* a purge of ours in flight: this is the same ecall run again */
        rc = cpsp_guest_close_poll(p, CPSP_RDR, &id);
        if (rc == -EINPROGRESS) {
            return RV_HCALL_WAIT;
        }
        if (rc != -ENOENT) {
            c->value = id;
            return result(c, spool_errno_to_diag(rc));
        }
        if (c->a[1] > 1) {
            return result(c, DIAG_EINVAL);
        }
        if (c->a[1] == 1) {
            /* answered only once the purge is durable: the VM waits, its
             * dispatcher does not */
            rc = cpsp_guest_purge_start(p, &id);
            if (rc == 0) {
                return RV_HCALL_WAIT;
            }
            c->value = id;
            return result(c, spool_errno_to_diag(rc == 1 ? 0 : rc));
        }
        rc = cpsp_user_close_reader(p, false, &id);
        c->value = id;
        return result(c, spool_errno_to_diag(rc));
    default:
        return result(c, DIAG_ENOTSUP);
    }
}

/* "fn ft" (blank separated, 1-8 printable characters each, ft optional)
 * into fn[9], ft[9].  false if malformed. */
static bool
parse_name(const char *s, size_t len, char *fn, char *ft)
{
    char tok[2][SPOOL_NAME_MAX + 1] = {"", ""};
    int nt = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && s[i] == ' ') {
            i++;
        }
        if (i == len || s[i] == '\0') {
            break;
        }
        if (nt == 2) {
            return false;
        }
        size_t k = 0;
        while (i < len && s[i] != ' ' && s[i] != '\0') {
            if (k == SPOOL_NAME_MAX || !isgraph((unsigned char)s[i])) {
                return false;
            }
            tok[nt][k++] = s[i++];
        }
        tok[nt][k] = '\0';
        nt++;
        if (i < len && s[i] == '\0') {
            break;
        }
    }
    memcpy(fn, tok[0], sizeof tok[0]);
    memcpy(ft, tok[1], sizeof tok[1]);
    return nt > 0;
}

enum rv_hcall
cpsp_diag_ur_write(struct cpsp_user *p, struct vm *vm, struct diag_call *c)
{
    uint64_t vaddr = c->a[0], rec = c->a[1], len = c->a[2], flags = c->a[3];
    uint64_t name = c->a[4], nlen = c->a[5];
    enum cpsp_unit unit = vaddr == 0x00D ? CPSP_PUN : vaddr == 0x00E ? CPSP_PRT : CPSP_RDR;
    if (!p || unit == CPSP_RDR) {
        return result(c, DIAG_ENODEV);
    }
    uint32_t id = 0;
    /* a close of ours in flight: this is the same ecall run again */
    int rc = cpsp_guest_close_poll(p, unit, &id);
    if (rc == -EINPROGRESS) {
        return RV_HCALL_WAIT;
    }
    if (rc != -ENOENT) {
        c->value = rc == 0 ? id : 0;
        return result(c, spool_errno_to_diag(rc));
    }
    if ((flags & ~(uint64_t)DIAG_UR_CLOSE) || len > DIAG_UR_MAX_RECORD ||
        (nlen && !(flags & DIAG_UR_CLOSE)) || nlen > 2 * SPOOL_NAME_MAX + 8) {
        return result(c, DIAG_EINVAL);
    }
    bool closing = flags & DIAG_UR_CLOSE;
    /* both buffers in before anything is appended (restartable) */
    if ((nlen && in_storage(vm, name, nlen) && diag_paged_out(vm, name, nlen)) ||
        (len && in_storage(vm, rec, len) && diag_paged_out(vm, rec, len))) {
        return RV_HCALL_WAIT;
    }
    char fn[SPOOL_NAME_MAX + 1] = "", ft[SPOOL_NAME_MAX + 1] = "";
    if (nlen) {
        char nb[2 * SPOOL_NAME_MAX + 8];
        if (stor_read(vm_stor(vm), name, nb, nlen) != 0) {
            return result(c, DIAG_EFAULT);
        }
        if (!parse_name(nb, nlen, fn, ft)) {
            return result(c, DIAG_EINVAL);
        }
    }
    if (!in_storage(vm, rec, len)) {
        return result(c, DIAG_EFAULT);
    }
    c->value = 0;
    /* with DIAG_UR_CLOSE a length of 0 only closes */
    if (len || !closing) {
        unsigned char *buf;
        (void)cpsp_user_reader(p, &buf);
        if (len && stor_read(vm_stor(vm), rec, buf, len) != 0) {
            return result(c, DIAG_EFAULT);
        }
        rc = cpsp_user_append(p, unit, buf, len);
        if (rc < 0) {
            return result(c, spool_errno_to_diag(rc));
        }
    }
    if (!closing || cpsp_user_settings(p, unit)->cont) {
        return result(c, DIAG_OK);
    }
    rc = cpsp_guest_close_start(p, unit, nlen ? fn : NULL, nlen ? ft : NULL);
    if (rc == 1) {
        return result(c, DIAG_OK); /* nothing was open */
    }
    if (rc < 0) {
        return result(c, spool_errno_to_diag(rc));
    }
    return RV_HCALL_WAIT;
}

/* ---- devices for DIAG 0x024 and QUERY VIRTUAL ------------------------------------ */

static const struct vdev_type rdr_type = {"RDR", DIAG_DEV_READER, NULL, NULL};
static const struct vdev_type pun_type = {"PUN", DIAG_DEV_PUNCH, NULL, NULL};
static const struct vdev_type prt_type = {"PRT", DIAG_DEV_PRINTER, NULL, NULL};

static void
spool_event(struct vm *vm, uint32_t spoolid)
{
    vm_post_event(vm, DIAG_EVENT_SPOOL, spoolid);
}

int
cpsp_user_attach(struct cpsp_user *p, struct vm *vm)
{
    static const struct {
        unsigned vaddr;
        const struct vdev_type *t;
    } devs[] = {{0x00C, &rdr_type}, {0x00D, &pun_type}, {0x00E, &prt_type}};
    cpsp_user_set_vm(p, vm, spool_event);
    cpsp_user_reset(p); /* a new machine (DEFINE STORAGE) */
    for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
        int rc = vdev_attach(vm_devices(vm), devs[i].vaddr, devs[i].t, p);
        if (rc < 0 && rc != -EEXIST) {
            return rc;
        }
    }
    return 0;
}
