// SPDX-License-Identifier: MIT
/*
 * tests/guest/cms_crash.c - a CMS program (built with the SDK) that fails
 * on purpose, in the way its argument names, so tests can check that CMS
 * reports a program check, returns to Ready with rc 256 and stays intact:
 *   null      load from address 0 (page 0 is protected)
 *   illegal   an illegal instruction
 *   ebreak    a breakpoint
 *   writecms  a store into the CMS nucleus (saved segment)
 *   writepriv a store into CMS private storage
 *   writehigh a store into CMS high free storage (just past user_end)
 *   readipl   a load from the IPL block
 *   jump0     a call through a null function pointer
 *   beyond    a load past the end of storage
 *   amo       an atomic on a misaligned address
 *   csr       reading an S-mode CSR from U-mode
 *   loop      loops for ever (until HX), printing a line now and then
 *   read      reads console lines and echoes them until one says "end"
 *   cmd WORDS runs the rest of its arguments as a CMS command, says its rc
 *   scribble  fills 1 MiB of free user storage with a pattern
 *   clean     returns 1 if that storage is not all zeros (CMS gives the
 *             user area back to CP after every program: it reads as 0)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmssdk.h"

int
main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    struct cms_meminfo mi;
    cms_svc(CMS_MEMINFO, (long)&mi, 0, 0, 0);
    printf("CRASH %s\n", what);
    if (strcmp(what, "null") == 0) {
        return *(volatile int *)(uintptr_t)0;
    }
    if (strcmp(what, "illegal") == 0) {
        __asm__ volatile(".word 0");
    }
    if (strcmp(what, "ebreak") == 0) {
        __asm__ volatile("ebreak");
    }
    if (strcmp(what, "writecms") == 0) {
        *(volatile uint32_t *)(uintptr_t)0x200000 = 0x00000013;
    }
    if (strcmp(what, "writepriv") == 0) {
        for (uintptr_t a = 0x2000; a < 0x200000; a += 4096) {
            *(volatile uint64_t *)a = 0xdeadbeef;
        }
    }
    if (strcmp(what, "writehigh") == 0) {
        /* CMS's high free storage, just past the user program area */
        *(volatile uint64_t *)(uintptr_t)mi.user_end = 0xdeadbeef;
    }
    if (strcmp(what, "readipl") == 0) {
        return (int)*(volatile uint64_t *)(uintptr_t)0x1000;
    }
    if (strcmp(what, "jump0") == 0) {
        void (*volatile fn)(void) = 0;
        fn();
    }
    if (strcmp(what, "beyond") == 0) {
        return *(volatile int *)(uintptr_t)(mi.storage_size + 64);
    }
    if (strcmp(what, "amo") == 0) {
        static uint64_t cell[2];
        uintptr_t a = (uintptr_t)cell + 2;
        uint32_t old;
        __asm__ volatile("amoadd.w %0, %1, (%2)" : "=r"(old) : "r"(1), "r"(a) : "memory");
        return (int)old;
    }
    if (strcmp(what, "csr") == 0) {
        unsigned long v;
        __asm__ volatile("csrr %0, sstatus" : "=r"(v));
        return (int)v;
    }
    if (strcmp(what, "loop") == 0) {
        for (unsigned long n = 0;; n++) {
            if (n % 2000000 == 0) {
                printf("LOOP %lu\n", n / 2000000);
            }
        }
    }
    if (strcmp(what, "read") == 0) {
        char line[256];
        while (fgets(line, sizeof line, stdin) != NULL) {
            printf("READ %s", line);
            if (strncmp(line, "end", 3) == 0) {
                return 7;
            }
        }
    }
    if (strcmp(what, "cmd") == 0) {
        char line[256] = "";
        for (int i = 2; i < argc; i++) {
            strncat(line, argv[i], sizeof line - strlen(line) - 2);
            strcat(line, " ");
        }
        printf("CRASH cmd rc=%ld\n", cms_command(line));
        return 0;
    }
    if (strcmp(what, "scribble") == 0 || strcmp(what, "clean") == 0) {
        volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)(mi.user_end - (4u << 20));
        size_t n = (1u << 20) / 8;
        if (what[0] == 's') {
            for (size_t i = 0; i < n; i++) {
                p[i] = 0xAAAAAAAAAAAAAAAAull;
            }
            return 0;
        }
        for (size_t i = 0; i < n; i++) {
            if (p[i] != 0) {
                printf("CRASH storage not clean at %p\n", (void *)&p[i]);
                return 1;
            }
        }
        printf("CRASH storage clean\n");
        return 0;
    }
    printf("CRASH did not crash\n");
    return 0;
}
