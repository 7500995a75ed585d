#include <stdarg.h>
#include "core/postmortem.h"
#include "core/trap.h"
#include "core/vm.h"
#include "core/term.h"
#include "arch/csr.h"
#include "spec/decode.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/spinlock.h"
#include "spec/pte.h"
#include "spec/vswalk.h"
#include "trace/trace.h"

/*
 * Where report lines go: `hv> dump N` prints on the terminal only; a death
 * puts the report into the VM's console (ring and log) and on the terminal
 * only when that VM or the hv> console has focus.  Set under report_lock.
 */
static bool to_vm_console;

/* One report line. */
static void out(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(struct vm *vm, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (to_vm_console)
		term_vm_report(vm, buf);
	else
		hv_printf("%s", buf);
}

/* The first fault of the chain: the newest trace record of this vCPU that is not the repeating one. */
static void find_first_in(struct vm_postmortem *pm, const struct trace_record *recs, unsigned n);
static spinlock_t first_fault_lock = SPINLOCK_INIT; /* guards recs: two VMs may die at once */

static void find_first_fault(struct vm_postmortem *pm, int vm, int vcpu)
{
	static struct trace_record recs[256];
	unsigned n;

	spin_lock(&first_fault_lock);
	n = trace_collect_classes(vm, vcpu, TRACE_CLASS_EXITS, recs, 256);
	find_first_in(pm, recs, n);
	spin_unlock(&first_fault_lock);
}

static void find_first_in(struct vm_postmortem *pm, const struct trace_record *recs, unsigned n)
{
	pm->has_first = false;
	for (unsigned i = n; i-- > 0;) {
		const struct trace_record *r = &recs[i];
		if (!trace_is_exit(r->kind) || (r->cause & TRACE_CAUSE_IRQ))
			continue;
		if (trace_scause(r) == pm->scause && r->sepc == pm->sepc && r->stval == pm->stval)
			continue;
		pm->first_scause = trace_scause(r);
		pm->first_sepc = r->sepc;
		pm->first_stval = r->stval;
		pm->first_gpa = trace_gpa(r);
		pm->has_first = true;
		return;
	}
}

void postmortem_capture(struct vcpu *v, const struct exit_info *e, bool loop)
{
	struct vm_postmortem *pm = &v->vm->pm;

	memset(pm, 0, sizeof(*pm));
	pm->loop = loop;
	pm->vcpu = v->id;
	strncpy_safe(pm->why, e->why, sizeof(pm->why));
	pm->scause = e->scause, pm->sepc = e->sepc, pm->stval = e->stval;
	pm->htval = e->htval, pm->htinst = e->htinst;
	memcpy(pm->regs, v->regs.x, sizeof(pm->regs));
	pm->vsstatus = csr_read(CSR_VSSTATUS);
	pm->vsepc = csr_read(CSR_VSEPC);
	pm->vscause = csr_read(CSR_VSCAUSE);
	pm->vstval = csr_read(CSR_VSTVAL);
	pm->vsatp = csr_read(CSR_VSATP);
	pm->vstvec = csr_read(CSR_VSTVEC);
	pm->hstatus = v->regs.hstatus;
	pm->henvcfg = csr_read(CSR_HENVCFG);
	pm->hgatp = csr_read(CSR_HGATP);
	pm->hedeleg = csr_read(CSR_HEDELEG);
	pm->priv_u = !(v->regs.sstatus & SSTATUS_SPP);
	pm->time = arch_time();
	find_first_fault(pm, v->vm->id, v->id);
	postmortem_diagnose(v->vm, pm);
	pm->valid = true;
}

static void print_csr(struct vm *vm, const char *name, uint64_t value)
{
	char fields[400];

	if (decode_csr_fields(name, value, fields, sizeof(fields)) == 0)
		out(vm, "  %-9s 0x%016lx  %s\n", name, value, fields);
	else
		out(vm, "  %-9s 0x%016lx\n", name, value);
}

static void print_gstage_walk(struct vm *vm, uint64_t gpa_v)
{
	struct gstage_walk w;
	char bits[64];

	gstage_walk(vm->gstage.root, gpa(gpa_v), &w);
	out(vm, "  G-stage walk of GPA 0x%lx (Sv39x4, root 0x%lx):\n", gpa_v, vm->gstage.root.v);
	for (int i = 0; i < w.steps; i++) {
		decode_pte_bits(w.step[i].pte, bits, sizeof(bits));
		out(vm, "    level %d: table 0x%lx index %u pte 0x%016lx %s ppn 0x%lx\n", w.step[i].level,
		    w.step[i].table, w.step[i].index, w.step[i].pte, bits, pte_pa(w.step[i].pte) >> 12);
	}
	if (w.ok)
		out(vm, "    -> hpa 0x%lx\n", w.hpa.v);
	else
		out(vm, "    -> stops: %s\n", w.why);
}

static void print_vs_walk(struct vm *vm, const struct vm_postmortem *pm, uint64_t va, uint64_t scause)
{
	unsigned code = scause & 0xff;
	struct vs_walk w;
	char bits[64];

	postmortem_vs_walk(vm, pm, va, code, &w);
	out(vm, "  VS-stage walk of VA 0x%lx (%s, vsatp 0x%lx), %s access:\n", va, vswalk_mode_name(pm->vsatp),
	    pm->vsatp, code == CAUSE_FETCH_PAGE_FAULT ? "fetch" : code == CAUSE_LOAD_PAGE_FAULT ? "load" :
												  "store");
	if (w.bare)
		out(vm, "    vsatp is Bare: GPA = VA\n");
	for (int i = 0; i < w.steps; i++) {
		const struct vs_level *st = &w.step[i];
		decode_pte_bits(st->pte, bits, sizeof(bits));
		out(vm, "    level %d: table gpa 0x%lx index %u pte 0x%016lx %s ppn 0x%lx%s\n", st->level,
		    st->table_gpa, st->index, st->pte, bits, pte_pa(st->pte) >> 12, i == w.leaf ? " (leaf)" : "");
	}
	if (w.ok || w.ad_only)
		out(vm, "    -> gpa 0x%lx\n", w.gpa);
	if (!w.ok)
		out(vm, "    -> fault: %s (hardware raises: %s)\n", w.why, decode_cause_name(w.cause));
	if (w.ok || w.ad_only || w.bare)
		print_gstage_walk(vm, w.gpa);
}

/* Walk what the fault was about: a VA (page faults) or a GPA (guest-page faults). */
static void print_walks(struct vm *vm, const struct vm_postmortem *pm, uint64_t scause, uint64_t stval, uint64_t gpa)
{
	unsigned code = scause & 0xff;

	if (scause & CAUSE_IRQ_FLAG)
		return;
	if (code == CAUSE_FETCH_PAGE_FAULT || code == CAUSE_LOAD_PAGE_FAULT || code == CAUSE_STORE_PAGE_FAULT)
		print_vs_walk(vm, pm, stval, scause);
	else if (code >= CAUSE_FETCH_GUEST_PAGE_FAULT)
		print_gstage_walk(vm, gpa);
}

/* Records that say the same thing (a fault loop) are printed once, with a count. */
static bool same_event(const struct trace_record *a, const struct trace_record *b)
{
	return a->cause == b->cause && a->sepc == b->sepc && a->stval == b->stval && a->kind == b->kind &&
	       a->info == b->info && a->payload[0] == b->payload[0] && a->payload[1] == b->payload[1];
}

static void print_trace(struct vm *vm, unsigned vcpu)
{
	static struct trace_record recs[POSTMORTEM_TRACE_RECORDS];
	unsigned n = trace_collect_classes(vm->id, vcpu, TRACE_CLASS_EXITS, recs, POSTMORTEM_TRACE_RECORDS);
	char payload[160];

	out(vm, "  last %u trace records of vm%d.%u (oldest first):\n", n, vm->id, vcpu);
	for (unsigned i = 0, run; i < n; i += run) {
		const struct trace_record *r = &recs[i];
		for (run = 1; i + run < n && same_event(r, &recs[i + run]); run++)
			;
		const char *what = trace_is_exit(r->kind) ? decode_cause_name(trace_scause(r)) : "event";

		decode_trace_payload(r, payload, sizeof(payload));
		if (run > 1)
			out(vm, "    #%lu..#%lu  %u x %s sepc 0x%lx stval 0x%lx%s%s\n", r->seq, recs[i + run - 1].seq,
			    run, what, r->sepc, r->stval, payload[0] ? " " : "", payload);
		else
			out(vm, "    #%lu t=%lu h%u %s sepc 0x%lx stval 0x%lx%s%s\n", r->seq, r->time, r->hart,
			    what, r->sepc, r->stval, payload[0] ? " " : "", payload);
	}
}

/* Two VMs dying at once on two harts must not interleave their reports. */
static spinlock_t report_lock = SPINLOCK_INIT;

static void print_report(struct vm *vm)
{
	const struct vm_postmortem *pm = &vm->pm;
	/* cppcheck-suppress shadowFunction ; the address, not mem/types.h's gpa() */
	uint64_t gpa = pm->htval << 2 | (pm->stval & 3);

	out(vm, "=== hvscope post-mortem: vm%d (%s) vCPU %u: %s\n", vm->id, vm->name, pm->vcpu, pm->why);
	out(vm, "  scause 0x%lx: %s %lu: %s%s\n", pm->scause, pm->scause & CAUSE_IRQ_FLAG ? "interrupt" : "exception",
	    pm->scause & ~CAUSE_IRQ_FLAG, decode_cause_name(pm->scause), pm->loop ? " (repeating: fault loop)" : "");
	out(vm, "  sepc 0x%lx stval 0x%lx htval 0x%lx (GPA 0x%lx) htinst 0x%lx, in %s-mode\n",
	    pm->sepc, pm->stval, pm->htval, gpa, pm->htinst, pm->priv_u ? "VU" : "VS");
	for (int i = 0; i < 32; i += 4)
		out(vm, "  %-4s 0x%016lx %-4s 0x%016lx %-4s 0x%016lx %-4s 0x%016lx\n", riscv_abi_names[i], pm->regs[i],
		    riscv_abi_names[i + 1], pm->regs[i + 1], riscv_abi_names[i + 2], pm->regs[i + 2], riscv_abi_names[i + 3], pm->regs[i + 3]);
	print_csr(vm, "vsstatus", pm->vsstatus);
	print_csr(vm, "vsepc", pm->vsepc);
	print_csr(vm, "vscause", pm->vscause);
	print_csr(vm, "vstval", pm->vstval);
	print_csr(vm, "vstvec", pm->vstvec);
	print_csr(vm, "vsatp", pm->vsatp);
	print_csr(vm, "hstatus", pm->hstatus);
	print_csr(vm, "henvcfg", pm->henvcfg);
	print_csr(vm, "hgatp", pm->hgatp);
	print_csr(vm, "hedeleg", pm->hedeleg);
	out(vm, "  faulting access:\n");
	print_walks(vm, pm, pm->scause, pm->stval, gpa);
	if (pm->has_first) {
		out(vm, "  first fault of the chain: scause 0x%lx %s, sepc 0x%lx stval 0x%lx\n", pm->first_scause,
		    decode_cause_name(pm->first_scause), pm->first_sepc, pm->first_stval);
		print_walks(vm, pm, pm->first_scause, pm->first_stval, pm->first_gpa);
	}
	print_trace(vm, pm->vcpu);
	out(vm, "diagnosis: %s\n", pm->diagnosis);
	out(vm, "=== end of report (vm%d stopped; other VMs keep running; `hv> dump %d` shows it again)\n",
	    vm->id, vm->id);
}

/* `hv> dump N`: the report again, on the terminal. */
void postmortem_print(struct vm *vm)
{
	if (!vm->pm.valid) {
		hv_printf("vm%d: no post-mortem report (the VM has not died)\n", vm->id);
		return;
	}
	spin_lock(&report_lock);
	to_vm_console = false;
	print_report(vm);
	spin_unlock(&report_lock);
}

/*
 * A VM just died: its report goes into its own console and log (and on the
 * terminal if it or hv> has focus); wherever the focus is, one line says so.
 */
void postmortem_announce(struct vm *vm)
{
	spin_lock(&report_lock);
	to_vm_console = true;
	print_report(vm);
	to_vm_console = false;
	spin_unlock(&report_lock);
	vm_notice(vm, "vm%d: %s dead: %s%s (hv> dump %d)\n", vm->id, vm->name, vm->pm.loop ? "fault loop, " : "",
		  vm->pm.tag, vm->id);
}
