/*
 * Stopping and resuming a VM for the debugger, and the stops for faults
 * (a VM that would die, monitor catch fault) with monitor why.
 *
 * A stop is a request, finished by whoever lets go of the VM's last loaded
 * vCPU (the pattern of vm_reset): the stop reply goes out only then, while
 * the VM is VM_PAUSED (the console's pause) and none of its vCPUs is on a
 * hart, so their saved state is the truth.
 */
#include "gdbstub/gdbstub.h"
#include "gdbstub/internal.h"
#include "core/vm.h"
#include "core/hart.h"
#include "core/sched.h"
#include "core/trap.h"
#include "core/postmortem.h"
#include "spec/decode.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "spec/vswalk.h"

static void kick_others(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (&vm->vcpus[i] != this_hart()->current)
			vcpu_kick(&vm->vcpus[i]);
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
void vmstop_request(struct vm_debug *d, unsigned tid, int sig)
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

struct bp_deleg {
	struct vm_debug *d;
	bool debugging;
};

/* Under vm->lock (vm_change_csrs): remember the guest's own choice, then clear or restore bit 3. */
static void change_bp_deleg(struct vm *vm, uint64_t arg)
{
	const struct bp_deleg *r = (const struct bp_deleg *)(uintptr_t)arg;
	struct vm_debug *d = r->d;
	uint64_t bit = 1UL << CAUSE_BREAKPOINT;

	if (!d->hedeleg_saved) {
		d->deleg_bp = (vm->hedeleg & bit) != 0;
		d->hedeleg_saved = true;
	}
	if (r->debugging)
		vm->hedeleg &= ~bit;
	else if (d->deleg_bp)
		vm->hedeleg |= bit;
	if (!r->debugging)
		d->hedeleg_saved = false;
}

/* hedeleg bit 3 clear while there are breakpoints or a step (else ebreaks go to the guest directly). */
void vmstop_hedeleg(struct vm_debug *d, bool debugging)
{
	struct bp_deleg r = { d, debugging };

	vm_change_csrs(d->vm, change_bp_deleg, (uint64_t)(uintptr_t)&r);
}

void vmstop_resume(struct vm_debug *d)
{
	struct vm *vm = d->vm;

	__atomic_store_n(&d->stop_pending, 0, __ATOMIC_RELEASE);
	spin_lock(&vm->lock);
	if (vm->state == VM_PAUSED)
		vm->state = VM_RUNNING;
	spin_unlock(&vm->lock);
	kick_others(vm);
}

void vmstop_catch_set(struct vm_debug *d, bool on)
{
	d->catch_on = on;
	d->pass_next = false;
	__atomic_store_n(&d->vm->catch_faults, on, __ATOMIC_RELEASE);
}

/*
 * The debugger let go of a VM that was held instead of dying: it dies now,
 * as it would have without gdb (the report captured at the fault).
 */
bool vmstop_release_dying(struct vm_debug *d)
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

/* gdb's signal for an exception: what a Unix kernel would send. */
static int fault_signal(uint64_t scause)
{
	switch (scause) {
	case CAUSE_FETCH_ACCESS:
	case CAUSE_LOAD_ACCESS:
	case CAUSE_STORE_ACCESS:
	case CAUSE_FETCH_PAGE_FAULT:
	case CAUSE_LOAD_PAGE_FAULT:
	case CAUSE_STORE_PAGE_FAULT:
	case CAUSE_FETCH_GUEST_PAGE_FAULT:
	case CAUSE_LOAD_GUEST_PAGE_FAULT:
	case CAUSE_STORE_GUEST_PAGE_FAULT:
		return GDB_SIGSEGV;
	case CAUSE_MISALIGNED_FETCH:
	case CAUSE_MISALIGNED_LOAD:
	case CAUSE_MISALIGNED_STORE:
		return GDB_SIGBUS;
	case CAUSE_ILLEGAL_INSTRUCTION:
	case CAUSE_VIRTUAL_INSTRUCTION:
		return GDB_SIGILL;
	default:
		return GDB_SIGTRAP;
	}
}

bool gdbstub_vm_dying(struct vcpu *v, struct exit_info *e, bool loop)
{
	struct vm_debug *d;
	bool held = false;

	if (!gdbstub_present)
		return false;
	d = gdbstub_debug_of(v->vm);
	spin_lock(&d->lock);
	if (d->stub.state != GDB_DETACHED) {
		held = true;
		v->vm->debugger_held = true;
		d->fault_stop = false;
		e->action = TRAP_YIELD;
		vmstop_request(d, v->id + 1, loop ? GDB_SIGTRAP : fault_signal(e->scause));
	}
	spin_unlock(&d->lock);
	if (held)
		hv_printf("vm%d: %s stopped in debugger: %s (monitor why; it dies on detach)\n",
			  v->vm->id, v->vm->name, e->why);
	return held;
}

bool gdbstub_catch(struct vcpu *v, struct exit_info *e)
{
	struct vm_debug *d = gdbstub_debug_of(v->vm);
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
			vmstop_request(d, v->id + 1, fault_signal(e->scause));
		}
	}
	spin_unlock(&d->lock);
	return stop;
}

void gdbstub_set_catch(struct vm_debug *d, bool on) { vmstop_catch_set(d, on); }

bool gdbstub_catching(struct vm_debug *d) { return d->catch_on; }

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
		.vsatp = v->vsatp,
		.priv_u = !(v->regs.sstatus & SSTATUS_SPP),
		.sum = v->vsstatus & SSTATUS_SUM,
		.mxr = v->vsstatus & SSTATUS_MXR,
		.hw_ad = (d->vm->henvcfg & ENVCFG_ADUE) != 0,
		.pte_ptr = vm_pte_ptr,
		.ctx = d->vm,
	};
	struct vs_walk w;

	if (!is_page_fault(d->fault_scause))
		return;
	vswalk(&env, d->fault_stval, d->fault_scause == CAUSE_FETCH_PAGE_FAULT ? VS_FETCH : d->fault_scause == CAUSE_LOAD_PAGE_FAULT ? VS_LOAD :
																       VS_STORE,
	       &w);
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
				    "%s: scause 0x%lx %s, pc 0x%lx, address 0x%lx\n",
			 d->vm->id, pm->why,
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
				    "continue hands it to the guest\n",
			 d->vm->id, d->fault_vcpu, d->fault_scause,
			 decode_cause_name(d->fault_scause), d->fault_sepc, d->fault_stval);
		n = strlen(out);
		caught_walk(d, out + n, size - n);
	} else {
		snprintf(out, size, "vm%d stopped for the debugger (attach, Ctrl-C, a breakpoint or a step), "
				    "not for a fault\n",
			 d->vm->id);
	}
}

void gdbstub_vcpu_left(struct vcpu *v)
{
	struct vm_debug *d;

	if (!gdbstub_present)
		return;
	d = gdbstub_debug_of(v->vm);
	if (!__atomic_load_n(&d->stop_pending, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&d->lock);
	try_report_locked(d);
	spin_unlock(&d->lock);
}
