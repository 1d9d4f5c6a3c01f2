/* SPDX-License-Identifier: MIT */
/* tests/guest/rt.h - the tiny runtime of guest test programs: stdio on the
 * console through DIAG 0x058, exit through DIAG_TEST_EXIT, and a CHECK macro
 * that names the line that failed. */
#ifndef TESTS_GUEST_RT_H
#define TESTS_GUEST_RT_H
#include <stdio.h>
#include <vmrv/diag.h>
#include <vmrv/ipl.h>

/* main receives the IPL block's address. */
int main(const struct vmrv_iplblock *ipl);

void rt_exit(int code) __attribute__((noreturn));
void rt_flush(void);
extern int rt_failures;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                     \
            rt_failures++;                                                             \
        }                                                                              \
    } while (0)
#define CHECK_EQ(a, b)                                                                 \
    do {                                                                               \
        unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
        if (va_ != vb_) {                                                              \
            printf("FAIL %s:%d: %s == %s: 0x%llx != 0x%llx\n", __FILE__, __LINE__, #a, #b, \
                   va_, vb_);                                                          \
            rt_failures++;                                                             \
        }                                                                              \
    } while (0)
#endif
