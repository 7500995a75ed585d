/*
 * The report printed when a VM stops on a fault: everything needed to
 * understand it without a rerun (decoded cause, trap CSRs, GPRs, VS/H CSRs,
 * the G-stage walk of the faulting guest-physical address).
 */
#include "core/report.h"
#include "core/trap.h"
#include "core/vm.h"
#include "core/cons.h"
#include "arch/csr.h"
#include "mem/pte.h"

static const char *const abi_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
	"a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static void pte_bits(uint64_t pte, char out[9])
{
	static const char letters[] = "VRWXUGAD";

	for (int i = 0; i < 8; i++)
		out[i] = (pte >> i) & 1 ? letters[i] : '-';
	out[8] = '\0';
}

void report_gstage_walk(const struct vcpu *v, unsigned long gpa_v)
{
	struct gstage_walk w;
	char bits[9];

	gstage_walk(v->vm->gstage.root, gpa(gpa_v), &w);
	hv_printf("  G-stage (Sv39x4, hgatp root 0x%lx) walk of GPA 0x%lx:\n", v->vm->gstage.root.v, gpa_v);
	for (int i = 0; i < w.steps; i++) {
		pte_bits(w.step[i].pte, bits);
		hv_printf("    level %d: table 0x%lx index %u pte 0x%016lx %s ppn 0x%lx\n",
			  w.step[i].level, w.step[i].table, w.step[i].index, w.step[i].pte, bits,
			  pte_pa(w.step[i].pte) >> 12);
	}
	if (w.ok)
		hv_printf("    -> hpa 0x%lx\n", w.hpa.v);
	else
		hv_printf("    -> stops: %s\n", w.why);
}

void report_vm_fault(struct vcpu *v, const struct exit_info *e)
{
	const struct vm *vm = v->vm;
	uint64_t gpa = e->htval << 2 | (e->stval & 3);

	hv_printf("==== hvscope: vm%d (%s) vCPU %u fault report ====\n", vm->id, vm->name, v->id);
	hv_printf("  reason: %s\n", e->why);
	hv_printf("  scause 0x%lx: %s %lu: %s\n", e->scause,
		  e->scause & CAUSE_IRQ_FLAG ? "interrupt" : "exception",
		  e->scause & ~CAUSE_IRQ_FLAG, trap_cause_name(e->scause));
	hv_printf("  sepc 0x%lx  stval 0x%lx  htval 0x%lx (GPA 0x%lx)  htinst 0x%lx\n",
		  e->sepc, e->stval, e->htval, gpa, e->htinst);
	hv_printf("  privilege: %s\n", v->regs.sstatus & SSTATUS_SPP ? "VS" : "VU");
	for (int i = 0; i < 32; i += 4)
		hv_printf("  %-4s 0x%016lx %-4s 0x%016lx %-4s 0x%016lx %-4s 0x%016lx\n",
			  abi_names[i], v->regs.x[i], abi_names[i + 1], v->regs.x[i + 1],
			  abi_names[i + 2], v->regs.x[i + 2], abi_names[i + 3], v->regs.x[i + 3]);
	hv_printf("  vsstatus 0x%lx vsepc 0x%lx vscause 0x%lx vstval 0x%lx vsatp 0x%lx vstvec 0x%lx\n",
		  csr_read(CSR_VSSTATUS), csr_read(CSR_VSEPC), csr_read(CSR_VSCAUSE),
		  csr_read(CSR_VSTVAL), csr_read(CSR_VSATP), csr_read(CSR_VSTVEC));
	hv_printf("  hstatus 0x%lx henvcfg 0x%lx hgatp 0x%lx hedeleg 0x%lx\n",
		  v->regs.hstatus, csr_read(CSR_HENVCFG), csr_read(CSR_HGATP), csr_read(CSR_HEDELEG));
	if ((e->scause & ~CAUSE_IRQ_FLAG) >= CAUSE_FETCH_GUEST_PAGE_FAULT)
		report_gstage_walk(v, gpa);
	hv_printf("==== end of report; other VMs keep running ====\n");
}
