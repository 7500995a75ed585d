/*
 * Boot entry from OpenSBI (fw_dynamic payload, HS-mode) and the trap vector.
 *
 * Convention: sscratch is 0 while hypervisor code runs and points to the
 * running vCPU's struct vcpu_regs while a guest runs.  tp always holds this
 * hart's struct hart in hypervisor code.  The hypervisor runs with
 * sstatus.SIE = 0, so the only traps taken from HS itself are exceptions:
 * expected ones (an HLVX that faults, see arch_hlvx_hu) and bugs.
 */
#include "asm_offsets.h"

	.section .text.entry, "ax"
	.globl _start
_start:			/* a0 = hartid, a1 = device tree */
	csrw	sie, zero
	csrw	sscratch, zero
	li	t0, HV_MAX_HARTS_V
	bgeu	a0, t0, park
	/* Clear .bss (4 MiB with the trace rings), 64 bytes a round: both
	 * ends are page-aligned (linker.ld). */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	sd	zero, 8(t0)
	sd	zero, 16(t0)
	sd	zero, 24(t0)
	sd	zero, 32(t0)
	sd	zero, 40(t0)
	sd	zero, 48(t0)
	sd	zero, 56(t0)
	addi	t0, t0, 64
	j	1b
2:	call	setup_hart
	call	hv_main
	j	park

	.globl	_secondary_start
_secondary_start:	/* a0 = hartid, a1 = opaque (unused) */
	csrw	sie, zero
	csrw	sscratch, zero
	li	t0, HV_MAX_HARTS_V
	bgeu	a0, t0, park
	call	setup_hart
	call	hv_secondary_main
park:
	wfi
	j	park

/* sp = top of hv_stacks[hartid], tp = &harts[hartid], stvec; keeps a0/a1. */
setup_hart:
	li	t0, HV_STACK_SIZE_V
	addi	t1, a0, 1
	mul	t0, t0, t1
	la	sp, hv_stacks
	add	sp, sp, t0
	ld	t0, arch_hart_size
	mul	t0, t0, a0
	la	tp, harts
	add	tp, tp, t0
	la	t0, trap_vector
	csrw	stvec, t0
	ret

	.text
	.align	4
	.globl	trap_vector
trap_vector:
	csrrw	a0, sscratch, a0
	beqz	a0, hs_trap
	/*
	 * From a guest: a0 = struct vcpu_regs *, the guest's a0 in sscratch.
	 * First only what the C code may clobber is saved: the caller-saved
	 * registers, sp and tp (the hypervisor's replace them) and s1, which
	 * carries regs across the calls.  That is all the quick exits
	 * (core/trap.c, trap_quick: SBI calls and MMIO htinst describes)
	 * need; the guest's s0 and s2-s11 stay in their registers, which C
	 * preserves, and so does gp, which the hypervisor's C code never uses
	 * (no __global_pointer$: linker.ld makes sure).  sepc, sstatus and
	 * hstatus stay in their CSRs.
	 */
	.irp	n, 1,2,4,5,6,7,9,11,12,13,14,15,16,17,28,29,30,31
	sd	x\n, (VCPU_X + 8 * \n)(a0)
	.endr
	csrr	t0, sscratch
	sd	t0, (VCPU_X + 8 * 10)(a0)
	csrw	sscratch, zero
	/* C runs on the hart's stack (sp as it was when arch_vcpu_run was called). */
	ld	sp, VCPU_HOST_SP(a0)
	ld	tp, VCPU_HOST_TP(a0)
	mv	s1, a0
	call	trap_quick
	mv	t0, a0
	mv	a0, s1
	bnez	t0, vcpu_enter_quick	/* handled, sepc moved in its CSR */
	/* The general path: every register into regs, trap_slow saves the CSRs. */
	.irp	n, 3,8,18,19,20,21,22,23,24,25,26,27
	sd	x\n, (VCPU_X + 8 * \n)(a0)
	.endr
	call	trap_slow
	mv	t0, a0
	mv	a0, s1
	bnez	t0, vcpu_enter		/* handled: sepc, sstatus, hstatus from regs */
	/* The vCPU leaves the hart: return from arch_vcpu_run(). */
	ld	ra, VCPU_HOST_RA(a0)
	ld	gp, VCPU_HOST_GP(a0)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld	s\n, (VCPU_HOST_S + 8 * \n)(a0)
	.endr
	ret

hs_trap:
	/* From HS: a0 == 0, the interrupted a0 in sscratch. */
	csrr	a0, scause
	sd	a0, HART_FAULT_CAUSE(tp)
	csrr	a0, stval
	sd	a0, HART_FAULT_TVAL(tp)
	ld	a0, HART_FIXUP_PC(tp)
	beqz	a0, hs_fatal
	csrw	sepc, a0
	sd	zero, HART_FIXUP_PC(tp)
	csrrw	a0, sscratch, zero
	sret
hs_fatal:
	csrrw	a0, sscratch, zero
	addi	sp, sp, -256
	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, (8 * \n)(sp)
	.endr
	mv	a0, sp
	call	hv_fatal_trap
	j	park

/*
 * void arch_vcpu_run(struct vcpu_regs *regs): enter the guest.  Returns when
 * the vCPU has to leave the hart (trap_slow() returned 0); exits it handles
 * go straight back in through vcpu_enter (or vcpu_enter_quick).
 */
	.globl	arch_vcpu_run
arch_vcpu_run:
	sd	ra, VCPU_HOST_RA(a0)
	sd	sp, VCPU_HOST_SP(a0)
	sd	gp, VCPU_HOST_GP(a0)
	sd	tp, VCPU_HOST_TP(a0)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd	s\n, (VCPU_HOST_S + 8 * \n)(a0)
	.endr
vcpu_enter:			/* a0 = struct vcpu_regs of the vCPU to (re-)enter */
	ld	t0, VCPU_SEPC(a0)
	csrw	sepc, t0
	ld	t0, VCPU_SSTATUS(a0)
	csrw	sstatus, t0
	ld	t0, VCPU_HSTATUS(a0)
	csrw	0x600, t0		/* hstatus: SPV=1 so sret enters the guest */
	.irp	n, 3,8,18,19,20,21,22,23,24,25,26,27
	ld	x\n, (VCPU_X + 8 * \n)(a0)
	.endr
vcpu_enter_quick:		/* a0 = regs; gp, s0, s2-s11 and the CSRs hold the guest's */
	csrw	sscratch, a0
	.irp	n, 1,2,4,5,6,7,9,11,12,13,14,15,16,17,28,29,30,31
	ld	x\n, (VCPU_X + 8 * \n)(a0)
	.endr
	ld	a0, (VCPU_X + 8 * 10)(a0)
	sret

/*
 * int arch_hlvx_hu(uint64_t gva, uint16_t *out): read a halfword of guest
 * instruction memory through both translation stages with the guest's
 * privilege (hstatus.SPVP).  Returns 0, or -1 if the access faulted; the cause
 * is then in hart->fault_cause.
 */
	.globl	arch_hlvx_hu
arch_hlvx_hu:
	la	t0, 1f
	sd	t0, HART_FIXUP_PC(tp)
	.option push
	.option arch, +h
	hlvx.hu	t1, (a0)
	.option pop
	sd	zero, HART_FIXUP_PC(tp)
	sh	t1, 0(a1)
	li	a0, 0
	ret
1:	li	a0, -1
	ret

/* FP state of a vCPU; sstatus.FS must not be Off (the caller makes sure). */
	.globl	arch_fp_save
arch_fp_save:
	.option push
	.option arch, +d
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (FP_F + 8 * \n)(a0)
	.endr
	frcsr	t0
	sd	t0, FP_FCSR(a0)
	ret
	.globl	arch_fp_restore
arch_fp_restore:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (FP_F + 8 * \n)(a0)
	.endr
	ld	t0, FP_FCSR(a0)
	fscsr	t0
	.option pop
	ret
