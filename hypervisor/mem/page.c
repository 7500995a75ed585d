/* Physical page allocator: a bitmap over the managed range, first fit. */
#include "mem/page.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define PAGE_MAX (1UL << 20) /* 4 GiB of RAM at most */

static uint64_t page_base, page_count, page_free_count;
static uint64_t page_used[PAGE_MAX / 64];
/*
 * Pages handed out at least once since QEMU started: every other page of the
 * pool still holds the zeroes QEMU's RAM starts with, so it need not be
 * cleared again.  That matters on QEMU: the host kernel backs guest RAM with
 * fresh pages on first touch and zeroes each of them itself, so clearing a
 * VM's 256 MiB by hand costs the host that work on every page, which a guest
 * running natively never touches (the profile in docs/performance.md).
 */
static uint64_t page_dirty[PAGE_MAX / 64];
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
	memset(page_dirty, 0, sizeof(page_dirty));
}

/*
 * Is the pool's RAM as QEMU handed it over (all zero)?  Not after a reset
 * of the machine (gdb's `monitor system_reset`): QEMU reloads its images but
 * leaves RAM as it was.  The first free page carries a mark that the boot
 * before this one left; finding it, every page counts as written.  Call once,
 * after every page_reserve() of the boot (the same images reserve the same
 * pages, so the mark is at the same place on every boot).
 */
#define PAGE_BOOT_MARK 0x6876732d626f6f74UL /* "hvs-boot" */

void page_check_fresh(void)
{
	uint64_t i = 0;
	volatile uint64_t *m;

	while (i < page_count && used(i))
		i++;
	if (i == page_count)
		return;
	mark(i, 1); /* the mark's page stays out of the pool */
	page_free_count--;
	m = (volatile uint64_t *)(uintptr_t)(page_base + i * PAGE_SIZE);
	if (*m == PAGE_BOOT_MARK)
		memset(page_dirty, 0xff, sizeof(page_dirty));
	*m = PAGE_BOOT_MARK;
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

/* First page in [i, end) whose bit is set in map, or end: a word at a time where it can. */
static uint64_t find_set(const uint64_t *map, uint64_t i, uint64_t end)
{
	while (i < end) {
		if (i % 64 == 0 && end - i >= 64 && !map[i / 64])
			i += 64;
		else if ((map[i / 64] >> (i % 64)) & 1)
			return i;
		else
			i++;
	}
	return end;
}

static void set_range(uint64_t *map, uint64_t i, uint64_t end)
{
	while (i < end) {
		if (i % 64 == 0 && end - i >= 64) {
			map[i / 64] = ~0UL;
			i += 64;
		} else {
			map[i / 64] |= 1UL << (i % 64);
			i++;
		}
	}
}

/* Take [i, i+count) (free, checked by the caller); true if all of it is still zero. */
static bool take(uint64_t i, size_t count)
{
	bool zero = find_set(page_dirty, i, i + count) == i + count;

	set_range(page_used, i, i + count);
	set_range(page_dirty, i, i + count);
	page_free_count -= count;
	return zero;
}

/* First fit: the first aligned run of count free pages, skipping past each used page found. */
hpa_t page_alloc_raw(size_t count, size_t align, bool *zero)
{
	uint64_t step = align > PAGE_SIZE ? align / PAGE_SIZE : 1;
	uint64_t first = (ALIGN_UP(page_base, step * PAGE_SIZE) - page_base) / PAGE_SIZE;

	spin_lock(&page_lock);
	for (uint64_t i = first; i + count <= page_count;) {
		uint64_t busy = find_set(page_used, i, i + count);
		if (busy < i + count) {
			i += (busy - i) / step * step + step; /* the first aligned start past it */
			continue;
		}
		*zero = take(i, count);
		spin_unlock(&page_lock);
		return hpa(page_base + i * PAGE_SIZE);
	}
	spin_unlock(&page_lock);
	return hpa(0);
}

hpa_t page_alloc(size_t count, size_t align)
{
	bool zero;
	hpa_t p = page_alloc_raw(count, align, &zero);

	if (p.v && !zero)
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
