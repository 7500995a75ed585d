/*
 * The modern virtio over PCI transport (virtio 1.1, 4.1): the device's
 * vendor-specific capabilities say in which BAR, at which offset, its four
 * register structures lie (4.1.4 "Virtio Structure PCI Capabilities"):
 * common configuration, notifications, ISR status and device-specific
 * configuration.  The BARs must have been assigned (pci_assign_bars).
 * Interrupts are not used (the block driver polls), so MSI-X stays off.
 */
#include "drivers/virtio.h"
#include "drivers/virtio_mmio.h"
#include "drivers/pci.h"
#include "lib/printf.h"

#define VIRTIO_PCI_VENDOR	 0x1af4
#define VIRTIO_PCI_DEVICE_FIRST	 0x1000 /* transitional 0x1000..0x103f, modern 0x1040.. */
#define VIRTIO_PCI_DEVICE_MODERN 0x1040
#define VIRTIO_PCI_DEVICE_LAST	 0x107f

/* struct virtio_pci_cap (4.1.4) and the notify capability's extra word. */
#define VCAP_CFG_TYPE		 3
#define VCAP_BAR		 4
#define VCAP_OFFSET		 8
#define VCAP_LENGTH		 12
#define VCAP_NOTIFY_MULT	 16
#define VCAP_MIN_LEN		 16

enum { VIRTIO_PCI_CAP_COMMON = 1,
       VIRTIO_PCI_CAP_NOTIFY,
       VIRTIO_PCI_CAP_ISR,
       VIRTIO_PCI_CAP_DEVICE };

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define VPCI_DEVICE_FEATURE_SELECT 0x00
#define VPCI_DEVICE_FEATURE	   0x04
#define VPCI_DRIVER_FEATURE_SELECT 0x08
#define VPCI_DRIVER_FEATURE	   0x0c
#define VPCI_MSIX_CONFIG	   0x10
#define VPCI_NUM_QUEUES		   0x12
#define VPCI_DEVICE_STATUS	   0x14
#define VPCI_QUEUE_SELECT	   0x16
#define VPCI_QUEUE_SIZE		   0x18
#define VPCI_QUEUE_MSIX_VECTOR	   0x1a
#define VPCI_QUEUE_ENABLE	   0x1c
#define VPCI_QUEUE_NOTIFY_OFF	   0x1e
#define VPCI_QUEUE_DESC		   0x20
#define VPCI_QUEUE_DRIVER	   0x28
#define VPCI_QUEUE_DEVICE	   0x30
#define VPCI_COMMON_LEN		   0x38
#define VIRTIO_MSI_NO_VECTOR	   0xffff

static volatile uint8_t *reg8(uint64_t a)
{
	return (volatile uint8_t *)(uintptr_t)a;
}
static volatile uint16_t *reg16(uint64_t a) { return (volatile uint16_t *)(uintptr_t)a; }
static volatile uint32_t *reg32(uint64_t a) { return (volatile uint32_t *)(uintptr_t)a; }

static void wr64(uint64_t a, uint64_t v)
{
	*reg32(a) = (uint32_t)v;
	*reg32(a + 4) = (uint32_t)(v >> 32);
}

static uint8_t pci_get_status(struct virtio_dev *vd)
{
	return *reg8(vd->base + VPCI_DEVICE_STATUS);
}

static void pci_set_status(struct virtio_dev *vd, uint8_t status)
{
	*reg8(vd->base + VPCI_DEVICE_STATUS) = status;
}

static uint64_t pci_device_features(struct virtio_dev *vd)
{
	uint64_t f;

	*reg32(vd->base + VPCI_DEVICE_FEATURE_SELECT) = 1;
	f = (uint64_t)*reg32(vd->base + VPCI_DEVICE_FEATURE) << 32;
	*reg32(vd->base + VPCI_DEVICE_FEATURE_SELECT) = 0;
	return f | *reg32(vd->base + VPCI_DEVICE_FEATURE);
}

static void pci_set_driver_features(struct virtio_dev *vd, uint64_t f)
{
	*reg32(vd->base + VPCI_DRIVER_FEATURE_SELECT) = 0;
	*reg32(vd->base + VPCI_DRIVER_FEATURE) = (uint32_t)f;
	*reg32(vd->base + VPCI_DRIVER_FEATURE_SELECT) = 1;
	*reg32(vd->base + VPCI_DRIVER_FEATURE) = (uint32_t)(f >> 32);
}

static unsigned pci_queue_max(struct virtio_dev *vd, unsigned q)
{
	if (q >= VIRTIO_DEV_QUEUES || q >= *reg16(vd->base + VPCI_NUM_QUEUES))
		return 0;
	*reg16(vd->base + VPCI_QUEUE_SELECT) = (uint16_t)q;
	if (*reg16(vd->base + VPCI_QUEUE_ENABLE))
		return 0;
	return *reg16(vd->base + VPCI_QUEUE_SIZE);
}

static void pci_queue_enable(struct virtio_dev *vd, unsigned q, unsigned num,
			     uint64_t desc, uint64_t driver, uint64_t device)
{
	uint64_t off;

	*reg16(vd->base + VPCI_QUEUE_SELECT) = (uint16_t)q;
	*reg16(vd->base + VPCI_QUEUE_SIZE) = (uint16_t)num;
	*reg16(vd->base + VPCI_QUEUE_MSIX_VECTOR) = VIRTIO_MSI_NO_VECTOR;
	wr64(vd->base + VPCI_QUEUE_DESC, desc);
	wr64(vd->base + VPCI_QUEUE_DRIVER, driver);
	wr64(vd->base + VPCI_QUEUE_DEVICE, device);
	off = (uint64_t)*reg16(vd->base + VPCI_QUEUE_NOTIFY_OFF) * vd->notify_mult;
	vd->queue_notify[q] = vd->notify + off;
	*reg16(vd->base + VPCI_QUEUE_ENABLE) = 1;
}

static void pci_notify(struct virtio_dev *vd, unsigned q)
{
	if (q < VIRTIO_DEV_QUEUES && vd->queue_notify[q])
		*reg16(vd->queue_notify[q]) = (uint16_t)q;
}

static uint32_t pci_config_read32(struct virtio_dev *vd, unsigned off)
{
	return off + 4 <= vd->devcfg_len ? *reg32(vd->devcfg + off) : 0;
}

static uint32_t pci_ack_interrupt(struct virtio_dev *vd)
{
	return *reg8(vd->isr); /* reading the ISR status clears it (4.1.4.5) */
}

static const struct virtio_transport pci_transport = {
	"virtio-pci",
	pci_get_status,
	pci_set_status,
	pci_device_features,
	pci_set_driver_features,
	pci_queue_max,
	pci_queue_enable,
	pci_notify,
	pci_config_read32,
	pci_ack_interrupt,
};

uint32_t virtio_pci_device_type(const struct pci_dev *pd)
{
	if (pd->vendor != VIRTIO_PCI_VENDOR || pd->device < VIRTIO_PCI_DEVICE_FIRST ||
	    pd->device > VIRTIO_PCI_DEVICE_LAST)
		return 0;
	/* Transitional devices name their type in the subsystem ID (4.1.2.1). */
	return pd->device >= VIRTIO_PCI_DEVICE_MODERN ? pd->device - VIRTIO_PCI_DEVICE_MODERN : pd->subsys_id;
}

/*
 * Where the structure a capability describes lies, if it is inside an
 * assigned memory BAR and at least `min` bytes long: its CPU address, its
 * length in *len; 0 otherwise.
 */
static uint64_t cap_region(const struct pci_dev *pd, unsigned cap, uint32_t min, uint64_t *len)
{
	uint8_t bar = pci_read8(pd, cap + VCAP_BAR);
	uint32_t off = pci_read32(pd, cap + VCAP_OFFSET);
	uint32_t length = pci_read32(pd, cap + VCAP_LENGTH);
	const struct pci_bar *b;

	if (bar >= PCI_BAR_COUNT)
		return 0;
	b = &pd->bar[bar];
	if (!b->addr || b->io || length < min || (uint64_t)off + length > b->size)
		return 0;
	*len = length;
	return b->addr + off;
}

/* Record what a capability of the given type says; false if it is unusable. */
static bool take_cap(const struct pci_dev *pd, unsigned cap, uint8_t type, struct virtio_dev *vd)
{
	uint64_t len = 0, at;

	switch (type) {
	case VIRTIO_PCI_CAP_COMMON:
		return (vd->base = cap_region(pd, cap, VPCI_COMMON_LEN, &len)) != 0;
	case VIRTIO_PCI_CAP_NOTIFY:
		if (pci_read8(pd, cap + 2) < VCAP_MIN_LEN + 4)
			return false;
		vd->notify_mult = pci_read32(pd, cap + VCAP_NOTIFY_MULT);
		return (vd->notify = cap_region(pd, cap, 2, &len)) != 0;
	case VIRTIO_PCI_CAP_ISR:
		return (vd->isr = cap_region(pd, cap, 1, &len)) != 0;
	case VIRTIO_PCI_CAP_DEVICE:
		at = cap_region(pd, cap, 4, &len);
		vd->devcfg = at, vd->devcfg_len = at ? len : 0;
		return at != 0;
	}
	return true; /* another type (PCI cfg access, shared memory): not needed */
}

const char *virtio_pci_probe(struct pci_dev *pd, struct virtio_dev *vd)
{
	char name[16];

	*vd = (struct virtio_dev){ .t = &pci_transport, .device_id = virtio_pci_device_type(pd) };
	pci_dev_name(pd, name, sizeof(name));
	snprintf(vd->where, sizeof(vd->where), "pci %s", name);
	if (!vd->device_id)
		return "not a virtio device";
	/* The first capability of each type is the one to use (4.1.4). */
	for (unsigned cap = pci_find_cap(pd, PCI_CAP_ID_VNDR, 0); cap;
	     cap = pci_find_cap(pd, PCI_CAP_ID_VNDR, cap)) {
		uint8_t type = pci_read8(pd, cap + VCAP_CFG_TYPE);
		bool seen = (type == VIRTIO_PCI_CAP_COMMON && vd->base) ||
			    (type == VIRTIO_PCI_CAP_NOTIFY && vd->notify) ||
			    (type == VIRTIO_PCI_CAP_ISR && vd->isr) ||
			    (type == VIRTIO_PCI_CAP_DEVICE && vd->devcfg);
		if (pci_read8(pd, cap + 2) < VCAP_MIN_LEN || seen)
			continue;
		if (!take_cap(pd, cap, type, vd))
			return "a virtio capability points outside its BAR";
	}
	if (!vd->base || !vd->notify || !vd->isr)
		return "no modern virtio capabilities (common, notify, ISR)";
	return 0;
}
