/* lib/ratelimit.c: the rule that keeps a reboot-looping VM's lifecycle lines off the terminal. */
#include "unit.h"
#include "lib/ratelimit.h"

#define WINDOW 100

TEST(burst_passes_then_counts)
{
	struct ratelimit rl = { 0 };
	unsigned held;

	for (int i = 0; i < 5; i++) {
		CHECK(ratelimit_allow(&rl, 10 + i, WINDOW, 5, &held));
		CHECK_EQ(held, 0);
	}
	for (int i = 0; i < 7; i++)
		CHECK(!ratelimit_allow(&rl, 20 + i, WINDOW, 5, &held));
	CHECK_EQ(rl.suppressed, 7);
}

TEST(next_window_reports_what_was_held)
{
	struct ratelimit rl = { 0 };
	unsigned held;

	for (int i = 0; i < 9; i++)
		ratelimit_allow(&rl, 0, WINDOW, 3, &held);
	CHECK(ratelimit_allow(&rl, WINDOW, WINDOW, 3, &held));
	CHECK_EQ(held, 6);
	CHECK(ratelimit_allow(&rl, WINDOW + 1, WINDOW, 3, &held));
	CHECK_EQ(held, 0);			/* said once */
}

TEST(first_message_at_any_time_passes)
{
	struct ratelimit rl = { 0 };
	unsigned held;

	CHECK(ratelimit_allow(&rl, UINT64_MAX - 1, WINDOW, 1, &held));
	CHECK(!ratelimit_allow(&rl, UINT64_MAX, WINDOW, 1, &held));
}

TEST(zero_burst_holds_everything)
{
	struct ratelimit rl = { 0 };
	unsigned held;

	CHECK(!ratelimit_allow(&rl, 5, WINDOW, 0, &held));
	CHECK(!ratelimit_allow(&rl, 500, WINDOW, 0, &held));
	CHECK_EQ(rl.suppressed, 2);
}

UNIT_MAIN("test_ratelimit",
	  UNIT(burst_passes_then_counts),
	  UNIT(next_window_reports_what_was_held),
	  UNIT(first_message_at_any_time_passes),
	  UNIT(zero_burst_holds_everything))
