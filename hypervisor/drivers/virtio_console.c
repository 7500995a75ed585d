/*
 * The host's virtio-console with multiple ports (Virtual I/O Device (VIRTIO)
 * Version 1.1, 5.3 "Console Device"; 4.2.3 for virtio-mmio).  Queues: 2 and
 * 3 carry control messages (5.3.6.2), port N uses 2(N+1) (receive) and
 * 2(N+1)+1 (transmit); port 0 (a virtconsole) is not used.
 *
 * The handshake (5.3.6.2): the driver sends DEVICE_READY, the device names
 * its ports with DEVICE_ADD, the driver answers PORT_READY for each, and
 * says PORT_OPEN when it is ready for data.  The device reports a host-side
 * connection or disconnection of a port (a debugger on the unix socket) as
 * PORT_OPEN with value 1 or 0.
 *
 * Like drivers/virtio_blk.c: hvscope runs with satp = Bare, so buffers are
 * static storage addressed physically; transmit is synchronous and polled.
 * Receive queues ask for interrupts (the host PLIC line of the slot), and
 * the interrupt handler drains them.
 */
#include "drivers/virtio_console.h"
#include "drivers/virtio_mmio.h"
#include "lib/log.h"
#include "arch/asm.h"
#include "arch/csr.h"
#include "arch/timer.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define VIRTIO_ID_CONSOLE		3
#define VIRTIO_CONSOLE_F_MULTIPORT	(1ULL << 1)
#define VIRTIO_CONSOLE_CONFIG_MAX_PORTS 4 /* le32 max_nr_ports */

/* Control events (5.3.6.2). */
#define VCONS_DEVICE_READY		0
#define VCONS_DEVICE_ADD		1
#define VCONS_DEVICE_REMOVE		2
#define VCONS_PORT_READY		3
#define VCONS_PORT_OPEN			6

#define VQ_NUM				8 /* descriptors per port queue */
/*
 * The device drops a control message when the control receive queue has no
 * buffer (QEMU's send_control_msg), and it sends one DEVICE_ADD per port at
 * once: the queue needs a buffer per port, and then some.
 */
#define CTRL_NUM			64
#define VQ_RING_MAX			CTRL_NUM
#define RX_BUF				1024 /* each receive buffer of a port */
#define CTRL_BUF			128  /* each control receive buffer: a message and a port name */
#define TX_BUF				2048
#define TX_TIMEOUT_S			5

struct vcons_ctrl {
	uint32_t id;
	uint16_t event, value;
};

_Static_assert(sizeof(struct vcons_ctrl) == 8, "virtio_console_control layout (5.3.6.2)");

struct vq {
	struct virtq_desc desc[VQ_RING_MAX];
	struct {
		uint16_t flags, idx;
		uint16_t ring[VQ_RING_MAX];
		/* cppcheck-suppress unusedStructMember ; ring layout the device reads */
		uint16_t used_event;
	} avail;
	struct {
		/* cppcheck-suppress unusedStructMember ; ring layout: the device writes flags */
		uint16_t flags, idx;
		struct virtq_used_elem ring[VQ_RING_MAX];
		/* cppcheck-suppress unusedStructMember ; ring layout the device writes */
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
	uint16_t avail_idx, used_seen;
	unsigned index; /* queue number in the device */
	unsigned num;	/* its size: VQ_NUM, or CTRL_NUM for control receive */
	bool ready;
};

struct rxq {
	struct vq q;
	uint8_t *buf; /* q.num buffers of buf_size bytes */
	uint32_t buf_size;
};

struct txq {
	struct vq q;
	spinlock_t lock;
	uint8_t buf[TX_BUF];
};

static struct rxq ctrl_rx, port_rx[VCONS_PORTS + 1];
static uint8_t ctrl_rx_buf[CTRL_NUM][CTRL_BUF];
static uint8_t port_rx_buf[VCONS_PORTS + 1][VQ_NUM][RX_BUF];
static struct txq ctrl_tx, port_tx[VCONS_PORTS + 1];
static spinlock_t rx_lock = SPINLOCK_INIT;
static uint64_t base;
static unsigned irq, port_count;
static bool broken;

static uint32_t rd(unsigned off) { return *(volatile uint32_t *)(uintptr_t)(base + off); }
static void wr(unsigned off, uint32_t v) { *(volatile uint32_t *)(uintptr_t)(base + off) = v; }

static void wr64(unsigned lo, uint64_t v)
{
	wr(lo, (uint32_t)v);
	wr(lo + 4, (uint32_t)(v >> 32));
}

/* Queue `index` with `num` entries (fewer if the device allows fewer, down to VQ_NUM). */
static bool queue_setup(struct vq *q, unsigned index, unsigned num, bool interrupts)
{
	unsigned max;

	wr(VIRTIO_MMIO_QUEUE_SEL, index);
	max = rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	while (num > max && num > VQ_NUM)
		num /= 2;
	if (rd(VIRTIO_MMIO_QUEUE_READY) || max < num)
		return false;
	memset(q, 0, sizeof(*q));
	q->index = index;
	q->num = num;
	q->avail.flags = interrupts ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint64_t)(uintptr_t)q->desc);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint64_t)(uintptr_t)&q->avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint64_t)(uintptr_t)&q->used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	q->ready = true;
	return true;
}

/* Make descriptor d available (it is already filled in). */
static void queue_push(struct vq *q, unsigned d)
{
	q->avail.ring[q->avail_idx % q->num] = (uint16_t)d;
	arch_fence_io(); /* descriptor and ring entry before the index (2.6.13) */
	q->avail.idx = ++q->avail_idx;
	arch_fence_io();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

/* Give receive buffer d of rq back to the device. */
static void rx_post(struct rxq *rq, unsigned d)
{
	rq->q.desc[d] = (struct virtq_desc){ (uint64_t)(uintptr_t)(rq->buf + d * rq->buf_size), rq->buf_size,
					     VIRTQ_DESC_F_WRITE, 0 };
	queue_push(&rq->q, d);
}

static bool rx_setup(struct rxq *rq, unsigned index, unsigned num, uint8_t *buf, uint32_t buf_size)
{
	if (!queue_setup(&rq->q, index, num, true))
		return false;
	rq->buf = buf;
	rq->buf_size = buf_size;
	for (unsigned d = 0; d < rq->q.num; d++)
		rx_post(rq, d);
	return true;
}

/* Send one buffer and wait for the device to take it. */
static void tx_send(struct txq *tq, const void *data, size_t len)
{
	struct vq *q = &tq->q;
	uint64_t deadline;

	if (!q->ready || broken)
		return;
	spin_lock(&tq->lock);
	memcpy(tq->buf, data, len);
	q->desc[0] = (struct virtq_desc){ (uint64_t)(uintptr_t)tq->buf, (uint32_t)len, 0, 0 };
	deadline = arch_time() + hv_timebase * TX_TIMEOUT_S;
	queue_push(q, 0);
	while (*(volatile uint16_t *)&q->used.idx == q->used_seen)
		if (arch_time() > deadline) {
			broken = true;
			hv_printf("hvscope: virtio-console at 0x%lx: no transmit completion after %d s: disabled\n",
				  base, TX_TIMEOUT_S);
			break;
		}
	q->used_seen = *(volatile uint16_t *)&q->used.idx;
	spin_unlock(&tq->lock);
}

static void ctrl_send(uint32_t id, uint16_t event, uint16_t value)
{
	struct vcons_ctrl m = { id, event, value };

	tx_send(&ctrl_tx, &m, sizeof(m));
}

void virtio_console_write(unsigned port, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (port < 1 || port > port_count)
		return;
	while (len) {
		size_t n = len < TX_BUF ? len : TX_BUF;
		tx_send(&port_tx[port], p, n);
		p += n;
		len -= n;
	}
}

/*
 * Every completed buffer of rq: copied out and given back to the device
 * before fn(the copy) runs, so that what fn sends can be answered at once
 * (the device drops control messages it has no buffer for).
 */
static void rx_drain(struct rxq *rq, void (*fn)(unsigned port, const uint8_t *, uint32_t, void *),
		     unsigned port, void *arg)
{
	struct vq *q = &rq->q;

	if (!q->ready)
		return;
	while (*(volatile uint16_t *)&q->used.idx != q->used_seen) {
		struct virtq_used_elem e;
		uint8_t data[RX_BUF];
		uint32_t len;
		arch_fence_io(); /* the entry and the data after the index */
		e = q->used.ring[q->used_seen % q->num];
		q->used_seen++;
		if (e.id >= q->num)
			continue;
		len = e.len < rq->buf_size ? e.len : rq->buf_size;
		memcpy(data, rq->buf + e.id * rq->buf_size, len);
		rx_post(rq, e.id);
		fn(port, data, len, arg);
	}
}

static void on_control(unsigned port, const uint8_t *data, uint32_t len, void *arg)
{
	struct vcons_ctrl m;
	vcons_open_fn open = (vcons_open_fn)arg;

	(void)port;
	if (len < sizeof(m))
		return;
	memcpy(&m, data, sizeof(m));
	if (m.event == VCONS_DEVICE_ADD && m.id >= 1 && m.id <= port_count) {
		ctrl_send(m.id, VCONS_PORT_READY, 1);
		ctrl_send(m.id, VCONS_PORT_OPEN, 1); /* we take data from now on */
	} else if (m.event == VCONS_DEVICE_ADD) {
		ctrl_send(m.id, VCONS_PORT_READY, 0); /* a port we have no queues for */
	} else if (m.event == VCONS_PORT_OPEN && m.id >= 1 && m.id <= port_count && open) {
		open(m.id, m.value != 0);
	}
}

static void on_data(unsigned port, const uint8_t *data, uint32_t len, void *arg)
{
	vcons_rx_fn rx = (vcons_rx_fn)arg;

	if (rx && len)
		rx(port, data, len);
}

void virtio_console_poll(vcons_rx_fn rx, vcons_open_fn open)
{
	if (!base || broken)
		return;
	spin_lock(&rx_lock);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	rx_drain(&ctrl_rx, on_control, 0, (void *)open);
	for (unsigned p = 1; p <= port_count; p++)
		rx_drain(&port_rx[p], on_data, p, (void *)rx);
	spin_unlock(&rx_lock);
}

unsigned virtio_console_irq(void)
{
	return base && !broken ? irq : 0;
}

static uint64_t device_features(void)
{
	uint64_t f;

	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | rd(VIRTIO_MMIO_DEVICE_FEATURES);
}

/* 3.1.1 initialization; returns 0 or why not. */
static const char *device_setup(void)
{
	uint32_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	uint64_t want = VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_MULTIPORT;
	uint32_t max_ports;

	if (rd(VIRTIO_MMIO_VERSION) != VIRTIO_MMIO_VERSION_MODERN)
		return "legacy virtio-mmio (QEMU needs -global virtio-mmio.force-legacy=false)";
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, status);
	if ((device_features() & want) != want)
		return "no VIRTIO_F_VERSION_1 or MULTIPORT";
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
	status |= VIRTIO_STATUS_FEATURES_OK;
	wr(VIRTIO_MMIO_STATUS, status);
	if (!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return "FEATURES_OK refused";
	max_ports = rd(VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CONFIG_MAX_PORTS);
	port_count = max_ports > VCONS_PORTS ? VCONS_PORTS : max_ports ? max_ports - 1 :
									 0;
	if (!rx_setup(&ctrl_rx, 2, CTRL_NUM, &ctrl_rx_buf[0][0], CTRL_BUF) ||
	    !queue_setup(&ctrl_tx.q, 3, VQ_NUM, false))
		return "control queues unusable";
	for (unsigned p = 1; p <= port_count; p++)
		if (!rx_setup(&port_rx[p], 2 * (p + 1), VQ_NUM, &port_rx_buf[p][0][0], RX_BUF) ||
		    !queue_setup(&port_tx[p].q, 2 * (p + 1) + 1, VQ_NUM, false))
			return "port queues unusable";
	wr(VIRTIO_MMIO_STATUS, status | VIRTIO_STATUS_DRIVER_OK);
	return 0;
}

bool virtio_console_init(const struct virtio_mmio_slots *slots)
{
	const char *why = "no virtio-serial-device";

	for (unsigned i = 0; i < slots->count; i++) {
		if (slots->devid[i] != VIRTIO_ID_CONSOLE)
			continue;
		base = slots->base[i];
		irq = slots->irq[i];
		why = device_setup();
		if (!why)
			break;
		wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
		base = 0;
	}
	if (why) {
		hv_printf("  gdbstub: off (%s; make run adds one)\n", why);
		return false;
	}
	ctrl_send(0, VCONS_DEVICE_READY, 1);
	virtio_console_poll(0, 0); /* the device answers at once: DEVICE_ADD per port */
	hv_printf("  gdbstub: virtio-console at 0x%lx irq %u, %u ports (port N = VM N)\n", base, irq, port_count);
	return true;
}
