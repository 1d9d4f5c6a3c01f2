// SPDX-License-Identifier: MIT
/*
 * cms/loader.c - runs "fn MODULE" programs (the CMS program ABI in
 * vmrv/cmsapi.h).
 *
 * A MODULE file holds an ELF byte for byte in its records (`vmrv disk put
 * --binary`).  CMS reads the whole file into the top of the user area,
 * checks it (RISC-V ELF64 executable, every PT_LOAD inside the user area
 * below that copy, the entry point in an executable segment), copies the
 * segments into place and zeroes their .bss parts.  The copy at the top is
 * then free: the program's stack grows down from the end of storage, with
 * argv (strings and pointer array) at its top.  The program runs in U-mode
 * (trap.c).  When it ends, CMS closes what it left open and gives the
 * whole user area back to CP (DIAG 0x010): untouched pages cost nothing.
 */
#include <elf.h>
#include <string.h>

#include "cms/cms.h"
#include "cms/fsys.h"

#define PAGE DIAG_PAGE_SIZE
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (a)-1, a)

static char program_name[9];

/* Reads the MODULE file into [base, base + size); returns the bytes read
 * or a negative error. */
static long
read_image(const struct fs_fileid *id, char *base, uint64_t cap)
{
    struct fs_file *f;
    int rc = fs_open(id, CMS_O_READ, 0, 0, &f);
    if (rc != 0) {
        return rc;
    }
    uint64_t off = 0;
    for (;;) {
        size_t len;
        rc = fs_read(f, base + off, cap - off, &len);
        if (rc == CMS_EEOF) {
            break;
        }
        if (rc != 0) {
            fs_abort(f);
            return rc;
        }
        if (len > cap - off) {
            fs_abort(f);
            return CMS_ENOSPC;
        }
        off += len;
    }
    fs_abort(f);
    return (long)off;
}

/* Checks the ELF image and copies its segments into the user area below
 * limit.  Returns NULL and the entry in *entry, or a reason. */
static const char *
load_elf(const char *img, uint64_t size, uint64_t limit, uint64_t *entry, uint64_t *need)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    *need = 0;
    if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) {
        return "not an ELF file";
    }
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
        eh->e_machine != EM_RISCV) {
        return "not a 64-bit little-endian RISC-V ELF";
    }
    if (eh->e_type != ET_EXEC) {
        return "not an executable (ET_EXEC) ELF";
    }
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phoff > size ||
        (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff) {
        return "bad program headers";
    }
    if (eh->e_phoff % 8 != 0) {
        return "misaligned program headers";
    }
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
    int loads = 0, entry_ok = 0;
    /* check everything before copying anything */
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0) {
            continue;
        }
        uint64_t va = ph[i].p_vaddr, mem = ph[i].p_memsz, fsz = ph[i].p_filesz;
        if (fsz > mem || ph[i].p_offset > size || fsz > size - ph[i].p_offset) {
            return "segment outside the file";
        }
        if (va < VMRV_USER_BASE || mem > UINT64_MAX - va) {
            return "segment below the user program area";
        }
        if (va + mem > *need) {
            *need = va + mem;
        }
        if (va + mem > limit) {
            continue; /* reported as too large below */
        }
        if ((ph[i].p_flags & PF_X) && eh->e_entry >= va && eh->e_entry < va + mem) {
            entry_ok = 1;
        }
        loads++;
    }
    if (*need > limit) {
        return "too large";
    }
    if (loads == 0) {
        return "no loadable segment";
    }
    if (!entry_ok) {
        return "entry point not in an executable segment";
    }
    /* copy from the image (which lies above limit, so no overlap) */
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0) {
            continue;
        }
        char *dst = (char *)(uintptr_t)ph[i].p_vaddr;
        memcpy(dst, img + ph[i].p_offset, ph[i].p_filesz);
        memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
    }
    __asm__ volatile("fence.i" ::: "memory");
    *entry = eh->e_entry;
    return NULL;
}

/* Builds argv at the top of the user area; returns the initial sp. */
static uint64_t
build_args(const struct cms_plist *p, const char *name, uint64_t top, uint64_t *argv_out,
           int *argc_out)
{
    int argc = p->argc;
    const char *args[CMS_MAXARGS];
    uint64_t ptrs[CMS_MAXARGS + 1];
    args[0] = name;
    for (int i = 1; i < argc; i++) {
        args[i] = p->orig[i];
    }
    uint64_t at = top;
    for (int i = argc - 1; i >= 0; i--) {
        size_t n = strlen(args[i]) + 1;
        at -= n;
        memcpy((char *)(uintptr_t)at, args[i], n);
        ptrs[i] = at;
    }
    ptrs[argc] = 0;
    at = ALIGN_DOWN(at, 16) - 8 * (uint64_t)(argc + 1);
    at = ALIGN_DOWN(at, 16);
    memcpy((void *)(uintptr_t)at, ptrs, 8 * (size_t)(argc + 1));
    *argv_out = at;
    *argc_out = argc;
    return ALIGN_DOWN(at - 16, 16);
}

static void
release_user_area(void)
{
    uint64_t end = ALIGN_DOWN(cms_user_top, PAGE);
    if (end > VMRV_USER_BASE) {
        cms_release_pages(VMRV_USER_BASE, end - VMRV_USER_BASE);
    }
}

int
cms_run_module(const char *fn, const char *fm, const struct cms_plist *p, int first)
{
    (void)first;
    struct fs_fileid id;
    struct fs_stat st;
    if (fs_fileid_make(&id, fn, "MODULE", fm, "*") != 0 || fs_state(&id, &st) != 0) {
        cms_msg(M_FILE_NOT_FOUND, fn, "MODULE", fm);
        return CMS_RC_NOT_FOUND;
    }
    uint64_t end = ALIGN_DOWN(cms_user_top, PAGE);
    uint64_t span = ALIGN_UP(st.bytes, PAGE) + PAGE;
    if (end <= VMRV_USER_BASE || span > end - VMRV_USER_BASE) {
        cms_msg(M_TOO_LARGE, fn, (unsigned long long)st.bytes);
        return 104;
    }
    uint64_t stage = end - span;
    long got = read_image(&id, (char *)(uintptr_t)stage, span);
    if (got < 0) {
        cms_msg(M_FS_ERROR, id.fn, id.ft, st.id.fm, fs_strerror((int)got));
        release_user_area();
        return 100;
    }
    uint64_t entry = 0, need = 0;
    const char *why = load_elf((const char *)(uintptr_t)stage, (uint64_t)got, stage, &entry, &need);
    if (why != NULL) {
        if (strcmp(why, "too large") == 0) {
            cms_msg(M_TOO_LARGE, fn, (unsigned long long)(need - VMRV_USER_BASE));
            release_user_area();
            return 104;
        }
        cms_msg(M_BAD_MODULE, fn, st.id.fm, why);
        release_user_area();
        return 32;
    }
    /* the stage copy is no longer needed: the stack lives there */
    memset((void *)(uintptr_t)stage, 0, span);
    strncpy(program_name, fn, sizeof program_name - 1);
    program_name[8] = '\0';
    uint64_t argv;
    int argc;
    uint64_t sp = build_args(p, program_name, end, &argv, &argc);
    cms_program_name = program_name;
    int rc = cms_run_user(entry, sp, (uint64_t)argc, argv);
    cms_program_name = "";
    release_user_area();
    return rc;
}
