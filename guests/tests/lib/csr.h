/* CSR access and bit names for the test guests (RISC-V privileged spec). */
#ifndef GT_CSR_H
#define GT_CSR_H

#define CSR_STR(x)		  #x
/* `name` is the spec's CSR name or its number (e.g. csr_read(0x14d)). */
#define csr_read(name)		  ({ unsigned long v__; \
	__asm__ volatile("csrr %0, " CSR_STR(name) : "=r"(v__) :: "memory"); v__; })
#define csr_write(name, val)	  ({ unsigned long w__ = (unsigned long)(val); \
	__asm__ volatile("csrw " CSR_STR(name) ", %0" :: "rK"(w__) : "memory"); })
#define csr_set(name, bits)	  ({ unsigned long s__ = (unsigned long)(bits); \
	__asm__ volatile("csrs " CSR_STR(name) ", %0" :: "rK"(s__) : "memory"); })
#define csr_clear(name, bits)	  ({ unsigned long c__ = (unsigned long)(bits); \
	__asm__ volatile("csrc " CSR_STR(name) ", %0" :: "rK"(c__) : "memory"); })

/* sstatus */
#define SSTATUS_SIE		  (1UL << 1)
#define SSTATUS_SPIE		  (1UL << 5)
#define SSTATUS_SPP		  (1UL << 8)

/* sie / sip bits: interrupt number n is bit n */
#define IRQ_S_SOFT		  1
#define IRQ_S_TIMER		  5
#define IRQ_S_EXT		  9
#define SIE_SSIE		  (1UL << IRQ_S_SOFT)
#define SIE_STIE		  (1UL << IRQ_S_TIMER)
#define SIE_SEIE		  (1UL << IRQ_S_EXT)
#define SIP_SSIP		  (1UL << IRQ_S_SOFT)

/* scause */
#define SCAUSE_INTERRUPT	  (1UL << 63)
#define CAUSE_MISALIGNED_FETCH	  0
#define CAUSE_FETCH_ACCESS	  1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT	  3
#define CAUSE_MISALIGNED_LOAD	  4
#define CAUSE_LOAD_ACCESS	  5
#define CAUSE_MISALIGNED_STORE	  6
#define CAUSE_STORE_ACCESS	  7
#define CAUSE_SUPERVISOR_ECALL	  9
#define CAUSE_FETCH_PAGE_FAULT	  12
#define CAUSE_LOAD_PAGE_FAULT	  13
#define CAUSE_STORE_PAGE_FAULT	  15

static inline unsigned long rdtime(void)
{
	unsigned long t;

	__asm__ volatile("rdtime %0"
			 : "=r"(t));
	return t;
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::
				 : "memory");
}

#endif
