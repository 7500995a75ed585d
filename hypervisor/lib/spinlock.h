/* Test-and-test-and-set spinlock on the A extension (amoswap.w.aq / sw release). */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include <stdint.h>

typedef struct {
	volatile uint32_t locked;
} spinlock_t;

#define SPINLOCK_INIT \
	{ \
		0 \
	}

static inline void spin_lock(spinlock_t *l)
{
	for (;;) {
		while (l->locked)
			;
		if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0)
			return;
	}
}

static inline int spin_trylock(spinlock_t *l)
{
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
