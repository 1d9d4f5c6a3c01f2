// SPDX-License-Identifier: MIT
/*
 * tests/test_dir_text.c - the USER DIRECT text: every statement parsed,
 * errors reported with their line numbers while nothing changes, export ->
 * import round trips, plain passwords hashed and never exported, GENERATE,
 * replace and merge, check mode, units of sizes, the built-in default.
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
#include <sys/stat.h>

#include "cp/dir_int.h"
#include "cp/passwd.h"
#include "tests/test_dir_util.h"

static const char base[] = "USER MAINT NOLOG 64M 128M ABCDEG\n"
                           " MDISK 190 8M MR ALL\n"
                           " MDISK 19E 1M RR ALL\n"
                           "USER DEMO1 demopass1 32M 64M G\n"
                           " LINK MAINT 190 190 RR\n"
                           " MDISK 191 4M W\n";

static char *
export_text(struct dir *d)
{
    char *s = NULL;
    size_t n = 0;
    assert_int_equal(dir_export(d, &s, &n), 0);
    assert_int_equal(strlen(s), n);
    return s;
}

static int
image_exists(const struct tdir *t, const char *name)
{
    char path[700];
    struct stat st;
    snprintf(path, sizeof path, "%s/disks/%s", t->path, name);
    return stat(path, &st) == 0;
}

static void
test_errors_have_lines_and_change_nothing(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, base);
    char *before = export_text(t->d);
    static const char bad[] = "* a comment\n"                           /* 1 */
                              "USER MAINT NOLOG 64M 128M ABCDEG\n"      /* 2 */
                              " MDISK 190 8M MR ALL\n"                  /* 3 */
                              "USER NEWBIE newpass12 32M 16M G\n"       /* 4: max < storage */
                              " MDISK 191 4M W\n"                       /* 5 */
                              " MDISK 192 5K W\n"                       /* 6: not whole blocks */
                              " LINK MAINT 19E 19E RR\n"                /* 7: MAINT has no 19E here */
                              " OPTION FASTER\n"                        /* 8: unknown option */
                              "USER TOOLONGNAME x 32M\n"                /* 9 */
                              " IPL CMS\n"                              /* 10: goes nowhere */
                              "USER DEMO2 GENERATE 32M 32M G1\n"        /* 11: bad class */
                              " MDISK 191 4M W\n"                       /* 12 */
                              " LINK MAINT 190 191 RR\n"                /* 13: 191 twice */
                              " SHARE ABSOLUTE 5\n"                     /* 14 */
                              " FROB\n";                                /* 15 */
    struct terrs e;
    assert_int_equal(tdir_import(t->d, bad, 0, &e), -EINVAL);
    assert_true(terrs_has(&e, 4, "maximum storage"));
    assert_true(terrs_has(&e, 6, "multiple of 4K"));
    assert_true(terrs_has(&e, 7, "MAINT has no minidisk 19E"));
    assert_true(terrs_has(&e, 8, "unknown option"));
    assert_true(terrs_has(&e, 9, "1 to 8 characters"));
    assert_true(terrs_has(&e, 11, "classes"));
    assert_true(terrs_has(&e, 13, "used twice"));
    assert_true(terrs_has(&e, 14, "ABSOLUTE"));
    assert_true(terrs_has(&e, 15, "unknown statement"));
    assert_int_equal(e.n, 9);
    assert_int_equal(e.npw, 0);
    /* Errors come in line order. */
    for (int i = 1; i < e.n; i++) {
        assert_true(e.lines[i - 1] <= e.lines[i]);
    }
    char *after = export_text(t->d);
    assert_string_equal(before, after);
    assert_false(image_exists(t, "NEWBIE.191.img"));
    assert_true(image_exists(t, "DEMO1.191.img"));
    free(before);
    free(after);
}

static void
test_database_errors_change_nothing(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, base);
    char *before = export_text(t->d);
    /* Merge mode: the LINK target is only in the database and lacks the
     * disk; and a minidisk made smaller. */
    static const char bad[] = "USER NEWBIE newpass12 32M 32M G\n"
                              " MDISK 191 4M W\n"
                              " LINK MAINT 19F 19F RR\n"
                              "USER DEMO1 demopass1 32M 64M G\n"
                              " MDISK 191 2M W\n";
    struct terrs e;
    assert_int_equal(tdir_import(t->d, bad, DIR_IMPORT_MERGE, &e), -EINVAL);
    assert_int_equal(e.n, 2);
    assert_true(terrs_has(&e, 3, "MAINT has no minidisk 19F"));
    assert_true(terrs_has(&e, 5, "cannot be made smaller"));
    char *after = export_text(t->d);
    assert_string_equal(before, after);
    /* The image made before the failure is gone again. */
    assert_false(image_exists(t, "NEWBIE.191.img"));
    struct dir_user u;
    assert_int_equal(dir_user_get(t->d, "NEWBIE", &u), -ENOENT);
    free(before);
    free(after);
}

static const char rich[] =
    "* every statement\n"
    "USER MAINT NOLOG 64M 1G ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
    " ACCOUNT SYS1 DIST9\n"
    " IPL CMS PARM AUTOCR  NOSPROF\n"
    " OPTION AUTOLOG ACCT\n"
    " OPTION lnknopas\n"
    " SHARE RELATIVE 250\n"
    " CONSOLE 01F 3215 C\n"
    " SPOOL 00C 2540 READER *\n"
    " SPOOL 00D PUNCH B\n"
    " SPOOL 00E 1403 A\n"
    " SPOOL 01E PRINTER 5\n"
    " MDISK 190 2560 MR ALL\n"
    " MDISK 19E 16M RR RPW WPW MPW\n"
    "user alice Alice-secret 32M 48M g\n"
    " ipl 190\n"
    " share 7\n"
    " link maint 190 190 rr\n"
    " LINK MAINT 19E 29E\n"
    " MDISK 191 1G W readme\n";

static void
test_statements_parse(void **state)
{
    struct tdir *t = *state;
    char key[128], text[4096];
    tkey_ed25519(key, sizeof key, 42);
    snprintf(text, sizeof text, "%s SSHKEY ssh-ed25519 %s alice@laptop  (work)  \n", rich, key);
    tdir_import_ok(t->d, text);

    struct dir_user u;
    assert_int_equal(dir_user_get(t->d, "MAINT", &u), 0);
    assert_true(u.nolog);
    assert_int_equal(u.storage, 64u << 20);
    assert_int_equal(u.maxstorage, 1u << 30);
    assert_string_equal(u.classes, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    assert_string_equal(u.account, "SYS1");
    assert_string_equal(u.distcode, "DIST9");
    assert_string_equal(u.ipl, "CMS");
    assert_string_equal(u.iplparm, "AUTOCR  NOSPROF");
    assert_int_equal(u.options, DIR_OPT_AUTOLOG | DIR_OPT_ACCT | DIR_OPT_LNKNOPAS);
    assert_int_equal(u.share, 250);
    assert_int_equal(u.console_vaddr, 0x01F);
    assert_int_equal(u.console_class, 'C');
    assert_int_equal(u.n_spool, 4);
    assert_int_equal(u.spool[0].vaddr, 0x00C);
    assert_int_equal(u.spool[0].kind, DIR_SPOOL_READER);
    assert_int_equal(u.spool[0].spclass, '*');
    assert_int_equal(u.spool[1].kind, DIR_SPOOL_PUNCH);
    assert_int_equal(u.spool[1].spclass, 'B');
    assert_int_equal(u.spool[2].kind, DIR_SPOOL_PRINTER);
    assert_int_equal(u.spool[3].vaddr, 0x01E);
    assert_int_equal(u.spool[3].spclass, '5');

    struct dir_mdisk m;
    assert_int_equal(dir_mdisk_get(t->d, "MAINT", 0x190, &m), 0);
    assert_int_equal(m.blocks, 2560);
    assert_int_equal(m.mode, DIR_MODE_MR);
    assert_string_equal(m.readpw, "ALL");
    assert_string_equal(m.writepw, "");
    assert_string_equal(m.image, "disks/MAINT.190.img");
    assert_int_equal(dir_mdisk_get(t->d, "MAINT", 0x19E, &m), 0);
    assert_int_equal(m.blocks, 4096);
    assert_string_equal(m.multipw, "MPW");

    assert_int_equal(dir_user_get(t->d, "ALICE", &u), 0);
    assert_false(u.nolog);
    assert_string_equal(u.classes, "G");
    assert_string_equal(u.ipl, "190");
    assert_int_equal(u.share, 7);
    assert_int_equal(u.console_vaddr, 0x009);
    assert_int_equal(u.n_spool, 0);
    struct dir_link *l;
    size_t nl;
    assert_int_equal(dir_link_list(t->d, "ALICE", &l, &nl), 0);
    assert_int_equal(nl, 2);
    assert_string_equal(l[0].target, "MAINT");
    assert_int_equal(l[0].target_vaddr, 0x190);
    assert_int_equal(l[0].vaddr, 0x190);
    assert_int_equal(l[0].mode, DIR_MODE_RR);
    assert_int_equal(l[1].vaddr, 0x29E);
    assert_int_equal(l[1].mode, DIR_MODE_RR); /* the default */
    free(l);
    struct dir_key *k;
    size_t nk;
    assert_int_equal(dir_key_list(t->d, "ALICE", &k, &nk), 0);
    assert_int_equal(nk, 1);
    assert_string_equal(k[0].type, "ssh-ed25519");
    assert_string_equal(k[0].data, key);
    assert_string_equal(k[0].comment, "alice@laptop  (work)");
    free(k);
    assert_int_equal(dir_password_check(t->d, "alice", "Alice-secret"), 0);
}

static void
test_round_trip(void **state)
{
    struct tdir *t = *state;
    char key[128], text[4096];
    tkey_ed25519(key, sizeof key, 7);
    snprintf(text, sizeof text, "%s SSHKEY ssh-ed25519 %s\n", rich, key);
    tdir_import_ok(t->d, text);
    char *first = export_text(t->d);
    /* No plain password survives in the export. */
    assert_null(strstr(first, "Alice-secret"));
    assert_non_null(strstr(first, "USER ALICE $y$"));

    struct tdir *t2;
    void *s2 = NULL;
    tdir_setup(&s2);
    t2 = s2;
    tdir_import_ok(t2->d, first);
    char *second = export_text(t2->d);
    assert_string_equal(first, second);
    /* The hash came along: the password still works there. */
    assert_int_equal(dir_password_check(t2->d, "ALICE", "Alice-secret"), 0);
    /* And importing the export into the same directory changes nothing. */
    tdir_import_ok(t->d, first);
    char *third = export_text(t->d);
    assert_string_equal(first, third);
    free(first);
    free(second);
    free(third);
    tdir_teardown(&s2);
}

static void
test_generate_and_hashes(void **state)
{
    struct tdir *t = *state;
    char hash[PASSWD_HASH_MAX], text[512];
    assert_int_equal(passwd_hash("hashed-pass", hash, sizeof hash), 0);
    snprintf(text, sizeof text,
             "USER GEN GENERATE\n"
             "USER HASHED %s\n"
             "USER SIXER $6$salt$abcdef\n"
             "USER BROKEN $y$j9T$bad$bad\n",
             hash);
    struct terrs e;
    assert_int_equal(tdir_import(t->d, text, 0, &e), -EINVAL);
    assert_int_equal(e.n, 2);
    assert_true(terrs_has(&e, 3, "yescrypt"));
    assert_true(terrs_has(&e, 4, "yescrypt"));
    assert_int_equal(e.npw, 0); /* nothing happened, nothing shown */

    snprintf(text, sizeof text, "USER GEN GENERATE\nUSER HASHED %s\n", hash);
    assert_int_equal(tdir_import(t->d, text, 0, &e), 0);
    assert_int_equal(e.npw, 1);
    assert_string_equal(e.pw_user[0], "GEN");
    assert_int_equal(strlen(e.pw[0]), PASSWD_GEN_LEN);
    assert_int_equal(dir_password_check(t->d, "GEN", e.pw[0]), 0);
    assert_int_equal(dir_password_check(t->d, "HASHED", "hashed-pass"), 0);
    /* Defaults of a bare USER statement. */
    struct dir_user u;
    assert_int_equal(dir_user_get(t->d, "GEN", &u), 0);
    assert_int_equal(u.storage, 32u << 20);
    assert_int_equal(u.maxstorage, 32u << 20);
    assert_string_equal(u.classes, "G");
    /* Not initial passwords: only dir_init_defaults makes those. */
    assert_int_equal(dir_defaults_unchanged(t->d), 0);
}

static void
test_replace_and_merge(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, base);
    struct terrs e;
    /* Merge: DEMO1 stays, NEW comes. */
    assert_int_equal(tdir_import(t->d, "USER NEW NOLOG\n", DIR_IMPORT_MERGE, &e), 0);
    struct dir_user *all;
    size_t n;
    assert_int_equal(dir_user_list(t->d, &all, &n), 0);
    assert_int_equal(n, 3);
    free(all);
    /* Replace: only MAINT remains; DEMO1's image stays, with a note. */
    struct dir_report r = terrs_report(&e);
    memset(&e, 0, sizeof e);
    const char *only = "USER MAINT NOLOG 64M 128M ABCDEG\n MDISK 190 8M MR ALL\n MDISK 19E 1M RR ALL\n";
    assert_int_equal(dir_import(t->d, only, strlen(only), 0, &r), 0);
    assert_int_equal(r.removed, 2);
    assert_int_equal(r.changed, 1);
    assert_int_equal(r.added, 0);
    assert_int_equal(e.notes, 1);
    assert_int_equal(dir_user_list(t->d, &all, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(all[0].userid, "MAINT");
    free(all);
    assert_true(image_exists(t, "DEMO1.191.img"));
    /* An empty text would wipe everything: refused. */
    assert_int_equal(tdir_import(t->d, "* nothing\n", 0, &e), -EINVAL);
    assert_int_equal(e.n, 1);
    assert_int_equal(tdir_import(t->d, "", DIR_IMPORT_MERGE, &e), 0);
}

static void
test_check_mode_writes_nothing(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, base);
    char *before = export_text(t->d);
    struct terrs e;
    const char *text = "USER OTHER otherpass1\n MDISK 191 1M\nUSER GEN GENERATE\n";
    struct dir_report r = terrs_report(&e);
    memset(&e, 0, sizeof e);
    assert_int_equal(dir_import(t->d, text, strlen(text), DIR_IMPORT_CHECK, &r), 0);
    assert_int_equal(r.users, 2);
    assert_int_equal(r.added, 2);
    assert_int_equal(r.removed, 2);
    assert_int_equal(e.npw, 0);
    char *after = export_text(t->d);
    assert_string_equal(before, after);
    assert_false(image_exists(t, "OTHER.191.img"));
    /* Check mode still finds database problems (a smaller disk). */
    assert_int_equal(tdir_import(t->d, "USER DEMO1 NOLOG\n MDISK 191 1M\n", DIR_IMPORT_CHECK | DIR_IMPORT_MERGE, &e),
                     -EINVAL);
    assert_true(terrs_has(&e, 2, "smaller"));
    free(before);
    free(after);
}

static void
test_sizes_and_syntax(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, "* CRLF, blanks, tabs and case\r\n"
                         "\r\n"
                         "   user\tSIZES  NOLOG\t64k 4G g\r\n"
                         "\tmdisk 100 1\r\n"
                         "  MDISK 101 4K\r\n"
                         "  MDISK 102 1M rr\r\n"
                         "  mdisk 103 1g\r\n");
    struct dir_mdisk *m;
    size_t n;
    assert_int_equal(dir_mdisk_list(t->d, "sizes", &m, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(m[0].blocks, 1);
    assert_int_equal(m[1].blocks, 1);
    assert_int_equal(m[2].blocks, 256);
    assert_int_equal(m[2].mode, DIR_MODE_RR);
    assert_int_equal(m[3].blocks, 262144);
    free(m);
    struct dir_user u;
    assert_int_equal(dir_user_get(t->d, "SIZES", &u), 0);
    assert_int_equal(u.storage, 64u << 10);
    assert_int_equal(u.maxstorage, 4ull << 30);

    struct terrs e;
    static const char bad[] = "USER S NOLOG 8G\n"           /* 1 storage too big */
                              " MDISK 1 0\n"                /* 2 zero blocks */
                              " MDISK 2 2T\n"               /* 3 unit */
                              " MDISK 10000 1\n"            /* 4 address */
                              " MDISK 3 1 W a b c d\n"      /* 5 too many */
                              " MDISK 4 1 W toolongpw\n"    /* 6 password */
                              " CONSOLE 009 *\n"            /* 7 console class */
                              " SPOOL 123 A\n"              /* 8 kind unknown */
                              " IPL 9CMS\n"                 /* 9 name */
                              " ACCOUNT A B C\n"            /* 10 */
                              " SHARE 0\n";                 /* 11 */
    assert_int_equal(tdir_import(t->d, bad, 0, &e), -EINVAL);
    for (int line = 1; line <= 11; line++) {
        int found = 0;
        for (int i = 0; i < e.n; i++) {
            found |= e.lines[i] == line;
        }
        if (!found) {
            fprintf(stderr, "no error on line %d\n", line);
        }
        assert_true(found);
    }
    /* A NUL byte and an over-long line. */
    char nul[] = "USER X NOLOG\n MDISK 1\0 1\n";
    struct dir_report r = terrs_report(&e);
    memset(&e, 0, sizeof e);
    assert_int_equal(dir_import(t->d, nul, sizeof nul - 1, 0, &r), -EINVAL);
    assert_true(terrs_has(&e, 2, "NUL"));
    size_t big = 10000;
    char *longline = malloc(big + 32);
    strcpy(longline, "USER X NOLOG\n* ");
    memset(longline + strlen(longline), 'x', big);
    longline[15 + big] = '\0';
    assert_int_equal(tdir_import(t->d, longline, 0, &e), -EINVAL);
    assert_true(terrs_has(&e, 2, "longer"));
    free(longline);
}

static void
test_default_text(void **state)
{
    struct tdir *t = *state;
    const char *text = dir_default_text();
    assert_non_null(strstr(text, "USER MAINT"));
    struct terrs e;
    struct dir_report r = terrs_report(&e);
    memset(&e, 0, sizeof e);
    assert_int_equal(dir_import(t->d, text, strlen(text), DIR_IMPORT_CHECK, &r), 0);
    assert_true(r.users >= 5);
    assert_int_equal(e.n, 0);
}


/* A small deterministic generator for the random round trip. */
static uint32_t rnd_state = 12345;

static uint32_t
rnd(uint32_t n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

static void
rnd_word(char *out, size_t max, const char *alphabet)
{
    size_t len = 1 + rnd((uint32_t)max);
    for (size_t i = 0; i < len; i++) {
        out[i] = alphabet[rnd((uint32_t)strlen(alphabet))];
    }
    out[len] = '\0';
}

/* Random valid entries written through the API survive export -> import
 * -> export unchanged: whatever the API accepts, the text can say. */
static void
test_random_round_trip(void **state)
{
    struct tdir *t = *state;
    char hash[PASSWD_HASH_MAX];
    assert_int_equal(passwd_hash("random-pass", hash, sizeof hash), 0);
    const int n_users = 30;
    char ids[30][DIR_USERID_MAX + 1];
    for (int i = 0; i < n_users; i++) {
        struct dir_entry e;
        char id[16];
        snprintf(id, sizeof id, "U%c%02d", "ABC@#$"[rnd(6)], i);
        assert_int_equal(dir_entry_init(&e, id), 0);
        snprintf(ids[i], sizeof ids[i], "%s", e.user.userid);
        struct dir_user *u = &e.user;
        snprintf(e.password, sizeof e.password, "%s", rnd(2) ? hash : "NOLOG");
        u->storage = (uint64_t)(16 + rnd(4096)) * 4096;
        u->maxstorage = u->storage + (uint64_t)rnd(3) * (1u << 20);
        char cls[27] = "";
        size_t ncls = 0;
        for (int c = 0; c < 26; c++) {
            if (rnd(4) == 0) {
                cls[ncls++] = (char)('A' + c);
            }
        }
        cls[ncls] = '\0';
        snprintf(u->classes, sizeof u->classes, "%s", cls[0] ? cls : "G");
        switch (rnd(3)) {
        case 0:
            u->ipl[0] = '\0';
            break;
        case 1:
            snprintf(u->ipl, sizeof u->ipl, "%03X", 0x100 + rnd(0x100));
            break;
        default:
            snprintf(u->ipl, sizeof u->ipl, "CMS");
            if (rnd(2)) {
                snprintf(u->iplparm, sizeof u->iplparm, "P%u  x=%u *y", rnd(100), rnd(100));
            }
        }
        u->share = 1 + rnd(DIR_SHARE_MAX);
        if (rnd(2)) {
            rnd_word(u->account, 8, "ABCXYZ0189#*");
            if (rnd(2)) {
                rnd_word(u->distcode, 8, "DEF456");
            }
        }
        u->options = rnd(32);
        u->console_vaddr = (uint16_t)(0x009 + rnd(3) * 0x100);
        u->console_class = "TAZ09"[rnd(5)];
        u->n_spool = rnd(4);
        for (unsigned k = 0; k < u->n_spool; k++) {
            u->spool[k].vaddr = (uint16_t)(0x00C + k);
            u->spool[k].kind = (uint8_t)rnd(3);
            u->spool[k].spclass = u->spool[k].kind == DIR_SPOOL_READER && rnd(2) ? '*' : "AB7"[rnd(3)];
        }
        size_t nm = rnd(3);
        e.mdisks = calloc(nm + 1, sizeof *e.mdisks);
        for (size_t k = 0; k < nm; k++) {
            struct dir_mdisk *m = &e.mdisks[e.n_mdisks++];
            m->vaddr = (uint16_t)(0x191 + k);
            m->blocks = 1 + rnd(5000);
            m->mode = (int)rnd(7);
            int pws = (int)rnd(4);
            char *p[] = {m->readpw, m->writepw, m->multipw};
            for (int q = 0; q < pws; q++) {
                if (rnd(3) == 0) {
                    snprintf(p[q], 9, "ALL");
                } else {
                    rnd_word(p[q], 8, "abcXYZ09$*-");
                }
            }
        }
        /* LINKs to disks of earlier users. */
        e.links = calloc(4, sizeof *e.links);
        for (int k = 0; k < 3 && i > 0; k++) {
            struct dir_mdisk *tm = NULL;
            size_t tn = 0;
            const char *target = ids[rnd((uint32_t)i)];
            assert_int_equal(dir_mdisk_list(t->d, target, &tm, &tn), 0);
            if (tn > 0) {
                struct dir_link *l = &e.links[e.n_links++];
                snprintf(l->target, sizeof l->target, "%s", target);
                l->target_vaddr = tm[rnd((uint32_t)tn)].vaddr;
                l->vaddr = (uint16_t)(0x200 + k);
                l->mode = (int)rnd(7);
            }
            free(tm);
        }
        size_t nk = rnd(3);
        e.keys = calloc(nk + 1, sizeof *e.keys);
        for (size_t k = 0; k < nk; k++) {
            struct dir_key *key = &e.keys[e.n_keys++];
            snprintf(key->type, sizeof key->type, "ssh-ed25519");
            tkey_ed25519(key->data, sizeof key->data, (unsigned char)(i * 3 + k));
            if (rnd(2)) {
                snprintf(key->comment, sizeof key->comment, "user %d@host  k%zu", i, k);
            }
        }
        int rc = dir_entry_put(t->d, &e, DIR_PUT_CREATE);
        if (rc != 0) {
            fprintf(stderr, "put %s: %s\n", id, dir_errmsg(t->d));
        }
        assert_int_equal(rc, 0);
        dir_entry_free(&e);
    }
    char *first = export_text(t->d);
    void *s2 = NULL;
    tdir_setup(&s2);
    struct tdir *t2 = s2;
    tdir_import_ok(t2->d, first);
    char *second = export_text(t2->d);
    assert_string_equal(first, second);
    free(first);
    free(second);
    tdir_teardown(&s2);
}

int
main(void)
{
    passwd_set_cost(1); /* fast hashes: see cp/passwd.h */
#define T(f) cmocka_unit_test_setup_teardown(f, tdir_setup, tdir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_errors_have_lines_and_change_nothing),
        T(test_database_errors_change_nothing),
        T(test_statements_parse),
        T(test_round_trip),
        T(test_generate_and_hashes),
        T(test_replace_and_merge),
        T(test_check_mode_writes_nothing),
        T(test_sizes_and_syntax),
        T(test_default_text),
        T(test_random_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
