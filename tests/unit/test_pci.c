/*
 * Unit tests for hypervisor/drivers/pci.c (the host bridge from the device
 * tree, enumeration, BAR sizing and assignment, capability walks) and
 * hypervisor/drivers/virtio_pci.c (finding the modern virtio structures).
 *
 * Config space is a fake: an array of functions with 4 KiB of registers
 * each, whose BARs answer a write of all ones with their size mask as PCI
 * 3.0 6.2.5.1 says.  The bridge's memory window is a host buffer, so the
 * virtio structures the capabilities point at are plain memory.
 */
#include "drivers/pci.h"
#include "drivers/virtio.h"
#include "lib/fdt.h"
#include "unit.h"

#define WIN_PCI		0x40000000ULL
#define WIN_SIZE	0x100000ULL	/* 1 MiB: small, so exhaustion is cheap to reach */

struct fake_fn {
	bool present;
	uint8_t cfg[PCI_CFG_SIZE];
	uint32_t bar_mask[PCI_BAR_COUNT];	/* bits that stick; 0 = not implemented */
};

static struct fake_fn fns[32][8];
static uint8_t window[WIN_SIZE] __attribute__((aligned(4096)));

static struct fake_fn *fn_at(uint64_t off, unsigned *reg)
{
	*reg = off & 0xfff;
	if (off >> 20)		/* only bus 0 exists */
		return 0;
	return &fns[(off >> 15) & 31][(off >> 12) & 7];
}

static uint32_t fake_read32(void *ctx, uint64_t off)
{
	unsigned reg;
	struct fake_fn *f = fn_at(off, &reg);
	uint32_t v;

	(void)ctx;
	if (!f || !f->present)
		return 0xffffffffU;
	memcpy(&v, &f->cfg[reg], 4);
	return v;
}

static void fake_write32(void *ctx, uint64_t off, uint32_t v)
{
	unsigned reg;
	struct fake_fn *f = fn_at(off, &reg);

	(void)ctx;
	if (!f || !f->present)
		return;
	if (reg >= PCI_BAR0 && reg < PCI_BAR0 + 4 * PCI_BAR_COUNT) {
		unsigned i = (reg - PCI_BAR0) / 4;
		uint32_t old;
		memcpy(&old, &f->cfg[reg], 4);
		/* read-only type bits stay; writable address bits take the value */
		v = (v & f->bar_mask[i]) | (old & ~f->bar_mask[i]);
		if (!f->bar_mask[i])
			v = 0;
	}
	if (reg == PCI_COMMAND) {	/* status: read-only or write-1-to-clear, never written as 1s here */
		uint32_t old;
		memcpy(&old, &f->cfg[reg], 4);
		if (v >> 16)
			UNIT_FAIL("status register written with 0x%x", v >> 16);
		v = (v & 0xffff) | (old & 0xffff0000U);
	}
	memcpy(&f->cfg[reg], &v, 4);
}

static const struct pci_cfg_ops fake_ops = { fake_read32, fake_write32 };

static struct pci_host host;

static void put16(struct fake_fn *f, unsigned reg, uint16_t v) { memcpy(&f->cfg[reg], &v, 2); }
static void put32(struct fake_fn *f, unsigned reg, uint32_t v) { memcpy(&f->cfg[reg], &v, 4); }
static uint32_t get32(const struct fake_fn *f, unsigned reg)
{
	uint32_t v;

	memcpy(&v, &f->cfg[reg], 4);
	return v;
}

static struct fake_fn *add_fn(unsigned dev, unsigned fn, uint16_t vendor, uint16_t device)
{
	struct fake_fn *f = &fns[dev][fn];

	memset(f, 0, sizeof(*f));
	f->present = true;
	put16(f, PCI_VENDOR_ID, vendor);
	put16(f, PCI_DEVICE_ID, device);
	return f;
}

/* A memory BAR of `size` bytes (a power of two) at BAR i; 64-bit ones take i+1 too. */
static void add_mem_bar(struct fake_fn *f, unsigned i, uint64_t size, bool is64, bool prefetch)
{
	uint32_t flags = (is64 ? PCI_BAR_MEM_TYPE_64 : 0) | (prefetch ? PCI_BAR_MEM_PREFETCH : 0);
	uint64_t mask = ~(size - 1);

	f->bar_mask[i] = (uint32_t)mask & ~0xfU;
	put32(f, PCI_BAR0 + 4 * i, flags);
	if (is64)
		f->bar_mask[i + 1] = (uint32_t)(mask >> 32);
}

static void add_io_bar(struct fake_fn *f, unsigned i, uint32_t size)
{
	f->bar_mask[i] = ~(size - 1) & ~3U;
	put32(f, PCI_BAR0 + 4 * i, PCI_BAR_IO);
}

static void reset_bus(void)
{
	memset(fns, 0, sizeof(fns));
	memset(window, 0, sizeof(window));
	host = (struct pci_host){ .ecam_base = 0x30000000, .ecam_size = 1 << 20, .bus_last = 0,
				  .ops = &fake_ops };
	host.mem32 = (struct pci_window){ WIN_PCI, (uint64_t)(uintptr_t)window, WIN_SIZE, WIN_PCI };
}

/* ---- the host bridge node ---- */

static int build_tree(uint8_t *buf, size_t cap, bool with_ranges)
{
	static const char *const compat[] = { "pci-host-ecam-generic" };
	/* QEMU virt's: I/O, 32-bit memory, 64-bit memory (phys.hi, pci addr, cpu addr, size) */
	static const uint32_t ranges[] = {
		0x01000000, 0, 0, 0, 0x03000000, 0, 0x10000,
		0x02000000, 0, 0x40000000, 0, 0x40000000, 0, 0x40000000,
		0x03000000, 4, 0, 4, 0, 4, 0,
	};
	static const uint32_t bus_range[] = { 0, 0xff };
	static const uint32_t reg[] = { 0, 0x30000000, 0, 0x10000000 };
	struct fdtw w;

	fdtw_init(&w, buf, cap);
	fdtw_begin_node(&w, "");
	fdtw_prop_u32(&w, "#address-cells", 2);
	fdtw_prop_u32(&w, "#size-cells", 2);
	fdtw_begin_node(&w, "soc");
	fdtw_prop_u32(&w, "#address-cells", 2);
	fdtw_prop_u32(&w, "#size-cells", 2);
	fdtw_begin_node(&w, "pci@30000000");
	fdtw_prop_strs(&w, "compatible", compat, 1);
	fdtw_prop_cells(&w, "reg", reg, 4);
	fdtw_prop_cells(&w, "bus-range", bus_range, 2);
	fdtw_prop_u32(&w, "#address-cells", 3);
	fdtw_prop_u32(&w, "#size-cells", 2);
	if (with_ranges)
		fdtw_prop_cells(&w, "ranges", ranges, (int)(sizeof(ranges) / 4));
	fdtw_end_node(&w);
	fdtw_end_node(&w);
	fdtw_end_node(&w);
	return fdtw_finish(&w);
}

TEST(host_from_qemu_virt_tree)
{
	static uint8_t buf[4096];
	struct fdt f;
	struct pci_host h;
	const char *why = 0;

	CHECK(build_tree(buf, sizeof(buf), true) > 0);
	CHECK_EQ(fdt_init(&f, buf, sizeof(buf)), 0);
	CHECK_EQ(pci_host_from_fdt(&f, &h, &why), 0);
	CHECK_EQ(h.ecam_base, 0x30000000);
	CHECK_EQ(h.ecam_size, 0x10000000);
	CHECK_EQ(h.bus_first, 0);
	CHECK_EQ(h.bus_last, 255);
	CHECK_EQ(h.mem32.pci_base, 0x40000000);
	CHECK_EQ(h.mem32.cpu_base, 0x40000000);
	CHECK_EQ(h.mem32.size, 0x40000000);
	CHECK_EQ(h.mem32.next, 0x40000000);
	CHECK_EQ(h.mem64.pci_base, 0x400000000ULL);
	CHECK_EQ(h.mem64.size, 0x400000000ULL);
	CHECK(h.ops == &pci_ecam_ops);
}

TEST(host_without_windows_or_node_is_refused)
{
	static uint8_t buf[4096];
	struct fdt f;
	struct pci_host h;
	const char *why = 0;

	CHECK(build_tree(buf, sizeof(buf), false) > 0);
	CHECK_EQ(fdt_init(&f, buf, sizeof(buf)), 0);
	CHECK_EQ(pci_host_from_fdt(&f, &h, &why), -1);
	CHECK_STR(why, "no memory window in ranges");

	struct fdtw w;
	fdtw_init(&w, buf, sizeof(buf));
	fdtw_begin_node(&w, "");
	fdtw_end_node(&w);
	CHECK(fdtw_finish(&w) > 0);
	CHECK_EQ(fdt_init(&f, buf, sizeof(buf)), 0);
	CHECK_EQ(pci_host_from_fdt(&f, &h, &why), -1);
	CHECK_STR(why, "no pci-host-ecam-generic node");
}

/* ---- enumeration ---- */

TEST(enumerate_finds_functions_in_slot_order)
{
	struct pci_dev devs[8];
	struct fake_fn *f;

	reset_bus();
	add_fn(0, 0, 0x1b36, 0x0008);			/* the host bridge */
	f = add_fn(3, 0, 0x1af4, 0x1001);		/* multi-function: 3.0 and 3.2 */
	f->cfg[PCI_HEADER_TYPE] = PCI_HEADER_MULTIFUNC;
	put16(f, PCI_SUBSYSTEM_ID, 2);
	add_fn(3, 2, 0x1af4, 0x1042);
	add_fn(5, 1, 0x1234, 0x5678);			/* no function 0: not scanned */
	add_fn(31, 0, 0x8086, 0x100e);
	CHECK_EQ(pci_enumerate(&host, devs, 8), 4);
	CHECK_EQ(devs[0].dev, 0);
	CHECK_EQ(devs[1].dev, 3);
	CHECK_EQ(devs[1].fn, 0);
	CHECK_EQ(devs[1].subsys_id, 2);
	CHECK_EQ(devs[2].dev, 3);
	CHECK_EQ(devs[2].fn, 2);
	CHECK_EQ(devs[2].device, 0x1042);
	CHECK_EQ(devs[3].dev, 31);
	CHECK_EQ(devs[3].vendor, 0x8086);
	/* the output array bounds the walk */
	CHECK_EQ(pci_enumerate(&host, devs, 2), 2);
	char name[16];
	pci_dev_name(&devs[1], name, sizeof(name));
	CHECK_STR(name, "00:03.0");
}

/* ---- BARs ---- */

TEST(bars_sized_and_assigned_naturally_aligned)
{
	struct pci_dev d;
	struct fake_fn *f;
	const char *why = 0;

	reset_bus();
	f = add_fn(1, 0, 0x1af4, 0x1001);
	add_io_bar(f, 0, 0x80);
	add_mem_bar(f, 1, 0x1000, false, false);
	add_mem_bar(f, 4, 0x4000, true, true);
	put16(f, PCI_COMMAND, 0);
	CHECK_EQ(pci_enumerate(&host, &d, 1), 1);
	host.mem32.next = WIN_PCI + 0x800;		/* something else took the start */
	CHECK_EQ(pci_assign_bars(&d, &why), 0);

	CHECK(d.bar[0].io);
	CHECK_EQ(d.bar[0].size, 0x80);
	CHECK_EQ(d.bar[0].addr, 0);			/* I/O space is never turned on */
	CHECK_EQ(get32(f, PCI_BAR0) & ~3U, 0);
	CHECK_EQ(d.bar[1].size, 0x1000);
	CHECK_EQ(get32(f, PCI_BAR0 + 4), WIN_PCI + 0x1000);
	CHECK_EQ(d.bar[1].addr, (uint64_t)(uintptr_t)window + 0x1000);
	CHECK(d.bar[4].is64 && d.bar[4].prefetch);
	CHECK_EQ(d.bar[4].size, 0x4000);
	CHECK_EQ(get32(f, PCI_BAR0 + 16) & ~0xfU, WIN_PCI + 0x4000);
	CHECK_EQ(get32(f, PCI_BAR0 + 16) & 0xfU, PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH);
	CHECK_EQ(get32(f, PCI_BAR0 + 20), 0);
	CHECK_EQ(d.bar[5].size, 0);			/* the upper half is not a BAR of its own */
	CHECK_EQ(d.bar[2].size, 0);
	CHECK_EQ(host.mem32.next, WIN_PCI + 0x8000);
	CHECK_EQ(get32(f, PCI_COMMAND) & 0xffff, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

TEST(bar_window_exhausted_leaves_function_off)
{
	struct pci_dev d[2];
	struct fake_fn *f;
	const char *why = 0;

	reset_bus();
	f = add_fn(1, 0, 0x1af4, 0x1042);
	add_mem_bar(f, 0, WIN_SIZE / 2, false, false);
	f = add_fn(2, 0, 0x1af4, 0x1042);
	add_mem_bar(f, 0, WIN_SIZE, false, false);	/* aligned, it no longer fits */
	CHECK_EQ(pci_enumerate(&host, d, 2), 2);
	CHECK_EQ(pci_assign_bars(&d[0], &why), 0);
	CHECK_EQ(pci_assign_bars(&d[1], &why), -1);
	CHECK_STR(why, "no room for a BAR in the bridge's memory windows");
	CHECK_EQ(get32(f, PCI_COMMAND) & PCI_COMMAND_MEMORY, 0);
	CHECK_EQ(d[1].bar[0].addr, 0);
}

TEST(bar_64bit_falls_back_to_the_64bit_window)
{
	struct pci_dev d;
	struct fake_fn *f;
	const char *why = 0;

	reset_bus();
	host.mem64 = (struct pci_window){ 0x400000000ULL, 0x400000000ULL, 1ULL << 32, 0x400000000ULL };
	f = add_fn(1, 0, 0x1af4, 0x1042);
	add_mem_bar(f, 0, 2 * WIN_SIZE, true, true);
	CHECK_EQ(pci_enumerate(&host, &d, 1), 1);
	CHECK_EQ(pci_assign_bars(&d, &why), 0);
	CHECK_EQ(d.bar[0].addr, 0x400000000ULL);
	CHECK_EQ(get32(f, PCI_BAR0 + 4), 4);
}

/* ---- capabilities ---- */

static void put_cap(struct fake_fn *f, unsigned at, uint8_t id, uint8_t next)
{
	f->cfg[at] = id;
	f->cfg[at + 1] = next;
}

TEST(capability_walk_ends_on_bad_lists)
{
	struct pci_dev d;
	struct fake_fn *f;

	reset_bus();
	f = add_fn(1, 0, 0x1af4, 0x1042);
	put16(f, PCI_STATUS, PCI_STATUS_CAP_LIST);
	f->cfg[PCI_CAPABILITY_LIST] = 0x40;
	put_cap(f, 0x40, 0x11, 0x50);			/* MSI-X */
	put_cap(f, 0x50, PCI_CAP_ID_VNDR, 0x60);
	put_cap(f, 0x60, PCI_CAP_ID_VNDR, 0x40);	/* a loop back to the first */
	CHECK_EQ(pci_enumerate(&host, &d, 1), 1);
	CHECK_EQ(pci_find_cap(&d, 0x11, 0), 0x40);
	CHECK_EQ(pci_find_cap(&d, PCI_CAP_ID_VNDR, 0), 0x50);
	CHECK_EQ(pci_find_cap(&d, PCI_CAP_ID_VNDR, 0x50), 0x60);
	CHECK_EQ(pci_find_cap(&d, PCI_CAP_ID_VNDR, 0x60), 0x50);	/* found again, not stuck */
	CHECK_EQ(pci_find_cap(&d, 0x05, 0), 0);	/* absent: the loop ends the walk */
	put_cap(f, 0x50, PCI_CAP_ID_VNDR, 0x20);	/* into the header: end */
	CHECK_EQ(pci_find_cap(&d, PCI_CAP_ID_VNDR, 0x50), 0);
	put16(f, PCI_STATUS, 0);			/* no list at all */
	CHECK_EQ(pci_find_cap(&d, 0x11, 0), 0);
}

/* ---- virtio-pci ---- */

/* A virtio_pci_cap (+ notify multiplier) at `at` pointing into BAR `bar`. */
static void put_vcap(struct fake_fn *f, unsigned at, unsigned next, uint8_t type, uint8_t bar,
		     uint32_t off, uint32_t len)
{
	put_cap(f, at, PCI_CAP_ID_VNDR, (uint8_t)next);
	f->cfg[at + 2] = type == 2 ? 20 : 16;
	f->cfg[at + 3] = type;
	f->cfg[at + 4] = bar;
	put32(f, at + 8, off);
	put32(f, at + 12, len);
	if (type == 2)
		put32(f, at + 16, 4);			/* notify_off_multiplier */
}

/* QEMU's layout: BAR 4 (16 KiB) holds common @0, ISR @0x1000, device @0x2000, notify @0x3000. */
static struct fake_fn *virtio_blk_fn(void)
{
	struct fake_fn *f = add_fn(2, 0, 0x1af4, 0x1001);

	put16(f, PCI_SUBSYSTEM_ID, 2);
	add_io_bar(f, 0, 0x80);
	add_mem_bar(f, 1, 0x1000, false, false);
	add_mem_bar(f, 4, 0x4000, true, true);
	put16(f, PCI_STATUS, PCI_STATUS_CAP_LIST);
	f->cfg[PCI_CAPABILITY_LIST] = 0x90;
	put_vcap(f, 0x90, 0x7c, 1, 4, 0x0000, 0x1000);
	put_vcap(f, 0x7c, 0x68, 3, 4, 0x1000, 0x1000);
	put_vcap(f, 0x68, 0x54, 4, 4, 0x2000, 0x1000);
	put_vcap(f, 0x54, 0x40, 2, 4, 0x3000, 0x1000);
	put_vcap(f, 0x40, 0x00, 1, 4, 0x3f00, 0x100);	/* a second common cfg: ignored */
	return f;
}

TEST(virtio_pci_finds_its_structures)
{
	struct pci_dev d;
	struct virtio_dev vd;
	const char *why = 0;
	uint8_t *bar4;

	reset_bus();
	virtio_blk_fn();
	CHECK_EQ(pci_enumerate(&host, &d, 1), 1);
	CHECK_EQ(virtio_pci_device_type(&d), 2);
	CHECK_EQ(pci_assign_bars(&d, &why), 0);
	why = virtio_pci_probe(&d, &vd);
	CHECK(why == 0);
	if (why)
		return;
	CHECK_STR(vd.where, "pci 00:02.0");
	CHECK_EQ(vd.device_id, 2);
	bar4 = (uint8_t *)(uintptr_t)d.bar[4].addr;
	CHECK_EQ(vd.base, (uint64_t)(uintptr_t)bar4);
	CHECK_EQ(vd.isr, (uint64_t)(uintptr_t)(bar4 + 0x1000));
	CHECK_EQ(vd.devcfg, (uint64_t)(uintptr_t)(bar4 + 0x2000));
	CHECK_EQ(vd.notify, (uint64_t)(uintptr_t)(bar4 + 0x3000));
	CHECK_EQ(vd.notify_mult, 4);

	/* queue 0 of 3: size limit, then the ring addresses land in common cfg */
	bar4[0x12] = 3;					/* num_queues */
	bar4[0x18] = 0, bar4[0x19] = 1;			/* queue_size 256 */
	bar4[0x1e] = 5;					/* queue_notify_off */
	CHECK_EQ(vd.t->queue_max(&vd, 0), 256);
	CHECK_EQ(vd.t->queue_max(&vd, 3), 0);		/* no such queue */
	vd.t->queue_enable(&vd, 0, 128, 0x81000000ULL, 0x81001000ULL, 0x81002000ULL);
	CHECK_EQ(bar4[0x18], 128);
	CHECK_EQ(bar4[0x1c], 1);			/* queue_enable */
	CHECK_EQ(*(uint64_t *)(bar4 + 0x20), 0x81000000ULL);
	CHECK_EQ(*(uint64_t *)(bar4 + 0x28), 0x81001000ULL);
	CHECK_EQ(*(uint64_t *)(bar4 + 0x30), 0x81002000ULL);
	CHECK_EQ(vd.queue_notify[0], vd.notify + 5 * 4);
	CHECK_EQ(vd.t->queue_max(&vd, 0), 0);		/* live now */
	bar4[0x3000 + 20] = bar4[0x3000 + 21] = 0xff;
	vd.t->notify(&vd, 0);
	CHECK_EQ(bar4[0x3000 + 20], 0);			/* the queue index, written 16 bits wide */
	CHECK_EQ(bar4[0x3000 + 21], 0);
	CHECK_EQ(bar4[0x3000], 0);			/* not at offset 0 of the notify region */
	*(uint32_t *)(bar4 + 0x2000) = 0x1234;		/* capacity, low word */
	CHECK_EQ(vd.t->config_read32(&vd, 0), 0x1234);
	CHECK_EQ(vd.t->config_read32(&vd, 0x1000), 0);	/* past the device cfg: nothing */
}

TEST(virtio_pci_refuses_caps_outside_their_bar)
{
	struct pci_dev d;
	struct virtio_dev vd;
	struct fake_fn *f;
	const char *why = 0;

	reset_bus();
	f = virtio_blk_fn();
	put32(f, 0x7c + 8, 0x3ff0);			/* ISR at 0x3ff0 + 0x1000 > 16 KiB */
	CHECK_EQ(pci_enumerate(&host, &d, 1), 1);
	CHECK_EQ(pci_assign_bars(&d, &why), 0);
	CHECK_STR(virtio_pci_probe(&d, &vd), "a virtio capability points outside its BAR");

	put32(f, 0x7c + 8, 0x1000);
	f->cfg[0x90 + 4] = 7;				/* common cfg in BAR 7 */
	CHECK_STR(virtio_pci_probe(&d, &vd), "a virtio capability points outside its BAR");

	f->cfg[0x90 + 4] = 0;				/* in the I/O BAR: not mapped */
	CHECK_STR(virtio_pci_probe(&d, &vd), "a virtio capability points outside its BAR");

	put16(f, PCI_STATUS, 0);			/* a legacy-only device: no capabilities */
	CHECK_STR(virtio_pci_probe(&d, &vd), "no modern virtio capabilities (common, notify, ISR)");

	put16(f, PCI_DEVICE_ID, 0x1100);		/* not a virtio device ID */
	CHECK_EQ(pci_enumerate(&host, &d, 1), 1);
	CHECK_EQ(virtio_pci_device_type(&d), 0);
	CHECK_STR(virtio_pci_probe(&d, &vd), "not a virtio device");
}

UNIT_MAIN("test_pci",
	  UNIT(host_from_qemu_virt_tree),
	  UNIT(host_without_windows_or_node_is_refused),
	  UNIT(enumerate_finds_functions_in_slot_order),
	  UNIT(bars_sized_and_assigned_naturally_aligned),
	  UNIT(bar_window_exhausted_leaves_function_off),
	  UNIT(bar_64bit_falls_back_to_the_64bit_window),
	  UNIT(capability_walk_ends_on_bad_lists),
	  UNIT(virtio_pci_finds_its_structures),
	  UNIT(virtio_pci_refuses_caps_outside_their_bar))
