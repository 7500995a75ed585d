#include "trace/trace.h"
#include "arch/csr.h"
#include "lib/string.h"

/*
 * One ring per possible hart (HV_MAX_HARTS: 22 MiB for 64), kept out of
 * .bss so that the boot hart does not spend millions of stores clearing the
 * rings of harts that are not there: QEMU hands over zeroed RAM, and
 * trace_init_hart() clears the ring of each hart that is.
 */
struct trace_ring trace_rings[HV_MAX_HARTS] __attribute__((section(".noclear.trace")));
struct trace_control trace_ctl = { true, TRACE_ALL, ~0ULL, TRACE_CLASS_ALL };
volatile uint64_t trace_seq = 1; /* the next record's: 0 marks a slot being written */
/* The rings' format for gdb (gdbscripts/hvgdb/target.py checks it before reading them). */
__attribute__((used)) const uint32_t trace_format_version = TRACE_FORMAT_VERSION;

unsigned trace_class_of(uint64_t scause, unsigned kind)
{
	uint64_t code = scause & ~CAUSE_IRQ_FLAG;

	if (!trace_is_exit(kind))
		return TRACE_CLASS_EVENT;
	if (scause & CAUSE_IRQ_FLAG)
		return TRACE_CLASS_IRQ;
	if (kind == TRACE_MMIO)
		return TRACE_CLASS_MMIO;
	switch (code) {
	case CAUSE_USER_ECALL:
	case CAUSE_SUPERVISOR_ECALL:
	case CAUSE_VIRTUAL_SUPERVISOR_ECALL:
	case CAUSE_MACHINE_ECALL:
		return TRACE_CLASS_ECALL;
	case CAUSE_FETCH_PAGE_FAULT:
	case CAUSE_LOAD_PAGE_FAULT:
	case CAUSE_STORE_PAGE_FAULT:
	case CAUSE_FETCH_GUEST_PAGE_FAULT:
	case CAUSE_LOAD_GUEST_PAGE_FAULT:
	case CAUSE_STORE_GUEST_PAGE_FAULT:
		return TRACE_CLASS_PF;
	case CAUSE_VIRTUAL_INSTRUCTION:
		return TRACE_CLASS_VINSN;
	default:
		return TRACE_CLASS_OTHER;
	}
}

/* Under a filter (trace filter vm/class): not inline, the exit path's cold side. */
bool trace_filter_pass(unsigned vm, uint64_t scause, unsigned kind)
{
	return trace_ctl.mode == TRACE_FILTERED && trace_wanted(vm, trace_class_of(scause, kind));
}

/* Filters change rarely; the exit path checks one flag unless something is filtered out. */
void trace_set(bool enabled, uint64_t vm_mask, uint32_t class_mask)
{
	trace_ctl.vm_mask = vm_mask;
	trace_ctl.class_mask = class_mask;
	trace_ctl.enabled = enabled;
	trace_ctl.mode = !enabled							       ? TRACE_OFF :
			 vm_mask != ~0ULL || (class_mask & TRACE_CLASS_ALL) != TRACE_CLASS_ALL ? TRACE_FILTERED :
												 TRACE_ALL;
}

void trace_event_slow(unsigned hart, unsigned vm, unsigned vcpu, unsigned kind, unsigned info,
		      uint64_t pc, uint64_t p0, uint64_t p1)
{
	uint64_t i;
	struct trace_record *r = trace_begin(hart, &i);

	r->time = arch_time();
	r->dur = 0;
	trace_set_tag(r, trace_tag(hart, vm, vcpu), kind);
	r->cause = 0;
	r->info = (uint16_t)info;
	r->htinst = 0;
	r->sepc = pc;
	r->stval = 0;
	r->payload[0] = p0;
	r->payload[1] = p1;
	trace_commit(&trace_rings[hart], i);
}

/* Reserve and publish at once (tests and fakes that fill the record later). */
struct trace_record *trace_slot(unsigned hart)
{
	uint64_t i;
	struct trace_record *rec = trace_begin(hart, &i);

	trace_commit(&trace_rings[hart], i);
	return rec;
}

/* Records ever written and records overwritten, over every hart's ring. */
void trace_totals(uint64_t *recorded, uint64_t *lost)
{
	*recorded = *lost = 0;
	for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
		*recorded += trace_rings[h].next;
		*lost += trace_ring_lost(&trace_rings[h]);
	}
}

void trace_init_hart(unsigned hart)
{
	if (hart < HV_MAX_HARTS)
		memset(&trace_rings[hart], 0, sizeof(trace_rings[hart]));
}

/* The file gets what the rings hold first (trace/stream.c). */
void trace_clear(void)
{
	trace_stream_flush();
	for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
		memset(trace_rings[h].rec, 0, sizeof(trace_rings[h].rec));
		trace_rings[h].next = 0;
		trace_rings[h].flushed = 0;
		trace_rings[h].drain_at = 0; /* the next record asks trace/stream.c again */
	}
}

/*
 * Merge the rings by sequence number, newest first, then reverse: a simple
 * O(harts * max) selection that needs no extra memory.
 */
unsigned trace_collect(int vm, int vcpu, struct trace_record *out, unsigned max)
{
	return trace_collect_classes(vm, vcpu, TRACE_CLASS_ALL, out, max);
}

/* The same, keeping only records of the given classes (TRACE_CLASS_*). */
unsigned trace_collect_classes(int vm, int vcpu, unsigned classes, struct trace_record *out, unsigned max)
{
	unsigned n = 0;
	uint64_t below = UINT64_MAX;

	while (n < max) {
		const struct trace_record *best = 0;
		for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
			const struct trace_ring *r = &trace_rings[h];
			uint64_t next = __atomic_load_n(&r->next, __ATOMIC_ACQUIRE);
			/* not the oldest slot of a full ring: its hart may be writing it */
			uint64_t count = next < TRACE_RING_SIZE ? next : TRACE_RING_SIZE - 1;
			/* cppcheck-suppress knownConditionTrueFalse ; trace_begin() fills the rings: cppcheck sees them empty */
			for (uint64_t i = 0; i < count; i++) {
				const struct trace_record *t = &r->rec[(next - 1 - i) & (TRACE_RING_SIZE - 1)];
				uint64_t seq = t->seq;
				if (seq >= below || seq == 0)
					continue;
				if ((vm >= 0 && t->vm != vm) || (vcpu >= 0 && t->vcpu != vcpu))
					continue;
				if (!(trace_class_of(trace_scause(t), t->kind) & classes))
					continue;
				if (!best || t->seq > best->seq)
					best = t;
				break; /* older records in this ring have smaller seq */
			}
		}
		if (!best)
			break;
		out[n++] = *best;
		below = best->seq;
	}
	for (unsigned i = 0; i < n / 2; i++) {
		struct trace_record t = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = t;
	}
	return n;
}
