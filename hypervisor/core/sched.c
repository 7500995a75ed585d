#include "core/sched.h"
#include "gdbstub/gdbstub.h"
#include "core/vm.h"
#include "core/hart.h"
#include "core/trap.h"
#include "arch/asm.h"
#include "arch/csr.h"
#include "arch/sbi_call.h"
#include "drivers/uart8250.h"

static struct vcpu *run_list[VM_MAX * VM_MAX_VCPUS];
static unsigned run_count, run_cursor;
static spinlock_t sched_lock = SPINLOCK_INIT;
uint64_t hv_timebase = 10000000;
bool hv_has_sstc;

void sched_add(struct vcpu *v)
{
	spin_lock(&sched_lock);
	if (run_count < sizeof(run_list) / sizeof(run_list[0]))
		run_list[run_count++] = v;
	spin_unlock(&sched_lock);
}

void sched_set_state(struct vcpu *v, int state)
{
	spin_lock(&sched_lock);
	v->state = state;
	spin_unlock(&sched_lock);
}

/* Next runnable vCPU not loaded elsewhere; blocked ones with an interrupt wake up. */
struct vcpu *sched_pick(void)
{
	struct vcpu *found = 0;

	spin_lock(&sched_lock);
	for (unsigned n = 0; n < run_count && !found; n++) {
		struct vcpu *v = run_list[(run_cursor + n) % run_count];
		if (v->running || v->vm->state != VM_RUNNING)
			continue;
		if (v->state == VCPU_BLOCKED && vcpu_has_interrupt(v))
			v->state = VCPU_RUNNABLE;
		if (v->state != VCPU_RUNNABLE)
			continue;
		found = v;
		run_cursor = (run_cursor + n + 1) % run_count;
	}
	if (found) {
		found->running = true;
		found->hart = this_hart()->hartid;
	}
	spin_unlock(&sched_lock);
	return found;
}

/* v left its hart: a hart_stop'ed vCPU is OFF only from now on (HSM STOP_PENDING). */
void sched_release(struct vcpu *v)
{
	spin_lock(&sched_lock);
	v->running = false;
	if (v->state == VCPU_STOP_PENDING)
		__atomic_store_n(&v->state, VCPU_OFF, __ATOMIC_RELEASE);
	spin_unlock(&sched_lock);
}

/* HSM hart_start: true if v was OFF and is now START_PENDING for the caller. */
bool sched_claim_start(struct vcpu *v)
{
	bool claimed;

	spin_lock(&sched_lock);
	claimed = v->state == VCPU_OFF && !v->running;
	if (claimed)
		v->state = VCPU_START_PENDING;
	spin_unlock(&sched_lock);
	return claimed;
}

/*
 * True for exactly one caller once none of the VM's vCPUs is on a hart and
 * *flag is set (it is cleared): whoever gets true does the work that waited.
 */
bool sched_claim_idle_vm(struct vm *vm, volatile uint32_t *flag)
{
	bool claimed = true;

	spin_lock(&sched_lock);
	for (unsigned i = 0; i < vm->vcpu_count && claimed; i++)
		if (vm->vcpus[i].running)
			claimed = false;
	if (claimed)
		claimed = __atomic_exchange_n(flag, 0, __ATOMIC_ACQ_REL) != 0;
	spin_unlock(&sched_lock);
	return claimed;
}

/* Returns the hart the vCPU runs on (to interrupt it), or -1. */
int sched_wake(struct vcpu *v)
{
	int hart = -1;

	spin_lock(&sched_lock);
	if (v->state == VCPU_BLOCKED)
		v->state = VCPU_RUNNABLE;
	if (v->running)
		hart = v->hart;
	spin_unlock(&sched_lock);
	/* An idle hart may be asleep in WFI: wake one so it can pick v up. */
	if (hart < 0)
		for (unsigned i = 0; i < HV_MAX_HARTS; i++)
			if (harts[i].online && !harts[i].current && i != this_hart()->hartid) {
				sbi_send_ipi_hart(i);
				break;
			}
	return hart;
}

/*
 * Earliest vstimecmp among blocked vCPUs that their timer could wake: the
 * hart must interrupt itself for it.  WFI ends on vsip & vsie whatever
 * sstatus.SIE says, so a vCPU with vsie.STIE clear sleeps through its timer:
 * counting its deadline (often long past: "timer fired, now halt") would
 * make every guest entry on every hart take a host timer interrupt at once.
 */
uint64_t sched_next_deadline(void)
{
	uint64_t next = UINT64_MAX;

	spin_lock(&sched_lock);
	for (unsigned i = 0; i < run_count; i++) {
		struct vcpu *v = run_list[i];
		if (v->state == VCPU_BLOCKED && !v->running && v->vm->state == VM_RUNNING &&
		    (v->vsie & 1UL << IRQ_S_TIMER)) {
			uint64_t t = v->vstimecmp - v->htimedelta;
			if (t < next)
				next = t;
		}
	}
	spin_unlock(&sched_lock);
	return next;
}

void timer_program(uint64_t when)
{
	if (hv_has_sstc)
		csr_write(CSR_STIMECMP, when);
	else
		sbi_set_timer_fw(when);
}

/*
 * Run v on this hart until it blocks, its slice ends, or its VM stops.  The
 * hart's timer fires at the end of the slice or at the earliest vstimecmp of
 * a blocked vCPU, whichever comes first; either way the running vCPU yields
 * and the scheduler wakes whoever is due.  Blocked vCPUs only change when a
 * vCPU blocks, and the hart that blocked it computes a new deadline at the
 * start of its next slice, so the deadline is computed once per slice, not
 * once per exit.
 */
/* Everything due before (re-)entering v; false if it must leave the hart. */
static bool run_prepare(struct hart *h, struct vcpu *v)
{
	if (v->vm->state != VM_RUNNING || v->state != VCPU_RUNNABLE)
		return false;
	if (!h->timer_armed) {
		timer_program(h->timer_at);
		h->timer_armed = true;
	}
	vcpu_update_hvip(v);
	return true;
}

/*
 * Called by the trap vector (arch/entry.S) on the hart's stack for every
 * guest trap.  Nonzero: handled, go straight back into the guest.  Zero: the
 * vCPU leaves the hart, so arch_vcpu_run() returns into run_vcpu() below.
 * Keeping the common exit out of run_vcpu() saves the world switch the
 * save/restore of the hypervisor's callee-saved registers.
 */
int trap_fast(struct vcpu_regs *regs)
{
	struct vcpu *v = (struct vcpu *)regs;	/* regs is the first member */

	v->exit_action = trap_handle(v);
	return v->exit_action == TRAP_RESUME && run_prepare(this_hart(), v);
}

static void run_vcpu(struct vcpu *v)
{
	struct hart *h = this_hart();
	uint64_t slice = hv_timebase / 1000 * SCHED_SLICE_MS;
	uint64_t deadline;

	vcpu_load(v);
	if (gdbstub_trigger_users)	/* a debugger's hardware triggers: per slice, never per exit */
		gdbstub_vcpu_enter(v);
	h->slice_end = arch_time() + slice;
	deadline = sched_next_deadline();
	h->timer_at = deadline < h->slice_end ? deadline : h->slice_end;
	h->timer_armed = false;
	while (run_prepare(h, v)) {
		arch_vcpu_run(&v->regs);	/* returns when trap_fast() said no */
		if (v->exit_action != TRAP_RESUME)
			break;
	}
	vcpu_put(v);
	sched_release(v);
	vm_vcpu_left(v);
}

/* Nothing to run: sleep until an interrupt (SIE stays 0; WFI wakes on sie bits). */
static void idle(void)
{
	uint64_t deadline = sched_next_deadline();

	timer_program(deadline);
	if (!(csr_read(CSR_SIP) & (MIP_SSIP | MIP_SEIP | MIP_STIP)))
		arch_wfi();
	trap_handle_host_interrupts();
	this_hart()->idle_ticks++;
}

void sched_loop(void)
{
	for (;;) {
		struct vcpu *v = sched_pick();
		if (v)
			run_vcpu(v);
		else
			idle();
	}
}
