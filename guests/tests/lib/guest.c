/* Life cycle helpers every guest shares: idling, halting, locking. */
#include "guest.h"

void guest_idle(void)
{
	for (;;)
		wfi();
}

void guest_halt(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	for (;;)
		wfi();
}

__attribute__((weak)) void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	printf("%s: hart %lu started but this guest has no secondary code\n",
	       guest_name, hartid);
	guest_halt();
}

unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = csr_read(sstatus) & SSTATUS_SIE;

	csr_clear(sstatus, SSTATUS_SIE);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		;
	return flags;
}

void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	csr_set(sstatus, flags);
}
