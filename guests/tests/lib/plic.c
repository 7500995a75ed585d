#include "guest.h"

void plic_set_priority(unsigned irq, uint32_t prio)
{
	mmio_write32(PLIC_PRIORITY(irq), prio);
}

void plic_enable(unsigned ctx, unsigned irq)
{
	uintptr_t reg = PLIC_ENABLE(ctx, irq);

	mmio_write32(reg, mmio_read32(reg) | (1U << (irq % 32)));
}

void plic_set_threshold(unsigned ctx, uint32_t threshold)
{
	mmio_write32(PLIC_THRESHOLD(ctx), threshold);
}

unsigned plic_claim(unsigned ctx)
{
	return mmio_read32(PLIC_CLAIM(ctx));
}

void plic_complete(unsigned ctx, unsigned irq)
{
	mmio_write32(PLIC_CLAIM(ctx), irq);
}
