/*
 * Instructions from the H extension.  Debian's GCC 12 rejects "h" in -march,
 * but its assembler knows the instructions once enabled locally, so every use
 * is wrapped in `.option arch, +h` (push/pop keeps the rest of the unit plain).
 */
#ifndef ARCH_ASM_H
#define ARCH_ASM_H

#include <stdint.h>

#define H_INSN(text) ".option push\n.option arch, +h\n" text "\n.option pop\n"

static inline void hfence_gvma_all(void)
{
	__asm__ volatile(H_INSN("hfence.gvma zero, zero") ::: "memory");
}

static inline void hfence_vvma_all(void)
{
	__asm__ volatile(H_INSN("hfence.vvma zero, zero") ::: "memory");
}

static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

static inline void arch_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

static inline void arch_fence(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

#endif
