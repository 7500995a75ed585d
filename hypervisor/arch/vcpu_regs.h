/*
 * What the world switch saves: the guest's GPRs and the trap CSRs, and the
 * hypervisor's callee-saved registers so that arch_vcpu_run() returns like a
 * function call when the guest traps.  Offsets for the assembly come from
 * asm_offsets.c; never type them by hand.
 */
#ifndef ARCH_VCPU_REGS_H
#define ARCH_VCPU_REGS_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu_regs {
	uint64_t x[32];	  /* guest x0..x31 (x[0] always 0) */
	uint64_t sepc;	  /* guest pc */
	uint64_t sstatus; /* HS sstatus as seen at the trap: SPP, FS */
	uint64_t hstatus; /* SPV, SPVP, GVA at the trap */
	uint64_t host_ra, host_sp, host_gp, host_tp;
	uint64_t host_s[12];
};

struct vcpu_fp {
	uint64_t f[32];
	uint64_t fcsr;
};

/* arch/switch.S */
void arch_vcpu_run(struct vcpu_regs *regs);

/*
 * During a quick exit (core/trap.c, trap_quick) the guest's gp, s0 and
 * s2-s11 are still in the hart's registers, not in regs->x[] (arch/entry.S).
 */
static inline bool vcpu_reg_in_regs_quick(unsigned r)
{
	return r != 3 && r != 8 && (r < 18 || r > 27);
}
void arch_fp_save(struct vcpu_fp *fp);
void arch_fp_restore(const struct vcpu_fp *fp);
int arch_hlvx_hu(uint64_t gva, uint16_t *out);

enum { REG_RA = 1,
       REG_SP = 2,
       REG_A0 = 10,
       REG_A1,
       REG_A2,
       REG_A3,
       REG_A4,
       REG_A5,
       REG_A6,
       REG_A7 };

#endif
