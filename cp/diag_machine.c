// SPDX-License-Identifier: MIT
/*
 * cp/diag_machine.c - the DIAG functions about the machine itself, which
 * need no device and no CP service: 0x000 identify, 0x00C pseudo-timer,
 * 0x010 release pages, 0x060 storage size, 0x1004 clock comparator,
 * 0x1008 event claim, 0x100C storage protection, 0x1010 test exit.
 * Arguments and errors exactly as include/vmrv/diag.h documents them; the
 * table that routes to these is cp/diag_table.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cp/diag.h"
#include "cp/stor.h"
#include "vmrv/diag.h"

#define PAGE_MASK ((uint64_t)DIAG_PAGE_SIZE - 1)

/* PACKAGE_VERSION "1.2.3" -> 0x010203 */
uint32_t
diag_cp_version(void)
{
    unsigned major = 0, minor = 0, patch = 0;
    sscanf(PACKAGE_VERSION, "%u.%u.%u", &major, &minor, &patch);
    return (major & 0xFFFF) << 16 | (minor & 0xFF) << 8 | (patch & 0xFF);
}

/* 0x000: a0 = buffer, a1 = length; a1 <- bytes written. */
enum rv_hcall
diag_identify(struct vm *vm, struct diag_call *c)
{
    struct diag_identify id;
    memset(&id, 0, sizeof id);
    diag_pad_name(id.system, sizeof id.system, "VMRV");
    diag_pad_name(id.userid, sizeof id.userid, vm_userid(vm));
    snprintf(id.cplevel, sizeof id.cplevel, "VM/RV %s", PACKAGE_VERSION);
    id.storage_size = vm_storage_size(vm);
    id.timebase_hz = VMRV_TIMEBASE_HZ;
    id.cp_version = diag_cp_version();
    id.privclasses = vm_privclasses(vm);
    return diag_put(vm, c, c->a[0], c->a[1], &id, sizeof id);
}

/* Copies exactly n characters of a formatted field (no NUL). */
static void
field(char *dst, size_t n, const char *fmt, int a, int b, int cc)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, fmt, a, b, cc);
    memcpy(dst, tmp, n);
}

/* 0x00C: a0 = buffer for struct diag_timer, a1 = length; a1 <- written. */
enum rv_hcall
diag_timer(struct vm *vm, struct diag_call *c)
{
    struct diag_timer t;
    memset(&t, 0, sizeof t);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm lt;
    time_t secs = now.tv_sec;
    localtime_r(&secs, &lt);
    field(t.date, sizeof t.date, "%02d/%02d/%02d", lt.tm_mon + 1, lt.tm_mday, lt.tm_year % 100);
    field(t.time, sizeof t.time, "%02d:%02d:%02d", lt.tm_hour, lt.tm_min, lt.tm_sec);
    field(t.date_iso, sizeof t.date_iso, "%04d-%02d-%02d", lt.tm_year + 1900, lt.tm_mon + 1,
          lt.tm_mday);
    t.tod_us = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
    t.utc_offset_s = lt.tm_gmtoff;
    vm_cpu_times(vm, &t.virtual_cpu_us, &t.total_cpu_us);
    return diag_put(vm, c, c->a[0], c->a[1], &t, sizeof t);
}

/* 0x010: a0 = first byte, a1 = length, both page multiples, len > 0. */
enum rv_hcall
diag_release_pages(struct vm *vm, struct diag_call *c)
{
    uint64_t gpa = c->a[0], len = c->a[1];
    if ((gpa & PAGE_MASK) != 0 || (len & PAGE_MASK) != 0 || len == 0) {
        return diag_fail(c, DIAG_EINVAL);
    }
    if (!diag_range_ok(vm, gpa, len)) {
        return diag_fail(c, DIAG_EFAULT);
    }
    if (gpa < DIAG_PAGE_SIZE || vm_range_shared(vm, gpa, len)) {
        return diag_fail(c, DIAG_EINVAL);
    }
    int rc = stor_release(vm_stor(vm), gpa, len);
    if (rc != 0) {
        return diag_fail(c, rc == -EFAULT ? DIAG_EFAULT : DIAG_EINVAL);
    }
    return RV_HCALL_CONTINUE;
}

/* 0x060: a1 <- storage size. */
enum rv_hcall
diag_storage_size(struct vm *vm, struct diag_call *c)
{
    c->value = vm_storage_size(vm);
    return RV_HCALL_CONTINUE;
}

/* 0x1004: a0 = absolute time, DIAG_CLOCK_OFF = never. */
enum rv_hcall
diag_clock_comparator(struct vm *vm, struct diag_call *c)
{
    vm_set_timecmp(vm, c->a[0] == DIAG_CLOCK_OFF ? UINT64_MAX : c->a[0]);
    return RV_HCALL_CONTINUE;
}

/* 0x1008: a1 <- type, a2 <- detail; DIAG_EAGAIN when none. */
enum rv_hcall
diag_event_claim(struct vm *vm, struct diag_call *c)
{
    uint32_t type;
    uint64_t detail;
    if (vm_claim_event(vm, &type, &detail) != 0) {
        return diag_fail(c, DIAG_EAGAIN);
    }
    c->value = type;
    c->value2 = detail;
    c->has_value2 = true;
    return RV_HCALL_CONTINUE;
}

/* 0x100C: a0 = first byte, a1 = length (page multiples), a2 = mode. */
enum rv_hcall
diag_protect(struct vm *vm, struct diag_call *c)
{
    uint64_t gpa = c->a[0], len = c->a[1], mode = c->a[2];
    if ((gpa & PAGE_MASK) != 0 || (len & PAGE_MASK) != 0 || len == 0 ||
        mode > DIAG_PROT_USER_NONE) {
        return diag_fail(c, DIAG_EINVAL);
    }
    if (!diag_range_ok(vm, gpa, len)) {
        return diag_fail(c, DIAG_EFAULT);
    }
    int rc = stor_protect(vm_stor(vm), gpa, len, (int)mode);
    if (rc != 0) {
        return diag_fail(c, rc == -EFAULT ? DIAG_EFAULT : DIAG_EINVAL);
    }
    return RV_HCALL_CONTINUE;
}

/* 0x1010: a0 = exit code.  Does not return to the guest. */
enum rv_hcall
diag_test_exit(struct vm *vm, struct diag_call *c)
{
    vm_set_halt(vm, VM_HALT_EXIT, c->a[0]);
    return RV_HCALL_STOP;
}
