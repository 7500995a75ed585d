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

/* Major opcodes (bits 6:0, RV64I base opcode map). */
#define OPCODE_LOAD	     0x03u
#define OPCODE_STORE	     0x23u

/* htinst bit 0 is 1 for every transformed standard instruction; bit 1
 * then says whether the original was 32-bit (1) or compressed (0). */
#define TINST_STANDARD	     0x1u
#define TINST_NOT_COMPRESSED 0x2u

/*
 * A 32-bit integer load or store (AMOs: insn_decode_mmio).  funct3 (bits
 * 14:12): LB LH LW LD LBU LHU LWU (7 reserved); SB SH SW SD (4-7 are not
 * integer stores).  Inline and without tables: every MMIO exit decodes one.
 */
static inline int insn_decode_ls32(uint32_t insn, struct mmio_insn *out)
{
	uint32_t opcode = insn & 0x7fu, funct3 = (insn >> 12) & 0x7u;

	if (opcode == OPCODE_STORE && funct3 <= 3) {
		out->is_store = true;
		out->sign_extend = false;
		out->reg = (uint8_t)((insn >> 20) & 0x1fu);
	} else if (opcode == OPCODE_LOAD && funct3 != 7) {
		out->is_store = false;
		out->sign_extend = funct3 < 3;
		out->reg = (uint8_t)((insn >> 7) & 0x1fu);
	} else {
		return -1;
	}
	out->width = (uint8_t)(1u << (funct3 & 3));
	out->amo = 0;
	out->len = 4;
	return 0;
}

/*
 * htinst after a guest-page fault: a transformed load or store (the quick
 * exit's decoder, vdev/mmio.c).  0, a pseudoinstruction, an AMO or anything
 * unrecognised gives -1.  Bits 63:32 must be zero for a transformed RV64
 * instruction (a future standard may use them).
 */
static inline int insn_decode_htinst_ls(uint64_t htinst, struct mmio_insn *out)
{
	if (htinst >> 32 || !(htinst & TINST_STANDARD) ||
	    insn_decode_ls32((uint32_t)htinst | TINST_NOT_COMPRESSED, out))
		return -1;
	out->len = htinst & TINST_NOT_COMPRESSED ? 4 : 2;
	return 0;
}

/* The same for a load, store or AMO; -1: the caller fetches the instruction itself. */
static inline int insn_decode_htinst(uint64_t htinst, struct mmio_insn *out)
{
	if (insn_decode_htinst_ls(htinst, out) == 0)
		return 0;
	if (htinst >> 32 || !(htinst & TINST_STANDARD) ||
	    insn_decode_mmio((uint32_t)htinst | TINST_NOT_COMPRESSED, out))
		return -1;
	out->len = htinst & TINST_NOT_COMPRESSED ? 4 : 2;
	return 0;
}

/* Length of the instruction that starts with this halfword: 2 or 4. */
int insn_length(uint16_t first_halfword);

#endif
