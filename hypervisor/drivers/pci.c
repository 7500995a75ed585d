/*
 * The host's PCIe bus behind an ECAM host bridge: enumeration, BAR
 * assignment, capability walk (see pci.h for the specifications).
 */
#include "drivers/pci.h"
#include "lib/fdt.h"
#include "lib/printf.h"

#define PCI_SLOTS	 32
#define PCI_FUNCS	 8
#define PCI_CAP_WALK_MAX 48 /* (256 - 64) / 4: more hops than that is a loop */

/* phys.hi of a three-cell PCI address: space code in bits 24-25. */
#define PCI_SPACE(hi)	 (((hi) >> 24) & 3U)
#define PCI_SPACE_MEM32	 2U
#define PCI_SPACE_MEM64	 3U

static uint32_t ecam_read32(void *ctx, uint64_t off)
{
	const struct pci_host *h = ctx;

	return *(volatile uint32_t *)(uintptr_t)(h->ecam_base + off);
}

static void ecam_write32(void *ctx, uint64_t off, uint32_t v)
{
	const struct pci_host *h = ctx;

	*(volatile uint32_t *)(uintptr_t)(h->ecam_base + off) = v;
}

const struct pci_cfg_ops pci_ecam_ops = { ecam_read32, ecam_write32 };

/* ---- config space ---- */

static uint64_t cfg_offset(const struct pci_dev *d, unsigned reg)
{
	return PCI_ECAM_OFFSET(d->bus - d->host->bus_first, d->dev, d->fn) + (reg & ~3U);
}

uint32_t pci_read32(const struct pci_dev *d, unsigned reg)
{
	return d->host->ops->read32(d->host->ctx, cfg_offset(d, reg));
}

uint16_t pci_read16(const struct pci_dev *d, unsigned reg)
{
	return (uint16_t)(pci_read32(d, reg) >> (8 * (reg & 2)));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned reg)
{
	return (uint8_t)(pci_read32(d, reg) >> (8 * (reg & 3)));
}

void pci_write32(const struct pci_dev *d, unsigned reg, uint32_t v)
{
	d->host->ops->write32(d->host->ctx, cfg_offset(d, reg), v);
}

/*
 * The status register shares the command register's dword and has
 * write-1-to-clear bits, so it is written as zeros, which change nothing.
 */
void pci_set_command(const struct pci_dev *d, uint16_t cmd)
{
	pci_write32(d, PCI_COMMAND, cmd);
}

void pci_dev_name(const struct pci_dev *d, char *buf, unsigned size)
{
	snprintf(buf, size, "%02x:%02x.%u", d->bus, d->dev, d->fn);
}

/* ---- the host bridge from the device tree ---- */

static uint64_t read_cells(const uint8_t *p, unsigned cells)
{
	return cells == 2 ? fdt_be64(p) : fdt_be32(p);
}

static unsigned parent_cells(const struct fdt *f, int node, const char *name, unsigned dflt)
{
	uint32_t v;
	int parent = fdt_parent(f, node);

	return parent >= 0 && fdt_prop_u32(f, parent, name, &v) ? v : dflt;
}

static void window_set(struct pci_window *w, uint64_t pci, uint64_t cpu, uint64_t size)
{
	if (w->size >= size)
		return; /* keep the first (or larger) window of a kind */
	*w = (struct pci_window){ pci, cpu, size, pci };
}

/* "ranges": (child address: 3 cells, parent address: #address-cells of the parent, size: 2 cells). */
static int parse_ranges(const struct fdt *f, int node, struct pci_host *h)
{
	unsigned pac = parent_cells(f, node, "#address-cells", 2);
	uint32_t len, entry = 4 * (3 + pac + 2);
	const uint8_t *p = fdt_prop(f, node, "ranges", &len);

	if (!p || pac < 1 || pac > 2 || len % entry)
		return -1;
	for (uint32_t at = 0; at < len; at += entry) {
		uint32_t hi = fdt_be32(p + at);
		uint64_t pci = fdt_be64(p + at + 4);
		uint64_t cpu = read_cells(p + at + 12, pac);
		uint64_t size = fdt_be64(p + at + 12 + 4 * pac);
		if (PCI_SPACE(hi) == PCI_SPACE_MEM32 && pci + size <= (1ULL << 32))
			window_set(&h->mem32, pci, cpu, size);
		else if (PCI_SPACE(hi) == PCI_SPACE_MEM64)
			window_set(&h->mem64, pci, cpu, size);
	}
	return h->mem32.size || h->mem64.size ? 0 : -1;
}

int pci_host_from_fdt(const struct fdt *f, struct pci_host *h, const char **why)
{
	int node = fdt_next_compatible(f, -1, "pci-host-ecam-generic");
	uint32_t len;
	const uint8_t *range;

	*h = (struct pci_host){ .bus_last = 255, .ops = &pci_ecam_ops };
	h->ctx = h;
	if (node < 0)
		return *why = "no pci-host-ecam-generic node", -1;
	if (!fdt_reg(f, node, 0, &h->ecam_base, &h->ecam_size))
		return *why = "no reg", -1;
	range = fdt_prop(f, node, "bus-range", &len);
	if (range && len == 8) {
		h->bus_first = fdt_be32(range);
		h->bus_last = fdt_be32(range + 4);
	}
	if (h->bus_first > h->bus_last || h->bus_last > 255)
		return *why = "bad bus-range", -1;
	if (h->ecam_size < (1U << 20))
		return *why = "ECAM smaller than one bus", -1;
	/* Only as many buses as the ECAM window covers. */
	if (h->ecam_size < (uint64_t)(h->bus_last - h->bus_first + 1) << 20)
		h->bus_last = h->bus_first + (unsigned)(h->ecam_size >> 20) - 1;
	if (parse_ranges(f, node, h))
		return *why = "no memory window in ranges", -1;
	return 0;
}

/* ---- enumeration ---- */

static bool probe_function(struct pci_host *h, unsigned dev, unsigned fn, struct pci_dev *d)
{
	*d = (struct pci_dev){ .host = h, .bus = (uint8_t)h->bus_first, .dev = (uint8_t)dev, .fn = (uint8_t)fn };
	d->vendor = pci_read16(d, PCI_VENDOR_ID);
	if (d->vendor == 0xffff || d->vendor == 0)
		return false;
	d->device = pci_read16(d, PCI_DEVICE_ID);
	d->class_rev = pci_read32(d, PCI_CLASS_REVISION);
	if ((pci_read8(d, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK) == 0) {
		d->subsys_vendor = pci_read16(d, PCI_SUBSYSTEM_VENDOR_ID);
		d->subsys_id = pci_read16(d, PCI_SUBSYSTEM_ID);
	}
	return true;
}

unsigned pci_enumerate(struct pci_host *h, struct pci_dev *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned dev = 0; dev < PCI_SLOTS && n < max; dev++) {
		if (!probe_function(h, dev, 0, &out[n]))
			continue;
		bool multi = pci_read8(&out[n], PCI_HEADER_TYPE) & PCI_HEADER_MULTIFUNC;
		n++;
		for (unsigned fn = 1; multi && fn < PCI_FUNCS && n < max; fn++)
			if (probe_function(h, dev, fn, &out[n]))
				n++;
	}
	return n;
}

/* ---- BARs ---- */

/* Write all ones, read back what sticks, restore (PCI 3.0 6.2.5.1). */
static uint32_t bar_probe(const struct pci_dev *d, unsigned reg)
{
	uint32_t old = pci_read32(d, reg), mask;

	pci_write32(d, reg, 0xffffffffU);
	mask = pci_read32(d, reg);
	pci_write32(d, reg, old);
	return mask;
}

/* Size BAR i; returns how many BAR registers it took (2 for a 64-bit BAR). */
static unsigned bar_size(struct pci_dev *d, unsigned i)
{
	unsigned reg = PCI_BAR0 + 4 * i;
	uint32_t lo = bar_probe(d, reg);
	struct pci_bar *b = &d->bar[i];
	uint64_t mask;

	*b = (struct pci_bar){ 0 };
	if (lo == 0 || lo == 0xffffffffU)
		return 1; /* not implemented (all ones: nothing answered) */
	if (lo & PCI_BAR_IO) {
		b->io = true;
		b->size = (uint64_t)(~(lo & ~3U) & 0xffffU) + 1;
		return 1;
	}
	b->prefetch = (lo & PCI_BAR_MEM_PREFETCH) != 0;
	b->is64 = (lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 && i + 1 < PCI_BAR_COUNT;
	mask = lo & ~0xfU;
	mask |= b->is64 ? (uint64_t)bar_probe(d, reg + 4) << 32 : 0xffffffff00000000ULL;
	b->size = mask ? ~mask + 1 : 0;
	return b->is64 ? 2 : 1;
}

/* The next naturally aligned `size` bytes of w at *at; false if they do not fit. */
static bool window_alloc(struct pci_window *w, uint64_t size, uint64_t *at)
{
	uint64_t a = (w->next + size - 1) & ~(size - 1);

	if (!w->size || a < w->next || a + size < a || a + size > w->pci_base + w->size)
		return false;
	w->next = a + size;
	*at = a;
	return true;
}

static int bar_assign(struct pci_dev *d, unsigned i)
{
	struct pci_bar *b = &d->bar[i];
	struct pci_window *w = &d->host->mem32;
	uint64_t at;

	if (!window_alloc(w, b->size, &at)) {
		w = &d->host->mem64;
		if (!b->is64 || !window_alloc(w, b->size, &at))
			return -1;
	}
	pci_write32(d, PCI_BAR0 + 4 * i, (uint32_t)at);
	if (b->is64)
		pci_write32(d, PCI_BAR0 + 4 * i + 4, (uint32_t)(at >> 32));
	b->addr = w->cpu_base + (at - w->pci_base);
	return 0;
}

int pci_assign_bars(struct pci_dev *d, const char **why)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	/* No decoding while BARs hold all ones or half-written addresses. */
	pci_set_command(d, cmd & (uint16_t)~PCI_COMMAND_MEMORY);
	for (unsigned i = 0; i < PCI_BAR_COUNT;)
		i += bar_size(d, i);
	for (unsigned i = 0; i < PCI_BAR_COUNT; i++) {
		if (!d->bar[i].size || d->bar[i].io)
			continue;
		if (bar_assign(d, i))
			return *why = "no room for a BAR in the bridge's memory windows", -1;
	}
	pci_set_command(d, (uint16_t)(cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	return 0;
}

/* ---- capabilities ---- */

unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned after)
{
	unsigned at;

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	at = after ? pci_read8(d, after + 1) : pci_read8(d, PCI_CAPABILITY_LIST);
	for (unsigned hops = 0; hops < PCI_CAP_WALK_MAX; hops++) {
		at &= ~3U;
		if (at < 0x40)
			return 0;
		if (pci_read8(d, at) == id)
			return at;
		at = pci_read8(d, at + 1);
	}
	return 0;
}

/* ---- the host's bus ---- */

struct pci_host pci_host_bridge;
struct pci_dev pci_devs[PCI_DEVS_MAX];
unsigned pci_dev_count;

int pci_init(const struct fdt *f, const char **why)
{
	if (pci_host_from_fdt(f, &pci_host_bridge, why))
		return -1;
	pci_dev_count = pci_enumerate(&pci_host_bridge, pci_devs, PCI_DEVS_MAX);
	return 0;
}
