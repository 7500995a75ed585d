/* Next-PC decoding for single-step: see nextpc.h. */
#include "gdbstub/nextpc.h"

#define OP_BRANCH  0x63
#define OP_JALR	   0x67
#define OP_JAL	   0x6f
#define OP_SYSTEM  0x73
#define OP_AMO	   0x2f
#define OP_LOAD	   0x03
#define OP_LOADFP  0x07
#define OP_STORE   0x23
#define OP_STOREFP 0x27
#define AMO_LR	   0x02
#define AMO_SC	   0x03
#define INSN_ECALL 0x00000073u
#define INSN_SRET  0x10200073u
#define LR_SCAN	   16

static uint64_t bits(uint32_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int64_t sext(uint64_t v, unsigned width)
{
	return (int64_t)(v << (64 - width)) >> (64 - width);
}

static int64_t imm_i(uint32_t i) { return sext(bits(i, 31, 20), 12); }

static int64_t imm_b(uint32_t i)
{
	return sext(bits(i, 31, 31) << 12 | bits(i, 7, 7) << 11 | bits(i, 30, 25) << 5 | bits(i, 11, 8) << 1, 13);
}

static int64_t imm_j(uint32_t i)
{
	return sext(bits(i, 31, 31) << 20 | bits(i, 19, 12) << 12 | bits(i, 20, 20) << 11 | bits(i, 30, 21) << 1, 21);
}

/* c.j: offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2. */
static int64_t imm_cj(uint32_t i)
{
	return sext(bits(i, 12, 12) << 11 | bits(i, 11, 11) << 4 | bits(i, 10, 9) << 8 | bits(i, 8, 8) << 10 |
			    bits(i, 7, 7) << 6 | bits(i, 6, 6) << 7 | bits(i, 5, 3) << 1 | bits(i, 2, 2) << 5,
		    12);
}

/* c.beqz/c.bnez: offset[8|4:3] in bits 12:10, offset[7:6|2:1|5] in bits 6:2. */
static int64_t imm_cb(uint32_t i)
{
	return sext(bits(i, 12, 12) << 8 | bits(i, 11, 10) << 3 | bits(i, 6, 5) << 6 | bits(i, 4, 3) << 1 |
			    bits(i, 2, 2) << 5,
		    9);
}

static bool branch_taken(unsigned funct3, uint64_t a, uint64_t b)
{
	switch (funct3) {
	case 0: return a == b;			 /* beq */
	case 1: return a != b;			 /* bne */
	case 4: return (int64_t)a < (int64_t)b;	 /* blt */
	case 5: return (int64_t)a >= (int64_t)b; /* bge */
	case 6: return a < b;			 /* bltu */
	case 7: return a >= b;			 /* bgeu */
	default: return false;			 /* reserved: traps, stvec covers it */
	}
}

static void one(struct nextpc *out, enum nextpc_kind kind, uint64_t target)
{
	out->kind = kind;
	out->count = 1;
	out->target[0] = target;
}

static void decode32(uint32_t i, uint64_t pc, const uint64_t x[32], uint64_t sepc, struct nextpc *out)
{
	unsigned rs1 = (unsigned)bits(i, 19, 15), rs2 = (unsigned)bits(i, 24, 20);

	switch (i & 0x7f) {
	case OP_BRANCH:
		one(out, NEXTPC_BRANCH, branch_taken((unsigned)bits(i, 14, 12), x[rs1], x[rs2]) ? pc + (uint64_t)imm_b(i) : pc + 4);
		return;
	case OP_JAL:
		one(out, NEXTPC_JUMP, pc + (uint64_t)imm_j(i));
		return;
	case OP_JALR:
		one(out, NEXTPC_JUMP, (x[rs1] + (uint64_t)imm_i(i)) & ~1UL);
		return;
	case OP_SYSTEM:
		if (i == INSN_SRET) {
			one(out, NEXTPC_SRET, sepc);
			return;
		}
		one(out, i == INSN_ECALL ? NEXTPC_ECALL : NEXTPC_SEQ, pc + 4);
		return;
	case OP_AMO:
		one(out, bits(i, 31, 27) == AMO_LR ? NEXTPC_LR : NEXTPC_SEQ, pc + 4);
		return;
	default:
		one(out, NEXTPC_SEQ, pc + 4);
		return;
	}
}

static void decode16(uint32_t i, uint64_t pc, const uint64_t x[32], struct nextpc *out)
{
	unsigned quadrant = i & 3, funct3 = (unsigned)bits(i, 15, 13);
	unsigned rs1 = (unsigned)bits(i, 11, 7), rs2 = (unsigned)bits(i, 6, 2);

	if (quadrant == 1 && funct3 == 5) { /* c.j */
		one(out, NEXTPC_JUMP, pc + (uint64_t)imm_cj(i));
		return;
	}
	if (quadrant == 1 && (funct3 == 6 || funct3 == 7)) { /* c.beqz, c.bnez */
		uint64_t v = x[8 + bits(i, 9, 7)];
		bool taken = funct3 == 6 ? v == 0 : v != 0;
		one(out, NEXTPC_BRANCH, taken ? pc + (uint64_t)imm_cb(i) : pc + 2);
		return;
	}
	if (quadrant == 2 && funct3 == 4 && rs1 && !rs2) { /* c.jr (bit 12 = 0), c.jalr (1) */
		one(out, NEXTPC_JUMP, x[rs1] & ~1UL);
		return;
	}
	one(out, NEXTPC_SEQ, pc + 2);
}

void nextpc_decode(uint32_t insn, uint64_t pc, const uint64_t x[32], uint64_t sepc, struct nextpc *out)
{
	out->len = nextpc_insn_len(insn);
	if (out->len == 4)
		decode32(insn, pc, x, sepc, out);
	else
		decode16(insn & 0xffff, pc, x, out);
}

static void add_target(struct nextpc *out, uint64_t t)
{
	for (unsigned k = 0; k < out->count; k++)
		if (out->target[k] == t)
			return;
	if (out->count < NEXTPC_MAX)
		out->target[out->count++] = t;
}

static bool is_sc(uint32_t i)
{
	return (i & 0x7f) == OP_AMO && bits(i, 31, 27) == AMO_SC;
}

/* Static target of a conditional branch (either size), or 0 if i is none. */
static uint64_t branch_target(uint32_t i, uint64_t pc)
{
	if ((i & 3) == 3)
		return (i & 0x7f) == OP_BRANCH ? pc + (uint64_t)imm_b(i) : 0;
	if ((i & 3) == 1 && (bits(i, 15, 13) == 6 || bits(i, 15, 13) == 7))
		return pc + (uint64_t)imm_cb(i);
	return 0;
}

void nextpc_step(nextpc_fetch_fn fetch, void *ctx, uint64_t pc, const uint64_t x[32], uint64_t sepc,
		 struct nextpc *out)
{
	uint32_t lr, i;
	uint64_t at, exits[NEXTPC_MAX];
	unsigned exit_count = 0;

	if (!fetch(ctx, pc, &lr)) {
		one(out, NEXTPC_SEQ, pc);
		out->count = 0;
		out->len = 0;
		return;
	}
	nextpc_decode(lr, pc, x, sepc, out);
	if (out->kind != NEXTPC_LR)
		return;
	at = pc + 4;
	for (unsigned n = 0; n < LR_SCAN && fetch(ctx, at, &i); n++) {
		unsigned len = nextpc_insn_len(i);
		uint64_t t = branch_target(i, at);
		if (is_sc(i)) {
			out->count = 0;
			add_target(out, at + 4);
			for (unsigned k = 0; k < exit_count; k++)
				add_target(out, exits[k]);
			return;
		}
		if (t > at && exit_count < NEXTPC_MAX - 1)
			exits[exit_count++] = t; /* a forward exit (bne to "fail") */
		at += len;
	}
	/* No sc in reach: an lr on its own is an ordinary load. */
	out->kind = NEXTPC_SEQ;
}

bool nextpc_is_csr_access(uint32_t insn, unsigned csr)
{
	unsigned funct3 = (unsigned)bits(insn, 14, 12);

	return (insn & 0x7f) == OP_SYSTEM && funct3 != 0 && funct3 != 4 && bits(insn, 31, 20) == csr;
}

/* Width of a (FP) load or store from funct3: 1 << funct3's low bits; FP funct3 4 is a quad. */
static unsigned ls_width(unsigned funct3, bool fp)
{
	return fp && funct3 == 4 ? 16 : 1u << (funct3 & 3);
}

static bool mem_access32(uint32_t i, const uint64_t x[32], uint64_t *addr, unsigned *width)
{
	uint64_t base = x[bits(i, 19, 15)];
	unsigned op = i & 0x7f, funct3 = (unsigned)bits(i, 14, 12);

	switch (op) {
	case OP_LOAD:
	case OP_LOADFP:
		*addr = base + (uint64_t)imm_i(i);
		*width = ls_width(funct3, op == OP_LOADFP);
		return true;
	case OP_STORE:
	case OP_STOREFP:
		*addr = base + (uint64_t)sext(bits(i, 31, 25) << 5 | bits(i, 11, 7), 12);
		*width = ls_width(funct3, op == OP_STOREFP);
		return true;
	case OP_AMO:
		*addr = base;
		*width = funct3 == 2 ? 4 : 8;
		return funct3 == 2 || funct3 == 3;
	default:
		return false;
	}
}

/*
 * Compressed loads and stores (the "C" chapter: CL/CS with rs1' in bits 9:7,
 * CI/CSS relative to sp); funct3 1, 3, 5, 7 are the 8-byte ones (c.fld,
 * c.ld, c.fsd, c.sd and their sp forms), 2 and 6 the 4-byte ones.
 */
static bool mem_access16(uint32_t i, const uint64_t x[32], uint64_t *addr, unsigned *width)
{
	unsigned q = i & 3, funct3 = (unsigned)bits(i, 15, 13);
	bool dbl = funct3 & 1;
	uint64_t off;

	if (funct3 == 0 || funct3 == 4 || q == 1)
		return false;
	*width = dbl ? 8 : 4;
	if (q == 0) {
		off = bits(i, 12, 10) << 3 | (dbl ? bits(i, 6, 5) << 6 : bits(i, 6, 6) << 2 | bits(i, 5, 5) << 6);
		*addr = x[8 + bits(i, 9, 7)] + off;
	} else if (funct3 < 4) { /* c.(f)l[wd]sp */
		off = bits(i, 12, 12) << 5 | (dbl ? bits(i, 6, 5) << 3 | bits(i, 4, 2) << 6 : bits(i, 6, 4) << 2 | bits(i, 3, 2) << 6);
		*addr = x[2] + off;
	} else { /* c.(f)s[wd]sp */
		off = dbl ? bits(i, 12, 10) << 3 | bits(i, 9, 7) << 6 : bits(i, 12, 9) << 2 | bits(i, 8, 7) << 6;
		*addr = x[2] + off;
	}
	return true;
}

bool nextpc_mem_access(uint32_t insn, const uint64_t x[32], uint64_t *addr, unsigned *width)
{
	if (nextpc_insn_len(insn) == 4)
		return mem_access32(insn, x, addr, width);
	return mem_access16(insn & 0xffff, x, addr, width);
}
