/*
 * Fake hypervisor services for host unit tests of the SBI server.  They
 * keep just enough state to observe what an SBI call did; nothing here
 * schedules or runs anything.
 */
#include <stdio.h>
#include <string.h>
#include "fake_hv.h"
#include "core/sched.h"
#include "arch/sbi_call.h"

uint64_t fake_csr[4096];
unsigned fake_hfence_gvma, fake_hfence_vvma, fake_sfence_vma, fake_wfi, fake_fence;
unsigned fake_fence_i;
struct fake_state fake;

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	memset(fake_csr, 0, sizeof(fake_csr));
	fake_hfence_gvma = fake_hfence_vvma = fake_sfence_vma = fake_wfi = fake_fence = 0;
	fake_fence_i = 0;
}

void vcpu_kick(struct vcpu *v)
{
	if (v->id < VM_MAX_VCPUS)
		fake.kicks[v->id]++;
}

void sched_set_state(struct vcpu *v, int state)
{
	fake.set_state_calls++;
	v->state = (enum vcpu_state)state;
}

/* Like the real one as far as the SBI server can tell: pc, a0 = id, a1. */
void vcpu_reset(struct vcpu *v, uint64_t pc, uint64_t a1)
{
	fake.resets++;
	fake.reset_vcpu = v;
	fake.reset_pc = pc;
	fake.reset_a1 = a1;
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.sepc = pc;
	v->regs.x[REG_A0] = v->id;
	v->regs.x[REG_A1] = a1;
}

void vm_stop(struct vm *vm, enum vm_state state, const char *why)
{
	fake.vm_stops++;
	fake.stop_state = state;
	snprintf(fake.stop_reason, sizeof(fake.stop_reason), "%s", why ? why : "");
	vm->state = state;
}

/*
 * A reset VM restarts at its image entry with vCPU 0 running.  Every vCPU
 * gets a0 = its id and a1 = the DTB, so that a test sees whether the SBI
 * server wrote an sbiret over them afterwards.
 */
void vm_reset(struct vm *vm, const char *why)
{
	(void)why;
	fake.vm_resets++;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		memset(&vm->vcpus[i].regs, 0, sizeof(vm->vcpus[i].regs));
		vm->vcpus[i].regs.sepc = vm->image.entry;
		vm->vcpus[i].regs.x[REG_A0] = i;
		vm->vcpus[i].regs.x[REG_A1] = vm->fdt_gpa;
		vm->vcpus[i].state = i == 0 ? VCPU_RUNNABLE : VCPU_OFF;
	}
}

void vm_irq_update(struct vm *vm)
{
	(void)vm;
	fake.irq_updates++;
}

void term_vm_output(struct vm *vm, char c)
{
	(void)vm;
	if (fake.out_len < FAKE_OUT_MAX - 1)
		fake.out[fake.out_len++] = c;
}

/* Same contract as core/vm.c: [gpa, gpa+len) inside RAM, no wrap-around. */
bool vm_gpa_range_ok(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa < VM_RAM_BASE || len > vm->ram_size)
		return false;
	return gpa - VM_RAM_BASE <= vm->ram_size - len;
}

void *vm_gpa_ptr(const struct vm *vm, uint64_t gpa)
{
	return (char *)(uintptr_t)vm->ram.v + (gpa - VM_RAM_BASE);
}

bool vcpu_has_interrupt_loaded(struct vcpu *v)
{
	(void)v;
	return fake.interrupt_loaded;
}
void vm_console_refill(struct vm *vm) { (void)vm; }

/* HSM hart_start's claim: an OFF vCPU becomes START_PENDING for the caller. */
bool sched_claim_start(struct vcpu *v)
{
	if (v->state != VCPU_OFF)
		return false;
	v->state = VCPU_START_PENDING;
	return true;
}

/* The firmware below the hypervisor: BASE's machine IDs read 0 here. */
struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)ext, (void)fid, (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return (struct sbiret){ 0, 0 };
}
