// virtio-mmio (version 2, "modern") registers and the virtio-blk request
// format, from the virtio 1.1 specification.
#ifndef XV6_VIRTIO_H
#define XV6_VIRTIO_H

#define VIRTIO_MMIO_MAGIC_VALUE        0x000   // "virt"
#define VIRTIO_MMIO_VERSION            0x004   // 2 for a modern device
#define VIRTIO_MMIO_DEVICE_ID          0x008   // 2 = block device
#define VIRTIO_MMIO_VENDOR_ID          0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES    0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES    0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL          0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX      0x034
#define VIRTIO_MMIO_QUEUE_NUM          0x038
#define VIRTIO_MMIO_QUEUE_READY        0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY       0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS   0x060
#define VIRTIO_MMIO_INTERRUPT_ACK      0x064
#define VIRTIO_MMIO_STATUS             0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW     0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH    0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW   0x090   // available ring
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH  0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW   0x0a0   // used ring
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH  0x0a4

#define VIRTIO_MAGIC            0x74726976
#define VIRTIO_VENDOR_QEMU      0x554d4551   // "QEMU"
#define VIRTIO_ID_BLOCK         2

// Device status bits.
#define VIRTIO_STATUS_ACKNOWLEDGE  1
#define VIRTIO_STATUS_DRIVER       2
#define VIRTIO_STATUS_DRIVER_OK    4
#define VIRTIO_STATUS_FEATURES_OK  8

// Feature bit 32: the device follows virtio 1.x (sits in feature word 1).
#define VIRTIO_F_VERSION_1_WORD1   (1U << 0)

// Low-word feature bits (virtio 1.1, 5.2.3 and 6) that the QEMU-style
// driver turns down.
#define VIRTIO_BLK_F_RO             (1U << 5)
#define VIRTIO_BLK_F_SCSI           (1U << 7)
#define VIRTIO_BLK_F_CONFIG_WCE     (1U << 11)
#define VIRTIO_BLK_F_MQ             (1U << 12)
#define VIRTIO_F_ANY_LAYOUT         (1U << 27)
#define VIRTIO_RING_F_INDIRECT_DESC (1U << 28)
#define VIRTIO_RING_F_EVENT_IDX     (1U << 29)

#define NUM 8   // descriptors in our queue; a power of two

struct virtq_desc {
  uint64 addr;
  uint32 len;
  uint16 flags;
  uint16 next;
};
#define VRING_DESC_F_NEXT  1   // the chain continues in .next
#define VRING_DESC_F_WRITE 2   // the device writes (vs reads) this buffer

struct virtq_avail {
  uint16 flags;
  uint16 idx;          // where we will write the next entry, mod NUM
  uint16 ring[NUM];    // heads of descriptor chains
  uint16 unused;
};

struct virtq_used_elem {
  uint32 id;           // head of the completed chain
  uint32 len;
};

struct virtq_used {
  uint16 flags;
  uint16 idx;          // the device bumps this as it completes chains
  struct virtq_used_elem ring[NUM];
};

#define VIRTIO_BLK_T_IN  0   // read from disk
#define VIRTIO_BLK_T_OUT 1   // write to disk

// The first descriptor of every block request.
struct virtio_blk_req {
  uint32 type;
  uint32 reserved;
  uint64 sector;
};

#endif
