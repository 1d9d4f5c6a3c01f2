/* SPDX-License-Identifier: MIT */
/*
 * cp/vm.h - one virtual machine: its CPU (cp/rv.h), its storage (cp/stor.h),
 * its device table (cp/vdev.h), its pending external events and the
 * hypercall (DIAG and SBI) interface of include/vmrv/diag.h.
 *
 * Above: CP's dispatcher (or `vmrv run`, cp/run.c) creates a VM, attaches
 * devices, IPLs it and calls vm_run() again and again; each call runs one
 * slice and says what the VM needs next.  Below: the CPU runs guest code and
 * hands every S-mode ecall to vm_hypercall(), which looks the call up in
 * the tables of cp/diag_table.c.  CP's own services (CP commands, spool,
 * messages, saved segments) are reached through struct vm_cp_ops, so this
 * layer knows nothing of the directory, the spool or SSH.
 *
 * Life cycle of a VM as seen by vm_run():
 *
 *   STOPPED --IPL--> RUNNING <--------------------------------+
 *                      |  slice over / kicked: RUNNING        |
 *                      |  DIAG 058 READ, no line: READ_WAIT --+-- line or attention
 *                      |  console full: OUTPUT_WAIT ----------+-- console drained
 *                      |  wfi: WFI_WAIT ----------------------+-- wake_time or event
 *                      |  CP service waits: SERVICE_WAIT -----+-- CP's service is ready
 *                      |  DIAG test exit / SBI SRST: HALTED (until IPL or reset)
 *                      |  nothing can wake it: DISABLED_WAIT (until IPL or reset)
 *
 * A VM in a wait state costs nothing: the caller simply does not run it
 * until one of the wake conditions above happens; after vm_post_event()
 * or vm_attention() the caller should run a waiting VM once (an enabled
 * interrupt, or DIAG_EINTR, may end its wait).  Running a VM early is
 * harmless: a waiting hypercall runs again and waits again.  RESET
 * (vm_reset) brings any state back to STOPPED.
 *
 * Threads: a VM belongs to the thread that runs it.  Every function here
 * must be called by that thread (or by anyone while no thread runs it),
 * except vm_kick().  Work from other threads goes through CP's mailbox.
 */
#ifndef CP_VM_H
#define CP_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/rv.h"

struct vm;
struct stor;
struct vdev_table;

/* One hypercall as the dispatcher sees it.  Handlers read a[] and set
 * error (-> a0), value (-> a1) and, with has_value2, value2 (-> a2); every
 * other guest register is preserved. */
struct diag_call {
    uint64_t eid; /* a7: extension id */
    uint64_t fid; /* a6: function id */
    uint64_t a[6]; /* a0..a5 as the guest passed them */
    int64_t error; /* DIAG_OK or a negative DIAG_E* code */
    uint64_t value;
    uint64_t value2;
    bool has_value2;
    const char *ext_name; /* "DIAG", "BASE", "DBCN", ...: for TRACE */
    const char *fn_name; /* "CONSOLE", "SET_TIMER", ... or "?" */
};

/* A CP service behind a DIAG function.  Runs on the VM's thread inside
 * vm_run().  Reads the call's arguments, may use vm_stor() for guest
 * memory, sets the results and returns what the CPU should do
 * (RV_HCALL_CONTINUE normally; RV_HCALL_WAIT to run the ecall again later;
 * RV_HCALL_YIELD to end the slice after it). */
typedef enum rv_hcall (*vm_service_fn)(void *ctx, struct vm *vm, struct diag_call *call);

/* What CP plugs into a VM.  Every member may be NULL: a NULL service
 * answers DIAG_ENOTSUP to the guest. */
struct vm_cp_ops {
    void *ctx;
    vm_service_fn cp_command; /* DIAG 0x008 */
    vm_service_fn reader; /* DIAG 0x014 */
    vm_service_fn segment; /* DIAG 0x064 */
    vm_service_fn message; /* DIAG 0x068 */
    vm_service_fn ur_write; /* DIAG 0x1000 */
    /* After every hypercall (TRACE): the call with its results. */
    void (*trace)(void *ctx, struct vm *vm, const struct diag_call *call);
    /* Something the operator should know (a host I/O error on a disk). */
    void (*log)(void *ctx, struct vm *vm, const char *text);
    /* A page the VM waits for (vm_status.page_wait) is in: run it now
     * rather than at wake_time.  Called on a pager thread; must not call
     * into the VM (only wake whoever runs it). */
    void (*page_ready)(void *ctx, struct vm *vm);
};

enum vm_state {
    VM_RUNNING = 0, /* runnable: call vm_run() again */
    VM_STOPPED, /* never IPLed, or reset: nothing to run until an IPL */
    VM_READ_WAIT, /* console READ with no line: run when a line arrives
                     (vm_console_input), on attention, or at wake_time */
    VM_OUTPUT_WAIT, /* the console refused output (full): run when it drains */
    VM_WFI_WAIT, /* wfi: run at wake_time or when an event is posted */
    VM_SERVICE_WAIT, /* a CP service (struct vm_cp_ops) returned
                        RV_HCALL_WAIT: run when that service is ready */
    VM_HALTED, /* ended by the guest: see halt and code */
    VM_DISABLED_WAIT, /* can never continue: see reason */
};

enum vm_halt {
    VM_HALT_EXIT = 1, /* DIAG 0x1010 test exit: code = the guest's a0 */
    VM_HALT_SHUTDOWN, /* SBI SRST shutdown: code = the SRST reason */
    VM_HALT_REBOOT, /* SBI SRST cold reboot: code = the reason (IPL again,
                       storage cleared) */
    VM_HALT_WARM_REBOOT, /* SBI SRST warm reboot: IPL again, storage kept */
};

struct vm_status {
    enum vm_state state;
    /* READ_WAIT, OUTPUT_WAIT, WFI_WAIT: the guest `time` value at which the
     * clock comparator wakes the VM, UINT64_MAX if it does not.  Convert
     * with vm_ns_until(). */
    uint64_t wake_time;
    enum vm_halt halt; /* HALTED */
    uint64_t code; /* HALTED: exit code or SRST reason */
    const char *reason; /* DISABLED_WAIT: one line, owned by the VM */
    /* SERVICE_WAIT because a page of the VM is being read back from the
     * paging file on a pager thread (cp/paging.h): run it again at
     * wake_time (soon); the dispatcher thread is free for other VMs. */
    bool page_wait;
};

/* Creates a VM with `storage` bytes (a multiple of 4 KiB, 8 KiB to
 * VMRV_MAX_STORAGE) for `userid` (1-8 characters of A-Z a-z 0-9 @ # $,
 * kept upper case), with privilege class G, no devices, no CP services and
 * the CPU stopped at pc 0 until an IPL.  NULL with errno EINVAL (bad size
 * or userid) or ENOMEM.  The caller owns the VM. */
struct vm *vm_create(uint64_t storage, const char *userid);

/* Destroys the VM, its CPU, storage and every device still attached. */
void vm_destroy(struct vm *vm);

/* Plugs in CP's services (copied).  NULL unplugs them all. */
void vm_set_cp_ops(struct vm *vm, const struct vm_cp_ops *ops);

/* Privilege classes (bit n = class 'A'+n) that DIAG 0x000 reports. */
void vm_set_privclasses(struct vm *vm, uint32_t classes);

const char *vm_userid(const struct vm *vm); /* upper case, NUL terminated */
struct stor *vm_stor(struct vm *vm);
struct rv_cpu *vm_cpu(struct vm *vm);
struct vdev_table *vm_devices(struct vm *vm);
uint64_t vm_storage_size(const struct vm *vm);

/* ---- IPL ---------------------------------------------------------------- */

/* Loads the ELF file at path (cp/elf.h) and IPLs it: the IPL block of
 * vmrv/ipl.h with `system` taken from the file's name and `parm` (may be
 * NULL; at most VMRV_IPL_PARM_MAX bytes), then the registers of vmrv/ipl.h.
 * Storage is not cleared first (vm_reset does that).  0, or a negative
 * errno with a one-line reason in err (storage untouched when the ELF is
 * refused). */
int vm_ipl_elf(struct vm *vm, const char *path, const char *parm, char *err, size_t errlen);

/* The same from an ELF image in host memory; name becomes `system`. */
int vm_ipl_elf_image(struct vm *vm, const void *image, size_t size, const char *name,
                     const char *parm, char *err, size_t errlen);

/* IPL of code already in storage (a named saved system that CP attached):
 * writes the IPL block (seg_base/seg_size describe the segment) and starts
 * at entry.  0, or -EINVAL (parm too long, entry outside storage). */
int vm_ipl_start(struct vm *vm, uint64_t entry, const char *system, uint64_t seg_base,
                 uint64_t seg_size, const char *parm, char *err, size_t errlen);

/* IPL of the named saved system `name` from the ELF file at path
 * (cp/nss.h): its image in the saved-segment window is attached shared
 * (built once, or again when the file changed), DIAG 0x010 refuses to
 * release it, and the IPL block names it (seg_base, seg_size).  An ELF that
 * loads outside the window is IPLed privately as vm_ipl_elf.  0, or a
 * negative errno with a one-line reason in err. */
int vm_ipl_nss(struct vm *vm, const char *name, const char *path, const char *parm, char *err,
               size_t errlen);

/* SYSTEM RESET (clear = false) or CLEAR (clear = true: storage back to
 * zeros): CPU reset at pc 0, events dropped, comparator off, not halted.
 * The VM stays stopped until the next IPL. */
void vm_reset(struct vm *vm, bool clear);

/* Tells DIAG 0x010 that [base, base+len) holds a shared segment (it
 * refuses to release it); len 0 removes the range starting at base.
 * 0, -ENOSPC (too many ranges) or -EINVAL. */
int vm_shared_range(struct vm *vm, uint64_t base, uint64_t len);

/* ---- running ------------------------------------------------------------ */

/* Runs one slice of at most about `budget` instructions on the calling
 * thread with the given TLB (the dispatcher thread's; see cp/rv.h) and
 * returns what the VM needs next.  A STOPPED, HALTED or DISABLED_WAIT VM is
 * not run: its status is returned again.  A slice may end early (RUNNING)
 * when the CPU was kicked.  Never fails: guest errors go to the guest. */
struct vm_status vm_run(struct vm *vm, struct rv_tlb *tlb, uint64_t budget);

/* The status of the last vm_run() (or of the IPL). */
struct vm_status vm_status(const struct vm *vm);

/* The ecall hook the CPU calls: reads a0..a7, runs the hypercall through
 * the tables of cp/diag_table.c, writes a0, a1 (and a2 where documented).
 * Public so tests can issue hypercalls without guest code. */
enum rv_hcall vm_hypercall(struct vm *vm);

/* Any thread: end a running slice soon (rv_cpu_kick). */
void vm_kick(struct vm *vm);

/* The guest's `time` (VMRV_TIMEBASE_HZ, 0 at IPL) and the host
 * nanoseconds from now until it reaches t (0 if it has; INT64_MAX for
 * UINT64_MAX). */
uint64_t vm_time(const struct vm *vm);
int64_t vm_ns_until(const struct vm *vm, uint64_t t);

/* Instructions retired since the VM was created. */
uint64_t vm_instret(const struct vm *vm);

/* ---- external events (DIAG 0x1008) -------------------------------------- */

/* Queues an event (DIAG_EVENT_*) and raises SEIP.  Attention and console
 * events are kept once (a second one while one waits is merged).
 * 0, or -ENOSPC when the queue is full. */
int vm_post_event(struct vm *vm, uint32_t type, uint64_t detail);

/* The user pressed attention.  Queues DIAG_EVENT_ATTENTION and makes a
 * waiting (or the next) console READ end with DIAG_EINTR, once.  Returns
 * true if an attention was already waiting unclaimed: the caller then
 * handles it as a second attention (CP READ, or `vmrv run` ends). */
bool vm_attention(struct vm *vm);

/* The console has a new input line.  A VM in READ_WAIT becomes runnable;
 * otherwise DIAG_EVENT_CONSOLE is queued (for guests that poll and wfi). */
void vm_console_input(struct vm *vm);

/* ---- accounting --------------------------------------------------------- */

/* Virtual CPU (thread CPU time spent running guest instructions) and total
 * CPU (virtual plus CP's work for this VM: hypercalls, IPL, and whatever
 * CP adds with vm_account_cp), in microseconds. */
void vm_cpu_times(const struct vm *vm, uint64_t *virtual_us, uint64_t *total_us);
void vm_account_cp(struct vm *vm, uint64_t ns);

#endif /* CP_VM_H */
