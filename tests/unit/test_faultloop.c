/*
 * Unit tests for hypervisor/core/faultloop.c, the fault-loop detector that
 * trap.c runs on every handled exception that did not complete an
 * instruction: K identical (scause, sepc, stval) in a row stop the VM.
 */
#include "core/faultloop.h"
#include "unit.h"

#define IPF  12		/* instruction page fault */
#define LPF  13		/* load page fault */

/* Feed n copies of one exception; returns the index (1-based) of the first true, 0 none. */
static unsigned feed(struct faultloop *fl, unsigned n, uint64_t scause, uint64_t sepc, uint64_t stval, unsigned k)
{
	unsigned first = 0;

	for (unsigned i = 1; i <= n; i++)
		if (faultloop_check(fl, scause, sepc, stval, k) && !first)
			first = i;
	return first;
}

TEST(kth_repeat_trips)
{
	static const unsigned ks[] = { 2, 3, 8, 64, 1000 };

	for (unsigned i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		struct faultloop fl = { 0 };
		unsigned k = ks[i];

		/* K-1 repeats: nothing */
		CHECK_EQ(feed(&fl, k - 1, IPF, 0, 0, k), 0);
		CHECK_EQ(fl.count, k - 1);
		/* the K-th: a loop */
		CHECK(faultloop_check(&fl, IPF, 0, 0, k));
		/* and it keeps saying so while it repeats */
		CHECK(faultloop_check(&fl, IPF, 0, 0, k));
	}
}

TEST(first_exception_starts_at_one)
{
	struct faultloop fl = { 0 };

	/* A zero-initialised detector must not count (0, 0, 0) as a repeat of nothing. */
	CHECK(!faultloop_check(&fl, 0, 0, 0, 2));
	CHECK_EQ(fl.count, 1);
	CHECK(faultloop_check(&fl, 0, 0, 0, 2));
}

TEST(any_field_differs_resets)
{
	struct faultloop fl = { 0 };
	const unsigned k = 4;

	CHECK_EQ(feed(&fl, k - 1, LPF, 0x80001000, 0x10, k), 0);
	/* different stval */
	CHECK(!faultloop_check(&fl, LPF, 0x80001000, 0x18, k));
	CHECK_EQ(fl.count, 1);
	CHECK_EQ(feed(&fl, k - 2, LPF, 0x80001000, 0x18, k), 0);
	CHECK(faultloop_check(&fl, LPF, 0x80001000, 0x18, k));

	/* different sepc */
	CHECK(!faultloop_check(&fl, LPF, 0x80001004, 0x18, k));
	CHECK_EQ(fl.count, 1);
	/* different cause */
	CHECK(!faultloop_check(&fl, IPF, 0x80001004, 0x18, k));
	CHECK_EQ(fl.count, 1);
	/* an interrupt-flagged cause is different too */
	CHECK(!faultloop_check(&fl, IPF | 1ULL << 63, 0x80001004, 0x18, k));
	CHECK_EQ(fl.count, 1);
}

TEST(interleaved_faults_never_trip)
{
	struct faultloop fl = { 0 };
	bool tripped = false;

	/* two faults alternating 1000 times: never K in a row */
	for (unsigned i = 0; i < 1000; i++) {
		tripped |= faultloop_check(&fl, LPF, 0x80002000, 0x1000, 3);
		tripped |= faultloop_check(&fl, IPF, 0x80002000, 0x80002000, 3);
	}
	CHECK(!tripped);
	/* K-1 of one, then one other, then K-1 again: still no loop */
	CHECK_EQ(feed(&fl, 2, LPF, 0, 8, 3), 0);
	CHECK(!faultloop_check(&fl, LPF, 0, 16, 3));
	CHECK_EQ(feed(&fl, 2, LPF, 0, 8, 3), 0);
	CHECK(faultloop_check(&fl, LPF, 0, 8, 3));	/* third in a row */
}

TEST(reset_forgets_the_run)
{
	struct faultloop fl = { 0 };

	CHECK_EQ(feed(&fl, 63, IPF, 0, 0, 64), 0);
	faultloop_reset(&fl);	/* e.g. an emulated instruction completed */
	CHECK_EQ(fl.count, 0);
	/* the same fault again starts a new run of 1 */
	CHECK_EQ(feed(&fl, 63, IPF, 0, 0, 64), 0);
	CHECK(faultloop_check(&fl, IPF, 0, 0, 64));
}

TEST(k_is_read_every_call)
{
	struct faultloop fl = { 0 };

	/* lowering K mid-run takes effect on the next check */
	CHECK_EQ(feed(&fl, 5, IPF, 4, 4, 64), 0);
	CHECK(faultloop_check(&fl, IPF, 4, 4, 6));
	/* raising it lets the run go on */
	CHECK(!faultloop_check(&fl, IPF, 4, 4, 100));
}

UNIT_MAIN("test_faultloop",
	  UNIT(kth_repeat_trips),
	  UNIT(first_exception_starts_at_one),
	  UNIT(any_field_differs_resets),
	  UNIT(interleaved_faults_never_trip),
	  UNIT(reset_forgets_the_run),
	  UNIT(k_is_read_every_call))
