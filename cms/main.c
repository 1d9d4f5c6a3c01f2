// SPDX-License-Identifier: MIT
/*
 * cms/main.c - the IPL of CMS and its command loop.
 *
 * At IPL (start.S calls cms_main with the IPL block): learn the storage
 * size (DIAG 0x060), protect page 0 and everything below the user area
 * from U-mode (DIAG 0x100C), write the version line, ACCESS 191 as A
 * (read/write), 190 as S and 19E as Y (read-only) when the VM has them,
 * run PROFILE EXEC (once an EXEC processor exists), then read commands:
 * the program stack first, then the terminal.  After each command the
 * Ready message: "Ready; T=v.vv/t.tt hh:mm:ss" with the virtual and total
 * CPU seconds the command used (DIAG 0x00C), or "Ready(rrrrr); ..." when
 * the return code is not 0.
 */
#include <string.h>

#include "cms/cms.h"
#include "cms/fsys.h"

/* CMS's own copy of the IPL block (page 1 is not protected from CMS bugs). */
static struct vmrv_iplblock ipl_copy;
const struct vmrv_iplblock *cms_ipl = &ipl_copy;
int cms_ipl_state;
uint64_t cms_storage_end;
char cms_userid[9];

/* Build date as YYYY-MM-DD, from the compiler's __DATE__ ("Mmm dd yyyy"). */
static void
build_date(char out[11])
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *d = __DATE__;
    int m = 1;
    for (int i = 0; i < 12; i++) {
        if (strncmp(months + 3 * i, d, 3) == 0) {
            m = i + 1;
        }
    }
    memcpy(out, d + 7, 4);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = d[4] == ' ' ? '0' : d[4];
    out[9] = d[5];
    out[10] = '\0';
}

static void
protect_storage(void)
{
    /* page 0: nothing; IPL block, private storage, the nucleus: nothing */
    cms_protect(VMRV_PAGE0, DIAG_PAGE_SIZE, DIAG_PROT_USER_NONE);
    cms_protect(VMRV_IPL_BLOCK, VMRV_USER_BASE - VMRV_IPL_BLOCK, DIAG_PROT_USER_NONE);
    /* high free storage is protected as sbrk hands it out (cms/heap.c) */
}

struct ipl_disk {
    unsigned vaddr;
    char letter;
    int readonly;
};

static const struct ipl_disk ipl_disks[] = {
    {0x191, 'A', 0},
    {0x190, 'S', 1},
    {0x19E, 'Y', 1},
};

static void
access_ipl_disks(void)
{
    for (size_t i = 0; i < sizeof ipl_disks / sizeof ipl_disks[0]; i++) {
        const struct ipl_disk *d = &ipl_disks[i];
        struct diag_devinfo di;
        if (cms_devinfo(d->vaddr, &di) != DIAG_OK || di.devclass != DIAG_DEV_DISK) {
            continue;
        }
        int rc = fs_access(d->vaddr, d->letter, d->readonly);
        if (rc == FS_ENOTFMT) {
            if (!d->readonly) {
                cms_msg(M_NOT_FORMATTED, d->vaddr, d->vaddr, d->letter);
            } else {
                cms_msg(M_NOT_FORMATTED_ERR, d->vaddr);
            }
        } else if (rc != 0) {
            cms_msg(M_DISK_IO, d->vaddr, fs_strerror(rc));
        }
    }
}

static int
ipl_parm_has(const char *word)
{
    size_t n = strlen(word), len = cms_ipl->parm_len;
    for (size_t i = 0; i + n <= len; i++) {
        if ((i == 0 || cms_ipl->parm[i - 1] == ' ') && strncmp(cms_ipl->parm + i, word, n) == 0 &&
            (i + n == len || cms_ipl->parm[i + n] == ' ')) {
            return 1;
        }
    }
    return 0;
}

static void
run_profile(void)
{
    struct fs_fileid id;
    struct fs_stat st;
    if (ipl_parm_has("NOPROF") || fs_fileid_make(&id, "PROFILE", "EXEC", "*", "*") != 0 ||
        fs_state(&id, &st) != 0) {
        return;
    }
    if (cms_exec_hook == NULL) {
        cms_msg(M_NO_PROFILE_EXEC);
        return;
    }
    cms_exec_hook("PROFILE", st.id.fm, "");
}

int cms_rdymsg_short;

static void
ready(int rc, const struct diag_timer *t0, const struct diag_timer *t1)
{
    uint64_t v = (t1->virtual_cpu_us - t0->virtual_cpu_us + 5000) / 10000;
    uint64_t t = (t1->total_cpu_us - t0->total_cpu_us + 5000) / 10000;
    char code[16] = "";
    if (rc != 0) {
        snprintf(code, sizeof code, "(%05d)", rc);
    }
    if (cms_rdymsg_short) {
        printf("R%s;\n", code);
        return;
    }
    printf("Ready%s; T=%llu.%02llu/%llu.%02llu %.8s\n", code, (unsigned long long)(v / 100),
           (unsigned long long)(v % 100), (unsigned long long)(t / 100),
           (unsigned long long)(t % 100), t1->time);
}

void cms_main(const struct vmrv_iplblock *ipl, long after_abend) __attribute__((noreturn));

void
cms_main(const struct vmrv_iplblock *ipl, long after_abend)
{
    cms_ipl_state = after_abend ? CMS_IPL_AGAIN : CMS_IPL_FIRST;
    if (ipl != NULL && ipl->magic == VMRV_IPL_MAGIC && ipl->version == VMRV_IPL_VERSION) {
        ipl_copy = *ipl;
        if (ipl_copy.parm_len > VMRV_IPL_PARM_MAX) {
            ipl_copy.parm_len = VMRV_IPL_PARM_MAX;
        }
    } else {
        memset(ipl_copy.userid, ' ', sizeof ipl_copy.userid);
    }
    cms_storage_end = cms_storage_size();
    if (cms_storage_end == 0) {
        cms_storage_end = ipl_copy.storage_size;
    }
    cms_heap_init(cms_storage_end);
    memcpy(cms_userid, ipl_copy.userid, 8);
    for (int i = 8; i > 0 && (cms_userid[i - 1] == ' ' || cms_userid[i - 1] == '\0'); i--) {
        cms_userid[i - 1] = '\0';
    }
    /* user programs may read cycle, time and instret */
    __asm__ volatile("csrw scounteren, %0" ::"r"(7ul));
    cms_trap_init();
    protect_storage();

    char date[11];
    build_date(date);
    printf("VM/RV CMS %s  %s\n", CMS_VERSION, date);
    if (cms_storage_end < VMRV_MIN_CMS_STORAGE) {
        cms_msg(M_NO_STORAGE);
    }
    access_ipl_disks();
    run_profile();

    struct diag_timer t0, t1;
    char line[CMS_LINE_MAX + 1];
    int first = 1;
    for (;;) {
        if (first) {
            /* the Ready after IPL */
            cms_timer(&t0);
            ready(0, &t0, &t0);
            first = 0;
            cms_ipl_state = CMS_IPL_DONE;
        }
        int n = cms_stack_take(line, sizeof line);
        if (n < 0) {
            n = (int)con_read(line, sizeof line);
        }
        size_t i = 0;
        while (line[i] == ' ') {
            i++;
        }
        if (line[i] == '\0') {
            continue;
        }
        cms_halt_requested = 0;
        cms_timer(&t0);
        int rc = cms_command(line, 0);
        cms_timer(&t1);
        con_flush();
        cms_typing_suppressed = 0; /* HT lasts until the Ready */
        ready(rc, &t0, &t1);
    }
}
