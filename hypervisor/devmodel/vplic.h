/*
 * Emulated PLIC, one per VM, with QEMU virt's register layout: context 2*h is
 * vCPU h's M-mode context (present but never used by an S-mode guest), 2*h+1
 * its S-mode context.  Sources are level triggered; a source's gateway lets
 * one request through until the guest completes it.
 */
#ifndef DEVMODEL_VPLIC_H
#define DEVMODEL_VPLIC_H

#include <stdbool.h>
#include <stdint.h>
#include "spec/board.h"
#include "lib/spinlock.h"

#define VPLIC_SOURCES  (VM_PLIC_NDEV + 1)
#define VPLIC_WORDS    ((VPLIC_SOURCES + 31) / 32)
#define VPLIC_CONTEXTS (2 * VM_MAX_VCPUS)

struct vplic {
	spinlock_t lock; /* guards everything below */
	unsigned context_count;
	uint32_t priority[VPLIC_SOURCES];
	uint32_t level[VPLIC_WORDS]; /* device line levels */
	uint32_t pending[VPLIC_WORDS];
	uint32_t claimed[VPLIC_WORDS]; /* in service: gateway closed */
	uint32_t enable[VPLIC_CONTEXTS][VPLIC_WORDS];
	uint32_t threshold[VPLIC_CONTEXTS];
	volatile uint32_t gen; /* bumped on every change that can move an output */
};

void vplic_init(struct vplic *p, unsigned vcpu_count);
void vplic_change_level(struct vplic *p, unsigned irq, bool level);

/* A device's line as the vPLIC last saw it (irq in 1..VPLIC_SOURCES-1). */
static inline bool vplic_level(const struct vplic *p, unsigned irq)
{
	return (p->level[irq / 32] >> (irq % 32)) & 1;
}

/* Devices call this on every access: an unchanged line costs a load and a compare. */
static inline void vplic_set_level(struct vplic *p, unsigned irq, bool level)
{
	if (irq == 0 || irq >= VPLIC_SOURCES || vplic_level(p, irq) == level)
		return;
	vplic_change_level(p, irq, level);
}
bool vplic_context_pending(struct vplic *p, unsigned context);

/* Lock-free hint for the guest-entry path: is anything pending at all? */
static inline bool vplic_any_pending(const struct vplic *p)
{
	uint32_t any = 0;

	for (unsigned w = 0; w < VPLIC_WORDS; w++)
		any |= __atomic_load_n(&p->pending[w], __ATOMIC_RELAXED);
	return any != 0;
}
int vplic_read(struct vplic *p, uint64_t offset, unsigned width, uint64_t *value);
int vplic_write(struct vplic *p, uint64_t offset, unsigned width, uint64_t value);

#endif
