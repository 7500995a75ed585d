/*
 * The host's virtio-blk devices, driven through the modern virtio-mmio
 * interface (virtio 1.1, 4.2.3 "MMIO-specific Initialization And Device
 * Operation"; 3.1.1 "Driver Requirements: Device Initialization").
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
#include "core/term.h"
#include "core/sched.h"
#include "core/host.h"
#include "arch/csr.h"
#include "arch/timer.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define VBLK_MAX	8	/* virtio-mmio slots hvscope looks at (host_info) */
#define HOSTQ_MAX	128	/* descriptors in our queue (if the device allows) */
#define REQ_TIMEOUT_S	30	/* a request still pending after this breaks the device */

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
	spinlock_t lock;		/* one request at a time; guards the queue */
	uint64_t base;
	unsigned num;			/* queue size in use */
	uint16_t avail_idx;		/* next avail ring slot we fill */
	uint16_t used_seen;		/* used ring entries consumed */
	uint64_t capacity;		/* 512-byte sectors */
	bool flush;			/* VIRTIO_BLK_F_FLUSH negotiated */
	bool claimed;			/* given to a VM */
	bool broken;			/* a request timed out: never touch the queue again */
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	struct hostq *q;
};

static struct hostq hostqs[VBLK_MAX] __attribute__((aligned(4096)));
static struct virtio_blk devs[VBLK_MAX];
static unsigned dev_count;

static inline void io_fence(void)
{
#ifdef HV_HOST_TEST
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#else
	__asm__ volatile("fence iorw, iorw" ::: "memory");
#endif
}

static uint32_t rd(const struct virtio_blk *d, unsigned off)
{
	return *(volatile uint32_t *)(uintptr_t)(d->base + off);
}

static void wr(const struct virtio_blk *d, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(d->base + off) = v;
}

static void wr64(const struct virtio_blk *d, unsigned lo, uint64_t v)
{
	wr(d, lo, (uint32_t)v);
	wr(d, lo + 4, (uint32_t)(v >> 32));
}

static uint64_t device_features(const struct virtio_blk *d)
{
	uint64_t f;

	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

/* 3.1.1 steps 1-8 for queue 0.  Returns 0 or a reason for the log. */
static const char *device_setup(struct virtio_blk *d)
{
	uint32_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	uint64_t want;
	unsigned max;

	wr(d, VIRTIO_MMIO_STATUS, 0);
	wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(d, VIRTIO_MMIO_STATUS, status);
	want = device_features(d) & (VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
	if (!(want & VIRTIO_F_VERSION_1))
		return "no VIRTIO_F_VERSION_1";
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
	status |= VIRTIO_STATUS_FEATURES_OK;
	wr(d, VIRTIO_MMIO_STATUS, status);
	if (!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return "FEATURES_OK refused";
	d->flush = (want & VIRTIO_BLK_F_FLUSH) != 0;

	wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	if (rd(d, VIRTIO_MMIO_QUEUE_READY))
		return "queue 0 already live";
	max = rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max < 4)
		return "queue 0 too small";
	/* The largest power of two both sides allow (split rings want one). */
	for (d->num = HOSTQ_MAX; d->num > max; d->num /= 2)
		;
	memset(d->q, 0, sizeof(*d->q));
	d->q->avail.flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	wr(d, VIRTIO_MMIO_QUEUE_NUM, d->num);
	wr64(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint64_t)(uintptr_t)d->q->desc);
	wr64(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint64_t)(uintptr_t)&d->q->avail);
	wr64(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint64_t)(uintptr_t)&d->q->used);
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	wr(d, VIRTIO_MMIO_STATUS, status | VIRTIO_STATUS_DRIVER_OK);
	d->capacity = rd(d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_CAPACITY) |
		      (uint64_t)rd(d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_CAPACITY + 4) << 32;
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
	io_fence();		/* descriptors and ring entry before the index (2.6.13) */
	q->avail.idx = ++d->avail_idx;
	io_fence();		/* the index before the notification */
	wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	while (*(volatile uint16_t *)&q->used.idx == d->used_seen) {
		if (arch_time() > deadline) {
			d->broken = true;
			hv_printf("hvscope: virtio-blk at 0x%lx: no completion after %d s: device disabled\n",
				  d->base, REQ_TIMEOUT_S);
			return VIRTIO_BLK_S_IOERR;
		}
	}
	io_fence();		/* the used entry and the data after the index */
	*written = q->used.ring[d->used_seen % d->num].len;
	d->used_seen++;
	/* Interrupts are not wanted, but keep InterruptStatus clean anyway. */
	wr(d, VIRTIO_MMIO_INTERRUPT_ACK, rd(d, VIRTIO_MMIO_INTERRUPT_STATUS));
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

void virtio_blk_init(void)
{
	for (unsigned i = 0; i < host.virtio_count && dev_count < VBLK_MAX; i++) {
		struct virtio_blk *d = &devs[dev_count];
		const char *why;

		if (host.virtio_devid[i] != VIRTIO_ID_BLOCK)
			continue;
		*d = (struct virtio_blk){ .base = host.virtio_base[i], .q = &hostqs[dev_count] };
		if (rd(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
			continue;
		if (rd(d, VIRTIO_MMIO_VERSION) != VIRTIO_MMIO_VERSION_MODERN) {
			hv_printf("  virtio-blk: 0x%lx is a legacy (version %u) device, not used: "
				  "QEMU needs -global virtio-mmio.force-legacy=false\n",
				  d->base, rd(d, VIRTIO_MMIO_VERSION));
			continue;
		}
		why = device_setup(d);
		if (why) {
			wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
			hv_printf("  virtio-blk: 0x%lx not used: %s\n", d->base, why);
			continue;
		}
		read_serial(d);
		hv_printf("  virtio-blk: 0x%lx serial \"%s\", %lu sectors (%lu KiB), %u descriptors\n",
			  d->base, d->serial, d->capacity, d->capacity / 2, d->num);
		dev_count++;
	}
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
uint64_t virtio_blk_base(const struct virtio_blk *d) { return d->base; }

/* Header and status take two descriptors of the queue. */
unsigned virtio_blk_max_segs(const struct virtio_blk *d)
{
	return d->num - 2;
}
