/* SPDX-License-Identifier: MIT */
/*
 * cp/rv_decode.h - the decoder (cp/rv_decode.c): one instruction into one
 * decoded op, before the translator (cp/rv_xlate.c) places it in a block.
 * Pure functions, no state: also what the unit tests call directly.
 */
#ifndef CP_RV_DECODE_H
#define CP_RV_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "cp/rv_int.h"

struct rv_dop {
    enum rv_opk k;
    uint8_t rd, rs1, rs2;
    int32_t imm; /* see struct rv_op; for AUIPC the U-immediate */
    int32_t target; /* JAL and branches: offset of the target from pc */
    bool end; /* the op ends its block */
};

/* Decodes the 32-bit instruction w. */
void rv_decode(uint32_t w, struct rv_dop *d);

/* Decodes the instruction whose first halfword is lo (and second, used
 * only when lo says 32 bits, hi).  Returns its length, 2 or 4. */
unsigned rv_decode_at(uint16_t lo, uint16_t hi, struct rv_dop *d);

/* The 32-bit form of a compressed instruction, 0 if it is reserved or
 * needs an extension we lack (F/D). */
uint32_t rv_expand_c(uint16_t c);

#endif /* CP_RV_DECODE_H */
