// SPDX-License-Identifier: MIT
/*
 * tests/test_dir_api.c - the C API CP and the CLI share: entries added,
 * read, changed and deleted through dir_entry_put / dir_user_delete, with
 * the same validation as the text import; LINK statements follow the
 * minidisks they name; names and modes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/dir_int.h"
#include "cp/passwd.h"
#include "tests/test_dir_util.h"

static void
add_mdisk(struct dir_entry *e, uint16_t vaddr, uint64_t blocks)
{
    e->mdisks = realloc(e->mdisks, (e->n_mdisks + 1) * sizeof *e->mdisks);
    assert_non_null(e->mdisks);
    struct dir_mdisk *m = &e->mdisks[e->n_mdisks++];
    memset(m, 0, sizeof *m);
    snprintf(m->owner, sizeof m->owner, "%s", e->user.userid);
    m->vaddr = vaddr;
    m->blocks = blocks;
    m->mode = DIR_MODE_W;
}

static void
add_link(struct dir_entry *e, const char *target, uint16_t tv, uint16_t v)
{
    e->links = realloc(e->links, (e->n_links + 1) * sizeof *e->links);
    assert_non_null(e->links);
    struct dir_link *l = &e->links[e->n_links++];
    memset(l, 0, sizeof *l);
    snprintf(l->userid, sizeof l->userid, "%s", e->user.userid);
    snprintf(l->target, sizeof l->target, "%s", target);
    l->target_vaddr = tv;
    l->vaddr = v;
    l->mode = DIR_MODE_RR;
}

static void
test_add_get_change(void **state)
{
    struct tdir *t = *state;
    struct dir_entry e;
    assert_int_equal(dir_entry_init(&e, "newuser"), 0);
    assert_string_equal(e.user.userid, "NEWUSER");
    assert_int_equal(e.user.n_spool, 3);
    assert_int_equal(passwd_hash("newpass12", e.password, sizeof e.password), 0);
    add_mdisk(&e, 0x191, 100);
    assert_int_equal(dir_entry_put(t->d, &e, DIR_PUT_CREATE), 0);
    assert_int_equal(dir_entry_put(t->d, &e, DIR_PUT_CREATE), -EEXIST);
    assert_non_null(strstr(dir_errmsg(t->d), "already exists"));
    dir_entry_free(&e);

    struct dir_entry g;
    assert_int_equal(dir_entry_get(t->d, "NewUser", &g), 0);
    assert_string_equal(g.user.ipl, "CMS");
    assert_string_equal(g.user.classes, "G");
    assert_int_equal(g.user.n_spool, 3);
    assert_int_equal(g.n_mdisks, 1);
    assert_int_equal(g.mdisks[0].blocks, 100);
    assert_memory_equal(g.password, "$y$", 3);

    /* Change: keep the password (""), more storage, a bigger disk, a key. */
    g.password[0] = '\0';
    g.user.storage = 48u << 20;
    g.user.maxstorage = 48u << 20;
    g.mdisks[0].blocks = 200;
    assert_int_equal(dir_entry_put(t->d, &g, DIR_PUT_UPDATE), 0);
    dir_entry_free(&g);
    struct dir_user u;
    assert_int_equal(dir_user_get(t->d, "NEWUSER", &u), 0);
    assert_int_equal(u.storage, 48u << 20);
    assert_int_equal(dir_password_check(t->d, "NEWUSER", "newpass12"), 0);
    struct dir_mdisk m;
    assert_int_equal(dir_mdisk_get(t->d, "NEWUSER", 0x191, &m), 0);
    assert_int_equal(m.blocks, 200);
    assert_int_equal(dir_mdisk_get(t->d, "NEWUSER", 0x192, &m), -ENOENT);

    /* Update of someone who is not there. */
    assert_int_equal(dir_entry_init(&e, "GHOST"), 0);
    assert_int_equal(dir_entry_put(t->d, &e, DIR_PUT_UPDATE), -ENOENT);
    dir_entry_free(&e);
}

static void
test_put_validates(void **state)
{
    struct tdir *t = *state;
    struct dir_entry e;
    assert_int_equal(dir_entry_init(&e, "BAD"), 0);
    e.user.maxstorage = e.user.storage - 4096;
    assert_int_equal(dir_entry_put(t->d, &e, 0), -EINVAL);
    assert_non_null(strstr(dir_errmsg(t->d), "maximum storage"));
    e.user.maxstorage = e.user.storage;

    snprintf(e.user.classes, sizeof e.user.classes, "GA"); /* not in order */
    assert_int_equal(dir_entry_put(t->d, &e, 0), -EINVAL);
    snprintf(e.user.classes, sizeof e.user.classes, "AG");

    add_mdisk(&e, 0x191, 10);
    add_mdisk(&e, 0x191, 10);
    assert_int_equal(dir_entry_put(t->d, &e, 0), -EINVAL);
    assert_non_null(strstr(dir_errmsg(t->d), "used twice"));
    e.n_mdisks = 1;

    snprintf(e.mdisks[0].writepw, sizeof e.mdisks[0].writepw, "WPW");
    assert_int_equal(dir_entry_put(t->d, &e, 0), -EINVAL);
    assert_non_null(strstr(dir_errmsg(t->d), "write password"));
    e.mdisks[0].writepw[0] = '\0';

    add_link(&e, "NOBODY", 0x190, 0x190);
    assert_int_equal(dir_entry_put(t->d, &e, 0), -EINVAL);
    assert_non_null(strstr(dir_errmsg(t->d), "NOBODY has no minidisk 190"));
    e.n_links = 0;

    e.password[0] = '\0'; /* a new user needs one */
    assert_int_equal(dir_entry_put(t->d, &e, 0), -EINVAL);
    assert_non_null(strstr(dir_errmsg(t->d), "needs a password"));
    snprintf(e.password, sizeof e.password, "plain-text");
    assert_int_equal(dir_entry_put(t->d, &e, 0), -EINVAL);

    snprintf(e.password, sizeof e.password, "NOLOG");
    assert_int_equal(dir_entry_put(t->d, &e, 0), 0);
    struct dir_user u;
    assert_int_equal(dir_user_get(t->d, "BAD", &u), 0);
    assert_true(u.nolog);
    dir_entry_free(&e);
}

static void
test_links_follow_minidisks(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, "USER OWNER NOLOG\n MDISK 190 10\n MDISK 19E 10\n"
                         "USER A NOLOG\n LINK OWNER 190 190 RR\n LINK OWNER 19E 19E RR\n"
                         "USER B NOLOG\n LINK OWNER 19E 29E\n");
    /* OWNER drops 19E: the LINKs to it go too. */
    struct dir_entry e;
    assert_int_equal(dir_entry_get(t->d, "OWNER", &e), 0);
    e.n_mdisks = 1;
    assert_int_equal(e.mdisks[0].vaddr, 0x190);
    assert_int_equal(dir_entry_put(t->d, &e, DIR_PUT_UPDATE), 0);
    dir_entry_free(&e);
    struct dir_link *l;
    size_t n;
    assert_int_equal(dir_link_list(t->d, "A", &l, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(l[0].target_vaddr, 0x190);
    free(l);
    assert_int_equal(dir_link_list(t->d, "B", &l, &n), 0);
    assert_int_equal(n, 0);
    assert_null(l);
    /* Deleting OWNER takes A's last LINK with it. */
    assert_int_equal(dir_user_delete(t->d, "owner", 0), 0);
    assert_int_equal(dir_link_list(t->d, "A", &l, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(dir_user_delete(t->d, "OWNER", 0), -ENOENT);
    assert_int_equal(dir_link_list(t->d, "OWNER", &l, &n), -ENOENT);
    struct dir_mdisk *m;
    assert_int_equal(dir_mdisk_list(t->d, "OWNER", &m, &n), -ENOENT);
    assert_null(m);
}

static void
test_list_sorted(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, "USER ZED NOLOG\nUSER ALPHA NOLOG\nUSER MID NOLOG\n SPOOL 00C RDR A\n");
    struct dir_user *u;
    size_t n;
    assert_int_equal(dir_user_list(t->d, &u, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(u[0].userid, "ALPHA");
    assert_string_equal(u[1].userid, "MID");
    assert_string_equal(u[2].userid, "ZED");
    assert_int_equal(u[1].n_spool, 1);
    assert_int_equal(u[1].spool[0].spclass, 'A');
    free(u);
    struct dir_user one;
    assert_int_equal(dir_user_get(t->d, "nobody", &one), -ENOENT);
    assert_int_equal(dir_user_get(t->d, "far-too-long-a-name", &one), -ENOENT);
}

static void
test_names(void **state)
{
    (void)state;
    char id[DIR_USERID_MAX + 1];
    assert_int_equal(dir_userid_norm("maint", id), 0);
    assert_string_equal(id, "MAINT");
    assert_int_equal(dir_userid_norm("a@#$9", id), 0);
    assert_int_equal(dir_userid_norm("", id), -EINVAL);
    assert_int_equal(dir_userid_norm("NINECHARS", id), -EINVAL);
    assert_int_equal(dir_userid_norm("A.B", id), -EINVAL);
    assert_int_equal(dir_userid_norm("system", id), -EINVAL);
    assert_int_equal(dir_userid_norm("ALL", id), -EINVAL);
    static const char *const modes[] = {"R", "RR", "W", "WR", "M", "MR", "MW"};
    for (int i = 0; i < 7; i++) {
        assert_int_equal(dir_mode_parse(modes[i]), i);
        assert_string_equal(dir_mode_name(i), modes[i]);
    }
    assert_int_equal(dir_mode_parse("mr"), DIR_MODE_MR);
    assert_int_equal(dir_mode_parse("X"), -EINVAL);
    assert_string_equal(dir_mode_name(99), "?");
    assert_int_equal(dir_ipl_is_device("190"), 1);
    assert_int_equal(dir_ipl_is_device("19E"), 1);
    assert_int_equal(dir_ipl_is_device("CMS"), 0);
    assert_int_equal(dir_ipl_is_device("ABC"), 0);
}

int
main(void)
{
    passwd_set_cost(1); /* fast hashes: see cp/passwd.h */
#define T(f) cmocka_unit_test_setup_teardown(f, tdir_setup, tdir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_add_get_change), T(test_put_validates), T(test_links_follow_minidisks), T(test_list_sorted),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
