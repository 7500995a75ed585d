#include "sbi/sbi.h"
#include "core/vm.h"

void sbi_ipi_send(struct vcpu *from, unsigned long mask, unsigned long base);
void sbi_ipi_send(struct vcpu *from, unsigned long mask, unsigned long base)
{
	struct vm *vm = from->vm;

	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (sbi_hart_in_mask(i, mask, base)) {
			__atomic_store_n(&vm->vcpus[i].ssip_pending, 1, __ATOMIC_RELEASE);
			if (&vm->vcpus[i] != from)
				vcpu_kick(&vm->vcpus[i]);
		}
}

static void ipi_handle(struct sbi_call_ctx *c)
{
	if (c->fid != 0)
		return;
	if (!sbi_hart_mask_valid(c->vcpu, c->arg[0], c->arg[1])) {
		c->error = SBI_ERR_INVALID_PARAM;
		return;
	}
	sbi_ipi_send(c->vcpu, c->arg[0], c->arg[1]);
	c->error = SBI_SUCCESS;
}

const struct sbi_ext sbi_ext_ipi = { "IPI", SBI_EXT_IPI, SBI_EXT_IPI, ipi_handle };
