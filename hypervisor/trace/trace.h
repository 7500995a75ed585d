/*
 * The trap-trace flight recorder: one ring per hart of fixed-size records,
 * overwriting the oldest (the count of overwritten records is kept), with a
 * global sequence number so gaps are visible.  gdbscripts/hv.py reads these
 * structures by symbol and type: keep them simple and the asserts honest.
 */
#ifndef TRACE_TRACE_H
#define TRACE_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include "spec/board.h"
#include "spec/trace_record.h"

#ifndef TRACE_RING_ORDER
#define TRACE_RING_ORDER 12		/* 4096 records per hart */
#endif
#define TRACE_RING_SIZE (1U << TRACE_RING_ORDER)

struct trace_ring {
	uint64_t next;		/* index of the next slot to write (monotonic) */
	uint64_t lost;		/* records overwritten before anyone read them */
	struct trace_record rec[TRACE_RING_SIZE];
};

struct trace_control {
	volatile bool enabled;
	volatile uint64_t vm_mask;	/* bit N = VM N (VM_MAX < 64); all ones = every VM */
	volatile uint32_t class_mask;	/* TRACE_CLASS_* */
};

extern struct trace_ring trace_rings[HV_MAX_HARTS];
extern struct trace_control trace_ctl;
extern volatile uint64_t trace_seq;

unsigned trace_class_of(uint64_t scause, unsigned kind);
struct trace_record *trace_begin(unsigned hart, uint64_t *seq);
void trace_commit(struct trace_record *rec, uint64_t seq);
struct trace_record *trace_slot(unsigned hart);
void trace_clear(void);
void trace_init_hart(unsigned hart);	/* at boot, for every hart that exists */
void trace_totals(uint64_t *recorded, uint64_t *lost);

/*
 * One predictable branch when tracing is off; the record is filled in by the
 * caller on the slot returned by trace_begin (NULL when filtered out).
 */
static inline bool trace_wanted(unsigned vm, unsigned cls)
{
	return trace_ctl.enabled && ((trace_ctl.vm_mask >> vm) & 1) && (trace_ctl.class_mask & cls);
}

/* Copy the last `max` records of (vm, vcpu) (vcpu < 0: any) in time order; returns the count. */
unsigned trace_collect(int vm, int vcpu, struct trace_record *out, unsigned max);
unsigned trace_collect_classes(int vm, int vcpu, unsigned classes, struct trace_record *out, unsigned max);

#endif
