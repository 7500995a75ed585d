/*
 * One guest exit as the trap dispatcher (core/trap.c) hands it to a handler
 * (SBI, MMIO, virtual instruction, ...) and the handler's answer.
 */
#ifndef CORE_EXIT_INFO_H
#define CORE_EXIT_INFO_H

#include <stdint.h>

enum trap_action {
	TRAP_RESUME, /* re-enter the guest */
	TRAP_YIELD,  /* give the hart back to the scheduler */
};

/* What a handler learns about the exit and tells the dispatcher. */
struct exit_info {
	uint64_t scause, sepc, stval, htval, htinst;
	unsigned advance; /* bytes to skip past the trapping instruction */
	enum trap_action action;
	unsigned kind; /* enum trace_kind of the record (spec/trace_record.h) */
	unsigned info; /* the record's kind-specific fields */
	uint64_t payload[2];
	char why[96]; /* set when the VM must stop */
};

/*
 * What a quick handler (sbi_quick, mmio_quick: core/trap.c's trap_quick)
 * did.  It does the whole job or nothing: advance 0 means nothing changed
 * and the general path handles the exit.  The low word holds how far sepc
 * moves and the trace record's info, the high word the record's second
 * payload word (its kind follows from the cause, TRACE_SBI for an ecall
 * and TRACE_MMIO else; its first payload word is found again from the
 * registers).  One 128-bit integer: returned in a0 and a1, where GCC 12
 * puts a two-word struct on the stack first.
 */
__extension__ typedef unsigned __int128 quick_result_t;

#define QUICK_RESULT(advance, info, value) \
	((quick_result_t)(value) << 64 | (uint64_t)(advance) | (uint64_t)(uint16_t)(info) << 8)
#define QUICK_NONE	 ((quick_result_t)0)
#define QUICK_ADVANCE(q) ((uint64_t)(q)&0xff)
#define QUICK_INFO(q)	 ((uint16_t)((uint64_t)(q) >> 8))
#define QUICK_VALUE(q)	 ((uint64_t)((q) >> 64))

#endif
