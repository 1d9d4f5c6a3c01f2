// SPDX-License-Identifier: MIT
/*
 * tests/cpu_run.c - a bare runner of guest programs on the CPU alone, with
 * no VM around it: for the riscv-tests harness, for timing the interpreter
 * (-s), and for CPU work without the rest of CP.  Loads a RISC-V ELF into
 * fresh storage, writes the IPL block, runs the CPU and answers the few
 * hypercalls such programs use (DIAG console write, test exit, clock
 * comparator, storage protection; SBI base, TIME, DBCN write, SRST).
 * Exits with the guest's exit code, 3 on a disabled wait, 4 on the
 * instruction limit or timeout, 2 on bad usage.
 *
 * usage: cpu_run [--limit N] [--timeout SECONDS] [--storage BYTES] [-q] [-s] FILE.elf
 * (-q: no console output, -s: instruction count and speed on stderr)
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp/rv.h"
#include "cp/stor.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

struct runner {
    struct stor *st;
    int exit_code;
    bool exited;
    bool quiet;
    bool stats;
};

static int
load_elf(struct stor *st, const char *path, uint64_t *entry)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cpu_run: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *img = size > 0 ? malloc((size_t)size) : NULL;
    if (img == NULL || fread(img, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cpu_run: %s: cannot read\n", path);
        fclose(f);
        free(img);
        return -1;
    }
    fclose(f);
    int rc = -1;
    Elf64_Ehdr eh;
    if ((size_t)size < sizeof eh) {
        goto bad;
    }
    memcpy(&eh, img, sizeof eh);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_machine != EM_RISCV || eh.e_phentsize != sizeof(Elf64_Phdr)) {
        goto bad;
    }
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        uint64_t off = eh.e_phoff + (uint64_t)i * sizeof ph;
        if (off + sizeof ph > (uint64_t)size) {
            goto bad;
        }
        memcpy(&ph, img + off, sizeof ph);
        if (ph.p_type != PT_LOAD) {
            continue;
        }
        if (ph.p_offset + ph.p_filesz > (uint64_t)size || ph.p_filesz > ph.p_memsz) {
            goto bad;
        }
        if (stor_write(st, ph.p_paddr, img + ph.p_offset, ph.p_filesz) != 0 ||
            stor_zero(st, ph.p_paddr + ph.p_filesz, ph.p_memsz - ph.p_filesz) != 0) {
            fprintf(stderr, "cpu_run: %s: segment outside storage\n", path);
            goto out;
        }
    }
    *entry = eh.e_entry;
    rc = 0;
    goto out;
bad:
    fprintf(stderr, "cpu_run: %s: not a RISC-V ELF64 file\n", path);
out:
    free(img);
    return rc;
}

static void
console_out(struct runner *r, uint64_t addr, uint64_t len, bool newline)
{
    char buf[512];
    while (len > 0) {
        size_t n = len < sizeof buf ? (size_t)len : sizeof buf;
        if (stor_read(r->st, addr, buf, n) != 0) {
            return;
        }
        if (!r->quiet) {
            fwrite(buf, 1, n, stdout);
        }
        addr += n;
        len -= n;
    }
    if (newline && !r->quiet) {
        fputc('\n', stdout);
    }
}

static enum rv_hcall
runner_ecall(void *ctx, struct rv_cpu *cpu)
{
    struct runner *r = ctx;
    uint64_t eid = rv_reg_get(cpu, 17), fid = rv_reg_get(cpu, 16);
    uint64_t a0 = rv_reg_get(cpu, 10), a1 = rv_reg_get(cpu, 11), a2 = rv_reg_get(cpu, 12);
    int64_t err = DIAG_OK;
    uint64_t val = 0;

    if (eid == DIAG_EID) {
        switch (fid) {
        case DIAG_TEST_EXIT:
            r->exit_code = (int)a0;
            r->exited = true;
            return RV_HCALL_STOP;
        case DIAG_CONSOLE:
            if (a0 == DIAG_CON_WRITE || a0 == DIAG_CON_WRITE_LINE) {
                console_out(r, a1, a2, a0 == DIAG_CON_WRITE_LINE);
                val = a2;
            } else {
                err = DIAG_ENOTSUP;
            }
            break;
        case DIAG_CLOCK_COMPARATOR:
            rv_cpu_set_timecmp(cpu, a0);
            break;
        case DIAG_STORAGE_SIZE:
            val = stor_size(r->st);
            break;
        case DIAG_PROTECT: {
            int rc = stor_protect(r->st, a0, a1, (int)a2);
            err = rc == 0 ? DIAG_OK : rc == -EFAULT ? DIAG_EFAULT : DIAG_EINVAL;
            break;
        }
        default:
            err = DIAG_ENOTSUP;
        }
    } else if (eid == SBI_EID_BASE) {
        switch (fid) {
        case SBI_BASE_GET_SPEC_VERSION: val = VMRV_SBI_SPEC_VERSION; break;
        case SBI_BASE_GET_IMPL_ID: val = VMRV_SBI_IMPL_ID; break;
        case SBI_BASE_PROBE_EXTENSION:
            val = a0 == SBI_EID_BASE || a0 == SBI_EID_TIME || a0 == SBI_EID_DBCN ||
                  a0 == SBI_EID_SRST || a0 == DIAG_EID;
            break;
        default: val = 0;
        }
    } else if (eid == SBI_EID_TIME && fid == SBI_TIME_SET_TIMER) {
        rv_cpu_set_timecmp(cpu, a0);
    } else if (eid == SBI_EID_DBCN && fid == SBI_DBCN_WRITE_BYTE) {
        if (!r->quiet) {
            fputc((int)(a0 & 0xff), stdout);
        }
    } else if (eid == SBI_EID_DBCN && fid == SBI_DBCN_WRITE) {
        console_out(r, a1, a0, false);
        val = a0;
    } else if (eid == SBI_EID_SRST && fid == SBI_SRST_RESET) {
        r->exit_code = a1 == SBI_SRST_REASON_NONE ? 0 : 1;
        r->exited = true;
        return RV_HCALL_STOP;
    } else {
        err = DIAG_ENOTSUP;
    }
    rv_reg_set(cpu, 10, (uint64_t)err);
    rv_reg_set(cpu, 11, val);
    return RV_HCALL_CONTINUE;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    uint64_t limit = 2000000000ull, storage = VMRV_DEFAULT_STORAGE;
    double timeout = 60;
    struct runner r = {0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            limit = strtoull(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            timeout = strtod(argv[++i], NULL);
        } else if (strcmp(argv[i], "--storage") == 0 && i + 1 < argc) {
            storage = strtoull(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "-q") == 0) {
            r.quiet = true;
        } else if (strcmp(argv[i], "-s") == 0) {
            r.stats = true;
        } else {
            break;
        }
    }
    if (i + 1 != argc) {
        fprintf(stderr, "usage: cpu_run [--limit N] [--timeout S] [--storage BYTES] [-q] [-s] FILE.elf\n");
        return 2;
    }
    r.st = stor_create(storage);
    struct rv_hooks hooks = {.ctx = &r, .ecall = runner_ecall};
    struct rv_cpu *cpu = r.st ? rv_cpu_create(r.st, &hooks) : NULL;
    struct rv_tlb *tlb = rv_tlb_create();
    uint64_t entry = 0;
    if (cpu == NULL || tlb == NULL) {
        fprintf(stderr, "cpu_run: out of memory\n");
        return 2;
    }
    if (load_elf(r.st, argv[i], &entry) != 0) {
        return 2;
    }
    struct vmrv_iplblock ipl = {
        .magic = VMRV_IPL_MAGIC,
        .version = VMRV_IPL_VERSION,
        .storage_size = storage,
        .timebase_hz = VMRV_TIMEBASE_HZ,
    };
    memcpy(ipl.userid, "CPUTEST ", 8);
    memcpy(ipl.system, "ELF     ", 8);
    stor_write(r.st, VMRV_IPL_BLOCK, &ipl, sizeof ipl);
    rv_cpu_reset(cpu, entry);
    rv_reg_set(cpu, 11, VMRV_IPL_BLOCK);

    double t0 = now_s();
    uint64_t ran = 0;
    int rc = 4;
    for (;;) {
        struct rv_stats s0, s1;
        rv_cpu_stats(cpu, &s0);
        enum rv_stop why = rv_cpu_run(cpu, tlb, 10000000);
        rv_cpu_stats(cpu, &s1);
        ran += s1.instret - s0.instret;
        if (why == RV_STOP_HALT) {
            rc = r.exited ? r.exit_code : 1;
            break;
        }
        if (why == RV_STOP_DISABLED_WAIT) {
            fprintf(stderr, "cpu_run: disabled wait: %s\n", rv_cpu_stop_text(cpu));
            rc = 3;
            break;
        }
        if (why == RV_STOP_WFI) {
            uint64_t wake = rv_cpu_wake_time(cpu), now = rv_cpu_time(cpu);
            if (wake == UINT64_MAX) {
                fprintf(stderr, "cpu_run: wfi waiting for an external event that never comes\n");
                rc = 3;
                break;
            }
            if (wake > now) {
                uint64_t ns = (wake - now) * (1000000000ull / VMRV_TIMEBASE_HZ);
                if (ns > 100000000ull) {
                    ns = 100000000ull;
                }
                struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
                nanosleep(&ts, NULL);
            }
        }
        if (ran >= limit || now_s() - t0 > timeout) {
            fprintf(stderr, "cpu_run: %s after %llu instructions, pc %#llx\n",
                    ran >= limit ? "instruction limit" : "timeout", (unsigned long long)ran,
                    (unsigned long long)rv_pc_get(cpu));
            rc = 4;
            break;
        }
    }
    fflush(stdout);
    if (r.stats) {
        double t = now_s() - t0;
        struct rv_stats s;
        rv_cpu_stats(cpu, &s);
        fprintf(stderr,
                "cpu_run: %llu instructions in %.3f s (%.1f MIPS), %llu blocks translated, "
                "%llu invalidations, %llu hypercalls\n",
                (unsigned long long)s.instret, t, (double)s.instret / t / 1e6,
                (unsigned long long)s.blocks_translated, (unsigned long long)s.invalidations,
                (unsigned long long)s.hypercalls);
    }
    rv_tlb_destroy(tlb);
    rv_cpu_destroy(cpu);
    stor_destroy(r.st);
    return rc;
}
