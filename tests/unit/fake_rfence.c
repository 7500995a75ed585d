/*
 * hypervisor/sbi/sbi_rfence.c for the host: its own `fence.i` becomes an
 * assembler macro that counts into fake_fence_i (an empty macro on hosts
 * other than x86-64); the rest comes from the HV_HOST_TEST fakes of
 * arch/asm.h.
 */
#if defined(__x86_64__)
__asm__(".macro fence.i\n\tlock incl fake_fence_i(%rip)\n.endm\n");
#else
__asm__(".macro fence.i\n.endm\n");
#endif

#include "sbi/sbi_rfence.c"
