// SPDX-License-Identifier: MIT
/*
 * bench/guest/linux_main.c - the Linux side of a CPU benchmark program:
 * `prog ITERS` runs the kernel and writes its checksum in hex on standard
 * output (the runner compares it with VM/RV's), through the write system
 * call; exits 0, or 2 on bad usage.
 */
#include <stdint.h>

uint64_t bench_kernel(uint64_t iters);
int bench_main(int argc, char **argv);

static long
sys_write(int fd, const void *buf, unsigned long len)
{
    register long a0 __asm__("a0") = fd;
    register long a1 __asm__("a1") = (long)buf;
    register long a2 __asm__("a2") = (long)len;
    register long a7 __asm__("a7") = 64; /* write */
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

int
bench_main(int argc, char **argv)
{
    if (argc < 2) {
        return 2;
    }
    uint64_t iters = 0;
    for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++) {
        iters = iters * 10 + (uint64_t)(*p - '0');
    }
    uint64_t sum = bench_kernel(iters);
    char out[18];
    for (int i = 0; i < 16; i++) {
        unsigned d = (unsigned)(sum >> (60 - 4 * i)) & 15u;
        out[i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    }
    out[16] = '\n';
    sys_write(1, out, 17);
    return 0;
}
