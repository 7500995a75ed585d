/*
 * Guest-physical and host-physical addresses are different types so that
 * passing one where the other is meant does not compile.
 */
#ifndef MEM_TYPES_H
#define MEM_TYPES_H

#include <stdint.h>

typedef struct {
	uint64_t v;
} gpa_t;
typedef struct {
	uint64_t v;
} hpa_t;

static inline gpa_t gpa(uint64_t v) { return (gpa_t){ v }; }
static inline hpa_t hpa(uint64_t v) { return (hpa_t){ v }; }
static inline void *hpa_ptr(hpa_t a) { return (void *)(uintptr_t)a.v; }

#define PAGE_SIZE	 4096UL
#define PAGE_SHIFT	 12
#define MEGAPAGE_SIZE	 (2UL << 20)
#define ALIGN_UP(x, a)	 (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))

#endif
