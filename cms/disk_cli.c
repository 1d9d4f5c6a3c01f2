// SPDX-License-Identifier: MIT
/*
 * cms/disk_cli.c - `vmrv disk`: CMS disk images on the host.  The same file
 * system code CMS runs (cms/fs/), over an image file (cms/fs/imgdev.c).
 * A table of subcommands: format, list, put, get, erase, rename, info,
 * check.  The build uses it to make MAINT's S-disk and Y-disk.
 *
 * Exit status: 0 success; 2 usage; 1 the image could not be opened or a
 * host file could not be read or written; otherwise the CMS return code of
 * the file system's error (28 file not found, 36 read-only, 13 disk full,
 * 20 bad name, ...).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cms/fs/cmsfs.h"
#include "cp/vmrv.h"

#define PROG "vmrv disk"

struct args {
    const char *pos[4];
    int npos;
    const char *size, *label, *recfm, *lrecl, *mode;
    bool binary, force, help;
};

struct command {
    const char *name;
    int (*run)(struct args *a);
    int min_pos, max_pos;
    const char *options; /* the options it takes, as "--size --label" */
    const char *usage;
    const char *summary;
};

/* ---- small helpers ----------------------------------------------------- */

static int
fs_fail(const char *what, int err)
{
    fprintf(stderr, PROG ": %s: %s\n", what, cmsfs_err_text(err));
    return cmsfs_err_rc(err);
}

static void
host_clock(void *ctx, struct cmsfs_time *now)
{
    (void)ctx;
    const char *sde = getenv("SOURCE_DATE_EPOCH"); /* reproducible images */
    if (sde && *sde) {
        now->us = strtoll(sde, NULL, 10) * 1000000;
        now->utc_offset_s = 0;
        return;
    }
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    now->us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    now->utc_offset_s = (int32_t)tm.tm_gmtoff;
}

static const struct cmsfs_opts host_opts = {0, 256, host_clock, NULL};

/* Opens and mounts IMAGE; returns 0 or an exit status (message printed). */
static int
image_mount(const char *path, bool rdonly, struct cmsfs_dev *dev, struct cmsfs **fs)
{
    int err = cmsfs_img_open(path, rdonly ? CMSFS_IMG_RDONLY : 0, dev);
    if (err != 0) {
        fprintf(stderr, PROG ": cannot open %s: %s\n", path,
                err == EBUSY    ? "the image is in use"
                : err == EINVAL ? "not a disk image (size is not a multiple of 4096)"
                                : strerror(err));
        return 1;
    }
    int rc = cmsfs_mount(dev, &host_opts, fs);
    if (rc != CMSFS_OK) {
        cmsfs_img_close(dev);
        return fs_fail(path, rc);
    }
    return 0;
}

static int
image_unmount(struct cmsfs_dev *dev, struct cmsfs *fs, int status)
{
    cmsfs_unmount(fs);
    cmsfs_img_close(dev);
    return status;
}

static int
parse_fileid(const char *text, struct cmsfs_name *name, int *fmnum)
{
    int rc = cmsfs_fileid_parse(text, name, NULL, fmnum, 1);
    if (rc != CMSFS_OK) {
        fprintf(stderr, PROG ": '%s': %s (want \"FN FT [FM]\")\n", text,
                rc == CMSFS_E_INVAL ? "not a file id" : cmsfs_err_text(rc));
        return cmsfs_err_rc(rc);
    }
    return 0;
}

static int
parse_number(const char *s, const char *what, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max) {
        fprintf(stderr, PROG ": invalid %s '%s' (0-%llu)\n", what, s, max);
        return 2;
    }
    *out = v;
    return 0;
}

/* "64M", "1G", "8388608", "2048K". */
static int
parse_size(const char *s, uint64_t *blocks)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end == 'k' ? 'K' : *end) : NULL;
    if (errno || end == s || s[0] == '-' || (*end && (u == NULL || end[1] != '\0'))) {
        fprintf(stderr, PROG ": invalid size '%s' (bytes, or with K, M, G)\n", s);
        return 2;
    }
    for (const char *p = units; u && p <= u; p++) {
        if (v > (1ull << 53)) {
            break;
        }
        v *= 1024;
    }
    if (v % CMSFS_BLOCK_SIZE != 0 || v / CMSFS_BLOCK_SIZE < CMSFS_MIN_BLOCKS ||
        v / CMSFS_BLOCK_SIZE > CMSFS_MAX_BLOCKS) {
        fprintf(stderr,
                PROG ": size must be a multiple of 4096 bytes from %u blocks (64K) to %u "
                     "blocks (about 61.9G)\n",
                CMSFS_MIN_BLOCKS, CMSFS_MAX_BLOCKS);
        return 2;
    }
    *blocks = v / CMSFS_BLOCK_SIZE;
    return 0;
}

/* ---- format ------------------------------------------------------------ */

static int
cmd_format(struct args *a)
{
    uint64_t blocks;
    struct cmsfs_dev dev;
    if (a->size == NULL) {
        fprintf(stderr, PROG " format: --size is required\n");
        return 2;
    }
    if (parse_size(a->size, &blocks) != 0) {
        return 2;
    }
    int err = cmsfs_img_create(a->pos[0], blocks, a->force, &dev);
    if (err != 0) {
        fprintf(stderr, PROG ": cannot create %s: %s\n", a->pos[0],
                err == EEXIST  ? "it exists (use --force to replace it)"
                : err == EBUSY ? "the image is in use"
                               : strerror(err));
        return 1;
    }
    int rc = cmsfs_format(&dev, a->label, &host_opts);
    cmsfs_img_close(&dev);
    if (rc == CMSFS_E_INVAL) {
        unlink(a->pos[0]);
        fprintf(stderr, PROG ": invalid label '%s' (1-6 characters of A-Z 0-9 $#@+-:_)\n",
                a->label);
        return 2;
    }
    if (rc != CMSFS_OK) {
        unlink(a->pos[0]);
        return fs_fail(a->pos[0], rc);
    }
    printf("%s: formatted, label %s, %llu blocks of 4096 bytes\n", a->pos[0],
           a->label && *a->label ? a->label : "CMS", (unsigned long long)blocks);
    return 0;
}

/* ---- list, info, check ------------------------------------------------- */

static void
print_time(const struct cmsfs_time *t)
{
    struct cmsfs_tm tm;
    cmsfs_time_split(t, &tm);
    printf("%04d-%02d-%02d %02d:%02d:%02d", tm.year, tm.month, tm.day, tm.hour, tm.minute,
           tm.second);
}

static int
cmd_list(struct args *a)
{
    char fnp[20] = "*", ftp[20] = "*", fmp[4] = "*";
    char letter = a->mode ? (char)(a->mode[0] & ~0x20) : 'A';
    if (letter < 'A' || letter > 'Z' || (a->mode && a->mode[1] != '\0')) {
        fprintf(stderr, PROG ": --mode takes one letter A-Z\n");
        return 2;
    }
    if (a->npos > 1 && sscanf(a->pos[1], "%19s %19s %3s", fnp, ftp, fmp) < 1) {
        fprintf(stderr, PROG ": empty pattern\n");
        return 2;
    }
    /* FM: "*", a letter ("A", "A*": any number), "A1", or a digit. */
    int fmnum = -1;
    const char *m = fmp;
    if ((*m >= 'A' && *m <= 'Z') || (*m >= 'a' && *m <= 'z')) {
        m++;
    }
    if (*m >= '0' && *m <= '6' && m[1] == '\0') {
        fmnum = *m - '0';
    } else if (!(*m == '\0' && m != fmp) && !(*m == '*' && m[1] == '\0')) {
        return fs_fail(fmp, CMSFS_E_BADMODE);
    }
    struct cmsfs_dev dev;
    struct cmsfs *fs;
    struct cmsfs_iter *it;
    int st = image_mount(a->pos[0], true, &dev, &fs);
    if (st != 0) {
        return st;
    }
    int rc = cmsfs_iter_open(fs, fnp, ftp, fmnum, &it);
    if (rc != CMSFS_OK) {
        return image_unmount(&dev, fs, fs_fail(a->npos > 1 ? a->pos[1] : "*", rc));
    }
    struct cmsfs_stat s;
    unsigned long n = 0;
    while ((rc = cmsfs_iter_next(it, &s)) == CMSFS_OK) {
        printf("%-8.8s %-8.8s %c%d %c %5u %10u %10u ", s.name.fn, s.name.ft, letter, s.fmnum,
               s.recfm, s.lrecl, s.records, s.blocks);
        print_time(&s.mtime);
        putchar('\n');
        n++;
    }
    cmsfs_iter_close(it);
    if (rc != CMSFS_E_EOF) {
        return image_unmount(&dev, fs, fs_fail(a->pos[0], rc));
    }
    if (n == 0) {
        fprintf(stderr, PROG ": %s: no files match\n", a->npos > 1 ? a->pos[1] : "*");
        return image_unmount(&dev, fs, cmsfs_err_rc(CMSFS_E_NOTFOUND));
    }
    return image_unmount(&dev, fs, 0);
}

static int
cmd_info(struct args *a)
{
    struct cmsfs_dev dev;
    struct cmsfs *fs;
    struct cmsfs_stats s;
    int st = image_mount(a->pos[0], true, &dev, &fs);
    if (st != 0) {
        return st;
    }
    cmsfs_stats(fs, &s);
    printf("label       %s\n", s.label);
    printf("format      version %u, %u-byte blocks\n", s.version, s.block_size);
    printf("blocks      %llu total, %llu used, %llu free (%llu%% used)\n",
           (unsigned long long)s.blocks_total, (unsigned long long)s.blocks_used,
           (unsigned long long)s.blocks_free,
           (unsigned long long)(s.blocks_used * 100 / s.blocks_total));
    if (s.device_blocks > s.blocks_total) {
        printf("image       %llu blocks (the rest unused)\n", (unsigned long long)s.device_blocks);
    }
    printf("files       %llu\n", (unsigned long long)s.files);
    printf("generation  %llu\n", (unsigned long long)s.generation);
    printf("formatted   ");
    print_time(&s.formatted);
    printf("\nlast change ");
    print_time(&s.committed);
    putchar('\n');
    return image_unmount(&dev, fs, 0);
}

static int
cmd_check(struct args *a)
{
    struct cmsfs_dev dev;
    struct cmsfs *fs;
    struct cmsfs_check_report r;
    int st = image_mount(a->pos[0], true, &dev, &fs);
    if (st != 0) {
        return st;
    }
    int rc = cmsfs_check(fs, &r);
    if (rc != CMSFS_OK) {
        fprintf(stderr, PROG ": %s: %s%s%s\n", a->pos[0], cmsfs_err_text(rc),
                r.message[0] ? ": " : "", r.message);
        return image_unmount(&dev, fs, cmsfs_err_rc(rc));
    }
    printf("%s: consistent, %llu files, %llu blocks in use\n", a->pos[0],
           (unsigned long long)r.files, (unsigned long long)r.blocks_marked);
    return image_unmount(&dev, fs, 0);
}

/* ---- put --------------------------------------------------------------- */

/* Writes the host file's records; returns a cmsfs error, or 1 after a host
 * error (printed). */
static int
put_records(FILE *in, const char *inname, struct cmsfs_file *f, bool binary, char recfm,
            uint32_t lrecl)
{
    int rc = CMSFS_OK;
    if (binary) {
        uint8_t *buf = malloc(lrecl);
        size_t n;
        if (buf == NULL) {
            return CMSFS_E_NOMEM;
        }
        while (rc == CMSFS_OK && (n = fread(buf, 1, lrecl, in)) > 0) {
            if (recfm == 'F' && n != lrecl) {
                fprintf(stderr, PROG ": %s: size is not a multiple of LRECL %u (RECFM F)\n",
                        inname, lrecl);
                free(buf);
                return CMSFS_E_RECLEN;
            }
            rc = cmsfs_write(f, buf, n);
        }
        free(buf);
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        unsigned long lineno = 0;
        while (rc == CMSFS_OK && (n = getline(&line, &cap, in)) >= 0) {
            lineno++;
            if (n > 0 && line[n - 1] == '\n') {
                n--;
            }
            rc = cmsfs_write(f, line, (size_t)n);
            if (rc == CMSFS_E_RECLEN) {
                fprintf(stderr, PROG ": %s: line %lu is %zd bytes, longer than LRECL %u\n",
                        inname, lineno, n, recfm == 'F' ? lrecl : CMSFS_MAX_LRECL);
            }
        }
        free(line);
    }
    if (rc == CMSFS_OK && ferror(in)) {
        fprintf(stderr, PROG ": cannot read %s: %s\n", inname, strerror(errno));
        return 1;
    }
    return rc;
}

static int
cmd_put(struct args *a)
{
    struct cmsfs_name name;
    struct cmsfs_create cr = {'V', 0, 1};
    int st = parse_fileid(a->pos[2], &name, &cr.fmnum);
    if (st != 0) {
        return st;
    }
    if (a->recfm) {
        cr.recfm = (char)(a->recfm[0] & ~0x20);
        if ((cr.recfm != 'F' && cr.recfm != 'V') || a->recfm[1] != '\0') {
            fprintf(stderr, PROG ": --recfm must be F or V\n");
            return 2;
        }
    }
    unsigned long long lrecl = a->binary ? 4096 : cr.recfm == 'F' ? 80 : 0;
    if (a->lrecl && parse_number(a->lrecl, "LRECL", CMSFS_MAX_LRECL, &lrecl) != 0) {
        return 2;
    }
    if (lrecl == 0 && (a->binary || cr.recfm == 'F')) {
        fprintf(stderr, PROG ": LRECL must be 1-65535 here\n");
        return 2;
    }
    cr.lrecl = cr.recfm == 'F' ? (uint32_t)lrecl : 0;
    bool use_stdin = strcmp(a->pos[1], "-") == 0;
    FILE *in = use_stdin ? stdin : fopen(a->pos[1], a->binary ? "rb" : "r");
    if (in == NULL) {
        fprintf(stderr, PROG ": cannot open %s: %s\n", a->pos[1], strerror(errno));
        return 1;
    }
    struct cmsfs_dev dev;
    struct cmsfs *fs;
    struct cmsfs_file *f;
    st = image_mount(a->pos[0], false, &dev, &fs);
    if (st == 0) {
        int rc = cmsfs_open(fs, &name, CMSFS_WRITE, &cr, &f);
        if (rc == CMSFS_OK) {
            uint32_t chunk = a->binary ? (uint32_t)lrecl : cr.lrecl;
            rc = put_records(in, a->pos[1], f, a->binary, cr.recfm, chunk);
            if (rc == CMSFS_OK) {
                rc = cmsfs_close(f);
            } else {
                cmsfs_discard(f);
            }
        }
        st = rc == 1 ? 1 : rc != CMSFS_OK ? fs_fail(a->pos[2], rc) : 0;
        image_unmount(&dev, fs, 0);
    }
    if (!use_stdin) {
        fclose(in);
    }
    return st;
}

/* ---- get --------------------------------------------------------------- */

static int
get_records(struct cmsfs_file *f, FILE *out, bool binary, char recfm)
{
    uint8_t *buf = malloc(CMSFS_MAX_LRECL);
    size_t n;
    int rc;
    if (buf == NULL) {
        return CMSFS_E_NOMEM;
    }
    while ((rc = cmsfs_read(f, buf, CMSFS_MAX_LRECL, &n)) == CMSFS_OK) {
        if (!binary && recfm == 'F') {
            while (n > 0 && buf[n - 1] == ' ') {
                n--; /* the padding of a fixed record */
            }
        }
        if ((n > 0 && fwrite(buf, 1, n, out) != n) || (!binary && putc('\n', out) == EOF)) {
            rc = 1;
            break;
        }
    }
    free(buf);
    return rc == CMSFS_E_EOF ? CMSFS_OK : rc;
}

static int
cmd_get(struct args *a)
{
    struct cmsfs_name name;
    struct cmsfs_dev dev;
    struct cmsfs *fs;
    struct cmsfs_file *f;
    struct cmsfs_stat s;
    int st = parse_fileid(a->pos[1], &name, NULL);
    if (st == 0) {
        st = image_mount(a->pos[0], true, &dev, &fs);
    }
    if (st != 0) {
        return st;
    }
    int rc = cmsfs_open(fs, &name, CMSFS_READ, NULL, &f);
    if (rc != CMSFS_OK) {
        return image_unmount(&dev, fs, fs_fail(a->pos[1], rc));
    }
    cmsfs_file_stat(f, &s);
    bool use_stdout = strcmp(a->pos[2], "-") == 0;
    FILE *out = use_stdout ? stdout : fopen(a->pos[2], a->binary ? "wb" : "w");
    if (out == NULL) {
        fprintf(stderr, PROG ": cannot create %s: %s\n", a->pos[2], strerror(errno));
        cmsfs_close(f);
        return image_unmount(&dev, fs, 1);
    }
    rc = get_records(f, out, a->binary, s.recfm);
    cmsfs_close(f);
    if ((use_stdout ? fflush(out) : fclose(out)) != 0 && rc == CMSFS_OK) {
        rc = 1;
    }
    if (rc == 1) {
        fprintf(stderr, PROG ": cannot write %s: %s\n", a->pos[2], strerror(errno));
    }
    st = rc == 1 ? 1 : rc != CMSFS_OK ? fs_fail(a->pos[1], rc) : 0;
    if (st != 0 && !use_stdout) {
        unlink(a->pos[2]);
    }
    return image_unmount(&dev, fs, st);
}

/* ---- erase, rename ----------------------------------------------------- */

static int
cmd_erase(struct args *a)
{
    struct cmsfs_name name;
    struct cmsfs_dev dev;
    struct cmsfs *fs;
    int st = parse_fileid(a->pos[1], &name, NULL);
    if (st == 0) {
        st = image_mount(a->pos[0], false, &dev, &fs);
    }
    if (st != 0) {
        return st;
    }
    int rc = cmsfs_erase(fs, &name);
    return image_unmount(&dev, fs, rc != CMSFS_OK ? fs_fail(a->pos[1], rc) : 0);
}

static int
cmd_rename(struct args *a)
{
    struct cmsfs_name from, to;
    struct cmsfs_dev dev;
    struct cmsfs *fs;
    char letter = 0;
    int fmnum = -1;
    int st = parse_fileid(a->pos[1], &from, NULL);
    if (st == 0) {
        int rc = cmsfs_fileid_parse(a->pos[2], &to, &letter, &fmnum, -1);
        st = rc != CMSFS_OK ? parse_fileid(a->pos[2], &to, NULL) : 0;
    }
    if (st == 0) {
        st = image_mount(a->pos[0], false, &dev, &fs);
    }
    if (st != 0) {
        return st;
    }
    int rc = cmsfs_rename(fs, &from, &to, fmnum);
    return image_unmount(&dev, fs, rc != CMSFS_OK ? fs_fail(a->pos[1], rc) : 0);
}

/* ---- the table --------------------------------------------------------- */

static const struct command commands[] = {
    {"format", cmd_format, 1, 1, "--size --label --force",
     "format IMAGE --size SIZE [--label LABEL] [--force]",
     "create a sparse image file holding an empty CMS disk (SIZE in bytes or with K, M, G; "
     "LABEL 1-6 characters, default CMS; --force replaces an existing file)"},
    {"list", cmd_list, 1, 2, "--mode", "list IMAGE [\"FN FT [FM]\"] [--mode LETTER]",
     "list files like LISTFILE: fn ft fm recfm lrecl records blocks date time; the pattern "
     "takes * and % wildcards (default \"* * *\"); --mode sets the letter shown (A)"},
    {"put", cmd_put, 3, 3, "--recfm --lrecl --binary",
     "put IMAGE HOSTFILE|- \"FN FT [FM]\" [--recfm F|V] [--lrecl N] [--binary]",
     "copy a host file in, replacing a file of that name: text makes one record per line "
     "(RECFM V by default; F pads with blanks to LRECL, default 80); --binary copies the bytes "
     "exactly as records of LRECL bytes (default 4096, RECFM V), as for MODULE files"},
    {"get", cmd_get, 3, 3, "--binary", "get IMAGE \"FN FT\" HOSTFILE|- [--binary]",
     "copy a file out: text writes each record as a line (trailing blanks of RECFM F "
     "records removed); --binary writes the records' bytes back to back"},
    {"erase", cmd_erase, 2, 2, "", "erase IMAGE \"FN FT\"", "erase a file"},
    {"rename", cmd_rename, 3, 3, "", "rename IMAGE \"FN FT\" \"FN FT [FM]\"",
     "rename a file (or change its filemode number)"},
    {"info", cmd_info, 1, 1, "", "info IMAGE",
     "show the label, size, blocks used and free, files (QUERY DISK)"},
    {"check", cmd_check, 1, 1, "", "check IMAGE",
     "check the whole file system for damage (read-only)"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void
usage(FILE *out)
{
    fprintf(out, "usage: vmrv disk COMMAND IMAGE ...\n\nCMS disk images (4096-byte blocks, "
                 "format version %d).\n\n",
            CMSFS_FORMAT_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        fprintf(out, "  vmrv disk %s\n      %s\n", commands[i].usage, commands[i].summary);
    }
    fprintf(out, "\nExit status: 0 ok, 2 usage, 1 host error, else the CMS return code "
                 "(28 not found, 36 read-only, 13 disk full, 20 bad name, ...).\n");
}

/* Takes one option (and its value) from argv[*i]. */
static int
parse_option(const struct command *c, int argc, char **argv, int *i, struct args *a)
{
    static const struct {
        const char *name;
        size_t off; /* of the const char * in struct args, or ... */
        size_t flag; /* ... of the bool */
        bool has_value;
    } opts[] = {
        {"--size", offsetof(struct args, size), 0, true},
        {"--label", offsetof(struct args, label), 0, true},
        {"--recfm", offsetof(struct args, recfm), 0, true},
        {"--lrecl", offsetof(struct args, lrecl), 0, true},
        {"--mode", offsetof(struct args, mode), 0, true},
        {"--binary", 0, offsetof(struct args, binary), false},
        {"--force", 0, offsetof(struct args, force), false},
    };
    char *arg = argv[*i], *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        const char *n = opts[k].name;
        const char *in = strstr(c->options, n);
        if (strlen(n) != len || strncmp(arg, n, len) != 0 || in == NULL ||
            (in[len] != ' ' && in[len] != '\0')) {
            continue;
        }
        if (!opts[k].has_value) {
            if (eq) {
                break;
            }
            *(bool *)((char *)a + opts[k].flag) = true;
            return 0;
        }
        const char *v = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
        if (v == NULL) {
            fprintf(stderr, PROG " %s: %s needs a value\n", c->name, n);
            return 2;
        }
        *(const char **)((char *)a + opts[k].off) = v;
        return 0;
    }
    fprintf(stderr, PROG " %s: unknown option '%s'\n", c->name, arg);
    return 2;
}

int
vmrv_disk_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const struct command *c = NULL;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            c = &commands[i];
        }
    }
    if (c == NULL) {
        fprintf(stderr, PROG ": unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    struct args a;
    memset(&a, 0, sizeof a);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: vmrv disk %s\n  %s\n", c->usage, c->summary);
            return 0;
        }
        if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
            int st = parse_option(c, argc, argv, &i, &a);
            if (st != 0) {
                return st;
            }
        } else if (a.npos < 4) {
            a.pos[a.npos++] = argv[i];
        } else {
            a.npos++;
        }
    }
    if (a.npos < c->min_pos || a.npos > c->max_pos) {
        fprintf(stderr, "usage: vmrv disk %s\n", c->usage);
        return 2;
    }
    return c->run(&a);
}
