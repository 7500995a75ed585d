/* Physical page allocator: a bitmap over the managed range, first fit. */
#include "mem/page.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define PAGE_MAX (1UL << 20)	/* 4 GiB of RAM at most */

static uint64_t page_base, page_count, page_free_count;
static uint64_t page_used[PAGE_MAX / 64];
static spinlock_t page_lock = SPINLOCK_INIT;

static int used(uint64_t i) { return (page_used[i / 64] >> (i % 64)) & 1; }
static void mark(uint64_t i, int v)
{
	if (v)
		page_used[i / 64] |= 1UL << (i % 64);
	else
		page_used[i / 64] &= ~(1UL << (i % 64));
}

void page_init(uint64_t base, uint64_t size)
{
	page_base = ALIGN_UP(base, PAGE_SIZE);
	page_count = (base + size - page_base) / PAGE_SIZE;
	if (page_count > PAGE_MAX)
		page_count = PAGE_MAX;
	page_free_count = page_count;
	memset(page_used, 0, sizeof(page_used));
}

/* Take [base, base+size) out of the pool (firmware, our image, the DTB...). */
void page_reserve(uint64_t base, uint64_t size)
{
	uint64_t first = base < page_base ? 0 : (base - page_base) / PAGE_SIZE;
	uint64_t end = base + size <= page_base ? 0 :
		(ALIGN_UP(base + size, PAGE_SIZE) - page_base) / PAGE_SIZE;

	spin_lock(&page_lock);
	for (uint64_t i = first; i < end && i < page_count; i++)
		if (!used(i)) {
			mark(i, 1);
			page_free_count--;
		}
	spin_unlock(&page_lock);
}

hpa_t page_alloc_raw(size_t count, size_t align)
{
	uint64_t step = align > PAGE_SIZE ? align / PAGE_SIZE : 1;
	uint64_t first = (ALIGN_UP(page_base, step * PAGE_SIZE) - page_base) / PAGE_SIZE;

	spin_lock(&page_lock);
	for (uint64_t i = first; i + count <= page_count; i += step) {
		uint64_t n = 0;
		while (n < count && !used(i + n))
			n++;
		if (n < count)
			continue;
		for (n = 0; n < count; n++)
			mark(i + n, 1);
		page_free_count -= count;
		spin_unlock(&page_lock);
		return hpa(page_base + i * PAGE_SIZE);
	}
	spin_unlock(&page_lock);
	return hpa(0);
}

hpa_t page_alloc(size_t count, size_t align)
{
	hpa_t p = page_alloc_raw(count, align);

	if (p.v)
		memset(hpa_ptr(p), 0, count * PAGE_SIZE);
	return p;
}

void page_free(hpa_t addr, size_t count)
{
	uint64_t first = (addr.v - page_base) / PAGE_SIZE;

	spin_lock(&page_lock);
	for (uint64_t i = first; i < first + count && i < page_count; i++)
		if (used(i)) {
			mark(i, 0);
			page_free_count++;
		}
	spin_unlock(&page_lock);
}

void page_stats(uint64_t *total_pages, uint64_t *free_pages)
{
	*total_pages = page_count;
	*free_pages = page_free_count;
}
