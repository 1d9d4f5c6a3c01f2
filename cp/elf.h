/* SPDX-License-Identifier: MIT */
/*
 * cp/elf.h - the ELF loader for IPL: RISC-V, ELFCLASS64, little endian,
 * ET_EXEC.  Every PT_LOAD segment is copied to guest storage at its
 * PHYSICAL address (p_paddr), its bss (p_memsz > p_filesz) zeroed.  The
 * entry point is e_entry, run in virtual S-mode.
 *
 * Everything is checked before a byte is written: a refused image leaves
 * storage untouched.  Refused: a truncated file, a header or segment whose
 * offsets or sizes overflow or run past the file, the wrong class, byte
 * order, machine or type, no PT_LOAD segment, a segment beyond storage (the
 * message names the storage size), a segment over page 0 or the IPL block
 * (vmrv/ipl.h), an entry point outside every loaded segment.
 *
 * Above: vm_ipl_elf (cp/vm.c).  Below: cp/stor.h.
 */
#ifndef CP_ELF_H
#define CP_ELF_H

#include <stddef.h>
#include <stdint.h>

struct stor;

/* Largest ELF file the loader reads (storage can never hold more). */
#define ELF_FILE_MAX ((size_t)4 << 30)

/* Loads image[0..size) into st.  0 and *entry, or -ENOEXEC (not an ELF we
 * run, malformed) or -EFBIG (does not fit in storage) with a one-line
 * reason in err. */
int elf_load(struct stor *st, const void *image, size_t size, uint64_t *entry, char *err,
             size_t errlen);

/* Reads the file into memory and loads it as elf_load.  Adds -errno of
 * open/read failures (reason in err). */
int elf_load_file(struct stor *st, const char *path, uint64_t *entry, char *err, size_t errlen);

/* Reads a whole file into a new malloc'd buffer (*out, *size).  0 or a
 * negative errno (reason in err).  -EFBIG above ELF_FILE_MAX. */
int elf_read_file(const char *path, void **out, size_t *size, char *err, size_t errlen);

#endif /* CP_ELF_H */
