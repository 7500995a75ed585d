/*
 * The trap-trace record: one fixed-size record per guest exit, the same
 * layout in the per-hart rings (trace/trace.h), in gdb (gdbscripts/hv.py
 * reads it by symbol and type) and in every decoder of it.
 */
#ifndef SPEC_TRACE_RECORD_H
#define SPEC_TRACE_RECORD_H

#include <stdint.h>

/* What the payload words mean. */
enum trace_kind {
	TRACE_EXIT = 0,		/* plain exit: no payload */
	TRACE_SBI,		/* p0 = EID, p1 = FID, p2 = error << 32 | (value & 0xffffffff) */
	TRACE_MMIO,		/* p0 = GPA, p1 = width | is_store << 8, p2 = value */
	TRACE_INJECT,		/* p0 = cause injected into the guest, p1 = tval */
	TRACE_AD_FIXUP,		/* p0 = GPA of the PTE, p1 = old PTE, p2 = new PTE */
	TRACE_IRQ,		/* p0 = hvip after the exit */
	TRACE_STOP,		/* the VM stopped on this exit */
	TRACE_KIND_COUNT
};

/* Cause classes for filters (bit masks). */
#define TRACE_CLASS_ECALL  (1U << 0)
#define TRACE_CLASS_PF     (1U << 1)	/* page faults and guest-page faults */
#define TRACE_CLASS_VINSN  (1U << 2)
#define TRACE_CLASS_IRQ    (1U << 3)
#define TRACE_CLASS_MMIO   (1U << 4)
#define TRACE_CLASS_OTHER  (1U << 5)
#define TRACE_CLASS_ALL    0x3fU

struct trace_record {
	uint64_t seq;		/* global order, from 1; 0 = empty slot */
	uint64_t time;		/* `time` CSR at the exit */
	uint64_t scause, sepc, stval, htval, htinst;
	uint64_t payload[3];
	uint32_t cost;		/* handler cost in `time` ticks */
	uint8_t hart, vm, vcpu, kind;
};
_Static_assert(sizeof(struct trace_record) == 88, "trace record layout (gdbscripts/hv.py)");

#endif
