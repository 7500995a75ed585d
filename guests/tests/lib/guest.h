/* Everything a test guest includes: the runtime's pieces and the board. */
#ifndef GT_GUEST_H
#define GT_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "fdt.h"
#include "plic.h"
#include "printf.h"
#include "sbi.h"
#include "string.h"
#include "trap.h"
#include "uart.h"

/* Harts the runtime has stacks for (start.S); hart ids must be below this. */
#define GUEST_MAX_HARTS 8

/* Each guest defines these two.  guest_name prefixes runtime messages. */
extern const char guest_name[];
void guest_main(unsigned long hartid, const void *dtb);

/* Entry of harts started with SBI HSM hart_start (start.S), and what
 * they run: the default parks the hart. */
void _secondary_start(void);
void guest_secondary_main(unsigned long hartid, unsigned long opaque);

/* Idle forever with interrupts as they are (the end state of every guest). */
__attribute__((noreturn)) void guest_idle(void);
/* Stop this hart for good: interrupts off, wfi loop. */
__attribute__((noreturn)) void guest_halt(void);

/* This hart's id: start.S keeps it in tp (the guests use no TLS). */
static inline unsigned long hart_id(void)
{
	unsigned long id;

	__asm__ volatile("mv %0, tp"
			 : "=r"(id));
	return id;
}

/* Interrupt-safe spinlock (also used by printf between harts). */
typedef struct {
	volatile int locked;
} spinlock_t;
unsigned long spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags);

#define mmio_read8(a)	   (*(volatile uint8_t *)(uintptr_t)(a))
#define mmio_write8(a, v)  (*(volatile uint8_t *)(uintptr_t)(a) = (v))
#define mmio_read32(a)	   (*(volatile uint32_t *)(uintptr_t)(a))
#define mmio_write32(a, v) (*(volatile uint32_t *)(uintptr_t)(a) = (v))

#endif
