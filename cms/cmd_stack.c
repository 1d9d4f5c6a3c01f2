// SPDX-License-Identifier: MIT
/*
 * cms/cmd_stack.c - the commands over the program stack's buffers, as in
 * CMS: MAKEBUF, DROPBUF [n], SENTRIES and DESBUF.  The stack itself and
 * the rules of its buffers are in stack.c; an EXEC reaches these commands
 * as any other ('MAKEBUF' goes to CMS), so RC carries their answers.
 *
 * Return codes (CMS's):
 *   MAKEBUF   the number of the new buffer (104 out of storage)
 *   DROPBUF   0; 1 n is not a number; 2 there is no buffer n
 *   SENTRIES  the number of lines on the stack (all buffers)
 *   DESBUF    0
 * An operand where none belongs is VMC004E with 24, as for every command.
 */
#include <string.h>

#include "cms/cms.h"

#define DROPBUF_RC_BAD_NUMBER 1
#define DROPBUF_RC_NO_BUFFER 2

/* No operands after the command name: 0, else the message and 24. */
static int
no_operands(const struct cms_plist *p, int allowed)
{
    if (p->argc > 1 + allowed) {
        cms_msg(M_INVALID_PARM, p->orig[1 + allowed]);
        return 24;
    }
    return 0;
}

int
cmd_makebuf(struct cms_plist *p)
{
    int rc = no_operands(p, 0);
    if (rc != 0) {
        return rc;
    }
    int n = cms_stack_makebuf();
    if (n < 0) {
        cms_msg(M_NO_STORAGE);
        return 104;
    }
    return n;
}

int
cmd_dropbuf(struct cms_plist *p)
{
    int rc = no_operands(p, 1);
    if (rc != 0) {
        return rc;
    }
    if (p->argc < 2) {
        /* the newest buffer; with none, nothing to drop */
        int top = cms_stack_buffers();
        if (top > 0) {
            cms_stack_dropbuf((unsigned)top);
        }
        return 0;
    }
    long n = cms_parse_num(p->argv[1]);
    if (n < 0) {
        cms_msg(M_STK_BAD_NUMBER, p->orig[1]);
        return DROPBUF_RC_BAD_NUMBER;
    }
    if (n > cms_stack_buffers() || cms_stack_dropbuf((unsigned)n) != 0) {
        cms_msg(M_STK_NO_BUFFER, p->orig[1], cms_stack_buffers());
        return DROPBUF_RC_NO_BUFFER;
    }
    return 0;
}

int
cmd_sentries(struct cms_plist *p)
{
    int rc = no_operands(p, 0);
    if (rc != 0) {
        return rc;
    }
    return cms_stack_count();
}

/* The stack with its buffers, and the terminal input buffer: the lines
 * typed after an attention that wait for the next read.  Lines CP holds
 * for the console (typed ahead) are the terminal's own and stay. */
int
cmd_desbuf(struct cms_plist *p)
{
    int rc = no_operands(p, 0);
    if (rc != 0) {
        return rc;
    }
    cms_stack_clear();
    con_drop_kept();
    return 0;
}
