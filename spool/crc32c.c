// SPDX-License-Identifier: MIT
/*
 * spool/crc32c.c - CRC-32C (Castagnoli, reflected polynomial 0x82F63B78),
 * the checksum of every chunk, journal record and checkpoint of the spool.
 * Uses the SSE4.2 crc32 instruction when the host CPU has it, otherwise
 * the portable slicing-by-8 loop of the CMS file system (cms/fs/crc32c.c,
 * included here: one implementation serves the guest and the host).
 * Conventional pre- and post-inversion:
 * spool_crc32c(0, "123456789", 9) == 0xE3069283.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "spool/spoolint.h"

#define CRC32C_EMBED
#include "cms/fs/crc32c.c"

#if defined(__x86_64__)
static bool crc_hw;
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
    __builtin_cpu_init();
    crc_hw = __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2"))) static uint32_t
crc_sse42(uint32_t c, const uint8_t *p, size_t len)
{
    uint64_t c64 = c;
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c64 = __builtin_ia32_crc32di(c64, v);
        p += 8;
        len -= 8;
    }
    c = (uint32_t)c64;
    while (len--) {
        c = __builtin_ia32_crc32qi(c, *p++);
    }
    return c;
}
#endif

uint32_t
spool_crc32c(uint32_t crc, const void *buf, size_t len)
{
#if defined(__x86_64__)
    pthread_once(&crc_once, crc_init);
    if (crc_hw) {
        return ~crc_sse42(~crc, buf, len);
    }
#endif
    return crc32c_sw(crc, buf, len);
}
