/*
 * Software breakpoints (Z0): an ebreak (c.ebreak over a compressed
 * instruction) written through the G-stage, and the breakpoint exception
 * that comes back while hedeleg bit 3 is clear for the VM.
 */
#include "gdbstub/gdbstub.h"
#include "gdbstub/internal.h"
#include "core/vm.h"
#include "core/trap.h"
#include "arch/csr.h"
#include "lib/printf.h"
#include "lib/string.h"

void bp_unplant(struct vm_debug *d, struct bp *b)
{
	if (b->used && vm_gpa_range_ok(d->vm, b->gpa, b->len))
		memcpy(vm_gpa_ptr(d->vm, b->gpa), &b->orig, b->len);
	b->used = false;
}

unsigned bp_count(struct vm_debug *d)
{
	unsigned n = 0;

	for (unsigned i = 0; i < BP_MAX; i++)
		n += d->bps[i].used;
	return n;
}

/* Write an ebreak of len bytes at va (through vCPU 0's vsatp); false if it is not RAM. */
bool bp_plant(struct vm_debug *d, uint64_t vsatp, struct bp *b, uint64_t va, unsigned len)
{
	uint32_t insn = len == 2 ? INSN_C_EBREAK : INSN_EBREAK;
	uint8_t *p = guestmem_ptr(d, vsatp, va, len, &b->gpa);

	if (!p || (va & (PAGE - 1)) + len > PAGE)
		return false;
	b->va = va;
	b->len = (uint8_t)len;
	b->orig = 0;
	memcpy(&b->orig, p, len);
	memcpy(p, &insn, len);
	b->used = true;
	return true;
}

int bp_insert(void *ctx, uint64_t addr, unsigned kind)
{
	struct vm_debug *d = ctx;
	struct bp *free_slot = 0;

	for (unsigned i = 0; i < BP_MAX; i++) {
		if (d->bps[i].used && d->bps[i].va == addr)
			return 0;
		if (!d->bps[i].used && !free_slot)
			free_slot = &d->bps[i];
	}
	if (!free_slot || !bp_plant(d, d->vm->vcpus[d->stub.g_tid - 1].vsatp, free_slot, addr, kind))
		return -1;
	guestmem_changed(d->vm);
	return 0;
}

int bp_remove(void *ctx, uint64_t addr, unsigned kind)
{
	struct vm_debug *d = ctx;

	(void)kind;
	for (unsigned i = 0; i < BP_MAX; i++)
		if (d->bps[i].used && d->bps[i].va == addr) {
			bp_unplant(d, &d->bps[i]);
			guestmem_changed(d->vm);
			return 0;
		}
	return -1;
}

void bp_remove_all(struct vm_debug *d)
{
	for (unsigned i = 0; i < BP_MAX; i++)
		bp_unplant(d, &d->bps[i]);
	guestmem_changed(d->vm);
}

/* Is there a breakpoint of ours at gpa: gdb's, or one of the step's? */
enum bp_kind bp_ours(struct vm_debug *d, uint64_t gpa)
{
	for (unsigned i = 0; i < BP_MAX; i++)
		if (d->bps[i].used && d->bps[i].gpa == gpa)
			return BP_USER;
	for (unsigned i = 0; i < TEMP_MAX; i++)
		if (d->temps[i].used && d->temps[i].gpa == gpa)
			return BP_TEMP;
	return BP_NONE;
}

bool gdbstub_breakpoint(struct vcpu *v, struct exit_info *e)
{
	struct vm_debug *d = gdbstub_debug_of(v->vm);
	enum bp_kind kind = BP_NONE;
	/* cppcheck-suppress shadowFunction ; the address, not mem/types.h's gpa() */
	uint64_t gpa;
	bool ours;

	/*
	 * Either way this is no fault loop: ours stop the VM, and the guest's
	 * own would never have reached the hypervisor without the debugger
	 * (a guest hitting its own ebreak at one pc 64 times is not stuck).
	 */
	faultloop_reset(&v->loop);
	spin_lock(&d->lock);
	if (d->stub.state != GDB_DETACHED && guestmem_walk(d, csr_read(CSR_VSATP), e->sepc, &gpa))
		kind = bp_ours(d, gpa);
	if (kind == BP_NONE && d->stub.state != GDB_DETACHED && d->trig_count) {
		const struct hwtrig *t = trig_hit(d, v, e);
		if (t) {
			static const char *const names[] = { "", "", "watch", "rwatch", "awatch" };
			kind = BP_USER;
			if (t->type != 1 && !d->stop_tid)
				snprintf(d->stop_extra, sizeof(d->stop_extra), "%s:%lx;", names[t->type], t->addr);
		}
	}
	ours = kind != BP_NONE;
	if (kind == BP_TEMP && (int)v->id != d->step_vcpu) {
		/*
		 * Another vCPU ran into the step's breakpoint (same code): it
		 * waits, its pc on the instruction, until the step is over and
		 * the VM stops.  Only the stepping vCPU's arrival is the step.
		 */
		e->action = TRAP_YIELD;
	} else if (ours) {
		/* pc stays on the ebreak: gdb expects it at the breakpoint's address. */
		e->action = TRAP_YIELD;
		vmstop_request(d, v->id + 1, GDB_SIGTRAP);
	}
	spin_unlock(&d->lock);
	return ours;
}
