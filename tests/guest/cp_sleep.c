// SPDX-License-Identifier: MIT
/*
 * tests/guest/cp_sleep.c - a guest that sleeps through CP: DIAG 0x008
 * SLEEP waits in the hypercall until CP answers it (tests/test_cp_cmds_vm.c
 * IPLs it and ends each sleep its own way: the time, a typed line, an
 * attention, a logoff).  It prints SLEEPER lines the test waits for.
 */
#include <string.h>

#include "rt.h"

/* DIAG 0x008 with the response captured: CP's return code, or 999 if the
 * call itself failed. */
static unsigned long
cp(const char *cmd)
{
    char resp[128];
    struct diag_result r = diag_call(DIAG_CP_COMMAND, (unsigned long)cmd, strlen(cmd),
                                     (unsigned long)resp, sizeof resp, 0, 0);
    return r.error ? 999 : r.value;
}

static void
say(const char *what, unsigned long rc)
{
    printf("SLEEPER %s %lu\n", what, rc);
    rt_flush();
}

int
main(const struct vmrv_iplblock *ipl)
{
    say("START", 0);
    say("TIMED", cp("SLEEP 1 SEC")); /* its time */
    say("WOKEN", cp("SLEEP"));        /* a typed line */
    /* the line that woke it stays this program's input */
    char line[80];
    struct diag_result r = diag_call(DIAG_CONSOLE, DIAG_CON_READ, (unsigned long)line,
                                     sizeof line, 0, 0, 0);
    printf("SLEEPER GOT %.*s\n", r.error ? 0 : (int)r.value, line);
    rt_flush();
    say("ATTN", cp("SLEEP 10 MIN")); /* an attention */
    say("LAST", cp("SLEEP 10 MIN"));  /* the test logs off meanwhile */
    return rt_failures;
}
