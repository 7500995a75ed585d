/*
 * Emulated virtio-blk device (virtio 1.1: 4.2.2 MMIO register layout, 2.6
 * split virtqueues, 5.2 block device), one per VM that has a disk.
 *
 * A QueueNotify runs the queue synchronously on the notifying vCPU's hart:
 * each available chain is copied descriptor by descriptor into this file's
 * scratch memory, checked, turned into host-physical segments of the VM's
 * RAM and handed to the host device; then the status byte and the used ring
 * are written and IRQ 1 is raised on the VM's PLIC.  The chain is read as
 * the spec's byte stream (device-readable part, then device-writable part):
 * the 16-byte header opens the readable part, the status byte closes the
 * writable part, wherever the driver's descriptor boundaries fall.
 *
 * The device state lives here, indexed by VM id, so that struct vm only
 * needs to know whether it has a disk at all.
 *
 * Where the spec leaves room, the device answers as QEMU's virtio-mmio
 * transport does, because guests are written against QEMU
 * (tests/system/test_devprobe.py diffs the two): VendorID reads "QEMU",
 * FEATURES_OK is always accepted (features the device did not offer are
 * dropped, a driver that writes only the low feature word is fine),
 * write-only registers read 0, registers accessed with another width than
 * 32 bits read 0 and ignore writes (64-bit accesses are two 32-bit ones),
 * and the slots without a disk read as QEMU's empty transports.
 */
#include "vdev/vvirtio_blk.h"
#include "drivers/virtio_blk.h"
#include "drivers/virtio_mmio.h"
#include "core/term.h"
#include "core/vm.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define VVBLK_QUEUE_MAX	    1024       /* QueueNumMax, as QEMU's VIRTQUEUE_MAX_SIZE */
#define VVBLK_QUEUE_DEFAULT 256	       /* queue size until the driver writes QueueNum */
#define VVBLK_CHAIN_MAX	    128	       /* descriptors per request we copy and check */
#define VVBLK_VENDOR	    0x554d4551 /* "QEMU": drivers written for QEMU check it */
#define VVBLK_VENDOR_STRICT 0x68767363 /* "csvh": hvscope's own, before issue 12 */
#define VVBLK_BLK_SIZE	    512
#define VVBLK_IRQ	    VM_VIRTIO_IRQ(0)
#define VVBLK_REPORT_MAX    16 /* report lines per VM (across its reboots), then quiet */

struct vvblk_queue {
	uint32_t num;
	bool ready;
	uint64_t desc, avail, used; /* guest-physical */
	uint16_t last_avail;	    /* next available entry to take */
	uint16_t used_idx;	    /* next used entry to fill */
};

/* A chain as copied out of the guest's descriptor table. */
struct vvblk_chain {
	unsigned count;
	struct virtq_desc desc[VVBLK_CHAIN_MAX];
};

/* A checked request, ready for the host device. */
struct vvblk_req {
	struct virtio_blk_req_hdr hdr;
	bool has_status; /* status_gpa lies in a wholly valid descriptor */
	uint64_t status_gpa;
	uint32_t writable; /* bytes in the device-writable part */
	unsigned seg_count;
	struct virtio_blk_seg segs[VVBLK_CHAIN_MAX];
	char why[112]; /* why the request was rejected */
};

struct vvblk {
	spinlock_t lock;	 /* guards everything below */
	struct virtio_blk *host; /* 0: the VM has no disk */
	bool strict;		 /* config `virtio = strict` */
	uint32_t status, isr;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t drv_features;
	struct vvblk_queue q;
	unsigned reports;
	uint64_t requests, rejected;
	/* Scratch for one request at a time (too big for a hart's stack). */
	struct vvblk_chain chain;
	struct vvblk_req req;
};

static struct vvblk vvblks[VM_MAX];

size_t vvblk_state_size(void)
{
	return sizeof(struct vvblk);
}

static struct vvblk *dev_of(const struct vm *vm)
{
	return vm->id >= 1 && vm->id <= VM_MAX ? &vvblks[vm->id - 1] : 0;
}

/*
 * A subset of what QEMU's virtio-blk offers: what this file implements.  Not
 * offered (each would need more emulation): SEG_MAX, GEOMETRY, TOPOLOGY,
 * CONFIG_WCE, DISCARD, WRITE_ZEROES, INDIRECT_DESC, EVENT_IDX, RING_RESET.
 */
static uint64_t offered_features(const struct vvblk *d)
{
	return VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_BLK_SIZE |
	       (virtio_blk_has_flush(d->host) ? VIRTIO_BLK_F_FLUSH : 0);
}

static void report(struct vm *vm, struct vvblk *d, const char *what)
{
	if (d->reports < VVBLK_REPORT_MAX)
		hv_printf("vm%d: virtio-blk: %s\n", vm->id, what);
	else if (d->reports == VVBLK_REPORT_MAX)
		hv_printf("vm%d: virtio-blk: more bad requests; no further reports for this VM\n", vm->id);
	d->reports++;
}

/* ---- checks and translation (the part tests/unit/test_vvirtio.c pins down) ---- */

static bool aligned_in_ram(const struct vm *vm, uint64_t gpa, uint64_t len, uint64_t align)
{
	return (gpa & (align - 1)) == 0 && vm_gpa_range_ok(vm, gpa, len);
}

/* The queue's size and rings, as the driver set them: 0 or -1 with *why. */
static int queue_check(const struct vm *vm, const struct vvblk_queue *q, char *why, size_t n)
{
	if (q->num == 0 || q->num > VVBLK_QUEUE_MAX || (q->num & (q->num - 1))) {
		snprintf(why, n, "queue size %u is not a power of two in 1..%d", q->num, VVBLK_QUEUE_MAX);
		return -1;
	}
	if (!aligned_in_ram(vm, q->desc, VIRTQ_DESC_BYTES(q->num), VIRTQ_DESC_ALIGN) ||
	    !aligned_in_ram(vm, q->avail, VIRTQ_AVAIL_BYTES(q->num), VIRTQ_AVAIL_ALIGN) ||
	    !aligned_in_ram(vm, q->used, VIRTQ_USED_BYTES(q->num), VIRTQ_USED_ALIGN)) {
		snprintf(why, n, "queue rings desc 0x%lx avail 0x%lx used 0x%lx (size %u) are not aligned "
				 "inside the VM's RAM",
			 q->desc, q->avail, q->used, q->num);
		return -1;
	}
	return 0;
}

/*
 * Copy the chain starting at `head` out of the (checked) descriptor table,
 * one descriptor at a time, each copied before anything looks at it.
 */
static int copy_chain(const struct vm *vm, const struct vvblk_queue *q, uint16_t head,
		      struct vvblk_chain *c, char *why, size_t n)
{
	uint16_t i = head;

	c->count = 0;
	for (;;) {
		struct virtq_desc *dsc = &c->desc[c->count];
		if (i >= q->num) {
			snprintf(why, n, "descriptor index %u is outside the queue (size %u)", i, q->num);
			return -1;
		}
		if (c->count == q->num) {
			snprintf(why, n, "descriptor chain from %u loops", head);
			return -1;
		}
		if (c->count == VVBLK_CHAIN_MAX) {
			snprintf(why, n, "descriptor chain from %u is longer than %d", head, VVBLK_CHAIN_MAX);
			return -1;
		}
		memcpy(dsc, vm_gpa_ptr(vm, q->desc + VIRTQ_DESC_BYTES(i)), sizeof(*dsc));
		c->count++;
		if (dsc->flags & VIRTQ_DESC_F_INDIRECT) {
			snprintf(why, n, "indirect descriptor %u (VIRTIO_F_INDIRECT_DESC was not offered)", i);
			return -1;
		}
		if (!(dsc->flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = dsc->next;
	}
}

/* Append the part of the chain's readable or writable byte stream in [from, to). */
static void stream_slice(const struct vm *vm, const struct vvblk_chain *c, bool writable,
			 uint64_t from, uint64_t to, struct vvblk_req *r)
{
	uint64_t pos = 0;

	for (unsigned i = 0; i < c->count && pos < to; i++) {
		const struct virtq_desc *dsc = &c->desc[i];
		if (!(dsc->flags & VIRTQ_DESC_F_WRITE) != !writable)
			continue;
		uint64_t lo = from > pos ? from : pos, hi = to < pos + dsc->len ? to : pos + dsc->len;
		if (lo < hi)
			r->segs[r->seg_count++] = (struct virtio_blk_seg){
				(uint64_t)(uintptr_t)vm_gpa_ptr(vm, dsc->addr + (lo - pos)),
				(uint32_t)(hi - lo), writable
			};
		pos += dsc->len;
	}
}

/* The first sizeof(hdr) bytes of the readable stream, copied into r->hdr. */
static void read_header(const struct vm *vm, const struct vvblk_chain *c, struct vvblk_req *r)
{
	uint8_t *out = (uint8_t *)&r->hdr;
	size_t got = 0;

	for (unsigned i = 0; i < c->count && got < sizeof(r->hdr); i++) {
		const struct virtq_desc *dsc = &c->desc[i];
		size_t take = sizeof(r->hdr) - got < dsc->len ? sizeof(r->hdr) - got : dsc->len;
		if (dsc->flags & VIRTQ_DESC_F_WRITE)
			break;
		memcpy(out + got, vm_gpa_ptr(vm, dsc->addr), take);
		got += take;
	}
}

/*
 * Check a copied chain and build the request.  Even when the request is
 * rejected (-1, r->why), r->has_status says whether the status byte can be
 * written: only inside a descriptor that lies wholly in RAM.
 */
static int parse_chain(const struct vm *vm, const struct vvblk_chain *c, struct vvblk_req *r)
{
	uint64_t readable = 0, writable = 0;
	bool seen_writable = false;
	int bad = -1, misordered = -1;

	r->has_status = false;
	r->seg_count = 0;
	r->writable = 0;
	r->why[0] = '\0';
	for (unsigned i = 0; i < c->count; i++) {
		const struct virtq_desc *dsc = &c->desc[i];
		bool ok = vm_gpa_range_ok(vm, dsc->addr, dsc->len);
		if (!ok && bad < 0)
			bad = (int)i;
		if (dsc->flags & VIRTQ_DESC_F_WRITE) {
			seen_writable = true;
			writable += dsc->len;
			if (dsc->len) {
				r->has_status = ok;
				r->status_gpa = dsc->addr + dsc->len - 1;
			}
		} else {
			if (seen_writable && misordered < 0)
				misordered = (int)i;
			readable += dsc->len;
		}
	}
	r->writable = writable > UINT32_MAX ? UINT32_MAX : (uint32_t)writable;
	if (misordered >= 0) {
		snprintf(r->why, sizeof(r->why), "device-readable descriptor %d after a writable one", misordered);
		return -1;
	}
	if (bad >= 0) {
		snprintf(r->why, sizeof(r->why), "buffer [0x%lx, +0x%x) of descriptor %d is outside the VM's RAM",
			 c->desc[bad].addr, c->desc[bad].len, bad);
		return -1;
	}
	if (readable < sizeof(r->hdr) || writable < 1 || !r->has_status) {
		snprintf(r->why, sizeof(r->why), "chain of %u descriptors has no room for header and status", c->count);
		return -1;
	}
	read_header(vm, c, r);
	if (r->hdr.type == VIRTIO_BLK_T_OUT)
		stream_slice(vm, c, false, sizeof(r->hdr), readable, r);
	else
		stream_slice(vm, c, true, 0, writable - 1, r);
	return 0;
}

/* ---- request execution ---- */

static uint64_t seg_bytes(const struct vvblk_req *r)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < r->seg_count; i++)
		n += r->segs[i].len;
	return n;
}

/* Run a checked request on the host device: VIRTIO_BLK_S_*, *written for the used ring. */
static int execute(struct vvblk *d, struct vvblk_req *r, uint32_t *written)
{
	int status;

	*written = 1;
	switch (r->hdr.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (seg_bytes(r) % VIRTIO_BLK_SECTOR_SIZE)
			return VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID:
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (!(d->drv_features & VIRTIO_BLK_F_FLUSH))
			return VIRTIO_BLK_S_UNSUPP;
		r->seg_count = 0;
		break;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
	if (r->seg_count > virtio_blk_max_segs(d->host))
		return VIRTIO_BLK_S_IOERR;
	status = virtio_blk_request(d->host, r->hdr.type, r->hdr.sector, r->segs, r->seg_count, written);
	/* The host counted its own status byte; ours is the guest's last writable byte. */
	if (status != VIRTIO_BLK_S_OK || *written > r->writable || *written == 0)
		*written = 1;
	return status;
}

/* One available chain: check, run, complete.  Lock held. */
static void handle_chain(struct vm *vm, struct vvblk *d, uint16_t head)
{
	struct vvblk_req *r = &d->req;
	uint32_t written = 0;
	int status = VIRTIO_BLK_S_IOERR;

	d->requests++;
	r->has_status = false;
	if (copy_chain(vm, &d->q, head, &d->chain, r->why, sizeof(r->why)) == 0 &&
	    parse_chain(vm, &d->chain, r) == 0) {
		status = execute(d, r, &written);
	} else {
		char line[240];

		d->rejected++;
		snprintf(line, sizeof(line), "request at descriptor %u failed with IOERR: %s%s", head, r->why,
			 r->has_status ? "" : " (status byte not writable: no status)");
		report(vm, d, line);
		written = r->has_status ? 1 : 0;
	}
	if (r->has_status)
		*(volatile uint8_t *)vm_gpa_ptr(vm, r->status_gpa) = (uint8_t)status;
	volatile struct virtq_used_elem *e =
		vm_gpa_ptr(vm, d->q.used + 4 + 8UL * (d->q.used_idx % d->q.num));
	e->id = head;
	e->len = written;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* data, status, entry before the index */
	d->q.used_idx++;
	*(volatile uint16_t *)vm_gpa_ptr(vm, d->q.used + 2) = d->q.used_idx;
}

/* The device cannot go on until the driver resets it (2.1.2). */
static void needs_reset(struct vm *vm, struct vvblk *d, const char *why)
{
	report(vm, d, why);
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
	d->q.ready = false;
	d->isr |= VIRTIO_MMIO_INT_CONFIG;
}

/* QueueNotify: take every available chain.  Lock held; returns true if the interrupt rose. */
static bool process_queue(struct vm *vm, struct vvblk *d)
{
	char why[160];
	unsigned done = 0;
	uint16_t avail_idx;

	if (!d->q.ready || !(d->status & VIRTIO_STATUS_DRIVER_OK) || (d->status & VIRTIO_STATUS_NEEDS_RESET))
		return false;
	if (queue_check(vm, &d->q, why, sizeof(why))) {
		needs_reset(vm, d, why);
		return true;
	}
	avail_idx = *(volatile uint16_t *)vm_gpa_ptr(vm, d->q.avail + 2);
	if ((uint16_t)(avail_idx - d->q.last_avail) > d->q.num) {
		snprintf(why, sizeof(why), "available index jumped from %u to %u (queue size %u): device needs reset",
			 d->q.last_avail, avail_idx, d->q.num);
		needs_reset(vm, d, why);
		return true;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* ring entries after the index */
	while (d->q.last_avail != avail_idx) {
		uint16_t head = *(volatile uint16_t *)vm_gpa_ptr(vm, d->q.avail + 4 + 2UL * (d->q.last_avail % d->q.num));
		d->q.last_avail++;
		handle_chain(vm, d, head);
		done++;
	}
	if (done)
		d->isr |= VIRTIO_MMIO_INT_VRING;
	return done != 0;
}

/* ---- register file ---- */

static void device_reset(struct vvblk *d)
{
	d->status = d->isr = 0;
	d->dev_features_sel = d->drv_features_sel = d->queue_sel = 0;
	d->drv_features = 0;
	memset(&d->q, 0, sizeof(d->q));
	d->q.num = VVBLK_QUEUE_DEFAULT;
}

static void update_irq(struct vm *vm, struct vvblk *d)
{
	vplic_set_level(&vm->plic, VVBLK_IRQ, d->isr != 0);
}

/* struct virtio_blk_config (5.2.4): capacity, and blk_size since we offer it. */
static uint32_t config_byte(const struct vvblk *d, uint64_t off)
{
	uint64_t capacity = virtio_blk_capacity(d->host);

	if (off < 8)
		return (uint32_t)(capacity >> (8 * off)) & 0xff;
	if (off >= 20 && off < 24)
		return (VVBLK_BLK_SIZE >> (8 * (off - 20))) & 0xff;
	return 0;
}

static uint32_t reg_read(struct vvblk *d, uint64_t off)
{
	bool q0 = d->queue_sel == 0;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION: return VIRTIO_MMIO_VERSION_MODERN;
	case VIRTIO_MMIO_DEVICE_ID: return VIRTIO_ID_BLOCK;
	case VIRTIO_MMIO_VENDOR_ID: return d->strict ? VVBLK_VENDOR_STRICT : VVBLK_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return d->dev_features_sel < 2 ? (uint32_t)(offered_features(d) >> (32 * d->dev_features_sel)) : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return q0 ? VVBLK_QUEUE_MAX : 0;
	case VIRTIO_MMIO_QUEUE_READY: return q0 && d->q.ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return d->isr;
	case VIRTIO_MMIO_STATUS: return d->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return 0xffffffff; /* no shared memory regions (4.2.2) */
	default:
		/* Write-only (the queue addresses too, as QEMU), reserved,
		 * ConfigGeneration (the config never changes). */
		return 0;
	}
}

static void set_u64_half(uint64_t *v, bool high, uint32_t x)
{
	*v = high ? (*v & 0xffffffffULL) | (uint64_t)x << 32 : (*v & ~0xffffffffULL) | x;
}

static void status_write(struct vvblk *d, uint32_t v)
{
	if (v == 0) {
		device_reset(d);
		return;
	}
	/*
	 * FEATURES_OK is accepted whatever the driver wrote, as QEMU does: it
	 * keeps the offered part and drops the rest.  The spec (3.1.1) lets a
	 * device refuse, but drivers written for QEMU, such as xv6-riscv's,
	 * write only the low word and check that FEATURES_OK stuck.
	 */
	if (d->strict && (v & VIRTIO_STATUS_FEATURES_OK) &&
	    ((d->drv_features & ~offered_features(d)) || !(d->drv_features & VIRTIO_F_VERSION_1)))
		v &= ~VIRTIO_STATUS_FEATURES_OK; /* the spec's strictest reading (3.1.1) */
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK))
		d->drv_features &= offered_features(d);
	d->status = (v & 0xff & ~VIRTIO_STATUS_NEEDS_RESET) | (d->status & VIRTIO_STATUS_NEEDS_RESET);
}

static void queue_ready_write(struct vm *vm, struct vvblk *d, uint32_t v)
{
	char why[160];

	if (!v) {
		d->q.ready = false;
		return;
	}
	if (d->q.ready)
		return; /* ready again: nothing changes, the indices go on */
	if (queue_check(vm, &d->q, why, sizeof(why))) {
		needs_reset(vm, d, why);
		return;
	}
	d->q.ready = true;
	d->q.last_avail = d->q.used_idx = 0;
}

/* Returns true when the interrupt line may have changed. */
static bool reg_write(struct vm *vm, struct vvblk *d, uint64_t off, uint32_t v)
{
	bool q0_idle = d->queue_sel == 0 && !d->q.ready;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: d->dev_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: d->drv_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (d->drv_features_sel < 2 && !(d->status & VIRTIO_STATUS_FEATURES_OK))
			set_u64_half(&d->drv_features, d->drv_features_sel == 1, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL: d->queue_sel = v; break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q0_idle)
			d->q.num = v;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		if (q0_idle)
			set_u64_half(&d->q.desc, false, v);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (q0_idle)
			set_u64_half(&d->q.desc, true, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		if (q0_idle)
			set_u64_half(&d->q.avail, false, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (q0_idle)
			set_u64_half(&d->q.avail, true, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		if (q0_idle)
			set_u64_half(&d->q.used, false, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (q0_idle)
			set_u64_half(&d->q.used, true, v);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (d->queue_sel == 0)
			queue_ready_write(vm, d, v);
		return true;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		return v == 0 && process_queue(vm, d);
	case VIRTIO_MMIO_INTERRUPT_ACK:
		d->isr &= ~v;
		return true;
	case VIRTIO_MMIO_STATUS:
		status_write(d, v);
		return true;
	default:
		break; /* read-only or reserved: ignored */
	}
	return false;
}

/*
 * One slot's register file.  Registers are 32-bit (4.2.2); like QEMU, a
 * 64-bit access is two 32-bit ones, any other width or a misaligned access
 * reads 0 and writes nothing.  The config space takes any width.
 */
static int disk_read(struct vvblk *d, uint64_t off, unsigned width, uint64_t *val)
{
	spin_lock(&d->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		for (unsigned i = 0; i < width; i++)
			*val |= (uint64_t)config_byte(d, off - VIRTIO_MMIO_CONFIG + i) << (8 * i);
	} else if (width == 8 && !(off & 7)) {
		*val = reg_read(d, off) | (uint64_t)reg_read(d, off + 4) << 32;
	} else if (width == 4 && !(off & 3)) {
		*val = reg_read(d, off);
	}
	spin_unlock(&d->lock);
	return 0;
}

static int disk_write(struct vm *vm, struct vvblk *d, uint64_t off, unsigned width, uint64_t val)
{
	bool irq = false;

	if (off >= VIRTIO_MMIO_CONFIG || (width != 4 && width != 8) || (off & (width - 1)))
		return 0; /* read-only config space, wrong width: ignored */
	spin_lock(&d->lock);
	irq = reg_write(vm, d, off, (uint32_t)val);
	if (width == 8)
		irq |= reg_write(vm, d, off + 4, (uint32_t)(val >> 32));
	if (irq)
		update_irq(vm, d);
	spin_unlock(&d->lock);
	if (irq)
		vm_irq_update(vm);
	return 0;
}

/* A transport with nothing plugged in, as QEMU's: magic, version, vendor, zeros. */
static uint64_t empty_reg(uint64_t off)
{
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION: return VIRTIO_MMIO_VERSION_MODERN;
	case VIRTIO_MMIO_VENDOR_ID: return VVBLK_VENDOR;
	default: return 0;
	}
}

int vvblk_mmio_read(struct vm *vm, uint64_t off, unsigned width, uint64_t *val)
{
	struct vvblk *d = dev_of(vm);
	uint64_t slot = off / VM_VIRTIO_STRIDE;

	*val = 0;
	off %= VM_VIRTIO_STRIDE;
	if (slot == 0 && d && d->host)
		return disk_read(d, off, width, val);
	if (width == 8 && !(off & 7))
		*val = empty_reg(off) | empty_reg(off + 4) << 32;
	else if (width == 4 && !(off & 3))
		*val = empty_reg(off);
	return 0;
}

int vvblk_mmio_write(struct vm *vm, uint64_t off, unsigned width, uint64_t val)
{
	struct vvblk *d = dev_of(vm);

	if (off / VM_VIRTIO_STRIDE == 0 && d && d->host)
		return disk_write(vm, d, off % VM_VIRTIO_STRIDE, width, val);
	return 0; /* an empty slot ignores writes */
}

/* ---- life cycle ---- */

int vvblk_create(struct vm *vm, const char *serial, size_t len)
{
	struct vvblk *d = dev_of(vm);
	char name[VIRTIO_BLK_ID_BYTES + 1];

	if (!d)
		return -1;
	memset(d, 0, sizeof(*d));
	if (len > VIRTIO_BLK_ID_BYTES)
		len = VIRTIO_BLK_ID_BYTES;
	memset(name, 0, sizeof(name));
	memcpy(name, serial, len);
	if (!name[0])
		return 0;
	d->host = virtio_blk_claim(name, len);
	if (!d->host) {
		hv_printf("hvscope: vm%d (%s): no free host virtio-blk device with serial \"%s\" "
			  "(QEMU needs -drive ...,id=X -device virtio-blk-device,drive=X,serial=%s: see make run)\n",
			  vm->id, vm->name, name, name);
		return -1;
	}
	return 0;
}

void vvblk_set_strict(struct vm *vm, bool strict)
{
	struct vvblk *d = dev_of(vm);

	if (d)
		d->strict = strict;
}

bool vvblk_present(const struct vm *vm)
{
	const struct vvblk *d = dev_of(vm);

	return d && d->host;
}

void vvblk_reset(struct vm *vm)
{
	struct vvblk *d = dev_of(vm);

	if (!d || !d->host)
		return;
	spin_lock(&d->lock);
	device_reset(d);
	/* d->reports stays: a VM rebooting in a loop must not repeat its reports every boot. */
	update_irq(vm, d);
	spin_unlock(&d->lock);
}
