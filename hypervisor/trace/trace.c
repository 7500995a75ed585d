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
struct trace_control trace_ctl = { true, ~0ULL, TRACE_CLASS_ALL };
volatile uint64_t trace_seq;

unsigned trace_class_of(uint64_t scause, unsigned kind)
{
	uint64_t code = scause & ~CAUSE_IRQ_FLAG;

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

/*
 * Reserve this hart's next slot (only this hart writes its ring).  The slot's
 * seq is 0 while the caller fills it in, and trace_commit() publishes the
 * reserved number last, so a reader on another hart never takes a
 * half-written record for a new one: it skips seq 0.
 */
struct trace_record *trace_begin(unsigned hart, uint64_t *seq)
{
	struct trace_ring *r = &trace_rings[hart];
	struct trace_record *rec = &r->rec[r->next & (TRACE_RING_SIZE - 1)];

	__atomic_store_n(&rec->seq, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (r->next >= TRACE_RING_SIZE)
		r->lost++;
	r->next++;
	*seq = __atomic_add_fetch(&trace_seq, 1, __ATOMIC_RELAXED);
	return rec;
}

void trace_commit(struct trace_record *rec, uint64_t seq)
{
	__atomic_store_n(&rec->seq, seq, __ATOMIC_RELEASE);
}

/* Reserve and publish at once (tests and fakes that fill the record later). */
struct trace_record *trace_slot(unsigned hart)
{
	uint64_t seq;
	struct trace_record *rec = trace_begin(hart, &seq);

	trace_commit(rec, seq);
	return rec;
}

/* Records ever written and records overwritten, over every hart's ring. */
void trace_totals(uint64_t *recorded, uint64_t *lost)
{
	*recorded = *lost = 0;
	for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
		*recorded += trace_rings[h].next;
		*lost += trace_rings[h].lost;
	}
}

void trace_init_hart(unsigned hart)
{
	if (hart < HV_MAX_HARTS)
		memset(&trace_rings[hart], 0, sizeof(trace_rings[hart]));
}

void trace_clear(void)
{
	for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
		memset(trace_rings[h].rec, 0, sizeof(trace_rings[h].rec));
		trace_rings[h].next = 0;
		trace_rings[h].lost = 0;
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
			uint64_t count = r->next < TRACE_RING_SIZE ? r->next : TRACE_RING_SIZE;
			/* cppcheck-suppress knownConditionTrueFalse ; trace_begin() fills the rings: cppcheck sees them empty */
			for (uint64_t i = 0; i < count; i++) {
				const struct trace_record *t = &r->rec[(r->next - 1 - i) & (TRACE_RING_SIZE - 1)];
				uint64_t seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
				if (seq >= below || seq == 0)
					continue;
				if ((vm >= 0 && t->vm != vm) || (vcpu >= 0 && t->vcpu != vcpu))
					continue;
				if (!(trace_class_of(t->scause, t->kind) & classes))
					continue;
				if (!best || t->seq > best->seq)
					best = t;
				break;	/* older records in this ring have smaller seq */
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
