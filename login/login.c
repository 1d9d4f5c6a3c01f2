// SPDX-License-Identifier: MIT
/* login/login.c - not yet written. */
int login_placeholder;
