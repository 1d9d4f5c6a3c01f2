// SPDX-License-Identifier: MIT
/*
 * tests/guest/cms_svc.c - a CMS program (built with the SDK) that calls
 * every CMS service, with good and bad arguments, and checks the results:
 * every pointer outside the user area gives CMS_EFAULT, bad handles and
 * lengths CMS_EINVAL, unknown services CMS_ENOSYS; files written through
 * the services and through stdio read back the same.  It writes
 * "SVCTEST PASS n" or one "SVCTEST FAIL" line per failed check, and
 * returns the number of failures (so Ready(00000) means all passed).
 * Needs a read/write A-disk; uses files SVCTEST DATA and SVCTEST TEXT.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmssdk.h"

static int failures, checks;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        checks++;                                                                      \
        if (!(cond)) {                                                                 \
            failures++;                                                                \
            printf("SVCTEST FAIL line %d: %s\n", __LINE__, #cond);                     \
        }                                                                              \
    } while (0)
#define CHECK_EQ(a, b)                                                                 \
    do {                                                                               \
        long va_ = (long)(a), vb_ = (long)(b);                                         \
        checks++;                                                                      \
        if (va_ != vb_) {                                                              \
            failures++;                                                                \
            printf("SVCTEST FAIL line %d: %s = %ld, expected %ld\n", __LINE__, #a, va_, vb_); \
        }                                                                              \
    } while (0)

static struct cms_fileid
fid(const char *fn, const char *ft, const char *fm)
{
    struct cms_fileid id;
    memset(&id, ' ', sizeof id);
    memcpy(id.fn, fn, strlen(fn));
    memcpy(id.ft, ft, strlen(ft));
    memcpy(id.fm, fm, strlen(fm));
    return id;
}

static void
test_bad_pointers(uint64_t end)
{
    const long bad[] = {0, 0x1000, 0x2000, 0x200000, 0x7ff000, (long)end, (long)end + 4096, -16};
    char buf[64];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long p = bad[i];
        CHECK_EQ(cms_svc(CMS_CONWRITE, p, 4, 1, 0), CMS_EFAULT);
        CHECK_EQ(cms_svc(CMS_CONREAD, p, 16, 0, 0), CMS_EFAULT);
        CHECK_EQ(cms_svc(CMS_FSOPEN, p, CMS_O_READ, 0, 0), CMS_EFAULT);
        CHECK_EQ(cms_svc(CMS_FSSTATE, p, 0, 0, 0), CMS_EFAULT);
        CHECK_EQ(cms_svc(CMS_FSERASE, p, 0, 0, 0), CMS_EFAULT);
        CHECK_EQ(cms_svc(CMS_CMSCALL, p, 5, 0, 0), CMS_EFAULT);
        CHECK_EQ(cms_svc(CMS_CPCALL, p, 5, 0, 0), CMS_EFAULT);
        if (p != 0) { /* 0 = no response buffer: the console */
            CHECK_EQ(cms_svc(CMS_CPCALL, (long)"Q T", 3, p, 16), CMS_EFAULT);
        }
        CHECK_EQ(cms_svc(CMS_GETTIME, p, 0, 0, 0), CMS_EFAULT);
        CHECK_EQ(cms_svc(CMS_MEMINFO, p, 0, 0, 0), CMS_EFAULT);
        CHECK_EQ(cms_svc(CMS_STACK, p, 3, 0, 0), CMS_EFAULT);
    }
    /* a buffer that starts inside the user area and runs past its end */
    CHECK_EQ(cms_svc(CMS_CONWRITE, (long)end - 8, 64, 1, 0), CMS_EFAULT);
    /* a length that wraps around */
    CHECK_EQ(cms_svc(CMS_CONWRITE, (long)buf, -1L, 1, 0), CMS_EFAULT);
    struct cms_fileid id = fid("SVCTEST", "DATA", "A1");
    CHECK_EQ(cms_svc(CMS_FSSTATE, (long)&id, 0x2000, 0, 0), CMS_EFAULT);
}

static void
test_files(void)
{
    struct cms_fileid id = fid("SVCTEST", "DATA", "A1");
    struct cms_fstat st;
    char buf[128];
    cms_svc(CMS_FSERASE, (long)&id, 0, 0, 0);
    CHECK_EQ(cms_svc(CMS_FSSTATE, (long)&id, (long)&st, 0, 0), CMS_ENOTFOUND);
    CHECK_EQ(cms_svc(CMS_FSOPEN, (long)&id, CMS_O_READ, 0, 0), CMS_ENOTFOUND);
    CHECK_EQ(cms_svc(CMS_FSOPEN, (long)&id, 7, 'V', 0), CMS_EINVAL);
    CHECK_EQ(cms_svc(CMS_FSOPEN, (long)&id, CMS_O_WRITE, 'X', 0), CMS_EINVAL);
    long h = cms_svc(CMS_FSOPEN, (long)&id, CMS_O_WRITE, 'F', 20);
    CHECK(h >= 0);
    CHECK_EQ(cms_svc(CMS_FSWRITE, h, (long)"first record", 12, 0), 12);
    CHECK_EQ(cms_svc(CMS_FSWRITE, h, (long)"second", 6, 0), 6);
    CHECK_EQ(cms_svc(CMS_FSWRITE, h, (long)"a record longer than twenty", 27, 0), 27);
    CHECK_EQ(cms_svc(CMS_FSWRITE, h, 0x2000, 5, 0), CMS_EFAULT);
    CHECK_EQ(cms_svc(CMS_FSCLOSE, h, 0, 0, 0), 0);
    CHECK_EQ(cms_svc(CMS_FSCLOSE, h, 0, 0, 0), CMS_EINVAL);
    CHECK_EQ(cms_svc(CMS_FSREAD, 99, (long)buf, 10, 0), CMS_EINVAL);
    CHECK_EQ(cms_svc(CMS_FSREAD, -1, (long)buf, 10, 0), CMS_EINVAL);
    CHECK_EQ(cms_svc(CMS_FSSTATE, (long)&id, (long)&st, 0, 0), 0);
    CHECK_EQ(st.recfm, 'F');
    CHECK_EQ(st.lrecl, 20);
    CHECK_EQ(st.records, 3);
    CHECK_EQ(st.fm[0], 'A');
    h = cms_svc(CMS_FSOPEN, (long)&id, CMS_O_READ, 0, 0);
    CHECK(h >= 0);
    CHECK_EQ(cms_svc(CMS_FSREAD, h, 0x1000, 20, 0), CMS_EFAULT);
    CHECK_EQ(cms_svc(CMS_FSREAD, h, (long)buf, sizeof buf, 0), 20);
    CHECK(memcmp(buf, "first record        ", 20) == 0);
    CHECK_EQ(cms_svc(CMS_FSREAD, h, (long)buf, sizeof buf, 0), 20);
    CHECK_EQ(cms_svc(CMS_FSREAD, h, (long)buf, sizeof buf, 0), 20);
    CHECK(memcmp(buf, "a record longer than", 20) == 0);
    CHECK_EQ(cms_svc(CMS_FSREAD, h, (long)buf, sizeof buf, 0), CMS_EEOF);
    CHECK_EQ(cms_svc(CMS_FSPOINT, h, 2, 0, 0), 0);
    CHECK_EQ(cms_svc(CMS_FSREAD, h, (long)buf, 6, 0), 6);
    CHECK(memcmp(buf, "second", 6) == 0);
    CHECK_EQ(cms_svc(CMS_FSPOINT, h, 0, 0, 0), CMS_EINVAL);
    CHECK_EQ(cms_svc(CMS_FSCLOSE, h, 0, 0, 0), 0);
    /* APPEND */
    h = cms_svc(CMS_FSOPEN, (long)&id, CMS_O_APPEND, 'F', 20);
    CHECK(h >= 0);
    CHECK_EQ(cms_svc(CMS_FSWRITE, h, (long)"fourth", 6, 0), 6);
    CHECK_EQ(cms_svc(CMS_FSCLOSE, h, 0, 0, 0), 0);
    CHECK_EQ(cms_svc(CMS_FSSTATE, (long)&id, (long)&st, 0, 0), 0);
    CHECK_EQ(st.records, 4);
    /* too many open files */
    long hs[20];
    int opened = 0;
    for (int i = 0; i < 20; i++) {
        hs[i] = cms_svc(CMS_FSOPEN, (long)&id, CMS_O_READ, 0, 0);
        if (hs[i] >= 0) {
            opened++;
        }
    }
    CHECK(opened < 20);
    CHECK_EQ(hs[19], CMS_EMFILE);
    for (int i = 0; i < 20; i++) {
        if (hs[i] >= 0) {
            cms_svc(CMS_FSCLOSE, hs[i], 0, 0, 0);
        }
    }
    /* read-only disk and filemode not accessed */
    struct cms_fileid sid = fid("SVCTEST", "DATA", "S1");
    CHECK_EQ(cms_svc(CMS_FSOPEN, (long)&sid, CMS_O_WRITE, 'V', 0), CMS_EROFS);
    struct cms_fileid qid = fid("SVCTEST", "DATA", "Q1");
    CHECK_EQ(cms_svc(CMS_FSOPEN, (long)&qid, CMS_O_WRITE, 'V', 0), CMS_ENODISK);
    struct cms_fileid bad = fid("BAD*NAME", "DATA", "A1");
    CHECK_EQ(cms_svc(CMS_FSOPEN, (long)&bad, CMS_O_WRITE, 'V', 0), CMS_EINVAL);
    CHECK_EQ(cms_svc(CMS_FSERASE, (long)&id, 0, 0, 0), 0);
    CHECK_EQ(cms_svc(CMS_FSERASE, (long)&id, 0, 0, 0), CMS_ENOTFOUND);
}

static void
test_stdio(void)
{
    FILE *f = fopen("svctest text a", "w");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    fprintf(f, "line %d\n", 1);
    fputs("line two\n", f);
    fputs("no newline at the end", f);
    CHECK_EQ(fclose(f), 0);
    struct cms_fstat st;
    CHECK_EQ(cms_state("SVCTEST TEXT A", &st), 0);
    CHECK_EQ(st.records, 3);
    CHECK_EQ(st.recfm, 'V');
    char line[64];
    f = fopen("SVCTEST TEXT *", "r");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    CHECK(fgets(line, sizeof line, f) != NULL && strcmp(line, "line 1\n") == 0);
    CHECK(fgets(line, sizeof line, f) != NULL && strcmp(line, "line two\n") == 0);
    CHECK(fgets(line, sizeof line, f) != NULL && strcmp(line, "no newline at the end\n") == 0);
    CHECK(fgets(line, sizeof line, f) == NULL);
    fclose(f);
    CHECK(fopen("NOSUCH FILE A", "r") == NULL);
    /* a file left open at exit is closed by the SDK: see main */
}

int
main(int argc, char **argv)
{
    struct cms_meminfo mi;
    char buf[300];
    CHECK_EQ(cms_svc(CMS_MEMINFO, (long)&mi, 0, 0, 0), 0);
    CHECK_EQ(mi.user_base, 0x800000);
    CHECK(mi.user_end >= 16u << 20);
    CHECK(strcmp(argv[0], "CMS_SVC") == 0 || strcmp(argv[0], "SVCTEST") == 0);
    CHECK_EQ(cms_svc(99, 0, 0, 0, 0), CMS_ENOSYS);
    CHECK_EQ(cms_svc(-5, 0, 0, 0, 0), CMS_ENOSYS);
    test_bad_pointers(mi.user_end);
    struct diag_timer t;
    CHECK_EQ(cms_svc(CMS_GETTIME, (long)&t, 0, 0, 0), 0);
    CHECK(t.time[2] == ':' && t.time[5] == ':');
    CHECK_EQ(cms_svc(CMS_CONWRITE, (long)"SVCTEST console write", 21, 1, 0), 21);
    /* the program stack: QUEUE is FIFO, PUSH is LIFO, CONREAD reads it */
    CHECK_EQ(cms_queued(), 0);
    CHECK_EQ(cms_stack("second", 0), 0);
    CHECK_EQ(cms_stack("third", 0), 0);
    CHECK_EQ(cms_stack("first", 1), 0);
    CHECK_EQ(cms_queued(), 3);
    CHECK_EQ(cms_read(buf, sizeof buf), 5);
    CHECK(memcmp(buf, "first", 5) == 0);
    CHECK_EQ(cms_read(buf, 3), 3);
    CHECK(memcmp(buf, "sec", 3) == 0);
    CHECK(fgets(buf, sizeof buf, stdin) != NULL && strcmp(buf, "third\n") == 0);
    CHECK_EQ(cms_queued(), 0);
    CHECK_EQ(cms_svc(CMS_STACK, (long)buf, 300, 0, 0), CMS_EINVAL);
    CHECK_EQ(cms_svc(CMS_STACK, (long)buf, 3, 2, 0), CMS_EINVAL);
    /* CMS commands from a program */
    CHECK_EQ(cms_command("STATE NOSUCH FILE *"), 28);
    CHECK_EQ(cms_command("QUERY CMSLEVEL"), 0);
    CHECK_EQ(cms_command("NOSUCHCMD"), -3);
    CHECK_EQ(cms_command("EDIT X Y"), -3);
    CHECK_EQ(cms_command("XEDIT X Y"), -3);
    CHECK_EQ(cms_command("FILELIST"), -3);
    CHECK_EQ(cms_command("SVCTEST"), -3);
    CHECK_EQ(cms_svc(CMS_CMSCALL, (long)buf, 400, 0, 0), CMS_EINVAL);
    test_files();
    test_stdio();
    /* leave one stdio file open: exit() must commit it */
    FILE *f = fopen("SVCTEST OPEN A", "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("written before exit\n", f);
    }
    if (failures == 0) {
        printf("SVCTEST PASS %d\n", checks);
    }
    return failures;
}
