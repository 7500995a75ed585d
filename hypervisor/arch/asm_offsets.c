/*
 * Compiled to assembly only: each OFFSET() leaves a "->NAME value" marker that
 * the build turns into $(O)/hypervisor/asm_offsets.h for the .S files.
 */
#include <stddef.h>
#include "arch/vcpu_regs.h"
#include "arch/hart.h"
#include "arch/csr.h"
#include "spec/board.h"

#define OFFSET(name, type, member) \
	__asm__ volatile("\n->" #name " %0" ::"i"(offsetof(type, member)))
#define VALUE(name, v) __asm__ volatile("\n->" #name " %0" ::"i"(v))

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(VCPU_X, struct vcpu_regs, x);
	OFFSET(VCPU_SEPC, struct vcpu_regs, sepc);
	OFFSET(VCPU_SSTATUS, struct vcpu_regs, sstatus);
	OFFSET(VCPU_HSTATUS, struct vcpu_regs, hstatus);
	OFFSET(VCPU_HOST_RA, struct vcpu_regs, host_ra);
	OFFSET(VCPU_HOST_SP, struct vcpu_regs, host_sp);
	OFFSET(VCPU_HOST_GP, struct vcpu_regs, host_gp);
	OFFSET(VCPU_HOST_TP, struct vcpu_regs, host_tp);
	OFFSET(VCPU_HOST_S, struct vcpu_regs, host_s);
	OFFSET(FP_F, struct vcpu_fp, f);
	OFFSET(FP_FCSR, struct vcpu_fp, fcsr);
	OFFSET(HART_FIXUP_PC, struct arch_hart, fixup_pc);
	OFFSET(HART_FAULT_CAUSE, struct arch_hart, fault_cause);
	OFFSET(HART_FAULT_TVAL, struct arch_hart, fault_tval);
	VALUE(HV_STACK_SIZE_V, HV_STACK_SIZE);
	VALUE(HV_MAX_HARTS_V, HV_MAX_HARTS);
}
