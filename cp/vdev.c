// SPDX-License-Identifier: MIT
/*
 * cp/vdev.c - the device table of a VM (cp/vdev.h): devices kept in an
 * array sorted by virtual address (a VM has a handful), and the two device
 * types CP has today: the console and minidisks on image files.  The
 * hypercalls that use them are cp/diag_console.c, cp/diag_block.c and
 * cp/diag_device.c; the terminal console of `vmrv run` is cp/vdev_term.c.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp/blockdev.h"
#include "cp/vdev.h"
#include "vmrv/diag.h"

struct vdev {
    unsigned vaddr;
    const struct vdev_type *type;
    void *priv;
};

struct vdev_table {
    struct vdev *devs; /* sorted by vaddr */
    size_t n, cap;
};

struct vdev_table *
vdev_table_create(void)
{
    return calloc(1, sizeof(struct vdev_table));
}

static void
vdev_free(struct vdev *d)
{
    if (d->type->destroy != NULL) {
        d->type->destroy(d->priv);
    }
}

void
vdev_table_destroy(struct vdev_table *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        vdev_free(&t->devs[i]);
    }
    free(t->devs);
    free(t);
}

/* Index of the first device with vaddr >= a. */
static size_t
lower_bound(const struct vdev_table *t, unsigned a)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->devs[mid].vaddr < a) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

int
vdev_attach(struct vdev_table *t, unsigned vaddr, const struct vdev_type *type, void *priv)
{
    if (vaddr > VDEV_ADDR_MAX || type == NULL) {
        return -EINVAL;
    }
    size_t i = lower_bound(t, vaddr);
    if (i < t->n && t->devs[i].vaddr == vaddr) {
        return -EEXIST;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        struct vdev *nd = realloc(t->devs, cap * sizeof *nd);
        if (nd == NULL) {
            return -ENOMEM;
        }
        t->devs = nd;
        t->cap = cap;
    }
    memmove(&t->devs[i + 1], &t->devs[i], (t->n - i) * sizeof t->devs[0]);
    t->devs[i] = (struct vdev){.vaddr = vaddr, .type = type, .priv = priv};
    t->n++;
    return 0;
}

int
vdev_detach(struct vdev_table *t, unsigned vaddr)
{
    size_t i = lower_bound(t, vaddr);
    if (i >= t->n || t->devs[i].vaddr != vaddr) {
        return -ENOENT;
    }
    struct vdev d = t->devs[i];
    memmove(&t->devs[i], &t->devs[i + 1], (t->n - i - 1) * sizeof t->devs[0]);
    t->n--;
    vdev_free(&d);
    return 0;
}

struct vdev *
vdev_find(struct vdev_table *t, unsigned vaddr)
{
    size_t i = lower_bound(t, vaddr);
    return (i < t->n && t->devs[i].vaddr == vaddr) ? &t->devs[i] : NULL;
}

struct vdev *
vdev_console_find(struct vdev_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->devs[i].type == &vdev_console_type) {
            return &t->devs[i];
        }
    }
    return NULL;
}

unsigned
vdev_addr(const struct vdev *d)
{
    return d->vaddr;
}

const struct vdev_type *
vdev_type_of(const struct vdev *d)
{
    return d->type;
}

void *
vdev_priv(const struct vdev *d)
{
    return d->priv;
}

void
vdev_describe(const struct vdev *d, struct diag_devinfo *info)
{
    memset(info, 0, sizeof *info);
    info->vaddr = d->vaddr;
    info->devclass = d->type->devclass;
    if (d->type->info != NULL) {
        d->type->info(d->priv, info);
    }
}

int
vdev_foreach(struct vdev_table *t, int (*fn)(void *ctx, struct vdev *d), void *ctx)
{
    for (size_t i = 0; i < t->n; i++) {
        int rc = fn(ctx, &t->devs[i]);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* ---- console ------------------------------------------------------------ */

struct console {
    struct vdev_console_ops ops;
    void *ctx;
    /* DBCN read: the rest of the last line taken, with its '\n'. */
    char pending[VDEV_CONSOLE_LINE_MAX + 1];
    size_t pend_off, pend_len;
};

static void
console_destroy(void *priv)
{
    struct console *c = priv;
    if (c->ops.destroy != NULL) {
        c->ops.destroy(c->ctx);
    }
    free(c);
}

const struct vdev_type vdev_console_type = {
    .name = "CONS",
    .devclass = DIAG_DEV_CONSOLE,
    .info = NULL,
    .destroy = console_destroy,
};

int
vdev_console_attach(struct vdev_table *t, unsigned vaddr, const struct vdev_console_ops *ops,
                    void *ctx)
{
    struct console *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return -ENOMEM;
    }
    c->ops = *ops;
    c->ctx = ctx;
    int rc = vdev_attach(t, vaddr, &vdev_console_type, c);
    if (rc != 0) {
        free(c); /* ctx stays the caller's */
    }
    return rc;
}

int
vdev_console_write(struct vdev *d, const char *buf, size_t len, bool end_line)
{
    struct console *c = d->priv;
    return c->ops.write ? c->ops.write(c->ctx, buf, len, end_line) : 0;
}

long
vdev_console_read_line(struct vdev *d, char *buf, size_t cap)
{
    struct console *c = d->priv;
    return c->ops.read_line ? c->ops.read_line(c->ctx, buf, cap) : -EAGAIN;
}

size_t
vdev_console_read_bytes(struct vdev *d, char *buf, size_t cap)
{
    struct console *c = d->priv;
    if (c->pend_off == c->pend_len) {
        long n = vdev_console_read_line(d, c->pending, VDEV_CONSOLE_LINE_MAX);
        if (n < 0) {
            return 0;
        }
        c->pend_len = (size_t)n < VDEV_CONSOLE_LINE_MAX ? (size_t)n : VDEV_CONSOLE_LINE_MAX;
        c->pending[c->pend_len++] = '\n';
        c->pend_off = 0;
    }
    size_t n = c->pend_len - c->pend_off;
    if (n > cap) {
        n = cap;
    }
    memcpy(buf, c->pending + c->pend_off, n);
    c->pend_off += n;
    return n;
}

/* ---- minidisks ---------------------------------------------------------- */

struct disk {
    struct blockdev *bd;
    bool readonly;
    char owner[8];
    unsigned owner_vaddr;
};

static void
disk_info(void *priv, struct diag_devinfo *info)
{
    struct disk *k = priv;
    info->flags = (k->readonly || blockdev_readonly(k->bd)) ? DIAG_DEVF_READONLY : 0;
    info->blocks = blockdev_blocks(k->bd);
    memcpy(info->owner, k->owner, sizeof info->owner);
    info->owner_vaddr = k->owner_vaddr;
}

static void
disk_destroy(void *priv)
{
    struct disk *k = priv;
    blockdev_unref(k->bd);
    free(k);
}

const struct vdev_type vdev_disk_type = {
    .name = "DISK",
    .devclass = DIAG_DEV_DISK,
    .info = disk_info,
    .destroy = disk_destroy,
};

int
vdev_disk_attach(struct vdev_table *t, unsigned vaddr, struct blockdev *bd, bool readonly,
                 const char *owner, unsigned owner_vaddr)
{
    struct disk *k = calloc(1, sizeof *k);
    if (k == NULL) {
        return -ENOMEM;
    }
    k->readonly = readonly;
    k->owner_vaddr = owner_vaddr;
    size_t i = 0;
    for (; owner != NULL && owner[i] != '\0' && i < sizeof k->owner; i++) {
        char ch = owner[i];
        k->owner[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
    }
    memset(k->owner + i, ' ', sizeof k->owner - i);
    k->bd = blockdev_ref(bd);
    int rc = vdev_attach(t, vaddr, &vdev_disk_type, k);
    if (rc != 0) {
        blockdev_unref(k->bd);
        free(k);
    }
    return rc;
}

struct blockdev *
vdev_disk_blockdev(struct vdev *d, bool *readonly)
{
    if (d->type != &vdev_disk_type) {
        return NULL;
    }
    struct disk *k = d->priv;
    if (readonly != NULL) {
        *readonly = k->readonly || blockdev_readonly(k->bd);
    }
    return k->bd;
}
