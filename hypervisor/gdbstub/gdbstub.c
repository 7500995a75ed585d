/*
 * The VM side of the gdbstub: struct gdb_target_ops for one VM, stops,
 * breakpoints and single-step.  See gdbstub.h.
 *
 * Every register and memory access happens while the VM is stopped for the
 * debugger: VM_PAUSED (the console's pause: no hart picks its vCPUs) and
 * none of its vCPUs loaded on a hart, so their saved state is the truth.  A
 * stop is a request, finished by whoever lets go of the VM's last loaded
 * vCPU (the pattern of vm_reset): the stop reply goes out only then.
 *
 * Locking: each VM's struct vm_debug has a lock held around everything the
 * stub does for it (packets in, stop replies out, breakpoint traps).  The
 * order is: virtio-console receive lock, vm_debug lock, VM lock / scheduler
 * lock, virtio-console transmit lock.
 */
#include "gdbstub/gdbstub.h"
#include "gdbstub/stub.h"
#include "gdbstub/nextpc.h"
#include "gdbstub/internal.h"
#include "core/vm.h"
#include "core/hart.h"
#include "core/sched.h"
#include "core/trap.h"
#include "core/vmfdt.h"
#include "core/postmortem.h"
#include "spec/decode.h"
#include "console/console.h"
#include "drivers/virtio_console.h"
#include "arch/csr.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "spec/vswalk.h"
#include "arch/dbtr.h"

#define BP_MAX		32
#define TEMP_MAX	(NEXTPC_MAX + 1)	/* next-PC targets and stvec */
#define INSN_EBREAK	0x00100073u
#define INSN_C_EBREAK	0x9002u
#define INSN_WFI	0x10500073u
#define CSR_SIE_NUM	0x104
#define CSR_SIP_NUM	0x144
#define PAGE		4096UL

struct bp {
	bool used;
	uint8_t len;		/* 2 or 4 */
	uint64_t va, gpa;
	uint32_t orig;		/* the instruction bytes it replaced */
};

struct vm_debug {
	spinlock_t lock;
	struct vm *vm;
	struct gdbstub stub;
	volatile uint32_t stop_pending;	/* a stop was asked for; claimed when the VM is off its harts */
	unsigned stop_tid;		/* the first vCPU (tid) to hit a breakpoint, 0: the stub's own stop */
	int stop_sig;
	bool phys;			/* monitor phys on: addresses are guest-physical */
	bool deleg_bp;			/* hedeleg bit 3 as it was before the debugger came */
	bool hedeleg_saved;
	struct bp bps[BP_MAX];
	struct bp temps[TEMP_MAX];	/* the step's temporary breakpoints */
	int step_vcpu;			/* -1: not stepping */
	bool vsie_masked;
	uint64_t saved_vsie;
	/* Stops for faults (monitor catch fault, a VM that would have died). */
	bool catch_on;			/* mirrored in vm->catch_faults for the trap path */
	bool fault_stop;		/* the last stop was for the fault below */
	bool pass_next;			/* the caught fault's retry goes to the guest */
	unsigned fault_vcpu;
	uint64_t fault_scause, fault_sepc, fault_stval;
	/* Hardware triggers (Z1-Z4): changed only while the VM is stopped. */
	struct hwtrig {
		bool used;
		uint8_t type;		/* 1 execute, 2 write, 3 read, 4 access (gdb's Z numbers) */
		unsigned len;
		uint64_t addr;
	} trigs[DBTR_MAX];
	unsigned trig_count;
	uint32_t trig_gen;		/* bumped on every change: harts reinstall */
	char stop_extra[40];		/* the stop reply's watch:ADDR; for the pending stop */
};

/*
 * What the firmware offers (probed at boot), and per hart which VM's
 * triggers are installed there.  gdbstub_trigger_users counts VMs with
 * triggers plus harts with triggers installed: while it is 0 the vCPU load
 * path skips gdbstub_vcpu_enter() entirely.
 */
static unsigned dbtr_total, dbtr_mc6;
static bool dbtr_present;
volatile unsigned gdbstub_trigger_users;
static struct hart_trigs {
	int vm;				/* 0: none installed */
	uint32_t gen;
	unsigned n;
	unsigned long idx[DBTR_MAX];
} hart_trigs[HV_MAX_HARTS];

static struct vm_debug dbgs[VM_MAX];
static bool present;

static struct vm_debug *dbg_of(struct vm *vm) { return &dbgs[vm->id - 1]; }

/* ---- address translation for the debugger ---- */

/*
 * VA -> GPA as the vCPU would see it with vsatp, but ignoring the guest's
 * own permissions (gdb patches read-only text): a load from S-mode with SUM
 * and MXR, so that every valid leaf translates.
 */
static bool walk_gpa(struct vm_debug *d, uint64_t vsatp, uint64_t va, uint64_t *gpa_out)
{
	struct vs_walk_env env = {
		.vsatp = vsatp, .priv_u = false, .sum = true, .mxr = true, .hw_ad = true,
		.pte_ptr = vm_pte_ptr, .ctx = d->vm,
	};
	struct vs_walk w;

	vswalk(&env, va, VS_LOAD, &w);
	if (!w.ok)
		return false;
	*gpa_out = w.gpa;
	return true;
}

/* The debugger's addresses: VAs, or GPAs after `monitor phys on`. */
static bool va_to_gpa(struct vm_debug *d, uint64_t vsatp, uint64_t va, uint64_t *gpa_out)
{
	if (d->phys) {
		*gpa_out = va;
		return true;
	}
	return walk_gpa(d, vsatp, va, gpa_out);
}

/* Host pointer for [va, va+len) within one page, or NULL (not RAM / no translation). */
static uint8_t *guest_ptr(struct vm_debug *d, uint64_t vsatp, uint64_t va, size_t len, uint64_t *gpa_out)
{
	uint64_t g;

	if (!va_to_gpa(d, vsatp, va, &g) || !vm_gpa_range_ok(d->vm, g, len))
		return 0;
	if (gpa_out)
		*gpa_out = g;
	return vm_gpa_ptr(d->vm, g);
}

/* Copy in either direction, page by page (each page translated on its own). */
static int guest_copy(struct vm_debug *d, uint64_t vsatp, uint64_t va, uint8_t *buf, size_t len, bool write)
{
	while (len) {
		size_t n = PAGE - (va & (PAGE - 1));
		uint8_t *p;
		if (n > len)
			n = len;
		p = guest_ptr(d, vsatp, va, n, 0);
		if (!p)
			return -1;
		if (write)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		va += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Code changed under the VM: every vCPU flushes its I-cache and VS TLB before it next runs. */
static void flush_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		__atomic_store_n(&vm->vcpus[i].flush_pending, 1, __ATOMIC_RELEASE);
}

/* ---- stopping and resuming the VM ---- */

static void kick_others(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (&vm->vcpus[i] != this_hart()->current)
			vcpu_kick(&vm->vcpus[i]);
}

static void bp_unplant(struct vm_debug *d, struct bp *b)
{
	if (b->used && vm_gpa_range_ok(d->vm, b->gpa, b->len))
		memcpy(vm_gpa_ptr(d->vm, b->gpa), &b->orig, b->len);
	b->used = false;
}

static void step_finish(struct vm_debug *d)
{
	if (d->step_vcpu < 0)
		return;
	for (int i = TEMP_MAX - 1; i >= 0; i--)	/* reverse: overlapping temps restore cleanly */
		bp_unplant(d, &d->temps[i]);
	if (d->vsie_masked)
		d->vm->vcpus[d->step_vcpu].vsie = d->saved_vsie;
	d->vsie_masked = false;
	d->step_vcpu = -1;
	flush_vcpus(d->vm);
}

/* Every vCPU is off its hart and the stop is ours: tell the debugger. */
static void report_stop_locked(struct vm_debug *d)
{
	unsigned tid = d->stop_tid;
	int sig = d->stop_sig;

	step_finish(d);
	d->stop_tid = 0;
	d->stop_sig = 0;
	memcpy(d->stub.stop_extra, d->stop_extra, sizeof(d->stop_extra));
	d->stop_extra[0] = '\0';
	gdbstub_stopped(&d->stub, tid, sig);
}

static void try_report_locked(struct vm_debug *d)
{
	if (sched_claim_idle_vm(d->vm, &d->stop_pending))
		report_stop_locked(d);
}

/* Pause the VM (the console's pause) and report once its vCPUs are off their harts. */
static void stop_locked(struct vm_debug *d, unsigned tid, int sig)
{
	struct vm *vm = d->vm;

	if (tid && !d->stop_tid) {
		d->stop_tid = tid;
		d->stop_sig = sig;
	}
	spin_lock(&vm->lock);
	if (vm->state == VM_RUNNING)
		vm->state = VM_PAUSED;
	spin_unlock(&vm->lock);
	__atomic_store_n(&d->stop_pending, 1, __ATOMIC_RELEASE);
	kick_others(vm);
	try_report_locked(d);
}

/* hedeleg bit 3 clear while there are breakpoints or a step (else ebreaks go to the guest directly). */
static void update_hedeleg(struct vm_debug *d, bool debugging)
{
	struct vm *vm = d->vm;
	uint64_t bit = 1UL << CAUSE_BREAKPOINT;

	spin_lock(&vm->lock);
	if (!d->hedeleg_saved) {
		d->deleg_bp = (vm->hedeleg & bit) != 0;
		d->hedeleg_saved = true;
	}
	if (debugging)
		vm->hedeleg &= ~bit;
	else if (d->deleg_bp)
		vm->hedeleg |= bit;
	if (!debugging)
		d->hedeleg_saved = false;
	__atomic_add_fetch(&vm->csr_gen, 1, __ATOMIC_RELEASE);
	spin_unlock(&vm->lock);
}

static void resume_vm(struct vm_debug *d)
{
	struct vm *vm = d->vm;

	__atomic_store_n(&d->stop_pending, 0, __ATOMIC_RELEASE);
	spin_lock(&vm->lock);
	if (vm->state == VM_PAUSED)
		vm->state = VM_RUNNING;
	spin_unlock(&vm->lock);
	kick_others(vm);
}

static unsigned bp_count(struct vm_debug *d)
{
	unsigned n = 0;

	for (unsigned i = 0; i < BP_MAX; i++)
		n += d->bps[i].used;
	return n;
}

/* ---- registers ---- */

static struct vcpu *vcpu_of(struct vm_debug *d, unsigned tid)
{
	return tid >= 1 && tid <= d->vm->vcpu_count ? &d->vm->vcpus[tid - 1] : 0;
}

/* The saved field behind an S-mode CSR register number. */
static uint64_t *csr_field(struct vcpu *v, unsigned reg)
{
	switch (reg) {
	case GDB_REG_SSTATUS: return &v->vsstatus;
	case GDB_REG_SIE: return &v->vsie;
	case GDB_REG_STVEC: return &v->vstvec;
	case GDB_REG_SSCRATCH: return &v->vsscratch;
	case GDB_REG_SEPC: return &v->vsepc;
	case GDB_REG_SCAUSE: return &v->vscause;
	case GDB_REG_STVAL: return &v->vstval;
	case GDB_REG_SATP: return &v->vsatp;
	default: return 0;
	}
}

static int t_reg_read(void *ctx, unsigned tid, unsigned reg, uint64_t *val)
{
	struct vcpu *v = vcpu_of(ctx, tid);
	uint64_t *f;

	if (!v)
		return -1;
	if (reg < 32)
		*val = reg ? v->regs.x[reg] : 0;
	else if (reg == GDB_REG_PC)
		*val = v->regs.sepc;
	else if (reg >= GDB_REG_F0 && reg < GDB_REG_F0 + 32)
		*val = v->fp.f[reg - GDB_REG_F0];
	else if (reg == GDB_REG_FFLAGS)
		*val = v->fp.fcsr & 0x1f;
	else if (reg == GDB_REG_FRM)
		*val = (v->fp.fcsr >> 5) & 7;
	else if (reg == GDB_REG_FCSR)
		*val = v->fp.fcsr & 0xff;
	else if (reg == GDB_REG_SIP)
		*val = vcpu_saved_vsip(v);
	else if (reg == GDB_REG_PRIV)
		*val = (v->regs.sstatus & SSTATUS_SPP) ? 1 : 0;
	else if ((f = csr_field(v, reg)) != 0)
		*val = *f;
	else
		return -1;
	return 0;
}

static int t_reg_write(void *ctx, unsigned tid, unsigned reg, uint64_t val)
{
	struct vcpu *v = vcpu_of(ctx, tid);
	uint64_t *f;

	if (!v)
		return -1;
	if (reg < 32) {
		if (reg)
			v->regs.x[reg] = val;
	} else if (reg == GDB_REG_PC) {
		v->regs.sepc = val;
	} else if (reg >= GDB_REG_F0 && reg < GDB_REG_F0 + 32) {
		v->fp.f[reg - GDB_REG_F0] = val;
	} else if (reg == GDB_REG_FFLAGS) {
		v->fp.fcsr = (v->fp.fcsr & ~0x1fUL) | (val & 0x1f);
	} else if (reg == GDB_REG_FRM) {
		v->fp.fcsr = (v->fp.fcsr & ~0xe0UL) | (val & 7) << 5;
	} else if (reg == GDB_REG_FCSR) {
		v->fp.fcsr = val & 0xff;
	} else if (reg == GDB_REG_PRIV) {
		if (val > 1)
			return -1;
		v->regs.sstatus = val ? v->regs.sstatus | SSTATUS_SPP : v->regs.sstatus & ~SSTATUS_SPP;
	} else if ((f = csr_field(v, reg)) != 0) {
		*f = val;
		if (reg == GDB_REG_SATP)
			flush_vcpus(v->vm);
	} else {
		return -1;	/* sip: pending interrupts are the devices' business */
	}
	return 0;
}

/* ---- memory ---- */

static int t_mem_read(void *ctx, unsigned tid, uint64_t addr, uint8_t *buf, size_t len)
{
	struct vm_debug *d = ctx;
	struct vcpu *v = vcpu_of(d, tid);

	return v ? guest_copy(d, v->vsatp, addr, buf, len, false) : -1;
}

static int t_mem_write(void *ctx, unsigned tid, uint64_t addr, const uint8_t *buf, size_t len)
{
	struct vm_debug *d = ctx;
	struct vcpu *v = vcpu_of(d, tid);

	if (!v || guest_copy(d, v->vsatp, addr, (uint8_t *)buf, len, true))
		return -1;
	flush_vcpus(d->vm);
	return 0;
}

/* ---- breakpoints ---- */

/* Write an ebreak of len bytes at va (through vCPU 0's vsatp); false if it is not RAM. */
static bool bp_plant(struct vm_debug *d, uint64_t vsatp, struct bp *b, uint64_t va, unsigned len)
{
	uint32_t insn = len == 2 ? INSN_C_EBREAK : INSN_EBREAK;
	uint8_t *p = guest_ptr(d, vsatp, va, len, &b->gpa);

	if (!p || (va & (PAGE - 1)) + len > PAGE)
		return false;
	b->va = va;
	b->len = (uint8_t)len;
	b->orig = 0;
	memcpy(&b->orig, p, len);
	memcpy(p, &insn, len);
	b->used = true;
	return true;
}

static int t_bp_insert(void *ctx, uint64_t addr, unsigned kind)
{
	struct vm_debug *d = ctx;
	struct bp *free_slot = 0;

	for (unsigned i = 0; i < BP_MAX; i++) {
		if (d->bps[i].used && d->bps[i].va == addr)
			return 0;
		if (!d->bps[i].used && !free_slot)
			free_slot = &d->bps[i];
	}
	if (!free_slot || !bp_plant(d, d->vm->vcpus[d->stub.g_tid - 1].vsatp, free_slot, addr, kind))
		return -1;
	flush_vcpus(d->vm);
	return 0;
}

static int t_bp_remove(void *ctx, uint64_t addr, unsigned kind)
{
	struct vm_debug *d = ctx;

	(void)kind;
	for (unsigned i = 0; i < BP_MAX; i++)
		if (d->bps[i].used && d->bps[i].va == addr) {
			bp_unplant(d, &d->bps[i]);
			flush_vcpus(d->vm);
			return 0;
		}
	return -1;
}

static void bp_remove_all(struct vm_debug *d)
{
	for (unsigned i = 0; i < BP_MAX; i++)
		bp_unplant(d, &d->bps[i]);
	flush_vcpus(d->vm);
}

enum bp_kind { BP_NONE, BP_USER, BP_TEMP };

/* Is there a breakpoint of ours at gpa: gdb's, or one of the step's? */
static enum bp_kind bp_ours(struct vm_debug *d, uint64_t gpa)
{
	for (unsigned i = 0; i < BP_MAX; i++)
		if (d->bps[i].used && d->bps[i].gpa == gpa)
			return BP_USER;
	for (unsigned i = 0; i < TEMP_MAX; i++)
		if (d->temps[i].used && d->temps[i].gpa == gpa)
			return BP_TEMP;
	return BP_NONE;
}

/* ---- single-step ---- */

struct fetch_ctx {
	struct vm_debug *d;
	uint64_t vsatp;
};

static bool step_fetch(void *ctx, uint64_t pc, uint32_t *insn)
{
	struct fetch_ctx *f = ctx;
	uint16_t lo, hi = 0;

	if (guest_copy(f->d, f->vsatp, pc, (uint8_t *)&lo, 2, false))
		return false;
	if (nextpc_insn_len(lo) == 4 && guest_copy(f->d, f->vsatp, pc + 2, (uint8_t *)&hi, 2, false))
		return false;
	*insn = lo | (uint32_t)hi << 16;
	return true;
}

/* A temporary breakpoint at va, sized to the instruction there. */
static void temp_plant(struct vm_debug *d, struct vcpu *v, uint64_t va, unsigned slot)
{
	struct fetch_ctx f = { d, v->vsatp };
	uint32_t insn;
	uint64_t gpa;

	if (!step_fetch(&f, va, &insn) || !va_to_gpa(d, v->vsatp, va, &gpa) || bp_ours(d, gpa) != BP_NONE)
		return;
	bp_plant(d, v->vsatp, &d->temps[slot], va, nextpc_insn_len(insn));
}

/*
 * Breakpoints wherever the instruction at pc may continue, and at stvec for
 * anything that traps into the guest (a U-mode ecall, a fault, an ebreak of
 * the guest's own).  Interrupts stay pending during the step (vsie = 0), so
 * that the step lands on the next instruction rather than in a handler;
 * except across an instruction that reads or writes sie/sip, or a WFI that
 * must be woken.
 */
static int step_setup(struct vm_debug *d, struct vcpu *v)
{
	struct fetch_ctx f = { d, v->vsatp };
	uint64_t pc = v->regs.sepc, stvec = v->vstvec & ~3UL;
	struct nextpc np;
	uint32_t insn;
	unsigned slot = 0;
	bool phys = d->phys;

	d->phys = false;	/* pc and its targets are virtual whatever gdb's addresses are */
	if (!step_fetch(&f, pc, &insn)) {
		d->phys = phys;
		return -1;
	}
	nextpc_step(step_fetch, &f, pc, v->regs.x, v->vsepc, &np);
	d->step_vcpu = (int)v->id;
	for (unsigned i = 0; i < np.count; i++)
		temp_plant(d, v, np.target[i], slot++);
	if (stvec && stvec != pc && !(np.kind == NEXTPC_ECALL && (v->regs.sstatus & SSTATUS_SPP)))
		temp_plant(d, v, stvec, slot++);
	if (insn != INSN_WFI && !nextpc_is_csr_access(insn, CSR_SIE_NUM) && !nextpc_is_csr_access(insn, CSR_SIP_NUM)) {
		d->saved_vsie = v->vsie;
		v->vsie = 0;
		d->vsie_masked = true;
	}
	d->phys = phys;
	flush_vcpus(d->vm);
	return 0;
}

static int t_resume(void *ctx, unsigned step_tid)
{
	struct vm_debug *d = ctx;
	struct vm *vm = d->vm;
	struct vcpu *v = vcpu_of(d, step_tid);

	if (vm->state != VM_PAUSED)
		return -1;	/* stopped, dead or resetting: nothing to run */
	if (step_tid && (!v || step_setup(d, v)))
		return -1;
	d->fault_stop = false;
	update_hedeleg(d, bp_count(d) || d->step_vcpu >= 0 || d->trig_count);
	resume_vm(d);
	return 0;
}

/* ---- hardware triggers (SBI DBTR) ---- */

static void trig_users(int delta)
{
	__atomic_add_fetch(&gdbstub_trigger_users, (unsigned)delta, __ATOMIC_ACQ_REL);
}

/* mcontrol6 size field for an access of len bytes, -1 if it has none. */
static int mc6_size(unsigned len)
{
	switch (len) {
	case 1: return 1;
	case 2: return 2;
	case 4: return 3;
	case 8: return 5;
	default: return -1;
	}
}

/* The trigger as the firmware wants it: mcontrol6, VS/VU-mode only, action 0 (breakpoint exception). */
static struct dbtr_trigger trig_config(const struct hwtrig *t)
{
	struct dbtr_trigger c = { 0, MC6_TYPE | MC6_VS | MC6_VU, t->addr, 0 };

	if (t->type == 1)
		c.tdata1 |= MC6_EXECUTE;
	else
		c.tdata1 |= (uint64_t)mc6_size(t->len) << MC6_SIZE_SHIFT |
			    (t->type != 3 ? MC6_STORE : 0) | (t->type != 2 ? MC6_LOAD : 0);
	return c;
}

static unsigned trig_capacity(void)
{
	return dbtr_mc6 < DBTR_MAX ? dbtr_mc6 : DBTR_MAX;
}

static int t_hw_insert(void *ctx, unsigned type, uint64_t addr, unsigned len)
{
	struct vm_debug *d = ctx;
	struct hwtrig *free_slot = 0;

	if (!trig_capacity())
		return 1;
	if (d->phys || (type != 1 && mc6_size(len) < 0))
		return -1;	/* triggers match virtual addresses, and only these sizes */
	for (unsigned i = 0; i < DBTR_MAX; i++) {
		struct hwtrig *t = &d->trigs[i];
		if (t->used && t->type == type && t->addr == addr && t->len == len)
			return 0;
		if (!t->used && !free_slot)
			free_slot = t;
	}
	if (!free_slot || d->trig_count >= trig_capacity())
		return -1;
	*free_slot = (struct hwtrig){ true, (uint8_t)type, len, addr };
	if (d->trig_count++ == 0)
		trig_users(1);
	d->trig_gen++;
	return 0;
}

static int t_hw_remove(void *ctx, unsigned type, uint64_t addr, unsigned len)
{
	struct vm_debug *d = ctx;

	if (!trig_capacity())
		return 1;
	for (unsigned i = 0; i < DBTR_MAX; i++) {
		struct hwtrig *t = &d->trigs[i];
		if (t->used && t->type == type && t->addr == addr && t->len == len) {
			t->used = false;
			if (--d->trig_count == 0)
				trig_users(-1);
			d->trig_gen++;
			return 0;
		}
	}
	return -1;
}

static void trig_remove_all(struct vm_debug *d)
{
	for (unsigned i = 0; i < DBTR_MAX; i++)
		d->trigs[i].used = false;
	if (d->trig_count)
		trig_users(-1);
	d->trig_count = 0;
	d->trig_gen++;
}

/* A breakpoint exception with triggers installed: which one fired (NULL: none of ours). */
static const struct hwtrig *trig_hit(struct vm_debug *d, const struct exit_info *e)
{
	for (unsigned i = 0; i < DBTR_MAX; i++) {
		const struct hwtrig *t = &d->trigs[i];
		if (!t->used)
			continue;
		if (t->type == 1 ? e->sepc == t->addr : e->stval < t->addr + t->len && e->stval + 8 > t->addr)
			return t;
	}
	return 0;
}

/* ---- the rest of the target ---- */

static unsigned t_thread_count(void *ctx)
{
	return ((struct vm_debug *)ctx)->vm->vcpu_count;
}

static bool t_has_fp(void *ctx)
{
	char isa[256];

	vmfdt_vm_isa(((struct vm_debug *)ctx)->vm, isa, sizeof(isa));
	for (const char *s = isa + 4; *s && *s != '_'; s++)
		if (*s == 'd')
			return true;
	return false;
}

static void t_stop(void *ctx)
{
	stop_locked(ctx, 0, 0);
}

static void catch_set(struct vm_debug *d, bool on)
{
	d->catch_on = on;
	d->pass_next = false;
	__atomic_store_n(&d->vm->catch_faults, on, __ATOMIC_RELEASE);
}

/*
 * The debugger let go of a VM that was held instead of dying: it dies now,
 * as it would have without gdb (the report captured at the fault).
 */
static bool release_dying(struct vm_debug *d)
{
	struct vm *vm = d->vm;

	if (!vm->debugger_held)
		return false;
	vm->debugger_held = false;
	__atomic_store_n(&d->stop_pending, 0, __ATOMIC_RELEASE);
	hv_printf("vm%d: %s: debugger detached from a VM that could not go on\n", vm->id, vm->name);
	postmortem_announce(vm);
	vm_stop(vm, VM_DEAD, vm->pm.why);
	return true;
}

static void t_detach(void *ctx)
{
	struct vm_debug *d = ctx;

	step_finish(d);
	bp_remove_all(d);
	trig_remove_all(d);
	d->phys = false;
	d->stop_tid = 0;
	catch_set(d, false);
	d->fault_stop = false;
	update_hedeleg(d, false);
	if (release_dying(d))
		return;
	resume_vm(d);
	/* Not vm_notice(): the user did this, so it is never rate-limited away. */
	hv_printf("vm%d: %s: debugger detached, running\n", d->vm->id, d->vm->name);
}

static void t_kill(void *ctx)
{
	struct vm_debug *d = ctx;

	step_finish(d);
	bp_remove_all(d);
	trig_remove_all(d);
	catch_set(d, false);
	d->fault_stop = false;
	update_hedeleg(d, false);
	__atomic_store_n(&d->stop_pending, 0, __ATOMIC_RELEASE);
	d->vm->debugger_held = false;
	vm_stop(d->vm, VM_STOPPED, "killed from gdb");
}

static void t_thread_name(void *ctx, unsigned tid, char *out, size_t size)
{
	static const char *const states[] = { "off", "runnable", "blocked", "stop-pending", "start-pending" };
	struct vcpu *v = vcpu_of(ctx, tid);

	if (!v) {
		snprintf(out, size, "?");
		return;
	}
	snprintf(out, size, "vCPU %u, %s, %s-mode, last on hart %d", v->id,
		 (unsigned)v->state < 5 ? states[v->state] : "?",
		 (v->regs.sstatus & SSTATUS_SPP) ? "S" : "U", v->hart);
}

static void t_send(void *ctx, const char *data, size_t len)
{
	virtio_console_write((unsigned)((struct vm_debug *)ctx)->vm->id, data, len);
}

static void t_monitor(void *ctx, const char *cmd, char *out, size_t size)
{
	gdbstub_monitor(ctx, cmd, out, size);
}

static const struct gdb_target_ops vm_target_ops = {
	.thread_count = t_thread_count,
	.has_fp = t_has_fp,
	.reg_read = t_reg_read,
	.reg_write = t_reg_write,
	.mem_read = t_mem_read,
	.mem_write = t_mem_write,
	.bp_insert = t_bp_insert,
	.bp_remove = t_bp_remove,
	.hw_insert = t_hw_insert,
	.hw_remove = t_hw_remove,
	.resume = t_resume,
	.stop = t_stop,
	.detach = t_detach,
	.kill = t_kill,
	.monitor = t_monitor,
	.thread_name = t_thread_name,
	.send = t_send,
};

/* ---- for the monitor commands (monitor.c) ---- */

void gdbstub_set_phys(struct vm_debug *d, bool on) { d->phys = on; }
void gdbstub_set_catch(struct vm_debug *d, bool on) { catch_set(d, on); }
bool gdbstub_catching(struct vm_debug *d) { return d->catch_on; }

/* The selected thread's pc (monitor's $pc). */
uint64_t gdbstub_pc(struct vm_debug *d)
{
	return d->vm->vcpus[d->stub.g_tid - 1].regs.sepc;
}

/* The decisive VS-stage PTE of a page fault: the leaf (or where the walk stopped). */
static void why_walk(const struct vs_walk *w, char *out, size_t size)
{
	const struct vs_level *st;
	char bits[64];

	if (w->steps == 0) {
		snprintf(out, size, "  no VS-stage walk (vsatp Bare)\n");
		return;
	}
	st = &w->step[w->leaf >= 0 ? w->leaf : w->steps - 1];
	decode_pte_bits(st->pte, bits, sizeof(bits));
	snprintf(out, size, "  %s PTE: level %d, at gpa 0x%lx: 0x%016lx %s\n  -> %s\n",
		 w->leaf >= 0 ? "leaf" : "last", st->level, st->table_gpa + 8UL * st->index, st->pte, bits,
		 w->ok ? "translates now" : w->why);
}

static bool is_page_fault(uint64_t scause)
{
	return scause == CAUSE_FETCH_PAGE_FAULT || scause == CAUSE_LOAD_PAGE_FAULT || scause == CAUSE_STORE_PAGE_FAULT;
}

/* A caught fault's walk, from the stopped vCPU's saved state (as the hardware walked it). */
static void caught_walk(struct vm_debug *d, char *out, size_t size)
{
	struct vcpu *v = &d->vm->vcpus[d->fault_vcpu];
	struct vs_walk_env env = {
		.vsatp = v->vsatp, .priv_u = !(v->regs.sstatus & SSTATUS_SPP), .sum = v->vsstatus & SSTATUS_SUM,
		.mxr = v->vsstatus & SSTATUS_MXR, .hw_ad = (d->vm->henvcfg & ENVCFG_ADUE) != 0,
		.pte_ptr = vm_pte_ptr, .ctx = d->vm,
	};
	struct vs_walk w;

	if (!is_page_fault(d->fault_scause))
		return;
	vswalk(&env, d->fault_stval, d->fault_scause == CAUSE_FETCH_PAGE_FAULT ? VS_FETCH :
	       d->fault_scause == CAUSE_LOAD_PAGE_FAULT ? VS_LOAD : VS_STORE, &w);
	why_walk(&w, out, size);
}

/* monitor why: what the last stop was for. */
void gdbstub_why(struct vm_debug *d, char *out, size_t size)
{
	const struct vm_postmortem *pm = &d->vm->pm;
	size_t n;

	if (d->vm->debugger_held && pm->valid) {
		uint64_t scause = pm->has_first ? pm->first_scause : pm->scause;
		uint64_t sepc = pm->has_first ? pm->first_sepc : pm->sepc;
		uint64_t stval = pm->has_first ? pm->first_stval : pm->stval;
		snprintf(out, size, "vm%d would have died (it dies on detach): %s\n"
			 "%s: scause 0x%lx %s, pc 0x%lx, address 0x%lx\n", d->vm->id, pm->why,
			 pm->has_first ? "first fault of the chain" : "fault", scause, decode_cause_name(scause),
			 sepc, stval);
		n = strlen(out);
		if (is_page_fault(scause)) {
			struct vs_walk w;
			postmortem_vs_walk(d->vm, pm, stval, scause, &w);
			why_walk(&w, out + n, size - n);
		}
		n = strlen(out);
		snprintf(out + n, size - n, "diagnosis: %s\n(monitor dump: the whole report)\n", pm->diagnosis);
	} else if (d->fault_stop) {
		snprintf(out, size, "vm%d.%u caught (monitor catch fault): scause 0x%lx %s, pc 0x%lx, address 0x%lx; "
			 "continue hands it to the guest\n", d->vm->id, d->fault_vcpu, d->fault_scause,
			 decode_cause_name(d->fault_scause), d->fault_sepc, d->fault_stval);
		n = strlen(out);
		caught_walk(d, out + n, size - n);
	} else {
		snprintf(out, size, "vm%d stopped for the debugger (attach, Ctrl-C, a breakpoint or a step), "
			 "not for a fault\n", d->vm->id);
	}
}
bool gdbstub_phys(struct vm_debug *d) { return d->phys; }
unsigned gdbstub_vcpu_index(struct vm_debug *d) { return d->stub.g_tid - 1; }
int gdbstub_vm_id(struct vm_debug *d) { return d->vm->id; }

/* ---- entry points ---- */

static void on_rx(unsigned port, const uint8_t *data, size_t len)
{
	struct vm_debug *d;

	if (port < 1 || port > vm_count)
		return;
	d = &dbgs[port - 1];
	spin_lock(&d->lock);
	gdbstub_input(&d->stub, data, len);
	spin_unlock(&d->lock);
}

static void on_open(unsigned port, bool connected)
{
	struct vm_debug *d;

	if (port < 1 || port > vm_count)
		return;
	d = &dbgs[port - 1];
	hv_printf("vm%d: %s: debugger %s\n", d->vm->id, d->vm->name, connected ? "connected" : "disconnected");
	if (connected)
		return;
	spin_lock(&d->lock);
	gdbstub_disconnected(&d->stub);
	spin_unlock(&d->lock);
}

void gdbstub_setup(void)
{
	present = virtio_console_init();
}

void gdbstub_hold_waiting(void)
{
	for (unsigned i = 0; i < vm_count; i++) {
		struct vm_debug *d = &dbgs[i];
		d->vm = &vms[i];
		d->step_vcpu = -1;
		gdbstub_init(&d->stub, &vm_target_ops, d);
		if (!vms[i].gdb_wait)
			continue;
		if (!present) {
			hv_printf("vm%u: %s: gdb = wait, but there is no gdbstub device: not waiting\n",
				  i + 1, vms[i].name);
			continue;
		}
		spin_lock(&vms[i].lock);
		if (vms[i].state == VM_RUNNING)
			vms[i].state = VM_PAUSED;
		spin_unlock(&vms[i].lock);
		hv_printf("vm%u: %s waits for gdb at its first instruction (make gdb-vm VM=%u)\n",
			  i + 1, vms[i].name, i + 1);
	}
}

unsigned gdbstub_irq(void)
{
	return present ? virtio_console_irq() : 0;
}

void gdbstub_poll(void)
{
	virtio_console_poll(on_rx, on_open);
}

bool gdbstub_breakpoint(struct vcpu *v, struct exit_info *e)
{
	struct vm_debug *d = dbg_of(v->vm);
	enum bp_kind kind = BP_NONE;
	uint64_t gpa;
	bool ours;

	/*
	 * Either way this is no fault loop: ours stop the VM, and the guest's
	 * own would never have reached the hypervisor without the debugger
	 * (a guest hitting its own ebreak at one pc 64 times is not stuck).
	 */
	faultloop_reset(&v->loop);
	spin_lock(&d->lock);
	if (d->stub.state != GDB_DETACHED && walk_gpa(d, csr_read(CSR_VSATP), e->sepc, &gpa))
		kind = bp_ours(d, gpa);
	if (kind == BP_NONE && d->stub.state != GDB_DETACHED && d->trig_count) {
		const struct hwtrig *t = trig_hit(d, e);
		if (t) {
			static const char *const names[] = { "", "", "watch", "rwatch", "awatch" };
			kind = BP_USER;
			if (t->type != 1 && !d->stop_tid)
				snprintf(d->stop_extra, sizeof(d->stop_extra), "%s:%lx;", names[t->type], t->addr);
		}
	}
	ours = kind != BP_NONE;
	if (kind == BP_TEMP && (int)v->id != d->step_vcpu) {
		/*
		 * Another vCPU ran into the step's breakpoint (same code): it
		 * waits, its pc on the instruction, until the step is over and
		 * the VM stops.  Only the stepping vCPU's arrival is the step.
		 */
		e->action = TRAP_YIELD;
	} else if (ours) {
		/* pc stays on the ebreak: gdb expects it at the breakpoint's address. */
		e->action = TRAP_YIELD;
		stop_locked(d, v->id + 1, GDB_SIGTRAP);
	}
	spin_unlock(&d->lock);
	return ours;
}

/* gdb's signal for an exception: what a Unix kernel would send. */
static int fault_signal(uint64_t scause)
{
	switch (scause) {
	case CAUSE_FETCH_ACCESS: case CAUSE_LOAD_ACCESS: case CAUSE_STORE_ACCESS:
	case CAUSE_FETCH_PAGE_FAULT: case CAUSE_LOAD_PAGE_FAULT: case CAUSE_STORE_PAGE_FAULT:
	case CAUSE_FETCH_GUEST_PAGE_FAULT: case CAUSE_LOAD_GUEST_PAGE_FAULT: case CAUSE_STORE_GUEST_PAGE_FAULT:
		return GDB_SIGSEGV;
	case CAUSE_MISALIGNED_FETCH: case CAUSE_MISALIGNED_LOAD: case CAUSE_MISALIGNED_STORE:
		return GDB_SIGBUS;
	case CAUSE_ILLEGAL_INSTRUCTION: case CAUSE_VIRTUAL_INSTRUCTION:
		return GDB_SIGILL;
	default:
		return GDB_SIGTRAP;
	}
}

bool gdbstub_vm_dying(struct vcpu *v, struct exit_info *e, bool loop)
{
	struct vm_debug *d;
	bool held = false;

	if (!present)
		return false;
	d = dbg_of(v->vm);
	spin_lock(&d->lock);
	if (d->stub.state != GDB_DETACHED) {
		held = true;
		v->vm->debugger_held = true;
		d->fault_stop = false;
		e->action = TRAP_YIELD;
		stop_locked(d, v->id + 1, loop ? GDB_SIGTRAP : fault_signal(e->scause));
	}
	spin_unlock(&d->lock);
	if (held)
		hv_printf("vm%d: %s stopped in debugger: %s (monitor why; it dies on detach)\n",
			  v->vm->id, v->vm->name, e->why);
	return held;
}

bool gdbstub_catch(struct vcpu *v, struct exit_info *e)
{
	struct vm_debug *d = dbg_of(v->vm);
	bool stop = false;

	spin_lock(&d->lock);
	if (d->stub.state != GDB_DETACHED && d->catch_on) {
		bool retry = d->pass_next && d->fault_vcpu == v->id && d->fault_scause == e->scause &&
			     d->fault_sepc == e->sepc && d->fault_stval == e->stval;
		d->pass_next = false;
		if (!retry) {
			stop = true;
			d->pass_next = true;
			d->fault_stop = true;
			d->fault_vcpu = v->id;
			d->fault_scause = e->scause;
			d->fault_sepc = e->sepc;
			d->fault_stval = e->stval;
			e->action = TRAP_YIELD;
			stop_locked(d, v->id + 1, fault_signal(e->scause));
		}
	}
	spin_unlock(&d->lock);
	return stop;
}

void gdbstub_probe_triggers(void)
{
	dbtr_present = dbtr_probe(&dbtr_total, &dbtr_mc6);
	if (!dbtr_present)
		hv_printf("  debug triggers: none (firmware has no SBI DBTR): gdb watch/hbreak fall back to software\n");
	else if (!dbtr_mc6)
		hv_printf("  debug triggers: SBI DBTR, %u triggers, none mcontrol6 (the hart has no Sdtrig for VS/VU): "
			  "gdb watch/hbreak fall back to software\n", dbtr_total);
	else
		hv_printf("  debug triggers: SBI DBTR, %u triggers, %u mcontrol6 (VS/VU): gdb hbreak/watch use %u per VM\n",
			  dbtr_total, dbtr_mc6, trig_capacity());
}

/*
 * A vCPU is about to run on this hart (once per time slice, and only while
 * gdbstub_trigger_users is nonzero): the hart gets its VM's triggers, or
 * loses another VM's.  Triggers change only while their VM is stopped, so
 * none of its vCPUs is loaded while d->trigs changes.
 */
void gdbstub_vcpu_enter(struct vcpu *v)
{
	unsigned hartid = this_hart()->hartid;
	struct hart_trigs *ht = &hart_trigs[hartid];
	struct vm_debug *d = dbg_of(v->vm);
	struct dbtr_trigger cfg[DBTR_MAX];
	unsigned n = 0;
	long err;

	if (hartid >= HV_MAX_HARTS)
		return;
	if (d->trig_count ? ht->vm == v->vm->id && ht->gen == d->trig_gen : ht->vm == 0)
		return;
	if (ht->vm) {
		dbtr_uninstall(ht->idx, ht->n);
		ht->vm = 0;
		ht->n = 0;
		trig_users(-1);
	}
	if (!d->trig_count)
		return;
	for (unsigned i = 0; i < DBTR_MAX; i++)
		if (d->trigs[i].used)
			cfg[n++] = trig_config(&d->trigs[i]);
	err = dbtr_install(hartid, cfg, n, ht->idx);
	if (err) {
		/* Remembered as installed (none of them): no retry every slice until gdb changes them. */
		vm_notice(v->vm, "vm%d: %s: hart %u: the firmware refused its %u debug triggers (SBI error %ld)\n",
			  v->vm->id, v->vm->name, hartid, n, err);
		n = 0;
	}
	ht->vm = v->vm->id;
	ht->gen = d->trig_gen;
	ht->n = n;
	trig_users(1);
}

/* monitor triggers */
void gdbstub_triggers_info(struct vm_debug *d, char *out, size_t size)
{
	static const char *const kinds[] = { "", "hbreak (execute)", "watch (store)", "rwatch (load)",
					     "awatch (load/store)" };
	size_t o;

	if (!dbtr_present)
		snprintf(out, size, "no hardware triggers: the firmware has no SBI DBTR extension; Z1-Z4 get the "
			 "empty reply and gdb uses software watchpoints/breakpoints\n");
	else if (!trig_capacity())
		snprintf(out, size, "no hardware triggers: SBI DBTR offers %u, none mcontrol6; Z1-Z4 get the empty "
			 "reply and gdb uses software watchpoints/breakpoints\n", dbtr_total);
	else
		snprintf(out, size, "SBI DBTR: %u triggers per hart, %u mcontrol6; this VM may use %u, uses %u\n",
			 dbtr_total, dbtr_mc6, trig_capacity(), d->trig_count);
	for (unsigned i = 0, k = 0; i < DBTR_MAX; i++) {
		const struct hwtrig *t = &d->trigs[i];
		if (!t->used)
			continue;
		o = strlen(out);
		snprintf(out + o, size - o, "  trigger %u: %s at 0x%lx, %u bytes, mcontrol6 tdata1 0x%lx\n", k++,
			 kinds[t->type], t->addr, t->len, trig_config(t).tdata1);
	}
	for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
		if (hart_trigs[h].vm != d->vm->id)
			continue;
		o = strlen(out);
		snprintf(out + o, size - o, "  %s on hart %u: firmware indices",
			 hart_trigs[h].gen == d->trig_gen ? "installed" : "an older set, until it next loads a vCPU,", h);
		for (unsigned i = 0; i < hart_trigs[h].n; i++) {
			o = strlen(out);
			snprintf(out + o, size - o, " %lu", hart_trigs[h].idx[i]);
		}
		o = strlen(out);
		snprintf(out + o, size - o, "\n");
	}
}

void gdbstub_vcpu_left(struct vcpu *v)
{
	struct vm_debug *d;

	if (!present)
		return;
	d = dbg_of(v->vm);
	if (!__atomic_load_n(&d->stop_pending, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&d->lock);
	try_report_locked(d);
	spin_unlock(&d->lock);
}
