// SPDX-License-Identifier: MIT
/*
 * bench/guest/k_interp.c - the branchy kernel of the CPU benchmark: a
 * small stack-machine bytecode interpreter (a switch over opcodes, which GCC
 * turns into a jump table: an indirect jump per bytecode) running a program
 * that counts the primes below a bound by trial division and sums a
 * Collatz walk.  Linked unchanged into both the VM/RV and the Linux program.
 */
#include <stdint.h>

uint64_t bench_kernel(uint64_t iters);

enum {
    OP_PUSH, /* push imm */
    OP_LOAD, /* push var[imm] */
    OP_STORE, /* var[imm] = pop */
    OP_ADD, OP_SUB, OP_MUL, OP_MOD, OP_DIV2,
    OP_LT, /* a < b */
    OP_EQ,
    OP_AND1, /* a & 1 */
    OP_JZ, /* pop; jump to imm if zero */
    OP_JMP,
    OP_INC, /* var[imm]++ */
    OP_HALT,
};

struct insn {
    uint8_t op;
    int16_t imm;
};

/* vars: 0 n, 1 d, 2 count, 3 limit, 4 x, 5 steps */
static const struct insn prog[] = {
    /* 0 */ {OP_PUSH, 2}, {OP_STORE, 0}, {OP_PUSH, 0}, {OP_STORE, 2},
    /* 4: outer: while n < limit */
    {OP_LOAD, 0}, {OP_LOAD, 3}, {OP_LT, 0}, {OP_JZ, 32},
    /* 8 */ {OP_PUSH, 2}, {OP_STORE, 1},
    /* 10: inner: while d*d <= n  (i.e. !(n < d*d)) */
    {OP_LOAD, 0}, {OP_LOAD, 1}, {OP_LOAD, 1}, {OP_MUL, 0}, {OP_LT, 0}, {OP_PUSH, 0},
    {OP_EQ, 0}, {OP_JZ, 27},
    /* 18: if n % d == 0: not prime */
    {OP_LOAD, 0}, {OP_LOAD, 1}, {OP_MOD, 0}, {OP_JZ, 29},
    /* 22 */ {OP_INC, 1}, {OP_JMP, 10}, {OP_HALT, 0}, {OP_HALT, 0}, {OP_HALT, 0},
    /* 27: prime */ {OP_INC, 2}, {OP_JMP, 29},
    /* 29: next n */ {OP_INC, 0}, {OP_JMP, 4}, {OP_HALT, 0},
    /* 32: Collatz walk from x while x != 1 */
    {OP_LOAD, 4}, {OP_PUSH, 1}, {OP_EQ, 0}, {OP_JZ, 37}, {OP_HALT, 0},
    /* 37 */ {OP_INC, 5}, {OP_LOAD, 4}, {OP_AND1, 0}, {OP_JZ, 48},
    /* 41: odd: x = 3x + 1 */
    {OP_LOAD, 4}, {OP_PUSH, 3}, {OP_MUL, 0}, {OP_PUSH, 1}, {OP_ADD, 0}, {OP_STORE, 4},
    {OP_JMP, 32},
    /* 48: even: x = x / 2 */
    {OP_LOAD, 4}, {OP_DIV2, 0}, {OP_STORE, 4}, {OP_JMP, 32},
};

static int64_t
run(int64_t *var)
{
    int64_t stack[16];
    int sp = 0;
    unsigned pc = 0;
    for (;;) {
        const struct insn *in = &prog[pc++];
        switch (in->op) {
        case OP_PUSH: stack[sp++] = in->imm; break;
        case OP_LOAD: stack[sp++] = var[in->imm]; break;
        case OP_STORE: var[in->imm] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case OP_DIV2: stack[sp - 1] /= 2; break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case OP_AND1: stack[sp - 1] &= 1; break;
        case OP_JZ: if (stack[--sp] == 0) { pc = (unsigned)in->imm; } break;
        case OP_JMP: pc = (unsigned)in->imm; break;
        case OP_INC: var[in->imm]++; break;
        case OP_HALT: return var[2] * 1000003 + var[5];
        default: return -1;
        }
        if (sp < 0 || sp > 14) {
            return -2; /* a broken program, never a wild write */
        }
    }
}

uint64_t
bench_kernel(uint64_t iters)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < iters; i++) {
        int64_t var[8] = {0, 0, 0, 600 + (int64_t)(i % 7), 27 + (int64_t)(i % 13), 0, 0, 0};
        sum = sum * 33 + (uint64_t)run(var);
    }
    return sum;
}
