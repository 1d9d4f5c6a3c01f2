// SPDX-License-Identifier: MIT
/*
 * cms/svc.c - the CMS services a program in U-mode calls with ecall (the
 * CMS program ABI, vmrv/cmsapi.h).  a7 = service, a0..a3 = arguments,
 * a0 <- the result or a negative CMS_E* code.
 *
 * Every pointer a program passes must lie wholly inside the user program
 * area [VMRV_USER_BASE, end of storage): anything else is CMS_EFAULT, and
 * CMS never touches it.  Structures are copied in and out, so a program
 * cannot change them under CMS.  Open files live in a small handle table;
 * a program that ends leaves nothing open (cms_svc_cleanup).
 */
#include <string.h>

#include "cms/cms.h"
#include "cms/fsys.h"

#define MAX_HANDLES 16

static struct fs_file *handles[MAX_HANDLES];

/* Is [addr, addr + len) inside the user program area? */
static int
user_ok(uint64_t addr, uint64_t len)
{
    if (addr < VMRV_USER_BASE || addr >= cms_user_top) {
        return 0;
    }
    return len <= cms_user_top - addr;
}

static long
map_fs_error(int rc)
{
    switch (rc) {
    case FS_EEXIST:
    case FS_EBUSY:
        return CMS_EINVAL;
    case FS_ENOTFMT:
    case FS_ENODEV:
        return CMS_EIO;
    default:
        return rc;
    }
}

/* Copies a struct cms_fileid from the program into an fs_fileid. */
static long
get_fileid(uint64_t addr, struct fs_fileid *id, const char *dflt_fm)
{
    struct cms_fileid u;
    char fn[9], ft[9], fm[3];
    if (!user_ok(addr, sizeof u)) {
        return CMS_EFAULT;
    }
    memcpy(&u, (const void *)(uintptr_t)addr, sizeof u);
    size_t n;
    for (n = 0; n < 8 && u.fn[n] != ' ' && u.fn[n] != '\0'; n++) {
        fn[n] = u.fn[n];
    }
    fn[n] = '\0';
    for (n = 0; n < 8 && u.ft[n] != ' ' && u.ft[n] != '\0'; n++) {
        ft[n] = u.ft[n];
    }
    ft[n] = '\0';
    for (n = 0; n < 2 && u.fm[n] != ' ' && u.fm[n] != '\0'; n++) {
        fm[n] = u.fm[n];
    }
    fm[n] = '\0';
    if (strchr(fn, '*') || strchr(fn, '%') || strchr(ft, '*') || strchr(ft, '%')) {
        return CMS_EINVAL;
    }
    if (fs_fileid_make(id, fn, ft, n ? fm : NULL, dflt_fm) != 0) {
        return CMS_EINVAL;
    }
    return 0;
}

static struct fs_file **
handle(long h)
{
    if (h < 0 || h >= MAX_HANDLES || handles[h] == NULL) {
        return NULL;
    }
    return &handles[h];
}

void
cms_svc_cleanup(void)
{
    for (int i = 0; i < MAX_HANDLES; i++) {
        if (handles[i] != NULL) {
            fs_abort(handles[i]);
            handles[i] = NULL;
        }
    }
}

static long
svc_conwrite(uint64_t buf, uint64_t len, uint64_t endline)
{
    if (!user_ok(buf, len)) {
        return CMS_EFAULT;
    }
    if (cms_typing_suppressed) {
        return (long)len;
    }
    con_flush();
    const char *s = (const char *)(uintptr_t)buf;
    uint64_t left = len;
    do {
        size_t n = left > 4096 ? 4096 : (size_t)left;
        left -= n;
        if (left == 0 && endline == 1) {
            con_line(s, n);
        } else if (n > 0) {
            con_prompt(s, n);
        }
        s += n;
    } while (left > 0);
    return (long)len;
}

static int
is_word(const char *line, const char *w)
{
    while (*line == ' ') {
        line++;
    }
    size_t n = strlen(w);
    for (size_t i = 0; i < n; i++) {
        char c = line[i];
        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 32);
        }
        if (c != w[i]) {
            return 0;
        }
    }
    line += n;
    while (*line == ' ') {
        line++;
    }
    return *line == '\0';
}

static long
svc_conread(uint64_t buf, uint64_t cap)
{
    char line[CMS_LINE_MAX + 1];
    if (!user_ok(buf, cap)) {
        return CMS_EFAULT;
    }
    int n = cms_stack_take(line, sizeof line);
    while (n < 0) {
        n = (int)con_read(line, sizeof line);
        /* immediate commands are recognized at a program's read too */
        if (is_word(line, "HX")) {
            cms_svc_halt();
        } else if (is_word(line, "HT") || is_word(line, "RT")) {
            cms_typing_suppressed = is_word(line, "HT");
            n = -1;
        }
    }
    uint64_t len = (uint64_t)n < cap ? (uint64_t)n : cap;
    memcpy((void *)(uintptr_t)buf, line, len);
    return (long)len;
}

static long
svc_fsopen(uint64_t idaddr, uint64_t mode, uint64_t recfm, uint64_t lrecl)
{
    struct fs_fileid id;
    long rc = get_fileid(idaddr, &id, mode == CMS_O_READ ? "*" : "A1");
    if (rc != 0) {
        return rc;
    }
    if (mode > CMS_O_APPEND || (recfm != 0 && recfm != 'F' && recfm != 'V') ||
        lrecl > 65535) {
        return CMS_EINVAL;
    }
    int h;
    for (h = 0; h < MAX_HANDLES && handles[h] != NULL; h++) {
    }
    if (h == MAX_HANDLES) {
        return CMS_EMFILE;
    }
    struct fs_file *f;
    int frc = fs_open(&id, (int)mode, recfm ? (char)recfm : 'V', (uint32_t)lrecl, &f);
    if (frc != 0) {
        return map_fs_error(frc);
    }
    handles[h] = f;
    return h;
}

static long
svc_fsread(uint64_t h, uint64_t buf, uint64_t cap)
{
    struct fs_file **f = handle((long)h);
    if (f == NULL) {
        return CMS_EINVAL;
    }
    if (!user_ok(buf, cap)) {
        return CMS_EFAULT;
    }
    size_t len;
    int rc = fs_read(*f, (void *)(uintptr_t)buf, cap, &len);
    if (rc != 0) {
        return map_fs_error(rc);
    }
    return (long)(len < cap ? len : cap);
}

static long
svc_fswrite(uint64_t h, uint64_t buf, uint64_t len)
{
    struct fs_file **f = handle((long)h);
    if (f == NULL || len > 65535) {
        return CMS_EINVAL;
    }
    if (!user_ok(buf, len)) {
        return CMS_EFAULT;
    }
    int rc = fs_write(*f, (const void *)(uintptr_t)buf, len);
    return rc != 0 ? map_fs_error(rc) : (long)len;
}

static long
svc_fsclose(uint64_t h)
{
    struct fs_file **f = handle((long)h);
    if (f == NULL) {
        return CMS_EINVAL;
    }
    int rc = fs_close(*f);
    *f = NULL;
    return map_fs_error(rc);
}

static long
svc_fsstate(uint64_t idaddr, uint64_t staddr)
{
    struct fs_fileid id;
    struct fs_stat st;
    long rc = get_fileid(idaddr, &id, "*");
    if (rc != 0) {
        return rc;
    }
    if (staddr != 0 && !user_ok(staddr, sizeof(struct cms_fstat))) {
        return CMS_EFAULT;
    }
    int frc = fs_state(&id, &st);
    if (frc != 0) {
        return map_fs_error(frc);
    }
    if (staddr != 0) {
        struct cms_fstat u;
        memset(&u, 0, sizeof u);
        u.recfm = st.recfm;
        u.fm[0] = st.id.fm[0];
        u.fm[1] = st.id.fm[1] ? st.id.fm[1] : '1';
        u.lrecl = st.lrecl;
        u.records = st.records;
        u.bytes = st.bytes;
        u.mtime_us = st.mtime_us;
        memcpy((void *)(uintptr_t)staddr, &u, sizeof u);
    }
    return 0;
}

static long
svc_fserase(uint64_t idaddr)
{
    struct fs_fileid id;
    long rc = get_fileid(idaddr, &id, "A");
    if (rc != 0) {
        return rc;
    }
    if (strcmp(id.fm, "*") == 0) {
        return CMS_EINVAL;
    }
    return map_fs_error(fs_erase(&id));
}

static long
svc_cmscall(uint64_t addr, uint64_t len)
{
    char line[CMS_LINE_MAX + 1];
    if (!user_ok(addr, len)) {
        return CMS_EFAULT;
    }
    if (len > CMS_LINE_MAX) {
        return CMS_EINVAL;
    }
    memcpy(line, (const void *)(uintptr_t)addr, len);
    line[len] = '\0';
    if (memchr(line, '\0', len) != NULL) {
        return CMS_EINVAL;
    }
    return cms_command(line, CMS_CMDF_PROGRAM);
}

static long
svc_cpcall(uint64_t addr, uint64_t len, uint64_t resp, uint64_t cap)
{
    char cmd[241];
    if (!user_ok(addr, len) || (resp != 0 && !user_ok(resp, cap))) {
        return CMS_EFAULT;
    }
    if (len == 0 || len > 240) {
        return CMS_EINVAL;
    }
    memcpy(cmd, (const void *)(uintptr_t)addr, len);
    long rc;
    long drc = cms_cp_command(cmd, len, resp ? (char *)(uintptr_t)resp : NULL, cap, NULL, &rc);
    if (drc != DIAG_OK) {
        /* no CP (vmrv run), or CP refused the request */
        return drc == DIAG_ENOTSUP ? CMS_ENOSYS : CMS_EINVAL;
    }
    return rc;
}

static long
svc_gettime(uint64_t addr)
{
    struct diag_timer t;
    if (!user_ok(addr, sizeof t)) {
        return CMS_EFAULT;
    }
    cms_timer(&t);
    memcpy((void *)(uintptr_t)addr, &t, sizeof t);
    return 0;
}

static long
svc_meminfo(uint64_t addr)
{
    struct cms_meminfo mi;
    if (!user_ok(addr, sizeof mi)) {
        return CMS_EFAULT;
    }
    mi.user_base = VMRV_USER_BASE;
    mi.user_end = cms_user_top;
    mi.storage_size = cms_storage_end;
    memcpy((void *)(uintptr_t)addr, &mi, sizeof mi);
    return 0;
}

static long
svc_stack(uint64_t addr, uint64_t len, uint64_t lifo)
{
    if (!user_ok(addr, len)) {
        return CMS_EFAULT;
    }
    if (len > CMS_LINE_MAX || lifo > 1) {
        return CMS_EINVAL;
    }
    return cms_stack_add((const char *)(uintptr_t)addr, len, (int)lifo);
}

static long
svc_fspoint(uint64_t h, uint64_t recno)
{
    struct fs_file **f = handle((long)h);
    if (f == NULL || recno == 0 || recno > UINT32_MAX) {
        return CMS_EINVAL;
    }
    return map_fs_error(fs_point(*f, (uint32_t)recno));
}

void
cms_svc_call(struct cms_uctx *ctx)
{
    uint64_t *x = ctx->x;
    uint64_t a0 = x[10], a1 = x[11], a2 = x[12], a3 = x[13];
    long r;
    switch (x[17]) {
    case CMS_EXIT:
        cms_user_end((int)(int64_t)a0);
    case CMS_CONWRITE:
        r = svc_conwrite(a0, a1, a2);
        break;
    case CMS_CONREAD:
        r = svc_conread(a0, a1);
        break;
    case CMS_FSOPEN:
        r = svc_fsopen(a0, a1, a2, a3);
        break;
    case CMS_FSREAD:
        r = svc_fsread(a0, a1, a2);
        break;
    case CMS_FSWRITE:
        r = svc_fswrite(a0, a1, a2);
        break;
    case CMS_FSCLOSE:
        r = svc_fsclose(a0);
        break;
    case CMS_FSSTATE:
        r = svc_fsstate(a0, a1);
        break;
    case CMS_FSERASE:
        r = svc_fserase(a0);
        break;
    case CMS_CMSCALL:
        r = svc_cmscall(a0, a1);
        break;
    case CMS_CPCALL:
        r = svc_cpcall(a0, a1, a2, a3);
        break;
    case CMS_GETTIME:
        r = svc_gettime(a0);
        break;
    case CMS_MEMINFO:
        r = svc_meminfo(a0);
        break;
    case CMS_STACK:
        r = svc_stack(a0, a1, a2);
        break;
    case CMS_QUEUED:
        r = cms_stack_count();
        break;
    case CMS_FSPOINT:
        r = svc_fspoint(a0, a1);
        break;
    default:
        r = CMS_ENOSYS;
        break;
    }
    x[10] = (uint64_t)r;
}
