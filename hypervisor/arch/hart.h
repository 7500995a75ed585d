/*
 * The part of a hart's state that the trap entry (arch/entry.S) reads and
 * writes.  It is the first member of core's struct hart, and tp points at
 * that struct in hypervisor code, so arch_hart_self() is the hart's own.
 */
#ifndef ARCH_HART_H
#define ARCH_HART_H

#include <stdint.h>

struct arch_hart {
	uint64_t fixup_pc; /* where an expected HS fault resumes, 0 = none */
	uint64_t fault_cause;
	uint64_t fault_tval;
};

/*
 * sizeof(struct hart), defined by core/hart.c: arch/entry.S points tp at
 * harts[hartid] with it at boot without knowing the rest of the struct.
 */
extern const unsigned long arch_hart_size;

#ifndef HV_HOST_TEST
/*
 * tp names the hart's struct: a local register variable the empty asm
 * "sets", so the compiler reads tp in place (no copy: this is on every
 * exit) and can reuse it; the ABI keeps tp out of register allocation.
 */
static inline void *arch_hart_self(void)
{
	register void *tp __asm__("tp");

	__asm__(""
		: "=r"(tp));
	return tp;
}
#else
/* Host unit tests: the test program says which hart "this" is. */
extern void *fake_hart_self;
static inline void *arch_hart_self(void) { return fake_hart_self; }
#endif

#endif
