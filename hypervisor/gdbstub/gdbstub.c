/*
 * The VM side of the gdbstub: struct gdb_target_ops for one VM (registers,
 * memory, threads, resume, detach) and the virtio-console entry points.
 * Stops are in vmstop.c, breakpoints in bp.c, stepping in step.c,
 * hardware triggers in trig.c; internal.h has the state they share and the
 * locking order.  See gdbstub.h.
 *
 * Every register and memory access happens while the VM is stopped for the
 * debugger: VM_PAUSED (the console's pause: no hart picks its vCPUs) and
 * none of its vCPUs loaded on a hart, so their saved state is the truth.
 */
#include "gdbstub/gdbstub.h"
#include "gdbstub/internal.h"
#include "core/vm.h"
#include "core/vmfdt.h"
#include "drivers/virtio_console.h"
#include "arch/csr.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct vm_debug dbgs[VM_MAX];

size_t gdbstub_state_size(void)
{
	return sizeof(struct vm_debug);
}

bool gdbstub_present;

struct vm_debug *gdbstub_debug_of(struct vm *vm) { return &dbgs[vm->id - 1]; }

static struct vcpu *vcpu_of(struct vm_debug *d, unsigned tid)
{
	return tid >= 1 && tid <= d->vm->vcpu_count ? &d->vm->vcpus[tid - 1] : 0;
}

/* The saved field behind an S-mode CSR register number. */
static uint64_t *csr_field(struct vcpu *v, unsigned reg)
{
	switch (reg) {
	case GDB_REG_SSTATUS: return &v->vsstatus;
	case GDB_REG_SIE: return &v->vsie;
	case GDB_REG_STVEC: return &v->vstvec;
	case GDB_REG_SSCRATCH: return &v->vsscratch;
	case GDB_REG_SEPC: return &v->vsepc;
	case GDB_REG_SCAUSE: return &v->vscause;
	case GDB_REG_STVAL: return &v->vstval;
	case GDB_REG_SATP: return &v->vsatp;
	default: return 0;
	}
}

static int t_reg_read(void *ctx, unsigned tid, unsigned reg, uint64_t *val)
{
	struct vcpu *v = vcpu_of(ctx, tid);
	uint64_t *f;

	if (!v)
		return -1;
	if (reg < 32)
		*val = reg ? v->regs.x[reg] : 0;
	else if (reg == GDB_REG_PC)
		*val = v->regs.sepc;
	/* cppcheck-suppress knownConditionTrueFalse ; true here, kept to name the F registers' range */
	else if (reg >= GDB_REG_F0 && reg < GDB_REG_F0 + 32)
		*val = v->fp.f[reg - GDB_REG_F0];
	else if (reg == GDB_REG_FFLAGS)
		*val = v->fp.fcsr & 0x1f;
	else if (reg == GDB_REG_FRM)
		*val = (v->fp.fcsr >> 5) & 7;
	else if (reg == GDB_REG_FCSR)
		*val = v->fp.fcsr & 0xff;
	else if (reg == GDB_REG_SIP)
		*val = vcpu_saved_vsip(v);
	else if (reg == GDB_REG_PRIV)
		*val = (v->regs.sstatus & SSTATUS_SPP) ? 1 : 0;
	else if ((f = csr_field(v, reg)) != 0)
		*val = *f;
	else
		return -1;
	return 0;
}

static int t_reg_write(void *ctx, unsigned tid, unsigned reg, uint64_t val)
{
	struct vcpu *v = vcpu_of(ctx, tid);
	uint64_t *f;

	if (!v)
		return -1;
	if (reg < 32) {
		if (reg)
			v->regs.x[reg] = val;
	} else if (reg == GDB_REG_PC) {
		v->regs.sepc = val;
		/* cppcheck-suppress knownConditionTrueFalse ; true here, kept to name the F registers' range */
	} else if (reg >= GDB_REG_F0 && reg < GDB_REG_F0 + 32) {
		v->fp.f[reg - GDB_REG_F0] = val;
	} else if (reg == GDB_REG_FFLAGS) {
		v->fp.fcsr = (v->fp.fcsr & ~0x1fUL) | (val & 0x1f);
	} else if (reg == GDB_REG_FRM) {
		v->fp.fcsr = (v->fp.fcsr & ~0xe0UL) | (val & 7) << 5;
	} else if (reg == GDB_REG_FCSR) {
		v->fp.fcsr = val & 0xff;
	} else if (reg == GDB_REG_PRIV) {
		if (val > 1)
			return -1;
		v->regs.sstatus = val ? v->regs.sstatus | SSTATUS_SPP : v->regs.sstatus & ~SSTATUS_SPP;
	} else if ((f = csr_field(v, reg)) != 0) {
		*f = val;
		if (reg == GDB_REG_SATP)
			guestmem_changed(v->vm);
	} else {
		return -1; /* sip: pending interrupts are the devices' business */
	}
	return 0;
}

static int t_mem_read(void *ctx, unsigned tid, uint64_t addr, uint8_t *buf, size_t len)
{
	struct vm_debug *d = ctx;
	struct vcpu *v = vcpu_of(d, tid);

	return v ? guestmem_copy(d, v->vsatp, addr, buf, len, false) : -1;
}

static int t_mem_write(void *ctx, unsigned tid, uint64_t addr, const uint8_t *buf, size_t len)
{
	struct vm_debug *d = ctx;
	struct vcpu *v = vcpu_of(d, tid);

	if (!v || guestmem_copy(d, v->vsatp, addr, (uint8_t *)buf, len, true))
		return -1;
	guestmem_changed(d->vm);
	return 0;
}

static int t_resume(void *ctx, unsigned step_tid)
{
	struct vm_debug *d = ctx;
	struct vm *vm = d->vm;
	struct vcpu *v = vcpu_of(d, step_tid);

	if (vm->state != VM_PAUSED)
		return -1; /* stopped, dead or resetting: nothing to run */
	if (step_tid && (!v || step_setup(d, v)))
		return -1;
	d->fault_stop = false;
	vmstop_hedeleg(d, bp_count(d) || d->step_vcpu >= 0 || d->trig_count);
	vmstop_resume(d);
	return 0;
}

static unsigned t_thread_count(void *ctx)
{
	return ((struct vm_debug *)ctx)->vm->vcpu_count;
}

static bool t_has_fp(void *ctx)
{
	char isa[256];

	vmfdt_vm_isa(((struct vm_debug *)ctx)->vm, isa, sizeof(isa));
	for (const char *s = isa + 4; *s && *s != '_'; s++)
		if (*s == 'd')
			return true;
	return false;
}

static void t_stop(void *ctx)
{
	vmstop_request(ctx, 0, 0);
}

static void t_detach(void *ctx)
{
	struct vm_debug *d = ctx;

	step_finish(d);
	bp_remove_all(d);
	trig_remove_all(d);
	d->phys = false;
	d->stop_tid = 0;
	vmstop_catch_set(d, false);
	d->fault_stop = false;
	vmstop_hedeleg(d, false);
	if (vmstop_release_dying(d))
		return;
	vmstop_resume(d);
	/* Not vm_notice(): the user did this, so it is never rate-limited away. */
	hv_printf("vm%d: %s: debugger detached, running\n", d->vm->id, d->vm->name);
}

static void t_kill(void *ctx)
{
	struct vm_debug *d = ctx;

	step_finish(d);
	bp_remove_all(d);
	trig_remove_all(d);
	vmstop_catch_set(d, false);
	d->fault_stop = false;
	vmstop_hedeleg(d, false);
	__atomic_store_n(&d->stop_pending, 0, __ATOMIC_RELEASE);
	d->vm->debugger_held = false;
	vm_stop(d->vm, VM_STOPPED, "killed from gdb");
}

static void t_thread_name(void *ctx, unsigned tid, char *out, size_t size)
{
	static const char *const states[] = { "off", "runnable", "blocked", "stop-pending", "start-pending" };
	struct vcpu *v = vcpu_of(ctx, tid);

	if (!v) {
		snprintf(out, size, "?");
		return;
	}
	snprintf(out, size, "vCPU %u, %s, %s-mode, last on hart %d", v->id,
		 (unsigned)v->state < 5 ? states[v->state] : "?",
		 (v->regs.sstatus & SSTATUS_SPP) ? "S" : "U", v->hart);
}

static void t_send(void *ctx, const char *data, size_t len)
{
	virtio_console_write((unsigned)((struct vm_debug *)ctx)->vm->id, data, len);
}

static void t_monitor(void *ctx, const char *cmd, char *out, size_t size)
{
	gdbstub_monitor(ctx, cmd, out, size);
}

static const struct gdb_target_ops vm_target_ops = {
	.thread_count = t_thread_count,
	.has_fp = t_has_fp,
	.reg_read = t_reg_read,
	.reg_write = t_reg_write,
	.mem_read = t_mem_read,
	.mem_write = t_mem_write,
	.bp_insert = bp_insert,
	.bp_remove = bp_remove,
	.hw_insert = trig_insert,
	.hw_remove = trig_remove,
	.resume = t_resume,
	.stop = t_stop,
	.detach = t_detach,
	.kill = t_kill,
	.monitor = t_monitor,
	.thread_name = t_thread_name,
	.send = t_send,
};

void gdbstub_set_phys(struct vm_debug *d, bool on) { d->phys = on; }

/* The selected thread's pc (monitor's $pc). */
uint64_t gdbstub_pc(struct vm_debug *d)
{
	return d->vm->vcpus[d->stub.g_tid - 1].regs.sepc;
}

bool gdbstub_phys(struct vm_debug *d) { return d->phys; }

unsigned gdbstub_vcpu_index(struct vm_debug *d) { return d->stub.g_tid - 1; }

int gdbstub_vm_id(struct vm_debug *d) { return d->vm->id; }

static void on_rx(unsigned port, const uint8_t *data, size_t len)
{
	struct vm_debug *d;

	if (port < 1 || port > vm_count)
		return;
	d = &dbgs[port - 1];
	spin_lock(&d->lock);
	gdbstub_input(&d->stub, data, len);
	spin_unlock(&d->lock);
}

static void on_open(unsigned port, bool connected)
{
	struct vm_debug *d;

	if (port < 1 || port > vm_count)
		return;
	d = &dbgs[port - 1];
	hv_printf("vm%d: %s: debugger %s\n", d->vm->id, d->vm->name, connected ? "connected" : "disconnected");
	if (connected)
		return;
	spin_lock(&d->lock);
	gdbstub_disconnected(&d->stub);
	spin_unlock(&d->lock);
}

void gdbstub_setup(void)
{
	gdbstub_present = virtio_console_init(&host.virtio);
}

void gdbstub_hold_waiting(void)
{
	for (unsigned i = 0; i < vm_count; i++) {
		struct vm_debug *d = &dbgs[i];
		d->vm = &vms[i];
		d->step_vcpu = -1;
		gdbstub_init(&d->stub, &vm_target_ops, d);
		if (!vms[i].gdb_wait)
			continue;
		if (!gdbstub_present) {
			hv_printf("vm%u: %s: gdb = wait, but there is no gdbstub device: not waiting\n",
				  i + 1, vms[i].name);
			continue;
		}
		spin_lock(&vms[i].lock);
		if (vms[i].state == VM_RUNNING)
			vms[i].state = VM_PAUSED;
		spin_unlock(&vms[i].lock);
		hv_printf("vm%u: %s waits for gdb at its first instruction (make gdb-vm VM=%u)\n",
			  i + 1, vms[i].name, i + 1);
	}
}

unsigned gdbstub_irq(void)
{
	return gdbstub_present ? virtio_console_irq() : 0;
}

void gdbstub_poll(void)
{
	virtio_console_poll(on_rx, on_open);
}
