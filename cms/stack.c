// SPDX-License-Identifier: MIT
/*
 * cms/stack.c - the program stack: lines a program (or CMS) queues (FIFO,
 * QUEUE) or pushes (LIFO, PUSH) for the next console reads.  Programs read
 * it first through CMS_CONREAD, and the command loop reads commands from it
 * before the terminal.
 *
 * A ring of pointers to lines in nucleus free storage, grown by doubling:
 * as in CMS, the stack holds as many lines as free storage allows (EXECIO
 * can stack a whole file), each of at most CMS_LINE_MAX characters.  An
 * empty stack owns no storage, so an idle CMS pays nothing for it.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/cms.h"

#define STACK_FIRST 64 /* slots of the first ring */

struct stack_line {
    unsigned short len;
    char s[];
};

static struct stack_line **ring;
static unsigned cap, head, count;

/* Doubles the ring, its lines moved to start at slot 0. */
static int
grow(void)
{
    unsigned ncap = cap ? cap * 2 : STACK_FIRST;
    struct stack_line **nr = malloc(ncap * sizeof *nr);
    if (nr == NULL) {
        return CMS_ENOSPC;
    }
    for (unsigned i = 0; i < count; i++) {
        nr[i] = ring[(head + i) % cap];
    }
    free(ring);
    ring = nr;
    cap = ncap;
    head = 0;
    return 0;
}

int
cms_stack_add(const char *line, size_t len, int lifo)
{
    if (len > CMS_LINE_MAX) {
        len = CMS_LINE_MAX;
    }
    if (count == cap && grow() != 0) {
        return CMS_ENOSPC;
    }
    struct stack_line *l = malloc(sizeof *l + len + 1);
    if (l == NULL) {
        return CMS_ENOSPC;
    }
    memcpy(l->s, line, len);
    l->s[len] = '\0';
    l->len = (unsigned short)len;
    unsigned slot;
    if (lifo) {
        head = (head + cap - 1) % cap;
        slot = head;
    } else {
        slot = (head + count) % cap;
    }
    ring[slot] = l;
    count++;
    return 0;
}

/* Frees the ring itself once the stack is empty again. */
static void
shrink(void)
{
    if (count == 0) {
        free(ring);
        ring = NULL;
        cap = head = 0;
    }
}

int
cms_stack_take(char *buf, size_t cap_)
{
    if (count == 0) {
        return -1;
    }
    struct stack_line *l = ring[head];
    size_t n = l->len;
    if (n > cap_ - 1) {
        n = cap_ - 1;
    }
    memcpy(buf, l->s, n);
    buf[n] = '\0';
    free(l);
    head = (head + 1) % cap;
    count--;
    shrink();
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
    while (count > 0) {
        free(ring[head]);
        head = (head + 1) % cap;
        count--;
    }
    shrink();
}
