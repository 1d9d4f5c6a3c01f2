// SPDX-License-Identifier: MIT
/*
 * cms/spool_recv.c - reading a reader file into a CMS file (DIAG 0x014):
 * RECEIVE, READCARD, DISK LOAD and RDRLIST's RECEIVE are made of this.
 *
 * The file is named by its header record (cms/spool.h) when it has one,
 * else by the spool file's name and type (a file put in over SSH); the
 * operands of the command win over both.  The CMS file is written as a new
 * version (the old one, if REPLACE allows one, stays until the commit), and
 * the reader file is purged only after the CMS file is durable: a full
 * disk, a bad fileid or an attention leaves the reader file where it was.
 */
#include <string.h>

#include "cms/spool.h"

/* Describes the file to receive; makes it current when it is named. */
static int
pick(uint32_t spoolid, struct diag_spool_desc *d)
{
    long err;
    char id[16];
    snprintf(id, sizeof id, "%lu", (unsigned long)spoolid);
    if (spoolid != 0) {
        err = sp_rdr_select(spoolid);
        if (err == DIAG_ENOTFOUND) {
            cms_msg(M_SP_NO_FILE, id);
            return CMS_RC_NOT_FOUND;
        }
        if (err == DIAG_EDENIED) {
            cms_msg(M_SP_HELD, (unsigned long)spoolid);
            return CMS_RC_NOT_FOUND;
        }
        if (err != DIAG_OK) {
            return sp_diag_report(err, "reader");
        }
    }
    err = sp_rdr_describe(spoolid, d);
    if (err == DIAG_ENOTFOUND) {
        cms_msg(spoolid ? M_SP_NO_FILE : M_SP_RDR_EMPTY, id);
        return CMS_RC_NOT_FOUND;
    }
    if (err != DIAG_OK) {
        return sp_diag_report(err, "reader");
    }
    return 0;
}

/* Ends the reader file with rc: kept unless everything went well. */
static int
finish(int rc, uint32_t spoolid)
{
    sp_rdr_close(0);
    if (rc != 0 && spoolid != 0) {
        cms_msg(M_SP_KEPT, (unsigned long)spoolid);
    }
    return rc;
}

int
sp_receive(const struct sp_recv *r)
{
    struct diag_spool_desc d;
    int rc = pick(r->spoolid, &d);
    if (rc != 0) {
        return rc;
    }
    uint32_t spoolid = d.spoolid;
    if (r->spoolid == 0 && sp_rdr_select(spoolid) != DIAG_OK) {
        cms_msg(M_SP_RDR_EMPTY);
        return CMS_RC_NOT_FOUND;
    }
    size_t len = 0;
    long err = sp_rdr_next(sp_rec, sizeof sp_rec, &len, NULL);
    int have = err == DIAG_OK; /* a record waits in sp_rec */
    if (err != DIAG_OK && err != DIAG_EOF) {
        return finish(sp_diag_report(err, "reader"), spoolid);
    }
    struct sp_header h;
    int hdr = have && !r->keep_header && sp_header_parse(sp_rec, len, &h) == 0;
    if (r->need_header && !hdr) {
        cms_msg(M_SP_NO_HEADER, (unsigned long)spoolid);
        return finish(32, 0);
    }
    if (hdr) {
        have = 0; /* the header is not data */
    } else {
        memset(&h, 0, sizeof h);
        h.recfm = 'V';
        sp_unpad(h.fn, d.fname, 8);
        sp_unpad(h.ft, d.ftype, 8);
        strcpy(h.fm, "A1");
    }
    char origin[9];
    sp_unpad(origin, d.origin, 8);

    /* the target */
    char fm[3] = {'A', h.fm[1] >= '0' && h.fm[1] <= '6' ? h.fm[1] : '1', '\0'};
    const char *fn = r->fn ? r->fn : h.fn, *ft = r->ft ? r->ft : h.ft;
    int mode = CMS_O_WRITE;
    if (h.note && r->fn == NULL) {
        fn = "ALL";
        ft = "NOTEBOOK";
        mode = CMS_O_APPEND;
    }
    if (fn[0] == '\0' || ft[0] == '\0') {
        cms_msg(M_MISSING_OPERAND, "fn ft (the reader file has no name)");
        return finish(24, spoolid);
    }
    struct fs_fileid id;
    if (fs_fileid_make(&id, fn, ft, r->fm ? r->fm : fm, "A") != 0 || strchr(id.fn, '*') ||
        strchr(id.ft, '*') || strchr(id.fn, '%') || strchr(id.ft, '%') || id.fm[0] == '*') {
        char bad[40];
        snprintf(bad, sizeof bad, "%s %s %s", fn, ft, r->fm ? r->fm : fm);
        cms_msg(M_BAD_FILEID, bad);
        return finish(20, spoolid);
    }
    struct fs_stat old;
    if (mode == CMS_O_WRITE && fs_state(&id, &old) == 0 && !r->replace) {
        cms_msg(M_FILE_EXISTS, id.fn, id.ft, old.id.fm);
        return finish(CMS_RC_NOT_FOUND, spoolid);
    }

    struct fs_file *f;
    rc = fs_open(&id, mode, h.recfm, h.recfm == 'F' ? h.lrecl : 0, &f);
    if (rc != 0) {
        return finish(fs_report(rc, &id), spoolid);
    }
    unsigned long recs = 0;
    for (;;) {
        if (!have) {
            err = sp_rdr_next(sp_rec, sizeof sp_rec, &len, NULL);
            if (err == DIAG_EOF) {
                break;
            }
            if (err != DIAG_OK) {
                fs_abort(f);
                return finish(sp_diag_report(err, "reader"), spoolid);
            }
        }
        have = 0;
        rc = fs_write(f, sp_rec, len > SP_REC_MAX ? SP_REC_MAX : len);
        if (rc < 0) {
            fs_abort(f);
            return finish(fs_report(rc, &id), spoolid);
        }
        if ((++recs & 255) == 0 && cms_attn_poll()) {
            fs_abort(f);
            return finish(-1, spoolid);
        }
    }
    struct fs_stat st;
    fs_fstat(f, &st);
    rc = fs_close(f);
    if (rc != 0) {
        return finish(fs_report(rc, &id), spoolid);
    }
    sp_rdr_close(1);
    if (!r->quiet) {
        cms_msg(M_SP_RECEIVED, st.id.fn, st.id.ft, st.id.fm, origin, (unsigned long)spoolid,
                recs);
    }
    return 0;
}
