// SPDX-License-Identifier: MIT
/*
 * bench/guest/sys_main.c - the qemu-system-riscv64 side of a CPU benchmark
 * program: the iteration count is a 64-bit word that the runner puts at
 * SYS_ITERS_ADDR with QEMU's generic loader device; runs the kernel, writes
 * its checksum in hex through the SBI debug console (legacy putchar), and
 * shuts the machine down through SBI system reset.
 */
#include <stdint.h>

#define SYS_ITERS_ADDR 0x87f00000ul

uint64_t bench_kernel(uint64_t iters);
void sys_main(void);

static long
sbi(long eid, long fid, long a0, long a1)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r6 __asm__("a6") = fid;
    register long r7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r6), "r"(r7) : "memory");
    return r0;
}

void
sys_main(void)
{
    uint64_t iters = *(volatile uint64_t *)SYS_ITERS_ADDR;
    uint64_t sum = bench_kernel(iters);
    for (int i = 0; i < 16; i++) {
        unsigned d = (unsigned)(sum >> (60 - 4 * i)) & 15u;
        sbi(0x01, 0, d < 10 ? '0' + (long)d : 'a' + (long)d - 10, 0); /* legacy putchar */
    }
    sbi(0x01, 0, '\n', 0);
    sbi(0x53525354, 0, 0, 0); /* SRST: shutdown */
}
