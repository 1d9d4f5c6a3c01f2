// SPDX-License-Identifier: MIT
/* cp/cp_placeholder.c - not yet written. */
int cp_placeholder;
