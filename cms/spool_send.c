// SPDX-License-Identifier: MIT
/*
 * cms/spool_send.c - punching a CMS file to the virtual punch or printer
 * (DIAG 0x1000): the header record (cms/spool.h) and then every record
 * byte for byte, closed under the file's name.  PUNCH, PRINT, DISK DUMP,
 * SENDFILE and NOTE (spool_punch.c) are made of this.  A failure (spool
 * full, attention HX) purges the half-written spool file with CP's
 * CLOSE ... PURGE, so nothing half-sent ever reaches a reader.
 */
#include <string.h>

#include "cms/spool.h"

int
sp_diag_report(long err, const char *what)
{
    switch (err) {
    case DIAG_ENOTSUP:
    case DIAG_ENODEV:
        cms_msg(M_SP_NO_SPOOL);
        return 100;
    case DIAG_ENOSPC:
        cms_msg(M_SP_FULL, what);
        return 13;
    case DIAG_ENOTFOUND:
        cms_msg(M_SP_RDR_EMPTY);
        return CMS_RC_NOT_FOUND;
    default:
        cms_msg(M_SP_IO, what, "DIAG failed");
        return 100;
    }
}

/* Drops the spool file being written (its records never reach anyone). */
static void
discard_open(unsigned vaddr)
{
    sp_cp("CLOSE %03X PURGE", vaddr);
}

int
sp_punch_file(unsigned vaddr, const struct fs_fileid *id, int flags, uint32_t *spoolid,
              struct fs_stat *stout)
{
    struct fs_file *f;
    struct fs_stat st;
    int rc = fs_open(id, CMS_O_READ, 0, 0, &f);
    if (rc != 0) {
        return fs_report(rc, id);
    }
    fs_fstat(f, &st);
    if (stout != NULL) {
        *stout = st;
    }
    char what[32];
    snprintf(what, sizeof what, "%s %s", st.id.fn, st.id.ft);
    long err = DIAG_OK;
    if (flags & SP_HEADER) {
        struct sp_header h = {.recfm = st.recfm, .lrecl = st.lrecl, .records = st.records,
                              .note = (flags & SP_NOTE) != 0};
        memcpy(h.fn, st.id.fn, sizeof h.fn);
        memcpy(h.ft, st.id.ft, sizeof h.ft);
        memcpy(h.fm, st.id.fm, sizeof h.fm);
        if (h.fm[1] == '\0') {
            h.fm[1] = '1';
            h.fm[2] = '\0';
        }
        char card[128];
        size_t n = sp_header_format(&h, card, sizeof card);
        err = sp_ur_write(vaddr, card, n);
    }
    size_t len;
    unsigned long recno = 0;
    while (err == DIAG_OK && (rc = fs_read(f, sp_rec, SP_REC_MAX, &len)) == 0) {
        if (len > SP_REC_MAX) {
            len = SP_REC_MAX;
        }
        if (flags & SP_STRIP) {
            while (len > 0 && sp_rec[len - 1] == ' ') {
                len--;
            }
        }
        err = sp_ur_write(vaddr, sp_rec, len);
        if (err == DIAG_OK && (++recno & 255) == 0 && cms_attn_poll()) {
            fs_abort(f);
            discard_open(vaddr);
            return -1; /* HX: as a halted command */
        }
    }
    fs_abort(f);
    if (err != DIAG_OK) {
        if (err != DIAG_ENOTSUP && err != DIAG_ENODEV) {
            discard_open(vaddr);
        }
        return sp_diag_report(err, what);
    }
    if (rc != CMS_EEOF) {
        discard_open(vaddr);
        return fs_report(rc, id);
    }
    err = sp_ur_close(vaddr, what, spoolid);
    if (err != DIAG_OK) {
        discard_open(vaddr);
        return sp_diag_report(err, what);
    }
    return 0;
}
