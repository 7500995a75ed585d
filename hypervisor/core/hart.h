/* Per physical hart state; tp points at this hart's entry in hypervisor code. */
#ifndef CORE_HART_H
#define CORE_HART_H

#include <stdint.h>
#include <stdbool.h>
#include "spec/board.h"
#include "arch/hart.h"

struct vcpu;

/* The last trap taken from a guest on this hart (for `csr scause` and reports). */
struct vcpu;

struct guest_trap {
	uint64_t scause, sepc, stval, htval, htinst;
	const struct vcpu *vcpu; /* whose (one store on the exit path; the console asks for the numbers) */
};

struct hart {
	struct arch_hart arch; /* first: read and written by arch/entry.S */

	unsigned hartid;
	bool online;
	struct vcpu *current; /* vCPU loaded on this hart, or NULL */
	struct vcpu *last;    /* last vCPU whose VS state this hart's TLB may hold */
	uint64_t slice_end;   /* time at which the current vCPU is preempted */
	uint64_t timer_at;    /* min(slice_end, earliest deadline of a blocked vCPU) */
	bool timer_armed;     /* stimecmp holds timer_at (a timer interrupt disarms it) */
	struct guest_trap last_trap;
	uint64_t idle_ticks; /* rounds of the idle loop (core/run.c) */
	uint64_t idle_empty; /* of them, WFI returned with no host interrupt pending */
};

extern struct hart harts[HV_MAX_HARTS];
extern uint8_t hv_stacks[HV_MAX_HARTS][HV_STACK_SIZE];

static inline struct hart *this_hart(void)
{
	return arch_hart_self();
}

void hv_main(unsigned long hartid, unsigned long fdt);
void hv_secondary_main(unsigned long hartid);
void hv_fatal_trap(uint64_t *regs);

#endif
