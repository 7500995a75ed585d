#ifndef MEM_PAGE_H
#define MEM_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include "spec/types.h"

/*
 * The hypervisor's physical page allocator: one range of free RAM handed out
 * in naturally aligned runs of pages (first fit over a bitmap), so a VM's RAM
 * can be one contiguous, 2 MiB-aligned block and page tables get 16 KiB roots.
 */
void page_init(uint64_t base, uint64_t size);
void page_reserve(uint64_t base, uint64_t size);
hpa_t page_alloc(size_t count, size_t align);   /* zeroed; .v == 0 when out of memory */
hpa_t page_alloc_raw(size_t count, size_t align);	/* not zeroed: the caller fills it */
void page_free(hpa_t addr, size_t count);
void page_stats(uint64_t *total_pages, uint64_t *free_pages);

#endif
