/* The fake hypervisor behind the console's unit tests and fuzzer (see the header). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fake_console_backend.h"
#include "spec/pte.h"

uint64_t fake_csr[4096];	/* arch/csr.h under HV_HOST_TEST: the console hart's CSRs */
struct fake_console fk;

static bool built;
static bool trace_cleared;

#define RAM_BASE 0x80000000UL
#define MIB (1UL << 20)

static const char *const vm_names[FAKE_VMS] = { "alpha", "beta", "gamma" };
static const uint64_t vm_ram[FAKE_VMS] = { 4 * MIB, 2 * MIB, 2 * MIB };

/* Every allocation stays listed: G-stage tables point at each other only by PPN. */
static void *allocs[64];
static unsigned alloc_count;

static hpa_t fake_alloc(size_t count, size_t align)
{
	void *p = alloc_count < 64 ? aligned_alloc(align, count * PAGE_SIZE) : NULL;

	if (!p)
		return hpa(0);
	allocs[alloc_count++] = p;
	memset(p, 0, count * PAGE_SIZE);
	return hpa((uint64_t)(uintptr_t)p);
}

static uint64_t *ram_word(struct fake_vm *vm, uint64_t gpa)
{
	return (uint64_t *)(vm->ram + (gpa - RAM_BASE));
}

static uint64_t leaf(uint64_t gpa, uint64_t bits)
{
	return (gpa >> 12) << PTE_PPN_SHIFT | bits | PTE_V;
}

/* VM 1's Sv39 table: root, one level-1 and one level-0 table (layout in the header). */
static void build_vs_table(struct fake_vm *vm)
{
	uint64_t l1 = FAKE_VS_ROOT + 0x1000, l0 = FAKE_VS_ROOT + 0x2000;

	*ram_word(vm, FAKE_VS_ROOT + 8 * 2) = leaf(l1, 0);
	*ram_word(vm, FAKE_VS_ROOT + 8 * 3) = leaf(0x70000000, 0);
	*ram_word(vm, l1 + 8 * 1) = leaf(l0, 0);
	*ram_word(vm, l1 + 8 * 2) = leaf(0x80401000, PTE_R | PTE_W | PTE_A | PTE_D);
	*ram_word(vm, l0 + 8 * 0) = leaf(0x80200000, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	*ram_word(vm, l0 + 8 * 1) = leaf(0x80201000, PTE_R | PTE_W);
	*ram_word(vm, l0 + 8 * 2) = 0;
	*ram_word(vm, l0 + 8 * 3) = leaf(0x80203000, PTE_R | PTE_A) | (1UL << 55);
	*ram_word(vm, l0 + 8 * 4) = leaf(0x90000000, PTE_R | PTE_A);
	*ram_word(vm, l0 + 8 * 5) = leaf(0x80205000, PTE_X | PTE_A);
	memcpy(vm->ram + (0x80200000 - RAM_BASE), FAKE_IMAGE, sizeof(FAKE_IMAGE));
}

static void build(void)
{
	for (int i = 0; i < FAKE_VMS; i++) {
		struct fake_vm *vm = &fk.vm[i];
		vm->ram = aligned_alloc(2 * MIB, vm_ram[i]);
		memset(vm->ram, 0, vm_ram[i]);
		vm->gstage.alloc = fake_alloc;
		gstage_init(&vm->gstage);
		gstage_map(&vm->gstage, gpa(RAM_BASE), hpa((uint64_t)(uintptr_t)vm->ram), vm_ram[i],
			   PTE_R | PTE_W | PTE_X);
	}
	build_vs_table(&fk.vm[0]);
	built = true;
}

static void add_trace(unsigned hart, unsigned vm, unsigned vcpu, uint64_t scause, unsigned kind, unsigned info,
		      uint64_t p0, uint64_t p1)
{
	struct trace_record *r = trace_slot(hart);

	*r = (struct trace_record){ .seq = r->seq, .time = 1000 + r->seq, .cause = trace_cause_of(scause),
				    .sepc = 0x80200000 + 4 * r->seq, .stval = 0, .info = (uint16_t)info,
				    .payload = { p0, p1 }, .hart = (uint8_t)hart, .vm = (uint8_t)vm,
				    .vcpu = (uint8_t)vcpu, .kind = (uint8_t)kind, .dur = 7 };
}

/* 30 records: VM 1 ecalls (SBI), VM 2 guest-page faults (MMIO), VM 1 timer interrupts. */
static void fill_trace(void)
{
	for (unsigned i = 0; i < 10; i++) {
		add_trace(0, 1, 0, CAUSE_VIRTUAL_SUPERVISOR_ECALL, TRACE_SBI, 0, 0x54494d45, 0);
		add_trace(1, 2, 1, CAUSE_STORE_GUEST_PAGE_FAULT, TRACE_MMIO, 1 | 1 << 8, 0x10000000, 0x41);
		add_trace(0, 1, 0, CAUSE_IRQ_FLAG | IRQ_S_TIMER, TRACE_IRQ, 0, 0, 0);
	}
}

static void reset_vm(int i)
{
	struct fake_vm *vm = &fk.vm[i];
	struct console_vm_info *vi = &vm->info;

	memset(vi, 0, sizeof(*vi));
	vi->id = i + 1;
	strcpy(vi->name, vm_names[i]);
	vi->state = i == 0 ? "running" : i == 1 ? "paused" : "dead";
	vi->vcpus = i == 1 ? 2 : 1;
	vi->harts[0] = i;
	vi->harts[1] = -1;
	vi->ram_size = vm_ram[i];
	vi->exits = 100 * (i + 1);
	vi->gstage_bytes = (4 + i) * 4096;
	vi->hv_bytes = 5000;
	vi->adue = true;
	if (i == 2)
		strcpy(vi->stop_reason, "fault loop: instruction page fault 64 times");
	memset(vm->vcpu, 0, sizeof(vm->vcpu));
	for (unsigned v = 0; v < 2; v++) {
		struct console_vcpu *c = &vm->vcpu[v];
		c->pc = 0x80200000 + 0x10 * v;
		for (int r = 1; r < 32; r++)
			c->x[r] = 0x1000 * (uint64_t)r + v;
		c->hart = vi->harts[v];
		c->vsstatus = SSTATUS_UXL_64 | SSTATUS_SUM;
		c->vstvec = 0x80200100;
		c->vsatp = i == 0 ? ATP_MODE_SV39 << ATP_MODE_SHIFT | FAKE_VS_ROOT >> 12 : 0;
		c->hstatus = HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW;
		c->henvcfg = ENVCFG_STCE | ENVCFG_ADUE;
		c->hedeleg = 0xb1ff;
		c->hideleg = MIP_VSSIP | MIP_VSTIP | MIP_VSEIP;
		c->hgatp = gstage_hgatp(&vm->gstage, (unsigned)i + 1);
	}
	memset(&vm->stats, 0, sizeof(vm->stats));
	vm->stats.exits = vi->exits;
	vm->stats.by_cause[CAUSE_VIRTUAL_SUPERVISOR_ECALL] = 60;
	vm->stats.by_cause[CAUSE_STORE_GUEST_PAGE_FAULT] = 30;
	vm->stats.by_irq[IRQ_S_TIMER] = 10 * (i + 1);
	vm->stats.sbi_calls = 60;
	vm->stats.sbi_by_ext[1] = 60;
	vm->stats.sbi_ext_name[0] = "base";
	vm->stats.sbi_ext_name[1] = "time";
	vm->stats.mmio = 30;
	vm->stats.mmio_by_dev[0] = 30;
	vm->stats.mmio_dev_name[0] = "uart";
	vm->has_report = i == 2;
	snprintf(vm->log, sizeof(vm->log), "%s: booted\n%s: $ ", vm_names[i], vm_names[i]);
}

void fake_console_reset(void)
{
	if (!built)
		build();
	for (int i = 0; i < FAKE_VMS; i++)
		reset_vm(i);
	memset(fake_csr, 0, sizeof(fake_csr));
	fake_csr[CSR_HENVCFG] = ENVCFG_STCE | ENVCFG_ADUE;
	fake_csr[CSR_HSTATUS] = HSTATUS_VSXL_64 | HSTATUS_SPV;
	fake_csr[CSR_SIE] = MIP_SSIP | MIP_STIP | MIP_SEIP;
	fake_csr[CSR_TIME] = 25000000;
	fk.caps = ENVCFG_STCE | ENVCFG_ADUE;
	fk.last_trap = (struct console_last_trap){ .scause = CAUSE_FETCH_PAGE_FAULT, .sepc = 0x80200abc,
						   .stval = 0x80201000, .vm = 1, .vcpu = 0 };
	fk.quit_called = false;
	fk.pauses = fk.resumes = fk.resets = fk.kills = fk.dumps = fk.csr_writes = fk.stats_resets = 0;
	fk.hart_idle[0] = 50;
	fk.hart_idle[1] = 7;
	fk.last_write_value = 0;
	trace_set(true, ~0ULL, TRACE_CLASS_ALL);
	if (trace_cleared || trace_rings[0].next == 0) {
		trace_clear();
		fill_trace();
		trace_cleared = false;
	}
	fake_console_clear_output();
}

void fake_console_clear_output(void)
{
	fk.out_len = 0;
	fk.out[0] = '\0';
}

static struct fake_vm *vmp(int id)
{
	return &fk.vm[id - 1];
}

static void f_write(const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(fk.out) - 1 - fk.out_len)
		n = sizeof(fk.out) - 1 - fk.out_len;
	memcpy(fk.out + fk.out_len, s, n);
	fk.out_len += n;
	fk.out[fk.out_len] = '\0';
}

static const char *f_version(void) { return "0.1 (fake)"; }
static void f_quit(void) { fk.quit_called = true; }
static void f_mem(uint64_t *total, uint64_t *free) { *total = 1000; *free = 744; }
static void f_mem_layout(struct console_mem_layout *out)
{
	*out = (struct console_mem_layout){ .image_bytes = 3 << 20, .code_bytes = 100 << 10,
					    .trace_bytes = 2 << 20, .stack_bytes = 64 << 10,
					    .vm_bytes = 32 * 5000, .harts_max = 64, .vms_max = 32 };
}
static uint64_t f_timebase(void) { return 10000000; }
static int f_vm_count(void) { return FAKE_VMS; }

static bool f_vm_info(int id, struct console_vm_info *out)
{
	if (id < 1 || id > FAKE_VMS)
		return false;
	*out = vmp(id)->info;
	return true;
}

static int f_vm_pause(int id, const char **why)
{
	struct console_vm_info *vi = &vmp(id)->info;

	fk.pauses++;
	if (strcmp(vi->state, "running")) {
		*why = "it is not running";
		return -1;
	}
	vi->state = "paused";
	return 0;
}

static int f_vm_resume(int id, const char **why)
{
	struct console_vm_info *vi = &vmp(id)->info;

	fk.resumes++;
	if (strcmp(vi->state, "paused")) {
		*why = "it is not paused";
		return -1;
	}
	vi->state = "running";
	return 0;
}

static int f_vm_reset(int id, const char **why)
{
	(void)why;
	fk.resets++;
	vmp(id)->info.state = "running";
	vmp(id)->info.stop_reason[0] = '\0';
	return 0;
}

static char f_bootargs[128] = "console=ttyS0";

static const char *f_vm_bootargs(int id)
{
	(void)id;
	return f_bootargs;
}

static int f_vm_set_bootargs(int id, const char *text, const char **why)
{
	(void)id;
	if (strlen(text) >= sizeof(f_bootargs)) {
		*why = "too long";
		return -1;
	}
	snprintf(f_bootargs, sizeof(f_bootargs), "%s", text);
	return 0;
}

static int f_vm_kill(int id, const char **why)
{
	struct console_vm_info *vi = &vmp(id)->info;

	fk.kills++;
	if (!strcmp(vi->state, "stopped") || !strcmp(vi->state, "dead")) {
		*why = "it is already stopped";
		return -1;
	}
	vi->state = "stopped";
	return 0;
}

static bool f_vm_dump(int id)
{
	if (!vmp(id)->has_report)
		return false;
	fk.dumps++;
	f_write("=== hvscope post-mortem: vm3 (gamma) vCPU 0: fake\n=== end of report\n");
	return true;
}

static size_t f_vm_log(int id, char *buf, size_t size, uint64_t *dropped)
{
	size_t n = strlen(vmp(id)->log);

	if (n > size)
		n = size;
	memcpy(buf, vmp(id)->log, n);
	*dropped = 0;
	return n;
}

static int f_hart_csr_read(unsigned csr, uint64_t *v)
{
	if (csr >= 4096)
		return -1;
	*v = fake_csr[csr];
	return 0;
}

static int f_hart_csr_write(unsigned csr, uint64_t v, const char **why)
{
	if (csr != CSR_HVIP && csr != CSR_HIE && csr != CSR_HGEIE) {
		*why = "not writable from the console";
		return -1;
	}
	fk.csr_writes++;
	fake_csr[csr] = v;
	return 0;
}

static void f_last_trap(struct console_last_trap *out) { *out = fk.last_trap; }

static int f_vcpu_read(int id, unsigned vcpu, struct console_vcpu *out, const char **why)
{
	(void)why;
	*out = vmp(id)->vcpu[vcpu];
	return 0;
}

static int f_vcpu_csr_write(int id, unsigned vcpu, unsigned csr, uint64_t v, const char **why)
{
	struct fake_vm *vm = vmp(id);
	struct console_vcpu *c = &vm->vcpu[vcpu];

	fk.csr_writes++;
	fk.last_write_value = v;
	switch (csr) {
	case CSR_VSSTATUS: c->vsstatus = v; break;
	case CSR_VSIE: c->vsie = v; break;
	case CSR_VSTVEC: c->vstvec = v; break;
	case CSR_VSSCRATCH: c->vsscratch = v; break;
	case CSR_VSEPC: c->vsepc = v; break;
	case CSR_VSCAUSE: c->vscause = v; break;
	case CSR_VSTVAL: c->vstval = v; break;
	case CSR_VSATP: c->vsatp = v; break;
	case CSR_HENVCFG:
		if (v & ~fk.caps) {
			*why = "the hart cannot set some of these bits";
			return -1;
		}
		for (int i = 0; i < 2; i++)
			vm->vcpu[i].henvcfg = v;
		vm->info.adue = (v & ENVCFG_ADUE) != 0;
		break;
	case CSR_HEDELEG:
		for (int i = 0; i < 2; i++)
			vm->vcpu[i].hedeleg = v;
		break;
	default:
		*why = "not writable from the console";
		return -1;
	}
	return 0;
}

static uint64_t f_henvcfg_caps(void) { return fk.caps; }

static int f_set_adue(int id, bool on, const char **why)
{
	struct fake_vm *vm = vmp(id);

	if (on && !(fk.caps & ENVCFG_ADUE)) {
		*why = "this hart cannot set henvcfg.ADUE";
		return -1;
	}
	vm->info.adue = on;
	for (int i = 0; i < 2; i++) {
		vm->vcpu[i].henvcfg = on ? vm->vcpu[i].henvcfg | ENVCFG_ADUE : vm->vcpu[i].henvcfg & ~ENVCFG_ADUE;
		vm->vcpu[i].hedeleg = on ? vm->vcpu[i].hedeleg | 0xb000 : vm->vcpu[i].hedeleg & ~0xb000UL;
	}
	return 0;
}

static void f_set_ad_emulation(int id, bool on) { vmp(id)->info.ad_emulation = on; }
static uint64_t f_hedeleg_allowed(void) { return 0xb1ff; }

static int f_set_hedeleg(int id, uint64_t d, const char **why)
{
	if (d & ~f_hedeleg_allowed()) {
		*why = "cannot be delegated";
		return -1;
	}
	for (int i = 0; i < 2; i++)
		vmp(id)->vcpu[i].hedeleg = d;
	return 0;
}

static bool in_ram(int id, uint64_t g, uint64_t len)
{
	uint64_t size = vm_ram[id - 1];

	return g >= RAM_BASE && len <= size && g - RAM_BASE <= size - len;
}

static uint64_t *f_guest_pte(int id, uint64_t g)
{
	return (g & 7) || !in_ram(id, g, 8) ? NULL : ram_word(vmp(id), g);
}

static int f_read_guest(int id, uint64_t g, void *buf, size_t len)
{
	if (!in_ram(id, g, len))
		return -1;
	memcpy(buf, vmp(id)->ram + (g - RAM_BASE), len);
	return 0;
}

static void f_gstage_walk(int id, uint64_t g, struct gstage_walk *w, uint64_t *hgatp)
{
	gstage_walk(vmp(id)->gstage.root, gpa(g), w);
	*hgatp = gstage_hgatp(&vmp(id)->gstage, (unsigned)id);
}

static void f_trace_get(struct console_trace_state *out)
{
	out->enabled = trace_ctl.enabled;
	out->vm_mask = trace_ctl.vm_mask;
	out->class_mask = trace_ctl.class_mask;
	trace_totals(&out->recorded, &out->lost);
	out->file_open = trace_stream_is_open();
	out->file_on = trace_stream_on();
	trace_stream_totals(&out->file_bytes, &out->file_dropped);
	out->file_path = fake_trace_file_dir ? "logs/trace.hvt" : "";
}

static void f_trace_set(bool enabled, uint64_t vm_mask, uint32_t class_mask)
{
	trace_set(enabled, vm_mask, class_mask);
}

/* The trace file: an in-memory sink, counting what it was given. */
uint64_t fake_trace_file_bytes;
bool fake_trace_file_dir = true;

static long fake_sink(void *ctx, const void *buf, uint64_t len)
{
	(void)ctx;
	(void)buf;
	fake_trace_file_bytes += len;
	return 0;
}

static int f_trace_file_set(bool on)
{
	static const struct trace_sink sink = { fake_sink, 0 };
	static const char header[64] = "HVTRACE 2\n";

	if (!on) {
		trace_stream_set(false);
		return 0;
	}
	if (!fake_trace_file_dir)
		return -1;
	if (trace_stream_is_open())
		trace_stream_set(true);
	else
		trace_stream_open(&sink, header, sizeof(header));
	return 0;
}

static void f_trace_clear(void)
{
	trace_clear();
	trace_cleared = true;
}

/* Two harts, 0 and 2 (hart ids need not be dense); reset zeroes them. */
static bool f_hart_stats(unsigned n, struct console_hart_stats *out)
{
	if (n >= 2)
		return false;
	out->hartid = 2 * n;
	out->idle = fk.hart_idle[n];
	out->idle_empty = fk.hart_idle[n] / 10;
	return true;
}

static void f_hart_stats_reset(void)
{
	fk.hart_idle[0] = fk.hart_idle[1] = 0;
}

static bool f_stats(int id, struct console_stats *out)
{
	*out = vmp(id)->stats;
	return true;
}

static void f_stats_reset(int id)
{
	struct console_stats *s = &vmp(id)->stats;
	const char *sbi0 = s->sbi_ext_name[0], *sbi1 = s->sbi_ext_name[1], *dev0 = s->mmio_dev_name[0];

	fk.stats_resets++;
	memset(s, 0, sizeof(*s));
	s->sbi_ext_name[0] = sbi0;
	s->sbi_ext_name[1] = sbi1;
	s->mmio_dev_name[0] = dev0;
}

static const struct console_ops ops = {
	.write = f_write, .version = f_version, .quit = f_quit, .mem = f_mem, .mem_layout = f_mem_layout, .timebase = f_timebase,
	.vm_count = f_vm_count, .vm_info = f_vm_info, .vm_pause = f_vm_pause, .vm_resume = f_vm_resume,
	.vm_reset = f_vm_reset, .vm_bootargs = f_vm_bootargs, .vm_set_bootargs = f_vm_set_bootargs,
	.vm_kill = f_vm_kill, .vm_dump = f_vm_dump, .vm_log = f_vm_log,
	.hart_csr_read = f_hart_csr_read, .hart_csr_write = f_hart_csr_write, .last_trap = f_last_trap,
	.vcpu_read = f_vcpu_read, .vcpu_csr_write = f_vcpu_csr_write, .henvcfg_caps = f_henvcfg_caps,
	.set_adue = f_set_adue, .set_ad_emulation = f_set_ad_emulation, .hedeleg_allowed = f_hedeleg_allowed,
	.set_hedeleg = f_set_hedeleg, .guest_pte = f_guest_pte, .read_guest = f_read_guest,
	.gstage_walk = f_gstage_walk, .trace_collect = trace_collect_classes, .trace_get = f_trace_get,
	.trace_set = f_trace_set, .trace_clear = f_trace_clear,
	.trace_file_set = f_trace_file_set, .stats = f_stats, .stats_reset = f_stats_reset,
	.hart_stats = f_hart_stats, .hart_stats_reset = f_hart_stats_reset,
};

const struct console_ops *fake_console_ops(void)
{
	return &ops;
}
