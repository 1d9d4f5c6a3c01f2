/* SPDX-License-Identifier: MIT */
/*
 * cp/diag.h - private to the hypercall layer: the tables that map an
 * extension id and function id to a handler (cp/diag_table.c), the
 * handlers (cp/diag_*.c, cp/sbi.c), their guest-memory helpers, and the
 * few VM internals they need from cp/vm.c.  CP outside this layer uses
 * cp/vm.h only.
 *
 * A handler reads call->a[], sets call->error / value / value2 and returns
 * what the CPU does next (RV_HCALL_CONTINUE, or RV_HCALL_WAIT to run the
 * same ecall again later, RV_HCALL_STOP to end the VM).  A handler never
 * trusts an argument: a bad one is an error code to the guest, never a
 * crash, and guest storage is touched only through cp/stor.h after the
 * whole buffer was checked.
 */
#ifndef CP_DIAG_H
#define CP_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/rv.h"
#include "cp/vm.h"

typedef enum rv_hcall (*diag_handler)(struct vm *vm, struct diag_call *c);

struct diag_fn {
    uint64_t fid;
    const char *name;
    diag_handler fn;
};

struct diag_ext {
    uint64_t eid;
    const char *name;
    const struct diag_fn *fns;
    const size_t *nfns; /* the table's size, defined beside it */
};

/* ---- cp/diag_table.c ---------------------------------------------------- */

/* Looks up call->eid/fid, sets the names, runs the handler (unknown:
 * DIAG_ENOTSUP), calls the trace hook. */
enum rv_hcall diag_dispatch(struct vm *vm, struct diag_call *c);
/* True if CP answers extension eid (SBI probe_extension). */
bool diag_ext_present(uint64_t eid);
/* Names for TRACE; "?" when unknown.  Never NULL. */
const char *diag_ext_name(uint64_t eid);
const char *diag_fn_name(uint64_t eid, uint64_t fid);

/* Sets the error and returns RV_HCALL_CONTINUE: `return diag_fail(c, E);` */
enum rv_hcall diag_fail(struct diag_call *c, int64_t error);

/* True if [gpa, gpa+len) lies wholly inside storage (len 0: always). */
bool diag_range_ok(struct vm *vm, uint64_t gpa, uint64_t len);

/* Restartable DIAGs and paging: called before a handler touches the guest
 * buffer [gpa, gpa+len) (range already checked) and before any other side
 * effect.  True when a page of it is out on the paging file and the VM
 * goes to page wait for it: the handler returns RV_HCALL_WAIT at once, and
 * the whole call runs again once the page is in (a buffer of several pages
 * out may take several rounds).  False: go on. */
bool diag_paged_out(struct vm *vm, uint64_t gpa, uint64_t len);

/* Copies obj (size bytes) to the guest buffer [gpa, gpa+buflen): writes
 * min(buflen, size) bytes and sets c->value to that count.  DIAG_EFAULT
 * (nothing written) if that many bytes are not in storage. */
enum rv_hcall diag_put(struct vm *vm, struct diag_call *c, uint64_t gpa, uint64_t buflen,
                       const void *obj, size_t size);

/* CP's version for the guest: major << 16 | minor << 8 | patch. */
uint32_t diag_cp_version(void);

/* Copies a space-padded, upper-cased name into dst[n]. */
void diag_pad_name(char *dst, size_t n, const char *src);

/* ---- handler tables (one per extension) --------------------------------- */
extern const struct diag_fn diag_fns[]; /* DIAG_EID: cp/diag_table.c */
extern const size_t diag_nfns;
extern const struct diag_fn sbi_base_fns[], sbi_time_fns[], sbi_dbcn_fns[], sbi_srst_fns[];
extern const size_t sbi_base_nfns, sbi_time_nfns, sbi_dbcn_nfns, sbi_srst_nfns;

/* ---- handlers ----------------------------------------------------------- */
/* cp/diag_machine.c */
enum rv_hcall diag_identify(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_timer(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_release_pages(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_storage_size(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_clock_comparator(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_event_claim(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_protect(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_test_exit(struct vm *vm, struct diag_call *c);
/* cp/diag_device.c */
enum rv_hcall diag_devinfo(struct vm *vm, struct diag_call *c);
/* cp/diag_console.c (DIAG 0x058 and the SBI DBCN functions) */
enum rv_hcall diag_console(struct vm *vm, struct diag_call *c);
enum rv_hcall sbi_dbcn_write(struct vm *vm, struct diag_call *c);
enum rv_hcall sbi_dbcn_read(struct vm *vm, struct diag_call *c);
enum rv_hcall sbi_dbcn_write_byte(struct vm *vm, struct diag_call *c);
/* cp/diag_block.c */
enum rv_hcall diag_block_io(struct vm *vm, struct diag_call *c);
/* cp/diag_service.c: CP's services through struct vm_cp_ops */
enum rv_hcall diag_cp_command(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_reader(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_segment(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_message(struct vm *vm, struct diag_call *c);
enum rv_hcall diag_ur_write(struct vm *vm, struct diag_call *c);

/* ---- VM internals for the handlers (cp/vm.c) ---------------------------- */
const struct vm_cp_ops *vm_cp_ops(const struct vm *vm);
uint32_t vm_privclasses(const struct vm *vm);
/* The handler returns RV_HCALL_WAIT because of this (READ_WAIT or
 * OUTPUT_WAIT). */
void vm_set_wait(struct vm *vm, enum vm_state why);
/* The handler returns RV_HCALL_STOP: the VM halts so. */
void vm_set_halt(struct vm *vm, enum vm_halt how, uint64_t code);
/* True once after vm_attention(): a console READ ends with DIAG_EINTR. */
bool vm_take_read_interrupt(struct vm *vm);
/* The oldest event: 0, or -EAGAIN when none.  SEIP follows the queue. */
int vm_claim_event(struct vm *vm, uint32_t *type, uint64_t *detail);
/* The clock comparator (UINT64_MAX = off). */
void vm_set_timecmp(struct vm *vm, uint64_t value);
/* True if [gpa, gpa+len) overlaps a shared segment range. */
bool vm_range_shared(const struct vm *vm, uint64_t gpa, uint64_t len);
/* Operator log through cp_ops->log (stderr-free when none is plugged). */
void vm_log(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* CP_DIAG_H */
