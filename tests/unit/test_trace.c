/*
 * Unit tests for hypervisor/trace/trace.c, the trap-trace flight recorder.
 *
 * Built with -DTRACE_RING_ORDER=4 (16 records per hart, see Makefile.inc) so
 * that wrap-around is cheap to reach; every expectation is written in terms
 * of TRACE_RING_SIZE and holds for any order.  Cause numbers are the
 * privileged spec's scause codes (Table "Supervisor cause register values"
 * and the H extension's additions 10, 20-23).
 */
#include "trace/trace.h"
#include "arch/csr.h"
#include "unit.h"

uint64_t fake_csr[4096];	/* arch/csr.h under HV_HOST_TEST */

#define IRQ (1ULL << 63)

/* Write one record as trap.c does: take the slot, fill the fields. */
static uint64_t put(unsigned hart, unsigned vm, unsigned vcpu, uint64_t tag)
{
	struct trace_record *r = trace_slot(hart);

	r->hart = (uint8_t)hart;
	r->vm = (uint8_t)vm;
	r->vcpu = (uint8_t)vcpu;
	r->kind = TRACE_EXIT;
	r->sepc = tag;
	return r->seq;
}

static void reset(void)
{
	trace_clear();
	trace_seq = 1; /* as at boot: the first record's */
	trace_ctl.enabled = true;
	trace_ctl.vm_mask = ~0ULL;
	trace_ctl.class_mask = TRACE_CLASS_ALL;
}

static bool seq_increasing(const struct trace_record *r, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		if (r[i].seq <= r[i - 1].seq)
			return false;
	return true;
}

TEST(ring_size_is_power_of_two)
{
	CHECK_EQ(TRACE_RING_SIZE, 16);
	CHECK_EQ(sizeof(trace_rings[0].rec) / sizeof(trace_rings[0].rec[0]), TRACE_RING_SIZE);
}

TEST(slot_fills_in_order)
{
	reset();
	for (unsigned i = 0; i < 5; i++) {
		struct trace_record *r = trace_slot(2);
		CHECK(r == &trace_rings[2].rec[i]);
		CHECK_EQ(r->seq, i + 1);
	}
	CHECK_EQ(trace_rings[2].next, 5);
	CHECK_EQ(trace_ring_lost(&trace_rings[2]), 0);
	CHECK_EQ(trace_rings[0].next, 0);
}

TEST(slot_wraps_and_counts_lost)
{
	reset();
	for (unsigned i = 0; i < TRACE_RING_SIZE; i++)
		put(1, 1, 0, i);
	CHECK_EQ(trace_ring_lost(&trace_rings[1]), 0);
	CHECK_EQ(trace_rings[1].next, TRACE_RING_SIZE);

	/* The next write lands on slot 0, over the oldest record. */
	struct trace_record *r = trace_slot(1);
	CHECK(r == &trace_rings[1].rec[0]);
	CHECK_EQ(r->seq, TRACE_RING_SIZE + 1);
	CHECK_EQ(trace_ring_lost(&trace_rings[1]), 1);

	r = trace_slot(1);
	CHECK(r == &trace_rings[1].rec[1]);
	CHECK_EQ(trace_ring_lost(&trace_rings[1]), 2);

	/* Two more full turns: exactly one lost record per write. */
	for (unsigned i = 0; i < 2 * TRACE_RING_SIZE; i++)
		put(1, 1, 0, 100 + i);
	CHECK_EQ(trace_ring_lost(&trace_rings[1]), 2 + 2 * TRACE_RING_SIZE);
	CHECK_EQ(trace_rings[1].next, 3 * TRACE_RING_SIZE + 2);
	CHECK_EQ(trace_ring_lost(&trace_rings[0]), 0);
}

TEST(seq_strictly_increasing_across_harts)
{
	uint64_t last = 0;
	bool ok = true;

	reset();
	for (unsigned i = 0; i < 3 * TRACE_RING_SIZE; i++) {
		uint64_t s = put(i % HV_MAX_HARTS, 1, 0, i);
		if (s != last + 1)
			ok = false;
		last = s;
	}
	CHECK(ok);
	CHECK_EQ(trace_seq, 3 * TRACE_RING_SIZE + 1);
	CHECK_EQ(trace_slot(HV_MAX_HARTS - 1)->seq, 3 * TRACE_RING_SIZE + 1);
}

TEST(wanted_filters)
{
	reset();
	CHECK(trace_wanted(1, TRACE_CLASS_ECALL));
	CHECK(trace_wanted(31, TRACE_CLASS_OTHER));

	trace_ctl.enabled = false;
	CHECK(!trace_wanted(1, TRACE_CLASS_ECALL));
	CHECK(!trace_wanted(1, TRACE_CLASS_ALL));
	trace_ctl.enabled = true;

	trace_ctl.vm_mask = 1U << 2;	/* VM 2 only */
	CHECK(trace_wanted(2, TRACE_CLASS_PF));
	CHECK(!trace_wanted(1, TRACE_CLASS_PF));
	CHECK(!trace_wanted(3, TRACE_CLASS_PF));
	CHECK(!trace_wanted(0, TRACE_CLASS_PF));
	trace_ctl.vm_mask = 0;
	CHECK(!trace_wanted(2, TRACE_CLASS_PF));
	trace_ctl.vm_mask = ~0ULL;

	trace_ctl.class_mask = TRACE_CLASS_PF | TRACE_CLASS_IRQ;
	CHECK(trace_wanted(1, TRACE_CLASS_PF));
	CHECK(trace_wanted(1, TRACE_CLASS_IRQ));
	CHECK(!trace_wanted(1, TRACE_CLASS_ECALL));
	CHECK(!trace_wanted(1, TRACE_CLASS_MMIO));
	CHECK(!trace_wanted(1, TRACE_CLASS_VINSN));
	CHECK(!trace_wanted(1, TRACE_CLASS_OTHER));
	trace_ctl.class_mask = 0;
	CHECK(!trace_wanted(1, TRACE_CLASS_PF));
	reset();
}

TEST(class_of_every_exception)
{
	/* code -> expected class, by hand from the spec's cause table */
	static const unsigned want[64] = {
		[0] = TRACE_CLASS_OTHER, [1] = TRACE_CLASS_OTHER, [2] = TRACE_CLASS_OTHER,
		[3] = TRACE_CLASS_OTHER, [4] = TRACE_CLASS_OTHER, [5] = TRACE_CLASS_OTHER,
		[6] = TRACE_CLASS_OTHER, [7] = TRACE_CLASS_OTHER,
		[8] = TRACE_CLASS_ECALL, [9] = TRACE_CLASS_ECALL, [10] = TRACE_CLASS_ECALL,
		[11] = TRACE_CLASS_ECALL,
		[12] = TRACE_CLASS_PF, [13] = TRACE_CLASS_PF, [14] = TRACE_CLASS_OTHER,
		[15] = TRACE_CLASS_PF,
		[20] = TRACE_CLASS_PF, [21] = TRACE_CLASS_PF, [22] = TRACE_CLASS_VINSN,
		[23] = TRACE_CLASS_PF,
	};

	for (unsigned c = 0; c < 64; c++) {
		unsigned w = want[c] ? want[c] : TRACE_CLASS_OTHER;
		if (trace_class_of(c, TRACE_EXIT) != w)
			UNIT_FAIL("cause %u: class 0x%x, want 0x%x", c, trace_class_of(c, TRACE_EXIT), w);
		/* The payload kind of a non-MMIO record never changes the class. */
		if (trace_class_of(c, TRACE_SBI) != w || trace_class_of(c, TRACE_INJECT) != w ||
		    trace_class_of(c, TRACE_AD_FIXUP) != w)
			UNIT_FAIL("cause %u: class depends on a non-MMIO kind", c);
	}
}

TEST(class_of_interrupts_and_mmio)
{
	for (unsigned c = 0; c < 16; c++) {
		CHECK_EQ(trace_class_of(IRQ | c, TRACE_IRQ), TRACE_CLASS_IRQ);
		/* An interrupt stays an interrupt whatever the kind says. */
		CHECK_EQ(trace_class_of(IRQ | c, TRACE_MMIO), TRACE_CLASS_IRQ);
	}
	/* Emulated MMIO exits are guest-page faults (or access faults) of kind MMIO. */
	CHECK_EQ(trace_class_of(21, TRACE_MMIO), TRACE_CLASS_MMIO);
	CHECK_EQ(trace_class_of(23, TRACE_MMIO), TRACE_CLASS_MMIO);
	CHECK_EQ(trace_class_of(5, TRACE_MMIO), TRACE_CLASS_MMIO);
	CHECK_EQ(trace_class_of(21, TRACE_EXIT), TRACE_CLASS_PF);
	/* Every class fits TRACE_CLASS_ALL. */
	for (unsigned c = 0; c < 24; c++)
		CHECK((trace_class_of(c, TRACE_EXIT) & ~TRACE_CLASS_ALL) == 0);
}

TEST(collect_empty)
{
	struct trace_record out[4];

	reset();
	memset(out, 0xaa, sizeof(out));
	CHECK_EQ(trace_collect(-1, -1, out, 4), 0);
	CHECK_EQ(trace_collect(1, 0, out, 4), 0);
	CHECK_EQ(out[0].seq, 0xaaaaaaaaaaaaaaaaULL);	/* nothing written */
}

TEST(collect_merges_harts_oldest_first)
{
	struct trace_record out[16];
	unsigned n;

	reset();
	/* seq 1..6 spread over harts 0, 3, 7 in an irregular order */
	put(3, 1, 0, 1);
	put(0, 1, 1, 2);
	put(0, 1, 1, 3);
	put(7, 1, 0, 4);
	put(3, 1, 0, 5);
	put(0, 1, 1, 6);

	n = trace_collect(-1, -1, out, 16);
	CHECK_EQ(n, 6);
	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(out[i].seq, i + 1);
		CHECK_EQ(out[i].sepc, i + 1);
	}
	CHECK_EQ(out[0].hart, 3);
	CHECK_EQ(out[3].hart, 7);
	CHECK_EQ(out[5].hart, 0);
}

TEST(collect_max_keeps_newest)
{
	struct trace_record out[8];
	unsigned n;

	reset();
	for (unsigned i = 1; i <= 10; i++)
		put(i % 3, 1, 0, i);
	memset(out, 0, sizeof(out));
	n = trace_collect(-1, -1, out, 4);
	CHECK_EQ(n, 4);
	/* the last four (7..10), oldest first */
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(out[i].seq, 7 + i);
	CHECK_EQ(out[4].seq, 0);	/* not written past max */

	n = trace_collect(-1, -1, out, 1);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].seq, 10);
	CHECK_EQ(trace_collect(-1, -1, out, 0), 0);
	/* odd count: the reversal keeps the middle element */
	n = trace_collect(-1, -1, out, 3);
	CHECK_EQ(n, 3);
	CHECK_EQ(out[0].seq, 8);
	CHECK_EQ(out[1].seq, 9);
	CHECK_EQ(out[2].seq, 10);
}

TEST(collect_filters_vm_and_vcpu)
{
	struct trace_record out[32];
	unsigned n;

	reset();
	/* seq: 1 vm1/0, 2 vm2/0, 3 vm1/1, 4 vm2/1, 5 vm1/0, 6 vm1/1 ... */
	put(0, 1, 0, 1);
	put(1, 2, 0, 2);
	put(1, 1, 1, 3);
	put(0, 2, 1, 4);
	put(1, 1, 0, 5);
	put(0, 1, 1, 6);

	n = trace_collect(1, -1, out, 32);
	CHECK_EQ(n, 4);
	CHECK_EQ(out[0].seq, 1);
	CHECK_EQ(out[1].seq, 3);
	CHECK_EQ(out[2].seq, 5);
	CHECK_EQ(out[3].seq, 6);

	n = trace_collect(1, 1, out, 32);
	CHECK_EQ(n, 2);
	CHECK_EQ(out[0].seq, 3);
	CHECK_EQ(out[1].seq, 6);

	n = trace_collect(-1, 1, out, 32);
	CHECK_EQ(n, 3);
	CHECK_EQ(out[0].seq, 3);
	CHECK_EQ(out[1].seq, 4);
	CHECK_EQ(out[2].seq, 6);

	n = trace_collect(2, 0, out, 32);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].seq, 2);

	CHECK_EQ(trace_collect(3, -1, out, 32), 0);

	/* max applies after the filter: the newest matching ones */
	n = trace_collect(1, -1, out, 2);
	CHECK_EQ(n, 2);
	CHECK_EQ(out[0].seq, 5);
	CHECK_EQ(out[1].seq, 6);
}

TEST(collect_after_wrap_around)
{
	struct trace_record out[4 * TRACE_RING_SIZE];
	unsigned n, total = 3 * TRACE_RING_SIZE + 5;

	reset();
	/* hart 0 gets every other record, hart 1 the rest: both wrap */
	for (unsigned i = 1; i <= total; i++)
		put(i & 1, 1, 0, i);
	n = trace_collect(-1, -1, out, 4 * TRACE_RING_SIZE);
	/*
	 * each ring holds its last TRACE_RING_SIZE records, and a reader takes
	 * all but the oldest (its hart may be overwriting it): the last 2*(SIZE-1)
	 */
	CHECK_EQ(n, 2 * (TRACE_RING_SIZE - 1));
	CHECK(seq_increasing(out, n));
	CHECK_EQ(out[0].seq, total - 2 * (TRACE_RING_SIZE - 1) + 1);
	CHECK_EQ(out[n - 1].seq, total);
	for (unsigned i = 0; i < n; i++)
		if (out[i].sepc != out[i].seq)
			UNIT_FAIL("record %u: payload of seq %llu under seq %llu", i,
				  (unsigned long long)out[i].sepc, (unsigned long long)out[i].seq);
	CHECK_EQ(trace_ring_lost(&trace_rings[0]) + trace_ring_lost(&trace_rings[1]), total - 2 * TRACE_RING_SIZE);

	/* unequal wrap: hart 2 writes a lot, hart 3 a little, interleaved at the end */
	reset();
	for (unsigned i = 1; i <= 2 * TRACE_RING_SIZE + 3; i++)
		put(2, 1, 0, i);
	put(3, 1, 0, 2 * TRACE_RING_SIZE + 4);
	put(2, 1, 0, 2 * TRACE_RING_SIZE + 5);
	n = trace_collect(-1, -1, out, 4 * TRACE_RING_SIZE);
	CHECK_EQ(n, TRACE_RING_SIZE);
	CHECK(seq_increasing(out, n));
	CHECK_EQ(out[n - 2].hart, 3);
	CHECK_EQ(out[n - 1].seq, 2 * TRACE_RING_SIZE + 5);
	/* hart 2 shows its newest SIZE-1 of 2*SIZE+4 records: 2*SIZE+5 and S+6..2*SIZE+3 */
	CHECK_EQ(out[0].seq, TRACE_RING_SIZE + 6);
}

TEST(collect_filtered_after_wrap)
{
	struct trace_record out[4 * TRACE_RING_SIZE];
	unsigned n;

	reset();
	/* one ring, vm 2 every fourth record; wrap twice */
	for (unsigned i = 1; i <= 3 * TRACE_RING_SIZE; i++)
		put(5, i % 4 == 0 ? 2 : 1, 0, i);
	n = trace_collect(2, -1, out, 4 * TRACE_RING_SIZE);
	CHECK_EQ(n, TRACE_RING_SIZE / 4);
	CHECK(seq_increasing(out, n));
	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(out[i].vm, 2);
		CHECK(out[i].seq > 2 * TRACE_RING_SIZE);
	}
	CHECK_EQ(out[n - 1].seq, 3 * TRACE_RING_SIZE);
}

TEST(clear_empties_every_ring)
{
	struct trace_record out[8];

	reset();
	for (unsigned h = 0; h < HV_MAX_HARTS; h++)
		for (unsigned i = 0; i < TRACE_RING_SIZE + 2; i++)
			put(h, 1, 0, i);
	trace_clear();
	for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
		CHECK_EQ(trace_rings[h].next, 0);
		CHECK_EQ(trace_ring_lost(&trace_rings[h]), 0);
		CHECK_EQ(trace_rings[h].rec[0].seq, 0);
		CHECK_EQ(trace_rings[h].rec[TRACE_RING_SIZE - 1].seq, 0);
	}
	CHECK_EQ(trace_collect(-1, -1, out, 8), 0);
	/* sequence numbers keep growing after a clear: gaps stay visible */
	uint64_t s = put(0, 1, 0, 0);
	CHECK(s > HV_MAX_HARTS * (TRACE_RING_SIZE + 2));
	CHECK_EQ(trace_collect(-1, -1, out, 8), 1);
	CHECK_EQ(out[0].seq, s);
}

/* `trace 20 class ecall` finds ecalls however many other records came after them. */
TEST(collect_by_class_looks_past_other_records)
{
	struct trace_record out[8];
	uint64_t ecalls[3];
	unsigned n;

	reset();
	for (unsigned i = 0; i < 3; i++) {
		ecalls[i] = put(i % 2, 1, 0, 0x100 + i);
		trace_rings[i % 2].rec[(trace_rings[i % 2].next - 1) & (TRACE_RING_SIZE - 1)].cause = 10;
	}
	for (unsigned i = 0; i < TRACE_RING_SIZE - 3; i++) {	/* newer interrupts: hart 0 one short of full */
		put(0, 1, 0, 0x200 + i);
		trace_rings[0].rec[(trace_rings[0].next - 1) & (TRACE_RING_SIZE - 1)].cause = TRACE_CAUSE_IRQ | 5;
	}
	n = trace_collect_classes(-1, -1, TRACE_CLASS_ECALL, out, 8);
	CHECK_EQ(n, 3);
	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(out[i].seq, ecalls[i]);
		CHECK_EQ(out[i].sepc, 0x100 + i);
	}
	CHECK_EQ(trace_collect_classes(-1, -1, TRACE_CLASS_MMIO, out, 8), 0);
	CHECK_EQ(trace_collect_classes(-1, -1, TRACE_CLASS_IRQ, out, 2), 2);
	CHECK_EQ(out[1].sepc, 0x200 + TRACE_RING_SIZE - 4);
}

/* ---- the trace file (trace/stream.c) against an in-memory sink ---- */

static struct {
	uint8_t buf[64 * 1024];
	size_t len;
	unsigned writes;
	void (*during_write)(void);	/* runs inside the first record write (lock held) */
} sink_out;

static long mem_write(void *ctx, const void *buf, uint64_t len)
{
	(void)ctx;
	if (sink_out.len + len > sizeof(sink_out.buf))
		return (long)len;	/* as semihosting says: bytes not written */
	memcpy(sink_out.buf + sink_out.len, buf, len);
	sink_out.len += len;
	sink_out.writes++;
	if (sink_out.during_write && sink_out.writes == 2) {
		void (*f)(void) = sink_out.during_write;
		sink_out.during_write = 0;
		f();
	}
	return 0;
}

static const struct trace_sink mem_sink = { mem_write, 0 };
static const char test_header[64] = "HVTRACE 2\n";

static void stream_reset(void)
{
	reset();
	trace_stream_set(false);
	memset(&sink_out, 0, sizeof(sink_out));
	trace_stream_open(&mem_sink, test_header, sizeof(test_header));
	for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
		trace_rings[h].dropped = 0;
		trace_rings[h].drop_pending = 0;
	}
}

static const struct trace_record *file_rec(unsigned i)
{
	return (const struct trace_record *)(sink_out.buf + sizeof(test_header)) + i;
}

static unsigned file_records(void)
{
	return (unsigned)((sink_out.len - sizeof(test_header)) / sizeof(struct trace_record));
}

TEST(stream_writes_half_rings)
{
	stream_reset();
	CHECK_EQ(sink_out.len, sizeof(test_header));
	CHECK_EQ(memcmp(sink_out.buf, "HVTRACE 2", 9), 0);
	for (unsigned i = 1; i <= TRACE_RING_HALF; i++)
		put(0, 1, 0, i);
	CHECK_EQ(sink_out.writes, 1);		/* the half is full, not handed over yet */
	put(0, 1, 0, TRACE_RING_HALF + 1);	/* the next record drains it: one write */
	CHECK_EQ(sink_out.writes, 2);
	CHECK_EQ(file_records(), TRACE_RING_HALF);
	for (unsigned i = 0; i < TRACE_RING_HALF; i++)
		CHECK_EQ(file_rec(i)->sepc, i + 1);
	/* three more turns of the ring: nothing lost, in order, half a ring per write */
	for (unsigned i = TRACE_RING_HALF + 2; i <= 4 * TRACE_RING_SIZE; i++)
		put(0, 1, 0, i);
	trace_stream_flush();
	CHECK_EQ(file_records(), 4 * TRACE_RING_SIZE);
	for (unsigned i = 0; i < 4 * TRACE_RING_SIZE; i++)
		if (file_rec(i)->sepc != i + 1)
			UNIT_FAIL("file record %u has sepc %llu", i, (unsigned long long)file_rec(i)->sepc);
	uint64_t bytes, dropped;
	trace_stream_totals(&bytes, &dropped);
	CHECK_EQ(bytes, sink_out.len);
	CHECK_EQ(dropped, 0);
	trace_stream_set(false);
}

TEST(stream_off_and_on)
{
	stream_reset();
	put(1, 1, 0, 1);
	trace_stream_set(false);		/* flushes what the rings hold */
	CHECK_EQ(file_records(), 1);
	for (unsigned i = 2; i <= 3 * TRACE_RING_SIZE; i++)
		put(1, 1, 0, i);
	CHECK_EQ(file_records(), 1);		/* off: the file gets nothing */
	trace_stream_set(true);
	put(1, 1, 0, 1000);
	trace_stream_flush();
	CHECK_EQ(file_records(), 2);		/* on again: only what came after */
	CHECK_EQ(file_rec(1)->sepc, 1000);
	trace_stream_set(false);
}

/* Hart 2 writes a ring and a half while hart 0's chunk is being written. */
static void busy_hart2(void)
{
	for (unsigned i = 1; i <= TRACE_RING_SIZE + TRACE_RING_HALF; i++)
		put(2, 1, 0, 500 + i);
}

TEST(stream_drops_only_what_would_be_overwritten)
{
	uint64_t bytes, dropped;
	unsigned drops = 0, data = 0;

	stream_reset();
	sink_out.during_write = busy_hart2;
	for (unsigned i = 1; i <= TRACE_RING_HALF + 1; i++)
		put(0, 1, 0, i);		/* the drain of hart 0 runs busy_hart2 */
	trace_stream_totals(&bytes, &dropped);
	/* hart 2 could not drain while the file was busy: it wrote SIZE + HALF into SIZE slots */
	CHECK_EQ(dropped, TRACE_RING_HALF);
	CHECK_EQ(trace_rings[2].drop_pending, TRACE_RING_HALF);
	trace_stream_flush();
	for (unsigned i = 0; i < file_records(); i++) {
		const struct trace_record *r = file_rec(i);
		if (r->kind == TRACE_DROP) {
			drops++;
			CHECK_EQ(r->payload[0], TRACE_RING_HALF);
			CHECK_EQ(r->hart, 2);
			CHECK_EQ(file_rec(i + 1)->sepc, 500 + TRACE_RING_HALF + 1);	/* the first one kept */
		} else if (r->hart == 2) {
			data++;
		}
	}
	CHECK_EQ(drops, 1);
	CHECK_EQ(data, TRACE_RING_SIZE);	/* every record not dropped, once */
	CHECK_EQ(trace_rings[2].drop_pending, 0);
	trace_stream_set(false);
}

TEST(stream_refused_writes_count_as_dropped)
{
	uint64_t bytes, dropped;

	stream_reset();
	sink_out.len = sizeof(sink_out.buf) - 64;	/* the host's disk is full */
	for (unsigned i = 1; i <= TRACE_RING_HALF + 1; i++)
		put(3, 1, 0, i);
	trace_stream_totals(&bytes, &dropped);
	CHECK_EQ(dropped, TRACE_RING_HALF);
	trace_stream_set(false);
	memset(&sink_out, 0, sizeof(sink_out));
}

UNIT_MAIN("test_trace",
	  UNIT(ring_size_is_power_of_two),
	  UNIT(slot_fills_in_order),
	  UNIT(slot_wraps_and_counts_lost),
	  UNIT(seq_strictly_increasing_across_harts),
	  UNIT(wanted_filters),
	  UNIT(class_of_every_exception),
	  UNIT(class_of_interrupts_and_mmio),
	  UNIT(collect_empty),
	  UNIT(collect_merges_harts_oldest_first),
	  UNIT(collect_max_keeps_newest),
	  UNIT(collect_filters_vm_and_vcpu),
	  UNIT(collect_after_wrap_around),
	  UNIT(collect_filtered_after_wrap),
	  UNIT(clear_empties_every_ring),
	  UNIT(collect_by_class_looks_past_other_records),
	  UNIT(stream_writes_half_rings),
	  UNIT(stream_off_and_on),
	  UNIT(stream_drops_only_what_would_be_overwritten),
	  UNIT(stream_refused_writes_count_as_dropped))
