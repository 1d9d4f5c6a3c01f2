/* SPDX-License-Identifier: MIT */
/*
 * cp/vdev.h - a VM's virtual devices: a table by virtual address
 * (0x000-0xFFF) of devices of several types, as VM's QUERY VIRTUAL shows.
 *
 * Each device has a type (struct vdev_type: name, DIAG_DEV_* class, how to
 * describe it for DIAG 0x024, how to free it) and a private pointer.  This
 * file provides two types: the console (009) and minidisks on image files
 * (cp/blockdev.h).  The spool devices (reader 00C, punch 00D, printer 00E)
 * are types that spool/ defines later with vdev_attach(); nothing here
 * needs to change for them.
 *
 * A console is a small device struct: write bytes (or a line), read a
 * line.  CP attaches an SSH session behind it, `vmrv run` the terminal
 * (cp/vdev_term.c) and the tests a fake.
 *
 * Threads: a table belongs to its VM (see cp/vm.h).
 */
#ifndef CP_VDEV_H
#define CP_VDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vdev;
struct vdev_table;
struct blockdev;
struct diag_devinfo;

#define VDEV_ADDR_MAX 0xFFFu
#define VDEV_CONSOLE_ADDR 0x009u
#define VDEV_CONSOLE_LINE_MAX 4096 /* longest input line a console delivers */
#define VDEV_CONSOLE_WRITE_MAX 65536 /* longest DIAG 0x058 / DBCN write */

struct vdev_type {
    const char *name; /* "CONS", "DISK", "RDR", ... */
    uint32_t devclass; /* DIAG_DEV_* */
    /* Fill the device-specific fields of info (vaddr and devclass are
     * already set).  May be NULL. */
    void (*info)(void *priv, struct diag_devinfo *info);
    /* Free priv when the device is detached or its VM destroyed. May be NULL. */
    void (*destroy)(void *priv);
};

/* A new empty table, NULL on out of memory; vdev_table_destroy detaches
 * (and destroys) every device. */
struct vdev_table *vdev_table_create(void);
void vdev_table_destroy(struct vdev_table *t);

/* Attaches a device of `type` at vaddr.  On success the table owns priv
 * (type->destroy frees it).  0, -EINVAL (vaddr > VDEV_ADDR_MAX), -EEXIST
 * (address in use; priv stays the caller's) or -ENOMEM. */
int vdev_attach(struct vdev_table *t, unsigned vaddr, const struct vdev_type *type, void *priv);

/* Detaches and destroys the device at vaddr.  0 or -ENOENT. */
int vdev_detach(struct vdev_table *t, unsigned vaddr);

/* The device at vaddr, or NULL.  Valid until it is detached. */
struct vdev *vdev_find(struct vdev_table *t, unsigned vaddr);
/* The first console device (the VM's console), or NULL. */
struct vdev *vdev_console_find(struct vdev_table *t);

unsigned vdev_addr(const struct vdev *d);
const struct vdev_type *vdev_type_of(const struct vdev *d);
void *vdev_priv(const struct vdev *d);

/* Device description for DIAG 0x024 (and QUERY VIRTUAL). */
void vdev_describe(const struct vdev *d, struct diag_devinfo *info);

/* Calls fn for every device in address order; stops when fn returns
 * non-zero and returns that value (0 after all). */
int vdev_foreach(struct vdev_table *t, int (*fn)(void *ctx, struct vdev *d), void *ctx);

/* ---- the console -------------------------------------------------------- */

struct vdev_console_ops {
    /* Writes len bytes of guest output (a '\n' inside ends a line), then
     * ends the line if end_line.  0 = all accepted; -EAGAIN = nothing
     * accepted because the console is full (the VM waits in OUTPUT_WAIT and
     * writes again).  Any other error: the output is dropped. */
    int (*write)(void *ctx, const char *buf, size_t len, bool end_line);
    /* Takes the next input line, without its line end: copies at most cap
     * bytes to buf and returns the line's full length (>= 0).  -EAGAIN if
     * no line is ready. */
    long (*read_line)(void *ctx, char *buf, size_t cap);
    /* Frees ctx when the console is detached.  May be NULL. */
    void (*destroy)(void *ctx);
};

extern const struct vdev_type vdev_console_type;

/* Attaches a console at vaddr (normally VDEV_CONSOLE_ADDR).  ops is
 * copied; ctx belongs to the device afterwards (ops->destroy frees it).
 * Errors as vdev_attach. */
int vdev_console_attach(struct vdev_table *t, unsigned vaddr, const struct vdev_console_ops *ops,
                        void *ctx);

/* The console operations of a console device (for the DIAG handlers). */
int vdev_console_write(struct vdev *d, const char *buf, size_t len, bool end_line);
long vdev_console_read_line(struct vdev *d, char *buf, size_t cap);
/* Byte-stream input for SBI DBCN read: copies up to cap bytes of input
 * lines (each ended by '\n') and returns how many; 0 if none is ready.
 * Takes a whole line from read_line when its own buffer is empty. */
size_t vdev_console_read_bytes(struct vdev *d, char *buf, size_t cap);

/* ---- minidisks ---------------------------------------------------------- */

extern const struct vdev_type vdev_disk_type;

/* Attaches a disk at vaddr on bd (a reference is taken: the caller keeps
 * its own).  readonly makes this link read-only even if bd is writable;
 * owner (up to 8 characters, may be NULL) and owner_vaddr describe the
 * minidisk for DIAG 0x024.  Errors as vdev_attach. */
int vdev_disk_attach(struct vdev_table *t, unsigned vaddr, struct blockdev *bd, bool readonly,
                     const char *owner, unsigned owner_vaddr);

/* The image of a disk device and whether this link is read-only; NULL if
 * d is not a disk. */
struct blockdev *vdev_disk_blockdev(struct vdev *d, bool *readonly);

#endif /* CP_VDEV_H */
