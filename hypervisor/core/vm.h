/* VMs and their vCPUs. */
#ifndef CORE_VM_H
#define CORE_VM_H

#include <stdbool.h>
#include <stdint.h>
#include "spec/board.h"
#include "spec/trace_record.h"
#include "arch/csr.h"
#include "arch/vcpu_regs.h"
#include "core/term.h"
#include "core/faultloop.h"
#include "lib/ratelimit.h"
#include "lib/spinlock.h"
#include "mem/gstage.h"
#include "devmodel/vplic.h"
#include "devmodel/vuart.h"

#define VM_SBI_EXT_SLOTS  9 /* sbi/sbi.c: its extensions, then "unsupported" */
#define VM_MMIO_DEV_SLOTS 4
#define VM_INPUT_QUEUE	  4096

/* VM_RESETTING: a reset was asked for; it happens once no vCPU is on a hart. */
enum vm_state { VM_RUNNING,
		VM_PAUSED,
		VM_STOPPED,
		VM_DEAD,
		VM_RESETTING };

/*
 * HSM states (SBI spec, "Hart State Management").  A vCPU is OFF only once it
 * has left its hart: until then hart_stop leaves it STOP_PENDING, so that a
 * hart_start cannot reset state the old hart's vcpu_put() would still save.
 */
enum vcpu_state {
	VCPU_OFF,	    /* HSM stopped: not started yet or hart_stop'ed, off every hart */
	VCPU_RUNNABLE,	    /* wants a hart */
	VCPU_BLOCKED,	    /* in WFI, waiting for an interrupt or its vstimecmp */
	VCPU_STOP_PENDING,  /* hart_stop'ed, still loaded on its hart */
	VCPU_START_PENDING, /* hart_start claimed it and is resetting it */
};

/* Exit statistics: counters are only ever incremented by the hart running the vCPU. */
struct trace_ring;

struct vcpu_stats {
	uint64_t exits;
	uint64_t by_cause[CAUSE_COUNT];
	uint64_t by_irq[16];
	uint64_t sbi_calls;
	uint64_t sbi_by_ext[VM_SBI_EXT_SLOTS]; /* slot: sbi_ext_name_at() */
	uint64_t mmio;
	uint64_t mmio_by_dev[VM_MMIO_DEV_SLOTS];
	uint64_t ad_fixups;
	uint64_t pf_reflected;
};

/* A fault report's facts, kept so `hv> dump N` and gdb can show it again. */
struct vm_postmortem {
	bool valid;
	bool loop; /* a fault loop, not a single fault */
	unsigned vcpu;
	char why[96];
	uint64_t scause, sepc, stval, htval, htinst;
	uint64_t regs[32];
	uint64_t vsstatus, vsepc, vscause, vstval, vsatp, vstvec;
	uint64_t hstatus, henvcfg, hgatp, hedeleg, priv_u;
	uint64_t first_scause, first_sepc, first_stval; /* where the chain began */
	uint64_t first_gpa;				/* its guest-physical address (guest-page faults) */
	bool has_first;
	uint64_t time;
	char tag[48];	     /* kind of death, for the one-line notice: "A/D" */
	char diagnosis[320]; /* the report's last word: cause and way out */
};

struct vcpu {
	struct vcpu_regs regs; /* must stay first: asm uses it */
	struct vcpu_fp fp;
	struct vm *vm;
	unsigned id;

	/* Scheduling: guarded by sched_lock. */
	enum vcpu_state state;
	bool running; /* loaded on a hart right now */
	int hart;     /* hart it runs or last ran on, -1 never */

	/* Saved VS-level and per-vCPU H CSRs (valid while not loaded). */
	uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
	uint64_t vstimecmp, senvcfg, scounteren, hvip, htimedelta;
	bool fp_live; /* fp holds state that must be restored */

	/* Set from other harts (atomics): IPI/interrupt requests. */
	volatile uint32_t ssip_pending;	 /* SBI IPI or legacy IPI: raise VSSIP */
	volatile uint32_t flush_pending; /* RFENCE: flush VS TLB + fence.i before entry */
	bool vseip;			 /* hvip.VSEIP set by us (vPLIC output) */
	int exit_action;		 /* enum trap_action of the last exit */
	/* Where this vCPU's trace records go while it is loaded (vcpu_load). */
	struct trace_ring *trace_ring;
	uint32_t trace_tag;	 /* trace_tag(hart, vm, vcpu) */
	uint32_t trace_tag_sbi;	 /* the same with kind TRACE_SBI: the quick exits' records */
	uint32_t trace_tag_mmio; /* and with TRACE_MMIO */
	uint32_t plic_gen;	 /* vplic.gen when VSEIP was last computed */

	/* HSM start request (guarded by sched_lock). */
	uint64_t start_addr, start_opaque;

	struct vcpu_stats stats;
	uint32_t csr_gen; /* vm->csr_gen last written to this hart's CSRs */
	/* Fault-loop detector: the last exception and how often it repeated. */
	struct faultloop loop;
};

struct vm_image {
	uint64_t load, entry, size;
	const uint8_t *data; /* in the bundle */
	char bootargs[128];
	/* initrd (size 0: none): in the bundle, copied to initrd_gpa, the top
	 * of RAM below the device tree; /chosen/linux,initrd-* point at it. */
	const uint8_t *initrd;
	uint64_t initrd_size, initrd_gpa;
};

struct vm {
	int id; /* 1-based, as on the console */
	char name[32];
	enum vm_state state;
	spinlock_t lock;

	uint64_t ram_size;
	hpa_t ram;     /* host-physical base of guest RAM */
	bool ram_zero; /* still all zero: the first start need not clear it */
	struct gstage gstage;
	unsigned vmid;
	uint64_t fdt_gpa;
	struct vm_image image;

	unsigned vcpu_count;
	struct vcpu vcpus[VM_MAX_VCPUS];

	/* Per-VM H CSR values loaded with each of its vCPUs. */
	uint64_t henvcfg, hedeleg, hideleg, hcounteren;
	bool adue;	   /* henvcfg.ADUE wanted (and possible) */
	bool ad_emulation; /* set A/D in software on A/D-only page faults */
	bool gdb_wait;	   /* config gdb = wait: held until a debugger attaches */
	/* Set and cleared by the gdbstub (under its lock); read on cold paths only. */
	bool catch_faults;	   /* monitor catch fault on: reflected exceptions stop in gdb */
	bool debugger_held;	   /* died with gdb attached: stopped in it, dies on detach */
	volatile uint32_t csr_gen; /* bumped when henvcfg/hedeleg change at runtime */
	/*
	 * G-stage changes after boot (the gdbstub's write-protected watch
	 * pages, changed only while the VM is stopped): bumped on each; a hart
	 * fences (hfence.gvma) when it loads a vCPU of this VM and has not
	 * seen the latest.  watch_pages: pages protected now (the store
	 * guest-page fault path looks at it first).
	 */
	volatile uint32_t gstage_gen;
	uint32_t gstage_fenced[HV_MAX_HARTS];
	volatile unsigned watch_pages;
	struct vm_postmortem pm;

	struct vuart uart;
	struct vplic plic;
	spinlock_t input_lock;	       /* guards input[] and its indices */
	uint8_t input[VM_INPUT_QUEUE]; /* terminal input not yet in the vUART FIFO */
	uint32_t input_head, input_tail;
	struct term_ring term;
	uint64_t started_at;
	unsigned restarts;
	char stop_reason[96];

	/* Reset requests (vm_reset): serialised, done by the last hart to let go of a vCPU. */
	volatile uint32_t reset_pending; /* asked for and not yet claimed */
	uint32_t reset_gen;		 /* completed resets (console waits on it) */
	char reset_why[32];
	/* Lifecycle lines (rebooting, stopped, dead): a looping VM must not flood the terminal. */
	struct ratelimit notices;
};

extern struct vm vms[VM_MAX];
extern unsigned vm_count;

struct bundle_vm;

struct vm *vm_get(int id);
int vm_create(struct vm *vm, const struct bundle_vm *b, const uint8_t *bundle, uint64_t bundle_size);
/* The VM's devices: the device table in vdev/mmio.c makes and resets them, so this file names none. */
int vdev_create(struct vm *vm, const struct bundle_vm *b);
void vdev_reset(struct vm *vm);
int vm_setup(struct vm *vm);
void vm_start(struct vm *vm);
void vm_stop(struct vm *vm, enum vm_state state, const char *why);
void vm_reset(struct vm *vm, const char *why);
void vm_reset_try(struct vm *vm);
void vm_vcpu_left(struct vcpu *v);
void vm_notice(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_console_input(struct vm *vm, char c);
void vm_console_refill(struct vm *vm);
void vm_irq_update(struct vm *vm);
const char *vm_state_name(enum vm_state s);
bool vm_gpa_range_ok(const struct vm *vm, uint64_t gpa, uint64_t len);
void *vm_gpa_ptr(const struct vm *vm, uint64_t gpa);
uint64_t *vm_pte_ptr(void *vm, uint64_t gpa);
/* Pausing (the console, the debugger); functions returning int give 0, or -1 with *why set. */
int vm_pause(struct vm *vm, const char **why);
int vm_resume(struct vm *vm, const char **why);
int vm_kill(struct vm *vm, const char *why_killed, const char **why);
int vm_quiesce(struct vm *vm, bool *paused, const char **why);
void vm_unquiesce(struct vm *vm, bool paused);
void vm_reset_wait(struct vm *vm, const char *why);
int vm_set_bootargs(struct vm *vm, const char *text, const char **why);
int vm_vcpu_csr_write(struct vm *vm, unsigned idx, unsigned csr, uint64_t val, const char **why);
void vm_stats_reset(struct vm *vm);

/* vcpu.c */
void vcpu_load(struct vcpu *v);
void vcpu_put(struct vcpu *v);
void vcpu_reset(struct vcpu *v, uint64_t pc, uint64_t a1);
void vcpu_wfi_policy(unsigned vcpu_total, unsigned hart_count);
bool vcpu_has_interrupt(struct vcpu *v);
uint64_t vcpu_saved_vsip(struct vcpu *v);
bool vcpu_has_interrupt_loaded(struct vcpu *v);
void vcpu_kick(struct vcpu *v);
void vcpu_update_hvip_slow(struct vcpu *v);
bool vcpu_vs_csr_writable(unsigned csr);
int vcpu_vs_csr_read(struct vcpu *v, unsigned csr, uint64_t *val);
int vcpu_vs_csr_write(struct vcpu *v, unsigned csr, uint64_t val);

/*
 * Before every guest entry: fold IPIs, vPLIC output, remote fences and
 * runtime CSR changes in.  The common exit changed none of them, and then
 * this is a handful of loads.
 */
static inline void vcpu_update_hvip(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (__atomic_load_n(&vm->plic.gen, __ATOMIC_ACQUIRE) == v->plic_gen &&
	    !(v->ssip_pending | v->flush_pending) && v->csr_gen == vm->csr_gen)
		return;
	vcpu_update_hvip_slow(v);
}

void vm_trace_event(struct vm *vm, enum trace_vm_event what, unsigned state);
void vcpu_trace_on_hart(struct vcpu *v, unsigned hart);
int vm_set_adue(struct vm *vm, bool on);
int vm_set_henvcfg(struct vm *vm, uint64_t henvcfg, const char **why);
void vm_change_csrs(struct vm *vm, void (*change)(struct vm *vm, uint64_t arg), uint64_t arg);
void vm_set_ad_emulation(struct vm *vm, bool on);
int vm_set_hedeleg(struct vm *vm, uint64_t hedeleg);
uint64_t vm_hedeleg_allowed(void);
extern unsigned hv_fault_loop_k;

/* henvcfg bits the hart implements (probed at boot). */
extern uint64_t hv_henvcfg_caps;

#endif
