/*
 * Device initialization steps shared by every virtio driver and transport
 * (virtio 1.1, 3.1.1).
 */
#include "drivers/virtio.h"
#include "drivers/virtio_mmio.h"

const char *virtio_negotiate(struct virtio_dev *vd, uint64_t wanted, uint64_t *got)
{
	uint8_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	uint64_t f;

	vd->t->set_status(vd, 0);
	vd->t->set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	vd->t->set_status(vd, status);
	f = vd->t->device_features(vd) & wanted;
	if (!(f & VIRTIO_F_VERSION_1))
		return "no VIRTIO_F_VERSION_1";
	vd->t->set_driver_features(vd, f);
	status |= VIRTIO_STATUS_FEATURES_OK;
	vd->t->set_status(vd, status);
	if (!(vd->t->get_status(vd) & VIRTIO_STATUS_FEATURES_OK))
		return "FEATURES_OK refused";
	*got = f;
	return 0;
}

const char *virtio_queue_setup(struct virtio_dev *vd, unsigned q, unsigned want,
			       uint64_t desc, uint64_t driver, uint64_t device, unsigned *num)
{
	unsigned max = vd->t->queue_max(vd, q);

	if (max < 4)
		return max ? "queue too small" : "queue missing or already live";
	/* The largest power of two both sides allow (split rings want one). */
	for (*num = want; *num > max; *num /= 2)
		;
	vd->t->queue_enable(vd, q, *num, desc, driver, device);
	return 0;
}

void virtio_driver_ok(struct virtio_dev *vd)
{
	vd->t->set_status(vd, vd->t->get_status(vd) | VIRTIO_STATUS_DRIVER_OK);
}

void virtio_failed(struct virtio_dev *vd)
{
	vd->t->set_status(vd, vd->t->get_status(vd) | VIRTIO_STATUS_FAILED);
}
