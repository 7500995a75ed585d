/*
 * The hypervisor side of struct console_ops (console/console.h): adapters
 * from the console's VM numbers and structs to the functions that do the
 * work (core/vm.c pauses VMs and changes their CSRs, core/vcpu.c reads a
 * vCPU's CSRs live or saved, core/term.c keeps the VMs' output).  The
 * console runs on whichever hart took the UART interrupt, possibly inside
 * an exit of a vCPU loaded on that hart: core/vm.c says what that means.
 */
#include "console/console.h"
#include "core/term.h"
#include "core/hart.h"
#include "core/host.h"
#include "core/postmortem.h"
#include "core/vm.h"
#include "arch/csr.h"
#include "arch/timer.h"
#include "arch/sbi_call.h"
#include "mem/page.h"
#include "sbi/sbi.h"
#include "trace/trace.h"
#include "core/tracefile.h"
#include "vdev/vvirtio_blk.h"
#include "gdbstub/gdbstub.h"
#include "lib/string.h"

static struct vm *glue_vm(int id)
{
	return vm_get(id);
}

static void glue_write(const char *s)
{
	term_write_raw(s);
}

static int glue_vm_count(void)
{
	return (int)vm_count;
}

/* What one VM slot costs the hypervisor, whether or not a VM uses it. */
static uint64_t vm_state_size(void)
{
	return sizeof(struct vm) + vvblk_state_size() + gdbstub_state_size();
}

static bool glue_vm_info(int id, struct console_vm_info *out)
{
	struct vm *vm = glue_vm(id);

	if (!vm)
		return false;
	memset(out, 0, sizeof(*out));
	out->id = vm->id;
	strncpy_safe(out->name, vm->name, sizeof(out->name));
	out->state = vm->debugger_held ? "stopped in debugger" : vm_state_name(vm->state);
	out->vcpus = vm->vcpu_count;
	out->ram_size = vm->ram_size;
	out->adue = vm->adue;
	out->ad_emulation = vm->ad_emulation;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu *c = &vm->vcpus[i];

		if (i < CONSOLE_VCPUS_MAX)
			out->harts[i] = c->hart;
		out->exits += c->stats.exits;
	}
	strncpy_safe(out->stop_reason, vm->stop_reason, sizeof(out->stop_reason));
	out->gstage_bytes = (uint64_t)vm->gstage.table_pages * PAGE_SIZE;
	out->hv_bytes = vm_state_size();
	return true;
}

static const char *glue_version(void)
{
	return "0.1 (" __DATE__ ")";
}

static void glue_quit(void)
{
	trace_stream_flush(); /* the trace file gets the rings' last records */
	sbi_shutdown();
}

static void glue_mem(uint64_t *total, uint64_t *free)
{
	page_stats(total, free);
}

static void glue_mem_layout(struct console_mem_layout *out)
{
	extern char _start[], _end[], __bss_start[];

	/* linker symbols: addresses, not objects to subtract pointers of */
	out->image_bytes = (uint64_t)(uintptr_t)_end - (uint64_t)(uintptr_t)_start;
	out->code_bytes = (uint64_t)(uintptr_t)__bss_start - (uint64_t)(uintptr_t)_start;
	out->trace_bytes = sizeof(trace_rings);
	out->stack_bytes = sizeof(hv_stacks);
	out->vm_bytes = VM_MAX * vm_state_size();
	out->harts_max = HV_MAX_HARTS;
	out->vms_max = VM_MAX;
}

static uint64_t glue_timebase(void)
{
	return hv_timebase;
}

/* ---- VMs: the work is in core/vm.c ---- */

static int glue_vm_pause(int id, const char **why)
{
	return vm_pause(glue_vm(id), why);
}

static int glue_vm_resume(int id, const char **why)
{
	return vm_resume(glue_vm(id), why);
}

static int glue_vm_reset(int id, const char **why)
{
	(void)why;
	vm_reset_wait(glue_vm(id), "hv> reset");
	return 0;
}

static const char *glue_vm_bootargs(int id)
{
	return glue_vm(id)->image.bootargs;
}

static int glue_vm_set_bootargs(int id, const char *text, const char **why)
{
	return vm_set_bootargs(glue_vm(id), text, why);
}

static int glue_vm_kill(int id, const char **why)
{
	return vm_kill(glue_vm(id), "killed from the hv> console", why);
}

static bool glue_vm_dump(int id)
{
	struct vm *vm = glue_vm(id);

	if (!vm->pm.valid)
		return false;
	postmortem_print(vm);
	return true;
}

static size_t glue_vm_log(int id, char *buf, size_t size, uint64_t *dropped)
{
	return term_vm_tail(glue_vm(id), buf, size, dropped);
}

/* ---- CSRs ---- */

static int glue_hart_csr_write(unsigned csr, uint64_t v, const char **why)
{
	if (arch_hs_csr_write(csr, v) == 0)
		return 0;
	*why = "not writable from the console";
	return -1;
}

static void glue_last_trap(struct console_last_trap *out)
{
	const struct guest_trap *t = &this_hart()->last_trap;

	*out = (struct console_last_trap){ t->scause, t->sepc, t->stval, t->htval, t->htinst,
					   t->vcpu ? t->vcpu->vm->id : -1, t->vcpu ? (int)t->vcpu->id : -1 };
}

static void read_vs_csrs(struct vcpu *v, struct console_vcpu *o)
{
	vcpu_vs_csr_read(v, CSR_VSSTATUS, &o->vsstatus);
	vcpu_vs_csr_read(v, CSR_VSIE, &o->vsie);
	vcpu_vs_csr_read(v, CSR_VSIP, &o->vsip);
	vcpu_vs_csr_read(v, CSR_VSTVEC, &o->vstvec);
	vcpu_vs_csr_read(v, CSR_VSSCRATCH, &o->vsscratch);
	vcpu_vs_csr_read(v, CSR_VSEPC, &o->vsepc);
	vcpu_vs_csr_read(v, CSR_VSCAUSE, &o->vscause);
	vcpu_vs_csr_read(v, CSR_VSTVAL, &o->vstval);
	vcpu_vs_csr_read(v, CSR_VSATP, &o->vsatp);
}

static int glue_vcpu_read(int id, unsigned idx, struct console_vcpu *o, const char **why)
{
	struct vm *vm = glue_vm(id);
	struct vcpu *v = &vm->vcpus[idx];
	bool paused;

	if (vm_quiesce(vm, &paused, why))
		return -1;
	memset(o, 0, sizeof(*o));
	o->pc = v->regs.sepc;
	memcpy(o->x, v->regs.x, sizeof(o->x));
	o->priv_u = !(v->regs.sstatus & SSTATUS_SPP);
	o->hart = v->hart;
	o->hstatus = v->regs.hstatus;
	read_vs_csrs(v, o);
	o->henvcfg = vm->henvcfg;
	o->hedeleg = vm->hedeleg;
	o->hideleg = vm->hideleg;
	o->hgatp = gstage_hgatp(&vm->gstage, vm->vmid);
	vm_unquiesce(vm, paused);
	return 0;
}

static int glue_vcpu_csr_write(int id, unsigned idx, unsigned csr, uint64_t val, const char **why)
{
	return vm_vcpu_csr_write(glue_vm(id), idx, csr, val, why);
}

/* ---- ADUE, A/D emulation, delegation ---- */

static uint64_t glue_henvcfg_caps(void)
{
	return hv_henvcfg_caps;
}

static int glue_set_adue(int id, bool on, const char **why)
{
	if (vm_set_adue(glue_vm(id), on)) {
		*why = "this hart cannot set henvcfg.ADUE (no Svadu, or menvcfg.ADUE is clear)";
		return -1;
	}
	return 0;
}

static void glue_set_ad_emulation(int id, bool on)
{
	vm_set_ad_emulation(glue_vm(id), on);
}

static int glue_set_hedeleg(int id, uint64_t hedeleg, const char **why)
{
	if (vm_set_hedeleg(glue_vm(id), hedeleg)) {
		*why = "some of these exceptions cannot be delegated";
		return -1;
	}
	return 0;
}

/* ---- guest memory ---- */

static uint64_t *glue_guest_pte(int id, uint64_t g)
{
	return vm_pte_ptr(glue_vm(id), g);
}

static int glue_read_guest(int id, uint64_t g, void *buf, size_t len)
{
	struct vm *vm = glue_vm(id);

	if (!vm_gpa_range_ok(vm, g, len))
		return -1;
	memcpy(buf, vm_gpa_ptr(vm, g), len);
	return 0;
}

static void glue_gstage_walk(int id, uint64_t g, struct gstage_walk *w, uint64_t *hgatp)
{
	struct vm *vm = glue_vm(id);

	gstage_walk(vm->gstage.root, gpa(g), w);
	*hgatp = gstage_hgatp(&vm->gstage, vm->vmid);
}

/* ---- trace and statistics ---- */

static void glue_trace_get(struct console_trace_state *out)
{
	out->enabled = trace_ctl.enabled;
	out->vm_mask = trace_ctl.vm_mask;
	out->class_mask = trace_ctl.class_mask;
	trace_totals(&out->recorded, &out->lost);
	out->file_open = trace_stream_is_open();
	out->file_on = trace_stream_on();
	trace_stream_totals(&out->file_bytes, &out->file_dropped);
	out->file_path = tracefile_path();
}

static int glue_trace_file_set(bool on)
{
	if (on)
		return tracefile_open();
	trace_stream_set(false);
	return 0;
}

static void glue_trace_set(bool enabled, uint64_t vm_mask, uint32_t class_mask)
{
	trace_set(enabled, vm_mask, class_mask);
}

static bool glue_stats(int id, struct console_stats *o)
{
	struct vm *vm = glue_vm(id);

	memset(o, 0, sizeof(*o));
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu_stats *s = &vm->vcpus[i].stats;
		o->exits += s->exits;
		for (unsigned c = 0; c < CAUSE_COUNT; c++)
			o->by_cause[c] += s->by_cause[c];
		for (unsigned q = 0; q < 16; q++)
			o->by_irq[q] += s->by_irq[q];
		o->sbi_calls += s->sbi_calls;
		for (unsigned e = 0; e < VM_SBI_EXT_SLOTS && e < CONSOLE_SBI_EXTS; e++)
			o->sbi_by_ext[e] += s->sbi_by_ext[e];
		o->mmio += s->mmio;
		for (unsigned d = 0; d < VM_MMIO_DEV_SLOTS && d < CONSOLE_MMIO_DEVS; d++)
			o->mmio_by_dev[d] += s->mmio_by_dev[d];
		o->ad_fixups += s->ad_fixups;
		o->pf_reflected += s->pf_reflected;
	}
	/* The slots are those of the tables in sbi/sbi.c and vdev/mmio.c. */
	for (unsigned e = 0; e < CONSOLE_SBI_EXTS; e++)
		o->sbi_ext_name[e] = sbi_ext_name_at(e);
	for (unsigned d = 0; d < CONSOLE_MMIO_DEVS; d++)
		o->mmio_dev_name[d] = mmio_dev_name_at(d);
	return true;
}

static void glue_stats_reset(int id)
{
	vm_stats_reset(glue_vm(id));
}

static bool glue_hart_stats(unsigned n, struct console_hart_stats *o)
{
	const struct hart *h;

	if (n >= host.hart_count || host.hartids[n] >= HV_MAX_HARTS)
		return false;
	h = &harts[host.hartids[n]];
	o->hartid = host.hartids[n];
	o->idle = h->idle_ticks;
	o->idle_empty = h->idle_empty;
	return true;
}

/* Plain stores racing the harts' own increments: a reset is approximate by a round or two. */
static void glue_hart_stats_reset(void)
{
	for (unsigned i = 0; i < HV_MAX_HARTS; i++)
		harts[i].idle_ticks = harts[i].idle_empty = 0;
}

static const struct console_ops hv_console_ops = {
	.write = glue_write,
	.version = glue_version,
	.quit = glue_quit,
	.mem = glue_mem,
	.mem_layout = glue_mem_layout,
	.timebase = glue_timebase,
	.vm_count = glue_vm_count,
	.vm_info = glue_vm_info,
	.vm_pause = glue_vm_pause,
	.vm_resume = glue_vm_resume,
	.vm_reset = glue_vm_reset,
	.vm_bootargs = glue_vm_bootargs,
	.vm_set_bootargs = glue_vm_set_bootargs,
	.vm_kill = glue_vm_kill,
	.vm_dump = glue_vm_dump,
	.vm_log = glue_vm_log,
	.hart_csr_read = arch_hs_csr_read,
	.hart_csr_write = glue_hart_csr_write,
	.last_trap = glue_last_trap,
	.vcpu_read = glue_vcpu_read,
	.vcpu_csr_write = glue_vcpu_csr_write,
	.henvcfg_caps = glue_henvcfg_caps,
	.set_adue = glue_set_adue,
	.set_ad_emulation = glue_set_ad_emulation,
	.hedeleg_allowed = vm_hedeleg_allowed,
	.set_hedeleg = glue_set_hedeleg,
	.guest_pte = glue_guest_pte,
	.read_guest = glue_read_guest,
	.gstage_walk = glue_gstage_walk,
	.trace_collect = trace_collect_classes,
	.trace_get = glue_trace_get,
	.trace_set = glue_trace_set,
	.trace_clear = trace_clear,
	.trace_file_set = glue_trace_file_set,
	.stats = glue_stats,
	.stats_reset = glue_stats_reset,
	.hart_stats = glue_hart_stats,
	.hart_stats_reset = glue_hart_stats_reset,
};

void console_init(void)
{
	console_setup(&hv_console_ops);
	term_set_shell(console_input, console_prompt);
}
