// SPDX-License-Identifier: MIT
/* cp/ipl.c - placeholder until this subcommand is built. */
#include <stdio.h>

#include "cp/vmrv.h"

int
vmrv_ipl_main(int argc, char **argv)
{
    fprintf(stderr, "vmrv %s: not available in this build yet\n", argv[0]);
    return 2;
}
