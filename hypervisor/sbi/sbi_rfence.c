#include "sbi/sbi.h"
#include "core/vm.h"
#include "arch/asm.h"

enum { RFENCE_FENCE_I,
       RFENCE_SFENCE_VMA,
       RFENCE_SFENCE_VMA_ASID,
       RFENCE_LAST_SUPPORTED = RFENCE_SFENCE_VMA_ASID };

/*
 * Every remote fence is done as a full VS-stage flush for the VM's VMID plus
 * fence.i on the target's hart before it next runs guest code.  A target that
 * is running is interrupted, and the caller waits (bounded) until it has
 * flushed, so the call returns after the fence took effect.
 */
static void rfence_handle(struct sbi_call_ctx *c)
{
	struct vm *vm = c->vcpu->vm;
	unsigned long mask = c->arg[0], base = c->arg[1];

	if (c->fid > RFENCE_LAST_SUPPORTED)
		return; /* HFENCE variants: guests have no H extension */
	if (!sbi_hart_mask_valid(c->vcpu, mask, base)) {
		c->error = SBI_ERR_INVALID_PARAM;
		return;
	}
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *t = &vm->vcpus[i];
		if (!sbi_hart_in_mask(i, mask, base))
			continue;
		if (t == c->vcpu) {
			hfence_vvma_all();
			arch_fence_i();
			continue;
		}
		__atomic_store_n(&t->flush_pending, 1, __ATOMIC_RELEASE);
		if (t->running)
			vcpu_kick(t);
	}
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *t = &vm->vcpus[i];
		for (unsigned spin = 0; spin < 1000000 && t->running && t->flush_pending; spin++)
			;
	}
	c->error = SBI_SUCCESS;
}

const struct sbi_ext sbi_ext_rfence = { "RFENCE", SBI_EXT_RFENCE, SBI_EXT_RFENCE, rfence_handle };
