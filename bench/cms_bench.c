// SPDX-License-Identifier: MIT
/*
 * bench/cms_bench.c - figures of CMS on the VM layer, in this one process
 * (make bench runs it through bench/cms_run.sh, which builds the disks with
 * `vmrv disk`):
 *   - IPL of cms.elf to the first "Ready;" (the VM waiting for a console
 *     line): CP CPU time (vm_cpu_times: total minus virtual), the guest's
 *     own, and this thread's CPU time for the whole IPL (the ELF loaded
 *     from its file, as `vmrv run` and IPL CMS do until CMS is a saved
 *     segment);
 *   - LISTFILE * * A on a disk of 10,000 files: CPU and wall time to the
 *     next Ready, lines written;
 *   - density: 1,000 VMs IPLed to Ready; host memory each (process RSS
 *     delta), split into guest frames, the page maps, the CPU (state and
 *     translations, rv_cpu_footprint) and the rest (VM, devices, heap).
 *
 *   cms_bench CMS_ELF SDISK AIMG BIGIMG NVMS
 *
 * Prints a table, then lines "BENCH name value unit".
 */
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cp/blockdev.h"
#include "cp/rv.h"
#include "cp/stor.h"
#include "cp/vdev.h"
#include "cp/vdev_term.h"
#include "cp/vm.h"
#include "vmrv/ipl.h"

#define CB_STORAGE (32ull << 20)
#define CB_IPLS 30

static const char *cb_elf;
static struct blockdev *cb_sdisk, *cb_adisk, *cb_big;
static struct rv_tlb *cb_tlb;

static double
clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what)
{
    fprintf(stderr, "cms_bench: %s\n", what);
    exit(1);
}

static struct blockdev *
open_disk(const char *path)
{
    struct blockdev *bd = NULL;
    char err[512];
    if (blockdev_open(path, true, &bd, err, sizeof err) != 0) {
        die(err);
    }
    return bd;
}

/* Runs the VM until it waits for a console line; 0, or -1 if it halts or
 * does not get there within a bound. */
static int
run_to_read(struct vm *vm)
{
    for (int i = 0; i < 1000000; i++) {
        struct vm_status st = vm_run(vm, cb_tlb, 1000000);
        switch (st.state) {
        case VM_READ_WAIT:
            return 0;
        case VM_RUNNING:
        case VM_OUTPUT_WAIT:
        case VM_WFI_WAIT:
        case VM_SERVICE_WAIT:
            break;
        default:
            return -1;
        }
    }
    return -1;
}

/* A VM with a console on (in_fd, out_fd) and the disks 191 (a) and 190,
 * IPLed; NULL on failure. */
static struct vm *
make_vm(const char *userid, struct vdev_term **term, int in_fd, int out_fd, struct blockdev *a,
        int nss)
{
    struct vm *vm = vm_create(CB_STORAGE, userid);
    *term = vdev_term_create(in_fd, out_fd);
    char err[512];
    if (vm == NULL || *term == NULL ||
        vdev_console_attach(vm_devices(vm), VDEV_CONSOLE_ADDR, &vdev_term_ops, *term) != 0 ||
        vdev_disk_attach(vm_devices(vm), 0x191, a, true, userid, 0x191) != 0 ||
        vdev_disk_attach(vm_devices(vm), 0x190, cb_sdisk, true, userid, 0x190) != 0 ||
        (nss ? vm_ipl_nss(vm, "CMS", cb_elf, NULL, err, sizeof err)
             : vm_ipl_elf(vm, cb_elf, NULL, err, sizeof err)) != 0) {
        die("cannot make a VM");
    }
    return vm;
}

static long
rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (f == NULL || fscanf(f, "%ld %ld", &size, &res) != 2) {
        die("cannot read /proc/self/statm");
    }
    fclose(f);
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static size_t
count_lines(const char *path, const char *prefix)
{
    FILE *f = fopen(path, "r");
    char line[512];
    size_t n = 0;
    while (f && fgets(line, sizeof line, f)) {
        n += strncmp(line, prefix, strlen(prefix)) == 0;
    }
    if (f) {
        fclose(f);
    }
    return n;
}

int
main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: cms_bench CMS_ELF SDISK AIMG BIGIMG NVMS\n");
        return 2;
    }
    cb_elf = argv[1];
    cb_sdisk = open_disk(argv[2]);
    cb_adisk = open_disk(argv[3]);
    cb_big = open_disk(argv[4]);
    int nvms = atoi(argv[5]);
    cb_tlb = rv_tlb_create();
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir;
    char outpath[1024];
    snprintf(outpath, sizeof outpath, "%s/cms_bench.%ld.out", tmp, (long)getpid());
    int out_fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int null_fd = open("/dev/null", O_RDONLY);
    int pfd[2];
    if (out_fd < 0 || null_fd < 0 || pipe(pfd) != 0 || cb_tlb == NULL) {
        die("cannot open the console files");
    }

    /* 1. IPL to Ready */
    double cp_ms[CB_IPLS], virt_ms[CB_IPLS], thr_ms[CB_IPLS];
    double ncp_ms[CB_IPLS], nvirt_ms[CB_IPLS], nthr_ms[CB_IPLS];
    for (int i = 0; i < 2 * CB_IPLS; i++) {
        struct vdev_term *term;
        int nss = i >= CB_IPLS;
        double t0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
        struct vm *vm = make_vm("IPLBENCH", &term, null_fd, out_fd, cb_adisk, nss);
        if (run_to_read(vm) != 0) {
            die("CMS did not reach Ready");
        }
        double thr = clock_ms(CLOCK_THREAD_CPUTIME_ID) - t0;
        uint64_t v, t;
        vm_cpu_times(vm, &v, &t);
        int k = i % CB_IPLS;
        (nss ? nthr_ms : thr_ms)[k] = thr;
        (nss ? ncp_ms : cp_ms)[k] = (double)(t - v) / 1e3;
        (nss ? nvirt_ms : virt_ms)[k] = (double)v / 1e3;
        vm_destroy(vm);
    }
    size_t readies = count_lines(outpath, "Ready;");
    if (readies < 2 * CB_IPLS) {
        die("fewer Ready lines than IPLs");
    }
    double ipl_cp = median(cp_ms, CB_IPLS), ipl_virt = median(virt_ms, CB_IPLS);
    double ipl_thr = median(thr_ms, CB_IPLS);
    double nipl_cp = median(ncp_ms, CB_IPLS), nipl_virt = median(nvirt_ms, CB_IPLS);
    double nipl_thr = median(nthr_ms, CB_IPLS);

    /* 2. LISTFILE on 10,000 files */
    if (ftruncate(out_fd, 0) != 0 || lseek(out_fd, 0, SEEK_SET) != 0) {
        die("cannot reset the console file");
    }
    struct vdev_term *term;
    struct vm *vm = make_vm("LISTBIG", &term, pfd[0], out_fd, cb_big, 1);
    if (run_to_read(vm) != 0) {
        die("CMS did not reach Ready (big disk)");
    }
    const char *cmd = "LISTFILE * * A\n";
    if (write(pfd[1], cmd, strlen(cmd)) != (ssize_t)strlen(cmd) || vdev_term_fill(term) <= 0) {
        die("cannot type LISTFILE");
    }
    uint64_t v0, t0;
    vm_cpu_times(vm, &v0, &t0);
    double w0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
    vm_console_input(vm);
    if (run_to_read(vm) != 0) {
        die("LISTFILE did not end at Ready");
    }
    double list_wall = clock_ms(CLOCK_MONOTONIC) - w0;
    double list_cpu = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
    uint64_t v1, t1;
    vm_cpu_times(vm, &v1, &t1);
    double list_cp = (double)((t1 - v1) - (t0 - v0)) / 1e3;
    double list_virt = (double)(v1 - v0) / 1e3;
    size_t listed = count_lines(outpath, "F");
    vm_destroy(vm);

    /* 3. density */
    struct vm **vms = calloc((size_t)nvms, sizeof *vms);
    if (vms == NULL) {
        die("out of memory");
    }
    malloc_trim(0);
    long rss0 = rss_kib();
    struct mallinfo2 mi0 = mallinfo2();
    uint64_t frames = 0;
    size_t maps = 0, cpus = 0;
    for (int i = 0; i < nvms; i++) {
        char uid[16];
        snprintf(uid, sizeof uid, "D%d", i);
        vms[i] = make_vm(uid, &term, null_fd, out_fd, cb_adisk, 1);
        if (run_to_read(vms[i]) != 0) {
            die("a density VM did not reach Ready");
        }
    }
    long rss1 = rss_kib();
    struct mallinfo2 mi1 = mallinfo2();
    for (int i = 0; i < nvms; i++) {
        frames += stor_resident_pages(vm_stor(vms[i]));
        maps += stor_map_footprint(vm_stor(vms[i]));
        cpus += rv_cpu_footprint(vm_cpu(vms[i]));
    }
    double per = (double)(rss1 - rss0) / nvms;
    double per_frames = (double)frames * 4.0 / nvms;
    double per_maps = (double)maps / 1024.0 / nvms;
    double per_cpu = (double)cpus / 1024.0 / nvms;
    double per_heap = (double)(mi1.uordblks - mi0.uordblks) / 1024.0 / nvms;
    double per_mmap = (double)(mi1.hblkhd - mi0.hblkhd) / 1024.0 / nvms;
    double per_rest = per - per_frames - per_maps - per_cpu;
    /* Where one VM's frames are: release storage region by region (the VM
     * is not run again) and count what each release gives back. */
    struct stor *st = vm_stor(vms[0]);
    static const struct {
        const char *name;
        uint64_t lo, hi;
    } regions[] = {
        {"private (page 0-1, nucleus data, bss, stacks)", 0, VMRV_SEG_CMS_BASE},
        {"CMS code and read-only data (the saved segment)", VMRV_SEG_CMS_BASE, VMRV_USER_BASE},
        {"user area and buffers at the top of storage", VMRV_USER_BASE, CB_STORAGE},
    };
    uint64_t region_pages[3];
    for (int r = 0; r < 3; r++) {
        uint64_t before = stor_resident_pages(st);
        stor_release(st, regions[r].lo, regions[r].hi - regions[r].lo);
        region_pages[r] = before - stor_resident_pages(st);
    }
    for (int i = 0; i < nvms; i++) {
        vm_destroy(vms[i]);
    }
    free(vms);

    printf("CMS on the VM layer (in-process)\n");
    printf("  IPL to Ready (median of %d), cms.elf loaded privately: CP %.3f ms, guest %.3f ms,\n"
           "    thread CPU %.3f ms\n",
           CB_IPLS, ipl_cp, ipl_virt, ipl_thr);
    printf("  IPL to Ready as the saved system CMS (as IPL CMS does): CP %.3f ms, guest %.3f ms,\n"
           "    thread CPU %.3f ms\n",
           nipl_cp, nipl_virt, nipl_thr);
    printf("  LISTFILE * * A, %zu files listed: wall %.1f ms, CPU %.1f ms (CP %.1f, guest %.1f)\n",
           listed, list_wall, list_cpu, list_cp, list_virt);
    printf("  %d VMs at Ready (saved system CMS): %.1f KiB of host memory each (RSS delta)\n", nvms,
           per);
    printf("    guest frames %.1f KiB (%.1f pages), page maps %.1f KiB, CPU state and\n"
           "    translations %.1f KiB, the rest (VM, devices, console) %.1f KiB\n"
           "    (malloc: %.1f KiB in the heap, %.1f KiB in mmapped blocks)\n",
           per_frames, per_frames / 4, per_maps, per_cpu, per_rest, per_heap, per_mmap);
    printf("    one VM's guest pages: ");
    for (int r = 0; r < 3; r++) {
        printf("%s%s %llu", r ? "; " : "", regions[r].name, (unsigned long long)region_pages[r]);
    }
    printf("\n");
    printf("BENCH cms_ipl_cp_time %.3f ms\n", ipl_cp);
    printf("BENCH cms_ipl_guest_time %.3f ms\n", ipl_virt);
    printf("BENCH cms_ipl_thread_cpu %.3f ms\n", ipl_thr);
    printf("BENCH cms_ipl_nss_cp_time %.3f ms\n", nipl_cp);
    printf("BENCH cms_ipl_nss_guest_time %.3f ms\n", nipl_virt);
    printf("BENCH cms_ipl_nss_thread_cpu %.3f ms\n", nipl_thr);
    printf("BENCH cms_listfile_10k_wall %.1f ms\n", list_wall);
    printf("BENCH cms_listfile_10k_cpu %.1f ms\n", list_cpu);
    printf("BENCH cms_vm_density_per_vm %.1f KiB\n", per);
    printf("BENCH cms_vm_density_guest_frames %.1f KiB\n", per_frames);
    printf("BENCH cms_vm_density_cpu %.1f KiB\n", per_cpu);
    printf("BENCH cms_vm_density_rest %.1f KiB\n", per_rest);
    unlink(outpath);
    blockdev_unref(cb_sdisk);
    blockdev_unref(cb_adisk);
    blockdev_unref(cb_big);
    rv_tlb_destroy(cb_tlb);
    return listed >= 10000 ? 0 : 1;
}
