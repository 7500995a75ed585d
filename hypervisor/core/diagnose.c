/*
 * The last line of a post-mortem report: what killed the VM, in one line,
 * and the way out.  Worked out once, when the VM dies (the guest's tables
 * are as they were then), and kept in vm->pm so that `hv> dump N` and gdb's
 * `hv report N` print the same words.
 *
 * Rules, first match wins:
 *   A/D             the first fault of the chain (or the fault) is a VS-stage
 *                   page fault whose only reason is a clear A or D bit
 *   SRST            the guest shut itself down reporting a system failure
 *   guest-physical  the first fault of the chain is a guest-page fault
 *                   outside RAM or on no device (the guest got an access
 *                   fault, as on QEMU, and had no handler for it), or
 *                   inside RAM without a G-stage mapping (a hypervisor bug)
 *   no trap vector  the guest died fetching at its own stvec: the trap it
 *                   took there (vscause at vsepc) is the real cause;
 *                   an illegal instruction is named as such
 *   illegal insn    a fault loop on an illegal instruction
 *   MMIO            a device access the hypervisor cannot emulate
 *   anything else   the cause, and where to look
 */
#include "core/postmortem.h"
#include "core/vm.h"
#include "arch/csr.h"
#include "spec/decode.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "spec/pte.h"
#include "spec/vswalk.h"

static bool contains(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (strncmp(s, word, n) == 0)
			return true;
	return false;
}

static const char *access_name(uint64_t scause)
{
	switch (scause) {
	case CAUSE_FETCH_PAGE_FAULT:
	case CAUSE_FETCH_GUEST_PAGE_FAULT:
		return "fetch";
	case CAUSE_LOAD_PAGE_FAULT:
	case CAUSE_LOAD_GUEST_PAGE_FAULT:
		return "load";
	default:
		return "store";
	}
}

static bool is_vs_page_fault(uint64_t scause)
{
	return scause == CAUSE_FETCH_PAGE_FAULT || scause == CAUSE_LOAD_PAGE_FAULT ||
	       scause == CAUSE_STORE_PAGE_FAULT;
}

static bool is_guest_page_fault(uint64_t scause)
{
	return scause == CAUSE_FETCH_GUEST_PAGE_FAULT || scause == CAUSE_LOAD_GUEST_PAGE_FAULT ||
	       scause == CAUSE_STORE_GUEST_PAGE_FAULT;
}

void postmortem_vs_walk(struct vm *vm, const struct vm_postmortem *pm, uint64_t va, uint64_t scause,
			struct vs_walk *w)
{
	enum vs_access access = scause == CAUSE_FETCH_PAGE_FAULT || scause == CAUSE_FETCH_GUEST_PAGE_FAULT ?
					VS_FETCH :
				scause == CAUSE_LOAD_PAGE_FAULT || scause == CAUSE_LOAD_GUEST_PAGE_FAULT ?
					VS_LOAD :
					VS_STORE;
	struct vs_walk_env env = {
		.vsatp = pm->vsatp,
		.priv_u = pm->priv_u,
		.sum = pm->vsstatus & SSTATUS_SUM,
		.mxr = pm->vsstatus & SSTATUS_MXR,
		.hw_ad = (pm->henvcfg & ENVCFG_ADUE) != 0,
		.pte_ptr = vm_pte_ptr,
		.ctx = vm,
	};

	vswalk(&env, va, access, w);
}

#define SAY(tag_text, ...) \
	do { \
		strncpy_safe(pm->tag, tag_text, sizeof(pm->tag)); \
		snprintf(pm->diagnosis, sizeof(pm->diagnosis), __VA_ARGS__); \
	} while (0)

/* A/D: the fault the chain began with is a clear A (or D) bit and nothing sets it. */
static bool diagnose_ad(struct vm *vm, struct vm_postmortem *pm)
{
	uint64_t scause = pm->has_first ? pm->first_scause : pm->scause;
	uint64_t va = pm->has_first ? pm->first_stval : pm->stval;
	struct vs_walk w;
	const char *bit;
	int id = vm->id;

	if (!is_vs_page_fault(scause))
		return false;
	postmortem_vs_walk(vm, pm, va, scause, &w);
	if (!w.ad_only || w.leaf < 0)
		return false;
	bit = w.step[w.leaf].pte & PTE_A ? "D=0 on a store" : "A=0";
	if (hv_henvcfg_caps & ENVCFG_ADUE)
		SAY("A/D", "first fault = %s at 0x%lx; leaf PTE %s while henvcfg.ADUE=0 and A/D emulation is %s "
			   "-> hv> adue %d on (or adem %d on), then reset %d",
		    access_name(scause), va, bit,
		    vm->ad_emulation ? "on" : "off", id, id, id);
	else
		SAY("A/D", "first fault = %s at 0x%lx; leaf PTE %s, the hart has no Svadu (henvcfg.ADUE stays 0) "
			   "and A/D emulation is %s -> hv> adem %d on, then reset %d",
		    access_name(scause), va, bit,
		    vm->ad_emulation ? "on" : "off", id, id);
	return true;
}

/* The guest died at its own trap vector: what sent it there is the story. */
static bool diagnose_trap_vector(struct vm *vm, struct vm_postmortem *pm)
{
	uint64_t vec = pm->vstvec & ~3UL;
	int id = vm->id;

	if (pm->scause != CAUSE_FETCH_PAGE_FAULT && pm->scause != CAUSE_FETCH_GUEST_PAGE_FAULT)
		return false;
	if (pm->sepc != vec || (pm->vscause & CAUSE_IRQ_FLAG))
		return false;
	if (pm->vscause == 0 && pm->vsepc == 0)
		return false; /* the guest never trapped: it jumped there itself */
	if (pm->vscause == CAUSE_ILLEGAL_INSTRUCTION)
		SAY("illegal instruction", "illegal instruction 0x%lx at pc 0x%lx; the guest's stvec 0x%lx leads "
					   "nowhere (%s fault there) -> not code this VM can run: check the image and its entry "
					   "(x %d v:0x%lx, regs %d)",
		    pm->vstval, pm->vsepc, pm->vstvec,
		    pm->scause == CAUSE_FETCH_PAGE_FAULT ? "page" : "guest-page", id, pm->vsepc, id);
	else
		SAY("no trap handler", "%s at pc 0x%lx (tval 0x%lx) went to stvec 0x%lx, where the fetch faults "
				       "-> the guest trapped before setting stvec: x %d v:0x%lx, regs %d",
		    decode_cause_name(pm->vscause), pm->vsepc, pm->vstval, pm->vstvec, id, pm->vsepc, id);
	return true;
}

/*
 * A guest-physical access that is neither RAM nor a device of the VM.  The
 * guest got an access fault for it, as on QEMU (vdev/mmio.c); a guest with
 * no handler for that then loops at its vector, so this is usually the
 * first fault of the chain.
 */
static void diagnose_guest_physical(struct vm *vm, struct vm_postmortem *pm, uint64_t scause, uint64_t gpa,
				    uint64_t pc)
{
	uint64_t ram_end = VM_RAM_BASE + vm->ram_size;
	const char *acc = access_name(scause);
	int id = vm->id;

	if (gpa >= VM_RAM_BASE && gpa < ram_end)
		SAY("G-stage", "%s at gpa 0x%lx (pc 0x%lx) is inside vm%d's RAM but has no G-stage mapping "
			       "-> a hypervisor bug: keep this report (hv> dump %d) and the gdb dump",
		    acc, gpa, pc, id, id);
	else if (gpa >= VM_RAM_BASE || scause == CAUSE_FETCH_GUEST_PAGE_FAULT)
		SAY("outside RAM", "%s at gpa 0x%lx (pc 0x%lx) is outside vm%d's RAM 0x%lx..0x%lx (an access "
				   "fault, as on QEMU) -> a bad pointer in the guest (xlate %d VA shows its translation), or "
				   "more RAM (ram = in its config)",
		    acc, gpa, pc, id, VM_RAM_BASE, ram_end - 1, id);
	else
		SAY("MMIO to no device", "%s at gpa 0x%lx (pc 0x%lx) hits no device of vm%d (uart 0x%lx, plic "
					 "0x%lx, virtio-mmio 0x%lx..0x%lx; an access fault, as on QEMU) -> give it the device in its "
					 "config or fix the guest's address",
		    acc, gpa, pc, id, VM_UART_BASE, VM_PLIC_BASE,
		    VM_VIRTIO_BASE, VM_VIRTIO_BASE + VM_VIRTIO_SLOTS * VM_VIRTIO_STRIDE - 1);
}

/* The first fault of the chain was an access to neither RAM nor a device (the fetch at 0 only followed). */
static bool diagnose_hole_first(struct vm *vm, struct vm_postmortem *pm)
{
	if (!pm->has_first || !is_guest_page_fault(pm->first_scause))
		return false;
	diagnose_guest_physical(vm, pm, pm->first_scause, pm->first_gpa, pm->first_sepc);
	return true;
}

void postmortem_diagnose(struct vm *vm, struct vm_postmortem *pm)
{
	int id = vm->id;

	if (diagnose_ad(vm, pm))
		return;
	if (pm->scause == CAUSE_VIRTUAL_SUPERVISOR_ECALL && contains(pm->why, "SRST")) {
		SAY("SRST system failure", "the guest asked SBI SRST to shut down for a system failure at pc 0x%lx "
					   "-> its last console lines say why: hv> log %d",
		    pm->sepc, id);
		return;
	}
	if (diagnose_hole_first(vm, pm))
		return;
	if (diagnose_trap_vector(vm, pm))
		return;
	if (pm->scause == CAUSE_ILLEGAL_INSTRUCTION) {
		SAY("illegal instruction", "illegal instruction 0x%lx at pc 0x%lx%s -> not code this VM can run: "
					   "x %d v:0x%lx, regs %d",
		    pm->stval, pm->sepc, pm->loop ? ", again and again" : "", id,
		    pm->sepc, id);
		return;
	}
	if (is_guest_page_fault(pm->scause) && contains(pm->why, "no device")) {
		diagnose_guest_physical(vm, pm, pm->scause, pm->htval << 2 | (pm->stval & 3), pm->sepc);
		return;
	}
	if (is_guest_page_fault(pm->scause)) {
		SAY("MMIO", "%s -> the guest uses a device register in a way hvscope does not emulate "
			    "(x %d v:0x%lx shows the instruction)",
		    pm->why, id, pm->sepc);
		return;
	}
	if (pm->loop) {
		SAY("fault loop", "%s at pc 0x%lx (tval 0x%lx) repeats and nothing changes -> xlate %d 0x%lx, "
				  "regs %d",
		    decode_cause_name(pm->scause), pm->sepc, pm->stval, id, pm->stval, id);
		return;
	}
	SAY("unhandled trap", "%s (%s at pc 0x%lx) -> regs %d, x %d v:0x%lx", pm->why,
	    decode_cause_name(pm->scause), pm->sepc, id, id, pm->sepc);
}
