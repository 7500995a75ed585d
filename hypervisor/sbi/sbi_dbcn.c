#include "sbi/sbi.h"
#include "core/vm.h"

enum { DBCN_WRITE, DBCN_READ, DBCN_WRITE_BYTE };

/* Buffers are guest-physical; they must lie inside the VM's RAM. */
static void dbcn_handle(struct sbi_call_ctx *c)
{
	struct vm *vm = c->vcpu->vm;
	unsigned long len = c->arg[0];
	uint64_t gpa = c->arg[1] | (uint64_t)c->arg[2] << 32;

	if (c->arg[2] != 0 && (c->fid == DBCN_WRITE || c->fid == DBCN_READ)) {
		c->error = SBI_ERR_INVALID_PARAM;	/* RV64: the high half must be 0 */
		return;
	}
	switch (c->fid) {
	case DBCN_WRITE: {
		if (!vm_gpa_range_ok(vm, gpa, len)) {
			c->error = SBI_ERR_INVALID_PARAM;
			return;
		}
		const char *p = vm_gpa_ptr(vm, gpa);
		for (unsigned long i = 0; i < len; i++)
			cons_vm_output(vm, p[i]);
		c->value = len;
		break;
	}
	case DBCN_READ: {
		if (!vm_gpa_range_ok(vm, gpa, len)) {
			c->error = SBI_ERR_INVALID_PARAM;
			return;
		}
		char *p = vm_gpa_ptr(vm, gpa);
		unsigned long n = 0;
		uint64_t byte;
		int tx;
		while (n < len && vm->uart.rx_count) {
			vuart_read(&vm->uart, 0, &byte, &tx);
			p[n++] = (char)byte;
			vm_console_refill(vm);
		}
		vm_irq_update(vm);
		c->value = n;
		break;
	}
	case DBCN_WRITE_BYTE:
		cons_vm_output(vm, (char)c->arg[0]);
		c->value = 0;
		break;
	default:
		return;
	}
	c->error = SBI_SUCCESS;
}

const struct sbi_ext sbi_ext_dbcn = { "DBCN", SBI_EXT_DBCN, SBI_EXT_DBCN, dbcn_handle };
