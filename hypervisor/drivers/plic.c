#include "drivers/plic.h"

/* Register layout of the RISC-V PLIC specification (as QEMU implements it). */
#define PLIC_PRIORITY(irq)  (4 * (irq))
#define PLIC_ENABLE(ctx)    (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)	    (0x200004 + 0x1000 * (ctx))

static uint64_t plic_base;

static volatile uint32_t *reg(uint64_t off) { return (volatile uint32_t *)(uintptr_t)(plic_base + off); }

void plic_init(uint64_t base)
{
	plic_base = base;
}

void plic_enable(unsigned irq, unsigned context)
{
	if (!plic_base)
		return;
	*reg(PLIC_PRIORITY(irq)) = 1;
	*reg(PLIC_ENABLE(context) + 4 * (irq / 32)) |= 1U << (irq % 32);
	*reg(PLIC_THRESHOLD(context)) = 0;
}

unsigned plic_claim(unsigned context)
{
	return plic_base ? *reg(PLIC_CLAIM(context)) : 0;
}

void plic_complete(unsigned irq, unsigned context)
{
	*reg(PLIC_CLAIM(context)) = irq;
}
