/* VM life cycle: creation, start, stop, reset, pause; the per-VM CSRs.  Devices: vdev/ (vdev_create/reset). */
#include "core/vm.h"
#include "trace/trace.h"
#include "core/bundle.h"
#include "core/term.h"
#include "core/hart.h"
#include "core/sched.h"
#include "core/vmfdt.h"
#include "arch/csr.h"
#include "arch/timer.h"
#include "mem/page.h"
#include "spec/pte.h"
#include "lib/printf.h"
#include "lib/ratelimit.h"
#include <stdarg.h>
#include "lib/string.h"
#include "core/debug_hooks.h"

struct vm vms[VM_MAX];
unsigned vm_count;
uint64_t hv_henvcfg_caps;

struct vm *vm_get(int id)
{
	return id >= 1 && (unsigned)id <= vm_count ? &vms[id - 1] : 0;
}

const char *vm_state_name(enum vm_state s)
{
	static const char *const names[] = { "running", "paused", "stopped", "dead", "resetting" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

bool vm_gpa_range_ok(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	return gpa >= VM_RAM_BASE && len <= vm->ram_size && gpa - VM_RAM_BASE <= vm->ram_size - len;
}

void *vm_gpa_ptr(const struct vm *vm, uint64_t gpa)
{
	return (void *)(uintptr_t)(vm->ram.v + (gpa - VM_RAM_BASE));
}

/*
 * A guest page-table word for software walks (reports, A/D emulation, the
 * console): 8-byte aligned and inside the VM's RAM, else NULL.  The void *
 * form is the callback struct vs_walk_env wants.
 */
uint64_t *vm_pte_ptr(void *vm_ctx, uint64_t gpa)
{
	const struct vm *vm = vm_ctx;

	return (gpa & 7) || !vm_gpa_range_ok(vm, gpa, 8) ? 0 : vm_gpa_ptr(vm, gpa);
}

static hpa_t pt_alloc(size_t count, size_t align)
{
	return page_alloc(count, align);
}

/*
 * Exceptions the guest handles itself.  Page faults (12, 13, 15) only when
 * hardware A/D updating is on for the VM: otherwise a guest like xv6 that
 * leaves A/D clear loops on them inside VS-mode, invisibly; kept here they
 * are traced and reflected (docs/architecture.md, "ADUE policy").
 */
#define PAGE_FAULT_BITS (1UL << CAUSE_FETCH_PAGE_FAULT | 1UL << CAUSE_LOAD_PAGE_FAULT | \
			 1UL << CAUSE_STORE_PAGE_FAULT)

static uint64_t vm_hedeleg(const struct vm *vm)
{
	uint64_t d = 1UL << CAUSE_MISALIGNED_FETCH | 1UL << CAUSE_FETCH_ACCESS |
		     1UL << CAUSE_ILLEGAL_INSTRUCTION | 1UL << CAUSE_BREAKPOINT |
		     1UL << CAUSE_MISALIGNED_LOAD | 1UL << CAUSE_LOAD_ACCESS |
		     1UL << CAUSE_MISALIGNED_STORE | 1UL << CAUSE_STORE_ACCESS |
		     1UL << CAUSE_USER_ECALL;

	if (vm->adue)
		d |= PAGE_FAULT_BITS;
	return d;
}

static void vm_load_image(struct vm *vm)
{
	if (!vm->ram_zero)
		memset(hpa_ptr(vm->ram), 0, vm->ram_size);
	vm->ram_zero = false;
	memcpy(vm_gpa_ptr(vm, vm->image.load), vm->image.data, vm->image.size);
	if (vm->image.initrd_size)
		memcpy(vm_gpa_ptr(vm, vm->image.initrd_gpa), vm->image.initrd, vm->image.initrd_size);
	vm->fdt_gpa = VM_RAM_BASE + vm->ram_size - VM_FDT_OFFSET_FROM_END;
	vmfdt_build(vm, vm_gpa_ptr(vm, vm->fdt_gpa), VM_FDT_MAX);
}

static void vm_reset_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = &vm->vcpus[i];
		vcpu_reset(v, vm->image.entry, vm->fdt_gpa);
		v->state = i == 0 ? VCPU_RUNNABLE : VCPU_OFF; /* others wait for HSM */
	}
}

/* Check a bundle entry and build the VM; on error print why and return -1. */
int vm_create(struct vm *vm, const struct bundle_vm *b, const uint8_t *bundle, uint64_t bundle_size)
{
	memcpy(vm->name, b->name, sizeof(vm->name));
	vm->name[sizeof(vm->name) - 1] = '\0';
	if (b->vcpus == 0 || b->vcpus > VM_MAX_VCPUS) {
		hv_printf("hvscope: vm%d (%s): %u vCPUs, must be 1..%d\n", vm->id, vm->name, b->vcpus, VM_MAX_VCPUS);
		return -1;
	}
	if (b->ram_size < 4 * MEGAPAGE_SIZE || b->ram_size % MEGAPAGE_SIZE) {
		hv_printf("hvscope: vm%d (%s): RAM size 0x%lx must be a multiple of 2 MiB and >= 8 MiB\n",
			  vm->id, vm->name, b->ram_size);
		return -1;
	}
	if (b->image_offset > bundle_size || b->image_size > bundle_size - b->image_offset) {
		hv_printf("hvscope: vm%d (%s): image lies outside the bundle\n", vm->id, vm->name);
		return -1;
	}
	vm->ram_size = b->ram_size;
	vm->vcpu_count = b->vcpus;
	vm->image = (struct vm_image){ .load = b->load, .entry = b->entry, .size = b->image_size, .data = bundle + b->image_offset };
	memcpy(vm->image.bootargs, b->bootargs, sizeof(vm->image.bootargs));
	vm->image.bootargs[sizeof(vm->image.bootargs) - 1] = '\0';
	if (!vm_gpa_range_ok(vm, b->load, b->image_size) ||
	    b->load + b->image_size > VM_RAM_BASE + vm->ram_size - VM_FDT_OFFSET_FROM_END ||
	    !vm_gpa_range_ok(vm, b->entry, 4)) {
		hv_printf("hvscope: vm%d (%s): image [0x%lx, +0x%lx) entry 0x%lx does not fit its RAM\n",
			  vm->id, vm->name, b->load, b->image_size, b->entry);
		return -1;
	}
	if (b->initrd_size) {
		uint64_t top = VM_RAM_BASE + vm->ram_size - VM_FDT_OFFSET_FROM_END;
		if (b->initrd_offset > bundle_size || b->initrd_size > bundle_size - b->initrd_offset ||
		    b->initrd_size > top - (b->load + b->image_size)) {
			hv_printf("hvscope: vm%d (%s): initrd of 0x%lx bytes is outside the bundle or does not fit "
				  "between the image and the device tree\n",
				  vm->id, vm->name, b->initrd_size);
			return -1;
		}
		/* Page-aligned, ending where the device tree begins (as mkbundle.py checks). */
		vm->image.initrd = bundle + b->initrd_offset;
		vm->image.initrd_size = b->initrd_size;
		vm->image.initrd_gpa = (top - b->initrd_size) & ~(uint64_t)(PAGE_SIZE - 1);
	}
	/* Not zeroed here: vm_load_image() clears it on every (re)start but a first one on fresh RAM. */
	vm->ram = page_alloc_raw(vm->ram_size / PAGE_SIZE, MEGAPAGE_SIZE, &vm->ram_zero);
	if (!vm->ram.v) {
		hv_printf("hvscope: vm%d (%s): not enough host memory for %lu MiB of RAM\n",
			  vm->id, vm->name, vm->ram_size >> 20);
		return -1;
	}
	vm->gstage.alloc = pt_alloc;
	if (gstage_init(&vm->gstage) ||
	    gstage_map(&vm->gstage, gpa(VM_RAM_BASE), vm->ram, vm->ram_size, PTE_R | PTE_W | PTE_X)) {
		hv_printf("hvscope: vm%d (%s): out of memory for G-stage tables\n", vm->id, vm->name);
		return -1;
	}
	vm->vmid = vm->id;
	vm->adue = !(b->flags & BUNDLE_VM_NO_ADUE) && (hv_henvcfg_caps & ENVCFG_ADUE);
	vm->henvcfg = hv_henvcfg_caps & (ENVCFG_STCE | ENVCFG_PBMTE | ENVCFG_CBZE | ENVCFG_CBCFE | ENVCFG_CBIE | ENVCFG_FIOM);
	if (vm->adue)
		vm->henvcfg |= ENVCFG_ADUE;
	/* A/D emulation: by default wherever hardware A/D updating is off. */
	vm->ad_emulation = (b->flags & BUNDLE_VM_AD_EMUL)    ? true :
			   (b->flags & BUNDLE_VM_NO_AD_EMUL) ? false :
							       !vm->adue;
	vm->hedeleg = vm_hedeleg(vm);
	vm->gdb_wait = (b->flags & BUNDLE_VM_GDB_WAIT) != 0;
	vm->hideleg = MIP_VSSIP | MIP_VSTIP | MIP_VSEIP;
	vm->hcounteren = 0x7; /* CY, TM, IR: rdcycle/rdtime/rdinstret do not trap */
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].vm_plic_gen = &vm->plic.gen;
		vm->vcpus[i].id = i;
		vm->vcpus[i].hart = -1;
	}
	term_vm_attach(vm);
	return vdev_create(vm, b);
}

/*
 * The one way to change a VM's per-VM CSRs (henvcfg, hedeleg): `change`
 * runs under the VM's lock, then every vCPU loads the new values at its
 * next entry (csr_gen), and running ones are kicked so that is now.
 */
void vm_change_csrs(struct vm *vm, void (*change)(struct vm *vm, uint64_t arg), uint64_t arg)
{
	spin_lock(&vm->lock);
	change(vm, arg);
	__atomic_add_fetch(&vm->csr_gen, 1, __ATOMIC_RELEASE);
	spin_unlock(&vm->lock);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_kick(&vm->vcpus[i]);
}

/* ADUE moves henvcfg.ADUE and, with it, the delegation of page faults. */
static void change_adue(struct vm *vm, uint64_t on)
{
	vm->adue = on;
	vm->henvcfg = on ? vm->henvcfg | ENVCFG_ADUE : vm->henvcfg & ~ENVCFG_ADUE;
	vm->hedeleg = (vm->hedeleg & ~PAGE_FAULT_BITS) | (vm_hedeleg(vm) & PAGE_FAULT_BITS);
}

/* Runtime ADUE switch (hv> adue N on|off): -1 if the hart cannot do it. */
int vm_set_adue(struct vm *vm, bool on)
{
	if (on && !(hv_henvcfg_caps & ENVCFG_ADUE))
		return -1;
	vm_change_csrs(vm, change_adue, on);
	return 0;
}

static void change_henvcfg(struct vm *vm, uint64_t henvcfg)
{
	vm->henvcfg = henvcfg;
}

/* The whole henvcfg (hv> csr N henvcfg V): only bits the hart has; ADUE through its switch. */
int vm_set_henvcfg(struct vm *vm, uint64_t henvcfg, const char **why)
{
	if (henvcfg & ~hv_henvcfg_caps) {
		*why = "the hart cannot set some of these bits (csr henvcfg after boot shows which it can)";
		return -1;
	}
	if (vm_set_adue(vm, (henvcfg & ENVCFG_ADUE) != 0)) {
		*why = "the hart cannot set ADUE";
		return -1;
	}
	vm_change_csrs(vm, change_henvcfg, henvcfg);
	return 0;
}

void vm_set_ad_emulation(struct vm *vm, bool on)
{
	vm->ad_emulation = on;
}

/* Exceptions a guest may handle itself: hedeleg bits 9-11 and 20-23 are read-only zero. */
uint64_t vm_hedeleg_allowed(void)
{
	return 0xffUL | 1UL << CAUSE_USER_ECALL | PAGE_FAULT_BITS;
}

static void change_hedeleg(struct vm *vm, uint64_t hedeleg)
{
	vm->hedeleg = hedeleg;
}

int vm_set_hedeleg(struct vm *vm, uint64_t hedeleg)
{
	if (hedeleg & ~vm_hedeleg_allowed())
		return -1;
	vm_change_csrs(vm, change_hedeleg, hedeleg);
	return 0;
}

/* A VM's life in the trace (the timeline's instants), from whichever hart. */
void vm_trace_event(struct vm *vm, enum trace_vm_event what, unsigned state)
{
	trace_event(this_hart()->hartid, (unsigned)vm->id, 0, TRACE_VM_EVENT, what, 0, state, 0);
}

void vm_start(struct vm *vm)
{
	vdev_reset(vm); /* the devices start from power-on state */
	vm_load_image(vm);
	vm_reset_vcpus(vm);
	vm->state = VM_RUNNING;
	vm->started_at = arch_time();
	vm_trace_event(vm, TRACE_VM_START, VM_RUNNING);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		sched_add(&vm->vcpus[i]);
	vm_notice(vm, "vm%d: %s started (%u vCPU%s, %lu MiB, entry 0x%lx, ADUE %s, A/D emulation %s)\n",
		  vm->id, vm->name, vm->vcpu_count, vm->vcpu_count > 1 ? "s" : "", vm->ram_size >> 20,
		  vm->image.entry, vm->adue ? "on" : "off", vm->ad_emulation ? "on" : "off");
}

/*
 * Lifecycle lines (started, rebooting, stopped, dead) reach the terminal
 * whatever has focus, so a VM that reboots in a loop could bury everything
 * else: at most VM_NOTICE_BURST per VM_NOTICE_SECONDS, then one line saying
 * so, and the count of what was held back in front of the next one.  The
 * VM's log file gets every line.
 */
#define VM_NOTICE_BURST	  5
#define VM_NOTICE_SECONDS 10

void vm_notice(struct vm *vm, const char *fmt, ...)
{
	char line[192];
	unsigned held;
	va_list ap;
	bool show;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	term_vm_log(vm, line);
	spin_lock(&vm->lock);
	show = ratelimit_allow(&vm->notices, arch_time(), hv_timebase * VM_NOTICE_SECONDS,
			       VM_NOTICE_BURST, &held);
	spin_unlock(&vm->lock);
	if (show && held)
		hv_printf("vm%d: %s: %u lifecycle messages suppressed (its log has them all)\n",
			  vm->id, vm->name, held);
	if (show)
		hv_printf("%s", line);
	else if (vm->notices.suppressed == 1)
		hv_printf("vm%d: %s: more than %d lifecycle messages in %d s; holding them back "
			  "(hv> vms shows its state)\n",
			  vm->id, vm->name, VM_NOTICE_BURST, VM_NOTICE_SECONDS);
}

/* Stop every vCPU of the VM; the others VMs are untouched. */
void vm_stop(struct vm *vm, enum vm_state state, const char *why)
{
	spin_lock(&vm->lock);
	if (vm->state == VM_STOPPED || vm->state == VM_DEAD) {
		spin_unlock(&vm->lock);
		return;
	}
	vm->state = state;
	strncpy_safe(vm->stop_reason, why, sizeof(vm->stop_reason));
	spin_unlock(&vm->lock);
	vm_trace_event(vm, state == VM_DEAD ? TRACE_VM_DEATH : TRACE_VM_STOP, state);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (&vm->vcpus[i] != this_hart()->current)
			vcpu_kick(&vm->vcpus[i]);
	if (state != VM_DEAD) /* a death is announced with its report (postmortem_announce) */
		vm_notice(vm, "vm%d: %s %s: %s\n", vm->id, vm->name, vm_state_name(state), why);
}

/* The reset itself: no vCPU of the VM is on a hart, and this caller claimed it. */
static void vm_do_reset(struct vm *vm)
{
	bool again;

	vm->restarts++;
	vm->stop_reason[0] = '\0';
	vm_trace_event(vm, TRACE_VM_RESET, vm->state);
	vm->debugger_held = false; /* a reset instead of the death it was held for */
	vm_notice(vm, "vm%d: %s rebooting (%s)\n", vm->id, vm->name, vm->reset_why);
	vdev_reset(vm);
	vm_load_image(vm);
	vm_reset_vcpus(vm);
	spin_lock(&vm->lock);
	again = vm->reset_pending != 0; /* asked again while we worked */
	if (vm->state == VM_RESETTING && !again)
		vm->state = VM_RUNNING; /* unless killed meanwhile */
	vm->reset_gen++;
	spin_unlock(&vm->lock);
	if (again)
		vm_reset_try(vm);
	else
		vcpu_kick(&vm->vcpus[0]); /* an idle hart may be asleep */
}

/* Do a pending reset if no vCPU of the VM is loaded on a hart any more. */
void vm_reset_try(struct vm *vm)
{
	if (__atomic_load_n(&vm->reset_pending, __ATOMIC_ACQUIRE) &&
	    sched_claim_idle_vm(vm, &vm->reset_pending))
		vm_do_reset(vm);
}

/*
 * Reboot a VM from its image (SBI SRST from the guest, or `hv> reset N`).
 * This only asks: the VM stops being scheduled, its vCPUs are kicked off
 * their harts, and whoever lets go of the last one (vm_vcpu_left) does the
 * reset, or the caller right away when none is loaded.  Nobody waits inside
 * another vCPU's exit, so two vCPUs asking at once cannot wait for each
 * other, and a request made while one is pending is the same reset.  The
 * VM's disk stays as it is.
 */
void vm_reset(struct vm *vm, const char *why)
{
	spin_lock(&vm->lock);
	if (vm->reset_pending) {
		spin_unlock(&vm->lock);
		return;
	}
	vm->state = VM_RESETTING;
	strncpy_safe(vm->reset_why, why, sizeof(vm->reset_why));
	__atomic_store_n(&vm->reset_pending, 1, __ATOMIC_RELEASE);
	spin_unlock(&vm->lock);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_kick(&vm->vcpus[i]);
	vm_reset_try(vm);
}

static bool vm_all_vcpus_off(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (__atomic_load_n(&vm->vcpus[i].state, __ATOMIC_ACQUIRE) != VCPU_OFF)
			return false;
	return true;
}

/*
 * A vCPU of the VM has just left its hart (run loop, after sched_release):
 * finish what waited for that.  A VM whose vCPUs all stopped themselves
 * with HSM hart_stop can never run again: it is stopped, and says so.
 */
void vm_vcpu_left(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (__atomic_load_n(&vm->reset_pending, __ATOMIC_ACQUIRE))
		vm_reset_try(vm);
	if (v->state == VCPU_OFF && vm->state == VM_RUNNING && vm_all_vcpus_off(vm))
		vm_stop(vm, VM_STOPPED, "every vCPU stopped itself (SBI HSM hart_stop)");
	gdbstub_vcpu_left(v); /* a debugger's stop waits for this too */
}

void vm_irq_update(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (vplic_context_pending(&vm->plic, 2 * i + 1))
			vcpu_kick(&vm->vcpus[i]);
}

/*
 * Terminal input for a VM: queued here (VM_INPUT_QUEUE bytes) and moved into
 * the vUART's 64-byte FIFO as the guest drains it, so a pasted line is not cut.
 */
void vm_console_refill(struct vm *vm)
{
	bool moved = false;

	spin_lock(&vm->input_lock);
	while (vm->input_head != vm->input_tail && vuart_receive(&vm->uart, vm->input[vm->input_head % VM_INPUT_QUEUE])) {
		vm->input_head++;
		moved = true;
	}
	spin_unlock(&vm->input_lock);
	if (moved) {
		vplic_set_level(&vm->plic, VM_UART_IRQ, vuart_irq_level(&vm->uart));
		vm_irq_update(vm);
	}
}

void vm_console_input(struct vm *vm, char c)
{
	if (vm->state != VM_RUNNING)
		return;
	spin_lock(&vm->input_lock);
	if (vm->input_tail - vm->input_head < VM_INPUT_QUEUE)
		vm->input[vm->input_tail++ % VM_INPUT_QUEUE] = (uint8_t)c;
	spin_unlock(&vm->input_lock);
	vm_console_refill(vm);
}

/*
 * ---- Pausing: a consistent view of a VM's vCPUs ----
 *
 * The console and the debugger run on whichever hart took their interrupt,
 * possibly in the middle of an exit of a vCPU loaded on that hart ("self").
 * A vCPU's saved state is only valid while it is not loaded, so working on
 * another vCPU's state pauses its VM first and waits (at most a second)
 * until none of its vCPUs but self is loaded on a hart.  Self's VS CSRs are
 * live in this hart's CSRs and its GPRs were saved at the trap: vcpu.c's
 * CSR access knows which is which.
 */

static struct vcpu *self_vcpu(void)
{
	return this_hart()->current;
}

static void kick_others(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (&vm->vcpus[i] != self_vcpu())
			vcpu_kick(&vm->vcpus[i]);
}

/* Spin until done(vm, arg) holds, at most a second: false if it never did. */
static bool vm_wait(struct vm *vm, bool (*done)(struct vm *vm, uint32_t arg), uint32_t arg)
{
	uint64_t deadline = arch_time() + hv_timebase;

	while (!done(vm, arg))
		if (arch_time() > deadline)
			return false;
	return true;
}

static bool others_unloaded(struct vm *vm, uint32_t unused)
{
	(void)unused;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (&vm->vcpus[i] != self_vcpu() && __atomic_load_n(&vm->vcpus[i].running, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static bool wait_unloaded(struct vm *vm)
{
	kick_others(vm);
	return vm_wait(vm, others_unloaded, 0);
}

/* Why a VM in state s cannot be paused, resumed or killed. */
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
	kick_others(vm);
}

int vm_pause(struct vm *vm, const char **why)
{
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

int vm_resume(struct vm *vm, const char **why)
{
	if (vm->state != VM_PAUSED) {
		*why = state_refusal(vm->state);
		return -1;
	}
	resume_if_paused(vm);
	return 0;
}

int vm_kill(struct vm *vm, const char *why_killed, const char **why)
{
	if (vm->state == VM_STOPPED || vm->state == VM_DEAD) {
		*why = state_refusal(vm->state);
		return -1;
	}
	vm_stop(vm, VM_STOPPED, why_killed);
	return 0;
}

/* Pause the VM for a consistent view of its vCPUs; -1 (VM left as it was) if they do not stop. */
int vm_quiesce(struct vm *vm, bool *paused, const char **why)
{
	*paused = pause_if_running(vm);
	if (wait_unloaded(vm))
		return 0;
	if (*paused)
		resume_if_paused(vm);
	*why = "its vCPUs did not leave their harts within 1 s";
	return -1;
}

void vm_unquiesce(struct vm *vm, bool paused)
{
	if (paused)
		resume_if_paused(vm);
}

static bool reset_done(struct vm *vm, uint32_t gen)
{
	return __atomic_load_n(&vm->reset_gen, __ATOMIC_ACQUIRE) != gen;
}

/*
 * vm_reset() only asks; the reset happens once the VM's vCPUs have left
 * their harts.  Wait for it (at most a second) so the caller sees the VM
 * running again, unless one of them is loaded right here, under this call:
 * then it happens as soon as the call returns, and `vms` says "resetting".
 */
void vm_reset_wait(struct vm *vm, const char *why)
{
	uint32_t gen = __atomic_load_n(&vm->reset_gen, __ATOMIC_ACQUIRE);
	struct vcpu *self = self_vcpu();

	vm_reset(vm, why);
	if (!(self && self->vm == vm))
		vm_wait(vm, reset_done, gen);
}

/* Taken by vmfdt_build() at the VM's next (re)start; a running VM is unaffected until then. */
int vm_set_bootargs(struct vm *vm, const char *text, const char **why)
{
	if (strlen(text) >= sizeof(vm->image.bootargs)) {
		*why = "longer than a VM's bootargs can be (127 characters)";
		return -1;
	}
	spin_lock(&vm->lock);
	strncpy_safe(vm->image.bootargs, text, sizeof(vm->image.bootargs));
	spin_unlock(&vm->lock);
	return 0;
}

/* A CSR of one vCPU (VS CSRs) or of the VM (henvcfg, hedeleg), written with the VM quiet. */
int vm_vcpu_csr_write(struct vm *vm, unsigned idx, unsigned csr, uint64_t val, const char **why)
{
	bool paused;
	int r;

	if (csr == CSR_HENVCFG)
		return vm_set_henvcfg(vm, val, why);
	if (csr == CSR_HEDELEG) {
		if (vm_set_hedeleg(vm, val) == 0)
			return 0;
		*why = "some of these exceptions cannot be delegated (their hedeleg bits are read-only zero)";
		return -1;
	}
	if (!vcpu_vs_csr_writable(csr)) {
		*why = "not writable from the console";
		return -1;
	}
	if (vm_quiesce(vm, &paused, why))
		return -1;
	r = vcpu_vs_csr_write(&vm->vcpus[idx], csr, val);
	vm_unquiesce(vm, paused);
	return r;
}

/* Counters belong to the hart running the vCPU: zero them while the VM is quiet. */
void vm_stats_reset(struct vm *vm)
{
	const char *why;
	bool paused;

	if (vm_quiesce(vm, &paused, &why))
		return;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		memset(&vm->vcpus[i].stats, 0, sizeof(vm->vcpus[i].stats));
	vm_unquiesce(vm, paused);
}
