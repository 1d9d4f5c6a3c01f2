// SPDX-License-Identifier: MIT
/* cp/rv.c - not yet written. */
int rv_placeholder;
