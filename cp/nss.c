// SPDX-License-Identifier: MIT
/*
 * cp/nss.c - named saved systems (cp/nss.h): the registry of shared saved
 * segments by name, building one from an ELF file, and DIAG 0x064.
 *
 * Building: the ELF is loaded by the ordinary loader (cp/elf.h) into a
 * scratch stor just large enough for the window (pages never written cost
 * nothing); if nothing landed below the window, the pages from the window's
 * start to the last one written become a sealed segment.  The registry
 * holds one reference to each name's current segment; replacing it drops
 * that reference, so the old image lives exactly as long as some stor still
 * maps it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <elf.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cp/diag.h"
#include "cp/elf.h"
#include "cp/nss.h"
#include "cp/stor_int.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

struct nss_entry {
    char name[NSS_NAME_MAX + 1]; /* "" = free */
    struct stor_seg *seg;
    struct nss_info zi; /* entry and zero ranges */
    /* the file it came from: a change means a new image */
    dev_t dev;
    ino_t ino;
    off_t fsize;
    struct timespec mtime;
};

static pthread_mutex_t nss_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nss_entry nss_tab[NSS_MAX];

/* Upper-cases a name of 1..8 characters; false if it is not one. */
static bool
nss_norm(const char *in, size_t len, char out[NSS_NAME_MAX + 1])
{
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\0')) {
        len--;
    }
    if (len == 0 || len > NSS_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (!isalnum(ch) && ch != '@' && ch != '#' && ch != '$') {
            return false;
        }
        out[i] = (char)toupper(ch);
    }
    out[len] = '\0';
    return true;
}

static struct nss_entry *
nss_lookup(const char *name)
{
    for (int i = 0; i < NSS_MAX; i++) {
        if (nss_tab[i].seg != NULL && strcmp(nss_tab[i].name, name) == 0) {
            return &nss_tab[i];
        }
    }
    return NULL;
}

static void
nss_fill_info(const struct nss_entry *e, struct nss_info *info)
{
    if (info == NULL) {
        return;
    }
    memcpy(info->name, e->name, sizeof info->name);
    info->base = stor_seg_base(e->seg);
    info->size = stor_seg_size(e->seg);
    info->entry = e->zi.entry;
    info->nzero = e->zi.nzero;
    memcpy(info->zero, e->zi.zero, sizeof info->zero);
    unsigned refs = stor_seg_refs(e->seg);
    info->users = refs > 0 ? refs - 1 : 0; /* less the registry's own */
}

static bool
nss_same_file(const struct nss_entry *e, const struct stat *sb)
{
    return e->dev == sb->st_dev && e->ino == sb->st_ino && e->fsize == sb->st_size &&
           e->mtime.tv_sec == sb->st_mtim.tv_sec && e->mtime.tv_nsec == sb->st_mtim.tv_nsec;
}

static void
scratch_free(struct stor *scratch)
{
    stor_unpin(scratch);
    stor_destroy(scratch);
}

/* The PT_LOADs of an image elf_load accepted: those outside the window
 * must be bss only (no file bytes); they become zero ranges.  false if the
 * image is not a saved system's shape. */
static bool
nss_zero_ranges(const uint8_t *image, struct nss_info *zi)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
    zi->nzero = 0;
    for (unsigned k = 0; k < eh->e_phnum; k++) {
        Elf64_Phdr ph;
        memcpy(&ph, image + eh->e_phoff + (uint64_t)k * eh->e_phentsize, sizeof ph);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        uint64_t lo = ph.p_paddr, hi = ph.p_paddr + ph.p_memsz;
        if (lo >= VMRV_SEG_CMS_BASE && hi <= VMRV_SEG_CMS_BASE + VMRV_SEG_CMS_MAX) {
            continue;
        }
        if (ph.p_filesz != 0 || zi->nzero == NSS_ZERO_MAX || hi > VMRV_SEG_CMS_BASE) {
            return false;
        }
        zi->zero[zi->nzero].base = lo;
        zi->zero[zi->nzero].len = ph.p_memsz;
        zi->nzero++;
    }
    return true;
}

static int nss_build_image(const uint8_t *image, size_t isize, struct stor_seg **out,
                           struct nss_info *zi, char *err, size_t errlen);

/* Builds a sealed segment from the ELF at path: 0, 1 (not a saved-system
 * shape) or a negative errno with err.  zi gets the entry and the zero
 * ranges. */
static int
nss_build(const char *path, struct stor_seg **out, struct nss_info *zi, char *err,
          size_t errlen)
{
    void *image = NULL;
    size_t isize = 0;
    int rc = elf_read_file(path, &image, &isize, err, errlen);
    if (rc != 0) {
        return rc;
    }
    rc = nss_build_image(image, isize, out, zi, err, errlen);
    free(image);
    return rc;
}

/* nss_build on an image in memory. */
static int
nss_build_image(const uint8_t *image, size_t isize, struct stor_seg **out, struct nss_info *zi,
                char *err, size_t errlen)
{
    const uint64_t base = VMRV_SEG_CMS_BASE, end = VMRV_SEG_CMS_BASE + VMRV_SEG_CMS_MAX;
    struct stor *scratch = stor_create(end);
    if (scratch == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    stor_pin(scratch); /* the pager must not take its pages meanwhile */
    uint64_t *entry = &zi->entry;
    int rc = elf_load(scratch, image, isize, entry, err, errlen);
    if (rc == 0 && !nss_zero_ranges(image, zi)) {
        rc = -EFBIG;
    }
    if (rc == -EFBIG) {
        scratch_free(scratch);
        return 1; /* loads beyond the window */
    }
    if (rc != 0) {
        scratch_free(scratch);
        return rc;
    }
    uint64_t first = base >> STOR_PAGE_SHIFT, npages = end >> STOR_PAGE_SHIFT, top = 0;
    for (uint64_t pn = 0; pn < npages; pn++) {
        if (stor_frame(scratch, pn) == NULL) {
            continue;
        }
        if (pn < first) {
            scratch_free(scratch);
            return 1; /* loads below the window */
        }
        top = pn + 1;
    }
    if (top == 0 || *entry < base || *entry >= top << STOR_PAGE_SHIFT) {
        scratch_free(scratch);
        return 1;
    }
    uint64_t size = (top - first) << STOR_PAGE_SHIFT;
    struct stor_seg *seg = stor_seg_create(base, size);
    if (seg == NULL || stor_seg_fill(seg, scratch, base, size) != 0) {
        stor_seg_put(seg);
        scratch_free(scratch);
        snprintf(err, errlen, "out of memory for a saved segment of %llu bytes",
                 (unsigned long long)size);
        return -ENOMEM;
    }
    scratch_free(scratch);
    stor_seg_seal(seg);
    *out = seg;
    return 0;
}

/* The current entry for name from path, built or rebuilt if needed.
 * Under nss_lock. */
static int
nss_current(const char *name, const char *path, struct nss_entry **out, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    struct nss_entry *e = nss_lookup(name);
    if (e != NULL && nss_same_file(e, &sb)) {
        *out = e;
        return 0;
    }
    struct stor_seg *seg = NULL;
    struct nss_info zi;
    memset(&zi, 0, sizeof zi);
    int rc = nss_build(path, &seg, &zi, err, errlen);
    if (rc != 0) {
        return rc;
    }
    if (e == NULL) {
        for (int i = 0; i < NSS_MAX && e == NULL; i++) {
            if (nss_tab[i].seg == NULL) {
                e = &nss_tab[i];
            }
        }
        if (e == NULL) {
            stor_seg_put(seg);
            snprintf(err, errlen, "too many named saved systems (at most %d)", NSS_MAX);
            return -ENOSPC;
        }
        snprintf(e->name, sizeof e->name, "%s", name);
    } else {
        stor_seg_put(e->seg); /* the old image lives on in its users */
    }
    e->seg = seg;
    e->zi = zi;
    e->dev = sb.st_dev;
    e->ino = sb.st_ino;
    e->fsize = sb.st_size;
    e->mtime = sb.st_mtim;
    *out = e;
    return 0;
}

int
nss_attach_file(struct stor *st, const char *name, const char *path, struct nss_info *info,
                char *err, size_t errlen)
{
    char nm[NSS_NAME_MAX + 1];
    if (!nss_norm(name, strlen(name), nm)) {
        snprintf(err, errlen, "bad saved system name '%s'", name);
        return -EINVAL;
    }
    pthread_mutex_lock(&nss_lock);
    struct nss_entry *e = NULL;
    int rc = nss_current(nm, path, &e, err, errlen);
    if (rc == 0) {
        rc = stor_attach(st, e->seg);
        if (rc == 0) {
            nss_fill_info(e, info);
        } else {
            snprintf(err, errlen, "saved system %s does not fit: %s", nm, strerror(-rc));
        }
    }
    pthread_mutex_unlock(&nss_lock);
    return rc;
}

int
nss_find(const char *name, struct nss_info *info)
{
    char nm[NSS_NAME_MAX + 1];
    if (!nss_norm(name, strlen(name), nm)) {
        return -ENOENT;
    }
    pthread_mutex_lock(&nss_lock);
    struct nss_entry *e = nss_lookup(nm);
    if (e != NULL) {
        nss_fill_info(e, info);
    }
    pthread_mutex_unlock(&nss_lock);
    return e != NULL ? 0 : -ENOENT;
}

int
nss_attach(struct stor *st, const char *name, struct nss_info *info)
{
    char nm[NSS_NAME_MAX + 1];
    if (!nss_norm(name, strlen(name), nm)) {
        return -ENOENT;
    }
    pthread_mutex_lock(&nss_lock);
    struct nss_entry *e = nss_lookup(nm);
    int rc = -ENOENT;
    if (e != NULL) {
        rc = stor_attach(st, e->seg);
        if (rc == 0) {
            nss_fill_info(e, info);
        }
    }
    pthread_mutex_unlock(&nss_lock);
    return rc;
}

void
nss_forget_all(void)
{
    pthread_mutex_lock(&nss_lock);
    for (int i = 0; i < NSS_MAX; i++) {
        if (nss_tab[i].seg != NULL) {
            stor_seg_put(nss_tab[i].seg);
            memset(&nss_tab[i], 0, sizeof nss_tab[i]);
        }
    }
    pthread_mutex_unlock(&nss_lock);
}

/* ---- DIAG 0x064 ---------------------------------------------------------- */

enum rv_hcall
nss_diag_segment(void *ctx, struct vm *vm, struct diag_call *c)
{
    (void)ctx;
    uint64_t sub = c->a[0], gpa = c->a[1], len = c->a[2];
    char raw[NSS_NAME_MAX] = {0}, nm[NSS_NAME_MAX + 1];
    if (len == 0 || len > NSS_NAME_MAX) {
        return diag_fail(c, DIAG_EINVAL);
    }
    if (!diag_range_ok(vm, gpa, len)) {
        return diag_fail(c, DIAG_EFAULT);
    }
    if (diag_paged_out(vm, gpa, len)) {
        return RV_HCALL_WAIT; /* runs again once the name's page is in */
    }
    if (stor_read(vm_stor(vm), gpa, raw, (size_t)len) != 0) {
        return diag_fail(c, DIAG_EFAULT);
    }
    if (!nss_norm(raw, (size_t)len, nm)) {
        return diag_fail(c, DIAG_EINVAL);
    }
    struct nss_info ni;
    int rc;
    switch (sub) {
    case DIAG_SEG_FIND:
        rc = nss_find(nm, &ni);
        break;
    case DIAG_SEG_ATTACH:
        rc = nss_find(nm, &ni);
        if (rc == 0 && stor_seg_at(vm_stor(vm), ni.base) != NULL) {
            /* already attached here (IPLed, or an older image): again */
            uint64_t old = stor_seg_base(stor_seg_at(vm_stor(vm), ni.base));
            stor_detach(vm_stor(vm), old);
            vm_shared_range(vm, old, 0);
        }
        if (rc == 0) {
            rc = nss_attach(vm_stor(vm), nm, &ni);
        }
        if (rc == 0 && vm_shared_range(vm, ni.base, ni.size) != 0) {
            stor_detach(vm_stor(vm), ni.base);
            rc = -ENOSPC;
        }
        break;
    case DIAG_SEG_DETACH:
        rc = nss_find(nm, &ni);
        if (rc == 0) {
            struct stor_seg *seg = stor_seg_at(vm_stor(vm), ni.base);
            /* any image of that name at its address (an older one too) */
            rc = seg != NULL ? stor_detach(vm_stor(vm), stor_seg_base(seg)) : -ENOENT;
            vm_shared_range(vm, ni.base, 0);
        }
        break;
    default:
        return diag_fail(c, DIAG_EINVAL);
    }
    if (rc == -ENOENT) {
        return diag_fail(c, DIAG_ENOTFOUND);
    }
    if (rc == -EFAULT) {
        return diag_fail(c, DIAG_EFAULT);
    }
    if (rc == -ENOSPC || rc == -ENOMEM) {
        return diag_fail(c, DIAG_ENOSPC);
    }
    if (rc != 0) {
        return diag_fail(c, DIAG_EINVAL);
    }
    c->value = ni.base;
    c->value2 = ni.size;
    c->has_value2 = true;
    return RV_HCALL_CONTINUE;
}
