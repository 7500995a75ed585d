/*
 * The host's virtio-blk devices (virtio 1.1, 5.2 "Block Device"), on
 * virtio-mmio slots or the PCIe bus: the transport (drivers/virtio.h) hides
 * which, so everything here is the block device's own protocol.
 *
 * hvscope runs with satp = Bare, so a pointer is a host-physical address:
 * the rings live in this file's static storage, and the data segments of a
 * request are the host-physical addresses of (already checked) guest RAM,
 * so the device reads and writes guest buffers directly, without a copy.
 * Requests are synchronous and polled: the device's interrupt is never
 * enabled in the host PLIC, and the driver asks for none
 * (VIRTQ_AVAIL_F_NO_INTERRUPT).
 */
#include "drivers/virtio_blk.h"
#include "drivers/virtio_mmio.h"
#include "drivers/virtio.h"
#include "drivers/pci.h"
#include "lib/log.h"
#include "spec/board.h"
#include "arch/asm.h"
#include "arch/csr.h"
#include "arch/timer.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define VBLK_MAX      (VM_MAX + 8) /* host disks hvscope takes (virtio-mmio and PCI) */
#define HOSTQ_MAX     128	   /* descriptors in our queue (if the device allows) */
#define REQ_TIMEOUT_S 30	   /* a request still pending after this breaks the device */

/* Everything the device reads or writes, in one naturally aligned block. */
struct hostq {
	struct virtq_desc desc[HOSTQ_MAX];
	struct {
		uint16_t flags, idx;
		uint16_t ring[HOSTQ_MAX];
		/* cppcheck-suppress unusedStructMember ; ring layout the device reads */
		uint16_t used_event;
	} avail;
	uint16_t pad;
	struct {
		/* cppcheck-suppress unusedStructMember ; ring layout: the device writes flags */
		uint16_t flags, idx;
		struct virtq_used_elem ring[HOSTQ_MAX];
		/* cppcheck-suppress unusedStructMember ; ring layout the device writes */
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
	struct virtio_blk_req_hdr hdr;
	uint8_t status;
	char id[VIRTIO_BLK_ID_BYTES];
};

struct virtio_blk {
	spinlock_t lock;      /* one request at a time; guards the queue */
	struct virtio_dev vd; /* the transport: virtio-mmio or virtio-pci */
	unsigned num;	      /* queue size in use */
	uint16_t avail_idx;   /* next avail ring slot we fill */
	uint16_t used_seen;   /* used ring entries consumed */
	uint64_t capacity;    /* 512-byte sectors */
	bool flush;	      /* VIRTIO_BLK_F_FLUSH negotiated */
	bool claimed;	      /* given to a VM */
	bool broken;	      /* a request timed out: never touch the queue again */
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	struct hostq *q;
};

static struct hostq hostqs[VBLK_MAX] __attribute__((aligned(4096)));
static struct virtio_blk devs[VBLK_MAX];
static unsigned dev_count;

/* 3.1.1 steps 1-8 for queue 0.  Returns 0 or a reason for the log. */
static const char *device_setup(struct virtio_blk *d)
{
	struct virtio_dev *vd = &d->vd;
	uint64_t got;
	const char *why = virtio_negotiate(vd, VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH, &got);

	if (why)
		return why;
	d->flush = (got & VIRTIO_BLK_F_FLUSH) != 0;
	memset(d->q, 0, sizeof(*d->q));
	d->q->avail.flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	why = virtio_queue_setup(vd, 0, HOSTQ_MAX, (uint64_t)(uintptr_t)d->q->desc,
				 (uint64_t)(uintptr_t)&d->q->avail, (uint64_t)(uintptr_t)&d->q->used, &d->num);
	if (why)
		return why;
	virtio_driver_ok(vd);
	d->capacity = vd->t->config_read32(vd, VIRTIO_BLK_CONFIG_CAPACITY) |
		      (uint64_t)vd->t->config_read32(vd, VIRTIO_BLK_CONFIG_CAPACITY + 4) << 32;
	return 0;
}

/* Put the chain 0..n-1 on the ring, notify, spin until the device returns it. */
static int submit(struct virtio_blk *d, unsigned n, uint32_t *written)
{
	struct hostq *q = d->q;
	uint64_t deadline = arch_time() + hv_timebase * REQ_TIMEOUT_S;

	for (unsigned i = 0; i + 1 < n; i++) {
		q->desc[i].flags |= VIRTQ_DESC_F_NEXT;
		q->desc[i].next = (uint16_t)(i + 1);
	}
	q->avail.ring[d->avail_idx % d->num] = 0;
	arch_fence_io(); /* descriptors and ring entry before the index (2.6.13) */
	q->avail.idx = ++d->avail_idx;
	arch_fence_io(); /* the index before the notification */
	d->vd.t->notify(&d->vd, 0);
	while (*(volatile uint16_t *)&q->used.idx == d->used_seen) {
		if (arch_time() > deadline) {
			d->broken = true;
			hv_printf("hvscope: virtio-blk at %s: no completion after %d s: device disabled\n",
				  d->vd.where, REQ_TIMEOUT_S);
			return VIRTIO_BLK_S_IOERR;
		}
	}
	arch_fence_io(); /* the used entry and the data after the index */
	*written = q->used.ring[d->used_seen % d->num].len;
	d->used_seen++;
	/* Interrupts are not wanted, but keep the interrupt status clean anyway. */
	d->vd.t->ack_interrupt(&d->vd);
	return q->status;
}

int virtio_blk_request(struct virtio_blk *d, uint32_t type, uint64_t sector,
		       const struct virtio_blk_seg *segs, unsigned count, uint32_t *written)
{
	struct hostq *q = d->q;
	int status;

	*written = 0;
	if (count > virtio_blk_max_segs(d))
		return VIRTIO_BLK_S_IOERR;
	spin_lock(&d->lock);
	if (d->broken) {
		spin_unlock(&d->lock);
		return VIRTIO_BLK_S_IOERR;
	}
	q->hdr = (struct virtio_blk_req_hdr){ type, 0, sector };
	q->status = 0xff;
	q->desc[0] = (struct virtq_desc){ (uint64_t)(uintptr_t)&q->hdr, sizeof(q->hdr), 0, 0 };
	for (unsigned i = 0; i < count; i++)
		q->desc[1 + i] = (struct virtq_desc){ segs[i].addr, segs[i].len,
						      segs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0, 0 };
	q->desc[1 + count] = (struct virtq_desc){ (uint64_t)(uintptr_t)&q->status, 1, VIRTQ_DESC_F_WRITE, 0 };
	status = submit(d, count + 2, written);
	spin_unlock(&d->lock);
	return status;
}

static void read_serial(struct virtio_blk *d)
{
	struct virtio_blk_seg seg = { (uint64_t)(uintptr_t)d->q->id, VIRTIO_BLK_ID_BYTES, true };
	uint32_t written;

	memset(d->q->id, 0, sizeof(d->q->id));
	if (virtio_blk_request(d, VIRTIO_BLK_T_GET_ID, 0, &seg, 1, &written) == VIRTIO_BLK_S_OK)
		memcpy(d->serial, d->q->id, VIRTIO_BLK_ID_BYTES);
	d->serial[VIRTIO_BLK_ID_BYTES] = '\0';
}

/* Set up a disk the transport found (other device types are left alone). */
static void take_device(struct virtio_dev *vd)
{
	struct virtio_blk *d = &devs[dev_count];
	const char *why;

	if (vd->device_id != VIRTIO_ID_BLOCK || dev_count >= VBLK_MAX)
		return;
	*d = (struct virtio_blk){ .vd = *vd, .q = &hostqs[dev_count] };
	why = device_setup(d);
	if (why) {
		virtio_failed(&d->vd);
		hv_printf("  virtio-blk: %s not used: %s\n", vd->where, why);
		return;
	}
	read_serial(d);
	hv_printf("  virtio-blk: %s serial \"%s\", %lu sectors (%lu KiB), %u descriptors\n",
		  vd->where, d->serial, d->capacity, d->capacity / 2, d->num);
	dev_count++;
}

/* virtio-blk-pci functions: their BARs get addresses first (nothing else gives them any). */
static void probe_pci(void)
{
	for (unsigned i = 0; i < pci_dev_count; i++) {
		struct pci_dev *pd = &pci_devs[i];
		struct virtio_dev vd;
		const char *why;

		if (virtio_pci_device_type(pd) != VIRTIO_ID_BLOCK)
			continue;
		if (pci_assign_bars(pd, &why) == 0)
			why = virtio_pci_probe(pd, &vd);
		if (why) {
			char name[16];
			pci_dev_name(pd, name, sizeof(name));
			hv_printf("  virtio-blk: pci %s not used: %s\n", name, why);
			continue;
		}
		take_device(&vd);
	}
}

void virtio_blk_init(const struct virtio_mmio_slots *slots)
{
	for (unsigned i = 0; i < slots->count; i++) {
		struct virtio_dev vd;
		const char *why;

		if (slots->devid[i] != VIRTIO_ID_BLOCK)
			continue;
		why = virtio_mmio_probe(slots->base[i], &vd);
		if (why)
			hv_printf("  virtio-blk: 0x%lx not used: %s\n", slots->base[i], why);
		else
			take_device(&vd);
	}
	probe_pci();
}

struct virtio_blk *virtio_blk_claim(const char *serial, size_t len)
{
	char want[VIRTIO_BLK_ID_BYTES + 1];

	if (len > VIRTIO_BLK_ID_BYTES)
		len = VIRTIO_BLK_ID_BYTES;
	memset(want, 0, sizeof(want));
	memcpy(want, serial, len);
	for (unsigned i = 0; i < dev_count; i++) {
		struct virtio_blk *d = &devs[i];
		if (d->claimed || d->broken || strcmp(d->serial, want) != 0)
			continue;
		d->claimed = true;
		return d;
	}
	return 0;
}

uint64_t virtio_blk_capacity(const struct virtio_blk *d) { return d->capacity; }
bool virtio_blk_has_flush(const struct virtio_blk *d) { return d->flush; }
const char *virtio_blk_where(const struct virtio_blk *d) { return d->vd.where; }

/* Header and status take two descriptors of the queue. */
unsigned virtio_blk_max_segs(const struct virtio_blk *d)
{
	return d->num - 2;
}
