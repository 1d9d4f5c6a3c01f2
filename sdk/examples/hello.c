// SPDX-License-Identifier: MIT
/*
 * sdk/examples/hello.c - the smallest CMS program: greets, shows its
 * arguments and returns the number given as "RC n" (else 0), which CMS
 * shows as Ready(n).  Build it with the SDK (see sdk/Makefile.example),
 * put it on a disk as "HELLO MODULE" and type: hello a b rc 5
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
    int rc = 0;
    printf("Hello from %s, a CMS program, with %d argument(s)\n", argv[0], argc - 1);
    for (int i = 1; i < argc; i++) {
        printf("argv[%d] = %s\n", i, argv[i]);
        if ((strcmp(argv[i], "rc") == 0 || strcmp(argv[i], "RC") == 0) && i + 1 < argc) {
            rc = atoi(argv[i + 1]);
        }
    }
    return rc;
}
