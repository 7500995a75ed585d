/*
 * The hypervisor side of struct console_ops (console/console.h).
 *
 * The console runs on whichever hart took the UART interrupt, possibly in
 * the middle of handling a trap of a vCPU loaded on that hart ("self"
 * below).  A vCPU's saved state is only valid while it is not loaded, so
 * reading or writing another vCPU's state pauses its VM first, waits until
 * none of its vCPUs is loaded on a hart (the pattern of vm_reset), works on
 * the saved fields, and resumes the VM if it was running.  Self is not
 * waited for: its VS CSRs are live in this hart's CSRs and its GPRs were
 * saved at the trap, so it is read and written there.
 */
#include "console/console.h"
#include "core/term.h"
#include "core/hart.h"
#include "core/postmortem.h"
#include "core/sched.h"
#include "core/vm.h"
#include "arch/csr.h"
#include "arch/timer.h"
#include "arch/asm.h"
#include "arch/sbi_call.h"
#include "mem/page.h"
#include "sbi/sbi.h"
#include "trace/trace.h"
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

/* ---- pausing a VM ---- */

static struct vcpu *self_vcpu(void)
{
	return this_hart()->current;
}

static void kick_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (&vm->vcpus[i] != self_vcpu())
			vcpu_kick(&vm->vcpus[i]);
}

/* Wait (at most a second) until no vCPU of the VM but self is loaded on a hart. */
static bool wait_unloaded(struct vm *vm)
{
	uint64_t deadline = arch_time() + hv_timebase;

	kick_all(vm);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = &vm->vcpus[i];
		if (v == self_vcpu())
			continue;
		while (__atomic_load_n(&v->running, __ATOMIC_ACQUIRE))
			if (arch_time() > deadline)
				return false;
	}
	return true;
}

static const char *state_refusal(enum vm_state s)
{
	switch (s) {
	case VM_RUNNING: return "it is running";
	case VM_PAUSED: return "it is paused";
	case VM_STOPPED: return "it is stopped";
	case VM_RESETTING: return "it is resetting";
	default: return "it is dead (dump N shows why; reset N restarts it)";
	}
}

/* RUNNING -> PAUSED; true if this call paused it (and must resume it). */
static bool pause_if_running(struct vm *vm)
{
	bool paused = false;

	spin_lock(&vm->lock);
	if (vm->state == VM_RUNNING) {
		vm->state = VM_PAUSED;
		paused = true;
	}
	spin_unlock(&vm->lock);
	return paused;
}

static void resume_if_paused(struct vm *vm)
{
	spin_lock(&vm->lock);
	if (vm->state == VM_PAUSED)
		vm->state = VM_RUNNING;
	spin_unlock(&vm->lock);
	kick_all(vm);
}

/* A consistent view of the VM's vCPUs: returns -1 (VM left as it was) if they do not stop. */
static int quiesce(struct vm *vm, bool *paused, const char **why)
{
	*paused = pause_if_running(vm);
	if (wait_unloaded(vm))
		return 0;
	if (*paused)
		resume_if_paused(vm);
	*why = "its vCPUs did not leave their harts within 1 s";
	return -1;
}

static void unquiesce(struct vm *vm, bool paused)
{
	if (paused)
		resume_if_paused(vm);
}

static int glue_vm_pause(int id, const char **why)
{
	struct vm *vm = glue_vm(id);

	if (!pause_if_running(vm)) {
		*why = state_refusal(vm->state);
		return -1;
	}
	if (!wait_unloaded(vm)) {
		*why = "paused, but its vCPUs did not leave their harts within 1 s";
		return -1;
	}
	return 0;
}

static int glue_vm_resume(int id, const char **why)
{
	struct vm *vm = glue_vm(id);

	if (vm->state != VM_PAUSED) {
		*why = state_refusal(vm->state);
		return -1;
	}
	resume_if_paused(vm);
	return 0;
}

static int glue_vm_reset(int id, const char **why)
{
	struct vm *vm = glue_vm(id);

	uint32_t gen = __atomic_load_n(&vm->reset_gen, __ATOMIC_ACQUIRE);
	uint64_t deadline = arch_time() + hv_timebase;
	struct vcpu *self = self_vcpu();

	(void)why;
	vm_reset(vm, "hv> reset");
	/*
	 * The reset happens once the VM's vCPUs have left their harts: wait
	 * (at most a second) so the reply shows the VM running again, unless
	 * one of them is loaded right here, under this console call: then it
	 * happens as soon as the call returns, and `vms` says "resetting".
	 */
	if (self && self->vm == vm)
		return 0;
	while (__atomic_load_n(&vm->reset_gen, __ATOMIC_ACQUIRE) == gen && arch_time() < deadline)
		;
	return 0;
}

static const char *glue_vm_bootargs(int id)
{
	return glue_vm(id)->image.bootargs;
}

/* Taken by vmfdt_build() at the VM's next (re)start; a running VM is unaffected until then. */
static int glue_vm_set_bootargs(int id, const char *text, const char **why)
{
	struct vm *vm = glue_vm(id);

	if (strlen(text) >= sizeof(vm->image.bootargs)) {
		*why = "longer than a VM's bootargs can be (127 characters)";
		return -1;
	}
	spin_lock(&vm->lock);
	strncpy_safe(vm->image.bootargs, text, sizeof(vm->image.bootargs));
	spin_unlock(&vm->lock);
	return 0;
}

static int glue_vm_kill(int id, const char **why)
{
	struct vm *vm = glue_vm(id);

	if (vm->state == VM_STOPPED || vm->state == VM_DEAD) {
		*why = state_refusal(vm->state);
		return -1;
	}
	vm_stop(vm, VM_STOPPED, "killed from the hv> console");
	return 0;
}

static bool glue_vm_dump(int id)
{
	struct vm *vm = glue_vm(id);

	if (!vm->pm.valid)
		return false;
	postmortem_print(vm);
	return true;
}

/* The last `size` bytes of the VM's console ring (read without the console lock: at worst a torn byte). */
static size_t glue_vm_log(int id, char *buf, size_t size, uint64_t *dropped)
{
	const struct term_ring *r = &glue_vm(id)->term;
	uint64_t end = r->written, from = end > TERM_RING_SIZE ? end - TERM_RING_SIZE : 0;
	size_t n = 0;

	if (end - from > size)
		from = end - size;
	*dropped = from;
	for (uint64_t i = from; i < end; i++)
		buf[n++] = r->buf[i % TERM_RING_SIZE];
	return n;
}

/* ---- CSRs ---- */

static int glue_hart_csr_read(unsigned csr, uint64_t *v)
{
	switch (csr) {
	case CSR_HSTATUS: *v = csr_read(CSR_HSTATUS); break;
	case CSR_HEDELEG: *v = csr_read(CSR_HEDELEG); break;
	case CSR_HIDELEG: *v = csr_read(CSR_HIDELEG); break;
	case CSR_HIE: *v = csr_read(CSR_HIE); break;
	case CSR_HIP: *v = csr_read(CSR_HIP); break;
	case CSR_HVIP: *v = csr_read(CSR_HVIP); break;
	case CSR_HGEIE: *v = csr_read(CSR_HGEIE); break;
	case CSR_HGATP: *v = csr_read(CSR_HGATP); break;
	case CSR_HENVCFG: *v = csr_read(CSR_HENVCFG); break;
	case CSR_HTIMEDELTA: *v = csr_read(CSR_HTIMEDELTA); break;
	case CSR_HCOUNTEREN: *v = csr_read(CSR_HCOUNTEREN); break;
	case CSR_SSTATUS: *v = csr_read(CSR_SSTATUS); break;
	case CSR_SIE: *v = csr_read(CSR_SIE); break;
	case CSR_SIP: *v = csr_read(CSR_SIP); break;
	case CSR_SATP: *v = csr_read(CSR_SATP); break;
	case CSR_STVEC: *v = csr_read(CSR_STVEC); break;
	case CSR_SSCRATCH: *v = csr_read(CSR_SSCRATCH); break;
	case CSR_TIME: *v = csr_read(CSR_TIME); break;
	default: return -1;
	}
	return 0;
}

/* Only the CSRs whose change cannot hurt the hypervisor (console/cmd_csr.c says why for the rest). */
static int glue_hart_csr_write(unsigned csr, uint64_t v, const char **why)
{
	switch (csr) {
	case CSR_HVIP: csr_write(CSR_HVIP, v); return 0;
	case CSR_HIE: csr_write(CSR_HIE, v); return 0;
	case CSR_HGEIE: csr_write(CSR_HGEIE, v); return 0;
	default: *why = "not writable from the console"; return -1;
	}
}

static void glue_last_trap(struct console_last_trap *out)
{
	const struct guest_trap *t = &this_hart()->last_trap;

	*out = (struct console_last_trap){ t->scause, t->sepc, t->stval, t->htval, t->htinst, t->vm, t->vcpu };
}

static void read_vs_csrs(struct vcpu *v, struct console_vcpu *o)
{
	if (v == self_vcpu()) {
		o->vsstatus = csr_read(CSR_VSSTATUS);
		o->vsie = csr_read(CSR_VSIE);
		o->vsip = csr_read(CSR_VSIP);
		o->vstvec = csr_read(CSR_VSTVEC);
		o->vsscratch = csr_read(CSR_VSSCRATCH);
		o->vsepc = csr_read(CSR_VSEPC);
		o->vscause = csr_read(CSR_VSCAUSE);
		o->vstval = csr_read(CSR_VSTVAL);
		o->vsatp = csr_read(CSR_VSATP);
		return;
	}
	o->vsstatus = v->vsstatus;
	o->vsie = v->vsie;
	o->vsip = vcpu_saved_vsip(v);
	o->vstvec = v->vstvec;
	o->vsscratch = v->vsscratch;
	o->vsepc = v->vsepc;
	o->vscause = v->vscause;
	o->vstval = v->vstval;
	o->vsatp = v->vsatp;
}

static int glue_vcpu_read(int id, unsigned idx, struct console_vcpu *o, const char **why)
{
	struct vm *vm = glue_vm(id);
	struct vcpu *v = &vm->vcpus[idx];
	bool paused;

	if (quiesce(vm, &paused, why))
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
	unquiesce(vm, paused);
	return 0;
}

static void write_vs_csr(struct vcpu *v, unsigned csr, uint64_t val)
{
	bool live = v == self_vcpu();

	switch (csr) {
	case CSR_VSSTATUS: if (live) csr_write(CSR_VSSTATUS, val); else v->vsstatus = val; break;
	case CSR_VSIE: if (live) csr_write(CSR_VSIE, val); else v->vsie = val; break;
	case CSR_VSTVEC: if (live) csr_write(CSR_VSTVEC, val); else v->vstvec = val; break;
	case CSR_VSSCRATCH: if (live) csr_write(CSR_VSSCRATCH, val); else v->vsscratch = val; break;
	case CSR_VSEPC: if (live) csr_write(CSR_VSEPC, val); else v->vsepc = val; break;
	case CSR_VSCAUSE: if (live) csr_write(CSR_VSCAUSE, val); else v->vscause = val; break;
	case CSR_VSTVAL: if (live) csr_write(CSR_VSTVAL, val); else v->vstval = val; break;
	case CSR_VSATP:
		if (live) {
			csr_write(CSR_VSATP, val);
			hfence_vvma_all();
		} else {
			v->vsatp = val;
			v->flush_pending = 1;	/* no stale VS TLB entries for the old table */
		}
		break;
	}
}

/* The VM's henvcfg: only bits the hart has; ADUE through the policy switch (it also moves hedeleg). */
static int write_henvcfg(struct vm *vm, uint64_t val, const char **why)
{
	if (val & ~hv_henvcfg_caps) {
		*why = "the hart cannot set some of these bits (csr henvcfg after boot shows which it can)";
		return -1;
	}
	if (vm_set_adue(vm, (val & ENVCFG_ADUE) != 0)) {
		*why = "the hart cannot set ADUE";
		return -1;
	}
	spin_lock(&vm->lock);
	vm->henvcfg = val;
	__atomic_add_fetch(&vm->csr_gen, 1, __ATOMIC_RELEASE);
	spin_unlock(&vm->lock);
	kick_all(vm);
	return 0;
}

static int glue_vcpu_csr_write(int id, unsigned idx, unsigned csr, uint64_t val, const char **why)
{
	struct vm *vm = glue_vm(id);
	bool paused;

	switch (csr) {
	case CSR_HENVCFG:
		return write_henvcfg(vm, val, why);
	case CSR_HEDELEG:
		if (vm_set_hedeleg(vm, val)) {
			*why = "some of these exceptions cannot be delegated (their hedeleg bits are read-only zero)";
			return -1;
		}
		return 0;
	case CSR_VSSTATUS: case CSR_VSIE: case CSR_VSTVEC: case CSR_VSSCRATCH:
	case CSR_VSEPC: case CSR_VSCAUSE: case CSR_VSTVAL: case CSR_VSATP:
		break;
	default:
		*why = "not writable from the console";
		return -1;
	}
	if (quiesce(vm, &paused, why))
		return -1;
	write_vs_csr(&vm->vcpus[idx], csr, val);
	unquiesce(vm, paused);
	return 0;
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
}

static void glue_trace_set(bool enabled, uint64_t vm_mask, uint32_t class_mask)
{
	trace_ctl.vm_mask = vm_mask;
	trace_ctl.class_mask = class_mask;
	trace_ctl.enabled = enabled;
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

/* Counters belong to the hart running the vCPU: zero them while the VM is paused. */
static void glue_stats_reset(int id)
{
	struct vm *vm = glue_vm(id);
	const char *why;
	bool paused;

	if (quiesce(vm, &paused, &why))
		return;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		memset(&vm->vcpus[i].stats, 0, sizeof(vm->vcpus[i].stats));
	unquiesce(vm, paused);
}

static const struct console_ops hv_console_ops = {
	.write = glue_write,
	.version = glue_version,
	.quit = glue_quit,
	.mem = glue_mem, .mem_layout = glue_mem_layout,
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
	.hart_csr_read = glue_hart_csr_read,
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
	.stats = glue_stats,
	.stats_reset = glue_stats_reset,
};

void console_init(void)
{
	console_setup(&hv_console_ops);
}
