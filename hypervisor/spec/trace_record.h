/*
 * The trap-trace record, format version 2: the one definition the per-hart
 * rings (trace/trace.h), the trace file (docs/tracing.md), the console, the
 * post-mortem report, gdb (gdbscripts/hvgdb/trace.py reads it by type) and
 * scripts/hvtrace.py (by the layout the file header spells out, generated
 * from TRACE_RECORD_FIELDS) use.  No state here: only the layout, what each
 * kind's fields mean, and the cause classes the filters use.
 */
#ifndef SPEC_TRACE_RECORD_H
#define SPEC_TRACE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_FORMAT_VERSION 2

/*
 * What a record is.  Exit records (EXIT..STOP) have time = the exit, dur =
 * ticks until the vCPU was resumed (the hypervisor's cost); the others are
 * instants (dur 0) with no cause.
 */
enum trace_kind {
	TRACE_EXIT = 0,	  /* plain exit: p0 = htval */
	TRACE_SBI,	  /* info = FID (16 bits), p0 = EID, p1 = error << 32 | (value & 0xffffffff) */
	TRACE_MMIO,	  /* info = width | is_store << 8, p0 = GPA, p1 = value */
	TRACE_INJECT,	  /* info = cause injected into the guest, p0 = tval, p1 = GPA or 0 */
	TRACE_AD_FIXUP,	  /* info = PTE bits set, p0 = GPA of the PTE, p1 = old PTE */
	TRACE_IRQ,	  /* host interrupt: p0 = hvip after the exit */
	TRACE_STOP,	  /* the VM could not go on after this exit: p0 = htval */
	TRACE_VCPU_LOAD,  /* the vCPU got the hart: sepc = where it resumes */
	TRACE_VCPU_PUT,	  /* the vCPU left the hart: info = its state (enum vcpu_state) */
	TRACE_VM_EVENT,	  /* info = enum trace_vm_event */
	TRACE_IRQ_INJECT, /* interrupts pending for the guest changed: p0 = new hvip, p1 = old */
	TRACE_DROP,	  /* trace file only: p0 = records of this hart lost before this one */
	TRACE_KIND_COUNT
};

enum trace_vm_event {
	TRACE_VM_START = 0,
	TRACE_VM_STOP,	     /* stopped, paused or killed: p0 = enum vm_state */
	TRACE_VM_DEATH,	     /* could not go on (post-mortem report) */
	TRACE_VM_FAULT_LOOP, /* the fault-loop detector fired */
	TRACE_VM_RESET,	     /* rebooted from its image */
	TRACE_VM_EVENT_COUNT
};

/* Cause classes for filters (bit masks). */
#define TRACE_CLASS_ECALL (1U << 0)
#define TRACE_CLASS_PF	  (1U << 1) /* page faults and guest-page faults */
#define TRACE_CLASS_VINSN (1U << 2)
#define TRACE_CLASS_IRQ	  (1U << 3)
#define TRACE_CLASS_MMIO  (1U << 4)
#define TRACE_CLASS_OTHER (1U << 5)
#define TRACE_CLASS_EVENT (1U << 6) /* not exits: vCPU load/put, VM events, injections */
#define TRACE_CLASS_ALL	  0x7fU
#define TRACE_CLASS_EXITS (TRACE_CLASS_ALL & ~TRACE_CLASS_EVENT)

/* cause: scause's code, with TRACE_CAUSE_IRQ for an interrupt (scause bit 63). */
#define TRACE_CAUSE_IRQ	  0x8000u

/*
 * 64 bytes: one cache line, eight stores.  seq is global (merging the
 * per-hart rings); 0 marks a slot still being written.
 */
struct trace_record {
	uint64_t seq;
	uint64_t time;		      /* `time` CSR at the exit (or the event) */
	uint32_t dur;		      /* ticks from the exit to the resume of the vCPU */
	uint8_t hart, vm, vcpu, kind; /* one word: trace_record_tag() writes them with one store */
	uint16_t cause;		      /* TRACE_CAUSE_IRQ | code */
	uint16_t info;		      /* kind-specific, see enum trace_kind */
	uint32_t htinst;	      /* low 32 bits: all a transformed instruction has */
	uint64_t sepc, stval;
	uint64_t payload[2];
};
_Static_assert(sizeof(struct trace_record) == 64, "trace record v2 is 64 bytes");
_Static_assert(offsetof(struct trace_record, hart) % 4 == 0 && offsetof(struct trace_record, kind) ==
								       offsetof(struct trace_record, hart) + 3,
	       "hart, vm, vcpu, kind: one aligned word");

/* hart | vm << 8 | vcpu << 16 | kind << 24 (little-endian) into the four bytes at once. */
typedef uint32_t __attribute__((may_alias)) trace_word_t;

static inline void trace_record_tag(struct trace_record *r, uint32_t word)
{
	*(trace_word_t *)(void *)&r->hart = word;
}

/*
 * The layout in one list: the trace file's header describes every field
 * from it (name, offset, size, count), so readers need no copy of this file.
 */
#define TRACE_RECORD_FIELDS(X) \
	X(seq, 1) \
	X(time, 1) \
	X(dur, 1) \
	X(hart, 1) \
	X(vm, 1) \
	X(vcpu, 1) \
	X(kind, 1) \
	X(cause, 1) \
	X(info, 1) \
	X(htinst, 1) \
	X(sepc, 1) \
	X(stval, 1) \
	X(payload, 2)

/* Names of the kinds and VM events, as the file header and the tools spell them. */
#define TRACE_KIND_NAMES \
	"exit", "sbi", "mmio", "inject", "ad-fixup", "irq", "stop", \
		"vcpu-load", "vcpu-put", "vm-event", "irq-inject", "drop"
#define TRACE_VM_EVENT_NAMES "start", "stop", "death", "fault-loop", "reset"

static inline uint64_t trace_scause(const struct trace_record *r)
{
	return (uint64_t)(r->cause & ~TRACE_CAUSE_IRQ) | (uint64_t)(r->cause & TRACE_CAUSE_IRQ) << 48;
}

/* Exception codes are below 2^15 (the spec's are below 64): two instructions. */
static inline uint16_t trace_cause_of(uint64_t scause)
{
	return (uint16_t)(scause | scause >> 48);
}

static inline int trace_is_exit(unsigned kind)
{
	return kind <= TRACE_STOP;
}

/* The guest-physical address an exit was about, or 0. */
static inline uint64_t trace_gpa(const struct trace_record *r)
{
	switch (r->kind) {
	case TRACE_EXIT:
	case TRACE_STOP:
		return r->payload[0] << 2 | (r->stval & 3);
	case TRACE_MMIO:
		return r->payload[0];
	case TRACE_INJECT:
		return r->payload[1];
	default:
		return 0;
	}
}

#endif
