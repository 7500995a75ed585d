/*
 * virtio over MMIO, version 2 ("modern"), and the split virtqueue, as the
 * Virtual I/O Device (VIRTIO) Version 1.1 specification defines them
 * (4.2.2 MMIO Device Register Layout, 2.6 Split Virtqueues, 5.2 Block
 * Device).  Shared by the driver of the host's virtio-blk devices
 * (drivers/virtio_blk.c) and the virtio-blk device emulated for guests
 * (vdev/vvirtio_blk.c).  All fields are little-endian, like RISC-V.
 */
#ifndef DRIVERS_VIRTIO_MMIO_H
#define DRIVERS_VIRTIO_MMIO_H

#include <stdint.h>

/* The host's virtio-mmio transports as found at boot (core/host.c), lowest address first. */
#define VIRTIO_MMIO_SLOTS_MAX 8
struct virtio_mmio_slots {
	unsigned count;
	unsigned long base[VIRTIO_MMIO_SLOTS_MAX];
	unsigned irq[VIRTIO_MMIO_SLOTS_MAX];
	unsigned devid[VIRTIO_MMIO_SLOTS_MAX]; /* DeviceID register: 0 = empty slot */
};

/* Register offsets (4.2.2); every register is 32 bits wide. */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090 /* the available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0 /* the used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_SHM_SEL		0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100 /* device-specific configuration */

#define VIRTIO_MMIO_MAGIC		0x74726976 /* "virt" */
#define VIRTIO_MMIO_VERSION_MODERN	2
#define VIRTIO_ID_BLOCK			2

/* InterruptStatus / InterruptACK bits. */
#define VIRTIO_MMIO_INT_VRING		(1U << 0) /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG		(1U << 1) /* configuration change */

/* Device status (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	1U
#define VIRTIO_STATUS_DRIVER		2U
#define VIRTIO_STATUS_DRIVER_OK		4U
#define VIRTIO_STATUS_FEATURES_OK	8U
#define VIRTIO_STATUS_NEEDS_RESET	64U
#define VIRTIO_STATUS_FAILED		128U

/* Feature bits (6; 5.2.3). */
#define VIRTIO_BLK_F_BLK_SIZE		(1ULL << 6)
#define VIRTIO_BLK_F_FLUSH		(1ULL << 9)
#define VIRTIO_F_INDIRECT_DESC		(1ULL << 28)
#define VIRTIO_F_VERSION_1		(1ULL << 32)

/* Split virtqueue (2.6). */
#define VIRTQ_DESC_F_NEXT		1U
#define VIRTQ_DESC_F_WRITE		2U /* device writes (else reads) the buffer */
#define VIRTQ_DESC_F_INDIRECT		4U
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1U

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;  /* head of the chain */
	uint32_t len; /* bytes written into the chain's device-writable part */
};

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc layout (2.6.5)");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem layout (2.6.8)");

/* Ring sizes in bytes for a queue of `num` entries (2.6), flags+idx+ring+event. */
#define VIRTQ_DESC_BYTES(num)	   (16UL * (num))
#define VIRTQ_AVAIL_BYTES(num)	   (6UL + 2UL * (num))
#define VIRTQ_USED_BYTES(num)	   (6UL + 8UL * (num))
/* Alignment the driver must give each part (2.6: 16, 2, 4). */
#define VIRTQ_DESC_ALIGN	   16
#define VIRTQ_AVAIL_ALIGN	   2
#define VIRTQ_USED_ALIGN	   4

/* Block requests (5.2.6): header, data, one status byte written by the device. */
#define VIRTIO_BLK_T_IN		   0 /* read sectors into the data buffers */
#define VIRTIO_BLK_T_OUT	   1 /* write sectors from the data buffers */
#define VIRTIO_BLK_T_FLUSH	   4
#define VIRTIO_BLK_T_GET_ID	   8 /* the serial number: 20 bytes, NUL padded */

#define VIRTIO_BLK_S_OK		   0
#define VIRTIO_BLK_S_IOERR	   1
#define VIRTIO_BLK_S_UNSUPP	   2

#define VIRTIO_BLK_SECTOR_SIZE	   512
#define VIRTIO_BLK_ID_BYTES	   20
/* struct virtio_blk_config: capacity in 512-byte sectors comes first. */
#define VIRTIO_BLK_CONFIG_CAPACITY 0x00

struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "virtio_blk_req header layout (5.2.6)");

#endif
