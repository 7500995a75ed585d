// virtio-blk driver for a modern (version 2) virtio-mmio device in slot 0.
// Every request is a chain of three descriptors: header, data, status byte.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "fs.h"
#include "buf.h"
#include "virtio.h"
#include "riscv.h"
#include "defs.h"

#define R(r) ((volatile uint32 *)(VIRTIO0 + (r)))

static struct disk {
  struct virtq_desc *desc;    // one page each, from kalloc()
  struct virtq_avail *avail;
  struct virtq_used *used;

  char free[NUM];             // is descriptor i free?
  uint16 used_idx;            // how far we have read the used ring

  // Per chain head: the buffer in flight and the device's status byte.
  struct {
    struct buf *b;
    char status;
  } info[NUM];

  struct virtio_blk_req ops[NUM];   // request headers, by chain head
  struct spinlock lock;
} disk;

static void
setaddr(uint32 lo_reg, void *p)
{
  *R(lo_reg) = (uint64)p;
  *R(lo_reg + 4) = (uint64)p >> 32;
}

void
virtio_disk_init(void)
{
  initlock(&disk.lock, "virtio_disk");

#ifdef XV6_VIRTIO_QEMU_STYLE
  // The way drivers written against QEMU alone do it (xv6-riscv's among
  // them): insist on QEMU's vendor ID, take the low feature word as offered
  // minus what we do not want, write it back without touching the *_SEL
  // registers (so the high word, VERSION_1 included, stays 0), and expect
  // FEATURES_OK to stick.  hvscope must answer as QEMU does for this to boot.
  if(*R(VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MAGIC || *R(VIRTIO_MMIO_VERSION) != 2 ||
     *R(VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK || *R(VIRTIO_MMIO_VENDOR_ID) != VIRTIO_VENDOR_QEMU)
    panic("could not find virtio disk");

  uint32 status = 0;
  *R(VIRTIO_MMIO_STATUS) = status;   // reset
  status |= VIRTIO_STATUS_ACKNOWLEDGE;
  *R(VIRTIO_MMIO_STATUS) = status;
  status |= VIRTIO_STATUS_DRIVER;
  *R(VIRTIO_MMIO_STATUS) = status;

  uint32 features = *R(VIRTIO_MMIO_DEVICE_FEATURES);
  features &= ~(VIRTIO_BLK_F_RO | VIRTIO_BLK_F_SCSI | VIRTIO_BLK_F_CONFIG_WCE | VIRTIO_BLK_F_MQ |
                VIRTIO_F_ANY_LAYOUT | VIRTIO_RING_F_EVENT_IDX | VIRTIO_RING_F_INDIRECT_DESC);
  *R(VIRTIO_MMIO_DRIVER_FEATURES) = features;
  status |= VIRTIO_STATUS_FEATURES_OK;
  *R(VIRTIO_MMIO_STATUS) = status;
  if(!(*R(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
    panic("virtio disk FEATURES_OK unset");
#else
  uint32 magic = *R(VIRTIO_MMIO_MAGIC_VALUE), version = *R(VIRTIO_MMIO_VERSION);
  uint32 id = *R(VIRTIO_MMIO_DEVICE_ID);
  if(magic != VIRTIO_MAGIC || id != VIRTIO_ID_BLOCK){
    printf("virtio disk: no block device at %p (magic 0x%x id %d)\n", (void *)VIRTIO0, magic, id);
    panic("virtio disk: need -device virtio-blk-device on virtio-mmio-bus.0");
  }
  if(version != 2){
    printf("virtio disk: device is version %d (legacy)\n", version);
    panic("virtio disk: need -global virtio-mmio.force-legacy=false");
  }

  uint32 status = 0;
  *R(VIRTIO_MMIO_STATUS) = status;   // reset
  status |= VIRTIO_STATUS_ACKNOWLEDGE;
  *R(VIRTIO_MMIO_STATUS) = status;
  status |= VIRTIO_STATUS_DRIVER;
  *R(VIRTIO_MMIO_STATUS) = status;

  // We want no optional block features, only virtio 1.x itself.
  *R(VIRTIO_MMIO_DEVICE_FEATURES_SEL) = 1;
  if((*R(VIRTIO_MMIO_DEVICE_FEATURES) & VIRTIO_F_VERSION_1_WORD1) == 0)
    panic("virtio disk: device lacks VIRTIO_F_VERSION_1");
  *R(VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 0;
  *R(VIRTIO_MMIO_DRIVER_FEATURES) = 0;
  *R(VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 1;
  *R(VIRTIO_MMIO_DRIVER_FEATURES) = VIRTIO_F_VERSION_1_WORD1;
  status |= VIRTIO_STATUS_FEATURES_OK;
  *R(VIRTIO_MMIO_STATUS) = status;
  if(!(*R(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
    panic("virtio disk: FEATURES_OK not accepted");

#endif

  *R(VIRTIO_MMIO_QUEUE_SEL) = 0;
  if(*R(VIRTIO_MMIO_QUEUE_READY))
    panic("virtio disk: queue 0 already in use");
  uint32 max = *R(VIRTIO_MMIO_QUEUE_NUM_MAX);
  if(max < NUM)
    panic("virtio disk: queue too short");

  disk.desc = kalloc();
  disk.avail = kalloc();
  disk.used = kalloc();
  if(!disk.desc || !disk.avail || !disk.used)
    panic("virtio disk kalloc");
  memset(disk.desc, 0, PGSIZE);
  memset(disk.avail, 0, PGSIZE);
  memset(disk.used, 0, PGSIZE);

  *R(VIRTIO_MMIO_QUEUE_NUM) = NUM;
  setaddr(VIRTIO_MMIO_QUEUE_DESC_LOW, disk.desc);
  setaddr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, disk.avail);
  setaddr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, disk.used);
  *R(VIRTIO_MMIO_QUEUE_READY) = 1;

  for(int i = 0; i < NUM; i++)
    disk.free[i] = 1;

  status |= VIRTIO_STATUS_DRIVER_OK;
  *R(VIRTIO_MMIO_STATUS) = status;
}

static int
alloc_desc(void)
{
  for(int i = 0; i < NUM; i++){
    if(disk.free[i]){
      disk.free[i] = 0;
      return i;
    }
  }
  return -1;
}

static void
free_desc(int i)
{
  if(i >= NUM || disk.free[i])
    panic("free_desc");
  memset(&disk.desc[i], 0, sizeof(disk.desc[i]));
  disk.free[i] = 1;
  wakeup(&disk.free[0]);
}

static void
free_chain(int i)
{
  for(;;){
    int flag = disk.desc[i].flags, next = disk.desc[i].next;
    free_desc(i);
    if(!(flag & VRING_DESC_F_NEXT))
      break;
    i = next;
  }
}

// Allocate three descriptors, all or nothing.
static int
alloc3_desc(int *idx)
{
  for(int i = 0; i < 3; i++){
    idx[i] = alloc_desc();
    if(idx[i] < 0){
      for(int j = 0; j < i; j++)
        free_desc(idx[j]);
      return -1;
    }
  }
  return 0;
}

// Read (write=0) or write block b->blockno, sleeping until it is done.
void
virtio_disk_rw(struct buf *b, int write)
{
  uint64 sector = b->blockno * (BSIZE / 512);
  int idx[3];

  acquire(&disk.lock);
  while(alloc3_desc(idx) != 0)
    sleep(&disk.free[0], &disk.lock);

  struct virtio_blk_req *req = &disk.ops[idx[0]];
  req->type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  req->reserved = 0;
  req->sector = sector;

  disk.desc[idx[0]].addr = (uint64)req;
  disk.desc[idx[0]].len = sizeof(*req);
  disk.desc[idx[0]].flags = VRING_DESC_F_NEXT;
  disk.desc[idx[0]].next = idx[1];

  disk.desc[idx[1]].addr = (uint64)b->data;
  disk.desc[idx[1]].len = BSIZE;
  disk.desc[idx[1]].flags = (write ? 0 : VRING_DESC_F_WRITE) | VRING_DESC_F_NEXT;
  disk.desc[idx[1]].next = idx[2];

  disk.info[idx[0]].status = 0xff;   // the device writes 0 on success
  disk.desc[idx[2]].addr = (uint64)&disk.info[idx[0]].status;
  disk.desc[idx[2]].len = 1;
  disk.desc[idx[2]].flags = VRING_DESC_F_WRITE;
  disk.desc[idx[2]].next = 0;

  b->disk = 1;
  disk.info[idx[0]].b = b;

  disk.avail->ring[disk.avail->idx % NUM] = idx[0];
  __sync_synchronize();   // the ring entry before the index update
  disk.avail->idx += 1;
  __sync_synchronize();
  *R(VIRTIO_MMIO_QUEUE_NOTIFY) = 0;

  while(b->disk == 1)
    sleep(b, &disk.lock);

  disk.info[idx[0]].b = 0;
  free_chain(idx[0]);
  release(&disk.lock);
}

void
virtio_disk_intr(void)
{
  acquire(&disk.lock);
  // Acknowledge first: completions after this point raise a new interrupt.
  *R(VIRTIO_MMIO_INTERRUPT_ACK) = *R(VIRTIO_MMIO_INTERRUPT_STATUS) & 0x3;
  __sync_synchronize();

  while(disk.used_idx != disk.used->idx){
    __sync_synchronize();
    int id = disk.used->ring[disk.used_idx % NUM].id;
    if(disk.info[id].status != 0)
      panic("virtio_disk_intr status");
    struct buf *b = disk.info[id].b;
    b->disk = 0;   // done
    wakeup(b);
    disk.used_idx += 1;
  }
  release(&disk.lock);
}
