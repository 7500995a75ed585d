/*
 * The fake arch: what hypervisor/arch provides, for core code built on the
 * host (HV_HOST_TEST).  arch/csr.h and arch/asm.h already turn CSR
 * accesses and fences into fake_csr[] and counters; this file supplies the
 * rest (the hart pointer tp would hold, FP save/restore, the guest
 * instruction read, the firmware calls, the hart timer) and records what
 * core asked of it in `fake_arch`.
 */
#include <string.h>
#include "fake_arch.h"
#include "arch/sbi_call.h"
#include "arch/timer.h"
#include "arch/vcpu_regs.h"

uint64_t fake_csr[4096];
unsigned fake_hfence_gvma, fake_hfence_vvma, fake_sfence_vma, fake_wfi, fake_fence, fake_fence_i;
void *fake_hart_self;
struct fake_arch fake_arch;

uint64_t hv_timebase = 10000000;
bool hv_has_sstc = true;

void fake_arch_reset(unsigned hartid)
{
	memset(fake_csr, 0, sizeof(fake_csr));
	memset(&fake_arch, 0, sizeof(fake_arch));
	fake_hfence_gvma = fake_hfence_vvma = fake_sfence_vma = fake_wfi = fake_fence = fake_fence_i = 0;
	fake_hart_self = &harts[hartid];
}

void timer_program(uint64_t when)
{
	fake_arch.timer = when;
}

void sbi_send_ipi_hart(unsigned long hart)
{
	if (hart < HV_MAX_HARTS)
		fake_arch.ipis[hart]++;
}

void arch_fp_save(struct vcpu_fp *fp)
{
	(void)fp;
}

void arch_fp_restore(const struct vcpu_fp *fp)
{
	(void)fp;
}

/* No guest memory behind the fake: every instruction read faults, as one from a hole would. */
/* The world switch: the tests call trap_quick()/trap_slow() the way the trap vector does instead. */
void arch_vcpu_run(struct vcpu_regs *regs)
{
	(void)regs;
}

int arch_hlvx_hu(uint64_t gva, uint16_t *out)
{
	(void)gva;
	*out = 0;
	return -1;
}
