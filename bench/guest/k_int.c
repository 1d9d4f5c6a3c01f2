// SPDX-License-Identifier: MIT
/*
 * bench/guest/k_int.c - the integer kernel of the CPU benchmark: register
 * arithmetic with little memory traffic - a bitwise CRC-32, xorshift
 * random numbers, multiply-accumulate, integer square roots (shifts and
 * compares) and Euclid's gcd (division).  One object file is linked both
 * into the VM/RV program and into the Linux program run by qemu-riscv64, so
 * both execute the very same instructions.  Returns a checksum.
 */
#include <stdint.h>

uint64_t bench_kernel(uint64_t iters);

static uint32_t
crc32_bits(uint32_t crc, uint32_t word)
{
    crc ^= word;
    for (int k = 0; k < 32; k++) {
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc;
}

static uint64_t
isqrt(uint64_t v)
{
    uint64_t r = 0, bit = 1ull << 62;
    while (bit > v) {
        bit >>= 2;
    }
    while (bit != 0) {
        if (v >= r + bit) {
            v -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

static uint64_t
gcd(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

uint64_t
bench_kernel(uint64_t iters)
{
    uint64_t s = 0x9E3779B97F4A7C15ull, acc = 0;
    uint32_t crc = ~0u;
    for (uint64_t i = 0; i < iters; i++) {
        for (int j = 0; j < 16; j++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            acc += (s & 0xFFFF) * (s >> 48) + (acc >> 3);
            if ((j & 3) == 0) {
                crc = crc32_bits(crc, (uint32_t)s);
            }
        }
        acc ^= isqrt(s >> 4);
        acc += gcd((s & 0xFFFFF) | 1, ((s >> 20) & 0xFFFFF) | 1);
    }
    return acc ^ ((uint64_t)crc << 32);
}
