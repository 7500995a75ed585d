/* The fake arch for host unit tests of core/ (tests/unit/fake_arch.c). */
#ifndef FAKE_ARCH_H
#define FAKE_ARCH_H

#include <stdint.h>
#include "arch/asm.h"
#include "arch/csr.h"
#include "core/hart.h"

struct fake_arch {
	uint64_t timer;			/* last timer_program() */
	unsigned ipis[HV_MAX_HARTS];	/* sbi_send_ipi_hart() per hart */
};

extern struct fake_arch fake_arch;
extern unsigned fake_hfence_gvma, fake_hfence_vvma, fake_sfence_vma, fake_wfi, fake_fence, fake_fence_i;

/* Fake CSRs, counters and fake_arch cleared; "this hart" (tp) is harts[hartid]. */
void fake_arch_reset(unsigned hartid);

#endif
