// SPDX-License-Identifier: MIT
/*
 * cms/diagio.c - every DIAGNOSE CMS issues, behind small functions: the
 * console (DIAG 0x058, also as picolibc's stdout), IDENTIFY (0x000), the
 * pseudo-timer (0x00C), storage size (0x060), page release (0x010),
 * storage protection (0x100C), CP commands (0x008), device information
 * (0x024) and block I/O (0x250).
 * Nothing else in CMS issues an ecall to CP.
 *
 * Console input: con_read() waits in CP (VM READ, no CPU, no timer).  An
 * attention that ends the wait (DIAG_EINTR) is handled by trap.c and the
 * READ is issued again.  Lines typed after an attention that are not
 * immediate commands wait in a small terminal buffer, read before the
 * terminal itself.  At the end of console input (only `vmrv run` with
 * input from a file has one) CMS ends the virtual machine.
 */
#include <string.h>

#include "cms/cms.h"

/* ---- output: picolibc stdout collects a line, one DIAG per line ---------- */
static char out_line[CMS_LINE_MAX + 1];
static size_t out_len;

void
con_line(const char *s, size_t n)
{
    if (cms_typing_suppressed) {
        return; /* HT: nothing is typed until RT or the next Ready */
    }
    diag_call(DIAG_CONSOLE, DIAG_CON_WRITE_LINE, (unsigned long)s, n, 0, 0, 0);
}

void
con_prompt(const char *s, size_t n)
{
    if (cms_typing_suppressed) {
        return;
    }
    diag_call(DIAG_CONSOLE, DIAG_CON_WRITE, (unsigned long)s, n, 0, 0, 0);
}

void
con_flush(void)
{
    if (out_len > 0) {
        con_prompt(out_line, out_len);
        out_len = 0;
    }
}

static int
con_putc(char c, FILE *f)
{
    (void)f;
    if (c == '\n') {
        con_line(out_line, out_len);
        out_len = 0;
        return (unsigned char)c;
    }
    if (out_len == sizeof out_line) {
        con_flush();
    }
    out_line[out_len++] = c;
    return (unsigned char)c;
}

static FILE con_stdio = FDEV_SETUP_STREAM(con_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &con_stdio;
FILE *const stderr = &con_stdio;
FILE *const stdin = NULL;

/* ---- input ---------------------------------------------------------------- */
#define TERMBUF_LINES 8
static char termbuf[TERMBUF_LINES][CMS_LINE_MAX + 1];
static unsigned termbuf_head, termbuf_count;

void
con_keep_line(const char *s, size_t n)
{
    if (termbuf_count == TERMBUF_LINES) {
        return; /* full: the oldest lines win */
    }
    if (n > CMS_LINE_MAX) {
        n = CMS_LINE_MAX;
    }
    char *dst = termbuf[(termbuf_head + termbuf_count) % TERMBUF_LINES];
    memcpy(dst, s, n);
    dst[n] = '\0';
    termbuf_count++;
}

unsigned
con_drop_kept(void)
{
    unsigned n = termbuf_count;
    termbuf_head = termbuf_count = 0;
    return n;
}

size_t
con_read_raw(char *buf, size_t cap)
{
    con_flush();
    for (;;) {
        struct diag_result r =
            diag_call(DIAG_CONSOLE, DIAG_CON_READ, (unsigned long)buf, cap - 1, 0, 0, 0);
        if (r.error == DIAG_OK) {
            size_t n = r.value < cap - 1 ? r.value : cap - 1;
            buf[n] = '\0';
            return n;
        }
        if (r.error == DIAG_EINTR) {
            /* attention while we wait for a line anyway: claim, read on */
            cms_events_drain();
            continue;
        }
        if (r.error == DIAG_EOF) {
            /* `vmrv run` with console input from a file: the script ended */
            diag_call(DIAG_TEST_EXIT, 0, 0, 0, 0, 0, 0);
        }
        /* anything else: give the caller an empty line rather than spin */
        buf[0] = '\0';
        return 0;
    }
}

size_t
con_read(char *buf, size_t cap)
{
    if (termbuf_count > 0) {
        const char *src = termbuf[termbuf_head];
        size_t n = strlen(src);
        if (n > cap - 1) {
            n = cap - 1;
        }
        memcpy(buf, src, n);
        buf[n] = '\0';
        termbuf_head = (termbuf_head + 1) % TERMBUF_LINES;
        termbuf_count--;
        return n;
    }
    return con_read_raw(buf, cap);
}

/* ---- clock, storage -------------------------------------------------------- */
void
cms_timer(struct diag_timer *t)
{
    memset(t, 0, sizeof *t);
    diag_call(DIAG_TIMER, (unsigned long)t, sizeof *t, 0, 0, 0, 0);
}

long
cms_identify(struct diag_identify *id)
{
    memset(id, 0, sizeof *id);
    return diag_call(DIAG_IDENTIFY, (unsigned long)id, sizeof *id, 0, 0, 0, 0).error;
}

uint64_t
cms_storage_size(void)
{
    struct diag_result r = diag_call(DIAG_STORAGE_SIZE, 0, 0, 0, 0, 0, 0);
    return r.error == DIAG_OK ? r.value : 0;
}

long
cms_release_pages(uint64_t addr, uint64_t len)
{
    return diag_call(DIAG_RELEASE_PAGES, addr, len, 0, 0, 0, 0).error;
}

long
cms_protect(uint64_t addr, uint64_t len, int mode)
{
    return diag_call(DIAG_PROTECT, addr, len, (unsigned long)mode, 0, 0, 0).error;
}

/* ---- CP commands ------------------------------------------------------------ */
long
cms_cp_command(const char *cmd, size_t len, char *resp, size_t cap, size_t *resp_len,
               long *cp_rc)
{
    con_flush();
    struct diag_result r = diag_call(DIAG_CP_COMMAND, (unsigned long)cmd, len,
                                     (unsigned long)resp, resp ? cap : 0, 0, 0);
    if (resp_len != NULL) {
        *resp_len = r.error == DIAG_OK ? r.value2 : 0;
    }
    *cp_rc = r.error == DIAG_OK ? (long)r.value : 0;
    return r.error;
}

/* ---- devices and disks ------------------------------------------------------- */
long
cms_devinfo(unsigned vaddr, struct diag_devinfo *di)
{
    memset(di, 0, sizeof *di);
    return diag_call(DIAG_DEVINFO, vaddr, (unsigned long)di, sizeof *di, 0, 0, 0).error;
}

long
cms_disk_geometry(unsigned vaddr, struct diag_geometry *g)
{
    memset(g, 0, sizeof *g);
    return diag_call(DIAG_BLOCK_IO, DIAG_BIO_GEOMETRY, vaddr, (unsigned long)g, sizeof *g, 0, 0)
        .error;
}

long
cms_disk_io(int write, unsigned vaddr, uint64_t block, void *buf, unsigned count)
{
    while (count > 0) {
        unsigned n = count > DIAG_BLOCK_MAX_COUNT ? DIAG_BLOCK_MAX_COUNT : count;
        struct diag_result r = diag_call(DIAG_BLOCK_IO, write ? DIAG_BIO_WRITE : DIAG_BIO_READ,
                                         vaddr, block, (unsigned long)buf, n, 0);
        if (r.error != DIAG_OK) {
            return r.error;
        }
        block += n;
        buf = (char *)buf + (size_t)n * DIAG_BLOCK_SIZE;
        count -= n;
    }
    return DIAG_OK;
}

long
cms_disk_flush(unsigned vaddr)
{
    return diag_call(DIAG_BLOCK_IO, DIAG_BIO_FLUSH, vaddr, 0, 0, 0, 0).error;
}
