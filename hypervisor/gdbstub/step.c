/*
 * Single-step by the stub: temporary breakpoints wherever the instruction
 * may continue (nextpc.c) and at the guest's trap vector.
 */
#include "gdbstub/internal.h"
#include "core/vm.h"

#define INSN_WFI    0x10500073u
#define CSR_SIE_NUM 0x104
#define CSR_SIP_NUM 0x144

void step_finish(struct vm_debug *d)
{
	if (d->step_vcpu < 0)
		return;
	for (int i = TEMP_MAX - 1; i >= 0; i--) /* reverse: overlapping temps restore cleanly */
		bp_unplant(d, &d->temps[i]);
	if (d->vsie_masked)
		d->vm->vcpus[d->step_vcpu].vsie = d->saved_vsie;
	d->vsie_masked = false;
	d->step_vcpu = -1;
	guestmem_changed(d->vm);
}

struct fetch_ctx {
	struct vm_debug *d;
	uint64_t vsatp;
};

/* nextpc_step's reader of the instructions around pc. */
static bool step_fetch(void *ctx, uint64_t pc, uint32_t *insn)
{
	struct fetch_ctx *f = ctx;

	return guestmem_fetch(f->d, f->vsatp, pc, insn);
}

/* A temporary breakpoint at va, sized to the instruction there. */
static void temp_plant(struct vm_debug *d, struct vcpu *v, uint64_t va, unsigned slot)
{
	struct fetch_ctx f = { d, v->vsatp };
	uint32_t insn;
	/* cppcheck-suppress shadowFunction ; the address, not mem/types.h's gpa() */
	uint64_t gpa;

	if (!step_fetch(&f, va, &insn) || !guestmem_gpa(d, v->vsatp, va, &gpa) || bp_ours(d, gpa) != BP_NONE)
		return;
	bp_plant(d, v->vsatp, &d->temps[slot], va, nextpc_insn_len(insn));
}

/*
 * Breakpoints wherever the instruction at pc may continue, and at stvec for
 * anything that traps into the guest (a U-mode ecall, a fault, an ebreak of
 * the guest's own).  Interrupts stay pending during the step (vsie = 0), so
 * that the step lands on the next instruction rather than in a handler;
 * except across an instruction that reads or writes sie/sip, or a WFI that
 * must be woken.
 */
int step_setup(struct vm_debug *d, struct vcpu *v)
{
	struct fetch_ctx f = { d, v->vsatp };
	uint64_t pc = v->regs.sepc, stvec = v->vstvec & ~3UL;
	struct nextpc np;
	uint32_t insn;
	unsigned slot = 0;
	bool phys = d->phys;

	d->phys = false; /* pc and its targets are virtual whatever gdb's addresses are */
	if (!step_fetch(&f, pc, &insn)) {
		d->phys = phys;
		return -1;
	}
	nextpc_step(step_fetch, &f, pc, v->regs.x, v->vsepc, &np);
	d->step_vcpu = (int)v->id;
	for (unsigned i = 0; i < np.count; i++)
		temp_plant(d, v, np.target[i], slot++);
	if (stvec && stvec != pc && !(np.kind == NEXTPC_ECALL && (v->regs.sstatus & SSTATUS_SPP)))
		temp_plant(d, v, stvec, slot++);
	if (insn != INSN_WFI && !nextpc_is_csr_access(insn, CSR_SIE_NUM) && !nextpc_is_csr_access(insn, CSR_SIP_NUM)) {
		d->saved_vsie = v->vsie;
		v->vsie = 0;
		d->vsie_masked = true;
	}
	d->phys = phys;
	guestmem_changed(d->vm);
	return 0;
}
