/*
 * SBI v0.1 ("legacy") calls: only set_timer, console putchar/getchar,
 * clear_ipi and shutdown.  They return a single value in a0.
 */
#include "sbi/sbi.h"
#include "core/vm.h"
#include "arch/csr.h"

static void legacy_handle(struct sbi_call_ctx *c)
{
	unsigned long eid = c->vcpu->regs.x[REG_A7];
	struct vm *vm = c->vcpu->vm;
	uint64_t byte;
	int tx;

	c->legacy = true;
	c->error = 0;
	switch (eid) {
	case SBI_EXT_LEGACY_SET_TIMER:
		sbi_time_set(c->vcpu, c->arg[0]);
		break;
	case SBI_EXT_LEGACY_PUTCHAR:
		term_vm_output(vm, (char)c->arg[0]);
		break;
	case SBI_EXT_LEGACY_GETCHAR:
		c->error = -1;
		if (vm->uart.rx_count) {
			vuart_read(&vm->uart, 0, &byte, &tx);
			c->error = (long)byte;
			vm_console_refill(vm);
			vm_irq_update(vm);
		}
		break;
	case SBI_EXT_LEGACY_CLEAR_IPI:
		csr_clear(CSR_HVIP, MIP_VSSIP);
		break;
	case SBI_EXT_LEGACY_SHUTDOWN:
		c->exit->action = TRAP_YIELD;
		vm_stop(vm, VM_STOPPED, "guest shut down (legacy SBI shutdown)");
		break;
	default:
		c->error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
}

const struct sbi_ext sbi_ext_legacy = { "LEGACY", 0x00, 0x0f, legacy_handle };
