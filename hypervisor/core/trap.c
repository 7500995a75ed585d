/*
 * Trap dispatch: exceptions through one const table indexed by cause; an
 * interrupt is always the host's (IPI, timer, PLIC: guest interrupts reach
 * the guest through hvip, never through here).  A handler returns 0
 * (handled) or -1 (the VM cannot go on: it is stopped with a report); sepc
 * is advanced here, and only here (or in its CSR by a quick exit, below).
 * Called from core/run.c's trap_slow().
 */
#include <stddef.h>
#include "core/trap.h"
#include "core/vm.h"
#include "core/hart.h"
#include "core/term.h"
#include "core/sched.h"
#include "core/postmortem.h"
#include "arch/csr.h"
#include "arch/timer.h"
#include "spec/insn.h"
#include "drivers/plic.h"
#include "lib/printf.h"
#include "spec/pte.h"
#include "spec/vswalk.h"
#include "arch/asm.h"
#include "trace/trace.h"
#include "spec/decode.h"
#include "core/debug_hooks.h"

typedef int (*trap_fn)(struct vcpu *v, struct exit_info *e);

unsigned hv_fault_loop_k = 64;

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
	v->regs.sstatus |= SSTATUS_SPP; /* the handler runs in VS-mode */
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

/*
 * `monitor catch fault on`: the exception stops in gdb before the guest gets
 * it (pc on the faulting instruction); the retry after continue goes on to
 * the guest.  A cold path: reflected and A/D-emulated faults only.
 */
static bool caught(struct vcpu *v, struct exit_info *e)
{
	return v->vm->catch_faults && gdbstub_catch(v, e);
}

/* A guest trap that should have been the guest's own: hand it over. */
static int reflect(struct vcpu *v, struct exit_info *e)
{
	vcpu_inject_exception(v, e->scause, e->stval);
	e->kind = TRACE_INJECT;
	e->info = (unsigned)e->scause;
	e->payload[0] = e->stval;
	e->payload[1] = 0;
	return 0;
}

static int trap_reflect(struct vcpu *v, struct exit_info *e)
{
	if (caught(v, e))
		return 0;
	return reflect(v, e);
}

/* The VS-stage walk the hardware did for this vCPU's access (loaded vCPU). */
void trap_vs_walk(struct vcpu *v, uint64_t va, enum vs_access access, struct vs_walk *w)
{
	uint64_t vsstatus = csr_read(CSR_VSSTATUS);
	struct vs_walk_env env = {
		.vsatp = csr_read(CSR_VSATP),
		.priv_u = !(v->regs.sstatus & SSTATUS_SPP),
		.sum = vsstatus & SSTATUS_SUM,
		.mxr = vsstatus & SSTATUS_MXR,
		.hw_ad = false,
		.pte_ptr = vm_pte_ptr,
		.ctx = v->vm,
	};

	vswalk(&env, va, access, w);
}

/*
 * A VS-level page fault that was not delegated (ADUE off, or no Svadu).  If
 * the only reason is a clear A (or D on a store) bit and the VM has A/D
 * emulation, set the bit the way hardware would (atomically, in the guest's
 * own table) and retry; otherwise reflect the fault into the guest.
 */
static int trap_vs_page_fault(struct vcpu *v, struct exit_info *e)
{
	unsigned code = e->scause & 0xff;
	enum vs_access access = code == CAUSE_FETCH_PAGE_FAULT ? VS_FETCH :
				code == CAUSE_LOAD_PAGE_FAULT  ? VS_LOAD :
								 VS_STORE;
	struct vs_walk w;

	if (caught(v, e))
		return 0;
	if (v->vm->ad_emulation) {
		trap_vs_walk(v, e->stval, access, &w);
		if (w.ad_only && w.leaf >= 0) {
			struct vs_level *leaf = &w.step[w.leaf];
			uint64_t set = PTE_A | (access == VS_STORE ? PTE_D : 0);
			uint64_t old = __atomic_fetch_or((uint64_t *)(uintptr_t)leaf->pte_hpa, set, __ATOMIC_ACQ_REL);
			hfence_vvma_all();
			v->stats.ad_fixups++;
			e->kind = TRACE_AD_FIXUP;
			e->info = (unsigned)set;
			e->payload[0] = leaf->pte_gpa;
			e->payload[1] = old;
			return 0;
		}
	}
	v->stats.pf_reflected++;
	return reflect(v, e);
}

/* An ebreak reaches us only while a debugger has breakpoints or steps (gdbstub). */
static int trap_breakpoint(struct vcpu *v, struct exit_info *e)
{
	if (gdbstub_breakpoint(v, e))
		return 0;
	return trap_reflect(v, e); /* the guest's own (Linux BUG/WARN): as if delegated */
}

/*
 * A store to a page the gdbstub write-protected for a watchpoint.  Out of
 * line: inlined, its register saves ran on every MMIO store (34 of the
 * UART write's 551 instructions), watch pages or not.
 */
static __attribute__((noinline)) int trap_store_watched(struct vcpu *v, struct exit_info *e)
{
	if (gdbstub_watch_fault(v, e))
		return 0;
	return mmio_handle_guest_fault(v, e);
}

/* A store to a watched page, or MMIO as always. */
static int trap_store_guest_fault(struct vcpu *v, struct exit_info *e)
{
	if (__builtin_expect(v->vm->watch_pages != 0, 0))
		return trap_store_watched(v, e);
	return mmio_handle_guest_fault(v, e);
}

static int trap_ecall_vs(struct vcpu *v, struct exit_info *e)
{
	e->advance = 4;
	return sbi_handle_ecall(v, e);
}

#define INSN_WFI     0x10500073u
#define INSN_WRS_NTO 0x00d00073u
#define INSN_WRS_STO 0x01d00073u

/*
 * Instruction bits of a virtual-instruction trap, read through both stages.
 * Not from stval: writing it is optional, and QEMU 7.2 leaves the previous
 * trap's value there (a WFI's), which once made every later virtual
 * instruction look like a WFI and put the vCPU to sleep for good (found by
 * the guest fuzzer).  stval is the fallback if the fetch fails.
 */
static uint32_t trapping_insn(struct vcpu *v, struct exit_info *e)
{
	uint32_t insn;

	(void)v;
	return trap_fetch_insn(e->sepc, &insn) ? (uint32_t)e->stval : insn;
}

/*
 * The guest instruction at pc, read through both stages as the loaded vCPU
 * would fetch it (HLVX: execute permission suffices): 0, or -1 if the fetch
 * faults.  A compressed instruction comes back in the low 16 bits.
 */
int trap_fetch_insn(uint64_t pc, uint32_t *insn)
{
	uint16_t lo, hi;

	if (arch_hlvx_hu(pc, &lo))
		return -1;
	if (insn_length(lo) == 2) {
		*insn = lo;
		return 0;
	}
	if (arch_hlvx_hu(pc + 2, &hi))
		return -1;
	*insn = lo | (uint32_t)hi << 16;
	return 0;
}

static int trap_virtual_insn(struct vcpu *v, struct exit_info *e)
{
	uint32_t insn = trapping_insn(v, e);

	switch (insn) {
	case INSN_WFI:
		/*
		 * From VU-mode WFI always traps here; natively a U-mode WFI
		 * is an illegal instruction (privileged spec, "Wait for
		 * Interrupt"): a guest's user process must not idle its kernel.
		 */
		if (!(v->regs.sstatus & SSTATUS_SPP)) {
			vcpu_inject_exception(v, CAUSE_ILLEGAL_INSTRUCTION, insn);
			return 0;
		}
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
	[CAUSE_BREAKPOINT] = trap_breakpoint,
	[CAUSE_MISALIGNED_LOAD] = trap_reflect,
	[CAUSE_LOAD_ACCESS] = trap_reflect,
	[CAUSE_MISALIGNED_STORE] = trap_reflect,
	[CAUSE_STORE_ACCESS] = trap_reflect,
	[CAUSE_USER_ECALL] = trap_reflect,
	[CAUSE_SUPERVISOR_ECALL] = trap_unexpected,
	[CAUSE_VIRTUAL_SUPERVISOR_ECALL] = trap_ecall_vs,
	[CAUSE_MACHINE_ECALL] = trap_unexpected,
	[CAUSE_FETCH_PAGE_FAULT] = trap_vs_page_fault,
	[CAUSE_LOAD_PAGE_FAULT] = trap_vs_page_fault,
	[CAUSE_STORE_PAGE_FAULT] = trap_vs_page_fault,
	[CAUSE_FETCH_GUEST_PAGE_FAULT] = mmio_handle_guest_fault,
	[CAUSE_LOAD_GUEST_PAGE_FAULT] = mmio_handle_guest_fault,
	[CAUSE_VIRTUAL_INSTRUCTION] = trap_virtual_insn,
	[CAUSE_STORE_GUEST_PAGE_FAULT] = trap_store_guest_fault,
};

/* Host interrupts: IPIs (kicks), the scheduler timer, the physical UART. */
void trap_handle_host_interrupts(void)
{
	uint64_t sip = csr_read(CSR_SIP);
	struct hart *h = this_hart();

	if (sip & MIP_SSIP)
		csr_clear(CSR_SIP, MIP_SSIP);
	if (sip & MIP_STIP) {
		timer_program(UINT64_MAX); /* re-armed before the next entry */
		h->timer_armed = false;
	}
	if (sip & MIP_SEIP) {
		unsigned ctx = plic_s_context(h->hartid);
		unsigned irq;
		while ((irq = plic_claim(ctx)) != 0) {
			if (irq == gdbstub_irq())
				gdbstub_poll();
			else
				term_poll_input();
			plic_complete(irq, ctx);
		}
	}
}

/*
 * An exit's record: time = the exit, dur = until the handler is done (what
 * follows is the few instructions back into the guest).  This is the
 * per-exit cost of tracing (make bench), so it is written in two halves
 * around the handler: what is known at the exit goes into the slot while
 * it is still in registers (trace_exit_open), the handler's part and the
 * duration after it (trace_exit_close).  The slot is published only then.
 */
static inline struct trace_record *trace_exit_open(struct vcpu *v, const struct exit_info *e, uint64_t t0,
						   uint64_t *index)
{
	struct trace_record *r = trace_begin_ring(v->trace_ring, index);

	r->time = t0;
	trace_record_tag(r, v->trace_tag); /* kind 0 (TRACE_EXIT) until the close */
	/* cppcheck-suppress ctuuninitvar ; trap_handle_mode sets every field read here (info and payload are the handlers') */
	r->cause = trace_cause_of(e->scause);
	r->info = 0;
	r->htinst = (uint32_t)e->htinst;
	r->sepc = e->sepc;
	r->stval = e->stval;
	r->payload[0] = e->htval; /* a plain exit's payload */
	r->payload[1] = 0;
	return r;
}

/* The handler's part of an open record, its duration, and publication. */
static inline void trace_exit_finish(struct trace_ring *ring, struct trace_record *r, uint64_t i,
				     const struct exit_info *e, uint64_t t0)
{
	r->kind = (uint8_t)e->kind;
	if (e->kind != TRACE_EXIT) { /* handlers fill info and payload only for their kinds */
		r->info = (uint16_t)e->info;
		r->payload[0] = e->payload[0];
		r->payload[1] = e->payload[1];
	}
	r->dur = (uint32_t)(arch_time() - t0);
	trace_commit(ring, i);
}

/*
 * The whole record after the handler: under a filter (the kind the handler
 * chose decides), or when a record made during the handler (a VM event)
 * took the slot trace_exit_open had filled.
 */
static __attribute__((noinline)) void trace_exit_late(struct vcpu *v, const struct exit_info *e, uint64_t t0)
{
	struct trace_record *r;
	uint64_t i;

	if (!trace_exit_wanted(trace_ctl.mode, v->vm->id, e->scause, e->kind))
		return;
	r = trace_exit_open(v, e, t0, &i);
	trace_exit_finish(v->trace_ring, r, i, e, t0);
}

static inline void trace_exit_close(struct vcpu *v, const struct exit_info *e, uint64_t t0,
				    struct trace_record *r, uint64_t i)
{
	if (__builtin_expect(!r || v->trace_ring->next != i, 0))
		trace_exit_late(v, e, t0);
	else
		trace_exit_finish(v->trace_ring, r, i, e, t0);
}

static enum trap_action handle_interrupt(struct vcpu *v, struct exit_info *e)
{
	uint64_t code = e->scause & ~CAUSE_IRQ_FLAG;

	if (code < 16)
		v->stats.by_irq[code]++;
	trap_handle_host_interrupts();
	e->kind = TRACE_IRQ;
	e->info = 0;
	e->payload[0] = csr_read(CSR_HVIP);
	e->payload[1] = 0;
	/* Our timer only fires at the end of the slice or when a blocked vCPU is due. */
	return arch_time() >= this_hart()->timer_at ? TRAP_YIELD : TRAP_RESUME;
}

/*
 * The VM cannot go on.  With a debugger attached it stops in gdb instead
 * (the report is captured for `monitor dump` / `monitor why`) and dies when
 * the debugger lets go of it (detach, a dropped connection: gdbstub.c).
 */
static void vm_died(struct vcpu *v, struct exit_info *e, bool loop)
{
	if (loop)
		vm_trace_event(v->vm, TRACE_VM_FAULT_LOOP, v->vm->state);
	postmortem_capture(v, e, loop);
	if (gdbstub_vm_dying(v, e, loop))
		return;
	postmortem_announce(v->vm);
	vm_stop(v->vm, VM_DEAD, e->why);
}

/*
 * The exit path, once for each trace mode: trap_handle() below picks the
 * copy, so with tracing off the exit path carries none of the trace's code
 * (nor its registers); `tracing` is a constant in each copy.
 */
static inline __attribute__((always_inline)) enum trap_action trap_handle_mode(struct vcpu *v, unsigned tracing)
{
	uint64_t t0 = tracing ? arch_time() : 0;
	struct hart *h = this_hart();
	struct exit_info e;

	/* Field by field: a struct initializer would zero why[] on every exit. */
	e.scause = csr_read(CSR_SCAUSE);
	e.sepc = v->regs.sepc;
	e.stval = csr_read(CSR_STVAL);
	/* htval/htinst are zero for ecalls and interrupts: skip them on the hot path. */
	if ((e.scause & CAUSE_IRQ_FLAG) == 0 && (e.scause < CAUSE_USER_ECALL || e.scause > CAUSE_MACHINE_ECALL)) {
		e.htval = csr_read(CSR_HTVAL);
		e.htinst = csr_read(CSR_HTINST);
	} else {
		e.htval = e.htinst = 0;
	}
	e.advance = 0;
	e.action = TRAP_RESUME;
	e.kind = TRACE_EXIT; /* handlers set kind, info and payload for the trace */
	e.why[0] = '\0';
	uint64_t code = e.scause & ~CAUSE_IRQ_FLAG;
	struct trace_record *tr = 0;
	uint64_t ti = 0;
	bool failed;
	trap_fn fn;

	if (tracing == TRACE_ALL)
		tr = trace_exit_open(v, &e, t0, &ti);
	v->stats.exits++;
	if (e.scause & CAUSE_IRQ_FLAG) {
		enum trap_action a = handle_interrupt(v, &e);
		if (tracing)
			trace_exit_close(v, &e, t0, tr, ti);
		return a;
	}
	h->last_trap = (struct guest_trap){ e.scause, e.sepc, e.stval, e.htval, e.htinst, v };
	if (code < CAUSE_COUNT)
		v->stats.by_cause[code]++;
	fn = code < CAUSE_COUNT && exception_handlers[code] ? exception_handlers[code] : trap_unexpected;
	failed = fn(v, &e) != 0;
	if (tracing) {
		if (failed) { /* the record says the VM stopped, and where */
			e.kind = TRACE_STOP;
			e.info = 0;
			e.payload[0] = e.htval;
			e.payload[1] = 0;
		}
		trace_exit_close(v, &e, t0, tr, ti);
	}
	if (failed) {
		vm_died(v, &e, false);
		return TRAP_YIELD;
	}
	/*
	 * Fault-loop detector (core/faultloop.c): the same exception at the same
	 * pc and address K times in a row means the guest makes no progress (the
	 * ADUE story: an instruction page fault at pc 0 because stvec is not set
	 * yet).  Interrupts in between do not count as progress.
	 */
	if (e.advance)
		faultloop_reset(&v->loop); /* an emulated instruction is progress (MMIO polling, wrs.nto) */
	else if (faultloop_check(&v->loop, e.scause, e.sepc, e.stval, hv_fault_loop_k)) {
		snprintf(e.why, sizeof(e.why), "fault loop: %s %u times at sepc 0x%lx stval 0x%lx",
			 decode_cause_name(e.scause), hv_fault_loop_k, e.sepc, e.stval);
		vm_died(v, &e, true);
		return TRAP_YIELD;
	}
	v->regs.sepc += e.advance; /* the one place sepc moves past an instruction */
	return e.action;
}

static __attribute__((noinline)) enum trap_action trap_handle_traced(struct vcpu *v, unsigned mode)
{
	return mode == TRACE_ALL ? trap_handle_mode(v, TRACE_ALL) : trap_handle_mode(v, TRACE_FILTERED);
}

enum trap_action trap_handle(struct vcpu *v)
{
	unsigned mode = trace_ctl.mode; /* one load, one predictable branch */

	if (__builtin_expect(mode != TRACE_OFF, 0))
		return trap_handle_traced(v, mode);
	return trap_handle_mode(v, TRACE_OFF);
}

/*
 * ---- The quick exits ----
 * An SBI call or an MMIO load or store that htinst describes is most of
 * what guests exit for (docs/performance.md), so these skip the general
 * path: no exit_info, no handler table, no sepc/sstatus/hstatus round trip
 * through struct vcpu_regs (arch/entry.S leaves them in their CSRs).  They
 * keep everything the general path keeps: the statistics, the last trap,
 * the fault-loop detector's reset (an emulated instruction is progress),
 * the trace record, and the vPLIC/IPI check before the guest goes back in.
 * run_prepare()'s other checks cannot change here: a VM that is paused,
 * reset or stopped from another hart, a slice that ends or a debugger that
 * stops the VM all come with a host interrupt, which is pending (SIE is 0
 * here) and traps the moment the guest is back.
 */

/*
 * The whole record of a quick exit, after its handler (quick handlers make
 * no records of their own, so nothing takes the slot in between).  The
 * payload's first word is found again here rather than passed back: the
 * EID in a7 for an SBI call, the guest-physical address for MMIO.
 */
static inline void trace_exit_quick(struct vcpu *v, uint64_t t0, uint64_t scause, uint64_t pc, quick_result_t q)
{
	struct trace_ring *ring = v->trace_ring;
	bool ecall = scause == CAUSE_VIRTUAL_SUPERVISOR_ECALL;
	uint64_t i, stval = csr_read(CSR_STVAL);
	struct trace_record *r = trace_slot_at(ring, &i);

	r->time = t0;
	r->cause = (uint16_t)scause;
	r->info = QUICK_INFO(q);
	r->htinst = (uint32_t)csr_read(CSR_HTINST);
	r->sepc = pc;
	r->stval = stval;
	r->payload[0] = ecall ? v->regs.x[REG_A7] : csr_read(CSR_HTVAL) << 2 | (stval & 3);
	r->payload[1] = QUICK_VALUE(q);
	trace_record_tag(r, ecall ? v->trace_tag_sbi : v->trace_tag_mmio);
	r->dur = (uint32_t)(arch_time() - t0);
	trace_commit(ring, i);
	trace_drain_due(ring, i + 1);
}

static inline __attribute__((always_inline)) bool trap_quick_mode(struct vcpu *v, uint64_t scause, bool tracing)
{
	uint64_t t0 = tracing ? arch_time() : 0;
	bool ecall = scause == CAUSE_VIRTUAL_SUPERVISOR_ECALL;
	quick_result_t q;
	uint64_t pc;

	if (ecall)
		q = sbi_quick(v);
	else if (scause == CAUSE_LOAD_GUEST_PAGE_FAULT || scause == CAUSE_STORE_GUEST_PAGE_FAULT)
		q = mmio_quick(v, scause);
	else
		return false;
	if (!QUICK_ADVANCE(q))
		return false;
	pc = csr_read(CSR_SEPC);
	csr_write(CSR_SEPC, pc + QUICK_ADVANCE(q));
	v->stats.exits++;
	v->stats.by_cause[scause]++;
	faultloop_reset(&v->loop);
	this_hart()->last_trap = (struct guest_trap){ scause, pc, csr_read(CSR_STVAL), csr_read(CSR_HTVAL),
						      csr_read(CSR_HTINST), v };
	if (tracing)
		trace_exit_quick(v, t0, scause, pc, q);
	/*
	 * A device may have changed the vPLIC (sbi_quick's calls never do).
	 * Only this hart's own change needs the check: another hart's comes
	 * with a kick, an interrupt that traps as soon as the guest is back.
	 */
	if (!ecall && v->vm->plic.gen != v->plic_gen)
		vcpu_update_hvip_slow(v);
	return true;
}

/* The two copies, tracing off and on: each has only the registers and stack frame it needs. */
static __attribute__((noinline)) bool trap_quick_untraced(struct vcpu *v, uint64_t scause)
{
	return trap_quick_mode(v, scause, false);
}

static __attribute__((noinline)) bool trap_quick_traced(struct vcpu *v, uint64_t scause)
{
	return trap_quick_mode(v, scause, true);
}

/*
 * true: the exit is handled and sepc moved; false: nothing done, take the
 * general path.  The first C code of every exit: `hv break-trap` (gdb)
 * stops here, with the vCPU in a0 and the guest's scause in its CSR.
 */
bool trap_quick(struct vcpu *v)
{
	uint8_t mode = trace_ctl.mode; /* one load, one predictable branch */

	if (__builtin_expect(mode == TRACE_OFF, 1))
		return trap_quick_untraced(v, csr_read(CSR_SCAUSE));
	if (mode == TRACE_ALL)
		return trap_quick_traced(v, csr_read(CSR_SCAUSE));
	return false; /* a filter: the general path's */
}
