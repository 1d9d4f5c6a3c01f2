// SPDX-License-Identifier: MIT
/*
 * cp/elf.c - the ELF loader for IPL (cp/elf.h).  The file is parsed from
 * bytes with explicit little-endian reads (no casts of file data to host
 * structs), and every field is checked before storage is touched.
 *
 * ELF64 header fields used (offsets in bytes):
 *   0 e_ident (magic, 4 class, 5 data, 6 version)  16 e_type  18 e_machine
 *   20 e_version  24 e_entry  32 e_phoff  48 e_flags  54 e_phentsize
 *   56 e_phnum
 * Program header (56 bytes): 0 p_type  8 p_offset  16 p_vaddr  24 p_paddr
 *   32 p_filesz  40 p_memsz
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp/elf.h"
#include "cp/stor.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_RISCV 243
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PN_XNUM 0xFFFF
#define EF_RISCV_FLOAT_ABI 0x6
#define EF_RISCV_RVE 0x8
#define LOW_END (VMRV_IPL_BLOCK + DIAG_PAGE_SIZE) /* page 0 and the IPL block */

static uint64_t
le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

struct seg {
    uint64_t offset, paddr, filesz, memsz;
};

/* "65536 bytes (64K)" */
static void
size_text(uint64_t n, char *out, size_t len)
{
    const char *unit = "";
    uint64_t v = n;
    if (n >= (1u << 30) && n % (1u << 30) == 0) {
        v = n >> 30, unit = "G";
    } else if (n >= (1u << 20) && n % (1u << 20) == 0) {
        v = n >> 20, unit = "M";
    } else if (n >= 1024 && n % 1024 == 0) {
        v = n >> 10, unit = "K";
    }
    if (*unit) {
        snprintf(out, len, "%llu bytes (%llu%s)", (unsigned long long)n, (unsigned long long)v, unit);
    } else {
        snprintf(out, len, "%llu bytes", (unsigned long long)n);
    }
}

static int
check_header(const unsigned char *b, size_t size, char *err, size_t errlen)
{
    if (size < 4 || memcmp(b, "\177ELF", 4) != 0) {
        snprintf(err, errlen, "not an ELF file");
        return -ENOEXEC;
    }
    if (size < EHDR_SIZE) {
        snprintf(err, errlen, "truncated ELF header (%zu bytes)", size);
        return -ENOEXEC;
    }
    if (b[4] != ELFCLASS64) {
        snprintf(err, errlen, "not a 64-bit ELF (class %u)", b[4]);
        return -ENOEXEC;
    }
    if (b[5] != ELFDATA2LSB) {
        snprintf(err, errlen, "not a little-endian ELF (data %u)", b[5]);
        return -ENOEXEC;
    }
    if (b[6] != EV_CURRENT || le(b + 20, 4) != EV_CURRENT) {
        snprintf(err, errlen, "unknown ELF version");
        return -ENOEXEC;
    }
    if (le(b + 18, 2) != EM_RISCV) {
        snprintf(err, errlen, "not a RISC-V ELF (machine %llu)", (unsigned long long)le(b + 18, 2));
        return -ENOEXEC;
    }
    if (le(b + 16, 2) != ET_EXEC) {
        snprintf(err, errlen, "not an executable ELF (type %llu, want ET_EXEC)",
                 (unsigned long long)le(b + 16, 2));
        return -ENOEXEC;
    }
    uint64_t flags = le(b + 48, 4);
    if (flags & (EF_RISCV_FLOAT_ABI | EF_RISCV_RVE)) {
        snprintf(err, errlen, "ELF needs an ABI this hart lacks (e_flags 0x%llx; use -mabi=lp64)",
                 (unsigned long long)flags);
        return -ENOEXEC;
    }
    return 0;
}

/* Checks the program headers and collects the PT_LOAD segments (malloc'd
 * into *out, *nout).  Nothing is written to storage. */
static int
check_segments(const unsigned char *b, size_t size, uint64_t storage, struct seg **out,
               size_t *nout, char *err, size_t errlen)
{
    uint64_t phoff = le(b + 32, 8), phentsize = le(b + 54, 2), phnum = le(b + 56, 2);
    if (phnum == 0) {
        snprintf(err, errlen, "ELF has no program headers");
        return -ENOEXEC;
    }
    if (phnum == PN_XNUM || phentsize != PHDR_SIZE) {
        snprintf(err, errlen, "unsupported ELF program headers (%llu of %llu bytes)",
                 (unsigned long long)phnum, (unsigned long long)phentsize);
        return -ENOEXEC;
    }
    if (phoff > size || phnum * PHDR_SIZE > size - phoff) {
        snprintf(err, errlen, "ELF program headers run past the end of the file (truncated?)");
        return -ENOEXEC;
    }
    struct seg *segs = calloc(phnum, sizeof *segs);
    if (segs == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    size_t n = 0;
    char stext[64];
    int rc = 0;
    for (uint64_t i = 0; i < phnum && rc == 0; i++) {
        const unsigned char *p = b + phoff + i * PHDR_SIZE;
        uint64_t type = le(p, 4);
        struct seg s = {le(p + 8, 8), le(p + 24, 8), le(p + 32, 8), le(p + 40, 8)};
        if (type == PT_INTERP || type == PT_DYNAMIC) {
            snprintf(err, errlen, "ELF is dynamically linked (link it -static)");
            rc = -ENOEXEC;
        } else if (type != PT_LOAD) {
            continue;
        } else if (s.filesz > s.memsz) {
            snprintf(err, errlen, "ELF segment %llu: file size 0x%llx exceeds memory size 0x%llx",
                     (unsigned long long)i, (unsigned long long)s.filesz,
                     (unsigned long long)s.memsz);
            rc = -ENOEXEC;
        } else if (s.offset > size || s.filesz > size - s.offset) {
            snprintf(err, errlen, "ELF segment %llu runs past the end of the file (truncated?)",
                     (unsigned long long)i);
            rc = -ENOEXEC;
        } else if (s.memsz == 0) {
            continue;
        } else if (s.paddr >= storage || s.memsz > storage - s.paddr) {
            size_text(storage, stext, sizeof stext);
            snprintf(err, errlen,
                     "ELF segment %llu at 0x%llx, 0x%llx bytes, does not fit in storage of %s",
                     (unsigned long long)i, (unsigned long long)s.paddr,
                     (unsigned long long)s.memsz, stext);
            rc = -EFBIG;
        } else if (s.paddr < LOW_END) {
            snprintf(err, errlen,
                     "ELF segment %llu at 0x%llx overlaps page 0 or the IPL block (below 0x%llx)",
                     (unsigned long long)i, (unsigned long long)s.paddr,
                     (unsigned long long)LOW_END);
            rc = -ENOEXEC;
        } else {
            segs[n++] = s;
        }
    }
    if (rc == 0 && n == 0) {
        snprintf(err, errlen, "ELF has no loadable segment");
        rc = -ENOEXEC;
    }
    if (rc != 0) {
        free(segs);
        return rc;
    }
    *out = segs;
    *nout = n;
    return 0;
}

int
elf_load(struct stor *st, const void *image, size_t size, uint64_t *entry, char *err,
         size_t errlen)
{
    const unsigned char *b = image;
    int rc = check_header(b, size, err, errlen);
    if (rc != 0) {
        return rc;
    }
    struct seg *segs = NULL;
    size_t n = 0;
    rc = check_segments(b, size, stor_size(st), &segs, &n, err, errlen);
    if (rc != 0) {
        return rc;
    }
    uint64_t e = le(b + 24, 8);
    bool inside = false;
    for (size_t i = 0; i < n; i++) {
        inside = inside || (e >= segs[i].paddr && e - segs[i].paddr < segs[i].memsz);
    }
    if (!inside) {
        snprintf(err, errlen, "ELF entry point 0x%llx is not in a loaded segment",
                 (unsigned long long)e);
        free(segs);
        return -ENOEXEC;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct seg *s = &segs[i];
        if ((s->filesz > 0 && stor_write(st, s->paddr, b + s->offset, s->filesz) != 0) ||
            (s->memsz > s->filesz &&
             stor_zero(st, s->paddr + s->filesz, s->memsz - s->filesz) != 0)) {
            snprintf(err, errlen, "ELF segment at 0x%llx could not be stored",
                     (unsigned long long)s->paddr);
            rc = -EFAULT; /* not reached: every range was checked */
        }
    }
    free(segs);
    if (rc == 0) {
        *entry = e;
    }
    return rc;
}

int
elf_read_file(const char *path, void **out, size_t *size, char *err, size_t errlen)
{
    *out = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
        return -e;
    }
    struct stat sb;
    int rc = 0;
    unsigned char *buf = NULL;
    if (fstat(fd, &sb) != 0) {
        rc = -errno;
        snprintf(err, errlen, "cannot stat %s: %s", path, strerror(-rc));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        rc = -EINVAL;
        snprintf(err, errlen, "%s is not a regular file", path);
        goto out;
    }
    if ((uint64_t)sb.st_size > ELF_FILE_MAX) {
        rc = -EFBIG;
        snprintf(err, errlen, "%s is too large to load", path);
        goto out;
    }
    size_t len = (size_t)sb.st_size, done = 0;
    buf = malloc(len ? len : 1);
    if (buf == NULL) {
        rc = -ENOMEM;
        snprintf(err, errlen, "out of memory reading %s", path);
        goto out;
    }
    while (done < len) {
        ssize_t r = read(fd, buf + done, len - done);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            rc = r < 0 ? -errno : -EIO;
            snprintf(err, errlen, "cannot read %s: %s", path, r < 0 ? strerror(-rc) : "short file");
            goto out;
        }
        done += (size_t)r;
    }
    *out = buf;
    *size = len;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}

int
elf_load_file(struct stor *st, const char *path, uint64_t *entry, char *err, size_t errlen)
{
    void *image = NULL;
    size_t size = 0;
    int rc = elf_read_file(path, &image, &size, err, errlen);
    if (rc == 0) {
        rc = elf_load(st, image, size, entry, err, errlen);
    }
    free(image);
    return rc;
}
