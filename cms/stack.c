// SPDX-License-Identifier: MIT
/*
 * cms/stack.c - the program stack: lines a program (or CMS) queues (FIFO,
 * QUEUE) or pushes (LIFO, PUSH) for the next console reads.  Programs read
 * it first through CMS_CONREAD, and the command loop reads commands from it
 * before the terminal.  The commands over it (MAKEBUF, DROPBUF, SENTRIES,
 * DESBUF) are in cmd_stack.c.
 *
 * Buffers, as in CMS: the stack is buffer 0 with buffers 1..n (MAKEBUF)
 * stacked on it, the newest on top.  PUSH puts a line on the top of the
 * stack (the top of the newest buffer), QUEUE at the end of the newest
 * buffer, so it is read after that buffer's other lines but before the
 * lines of older buffers.  A read takes the top line; an empty newest
 * buffer is dropped as the read passes it (never buffer 0), so reading an
 * empty stack leaves no buffers.  DROPBUF n drops buffer n and all newer
 * ones with their lines; DROPBUF 0 and DESBUF empty the whole stack.
 *
 * Each buffer is a ring of pointers to lines in nucleus free storage,
 * grown by doubling: as in CMS, the stack holds as many lines as free
 * storage allows (EXECIO can stack a whole file), each of at most
 * CMS_LINE_MAX characters.  An empty buffer owns no ring and an empty
 * stack without buffers owns no storage at all, so an idle CMS pays
 * nothing for it.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/cms.h"

#define STACK_FIRST 64 /* slots of a buffer's first ring */
#define BUFS_FIRST 8 /* slots of the first array of buffers above 0 */

struct stack_line {
    unsigned short len;
    char s[];
};

/* One buffer: a ring of lines, the first (top) at head. */
struct stack_buf {
    struct stack_line **ring;
    unsigned cap, head, count;
};

static struct stack_buf base; /* buffer 0 */
static struct stack_buf *above; /* buffers 1..nbufs at above[0..nbufs-1] */
static unsigned nbufs, above_cap;
static unsigned total; /* lines in all buffers */

static struct stack_buf *
top_buf(void)
{
    return nbufs > 0 ? &above[nbufs - 1] : &base;
}

/* Doubles a buffer's ring, its lines moved to start at slot 0. */
static int
grow(struct stack_buf *b)
{
    unsigned ncap = b->cap ? b->cap * 2 : STACK_FIRST;
    struct stack_line **nr = malloc(ncap * sizeof *nr);
    if (nr == NULL) {
        return CMS_ENOSPC;
    }
    for (unsigned i = 0; i < b->count; i++) {
        nr[i] = b->ring[(b->head + i) % b->cap];
    }
    free(b->ring);
    b->ring = nr;
    b->cap = ncap;
    b->head = 0;
    return 0;
}

/* Frees a buffer's ring once it is empty again. */
static void
shrink(struct stack_buf *b)
{
    if (b->count == 0) {
        free(b->ring);
        b->ring = NULL;
        b->cap = b->head = 0;
    }
}

/* Frees every line of a buffer and its ring. */
static void
empty_buf(struct stack_buf *b)
{
    while (b->count > 0) {
        free(b->ring[b->head]);
        b->head = (b->head + 1) % b->cap;
        b->count--;
        total--;
    }
    shrink(b);
}

/* Drops buffers n..nbufs (n >= 1) with their lines; the array of buffers
 * goes back to free storage when none is left. */
static void
drop_from(unsigned n)
{
    while (nbufs >= n && nbufs > 0) {
        empty_buf(&above[nbufs - 1]);
        nbufs--;
    }
    if (nbufs == 0) {
        free(above);
        above = NULL;
        above_cap = 0;
    }
}

int
cms_stack_add(const char *line, size_t len, int lifo)
{
    struct stack_buf *b = top_buf();
    if (len > CMS_LINE_MAX) {
        len = CMS_LINE_MAX;
    }
    if (b->count == b->cap && grow(b) != 0) {
        return CMS_ENOSPC;
    }
    struct stack_line *l = malloc(sizeof *l + len + 1);
    if (l == NULL) {
        shrink(b);
        return CMS_ENOSPC;
    }
    memcpy(l->s, line, len);
    l->s[len] = '\0';
    l->len = (unsigned short)len;
    unsigned slot;
    if (lifo) {
        b->head = (b->head + b->cap - 1) % b->cap;
        slot = b->head;
    } else {
        slot = (b->head + b->count) % b->cap;
    }
    b->ring[slot] = l;
    b->count++;
    total++;
    return 0;
}

int
cms_stack_take(char *buf, size_t cap_)
{
    /* empty buffers on top are dropped as the read passes them */
    while (nbufs > 0 && above[nbufs - 1].count == 0) {
        drop_from(nbufs);
    }
    struct stack_buf *b = top_buf();
    if (b->count == 0) {
        return -1;
    }
    struct stack_line *l = b->ring[b->head];
    size_t n = l->len;
    if (n > cap_ - 1) {
        n = cap_ - 1;
    }
    memcpy(buf, l->s, n);
    buf[n] = '\0';
    free(l);
    b->head = (b->head + 1) % b->cap;
    b->count--;
    total--;
    shrink(b);
    return (int)n;
}

int
cms_stack_count(void)
{
    return (int)total;
}

void
cms_stack_clear(void)
{
    drop_from(1);
    empty_buf(&base);
}

int
cms_stack_makebuf(void)
{
    if (nbufs == above_cap) {
        unsigned ncap = above_cap ? above_cap * 2 : BUFS_FIRST;
        struct stack_buf *na = realloc(above, ncap * sizeof *na);
        if (na == NULL) {
            return CMS_ENOSPC;
        }
        above = na;
        above_cap = ncap;
    }
    memset(&above[nbufs], 0, sizeof above[nbufs]);
    nbufs++;
    return (int)nbufs;
}

int
cms_stack_dropbuf(unsigned n)
{
    if (n > nbufs) {
        return -1;
    }
    if (n == 0) {
        cms_stack_clear();
    } else {
        drop_from(n);
    }
    return 0;
}

int
cms_stack_buffers(void)
{
    return (int)nbufs;
}
