#include "sbi/sbi.h"
#include "core/vm.h"
#include "core/sched.h"

enum { HSM_HART_START,
       HSM_HART_STOP,
       HSM_HART_GET_STATUS,
       HSM_HART_SUSPEND };
enum { HSM_STARTED = 0,
       HSM_STOPPED = 1,
       HSM_START_PENDING = 2,
       HSM_STOP_PENDING = 3 };
#define HSM_SUSPEND_RETENTIVE_DEFAULT 0x00000000UL
#define HSM_SUSPEND_NONRET_DEFAULT    0x80000000UL

static void hsm_start(struct sbi_call_ctx *c)
{
	struct vm *vm = c->vcpu->vm;
	unsigned long id = c->arg[0], addr = c->arg[1];
	struct vcpu *t;

	if (id >= vm->vcpu_count) {
		c->error = SBI_ERR_INVALID_PARAM;
		return;
	}
	if (!vm_gpa_range_ok(vm, addr, 2)) {
		c->error = SBI_ERR_INVALID_ADDRESS;
		return;
	}
	t = &vm->vcpus[id];
	/* Claimed under the scheduler's lock: OFF means off its hart, and two starts race safely. */
	if (!sched_claim_start(t)) {
		c->error = SBI_ERR_ALREADY_AVAILABLE;
		return;
	}
	vcpu_reset(t, addr, c->arg[2]);
	sched_set_state(t, VCPU_RUNNABLE);
	vcpu_kick(t);
	c->error = SBI_SUCCESS;
}

static void hsm_status(struct sbi_call_ctx *c)
{
	struct vm *vm = c->vcpu->vm;

	if (c->arg[0] >= vm->vcpu_count) {
		c->error = SBI_ERR_INVALID_PARAM;
		return;
	}
	switch (__atomic_load_n(&vm->vcpus[c->arg[0]].state, __ATOMIC_ACQUIRE)) {
	case VCPU_OFF:
		c->value = HSM_STOPPED;
		break;
	case VCPU_STOP_PENDING:
		c->value = HSM_STOP_PENDING;
		break;
	case VCPU_START_PENDING:
		c->value = HSM_START_PENDING;
		break;
	default:
		c->value = HSM_STARTED;
		break;
	}
	c->error = SBI_SUCCESS;
}

static void hsm_suspend(struct sbi_call_ctx *c)
{
	unsigned long type = c->arg[0];

	if (type == HSM_SUSPEND_RETENTIVE_DEFAULT) {
		/* Like WFI: resume after the next interrupt for this vCPU. */
		if (!vcpu_has_interrupt_loaded(c->vcpu)) {
			sched_set_state(c->vcpu, VCPU_BLOCKED);
			c->exit->action = TRAP_YIELD;
		}
		c->error = SBI_SUCCESS;
	} else if (type == HSM_SUSPEND_NONRET_DEFAULT) {
		c->error = SBI_ERR_NOT_SUPPORTED;
	} else {
		c->error = SBI_ERR_INVALID_PARAM; /* reserved, or platform-specific: none here */
	}
}

static void hsm_handle(struct sbi_call_ctx *c)
{
	switch (c->fid) {
	case HSM_HART_START:
		hsm_start(c);
		break;
	case HSM_HART_STOP:
		/* OFF once it has left this hart (sched_release): until then STOP_PENDING. */
		sched_set_state(c->vcpu, VCPU_STOP_PENDING);
		c->exit->action = TRAP_YIELD;
		c->error = SBI_SUCCESS;
		break;
	case HSM_HART_GET_STATUS:
		hsm_status(c);
		break;
	case HSM_HART_SUSPEND:
		hsm_suspend(c);
		break;
	default:
		break;
	}
}

const struct sbi_ext sbi_ext_hsm = { "HSM", SBI_EXT_HSM, SBI_EXT_HSM, hsm_handle };
