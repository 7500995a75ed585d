/*
 * Fault-loop detector: the same exception (scause, sepc, stval) K times in a
 * row means the guest makes no progress, e.g. an instruction page fault at
 * pc 0 because stvec is not set yet.  Kept apart from trap.c so that the
 * host unit tests can drive it.
 */
#ifndef CORE_FAULTLOOP_H
#define CORE_FAULTLOOP_H

#include <stdbool.h>
#include <stdint.h>

/* The last exception and how many times in a row it was seen. */
struct faultloop {
	uint64_t scause, sepc, stval;
	unsigned count;
};

/*
 * Count this exception; true when it is the k-th identical one in a row
 * (k >= 2).  A different exception starts a new run of 1.
 */
bool faultloop_check(struct faultloop *fl, uint64_t scause, uint64_t sepc, uint64_t stval, unsigned k);

/* Forget the run: the next exception starts from 1, whatever it is. */
static inline void faultloop_reset(struct faultloop *fl)
{
	fl->count = 0;
}

#endif
