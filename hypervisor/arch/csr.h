/*
 * CSR accessors: csrr/csrw/csrrw/csrs/csrc by number, so that no assembler
 * extension flag is needed.  The numbers and fields are in spec/csr.h.
 */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

#include <stdint.h>
#include "spec/csr.h"

/* By a number known only at run time (arch/csr.c): 0, or -1 for a CSR not offered. */
int arch_hs_csr_read(unsigned csr, uint64_t *v);
int arch_hs_csr_write(unsigned csr, uint64_t v);
int arch_vs_csr_read(unsigned csr, uint64_t *v);
int arch_vs_csr_write(unsigned csr, uint64_t v);

#ifndef HV_HOST_TEST
#define __csr_str(x)	      #x
#define csr_read(csr)	      ({ uint64_t __v; \
	__asm__ volatile("csrr %0, " __csr_str(csr) : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val)   ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrw " __csr_str(csr) ", %0" :: "rK"(__v) : "memory"); })
/*
 * A CSR that keeps its value while the caller runs (a trap's scause,
 * stval, htval, htinst during its quick exit): no compiler barrier, and
 * repeated reads may become one.
 */
#define csr_read_relaxed(csr) ({ uint64_t __v; \
	__asm__ volatile("csrr %0, " __csr_str(csr) : "=r"(__v)); __v; })
#define csr_swap(csr, val)    ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrrw %0, " __csr_str(csr) ", %1" : "=r"(__v) : "rK"(__v) : "memory"); __v; })
#define csr_set(csr, val)     ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrs " __csr_str(csr) ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear(csr, val)   ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrc " __csr_str(csr) ", %0" :: "rK"(__v) : "memory"); })

static inline uint64_t arch_time(void)
{
	return csr_read(CSR_TIME);
}
#else
/*
 * Host unit tests (tests/unit) build with HV_HOST_TEST: the accessors work on
 * 4096 fake CSRs that the test program defines.  The RISC-V build above is
 * kept on its original lines so that its objects do not change.
 */
extern uint64_t fake_csr[4096];
static inline uint64_t fake_csr_swap(unsigned csr, uint64_t val)
{
	uint64_t old = fake_csr[csr];

	fake_csr[csr] = val;
	return old;
}
#define csr_read(csr)	      (fake_csr[(csr)])
#define csr_read_relaxed(csr) (fake_csr[(csr)])
#define csr_write(csr, val)   ((void)(fake_csr[(csr)] = (uint64_t)(val)))
#define csr_swap(csr, val)    fake_csr_swap((csr), (uint64_t)(val))
#define csr_set(csr, val)     ((void)(fake_csr[(csr)] |= (uint64_t)(val)))
#define csr_clear(csr, val)   ((void)(fake_csr[(csr)] &= ~(uint64_t)(val)))
static inline uint64_t arch_time(void)
{
	return csr_read(CSR_TIME);
}
#endif

#endif
