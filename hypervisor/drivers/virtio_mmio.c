/*
 * The virtio-mmio transport, version 2 (virtio 1.1, 4.2.2 register layout,
 * 4.2.3 initialization), under drivers/virtio.h's interface.
 */
#include "drivers/virtio.h"
#include "drivers/virtio_mmio.h"
#include "lib/printf.h"

static uint32_t rd(const struct virtio_dev *vd, unsigned off)
{
	return *(volatile uint32_t *)(uintptr_t)(vd->base + off);
}

static void wr(const struct virtio_dev *vd, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(vd->base + off) = v;
}

static void wr64(const struct virtio_dev *vd, unsigned lo, uint64_t v)
{
	wr(vd, lo, (uint32_t)v);
	wr(vd, lo + 4, (uint32_t)(v >> 32));
}

static uint8_t mmio_get_status(struct virtio_dev *vd)
{
	return (uint8_t)rd(vd, VIRTIO_MMIO_STATUS);
}

static void mmio_set_status(struct virtio_dev *vd, uint8_t status)
{
	wr(vd, VIRTIO_MMIO_STATUS, status);
}

static uint64_t mmio_device_features(struct virtio_dev *vd)
{
	uint64_t f;

	wr(vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)rd(vd, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | rd(vd, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void mmio_set_driver_features(struct virtio_dev *vd, uint64_t f)
{
	wr(vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(vd, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(vd, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static unsigned mmio_queue_max(struct virtio_dev *vd, unsigned q)
{
	wr(vd, VIRTIO_MMIO_QUEUE_SEL, q);
	if (rd(vd, VIRTIO_MMIO_QUEUE_READY))
		return 0;
	return rd(vd, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

static void mmio_queue_enable(struct virtio_dev *vd, unsigned q, unsigned num,
			      uint64_t desc, uint64_t driver, uint64_t device)
{
	wr(vd, VIRTIO_MMIO_QUEUE_SEL, q);
	wr(vd, VIRTIO_MMIO_QUEUE_NUM, num);
	wr64(vd, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	wr64(vd, VIRTIO_MMIO_QUEUE_DRIVER_LOW, driver);
	wr64(vd, VIRTIO_MMIO_QUEUE_DEVICE_LOW, device);
	wr(vd, VIRTIO_MMIO_QUEUE_READY, 1);
}

static void mmio_notify(struct virtio_dev *vd, unsigned q)
{
	wr(vd, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

static uint32_t mmio_config_read32(struct virtio_dev *vd, unsigned off)
{
	return rd(vd, VIRTIO_MMIO_CONFIG + off);
}

static uint32_t mmio_ack_interrupt(struct virtio_dev *vd)
{
	uint32_t st = rd(vd, VIRTIO_MMIO_INTERRUPT_STATUS);

	wr(vd, VIRTIO_MMIO_INTERRUPT_ACK, st);
	return st;
}

static const struct virtio_transport mmio_transport = {
	"virtio-mmio",
	mmio_get_status,
	mmio_set_status,
	mmio_device_features,
	mmio_set_driver_features,
	mmio_queue_max,
	mmio_queue_enable,
	mmio_notify,
	mmio_config_read32,
	mmio_ack_interrupt,
};

const char *virtio_mmio_probe(uint64_t base, struct virtio_dev *vd)
{
	*vd = (struct virtio_dev){ .t = &mmio_transport, .base = base };
	snprintf(vd->where, sizeof(vd->where), "0x%lx", (unsigned long)base);
	if (rd(vd, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
		return "no virtio-mmio magic";
	if (rd(vd, VIRTIO_MMIO_VERSION) != VIRTIO_MMIO_VERSION_MODERN)
		return "a legacy (version 1) device: QEMU needs -global virtio-mmio.force-legacy=false";
	vd->device_id = rd(vd, VIRTIO_MMIO_DEVICE_ID);
	return 0;
}
