#include "core/sched.h"
#include "core/vm.h"
#include "core/hart.h"
#include "arch/asm.h"
#include "arch/csr.h"
#include "arch/sbi_call.h"

static struct vcpu *run_list[VM_MAX * VM_MAX_VCPUS];
static unsigned run_count, run_cursor;
static spinlock_t sched_lock = SPINLOCK_INIT;

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
