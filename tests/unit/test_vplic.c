/*
 * Unit tests for hypervisor/devmodel/vplic.c, the emulated PLIC.
 *
 * Expected behaviour comes from the RISC-V PLIC specification 1.0.0
 * (gateways forward one request per source until the completion, a level
 * source that is still asserted after completion requests again, claims
 * return the highest-priority pending enabled source above the threshold
 * with ties going to the lowest ID, priority 0 means "never interrupt",
 * completions of sources not enabled for the context are ignored) and from
 * QEMU virt's register layout, which the VM contract in docs fixes.
 */
#include "devmodel/vplic.h"
#include "unit.h"

#define PRIO(irq)      (4u * (irq))
#define PENDING(word)  (0x1000u + 4u * (word))
#define ENABLE(c, w)   (0x2000u + 0x80u * (c) + 4u * (w))
#define THRESHOLD(c)   (0x200000u + 0x1000u * (c))
#define CLAIM(c)       (0x200000u + 0x1000u * (c) + 4u)
#define SCTX(h)        (2u * (h) + 1u)		/* S-mode context of vCPU h */

static struct vplic plic;

static uint32_t rd(uint64_t off)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	if (vplic_read(&plic, off, 4, &v) != 0)
		UNIT_FAIL("vplic_read(0x%llx) failed", (unsigned long long)off);
	if (v >> 32)
		UNIT_FAIL("vplic_read(0x%llx) returned more than 32 bits: 0x%llx",
			  (unsigned long long)off, (unsigned long long)v);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	if (vplic_write(&plic, off, 4, v) != 0)
		UNIT_FAIL("vplic_write(0x%llx) failed", (unsigned long long)off);
}

static void enable(unsigned ctx, unsigned irq, bool on)
{
	uint32_t w = rd(ENABLE(ctx, irq / 32));

	w = on ? w | 1u << (irq % 32) : w & ~(1u << (irq % 32));
	wr(ENABLE(ctx, irq / 32), w);
}

static bool pending_bit(unsigned irq)
{
	return (rd(PENDING(irq / 32)) >> (irq % 32)) & 1;
}

/* Two vCPUs: contexts 0..3, S contexts 1 and 3. */
static void setup(void)
{
	vplic_init(&plic, 2);
}

TEST(init_state)
{
	memset(&plic, 0xa5, sizeof(plic));
	vplic_init(&plic, 2);
	CHECK_EQ(plic.context_count, 4);
	for (unsigned irq = 1; irq < VPLIC_SOURCES; irq++)
		CHECK_EQ(rd(PRIO(irq)), 0);
	for (unsigned w = 0; w < VPLIC_WORDS; w++) {
		CHECK_EQ(rd(PENDING(w)), 0);
		for (unsigned c = 0; c < 4; c++)
			CHECK_EQ(rd(ENABLE(c, w)), 0);
	}
	for (unsigned c = 0; c < 4; c++) {
		CHECK_EQ(rd(THRESHOLD(c)), 0);
		CHECK(!vplic_context_pending(&plic, c));
		CHECK_EQ(rd(CLAIM(c)), 0);
	}
}

TEST(claim_complete_level_source)
{
	setup();
	wr(PRIO(10), 1);
	enable(SCTX(0), 10, true);
	CHECK(!vplic_context_pending(&plic, SCTX(0)));

	vplic_set_level(&plic, 10, true);
	CHECK(pending_bit(10));
	CHECK(vplic_context_pending(&plic, SCTX(0)));

	CHECK_EQ(rd(CLAIM(SCTX(0))), 10);
	/* Claimed: the gateway stays closed although the line is still high. */
	CHECK(!pending_bit(10));
	CHECK(!vplic_context_pending(&plic, SCTX(0)));
	vplic_set_level(&plic, 10, true);	/* re-asserting does not help */
	CHECK(!pending_bit(10));
	CHECK_EQ(rd(CLAIM(SCTX(0))), 0);

	/* Completion with the line still high: a new request. */
	wr(CLAIM(SCTX(0)), 10);
	CHECK(pending_bit(10));
	CHECK(vplic_context_pending(&plic, SCTX(0)));
	CHECK_EQ(rd(CLAIM(SCTX(0))), 10);

	/* Line dropped while in service, then completed: nothing pending. */
	vplic_set_level(&plic, 10, false);
	wr(CLAIM(SCTX(0)), 10);
	CHECK(!pending_bit(10));
	CHECK(!vplic_context_pending(&plic, SCTX(0)));
	CHECK_EQ(rd(CLAIM(SCTX(0))), 0);

	/* And a later assertion is forwarded again. */
	vplic_set_level(&plic, 10, true);
	CHECK_EQ(rd(CLAIM(SCTX(0))), 10);
}

TEST(complete_ignored_when_not_enabled)
{
	setup();
	wr(PRIO(5), 2);
	enable(SCTX(0), 5, true);
	vplic_set_level(&plic, 5, true);
	CHECK_EQ(rd(CLAIM(SCTX(0))), 5);

	/* Disable, then complete: ignored, the source stays in service. */
	enable(SCTX(0), 5, false);
	wr(CLAIM(SCTX(0)), 5);
	CHECK(!pending_bit(5));
	/* Completion from a context where 5 was never enabled: ignored too. */
	wr(CLAIM(SCTX(1)), 5);
	CHECK(!pending_bit(5));

	enable(SCTX(0), 5, true);
	CHECK(!vplic_context_pending(&plic, SCTX(0)));
	wr(CLAIM(SCTX(0)), 5);
	CHECK(pending_bit(5));
	CHECK_EQ(rd(CLAIM(SCTX(0))), 5);
}

TEST(complete_bogus_ids_ignored)
{
	setup();
	wr(PRIO(3), 1);
	enable(SCTX(0), 3, true);
	vplic_set_level(&plic, 3, true);
	CHECK_EQ(rd(CLAIM(SCTX(0))), 3);
	wr(CLAIM(SCTX(0)), 0);
	wr(CLAIM(SCTX(0)), VPLIC_SOURCES);
	wr(CLAIM(SCTX(0)), 0xffffffffu);
	wr(CLAIM(SCTX(0)), 3 + 32);	/* another source in the same word */
	CHECK(!pending_bit(3));
	wr(CLAIM(SCTX(0)), 3);
	CHECK(pending_bit(3));
}

TEST(threshold)
{
	setup();
	wr(PRIO(7), 3);
	enable(SCTX(1), 7, true);
	vplic_set_level(&plic, 7, true);

	wr(THRESHOLD(SCTX(1)), 3);
	CHECK_EQ(rd(THRESHOLD(SCTX(1))), 3);
	CHECK(!vplic_context_pending(&plic, SCTX(1)));	/* needs priority > threshold */
	CHECK_EQ(rd(CLAIM(SCTX(1))), 0);
	CHECK(pending_bit(7));				/* a claim of 0 takes nothing */

	wr(THRESHOLD(SCTX(1)), 2);
	CHECK(vplic_context_pending(&plic, SCTX(1)));
	wr(THRESHOLD(SCTX(1)), 7);
	CHECK(!vplic_context_pending(&plic, SCTX(1)));
	wr(THRESHOLD(SCTX(1)), 0);
	CHECK_EQ(rd(CLAIM(SCTX(1))), 7);

	/* Thresholds are per context. */
	CHECK_EQ(rd(THRESHOLD(SCTX(0))), 0);
}

TEST(priority_zero_never_interrupts)
{
	setup();
	enable(SCTX(0), 4, true);
	vplic_set_level(&plic, 4, true);
	CHECK(pending_bit(4));			/* pending, but priority 0 */
	CHECK(!vplic_context_pending(&plic, SCTX(0)));
	CHECK_EQ(rd(CLAIM(SCTX(0))), 0);
	wr(PRIO(4), 1);
	CHECK(vplic_context_pending(&plic, SCTX(0)));
	wr(PRIO(4), 0);
	CHECK(!vplic_context_pending(&plic, SCTX(0)));
}

TEST(highest_priority_then_lowest_id)
{
	static const struct { unsigned irq, prio; } src[] = {
		{ 9, 5 }, { 2, 1 }, { 40, 5 }, { 7, 5 }, { 95, 7 }, { 33, 2 }, { 64, 7 },
	};
	static const unsigned order[] = { 64, 95, 7, 9, 40, 33, 2 };

	setup();
	for (unsigned i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		wr(PRIO(src[i].irq), src[i].prio);
		enable(SCTX(1), src[i].irq, true);
		vplic_set_level(&plic, src[i].irq, true);
	}
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		CHECK_EQ(rd(CLAIM(SCTX(1))), order[i]);
	CHECK_EQ(rd(CLAIM(SCTX(1))), 0);

	/* Completed sources whose lines are still high come back in order. */
	wr(CLAIM(SCTX(1)), 7);
	wr(CLAIM(SCTX(1)), 2);
	CHECK_EQ(rd(CLAIM(SCTX(1))), 7);
	CHECK_EQ(rd(CLAIM(SCTX(1))), 2);
}

TEST(enables_per_context)
{
	setup();
	wr(PRIO(1), 1);
	wr(PRIO(8), 1);
	vplic_set_level(&plic, 1, true);
	vplic_set_level(&plic, 8, true);
	enable(SCTX(1), 8, true);

	CHECK_EQ(rd(ENABLE(SCTX(1), 0)), 1u << 8);
	CHECK_EQ(rd(ENABLE(SCTX(0), 0)), 0);
	CHECK_EQ(rd(ENABLE(0, 0)), 0);
	CHECK(!vplic_context_pending(&plic, SCTX(0)));
	CHECK(!vplic_context_pending(&plic, 0));
	CHECK(!vplic_context_pending(&plic, 2));
	CHECK(vplic_context_pending(&plic, SCTX(1)));
	CHECK_EQ(rd(CLAIM(SCTX(0))), 0);

	/* A source enabled in two contexts is claimed once. */
	enable(SCTX(0), 1, true);
	enable(SCTX(1), 1, true);
	CHECK_EQ(rd(CLAIM(SCTX(0))), 1);
	CHECK_EQ(rd(CLAIM(SCTX(1))), 8);
	CHECK_EQ(rd(CLAIM(SCTX(1))), 0);

	/* The M context 2h of a vCPU is separate from its S context 2h+1. */
	enable(0, 8, true);
	wr(CLAIM(SCTX(1)), 8);
	CHECK(vplic_context_pending(&plic, 0));
	CHECK_EQ(rd(CLAIM(0)), 8);
}

TEST(contexts_out_of_range)
{
	setup();	/* 2 vCPUs: contexts 0..3 exist */
	wr(PRIO(6), 1);
	vplic_set_level(&plic, 6, true);
	for (unsigned c = 4; c < VPLIC_CONTEXTS + 2; c++) {
		wr(ENABLE(c, 0), 0xffffffffu);
		CHECK_EQ(rd(ENABLE(c, 0)), 0);
		wr(THRESHOLD(c), 1);
		CHECK_EQ(rd(THRESHOLD(c)), 0);
		CHECK_EQ(rd(CLAIM(c)), 0);
		CHECK(!vplic_context_pending(&plic, c));
	}
	CHECK(!vplic_context_pending(&plic, 0xffffffffu));
	CHECK(pending_bit(6));		/* nobody took it */
	for (unsigned c = 0; c < 4; c++)
		CHECK_EQ(rd(ENABLE(c, 0)), 0);

	/* With the maximum vCPU count every context exists. */
	vplic_init(&plic, VM_MAX_VCPUS);
	wr(PRIO(6), 1);
	vplic_set_level(&plic, 6, true);
	enable(SCTX(VM_MAX_VCPUS - 1), 6, true);
	CHECK(vplic_context_pending(&plic, SCTX(VM_MAX_VCPUS - 1)));
	CHECK_EQ(rd(CLAIM(SCTX(VM_MAX_VCPUS - 1))), 6);
}

/* As QEMU's PLIC: a request stays pending after its line drops, until claimed. */
TEST(level_drop_keeps_request_until_claimed)
{
	setup();
	wr(PRIO(12), 4);
	enable(SCTX(0), 12, true);
	vplic_set_level(&plic, 12, true);
	CHECK(vplic_context_pending(&plic, SCTX(0)));
	vplic_set_level(&plic, 12, false);
	CHECK(pending_bit(12));
	CHECK(vplic_context_pending(&plic, SCTX(0)));
	CHECK_EQ(rd(CLAIM(SCTX(0))), 12);
	wr(CLAIM(SCTX(0)), 12);
	CHECK(!pending_bit(12));
	CHECK_EQ(rd(CLAIM(SCTX(0))), 0);
	vplic_set_level(&plic, 12, true);
	CHECK_EQ(rd(CLAIM(SCTX(0))), 12);
}

TEST(register_decoding)
{
	setup();
	/* Priorities: one word per source, 3 bits (QEMU virt: 7 levels). */
	for (unsigned irq = 1; irq < VPLIC_SOURCES; irq++)
		wr(PRIO(irq), irq % 8);
	for (unsigned irq = 1; irq < VPLIC_SOURCES; irq++)
		CHECK_EQ(rd(PRIO(irq)), irq % 8);
	for (unsigned irq = 1; irq < VPLIC_SOURCES; irq++)
		CHECK_EQ(plic.priority[irq], irq % 8);
	wr(PRIO(1), 0xffffffffu);
	CHECK_EQ(rd(PRIO(1)), 7);
	wr(PRIO(0), 5);			/* source 0 does not exist */
	CHECK_EQ(rd(PRIO(0)), 0);

	/* Pending: bit irq%32 of word irq/32, read-only. */
	vplic_set_level(&plic, 1, true);
	vplic_set_level(&plic, 31, true);
	vplic_set_level(&plic, 32, true);
	vplic_set_level(&plic, 95, true);
	CHECK_EQ(rd(PENDING(0)), (1u << 1) | (1u << 31));
	CHECK_EQ(rd(PENDING(1)), 1u);
	CHECK_EQ(rd(PENDING(2)), 1u << 31);
	wr(PENDING(0), 0);
	wr(PENDING(2), 0xffffffffu);
	CHECK_EQ(rd(PENDING(0)), (1u << 1) | (1u << 31));
	CHECK_EQ(rd(PENDING(2)), 1u << 31);

	/* Enables: 0x2000 + 0x80*ctx + 4*word. */
	wr(ENABLE(3, 1), 0x12345678u);
	wr(ENABLE(3, 2), 0x80000001u);
	CHECK_EQ(plic.enable[3][1], 0x12345678u);
	CHECK_EQ(plic.enable[3][2], 0x80000001u);
	CHECK_EQ(rd(ENABLE(3, 1)), 0x12345678u);
	CHECK_EQ(rd(ENABLE(2, 1)), 0);
	CHECK_EQ(plic.enable[2][1], 0);

	/* Threshold at 0x200000 + 0x1000*ctx, claim/complete 4 bytes above. */
	wr(THRESHOLD(2), 6);
	CHECK_EQ(plic.threshold[2], 6);
	CHECK_EQ(plic.threshold[3], 0);
	CHECK_EQ(rd(THRESHOLD(2)), 6);
	wr(PRIO(95), 7);
	wr(ENABLE(2, 2), 1u << 31);
	CHECK_EQ(rd(CLAIM(2)), 95);
	CHECK_EQ(rd(THRESHOLD(2)), 6);	/* the claim did not hit the threshold */
}

TEST(reserved_offsets)
{
	static const uint64_t holes[] = {
		PRIO(VPLIC_SOURCES), 0xffc, PENDING(VPLIC_WORDS), 0x1ffc,
		ENABLE(0, VPLIC_WORDS), ENABLE(1, 0x1f), ENABLE(3, 0x1f),
		ENABLE(4, 0), 0x1ffffc, THRESHOLD(0) + 8, THRESHOLD(1) + 0xffc,
		THRESHOLD(4), CLAIM(4), 0x3ffffc, VM_PLIC_SIZE - 4, VM_PLIC_SIZE,
		0xfffffffffffffffcull,
	};
	struct vplic before;

	setup();
	wr(PRIO(2), 3);
	enable(SCTX(0), 2, true);
	vplic_set_level(&plic, 2, true);
	before = plic;
	for (unsigned i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		uint64_t v = 0x55;

		CHECK_EQ(vplic_read(&plic, holes[i], 4, &v), 0);
		CHECK_EQ(v, 0);
		CHECK_EQ(vplic_write(&plic, holes[i], 4, 0xffffffffu), 0);
	}
	CHECK(memcmp(&before, &plic, sizeof(plic)) == 0);	/* nothing changed */
	CHECK_EQ(rd(CLAIM(SCTX(0))), 2);
}

TEST(bad_width_or_alignment)
{
	static const unsigned widths[] = { 0, 1, 2, 3, 8, 16 };
	static const uint64_t offs[] = { PRIO(1), PENDING(0), ENABLE(1, 0), THRESHOLD(1), CLAIM(1) };

	setup();
	wr(PRIO(1), 1);
	enable(SCTX(0), 1, true);
	vplic_set_level(&plic, 1, true);
	for (unsigned o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
		for (unsigned w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			uint64_t v = 0x77;

			CHECK_EQ(vplic_read(&plic, offs[o], widths[w], &v), -1);
			CHECK_EQ(v, 0);
			CHECK_EQ(vplic_write(&plic, offs[o], widths[w], 0), -1);
		}
		for (unsigned mis = 1; mis < 4; mis++) {
			uint64_t v = 0x77;

			CHECK_EQ(vplic_read(&plic, offs[o] + mis, 4, &v), -1);
			CHECK_EQ(v, 0);
			CHECK_EQ(vplic_write(&plic, offs[o] + mis, 4, 0), -1);
		}
	}
	/* The rejected claim reads took nothing; the rejected writes changed nothing. */
	CHECK_EQ(rd(PRIO(1)), 1);
	CHECK_EQ(rd(ENABLE(1, 0)), 1u << 1);
	CHECK_EQ(rd(THRESHOLD(1)), 0);
	CHECK_EQ(rd(CLAIM(1)), 1);
}

/* Source 0's enable bit is stored (QEMU does) but never raises anything. */
TEST(source_zero_cannot_be_enabled)
{
	setup();
	wr(ENABLE(SCTX(0), 0), 0xffffffffu);
	CHECK_EQ(rd(ENABLE(SCTX(0), 0)), 0xffffffffu);
	wr(ENABLE(SCTX(0), 0), 1);
	CHECK_EQ(rd(ENABLE(SCTX(0), 0)), 1);
	vplic_set_level(&plic, 0, true);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK_EQ(rd(CLAIM(SCTX(0))), 0);
}

TEST(out_of_range_irqs_ignored)
{
	struct vplic before;

	setup();
	before = plic;
	vplic_set_level(&plic, VPLIC_SOURCES, true);
	vplic_set_level(&plic, 32 * VPLIC_WORDS, true);
	vplic_set_level(&plic, 1000, true);
	vplic_set_level(&plic, 0xffffffffu, true);
	vplic_set_level(&plic, 1000, false);
	CHECK(memcmp(&before, &plic, sizeof(plic)) == 0);
	for (unsigned w = 0; w < VPLIC_WORDS; w++)
		CHECK_EQ(rd(PENDING(w)), 0);
}

UNIT_MAIN("test_vplic",
	  UNIT(init_state),
	  UNIT(claim_complete_level_source),
	  UNIT(complete_ignored_when_not_enabled),
	  UNIT(complete_bogus_ids_ignored),
	  UNIT(threshold),
	  UNIT(priority_zero_never_interrupts),
	  UNIT(highest_priority_then_lowest_id),
	  UNIT(enables_per_context),
	  UNIT(contexts_out_of_range),
	  UNIT(level_drop_keeps_request_until_claimed),
	  UNIT(register_decoding),
	  UNIT(reserved_offsets),
	  UNIT(bad_width_or_alignment),
	  UNIT(source_zero_cannot_be_enabled),
	  UNIT(out_of_range_irqs_ignored))
