// Platform-level interrupt controller: route the UART and disk interrupts to
// the S-mode context (2 * hart + 1) of every hart.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

#define REG32(a) (*(volatile uint32 *)(a))

void
plicinit(void)
{
  REG32(PLIC_PRIORITY(UART0_IRQ)) = 1;   // any non-zero priority enables the source
  REG32(PLIC_PRIORITY(VIRTIO0_IRQ)) = 1;
}

void
plicinithart(void)
{
  int hart = cpuid();
  REG32(PLIC_SENABLE(hart)) = (1U << UART0_IRQ) | (1U << VIRTIO0_IRQ);
  REG32(PLIC_STHRESHOLD(hart)) = 0;
}

// Which interrupt is pending for this hart (0 if none)?
int
plic_claim(void)
{
  return REG32(PLIC_SCLAIM(cpuid()));
}

void
plic_complete(int irq)
{
  REG32(PLIC_SCLAIM(cpuid())) = irq;
}
