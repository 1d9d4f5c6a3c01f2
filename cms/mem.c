// SPDX-License-Identifier: MIT
/*
 * cms/mem.c - memset, memcpy and memmove for the CMS nucleus, eight bytes
 * at a time.  The C library's versions are built for size and move one
 * byte per loop; the nucleus zeroes and copies 4 KiB blocks all the time
 * (file system buffers, calloc), and at IPL those byte loops were about a
 * third of the guest instructions to Ready.  Linked before the library,
 * these replace its members.
 *
 * Built with -fno-builtin and without loop-pattern recognition so the
 * compiler does not turn the loops back into calls to themselves.
 */
#include <stddef.h>
#include <stdint.h>

#define WORD sizeof(uint64_t)

static inline int
aligned(const void *p)
{
    return ((uintptr_t)p & (WORD - 1)) == 0;
}

void *
memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n > 0 && !aligned(d)) {
        *d++ = (unsigned char)c;
        n--;
    }
    uint64_t w = (unsigned char)c * 0x0101010101010101ull;
    for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD) {
        uint64_t *q = (uint64_t *)(void *)d;
        q[0] = w;
        q[1] = w;
        q[2] = w;
        q[3] = w;
    }
    for (; n >= WORD; n -= WORD, d += WORD) {
        *(uint64_t *)(void *)d = w;
    }
    while (n-- > 0) {
        *d++ = (unsigned char)c;
    }
    return dst;
}

/* Forward copy; word moves only when both sides share their alignment. */
static void
copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
    if ((((uintptr_t)d ^ (uintptr_t)s) & (WORD - 1)) == 0) {
        while (n > 0 && !aligned(d)) {
            *d++ = *s++;
            n--;
        }
        for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD, s += 4 * WORD) {
            uint64_t *q = (uint64_t *)(void *)d;
            const uint64_t *p = (const uint64_t *)(const void *)s;
            uint64_t a = p[0], b = p[1], e = p[2], f = p[3];
            q[0] = a;
            q[1] = b;
            q[2] = e;
            q[3] = f;
        }
        for (; n >= WORD; n -= WORD, d += WORD, s += WORD) {
            *(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
        }
    }
    while (n-- > 0) {
        *d++ = *s++;
    }
}

void *
memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n) {
        copy_forward(d, s, n);
        return dst;
    }
    /* overlapping with dst above src: backwards */
    d += n;
    s += n;
    if ((((uintptr_t)d ^ (uintptr_t)s) & (WORD - 1)) == 0) {
        while (n > 0 && !aligned(d)) {
            *--d = *--s;
            n--;
        }
        for (; n >= WORD; n -= WORD) {
            d -= WORD;
            s -= WORD;
            *(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
        }
    }
    while (n-- > 0) {
        *--d = *--s;
    }
    return dst;
}
