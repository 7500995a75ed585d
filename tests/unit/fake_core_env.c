#include <stdlib.h>
#include <string.h>
#include "fake_core_env.h"
#include "core/bundle.h"
#include "core/debug_hooks.h"
#include "core/postmortem.h"
#include "core/sched.h"
#include "core/term.h"
#include "core/trap.h"
#include "core/vmfdt.h"
#include "drivers/plic.h"
#include "lib/string.h"
#include "mem/page.h"

struct fake_core_env env;

void fake_core_env_reset(void)
{
	memset(&env, 0, sizeof(env));
	env.sbi_advance = 4;
}

struct vm *fake_core_vm(int id, unsigned n)
{
	static unsigned on_run_list[VM_MAX + 1];	/* the scheduler's list only grows */
	struct vm *vm = &vms[id - 1];

	memset(vm, 0, sizeof(*vm));
	vm->id = id;
	vm->vcpu_count = n;
	vm->state = VM_RUNNING;
	strcpy(vm->name, "fake");
	for (unsigned i = 0; i < n; i++) {
		vm->vcpus[i] = (struct vcpu){ .vm = vm, .id = i, .hart = -1, .state = VCPU_RUNNABLE,
					      .vstimecmp = UINT64_MAX };
		if (i >= on_run_list[id])
			sched_add(&vm->vcpus[i]);
	}
	if (n > on_run_list[id])
		on_run_list[id] = n;
	if ((unsigned)id > vm_count)
		vm_count = id;
	return vm;
}

/* ---- handlers above core ---- */

int sbi_handle_ecall(struct vcpu *v, struct exit_info *e)
{
	(void)v;
	env.sbi_calls++;
	e->advance = env.sbi_advance;
	return env.sbi_result;
}

int mmio_handle_guest_fault(struct vcpu *v, struct exit_info *e)
{
	(void)v;
	(void)e;
	env.mmio_calls++;
	return 0;
}

static quick_result_t fake_quick(void)
{
	env.quick_calls++;
	return env.quick_advance ? QUICK_RESULT(env.quick_advance, 0x42, 0x5678) : QUICK_NONE;
}

quick_result_t sbi_quick(struct vcpu *v)
{
	(void)v;
	return fake_quick();
}

quick_result_t mmio_quick(struct vcpu *v, uint64_t scause)
{
	(void)v;
	(void)scause;
	return fake_quick();
}

/* ---- the debugger's hooks: no debugger attached ---- */

volatile unsigned gdbstub_trigger_users;
unsigned gdbstub_irq(void) { return 0; }
void gdbstub_poll(void) {}
bool gdbstub_breakpoint(struct vcpu *v, struct exit_info *e) { (void)v; (void)e; return false; }
bool gdbstub_vm_dying(struct vcpu *v, struct exit_info *e, bool loop) { (void)v; (void)e; (void)loop; return false; }
bool gdbstub_catch(struct vcpu *v, struct exit_info *e) { (void)v; (void)e; return false; }
bool gdbstub_watch_fault(struct vcpu *v, struct exit_info *e) { (void)v; (void)e; return false; }
void gdbstub_vcpu_left(struct vcpu *v) { (void)v; }
void gdbstub_vcpu_enter(struct vcpu *v) { (void)v; }

/* ---- post-mortem, terminal, devices, device tree ---- */

void postmortem_capture(struct vcpu *v, const struct exit_info *e, bool loop)
{
	(void)v;
	(void)e;
	env.captures++;
	env.loop_captures += loop;
}

void postmortem_announce(struct vm *vm)
{
	(void)vm;
	env.announces++;
}

void term_vm_attach(struct vm *vm) { (void)vm; }
void term_poll_input(void) {}

void term_vm_log(struct vm *vm, const char *text)
{
	(void)vm;
	env.term_lines++;
	strncpy(env.last_log, text, sizeof(env.last_log) - 1);
}

int vdev_create(struct vm *vm, const struct bundle_vm *b)
{
	(void)vm;
	(void)b;
	env.vdev_creates++;
	return 0;
}

void vdev_reset(struct vm *vm)
{
	(void)vm;
	env.vdev_resets++;
}

int vmfdt_build(struct vm *vm, void *buf, size_t size)
{
	(void)vm;
	(void)buf;
	(void)size;
	return 0;
}

/* ---- host devices and memory ---- */

unsigned plic_claim(unsigned ctx) { (void)ctx; return 0; }
void plic_complete(unsigned irq, unsigned ctx) { (void)irq; (void)ctx; }

hpa_t page_alloc(size_t count, size_t align)
{
	void *p = aligned_alloc(align, count * PAGE_SIZE);

	if (p)
		memset(p, 0, count * PAGE_SIZE);
	return hpa((uint64_t)(uintptr_t)p);
}

hpa_t page_alloc_raw(size_t count, size_t align, bool *zero)
{
	*zero = true;	/* page_alloc's memory is cleared: the caller need not clear it */
	return page_alloc(count, align);
}

/* lib/string.c's one function the host libc has no twin of. */
char *strncpy_safe(char *dst, const char *src, size_t size)
{
	strncpy(dst, src, size - 1);
	dst[size - 1] = '\0';
	return dst;
}
