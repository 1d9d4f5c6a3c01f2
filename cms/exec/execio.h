/* SPDX-License-Identifier: MIT */
/*
 * cms/exec/execio.h - private to EXECIO: the parsed request that execio.c
 * (command line, options, CP, where lines go and come from) hands to
 * execio_disk.c (the open files, DISKR, DISKRU and DISKW).
 */
#ifndef CMS_EXEC_EXECIO_H
#define CMS_EXEC_EXECIO_H

#include <stddef.h>
#include <stdint.h>

#include "cms/fsys.h"

/* Return codes, as CMS's EXECIO gives them. */
#define EIO_OK 0
#define EIO_TRUNC 1 /* a line was cut (LRECL, MARGINS of F, the stack's 255) */
#define EIO_EOF 2 /* DISKR: end of file before the count */
#define EIO_NOTFOUND 3 /* LOCATE/FIND/AVOID: the count ran out first */
#define EIO_SYNTAX 20 /* unknown or misplaced option, conflicting options */
#define EIO_BADPARM 24 /* bad operand: count, fileid, line number, RECFM */
#define EIO_NOSTORE 104 /* not enough storage */

enum eio_op { EIO_DISKR, EIO_DISKRU, EIO_DISKW, EIO_CP };
enum eio_dest { EIO_STACK, EIO_STEM, EIO_VAR, EIO_SKIP, EIO_STRING };
enum eio_search { EIO_NOSEARCH, EIO_LOCATE, EIO_FIND, EIO_AVOID };

struct eio_req {
    enum eio_op op;
    long lines; /* -1 for * */
    /* DISKR/DISKW operands */
    struct fs_fileid id;
    uint32_t linenum; /* 0: where the last call left off */
    char recfm; /* 0: the file's, or V */
    uint32_t lrecl; /* 0: the file's (F: the first record's length) */
    /* options */
    int finis;
    int lifo;
    int strip;
    int upper; /* CASE U */
    enum eio_dest dest; /* where lines go (DISKR, CP) or come from (DISKW) */
    char name[251]; /* STEM or VAR name */
    size_t namelen;
    int has_string; /* STRING given */
    const char *string; /* STRING text (as typed) */
    size_t stringlen;
    long mleft, mright; /* MARGINS (columns, 1-based; mright -1 = *) */
    long zleft, zright; /* ZONE */
    enum eio_search search;
    const char *target; /* LOCATE/FIND/AVOID text */
    size_t targetlen;
    size_t buffer; /* CP: response buffer (BUFFER) */
};

/* execio.c: one line read (DISKR) or captured (CP) goes where the request
 * says (index = its number, from 1, for STEM); returns EIO_OK, EIO_TRUNC
 * (cut to the stack's 255), or EIO_NOSTORE. */
int eio_deliver(const struct eio_req *r, long index, const char *s, size_t n);
/* Sets STEM's name0 to count (after DISKR and CP); quiet: no message if
 * there is no room (a second try after EIO_NOSTORE). */
int eio_set_count(const struct eio_req *r, long count, int quiet);
/* execio.c: the next line to write (DISKW): index from 1.  Returns 1 with
 * *s and *n (valid until the next call), 0 when there are no more (the
 * count is reached, a STEM variable is unset or null with *, a null line
 * from the stack with *), or -EIO_NOSTORE. */
int eio_source(const struct eio_req *r, long index, const char **s, size_t *n);
/* The line as MARGINS, STRIP and CASE U make it, in buf (cap bytes). */
size_t eio_shape(const struct eio_req *r, const char *s, size_t n, char *buf, size_t cap);

/* execio_disk.c */
int eio_diskr(const struct eio_req *r);
int eio_diskw(const struct eio_req *r);

#endif /* CMS_EXEC_EXECIO_H */
