// SPDX-License-Identifier: MIT
/*
 * cms/cmd_disk.c - the disk commands ACCESS, RELEASE and FORMAT.  They
 * change the table of accessed disks kept by cms/fsys.c; the search order
 * is alphabetical by filemode letter.
 */
#include <string.h>

#include "cms/cms.h"
#include "cms/fsys.h"

/* Parses a filemode letter operand ("A", also "A1" or "B/A" read as B). */
static char
parse_letter(const char *s)
{
    if (s[0] < 'A' || s[0] > 'Z') {
        return 0;
    }
    if (s[1] == '\0' || s[1] == '/' || (s[1] >= '0' && s[1] <= '6' && s[2] == '\0')) {
        return s[0];
    }
    return 0;
}

/* Reports the ACCESS/FORMAT errors of fsys; returns the rc. */
static int
disk_error(int rc, unsigned vaddr, char letter)
{
    switch (rc) {
    case FS_ENODEV: {
        struct diag_devinfo di;
        if (cms_devinfo(vaddr, &di) == DIAG_OK) {
            cms_msg(M_NOT_DISK, vaddr);
        } else {
            cms_msg(M_NO_DEVICE, vaddr);
        }
        return 100;
    }
    case FS_ENOTFMT:
        cms_msg(M_NOT_FORMATTED, vaddr, vaddr, letter);
        return 100;
    case FS_EBUSY:
        cms_msg(M_DISK_IN_USE, letter);
        return 38;
    case CMS_EROFS:
        cms_msg(M_DISK_IO, vaddr, "the disk is linked read-only");
        return 36;
    default:
        cms_msg(M_DISK_IO, vaddr, fs_strerror(rc));
        return 100;
    }
}

int
cmd_access(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    if (nopt < 3) {
        cms_msg(M_MISSING_OPERAND, nopt < 2 ? "ACCESS device address" : "ACCESS filemode");
        return 24;
    }
    if (nopt > 3) {
        cms_msg(M_INVALID_PARM, p->orig[3]);
        return 24;
    }
    int vaddr = cms_parse_vaddr(p->argv[1]);
    if (vaddr < 0) {
        cms_msg(M_BAD_VADDR, p->orig[1]);
        return 24;
    }
    char letter = parse_letter(p->argv[2]);
    if (letter == 0) {
        cms_msg(M_BAD_FILEMODE, p->orig[2]);
        return 24;
    }
    for (int i = nopt + 1; i < p->argc; i++) {
        if (strcmp(p->argv[i], "NOPROF") != 0) {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
    }
    struct fs_diskinfo old;
    int had = fs_diskinfo(letter, &old) == 0 && old.vaddr != (unsigned)vaddr;
    int rc = fs_access((unsigned)vaddr, letter, 0);
    if (rc != 0) {
        return disk_error(rc, (unsigned)vaddr, letter);
    }
    if (had) {
        cms_msg(M_REPLACES, vaddr, letter, old.vaddr);
    }
    struct fs_diskinfo di;
    if (fs_diskinfo(letter, &di) == 0 && di.readonly) {
        printf("%c (%03X) R/O\n", letter, vaddr);
    }
    return 0;
}

int
cmd_release(struct cms_plist *p)
{
    if (p->argc < 2) {
        cms_msg(M_MISSING_OPERAND, "RELEASE filemode or device address");
        return 24;
    }
    char letter = 0;
    if (strlen(p->argv[1]) == 1 && p->argv[1][0] >= 'A' && p->argv[1][0] <= 'Z') {
        letter = p->argv[1][0];
    } else {
        int vaddr = cms_parse_vaddr(p->argv[1]);
        if (vaddr < 0) {
            cms_msg(M_INVALID_PARM, p->orig[1]);
            return 24;
        }
        letter = fs_letter_of((unsigned)vaddr);
        if (letter == 0) {
            cms_msg(M_VADDR_NOT_ACCESSED, vaddr);
            return 36;
        }
    }
    int rc = fs_release(letter);
    if (rc == CMS_ENODISK) {
        cms_msg(M_DISK_NOT_ACCESSED, letter);
        return 36;
    }
    if (rc == FS_EBUSY) {
        cms_msg(M_DISK_IN_USE, letter);
        return 38;
    }
    return rc == 0 ? 0 : 100;
}

int
cmd_format(struct cms_plist *p)
{
    int nopt = cms_opt_index(p);
    if (nopt < 3) {
        cms_msg(M_MISSING_OPERAND, nopt < 2 ? "FORMAT device address" : "FORMAT filemode");
        return 24;
    }
    int vaddr = cms_parse_vaddr(p->argv[1]);
    if (vaddr < 0) {
        cms_msg(M_BAD_VADDR, p->orig[1]);
        return 24;
    }
    char letter = parse_letter(p->argv[2]);
    if (letter == 0) {
        cms_msg(M_BAD_FILEMODE, p->orig[2]);
        return 24;
    }
    char label[7];
    if (nopt > 3) {
        if (nopt > 4 || strlen(p->argv[3]) > 6) {
            cms_msg(M_INVALID_PARM, p->orig[3]);
            return 24;
        }
        strcpy(label, p->argv[3]);
    } else {
        snprintf(label, sizeof label, "VMR%03X", (unsigned)vaddr);
    }
    int noask = 0;
    for (int i = nopt + 1; i < p->argc; i++) {
        if (strcmp(p->argv[i], "NOASK") == 0) {
            noask = 1;
        } else {
            cms_msg(M_INVALID_OPTION, p->orig[i]);
            return 24;
        }
    }
    struct diag_geometry g;
    long drc = cms_disk_geometry((unsigned)vaddr, &g);
    if (drc == DIAG_ENODEV) {
        return disk_error(FS_ENODEV, (unsigned)vaddr, letter);
    }
    if (drc == DIAG_OK && (g.flags & DIAG_DEVF_READONLY)) {
        return disk_error(CMS_EROFS, (unsigned)vaddr, letter);
    }
    if (!noask) {
        cms_msg(M_FORMAT_CONFIRM, letter, vaddr);
        if (!cms_confirm()) {
            cms_msg(M_FORMAT_CANCELLED);
            return 0;
        }
    }
    int rc = fs_format((unsigned)vaddr, letter, label);
    if (rc != 0) {
        return disk_error(rc, (unsigned)vaddr, letter);
    }
    struct fs_diskinfo di;
    if (fs_diskinfo(letter, &di) == 0) {
        cms_msg(M_FORMAT_DONE, letter, vaddr, di.label, (unsigned long long)di.blocks_total);
    }
    return 0;
}
