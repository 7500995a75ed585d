/*
 * MMIO load/store decoder.  See insn.h for the spec sections used.
 */
#include "spec/insn.h"

#define OPCODE_AMO  0x2fu

/* Compressed quadrants (bits 1:0) and the funct3 values (bits 15:13)
 * of the RV64C integer loads and stores. */
#define C_QUADRANT0 0x0u
#define C_QUADRANT2 0x2u
#define C_F3_LW	    2u /* C.LW in Q0, C.LWSP in Q2 */
#define C_F3_LD	    3u /* C.LD in Q0, C.LDSP in Q2 (RV64) */
#define C_F3_SW	    6u /* C.SW in Q0, C.SWSP in Q2 */
#define C_F3_SD	    7u /* C.SD in Q0, C.SDSP in Q2 (RV64) */

int insn_length(uint16_t first_halfword)
{
	return (first_halfword & 0x3u) == 0x3u ? 4 : 2;
}

/* AMO{SWAP,ADD,XOR,AND,OR,MIN,MAX,MINU,MAXU}.{W,D}; LR/SC (funct5 2, 3) are not emulated. */
static int insn_decode_amo(uint32_t insn, struct mmio_insn *out)
{
	uint32_t funct3 = (insn >> 12) & 0x7u, funct5 = insn >> 27;

	if ((funct3 != 2 && funct3 != 3) || (funct5 & 0x3u) > 1 || funct5 == 0x02 || funct5 == 0x03)
		return -1;
	if ((funct5 & 0x3u) == 1 && funct5 != AMO_SWAP)
		return -1;
	out->is_store = true;
	out->width = funct3 == 2 ? 4 : 8;
	out->sign_extend = true; /* AMO*.W sign-extends the old value into rd */
	out->reg = (uint8_t)((insn >> 7) & 0x1fu);
	out->rs2 = (uint8_t)((insn >> 20) & 0x1fu);
	out->amo = (uint8_t)(funct5 + 1);
	out->len = 4;
	return 0;
}

uint64_t insn_amo_apply(unsigned funct5, unsigned width, uint64_t old, uint64_t src)
{
	int64_t a = width == 4 ? (int32_t)old : (int64_t)old, b = width == 4 ? (int32_t)src : (int64_t)src;
	uint64_t ua = width == 4 ? (uint32_t)old : old, ub = width == 4 ? (uint32_t)src : src;

	switch (funct5) {
	case AMO_ADD: return old + src;
	case AMO_XOR: return old ^ src;
	case AMO_OR: return old | src;
	case AMO_AND: return old & src;
	case AMO_MIN: return a < b ? old : src;
	case AMO_MAX: return a > b ? old : src;
	case AMO_MINU: return ua < ub ? old : src;
	case AMO_MAXU: return ua > ub ? old : src;
	default: return src; /* AMOSWAP */
	}
}

static int insn_decode32(uint32_t insn, struct mmio_insn *out)
{
	out->amo = 0;
	if ((insn & 0x7fu) == OPCODE_AMO)
		return insn_decode_amo(insn, out);
	return insn_decode_ls32(insn, out);
}

/*
 * Quadrant 0 (CL/CS formats): rs1' in bits 9:7, rd'/rs2' in bits 4:2,
 * naming x8..x15.  Quadrant 2 (CI/CSS formats, sp-relative): rd in bits
 * 11:7, rs2 in bits 6:2, full register numbers.
 */
static int insn_decode16(uint16_t c, struct mmio_insn *out)
{
	uint32_t quadrant = c & 0x3u, funct3 = (uint32_t)c >> 13;
	uint32_t reg;

	if (quadrant == C_QUADRANT0)
		reg = 8 + ((c >> 2) & 0x7u);
	else if (quadrant == C_QUADRANT2)
		reg = funct3 >= C_F3_SW ? (c >> 2) & 0x1fu : (c >> 7) & 0x1fu;
	else
		return -1;
	switch (funct3) {
	case C_F3_LW:
	case C_F3_LD:
		/* C.LWSP and C.LDSP with rd = x0 are reserved encodings. */
		if (quadrant == C_QUADRANT2 && reg == 0)
			return -1;
		out->is_store = false;
		out->width = funct3 == C_F3_LW ? 4 : 8;
		out->sign_extend = funct3 == C_F3_LW;
		break;
	case C_F3_SW:
	case C_F3_SD:
		out->is_store = true;
		out->width = funct3 == C_F3_SW ? 4 : 8;
		out->sign_extend = false;
		break;
	default:
		/* C.ADDI4SPN, C.FLD(SP), C.FSD(SP), shifts, jumps, reserved. */
		return -1;
	}
	out->reg = (uint8_t)reg;
	out->len = 2;
	out->amo = 0;
	return 0;
}

int insn_decode_mmio(uint32_t insn, struct mmio_insn *out)
{
	if (insn_length((uint16_t)insn) == 2)
		return insn_decode16((uint16_t)insn, out);
	return insn_decode32(insn, out);
}
