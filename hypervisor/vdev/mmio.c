/*
 * Guest-page faults: the G-stage maps only a VM's RAM, so every access to a
 * device page lands here.  The access is decoded (from htinst when it holds a
 * transformed instruction, else by reading the instruction through both
 * stages with HLVX) and emulated; an access that hits neither RAM nor a
 * device stops the VM.
 */
#include "core/trap.h"
#include "core/vm.h"
#include "core/hart.h"
#include "arch/csr.h"
#include "arch/insn.h"
#include "lib/printf.h"
#include "mem/vswalk.h"
#include "trace/trace.h"
#include "vdev/vvirtio_blk.h"

struct vdev_ops {
	const char *name;
	uint64_t base, size;
	int (*read)(struct vm *vm, uint64_t off, unsigned width, uint64_t *val);
	int (*write)(struct vm *vm, uint64_t off, unsigned width, uint64_t val);
	bool (*present)(const struct vm *vm);	/* 0: every VM has it */
};

static int uart_read(struct vm *vm, uint64_t off, unsigned width, uint64_t *val)
{
	int tx;
	bool level;

	if (width > 4)
		return -1;
	level = vuart_read(&vm->uart, off, val, &tx);
	vplic_set_level(&vm->plic, VM_UART_IRQ, level);
	if (off == 0 && vm->input_head != vm->input_tail)
		vm_console_refill(vm);	/* the guest drained a byte: top the FIFO up */
	return 0;
}

static int uart_write(struct vm *vm, uint64_t off, unsigned width, uint64_t val)
{
	int tx;
	bool level;

	if (width > 4)
		return -1;
	level = vuart_write(&vm->uart, off, val, &tx);
	if (tx >= 0)
		cons_vm_output(vm, (char)tx);
	vplic_set_level(&vm->plic, VM_UART_IRQ, level);
	vm_irq_update(vm);
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

static const struct vdev_ops vdevs[] = {
	{ "uart", VM_UART_BASE, VM_UART_SIZE, uart_read, uart_write, 0 },
	{ "plic", VM_PLIC_BASE, VM_PLIC_SIZE, plic_read, plic_write, 0 },
	/* virtio-blk in slot 0, for VMs with a disk (issue 4, vdev/vvirtio_blk.c) */
	{ "virtio-blk", VM_VIRTIO_BASE, VM_VIRTIO_STRIDE, vvblk_mmio_read, vvblk_mmio_write, vvblk_present },
};

/* Name of the device counted in vcpu_stats.mmio_by_dev[slot], or NULL. */
const char *mmio_dev_name_at(unsigned slot)
{
	return slot < sizeof(vdevs) / sizeof(vdevs[0]) ? vdevs[slot].name : 0;
}

static const struct vdev_ops *vdev_find(const struct vm *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < sizeof(vdevs) / sizeof(vdevs[0]); i++)
		if (gpa >= vdevs[i].base && gpa - vdevs[i].base < vdevs[i].size &&
		    (!vdevs[i].present || vdevs[i].present(vm)))
			return &vdevs[i];
	return 0;
}

static int decode_access(struct vcpu *v, struct exit_info *e, struct mmio_insn *mi)
{
	uint16_t lo, hi;

	(void)v;
	if (insn_decode_htinst(e->htinst, mi) == 0)
		return 0;
	if (arch_hlvx_hu(e->sepc, &lo))
		return -1;
	if (insn_length(lo) == 2)
		return insn_decode_mmio(lo, mi);
	if (arch_hlvx_hu(e->sepc + 2, &hi))
		return -1;
	return insn_decode_mmio(lo | (uint32_t)hi << 16, mi);
}

static enum vs_access access_of(unsigned code)
{
	return code == CAUSE_FETCH_GUEST_PAGE_FAULT ? VS_FETCH :
	       code == CAUSE_LOAD_GUEST_PAGE_FAULT ? VS_LOAD : VS_STORE;
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
 * everywhere: the fetch at sepc if its walk stops in that page, else the
 * decoded instruction's load or store at stval.
 */
static int implicit_vs_access(struct vcpu *v, struct exit_info *e, unsigned code)
{
	uint64_t pte_page = (e->htval << 2) >> 12;
	bool pseudo = e->htinst && !(e->htinst & 1);
	struct mmio_insn mi;
	enum vs_access access;

	if ((e->htinst && !pseudo) || !(v->regs.hstatus & HSTATUS_GVA))
		return -1;	/* a transformed instruction, or stval holds no guest VA */
	if (walk_stops_in(v, e->sepc, VS_FETCH, pte_page))
		return VS_FETCH;
	if (code == CAUSE_FETCH_GUEST_PAGE_FAULT || decode_access(v, e, &mi))
		return pseudo ? (int)access_of(code) : -1;
	access = mi.is_store ? VS_STORE : VS_LOAD;
	return pseudo || walk_stops_in(v, e->stval, access, pte_page) ? (int)access : -1;
}

/*
 * A VS-stage page-table access that hit no RAM: the privileged spec's
 * answer for a PTE access that a PMA forbids is an access fault of the
 * original access type, with stval the original VA.  Never the device:
 * the instruction's own access must not happen on it.
 */
static int implicit_access_fault(struct vcpu *v, struct exit_info *e, enum vs_access access)
{
	uint64_t cause = access == VS_FETCH ? CAUSE_FETCH_ACCESS :
			 access == VS_LOAD ? CAUSE_LOAD_ACCESS : CAUSE_STORE_ACCESS;
	uint64_t va = access == VS_FETCH ? e->sepc : e->stval;

	vcpu_inject_exception(v, cause, va);
	e->kind = TRACE_INJECT;
	e->payload[0] = cause;
	e->payload[1] = va;
	e->payload[2] = e->htval << 2;	/* the page-table entry's guest-physical address */
	return 0;
}

int mmio_handle_guest_fault(struct vcpu *v, struct exit_info *e)
{
	uint64_t gpa = e->htval << 2 | (e->stval & 3);
	const struct vdev_ops *dev = vdev_find(v->vm, gpa);
	struct mmio_insn mi;
	uint64_t val = 0;
	unsigned code = e->scause & 0xff;

	int implicit = implicit_vs_access(v, e, code);

	if (implicit >= 0)
		return implicit_access_fault(v, e, (enum vs_access)implicit);
	if (code == CAUSE_FETCH_GUEST_PAGE_FAULT || !dev) {
		snprintf(e->why, sizeof(e->why), "%s at guest-physical 0x%lx: not RAM and no device the VM was given",
			 code == CAUSE_FETCH_GUEST_PAGE_FAULT ? "instruction fetch" :
			 code == CAUSE_LOAD_GUEST_PAGE_FAULT ? "load" : "store", gpa);
		return -1;
	}
	if (decode_access(v, e, &mi)) {
		snprintf(e->why, sizeof(e->why), "cannot decode the %s access at pc 0x%lx", dev->name, e->sepc);
		return -1;
	}
	v->stats.mmio++;
	if (dev - vdevs < VM_MMIO_DEV_SLOTS)
		v->stats.mmio_by_dev[dev - vdevs]++;
	if (mi.is_store) {
		val = v->regs.x[mi.reg];
		if (mi.width < 8)
			val &= (1UL << (8 * mi.width)) - 1;
		if (dev->write(v->vm, gpa - dev->base, mi.width, val))
			goto bad_width;
	} else {
		if (dev->read(v->vm, gpa - dev->base, mi.width, &val))
			goto bad_width;
		if (mi.width < 8) {
			uint64_t sign = 1UL << (8 * mi.width - 1);
			val &= (1UL << (8 * mi.width)) - 1;
			if (mi.sign_extend && (val & sign))
				val |= ~((sign << 1) - 1);
		}
		if (mi.reg)
			v->regs.x[mi.reg] = val;
	}
	e->advance = mi.len;
	return 0;
bad_width:
	snprintf(e->why, sizeof(e->why), "%u-byte %s of %s register at offset 0x%lx is not supported",
		 mi.width, mi.is_store ? "store" : "load", dev->name, gpa - dev->base);
	return -1;
}
