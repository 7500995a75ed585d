/*
 * Unit tests for hypervisor/mem/gstage.c, the Sv39x4 G-stage tables.
 *
 * The hypervisor treats physical addresses as pointers (satp = Bare), so on
 * the host the tables live in aligned_alloc'd memory and their host
 * addresses play the part of HPAs.  Mapping targets are never dereferenced,
 * so they are plain numbers.  Facts from the privileged specification,
 * "Hypervisor Extension": hgatp MODE 8 = Sv39x4, VMID in bits 57:44, PPN in
 * 43:0; the Sv39x4 root is 16 KiB (2048 entries, GPA bits 40:30) and
 * 16 KiB aligned; G-stage leaves must have U = 1 and G = 0; non-leaf
 * entries have R = W = X = 0 and D, A, U reserved as 0.
 */
#include "mem/gstage.h"
#include "spec/pte.h"
#include "arch/csr.h"
#include "unit.h"

#define MAX_ALLOCS 64
#define GIB (1ull << 30)
#define MIB (1ull << 20)

uint64_t fake_csr[4096];	/* arch/csr.h under HV_HOST_TEST */

static void *allocs[MAX_ALLOCS];
static unsigned n_allocs;
static int fail_after = -1;	/* allocations that succeed before failures, -1 = never fail */
static unsigned bad_requests;

static hpa_t fake_alloc(size_t count, size_t align)
{
	void *p;

	if (align < PAGE_SIZE || (align & (align - 1)) || count == 0)
		bad_requests++;
	if (fail_after == 0 || n_allocs == MAX_ALLOCS)
		return hpa(0);
	if (fail_after > 0)
		fail_after--;
	p = aligned_alloc(align, count * PAGE_SIZE);
	if (!p)
		return hpa(0);
	memset(p, 0, count * PAGE_SIZE);
	allocs[n_allocs++] = p;
	return hpa((uint64_t)(uintptr_t)p);
}

static void free_all(void)
{
	while (n_allocs)
		free(allocs[--n_allocs]);
	fail_after = -1;
	bad_requests = 0;
}

static struct gstage new_gstage(void)
{
	struct gstage g = { .alloc = fake_alloc };

	free_all();
	if (gstage_init(&g) != 0)
		UNIT_FAIL("gstage_init failed");
	return g;
}

static uint64_t *table(uint64_t pa) { return (uint64_t *)(uintptr_t)pa; }

/* Pointer PTEs must lead to tables from the allocator, never elsewhere. */
static bool is_table(uint64_t pa)
{
	for (unsigned i = 0; i < n_allocs; i++)
		if ((uint64_t)(uintptr_t)allocs[i] == pa)
			return true;
	UNIT_FAIL("pointer PTE to 0x%llx, which is not a page table", (unsigned long long)pa);
	return false;
}

/* Expected HPA of a mapped GPA, and a check of the whole walk. */
static void check_walk(const struct gstage *g, uint64_t ga, uint64_t expect_hpa, int expect_level)
{
	struct gstage_walk w;

	memset(&w, 0xcc, sizeof(w));
	gstage_walk(g->root, gpa(ga), &w);
	if (!w.ok) {
		UNIT_FAIL("walk of GPA 0x%llx failed: %s", (unsigned long long)ga, w.why);
		return;
	}
	if (w.hpa.v != expect_hpa)
		UNIT_FAIL("walk of GPA 0x%llx gave 0x%llx, expected 0x%llx", (unsigned long long)ga,
			  (unsigned long long)w.hpa.v, (unsigned long long)expect_hpa);
	CHECK_EQ(w.steps, 3 - expect_level);
	CHECK_EQ(w.step[w.steps - 1].level, expect_level);
	CHECK_EQ(w.step[0].table, g->root.v);
	CHECK_EQ(w.step[0].index, (ga >> 30) & 0x7ff);
}

static void check_unmapped(const struct gstage *g, uint64_t ga, int stop_level)
{
	struct gstage_walk w;

	gstage_walk(g->root, gpa(ga), &w);
	CHECK(!w.ok);
	CHECK_EQ(w.hpa.v, 0);
	CHECK_EQ(w.steps, 3 - stop_level);
	if (w.steps > 0) {
		CHECK_EQ(w.step[w.steps - 1].level, stop_level);
		CHECK_EQ(w.step[w.steps - 1].pte & PTE_V, 0);
	}
	CHECK(w.why && strstr(w.why, "invalid") != NULL);
}

/* Every leaf: V, the requested R/W/X, U, A, D; nothing else in bits 9:0 or 63:54. */
static void check_leaf_bits(uint64_t pte, uint64_t perms)
{
	CHECK_EQ(pte & 0x3ff, PTE_V | perms | PTE_U | PTE_A | PTE_D);
	CHECK_EQ(pte & PTE_G, 0);
	CHECK_EQ(pte >> 54, 0);
}

/* Counts leaves under the root by level, checking every PTE's bits. */
static void count_leaves(const struct gstage *g, uint64_t perms, unsigned counts[3])
{
	uint64_t *root = table(g->root.v);

	counts[0] = counts[1] = counts[2] = 0;
	for (unsigned i = 0; i < 2048; i++) {
		uint64_t p2 = root[i];

		if (!(p2 & PTE_V))
			continue;
		if (pte_is_leaf(p2)) {
			counts[2]++;
			check_leaf_bits(p2, perms);
			continue;
		}
		CHECK_EQ(p2 & 0x3ff, PTE_V);	/* pointer: no R/W/X/U/G/A/D */
		if (!is_table(pte_pa(p2)))
			continue;
		for (unsigned j = 0; j < 512; j++) {
			uint64_t p1 = table(pte_pa(p2))[j];

			if (!(p1 & PTE_V))
				continue;
			if (pte_is_leaf(p1)) {
				counts[1]++;
				check_leaf_bits(p1, perms);
				continue;
			}
			CHECK_EQ(p1 & 0x3ff, PTE_V);
			if (!is_table(pte_pa(p1)))
				continue;
			for (unsigned k = 0; k < 512; k++) {
				uint64_t p0 = table(pte_pa(p1))[k];

				if (!(p0 & PTE_V))
					continue;
				CHECK(pte_is_leaf(p0));
				counts[0]++;
				check_leaf_bits(p0, perms);
			}
		}
	}
}

/* A small deterministic generator for sample addresses. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void sample_range(const struct gstage *g, uint64_t base, uint64_t target, uint64_t size, int level)
{
	check_walk(g, base, target, level);
	check_walk(g, base + size - 1, target + size - 1, level);
	for (int i = 0; i < 2000; i++) {
		uint64_t off = rnd() % size;

		check_walk(g, base + off, target + off, level);
	}
	for (uint64_t off = 0; off < size; off += 0x1000 * 97)
		check_walk(g, base + off + 0xfff, target + off + 0xfff, level);
}

TEST(root_is_16k_aligned)
{
	struct gstage g = new_gstage();

	CHECK(g.root.v != 0);
	CHECK_EQ(g.root.v & (GSTAGE_ROOT_SIZE - 1), 0);
	CHECK_EQ(n_allocs, 1);
	CHECK_EQ(bad_requests, 0);
	for (unsigned i = 0; i < 2048; i++)
		CHECK_EQ(table(g.root.v)[i], 0);
	free_all();
}

TEST(hgatp_fields)
{
	struct gstage g = new_gstage();
	static const unsigned vmids[] = { 0, 1, 7, 0x1234, 0x3fff };

	for (unsigned i = 0; i < sizeof(vmids) / sizeof(vmids[0]); i++) {
		uint64_t h = gstage_hgatp(&g, vmids[i]);

		CHECK_EQ(h >> 60, 8);				/* Sv39x4 */
		CHECK_EQ((h >> 58) & 3, 0);			/* WPRI */
		CHECK_EQ((h >> 44) & 0x3fff, vmids[i]);
		CHECK_EQ(h & ((1ull << 44) - 1), g.root.v >> 12);
	}
	/* A VMID wider than 14 bits must not reach MODE. */
	CHECK_EQ(gstage_hgatp(&g, 0xffffffffu) >> 60, 8);
	free_all();
}

TEST(map_64m_megapages)
{
	struct gstage g = new_gstage();
	const uint64_t base = 0x80000000ull, target = 0x40000000ull + 6 * MIB, size = 64 * MIB;
	unsigned counts[3];

	CHECK_EQ(gstage_map(&g, gpa(base), hpa(target), size, PTE_R | PTE_W | PTE_X), 0);
	count_leaves(&g, PTE_R | PTE_W | PTE_X, counts);
	CHECK_EQ(counts[1], 32);
	CHECK_EQ(counts[0], 0);
	CHECK_EQ(counts[2], 0);
	CHECK_EQ(n_allocs, 2);		/* root + one level-1 table */
	CHECK_EQ(g.table_pages, 4 + 1);	/* hv> mem: the 16 KiB root is 4 pages */
	sample_range(&g, base, target, size, 1);
	free_all();
}

TEST(map_64m_small_pages_when_hpa_unaligned)
{
	struct gstage g = new_gstage();
	const uint64_t base = 0x80000000ull, target = 0x40000000ull + 0x1000, size = 64 * MIB;
	unsigned counts[3];

	CHECK_EQ(gstage_map(&g, gpa(base), hpa(target), size, PTE_R | PTE_W | PTE_X), 0);
	count_leaves(&g, PTE_R | PTE_W | PTE_X, counts);
	CHECK_EQ(counts[0], 64 * MIB / PAGE_SIZE);
	CHECK_EQ(counts[1], 0);
	CHECK_EQ(n_allocs, 1 + 1 + 32);
	CHECK_EQ(g.table_pages, 4 + 1 + 32);
	sample_range(&g, base, target, size, 0);
	free_all();
}

TEST(map_small_pages_when_gpa_unaligned)
{
	struct gstage g = new_gstage();
	const uint64_t base = 0x80001000ull, target = 0x40000000ull, size = 4 * MIB;
	unsigned counts[3];

	CHECK_EQ(gstage_map(&g, gpa(base), hpa(target), size, PTE_R | PTE_W), 0);
	count_leaves(&g, PTE_R | PTE_W, counts);
	CHECK_EQ(counts[0], 4 * MIB / PAGE_SIZE);
	CHECK_EQ(counts[1], 0);
	sample_range(&g, base, target, size, 0);
	free_all();
}

TEST(map_mixed_head_body_tail)
{
	struct gstage g = new_gstage();
	/* GPA and HPA congruent mod 2 MiB: 4 KiB head, 2 MiB body, 4 KiB tail. */
	const uint64_t base = 0x801ff000ull, target = 0x409ff000ull, size = 0x1000 + 4 * MIB + 0x3000;
	unsigned counts[3];

	CHECK_EQ(gstage_map(&g, gpa(base), hpa(target), size, PTE_R | PTE_X), 0);
	count_leaves(&g, PTE_R | PTE_X, counts);
	CHECK_EQ(counts[1], 2);
	CHECK_EQ(counts[0], 1 + 3);
	check_walk(&g, base, target, 0);
	check_walk(&g, base + 0xfff, target + 0xfff, 0);
	check_walk(&g, 0x80200000ull, target + 0x1000, 1);
	check_walk(&g, 0x805fffffull, target + 0x1000 + 4 * MIB - 1, 1);
	check_walk(&g, 0x80600000ull, target + 0x1000 + 4 * MIB, 0);
	check_walk(&g, base + size - 1, target + size - 1, 0);
	check_unmapped(&g, base + size, 0);
	check_unmapped(&g, base - 1, 0);

	/* A size that ends inside a megapage: 2 MiB leaf + 4 KiB tail. */
	CHECK_EQ(gstage_map(&g, gpa(0x100000000ull), hpa(0x200000000ull), 3 * MIB, PTE_R), 0);
	check_walk(&g, 0x100000000ull, 0x200000000ull, 1);
	check_walk(&g, 0x100200000ull, 0x200200000ull, 0);
	check_walk(&g, 0x1002fffffull, 0x2002fffffull, 0);
	check_unmapped(&g, 0x100300000ull, 0);
	free_all();
}

TEST(leaf_permission_bits)
{
	static const uint64_t perms[] = { PTE_R, PTE_R | PTE_W, PTE_X, PTE_R | PTE_X, PTE_R | PTE_W | PTE_X };

	for (unsigned i = 0; i < sizeof(perms) / sizeof(perms[0]); i++) {
		struct gstage g = new_gstage();
		unsigned counts[3];

		CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000000ull), 2 * MIB + 0x2000, perms[i]), 0);
		count_leaves(&g, perms[i], counts);
		CHECK_EQ(counts[1], 1);
		CHECK_EQ(counts[0], 2);
		free_all();
	}
}

TEST(invalid_perms_rejected)
{
	/* No R/W/X would make a pointer PTE; W without R is reserved; other bits are not perms. */
	static const uint64_t bad[] = { 0, PTE_W, PTE_W | PTE_X, PTE_R | PTE_G, PTE_R | PTE_V, PTE_R | (1ull << 63) };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gstage g = new_gstage();
		unsigned counts[3];
		struct gstage_walk w;

		CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000000ull), 2 * MIB, bad[i]), -1);
		count_leaves(&g, 0, counts);
		CHECK_EQ(counts[0] + counts[1] + counts[2], 0);
		CHECK_EQ(table(g.root.v)[2], 0);		/* not even a table was linked */
		if (table(g.root.v)[2] == 0) {	/* else the walk could follow a bogus pointer */
			gstage_walk(g.root, gpa(0x80000000ull), &w);
			CHECK(!w.ok);
		}
		free_all();
	}
}

TEST(unmapped_stop_levels)
{
	struct gstage g = new_gstage();

	check_unmapped(&g, 0x80000000ull, 2);
	CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000000ull), 64 * MIB, PTE_R | PTE_W | PTE_X), 0);
	CHECK_EQ(gstage_map(&g, gpa(0x90000000ull), hpa(0x50000000ull), 0x1000, PTE_R), 0);
	check_unmapped(&g, 0, 2);
	check_unmapped(&g, 0x7fffffffull, 2);			/* root entry 1 */
	check_unmapped(&g, 0xc0000000ull, 2);			/* root entry 3 */
	check_unmapped(&g, 0x84000000ull, 1);			/* just past the 64 MiB */
	check_unmapped(&g, 0xbfffffffull, 1);
	check_unmapped(&g, 0x90001000ull, 0);			/* next to the 4 KiB page */
	check_unmapped(&g, 0x8ffff000ull, 1);
	check_unmapped(&g, (1ull << 41) - 1, 2);
	check_walk(&g, 0x90000abcull, 0x50000abcull, 0);
	free_all();
}

TEST(gpa_limit_41_bits)
{
	struct gstage g = new_gstage();
	struct gstage_walk w;
	const uint64_t top = 1ull << 41;

	gstage_walk(g.root, gpa(top), &w);
	CHECK(!w.ok);
	CHECK_EQ(w.steps, 0);
	CHECK(w.why && strstr(w.why, "41") != NULL);
	gstage_walk(g.root, gpa(~0ull), &w);
	CHECK(!w.ok);
	CHECK_EQ(w.steps, 0);

	CHECK_EQ(gstage_map(&g, gpa(top), hpa(0x40000000ull), 0x1000, PTE_R), -1);
	CHECK_EQ(gstage_map(&g, gpa(top - 0x1000), hpa(0x40000000ull), 0x2000, PTE_R), -1);
	CHECK_EQ(gstage_map(&g, gpa(1ull << 42), hpa(0x40000000ull), 2 * MIB, PTE_R), -1);
	/* base + size wraps around 2^64: must not be taken as a small range. */
	CHECK_EQ(gstage_map(&g, gpa(0xfffffffffffff000ull), hpa(0x40000000ull), 0x2000, PTE_R), -1);
	CHECK_EQ(gstage_map(&g, gpa(0x1000), hpa(0x40000000ull), ~0ull & ~0xfffull, PTE_R), -1);
	CHECK_EQ(n_allocs, 1);		/* nothing was built */
	for (unsigned i = 0; i < 2048; i++)
		CHECK_EQ(table(g.root.v)[i], 0);

	/* The last page below 2^41 is fine and lands in root entry 2047. */
	CHECK_EQ(gstage_map(&g, gpa(top - 0x1000), hpa(0x40000000ull), 0x1000, PTE_R), 0);
	check_walk(&g, top - 1, 0x40000fffull, 0);
	CHECK(table(g.root.v)[2047] & PTE_V);
	free_all();
}

TEST(overlapping_maps_fail)
{
	struct gstage g = new_gstage();

	CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000000ull), 2 * MIB, PTE_R), 0);
	/* 4 KiB inside an existing megapage. */
	CHECK_EQ(gstage_map(&g, gpa(0x80001000ull), hpa(0x50001000ull), 0x1000, PTE_R), -1);
	/* The same megapage again. */
	CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x60000000ull), 2 * MIB, PTE_R), -1);
	/* A range that starts before and runs into it. */
	CHECK_EQ(gstage_map(&g, gpa(0x7fe00000ull), hpa(0x60000000ull), 4 * MIB, PTE_R), -1);

	CHECK_EQ(gstage_map(&g, gpa(0x80400000ull + 0x5000), hpa(0x70005000ull), 0x1000, PTE_R), 0);
	/* A megapage over a table that holds a 4 KiB page. */
	CHECK_EQ(gstage_map(&g, gpa(0x80400000ull), hpa(0x70000000ull), 2 * MIB, PTE_R), -1);
	/* The same 4 KiB page again. */
	CHECK_EQ(gstage_map(&g, gpa(0x80405000ull), hpa(0x71005000ull), 0x1000, PTE_R), -1);

	/* The first mappings are untouched. */
	check_walk(&g, 0x80001234ull, 0x40001234ull, 1);
	check_walk(&g, 0x80405678ull, 0x70005678ull, 0);
	check_unmapped(&g, 0x80404000ull, 0);
	free_all();
}

TEST(misaligned_arguments_fail)
{
	struct gstage g = new_gstage();

	CHECK_EQ(gstage_map(&g, gpa(0x80000800ull), hpa(0x40000000ull), 0x1000, PTE_R), -1);
	CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000001ull), 0x1000, PTE_R), -1);
	CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000000ull), 0x1001, PTE_R), -1);
	CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000000ull), 100, PTE_R), -1);
	CHECK_EQ(gstage_map(&g, gpa(0x80000fffull), hpa(0x40000fffull), 2 * MIB, PTE_R), -1);
	CHECK_EQ(n_allocs, 1);
	check_unmapped(&g, 0x80000000ull, 2);
	free_all();
}

TEST(allocator_failure)
{
	struct gstage g = { .alloc = fake_alloc };

	free_all();
	fail_after = 0;
	CHECK_EQ(gstage_init(&g), -1);
	CHECK_EQ(g.root.v, 0);

	g = new_gstage();
	fail_after = 0;			/* no level-1 table */
	CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000000ull), 2 * MIB, PTE_R), -1);
	CHECK_EQ(table(g.root.v)[2], 0);	/* no dangling pointer */

	fail_after = 1;			/* level-1 table, but no level-0 table */
	CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000000ull), 0x1000, PTE_R), -1);
	check_unmapped(&g, 0x80000000ull, 1);

	fail_after = -1;		/* memory again: the same map now works */
	CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000000ull), 0x1000, PTE_R), 0);
	check_walk(&g, 0x80000800ull, 0x40000800ull, 0);

	/* Failing half way through a large 4 KiB map returns -1 without crashing. */
	fail_after = 3;
	CHECK_EQ(gstage_map(&g, gpa(0x100000000ull), hpa(0x40001000ull), 16 * MIB, PTE_R), -1);
	CHECK_EQ(bad_requests, 0);
	free_all();
}

TEST(walk_rejects_bad_entries)
{
	struct gstage g = new_gstage();
	uint64_t *root, *l1;
	struct gstage_walk w;

	CHECK_EQ(gstage_map(&g, gpa(0x80000000ull), hpa(0x40000000ull), 2 * MIB, PTE_R | PTE_W), 0);
	root = table(g.root.v);
	l1 = table(pte_pa(root[2]));

	l1[0] &= ~PTE_R;		/* W without R: reserved */
	gstage_walk(g.root, gpa(0x80000000ull), &w);
	CHECK(!w.ok);
	CHECK(w.why && strstr(w.why, "reserved"));

	l1[0] |= PTE_R;
	l1[0] &= ~PTE_U;		/* G-stage leaves need U */
	gstage_walk(g.root, gpa(0x80000000ull), &w);
	CHECK(!w.ok);
	CHECK(w.why && strstr(w.why, "U"));

	l1[0] |= PTE_U;
	l1[0] |= (0x1000ull >> 12) << PTE_PPN_SHIFT;	/* megapage PPN not 2 MiB aligned */
	gstage_walk(g.root, gpa(0x80000000ull), &w);
	CHECK(!w.ok);
	CHECK(w.why && strstr(w.why, "misaligned"));
	CHECK_EQ(w.steps, 2);
	free_all();
}

/* The gdbstub's write protection: a 2 MiB leaf splits, one 4 KiB page loses W, then gets it back. */
TEST(write_protect_one_page)
{
	struct gstage g = new_gstage();
	const uint64_t base = 0x80000000ull, target = 0x40000000ull, size = 4 * MIB;
	struct gstage_walk w;

	CHECK_EQ(gstage_map(&g, gpa(base), hpa(target), size, PTE_R | PTE_W | PTE_X), 0);
	CHECK_EQ(g.table_pages, 4 + 1);
	CHECK_EQ(gstage_set_writable(&g, gpa(base + 0x208b04), 0), 0);
	CHECK_EQ(g.table_pages, 4 + 1 + 1);		/* the split 2 MiB leaf's new table */
	gstage_walk(g.root, gpa(base + 0x208b04), &w);
	CHECK(w.ok);
	CHECK_EQ(w.steps, 3);				/* now a 4 KiB leaf */
	CHECK_EQ(w.hpa.v, target + 0x208b04);		/* same translation */
	CHECK_EQ(w.step[2].pte & (PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D), PTE_R | PTE_X | PTE_U | PTE_A | PTE_D);
	gstage_walk(g.root, gpa(base + 0x207ff8), &w);	/* its neighbour in the split: still writable */
	CHECK(w.ok && (w.step[2].pte & PTE_W) && w.hpa.v == target + 0x207ff8);
	gstage_walk(g.root, gpa(base + 0x000010), &w);	/* the other 2 MiB: untouched megapage */
	CHECK(w.ok && w.steps == 2);
	CHECK_EQ(gstage_set_writable(&g, gpa(base + 0x208000), 1), 0);
	gstage_walk(g.root, gpa(base + 0x208b04), &w);
	CHECK(w.ok && (w.step[2].pte & PTE_W));
	CHECK_EQ(gstage_set_writable(&g, gpa(base + size), 0), -1);	/* not mapped */
	CHECK_EQ(gstage_set_writable(&g, gpa(1ull << 41), 0), -1);
	fail_after = 0;					/* no page for another split */
	CHECK_EQ(gstage_set_writable(&g, gpa(base + 0x100000), 0), -1);
	free_all();
}

UNIT_MAIN("test_gstage",
	  UNIT(root_is_16k_aligned),
	  UNIT(hgatp_fields),
	  UNIT(map_64m_megapages),
	  UNIT(map_64m_small_pages_when_hpa_unaligned),
	  UNIT(map_small_pages_when_gpa_unaligned),
	  UNIT(map_mixed_head_body_tail),
	  UNIT(leaf_permission_bits),
	  UNIT(invalid_perms_rejected),
	  UNIT(unmapped_stop_levels),
	  UNIT(gpa_limit_41_bits),
	  UNIT(overlapping_maps_fail),
	  UNIT(misaligned_arguments_fail),
	  UNIT(allocator_failure),
	  UNIT(walk_rejects_bad_entries),
	  UNIT(write_protect_one_page))
