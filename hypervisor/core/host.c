/*
 * Host discovery: what machine hvscope runs on, read once at boot from the
 * device tree the firmware passes (harts, ISA, timebase, RAM, UART, PLIC,
 * virtio-mmio slots).  The VM device trees (core/vmfdt.c) copy from it.
 */
#include "core/host.h"
#include "drivers/plic.h"
#include "drivers/uart8250.h"
#include "lib/fdt.h"
#include "lib/string.h"

struct host_info host;

static const char *strchr_(const char *s, char c)
{
	for (; *s; s++)
		if (*s == c)
			return s;
	return 0;
}

/* 'h' among the single-letter extensions (after "rv64", before the first '_'). */
bool host_has_h(void)
{
	for (const char *s = host.isa + 4; *s && *s != '_' && host.isa[0]; s++)
		if (*s == 'h')
			return true;
	return false;
}

bool host_isa_has(const char *ext)
{
	size_t n = strlen(ext);
	const char *s = host.isa;

	while ((s = strchr_(s, '_')) != 0) {
		s++;
		if (!strncmp(s, ext, n) && (s[n] == '_' || s[n] == '\0'))
			return true;
	}
	return false;
}

static void discover_uart(const struct fdt *f)
{
	int node = fdt_next_compatible(f, -1, "ns16550a");
	uint64_t base, size;
	uint32_t shift = 0;

	if (node < 0 || !fdt_reg(f, node, 0, &base, &size))
		return; /* no console: we still run, silently */
	fdt_prop_u32(f, node, "reg-shift", &shift);
	fdt_prop_u32(f, node, "interrupts", &host.uart_irq);
	host.uart_base = base;
	uart_init(base, shift);
}

static void discover_cpus(const struct fdt *f)
{
	int cpus = fdt_path(f, "/cpus");
	uint32_t tb = 0;

	if (cpus < 0)
		return;
	if (fdt_prop_u32(f, cpus, "timebase-frequency", &tb))
		host.timebase = tb;
	for (int n = fdt_first_child(f, cpus); n >= 0; n = fdt_next_sibling(f, n)) {
		uint32_t len, id;
		const char *type = fdt_prop(f, n, "device_type", &len);
		const char *status = fdt_prop(f, n, "status", &len);
		if (!type || strcmp(type, "cpu") || !fdt_prop_u32(f, n, "reg", &id))
			continue;
		if (status && strcmp(status, "okay") && strcmp(status, "ok"))
			continue;
		if (host.hart_count < HV_MAX_HARTS)
			host.hartids[host.hart_count++] = id;
		if (!host.isa[0]) {
			const char *isa = fdt_prop(f, n, "riscv,isa", &len);
			const char *mmu = fdt_prop(f, n, "mmu-type", &len);
			if (isa)
				strncpy_safe(host.isa, isa, sizeof(host.isa));
			if (mmu)
				strncpy_safe(host.mmu_type, mmu, sizeof(host.mmu_type));
		}
	}
}

static void discover_devices(const struct fdt *f)
{
	int node = fdt_next_compatible(f, -1, "riscv,plic0");
	uint64_t base, size;

	if (node < 0)
		node = fdt_next_compatible(f, -1, "sifive,plic-1.0.0");
	if (node >= 0 && fdt_reg(f, node, 0, &base, &size)) {
		host.plic_base = base;
		plic_init(base);
	}
	node = fdt_path(f, "/memory");
	if (node >= 0 && fdt_reg(f, node, 0, &base, &size))
		host.ram_base = base, host.ram_size = size;
	/* virtio-mmio slots, lowest address first as QEMU lists them last-to-first */
	for (node = -1; (node = fdt_next_compatible(f, node, "virtio,mmio")) >= 0;) {
		uint32_t irq = 0;
		if (host.virtio.count >= VIRTIO_MMIO_SLOTS_MAX || !fdt_reg(f, node, 0, &base, &size))
			continue;
		fdt_prop_u32(f, node, "interrupts", &irq);
		unsigned i = host.virtio.count++;
		while (i > 0 && host.virtio.base[i - 1] > base) {
			host.virtio.base[i] = host.virtio.base[i - 1];
			host.virtio.irq[i] = host.virtio.irq[i - 1];
			i--;
		}
		host.virtio.base[i] = base;
		host.virtio.irq[i] = irq;
	}
	for (unsigned i = 0; i < host.virtio.count; i++)
		host.virtio.devid[i] = *(volatile uint32_t *)(uintptr_t)(host.virtio.base[i] + 8);
}

void host_discover(const struct fdt *f)
{
	discover_uart(f);
	discover_cpus(f);
	discover_devices(f);
}
