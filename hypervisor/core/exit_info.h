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
 * tells the exit's trace record, asked for only while tracing (the record's
 * kind follows from the cause: TRACE_SBI for an ecall, TRACE_MMIO else).
 * A quick handler does the whole job or nothing: it returns how far sepc
 * moves, or 0 and the general path handles the exit.
 */
struct quick_exit {
	unsigned info; /* the record's kind-specific fields */
	uint64_t payload[2];
};

#endif
