/* SPDX-License-Identifier: MIT */
/*
 * tests/test_cp_sys.h - a whole CP system in-process for cmocka tests: a
 * temporary data folder with a real sqlite directory, named systems linked
 * to test guests, the standard services (directory, minidisks, spool) and
 * a started cp_system with two dispatchers, UTC clock.  Each failure fails
 * the calling test with a message.
 */
#ifndef TESTS_TEST_CP_SYS_H
#define TESTS_TEST_CP_SYS_H

#include <stddef.h>

#include "cp/cp.h"
#include "cp/dir.h"
#include "tests/test_cp_term.h"

struct cpsys {
    char data[256];
    struct cp_services svc;
    struct cp_system *sys;
};

/* A named system for cpsys_start: NAME becomes systems/NAME.elf, a link to
 * the test guest tests/guest/ELF of the build tree. */
struct cpsys_system {
    const char *name;
    const char *elf;
};

/* Adds a user with password SECRET123, the given classes and IPL, and
 * its minidisks and LINK statements. */
void cpsys_add_user(struct dir *d, const char *userid, const char *classes, const char *ipl,
                    struct dir_mdisk *md, size_t nmd, struct dir_link *ln, size_t nln);

/* Makes the data folder, fills the directory with make_directory, links
 * the nsys systems and starts CP. */
struct cpsys *cpsys_start(void (*make_directory)(struct dir *), const struct cpsys_system *systems,
                          size_t nsys);

/* Starts CP again on the same data folder and services (after
 * cp_system_shutdown and cp_system_destroy of the previous one). */
void cpsys_restart(struct cpsys *e);

/* Shuts CP down, frees the services and removes the data folder. */
void cpsys_stop(struct cpsys *e);

/* Logs userid on from a fake terminal (fails the test if refused). */
struct fterm *cpsys_logon(struct cpsys *e, const char *userid);

#endif
