/*
 * Unit tests for hypervisor/mem/page.c: first-fit runs, and which runs are
 * known to be zero still (never handed out since QEMU started, so a VM's
 * first start need not clear its RAM), including after a machine reset
 * that leaves RAM as it was (the boot mark).  The pool is a host buffer
 * whose addresses play the part of HPAs.
 */
#include "mem/page.h"
#include "unit.h"

#define POOL_PAGES 2048		/* 8 MiB */

static uint8_t *pool;

/* A "boot" over the same RAM: what setup_memory() does. */
static void boot(void)
{
	page_init((uint64_t)(uintptr_t)pool, POOL_PAGES * PAGE_SIZE);
	page_reserve((uint64_t)(uintptr_t)pool, 2 * PAGE_SIZE);	/* "firmware" */
	page_check_fresh();
}

static void fresh_ram(void)
{
	free(pool);
	pool = aligned_alloc(MEGAPAGE_SIZE, POOL_PAGES * PAGE_SIZE);
	memset(pool, 0, POOL_PAGES * PAGE_SIZE);
}

TEST(first_allocation_is_zero_then_not)
{
	bool zero = false;
	hpa_t a, b;

	fresh_ram();
	boot();
	a = page_alloc_raw(512, MEGAPAGE_SIZE, &zero);
	CHECK(a.v != 0);
	CHECK(a.v % MEGAPAGE_SIZE == 0);
	CHECK(zero);
	memset(hpa_ptr(a), 0xa5, 512 * PAGE_SIZE);	/* the guest dirties it */
	page_free(a, 512);
	b = page_alloc_raw(512, MEGAPAGE_SIZE, &zero);
	CHECK_EQ(b.v, a.v);				/* first fit: the same run */
	CHECK(!zero);
}

TEST(page_alloc_clears_a_reused_page)
{
	bool zero;
	hpa_t a;
	uint8_t *p;

	fresh_ram();
	boot();
	a = page_alloc_raw(1, PAGE_SIZE, &zero);
	memset(hpa_ptr(a), 0x5a, PAGE_SIZE);
	page_free(a, 1);
	p = hpa_ptr(page_alloc(1, PAGE_SIZE));
	CHECK_EQ((uint64_t)(uintptr_t)p, a.v);
	CHECK(p[0] == 0 && p[PAGE_SIZE - 1] == 0);
}

TEST(a_reset_machine_has_no_fresh_ram)
{
	bool zero = true;
	hpa_t a;

	fresh_ram();
	boot();
	a = page_alloc_raw(16, PAGE_SIZE, &zero);
	memset(hpa_ptr(a), 0xff, 16 * PAGE_SIZE);
	boot();			/* same RAM, not cleared: the boot mark is there */
	CHECK_EQ(page_alloc_raw(16, PAGE_SIZE, &zero).v, a.v);
	CHECK(!zero);
	CHECK(page_alloc_raw(16, PAGE_SIZE, &zero).v != 0);
	CHECK(!zero);		/* never handed out in this boot, still not known zero */
}

TEST(runs_skip_used_pages_and_fail_when_full)
{
	bool zero;
	hpa_t a, b, c;
	uint64_t total, free_pages;

	fresh_ram();
	boot();
	a = page_alloc_raw(3, PAGE_SIZE, &zero);		/* breaks the first 2 MiB run */
	b = page_alloc_raw(512, MEGAPAGE_SIZE, &zero);
	CHECK(b.v >= a.v + 3 * PAGE_SIZE && b.v % MEGAPAGE_SIZE == 0);
	c = page_alloc_raw(POOL_PAGES, PAGE_SIZE, &zero);
	CHECK_EQ(c.v, 0);
	page_stats(&total, &free_pages);
	CHECK_EQ(total, POOL_PAGES);
	CHECK_EQ(free_pages, POOL_PAGES - 2 - 1 - 3 - 512);	/* firmware, boot mark, a, b */
}

UNIT_MAIN("test_page", UNIT(first_allocation_is_zero_then_not), UNIT(page_alloc_clears_a_reused_page),
	  UNIT(a_reset_machine_has_no_fresh_ram), UNIT(runs_skip_used_pages_and_fail_when_full))
