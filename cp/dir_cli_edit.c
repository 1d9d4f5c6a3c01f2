// SPDX-License-Identifier: MIT
/*
 * cp/dir_cli_edit.c - `vmrv directory add` and `change`: the edit options
 * (--password, --storage, --add-mdisk, ...) are applied to a copy of the
 * entry (a new one from dir_entry_init, or the stored one), which is then
 * written back whole with dir_entry_put: all options of one command in one
 * transaction, validated by the same code as an import.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/datadir.h"
#include "cp/dir_cli.h"
#include "cp/passwd.h"

struct cli_edit {
    struct dir_entry *e;
    int mdisk_removed; /* --remove-mdisk was given */
    int keep_images;   /* --keep-images: leave their image files */
    int key_remove[64];
    int n_key_remove;
};

/* Appends one element to an entry array (generic). */
static void *
cli_push(void **arr, size_t *n, size_t elem)
{
    void *p = realloc(*arr, (*n + 1) * elem);
    if (p == NULL) {
        return NULL;
    }
    *arr = p;
    void *slot = (char *)p + (*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

static int
cli_add_keys(struct cli_edit *ed, const char *file)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (f == NULL) {
        cli_err("cannot read %s: %s", file, strerror(errno));
        return EX_REFUSED;
    }
    char line[DIR_KEY_DATA_MAX * 2 + DIR_KEY_COMMENT_MAX];
    int lineno = 0, added = 0, rc = EX_OK;
    while (rc == EX_OK && fgets(line, sizeof line, f) != NULL) {
        lineno++;
        const char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\0') {
            continue;
        }
        struct dir_key *k = cli_push((void **)&ed->e->keys, &ed->e->n_keys, sizeof *k);
        const char *why = k ? dir_parse_key_line(p, k) : "out of memory";
        if (why != NULL) {
            cli_err("%s:%d: %s", file, lineno, why);
            rc = EX_REFUSED;
        }
        added++;
    }
    if (f != stdin) {
        fclose(f);
    }
    if (rc == EX_OK && added == 0) {
        cli_err("%s holds no key", file);
        rc = EX_REFUSED;
    }
    return rc;
}

/* Takes the operands of a multi-operand option: the words up to the next
 * one that starts with "--".  Returns how many (at most max). */
static int
cli_operands(int argc, char **argv, int i, int max)
{
    int n = 0;
    while (i + 1 + n < argc && n < max && strncmp(argv[i + 1 + n], "--", 2) != 0) {
        n++;
    }
    return n;
}

#define NEED(k)                                                                                            \
    do {                                                                                                   \
        if (i + (k) >= argc) {                                                                             \
            return cli_usage("%s needs a value", opt);                                                     \
        }                                                                                                  \
    } while (0)
#define BADVAL(why)                                                                                        \
    do {                                                                                                   \
        cli_err("%s %s: %s", opt, argv[i], why);                                                           \
        return EX_REFUSED;                                                                                 \
    } while (0)

/* Applies one option at argv[*pi] to the entry; moves *pi past its values. */
static int
cli_edit_option(struct cli *c, struct cli_edit *ed, int argc, char **argv, int *pi)
{
    int i = *pi;
    const char *opt = argv[i];
    struct dir_user *u = &ed->e->user;
    const char *why = NULL;
    if (strcmp(opt, "--password") == 0) {
        NEED(1);
        i++;
        char pw[PASSWD_MAX_LEN + 2];
        if (strcmp(argv[i], "-") == 0) {
            int rc = cli_new_password(u->userid, pw, sizeof pw);
            if (rc != EX_OK) {
                return rc;
            }
        } else {
            snprintf(pw, sizeof pw, "%s", argv[i]);
        }
        int rc = strcmp(pw, "NOLOG") == 0 ? (snprintf(ed->e->password, DIR_HASH_MAX, "NOLOG"), 0)
                                          : passwd_hash(pw, ed->e->password, sizeof ed->e->password);
        explicit_bzero(pw, sizeof pw);
        if (rc != 0) {
            cli_err("--password: %s", rc == -EINVAL ? passwd_policy(argv[i]) ?: "not allowed" : strerror(-rc));
            return EX_REFUSED;
        }
    } else if (strcmp(opt, "--nolog") == 0) {
        snprintf(ed->e->password, DIR_HASH_MAX, "NOLOG");
    } else if (strcmp(opt, "--storage") == 0 || strcmp(opt, "--maxstorage") == 0) {
        NEED(1);
        i++;
        uint64_t v;
        if ((why = dir_parse_storage(argv[i], &v)) != NULL) {
            BADVAL(why);
        }
        if (opt[2] == 's') {
            u->storage = v;
            if (u->maxstorage < v) {
                u->maxstorage = v;
            }
        } else {
            u->maxstorage = v;
        }
    } else if (strcmp(opt, "--classes") == 0) {
        NEED(1);
        i++;
        if ((why = dir_parse_classes(argv[i], u->classes)) != NULL) {
            BADVAL(why);
        }
    } else if (strcmp(opt, "--ipl") == 0) {
        NEED(1);
        i++;
        if (strcasecmp(argv[i], "none") == 0) {
            u->ipl[0] = u->iplparm[0] = '\0';
        } else if ((why = dir_parse_ipl(argv[i], u->ipl)) != NULL) {
            BADVAL(why);
        }
    } else if (strcmp(opt, "--ipl-parm") == 0) {
        NEED(1);
        i++;
        if (strlen(argv[i]) > DIR_IPLPARM_MAX) {
            BADVAL("longer than 240 characters");
        }
        snprintf(u->iplparm, sizeof u->iplparm, "%s", argv[i]);
    } else if (strcmp(opt, "--share") == 0) {
        NEED(1);
        i++;
        if ((why = dir_parse_share(argv[i], &u->share)) != NULL) {
            BADVAL(why);
        }
    } else if (strcmp(opt, "--account") == 0 || strcmp(opt, "--distcode") == 0) {
        NEED(1);
        i++;
        char *field = opt[2] == 'a' ? u->account : u->distcode;
        if (strcasecmp(argv[i], "none") == 0) {
            field[0] = '\0';
        } else if ((why = dir_parse_name(argv[i], field)) != NULL) {
            BADVAL(why);
        }
    } else if (strcmp(opt, "--option") == 0 || strcmp(opt, "--no-option") == 0) {
        NEED(1);
        i++;
        unsigned bit;
        if ((why = dir_parse_option(argv[i], &bit)) != NULL) {
            BADVAL(why);
        }
        u->options = opt[2] == 'o' ? u->options | bit : u->options & ~bit;
    } else if (strcmp(opt, "--add-key") == 0) {
        NEED(1);
        i++;
        int rc = cli_add_keys(ed, argv[i]);
        if (rc != EX_OK) {
            return rc;
        }
    } else if (strcmp(opt, "--remove-key") == 0) {
        NEED(1);
        i++;
        char *end;
        long n = strtol(argv[i], &end, 10);
        if (*end != '\0' || n < 1 || (size_t)n > ed->e->n_keys) {
            BADVAL("no key with that number (vmrv directory show lists them)");
        }
        if (ed->n_key_remove < (int)(sizeof ed->key_remove / sizeof ed->key_remove[0])) {
            ed->key_remove[ed->n_key_remove++] = (int)n;
        }
    } else if (strcmp(opt, "--add-mdisk") == 0 || strcmp(opt, "--resize-mdisk") == 0) {
        int grow = opt[2] == 'r';
        int n = cli_operands(argc, argv, i, grow ? 2 : 6);
        if (n < 2) {
            return cli_usage(grow ? "%s needs VADDR SIZE" : "%s needs VADDR SIZE [MODE [RPW [WPW [MPW]]]]", opt);
        }
        uint16_t vaddr;
        uint64_t blocks;
        i++;
        if ((why = dir_parse_vaddr(argv[i], &vaddr)) != NULL) {
            BADVAL(why);
        }
        i++;
        if ((why = dir_parse_blocks(argv[i], &blocks)) != NULL) {
            BADVAL(why);
        }
        struct dir_mdisk *m = NULL;
        for (size_t k = 0; k < ed->e->n_mdisks; k++) {
            if (ed->e->mdisks[k].vaddr == vaddr) {
                m = &ed->e->mdisks[k];
            }
        }
        if (grow) {
            if (m == NULL) {
                cli_err("%s has no minidisk %03X", u->userid, vaddr);
                return EX_REFUSED;
            }
            m->blocks = blocks;
        } else {
            if (m != NULL) {
                cli_err("%s already has a minidisk %03X", u->userid, vaddr);
                return EX_REFUSED;
            }
            m = cli_push((void **)&ed->e->mdisks, &ed->e->n_mdisks, sizeof *m);
            if (m == NULL) {
                cli_err("out of memory");
                return EX_SYSTEM;
            }
            m->vaddr = vaddr;
            m->blocks = blocks;
            m->mode = DIR_MODE_W;
            snprintf(m->owner, sizeof m->owner, "%s", u->userid);
            if (n > 2 && (m->mode = dir_mode_parse(argv[++i])) < 0) {
                BADVAL("a mode is R, RR, W, WR, M, MR or MW");
            }
            char *pws[] = {m->readpw, m->writepw, m->multipw};
            for (int k = 3; k < n; k++) {
                i++;
                if ((why = dir_parse_linkpw(argv[i], pws[k - 3])) != NULL) {
                    BADVAL(why);
                }
            }
        }
    } else if (strcmp(opt, "--remove-mdisk") == 0 || strcmp(opt, "--remove-link") == 0) {
        NEED(1);
        i++;
        uint16_t vaddr;
        if ((why = dir_parse_vaddr(argv[i], &vaddr)) != NULL) {
            BADVAL(why);
        }
        int mdisk = opt[9] == 'm';
        size_t *n = mdisk ? &ed->e->n_mdisks : &ed->e->n_links;
        size_t found = *n;
        for (size_t k = 0; k < *n; k++) {
            if ((mdisk ? ed->e->mdisks[k].vaddr : ed->e->links[k].vaddr) == vaddr) {
                found = k;
            }
        }
        if (found == *n) {
            cli_err("%s has no %s at %03X", u->userid, mdisk ? "minidisk" : "LINK", vaddr);
            return EX_REFUSED;
        }
        if (mdisk) {
            memmove(&ed->e->mdisks[found], &ed->e->mdisks[found + 1], (*n - found - 1) * sizeof *ed->e->mdisks);
            ed->mdisk_removed = 1;
        } else {
            memmove(&ed->e->links[found], &ed->e->links[found + 1], (*n - found - 1) * sizeof *ed->e->links);
        }
        (*n)--;
    } else if (strcmp(opt, "--add-link") == 0) {
        int n = cli_operands(argc, argv, i, 4);
        if (n < 3) {
            return cli_usage("%s needs USERID VADDR1 VADDR2 [MODE]", opt);
        }
        struct dir_link *l = cli_push((void **)&ed->e->links, &ed->e->n_links, sizeof *l);
        if (l == NULL) {
            cli_err("out of memory");
            return EX_SYSTEM;
        }
        snprintf(l->userid, sizeof l->userid, "%s", u->userid);
        l->mode = DIR_MODE_RR;
        i++;
        if ((why = dir_parse_userid(argv[i], l->target)) != NULL) {
            BADVAL(why);
        }
        i++;
        if ((why = dir_parse_vaddr(argv[i], &l->target_vaddr)) != NULL) {
            BADVAL(why);
        }
        i++;
        if ((why = dir_parse_vaddr(argv[i], &l->vaddr)) != NULL) {
            BADVAL(why);
        }
        if (n > 3 && (l->mode = dir_mode_parse(argv[++i])) < 0) {
            BADVAL("a mode is R, RR, W, WR, M, MR or MW");
        }
    } else if (strcmp(opt, "--yes") == 0) {
        c->yes = 1;
    } else if (strcmp(opt, "--keep-images") == 0) {
        ed->keep_images = 1;
    } else {
        return cli_usage("unknown option %s", opt);
    }
    *pi = i;
    return EX_OK;
}

#undef NEED
#undef BADVAL

/* Removes the keys --remove-key named (numbers of the original list). */
static void
cli_drop_keys(struct cli_edit *ed)
{
    size_t w = 0;
    for (size_t r = 0; r < ed->e->n_keys; r++) {
        int drop = 0;
        for (int k = 0; k < ed->n_key_remove; k++) {
            drop |= ed->e->keys[r].n == ed->key_remove[k];
        }
        if (!drop) {
            ed->e->keys[w++] = ed->e->keys[r];
        }
    }
    ed->e->n_keys = w;
}

static int
cli_edit_and_put(struct cli *c, struct dir_entry *e, int argc, char **argv, unsigned flags)
{
    struct cli_edit ed = {.e = e};
    for (int i = 2; i < argc; i++) {
        int rc = cli_edit_option(c, &ed, argc, argv, &i);
        if (rc != EX_OK) {
            return rc;
        }
    }
    cli_drop_keys(&ed);
    if (ed.mdisk_removed && !ed.keep_images) {
        if (!cli_confirm(c, "Remove the minidisk(s) and delete their image files (their data is lost)?")) {
            return EX_REFUSED;
        }
        flags |= DIR_PUT_REMOVE_IMAGES;
    }
    int rc = dir_entry_put(c->d, e, flags);
    if (rc != 0) {
        return cli_fail(c, rc);
    }
    if (ed.mdisk_removed && ed.keep_images) {
        printf("The image files of removed minidisks stay in %s/%s.\n", c->datadir, DATADIR_DISKS);
    }
    return EX_OK;
}

int
cli_add(struct cli *c, int argc, char **argv)
{
    if (argc < 2 || strncmp(argv[1], "--", 2) == 0) {
        return cli_usage("add needs a USERID", NULL);
    }
    struct dir_entry e;
    if (dir_entry_init(&e, argv[1]) != 0) {
        char id[DIR_USERID_MAX + 1];
        cli_err("bad userid '%s': %s", argv[1], dir_parse_userid(argv[1], id));
        return EX_REFUSED;
    }
    int rc = cli_edit_and_put(c, &e, argc, argv, DIR_PUT_CREATE);
    if (rc == EX_OK) {
        printf("User %s added%s.\n", e.user.userid, strcmp(e.password, "NOLOG") == 0 ? " (NOLOG: set a password "
                                                                                      "to let it log on)" : "");
    }
    dir_entry_free(&e);
    return rc;
}

int
cli_change(struct cli *c, int argc, char **argv)
{
    if (argc < 3 || strncmp(argv[1], "--", 2) == 0) {
        return cli_usage("change needs a USERID and at least one option", NULL);
    }
    struct dir_entry e;
    int rc = dir_entry_get(c->d, argv[1], &e);
    if (rc != 0) {
        return cli_fail(c, rc);
    }
    /* Keep the stored password unless an option sets one. */
    e.password[0] = '\0';
    rc = cli_edit_and_put(c, &e, argc, argv, DIR_PUT_UPDATE);
    if (rc == EX_OK) {
        printf("User %s changed.\n", e.user.userid);
    }
    dir_entry_free(&e);
    return rc;
}

