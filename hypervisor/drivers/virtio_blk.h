/*
 * Driver for the host's virtio-blk devices: QEMU `virtio-blk-device` on a
 * virtio-mmio slot (modern interface: QEMU needs
 * `-global virtio-mmio.force-legacy=false`) or `virtio-blk-pci` on the PCIe
 * bus, through the transport of drivers/virtio.h.  Each device is given to at
 * most one VM, matched by its serial number (VIRTIO_BLK_T_GET_ID) to the
 * `disk_serial` of a bundle entry.  Requests are synchronous: the caller
 * spins on the used ring until the device completes, one request in flight
 * per device, serialized by the device's lock.
 */
#ifndef DRIVERS_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct virtio_blk;

/* One piece of a request's data, at a host-physical address. */
struct virtio_blk_seg {
	uint64_t addr;
	uint32_t len;
	bool device_writes; /* the device fills it (a read from disk) */
};

struct virtio_mmio_slots;
/* Probe every virtio-mmio slot found in the host device tree (host.virtio)
 * and every virtio-blk-pci function pci_init() found. */
void virtio_blk_init(const struct virtio_mmio_slots *slots);

/* The unclaimed device whose serial is `serial` (len bytes, NUL padded), claimed; 0 if none. */
struct virtio_blk *virtio_blk_claim(const char *serial, size_t len);

uint64_t virtio_blk_capacity(const struct virtio_blk *d); /* in 512-byte sectors */
bool virtio_blk_has_flush(const struct virtio_blk *d);
unsigned virtio_blk_max_segs(const struct virtio_blk *d); /* data segments per request */
const char *virtio_blk_where(const struct virtio_blk *d); /* "0x10008000", "pci 00:02.0" */

/*
 * Run one request to completion.  Returns the VIRTIO_BLK_S_* status; *written
 * gets the byte count the device reports in its used ring (data it wrote plus
 * the status byte).
 */
int virtio_blk_request(struct virtio_blk *d, uint32_t type, uint64_t sector,
		       const struct virtio_blk_seg *segs, unsigned count, uint32_t *written);

#endif
