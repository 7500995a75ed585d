/*
 * A virtio device as a driver sees it, whatever carries it: the transport
 * (virtio-mmio, drivers/virtio_mmio.c, or virtio over PCI,
 * drivers/virtio_pci.c) supplies register access through `struct
 * virtio_transport`, and the steps every driver takes (Virtual I/O Device
 * (VIRTIO) Version 1.1, 3.1.1 "Driver Requirements: Device
 * Initialization") are written once here, in drivers/virtio.c.
 */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_DEV_QUEUES 4 /* queues a driver may set up per device */

struct virtio_dev;

struct virtio_transport {
	const char *name; /* "virtio-mmio", "virtio-pci" */
	uint8_t (*get_status)(struct virtio_dev *vd);
	void (*set_status)(struct virtio_dev *vd, uint8_t status); /* 0 resets the device */
	uint64_t (*device_features)(struct virtio_dev *vd);
	void (*set_driver_features)(struct virtio_dev *vd, uint64_t features);
	/* Largest size queue q allows; 0 if it has none or is live already. */
	unsigned (*queue_max)(struct virtio_dev *vd, unsigned q);
	/* Give queue q its size and ring addresses and make it live. */
	void (*queue_enable)(struct virtio_dev *vd, unsigned q, unsigned num,
			     uint64_t desc, uint64_t driver, uint64_t device);
	void (*notify)(struct virtio_dev *vd, unsigned q);
	/* Device-specific configuration (5.x.4), 32 bits at a 4-aligned offset. */
	uint32_t (*config_read32)(struct virtio_dev *vd, unsigned off);
	/* Read and acknowledge the interrupt status (ISR or InterruptStatus). */
	uint32_t (*ack_interrupt)(struct virtio_dev *vd);
};

struct virtio_dev {
	const struct virtio_transport *t;
	uint32_t device_id; /* virtio device type (5: 2 = block, 3 = console) */
	char where[24];	    /* "0x10008000" or "pci 00:02.0", for messages */
	uint64_t base;	    /* virtio-mmio registers, or the common cfg structure */
	/* virtio-pci only: where the other structures landed in the BARs. */
	uint64_t isr, devcfg, notify;
	uint64_t devcfg_len;
	uint32_t notify_mult;
	uint64_t queue_notify[VIRTIO_DEV_QUEUES]; /* notification address per queue */
};

/*
 * Reset, ACKNOWLEDGE, DRIVER, features (the device's & wanted, which must
 * include VIRTIO_F_VERSION_1), FEATURES_OK (3.1.1 steps 1-6).  Returns 0
 * with *got set, or a reason for the log.
 */
const char *virtio_negotiate(struct virtio_dev *vd, uint64_t wanted, uint64_t *got);

/*
 * Queue q with at most `want` entries (a power of two), rings at the given
 * host-physical addresses (3.1.1 step 7).  *num gets the size used.
 * Returns 0 or a reason.
 */
const char *virtio_queue_setup(struct virtio_dev *vd, unsigned q, unsigned want,
			       uint64_t desc, uint64_t driver, uint64_t device, unsigned *num);

void virtio_driver_ok(struct virtio_dev *vd);
void virtio_failed(struct virtio_dev *vd);

/* The transports: fill *vd for the device at a virtio-mmio slot / a PCI function. */
const char *virtio_mmio_probe(uint64_t base, struct virtio_dev *vd);
struct pci_dev;
const char *virtio_pci_probe(struct pci_dev *pd, struct virtio_dev *vd);
/* The virtio device type of a PCI function, or 0 if it is not a virtio device (4.1.2). */
uint32_t virtio_pci_device_type(const struct pci_dev *pd);

#endif
