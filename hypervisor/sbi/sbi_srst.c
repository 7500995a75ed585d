#include "sbi/sbi.h"
#include "core/vm.h"
#include "lib/printf.h"

enum { SRST_SHUTDOWN = 0,
       SRST_COLD_REBOOT = 1,
       SRST_WARM_REBOOT = 2 };
#define SRST_REASON_SYSFAIL   1
#define SRST_REASON_SBI_FIRST 0xe0000000UL

/* A guest resets only its own VM. */
static void srst_handle(struct sbi_call_ctx *c)
{
	unsigned long type = c->arg[0], reason = c->arg[1];
	struct vm *vm = c->vcpu->vm;

	if (c->fid != 0)
		return;
	if (type > SRST_WARM_REBOOT) {
		c->error = SBI_ERR_INVALID_PARAM; /* reserved, or vendor-specific: none here */
		return;
	}
	/* reset_type and reset_reason are uint32_t: a wider value is no reason (OpenSBI says so too). */
	if ((reason > SRST_REASON_SYSFAIL && reason < SRST_REASON_SBI_FIRST) || reason > 0xffffffffUL) {
		c->error = SBI_ERR_INVALID_PARAM;
		return;
	}
	c->exit->action = TRAP_YIELD;
	c->error = SBI_SUCCESS;
	if (type == SRST_SHUTDOWN && reason == SRST_REASON_SYSFAIL)
		/* the guest's own panic: it dies with a report like any other death */
		snprintf(c->exit->why, sizeof(c->exit->why), "guest shut down reporting a system failure (SBI SRST)");
	else if (type == SRST_SHUTDOWN)
		vm_stop(vm, VM_STOPPED, "guest shut down (SBI SRST)");
	else {
		vm_reset(vm, "SBI SRST");
		c->no_return = true;
		c->exit->advance = 0; /* sepc is the image entry now */
	}
}

const struct sbi_ext sbi_ext_srst = { "SRST", SBI_EXT_SRST, SBI_EXT_SRST, srst_handle };
