/*
 * long semihost_trap(long op, void *arg): the RISC-V semihosting call.  The
 * three uncompressed instructions around ebreak are what marks it as a call;
 * they must not straddle a page, hence the alignment of the function.
 */
	.text
	.balign	16
	.globl	semihost_trap
semihost_trap:
	.option push
	.option norvc
	slli	zero, zero, 0x1f
	ebreak
	srai	zero, zero, 7
	.option pop
	ret
