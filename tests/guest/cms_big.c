// SPDX-License-Identifier: MIT
/*
 * tests/guest/cms_big.c - a CMS program too large for a 32 MiB virtual
 * machine (40 MiB of .bss): CMS must refuse to load it with VMC019E and
 * return code 104, and keep working.
 */
#include <stdio.h>

static char big[40u << 20];

int
main(void)
{
    big[sizeof big - 1] = 1;
    printf("BIG loaded\n");
    return big[0];
}
