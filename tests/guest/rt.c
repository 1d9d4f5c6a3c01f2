// SPDX-License-Identifier: MIT
/* tests/guest/rt.c - see rt.h.  picolibc's stdout writes here a byte at a
 * time; we collect a line and hand it to CP with one DIAG. */
#include <stdio.h>
#include <string.h>

#include "rt.h"

int rt_failures;
static char line[256];
static size_t line_len;

void
rt_flush(void)
{
    if (line_len > 0) {
        diag_call(DIAG_CONSOLE, DIAG_CON_WRITE, (unsigned long)line, line_len, 0, 0, 0);
        line_len = 0;
    }
}

static int
rt_putc(char c, FILE *f)
{
    (void)f;
    if (c == '\n') {
        diag_call(DIAG_CONSOLE, DIAG_CON_WRITE_LINE, (unsigned long)line, line_len, 0, 0, 0);
        line_len = 0;
        return (unsigned char)c;
    }
    if (line_len == sizeof line) {
        rt_flush();
    }
    line[line_len++] = c;
    return (unsigned char)c;
}

static FILE rt_stdio = FDEV_SETUP_STREAM(rt_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &rt_stdio;
FILE *const stderr = &rt_stdio;

void
rt_init(void)
{
}

void
rt_exit(int code)
{
    rt_flush();
    diag_call(DIAG_TEST_EXIT, (unsigned long)code, 0, 0, 0, 0, 0);
    for (;;) {
    }
}

/* picolibc's exit() and abort() end up here. */
void
_exit(int code)
{
    rt_exit(code);
}
