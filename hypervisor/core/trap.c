/*
 * Trap dispatch: one const table indexed by exception cause, one by interrupt
 * number.  A handler returns 0 (handled) or -1 (the VM cannot go on: it is
 * stopped with a report); sepc is advanced here, and only here.
 */
#include "core/trap.h"
#include "core/vm.h"
#include "core/hart.h"
#include "core/cons.h"
#include "core/sched.h"
#include "core/report.h"
#include "arch/csr.h"
#include "arch/insn.h"
#include "drivers/plic.h"
#include "lib/printf.h"

typedef int (*trap_fn)(struct vcpu *v, struct exit_info *e);

static const char *const cause_names[CAUSE_COUNT] = {
	[CAUSE_MISALIGNED_FETCH] = "instruction address misaligned",
	[CAUSE_FETCH_ACCESS] = "instruction access fault",
	[CAUSE_ILLEGAL_INSTRUCTION] = "illegal instruction",
	[CAUSE_BREAKPOINT] = "breakpoint",
	[CAUSE_MISALIGNED_LOAD] = "load address misaligned",
	[CAUSE_LOAD_ACCESS] = "load access fault",
	[CAUSE_MISALIGNED_STORE] = "store/AMO address misaligned",
	[CAUSE_STORE_ACCESS] = "store/AMO access fault",
	[CAUSE_USER_ECALL] = "environment call from U-mode or VU-mode",
	[CAUSE_SUPERVISOR_ECALL] = "environment call from HS-mode",
	[CAUSE_VIRTUAL_SUPERVISOR_ECALL] = "environment call from VS-mode",
	[CAUSE_MACHINE_ECALL] = "environment call from M-mode",
	[CAUSE_FETCH_PAGE_FAULT] = "instruction page fault",
	[CAUSE_LOAD_PAGE_FAULT] = "load page fault",
	[CAUSE_STORE_PAGE_FAULT] = "store/AMO page fault",
	[CAUSE_FETCH_GUEST_PAGE_FAULT] = "instruction guest-page fault",
	[CAUSE_LOAD_GUEST_PAGE_FAULT] = "load guest-page fault",
	[CAUSE_VIRTUAL_INSTRUCTION] = "virtual instruction",
	[CAUSE_STORE_GUEST_PAGE_FAULT] = "store/AMO guest-page fault",
};

static const char *const irq_names[16] = {
	[IRQ_S_SOFT] = "supervisor software interrupt",
	[IRQ_VS_SOFT] = "virtual supervisor software interrupt",
	[IRQ_S_TIMER] = "supervisor timer interrupt",
	[IRQ_VS_TIMER] = "virtual supervisor timer interrupt",
	[IRQ_S_EXT] = "supervisor external interrupt",
	[IRQ_VS_EXT] = "virtual supervisor external interrupt",
	[IRQ_S_GEXT] = "supervisor guest external interrupt",
};

const char *trap_cause_name(uint64_t scause)
{
	uint64_t code = scause & ~CAUSE_IRQ_FLAG;
	const char *n = 0;

	if (scause & CAUSE_IRQ_FLAG)
		n = code < 16 ? irq_names[code] : 0;
	else
		n = code < CAUSE_COUNT ? cause_names[code] : 0;
	return n ? n : "reserved";
}

/*
 * Deliver an exception to the guest as the hardware would have, had it been
 * delegated: VS CSRs take the trap, the guest continues at vstvec.
 */
void vcpu_inject_exception(struct vcpu *v, uint64_t cause, uint64_t tval)
{
	uint64_t vsstatus = csr_read(CSR_VSSTATUS);
	bool from_s = (v->regs.sstatus & SSTATUS_SPP) != 0;

	csr_write(CSR_VSEPC, v->regs.sepc);
	csr_write(CSR_VSCAUSE, cause);
	csr_write(CSR_VSTVAL, tval);
	vsstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	if (from_s)
		vsstatus |= SSTATUS_SPP;
	if (vsstatus & SSTATUS_SIE)
		vsstatus |= SSTATUS_SPIE;
	vsstatus &= ~SSTATUS_SIE;
	csr_write(CSR_VSSTATUS, vsstatus);
	v->regs.sstatus |= SSTATUS_SPP;		/* the handler runs in VS-mode */
	v->regs.sepc = csr_read(CSR_VSTVEC) & ~3UL;
}

static int stop_vm(struct vcpu *v, struct exit_info *e, const char *why)
{
	(void)v;
	snprintf(e->why, sizeof(e->why), "%s", why);
	return -1;
}

/* Exceptions the hypervisor has no business receiving from a guest. */
static int trap_unexpected(struct vcpu *v, struct exit_info *e)
{
	return stop_vm(v, e, "unhandled trap from the guest");
}

/* A guest trap that should have been the guest's own: hand it over. */
static int trap_reflect(struct vcpu *v, struct exit_info *e)
{
	vcpu_inject_exception(v, e->scause, e->stval);
	return 0;
}

static int trap_ecall_vs(struct vcpu *v, struct exit_info *e)
{
	e->advance = 4;
	return sbi_handle_ecall(v, e);
}

#define INSN_WFI      0x10500073u
#define INSN_WRS_NTO  0x00d00073u
#define INSN_WRS_STO  0x01d00073u

/* Instruction bits of a virtual-instruction trap: stval, or read through both stages. */
static uint32_t trapping_insn(struct vcpu *v, struct exit_info *e)
{
	uint16_t lo, hi;

	(void)v;
	if (e->stval)
		return (uint32_t)e->stval;
	if (arch_hlvx_hu(e->sepc, &lo))
		return 0;
	if (insn_length(lo) == 2)
		return lo;
	if (arch_hlvx_hu(e->sepc + 2, &hi))
		return 0;
	return lo | (uint32_t)hi << 16;
}

static int trap_virtual_insn(struct vcpu *v, struct exit_info *e)
{
	uint32_t insn = trapping_insn(v, e);

	switch (insn) {
	case INSN_WFI:
		/* VTW=1: a waiting vCPU gives up its hart until an interrupt for it. */
		e->advance = 4;
		if (!vcpu_has_interrupt_loaded(v)) {
			sched_set_state(v, VCPU_BLOCKED);
			e->action = TRAP_YIELD;
		}
		return 0;
	case INSN_WRS_NTO:
	case INSN_WRS_STO:
		/* Zawrs: waiting on a reservation set; let others run, then retry. */
		e->advance = 4;
		e->action = TRAP_YIELD;
		return 0;
	default:
		/* Not ours to emulate: the guest sees an illegal instruction. */
		vcpu_inject_exception(v, CAUSE_ILLEGAL_INSTRUCTION, insn);
		return 0;
	}
}

static const trap_fn exception_handlers[CAUSE_COUNT] = {
	[CAUSE_MISALIGNED_FETCH] = trap_reflect,
	[CAUSE_FETCH_ACCESS] = trap_reflect,
	[CAUSE_ILLEGAL_INSTRUCTION] = trap_reflect,
	[CAUSE_BREAKPOINT] = trap_reflect,
	[CAUSE_MISALIGNED_LOAD] = trap_reflect,
	[CAUSE_LOAD_ACCESS] = trap_reflect,
	[CAUSE_MISALIGNED_STORE] = trap_reflect,
	[CAUSE_STORE_ACCESS] = trap_reflect,
	[CAUSE_USER_ECALL] = trap_reflect,
	[CAUSE_SUPERVISOR_ECALL] = trap_unexpected,
	[CAUSE_VIRTUAL_SUPERVISOR_ECALL] = trap_ecall_vs,
	[CAUSE_MACHINE_ECALL] = trap_unexpected,
	[CAUSE_FETCH_PAGE_FAULT] = trap_reflect,
	[CAUSE_LOAD_PAGE_FAULT] = trap_reflect,
	[CAUSE_STORE_PAGE_FAULT] = trap_reflect,
	[CAUSE_FETCH_GUEST_PAGE_FAULT] = mmio_handle_guest_fault,
	[CAUSE_LOAD_GUEST_PAGE_FAULT] = mmio_handle_guest_fault,
	[CAUSE_VIRTUAL_INSTRUCTION] = trap_virtual_insn,
	[CAUSE_STORE_GUEST_PAGE_FAULT] = mmio_handle_guest_fault,
};

/* Host interrupts: IPIs (kicks), the scheduler timer, the physical UART. */
void trap_handle_host_interrupts(void)
{
	uint64_t sip = csr_read(CSR_SIP);
	struct hart *h = this_hart();

	if (sip & MIP_SSIP)
		csr_clear(CSR_SIP, MIP_SSIP);
	if (sip & MIP_STIP)
		timer_program(UINT64_MAX);	/* re-armed before the next entry */
	if (sip & MIP_SEIP) {
		unsigned ctx = plic_s_context(h->hartid);
		unsigned irq;
		while ((irq = plic_claim(ctx)) != 0) {
			cons_poll_input();
			plic_complete(irq, ctx);
		}
	}
}

static enum trap_action handle_interrupt(struct vcpu *v, uint64_t code)
{
	struct hart *h = this_hart();

	if (code < 16)
		v->stats.by_irq[code]++;
	trap_handle_host_interrupts();
	if (arch_time() >= h->slice_end)
		return TRAP_YIELD;
	return TRAP_RESUME;
}

enum trap_action trap_handle(struct vcpu *v)
{
	struct hart *h = this_hart();
	struct exit_info e = {
		.scause = csr_read(CSR_SCAUSE),
		.sepc = v->regs.sepc,
		.stval = csr_read(CSR_STVAL),
		.htval = csr_read(CSR_HTVAL),
		.htinst = csr_read(CSR_HTINST),
		.action = TRAP_RESUME,
	};
	uint64_t code = e.scause & ~CAUSE_IRQ_FLAG;
	trap_fn fn;

	v->stats.exits++;
	if (e.scause & CAUSE_IRQ_FLAG)
		return handle_interrupt(v, code);

	h->last_trap = (struct guest_trap){ e.scause, e.sepc, e.stval, e.htval, e.htinst,
					    v->vm->id, (int)v->id };
	if (code < CAUSE_COUNT)
		v->stats.by_cause[code]++;
	fn = code < CAUSE_COUNT && exception_handlers[code] ? exception_handlers[code] : trap_unexpected;
	if (fn(v, &e) != 0) {
		report_vm_fault(v, &e);
		vm_stop(v->vm, VM_DEAD, e.why);
		return TRAP_YIELD;
	}
	v->regs.sepc += e.advance;	/* the one place sepc moves past an instruction */
	return e.action;
}
