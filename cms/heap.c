// SPDX-License-Identifier: MIT
/*
 * cms/heap.c - where the nucleus's free storage (malloc) comes from.  The
 * C library's malloc asks sbrk for memory; this sbrk hands out two
 * regions in turn:
 *   1. private storage between the nucleus's bss and its stack (below the
 *      saved segment, about 1.7 MiB), and then
 *   2. "high free storage" at the top of the virtual machine's storage,
 *      above the user program area (cms_user_top .. end of storage),
 *      protected from user programs like the rest of CMS.
 * So a 10,000-variable stem or a big program stack fits in a large
 * machine, while a CMS user who never needs it pays for no page of it
 * (storage pages cost nothing until touched).  High storage is protected
 * from user programs as it is handed out, not all at IPL: CP keeps the
 * protection of a page in its page map, and protecting 6 MiB up front
 * made every CMS user at Ready 14 KiB bigger.  The C library's malloc
 * copes with the jump between the regions: memory that does not follow
 * its last chunk becomes a new chunk.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cms/cms.h"
#include "vmrv/ipl.h"

extern char __heap_start[], __heap_end[];

uint64_t cms_user_top;

/* The region sbrk hands out now: [brk_base, brk_end), used up to brk_now. */
static uintptr_t brk_base, brk_now, brk_end;
static int in_high;

static void
region(uintptr_t base, uintptr_t end)
{
    brk_base = brk_now = base;
    brk_end = end;
}

void
cms_heap_init(uint64_t storage_end)
{
    uint64_t area = storage_end > VMRV_USER_BASE ? storage_end - VMRV_USER_BASE : 0;
    uint64_t high = area / 4;
    if (high > CMS_HIGH_FREE_MAX) {
        high = CMS_HIGH_FREE_MAX;
    }
    high &= ~(uint64_t)(DIAG_PAGE_SIZE - 1);
    cms_user_top = storage_end - high;
    region((uintptr_t)__heap_start, (uintptr_t)__heap_end);
    in_high = 0;
}

void *
sbrk(ptrdiff_t incr)
{
    if (brk_now == 0) {
        /* before cms_heap_init (the C library's start-up): private only */
        region((uintptr_t)__heap_start, (uintptr_t)__heap_end);
    }
    bool fits = incr < 0 ? (uintptr_t)-incr <= brk_now - brk_base
                         : (uintptr_t)incr <= brk_end - brk_now;
    if (!fits) {
        /* the private region is spent: on to high storage, once */
        if (incr < 0 || in_high || cms_user_top == 0 || cms_user_top >= cms_storage_end ||
            (uint64_t)incr > cms_storage_end - cms_user_top) {
            errno = ENOMEM;
            return (void *)-1;
        }
        in_high = 1;
        region((uintptr_t)cms_user_top, (uintptr_t)cms_storage_end);
    }
    uintptr_t old = brk_now;
    brk_now += (uintptr_t)incr;
    if (in_high && incr > 0) {
        uintptr_t lo = old & ~(uintptr_t)(DIAG_PAGE_SIZE - 1);
        uintptr_t hi = (brk_now + DIAG_PAGE_SIZE - 1) & ~(uintptr_t)(DIAG_PAGE_SIZE - 1);
        cms_protect(lo, hi - lo, DIAG_PROT_USER_NONE);
    }
    return (void *)old;
}
