/*
 * The trap-trace flight recorder: one ring per hart of fixed-size records
 * (spec/trace_record.h), overwriting the oldest (the count of overwritten records
 * is kept), with a global sequence number so gaps are visible.  When a trace
 * file is open (trace/stream.c) each ring is also drained to it, half a ring
 * at a time.  gdbscripts/hv.py reads these structures by symbol and type:
 * keep them simple and the asserts honest.
 */
#ifndef TRACE_TRACE_H
#define TRACE_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include "spec/board.h"
#include "spec/trace_record.h"

#ifndef TRACE_RING_ORDER
#define TRACE_RING_ORDER 12 /* 4096 records (256 KiB) per hart */
#endif
#define TRACE_RING_SIZE (1U << TRACE_RING_ORDER)
#define TRACE_RING_HALF (TRACE_RING_SIZE / 2) /* what one file write carries */

struct trace_ring {
	uint64_t next; /* index of the next slot to write (monotonic) */
	/* The trace file's view of this ring (trace/stream.c); written by its hart. */
	uint64_t drain_at;						       /* next == drain_at: hand the file what is new (UINT64_MAX: no file) */
	uint64_t flushed;						       /* records before this index are in the file or dropped */
	uint64_t dropped;						       /* records that never reached the file */
	uint64_t drop_pending;						       /* dropped since the last DROP record in the file */
	struct trace_record rec[TRACE_RING_SIZE] __attribute__((aligned(64))); /* one line each */
};

enum { TRACE_OFF,
       TRACE_ALL,
       TRACE_FILTERED };

struct trace_control {
	volatile bool enabled;
	volatile uint8_t mode;	      /* TRACE_OFF, TRACE_ALL or TRACE_FILTERED: the exit path's one load */
	volatile uint64_t vm_mask;    /* bit N = VM N (VM_MAX < 64); all ones = every VM */
	volatile uint32_t class_mask; /* TRACE_CLASS_* */
};

extern struct trace_ring trace_rings[HV_MAX_HARTS];
extern struct trace_control trace_ctl;
extern volatile uint64_t trace_seq;
extern const uint32_t trace_format_version;

unsigned trace_class_of(uint64_t scause, unsigned kind);
void trace_set(bool enabled, uint64_t vm_mask, uint32_t class_mask);
void trace_ring_drain(unsigned hart); /* trace/stream.c */
struct trace_record *trace_slot(unsigned hart);
void trace_clear(void);
void trace_init_hart(unsigned hart); /* at boot, for every hart that exists */
void trace_totals(uint64_t *recorded, uint64_t *lost);

/* Records overwritten in the ring (the file may still have them). */
static inline uint64_t trace_ring_lost(const struct trace_ring *r)
{
	return r->next > TRACE_RING_SIZE ? r->next - TRACE_RING_SIZE : 0;
}

/*
 * This hart's next slot (only this hart writes its ring).  trace_commit()
 * publishes it by moving `next` past it after a release fence, so a reader
 * on another hart reads only slots below `next`, and never the one being
 * written (rings are read up to TRACE_RING_SIZE - 1 back for that reason).
 * Inline: this is on every traced exit.
 */
static inline struct trace_record *trace_slot_at(struct trace_ring *r, uint64_t *index)
{
	uint64_t i = r->next;
	struct trace_record *rec = &r->rec[i & (TRACE_RING_SIZE - 1)];

	rec->seq = __atomic_fetch_add(&trace_seq, 1, __ATOMIC_RELAXED);
	*index = i;
	return rec;
}

/* The trace file's drain: one compare, unless `next` reached the ring's drain point. */
static inline void trace_drain_due(struct trace_ring *r, uint64_t next)
{
	if (__builtin_expect(next >= r->drain_at, 0))
		trace_ring_drain((unsigned)(r - trace_rings));
}

/*
 * Drain first, then the slot.  The quick exits (core/trap.c) call the two
 * the other way round, draining after they publish, so that no value of
 * theirs has to survive the (rare) call into trace/stream.c.
 */
static inline struct trace_record *trace_begin_ring(struct trace_ring *r, uint64_t *index)
{
	trace_drain_due(r, r->next);
	return trace_slot_at(r, index);
}

static inline struct trace_record *trace_begin(unsigned hart, uint64_t *index)
{
	return trace_begin_ring(&trace_rings[hart], index);
}

/* hart, vm, vcpu and kind as one word (a vCPU keeps the first three while loaded). */
static inline uint32_t trace_tag(unsigned hart, unsigned vm, unsigned vcpu)
{
	return (uint32_t)(hart & 0xff) | (uint32_t)(vm & 0xff) << 8 | (uint32_t)(vcpu & 0xff) << 16;
}

static inline void trace_set_tag(struct trace_record *r, uint32_t tag, unsigned kind)
{
	trace_record_tag(r, tag | (uint32_t)kind << 24);
}

/* `index` from trace_begin_ring(): the slot becomes readable. */
static inline void trace_commit(struct trace_ring *r, uint64_t index)
{
	__atomic_store_n(&r->next, index + 1, __ATOMIC_RELEASE);
}

/* One predictable branch when tracing is off. */
static inline bool trace_wanted(unsigned vm, unsigned cls)
{
	return trace_ctl.enabled && ((trace_ctl.vm_mask >> vm) & 1) && (trace_ctl.class_mask & cls);
}

/* The exit path's check (mode read once per exit): the class is worked out only under a filter. */
bool trace_filter_pass(unsigned vm, uint64_t scause, unsigned kind);

static inline bool trace_exit_wanted(unsigned mode, unsigned vm, uint64_t scause, unsigned kind)
{
	return __builtin_expect(mode == TRACE_ALL, 1) || trace_filter_pass(vm, scause, kind);
}

/*
 * An instant record (vCPU load/put, VM events, injected interrupts): no
 * exit, no cost.  Cold paths, once per slice or event.
 */
void trace_event_slow(unsigned hart, unsigned vm, unsigned vcpu, unsigned kind, unsigned info,
		      uint64_t pc, uint64_t p0, uint64_t p1);

static inline void trace_event(unsigned hart, unsigned vm, unsigned vcpu, unsigned kind, unsigned info,
			       uint64_t pc, uint64_t p0, uint64_t p1)
{
	if (trace_wanted(vm, TRACE_CLASS_EVENT))
		trace_event_slow(hart, vm, vcpu, kind, info, pc, p0, p1);
}

/* Copy the last `max` records of (vm, vcpu) (vcpu < 0: any) in time order; returns the count. */
unsigned trace_collect(int vm, int vcpu, struct trace_record *out, unsigned max);
unsigned trace_collect_classes(int vm, int vcpu, unsigned classes, struct trace_record *out, unsigned max);

/*
 * The trace file (trace/stream.c): records go to `write` (0 = all written)
 * in chunks of half a ring, after `header`.  Exit records only pass through
 * here; the file's format is docs/tracing.md.
 */
struct trace_sink {
	long (*write)(void *ctx, const void *buf, uint64_t len);
	void *ctx;
};

void trace_stream_open(const struct trace_sink *sink, const void *header, uint64_t header_len);
void trace_stream_set(bool on);
bool trace_stream_is_open(void);
bool trace_stream_on(void);
void trace_stream_flush(void);
void trace_stream_totals(uint64_t *bytes, uint64_t *dropped);

#endif
