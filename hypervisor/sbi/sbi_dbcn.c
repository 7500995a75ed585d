#include "sbi/sbi.h"
#include "core/vm.h"

enum { DBCN_WRITE,
       DBCN_READ,
       DBCN_WRITE_BYTE };

/*
 * Bytes written per debug_console_write call.  The SBI spec lets a write
 * return fewer bytes than asked (the caller calls again for the rest), and
 * the call runs with the hart's interrupts off: a guest handing over its
 * whole RAM must not hold the hart, the console or its neighbours for long.
 */
#define DBCN_WRITE_MAX 4096

/* Buffers are guest-physical; they must lie inside the VM's RAM. */
static void dbcn_handle(struct sbi_call_ctx *c)
{
	struct vm *vm = c->vcpu->vm;
	unsigned long len = c->arg[0];
	/* cppcheck-suppress shadowFunction ; the address, not mem/types.h's gpa() */
	uint64_t gpa = c->arg[1] | (uint64_t)c->arg[2] << 32;

	if (c->arg[2] != 0 && (c->fid == DBCN_WRITE || c->fid == DBCN_READ)) {
		c->error = SBI_ERR_INVALID_PARAM; /* RV64: the high half must be 0 */
		return;
	}
	switch (c->fid) {
	case DBCN_WRITE: {
		if (!vm_gpa_range_ok(vm, gpa, len)) {
			c->error = SBI_ERR_INVALID_PARAM;
			return;
		}
		const char *p = vm_gpa_ptr(vm, gpa);
		if (len > DBCN_WRITE_MAX)
			len = DBCN_WRITE_MAX;
		for (unsigned long i = 0; i < len; i++)
			term_vm_output(vm, p[i]);
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
		term_vm_output(vm, (char)c->arg[0]);
		c->value = 0;
		break;
	default:
		return;
	}
	c->error = SBI_SUCCESS;
}

const struct sbi_ext sbi_ext_dbcn = { "DBCN", SBI_EXT_DBCN, SBI_EXT_DBCN, dbcn_handle };
