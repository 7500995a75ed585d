/*
 * Instructions from the H extension.  Debian's GCC 12 rejects "h" in -march,
 * but its assembler knows the instructions once enabled locally, so every use
 * is wrapped in `.option arch, +h` (push/pop keeps the rest of the unit plain).
 */
#ifndef ARCH_ASM_H
#define ARCH_ASM_H

#include <stdint.h>
#ifndef HV_HOST_TEST
#define H_INSN(text) ".option push\n.option arch, +h\n" text "\n.option pop\n"

static inline void hfence_gvma_all(void)
{
	__asm__ volatile(H_INSN("hfence.gvma zero, zero")::
				 : "memory");
}

static inline void hfence_vvma_all(void)
{
	__asm__ volatile(H_INSN("hfence.vvma zero, zero")::
				 : "memory");
}

static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::
				 : "memory");
}

static inline void arch_wfi(void)
{
	__asm__ volatile("wfi" ::
				 : "memory");
}

static inline void arch_fence(void)
{
	__asm__ volatile("fence rw, rw" ::
				 : "memory");
}

/* Device (MMIO) accesses and memory in order: before and after a virtqueue notify. */
static inline void arch_fence_io(void)
{
	__asm__ volatile("fence iorw, iorw" ::
				 : "memory");
}

/* This hart's instruction fetches see earlier stores (a guest's fence.i, done for it). */
static inline void arch_fence_i(void)
{
	__asm__ volatile("fence.i" ::
				 : "memory");
}
#else
/* Host unit tests (HV_HOST_TEST): no instructions; the test program defines the counters. */
extern unsigned fake_hfence_gvma, fake_hfence_vvma, fake_sfence_vma, fake_wfi, fake_fence, fake_fence_i;
static inline void hfence_gvma_all(void) { fake_hfence_gvma++; }
static inline void hfence_vvma_all(void) { fake_hfence_vvma++; }
static inline void sfence_vma_all(void) { fake_sfence_vma++; }
static inline void arch_wfi(void) { fake_wfi++; }
static inline void arch_fence(void) { fake_fence++; }
static inline void arch_fence_io(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void arch_fence_i(void) { fake_fence_i++; }
#endif

#endif
