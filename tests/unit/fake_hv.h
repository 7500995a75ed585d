/*
 * Fakes for what the SBI server calls outside hypervisor/sbi: scheduler,
 * vCPU/VM life cycle, console, interrupt update and the CSR/instruction
 * escape hatch of arch/csr.h and arch/asm.h (HV_HOST_TEST).  Each fake
 * records its calls in `fake` so that tests can check what happened.
 */
#ifndef FAKE_HV_H
#define FAKE_HV_H

#include <stdbool.h>
#include <stdint.h>
#include "core/vm.h"
#include "arch/asm.h"

#define FAKE_OUT_MAX 16384

struct fake_state {
	unsigned kicks[VM_MAX_VCPUS];		/* vcpu_kick per vCPU id */
	unsigned set_state_calls;
	unsigned resets;			/* vcpu_reset */
	uint64_t reset_pc, reset_a1;
	struct vcpu *reset_vcpu;
	unsigned vm_stops, vm_resets, irq_updates;
	enum vm_state stop_state;
	char stop_reason[128];
	char out[FAKE_OUT_MAX];		/* term_vm_output bytes */
	unsigned out_len;
	bool interrupt_loaded;			/* vcpu_has_interrupt_loaded() answer */
};

extern struct fake_state fake;
extern unsigned fake_fence_i;			/* fence.i executed (fake_rfence.c) */

/* Clears `fake`, the fake CSRs and the instruction counters. */
void fake_reset(void);

#endif
