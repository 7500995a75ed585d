/*
 * The run loop: every hart picks a vCPU (core/sched.c), enters it and stays
 * in it until it blocks, its slice ends or its VM stops.  Exits are handled
 * inside the world switch (arch/entry.S calls trap_quick, core/trap.c, then
 * trap_slow below) and go straight back into the guest.
 */
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/hart.h"
#include "core/trap.h"
#include "arch/asm.h"
#include "arch/csr.h"
#include "arch/timer.h"
#include "core/debug_hooks.h"

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
 * Every exit that trap_quick() (core/trap.c) does not handle: called by
 * the trap vector (arch/entry.S) on the hart's stack with every guest
 * register in regs and sepc, sstatus and hstatus still in their CSRs,
 * which are saved first (what follows may trap in HS, an HLVX that
 * faults, and that overwrites them).  Nonzero: handled, go straight back
 * into the guest; zero: the vCPU leaves the hart, so arch_vcpu_run()
 * returns into run_vcpu() below.  Keeping the common exit out of
 * run_vcpu() saves the world switch the save/restore of the hypervisor's
 * callee-saved registers.
 */
int trap_slow(struct vcpu *v)
{
	v->regs.sepc = csr_read(CSR_SEPC);
	v->regs.sstatus = csr_read(CSR_SSTATUS);
	v->regs.hstatus = csr_read(CSR_HSTATUS);
	v->exit_action = trap_handle(v);
	return v->exit_action == TRAP_RESUME && run_prepare(this_hart(), v);
}

static void run_vcpu(struct vcpu *v)
{
	struct hart *h = this_hart();
	uint64_t slice = hv_timebase / 1000 * SCHED_SLICE_MS;
	uint64_t deadline;

	vcpu_load(v);
	if (gdbstub_trigger_users) /* a debugger's hardware triggers: per slice, never per exit */
		gdbstub_vcpu_enter(v);
	h->slice_end = arch_time() + slice;
	deadline = sched_next_deadline();
	h->timer_at = deadline < h->slice_end ? deadline : h->slice_end;
	h->timer_armed = false;
	while (run_prepare(h, v)) {
		arch_vcpu_run(&v->regs); /* returns when trap_slow() said no */
		if (v->exit_action != TRAP_RESUME)
			break;
	}
	vcpu_put(v);
	sched_release(v);
	vm_vcpu_left(v);
}

/*
 * Nothing to run: sleep until an interrupt (SIE stays 0; WFI wakes on sie
 * bits, and on VS-level ones enabled in hie, which vcpu_put() leaves none
 * of).  A WFI that returns with no host interrupt pending is counted
 * (hv> stats): many of them mean this loop polls instead of sleeping.
 */
static void idle(void)
{
	const uint64_t host_irqs = MIP_SSIP | MIP_SEIP | MIP_STIP;
	struct hart *h = this_hart();

	timer_program(sched_next_deadline());
	if (!(csr_read(CSR_SIP) & host_irqs)) {
		arch_wfi();
		if (!(csr_read(CSR_SIP) & host_irqs))
			h->idle_empty++;
	}
	trap_handle_host_interrupts();
	h->idle_ticks++;
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
