/* The host's PLIC: the hypervisor takes the physical UART interrupt through it. */
#ifndef DRIVERS_PLIC_H
#define DRIVERS_PLIC_H

#include <stdint.h>

void plic_init(uint64_t base);
void plic_enable(unsigned irq, unsigned context);
unsigned plic_claim(unsigned context);
void plic_complete(unsigned irq, unsigned context);
static inline unsigned plic_s_context(unsigned hartid) { return 2 * hartid + 1; }

#endif
