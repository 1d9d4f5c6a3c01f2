// SPDX-License-Identifier: MIT
/* cp/stor.c - not yet written. */
int stor_placeholder;
