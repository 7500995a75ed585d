/*
 * The trace file: every hart's ring drained to one sink (semihosting, from
 * core/tracefile.c) half a ring at a time, so a run of exits costs one host
 * write per 2048 records, not one per record.  A ring is drained by its own
 * hart, inside trace_begin(), when the half it just finished is full.  The
 * hart never waits for another hart's write: if the file is busy it goes
 * on, and only a record about to be overwritten before it reached the file
 * is dropped; the file then gets a DROP record saying how many.
 */
#include "trace/trace.h"
#include "arch/csr.h"
#include "lib/spinlock.h"

static struct {
	spinlock_t lock;	/* one writer at a time: chunks never interleave */
	struct trace_sink sink; /* write == 0: no file */
	volatile bool on;
	uint64_t bytes;
	uint64_t failed; /* records the sink refused */
} stream = { SPINLOCK_INIT, { 0, 0 }, false, 0, 0 };

static void sink_write(const void *buf, uint64_t len, uint64_t records, struct trace_ring *r)
{
	if (stream.sink.write(stream.sink.ctx, buf, len) == 0) {
		stream.bytes += len;
	} else {
		r->dropped += records;
		stream.failed += records;
	}
}

/* The DROP record in front of the records that follow a loss; lock held. */
static void write_drop_record(struct trace_ring *r, unsigned hart)
{
	struct trace_record d = { 0 };

	d.seq = __atomic_fetch_add(&trace_seq, 1, __ATOMIC_RELAXED);
	d.time = arch_time();
	d.hart = (uint8_t)hart;
	d.kind = TRACE_DROP;
	d.payload[0] = r->drop_pending;
	r->drop_pending = 0;
	sink_write(&d, sizeof(d), 0, r);
}

/* Records [flushed, next) of one ring (at most two pieces); lock held. */
static void write_pending(struct trace_ring *r, unsigned hart)
{
	uint64_t next = __atomic_load_n(&r->next, __ATOMIC_ACQUIRE);

	if (next - r->flushed > TRACE_RING_SIZE) { /* overwritten before they got here */
		uint64_t gone = next - TRACE_RING_SIZE - r->flushed;
		r->dropped += gone;
		r->drop_pending += gone;
		r->flushed += gone;
	}
	if (r->drop_pending)
		write_drop_record(r, hart);
	while (r->flushed < next) {
		uint64_t slot = r->flushed & (TRACE_RING_SIZE - 1);
		uint64_t n = next - r->flushed;

		if (n > TRACE_RING_SIZE - slot)
			n = TRACE_RING_SIZE - slot;
		sink_write(&r->rec[slot], n * sizeof(struct trace_record), n, r);
		r->flushed += n;
	}
}

/* Called by trace_begin() on the ring's own hart when next reaches drain_at. */
void trace_ring_drain(unsigned hart)
{
	struct trace_ring *r = &trace_rings[hart];

	if (!stream.on) {
		r->drain_at = UINT64_MAX;
		return;
	}
	if (r->flushed > r->next) /* the ring was cleared */
		r->flushed = r->next;
	if (!spin_trylock(&stream.lock)) {
		/* Another hart is writing: go on, and drop only what would be overwritten. */
		if (r->next - r->flushed >= TRACE_RING_SIZE) {
			r->flushed++;
			r->dropped++;
			r->drop_pending++;
		}
		r->drain_at = r->next + 1;
		return;
	}
	write_pending(r, hart);
	spin_unlock(&stream.lock);
	r->drain_at = r->flushed + TRACE_RING_HALF;
}

void trace_stream_open(const struct trace_sink *sink, const void *header, uint64_t header_len)
{
	spin_lock(&stream.lock);
	stream.sink = *sink;
	stream.bytes = 0;
	if (stream.sink.write(stream.sink.ctx, header, header_len) == 0)
		stream.bytes = header_len;
	spin_unlock(&stream.lock);
	trace_stream_set(true);
}

/*
 * On: every ring starts from what it holds now (records made while the file
 * was off are not in it; the sequence numbers show the gap).  Off: what the
 * rings hold goes to the file first.
 */
void trace_stream_set(bool on)
{
	if (!stream.sink.write)
		return;
	if (!on)
		trace_stream_flush();
	spin_lock(&stream.lock);
	for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
		struct trace_ring *r = &trace_rings[h];
		if (on && !stream.on)
			r->flushed = r->next;
		r->drain_at = on ? r->flushed + TRACE_RING_HALF : UINT64_MAX;
	}
	stream.on = on;
	spin_unlock(&stream.lock);
}

/*
 * Everything every ring holds that the file has not, now (`trace file off`,
 * `quit`).  Another hart may be filling a record meanwhile: its seq is still
 * 0 in the file, and readers skip such slots.
 */
void trace_stream_flush(void)
{
	if (!stream.on)
		return;
	spin_lock(&stream.lock);
	for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
		struct trace_ring *r = &trace_rings[h];
		if (r->flushed > r->next)
			r->flushed = r->next;
		write_pending(r, h);
		r->drain_at = r->flushed + TRACE_RING_HALF;
	}
	spin_unlock(&stream.lock);
}

bool trace_stream_is_open(void)
{
	return stream.sink.write != 0;
}

bool trace_stream_on(void)
{
	return stream.on;
}

void trace_stream_totals(uint64_t *bytes, uint64_t *dropped)
{
	*bytes = stream.bytes;
	*dropped = 0;
	for (unsigned h = 0; h < HV_MAX_HARTS; h++)
		*dropped += trace_rings[h].dropped;
}
