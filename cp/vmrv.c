// SPDX-License-Identifier: MIT
/*
 * cp/vmrv.c - main() of vmrv: a table of subcommands.  Everything else lives
 * in the subsystems; this file only picks one.  man/vmrv.1 describes them.
 */
#include <stdio.h>
#include <string.h>

#include "cp/vmrv.h"

struct subcommand {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *usage;
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"ipl", vmrv_ipl_main, "ipl [-c CONFIG] [--listen ADDR:PORT] [--data DIR]",
     "start the system: CP, the SSH logon service and the spool"},
    {"run", vmrv_run_main,
     "run [--storage SIZE] [--disk VADDR=IMAGE[:ro]]... [--limit N] [--timeout SECS] GUEST.elf [ARGS]",
     "IPL one RISC-V ELF in one virtual machine with its console on this terminal"},
    {"directory", vmrv_directory_main, "directory [--data DIR] COMMAND ...",
     "manage the user directory (list, show, add, delete, change, import, export, check)"},
    {"disk", vmrv_disk_main, "disk COMMAND IMAGE ...",
     "handle CMS disk images (format, list, put, get, erase)"},
};

static void
usage(FILE *out)
{
    fprintf(out, "usage: vmrv COMMAND [ARGS]\n\nVM/RV %s: a time-sharing system in the style of VM/370.\n\n",
            PACKAGE_VERSION);
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        fprintf(out, "  vmrv %s\n      %s\n", subcommands[i].usage, subcommands[i].summary);
    }
    fprintf(out, "\n  vmrv COMMAND --help  shows the options of one command; man vmrv has them all.\n");
}

int
main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("vmrv %s\n", PACKAGE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        if (strcmp(argv[1], subcommands[i].name) == 0) {
            return subcommands[i].main(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "vmrv: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
