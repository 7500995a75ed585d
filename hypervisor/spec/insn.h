/*
 * Decoding of the guest loads and stores that hit emulated MMIO.
 *
 * Sources: RISC-V Unprivileged ISA, RV64I "Load and Store Instructions" and
 * the "C" extension's load/store formats (CL, CS, CI, CSS); RISC-V
 * Privileged ISA, H extension, "Transformed Instruction or Pseudoinstruction
 * for mtinst or htinst".  Integer loads and stores and the AMOs (read,
 * modify, write, as QEMU does them on a device) are accepted: FP
 * loads/stores, LR/SC and everything else decode to -1, and the caller
 * treats them as a guest fault it does not emulate.
 */
#ifndef HV_ARCH_INSN_H
#define HV_ARCH_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct mmio_insn {
	bool is_store;
	uint8_t width;	  /* bytes: 1, 2, 4 or 8 */
	bool sign_extend; /* loads narrower than 8 bytes: LB, LH, LW (and C.LW, C.LWSP) */
	uint8_t reg;	  /* rd for loads, rs2 for stores, 0..31 */
	uint8_t len;	  /* bytes to advance sepc: 2 or 4 */
	uint8_t amo;	  /* an AMO (A extension): its funct5 + 1; 0 for a load or store */
	uint8_t rs2;	  /* the AMO's source operand register */
};

/* AMO funct5 values (unprivileged ISA, "A" extension, AMO encoding table). */
enum {
	AMO_ADD = 0x00,
	AMO_SWAP = 0x01,
	AMO_XOR = 0x04,
	AMO_OR = 0x08,
	AMO_AND = 0x0c,
	AMO_MIN = 0x10,
	AMO_MAX = 0x14,
	AMO_MINU = 0x18,
	AMO_MAXU = 0x1c,
};
/* The value an AMO stores, from the old memory value and rs2, at width 4 or 8. */
uint64_t insn_amo_apply(unsigned funct5, unsigned width, uint64_t old, uint64_t src);

/* insn as fetched; only the low 16 bits matter for a compressed one.
 * 0 on success, -1 if it is not an integer load/store we emulate. */
int insn_decode_mmio(uint32_t insn, struct mmio_insn *out);
/* htinst after a guest-page fault.  0, a pseudoinstruction or anything
 * unrecognised gives -1: the caller then fetches the instruction itself. */
int insn_decode_htinst(uint64_t htinst, struct mmio_insn *out);
/* Length of the instruction that starts with this halfword: 2 or 4. */
int insn_length(uint16_t first_halfword);

#endif
