// SPDX-License-Identifier: MIT
/* spool/spool.c - not yet written. */
int spool_placeholder;
