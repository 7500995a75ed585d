/*
 * Guest-page faults: the G-stage maps only a VM's RAM, so every access to a
 * device page lands here.  The access is decoded (from htinst when it holds a
 * transformed instruction, else by reading the instruction through both
 * stages with HLVX) and emulated.  An access that hits neither RAM nor a
 * device, or that a device refuses (a PLIC register read by byte), gets what
 * it gets on QEMU: an access fault injected into the guest, traced, counted
 * as MMIO to "none" in the exit statistics and told on the console the
 * first few times.
 */
#include "core/trap.h"
#include "core/vm.h"
#include "core/hart.h"
#include "arch/csr.h"
#include "spec/insn.h"
#include "lib/printf.h"
#include "spec/vswalk.h"
#include "trace/trace.h"
#include "vdev/vvirtio_blk.h"
#include "core/bundle.h"

struct vdev_ops {
	const char *name;
	uint64_t base, size;
	int (*read)(struct vm *vm, uint64_t off, unsigned width, uint64_t *val);
	int (*write)(struct vm *vm, uint64_t off, unsigned width, uint64_t val);
	int (*create)(struct vm *vm, const struct bundle_vm *b); /* with the VM; -1: no VM */
	void (*reset)(struct vm *vm);				 /* as at power-on: VM start and reboot */
};

static int uart_read(struct vm *vm, uint64_t off, unsigned width, uint64_t *val)
{
	int tx;
	bool level;

	(void)width; /* any width reads the byte register, as QEMU's serial_mm */
	level = vuart_read(&vm->uart, off, val, &tx);
	vplic_set_level(&vm->plic, VM_UART_IRQ, level);
	if (off == 0 && vm->input_head != vm->input_tail)
		vm_console_refill(vm); /* the guest drained a byte: top the FIFO up */
	return 0;
}

/* The UART's interrupt line moved: the vPLIC, and the vCPUs it may concern. */
static __attribute__((noinline)) void uart_line_changed(struct vm *vm, bool level)
{
	vplic_change_level(&vm->plic, VM_UART_IRQ, level);
	vm_irq_update(vm);
}

/* Inline where called directly: the quick exit's console output (quick_store). */
static inline __attribute__((always_inline)) int uart_write(struct vm *vm, uint64_t off, unsigned width, uint64_t val)
{
	int tx;
	bool level;

	(void)width;
	level = vuart_write(&vm->uart, off, val, &tx);
	if (tx >= 0)
		term_vm_output(vm, (char)tx);
	/* Most writes (every THR byte) leave the line as it was: then nothing to tell anyone. */
	if (vplic_level(&vm->plic, VM_UART_IRQ) != level)
		uart_line_changed(vm, level);
	return 0;
}

static int plic_read(struct vm *vm, uint64_t off, unsigned width, uint64_t *val)
{
	return vplic_read(&vm->plic, off, width, val);
}

static int plic_write(struct vm *vm, uint64_t off, unsigned width, uint64_t val)
{
	int r = vplic_write(&vm->plic, off, width, val);

	vm_irq_update(vm);
	return r;
}

static void uart_reset(struct vm *vm)
{
	vuart_init(&vm->uart);
}

static int uart_create(struct vm *vm, const struct bundle_vm *b)
{
	(void)b;
	uart_reset(vm);
	return 0;
}

static void plic_reset(struct vm *vm)
{
	vplic_init(&vm->plic, vm->vcpu_count);
}

static int plic_create(struct vm *vm, const struct bundle_vm *b)
{
	(void)b;
	plic_reset(vm);
	return 0;
}

/* The VM's disk, if its entry names one (issue 4); last: it claims a host device. */
static int vblk_create(struct vm *vm, const struct bundle_vm *b)
{
	if (vvblk_create(vm, b->disk_serial, sizeof(b->disk_serial)))
		return -1;
	vvblk_set_strict(vm, b->flags & BUNDLE_VM_VIRTIO_STRICT);
	return 0;
}

enum { UART_SLOT };

static const struct vdev_ops vdevs[] = {
	[UART_SLOT] = { "uart", VM_UART_BASE, VM_UART_SIZE, uart_read, uart_write, uart_create, uart_reset },
	{ "plic", VM_PLIC_BASE, VM_PLIC_SIZE, plic_read, plic_write, plic_create, plic_reset },
	/* all 8 virtio-mmio slots: the disk in slot 0 for VMs with one, the rest empty */
	{ "virtio-blk", VM_VIRTIO_BASE, VM_VIRTIO_SLOTS *VM_VIRTIO_STRIDE, vvblk_mmio_read, vvblk_mmio_write,
	  vblk_create, vvblk_reset },
};

#define VDEV_COUNT   (sizeof(vdevs) / sizeof(vdevs[0]))
#define HOLE_SLOT    VDEV_COUNT /* mmio_by_dev[] slot of injected access faults */
#define HOLE_NOTICES 4		/* console lines per VM, then only counted */
_Static_assert(HOLE_SLOT < VM_MMIO_DEV_SLOTS, "mmio_by_dev has no slot for access faults");

static unsigned hole_notices[VM_MAX + 1];

/* Name of the device counted in vcpu_stats.mmio_by_dev[slot], or NULL. */
const char *mmio_dev_name_at(unsigned slot)
{
	return slot < VDEV_COUNT ? vdevs[slot].name : slot == HOLE_SLOT ? "none" :
									  0;
}

/* Every device of the VM's board, in table order; -1 (and a line saying why) if one cannot be made. */
int vdev_create(struct vm *vm, const struct bundle_vm *b)
{
	for (unsigned i = 0; i < VDEV_COUNT; i++)
		if (vdevs[i].create(vm, b))
			return -1;
	return 0;
}

/* Power-on state for every device, last made first. */
void vdev_reset(struct vm *vm)
{
	for (unsigned i = VDEV_COUNT; i-- > 0;)
		vdevs[i].reset(vm);
}

/* vdevs[] index of the device at gpa, or -1; unrolled, the table's bounds become constants. */
static inline int vdev_find(uint64_t gpa)
{
#pragma GCC unroll 8
	for (unsigned i = 0; i < VDEV_COUNT; i++)
		if (gpa >= vdevs[i].base && gpa - vdevs[i].base < vdevs[i].size)
			return (int)i;
	return -1;
}

static int decode_access(struct exit_info *e, struct mmio_insn *mi)
{
	uint32_t insn;

	if (insn_decode_htinst(e->htinst, mi) == 0)
		return 0;
	if (trap_fetch_insn(e->sepc, &insn))
		return -1;
	return insn_decode_mmio(insn, mi);
}

static enum vs_access access_of(unsigned code)
{
	return code == CAUSE_FETCH_GUEST_PAGE_FAULT ? VS_FETCH :
	       code == CAUSE_LOAD_GUEST_PAGE_FAULT  ? VS_LOAD :
						      VS_STORE;
}

/* Does the guest's VS-stage walk of va stop at an entry outside RAM in that page? */
static bool walk_stops_in(struct vcpu *v, uint64_t va, enum vs_access access, uint64_t pte_page)
{
	struct vs_walk w;

	trap_vs_walk(v, va, access, &w);
	return !w.bare && w.steps && !w.step[w.steps - 1].pte_hpa &&
	       w.step[w.steps - 1].pte_gpa >> 12 == pte_page;
}

/*
 * Did the guest-page fault come from the hardware's own read (or A/D write)
 * of a VS-stage page-table entry rather than from the instruction's access?
 * Returns the original access, or -1 for an ordinary access.  htinst says
 * so with a pseudoinstruction (nonzero, bit 0 clear) where the hart writes
 * one; QEMU 7.2 leaves htinst 0 for some and, where it writes one, reports
 * every such fault as a load.  So the original access is found the same way
 * everywhere: the decoded load or store (mi, NULL when the instruction could
 * not be read or is none) at stval, else the fetch at sepc if its walk
 * stops in that page.  An instruction HLVX could read was fetched fine, so
 * only without one is the fetch walked.
 */
static int implicit_vs_access(struct vcpu *v, struct exit_info *e, unsigned code, const struct mmio_insn *mi)
{
	uint64_t pte_page = (e->htval << 2) >> 12;
	bool pseudo = e->htinst && !(e->htinst & 1);
	enum vs_access access;

	if ((e->htinst && !pseudo) || !(v->regs.hstatus & HSTATUS_GVA))
		return -1; /* a transformed instruction, or stval holds no guest VA */
	if (!mi) {
		if (walk_stops_in(v, e->sepc, VS_FETCH, pte_page))
			return VS_FETCH;
		return pseudo ? (int)access_of(code) : -1;
	}
	access = mi->is_store ? VS_STORE : VS_LOAD;
	return pseudo || walk_stops_in(v, e->stval, access, pte_page) ? (int)access : -1;
}

/* Deliver cause with tval to the guest, and say so in the trace (p1: the GPA involved). */
static int inject_fault(struct vcpu *v, struct exit_info *e, uint64_t cause, uint64_t tval, uint64_t gpa)
{
	vcpu_inject_exception(v, cause, tval);
	e->kind = TRACE_INJECT;
	e->info = (unsigned)cause;
	e->payload[0] = tval;
	e->payload[1] = gpa;
	return 0;
}

/*
 * A VS-stage page-table access that hit no RAM.  QEMU, the oracle, reads a
 * device register as the PTE (an invalid one: V=0 for every register a
 * table can land on at reset) or fails on a hole, and either way raises the
 * page fault of the original access with stval the original VA; native
 * runs of guests/tests/hostile (ptmmio) on QEMU 10 and 7.2 show it.  (The
 * privileged spec would also allow an access fault, for a PMA that forbids
 * page-table reads.)  Never the device: the instruction's own access must
 * not happen on it.
 */
static int implicit_access_fault(struct vcpu *v, struct exit_info *e, enum vs_access access)
{
	uint64_t cause = access == VS_FETCH ? CAUSE_FETCH_PAGE_FAULT :
			 access == VS_LOAD  ? CAUSE_LOAD_PAGE_FAULT :
					      CAUSE_STORE_PAGE_FAULT;
	uint64_t va = access == VS_FETCH ? e->sepc : e->stval;

	return inject_fault(v, e, cause, va, e->htval << 2); /* GPA: the page-table entry's */
}

/*
 * The guest gets the access fault QEMU's bus gives it (cause 1, 5 or 7 with
 * the faulting address in stval), and the VM goes on.  A guest with no trap
 * handler yet faults again at its vector: the fault-loop detector stops it
 * with a report.
 */
static int access_fault(struct vcpu *v, struct exit_info *e, uint64_t gpa, const char *what)
{
	unsigned code = e->scause & 0xff;
	uint64_t cause = code == CAUSE_FETCH_GUEST_PAGE_FAULT ? CAUSE_FETCH_ACCESS :
			 code == CAUSE_LOAD_GUEST_PAGE_FAULT  ? CAUSE_LOAD_ACCESS :
								CAUSE_STORE_ACCESS;
	struct vm *vm = v->vm;
	unsigned *told = &hole_notices[vm->id <= VM_MAX ? vm->id : 0];

	if (*told < HOLE_NOTICES)
		hv_printf("vm%d: %s at guest-physical 0x%lx (pc 0x%lx): %s; RAM is [0x%lx, 0x%lx): "
			  "access fault injected, as on QEMU\n",
			  vm->id,
			  cause == CAUSE_FETCH_ACCESS ? "instruction fetch" : cause == CAUSE_LOAD_ACCESS ? "load" :
													   "store",
			  gpa, e->sepc, what, (uint64_t)VM_RAM_BASE, (uint64_t)VM_RAM_BASE + vm->ram_size);
	else if (*told == HOLE_NOTICES)
		hv_printf("vm%d: more access faults injected: counted in `stats` as mmio none\n", vm->id);
	(*told)++;
	v->stats.mmio_by_dev[HOLE_SLOT]++;
	return inject_fault(v, e, cause, e->stval, gpa);
}

/*
 * An AMO on a device register: read, modify, write, rd = the old value
 * (sign-extended for .W), as QEMU performs one on MMIO.  No other hart can
 * come between: the device models take their own locks per access, and a
 * guest that races AMOs on one register from two vCPUs gets what two
 * separate accesses would give it.
 */
/* The bits an access of `width` bytes (1, 2, 4 or 8) carries. */
static inline uint64_t width_mask(unsigned width)
{
	return width < 8 ? (1UL << (8 * width)) - 1 : ~0UL;
}

static int mmio_amo(struct vcpu *v, const struct vdev_ops *dev, uint64_t gpa, const struct mmio_insn *mi,
		    uint64_t *val)
{
	uint64_t mask = width_mask(mi->width);
	uint64_t old, src = v->regs.x[mi->rs2];

	if (dev->read(v->vm, gpa - dev->base, mi->width, &old))
		return -1;
	old &= mask;
	*val = insn_amo_apply(mi->amo - 1u, mi->width, old, src) & mask;
	if (dev->write(v->vm, gpa - dev->base, mi->width, *val))
		return -1;
	if (mi->reg)
		v->regs.x[mi->reg] = mi->width == 4 ? (uint64_t)(int64_t)(int32_t)old : old;
	return 0;
}

/* What a load of `width` bytes puts in its register: zero- or sign-extended. */
static uint64_t mmio_load_value(unsigned width, bool sign_extend, uint64_t val)
{
	if (width < 8) {
		uint64_t sign = 1UL << (8 * width - 1);
		val &= width_mask(width);
		if (sign_extend && (val & sign))
			val |= ~((sign << 1) - 1);
	}
	return val;
}

int mmio_handle_guest_fault(struct vcpu *v, struct exit_info *e)
{
	/* cppcheck-suppress shadowFunction ; the address, not mem/types.h's gpa() */
	uint64_t gpa = e->htval << 2 | (e->stval & 3);
	int slot = vdev_find(gpa);
	const struct vdev_ops *dev = slot >= 0 ? &vdevs[slot] : 0;
	struct mmio_insn mi;
	uint64_t val = 0;
	unsigned code = e->scause & 0xff;

	/* Decoded once, for both questions below: whose access was it, and what does it do. */
	bool decoded = code != CAUSE_FETCH_GUEST_PAGE_FAULT && decode_access(e, &mi) == 0;
	int implicit = implicit_vs_access(v, e, code, decoded ? &mi : 0);

	if (implicit >= 0)
		return implicit_access_fault(v, e, (enum vs_access)implicit);
	if (code == CAUSE_FETCH_GUEST_PAGE_FAULT || !dev)
		return access_fault(v, e, gpa, "not RAM and no device the VM was given");
	if (!decoded) {
		snprintf(e->why, sizeof(e->why), "cannot decode the %s access at pc 0x%lx", dev->name, e->sepc);
		return -1;
	}
	v->stats.mmio++;
	v->stats.mmio_by_dev[slot]++; /* VDEV_COUNT < VM_MMIO_DEV_SLOTS */
	if (mi.amo) {
		if (mmio_amo(v, dev, gpa, &mi, &val))
			goto bad_width;
	} else if (mi.is_store) {
		val = v->regs.x[mi.reg] & width_mask(mi.width);
		if (dev->write(v->vm, gpa - dev->base, mi.width, val))
			goto bad_width;
	} else {
		if (dev->read(v->vm, gpa - dev->base, mi.width, &val))
			goto bad_width;
		val = mmio_load_value(mi.width, mi.sign_extend, val);
		if (mi.reg)
			v->regs.x[mi.reg] = val;
	}
	e->kind = TRACE_MMIO; /* `trace` shows what the guest read or wrote where */
	e->info = mi.width | (unsigned)mi.is_store << 8;
	e->payload[0] = gpa;
	e->payload[1] = val;
	e->advance = mi.len;
	return 0;
bad_width:
	snprintf(e->why, sizeof(e->why), "%u-byte %s register access at offset 0x%lx refused",
		 mi.width, dev->name, gpa - dev->base);
	return access_fault(v, e, gpa, e->why);
}

/*
 * The quick exit (core/trap.c): a load or store that htinst describes as a
 * transformed instruction, to a device the VM has, no watch page in the way.
 * With a transformed instruction the access is the instruction's own (not
 * the VS-stage walk's), so mmio_handle_guest_fault() would go straight to
 * the device too.  An AMO, an access the device refuses, a hole: the
 * general path, and so does an access whose data register is one the
 * quick exit leaves in the hart (s0, s2-s11: arch/vcpu_regs.h).  A refused
 * access changed nothing (the device models check the width first), so the
 * general path can repeat it.
 */
/*
 * The quick exit's device access, a store or a load: separate functions,
 * called last, so each keeps only what it needs across the device call.
 * Counted only when the device takes it (a refused one goes to the
 * general path, which counts it).  The record's info and value are
 * mmio_handle_guest_fault's.
 */
static __attribute__((noinline)) quick_result_t quick_store(struct vcpu *v, long slot, uint64_t off,
							    unsigned long width, uint64_t val, unsigned long len)
{
	quick_result_t done = QUICK_RESULT(len, width | 1u << 8, val);

	/* The UART (console output, a byte at a time) by a direct call, which inlines. */
	if (slot == UART_SLOT ? uart_write(v->vm, off, width, val) : vdevs[slot].write(v->vm, off, width, val))
		return QUICK_NONE;
	v->stats.mmio++;
	v->stats.mmio_by_dev[slot]++;
	return done;
}

static __attribute__((noinline)) quick_result_t quick_load(struct vcpu *v, long slot, uint64_t off,
							   unsigned long width, bool sign_extend, unsigned long reg,
							   unsigned long len)
{
	uint64_t val;

	if (vdevs[slot].read(v->vm, off, width, &val))
		return QUICK_NONE;
	val = mmio_load_value(width, sign_extend, val);
	if (reg)
		v->regs.x[reg] = val;
	v->stats.mmio++;
	v->stats.mmio_by_dev[slot]++;
	return QUICK_RESULT(len, width, val);
}

quick_result_t mmio_quick(struct vcpu *v, uint64_t scause)
{
	uint64_t htinst = csr_read_relaxed(CSR_HTINST);
	struct mmio_insn mi;
	/* cppcheck-suppress shadowFunction ; the address, not mem/types.h's gpa() */
	uint64_t gpa, val;
	int slot;

	if (insn_decode_htinst_ls(htinst, &mi) || !vcpu_reg_in_regs_quick(mi.reg) ||
	    (scause == CAUSE_STORE_GUEST_PAGE_FAULT && v->vm->watch_pages))
		return QUICK_NONE;
	gpa = csr_read_relaxed(CSR_HTVAL) << 2 | (csr_read_relaxed(CSR_STVAL) & 3);
	slot = vdev_find(gpa);
	if (slot < 0)
		return QUICK_NONE;
	if (!mi.is_store)
		return quick_load(v, slot, gpa - vdevs[slot].base, mi.width, mi.sign_extend, mi.reg, mi.len);
	val = v->regs.x[mi.reg] & width_mask(mi.width);
	return quick_store(v, slot, gpa - vdevs[slot].base, mi.width, val, mi.len);
}
