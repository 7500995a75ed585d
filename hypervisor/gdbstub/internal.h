/*
 * Between the gdbstub's files: the per-VM debugger state and what each file
 * offers the others.
 *
 *   gdbstub.c   the target ops for one VM (registers, memory, threads,
 *               resume, detach), the virtio-console entry points
 *   guestmem.c  guest memory by the debugger's addresses (VA or GPA)
 *   vmstop.c    stopping and resuming the VM, stops for faults, monitor why
 *   bp.c        software breakpoints (Z0) and the ebreak trap
 *   step.c      single-step by temporary breakpoints
 *   trig.c      hardware triggers through SBI DBTR (Z1-Z4)
 *   watch.c     watchpoints by G-stage write protection, where there is no
 *               trigger (Z2)
 *   monitor.c   monitor CMD
 *
 * Locking: each VM's struct vm_debug has a lock held around everything the
 * stub does for it (packets in, stop replies out, breakpoint traps).  The
 * order is: virtio-console receive lock, vm_debug lock, VM lock / scheduler
 * lock, virtio-console transmit lock.
 */
#ifndef GDBSTUB_INTERNAL_H
#define GDBSTUB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gdbstub/stub.h"
#include "gdbstub/nextpc.h"
#include "arch/dbtr.h"
#include "lib/spinlock.h"

struct vm;
struct vcpu;
struct exit_info;

#define BP_MAX	      32
#define TEMP_MAX      (NEXTPC_MAX + 1) /* next-PC targets and stvec */
#define INSN_EBREAK   0x00100073u
#define INSN_C_EBREAK 0x9002u
#define PAGE	      4096UL

struct bp {
	bool used;
	uint8_t len; /* 2 or 4 */
	uint64_t va, gpa;
	uint32_t orig; /* the instruction bytes it replaced */
};

#define WATCH_MAX 4

/* A watchpoint done by write-protecting its page (watch.c). */
struct pagewatch {
	bool used;
	unsigned len;
	uint64_t addr; /* as gdb gave it (VA, or GPA after monitor phys on) */
	uint64_t gpa;
};

/* A hardware trigger gdb asked for (Z1-Z4). */
struct hwtrig {
	bool used;
	uint8_t type; /* 1 execute, 2 write, 3 read, 4 access (gdb's Z numbers) */
	unsigned len;
	uint64_t addr;
};

struct vm_debug {
	spinlock_t lock;
	struct vm *vm;
	struct gdbstub stub;
	volatile uint32_t stop_pending; /* a stop was asked for; claimed when the VM is off its harts */
	unsigned stop_tid;		/* the first vCPU (tid) to hit a breakpoint, 0: the stub's own stop */
	int stop_sig;
	bool phys;     /* monitor phys on: addresses are guest-physical */
	bool deleg_bp; /* hedeleg bit 3 as it was before the debugger came */
	bool hedeleg_saved;
	struct bp bps[BP_MAX];
	struct bp temps[TEMP_MAX]; /* the step's temporary breakpoints */
	int step_vcpu;		   /* -1: not stepping */
	bool vsie_masked;
	uint64_t saved_vsie;
	/* Stops for faults (monitor catch fault, a VM that would have died). */
	bool catch_on;	 /* mirrored in vm->catch_faults for the trap path */
	bool fault_stop; /* the last stop was for the fault below */
	bool pass_next;	 /* the caught fault's retry goes to the guest */
	unsigned fault_vcpu;
	uint64_t fault_scause, fault_sepc, fault_stval;
	/* Hardware triggers (Z1-Z4): changed only while the VM is stopped. */
	struct hwtrig trigs[DBTR_MAX];
	unsigned trig_count;
	uint32_t trig_gen; /* bumped on every change: harts reinstall */
	/* Watchpoints without triggers (watch.c): changed only while the VM is stopped. */
	struct pagewatch watches[WATCH_MAX];
	char stop_extra[40]; /* the stop reply's watch:ADDR; for the pending stop */
};

/* gdbstub.c */
extern bool gdbstub_present; /* the virtio-console is there */
struct vm_debug *gdbstub_debug_of(struct vm *vm);

/* guestmem.c: VA -> GPA ignoring the guest's permissions; the debugger's addresses (phys on: GPAs) */
bool guestmem_walk(struct vm_debug *d, uint64_t vsatp, uint64_t va, uint64_t *gpa_out);
bool guestmem_gpa(struct vm_debug *d, uint64_t vsatp, uint64_t va, uint64_t *gpa_out);
uint8_t *guestmem_ptr(struct vm_debug *d, uint64_t vsatp, uint64_t va, size_t len, uint64_t *gpa_out);
int guestmem_copy(struct vm_debug *d, uint64_t vsatp, uint64_t va, uint8_t *buf, size_t len, bool write);
bool guestmem_fetch(struct vm_debug *d, uint64_t vsatp, uint64_t pc, uint32_t *insn);
void guestmem_changed(struct vm *vm);

/* vmstop.c */
void vmstop_request(struct vm_debug *d, unsigned tid, int sig);
void vmstop_resume(struct vm_debug *d);
void vmstop_hedeleg(struct vm_debug *d, bool debugging);
void vmstop_catch_set(struct vm_debug *d, bool on);
bool vmstop_release_dying(struct vm_debug *d);

/* bp.c */
enum bp_kind { BP_NONE,
	       BP_USER,
	       BP_TEMP };
bool bp_plant(struct vm_debug *d, uint64_t vsatp, struct bp *b, uint64_t va, unsigned len);
void bp_unplant(struct vm_debug *d, struct bp *b);
enum bp_kind bp_ours(struct vm_debug *d, uint64_t gpa);
unsigned bp_count(struct vm_debug *d);
int bp_insert(void *ctx, uint64_t addr, unsigned kind);
int bp_remove(void *ctx, uint64_t addr, unsigned kind);
void bp_remove_all(struct vm_debug *d);

/* step.c */
int step_setup(struct vm_debug *d, struct vcpu *v);
void step_finish(struct vm_debug *d);

/* trig.c */
int trig_insert(void *ctx, unsigned type, uint64_t addr, unsigned len);
int trig_remove(void *ctx, unsigned type, uint64_t addr, unsigned len);
void trig_remove_all(struct vm_debug *d);
const struct hwtrig *trig_hit(struct vm_debug *d, struct vcpu *v, const struct exit_info *e);

/* watch.c */
int watch_insert(struct vm_debug *d, uint64_t addr, unsigned len);
int watch_remove(struct vm_debug *d, uint64_t addr, unsigned len);
void watch_remove_all(struct vm_debug *d);

/* For the monitor commands (monitor.c). */
void gdbstub_monitor(struct vm_debug *d, const char *cmd, char *out, size_t size);
void gdbstub_set_phys(struct vm_debug *d, bool on);
bool gdbstub_phys(struct vm_debug *d);
int gdbstub_vm_id(struct vm_debug *d);
void gdbstub_set_catch(struct vm_debug *d, bool on);
bool gdbstub_catching(struct vm_debug *d);
uint64_t gdbstub_pc(struct vm_debug *d);
void gdbstub_triggers_info(struct vm_debug *d, char *out, size_t size); /* monitor triggers */
void gdbstub_why(struct vm_debug *d, char *out, size_t size);		/* monitor why */
unsigned gdbstub_vcpu_index(struct vm_debug *d);			/* the thread gdb has selected (Hg) */

#endif
