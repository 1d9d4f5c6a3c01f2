/* SPDX-License-Identifier: MIT */
/*
 * cp/vdev_term.h - a console device (cp/vdev.h) on a pair of host file
 * descriptors: guest output written to one (stdout), input lines read from
 * the other (stdin: a terminal or a pipe).  Used by `vmrv run`; tests use
 * it on pipes.
 *
 * Input is read only when the caller says the descriptor is readable
 * (vdev_term_fill), so the VM never blocks on it; lines are split at '\n'
 * (a trailing '\r' is dropped), lines longer than VDEV_CONSOLE_LINE_MAX
 * are split, and a last line without '\n' counts at end of file.
 */
#ifndef CP_VDEV_TERM_H
#define CP_VDEV_TERM_H

#include <stdbool.h>

struct vdev_term;
struct vdev_console_ops;

/* The console ops for a vdev_term (destroy frees it, not the fds). */
extern const struct vdev_console_ops vdev_term_ops;

/* A terminal console on in_fd/out_fd (kept open by the caller).  NULL on
 * out of memory. */
struct vdev_term *vdev_term_create(int in_fd, int out_fd);
void vdev_term_destroy(struct vdev_term *t);

/* Reads once from in_fd (call when poll says it is readable).  Returns
 * the number of complete lines that became ready (0 if none), or -1 when
 * input ended now (end of file or a read error). */
int vdev_term_fill(struct vdev_term *t);

bool vdev_term_has_line(const struct vdev_term *t); /* a line is ready */
bool vdev_term_eof(const struct vdev_term *t); /* input has ended */
/* True while the caller should poll in_fd: not at EOF and the input
 * buffer has room (a guest that never reads stops the reading). */
bool vdev_term_want_input(const struct vdev_term *t);

#endif /* CP_VDEV_TERM_H */
