/*
 * Where does the hart go after this instruction?  A pure decoder for RV64GC
 * (unprivileged spec: "RV32I Base Integer Instruction Set", control
 * transfer instructions, and the "C" chapter), used by the gdbstub to
 * single-step: it plants a temporary breakpoint at each place the
 * instruction may continue at.
 *
 * Traps are not predicted here: the caller also covers the guest's trap
 * vector (stvec), where an ecall from U-mode, a fault or an interrupt go.
 */
#ifndef GDBSTUB_NEXTPC_H
#define GDBSTUB_NEXTPC_H

#include <stdbool.h>
#include <stdint.h>

#define NEXTPC_MAX 4

enum nextpc_kind {
	NEXTPC_SEQ,    /* falls through */
	NEXTPC_BRANCH, /* conditional branch, resolved from the registers */
	NEXTPC_JUMP,   /* jal, jalr, c.j, c.jr, c.jalr */
	NEXTPC_ECALL,  /* S-mode: an SBI call that returns to pc + 4 */
	NEXTPC_SRET,   /* continues at sepc */
	NEXTPC_LR,     /* an LR/SC sequence, stepped as a whole */
};

struct nextpc {
	enum nextpc_kind kind;
	unsigned len; /* 2 or 4 */
	unsigned count;
	uint64_t target[NEXTPC_MAX]; /* where it may continue */
};

/* Instruction length from its low 16 bits (2 or 4; longer encodings are not RV64GC). */
static inline unsigned nextpc_insn_len(uint32_t insn)
{
	return (insn & 3) == 3 ? 4 : 2;
}

/*
 * One instruction at pc, with the registers as they are before it runs
 * (x[0] must be 0) and the guest's sepc (for sret).  Always yields at least
 * one target.
 */
void nextpc_decode(uint32_t insn, uint64_t pc, const uint64_t x[32], uint64_t sepc, struct nextpc *out);

/*
 * As nextpc_decode, but an lr at pc is stepped with its whole sequence
 * (up to 16 instructions on to the sc): the targets are the instruction
 * after the sc and every forward branch out of the sequence, so that no
 * breakpoint lands between lr and sc (a trap there would make the sc fail
 * and the loop retry forever).  fetch reads an instruction; false: cannot.
 */
typedef bool (*nextpc_fetch_fn)(void *ctx, uint64_t pc, uint32_t *insn);
void nextpc_step(nextpc_fetch_fn fetch, void *ctx, uint64_t pc, const uint64_t x[32], uint64_t sepc,
		 struct nextpc *out);

/*
 * The memory a load, store, AMO, LR or SC (integer or FP, compressed too)
 * touches, from the registers before it runs: false for anything else.
 * Identifies which watchpoint trigger fired where the hart leaves stval 0
 * (QEMU 7.2 does for a trigger's breakpoint exception).
 */
bool nextpc_mem_access(uint32_t insn, const uint64_t x[32], uint64_t *addr, unsigned *width);

/* A CSR instruction (csrrw/s/c, immediate or not) on csr? */
bool nextpc_is_csr_access(uint32_t insn, unsigned csr);

#endif
