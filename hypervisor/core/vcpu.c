/*
 * vCPU context switch.  Several vCPUs share a hart, so everything a guest can
 * observe is saved on vcpu_put() and restored on vcpu_load(): the VS CSRs,
 * vstimecmp, senvcfg and scounteren (VS-mode accesses reach the real ones),
 * hvip, htimedelta, the per-VM H CSRs, and the FP registers (saved lazily:
 * only when the guest dirtied them, sstatus.FS = Dirty).
 */
#include "core/vm.h"
#include "trace/trace.h"
#include "core/hart.h"
#include "core/sched.h"
#include "arch/asm.h"
#include "arch/csr.h"
#include "arch/sbi_call.h"
#include "lib/string.h"
#include <stddef.h>

/*
 * WFI traps (hstatus.VTW) only while some vCPU may have to wait for a hart:
 * with no more vCPUs than harts, every vCPU can keep its hart, so a guest
 * idling in WFI may as well sleep in its own WFI.  Each trapped WFI costs
 * an exit, a trip through the scheduler and an idle WFI of the hart, and
 * on QEMU two full TLB flushes besides (12,000 of a 2-vCPU Linux boot's
 * 39,000 exits were WFIs).  An untrapped WFI still ends on every host
 * interrupt (IPIs, the slice timer), so kicks and debugger stops work as
 * before.  Set by vcpu_wfi_policy() before the first vCPU starts.
 */
static bool vcpu_wfi_traps = true;

void vcpu_wfi_policy(unsigned vcpu_total, unsigned hart_count)
{
	vcpu_wfi_traps = vcpu_total > hart_count;
}

void vcpu_reset(struct vcpu *v, uint64_t pc, uint64_t a1)
{
	/*
	 * Guest state only: host_* is the hypervisor's own context, which the
	 * trap vector still needs when the reset happens inside an exit (SRST).
	 */
	memset(v->regs.x, 0, sizeof(v->regs.x));
	memset(&v->fp, 0, sizeof(v->fp));
	v->regs.sepc = pc;
	v->regs.x[REG_A0] = v->id;
	v->regs.x[REG_A1] = a1;
	/* Enter VS-mode (SPP=1 + SPV=1), FP usable but clean, 64-bit VS. */
	v->regs.sstatus = SSTATUS_SPP | SSTATUS_FS_INITIAL | SSTATUS_UXL_64;
	v->regs.hstatus = HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP | (vcpu_wfi_traps ? HSTATUS_VTW : 0);
	v->vsstatus = SSTATUS_UXL_64 | SSTATUS_FS_INITIAL;
	v->vsie = v->vstvec = v->vsscratch = v->vsepc = v->vscause = v->vstval = v->vsatp = 0;
	v->vstimecmp = UINT64_MAX;
	v->senvcfg = 0;
	v->scounteren = 0;
	v->hvip = 0;
	v->htimedelta = 0;
	v->fp_live = true;
	v->ssip_pending = 0;
	/* Its next entry, on whatever hart: no VS TLB entry or fetched code from before. */
	v->flush_pending = 1;
	faultloop_reset(&v->loop);
}

/* Where v's exit records go while it is loaded on this hart (trap.c writes them). */
void vcpu_trace_on_hart(struct vcpu *v, unsigned hart)
{
	v->trace_ring = &trace_rings[hart];
	v->trace_tag = trace_tag(hart, (unsigned)v->vm->id, v->id);
	v->trace_tag_sbi = v->trace_tag | (uint32_t)TRACE_SBI << 24;
	v->trace_tag_mmio = v->trace_tag | (uint32_t)TRACE_MMIO << 24;
}

void vcpu_load(struct vcpu *v)
{
	struct hart *h = this_hart();
	struct vm *vm = v->vm;
	uint32_t gen;

	csr_write(CSR_HGATP, gstage_hgatp(&vm->gstage, vm->vmid));
	/*
	 * VS-stage TLB entries are tagged by VMID and ASID only: another vCPU of
	 * the same VM, or this one after running elsewhere, may have left stale
	 * ones here.  Flush them for this VMID.
	 */
	if (h->last != v)
		hfence_vvma_all();
	h->last = v;
	gen = __atomic_load_n(&vm->gstage_gen, __ATOMIC_ACQUIRE);
	if (vm->gstage_fenced[h->hartid] != gen) {
		/* The gdbstub changed G-stage permissions since this hart last ran the VM. */
		vm->gstage_fenced[h->hartid] = gen;
		hfence_gvma_all();
	}
	v->csr_gen = vm->csr_gen;
	csr_write(CSR_HENVCFG, vm->henvcfg);
	csr_write(CSR_HEDELEG, vm->hedeleg);
	csr_write(CSR_HIDELEG, vm->hideleg);
	csr_write(CSR_HCOUNTEREN, vm->hcounteren);
	csr_write(CSR_HTIMEDELTA, v->htimedelta);
	csr_write(CSR_VSSTATUS, v->vsstatus);
	csr_write(CSR_VSIE, v->vsie);
	csr_write(CSR_VSTVEC, v->vstvec);
	csr_write(CSR_VSSCRATCH, v->vsscratch);
	csr_write(CSR_VSEPC, v->vsepc);
	csr_write(CSR_VSCAUSE, v->vscause);
	csr_write(CSR_VSTVAL, v->vstval);
	csr_write(CSR_VSATP, v->vsatp);
	csr_write(CSR_SENVCFG, v->senvcfg);
	csr_write(CSR_SCOUNTEREN, v->scounteren);
	csr_write(CSR_HVIP, v->hvip);
	v->plic_gen = vm->plic.gen - 1; /* make the next entry recompute VSEIP */
	if (vm->henvcfg & ENVCFG_STCE)
		csr_write(CSR_VSTIMECMP, v->vstimecmp);
	if (v->fp_live) {
		csr_set(CSR_SSTATUS, SSTATUS_FS_INITIAL);
		arch_fp_restore(&v->fp);
		v->fp_live = false;
		v->regs.sstatus = (v->regs.sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
	}
	h->current = v;
	vcpu_trace_on_hart(v, h->hartid);
	trace_event(h->hartid, vm->id, v->id, TRACE_VCPU_LOAD, 0, v->regs.sepc, 0, 0);
}

void vcpu_put(struct vcpu *v)
{
	struct hart *h = this_hart();

	v->vsstatus = csr_read(CSR_VSSTATUS);
	v->vsie = csr_read(CSR_VSIE);
	v->vstvec = csr_read(CSR_VSTVEC);
	v->vsscratch = csr_read(CSR_VSSCRATCH);
	v->vsepc = csr_read(CSR_VSEPC);
	v->vscause = csr_read(CSR_VSCAUSE);
	v->vstval = csr_read(CSR_VSTVAL);
	v->vsatp = csr_read(CSR_VSATP);
	v->senvcfg = csr_read(CSR_SENVCFG);
	v->scounteren = csr_read(CSR_SCOUNTEREN);
	v->hvip = csr_read(CSR_HVIP) & ~MIP_VSEIP; /* VSEIP is recomputed from the vPLIC */
	if (v->vm->henvcfg & ENVCFG_STCE) {
		v->vstimecmp = csr_read(CSR_VSTIMECMP);
		/*
		 * Disarm it: WFI ends on any pending interrupt enabled in vsie
		 * (hie), so a deadline left here, once past, kept the hart's idle
		 * WFI from sleeping after v moved elsewhere: the idle loop spun
		 * (30,000 rounds a second per hart, 8 vCPUs on 4 harts; on
		 * single-threaded TCG it starved the other harts into RCU stalls).
		 */
		csr_write(CSR_VSTIMECMP, UINT64_MAX);
	}
	if ((v->regs.sstatus & SSTATUS_FS) == SSTATUS_FS_DIRTY) {
		arch_fp_save(&v->fp);
		v->regs.sstatus = (v->regs.sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
	}
	/* Whatever is in the FP registers now must be restored next time. */
	v->fp_live = true;
	csr_write(CSR_HVIP, 0);
	h->current = 0;
	trace_event(h->hartid, v->vm->id, v->id, TRACE_VCPU_PUT, (unsigned)v->state, v->regs.sepc, 0, 0);
}

/* Fold asynchronous requests (IPIs, vPLIC, runtime CSR changes) in before entering the guest. */
void vcpu_update_hvip_slow(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint32_t plic_gen = __atomic_load_n(&vm->plic.gen, __ATOMIC_ACQUIRE);
	bool ext;
	uint64_t hvip, old_hvip;

	v->plic_gen = plic_gen;
	ext = vplic_any_pending(&vm->plic);
	if (v->csr_gen != vm->csr_gen) {
		v->csr_gen = vm->csr_gen;
		csr_write(CSR_HENVCFG, vm->henvcfg);
		csr_write(CSR_HEDELEG, vm->hedeleg);
	}
	if (v->flush_pending && __atomic_exchange_n(&v->flush_pending, 0, __ATOMIC_ACQ_REL)) {
		hfence_vvma_all();
		arch_fence_i();
	}
	hvip = old_hvip = csr_read(CSR_HVIP);
	if (v->ssip_pending && __atomic_exchange_n(&v->ssip_pending, 0, __ATOMIC_ACQ_REL))
		hvip |= MIP_VSSIP;
	v->vseip = ext && vplic_context_pending(&vm->plic, 2 * v->id + 1);
	if (v->vseip)
		hvip |= MIP_VSEIP;
	else
		hvip &= ~MIP_VSEIP;
	csr_write(CSR_HVIP, hvip);
	if (hvip != old_hvip) /* the timeline's injected interrupts */
		trace_event(this_hart()->hartid, vm->id, v->id, TRACE_IRQ_INJECT, 0, v->regs.sepc, hvip, old_hvip);
}

/*
 * Would WFI end?  An interrupt pending and enabled in vsie, whatever
 * vsstatus.SIE says (the spec's WFI rule), from the given hvip/vsie/vstimecmp.
 */
static bool wfi_would_wake(struct vcpu *v, uint64_t hvip, uint64_t vsie, uint64_t vstimecmp)
{
	uint64_t pending = 0;

	if (v->ssip_pending || (hvip & MIP_VSSIP))
		pending |= 1UL << IRQ_S_SOFT;
	if (arch_time() + v->htimedelta >= vstimecmp)
		pending |= 1UL << IRQ_S_TIMER;
	if (vplic_context_pending(&v->vm->plic, 2 * v->id + 1))
		pending |= 1UL << IRQ_S_EXT;
	return (pending & vsie) != 0;
}

/* vsip as the guest would read it, from the saved state of a vCPU that is not loaded. */
uint64_t vcpu_saved_vsip(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t hvip = v->hvip | (v->ssip_pending ? MIP_VSSIP : 0);

	if (vplic_context_pending(&vm->plic, 2 * v->id + 1))
		hvip |= MIP_VSEIP;
	if ((vm->henvcfg & ENVCFG_STCE) && arch_time() + v->htimedelta >= v->vstimecmp)
		hvip |= MIP_VSTIP;
	return (hvip & vm->hideleg) >> 1;
}

/* For a vCPU that is not loaded: its saved state. */
bool vcpu_has_interrupt(struct vcpu *v)
{
	return wfi_would_wake(v, v->hvip, v->vsie, v->vstimecmp);
}

/* Make the vCPU notice new state: wake it from WFI, or interrupt the hart running it. */
void vcpu_kick(struct vcpu *v)
{
	int hart = sched_wake(v);

	if (hart >= 0 && (unsigned)hart != this_hart()->hartid)
		sbi_send_ipi_hart(hart);
}

/* The same question for the vCPU loaded on this hart (its state is in the CSRs). */
bool vcpu_has_interrupt_loaded(struct vcpu *v)
{
	uint64_t vstimecmp = (v->vm->henvcfg & ENVCFG_STCE) ? csr_read(CSR_VSTIMECMP) : UINT64_MAX;

	return wfi_would_wake(v, csr_read(CSR_HVIP), csr_read(CSR_VSIE), vstimecmp);
}

/*
 * ---- A vCPU's VS CSRs, live or saved ----
 * Live in this hart's CSRs while the vCPU is loaded here (the console or the
 * debugger runs inside its exit), in struct vcpu otherwise (vm_quiesce()
 * makes sure it is not loaded anywhere else).
 */
static const struct {
	unsigned csr;
	size_t off;
} vs_saved[] = {
	{ CSR_VSSTATUS, offsetof(struct vcpu, vsstatus) },
	{ CSR_VSIE, offsetof(struct vcpu, vsie) },
	{ CSR_VSTVEC, offsetof(struct vcpu, vstvec) },
	{ CSR_VSSCRATCH, offsetof(struct vcpu, vsscratch) },
	{ CSR_VSEPC, offsetof(struct vcpu, vsepc) },
	{ CSR_VSCAUSE, offsetof(struct vcpu, vscause) },
	{ CSR_VSTVAL, offsetof(struct vcpu, vstval) },
	{ CSR_VSATP, offsetof(struct vcpu, vsatp) },
};

static int vs_saved_index(unsigned csr)
{
	for (unsigned i = 0; i < sizeof(vs_saved) / sizeof(vs_saved[0]); i++)
		if (vs_saved[i].csr == csr)
			return (int)i;
	return -1;
}

static uint64_t *vs_saved_field(struct vcpu *v, unsigned csr)
{
	int i = vs_saved_index(csr);

	return i < 0 ? 0 : (uint64_t *)((char *)v + vs_saved[i].off);
}

static bool vcpu_live_here(const struct vcpu *v)
{
	return this_hart()->current == v;
}

/* Every VS CSR but vsip, which the hypervisor computes. */
bool vcpu_vs_csr_writable(unsigned csr)
{
	return vs_saved_index(csr) >= 0;
}

int vcpu_vs_csr_read(struct vcpu *v, unsigned csr, uint64_t *val)
{
	uint64_t *saved = vs_saved_field(v, csr);

	if (vcpu_live_here(v))
		return arch_vs_csr_read(csr, val);
	if (csr == CSR_VSIP)
		*val = vcpu_saved_vsip(v);
	else if (saved)
		*val = *saved;
	else
		return -1;
	return 0;
}

int vcpu_vs_csr_write(struct vcpu *v, unsigned csr, uint64_t val)
{
	uint64_t *saved = vs_saved_field(v, csr);

	if (!saved)
		return -1;
	if (vcpu_live_here(v)) {
		arch_vs_csr_write(csr, val);
		if (csr == CSR_VSATP)
			hfence_vvma_all();
	} else {
		*saved = val;
		if (csr == CSR_VSATP)
			v->flush_pending = 1; /* no stale VS TLB entries for the old table */
	}
	return 0;
}
