#ifndef MEM_PAGE_H
#define MEM_PAGE_H

#include <stdbool.h>
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
hpa_t page_alloc(size_t count, size_t align); /* zeroed; .v == 0 when out of memory */
/* Not cleared: *zero says whether it is still all zero (never handed out since QEMU started). */
hpa_t page_alloc_raw(size_t count, size_t align, bool *zero);
void page_check_fresh(void); /* after the boot's page_reserve() calls */
void page_free(hpa_t addr, size_t count);
void page_stats(uint64_t *total_pages, uint64_t *free_pages);

#endif
