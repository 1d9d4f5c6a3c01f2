// SPDX-License-Identifier: MIT
/*
 * cms/stack.c - the program stack: lines a program (or CMS) queues (FIFO,
 * QUEUE) or pushes (LIFO, PUSH) for the next console reads.  Programs read
 * it first through CMS_CONREAD, and the command loop reads commands from it
 * before the terminal.  A fixed ring of lines in private storage.
 */
#include <string.h>

#include "cms/cms.h"

#define STACK_LINES 64

static char lines[STACK_LINES][CMS_LINE_MAX + 1];
static unsigned short lens[STACK_LINES];
static unsigned head, count;

int
cms_stack_add(const char *line, size_t len, int lifo)
{
    if (count == STACK_LINES) {
        return CMS_ENOSPC;
    }
    if (len > CMS_LINE_MAX) {
        len = CMS_LINE_MAX;
    }
    unsigned slot;
    if (lifo) {
        head = (head + STACK_LINES - 1) % STACK_LINES;
        slot = head;
    } else {
        slot = (head + count) % STACK_LINES;
    }
    memcpy(lines[slot], line, len);
    lines[slot][len] = '\0';
    lens[slot] = (unsigned short)len;
    count++;
    return 0;
}

int
cms_stack_take(char *buf, size_t cap)
{
    if (count == 0) {
        return -1;
    }
    size_t n = lens[head];
    if (n > cap - 1) {
        n = cap - 1;
    }
    memcpy(buf, lines[head], n);
    buf[n] = '\0';
    head = (head + 1) % STACK_LINES;
    count--;
    return (int)n;
}

int
cms_stack_count(void)
{
    return (int)count;
}

void
cms_stack_clear(void)
{
    head = count = 0;
}
