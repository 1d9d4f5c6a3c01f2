// SPDX-License-Identifier: MIT
/*
 * bench/cms_mkdisk.c - fills a CMS disk image made by `vmrv disk format`
 * with N small files (F00001 DATA .. , one 80-byte record each) through
 * the same file-system library as `vmrv disk put` (cms/fs), in one mount:
 * 10,000 runs of `vmrv disk put` would cost ~50 ms each here, most of it
 * the flush of every put. The image is flushed once at the end.
 *
 *   cms_mkdisk IMAGE N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cms/fs/cmsfs.h"

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: cms_mkdisk IMAGE N\n");
        return 2;
    }
    int n = atoi(argv[2]);
    struct cmsfs_dev dev;
    struct cmsfs *fs = NULL;
    int err = cmsfs_img_open(argv[1], CMSFS_IMG_NOSYNC, &dev);
    if (err != 0) {
        fprintf(stderr, "cms_mkdisk: cannot open %s (%d)\n", argv[1], err);
        return 1;
    }
    static const struct cmsfs_opts opts = {0, 256, NULL, NULL};
    int rc = cmsfs_mount(&dev, &opts, &fs);
    for (int i = 1; rc == CMSFS_OK && i <= n; i++) {
        char fn[16], rec[81];
        struct cmsfs_name name;
        struct cmsfs_create cr = {'F', 80, 1};
        struct cmsfs_file *f = NULL;
        snprintf(fn, sizeof fn, "F%05d", i);
        snprintf(rec, sizeof rec, "%-80s", fn);
        rc = cmsfs_name_set(&name, fn, "DATA");
        if (rc == CMSFS_OK) {
            rc = cmsfs_open(fs, &name, CMSFS_WRITE, &cr, &f);
        }
        if (rc == CMSFS_OK) {
            rc = cmsfs_write(f, rec, 80);
            int rc2 = rc == CMSFS_OK ? cmsfs_close(f) : (cmsfs_discard(f), rc);
            rc = rc == CMSFS_OK ? rc2 : rc;
        }
    }
    if (fs != NULL) {
        cmsfs_unmount(fs);
    }
    cmsfs_img_close(&dev);
    if (rc != CMSFS_OK) {
        fprintf(stderr, "cms_mkdisk: %s\n", cmsfs_err_text(rc));
        return 1;
    }
    return 0;
}
