/*
 * Boot: OpenSBI enters _start (arch/entry.S) on one hart in HS-mode with
 * a0 = hartid, a1 = device tree.  hv_main discovers the machine from the
 * device tree, probes henvcfg, builds the VMs from the bundle, starts the
 * other harts with SBI HSM, and every hart then enters the scheduler.
 */
#include "core/hart.h"
#include "core/vm.h"
#include "core/term.h"
#include "core/sched.h"
#include "core/run.h"
#include "core/vmfdt.h"
#include "core/host.h"
#include "core/bundle.h"
#include "arch/csr.h"
#include "arch/timer.h"
#include "arch/asm.h"
#include "arch/sbi_call.h"
#include "drivers/uart8250.h"
#include "drivers/plic.h"
#include "drivers/virtio_blk.h"
#include "drivers/pci.h"
#include "gdbstub/gdbstub.h"
#include "lib/fdt.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mem/page.h"
#include "console/console.h"
#include "trace/trace.h"
#include "core/tracefile.h"

#define HVSCOPE_VERSION "0.1"

uint8_t hv_stacks[HV_MAX_HARTS][HV_STACK_SIZE] __attribute__((aligned(16)));
extern char _start[], _end[];
extern bool hv_has_sstc;
extern void _secondary_start(void);

static struct fdt hostfdt;
static uint64_t bundle_addr;
static char logdir[96];

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	for (;; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return v;
		v = v * base + d;
	}
}

/* The PCIe bus: virtio-blk-pci disks beyond the eight virtio-mmio slots. */
static void discover_pci(void)
{
	const char *why;

	if (pci_init(&hostfdt, &why)) {
		hv_printf("  PCI: none (%s)\n", why);
		return;
	}
	hv_printf("  PCI: ECAM 0x%lx (buses %u-%u), memory window 0x%lx+0x%lx, %u functions\n",
		  (unsigned long)pci_host_bridge.ecam_base, pci_host_bridge.bus_first,
		  pci_host_bridge.bus_last, (unsigned long)pci_host_bridge.mem32.cpu_base,
		  (unsigned long)pci_host_bridge.mem32.size, pci_dev_count);
}

/*
 * Boot arguments: hvscope.bundle=ADDR hvscope.logdir=DIR hvscope.trace=off
 * hvscope.loop=K hvscope.tracefile=on (stream the trace to DIR/trace.hvt)
 */
static bool tracefile_at_boot;

static void parse_bootargs(void)
{
	int chosen = fdt_path(&hostfdt, "/chosen");
	uint32_t len;
	const char *args = chosen >= 0 ? fdt_prop(&hostfdt, chosen, "bootargs", &len) : 0;

	for (const char *p = args; p && *p;) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if (!strncmp(p, "hvscope.bundle=", 15))
			bundle_addr = parse_u64(p + 15);
		else if (!strncmp(p, "hvscope.trace=off", 17))
			trace_set(false, trace_ctl.vm_mask, trace_ctl.class_mask);
		else if (!strncmp(p, "hvscope.tracefile=on", 20))
			tracefile_at_boot = true;
		else if (!strncmp(p, "hvscope.loop=", 13))
			hv_fault_loop_k = (unsigned)parse_u64(p + 13);
		else if (!strncmp(p, "hvscope.logdir=", 15) && (size_t)(end - p - 15) < sizeof(logdir)) {
			memcpy(logdir, p + 15, end - p - 15);
			logdir[end - p - 15] = '\0';
		}
		p = end;
	}
}

/* henvcfg is WARL: bits that stick after writing them are the ones the hart has. */
static void probe_henvcfg(void)
{
	uint64_t want = ENVCFG_STCE | ENVCFG_PBMTE | ENVCFG_ADUE | ENVCFG_CBZE |
			ENVCFG_CBCFE | ENVCFG_CBIE_INV | ENVCFG_FIOM;

	csr_write(CSR_HENVCFG, want);
	hv_henvcfg_caps = csr_read(CSR_HENVCFG);
	csr_write(CSR_HENVCFG, 0);
	/* CBIE: use "flush" (01) for guest cbo.inval, the safe encoding. */
	if ((hv_henvcfg_caps & ENVCFG_CBIE) == ENVCFG_CBIE_INV)
		hv_henvcfg_caps = (hv_henvcfg_caps & ~ENVCFG_CBIE) | ENVCFG_CBIE_FLUSH;
	if (!hv_has_sstc)
		hv_henvcfg_caps &= ~ENVCFG_STCE;
	/*
	 * The CBO enables are writable whether or not menvcfg enables them
	 * (privileged spec: "menvcfg.CBIE has no effect on the values read from
	 * henvcfg.CBIE"), so read-back proves nothing: trust the ISA string.
	 */
	if (!host_isa_has("zicbom"))
		hv_henvcfg_caps &= ~(ENVCFG_CBIE | ENVCFG_CBCFE);
	if (!host_isa_has("zicboz"))
		hv_henvcfg_caps &= ~ENVCFG_CBZE;
}

static void banner(void)
{
	hv_printf("\nhvscope %s: RISC-V H-extension hypervisor\n", HVSCOPE_VERSION);
	hv_printf("  harts: %u (", host.hart_count);
	for (unsigned i = 0; i < host.hart_count; i++)
		hv_printf("%s%u", i ? " " : "", host.hartids[i]);
	hv_printf(")  timebase %lu Hz\n", host.timebase);
	hv_printf("  RAM: 0x%lx + %lu MiB\n", host.ram_base, host.ram_size >> 20);
	hv_printf("  UART: ns16550a at 0x%lx irq %u\n", host.uart_base, host.uart_irq);
	hv_printf("  PLIC: 0x%lx\n", host.plic_base);
	hv_printf("  virtio-mmio: %u slots", host.virtio.count);
	for (unsigned i = 0; i < host.virtio.count; i++)
		if (host.virtio.devid[i])
			hv_printf(", 0x%lx device %u", host.virtio.base[i], host.virtio.devid[i]);
	hv_printf("\n  ISA: %s\n", host.isa);
	hv_printf("  extensions: h=%s sstc=%s svadu=%s svade=%s\n", host_has_h() ? "yes" : "no",
		  host_isa_has("sstc") ? "yes" : "no", host_isa_has("svadu") ? "yes" : "no", host_isa_has("svade") ? "yes" : "no");
	hv_printf("  henvcfg can enable: STCE=%d PBMTE=%d ADUE=%d CBZE=%d CBCFE=%d CBIE=%d FIOM=%d\n",
		  !!(hv_henvcfg_caps & ENVCFG_STCE), !!(hv_henvcfg_caps & ENVCFG_PBMTE),
		  !!(hv_henvcfg_caps & ENVCFG_ADUE), !!(hv_henvcfg_caps & ENVCFG_CBZE),
		  !!(hv_henvcfg_caps & ENVCFG_CBCFE), (int)((hv_henvcfg_caps & ENVCFG_CBIE) >> 4),
		  !!(hv_henvcfg_caps & ENVCFG_FIOM));
	gdbstub_probe_triggers();
}

static void setup_memory(unsigned long fdt_addr)
{
	page_init(host.ram_base, host.ram_size);
	/* Firmware (OpenSBI) and this image sit at the start of RAM. */
	page_reserve(host.ram_base, (uint64_t)(uintptr_t)_end - host.ram_base);
	page_reserve(fdt_addr, hostfdt.totalsize);
	if (bundle_addr)
		page_reserve(bundle_addr, ((const struct bundle_header *)(uintptr_t)bundle_addr)->total_size);
	page_check_fresh();
}

static void enable_host_interrupts(unsigned hartid)
{
	csr_write(CSR_SIE, MIP_SSIP | MIP_STIP | MIP_SEIP);
	if (host.uart_irq)
		plic_enable(host.uart_irq, plic_s_context(hartid));
	if (gdbstub_irq())
		plic_enable(gdbstub_irq(), plic_s_context(hartid));
}

static void start_tracefile(void)
{
	if (!tracefile_at_boot)
		return;
	if (!trace_ctl.enabled)
		hv_printf("hvscope: hvscope.tracefile=on with hvscope.trace=off: the file gets records "
			  "once tracing is on (hv> trace on)\n");
	if (tracefile_open() == 0)
		hv_printf("hvscope: trace file %s\n", tracefile_path());
	else
		hv_printf("hvscope: cannot write a trace file: %s\n",
			  tracefile_path()[0] ? tracefile_path() : "no hvscope.logdir= boot argument");
}

/* Start every VM of the bundle; WFI traps only if the vCPUs outnumber the harts. */
static void start_vms(void)
{
	unsigned vcpus = 0;

	for (unsigned i = 0; i < vm_count; i++)
		vcpus += vms[i].vcpu_count;
	vcpu_wfi_policy(vcpus, host.hart_count < HV_MAX_HARTS ? host.hart_count : HV_MAX_HARTS);
	for (unsigned i = 0; i < vm_count; i++)
		vm_start(&vms[i]);
}

void hv_main(unsigned long hartid, unsigned long fdt_addr)
{
	struct hart *self = &harts[hartid];

	self->hartid = hartid;
	log_set_writer(term_vprintf); /* hv_printf goes to the terminal (a UART once found) */
	if (fdt_init(&hostfdt, (const void *)fdt_addr, 1 << 20) != 0)
		return; /* nothing to print with: no UART known */
	host_discover(&hostfdt);
	for (unsigned i = 0; i < host.hart_count; i++)
		trace_init_hart(host.hartids[i]);
	parse_bootargs();
	hv_has_sstc = host_isa_has("sstc");
	hv_timebase = host.timebase ? host.timebase : 10000000;
	if (!host_has_h()) {
		hv_printf("hvscope: this hart has no H extension (riscv,isa = %s); QEMU needs -cpu rv64 (h=on)\n", host.isa);
		return;
	}
	probe_henvcfg();
	banner();
	discover_pci();
	virtio_blk_init(&host.virtio); /* issue 4: the host's disks, before the VMs claim them */
	gdbstub_setup();	       /* issue 15: the debuggers' virtio-console, or one line saying there is none */
	setup_memory(fdt_addr);
	term_init(logdir[0] ? logdir : 0);
	tracefile_init(logdir[0] ? logdir : 0);
	console_init();
	if (!bundle_addr)
		hv_printf("hvscope: no hvscope.bundle= boot argument: no VMs to run (use make run)\n");
	else if (bundle_load(bundle_addr) == 0) {
		start_tracefile(); /* after the VMs are known (the header names them), before they start */
		start_vms();
	}
	gdbstub_hold_waiting(); /* before any hart can pick a VM that waits for gdb */
	if (vm_count == 0)
		hv_printf("hvscope: no VM could be started; the hv> console still works (Ctrl-T h)\n");
	self->online = true;
	enable_host_interrupts(hartid);
	uart_enable_rx_irq();
	for (unsigned i = 0; i < host.hart_count; i++)
		if (host.hartids[i] != hartid && host.hartids[i] < HV_MAX_HARTS)
			sbi_hart_start(host.hartids[i], (unsigned long)_secondary_start, 0);
	sched_loop();
}

void hv_secondary_main(unsigned long hartid)
{
	harts[hartid].hartid = hartid;
	harts[hartid].online = true;
	enable_host_interrupts(hartid);
	sched_loop();
}

/* An exception in the hypervisor itself: a bug.  Say everything, stop this hart. */
void hv_fatal_trap(uint64_t *regs)
{
	struct hart *h = this_hart();

	hv_printf("hvscope: FATAL exception in the hypervisor on hart %u\n", h->hartid);
	hv_printf("  scause 0x%lx stval 0x%lx sepc 0x%lx ra 0x%lx sp 0x%lx\n",
		  h->arch.fault_cause, h->arch.fault_tval, csr_read(CSR_SEPC), regs[1], regs[2]);
	for (;;)
		arch_wfi();
}
