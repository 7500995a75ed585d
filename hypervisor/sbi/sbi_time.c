#include "sbi/sbi.h"
#include "core/vm.h"
#include "arch/csr.h"

/* Stored in vstimecmp (Sstc): the hardware raises VSTIP when guest time passes it. */
void sbi_time_set(struct vcpu *v, uint64_t when)
{
	(void)v; /* v is loaded on this hart: its vstimecmp is the live CSR */
	csr_write(CSR_VSTIMECMP, when);
	csr_clear(CSR_HVIP, MIP_VSTIP);
}

static void time_handle(struct sbi_call_ctx *c)
{
	if (c->fid != 0)
		return;
	sbi_time_set(c->vcpu, c->arg[0]);
	c->error = SBI_SUCCESS;
}

const struct sbi_ext sbi_ext_time = { "TIME", SBI_EXT_TIME, SBI_EXT_TIME, time_handle };
