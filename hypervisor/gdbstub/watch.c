/*
 * Watchpoints without debug triggers (Z2 where the firmware or the hart
 * offers no usable trigger): the page that holds the watched bytes loses W
 * in the VM's G-stage, so every guest store to it ends in a store
 * guest-page fault here.  A store that overlaps a watched range stops the
 * VM with watch:ADDR in the stop reply and pc on the store, as a trigger
 * does (gdb then takes its watchpoints out, steps the store, puts them back
 * and compares the old and new values).  Any other store to the page is
 * done here (integer stores and AMOs, decoded as for MMIO) and the guest
 * goes on; what cannot be done here (an FP store, an SC, a page-table
 * update by the hart) also stops, and gdb, finding the value unchanged,
 * continues on its own.  gdb needs no setting: Z2 answers OK.  Reads
 * cannot be watched this way: rwatch/awatch still need a trigger.
 *
 * The G-stage changes only while the VM is stopped (gdb inserts and
 * removes watchpoints at every resume and stop); vm->gstage_gen makes each
 * hart fence before it next runs a vCPU of the VM.
 */
#include "gdbstub/gdbstub.h"
#include "gdbstub/internal.h"
#include "core/vm.h"
#include "core/trap.h"
#include "spec/insn.h"
#include "lib/printf.h"
#include "lib/string.h"

static bool same_page(uint64_t a, uint64_t b)
{
	return (a & ~(PAGE - 1)) == (b & ~(PAGE - 1));
}

/* Is another watch on the page of w (not w itself)? */
static bool page_shared(struct vm_debug *d, const struct pagewatch *w)
{
	for (unsigned i = 0; i < WATCH_MAX; i++)
		if (&d->watches[i] != w && d->watches[i].used && same_page(d->watches[i].gpa, w->gpa))
			return true;
	return false;
}

static int protect(struct vm_debug *d, uint64_t addr, bool on)
{
	struct vm *vm = d->vm;

	if (gstage_set_writable(&vm->gstage, gpa(addr & ~(PAGE - 1)), !on))
		return -1;
	__atomic_add_fetch(&vm->gstage_gen, 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&vm->watch_pages, on ? 1u : (unsigned)-1, __ATOMIC_RELEASE);
	return 0;
}

/* Z2 without triggers: 0, or -1 (not RAM, across a page, no slot, no memory for the split). */
int watch_insert(struct vm_debug *d, uint64_t addr, unsigned len)
{
	struct pagewatch *free_slot = 0, w = { true, len, addr, 0 };

	if (len == 0 || len > PAGE || !guestmem_gpa(d, d->vm->vcpus[d->stub.g_tid - 1].vsatp, addr, &w.gpa) ||
	    !vm_gpa_range_ok(d->vm, w.gpa, len) || !same_page(w.gpa, w.gpa + len - 1))
		return -1;
	for (unsigned i = 0; i < WATCH_MAX; i++) {
		struct pagewatch *p = &d->watches[i];
		if (p->used && p->addr == addr && p->len == len)
			return 0;
		if (!p->used && !free_slot)
			free_slot = p;
	}
	if (!free_slot || (!page_shared(d, &w) && protect(d, w.gpa, true)))
		return -1;
	*free_slot = w;
	return 0;
}

static void watch_drop(struct vm_debug *d, struct pagewatch *w)
{
	w->used = false;
	if (!page_shared(d, w))
		protect(d, w->gpa, false);
}

int watch_remove(struct vm_debug *d, uint64_t addr, unsigned len)
{
	for (unsigned i = 0; i < WATCH_MAX; i++)
		if (d->watches[i].used && d->watches[i].addr == addr && d->watches[i].len == len) {
			watch_drop(d, &d->watches[i]);
			return 0;
		}
	return -1;
}

void watch_remove_all(struct vm_debug *d)
{
	for (unsigned i = 0; i < WATCH_MAX; i++)
		if (d->watches[i].used)
			watch_drop(d, &d->watches[i]);
}

/* The decoded store or AMO, done on guest RAM as the hart would have; false if it cannot be. */
static bool do_store(struct vcpu *v, uint64_t gpa, const struct mmio_insn *mi)
{
	uint8_t *p = vm_gpa_ptr(v->vm, gpa);
	uint64_t src = v->regs.x[mi->reg];

	if (!mi->amo) {
		memcpy(p, &src, mi->width); /* little-endian, as the guest */
		return true;
	}
	if (gpa & (mi->width - 1))
		return false;
	src = v->regs.x[mi->rs2];
	if (mi->width == 4) {
		uint32_t old = __atomic_load_n((uint32_t *)p, __ATOMIC_RELAXED), new;
		do
			new = (uint32_t)insn_amo_apply(mi->amo - 1u, 4, old, src);
		while (!__atomic_compare_exchange_n((uint32_t *)p, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
		src = (uint64_t)(int64_t)(int32_t)old;
	} else {
		uint64_t old = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED), new;
		do
			new = insn_amo_apply(mi->amo - 1u, 8, old, src);
		while (!__atomic_compare_exchange_n((uint64_t *)p, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
		src = old;
	}
	if (mi->reg)
		v->regs.x[mi->reg] = src;
	return true;
}

/* The store at the fault: decoded from htinst or the instruction itself; false if it is none we do. */
static bool decode_store(const struct exit_info *e, struct mmio_insn *mi)
{
	uint32_t insn;

	if (insn_decode_htinst(e->htinst, mi) && (trap_fetch_insn(e->sepc, &insn) || insn_decode_mmio(insn, mi)))
		return false;
	return mi->is_store || mi->amo;
}

static bool overlaps(const struct pagewatch *w, uint64_t gpa, unsigned len)
{
	return gpa < w->gpa + w->len && gpa + len > w->gpa;
}

bool gdbstub_watch_fault(struct vcpu *v, struct exit_info *e)
{
	struct vm_debug *d = gdbstub_debug_of(v->vm);
	/* cppcheck-suppress shadowFunction ; the address, not mem/types.h's gpa() */
	uint64_t gpa = e->htval << 2 | (e->stval & 3);
	const struct pagewatch *hit = 0;
	struct mmio_insn mi;
	bool decoded, ours = false;

	spin_lock(&d->lock);
	for (unsigned i = 0; i < WATCH_MAX && !hit; i++)
		if (d->watches[i].used && same_page(d->watches[i].gpa, gpa))
			hit = &d->watches[i];
	if (!hit)
		goto out; /* not a watched page: MMIO as always */
	ours = true;
	decoded = decode_store(e, &mi) && vm_gpa_range_ok(v->vm, gpa, mi.width);
	for (unsigned i = 0; decoded && i < WATCH_MAX; i++)
		if (d->watches[i].used && overlaps(&d->watches[i], gpa, mi.width)) {
			hit = &d->watches[i];
			decoded = false; /* a watched store: gdb's to see */
		}
	if (decoded && do_store(v, gpa, &mi)) {
		e->advance = mi.len;
		goto out;
	}
	/* pc stays on the store: gdb steps it without its watchpoints and compares. */
	faultloop_reset(&v->loop);
	if (!d->stop_tid)
		snprintf(d->stop_extra, sizeof(d->stop_extra), "watch:%lx;", hit->addr);
	e->action = TRAP_YIELD;
	vmstop_request(d, v->id + 1, GDB_SIGTRAP);
out:
	spin_unlock(&d->lock);
	return ours;
}
