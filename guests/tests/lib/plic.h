/* PLIC of the VM contract (QEMU virt layout). */
#ifndef GT_PLIC_H
#define GT_PLIC_H

#include <stdint.h>

#define PLIC_BASE	      0x0c000000UL
#define PLIC_PRIORITY(irq)    (PLIC_BASE + 4UL * (irq))
#define PLIC_ENABLE(ctx, irq) (PLIC_BASE + 0x2000UL + 0x80UL * (ctx) + 4UL * ((irq) / 32))
#define PLIC_THRESHOLD(ctx)   (PLIC_BASE + 0x200000UL + 0x1000UL * (ctx))
#define PLIC_CLAIM(ctx)	      (PLIC_THRESHOLD(ctx) + 4)

/* The S-mode context of a hart. */
static inline unsigned plic_s_context(unsigned long hartid)
{
	return 2 * (unsigned)hartid + 1;
}

void plic_set_priority(unsigned irq, uint32_t prio);
void plic_enable(unsigned ctx, unsigned irq);
void plic_set_threshold(unsigned ctx, uint32_t threshold);
/* Returns the claimed IRQ, 0 when nothing is pending. */
unsigned plic_claim(unsigned ctx);
void plic_complete(unsigned ctx, unsigned irq);

#endif
