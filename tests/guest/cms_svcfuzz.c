// SPDX-License-Identifier: MIT
/*
 * tests/guest/cms_svcfuzz.c - a CMS program that calls CMS services with
 * random arguments: pointers into its own storage, into CMS's, beyond the
 * end of storage, or wild; random handles, lengths and modes.  CMS must
 * answer every call (an error is fine) and never fail itself.  It skips
 * the services that end the program or wait for the terminal (EXIT,
 * CONREAD) and CMSCALL (commands could ask questions).  argv[1] is the
 * seed, argv[2] the number of calls.  Prints "SVCFUZZ done n".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmssdk.h"

static uint64_t rng;

static uint64_t
next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* CMS writes wherever the pointers say: pointers into our own storage
 * point into the first 64 KiB of this arena and lengths stay below
 * 70000, so nothing outside it (our stack, stdio state) gets hit. */
static char buf[256 * 1024];

static long
arg(uint64_t end)
{
    switch (next() % 10) {
    case 0:
        return 0;
    case 1:
        return (long)(next() % 64);
    case 2:
    case 3: {
        /* a valid fileid or text in our buffer */
        struct cms_fileid *id = (struct cms_fileid *)buf;
        memset(id, ' ', sizeof *id);
        memcpy(id->fn, next() % 2 ? "FUZZ" : "F*Z", 4);
        memcpy(id->ft, next() % 2 ? "DATA" : "", next() % 2 ? 4 : 0);
        id->fm[0] = "AS*Q?"[next() % 5];
        id->fm[1] = "1 9"[next() % 3];
        return (long)(uintptr_t)(buf + (next() % 2 ? 0 : next() % 64));
    }
    case 4:
        return (long)(uintptr_t)(buf + next() % 65536);
    case 5:
        return (long)(next() % 0x800000); /* CMS storage */
    case 6:
        /* just below the end: only argv's strings live there (the stack
         * is further down), so a write that fits hurts nothing */
        return (long)(end - next() % 48);
    case 7:
        return (long)(end + next() % 0x100000); /* beyond */
    case 8:
        return (long)(next() % 70000); /* a length */
    default:
        return (long)next();
    }
}

int
main(int argc, char **argv)
{
    static const int svcs[] = {CMS_CONWRITE, CMS_FSOPEN, CMS_FSREAD, CMS_FSWRITE, CMS_FSCLOSE,
                               CMS_FSSTATE, CMS_FSERASE, CMS_CPCALL, CMS_GETTIME, CMS_MEMINFO,
                               CMS_STACK, CMS_QUEUED, CMS_FSPOINT, 16, 99, -1};
    struct cms_meminfo mi;
    cms_svc(CMS_MEMINFO, (long)&mi, 0, 0, 0);
    rng = argc > 1 ? strtoull(argv[1], NULL, 10) * 2654435761u + 1 : 1;
    long n = argc > 2 ? atol(argv[2]) : 5000;
    for (long i = 0; i < n; i++) {
        int s = svcs[next() % (sizeof svcs / sizeof svcs[0])];
        long a0 = arg(mi.user_end), a1 = arg(mi.user_end), a2 = arg(mi.user_end),
             a3 = arg(mi.user_end);
        if (s == CMS_CONWRITE && a1 > 40) {
            a1 = 40; /* keep the console output small */
        }
        if (s == CMS_FSREAD || s == CMS_FSWRITE || s == CMS_FSCLOSE || s == CMS_FSPOINT) {
            a0 = (long)(next() % 20) - 2; /* mostly plausible handles */
        }
        cms_svc(s, a0, a1, a2, a3);
    }
    /* whatever it left on the program stack would run as commands */
    char line[300];
    while (cms_queued() > 0) {
        cms_read(line, sizeof line);
    }
    cms_svc(CMS_CONWRITE, (long)buf, 0, 1, 0); /* end a partial line */
    printf("SVCFUZZ done %ld\n", n);
    return 0;
}
