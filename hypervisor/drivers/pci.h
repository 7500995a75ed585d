/*
 * The host's PCI Express bus behind a generic ECAM host bridge (device tree
 * `compatible = "pci-host-ecam-generic"`, as QEMU's virt board has at
 * 0x30000000): enumerate the functions of its first bus, size and assign
 * their memory BARs from the bridge's windows (nothing else does: OpenSBI
 * leaves every BAR at 0), and walk capability lists.
 *
 * Facts from the PCI Local Bus Specification 3.0 (6.1 configuration header,
 * 6.2.5 base address registers, 6.7 capabilities list), PCI Express Base
 * 4.0 (7.2.2 ECAM: bus << 20 | device << 15 | function << 12 | register)
 * and the Devicetree binding for PCI host bridges (IEEE 1275 PCI bus
 * binding: three-cell child addresses, phys.hi = space code in bits 24-25).
 *
 * Config space is reached through `struct pci_cfg_ops`, ECAM loads and
 * stores in the hypervisor and a fake in the host unit tests.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct fdt;

/* Configuration header registers (type 0, PCI 3.0 6.1). */
#define PCI_VENDOR_ID		0x00 /* 16 bits; 0xffff: no function here */
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_CLASS_REVISION	0x08 /* class << 8 | revision */
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34

#define PCI_COMMAND_MEMORY	(1U << 1)
#define PCI_COMMAND_MASTER	(1U << 2) /* bus mastering: the device may DMA */
#define PCI_STATUS_CAP_LIST	(1U << 4)
#define PCI_HEADER_TYPE_MASK	0x7fU
#define PCI_HEADER_MULTIFUNC	0x80U

#define PCI_BAR_IO		(1U << 0)
#define PCI_BAR_MEM_TYPE_MASK	(3U << 1)
#define PCI_BAR_MEM_TYPE_64	(2U << 1)
#define PCI_BAR_MEM_PREFETCH	(1U << 3)

#define PCI_CAP_ID_VNDR		0x09 /* vendor specific (virtio's capabilities) */

#define PCI_BAR_COUNT		6
#define PCI_CFG_SIZE		4096 /* per function, PCIe extended config space */
#define PCI_ECAM_OFFSET(bus, dev, fn) \
	((uint64_t)(bus) << 20 | (uint64_t)(dev) << 15 | (uint64_t)(fn) << 12)

/* 32-bit config-space access at `off` (ECAM offset of the function + register). */
struct pci_cfg_ops {
	uint32_t (*read32)(void *ctx, uint64_t off);
	void (*write32)(void *ctx, uint64_t off, uint32_t value);
};

/* A range of the bridge's memory space and the next free address in it. */
struct pci_window {
	uint64_t pci_base; /* address as the bus (and a BAR) sees it */
	uint64_t cpu_base; /* the same address as the harts see it */
	uint64_t size;
	uint64_t next; /* next free bus address */
};

struct pci_host {
	uint64_t ecam_base, ecam_size;
	unsigned bus_first, bus_last;
	struct pci_window mem32, mem64;
	const struct pci_cfg_ops *ops;
	void *ctx;
};

struct pci_bar {
	uint64_t addr; /* CPU address once assigned, else 0 */
	uint64_t size; /* 0: BAR not implemented (or the upper half of a 64-bit one) */
	bool io, is64, prefetch;
};

struct pci_dev {
	struct pci_host *host;
	uint8_t bus, dev, fn;
	uint16_t vendor, device, subsys_vendor, subsys_id;
	uint32_t class_rev;
	struct pci_bar bar[PCI_BAR_COUNT];
};

/* The ECAM accessors the hypervisor uses (plain loads and stores at ecam_base + off). */
extern const struct pci_cfg_ops pci_ecam_ops;

/*
 * Fill h from the first "pci-host-ecam-generic" node of the tree: reg,
 * bus-range and the 32- and 64-bit memory windows of "ranges".  Returns 0,
 * or -1 (with *why set) if there is no such node or it makes no sense.
 */
int pci_host_from_fdt(const struct fdt *f, struct pci_host *h, const char **why);

/*
 * The functions on the host's first bus (bridges are listed but not
 * followed), at most max of them, in slot order.  Returns how many.
 */
unsigned pci_enumerate(struct pci_host *h, struct pci_dev *out, unsigned max);

/*
 * Size every BAR of d and give each memory BAR an address from the
 * bridge's windows (naturally aligned; 64-bit BARs from the 32-bit window
 * while it has room, then from the 64-bit one); I/O BARs are left off.
 * Then turn on memory decoding and bus mastering.  Returns 0, or -1 with
 * *why set when a window ran out (the function is left disabled).
 */
int pci_assign_bars(struct pci_dev *d, const char **why);

/* Config space of d. */
uint32_t pci_read32(const struct pci_dev *d, unsigned reg);
uint16_t pci_read16(const struct pci_dev *d, unsigned reg);
uint8_t pci_read8(const struct pci_dev *d, unsigned reg);
void pci_write32(const struct pci_dev *d, unsigned reg, uint32_t v);
void pci_set_command(const struct pci_dev *d, uint16_t cmd);

/*
 * Offset of the next capability with this ID after `after` (0: from the
 * start of the list), or 0.  A malformed list (pointers into the header,
 * misaligned, or a loop) ends the walk.
 */
unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned after);

/*
 * The host's bridge from its device tree, and the functions on its first
 * bus (BARs not assigned yet: drivers do that for the functions they take).
 */
#define PCI_DEVS_MAX 32
extern struct pci_dev pci_devs[PCI_DEVS_MAX];
extern unsigned pci_dev_count;
extern struct pci_host pci_host_bridge;
int pci_init(const struct fdt *f, const char **why);

/* "00:03.0" */
void pci_dev_name(const struct pci_dev *d, char *buf, unsigned size);

#endif
