/*
 * Unit tests for hypervisor/spec/vswalk.c, the software VS-stage walker.
 *
 * Tables live in a fake guest RAM (RAM_PAGES pages at GPA RAM_BASE); the
 * walker reaches them only through the pte_ptr callback, which returns NULL
 * outside that RAM the way a failed G-stage translation would.  Leaf targets
 * are never dereferenced, so they can be anywhere.
 *
 * Facts from the privileged specification, "Virtual-Memory System" and
 * "Two-Stage Address Translation": VPN[i] = VA bits 12+9i+8..12+9i; a PTE
 * is V R W X U G A D in bits 0..7, PPN in 53:10, bits 60:54 reserved; W
 * without R is reserved; non-leaf PTEs have D, A, U reserved; a superpage
 * leaf whose low PPN fields are not zero is misaligned; VA bits above the
 * top bit of the mode must equal it; all of these raise the page fault of
 * the access type (12 fetch, 13 load, 15 store).  A G-stage failure of an
 * implicit VS-stage table access raises the guest-page fault of the
 * original access type (20, 21, 23).  With Svade (no hardware A/D update),
 * A=0, or D=0 on a store, is a page fault.
 */
#include "spec/vswalk.h"
#include "spec/pte.h"
#include "arch/csr.h"
#include "unit.h"

uint64_t fake_csr[4096];	/* arch/csr.h under HV_HOST_TEST */

#define RAM_BASE  0x80000000ULL
#define RAM_PAGES 64
#define PG        4096ULL
#define MIB2      (1ULL << 21)
#define GIB       (1ULL << 30)

static uint64_t ram[RAM_PAGES * PG / 8];
static unsigned ram_next;	/* pages handed out */
static unsigned ptr_calls;

static uint64_t *fake_pte_ptr(void *ctx, uint64_t gpa)
{
	(void)ctx;
	ptr_calls++;
	if (gpa < RAM_BASE || gpa >= RAM_BASE + sizeof(ram) || (gpa & 7))
		return NULL;
	return &ram[(gpa - RAM_BASE) / 8];
}

static void ram_reset(void)
{
	memset(ram, 0, sizeof(ram));
	ram_next = 0;
	ptr_calls = 0;
}

static uint64_t new_table(void)
{
	if (ram_next == RAM_PAGES) {
		UNIT_FAIL("fake guest RAM full");
		ram_next = 0;
	}
	return RAM_BASE + PG * ram_next++;
}

static uint64_t *pte_at(uint64_t table, unsigned index)
{
	return &ram[(table - RAM_BASE) / 8 + index];
}

static uint64_t mkpte(uint64_t pa, uint64_t flags)
{
	return ((pa >> 12) << 10) | flags;
}

static unsigned vpn(uint64_t va, int level)
{
	return (unsigned)((va >> (12 + 9 * level)) & 0x1ff);
}

/*
 * Map va with a leaf at `leaf_level` (0 = 4K, 1 = 2M, 2 = 1G...) in a table
 * of `levels` levels rooted at root; intermediate tables are created with
 * V=1 only.  Returns the GPA of the table holding the leaf.
 */
static uint64_t map(uint64_t root, int levels, uint64_t va, int leaf_level, uint64_t pte)
{
	uint64_t table = root;

	for (int l = levels - 1; l > leaf_level; l--) {
		uint64_t *p = pte_at(table, vpn(va, l));
		if (!(*p & PTE_V))
			*p = mkpte(new_table(), PTE_V);
		table = pte_pa(*p);
	}
	*pte_at(table, vpn(va, leaf_level)) = pte;
	return table;
}

static uint64_t satp(uint64_t mode, uint64_t root)
{
	return mode << 60 | root >> 12;
}

static struct vs_walk_env env_for(uint64_t vsatp)
{
	return (struct vs_walk_env){ .vsatp = vsatp, .pte_ptr = fake_pte_ptr, .hw_ad = false };
}

#define RWAD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define RXAD (PTE_V | PTE_R | PTE_X | PTE_A | PTE_D)

static const uint64_t pf[] = { [VS_FETCH] = 12, [VS_LOAD] = 13, [VS_STORE] = 15 };
static const uint64_t gpf[] = { [VS_FETCH] = 20, [VS_LOAD] = 21, [VS_STORE] = 23 };

TEST(bare_mode)
{
	struct vs_walk_env env = env_for(0);
	struct vs_walk w;

	ram_reset();
	vswalk(&env, 0x80201234, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK(w.bare);
	CHECK_EQ(w.gpa, 0x80201234);
	CHECK_EQ(w.steps, 0);
	CHECK_EQ(w.leaf, -1);
	/* Bare has no canonical-address rule */
	vswalk(&env, 0xdead000000001000ULL, VS_STORE, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0xdead000000001000ULL);
	CHECK_EQ(ptr_calls, 0);
}

TEST(sv39_4k_steps)
{
	uint64_t root, l1, l0, va = 0x40203abc, leaf = mkpte(0x87654000, RWAD);
	struct vs_walk_env env;
	struct vs_walk w;

	ram_reset();
	root = new_table();
	l0 = map(root, 3, va, 0, leaf);
	l1 = pte_pa(*pte_at(root, 1));
	env = env_for(satp(8, root));
	vswalk(&env, va, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK(!w.bare);
	CHECK(!w.ad_only);
	CHECK_EQ(w.gpa, 0x87654abc);
	CHECK_EQ(w.steps, 3);
	CHECK_EQ(w.leaf, 2);
	/* VA 0x40203abc: VPN[2] = 1, VPN[1] = 1, VPN[0] = 3 */
	CHECK_EQ(w.step[0].level, 2);
	CHECK_EQ(w.step[0].table_gpa, root);
	CHECK_EQ(w.step[0].index, 1);
	CHECK_EQ(w.step[0].pte_gpa, root + 8);
	CHECK_EQ(w.step[0].pte_hpa, (uintptr_t)pte_at(root, 1));
	CHECK_EQ(w.step[0].pte, mkpte(l1, PTE_V));
	CHECK_EQ(w.step[1].level, 1);
	CHECK_EQ(w.step[1].table_gpa, l1);
	CHECK_EQ(w.step[1].index, 1);
	CHECK_EQ(w.step[1].pte_gpa, l1 + 8);
	CHECK_EQ(w.step[1].pte, mkpte(l0, PTE_V));
	CHECK_EQ(w.step[2].level, 0);
	CHECK_EQ(w.step[2].table_gpa, l0);
	CHECK_EQ(w.step[2].index, 3);
	CHECK_EQ(w.step[2].pte_gpa, l0 + 24);
	CHECK_EQ(w.step[2].pte_hpa, (uintptr_t)pte_at(l0, 3));
	CHECK_EQ(w.step[2].pte, leaf);

	/* store and (with X) fetch through the same leaf */
	vswalk(&env, va, VS_STORE, &w);
	CHECK(w.ok);
	*pte_at(l0, 3) = leaf | PTE_X;
	vswalk(&env, va + 4, VS_FETCH, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x87654ac0);

	/* ASID bits of vsatp do not move the root */
	env.vsatp |= 0xffffULL << 44;
	vswalk(&env, va, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.step[0].table_gpa, root);
}

TEST(sv39_superpages)
{
	uint64_t root;
	struct vs_walk_env env;
	struct vs_walk w;

	ram_reset();
	root = new_table();
	env = env_for(satp(8, root));

	/* 2M leaf at level 1: VA 0x40400000 + 0x12345 -> 0xc0200000 + 0x12345 */
	map(root, 3, 0x40400000, 1, mkpte(0xc0200000, RWAD));
	vswalk(&env, 0x40412345, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0xc0212345);
	CHECK_EQ(w.steps, 2);
	CHECK_EQ(w.leaf, 1);
	CHECK_EQ(w.step[1].level, 1);
	CHECK_EQ(w.step[1].index, 2);

	/* 1G leaf at level 2: VA 0x80000000 (VPN[2] = 2) -> 0x1_4000_0000 */
	map(root, 3, 0x80000000, 2, mkpte(0x140000000ULL, RWAD));
	vswalk(&env, 0x80000000 + 0x3fedcba8, VS_STORE, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x140000000ULL + 0x3fedcba8);
	CHECK_EQ(w.steps, 1);
	CHECK_EQ(w.leaf, 0);
	CHECK_EQ(w.step[0].index, 2);

	/* negative (canonical) VA 0xffffffc0001ff000: VPN 256, 0, 511 */
	map(root, 3, 0xffffffc0001ff000ULL, 0, mkpte(0x9000f000, RWAD));
	vswalk(&env, 0xffffffc0001ff010ULL, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x9000f010);
	CHECK_EQ(w.step[0].index, 256);
	CHECK_EQ(w.step[1].index, 0);
	CHECK_EQ(w.step[2].index, 511);
}

TEST(sv48_walks)
{
	uint64_t root, va = 0x7f1234567890ULL;
	struct vs_walk_env env;
	struct vs_walk w;

	ram_reset();
	root = new_table();
	env = env_for(satp(9, root));
	map(root, 4, va, 0, mkpte(0x88888000, RWAD));
	vswalk(&env, va, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x88888890);
	CHECK_EQ(w.steps, 4);
	CHECK_EQ(w.leaf, 3);
	/* VPN[3..0] of 0x7f1234567890 = 254, 72, 418, 359 */
	CHECK_EQ(w.step[0].level, 3);
	CHECK_EQ(w.step[0].index, 254);
	CHECK_EQ(w.step[1].index, 72);
	CHECK_EQ(w.step[2].index, 418);
	CHECK_EQ(w.step[3].index, 359);
	CHECK_EQ(w.step[3].level, 0);

	/* 2M and 1G leaves under Sv48 */
	map(root, 4, 0x200000000ULL, 1, mkpte(0x40000000, RXAD));	/* 2M */
	vswalk(&env, 0x200000000ULL + 0x1ffffe, VS_FETCH, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x40000000 + 0x1ffffe);
	CHECK_EQ(w.steps, 3);
	map(root, 4, 0x8000000000ULL, 2, mkpte(0xc0000000, RWAD));	/* 1G, VPN[3] = 1 */
	vswalk(&env, 0x8000000000ULL + 0x12345678, VS_STORE, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0xc0000000 + 0x12345678);
	CHECK_EQ(w.steps, 2);
	CHECK_EQ(w.step[0].index, 1);
	/* 512G leaf at level 3 */
	map(root, 4, 0x10000000000ULL, 3, mkpte(0x8000000000ULL, RWAD));	/* VPN[3] = 2 */
	vswalk(&env, 0x10000000000ULL + 0x123456789ULL, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x8000000000ULL + 0x123456789ULL);
	CHECK_EQ(w.steps, 1);
}

TEST(sv57_walks)
{
	uint64_t root, va = 0x00abcdef12345678ULL;
	struct vs_walk_env env;
	struct vs_walk w;

	ram_reset();
	root = new_table();
	env = env_for(satp(10, root));
	map(root, 5, va, 0, mkpte(0x9abcd000, RWAD));
	vswalk(&env, va, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x9abcd678);
	CHECK_EQ(w.steps, 5);
	CHECK_EQ(w.leaf, 4);
	/* VPN[4..0] of 0x00abcdef12345678 = 171, 411, 444, 145, 325 */
	CHECK_EQ(w.step[0].level, 4);
	CHECK_EQ(w.step[0].index, 171);
	CHECK_EQ(w.step[1].index, 411);
	CHECK_EQ(w.step[2].index, 444);
	CHECK_EQ(w.step[3].index, 145);
	CHECK_EQ(w.step[4].index, 325);

	/* top of the address space: all indexes 511 */
	map(root, 5, 0xfffffffffffff000ULL, 0, mkpte(0x81000000, RWAD));
	vswalk(&env, 0xfffffffffffff123ULL, VS_STORE, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x81000123);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(w.step[i].index, 511);

	/* 2M and 1G leaves */
	map(root, 5, 0x40000000, 1, mkpte(0x80e00000, RWAD));
	vswalk(&env, 0x40000000 + 0x1234, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x80e01234);
	CHECK_EQ(w.steps, 4);
	map(root, 5, 0x80000000, 2, mkpte(0x100000000ULL, RWAD));
	vswalk(&env, 0x80000000 + 0x2345678, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x102345678ULL);
	CHECK_EQ(w.steps, 3);
}

TEST(non_canonical)
{
	uint64_t root;
	struct vs_walk_env env;
	struct vs_walk w;
	static const struct { uint64_t mode, va; } bad[] = {
		{ 8, 0x0000004000000000ULL },	/* bit 38 set, 63:39 clear */
		{ 8, 0xffffff8000000000ULL & ~(1ULL << 38) },	/* 63:39 set, 38 clear */
		{ 8, 0x8000000000000000ULL },
		{ 9, 0x0000800000000000ULL },	/* bit 47 */
		{ 9, 0xffff000000000000ULL },
		{ 10, 0x0100000000000000ULL },	/* bit 56 */
		{ 10, 0xfe00000000000000ULL },
	};

	ram_reset();
	root = new_table();
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int a = VS_FETCH; a <= VS_STORE; a++) {
			env = env_for(satp(bad[i].mode, root));
			ptr_calls = 0;
			vswalk(&env, bad[i].va, a, &w);
			if (w.ok || w.cause != pf[a] || w.steps != 0 || ptr_calls != 0)
				UNIT_FAIL("mode %llu va 0x%llx access %d: ok=%d cause %llu steps %d",
					  (unsigned long long)bad[i].mode, (unsigned long long)bad[i].va, a,
					  w.ok, (unsigned long long)w.cause, w.steps);
		}
	}
	/* the largest canonical addresses are walked (and fault on V=0) */
	env = env_for(satp(8, root));
	vswalk(&env, 0x0000003fffffffffULL, VS_LOAD, &w);
	CHECK_EQ(w.steps, 1);
	vswalk(&env, 0xffffffc000000000ULL, VS_LOAD, &w);
	CHECK_EQ(w.steps, 1);
	env = env_for(satp(9, root));
	vswalk(&env, 0xffff800000000000ULL, VS_LOAD, &w);
	CHECK_EQ(w.steps, 1);
	CHECK_EQ(w.step[0].index, 256);
}

TEST(reserved_mode)
{
	struct vs_walk_env env = env_for(satp(1, RAM_BASE));
	struct vs_walk w;

	ram_reset();
	vswalk(&env, 0x1000, VS_LOAD, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 13);
	CHECK_EQ(w.steps, 0);
	env.vsatp = satp(11, RAM_BASE);
	vswalk(&env, 0x1000, VS_STORE, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 15);
}

TEST(invalid_at_each_level)
{
	uint64_t root, va = 0x40203abc, l0;
	struct vs_walk_env env;
	struct vs_walk w;

	ram_reset();
	root = new_table();
	env = env_for(satp(8, root));
	for (int a = VS_FETCH; a <= VS_STORE; a++) {
		vswalk(&env, va, a, &w);	/* empty root */
		CHECK(!w.ok);
		CHECK(!w.ad_only);
		CHECK_EQ(w.cause, pf[a]);
		CHECK_EQ(w.steps, 1);
		CHECK_EQ(w.leaf, -1);
	}
	l0 = map(root, 3, va, 0, mkpte(0x87654000, RWAD | PTE_X) & ~PTE_V);
	vswalk(&env, va, VS_LOAD, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 13);
	CHECK_EQ(w.steps, 3);
	CHECK_EQ(w.leaf, -1);
	/* V=0 in the middle level */
	*pte_at(root, 1) &= ~PTE_V;
	vswalk(&env, va, VS_STORE, &w);
	CHECK_EQ(w.cause, 15);
	CHECK_EQ(w.steps, 1);
	*pte_at(root, 1) |= PTE_V;
	*pte_at(pte_pa(*pte_at(root, 1)), 1) &= ~PTE_V;
	vswalk(&env, va, VS_FETCH, &w);
	CHECK_EQ(w.cause, 12);
	CHECK_EQ(w.steps, 2);
	(void)l0;
}

TEST(non_leaf_at_level_0)
{
	uint64_t root, va = 0x40203abc;
	struct vs_walk_env env;
	struct vs_walk w;

	ram_reset();
	root = new_table();
	env = env_for(satp(8, root));
	map(root, 3, va, 0, mkpte(RAM_BASE, PTE_V));	/* a pointer where a leaf must be */
	vswalk(&env, va, VS_LOAD, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 13);
	CHECK_EQ(w.steps, 3);
	CHECK_EQ(w.leaf, -1);
}

TEST(reserved_encodings)
{
	uint64_t root, va = 0x40203abc, l0;
	struct vs_walk_env env;
	struct vs_walk w;

	ram_reset();
	root = new_table();
	env = env_for(satp(8, root));
	env.hw_ad = true;
	l0 = map(root, 3, va, 0, 0);

	/* W without R, with or without X */
	*pte_at(l0, 3) = mkpte(0x87654000, PTE_V | PTE_W | PTE_A | PTE_D);
	vswalk(&env, va, VS_STORE, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 15);
	*pte_at(l0, 3) = mkpte(0x87654000, PTE_V | PTE_W | PTE_X | PTE_A | PTE_D);
	vswalk(&env, va, VS_FETCH, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 12);

	/* each reserved bit 54..60 in a leaf, then in a non-leaf */
	for (int b = 54; b <= 60; b++) {
		*pte_at(l0, 3) = mkpte(0x87654000, RWAD) | 1ULL << b;
		vswalk(&env, va, VS_LOAD, &w);
		if (w.ok || w.cause != 13)
			UNIT_FAIL("leaf with bit %d: ok=%d cause %llu", b, w.ok, (unsigned long long)w.cause);
	}
	*pte_at(l0, 3) = mkpte(0x87654000, RWAD);
	vswalk(&env, va, VS_LOAD, &w);
	CHECK(w.ok);
	for (int b = 54; b <= 60; b++) {
		*pte_at(root, 1) ^= 1ULL << b;
		vswalk(&env, va, VS_LOAD, &w);
		if (w.ok || w.cause != 13 || w.steps != 1)
			UNIT_FAIL("non-leaf with bit %d: ok=%d cause %llu", b, w.ok, (unsigned long long)w.cause);
		*pte_at(root, 1) ^= 1ULL << b;
	}
	/* bits 8-9 (RSW) are free for software */
	*pte_at(l0, 3) = mkpte(0x87654000, RWAD) | 3ULL << 8;
	vswalk(&env, va, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x87654abc);
}

TEST(non_leaf_with_a_d_u)
{
	static const uint64_t bits[] = { PTE_A, PTE_D, PTE_U };
	uint64_t root, va = 0x40203abc;
	struct vs_walk_env env;
	struct vs_walk w;

	ram_reset();
	root = new_table();
	env = env_for(satp(8, root));
	env.hw_ad = true;
	map(root, 3, va, 0, mkpte(0x87654000, RWAD));
	for (unsigned i = 0; i < 3; i++) {
		*pte_at(root, 1) |= bits[i];
		vswalk(&env, va, VS_LOAD, &w);
		CHECK(!w.ok);
		CHECK_EQ(w.cause, 13);
		CHECK_EQ(w.steps, 1);
		*pte_at(root, 1) &= ~bits[i];
		/* the middle level too */
		uint64_t l1 = pte_pa(*pte_at(root, 1));
		*pte_at(l1, 1) |= bits[i];
		vswalk(&env, va, VS_STORE, &w);
		CHECK(!w.ok);
		CHECK_EQ(w.cause, 15);
		CHECK_EQ(w.steps, 2);
		*pte_at(l1, 1) &= ~bits[i];
	}
	/* G on a non-leaf is allowed */
	*pte_at(root, 1) |= PTE_G;
	vswalk(&env, va, VS_LOAD, &w);
	CHECK(w.ok);
}

TEST(misaligned_superpages)
{
	uint64_t root;
	struct vs_walk_env env;
	struct vs_walk w;

	ram_reset();
	root = new_table();
	env = env_for(satp(8, root));
	env.hw_ad = true;
	/* 2M leaf on a 4K-aligned PA */
	map(root, 3, 0x40400000, 1, mkpte(0xc0201000, RWAD));
	vswalk(&env, 0x40400000, VS_LOAD, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 13);
	CHECK_EQ(w.steps, 2);
	/* 1G leaf on a 2M-aligned PA */
	map(root, 3, 0x80000000, 2, mkpte(0x140200000ULL, RWAD));
	vswalk(&env, 0x80000000, VS_FETCH, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 12);
	vswalk(&env, 0x80000000, VS_STORE, &w);
	CHECK_EQ(w.cause, 15);
	/* aligned ones pass */
	*pte_at(root, 2) = mkpte(0x140000000ULL, RWAD);
	vswalk(&env, 0x80000000, VS_STORE, &w);
	CHECK(w.ok);
	/* Sv48 512G leaf aligned only to 1G */
	ram_reset();
	root = new_table();
	env.vsatp = satp(9, root);
	map(root, 4, 0x8000000000ULL, 3, mkpte(0x8040000000ULL, RWAD));
	vswalk(&env, 0x8000000000ULL, VS_LOAD, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 13);
}

/* One leaf at 0x40203000 with the given flags; the walk of va 0x40203abc. */
static void walk_leaf(uint64_t flags, bool priv_u, bool sum, bool mxr, bool hw_ad,
		      enum vs_access a, struct vs_walk *w)
{
	uint64_t root;
	struct vs_walk_env env;

	ram_reset();
	root = new_table();
	map(root, 3, 0x40203000, 0, mkpte(0x87654000, flags));
	env = env_for(satp(8, root));
	env.priv_u = priv_u;
	env.sum = sum;
	env.mxr = mxr;
	env.hw_ad = hw_ad;
	vswalk(&env, 0x40203abc, a, w);
}

TEST(permission_u_pages)
{
	struct vs_walk w;
	uint64_t u_rwx = RWAD | PTE_X | PTE_U;

	/* VS-mode, SUM=0: no access to U pages */
	walk_leaf(u_rwx, false, false, false, true, VS_LOAD, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 13);
	CHECK(!w.ad_only);
	CHECK_EQ(w.leaf, 2);
	walk_leaf(u_rwx, false, false, false, true, VS_STORE, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 15);
	/* SUM=1: loads and stores allowed */
	walk_leaf(u_rwx, false, true, false, true, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x87654abc);
	walk_leaf(u_rwx, false, true, false, true, VS_STORE, &w);
	CHECK(w.ok);
	/* ... but never fetches */
	walk_leaf(u_rwx, false, true, false, true, VS_FETCH, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 12);
	walk_leaf(u_rwx, false, false, false, true, VS_FETCH, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 12);
	/* VU-mode: U pages fine, S pages never (SUM does not matter) */
	walk_leaf(u_rwx, true, false, false, true, VS_FETCH, &w);
	CHECK(w.ok);
	walk_leaf(u_rwx, true, false, false, true, VS_STORE, &w);
	CHECK(w.ok);
	walk_leaf(RWAD | PTE_X, true, false, false, true, VS_LOAD, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 13);
	walk_leaf(RWAD | PTE_X, true, true, false, true, VS_STORE, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 15);
	walk_leaf(RWAD | PTE_X, true, true, false, true, VS_FETCH, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 12);
}

TEST(permission_rwx_and_mxr)
{
	struct vs_walk w;
	uint64_t xonly = PTE_V | PTE_X | PTE_A | PTE_D;
	uint64_t ronly = PTE_V | PTE_R | PTE_A | PTE_D;

	/* execute-only: fetch yes, load only with MXR, store never */
	walk_leaf(xonly, false, false, false, true, VS_FETCH, &w);
	CHECK(w.ok);
	walk_leaf(xonly, false, false, false, true, VS_LOAD, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 13);
	walk_leaf(xonly, false, false, true, true, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x87654abc);
	walk_leaf(xonly, false, false, true, true, VS_STORE, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 15);
	/* MXR and SUM together for a U execute-only page loaded from VS */
	walk_leaf(xonly | PTE_U, false, true, true, true, VS_LOAD, &w);
	CHECK(w.ok);
	walk_leaf(xonly | PTE_U, false, false, true, true, VS_LOAD, &w);
	CHECK(!w.ok);
	/* read-only: no store, no fetch; MXR does not make it executable */
	walk_leaf(ronly, false, false, false, true, VS_STORE, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 15);
	CHECK(!w.ad_only);
	walk_leaf(ronly, false, false, true, true, VS_FETCH, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 12);
	walk_leaf(ronly, false, false, false, true, VS_LOAD, &w);
	CHECK(w.ok);
	/* read-write without X: no fetch */
	walk_leaf(RWAD, false, false, false, true, VS_FETCH, &w);
	CHECK(!w.ok);
	CHECK_EQ(w.cause, 12);
}

TEST(accessed_dirty)
{
	struct vs_walk w;
	uint64_t rwx = PTE_V | PTE_R | PTE_W | PTE_X;

	/* hw_ad = false (Svade): A=0 faults as the access type, ad_only */
	static const enum vs_access acc[] = { VS_FETCH, VS_LOAD, VS_STORE };
	for (unsigned i = 0; i < 3; i++) {
		walk_leaf(rwx, false, false, false, false, acc[i], &w);
		CHECK(!w.ok);
		CHECK(w.ad_only);
		CHECK_EQ(w.cause, pf[acc[i]]);
		CHECK_EQ(w.leaf, 2);
		CHECK_EQ(w.steps, 3);
		/* hw_ad = true: the hardware would set A (and D): success */
		walk_leaf(rwx, false, false, false, true, acc[i], &w);
		CHECK(w.ok);
		CHECK(!w.ad_only);
		CHECK_EQ(w.gpa, 0x87654abc);
	}
	/* A=1, D=0: loads and fetches fine, stores fault (ad_only) */
	walk_leaf(rwx | PTE_A, false, false, false, false, VS_LOAD, &w);
	CHECK(w.ok);
	walk_leaf(rwx | PTE_A, false, false, false, false, VS_FETCH, &w);
	CHECK(w.ok);
	walk_leaf(rwx | PTE_A, false, false, false, false, VS_STORE, &w);
	CHECK(!w.ok);
	CHECK(w.ad_only);
	CHECK_EQ(w.cause, 15);
	walk_leaf(rwx | PTE_A, false, false, false, true, VS_STORE, &w);
	CHECK(w.ok);
	/* A=0 on a page that is not writable: the store fault is a permission one */
	walk_leaf(PTE_V | PTE_R, false, false, false, false, VS_STORE, &w);
	CHECK(!w.ok);
	CHECK(!w.ad_only);
	CHECK_EQ(w.cause, 15);
	/* A=0 on a U page read from VS with SUM=0: permission first */
	walk_leaf(rwx | PTE_U, false, false, false, false, VS_LOAD, &w);
	CHECK(!w.ok);
	CHECK(!w.ad_only);
}

TEST(table_outside_guest_ram)
{
	uint64_t root, va = 0x40203abc;
	struct vs_walk_env env;
	struct vs_walk w;

	ram_reset();
	/* root itself outside RAM */
	env = env_for(satp(8, 0x10000000));
	for (int a = VS_FETCH; a <= VS_STORE; a++) {
		vswalk(&env, va, a, &w);
		CHECK(!w.ok);
		CHECK(!w.ad_only);
		CHECK_EQ(w.cause, gpf[a]);
		CHECK_EQ(w.steps, 1);
		CHECK_EQ(w.step[0].pte_gpa, 0x10000000 + 8);
		CHECK_EQ(w.step[0].pte_hpa, 0);
	}
	/* a non-leaf pointing past the end of RAM */
	root = new_table();
	env = env_for(satp(8, root));
	*pte_at(root, 1) = mkpte(RAM_BASE + RAM_PAGES * PG, PTE_V);
	for (int a = VS_FETCH; a <= VS_STORE; a++) {
		vswalk(&env, va, a, &w);
		CHECK(!w.ok);
		CHECK_EQ(w.cause, gpf[a]);
		CHECK_EQ(w.steps, 2);
		CHECK_EQ(w.step[1].table_gpa, RAM_BASE + RAM_PAGES * PG);
		CHECK_EQ(w.step[1].pte_hpa, 0);
	}
	/* a leaf pointing outside RAM is fine: the walk never reads it */
	*pte_at(root, 1) = mkpte(0x40000000, RWAD);
	vswalk(&env, va, VS_LOAD, &w);
	CHECK(w.ok);
	CHECK_EQ(w.gpa, 0x40203abc);
}

UNIT_MAIN("test_vswalk",
	  UNIT(bare_mode),
	  UNIT(sv39_4k_steps),
	  UNIT(sv39_superpages),
	  UNIT(sv48_walks),
	  UNIT(sv57_walks),
	  UNIT(non_canonical),
	  UNIT(reserved_mode),
	  UNIT(invalid_at_each_level),
	  UNIT(non_leaf_at_level_0),
	  UNIT(reserved_encodings),
	  UNIT(non_leaf_with_a_d_u),
	  UNIT(misaligned_superpages),
	  UNIT(permission_u_pages),
	  UNIT(permission_rwx_and_mxr),
	  UNIT(accessed_dirty),
	  UNIT(table_outside_guest_ram))
